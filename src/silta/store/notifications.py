"""The state of notifications: what each company asked for, what waits to be told, the
digests made and still to deliver, and the refusals already reported (revision 0009).

**Events come from finished runs, read after the fact** (:meth:`Notifications.notice`):
the notifier reads each company's runs past its cursor (``seen_run_id``), in id order, up
to the first one still running. A company's runs end in id order (one run per company at
a time, whatever started it), so nothing is skipped and a sync never waits for a
notification. A cursor starts at the company's newest run when notifications are first
saved: what happened before is not news.

**Each refusal is reported once**, keyed by register + record + rule
(``notification_refusals``). A run that read a record and refused it by a rule not yet
reported makes an event and remembers it; a run that read the record without that refusal
forgets it, so a refusal that disappears and comes back is new again. A *completed full*
run read every record, so a reported refusal of a record it did not see is forgotten too.
An incremental run reads only changed records: one it did not see says nothing.

**One digest per period** (:meth:`make_digest`): pending events are gathered into a digest
at most once per ``period_minutes``, in the same transaction that marks them taken, so two
notifiers cannot both send them. A digest keeps its payload and what is left to deliver
(recipients not yet reached, the webhook), so a retry never sends twice to one recipient.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from silta.domain import Register, RunKind, RunStatus, Status
from silta.store.models import (
    NotificationDigestRow,
    NotificationEventRow,
    NotificationRefusalRow,
    NotificationSettingsRow,
    RunEntryRow,
    RunRow,
    TenantRow,
)

if TYPE_CHECKING:
    from silta.notify.settings import NotificationSettings
    from silta.store.store import Store

__all__ = [
    "Delivery",
    "Digest",
    "EventKind",
    "Notifications",
    "StoredNotifications",
    "refusal_changes",
]


class EventKind:
    RUN_FAILED = "run_failed"
    CREDENTIALS_REJECTED = "credentials_rejected"
    NEW_REFUSAL = "new_refusal"


# which setting asks for which kind of event
_ASKED_BY = {
    EventKind.RUN_FAILED: "run_failed",
    EventKind.CREDENTIALS_REJECTED: "credentials_rejected",
    EventKind.NEW_REFUSAL: "new_refusals",
}
CLAIM = timedelta(minutes=5)  # a delivery not finished in this long may be taken over


@attrs.frozen
class StoredNotifications:
    settings: NotificationSettings
    has_secret: bool
    updated_by: str
    updated_at: datetime
    last_digest_at: datetime | None


@attrs.frozen
class Digest:
    id: int
    tenant_id: int
    created_at: datetime
    payload: dict[str, Any]
    pending_emails: tuple[dict[str, str], ...]
    pending_webhook: bool
    attempts: int


@attrs.frozen
class Delivery:
    """A digest as the settings page lists it."""

    id: int
    created_at: datetime
    events: int
    state: str  # pending, sent, failed
    attempts: int
    sent_at: datetime | None
    last_error: str | None


def record_key(source_key: str | None, natural_key: str | None, name: str | None) -> str | None:
    """Which record an entry is about: its source key, else its natural key, else its name."""
    key = source_key or natural_key or name
    return key[:200] if key else None


def refusal_changes(
    reported: set[tuple[str, str]],
    seen: Iterable[tuple[str, frozenset[str]]],
    *,
    complete: bool,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """What a run says about reported refusals: (new ones to report, ones to forget).

    ``reported``: (record, rule) already told; ``seen``: each record the run read, with the
    rules it was refused by (empty: not refused); ``complete``: the run read every record
    (a completed full run), so a record it did not read is gone.
    """
    new: list[tuple[str, str]] = []
    gone: list[tuple[str, str]] = []
    read: set[str] = set()
    by_record: dict[str, set[str]] = {}
    for record, rule in reported:
        by_record.setdefault(record, set()).add(rule)
    for record, rules in seen:
        read.add(record)
        before = by_record.get(record, set())
        new.extend((record, rule) for rule in sorted(rules - before))
        gone.extend((record, rule) for rule in sorted(before - rules))
        by_record[record] = set(rules)
    if complete:
        gone.extend((record, rule) for record, rule in sorted(reported) if record not in read)
    return new, gone


class Notifications:
    """Notification settings and their bookkeeping, over the store's database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- settings ------------------------------------------------------------------------

    def get(self, tenant_id: int) -> StoredNotifications | None:
        from silta.notify.settings import NotificationSettings

        with self._store._reading() as session:
            row = session.get(NotificationSettingsRow, tenant_id)
            if row is None:
                return None
            return StoredNotifications(
                settings=NotificationSettings.from_json(
                    {
                        "recipients": row.recipients,
                        "events": row.events,
                        "period_minutes": row.period_minutes,
                        "webhook_url": row.webhook_url,
                    }
                ),
                has_secret=row.webhook_secret is not None,
                updated_by=row.updated_by,
                updated_at=row.updated_at,
                last_digest_at=row.last_digest_at,
            )

    def save(self, tenant_id: int, settings: NotificationSettings, *, by: str) -> None:
        """Store the company's settings; the first save starts the cursor at its newest run."""
        now = self._store._now()
        with self._store._writing() as session:
            self._store._require_tenant(session, tenant_id)
            row = self._locked(session, tenant_id)
            if row is None:
                newest = session.scalar(
                    select(func.max(RunRow.id)).where(RunRow.tenant_id == tenant_id)
                )
                row = NotificationSettingsRow(
                    tenant_id=tenant_id, seen_run_id=newest or 0, webhook_secret=None
                )
                session.add(row)
            row.recipients = [recipient.as_json() for recipient in settings.recipients]
            row.events = sorted(settings.events)
            row.period_minutes = settings.period_minutes
            row.webhook_url = settings.webhook_url
            row.updated_by = by[:200]
            row.updated_at = now

    def new_secret(self, tenant_id: int, *, by: str) -> str:
        """A new webhook signing secret for the company (the old one stops at once); the
        secret, to show once. Stored as Fernet ciphertext, like the credentials."""
        from silta.notify.settings import NotificationSettings

        secret = "whsec_" + secrets.token_urlsafe(32)
        ciphertext = self._store._keys.encrypt({"webhook_secret": secret})
        if self.get(tenant_id) is None:
            self.save(tenant_id, NotificationSettings(), by=by)
        with self._store._writing() as session:
            session.execute(
                update(NotificationSettingsRow)
                .where(NotificationSettingsRow.tenant_id == tenant_id)
                .values(
                    webhook_secret=ciphertext, updated_by=by[:200], updated_at=self._store._now()
                )
            )
        return secret

    def secret(self, tenant_id: int) -> str | None:
        with self._store._reading() as session:
            row = session.get(NotificationSettingsRow, tenant_id)
            token = row.webhook_secret if row is not None else None
            name = session.scalar(select(TenantRow.name).where(TenantRow.id == tenant_id))
        if token is None:
            return None
        value = self._store._keys.decrypt(token, tenant=name or str(tenant_id))["webhook_secret"]
        return str(value)

    def tenants(self) -> list[int]:
        """The companies whose settings ask for anything."""
        with self._store._reading() as session:
            rows = session.execute(
                select(NotificationSettingsRow.tenant_id, NotificationSettingsRow.events)
            ).all()
        return [tenant_id for tenant_id, events in rows if events]

    # -- events from runs ----------------------------------------------------------------

    def notice(self, tenant_id: int, *, limit: int = 50) -> int:
        """Read the company's finished runs past its cursor into events; how many runs.

        One transaction per run, with the settings row locked, so two notifiers never read
        one run twice.
        """
        done = 0
        while done < limit:
            with self._store._writing() as session:
                row = self._locked(session, tenant_id)
                if row is None:
                    return done
                run = session.scalars(
                    select(RunRow)
                    .where(RunRow.tenant_id == tenant_id, RunRow.id > row.seen_run_id)
                    .order_by(RunRow.id)
                    .limit(1)
                ).first()
                if run is None or run.status is RunStatus.RUNNING:
                    return done
                self._events_of(session, row, run)
                row.seen_run_id = run.id
            done += 1
        return done

    def _events_of(self, session: Session, row: NotificationSettingsRow, run: RunRow) -> None:
        if run.dry_run:  # a preview: the KH is looking at it already
            return
        asked = set(row.events)
        now = self._store._now()
        at = (run.finished_at or run.started_at).isoformat()
        if run.status is RunStatus.FAILED:
            credentials = run.failure_category == "credentials"
            kind = EventKind.CREDENTIALS_REJECTED if credentials else EventKind.RUN_FAILED
            if _ASKED_BY[kind] in asked:
                details = {
                    "at": at,
                    "category": run.failure_category,
                    "service": run.failure_service,
                    "error": (run.error or "")[:1000],
                }
                self._add_event(session, row.tenant_id, kind, run, details, now)
        if "new_refusals" not in asked:
            return
        complete = run.kind is RunKind.FULL and run.status is RunStatus.COMPLETED
        reported = {
            (record, rule)
            for record, rule in session.execute(
                select(NotificationRefusalRow.record_key, NotificationRefusalRow.rule).where(
                    NotificationRefusalRow.tenant_id == row.tenant_id,
                    NotificationRefusalRow.register == run.register,
                )
            )
        }
        names: dict[str, tuple[str | None, str | None, dict[str, dict[str, Any]]]] = {}

        def seen() -> Iterator[tuple[str, frozenset[str]]]:
            entries = session.execute(
                select(
                    RunEntryRow.source_key,
                    RunEntryRow.natural_key,
                    RunEntryRow.name,
                    RunEntryRow.status,
                    RunEntryRow.refusals,
                )
                .where(RunEntryRow.run_id == run.id)
                .order_by(RunEntryRow.id)
                .execution_options(yield_per=2000)
            )
            for source_key, natural_key, name, status, refusals in entries:
                record = record_key(source_key, natural_key, name)
                if record is None:
                    continue
                rules: dict[str, dict[str, Any]] = {}
                if status is Status.REFUSED:
                    rules = {refusal["rule"]: refusal for refusal in refusals}
                    names[record] = (natural_key, name, rules)
                yield record, frozenset(rules)

        new, gone = refusal_changes(reported, seen(), complete=complete)
        for record, rule in gone:
            session.execute(
                delete(NotificationRefusalRow).where(
                    NotificationRefusalRow.tenant_id == row.tenant_id,
                    NotificationRefusalRow.register == run.register,
                    NotificationRefusalRow.record_key == record,
                    NotificationRefusalRow.rule == rule,
                )
            )
        for record, rule in new:
            natural_key, name, rules = names[record]
            refusal = rules[rule]
            session.add(
                NotificationRefusalRow(
                    tenant_id=row.tenant_id,
                    register=run.register,
                    record_key=record,
                    rule=rule[:200],
                    reported_at=now,
                )
            )
            details = {
                "at": at,
                "record": record,
                "number": natural_key,
                "name": name,
                "rule": rule,
                "message_fi": refusal.get("message_fi"),
                "message_en": refusal.get("message_en"),
            }
            self._add_event(session, row.tenant_id, EventKind.NEW_REFUSAL, run, details, now)

    @staticmethod
    def _add_event(
        session: Session,
        tenant_id: int,
        kind: str,
        run: RunRow,
        details: dict[str, Any],
        now: datetime,
    ) -> None:
        session.add(
            NotificationEventRow(
                tenant_id=tenant_id,
                kind=kind,
                register=run.register,
                run_id=run.id,
                details=details,
                created_at=now,
                digest_id=None,
            )
        )

    def pending_events(self, tenant_id: int) -> int:
        with self._store._reading() as session:
            count = session.scalar(
                select(func.count(NotificationEventRow.id)).where(
                    NotificationEventRow.tenant_id == tenant_id,
                    NotificationEventRow.digest_id.is_(None),
                )
            )
        return int(count or 0)

    # -- digests -------------------------------------------------------------------------

    def make_digest(self, tenant_id: int) -> int | None:
        """Gather the company's waiting events into a digest, unless one was made within
        the period; the digest's id, or ``None``.

        Events of kinds no longer asked for, or with nobody to tell, are dropped.
        """
        from silta.notify.settings import NotificationSettings

        now = self._store._now()
        with self._store._writing() as session:
            row = self._locked(session, tenant_id)
            if row is None:
                return None
            settings = NotificationSettings.from_json(
                {
                    "recipients": row.recipients,
                    "events": row.events,
                    "period_minutes": row.period_minutes,
                    "webhook_url": row.webhook_url,
                }
            )
            waiting = list(
                session.scalars(
                    select(NotificationEventRow)
                    .where(
                        NotificationEventRow.tenant_id == tenant_id,
                        NotificationEventRow.digest_id.is_(None),
                    )
                    .order_by(NotificationEventRow.id)
                )
            )
            wanted = [
                event
                for event in waiting
                if settings.active and _ASKED_BY.get(event.kind) in settings.events
            ]
            dropped = [event.id for event in waiting if event not in wanted]
            if dropped:  # nobody to tell, or no longer asked for
                session.execute(
                    delete(NotificationEventRow).where(NotificationEventRow.id.in_(dropped))
                )
            if not wanted:
                return None
            period = timedelta(minutes=row.period_minutes)
            if row.last_digest_at is not None and now < row.last_digest_at + period:
                return None
            tenant_name = session.scalar(select(TenantRow.name).where(TenantRow.id == tenant_id))
            digest = NotificationDigestRow(
                tenant_id=tenant_id,
                created_at=now,
                payload={
                    "tenant_id": tenant_id,
                    "tenant": tenant_name,
                    "events": [
                        {
                            "id": event.id,
                            "kind": event.kind,
                            "register": event.register.value if event.register else None,
                            "run_id": event.run_id,
                            **event.details,
                        }
                        for event in wanted
                    ],
                },
                pending_emails=[r.as_json() for r in settings.recipients],
                pending_webhook=settings.webhook_url is not None,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                claimed_until=None,
                last_error=None,
                sent_at=None,
            )
            session.add(digest)
            session.flush()
            session.execute(
                update(NotificationEventRow)
                .where(NotificationEventRow.id.in_([event.id for event in wanted]))
                .values(digest_id=digest.id)
            )
            row.last_digest_at = now
            return digest.id

    def claim_due(self, *, limit: int = 20) -> list[Digest]:
        """Digests due for (another) delivery attempt, claimed for this caller."""
        now = self._store._now()
        claimed: list[Digest] = []
        with self._store._writing() as session:
            rows = session.scalars(
                select(NotificationDigestRow)
                .where(
                    NotificationDigestRow.state == "pending",
                    NotificationDigestRow.next_attempt_at <= now,
                )
                .order_by(NotificationDigestRow.next_attempt_at, NotificationDigestRow.id)
                .limit(limit)
            ).all()
            for row in rows:
                if row.claimed_until is not None and row.claimed_until > now:
                    continue
                taken = session.execute(
                    update(NotificationDigestRow)
                    .where(
                        NotificationDigestRow.id == row.id,
                        NotificationDigestRow.state == "pending",
                        (NotificationDigestRow.claimed_until.is_(None))
                        | (NotificationDigestRow.claimed_until <= now),
                    )
                    .values(claimed_until=now + CLAIM)
                )
                if taken.rowcount:  # type: ignore[attr-defined]
                    claimed.append(
                        Digest(
                            id=row.id,
                            tenant_id=row.tenant_id,
                            created_at=row.created_at,
                            payload=row.payload,
                            pending_emails=tuple(row.pending_emails),
                            pending_webhook=row.pending_webhook,
                            attempts=row.attempts,
                        )
                    )
        return claimed

    def delivered(
        self,
        digest_id: int,
        *,
        pending_emails: Sequence[dict[str, str]],
        pending_webhook: bool,
        error: str | None,
        retry_at: datetime | None,
    ) -> str:
        """Record an attempt: what is still to deliver, and when to try again (``None``:
        never: what is left failed for good). The digest's state after it."""
        now = self._store._now()
        left = bool(pending_emails) or pending_webhook
        if not left:
            state = "sent" if error is None else "failed"
        else:
            state = "pending" if retry_at is not None else "failed"
        with self._store._writing() as session:
            row = session.get(NotificationDigestRow, digest_id)
            if row is None:
                return "gone"
            row.pending_emails = list(pending_emails)
            row.pending_webhook = pending_webhook
            row.attempts += 1
            row.last_error = error[:1000] if error else None
            row.state = state
            row.claimed_until = None
            if retry_at is not None:
                row.next_attempt_at = retry_at
            if state == "sent":
                row.sent_at = now
            return state

    def deliveries(self, tenant_id: int, *, limit: int = 10) -> list[Delivery]:
        """The company's latest digests, newest first (the settings page)."""
        with self._store._reading() as session:
            rows = session.scalars(
                select(NotificationDigestRow)
                .where(NotificationDigestRow.tenant_id == tenant_id)
                .order_by(NotificationDigestRow.id.desc())
                .limit(limit)
            ).all()
            return [
                Delivery(
                    id=row.id,
                    created_at=row.created_at,
                    events=len(row.payload.get("events", [])),
                    state=row.state,
                    attempts=row.attempts,
                    sent_at=row.sent_at,
                    last_error=row.last_error,
                )
                for row in rows
            ]

    def reported_refusals(self, tenant_id: int, register: Register) -> set[tuple[str, str]]:
        with self._store._reading() as session:
            return {
                (record, rule)
                for record, rule in session.execute(
                    select(NotificationRefusalRow.record_key, NotificationRefusalRow.rule).where(
                        NotificationRefusalRow.tenant_id == tenant_id,
                        NotificationRefusalRow.register == register,
                    )
                )
            }

    def prune(self, *, older_than: datetime) -> int:
        """Forget digests (and their events) made before ``older_than``; how many."""
        with self._store._writing() as session:
            old = select(NotificationDigestRow.id).where(
                NotificationDigestRow.created_at < older_than,
                NotificationDigestRow.state != "pending",
            )
            ids = list(session.scalars(old))
            if not ids:
                return 0
            session.execute(
                delete(NotificationEventRow).where(NotificationEventRow.digest_id.in_(ids))
            )
            session.execute(delete(NotificationDigestRow).where(NotificationDigestRow.id.in_(ids)))
            return len(ids)

    # -- plumbing ------------------------------------------------------------------------

    def _locked(self, session: Session, tenant_id: int) -> NotificationSettingsRow | None:
        # FOR UPDATE on PostgreSQL; SQLite's writing sessions are BEGIN IMMEDIATE already
        return session.get(NotificationSettingsRow, tenant_id, with_for_update=True)
