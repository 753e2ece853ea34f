"""Invitations: a KH invites a viewer or another KH of their company by a one-time link.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-12 09:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.
The link's token is not stored, only its SHA-256 hex; accepting deletes the row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

_EMAIL = sa.String(length=254)
_ENUM = sa.String(length=32)
_SHA256 = sa.String(length=64)


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("email", _EMAIL, nullable=False),
        sa.Column("role", _ENUM, nullable=False),
        sa.Column("token_hash", _SHA256, nullable=False),
        sa.Column("invited_by", _EMAIL, nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_invitations_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_invitations_token_hash"),
    )
    op.create_index("ix_invitations_tenant_id_email", "invitations", ["tenant_id", "email"])


def downgrade() -> None:
    op.drop_table("invitations")  # its index goes with it
