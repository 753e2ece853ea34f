"""Daily operation: why a run failed, notifications, and the housekeeping of chores.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 09:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.

* ``runs.failure_category``, ``runs.failure_service``: a failed run's category
  (``silta.failures``: connect, timeout, maintenance, credentials ...) and the service it
  concerns, so pages and messages can say "Netvisor ei vastaa (yhteysvirhe)" before the
  detail. Runs of earlier versions have none; their error text is still there.
* ``notification_settings``, ``notification_events``, ``notification_digests``,
  ``notification_refusals``: who is told of what, what waits to be told, the digests
  made and still to deliver, and the refusals already reported (``silta.notify``).
* ``housekeeping``: when a periodic chore (the nightly retention prune) last ran, so that
  one of many processes does it once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
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
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("failure_category", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("failure_service", sa.String(length=20), nullable=True))
    op.create_table(
        "notification_settings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("period_minutes", sa.Integer(), nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("seen_run_id", sa.Integer(), nullable=False),
        sa.Column("last_digest_at", _time(), nullable=True),
        sa.Column("updated_by", _NAME, nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        _tenant_fk("notification_settings"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_notification_settings"),
    )
    op.create_table(
        "notification_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("register", _ENUM, nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        _tenant_fk("notification_events"),
        sa.PrimaryKeyConstraint("id", name="pk_notification_events"),
    )
    op.create_index(
        "ix_notification_events_tenant_id_digest_id",
        "notification_events",
        ["tenant_id", "digest_id"],
    )
    op.create_table(
        "notification_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("pending_emails", sa.JSON(), nullable=False),
        sa.Column("pending_webhook", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _time(), nullable=False),
        sa.Column("claimed_until", _time(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", _time(), nullable=True),
        _tenant_fk("notification_digests"),
        sa.PrimaryKeyConstraint("id", name="pk_notification_digests"),
    )
    op.create_index(
        "ix_notification_digests_state_next_attempt_at",
        "notification_digests",
        ["state", "next_attempt_at"],
    )
    op.create_index("ix_notification_digests_tenant_id", "notification_digests", ["tenant_id"])
    op.create_table(
        "notification_refusals",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("register", _ENUM, nullable=False),
        sa.Column("record_key", _NAME, nullable=False),
        sa.Column("rule", _NAME, nullable=False),
        sa.Column("reported_at", _time(), nullable=False),
        _tenant_fk("notification_refusals"),
        sa.PrimaryKeyConstraint(
            "tenant_id", "register", "record_key", "rule", name="pk_notification_refusals"
        ),
    )
    op.create_table(
        "housekeeping",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("last_at", _time(), nullable=False),
        sa.Column("owner", _NAME, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_housekeeping"),
    )


def downgrade() -> None:
    for table in (
        "housekeeping",
        "notification_refusals",
        "notification_digests",
        "notification_events",
        "notification_settings",
    ):
        op.drop_table(table)
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("failure_service")
        batch.drop_column("failure_category")
