"""The state behind one small API: tenants, settings, links, watermarks, runs and entries.

Synchronous on purpose. Every call is one short transaction (a few rows, or one bulk insert),
so the async engine can call it directly; and the same code then serves the CLI, the web app
and workers without an async driver for each backend. One :class:`Store` per process is
enough: it holds a connection pool, and each method opens and closes its own session, so it
is safe to share between threads.

Transactions that write take the write lock first on SQLite (``BEGIN IMMEDIATE``), and lock
the tenant row (``SELECT ... FOR UPDATE``) on PostgreSQL where a read decides the write (the
next settings version), so concurrent callers queue instead of colliding. Upserts (links,
watermarks) are single ``INSERT ... ON CONFLICT`` statements on both backends.

Credentials are encrypted before a transaction opens (see :mod:`silta.store.secrets`) and
decrypted only when a :class:`~silta.tenants.Tenant` is built.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs
from cryptography.fernet import Fernet
from sqlalchemy import (
    URL,
    CursorResult,
    Engine,
    Select,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from silta.config import Settings
from silta.domain import (
    Action,
    FieldChange,
    Refusal,
    Register,
    RunKind,
    RunStatus,
    Status,
    System,
    TenantSettings,
)
from silta.netvisor import NetvisorCredentials
from silta.severa import SeveraCredentials
from silta.store import migrate
from silta.store.database import (
    WRITE,
    make_engine,
    normalise_url,
    redacted,
    sqlite_file,
    sqlite_memory,
)
from silta.store.errors import (
    DuplicateTenant,
    RunNotRunning,
    StoreError,
    StoreUnavailable,
    UnknownRun,
    UnknownTenant,
)
from silta.store.history import record_rows
from silta.store.holds import update_holds
from silta.store.models import (
    LinkRow,
    RecordRow,
    RunEntryRow,
    RunRow,
    SettingsVersionRow,
    TenantEventRow,
    TenantHaltRow,
    TenantRow,
    WatermarkRow,
)
from silta.store.records import (
    Entry,
    Link,
    RunProgress,
    RunRecord,
    SettingsVersion,
    TenantEvent,
    TenantEventKind,
    Watermark,
    aware_utc,
    details_from_json,
)
from silta.store.secrets import KeyRing, default_key_file
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant, TenantConfig

__all__ = ["Store"]

_C = TypeVar("_C")
_MAX_TEXT = 200  # names, users, triggers: the width of their columns
_HIDDEN = "[hidden]"  # a credential in a tenant event: never its value
_REPLACED = "[replaced]"
_KEYS_PER_QUERY = 500  # keys per IN list when links are read by key
# A link's fields in the order of silta.store.Link, read without loading ORM rows.
_LINK_COLUMNS = (
    LinkRow.register,
    LinkRow.source_system,
    LinkRow.source_key,
    LinkRow.target_key,
    LinkRow.natural_key,
    LinkRow.state,
    LinkRow.intent,
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _bounded(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"{what} must not be empty")
    if len(value) > _MAX_TEXT:
        raise ValueError(f"{what} must be at most {_MAX_TEXT} characters")
    return value


def _text(value: Any) -> str | None:
    """A settings value as the history shows it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _settings_changes(old: TenantSettings, new: TenantSettings) -> list[FieldChange]:
    before, after = old.as_json(), new.as_json()
    return [
        FieldChange(name, _text(before[name]), _text(after[name]))
        for name in (field.name for field in attrs.fields(TenantSettings))
        if before[name] != after[name]
    ]


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists here (``True`` when that cannot be told)."""
    if os.name != "posix":  # os.kill(pid, 0) would not be a harmless probe
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        return True
    return True


def _owner() -> str:
    """``host:pid`` of this process, read on every call: a forked worker has its own pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


@attrs.frozen
class _TenantRowData:
    """What a tenant row holds, read inside a session and turned into a Tenant after it."""

    row: TenantRow
    settings: dict[str, Any]


