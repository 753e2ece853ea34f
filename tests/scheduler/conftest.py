"""Fleets of tenants in one pair of sandboxes, for the scheduler's tests."""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from silta.domain import Register, RunStatus
from silta.fleet import Fleet, ServedFleet, fleet
from silta.schedule import next_slot
from silta.store import RunRecord, Schedule, Slot, SlotState, Store
from silta.tenants import Tenant

SANDBOX = "http://sandbox.test"


@pytest.fixture
def database_channels_alone() -> Iterator[None]:
    """Tests that run procrastinate workers on the test database take turns.

    Each test has a schema of its own, but procrastinate's LISTEN/NOTIFY channels belong to
    the database: under pytest-xdist a worker of one test would hear another test's "abort
    job 5" and abort its own job 5 (job ids are per schema). A lock file per database URL
    makes such tests wait for each other, in one process or several, and leaves other
    databases (other checkouts on the machine) alone. (xdist's ``--dist loadgroup`` would
    keep them on one worker, but does not group under pytest 9.2.)
    """
    url = os.environ.get("SILTA_TEST_POSTGRES_URL", "")
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"silta-tests-procrastinate-{digest}.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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


def clear_of_boundaries(store: Store, tenants: list[Tenant], margin: timedelta) -> None:
    """Give each tenant an interval whose next slot is more than ``margin`` away.

    The tests that run `silta serve` or a worker on the wall clock wait for "every slot of
    the cycle once": a tenant's 40-minute grid point falling inside the test would open a
    second cycle (six tenants: about one run in seven) that the wait never sees end. The
    grid is moved away from the test instead of the test waiting for a quiet moment.
    """
    now = datetime.now(UTC)
    for tenant in tenants:
        settings = store.settings(tenant.id)
        for minutes in range(40, 240, 5):
            candidate = attrs.evolve(settings, register_interval_minutes=minutes)
            if all(
                next_slot(register, tenant.id, candidate, now).at > now + margin
                for register in (Register.CUSTOMERS, Register.PRODUCTS)
            ):
                store.change_settings(tenant.id, candidate, changed_by="test")
                break
        else:
            raise AssertionError(f"no interval keeps {tenant.name}'s grid clear of the test")


# the worker processes reach the sandboxes over a real loopback socket
ServedSandboxes = ServedFleet


def duplicates(world: Fleet) -> list[str]:
    """Codes or numbers that appear twice in a register of either sandbox."""
    found = []
    for org_id, org in world.netvisor.organisations.items():
        for kind, records in (("customer", org.customers()), ("product", org.products())):
            codes = Counter(record.code.casefold() for record in records if record.code)
            found += [f"netvisor {org_id} {kind} {code}" for code, n in codes.items() if n > 1]
    for org_id, sv in world.severa.organisations.items():
        for kind, records, field in (
            ("customer", sv.customers(), "number"),
            ("product", sv.products(), "code"),
        ):
            values = Counter(str(r.get(field)) for r in records if r.get(field) is not None)
            found += [f"severa {org_id} {kind} {v}" for v, n in values.items() if n > 1]
            names = Counter(str(r.get("name")) for r in records)
            found += [f"severa {org_id} {kind} name {v}" for v, n in names.items() if n > 1]
    return found
