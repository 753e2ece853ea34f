"""The values the store hands out and takes in: frozen, typed, every time aware UTC.

They carry no database objects, so a caller can keep them after the session that read them
is gone, compare them, and pass them between threads. Mappings are read-only views, so a
frozen value stays frozen.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import attrs

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

__all__ = [
    "ApiToken",
    "Entry",
    "Hold",
    "Link",
    "LinkState",
    "Membership",
    "Role",
    "RunProgress",
    "RunRecord",
    "SettingsVersion",
    "Slot",
    "SlotState",
    "TenantEvent",
    "TenantEventKind",
    "TenantLock",
    "TokenScope",
    "User",
    "Watermark",
    "WebSession",
    "aware_utc",
]


def aware_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused, because its zone would be a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"a naive datetime ({value.isoformat()}) has no time zone; use UTC")
    return value.astimezone(UTC)


def _optional_aware_utc(value: datetime | None) -> datetime | None:
    return None if value is None else aware_utc(value)


def _read_only(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _counts(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


def _changes(value: Iterable[FieldChange]) -> tuple[FieldChange, ...]:
    return tuple(value)


def _refusals(value: Iterable[Refusal]) -> tuple[Refusal, ...]:
    return tuple(value)


@attrs.frozen
class Detail:
    """One display fact of a record's outcome that is neither its key nor its name: an
    invoice's total, a fee's project, a travel report's person (revision 0011).

    ``key`` names the fact (the web app's label is the catalog's ``detail.<key>``); ``value``
    is text as the register wrote it (amounts as plain decimals with a point, so any
    language can format them), never a foreign service's raw body.
    """

    key: str
    value: str

    def as_json(self) -> dict[str, str]:
        return {"key": self.key, "value": self.value}


def _details(value: Iterable[Detail]) -> tuple[Detail, ...]:
    return tuple(value)


def details_from_json(value: Iterable[Mapping[str, Any]] | None) -> tuple[Detail, ...]:
    """The details a row stored; ``None`` (an entry from before 0011) has none."""
    return tuple(Detail(key=str(d["key"]), value=str(d["value"])) for d in value or ())


class LinkState(enum.StrEnum):
    """A link is written as ``PENDING`` before the create is sent, ``LINKED`` after.

    A pending link that survives a crash tells the next run to look the record up by its
    natural key before creating it again: the create may have happened. Its ``intent`` says
    what that create carried, so that the record found is taken for the create's only when
    it carries that too.
    """

    PENDING = "pending"
    LINKED = "linked"


@attrs.frozen
class Link:
    """One source record and the target record it was written to, within one register.

    ``intent``, on a pending link: what the create sent that tells its record from another
    one with the same natural key (the register's own choice: for a Severa → Netvisor
    customer, its business ID and name). ``None`` once linked, and on an intent recorded
    before revision 0007.
    """

    register: Register
    source_system: System
    source_key: str
    target_key: str | None
    natural_key: str | None
    state: LinkState
    intent: Mapping[str, Any] | None = attrs.field(
        default=None, converter=attrs.converters.optional(_read_only), hash=False
    )


@attrs.frozen
class Watermark:
    """Where the next incremental run of a register starts reading.

    ``state`` is the engine's own JSON (e.g. record counts of the last full run).
    """

    changed_since: datetime = attrs.field(converter=aware_utc)
    state: Mapping[str, Any] = attrs.field(factory=dict, converter=_read_only)


@attrs.frozen
class Entry:
    """One record's outcome in one run: what the accountant reads in the run history."""

    register: Register
    source_key: str | None
    natural_key: str | None
    name: str | None
    action: Action
    status: Status
    target_key: str | None = None
    changes: tuple[FieldChange, ...] = attrs.field(default=(), converter=_changes)
    refusals: tuple[Refusal, ...] = attrs.field(default=(), converter=_refusals)
    message: str | None = None
    details: tuple[Detail, ...] = attrs.field(default=(), converter=_details)


@attrs.frozen
class RunProgress:
    """How far a running run has got, as its process last wrote it (about once a second).

    ``read``: records read from the source and planned so far (a batched run reads on as it
    goes, so this grows); ``done``: records with an outcome; ``written``: records written
    to the target (created, updated, renamed).
    """

    read: int
    done: int
    written: int
    at: datetime = attrs.field(converter=aware_utc)

    def as_json(self) -> dict[str, Any]:
        return {"read": self.read, "done": self.done, "written": self.written,
                "at": self.at.isoformat()}  # fmt: skip

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> RunProgress | None:
        """The stored form back; ``None`` for none, or for a form this version cannot read
        (progress is a hint: a page must never fail on it)."""
        if not value:
            return None
        try:
            return cls(
                read=int(value["read"]),
                done=int(value["done"]),
                written=int(value["written"]),
                at=datetime.fromisoformat(str(value["at"])),
            )
        except (KeyError, TypeError, ValueError):
            return None


@attrs.frozen
class RunRecord:
    """One run of one register for one tenant, as recorded.

    ``owner`` is ``host:pid`` of the process that ran it; ``heartbeat_at`` is the last sign
    of life (``started_at`` until the first heartbeat); ``progress`` how far it had got when
    its process last said (``None`` before the first report).
    """

    id: int
    tenant_id: int
    tenant_name: str
    register: Register
    kind: RunKind
    dry_run: bool
    trigger: str
    status: RunStatus
    started_at: datetime = attrs.field(converter=aware_utc)
    finished_at: datetime | None = attrs.field(converter=_optional_aware_utc)
    counts: Mapping[str, int] = attrs.field(converter=_counts)
    error: str | None
    owner: str
    heartbeat_at: datetime | None = attrs.field(default=None, converter=_optional_aware_utc)
    # why a failed run failed (silta.failures: describe() renders it) and the service it
    # concerns; None for runs that did not fail, and for failed runs before revision 0009
    failure_category: str | None = None
    failure_service: str | None = None
    progress: RunProgress | None = None


