"""The tables, as SQLAlchemy typed declarative models.

These describe the schema the code expects; the schema itself is made only by the Alembic
migrations in :mod:`silta.store.migrations`, and ``tests/store/test_migrations.py`` fails when
the two disagree. Names of constraints and indexes follow one convention, so a later
migration can name what it alters on both backends.

Every tenant-owned row goes with its tenant (``ON DELETE CASCADE``), and run entries with
their run; a user's memberships, web sessions and API tokens go with the user, and a
membership with its tenant too. JSON columns use the portable :class:`sqlalchemy.JSON` type.

Secrets of the web app are never stored as such: a password as its argon2 hash, a session
or API token as its SHA-256 (a token is 256 random bits, so a fast hash suffices).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from silta.domain import Action, Register, RunKind, RunStatus, Status, System
from silta.store.records import LinkState, Role, SlotState, TenantEventKind, TokenScope
from silta.store.types import TextEnum, UTCDateTime

__all__ = [
    "ApiTokenRow",
    "Base",
    "HoldRow",
    "HousekeepingRow",
    "InvitationRow",
    "LinkRow",
    "LoginFailureRow",
    "MembershipRow",
    "NotificationDigestRow",
    "NotificationEventRow",
    "NotificationRefusalRow",
    "NotificationSettingsRow",
    "RecordRow",
    "RunEntryRow",
    "RunRow",
    "ScheduleSlotRow",
    "SettingsVersionRow",
    "TenantEventRow",
    "TenantHaltRow",
    "TenantLockRow",
    "TenantRow",
    "UserRow",
    "WatermarkRow",
    "WebSessionRow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_NAME = 200  # tenant names, user names, keys: generous, but bounded
_URL = 500
_EMAIL = 254  # the longest address SMTP can carry (RFC 5321)
_SHA256 = 64  # hex digits of a SHA-256


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _tenant_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)


class TenantRow(Base):
    """A company. Credentials are Fernet ciphertext (:mod:`silta.store.secrets`).

    ``settings_version`` points at the current row of ``settings_versions``, so reading a
    tenant with its settings is one join, and changing settings locks this row.
    """

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(_NAME), unique=True)
    netvisor_base_url: Mapped[str] = mapped_column(String(_URL))
    severa_base_url: Mapped[str] = mapped_column(String(_URL))
    netvisor_credentials: Mapped[str] = mapped_column(Text)
    severa_credentials: Mapped[str] = mapped_column(Text)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # the operator waived "confirm a direction change before it writes" for this company
    confirmations_waived: Mapped[bool] = mapped_column(Boolean, default=False)
    settings_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SettingsVersionRow(Base):
    """Every version of a tenant's settings; ``changes`` is the diff with the previous one."""

    __tablename__ = "settings_versions"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(_NAME))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TenantEventRow(Base):
    """Connection and pause changes: who, when, what (a credential only as "replaced")."""

    __tablename__ = "tenant_events"
    __table_args__ = (Index(None, "tenant_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    kind: Mapped[TenantEventKind] = mapped_column(TextEnum(TenantEventKind))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(_NAME))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LinkRow(Base):
    """A source record and the target record it was written to."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("tenant_id", "register", "source_system", "source_key"),
        Index(None, "tenant_id", "register", "natural_key"),
        Index(None, "tenant_id", "register", "target_key"),  # who owns a target record
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    register: Mapped[Register] = mapped_column(TextEnum(Register))
    source_system: Mapped[System] = mapped_column(TextEnum(System))
    source_key: Mapped[str] = mapped_column(String(_NAME))
    target_key: Mapped[str | None] = mapped_column(String(_NAME))
    natural_key: Mapped[str | None] = mapped_column(String(_NAME))
    state: Mapped[LinkState] = mapped_column(TextEnum(LinkState))
    # What a pending create sent that tells its record from another with the same natural
    # key (revision 0007); cleared when the link is confirmed.
    intent: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WatermarkRow(Base):
    """Where the next incremental run of a register starts."""

    __tablename__ = "watermarks"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    register: Mapped[Register] = mapped_column(TextEnum(Register), primary_key=True)
    changed_since: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RunRow(Base):
    """One run; ``owner`` is ``host:pid``, ``heartbeat_at`` its last sign of life.

    The history pages a tenant's runs newest first by ``(started_at, id)`` (a keyset, so a
    page deep in 13 months of history costs what the first one does); filtered by register
    or status, an index of its own keeps that walk from reading the other runs (0010).
    """

    __tablename__ = "runs"
    __table_args__ = (
        Index(None, "tenant_id", "started_at", "id"),
        Index(None, "tenant_id", "register", "started_at", "id"),
        Index(None, "tenant_id", "status", "started_at", "id"),
        Index(None, "started_at"),
        Index(None, "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    register: Mapped[Register] = mapped_column(TextEnum(Register))
    kind: Mapped[RunKind] = mapped_column(TextEnum(RunKind))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    trigger: Mapped[str] = mapped_column(String(_NAME))
    status: Mapped[RunStatus] = mapped_column(TextEnum(RunStatus))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(_NAME))
    # Why a failed run failed, as a category (silta.failures) and the service it concerns
    # (revision 0009): what the fleet view and the notifications say before the detail.
    failure_category: Mapped[str | None] = mapped_column(String(40))
    failure_service: Mapped[str | None] = mapped_column(String(20))
    # How far a running run has got ({"read", "done", "written"}), written at most about
    # once a second while it runs, so any process can show its progress (0010).
    progress: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))


class RunEntryRow(Base):
    """One record's outcome in a run; read back in ``id`` order, the order of insertion.

    Every index ends in ``id``: a run's records are paged by id (a keyset) with or without a
    status or action filter. ``tenant_id`` (the run's, 0010) lets one record's timeline be
    read across runs by its keys without visiting other companies' entries.
    """

    __tablename__ = "run_entries"
    __table_args__ = (
        Index(None, "run_id", "id"),
        Index(None, "run_id", "status", "id"),
        Index(None, "run_id", "action", "id"),
        Index(None, "tenant_id", "register", "natural_key", "id"),
        Index(None, "tenant_id", "register", "source_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = mapped_column(Integer)
    register: Mapped[Register] = mapped_column(TextEnum(Register))
    source_key: Mapped[str | None] = mapped_column(String(_NAME))
    natural_key: Mapped[str | None] = mapped_column(String(_NAME))
    name: Mapped[str | None] = mapped_column(Text)
    action: Mapped[Action] = mapped_column(TextEnum(Action))
    status: Mapped[Status] = mapped_column(TextEnum(Status))
    target_key: Mapped[str | None] = mapped_column(String(_NAME))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    refusals: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    message: Mapped[str | None] = mapped_column(Text)
    # display facts beyond key and name (an invoice's total …), 0011; None before it
    details: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, nullable=True)


class RecordRow(Base):
    """One record a tenant's runs have met, by register and keys: what the record search
    reads (0010).

    Kept up to date by every batch of entries (:meth:`Store.add_entries`): the newest name,
    and ``search``, the keys and name case-folded, matched by substring. Searching the
    entries themselves would read every outcome of every nightly run (millions a year for
    a large company); this holds one row per record. A key that is not known is ``""``,
    not NULL, so the unique key holds for it.
    """

    __tablename__ = "records"
    # No index on the times: a search reads the company's rows anyway (a substring has no
    # index), and with none, refreshing ``last_seen_at`` is a cheap in-place update on
    # PostgreSQL for the thousands of records every nightly full run meets again.
    __table_args__ = (UniqueConstraint("tenant_id", "register", "source_key", "natural_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    register: Mapped[Register] = mapped_column(TextEnum(Register))
    source_key: Mapped[str] = mapped_column(String(_NAME))
    natural_key: Mapped[str] = mapped_column(String(_NAME))
    name: Mapped[str | None] = mapped_column(Text)
    search: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _user_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)


class UserRow(Base):
    """Someone who may sign in to the web app. ``email`` is stored lower-cased.

    Failed sign-ins are counted in ``login_failures`` by email, not here, because unknown
    emails are counted too (see :class:`LoginFailureRow`).
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(_EMAIL), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)  # argon2 "$argon2id$..." text
    operator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MembershipRow(Base):
    """A user's role with one tenant: one row per pair."""

    __tablename__ = "memberships"
    # the key serves lookups by user; a tenant's members (and its cascade) need their own
    __table_args__ = (Index(None, "tenant_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(TextEnum(Role))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSessionRow(Base):
    """A signed-in browser. ``id`` is the SHA-256 hex of the session cookie's token.

    Whoever reads this table still cannot sign in as anyone: the token is not here.
    """

    __tablename__ = "web_sessions"
    # by user: to sign one out everywhere; by expiry: to sweep the sessions nobody closed
    __table_args__ = (Index(None, "user_id"), Index(None, "expires_at"))

    id: Mapped[str] = mapped_column(String(_SHA256), primary_key=True)
    user_id: Mapped[int] = _user_fk()
    csrf_token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiTokenRow(Base):
    """A token for the HTTP API, kept as its SHA-256 hex; the token is shown once, at birth.

    It reads only or also writes (``scope``), ends at ``expires_at``, and reaches one tenant
    (``tenant_id``, going with it) or, when null, every tenant its user may reach.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (Index(None, "user_id"), Index(None, "tenant_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = _user_fk()
    name: Mapped[str] = mapped_column(String(_NAME))
    token_hash: Mapped[str] = mapped_column(String(_SHA256), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scope: Mapped[TokenScope] = mapped_column(TextEnum(TokenScope))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))


class LoginFailureRow(Base):
    """Consecutive failed sign-ins per (lower-cased) email, the one place they are counted.

    Keyed by email rather than by user, and kept for emails no user has, so that being
    throttled says nothing about whether an account exists. A success deletes the row.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index(None, "last_failed_at"),)  # to sweep the stale ones

    email: Mapped[str] = mapped_column(String(_EMAIL), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScheduleSlotRow(Base):
    """A scheduled run a dispatcher claimed: the unique key makes it run at most once.

    ``owner`` is whoever holds it now (``host:pid:nonce`` of the process running it, or the
    queue it waits in); ``heartbeat_at`` its last sign of life; ``run_id`` the latest run
    made for it.
    """

    __tablename__ = "schedule_slots"
    __table_args__ = (
        UniqueConstraint("tenant_id", "register", "due_at"),
        Index(None, "state"),
        Index(None, "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    register: Mapped[Register] = mapped_column(TextEnum(Register))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    full: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[SlotState] = mapped_column(TextEnum(SlotState))
    owner: Mapped[str] = mapped_column(String(_NAME))
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class TenantLockRow(Base):
    """Who runs the tenant now: at most one process at a time, whatever started the run."""

    __tablename__ = "tenant_locks"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    owner: Mapped[str] = mapped_column(String(_NAME))
    purpose: Mapped[str] = mapped_column(String(_NAME))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TenantHaltRow(Base):
    """The scheduler leaves this tenant alone until its settings or connections change."""

    __tablename__ = "tenant_halts"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(UTCDateTime)


class HoldRow(Base):
    """A register whose settings changed what it writes: the scheduler leaves it alone until
    a KH admin confirms a preview made after ``since`` (:mod:`silta.confirmation`).

    ``changes`` are the settings named, each from its last confirmed value to the current
    one; ``settings_version`` the version that made (or last changed) the hold.
    """

    __tablename__ = "register_holds"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    register: Mapped[Register] = mapped_column(TextEnum(Register), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    settings_version: Mapped[int] = mapped_column(Integer)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(_NAME))


# -- notifications (revision 0009, silta.notify) ---------------------------------------------


class NotificationSettingsRow(Base):
    """Who a company's KH wants told of what, how often, and where the webhook goes.

    ``seen_run_id`` is the notifier's cursor: the tenant's runs up to it have been looked
    at (a tenant's runs end in id order: one run per tenant at a time). ``webhook_secret``
    is Fernet ciphertext, like the credentials.
    """

    __tablename__ = "notification_settings"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    events: Mapped[list[str]] = mapped_column(JSON)
    period_minutes: Mapped[int] = mapped_column(Integer)
    webhook_url: Mapped[str | None] = mapped_column(String(_URL))
    webhook_secret: Mapped[str | None] = mapped_column(Text)
    seen_run_id: Mapped[int] = mapped_column(Integer)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(_NAME))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationEventRow(Base):
    """Something to tell: a failed run, refused credentials, a new refusal. Waits for its
    digest (``digest_id`` null) and then belongs to it."""

    __tablename__ = "notification_events"
    __table_args__ = (Index(None, "tenant_id", "digest_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    kind: Mapped[str] = mapped_column(String(40))
    register: Mapped[Register | None] = mapped_column(TextEnum(Register))
    run_id: Mapped[int | None] = mapped_column(Integer)  # no key: retention prunes runs
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    digest_id: Mapped[int | None] = mapped_column(Integer)


class NotificationDigestRow(Base):
    """One message per period: what it says (``payload``, made once, so a retry sends the
    same) and what is still to deliver (recipients not yet reached, the webhook)."""

    __tablename__ = "notification_digests"
    __table_args__ = (Index(None, "state", "next_attempt_at"), Index(None, "tenant_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    pending_emails: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pending_webhook: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationRefusalRow(Base):
    """A refusal already reported (register + record + rule): the next run's same refusal is
    not news. Deleted when the record is seen without it, so one that comes back is."""

    __tablename__ = "notification_refusals"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    register: Mapped[Register] = mapped_column(TextEnum(Register), primary_key=True)
    record_key: Mapped[str] = mapped_column(String(_NAME), primary_key=True)
    rule: Mapped[str] = mapped_column(String(_NAME), primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HousekeepingRow(Base):
    """When a periodic chore (the nightly retention prune) last ran, so that of many
    processes one does it once (revision 0009)."""

    __tablename__ = "housekeeping"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner: Mapped[str] = mapped_column(String(_NAME))


class InvitationRow(Base):
    """A KH's invitation of someone to one tenant with a role, kept as the SHA-256 hex of its
    one-time link's token (256 random bits, shown or mailed once). Accepting it deletes it,
    so it opens the door once; past ``expires_at`` it opens nothing. Revision 0013.
    """

    __tablename__ = "invitations"
    # by tenant: the KH's list (and the cascade); by email: a new invitation replaces one
    __table_args__ = (Index(None, "tenant_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = _tenant_fk()
    email: Mapped[str] = mapped_column(String(_EMAIL))
    role: Mapped[Role] = mapped_column(TextEnum(Role))
    token_hash: Mapped[str] = mapped_column(String(_SHA256), unique=True)
    invited_by: Mapped[str] = mapped_column(String(_EMAIL))  # who asked (kept if they go)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
