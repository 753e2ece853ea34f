"""`silta serve` runs the schedule itself: killed with SIGKILL in the middle of a cycle and
started again, it runs every slot of the cycle exactly once, one run per tenant at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet

from silta.domain import Register, RunStatus
from silta.fleet import fleet
from silta.store import Schedule, Store

from ..served import allowing
from .conftest import (
    ServedSandboxes,
    all_runs,
    assert_exactly_once,
    assert_one_at_a_time,
    clear_of_boundaries,
    duplicates,
)

KEY = Fernet.generate_key().decode("ascii")


def serve(database: Path, log: Path, sandboxes: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SILTA_DATABASE_URL": f"sqlite:///{database}",
        "SILTA_SECRET_KEY": KEY,
        "SILTA_SCHEDULER_TICK": "0.5",
        "SILTA_SCHEDULER_CONCURRENCY": "1",  # slow enough to be killed mid-cycle
        "SILTA_LOG_LEVEL": "WARNING",
        **allowing(sandboxes),
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "silta", "serve", "--port", "0"],
            env=env,
            stdout=out,
            stderr=out,
        )


def wait_for(condition, within: float, what: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {within} s\n{log.read_text()[-4000:]}")
        time.sleep(0.1)


def test_serve_killed_mid_cycle_and_restarted_runs_each_slot_once(tmp_path: Path) -> None:
    world = fleet(6, size=12)
    for org in world.netvisor.organisations.values():
        org.unique_codes = False  # a create sent twice would land: the test would see it
    served = ServedSandboxes(world)
    database = tmp_path / "silta.db"
    log = tmp_path / "serve.log"
    store = Store.open(f"sqlite:///{database}", secret_key=KEY)
    process: subprocess.Popen[bytes] | None = None
    try:
        tenants = [
            store.add_tenant(config, changed_by="test")
            for config in world.configs(served.url, dimensions=False)
        ]
        clear_of_boundaries(store, tenants, margin=timedelta(minutes=10))
        schedule = Schedule(store)
        process = serve(database, log, served.url)

        def some_done_some_open() -> bool:
            runs = all_runs(store)
            return sum(r.status is RunStatus.COMPLETED for r in runs) >= 3

        wait_for(some_done_some_open, 60, "no runs completed", log)
        process.kill()  # SIGKILL: no goodbye, a run may be cut in the middle
        process.wait()
        left_open = [slot for slot in schedule.slots() if slot.state.open]
        assert left_open, "the cycle had ended before the kill; nothing to take over"

        process = serve(database, log, served.url)
        wait_for(
            lambda: (
                len(schedule.slots()) == 2 * len(tenants)
                and all(not slot.state.open for slot in schedule.slots())
            ),
            90,
            "the restarted process did not finish the cycle",
            log,
        )
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught
        assert process.wait(timeout=30) in (0, -signal.SIGTERM), log.read_text()[-4000:]
        process = None
        assert not [run for run in all_runs(store) if run.status is RunStatus.RUNNING]

        assert_exactly_once(
            store, tenants, cycles=1, registers=(Register.CUSTOMERS, Register.PRODUCTS)
        )
        runs = all_runs(store)
        assert_one_at_a_time(runs)
        cut = [run for run in runs if run.status is RunStatus.INTERRUPTED]
        assert all("gone" in (run.error or "") for run in cut), cut
        assert duplicates(world) == []
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        store.close()
        served.close()
