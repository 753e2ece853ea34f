"""Silta's state: tenants, versioned settings, links, watermarks, runs and their entries.

One synchronous API, :class:`Store`, over SQLAlchemy: SQLite by default, PostgreSQL for a
fleet of workers. The schema is made only by the Alembic migrations in
``silta/store/migrations`` (applied by :meth:`Store.open` and ``silta db upgrade``);
credentials are Fernet ciphertext at rest (:mod:`silta.store.secrets`).

==================  ==========================================================
module              concept
==================  ==========================================================
``store.py``        :class:`Store`, the API the engine, web app and CLI call
``records.py``      the frozen values it takes and gives (all times aware UTC)
``errors.py``       its exceptions, all :class:`~silta.errors.SiltaError`
``models.py``       the tables (SQLAlchemy typed declarative models)
``types.py``        column types that behave alike on both backends
``database.py``     URL rules and per-backend engine set-up (SQLite pragmas)
``secrets.py``      the key and the encryption of credentials
``migrate.py``      Alembic configured in code; ``migrations/`` its scripts
==================  ==========================================================
"""

from silta.store.errors import (
    DuplicateTenant,
    RunNotRunning,
    SecretKeyError,
    StoreError,
    StoreUnavailable,
    UnknownRun,
    UnknownTenant,
)
from silta.store.records import (
    Entry,
    Link,
    LinkState,
    RunRecord,
    SettingsVersion,
    TenantEvent,
    TenantEventKind,
    Watermark,
)
from silta.store.store import Store

__all__ = [
    "DuplicateTenant",
    "Entry",
    "Link",
    "LinkState",
    "RunNotRunning",
    "RunRecord",
    "SecretKeyError",
    "SettingsVersion",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "TenantEvent",
    "TenantEventKind",
    "UnknownRun",
    "UnknownTenant",
    "Watermark",
]
