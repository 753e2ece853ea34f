"""Alembic, configured in code: the scripts live in the package, so no ``alembic.ini``.

The script location is the package resource ``silta.store:migrations``, which resolves to
the installed package directory, so migrations work from a wheel as from a checkout.

Two processes may start at once and both try to upgrade. The upgrade therefore runs in one
transaction that first takes a lock: ``BEGIN IMMEDIATE`` on SQLite (whose DDL is
transactional), a transaction-scoped advisory lock on PostgreSQL. The second process waits,
then finds the database at head and does nothing.

To write a new migration, change :mod:`silta.store.models`, then let Alembic draft it
against a database at head and edit the draft by hand::

    from collections.abc import Callable

from alembic import command
    from silta.store.migrate import alembic_config
    with engine.begin() as connection:
        command.revision(alembic_config(connection), "what changed", autogenerate=True)
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from silta.store.database import WRITE

__all__ = [
    "SCRIPT_LOCATION",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]

SCRIPT_LOCATION = "silta.store:migrations"
# pg_advisory_xact_lock key: any constant, shared by every Silta process on the database
_MIGRATION_LOCK = 0x5117A


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for Silta's scripts, running on ``connection``."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; ``None`` when it has never been migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision``, under the migration lock."""
    _run(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision`` (``"base"``: an empty database). For tests."""
    _run(engine, lambda config: command.downgrade(config, revision))


def _run(engine: Engine, step: Callable[[Config], None]) -> None:
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        step(alembic_config(connection))
