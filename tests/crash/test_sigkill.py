"""`silta sync` killed with SIGKILL at random moments, again and again, over two large sample
companies; then clean runs. The end state is that of an identical world no kill disturbed,
no record is in any register twice, and the run history shows every killed run as
interrupted (issue: the crash test).

Netvisor accepts a second customer or product with the same code here, and some writes'
answers come late, so a kill often lands after a create committed and before the process
knew: only the engine's lookup-before-retry (a pending link or a record found by its
natural key is adopted, not created again) keeps the registers free of duplicates.

``SILTA_CRASH_KILLS`` sets how many kills: 25 in ``make test`` (the default: 25 kills were
enough to catch a broken lookup, see docs/reliability.md), 50 in ``make chaos``;
``SILTA_CRASH_SEED`` the seed of the world and of the kill moments. The figures are printed
(``pytest -s``) and written to ``crash-figures.json`` in the test's temporary directory.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import attrs
import httpx
from cryptography.fernet import Fernet

from silta.backoff import RetryPolicy
from silta.domain import Register, RunStatus
from silta.store import LinkState, RunRecord, Store
from silta.sync import sync_tenant

from ..served import allowing
from .world import CrashWorld, Served, crash_world, duplicates, end_state

KILLS = int(os.environ.get("SILTA_CRASH_KILLS", "25"))
SEED = int(os.environ.get("SILTA_CRASH_SEED", "20260302"))
SIZE = {"customers": 60, "products": 40, "projects": 6}
LATEST_KILL = 2.5  # seconds after a run's start: most runs are longer while work is left
FORKER = Path(__file__).with_name("forker.py")
KEY = Fernet.generate_key().decode("ascii")


class Forker:
    """``tests/crash/forker.py`` as a subprocess: runs ``silta`` commands in forked children."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(FORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=cwd,
            text=True,
        )
        self._lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(json.loads(line))

    def start(self, argv: list[str], log: Path) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "log": str(log)}) + "\n")
        self.proc.stdin.flush()
        return int(self._lines.get(timeout=120)["pid"])

    def wait(self, timeout: float) -> int | None:
        """The child's exit status, or ``None`` when it still runs after ``timeout``."""
        try:
            return int(self._lines.get(timeout=timeout)["status"])
        except queue.Empty:
            return None

    def run(self, argv: list[str], log: Path, timeout: float = 300) -> int:
        self.start(argv, log)
        status = self.wait(timeout)
        assert status is not None, f"silta {' '.join(argv)} did not end in {timeout} s"
        return status

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@attrs.define
class Kill:
    round: int
    pid: int
    argv: list[str]
    after: float  # seconds after the child started
    writes_in_flight: int  # write requests the server was still working on
    runs: list[int]  # the runs that were going
    pending_links: int  # intents to create this process left unconfirmed


@attrs.define
class Figures:
    rounds: int = 0
    completed: int = 0
    kills: list[Kill] = attrs.field(factory=list)

    @property
    def mid_write(self) -> int:
        return sum(1 for kill in self.kills if kill.writes_in_flight)

    @property
    def mid_run(self) -> int:
        return sum(1 for kill in self.kills if kill.runs)

    @property
    def with_pending(self) -> int:
        return sum(1 for kill in self.kills if kill.pending_links)


def _options(rng: random.Random, world: CrashWorld) -> list[str]:
    """Which company, and sometimes one register only or a full run."""
    argv = ["sync", rng.choice(world.sides).name]
    if rng.random() < 0.4:  # else the customers, always first, would take most kills
        argv += ["--register", rng.choice([r.value for r in Register])]
    if rng.random() < 0.25:
        argv.append("--full")
    return argv


def _pending_links(store: Store) -> set[tuple[int, Register, str]]:
    """Intents to create whose outcome no run has confirmed yet."""
    return {
        (tenant.id, register, link.source_key)
        for tenant in store.tenants()
        for register in Register
        for link in store.links(tenant.id, register)
        if link.state is LinkState.PENDING
    }


def _log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:] if path.exists() else "(no output)"


