"""The schedule's state: claimed slots, who runs each tenant now, and halted tenants.

:class:`Schedule` works on a :class:`~silta.store.Store`'s database and clock, like
:class:`~silta.store.Accounts`; every method is one short transaction. It is shared by the
embedded scheduler, the procrastinate workers and every command that runs a tenant, so the
three rules below hold across processes, not only within one:

* **A slot runs at most once.** A dispatcher *claims* a due (tenant, register, time) by
  inserting its row; the unique key lets one claim win however many dispatchers look at
  the clock. A slot left open (queued or running) by a process that is gone is run again,
  so it is never lost either; an ended slot is never run again.
* **One run per tenant at a time.** A run holds the tenant's lock (one row per tenant) for
  as long as it goes, whatever started it: the scheduler, a worker, ``silta sync``, "sync
  now" in the web app. Netvisor's own rule is one request at a time per company.
* **Refused credentials halt the schedule** for that tenant until its settings or
  connections change, or it is resumed (:class:`~silta.store.Store` lifts the halt).

"Gone" means what it means for runs (:meth:`Store.interrupt_stale_runs`): the owner is a
process on this host that no longer exists, or its last heartbeat is older than
``stale_after``. Owners are ``host:pid:nonce``: the nonce tells apart two runs of one process.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import attrs
from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from silta.domain import Register
from silta.store.errors import TenantBusy
from silta.store.models import ScheduleSlotRow, TenantHaltRow, TenantLockRow, TenantRow
from silta.store.records import Slot, SlotState, TenantLock, aware_utc
from silta.store.store import Store, _pid_alive, _rowcount

__all__ = ["STALE_AFTER", "Schedule", "SlotKey", "is_gone", "new_owner"]

STALE_AFTER = timedelta(minutes=2)  # no heartbeat for this long: the holder is gone


def new_owner() -> str:
    """A fresh owner name for one run or one claim: ``host:pid:nonce``."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def is_gone(owner: str, heartbeat_at: datetime, *, now: datetime, stale_after: timedelta) -> bool:
    """Whether the holder ``owner`` is gone: a dead process here, or silent for too long."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid)):
        return True
    return aware_utc(heartbeat_at) < aware_utc(now) - stale_after


@attrs.frozen
class SlotKey:
    """A slot a dispatcher wants to claim: run ``register`` of the tenant, due at ``due_at``."""

    tenant_id: int
    register: Register
    due_at: datetime = attrs.field(converter=aware_utc)
    full: bool = False


_SLOT_COLUMNS = (
    ScheduleSlotRow.id,
    ScheduleSlotRow.tenant_id,
    ScheduleSlotRow.register,
    ScheduleSlotRow.due_at,
    ScheduleSlotRow.full,
    ScheduleSlotRow.state,
    ScheduleSlotRow.owner,
    ScheduleSlotRow.attempts,
    ScheduleSlotRow.claimed_at,
    ScheduleSlotRow.heartbeat_at,
    ScheduleSlotRow.started_at,
    ScheduleSlotRow.finished_at,
    ScheduleSlotRow.run_id,
    ScheduleSlotRow.note,
)


def _slot(row: Any) -> Slot:
    return Slot(*row)


def _slot_of(row: ScheduleSlotRow) -> Slot:
    return Slot(*(getattr(row, column.key) for column in _SLOT_COLUMNS))


def _lock(row: TenantLockRow) -> TenantLock:
    return TenantLock(row.tenant_id, row.owner, row.purpose, row.acquired_at, row.heartbeat_at)


class Schedule:
    """Slots, tenant locks and halts in the store's database (see the module's rules)."""

    def __init__(self, store: Store, *, stale_after: timedelta = STALE_AFTER) -> None:
        if stale_after <= timedelta(0):
            raise ValueError("stale_after must be positive")
        self._store = store
        self._stale_after = stale_after

    def __repr__(self) -> str:
        return f"Schedule({self._store!r})"

    @property
    def stale_after(self) -> timedelta:
        return self._stale_after

    def gone(self, owner: str, heartbeat_at: datetime) -> bool:
        return is_gone(owner, heartbeat_at, now=self._store._now(), stale_after=self._stale_after)

    # -- slots ---------------------------------------------------------------------------

    def claim(self, wanted: Iterable[SlotKey], *, owner: str) -> list[Slot]:
        """Claim the slots of ``wanted`` that nobody claimed before; the ones claimed here.

        Existing slots are read first and left out, so a busy clock does not burn ids (on
        PostgreSQL a conflicting insert still takes a sequence number); the insert then
        skips any slot another dispatcher claimed in between.
        """
        keys = {(key.tenant_id, key.register, key.due_at): key for key in wanted}
        if not keys:
            return []
        now = self._store._now()
        earliest = min(due for _, _, due in keys)
        with self._store._writing() as session:
            taken = session.execute(
                select(
                    ScheduleSlotRow.tenant_id, ScheduleSlotRow.register, ScheduleSlotRow.due_at
                ).where(ScheduleSlotRow.due_at >= earliest)
            )
            for tenant_id, register, due_at in taken:
                keys.pop((tenant_id, register, aware_utc(due_at)), None)
            if not keys:
                return []
            tenants = set(
                session.scalars(
                    select(TenantRow.id).where(
                        TenantRow.id.in_({key.tenant_id for key in keys.values()})
                    )
                )
            )
            rows = [
                {
                    "tenant_id": key.tenant_id,
                    "register": key.register,
                    "due_at": key.due_at,
                    "full": key.full,
                    "state": SlotState.QUEUED,
                    "owner": owner,
                    "attempts": 0,
                    "claimed_at": now,
                    "heartbeat_at": now,
                }
                for key in keys.values()
                if key.tenant_id in tenants  # a tenant removed meanwhile has no slots
            ]
            if not rows:
                return []
            statement = self._insert_new(session).returning(*_SLOT_COLUMNS)
            return sorted(
                (_slot(row) for row in session.execute(statement, rows)),
                key=lambda slot: (slot.due_at, slot.id),
            )

    def open_slots(self) -> list[Slot]:
        """Every queued or running slot, oldest due first."""
        with self._store._reading() as session:
            rows = session.execute(
                select(*_SLOT_COLUMNS)
                .where(ScheduleSlotRow.state.in_((SlotState.QUEUED, SlotState.RUNNING)))
                .order_by(ScheduleSlotRow.due_at, ScheduleSlotRow.id)
            )
            return [_slot(row) for row in rows]

    def abandoned(self, *, queued_for: timedelta | None = None) -> list[Slot]:
        """Open slots whose holder is gone, oldest first: they must run again.

        ``queued_for``: a queued slot also counts when it was claimed this long ago and is
        still waiting (a queue that lost its job); ``None``: only by its holder.
        """
        now = self._store._now()
        found = []
        for slot in self.open_slots():
            if self.gone(slot.owner, slot.heartbeat_at) or (
                queued_for is not None
                and slot.state is SlotState.QUEUED
                and slot.claimed_at <= now - queued_for
            ):
                found.append(slot)
        return found

    def start(self, slot_id: int, *, owner: str) -> Slot | None:
        """Take the slot to run it; ``None`` when it has ended or a live holder runs it."""
        now = self._store._now()
        with self._store._writing() as session:
            row = session.get(ScheduleSlotRow, slot_id, with_for_update=True)
            if row is None or not row.state.open:
                return None
            if (
                row.state is SlotState.RUNNING
                and row.owner != owner
                and not self.gone(row.owner, row.heartbeat_at)
            ):
                return None
            row.state = SlotState.RUNNING
            row.owner = owner
            row.attempts += 1
            row.started_at = now
            row.heartbeat_at = now
            session.flush()
            return _slot_of(row)

    def requeue(self, slot_id: int, *, owner: str, expect: str | None = None) -> bool:
        """Hand an open slot to ``owner`` as queued again (a new job for it); whether done.

        ``expect``: only if its holder is still this one (nobody took it meanwhile).
        """
        condition = [ScheduleSlotRow.id == slot_id, ScheduleSlotRow.state.in_(_OPEN)]
        if expect is not None:
            condition.append(ScheduleSlotRow.owner == expect)
        now = self._store._now()
        with self._store._writing() as session:
            done = session.execute(
                update(ScheduleSlotRow)
                .where(*condition)
                .values(state=SlotState.QUEUED, owner=owner, claimed_at=now, heartbeat_at=now)
            )
            return bool(_rowcount(done))

    def beat(self, slot_id: int, *, owner: str) -> bool:
        """Say the slot's holder is alive; ``False`` when it is no longer the holder."""
        with self._store._writing() as session:
            done = session.execute(
                update(ScheduleSlotRow)
                .where(ScheduleSlotRow.id == slot_id, ScheduleSlotRow.owner == owner)
                .values(heartbeat_at=self._store._now())
            )
            return bool(_rowcount(done))

    def finish(
        self,
        slot_id: int,
        *,
        owner: str,
        state: SlotState,
        run_id: int | None = None,
        note: str | None = None,
    ) -> bool:
        """End the slot (``state`` DONE, FAILED or SKIPPED) if ``owner`` still holds it."""
        if state.open:
            raise ValueError(f"a slot cannot end as {state}")
        now = self._store._now()
        values: dict[str, Any] = {"state": state, "finished_at": now, "heartbeat_at": now}
        if run_id is not None:
            values["run_id"] = run_id
        if note is not None:
            values["note"] = note[:2000]
        with self._store._writing() as session:
            done = session.execute(
                update(ScheduleSlotRow)
                .where(
                    ScheduleSlotRow.id == slot_id,
                    ScheduleSlotRow.owner == owner,
                    ScheduleSlotRow.state.in_(_OPEN),
                )
                .values(**values)
            )
            return bool(_rowcount(done))

    def annotate(self, slot_id: int, note: str | None) -> None:
        """Set or clear an open slot's note (why it waits)."""
        with self._store._writing() as session:
            session.execute(
                update(ScheduleSlotRow)
                .where(ScheduleSlotRow.id == slot_id, ScheduleSlotRow.state.in_(_OPEN))
                .values(note=note)
            )

    def slot(self, slot_id: int) -> Slot | None:
        with self._store._reading() as session:
            row = session.execute(
                select(*_SLOT_COLUMNS).where(ScheduleSlotRow.id == slot_id)
            ).first()
            return None if row is None else _slot(row)

    def slots(self, tenant_id: int | None = None, *, since: datetime | None = None) -> list[Slot]:
        """Slots, oldest due first: of one tenant or all, due at or after ``since``."""
        query = select(*_SLOT_COLUMNS)
        if tenant_id is not None:
            query = query.where(ScheduleSlotRow.tenant_id == tenant_id)
        if since is not None:
            query = query.where(ScheduleSlotRow.due_at >= aware_utc(since))
        with self._store._reading() as session:
            rows = session.execute(query.order_by(ScheduleSlotRow.due_at, ScheduleSlotRow.id))
            return [_slot(row) for row in rows]

    def latest(self, tenant_id: int) -> dict[Register, Slot]:
        """The tenant's newest slot of each register."""
        newest: dict[Register, Slot] = {}
        since = self._store._now() - timedelta(days=2)
        for slot in self.slots(tenant_id, since=since):
            newest[slot.register] = slot
        return newest

    def prune(self, *, now: datetime, older_than: timedelta = timedelta(days=30)) -> int:
        """Forget ended slots due more than ``older_than`` before ``now``; how many.

        ``now`` is the scheduler's clock, which the slots' due times follow.
        """
        cutoff = aware_utc(now) - older_than
        with self._store._writing() as session:
            done = session.execute(
                delete(ScheduleSlotRow).where(
                    ScheduleSlotRow.due_at < cutoff, ScheduleSlotRow.state.not_in(_OPEN)
                )
            )
            return _rowcount(done)

    # -- tenant locks --------------------------------------------------------------------

    def lock(self, tenant_id: int, *, owner: str, purpose: str) -> TenantLock:
        """Take the tenant's lock for ``owner``; a gone holder's lock is taken over.

        Raises:
            TenantBusy: a live holder has it (the error says who, since when, for what).
            UnknownTenant: no such tenant.
        """
        now = self._store._now()
        purpose = purpose[:200]
        try:
            with self._store._writing() as session:
                tenant = session.get(TenantRow, tenant_id)
                if tenant is None:
                    raise self._store._unknown(session, tenant_id)
                row = session.get(TenantLockRow, tenant_id, with_for_update=True)
                if row is None:
                    row = TenantLockRow(
                        tenant_id=tenant_id,
                        owner=owner,
                        purpose=purpose,
                        acquired_at=now,
                        heartbeat_at=now,
                    )
                    session.add(row)
                elif row.owner == owner or self.gone(row.owner, row.heartbeat_at):
                    row.owner, row.purpose = owner, purpose
                    row.acquired_at = row.heartbeat_at = now
                else:
                    raise TenantBusy(
                        tenant_id, row.owner, row.purpose, row.acquired_at, tenant.name
                    )
                session.flush()
                return _lock(row)
        except IntegrityError:  # another process inserted the row first
            holder = self.holder(tenant_id)
            if holder is None:
                raise TenantBusy(tenant_id, "another process", purpose, now) from None
            raise TenantBusy(tenant_id, holder.owner, holder.purpose, holder.acquired_at) from None

    def keep_lock(self, tenant_id: int, *, owner: str) -> bool:
        """Refresh the lock's heartbeat; ``False`` when ``owner`` no longer holds it."""
        with self._store._writing() as session:
            done = session.execute(
                update(TenantLockRow)
                .where(TenantLockRow.tenant_id == tenant_id, TenantLockRow.owner == owner)
                .values(heartbeat_at=self._store._now())
            )
            return bool(_rowcount(done))

    def unlock(self, tenant_id: int, *, owner: str) -> None:
        """Give the lock back (nothing happens when ``owner`` does not hold it)."""
        with self._store._writing() as session:
            session.execute(
                delete(TenantLockRow).where(
                    TenantLockRow.tenant_id == tenant_id, TenantLockRow.owner == owner
                )
            )

    def holder(self, tenant_id: int) -> TenantLock | None:
        """Who runs the tenant now; ``None`` when nobody, or only a gone holder, does."""
        with self._store._reading() as session:
            row = session.get(TenantLockRow, tenant_id)
            if row is None or self.gone(row.owner, row.heartbeat_at):
                return None
            return _lock(row)

    # -- halts ---------------------------------------------------------------------------

    def halt(self, tenant_id: int, reason: str) -> None:
        """Stop scheduling the tenant until its settings, connections or pause change."""
        now = self._store._now()
        with self._store._writing() as session:
            row = session.get(TenantHaltRow, tenant_id)
            if row is None:
                session.add(TenantHaltRow(tenant_id=tenant_id, reason=reason, since=now))
            else:
                row.reason = reason

    def halts(self) -> dict[int, str]:
        """Every halted tenant with the reason."""
        with self._store._reading() as session:
            rows = session.execute(select(TenantHaltRow.tenant_id, TenantHaltRow.reason))
            return {int(row[0]): str(row[1]) for row in rows.all()}

    def halted(self, tenant_id: int) -> str | None:
        with self._store._reading() as session:
            row = session.get(TenantHaltRow, tenant_id)
            return None if row is None else row.reason

    # -- plumbing ------------------------------------------------------------------------

    def _insert_new(self, session: Session) -> Any:
        """``INSERT ... ON CONFLICT DO NOTHING`` of slots, for this backend."""
        table = cast(Table, ScheduleSlotRow.__table__)
        keys = ["tenant_id", "register", "due_at"]
        if session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)


_OPEN: Sequence[SlotState] = (SlotState.QUEUED, SlotState.RUNNING)
