"""Fleets of tenants in one pair of sandboxes, for the scheduler's tests."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from silta.domain import Register, RunStatus
from silta.sandbox.fleet import Fleet, fleet
from silta.store import RunRecord, Schedule, Slot, SlotState, Store
from silta.tenants import Tenant

SANDBOX = "http://sandbox.test"


def sandbox_app(world: Fleet) -> Starlette:
    return Starlette(
        routes=[Mount("/netvisor", app=world.netvisor.app), Mount("/severa", app=world.severa.app)]
    )


@attrs.define
class FleetWorld:
    world: Fleet
    store: Store
    tenants: list[Tenant]

    def http(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=sandbox_app(self.world))
        return httpx.AsyncClient(transport=transport, base_url=SANDBOX)


@pytest.fixture
def small_fleet(tmp_path: Path) -> Iterator[FleetWorld]:
    world = fleet(6, size=12)
    store = Store.open(f"sqlite:///{tmp_path / 'fleet.db'}", key_file=tmp_path / "fleet.key")
    tenants = [store.add_tenant(config, changed_by="test") for config in world.configs(SANDBOX)]
    try:
        yield FleetWorld(world, store, tenants)
    finally:
        store.close()


def all_runs(store: Store) -> list[RunRecord]:
    return store.runs(limit=100_000)


def assert_one_at_a_time(runs: list[RunRecord]) -> None:
    """No tenant ever had two runs going at once (from the recorded start and end times)."""
    by_tenant: dict[int, list[RunRecord]] = defaultdict(list)
    for run in runs:
        assert run.finished_at is not None, f"run {run.id} never ended"
        by_tenant[run.tenant_id].append(run)
    for tenant_runs in by_tenant.values():
        ordered = sorted(tenant_runs, key=lambda run: run.started_at)
        for before, after in itertools.pairwise(ordered):
            assert before.finished_at is not None
            assert before.finished_at <= after.started_at, (before, after)


def assert_exactly_once(
    store: Store, tenants: list[Tenant], *, cycles: int, registers: tuple[Register, ...]
) -> list[Slot]:
    """Each (tenant, register) has one slot per cycle, and each slot one completed run."""
    slots = Schedule(store).slots()
    runs = {run.id: run for run in all_runs(store)}
    per_key = Counter((slot.tenant_id, slot.register) for slot in slots)
    for tenant in tenants:
        for register in registers:
            assert per_key[(tenant.id, register)] == cycles, (tenant.name, register, per_key)
    scheduled = [run for run in runs.values() if run.trigger.startswith("schedule #")]
    completed = Counter(
        int(run.trigger.removeprefix("schedule #"))
        for run in scheduled
        if run.status is RunStatus.COMPLETED
    )
    for slot in slots:
        assert slot.state is SlotState.DONE, slot
        assert completed[slot.id] == 1, (slot, completed[slot.id])
        assert slot.run_id is not None and runs[slot.run_id].status is RunStatus.COMPLETED
    assert sum(completed.values()) == len(slots)
    return slots
