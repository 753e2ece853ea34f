"""History that reaches back: keyset indexes, a record catalogue, live progress.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-08 09:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.

* ``runs``: the history pages a tenant's runs by ``(started_at, id)``, filtered or not by
  register or status; each walk gets an index that ends in ``id``, so a page is read in
  order without a sort (``(tenant_id, started_at)`` becomes ``(tenant_id, started_at,
  id)``). ``progress``: how far a running run has got, so any process can show it.
* ``run_entries``: a run's records are paged by ``id``, with or without a status or action
  filter, so every index on ``run_id`` ends in ``id``; ``tenant_id`` (the run's, filled in
  here for the entries already kept) lets one record's timeline be read by its keys without
  visiting other companies' entries.
* ``records``: one row per record a tenant's runs have met (register, source key, natural
  key), with its newest name and a case-folded search text, filled in here from the entries
  already kept. The record search reads this, not millions of entries.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

_NAME = sa.String(200)
_ENUM = sa.String(32)
_BATCH = 1000


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _search(*parts: Any) -> str:
    # the formula of silta.store.history.search_text, as it stood at this revision
    return " ".join(str(part).casefold() for part in parts if part)


def upgrade() -> None:
    op.drop_index("ix_runs_tenant_id_started_at", table_name="runs")
    op.create_index("ix_runs_tenant_id_started_at_id", "runs", ["tenant_id", "started_at", "id"])
    op.create_index(
        "ix_runs_tenant_id_register_started_at_id",
        "runs",
        ["tenant_id", "register", "started_at", "id"],
    )
    op.create_index(
        "ix_runs_tenant_id_status_started_at_id",
        "runs",
        ["tenant_id", "status", "started_at", "id"],
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("progress", sa.JSON(), nullable=True))

    op.drop_index("ix_run_entries_run_id_status", table_name="run_entries")
    op.drop_index("ix_run_entries_run_id_action", table_name="run_entries")
    with op.batch_alter_table("run_entries") as batch:
        batch.add_column(sa.Column("tenant_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE run_entries SET tenant_id = "
        "(SELECT runs.tenant_id FROM runs WHERE runs.id = run_entries.run_id)"
    )
    with op.batch_alter_table("run_entries") as batch:
        batch.alter_column("tenant_id", existing_type=sa.Integer(), nullable=False)
    for columns in (
        ["run_id", "id"],
        ["run_id", "status", "id"],
        ["run_id", "action", "id"],
        ["tenant_id", "register", "natural_key", "id"],
        ["tenant_id", "register", "source_key", "id"],
    ):
        op.create_index(f"ix_run_entries_{'_'.join(columns)}", "run_entries", columns)

    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("register", _ENUM, nullable=False),
        sa.Column("source_key", _NAME, nullable=False),
        sa.Column("natural_key", _NAME, nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("search", sa.Text(), nullable=False),
        sa.Column("first_seen_at", _when(), nullable=False),
        sa.Column("last_seen_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_records_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint(
            "tenant_id",
            "register",
            "source_key",
            "natural_key",
            name="uq_records_tenant_id_register_source_key_natural_key",
        ),
    )
    _fill_records()


def _fill_records() -> None:
    """One catalogue row per record of the entries kept, with the newest entry's name.

    The columns are untyped on purpose: the times go back as the driver gave them (text on
    SQLite, ``timestamptz`` on PostgreSQL), never through a type that would reinterpret them.
    """
    connection = op.get_bind()
    found = connection.execute(
        sa.text(
            "SELECT g.tenant_id, g.register, g.source_key, g.natural_key, g.first_seen, "
            "g.last_seen, e.name FROM ("
            " SELECT e.tenant_id AS tenant_id, e.register AS register,"
            " COALESCE(e.source_key, '') AS source_key,"
            " COALESCE(e.natural_key, '') AS natural_key,"
            " MIN(r.started_at) AS first_seen, MAX(r.started_at) AS last_seen,"
            " MAX(e.id) AS last_id"
            " FROM run_entries e JOIN runs r ON r.id = e.run_id"
            " GROUP BY e.tenant_id, e.register, COALESCE(e.source_key, ''),"
            " COALESCE(e.natural_key, '')"
            ") g JOIN run_entries e ON e.id = g.last_id"
        )
    )
    records = sa.table(
        "records",
        *(
            sa.column(name)
            for name in (
                "tenant_id",
                "register",
                "source_key",
                "natural_key",
                "name",
                "search",
                "first_seen_at",
                "last_seen_at",
            )
        ),
    )
    rows: list[dict[str, Any]] = []
    for tenant_id, register, source_key, natural_key, first, last, name in found.all():
        if not (source_key or natural_key):
            continue
        rows.append(
            {
                "tenant_id": tenant_id,
                "register": register,
                "source_key": source_key,
                "natural_key": natural_key,
                "name": name,
                "search": _search(natural_key, source_key, name),
                "first_seen_at": first,
                "last_seen_at": last,
            }
        )
        if len(rows) >= _BATCH:
            connection.execute(records.insert(), rows)
            rows = []
    if rows:
        connection.execute(records.insert(), rows)


def downgrade() -> None:
    op.drop_table("records")
    for columns in (
        ["run_id", "id"],
        ["run_id", "status", "id"],
        ["run_id", "action", "id"],
        ["tenant_id", "register", "natural_key", "id"],
        ["tenant_id", "register", "source_key", "id"],
    ):
        op.drop_index(f"ix_run_entries_{'_'.join(columns)}", table_name="run_entries")
    with op.batch_alter_table("run_entries") as batch:
        batch.drop_column("tenant_id")
    op.create_index("ix_run_entries_run_id_status", "run_entries", ["run_id", "status"])
    op.create_index("ix_run_entries_run_id_action", "run_entries", ["run_id", "action"])

    with op.batch_alter_table("runs") as batch:
        batch.drop_column("progress")
    op.drop_index("ix_runs_tenant_id_status_started_at_id", table_name="runs")
    op.drop_index("ix_runs_tenant_id_register_started_at_id", table_name="runs")
    op.drop_index("ix_runs_tenant_id_started_at_id", table_name="runs")
    op.create_index("ix_runs_tenant_id_started_at", "runs", ["tenant_id", "started_at"])
