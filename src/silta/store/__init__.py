"""Silta's state: tenants, versioned settings, links, watermarks, runs and their entries.

One synchronous API, :class:`Store`, over SQLAlchemy: SQLite by default, PostgreSQL for a
fleet of workers. The schema is made only by the Alembic migrations in
``silta/store/migrations`` (applied by :meth:`Store.open` and ``silta db upgrade``);
credentials are Fernet ciphertext at rest (:mod:`silta.store.secrets`).

==================  ==========================================================
module              concept
==================  ==========================================================
``store.py``        :class:`Store`, the API the engine, web app and CLI call
``accounts.py``     :class:`Accounts`: users of the web app, roles, sign-in, tokens
``schedule.py``     :class:`Schedule`: claimed slots, tenant locks, halted tenants
``holds.py``        :class:`Holds`: registers held until a KH confirms a preview
``invitations.py``  :class:`Invitations`: a KH's one-time invitation links, members
``history.py``      :class:`History`: runs, records and timelines paged; open refusals
``records.py``      the frozen values it takes and gives (all times aware UTC)
``errors.py``       its exceptions, all :class:`~silta.errors.SiltaError`
``models.py``       the tables (SQLAlchemy typed declarative models)
``types.py``        column types that behave alike on both backends
``database.py``     URL rules and per-backend engine set-up (SQLite pragmas)
``secrets.py``      the key and the encryption of credentials
``migrate.py``      Alembic configured in code; ``migrations/`` its scripts
==================  ==========================================================
"""

from silta.store.accounts import Accounts
from silta.store.errors import (
    ConfirmationRefused,
    DuplicateTenant,
    DuplicateUser,
    InvitationInvalid,
    LastKh,
    LoginThrottled,
    RunNotRunning,
    SecretKeyError,
    StoreError,
    StoreUnavailable,
    TenantBusy,
    UnknownRun,
    UnknownTenant,
    UnknownUser,
    WeakPassword,
)
from silta.store.history import History, Page, RecordRef, RunFilter
from silta.store.holds import Holds
from silta.store.invitations import Invitation, Invitations
from silta.store.records import (
    ApiToken,
    Detail,
    Entry,
    Hold,
    Link,
    LinkState,
    Membership,
    Role,
    RunProgress,
    RunRecord,
    SettingsVersion,
    Slot,
    SlotState,
    TenantEvent,
    TenantEventKind,
    TenantLock,
    TokenScope,
    User,
    Watermark,
    WebSession,
)
from silta.store.schedule import Schedule, SlotKey
from silta.store.store import Store

__all__ = [
    "Accounts",
    "ApiToken",
    "ConfirmationRefused",
    "Detail",
    "DuplicateTenant",
    "DuplicateUser",
    "Entry",
    "History",
    "Hold",
    "Holds",
    "Invitation",
    "InvitationInvalid",
    "Invitations",
    "LastKh",
    "Link",
    "LinkState",
    "LoginThrottled",
    "Membership",
    "Page",
    "RecordRef",
    "Role",
    "RunFilter",
    "RunNotRunning",
    "RunProgress",
    "RunRecord",
    "Schedule",
    "SecretKeyError",
    "SettingsVersion",
    "Slot",
    "SlotKey",
    "SlotState",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "TenantBusy",
    "TenantEvent",
    "TenantEventKind",
    "TenantLock",
    "TokenScope",
    "UnknownRun",
    "UnknownTenant",
    "UnknownUser",
    "User",
    "Watermark",
    "WeakPassword",
    "WebSession",
]
