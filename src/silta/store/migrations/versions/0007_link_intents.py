"""What a pending create sent, kept with its link.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-06 08:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.

A pending link says a create may have reached the target; the next run looks the record up
by natural key and adopts what it finds. A natural key alone cannot tell that record from
one someone else made with the same key after a create that never arrived (found by the
chaos test: a Netvisor customer a user made with the code of a Severa customer whose create
was cut off was overwritten). ``intent`` keeps what the create carried (for a customer, its
business ID and name), so the next run adopts only a record that carries it. Links of
earlier versions have none, and are trusted as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.add_column(sa.Column("intent", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.drop_column("intent")
