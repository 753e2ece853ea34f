"""Alembic's entry point for Silta's migrations.

Silta configures Alembic in code (:mod:`silta.store.migrate`), not with an ``alembic.ini``:
the caller opens the connection, begins the transaction (taking the migration lock) and
passes the connection in ``config.attributes["connection"]``. Offline mode (``--sql``)
renders the SQL for a DBA from the URL in the ``sqlalchemy.url`` option.

On SQLite, migrations use Alembic's batch mode, because SQLite's ``ALTER TABLE`` cannot
change or drop most things; batch mode copies the table instead.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from silta.store.models import Base
from silta.store.types import TextEnum, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(kind: str, item: Any, _context: Any) -> str | Literal[False]:
    """Draft Silta's column types as plain SQLAlchemy types: migrations must not import them."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if kind == "type" and isinstance(item, TextEnum):
        return "sa.String(length=32)"
    return False


def run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=bool(url and url.startswith("sqlite")),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "Silta's migrations run through silta.store.migrate (`silta db upgrade`), "
            "which passes an open connection"
        )
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
