"""API tokens with a life cycle: a scope, an expiry and, optionally, one tenant.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10 09:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.

Tokens made before this revision could do everything a user could, for ever. They keep
``write`` (taking it away would break what already runs on them without a word), and expire
90 days from this upgrade, the new default lifetime, so none lives for ever; they reach
every tenant of their user, as before (``tenant_id`` null).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_LIFETIME = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("tenant_id", sa.Integer(), nullable=True))
    expires = datetime.now(UTC) + _LIFETIME
    if op.get_bind().dialect.name == "sqlite":
        expires = expires.replace(tzinfo=None)  # SQLite keeps UTC as naive text
    tokens = sa.table(
        "api_tokens",
        sa.column("scope", sa.String(length=32)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    op.execute(tokens.update().values(scope="write", expires_at=expires))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("scope", existing_type=sa.String(length=32), nullable=False)
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_foreign_key(
            "fk_api_tokens_tenant_id_tenants",
            "tenants",
            ["tenant_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_api_tokens_tenant_id", ["tenant_id"])


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_index("ix_api_tokens_tenant_id")
        batch.drop_constraint("fk_api_tokens_tenant_id_tenants", type_="foreignkey")
        batch.drop_column("tenant_id")
        batch.drop_column("expires_at")
        batch.drop_column("scope")