def _all_runs(store: Store) -> list[RunRecord]:
    return store.runs(limit=100_000)


async def _undisturbed(world: CrashWorld, tmp: Path) -> None:
    """The reference: the same world synced in this process, twice, nothing disturbing it."""
    store = Store.open(f"sqlite:///{tmp / 'reference.db'}", secret_key=KEY)
    try:
        tenants = [store.add_tenant(c, changed_by="test") for c in world.configs("http://ref")]
        transport = httpx.ASGITransport(app=world.app())
        async with httpx.AsyncClient(transport=transport) as http:
            for full in (False, True):
                for tenant in tenants:
                    results = await sync_tenant(
                        store,
                        tenant,
                        full=full,
                        http=http,
                        severa_rate=1000,
                        retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
                    )
                    for result in results:
                        assert result.status is RunStatus.COMPLETED, result
    finally:
        store.close()


def _differences(got: dict[str, Any], want: dict[str, Any]) -> str:
    lines = []
    for name in want:
        extra = [item for item in got[name] if item not in want[name]]
        missing = [item for item in want[name] if item not in got[name]]
        if extra or missing:
            lines.append(
                f"{name}: only after the kills {extra[:3]}, only undisturbed {missing[:3]}"
            )
    return "\n".join(lines)


def test_sigkill_at_random_moments_then_clean_runs_converge_with_no_duplicate(
    tmp_path: Path,
) -> None:
    began = time.monotonic()
    world = crash_world(SEED, **SIZE)
    reference = crash_world(SEED, **SIZE)
    # A little latency, so that kills land mid-run, and one write answer in ten held back
    # for most of a second after the write committed, so that many land in that window.
    world.misbehave(latency=0.004, lost_response_rate=0.1, hang=0.6)
    served = Served(world)
    url = f"sqlite:///{tmp_path / 'silta.db'}"
    store = Store.open(url, secret_key=KEY)
    for config in world.configs(served.url):
        store.add_tenant(config, changed_by="test")
    env = {
        **os.environ,
        "SILTA_DATABASE_URL": url,
        "SILTA_SECRET_KEY": KEY,
        **allowing(served.url),
        "COLUMNS": "200",  # `silta runs` shows whole words
        "NO_COLOR": "1",
    }
    env.pop("SILTA_SECRET_KEY_FILE", None)
    forker = Forker(env, tmp_path)
    rng = random.Random(SEED)
    figures = Figures()
    try:
        while len(figures.kills) < KILLS:
            assert figures.rounds < 3 * KILLS, (
                f"only {len(figures.kills)} kills in {figures.rounds} rounds"
            )
            # The companies' users go on working between runs: there is always something
            # to create, so kills keep landing in writes, not only in reads.
            world.change()
            reference.change()
            argv = _options(rng, world)
            pending = _pending_links(store)
            log = tmp_path / f"round-{figures.rounds:03d}.log"
            pid = forker.start(argv, log)
            started = time.monotonic()
            figures.rounds += 1
            status = forker.wait(rng.uniform(0.05, LATEST_KILL))
            if status is not None:  # it ended before its moment came
                assert status == 0, f"silta {' '.join(argv)} exited {status}\n{_log_tail(log)}"
                figures.completed += 1
                continue
            writes_in_flight = served.watch.writes_in_flight
            os.kill(pid, signal.SIGKILL)
            after = time.monotonic() - started
            status = forker.wait(30)
            if status == 0:
                # It ended in the instant between the wait's timeout and the kill (the signal
                # then reached a child not yet reaped, harmlessly): a completed round.
                figures.completed += 1
                continue
            assert status == -signal.SIGKILL, (status, _log_tail(log))
            # The server finishes what the dead client had sent, as a real service would,
            # before the world changes again.
            served.drain()
            running = [
                run.id
                for run in _all_runs(store)
                if run.status is RunStatus.RUNNING and run.owner.endswith(f":{pid}")
            ]
            figures.kills.append(
                Kill(
                    round=figures.rounds,
                    pid=pid,
                    argv=argv,
                    after=round(after, 3),
                    writes_in_flight=writes_in_flight,
                    runs=running,
                    pending_links=len(_pending_links(store) - pending),
                )
            )
        killing = time.monotonic() - began
        print("\nkilling done", round(killing, 1), flush=True)

        # Clean runs: a new `python -m silta sync` per company, then a full one each.
        served.drain()
        for side in world.sides:
            log = tmp_path / f"final-{side.scenario}.log"
            with log.open("wb") as out:
                done = subprocess.run(
                    [sys.executable, "-m", "silta", "sync", side.name],
                    env=env,
                    cwd=tmp_path,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=300,
                    check=False,
                )
            assert done.returncode == 0, _log_tail(log)
        for side in world.sides:
            log = tmp_path / f"final-full-{side.scenario}.log"
            assert forker.run(["sync", side.name, "--full"], log) == 0, _log_tail(log)
        history = {}
        for side in world.sides:
            log = tmp_path / f"runs-{side.scenario}.log"
            assert forker.run(["runs", side.name, "--limit", "100000"], log) == 0
            history[side.name] = log.read_text()
    finally:
        forker.close()
        served.close()

    print("final runs done", round(time.monotonic() - began, 1), flush=True)
    asyncio.run(_undisturbed(reference, tmp_path))
    took = time.monotonic() - began

    # No record twice, in the world that was killed and in the one that was not.
    assert duplicates(world) == []
    assert duplicates(reference) == []
    # The same end state as the undisturbed world's.
    for side, twin in zip(world.sides, reference.sides, strict=True):
        got, want = end_state(side), end_state(twin)
        assert got == want, f"{side.name}:\n{_differences(got, want)}"

    # The run history: every killed run interrupted, and only those; none left running.
    runs = _all_runs(store)
    killed = {run_id for kill in figures.kills for run_id in kill.runs}
    by_status: dict[RunStatus, set[int]] = {}
    for run in runs:
        by_status.setdefault(run.status, set()).add(run.id)
    assert not by_status.get(RunStatus.RUNNING), "runs left running"
    assert by_status.get(RunStatus.INTERRUPTED, set()) == killed
    assert not by_status.get(RunStatus.FAILED), [r for r in runs if r.status is RunStatus.FAILED]
    for run in runs:
        if run.id in killed:
            assert run.error is not None and "is gone" in run.error, run
            shown = history[run.tenant_name]
            assert any(
                line.split("│")[1].strip() == str(run.id) and "interrupted" in line
                for line in shown.splitlines()
                if line.count("│") > 2
            ), f"run {run.id} not shown interrupted by `silta runs`:\n{shown[:3000]}"
    # The last full runs found nothing to do: the kills left nothing half done.
    for tenant in store.tenants():
        last = store.runs(tenant.id, limit=3)
        for run in last:
            assert run.kind.value == "full" and run.status is RunStatus.COMPLETED, run
            assert not any(run.counts.get(k) for k in ("created", "updated", "renamed")), run
    store.close()

    summary = {
        "kills": len(figures.kills),
        "rounds": figures.rounds,
        "runs that ended before their kill": figures.completed,
        "kills during a run": figures.mid_run,
        "kills with a write in flight": figures.mid_write,
        "kills leaving intents to create unconfirmed": figures.with_pending,
        "interrupted runs": len(killed),
        "writes committed in the killed world": world.writes(),
        "duplicates": 0,
        "seconds killing": round(killing, 1),
        "seconds in all": round(took, 1),
    }
    (tmp_path / "crash-figures.json").write_text(
        json.dumps(
            {"summary": summary, "kills": [attrs.asdict(k) for k in figures.kills]}, indent=1
        )
    )
    print("\ncrash test:", json.dumps(summary))
    # Kills that never met a write would prove nothing: most must land mid-run, and many
    # with a write on its way or an intent to create not yet confirmed.
    assert figures.mid_run >= len(figures.kills) // 2, summary
    # (a write in flight at the very moment is rarer: at 4 ms per call, about one kill in 5)
    assert figures.mid_write >= len(figures.kills) // 10, summary
    assert figures.with_pending >= len(figures.kills) // 5, summary
