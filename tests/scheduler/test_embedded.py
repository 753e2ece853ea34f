"""The embedded scheduler: each slot once, one run per tenant at a time, through restarts,
pauses, halts and busy tenants. The clock is moved by hand, one cycle at a time."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from silta.domain import Register, RunStatus
from silta.schedule import current_slot
from silta.scheduler import EmbeddedScheduler
from silta.scheduler.execute import SCHEDULE_TRIGGER, run_slot
from silta.severa import SeveraCredentials
from silta.store import Schedule, SlotKey, SlotState, TenantBusy
from silta.sync.engine import CREDENTIALS_REFUSED
from silta.sync.runner import sync_tenant, tenant_lock
from silta.tenants import SeveraConnection

from .conftest import FleetWorld, all_runs, assert_exactly_once, assert_one_at_a_time

START = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
CYCLE = timedelta(minutes=40)
REGISTERS = (Register.CUSTOMERS, Register.PRODUCTS, Register.DIMENSIONS)


class HandClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def settle(scheduler: EmbeddedScheduler, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while scheduler.busy():
        assert time.monotonic() < deadline, "the scheduler did not finish its slots"
        await asyncio.sleep(0.02)


def scheduler_for(fleet: FleetWorld, clock: HandClock, **options: object) -> EmbeddedScheduler:
    return EmbeddedScheduler(
        fleet.store,
        http=fleet.http,
        clock=clock,
        tick=3600,
        busy_retry=0.05,
        severa_rate=1000,
        **options,
    )  # type: ignore[arg-type]


async def test_three_cycles_run_each_slot_once_and_each_tenant_one_run_at_a_time(
    small_fleet: FleetWorld,
) -> None:
    clock = HandClock(START)
    scheduler = scheduler_for(small_fleet, clock, concurrency=3)
    for cycle in range(3):
        clock.now = START + cycle * CYCLE
        claimed = scheduler.tick_once()
        # every register of every tenant in the first cycle; after it, customers and
        # products only (dimensions run once a night)
        per_cycle = len(small_fleet.tenants) * (3 if cycle == 0 else 2)
        assert len(claimed) == per_cycle
        assert scheduler.tick_once() == []  # looking again claims nothing twice
        await settle(scheduler)
    await scheduler.stop()
    slots = Schedule(small_fleet.store).slots()
    assert len(slots) == len(small_fleet.tenants) * 7
    runs = all_runs(small_fleet.store)
    assert_one_at_a_time(runs)
    for tenant in small_fleet.tenants:
        for register in (Register.CUSTOMERS, Register.PRODUCTS):
            mine = sorted(
                s.due_at for s in slots if (s.tenant_id, s.register) == (tenant.id, register)
            )
            assert mine == [
                current_slot(register, tenant.id, tenant.settings, START + n * CYCLE).at
                for n in range(3)
            ]
    # the first cycle is a full run of each register; the runs after it read changes only
    assert all(run.status is RunStatus.COMPLETED for run in runs), [r.error for r in runs]


async def test_a_restart_in_the_middle_of_a_cycle_neither_loses_nor_doubles_a_slot(
    small_fleet: FleetWorld,
) -> None:
    clock = HandClock(START)
    first = scheduler_for(small_fleet, clock, concurrency=1)
    claimed = first.tick_once()
    while not any(run.status is RunStatus.COMPLETED for run in all_runs(small_fleet.store)):  # noqa: ASYNC110 - polls the store, which has no event
        await asyncio.sleep(0.01)
    await first.stop()  # mid-cycle: some slots done, one stopped mid-run, the rest queued
    open_slots = Schedule(small_fleet.store).open_slots()
    assert 0 < len(open_slots) < len(claimed)
    interrupted = [r for r in all_runs(small_fleet.store) if r.status is RunStatus.INTERRUPTED]
    # The restarted process is another process: the first one's slots are left to it once
    # the first is gone; a Schedule with a short stale time stands in for "gone".
    second = EmbeddedScheduler(
        small_fleet.store,
        http=small_fleet.http,
        clock=clock,
        tick=3600,
        severa_rate=1000,
        schedule=Schedule(small_fleet.store, stale_after=timedelta(milliseconds=1)),
    )
    await asyncio.sleep(0.01)
    adopted = second.tick_once()
    assert sorted(slot.id for slot in adopted) == sorted(slot.id for slot in open_slots)
    await settle(second)
    clock.now = START + CYCLE
    second.tick_once()
    await settle(second)
    await second.stop()
    assert_exactly_once(
        small_fleet.store,
        small_fleet.tenants,
        cycles=2,
        registers=(Register.CUSTOMERS, Register.PRODUCTS),
    )
    assert_one_at_a_time(all_runs(small_fleet.store))
    assert len(interrupted) <= 1


async def test_a_paused_tenant_gets_no_slot_and_a_resumed_one_does(
    small_fleet: FleetWorld,
) -> None:
    store = small_fleet.store
    paused = small_fleet.tenants[0]
    store.set_paused(paused.id, True, changed_by="kh")
    clock = HandClock(START)
    scheduler = scheduler_for(small_fleet, clock)
    claimed = scheduler.tick_once()
    assert paused.id not in {slot.tenant_id for slot in claimed}
    await settle(scheduler)
    store.set_paused(paused.id, False, changed_by="kh")
    assert {slot.tenant_id for slot in scheduler.tick_once()} == {paused.id}
    await settle(scheduler)
    await scheduler.stop()


async def test_refused_credentials_halt_the_tenant_until_its_settings_or_connections_change(
    small_fleet: FleetWorld,
) -> None:
    store = small_fleet.store
    victim = small_fleet.tenants[1]
    wrong = SeveraConnection(
        SeveraCredentials(victim.severa.credentials.client_id, "not-the-secret"),
        base_url=victim.severa.base_url,
    )
    store.update_connections(victim.id, severa=wrong, changed_by="kh")
    clock = HandClock(START)
    scheduler = scheduler_for(small_fleet, clock)
    scheduler.tick_once()
    await settle(scheduler)
    schedule = Schedule(store)
    assert schedule.halted(victim.id) is not None
    failed = [s for s in schedule.slots(victim.id) if s.state is SlotState.FAILED]
    assert failed and all(CREDENTIALS_REFUSED in (s.note or "") for s in failed)
    # later cycles leave the halted tenant alone; the others go on
    clock.now = START + CYCLE
    claimed = scheduler.tick_once()
    assert claimed and victim.id not in {slot.tenant_id for slot in claimed}
    await settle(scheduler)
    # the same (wrong) connection again changes nothing; a settings change lifts the halt
    store.update_connections(victim.id, severa=wrong, changed_by="kh")
    assert schedule.halted(victim.id) is not None
    store.change_settings(
        victim.id, attrs.evolve(victim.settings, register_interval_minutes=41), changed_by="kh"
    )
    assert schedule.halted(victim.id) is None
    schedule.halt(victim.id, "again")
    store.update_connections(victim.id, severa=victim.severa, changed_by="kh")  # the right one
    assert schedule.halted(victim.id) is None
    assert victim.id in {slot.tenant_id for slot in scheduler.tick_once()}
    await settle(scheduler)
    assert schedule.slots(victim.id)[-1].state is SlotState.DONE
    await scheduler.stop()


async def test_a_tenant_someone_else_runs_is_waited_for_not_run_beside(
    small_fleet: FleetWorld,
) -> None:
    store = small_fleet.store
    busy = small_fleet.tenants[2]
    clock = HandClock(START)
    scheduler = scheduler_for(small_fleet, clock)
    async with tenant_lock(store, busy.id, owner="cli-host:1:x", purpose="manual"):
        with pytest.raises(TenantBusy):
            async with tenant_lock(store, busy.id, owner="other:2:y", purpose="manual"):
                pass
        scheduler.tick_once()
        await asyncio.sleep(0.5)
        waiting = [s for s in Schedule(store).slots(busy.id) if s.state.open]
        assert waiting  # kept, not dropped, not run beside the holder
        assert not [r for r in all_runs(store) if r.tenant_id == busy.id]
    await settle(scheduler)
    assert all(s.state is SlotState.DONE for s in Schedule(store).slots(busy.id))
    await scheduler.stop()


async def test_a_slot_whose_gone_holder_completed_its_run_is_ended_with_that_run_not_rerun(
    small_fleet: FleetWorld,
) -> None:
    """A holder killed after its run completed and before it ended the slot (two
    transactions): the process that takes the slot over ends it with that run."""
    tenant = small_fleet.tenants[0]
    first = Schedule(small_fleet.store)
    [slot] = first.claim([SlotKey(tenant.id, Register.PRODUCTS, START)], owner="gone:1")
    assert first.start(slot.id, owner="gone:1") is not None
    async with small_fleet.http() as http:
        [ran] = await sync_tenant(
            small_fleet.store,
            tenant,
            registers=(Register.PRODUCTS,),
            trigger=f"{SCHEDULE_TRIGGER} #{slot.id}",
            http=http,
            severa_rate=1000,
        )
        assert ran.status is RunStatus.COMPLETED
        # ... and the holder dies here, its slot still running.
        await asyncio.sleep(0.01)
        second = Schedule(small_fleet.store, stale_after=timedelta(milliseconds=1))
        outcome = await run_slot(
            small_fleet.store, second, slot.id, owner="next:2", http=http, severa_rate=1000
        )
    assert (outcome.state, outcome.run_id) == (SlotState.DONE, ran.run_id)
    runs = [r for r in all_runs(small_fleet.store) if r.trigger == f"schedule #{slot.id}"]
    assert [run.id for run in runs] == [ran.run_id]
    ended = second.slot(slot.id)
    assert ended is not None and (ended.state, ended.run_id) == (SlotState.DONE, ran.run_id)