class Store:
    """Silta's state. Make one with :meth:`open`; every method is a short transaction."""

    def __init__(
        self,
        engine: Engine,
        *,
        url: URL,
        secret_key: str | None,
        key_file: Path,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._engine = engine
        self._url = url
        self._clock = clock
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(engine.execution_options(**WRITE), expire_on_commit=False)
        self._upserts: dict[tuple[type[Any], tuple[str, ...], tuple[str, ...]], Any] = {}
        self._keys = KeyRing(secret_key, key_file, may_generate=self._holds_no_credentials)

    @classmethod
    def open(
        cls,
        url: str | URL | None = None,
        *,
        secret_key: str | None = None,
        key_file: Path | None = None,
        upgrade: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> Store:
        """Connect to the state database, and bring its schema to head unless told not to.

        Args:
            url: a SQLAlchemy URL or a plain ``postgresql://`` one; ``None`` reads
                ``SILTA_DATABASE_URL`` (default ``sqlite:///silta.db``).
            secret_key: the Fernet key(s) for credentials; ``None`` reads ``SILTA_SECRET_KEY``,
                and when that is unset too, the key file.
            key_file: ``None`` reads ``SILTA_SECRET_KEY_FILE``; unset, the key file named
                after a SQLite database beside it (``silta.db`` → ``silta.key``), else
                ``silta.key`` in the current directory (:func:`~.secrets.default_key_file`).
                A memory database without a configured key gets a key of its own that no
                file keeps.
            upgrade: run the migrations (``alembic upgrade head``).
            clock: aware "now" (tests).

        Raises:
            StoreError: the URL is not SQLite or PostgreSQL, or the key is malformed.
            StoreUnavailable: the database cannot be reached.
        """
        settings = Settings() if url is None or secret_key is None or key_file is None else None
        if url is None:
            assert settings is not None
            url = settings.database_url
        parsed = normalise_url(url)
        if secret_key is None and settings is not None and settings.secret_key is not None:
            secret_key = settings.secret_key.get_secret_value()
        if key_file is None and settings is not None:
            key_file = settings.secret_key_file
        if secret_key is None and key_file is None and sqlite_memory(parsed):
            # nothing outlives a memory database: neither should its key, nor a key file
            secret_key = Fernet.generate_key().decode("ascii")
        if key_file is None:
            key_file = default_key_file(sqlite_file(parsed))
        store = cls(
            make_engine(parsed),
            url=parsed,
            secret_key=secret_key,
            key_file=key_file,
            clock=clock or _utc_now,
        )
        try:
            if upgrade:
                store.upgrade()
        except BaseException:
            store.close()
            raise
        return store

    def __repr__(self) -> str:
        return f"Store({redacted(self._url)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL without any password."""
        return redacted(self._url)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tools and tests; the API above is the contract)."""
        return self._engine

    @property
    def key_source(self) -> str:
        """Where the credentials' key comes from (``SILTA_SECRET_KEY`` or ``key file …``),
        never the key."""
        return self._keys.source

    def close(self) -> None:
        """Close every pooled connection (on SQLite this also folds the WAL into the file)."""
        self._engine.dispose()

    # -- schema --------------------------------------------------------------------------

    def upgrade(self) -> None:
        """Apply every migration (``alembic upgrade head``); safe to run from many processes."""
        with self._errors():
            migrate.upgrade(self._engine)

    def revision(self) -> str | None:
        """The schema revision the database is at (``None``: never migrated)."""
        with self._errors():
            return migrate.current_revision(self._engine)

    # -- tenants -------------------------------------------------------------------------

    def add_tenant(self, config: TenantConfig, *, changed_by: str) -> Tenant:
        """Store a new tenant, its encrypted credentials, and settings version 1.

        Raises:
            DuplicateTenant: the name is taken.
        """
        name = _bounded(config.name, "a tenant name")
        changed_by = _bounded(changed_by, "changed_by")
        netvisor_secret = self._keys.encrypt(attrs.asdict(config.netvisor.credentials))
        severa_secret = self._keys.encrypt(attrs.asdict(config.severa.credentials))
        now = self._now()
        try:
            with self._writing() as session:
                if session.scalar(select(TenantRow.id).where(TenantRow.name == name)) is not None:
                    raise DuplicateTenant(name)
                row = TenantRow(
                    name=name,
                    netvisor_base_url=config.netvisor.base_url,
                    severa_base_url=config.severa.base_url,
                    netvisor_credentials=netvisor_secret,
                    severa_credentials=severa_secret,
                    paused=False,
                    confirmations_waived=False,
                    settings_version=1,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                session.add_all(
                    [
                        SettingsVersionRow(
                            tenant_id=row.id,
                            version=1,
                            settings=config.settings.as_json(),
                            changes=[],
                            changed_by=changed_by,
                            changed_at=now,
                        ),
                        _event(row.id, TenantEventKind.CREATED, changed_by, now, []),
                    ]
                )
        except IntegrityError:  # another process added the same name in the meantime
            raise DuplicateTenant(name) from None
        return Tenant(
            id=row.id,
            name=name,
            netvisor=config.netvisor,
            severa=config.severa,
            settings=config.settings,
            settings_version=1,
            paused=False,
            created_at=now,
        )

    def tenant(self, name_or_id: str | int) -> Tenant:
        """A tenant by name (``str``) or id (``int``; an all-digit name that matches no tenant
        is also tried as an id, for command lines).

        Raises:
            UnknownTenant: no such tenant (the message lists the known names).
            SecretKeyError: the key does not decrypt its credentials.
        """
        with self._reading() as session:
            if isinstance(name_or_id, int):
                found = self._tenant_data(session, TenantRow.id == name_or_id)
            else:
                found = self._tenant_data(session, TenantRow.name == name_or_id)
                if found is None and name_or_id.isdigit():
                    found = self._tenant_data(session, TenantRow.id == int(name_or_id))
            if found is None:
                raise self._unknown(session, name_or_id)
        return self._tenant_value(found)

    def tenants(self) -> list[Tenant]:
        """Every tenant, by name."""
        with self._reading() as session:
            found = [
                _TenantRowData(row, settings)
                for row, settings in session.execute(_tenant_query().order_by(TenantRow.name))
            ]
        return [self._tenant_value(data) for data in found]

    def schedulable(self) -> list[tuple[int, bool, TenantSettings]]:
        """Every tenant as the scheduler needs it: ``(id, paused, settings)``, by id.

        No credential is decrypted: a dispatcher reads this every few seconds for every
        tenant, and only the run that starts needs the secrets.
        """
        query = select(TenantRow.id, TenantRow.paused, SettingsVersionRow.settings).join(
            SettingsVersionRow,
            (SettingsVersionRow.tenant_id == TenantRow.id)
            & (SettingsVersionRow.version == TenantRow.settings_version),
        )
        with self._reading() as session:
            rows = session.execute(query.order_by(TenantRow.id)).all()
        return [
            (tenant_id, paused, TenantSettings.from_json(settings))
            for tenant_id, paused, settings in rows
        ]

    def tenant_events(self, tenant_id: int) -> list[TenantEvent]:
        """Connection and pause changes of a tenant (and its creation), newest first."""
        with self._reading() as session:
            self._require_tenant(session, tenant_id)
            rows = session.scalars(
                select(TenantEventRow)
                .where(TenantEventRow.tenant_id == tenant_id)
                .order_by(TenantEventRow.changed_at.desc(), TenantEventRow.id.desc())
            ).all()
        return [
            TenantEvent(
                kind=row.kind,
                changed_by=row.changed_by,
                changed_at=row.changed_at,
                changes=tuple(FieldChange(**change) for change in row.changes),
            )
            for row in rows
        ]

    def update_connections(
        self,
        tenant_id: int,
        *,
        netvisor: NetvisorConnection | None = None,
        severa: SeveraConnection | None = None,
        changed_by: str,
    ) -> Tenant:
        """Replace a tenant's Netvisor and/or Severa connection (``None``: keep it).

        The change is recorded as a tenant event: URLs old and new, a credential only as
        "replaced". Nothing is written when nothing changed. Credentials the key cannot read
        any more count as changed, so replacing both is how to recover from a lost key.
        """
        changed_by = _bounded(changed_by, "changed_by")
        netvisor_secret = (
            self._keys.encrypt(attrs.asdict(netvisor.credentials)) if netvisor else None
        )
        severa_secret = self._keys.encrypt(attrs.asdict(severa.credentials)) if severa else None
        now = self._now()
        with self._writing() as session:
            row = self._locked_tenant(session, tenant_id)
            changes: list[FieldChange] = []
            if netvisor is not None and netvisor_secret is not None:
                old = self._readable(row.netvisor_credentials, row.name, NetvisorCredentials)
                changes += _connection_changes(
                    "netvisor", row.netvisor_base_url, netvisor.base_url, old, netvisor.credentials
                )
                row.netvisor_base_url = netvisor.base_url
                if old != netvisor.credentials:
                    row.netvisor_credentials = netvisor_secret
            if severa is not None and severa_secret is not None:
                old_severa = self._readable(row.severa_credentials, row.name, SeveraCredentials)
                changes += _connection_changes(
                    "severa", row.severa_base_url, severa.base_url, old_severa, severa.credentials
                )
                row.severa_base_url = severa.base_url
                if old_severa != severa.credentials:
                    row.severa_credentials = severa_secret
            if changes:
                row.updated_at = now
                session.add(
                    _event(tenant_id, TenantEventKind.CONNECTIONS, changed_by, now, changes)
                )
                _lift_halt(session, tenant_id)  # new credentials deserve a new try
            data = self._tenant_data(session, TenantRow.id == tenant_id)
        assert data is not None
        return self._tenant_value(data)

    def set_paused(self, tenant_id: int, paused: bool, *, changed_by: str) -> Tenant:
        """Pause or resume a tenant's runs, recorded with who and when (no-op if already so)."""
        changed_by = _bounded(changed_by, "changed_by")
        now = self._now()
        with self._writing() as session:
            row = self._locked_tenant(session, tenant_id)
            if row.paused != paused:
                row.paused = paused
                row.updated_at = now
                kind = TenantEventKind.PAUSED if paused else TenantEventKind.RESUMED
                change = FieldChange("paused", _text(not paused), _text(paused))
                session.add(_event(tenant_id, kind, changed_by, now, [change]))
                if not paused:
                    _lift_halt(session, tenant_id)
            data = self._tenant_data(session, TenantRow.id == tenant_id)
        assert data is not None
        return self._tenant_value(data)

    # -- settings ------------------------------------------------------------------------

    def settings(self, tenant_id: int) -> TenantSettings:
        """The tenant's current settings."""
        with self._reading() as session:
            data = self._tenant_data(session, TenantRow.id == tenant_id)
            if data is None:
                raise self._unknown(session, tenant_id)
        return TenantSettings.from_json(data.settings)

    def change_settings(
        self,
        tenant_id: int,
        settings: TenantSettings,
        *,
        changed_by: str,
        hold: bool = False,
    ) -> SettingsVersion:
        """Store ``settings`` as the next version, with the fields it changes.

        When nothing changed, no version is added and the current one is returned.
        ``hold``: a user's change (CLI, settings tab, API): a change of what a register
        writes holds it until confirmed (:mod:`silta.store.holds`), in this transaction.
        """
        changed_by = _bounded(changed_by, "changed_by")
        now = self._now()
        with self._writing() as session:
            tenant = self._locked_tenant(session, tenant_id)
            current = session.get_one(SettingsVersionRow, (tenant_id, tenant.settings_version))
            before = TenantSettings.from_json(current.settings)
            changes = _settings_changes(before, settings)
            if not changes:
                return _settings_version(current)
            row = SettingsVersionRow(
                tenant_id=tenant_id,
                version=tenant.settings_version + 1,
                settings=settings.as_json(),
                changes=[change.as_json() for change in changes],
                changed_by=changed_by,
                changed_at=now,
            )
            session.add(row)
            tenant.settings_version = row.version
            tenant.updated_at = now
            _lift_halt(session, tenant_id)  # the article: retried once the settings change
            if hold:
                update_holds(
                    session,
                    tenant,
                    before,
                    settings,
                    version=row.version,
                    changed_by=changed_by,
                    now=now,
                )
        return _settings_version(row)

    def settings_history(self, tenant_id: int) -> list[SettingsVersion]:
        """Every version of the tenant's settings, newest first."""
        with self._reading() as session:
            self._require_tenant(session, tenant_id)
            rows = session.scalars(
                select(SettingsVersionRow)
                .where(SettingsVersionRow.tenant_id == tenant_id)
                .order_by(SettingsVersionRow.version.desc())
            ).all()
        return [_settings_version(row) for row in rows]

    # -- links ---------------------------------------------------------------------------

    def links(self, tenant_id: int, register: Register) -> list[Link]:
        """The tenant's links in one register, oldest first."""
        with self._reading() as session:
            self._require_tenant(session, tenant_id)
            rows = session.execute(
                select(*_LINK_COLUMNS)
                .where(LinkRow.tenant_id == tenant_id, LinkRow.register == register)
                .order_by(LinkRow.id)
            )
            return [Link(*row) for row in rows]

    def links_of(
        self,
        tenant_id: int,
        register: Register,
        *,
        source_keys: Iterable[str] = (),
        target_keys: Iterable[str] = (),
    ) -> list[Link]:
        """The register's links whose source key or target key is among those given.

        A streamed run asks this for one batch of records at a time instead of holding
        every link of the tenant (``links``) for the whole run.
        """
        sources, targets = sorted(set(source_keys)), sorted(set(target_keys))
        found: dict[tuple[System, str], Link] = {}
        with self._reading() as session:
            self._require_tenant(session, tenant_id)
            for column, keys in ((LinkRow.source_key, sources), (LinkRow.target_key, targets)):
                # Bounded IN lists: SQLite's limit on bound parameters is the lowest.
                for start in range(0, len(keys), _KEYS_PER_QUERY):
                    rows = session.execute(
                        select(*_LINK_COLUMNS).where(
                            LinkRow.tenant_id == tenant_id,
                            LinkRow.register == register,
                            column.in_(keys[start : start + _KEYS_PER_QUERY]),
                        )
                    )
                    for row in rows:
                        link = Link(*row)
                        found[(link.source_system, link.source_key)] = link
        return list(found.values())

    def save_links(self, tenant_id: int, links: Iterable[Link]) -> None:
        """Insert or update links by (register, source system, source key), in one transaction.

        When the same source record appears twice, the last one wins.
        """
        now = self._now()
        latest = {(link.register, link.source_system, link.source_key): link for link in links}
        if not latest:
            return
        rows = [
            {
                "tenant_id": tenant_id,
                "register": link.register,
                "source_system": link.source_system,
                "source_key": link.source_key,
                "target_key": link.target_key,
                "natural_key": link.natural_key,
                "state": link.state,
                "intent": None if link.intent is None else dict(link.intent),
                "created_at": now,
                "updated_at": now,
            }
            for link in latest.values()
        ]
        with self._writing() as session:
            self._require_tenant(session, tenant_id)
            session.execute(
                self._upsert(
                    LinkRow,
                    keys=("tenant_id", "register", "source_system", "source_key"),
                    updates=("target_key", "natural_key", "state", "intent", "updated_at"),
                ),
                rows,
            )

    # -- watermarks ----------------------------------------------------------------------

    def watermark(self, tenant_id: int, register: Register) -> Watermark | None:
        """Where the next incremental run starts; ``None`` means the next run is full."""
        with self._reading() as session:
            self._require_tenant(session, tenant_id)
            row = session.get(WatermarkRow, (tenant_id, register))
            if row is None:
                return None
            return Watermark(row.changed_since, row.state)

    def save_watermark(self, tenant_id: int, register: Register, watermark: Watermark) -> None:
        """Set the register's watermark (the engine does so when a run completes)."""
        row = {
            "tenant_id": tenant_id,
            "register": register,
            "changed_since": watermark.changed_since,
            "state": dict(watermark.state),
            "updated_at": self._now(),
        }
        with self._writing() as session:
            self._require_tenant(session, tenant_id)
            session.execute(
                self._upsert(
                    WatermarkRow,
                    keys=("tenant_id", "register"),
                    updates=("changed_since", "state", "updated_at"),
                ),
                [row],
            )

    def clear_watermark(self, tenant_id: int, register: Register) -> None:
        """Forget the watermark, so the next run is full (e.g. after a direction change)."""
        with self._writing() as session:
            self._require_tenant(session, tenant_id)
            session.execute(
                delete(WatermarkRow).where(
                    WatermarkRow.tenant_id == tenant_id, WatermarkRow.register == register
                )
            )

    # -- runs ----------------------------------------------------------------------------

    def start_run(
        self, tenant_id: int, register: Register, *, kind: RunKind, dry_run: bool, trigger: str
    ) -> int:
        """Record a new RUNNING run, owned by this process (``host:pid``); its id."""
        trigger = _bounded(trigger, "trigger")
        now = self._now()
        with self._writing() as session:
            self._require_tenant(session, tenant_id)
            row = RunRow(
                tenant_id=tenant_id,
                register=register,
                kind=kind,
                dry_run=dry_run,
                trigger=trigger,
                status=RunStatus.RUNNING,
                started_at=now,
                heartbeat_at=now,
                finished_at=None,
                counts={},
                error=None,
                owner=_owner(),
            )
            session.add(row)
            session.flush()
            return row.id

    def heartbeat(self, run_id: int) -> None:
        """Say the run is alive, so no stale-run check gives it up.

        Raises:
            UnknownRun: no such run.
            RunNotRunning: the run has ended, e.g. declared interrupted because no heartbeat
                came for too long; the caller should stop.
        """
        with self._writing() as session:
            done = session.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status == RunStatus.RUNNING)
                .values(heartbeat_at=self._now())
            )
            if not _rowcount(done):
                raise self._not_running(session, run_id)

    def report_progress(self, run_id: int, *, read: int, done: int, written: int) -> bool:
        """Write how far a running run has got (for any process's pages); whether it was.

        It is a sign of life too (the heartbeat moves). Nothing is written for a run that
        has ended: a late report must not outlive the outcome.
        """
        now = self._now()
        progress = RunProgress(read=read, done=done, written=written, at=now)
        with self._writing() as session:
            found = session.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status == RunStatus.RUNNING)
                .values(progress=progress.as_json(), heartbeat_at=now)
            )
            return bool(_rowcount(found))

    def add_entries(self, run_id: int, entries: Iterable[Entry]) -> None:
        """Append record outcomes to a run, in one bulk insert.

        Entries may still be added to a run that has ended: they are history either way.
        """
        entries_list = list(entries)
        rows = [
            {
                "run_id": run_id,
                "register": entry.register,
                "source_key": entry.source_key,
                "natural_key": entry.natural_key,
                "name": entry.name,
                "action": entry.action,
                "status": entry.status,
                "target_key": entry.target_key,
                "changes": [change.as_json() for change in entry.changes],
                "refusals": [refusal.as_json() for refusal in entry.refusals],
                "message": entry.message,
                "details": [detail.as_json() for detail in entry.details] or None,
            }
            for entry in entries_list
        ]
        with self._writing() as session:
            tenant_id = session.scalar(select(RunRow.tenant_id).where(RunRow.id == run_id))
            if tenant_id is None:
                raise UnknownRun(run_id)
            if rows:  # a Core insert of the table: half the time of the ORM's bulk path
                for row in rows:
                    row["tenant_id"] = tenant_id
                session.execute(insert(cast(Table, RunEntryRow.__table__)), rows)
                # the record search's catalogue: one upsert per batch (silta.store.history)
                records = record_rows(tenant_id, entries_list, self._now())
                if records:
                    session.execute(
                        self._upsert(
                            RecordRow,
                            keys=("tenant_id", "register", "source_key", "natural_key"),
                            updates=("name", "search", "last_seen_at"),
                        ),
                        records,
                    )

    def finish_run(
        self,
        run_id: int,
        status: RunStatus,
        *,
        counts: Mapping[str, int],
        error: str | None = None,
        failure_category: str | None = None,
        failure_service: str | None = None,
    ) -> None:
        """End a run with its status, counts and error text (and, when it failed, the
        category and service of :mod:`silta.failures`).

        Raises:
            ValueError: ``status`` is RUNNING.
            UnknownRun: no such run.
            RunNotRunning: the run has ended already (e.g. declared interrupted).
        """
        if status is RunStatus.RUNNING:
            raise ValueError("a run cannot finish as running")
        now = self._now()
        with self._writing() as session:
            done = session.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status == RunStatus.RUNNING)
                .values(
                    status=status,
                    finished_at=now,
                    heartbeat_at=now,
                    counts=dict(counts),
                    error=error,
                    failure_category=failure_category,
                    failure_service=failure_service,
                )
            )
            if not _rowcount(done):
                raise self._not_running(session, run_id)

    def run(self, run_id: int) -> RunRecord:
        """One run.

        Raises:
            UnknownRun: no such run.
        """
        with self._reading() as session:
            found = session.execute(_run_query().where(RunRow.id == run_id)).first()
            if found is None:
                raise UnknownRun(run_id)
            return _run_record(*found)

    def runs(
        self,
        tenant_id: int | None = None,
        *,
        register: Register | None = None,
        limit: int = 50,
    ) -> list[RunRecord]:
        """The newest runs first, of one tenant or all, of one register or all."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        query = _run_query()
        if tenant_id is not None:
            query = query.where(RunRow.tenant_id == tenant_id)
        if register is not None:
            query = query.where(RunRow.register == register)
        query = query.order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(limit)
        with self._reading() as session:
            if tenant_id is not None:
                self._require_tenant(session, tenant_id)
            return [_run_record(*found) for found in session.execute(query)]

    def entries(
        self,
        run_id: int,
        *,
        register: Register | None = None,
        action: Action | None = None,
        status: Status | None = None,
    ) -> list[Entry]:
        """A run's record outcomes in the order they were added, optionally filtered."""
        query = select(
            RunEntryRow.register,
            RunEntryRow.source_key,
            RunEntryRow.natural_key,
            RunEntryRow.name,
            RunEntryRow.action,
            RunEntryRow.status,
            RunEntryRow.target_key,
            RunEntryRow.changes,
            RunEntryRow.refusals,
            RunEntryRow.message,
            RunEntryRow.details,
        ).where(RunEntryRow.run_id == run_id)
        if register is not None:
            query = query.where(RunEntryRow.register == register)
        if action is not None:
            query = query.where(RunEntryRow.action == action)
        if status is not None:
            query = query.where(RunEntryRow.status == status)
        with self._reading() as session:
            self._require_run(session, run_id)
            rows = session.execute(query.order_by(RunEntryRow.id)).all()
        return [
            Entry(
                register=entry_register,
                source_key=source_key,
                natural_key=natural_key,
                name=name,
                action=entry_action,
                status=entry_status,
                target_key=target_key,
                changes=tuple(FieldChange(**change) for change in changes),
                refusals=tuple(Refusal(**refusal) for refusal in refusals),
                message=message,
                details=details_from_json(details),
            )
            for (
                entry_register,
                source_key,
                natural_key,
                name,
                entry_action,
                entry_status,
                target_key,
                changes,
                refusals,
                message,
                details,
            ) in rows
        ]

    def interrupt_stale_runs(self, *, older_than: timedelta = timedelta(minutes=10)) -> list[int]:
        """Mark as INTERRUPTED the RUNNING runs whose process is gone; their ids.

        A run is gone when its owner is a process on this host that no longer exists, or
        when its last heartbeat (or its start) is older than ``older_than``, wherever it
        runs. The error text says which. Call it when a process starts, and periodically.
        """
        now = self._now()
        cutoff = now - older_than
        host = socket.gethostname()
        interrupted: list[int] = []
        with self._writing() as session:
            running = session.execute(
                select(RunRow.id, RunRow.owner, RunRow.heartbeat_at)
                .where(RunRow.status == RunStatus.RUNNING)
                .order_by(RunRow.id)
            )
            for run_id, owner, heartbeat_at in running.all():
                owner_host, _, pid = owner.rpartition(":")
                if owner_host == host and pid.isdigit() and not _pid_alive(int(pid)):
                    reason = f"interrupted: the process that ran it ({owner}) is gone"
                elif heartbeat_at < cutoff:
                    reason = (
                        f"interrupted: no heartbeat from {owner} since "
                        f"{heartbeat_at:%Y-%m-%d %H:%M:%S} UTC (more than {older_than})"
                    )
                else:
                    continue
                done = session.execute(
                    update(RunRow)
                    .where(RunRow.id == run_id, RunRow.status == RunStatus.RUNNING)
                    .values(
                        status=RunStatus.INTERRUPTED,
                        finished_at=now,
                        error=reason,
                        failure_category="interrupted",
                    )
                )
                if _rowcount(done):
                    interrupted.append(run_id)
        return interrupted

    # -- plumbing ------------------------------------------------------------------------

    def _now(self) -> datetime:
        return aware_utc(self._clock())

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._errors(), self._read.begin() as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        with self._errors(), self._write.begin() as session:
            yield session

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Database failures as store errors: unreachable or locked is worth a retry."""
        try:
            yield
        except (OperationalError, DBAPIError) as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            if "no such table" in reason or ("relation" in reason and "does not exist" in reason):
                raise StoreError(
                    f"the database {self.url} has no Silta schema ({reason}); "
                    "run `silta db upgrade`"
                ) from exc
            if isinstance(exc, OperationalError) or exc.connection_invalidated:
                raise StoreUnavailable(f"the database {self.url} is unavailable: {reason}") from exc
            raise

    def _holds_no_credentials(self) -> bool:
        with self._reading() as session:
            return session.scalar(select(TenantRow.id).limit(1)) is None

    def _upsert(self, model: type[Any], *, keys: tuple[str, ...], updates: tuple[str, ...]) -> Any:
        """``INSERT ... ON CONFLICT (keys) DO UPDATE SET updates`` for this backend.

        Built once per shape: building it makes a proxy column per updated name, which
        cost more than the insert itself when a run commits one intent per create.
        """
        shape = (model, keys, updates)
        statement = self._upserts.get(shape)
        if statement is None:
            statement = self._upserts[shape] = self._build_upsert(model, keys, updates)
        return statement

    def _build_upsert(
        self, model: type[Any], keys: tuple[str, ...], updates: tuple[str, ...]
    ) -> Any:
        table = model.__table__
        if self._engine.dialect.name == "postgresql":
            pg_statement = postgresql.insert(table)
            return pg_statement.on_conflict_do_update(
                index_elements=list(keys),
                set_={name: pg_statement.excluded[name] for name in updates},
            )
        sqlite_statement = sqlite.insert(table)
        return sqlite_statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: sqlite_statement.excluded[name] for name in updates},
        )

    def _tenant_data(self, session: Session, condition: Any) -> _TenantRowData | None:
        found = session.execute(_tenant_query().where(condition)).first()
        return None if found is None else _TenantRowData(*found)

    def _tenant_value(self, data: _TenantRowData) -> Tenant:
        row = data.row
        netvisor = self._credentials(row.netvisor_credentials, row.name, NetvisorCredentials)
        severa = self._credentials(row.severa_credentials, row.name, SeveraCredentials)
        return Tenant(
            id=row.id,
            name=row.name,
            netvisor=NetvisorConnection(credentials=netvisor, base_url=row.netvisor_base_url),
            severa=SeveraConnection(credentials=severa, base_url=row.severa_base_url),
            settings=TenantSettings.from_json(data.settings),
            settings_version=row.settings_version,
            paused=row.paused,
            confirmations_waived=row.confirmations_waived,
            created_at=row.created_at,
        )

    def _credentials(self, token: str, tenant: str, kind: type[_C]) -> _C:
        document = self._keys.decrypt(token, tenant=tenant)
        try:
            return kind(**document)
        except (TypeError, ValueError):  # the message could quote a value: do not pass it on
            raise StoreError(
                f"the stored {kind.__name__} of tenant {tenant!r} do not fit this version of "
                "Silta; store them again with update_connections"
            ) from None

    def _readable(self, token: str, tenant: str, kind: type[_C]) -> _C | None:
        """The stored credentials, or ``None`` when they cannot be read (being replaced)."""
        try:
            return self._credentials(token, tenant, kind)
        except StoreError:
            return None

    def _tenant_ref(self, session: Session, name_or_id: str | int) -> tuple[int, str]:
        """A tenant's id and name, found as :meth:`tenant` finds it, without decrypting.

        For callers that only refer to the tenant (memberships): they must work even when
        the key cannot read its credentials.
        """
        query = select(TenantRow.id, TenantRow.name)
        if isinstance(name_or_id, int):
            found = session.execute(query.where(TenantRow.id == name_or_id)).first()
        else:
            found = session.execute(query.where(TenantRow.name == name_or_id)).first()
            if found is None and name_or_id.isdigit():
                found = session.execute(query.where(TenantRow.id == int(name_or_id))).first()
        if found is None:
            raise self._unknown(session, name_or_id)
        return found.id, found.name

    def _require_tenant(self, session: Session, tenant_id: int) -> None:
        # The id alone: loading the ORM row (credentials and all) on every write of a run
        # was a third of what committing an intent cost.
        if session.scalar(select(TenantRow.id).where(TenantRow.id == tenant_id)) is None:
            raise self._unknown(session, tenant_id)

    def _locked_tenant(self, session: Session, tenant_id: int) -> TenantRow:
        row = session.get(TenantRow, tenant_id, with_for_update=True)
        if row is None:
            raise self._unknown(session, tenant_id)
        return row

    def _unknown(self, session: Session, wanted: str | int) -> UnknownTenant:
        names = session.scalars(select(TenantRow.name).order_by(TenantRow.name)).all()
        return UnknownTenant(wanted, names)

    def _require_run(self, session: Session, run_id: int) -> None:
        if session.scalar(select(RunRow.id).where(RunRow.id == run_id)) is None:
            raise UnknownRun(run_id)

    def _not_running(self, session: Session, run_id: int) -> StoreError:
        found = session.execute(
            select(RunRow.status, RunRow.error).where(RunRow.id == run_id)
        ).first()
        if found is None:
            return UnknownRun(run_id)
        return RunNotRunning(run_id, found.status.value, found.error)


def _tenant_query() -> Select[TenantRow, dict[str, Any]]:
    return select(TenantRow, SettingsVersionRow.settings).join(
        SettingsVersionRow,
        (SettingsVersionRow.tenant_id == TenantRow.id)
        & (SettingsVersionRow.version == TenantRow.settings_version),
    )


def _run_query() -> Select[RunRow, str]:
    return select(RunRow, TenantRow.name).join(TenantRow, TenantRow.id == RunRow.tenant_id)


def _run_record(row: RunRow, tenant_name: str) -> RunRecord:
    return RunRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        tenant_name=tenant_name,
        register=row.register,
        kind=row.kind,
        dry_run=row.dry_run,
        trigger=row.trigger,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        counts=row.counts,
        error=row.error,
        owner=row.owner,
        heartbeat_at=row.heartbeat_at,
        failure_category=row.failure_category,
        failure_service=row.failure_service,
        progress=RunProgress.from_json(row.progress),
    )


def _settings_version(row: SettingsVersionRow) -> SettingsVersion:
    return SettingsVersion(
        version=row.version,
        settings=TenantSettings.from_json(row.settings),
        changed_by=row.changed_by,
        changed_at=row.changed_at,
        changes=tuple(FieldChange(**change) for change in row.changes),
    )


def _event(
    tenant_id: int,
    kind: TenantEventKind,
    changed_by: str,
    when: datetime,
    changes: list[FieldChange],
) -> TenantEventRow:
    return TenantEventRow(
        tenant_id=tenant_id,
        kind=kind,
        changes=[change.as_json() for change in changes],
        changed_by=changed_by,
        changed_at=when,
    )


def _connection_changes(
    system: str, old_url: str, new_url: str, old: object | None, new: object
) -> list[FieldChange]:
    changes = []
    if old_url != new_url:
        changes.append(FieldChange(f"{system}.base_url", old_url, new_url))
    if old != new:
        changes.append(FieldChange(f"{system}.credentials", _HIDDEN, _REPLACED))
    return changes


def _lift_halt(session: Session, tenant_id: int) -> None:
    """The scheduler may try the tenant again (its settings, connections or pause changed)."""
    session.execute(delete(TenantHaltRow).where(TenantHaltRow.tenant_id == tenant_id))


def _rowcount(result: Any) -> int:
    """Rows an UPDATE matched (``Session.execute`` is typed as returning any ``Result``)."""
    return cast(CursorResult[Any], result).rowcount
