"""The initial schema: tenants, settings versions, tenant events, links, watermarks, runs.

Revision ID: 0001
Revises:
Create Date: 2025-06-02 09:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.
Datetimes are ``timestamptz`` on PostgreSQL and UTC text on SQLite; enumerations are text.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_NAME = sa.String(length=200)
_ENUM = sa.String(length=32)
_URL = sa.String(length=500)


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _NAME, nullable=False),
        sa.Column("netvisor_base_url", _URL, nullable=False),
        sa.Column("severa_base_url", _URL, nullable=False),
        sa.Column("netvisor_credentials", sa.Text(), nullable=False),
        sa.Column("severa_credentials", sa.Text(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("settings_version", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("name", name="uq_tenants_name"),
    )
    op.create_table(
        "settings_versions",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("changed_by", _NAME, nullable=False),
        sa.Column("changed_at", _when(), nullable=False),
        _tenant_fk("settings_versions"),
        sa.PrimaryKeyConstraint("tenant_id", "version", name="pk_settings_versions"),
    )
    op.create_table(
        "tenant_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("kind", _ENUM, nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("changed_by", _NAME, nullable=False),
        sa.Column("changed_at", _when(), nullable=False),
        _tenant_fk("tenant_events"),
        sa.PrimaryKeyConstraint("id", name="pk_tenant_events"),
    )
    op.create_index(
        "ix_tenant_events_tenant_id_changed_at", "tenant_events", ["tenant_id", "changed_at"]
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("register", _ENUM, nullable=False),
        sa.Column("source_system", _ENUM, nullable=False),
        sa.Column("source_key", _NAME, nullable=False),
        sa.Column("target_key", _NAME, nullable=True),
        sa.Column("natural_key", _NAME, nullable=True),
        sa.Column("state", _ENUM, nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        _tenant_fk("links"),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
        sa.UniqueConstraint(
            "tenant_id",
            "register",
            "source_system",
            "source_key",
            name="uq_links_tenant_id_register_source_system_source_key",
        ),
    )
    op.create_index(
        "ix_links_tenant_id_register_natural_key",
        "links",
        ["tenant_id", "register", "natural_key"],
    )
    op.create_table(
        "watermarks",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("register", _ENUM, nullable=False),
        sa.Column("changed_since", _when(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        _tenant_fk("watermarks"),
        sa.PrimaryKeyConstraint("tenant_id", "register", name="pk_watermarks"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("register", _ENUM, nullable=False),
        sa.Column("kind", _ENUM, nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("trigger", _NAME, nullable=False),
        sa.Column("status", _ENUM, nullable=False),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("heartbeat_at", _when(), nullable=False),
        sa.Column("finished_at", _when(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("owner", _NAME, nullable=False),
        _tenant_fk("runs"),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_tenant_id_started_at", "runs", ["tenant_id", "started_at"])
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_table(
        "run_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("register", _ENUM, nullable=False),
        sa.Column("source_key", _NAME, nullable=True),
        sa.Column("natural_key", _NAME, nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("action", _ENUM, nullable=False),
        sa.Column("status", _ENUM, nullable=False),
        sa.Column("target_key", _NAME, nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("refusals", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_run_entries_run_id_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_run_entries"),
    )
    op.create_index("ix_run_entries_run_id_status", "run_entries", ["run_id", "status"])
    op.create_index("ix_run_entries_run_id_action", "run_entries", ["run_id", "action"])


def downgrade() -> None:
    for table in (
        "run_entries",
        "runs",
        "watermarks",
        "links",
        "tenant_events",
        "settings_versions",
        "tenants",
    ):
        op.drop_table(table)
