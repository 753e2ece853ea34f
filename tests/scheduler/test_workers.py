"""procrastinate workers on PostgreSQL: two worker processes, fifty tenants, three cycles on
a compressed clock; every slot runs once and no tenant ever runs twice at once. A worker
killed mid-run: its job is taken up again and finishes, with no duplicate record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from silta.domain import Register, RunStatus
from silta.fleet import Fleet, fleet
from silta.schedule import current_slot, next_slot
from silta.scheduler.queue import ensure_schema
from silta.store import Schedule, SlotState, Store
from silta.tenants import Tenant

from ..served import allowing
from ..store.conftest import POSTGRES_ENV, postgres_schema
from .conftest import (
    ServedSandboxes,
    all_runs,
    assert_one_at_a_time,
    clear_of_boundaries,
    duplicates,
)

# one such test at a time on the database, also under pytest-xdist (see the fixture)
pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("database_channels_alone")]
KEY = Fernet.generate_key().decode("ascii")
INTERVAL = timedelta(minutes=40)


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: the workers' PostgreSQL path is not tested")
    with postgres_schema() as url:
        yield url


class Fleetline:
    """Workers started as `silta worker` processes against one store and the sandboxes."""

    def __init__(self, url: str, world: Fleet, tmp: Path, *, sandboxes: str, factor: float) -> None:
        self.url = url
        self.sandboxes = sandboxes
        self.world = world
        self.tmp = tmp
        self.factor = factor
        self.origin = time.time()
        self.workers: list[subprocess.Popen[bytes]] = []

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SILTA_DATABASE_URL": self.url,
            "SILTA_SECRET_KEY": KEY,
            **allowing(self.sandboxes),
            "SILTA_CLOCK_FACTOR": str(self.factor),
            "SILTA_CLOCK_ORIGIN": str(self.origin),
            "SILTA_SCHEDULER_TICK": "1",
            "SILTA_SCHEDULER_CONCURRENCY": "12",
            "SILTA_WORKER_HEARTBEAT": "1",
            "SILTA_WORKER_GRACEFUL": "20",
            "SILTA_LOG_LEVEL": "WARNING",
        }

    def start_worker(self) -> subprocess.Popen[bytes]:
        with (self.tmp / f"worker-{len(self.workers)}.log").open("wb") as log:
            worker = subprocess.Popen(  # the child keeps its own copy of the file
                [sys.executable, "-m", "silta", "worker"], env=self.env(), stdout=log, stderr=log
            )
        self.workers.append(worker)
        return worker

    def virtual_now(self) -> datetime:
        return self.virtual(datetime.now(UTC))

    def virtual(self, real: datetime) -> datetime:
        seconds = real.timestamp()
        return datetime.fromtimestamp(self.origin + (seconds - self.origin) * self.factor, UTC)

    def stop(self) -> list[int | None]:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        codes = []
        for worker in self.workers:
            try:
                codes.append(worker.wait(timeout=40))
            except subprocess.TimeoutExpired:
                worker.kill()
                codes.append(None)
        return codes

    def kill(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.tmp.glob("*.log"))


def expected_slots(
    tenant: Tenant, register: Register, start: datetime, cutoff: datetime
) -> list[datetime]:
    due = current_slot(register, tenant.id, tenant.settings, start)
    found = []
    while due.at <= cutoff:
        found.append(due.at)
        due = next_slot(register, tenant.id, tenant.settings, due.at)
    return found


def wait_until(condition, within: float, what: str, line: Fleetline) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {within} s\n{line.logs()}")
        for worker in line.workers:
            if worker.poll() not in (None, -signal.SIGKILL):
                raise AssertionError(f"a worker exited with {worker.returncode}\n{line.logs()}")
        time.sleep(0.2)


def test_two_workers_fifty_tenants_three_cycles_each_slot_once_one_run_at_a_time(
    pg_url: str, tmp_path: Path
) -> None:
    world = fleet(50, size=12)
    served = ServedSandboxes(world)
    store = Store.open(pg_url, secret_key=KEY)
    line: Fleetline | None = None
    try:
        tenants = [
            store.add_tenant(config, changed_by="test")
            for config in world.configs(served.url, dimensions=False)
        ]
        assert ensure_schema(pg_url) is True
        assert ensure_schema(pg_url) is False  # applied once
        # 40 virtual minutes in 15 real seconds: room for a cycle's 100 runs on 2 cores
        factor = INTERVAL.total_seconds() / 15
        line = Fleetline(pg_url, world, tmp_path, sandboxes=served.url, factor=factor)
        line.start_worker()
        line.start_worker()
        schedule = Schedule(store)
        wait_until(lambda: bool(schedule.slots()), 60, "no worker dispatched", line)
        # the cycles count from the first tick, when the workers were up
        start = line.virtual(min(slot.claimed_at for slot in schedule.slots()))
        cutoff = start + 3 * INTERVAL
        registers = (Register.CUSTOMERS, Register.PRODUCTS)
        expected = {
            (tenant.id, register): expected_slots(tenant, register, start, cutoff)
            for tenant in tenants
            for register in registers
        }

        def cycles_done() -> bool:
            if line.virtual_now() < cutoff + timedelta(minutes=20):
                return False
            slots = [s for s in schedule.slots() if s.due_at <= cutoff]
            return all(not s.state.open for s in slots)

        wait_until(cycles_done, 120, "three cycles did not end", line)
        codes = line.stop()
        assert codes == [0, 0], line.logs()

        slots = [s for s in schedule.slots() if s.due_at <= cutoff]
        got: dict[tuple[int, Register], list[datetime]] = defaultdict(list)
        for slot in slots:
            got[(slot.tenant_id, slot.register)].append(slot.due_at)
        assert {key: sorted(value) for key, value in got.items()} == expected
        assert all(len(times) >= 3 for times in expected.values())
        runs = all_runs(store)
        completed = defaultdict(int)
        for run in runs:
            if run.status is RunStatus.COMPLETED and run.trigger.startswith("schedule #"):
                completed[int(run.trigger.removeprefix("schedule #"))] += 1
        for slot in slots:
            assert slot.state is SlotState.DONE, slot
            assert completed[slot.id] == 1, slot
        assert_one_at_a_time([run for run in runs if run.finished_at is not None])
        assert not [run for run in runs if run.finished_at is None]
        assert duplicates(world) == []
    finally:
        if line is not None:
            line.kill()
        store.close()
        served.close()


def test_a_worker_killed_mid_run_has_its_job_taken_up_again_with_no_duplicate(
    pg_url: str, tmp_path: Path
) -> None:
    world = fleet(3, size=30)
    for org in world.netvisor.organisations.values():
        org.unique_codes = False  # a create sent twice would land: the test would see it
    served = ServedSandboxes(world)
    store = Store.open(pg_url, secret_key=KEY)
    line: Fleetline | None = None
    try:
        tenants = [
            store.add_tenant(config, changed_by="test")
            for config in world.configs(served.url, dimensions=False)
        ]
        clear_of_boundaries(store, tenants, margin=timedelta(minutes=10))
        ensure_schema(pg_url)
        # the wall clock: one cycle
        line = Fleetline(pg_url, world, tmp_path, sandboxes=served.url, factor=1.0)
        victim = line.start_worker()
        # kill it in the middle of a run that writes (the first, full runs all create)
        wait_until(
            lambda: (
                any(
                    run.status is RunStatus.RUNNING and sum(run.counts.values()) >= 0
                    for run in all_runs(store)
                )
                and world.writes() > 5
            ),
            60,
            "no run started writing",
            line,
        )
        victim.kill()
        victim.wait()
        killed = [run for run in all_runs(store) if run.status is RunStatus.RUNNING]
        assert killed, "the worker was killed between runs; nothing to take up"
        line.start_worker()  # the survivor finds the stalled job and runs it again
        schedule = Schedule(store)
        wait_until(
            lambda: bool(schedule.slots()) and all(not s.state.open for s in schedule.slots()),
            90,
            "the killed worker's slot did not finish",
            line,
        )
        assert line.stop()[1] == 0, line.logs()
        slots = schedule.slots()
        assert len(slots) == len(tenants) * 2
        assert all(slot.state is SlotState.DONE for slot in slots), slots
        retried = [slot for slot in slots if slot.attempts > 1]
        assert retried, "no slot was taken up again"
        for run in killed:
            assert store.run(run.id).status is RunStatus.INTERRUPTED
        assert duplicates(world) == []
    finally:
        if line is not None:
            line.kill()
        store.close()
        served.close()
