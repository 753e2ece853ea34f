"""Display facts of a record's outcome beyond its key and name.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.

The money registers show per record what an accountant checks first (an invoice's number,
customer and total; a project fee's project and amount; a travel report's person and sum).
Number and name fit the entry's ``natural_key`` and ``name``; the rest goes in ``details``,
a JSON list of ``{"key", "value"}`` pairs. Entries of earlier versions have none (NULL), so
the upgrade rewrites nothing and takes no time on a large history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("run_entries") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("run_entries") as batch:
        batch.drop_column("details")
