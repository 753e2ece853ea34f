"""The schedule: slots claimed per (tenant, register, due time), tenant locks, halts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 09:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.

* ``schedule_slots``: one row per scheduled run a dispatcher claimed. The unique key
  (tenant, register, due time) is what makes a slot run at most once however many
  dispatchers (processes, workers) look at the clock.
* ``tenant_locks``: who runs a tenant now; one row per tenant at most, so two processes
  never run one company at once (Netvisor's one-request-at-a-time rule).
* ``tenant_halts``: the scheduler stops trying a tenant whose credentials were refused,
  until its settings or connections change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_NAME = sa.String(length=200)
_ENUM = sa.String(length=32)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "schedule_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("register", _ENUM, nullable=False),
        sa.Column("due_at", _time(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("state", _ENUM, nullable=False),
        sa.Column("owner", _NAME, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", _time(), nullable=False),
        sa.Column("heartbeat_at", _time(), nullable=False),
        sa.Column("started_at", _time(), nullable=True),
        sa.Column("finished_at", _time(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _tenant_fk("schedule_slots"),
        sa.PrimaryKeyConstraint("id", name="pk_schedule_slots"),
        sa.UniqueConstraint(
            "tenant_id", "register", "due_at", name="uq_schedule_slots_tenant_id_register_due_at"
        ),
    )
    op.create_index("ix_schedule_slots_state", "schedule_slots", ["state"])
    op.create_index("ix_schedule_slots_due_at", "schedule_slots", ["due_at"])
    op.create_table(
        "tenant_locks",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("owner", _NAME, nullable=False),
        sa.Column("purpose", _NAME, nullable=False),
        sa.Column("acquired_at", _time(), nullable=False),
        sa.Column("heartbeat_at", _time(), nullable=False),
        _tenant_fk("tenant_locks"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_tenant_locks"),
    )
    op.create_table(
        "tenant_halts",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", _time(), nullable=False),
        _tenant_fk("tenant_halts"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_tenant_halts"),
    )


def downgrade() -> None:
    for table in ("tenant_halts", "tenant_locks", "schedule_slots"):
        op.drop_table(table)