@attrs.frozen
class SettingsVersion:
    """One version of a tenant's settings: who made it, when, and what it changed.

    ``changes`` compare with the previous version, values as text; version 1 has none.
    """

    version: int
    settings: TenantSettings
    changed_by: str
    changed_at: datetime = attrs.field(converter=aware_utc)
    changes: tuple[FieldChange, ...] = attrs.field(default=(), converter=_changes)


class TenantEventKind(enum.StrEnum):
    """What happened to a tenant other than a settings change."""

    CREATED = "created"
    CONNECTIONS = "connections"
    PAUSED = "paused"
    RESUMED = "resumed"
    CONFIRMED = "confirmed"  # a KH confirmed a held register's preview
    CONFIRMATIONS_WAIVED = "confirmations_waived"  # by the operator
    CONFIRMATIONS_REQUIRED = "confirmations_required"


@attrs.frozen
class Hold:
    """A register held until a KH confirms a preview made after ``since``.

    ``changes``: the settings that changed what it writes, each from its last confirmed
    value to the current one (values as text).
    """

    tenant_id: int
    register: Register
    since: datetime = attrs.field(converter=aware_utc)
    settings_version: int
    changes: tuple[FieldChange, ...] = attrs.field(converter=_changes)
    changed_by: str


@attrs.frozen
class TenantEvent:
    """A change to a tenant's connections or pause, with who and when.

    A credential change shows only that the credential was replaced: neither the old nor the
    new value, and not even its ids, ever reach this record.
    """

    kind: TenantEventKind
    changed_by: str
    changed_at: datetime = attrs.field(converter=aware_utc)
    changes: tuple[FieldChange, ...] = attrs.field(default=(), converter=_changes)


# -- accounts (silta.store.accounts): who may sign in to the web app, and to which tenants --


class Role(enum.StrEnum):
    """What a user may do with one tenant.

    ``KH`` (kirjanpitäjä, the accountant) runs and changes; ``VIEWER`` only reads. Being an
    operator is not a role: it is a flag on the user, and what it allows is the web app's
    policy.
    """

    KH = "kh"
    VIEWER = "viewer"


@attrs.frozen
class User:
    """Someone who may sign in. It holds no secret: its repr is safe to log."""

    id: int
    email: str
    operator: bool
    created_at: datetime = attrs.field(converter=aware_utc)


@attrs.frozen
class Membership:
    """A user's role with one tenant, with the names a page shows."""

    user_id: int
    email: str
    tenant_id: int
    tenant_name: str
    role: Role


@attrs.frozen
class WebSession:
    """A signed-in browser: its user as stored now, and the token its forms must echo.

    The session token itself is never kept, only its SHA-256, so it is not here; the CSRF
    token stays out of the repr, as a log line is no place for it.
    """

    user: User
    csrf_token: str = attrs.field(repr=False)
    created_at: datetime = attrs.field(converter=aware_utc)
    expires_at: datetime = attrs.field(converter=aware_utc)


class TokenScope(enum.StrEnum):
    """What an API token may do, whatever its user may: ``READ`` never changes anything."""

    READ = "read"
    WRITE = "write"


@attrs.frozen(kw_only=True)
class ApiToken:
    """An API token as listed: its name, reach and use, never the token (only its hash is
    kept). ``tenant_id`` ``None``: every tenant its user may reach; else that one only."""

    id: int
    user_id: int
    email: str
    name: str
    scope: TokenScope
    tenant_id: int | None = None
    tenant_name: str | None = None
    created_at: datetime = attrs.field(converter=aware_utc)
    expires_at: datetime = attrs.field(converter=aware_utc)
    last_used_at: datetime | None = attrs.field(default=None, converter=_optional_aware_utc)

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now


class SlotState(enum.StrEnum):
    """Where a scheduled run is: claimed and waiting, running, or ended one way or another.

    ``QUEUED`` and ``RUNNING`` are open: a slot left open by a process that is gone is run
    again (never lost); the ended states are never run again (never doubled).
    """

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # the run completed (refusals included)
    FAILED = "failed"  # the run failed; the next slot tries again
    SKIPPED = "skipped"  # not run: paused, halted, switched off, or its predecessor waiting

    @property
    def open(self) -> bool:
        return self in (SlotState.QUEUED, SlotState.RUNNING)


@attrs.frozen
class Slot:
    """One scheduled run of one register of one tenant, due at ``due_at``."""

    id: int
    tenant_id: int
    register: Register
    due_at: datetime = attrs.field(converter=aware_utc)
    full: bool
    state: SlotState
    owner: str
    attempts: int
    claimed_at: datetime = attrs.field(converter=aware_utc)
    heartbeat_at: datetime = attrs.field(converter=aware_utc)
    started_at: datetime | None = attrs.field(default=None, converter=_optional_aware_utc)
    finished_at: datetime | None = attrs.field(default=None, converter=_optional_aware_utc)
    run_id: int | None = None
    note: str | None = None


@attrs.frozen
class TenantLock:
    """Who runs a tenant now, since when, and for what (a trigger such as ``schedule``)."""

    tenant_id: int
    owner: str
    purpose: str
    acquired_at: datetime = attrs.field(converter=aware_utc)
    heartbeat_at: datetime = attrs.field(converter=aware_utc)
