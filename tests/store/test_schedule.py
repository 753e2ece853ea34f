"""``Schedule``: a slot claimed once, run once, taken over only from a gone holder; the
tenant lock; halts lifted by a change of settings, connections or pause. SQLite and
PostgreSQL alike."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from silta.domain import Register
from silta.store import Schedule, SlotKey, SlotState, Store, TenantBusy

from .conftest import config, run_together

DUE = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def dead_owner() -> str:
    """The owner name of a process that has exited (its pid is gone)."""
    child = subprocess.run(
        [sys.executable, "-c", "from silta.store.schedule import new_owner; print(new_owner())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return child.stdout.strip()


def test_a_slot_is_claimed_once_however_often_it_is_asked_for(store: Store) -> None:
    tenant = store.add_tenant(config(), changed_by="t")
    schedule = Schedule(store)
    keys = [SlotKey(tenant.id, register, DUE) for register in Register]
    first = schedule.claim(keys, owner="a:1:x")
    assert [slot.register for slot in first] == list(Register)
    assert all(slot.state is SlotState.QUEUED and slot.attempts == 0 for slot in first)
    assert schedule.claim(keys, owner="b:2:y") == []
    assert schedule.claim(
        [*keys, SlotKey(tenant.id, Register.CUSTOMERS, DUE + timedelta(minutes=40))], owner="b:2:y"
    )[0].due_at == DUE + timedelta(minutes=40)
    # many dispatchers at once: each slot is claimed by exactly one of them
    later = [SlotKey(tenant.id, Register.PRODUCTS, DUE + timedelta(hours=n)) for n in range(1, 9)]
    won: list[int] = []
    run_together(lambda n: won.extend(s.id for s in schedule.claim(later, owner=f"h:{n}:z")), 4)
    assert len(won) == len(set(won)) == len(later)


def test_a_slot_runs_once_and_only_a_gone_holder_loses_it(store: Store) -> None:
    tenant = store.add_tenant(config(), changed_by="t")
    schedule = Schedule(store)
    (slot,) = schedule.claim([SlotKey(tenant.id, Register.CUSTOMERS, DUE)], owner="q:1:a")
    me = f"{os.uname().nodename}:{os.getpid()}:me"
    started = schedule.start(slot.id, owner=me)
    assert started is not None and started.state is SlotState.RUNNING and started.attempts == 1
    assert schedule.start(slot.id, owner="other:2:b") is None  # a live holder keeps it
    gone = dead_owner()
    assert schedule.requeue(slot.id, owner=gone, expect=me)
    assert schedule.start(slot.id, owner=gone) is not None
    assert [s.id for s in schedule.abandoned()] == [slot.id]  # its holder has exited
    taken = schedule.start(slot.id, owner=me)
    assert taken is not None and taken.owner == me and taken.attempts == 3
    assert not schedule.finish(slot.id, owner=gone, state=SlotState.DONE)  # not the holder
    assert schedule.finish(slot.id, owner=me, state=SlotState.DONE, run_id=7)
    assert schedule.start(slot.id, owner=me) is None  # ended: never again
    assert not schedule.requeue(slot.id, owner=me)
    assert schedule.slot(slot.id) == attrs.evolve(schedule.slot(slot.id), run_id=7)
    with pytest.raises(ValueError, match="cannot end"):
        schedule.finish(slot.id, owner=me, state=SlotState.QUEUED)


def test_the_tenant_lock_is_held_by_one_and_taken_over_from_a_gone_holder(store: Store) -> None:
    tenant = store.add_tenant(config(), changed_by="t")
    schedule = Schedule(store)
    me = f"{os.uname().nodename}:{os.getpid()}:me"
    schedule.lock(tenant.id, owner=me, purpose="schedule #1")
    with pytest.raises(TenantBusy, match=r"acme has a run going \(schedule #1"):
        schedule.lock(tenant.id, owner="other:2:b", purpose="manual")
    assert schedule.holder(tenant.id) is not None
    schedule.unlock(tenant.id, owner="other:2:b")  # not the holder: nothing happens
    assert schedule.holder(tenant.id) is not None
    schedule.unlock(tenant.id, owner=me)
    assert schedule.holder(tenant.id) is None
    gone = dead_owner()
    schedule.lock(tenant.id, owner=gone, purpose="manual")
    assert schedule.holder(tenant.id) is None  # a gone holder holds nothing
    assert schedule.lock(tenant.id, owner=me, purpose="schedule #2").owner == me
    assert not schedule.keep_lock(tenant.id, owner=gone)
    assert schedule.keep_lock(tenant.id, owner=me)


def test_halts_are_lifted_by_settings_connections_or_resume(store: Store) -> None:
    tenant = store.add_tenant(config(), changed_by="t")
    schedule = Schedule(store)
    schedule.halt(tenant.id, "credentials or access rights refused: x")
    assert schedule.halts() == {tenant.id: "credentials or access rights refused: x"}
    store.set_paused(tenant.id, True, changed_by="kh")
    assert schedule.halted(tenant.id) is not None  # pausing is no fix
    store.set_paused(tenant.id, False, changed_by="kh")
    assert schedule.halted(tenant.id) is None
    schedule.halt(tenant.id, "again")
    store.change_settings(
        tenant.id, attrs.evolve(tenant.settings, register_interval_minutes=30), changed_by="kh"
    )
    assert schedule.halts() == {}
