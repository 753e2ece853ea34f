"""Registers held until a KH confirms what the next run would write (:mod:`silta.confirmation`).

A hold is made, changed or lifted by a settings change through the user's path (the CLI,
the settings tab, the API), in the same transaction as the new settings version
(:func:`update_holds`, called by :meth:`Store.change_settings`), so no process can read
the new direction without its hold. The scheduler leaves a held register alone; a real run
of it is refused until :meth:`Holds.confirm` names a preview of that register that
completed after the hold was made or last changed. The operator may waive confirmations per
tenant (:meth:`Holds.waive`): no holds are made for it then, and its holds are lifted.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from silta.confirmation import held_changes
from silta.domain import FieldChange, Register, RunStatus, TenantSettings
from silta.store.errors import ConfirmationRefused
from silta.store.models import HoldRow, RunRow, TenantEventRow, TenantRow
from silta.store.records import Hold, TenantEventKind

if TYPE_CHECKING:  # the store imports update_holds from here
    from silta.store.store import Store

__all__ = ["Holds", "update_holds"]


def _hold(row: HoldRow) -> Hold:
    return Hold(
        tenant_id=row.tenant_id,
        register=row.register,
        since=row.since,
        settings_version=row.settings_version,
        changes=tuple(FieldChange(**change) for change in row.changes),
        changed_by=row.changed_by,
    )


def update_holds(
    session: Session,
    tenant: TenantRow,
    before: TenantSettings,
    after: TenantSettings,
    *,
    version: int,
    changed_by: str,
    now: datetime,
) -> None:
    """Make, change or lift the tenant's holds for the change ``before`` → ``after``.

    Called inside the settings change's transaction, with the tenant's row locked.
    """
    existing = {
        row.register: row
        for row in session.scalars(select(HoldRow).where(HoldRow.tenant_id == tenant.id))
    }
    for register in Register:
        row = existing.get(register)
        pending = tuple(FieldChange(**change) for change in row.changes) if row else ()
        if tenant.confirmations_waived:
            changes: tuple[FieldChange, ...] = ()
        else:
            changes = held_changes(register, pending, before, after)
        if changes == pending:
            continue  # this change is not about what the register writes
        if not changes:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = HoldRow(tenant_id=tenant.id, register=register)
            session.add(row)
        # a new "since": a preview made before this change showed another plan
        row.since = now
        row.settings_version = version
        row.changes = [change.as_json() for change in changes]
        row.changed_by = changed_by


class Holds:
    """The held registers of every tenant, in a :class:`Store`'s database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __repr__(self) -> str:
        return f"Holds({self._store!r})"

    def of(self, tenant_id: int) -> dict[Register, Hold]:
        """The tenant's held registers (empty when none, or confirmations are waived)."""
        with self._store._reading() as session:
            rows = session.scalars(select(HoldRow).where(HoldRow.tenant_id == tenant_id))
            return {row.register: _hold(row) for row in rows}

    def held(self) -> dict[int, frozenset[Register]]:
        """Every tenant with a held register: what the dispatcher leaves alone."""
        found: dict[int, set[Register]] = {}
        with self._store._reading() as session:
            for tenant_id, register in session.execute(select(HoldRow.tenant_id, HoldRow.register)):
                found.setdefault(int(tenant_id), set()).add(register)
        return {tenant_id: frozenset(registers) for tenant_id, registers in found.items()}

    def confirm(self, tenant_id: int, register: Register, *, run_id: int, by: str) -> Hold:
        """Lift the hold on ``register``: ``by`` has seen preview ``run_id`` and confirms it.

        The preview must be a completed dry run of this tenant's register that started after
        the hold was made or last changed: a preview of other settings proves nothing.

        Raises:
            ConfirmationRefused: not held, or not such a preview (the message says why).
        """
        by = _who(by)
        now = self._store._now()
        with self._store._writing() as session:
            tenant = self._store._locked_tenant(session, tenant_id)
            row = session.get(HoldRow, (tenant_id, register), with_for_update=True)
            if row is None:
                raise ConfirmationRefused(
                    "not_held", f"{tenant.name}: {register.value} is not waiting for a confirmation"
                )
            run = session.get(RunRow, run_id)
            if (
                run is None
                or run.tenant_id != tenant_id
                or run.register is not register
                or not run.dry_run
            ):
                raise ConfirmationRefused(
                    "not_preview", f"run {run_id} is no preview of {tenant.name}'s {register.value}"
                )
            if run.status is not RunStatus.COMPLETED:
                raise ConfirmationRefused(
                    "incomplete",
                    f"preview run {run_id} did not complete ({run.status.value}); make a new one",
                )
            if run.started_at < row.since:
                raise ConfirmationRefused(
                    "stale",
                    f"the settings of {register.value} changed after preview run {run_id}; "
                    "make a new preview and confirm that one",
                )
            hold = _hold(row)
            session.delete(row)
            confirmed = FieldChange(register.value, "held", f"confirmed: preview run {run_id}")
            session.add(
                _event(tenant_id, TenantEventKind.CONFIRMED, by, now, [confirmed, *hold.changes])
            )
        return hold

    def waive(self, tenant_id: int, waived: bool, *, by: str) -> bool:
        """Set whether the tenant's changes need confirming; whether anything changed.

        Waiving lifts the tenant's holds (the event names them); requiring again makes
        none for changes already made: it applies to the changes after it.
        """
        by = _who(by)
        now = self._store._now()
        with self._store._writing() as session:
            tenant = self._store._locked_tenant(session, tenant_id)
            if tenant.confirmations_waived == waived:
                return False
            tenant.confirmations_waived = waived
            tenant.updated_at = now
            changes = [FieldChange("confirmations", _text(not waived), _text(waived))]
            if waived:
                lifted = session.scalars(select(HoldRow).where(HoldRow.tenant_id == tenant_id))
                changes += [
                    FieldChange(row.register.value, "held", "hold lifted (waived)")
                    for row in lifted
                ]
                session.execute(delete(HoldRow).where(HoldRow.tenant_id == tenant_id))
            kind = (
                TenantEventKind.CONFIRMATIONS_WAIVED
                if waived
                else TenantEventKind.CONFIRMATIONS_REQUIRED
            )
            session.add(_event(tenant_id, kind, by, now, changes))
            return True


def _who(by: str) -> str:
    if not by.strip() or len(by) > 200:
        raise ValueError("who confirms must be named, in at most 200 characters")
    return by


def _text(waived: bool) -> str:
    return "waived" if waived else "required"


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
