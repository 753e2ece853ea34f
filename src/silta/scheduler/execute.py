"""One slot run: take the slot, hold the tenant's lock, run the register, end the slot.

The same body runs under the embedded scheduler and in a procrastinate worker, so the
rules live once:

* a slot that has ended, or that a live holder runs, is left alone (never doubled);
* a paused or halted tenant's slot ends as skipped, with the reason, and so does a slot
  of a register held for a confirmation (:mod:`silta.confirmation`);
* a run whose credentials or access rights were refused halts the tenant's schedule until
  its settings or connections change (the overview shows "credentials rejected");
* a slot whose tenant is busy, or whose run is stopped (shutdown), goes back to the queue
  open, so it runs later (never lost); :class:`~silta.store.TenantBusy` is raised again for
  the caller to wait, the cancellation goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import attrs
import httpx

from silta.domain import RunStatus
from silta.severa import DEFAULT_RATE
from silta.store import (
    Holds,
    Schedule,
    Slot,
    SlotState,
    Store,
    StoreError,
    TenantBusy,
    UnknownTenant,
)
from silta.sync.engine import CREDENTIALS_REFUSED
from silta.sync.runner import sync_tenant

__all__ = ["ENDED_BY_GONE_HOLDER", "HELD_NOTE", "SCHEDULE_TRIGGER", "SlotOutcome", "run_slot"]

log = logging.getLogger("silta.scheduler")

SCHEDULE_TRIGGER = "schedule"  # a scheduled run's trigger is "schedule #<slot id>"
# claimed before its settings changed; the dispatcher claims no more until confirmed
HELD_NOTE = "held: a KH must confirm a preview of the changed settings first"
# a slot whose gone holder completed its run but did not live to end the slot
ENDED_BY_GONE_HOLDER = "its run had completed; the holder was gone before it ended the slot"


@attrs.frozen
class SlotOutcome:
    """How a slot ended here; ``state`` ``None``: it was not ours to run (ended or held)."""

    slot_id: int
    state: SlotState | None
    run_id: int | None = None
    note: str | None = None


async def run_slot(
    store: Store,
    schedule: Schedule,
    slot_id: int,
    *,
    owner: str,
    http: httpx.AsyncClient | None = None,
    severa_rate: int = DEFAULT_RATE,
) -> SlotOutcome:
    """Run the slot if it is still open and nobody alive holds it.

    Raises:
        TenantBusy: another run of the tenant is going; the slot stays queued.
    """
    slot = schedule.start(slot_id, owner=owner)
    if slot is None:
        return SlotOutcome(slot_id, None)
    try:
        tenant = store.tenant(slot.tenant_id)
    except UnknownTenant:  # removed meanwhile (its slots go with it)
        return SlotOutcome(slot_id, None)
    if slot.attempts > 1:
        # Taken over from a holder that is gone: it may have died after its run completed
        # and before it ended the slot (two transactions). Running the slot again would do
        # no harm to the registers, but the slot would have two runs; end it with the one.
        done = _completed_run(store, tenant.id, slot)
        if done is not None:
            schedule.finish(slot.id, owner=owner, state=SlotState.DONE, run_id=done)
            return SlotOutcome(slot.id, SlotState.DONE, done, note=ENDED_BY_GONE_HOLDER)
    skip = _skip_reason(schedule, tenant.id, tenant.paused)
    if skip is None and slot.register in Holds(store).of(tenant.id):
        skip = HELD_NOTE
    if skip is not None:
        schedule.finish(slot.id, owner=owner, state=SlotState.SKIPPED, note=skip)
        return SlotOutcome(slot.id, SlotState.SKIPPED, note=skip)

    keeper = asyncio.get_running_loop().create_task(_keep(schedule, slot.id, owner))
    try:
        results = await sync_tenant(
            store,
            tenant,
            registers=(slot.register,),
            full=slot.full,
            trigger=f"{SCHEDULE_TRIGGER} #{slot.id}",
            http=http,
            severa_rate=severa_rate,
            owner=owner,
        )
    except TenantBusy:
        schedule.requeue(slot.id, owner=owner, expect=owner)
        raise
    except asyncio.CancelledError:
        # stopped (shutdown): open again, for a restart or another worker to run
        with contextlib.suppress(StoreError):
            schedule.requeue(slot.id, owner=owner, expect=owner)
        raise
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper

    if not results:  # switched off between the claim and the run
        note = "the register is switched off in the settings"
        schedule.finish(slot.id, owner=owner, state=SlotState.SKIPPED, note=note)
        return SlotOutcome(slot.id, SlotState.SKIPPED, note=note)
    result = results[-1]
    if result.status is RunStatus.COMPLETED:
        schedule.finish(slot.id, owner=owner, state=SlotState.DONE, run_id=result.run_id)
        return SlotOutcome(slot.id, SlotState.DONE, result.run_id)
    note = result.error or f"the run ended {result.status}"
    if note.startswith(CREDENTIALS_REFUSED):
        schedule.halt(tenant.id, note)
        log.warning("tenant %s halted until its settings change: %s", tenant.name, note)
    schedule.finish(slot.id, owner=owner, state=SlotState.FAILED, run_id=result.run_id, note=note)
    return SlotOutcome(slot.id, SlotState.FAILED, result.run_id, note)


def _completed_run(store: Store, tenant_id: int, slot: Slot) -> int | None:
    """The completed run of ``slot`` that a gone holder left, if there is one.

    A tenant has one run at a time and the slot was taken over at once, so its run, if any,
    is among the tenant's newest few of that register.
    """
    trigger = f"{SCHEDULE_TRIGGER} #{slot.id}"
    for run in store.runs(tenant_id, register=slot.register, limit=10):
        if run.trigger == trigger and run.status is RunStatus.COMPLETED:
            return run.id
    return None


def _skip_reason(schedule: Schedule, tenant_id: int, paused: bool) -> str | None:
    if paused:
        return "the tenant is paused"
    halted = schedule.halted(tenant_id)
    if halted is not None:
        return f"halted until the settings change: {halted}"
    return None


async def _keep(schedule: Schedule, slot_id: int, owner: str) -> None:
    """Keep the slot's heartbeat fresh, so no one takes it for abandoned."""
    every = schedule.stale_after.total_seconds() / 4
    while True:
        await asyncio.sleep(every)
        try:
            schedule.beat(slot_id, owner=owner)
        except StoreError as exc:
            log.warning("could not refresh slot %s: %s", slot_id, exc)
