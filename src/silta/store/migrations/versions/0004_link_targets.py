"""An index on links by target key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 13:30:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.

A streamed run reads the links of one batch of records at a time: by source key (the
unique key's index serves that) and by target key, to tell whether a target record found
by its code already belongs to another source record. Without this index the second
question scans every link of the tenant once per batch.
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_INDEX = "ix_links_tenant_id_register_target_key"


def upgrade() -> None:
    op.create_index(_INDEX, "links", ["tenant_id", "register", "target_key"])


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="links")
