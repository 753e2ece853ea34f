"""Scheduling: a thousand tenants on ``silta worker`` processes, one 40-minute cycle compressed.

One fleet, one throwaway PostgreSQL database, then one and two workers in turn:

1. a fleet of ``1000 × scale`` tenants (12 records per register, dimensions off) in one
   pair of sandboxes served on a loopback port, every request delayed by ``latency_ms``;
2. warm-up, not measured: two workers on the wall clock run every tenant's first slots (the
   onboarding, everything copied once); then every record's change time moves an hour back
   (:func:`backdate`), as between two real cycles, so that the next runs are idle;
3. the compressed clock starts (40 virtual minutes take ``cycle_seconds`` real seconds); for
   each worker count the new workers replace the previous ones, the backlog clears, and one
   window of ``cycle_seconds`` is measured, in which every tenant's customers and products
   come due once, spread over the cycle by the tenant's jitter.

Dispatch lag of a slot due in the window: the real time its run started minus the real time
at which its due time came (``origin + (due - origin) / factor``). It includes the
dispatcher's tick (1 s), the queue and any wait for a free job. CPU is the workers' user +
system time (``/proc/<pid>/stat``) over the window; divided by the register runs that ended
in the window, times two (a tenant cycle is a customers run and a products run). The
sandboxes run in this process, on the same machine, and their CPU is reported separately.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench import report

NAME = "scheduling"
ADMIN_URL = os.environ.get(
    "SILTA_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
CYCLE = timedelta(minutes=40)
TICK_S = 1.0
REGISTERS_PER_TENANT = 2  # customers and products (dimensions off)
RECORDS_PER_REGISTER = 12  # the sample generator's least (every rule case once)
IDLE_SINCE = timedelta(hours=1)  # how long ago the records last changed, for the idle runs


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 once it is gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def percentile(values: list[float], share: float) -> float | None:
    """None when nothing was measured (JSON has no NaN)."""
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1], 3)


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None."""
    try:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means: skip
        return f"PostgreSQL at {ADMIN_URL} is unreachable: {error}".strip()
    return None


class Database:
    """A throwaway database on the admin URL's server, dropped on close."""

    def __init__(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        self.name = f"silta_bench_{secrets.token_hex(4)}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
        self.url = make_url(ADMIN_URL).set(database=self.name).render_as_string(False)

    def close(self) -> None:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Workers:
    """``silta worker`` processes on one compressed clock."""

    def __init__(
        self,
        url: str,
        key: str,
        *,
        factor: float,
        origin: float,
        concurrency: int,
        logs: Path,
        tag: str,
    ):
        self.factor = factor
        self.origin = origin
        self.tag = tag
        env = {
            **os.environ,
            "SILTA_DATABASE_URL": url,
            "SILTA_SECRET_KEY": key,
            "SILTA_CLOCK_FACTOR": repr(factor),
            "SILTA_CLOCK_ORIGIN": repr(self.origin),
            "SILTA_SCHEDULER_TICK": str(TICK_S),
            "SILTA_SCHEDULER_CONCURRENCY": str(concurrency),
            "SILTA_WORKER_HEARTBEAT": "2",
            "SILTA_WORKER_GRACEFUL": "20",
            "SILTA_LOG_LEVEL": "WARNING",
        }
        self.logs = logs
        self.processes: list[subprocess.Popen[bytes]] = []
        self._env = env

    def start(self, count: int) -> None:
        for number in range(count):
            with (self.logs / f"worker-{self.tag}-{number}.log").open("wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "silta", "worker"],
                        env=self._env,
                        stdout=log,
                        stderr=log,
                    )
                )

    def cpu(self) -> float:
        return sum(cpu_seconds(process.pid) for process in self.processes)

    def check(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                tail = "\n".join(
                    p.read_text(errors="replace")[-2000:]
                    for p in self.logs.glob(f"worker-{self.tag}-*.log")
                )
                raise RuntimeError(f"a worker exited with {process.returncode}\n{tail}")

    def real(self, virtual: datetime) -> float:
        """The Unix time at which the virtual clock shows ``virtual``."""
        return self.origin + (virtual.timestamp() - self.origin) / self.factor

    def terminate(self) -> None:
        """Ask every worker to stop (SIGTERM: running jobs finish, nothing new is taken)."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    def stop(self) -> list[int | None]:
        self.terminate()
        codes: list[int | None] = []
        for process in self.processes:
            try:
                codes.append(process.wait(timeout=40))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                codes.append(None)
        return codes


def wait_for(condition: Any, within: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + within
    while not condition():
        workers.check()
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} within {within:.0f} s")
        time.sleep(0.5)


def backdate(world: Any, by: timedelta) -> int:
    """Move every record's change time ``by`` into the past, in both sandboxes.

    The engine reads changes since its last start minus a 10-minute overlap
    (:data:`silta.sync.engine.OVERLAP`). Between two real 40-minute cycles, what onboarding
    wrote is older than that; on a compressed clock it is not, and every "idle" run would
    read back the records onboarding wrote a minute earlier. Backdating restores the real
    situation: nothing changed since the last run. Called while no request is in flight.
    """
    moved = 0
    for org in world.netvisor.organisations.values():
        for customer in org.customers():
            org.touch_customer(customer.key, customer.changed_at - by)
            moved += 1
        for product in org.products():
            org.touch_product(product.key, product.changed_at - by)
            moved += 1
    for org in world.severa.organisations.values():
        for kind, records in (
            ("customer", org.customers()),
            ("address", org.addresses()),
            ("product", org.products()),
        ):
            for record in records:
                org.touch(kind, record.guid, record.updated_at - by)
                moved += 1
    return moved


def first_slots_ended(schedule: Any, expected: int) -> bool:
    """Every tenant's first slot of each register (its onboarding run) has ended."""
    first: dict[tuple[int, object], Any] = {}
    for slot in schedule.slots():  # oldest due first
        first.setdefault((slot.tenant_id, slot.register), slot)
    return len(first) >= expected and not any(slot.state.open for slot in first.values())


def measure(
    schedule: Any,
    workers: Workers,
    previous: Workers,
    *,
    tenant_count: int,
    worker_count: int,
    cycle_seconds: float,
) -> dict[str, Any]:
    """Start ``workers``, stop ``previous``, let the backlog clear, then measure one cycle."""
    from silta.store import SlotState

    previous.terminate()  # no more dispatching or taking jobs on its side
    workers.start(worker_count)
    previous.stop()

    def caught_up() -> bool:
        now = time.time()
        return not any(
            slot.state.open for slot in schedule.slots() if workers.real(slot.due_at) < now - 2
        )

    settle_started = time.time()
    time.sleep(min(5.0, cycle_seconds / 10))
    with contextlib.suppress(RuntimeError):  # a worker that cannot keep up: measure anyway
        wait_for(caught_up, cycle_seconds / 2, "the backlog did not clear", workers)
    backlog = sum(slot.state.open for slot in schedule.slots())

    window_start = time.time()
    cpu_before, own_before = workers.cpu(), own_cpu_seconds()
    time.sleep(cycle_seconds)
    cpu_after, own_after = workers.cpu(), own_cpu_seconds()
    window_end = time.time()

    def in_window(due: datetime) -> bool:
        return window_start <= workers.real(due) < window_end

    def window_closed() -> bool:
        return not any(s.state.open for s in schedule.slots() if in_window(s.due_at))

    drain_limit = max(60.0, cycle_seconds)
    with contextlib.suppress(RuntimeError):  # saturated workers: report what did not start
        wait_for(window_closed, drain_limit, "the measured slots did not end", workers)

    slots = schedule.slots()
    measured = [s for s in slots if in_window(s.due_at)]
    ran = [s for s in measured if s.state in (SlotState.DONE, SlotState.FAILED)]
    lags = sorted(
        s.started_at.timestamp() - workers.real(s.due_at) for s in ran if s.started_at is not None
    )
    runs = sum(
        1
        for s in slots
        if s.finished_at is not None
        and s.state in (SlotState.DONE, SlotState.FAILED)
        and window_start <= s.finished_at.timestamp() < window_end
    )
    window_s = window_end - window_start
    worker_cpu = cpu_after - cpu_before
    return {
        "tenants": tenant_count,
        "workers": worker_count,
        "settle_s": round(window_start - settle_started, 1),
        "open_slots_at_window_start": backlog,
        "window_s": round(window_s, 1),
        "slots_measured": len(measured),
        "slots_ran": len(ran),
        "slots_failed": sum(s.state is SlotState.FAILED for s in measured),
        "slots_skipped": sum(s.state is SlotState.SKIPPED for s in measured),
        "slots_not_started_after_drain": sum(s.state is SlotState.QUEUED for s in measured),
        "drain_limit_s": drain_limit,
        "slots_full": sum(s.full for s in measured),
        "dispatch_lag_p50_s": percentile(lags, 0.50),
        "dispatch_lag_p95_s": percentile(lags, 0.95),
        "dispatch_lag_max_s": round(lags[-1], 3) if lags else None,
        "runs_in_window": runs,
        "runs_per_s": round(runs / window_s, 2),
        "worker_cpu_s": round(worker_cpu, 2),
        "worker_cpu_ms_per_run": round(worker_cpu / runs * 1000, 2) if runs else None,
        "cpu_s_per_idle_tenant_cycle": (
            round(worker_cpu / runs * REGISTERS_PER_TENANT, 4) if runs else None
        ),
        "sandbox_and_bench_cpu_s": round(own_after - own_before, 2),
    }


def scenario(
    tenant_count: int,
    worker_counts: tuple[int, ...],
    *,
    latency_ms: float,
    cycle_seconds: float,
    concurrency: int,
) -> dict[str, Any]:
    from cryptography.fernet import Fernet

    from silta.fleet import ServedFleet, fleet
    from silta.sandbox.server import faults_from_options, severa_faults_from_options
    from silta.scheduler.queue import ensure_schema
    from silta.store import Schedule, Store

    key = Fernet.generate_key().decode("ascii")
    factor = CYCLE.total_seconds() / cycle_seconds
    started = time.monotonic()
    world = fleet(tenant_count, size=RECORDS_PER_REGISTER)
    world.netvisor.set_faults(faults_from_options(latency_ms=latency_ms))
    world.severa.set_faults(severa_faults_from_options(latency_ms=latency_ms))
    served = ServedFleet(world)
    database = Database()
    store = Store.open(database.url, secret_key=key)
    logs = Path(tempfile.mkdtemp(prefix="silta-bench-"))
    running: Workers | None = None
    try:
        for config in world.configs(served.url, dimensions=False):
            store.add_tenant(config, changed_by="bench")
        ensure_schema(database.url)
        setup_s = time.monotonic() - started
        schedule = Schedule(store)
        expected = tenant_count * REGISTERS_PER_TENANT

        def workers(factor: float, origin: float, tag: str) -> Workers:
            return Workers(
                database.url,
                key,
                factor=factor,
                origin=origin,
                concurrency=concurrency,
                logs=logs,
                tag=tag,
            )

        # warm-up, not measured: the onboarding runs (every record copied once), on the
        # wall clock so that few slots come due meanwhile, with the most workers
        running = workers(1.0, time.time(), "onboarding")
        running.start(max(worker_counts))
        onboarding_started = time.time()
        limit = max(300.0, tenant_count * 0.6)
        try:
            wait_for(
                lambda: first_slots_ended(schedule, expected),
                limit,
                "the onboarding cycle did not end",
                running,
            )
        except RuntimeError as error:
            states = Counter(slot.state.value for slot in schedule.slots())
            raise RuntimeError(f"{error}; slots: {dict(states)}") from None
        onboarding_s = time.time() - onboarding_started
        backdated = backdate(world, IDLE_SINCE)

        # the compressed clock, shared by every measurement: virtual time goes on where it
        # left off when one set of workers replaces another
        origin = time.time()
        results = []
        for count in worker_counts:
            previous, running = running, workers(factor, origin, f"{count}w")
            result = measure(
                schedule,
                running,
                previous,
                tenant_count=tenant_count,
                worker_count=count,
                cycle_seconds=cycle_seconds,
            )
            results.append(result)
            report.table(f"Scheduling: {tenant_count} tenants, {count} worker(s)", rows(result))
        codes = running.stop()
        return {
            "setup_s": round(setup_s, 1),
            "onboarding_s": round(onboarding_s, 1),
            "onboarding_workers": max(worker_counts),
            "records_backdated": backdated,
            "clock_factor": round(factor, 3),
            "last_worker_exit_codes": codes,
            "runs": results,
        }
    finally:
        if running is not None:
            running.stop()
        store.close()
        served.close()
        database.close()
        shutil.rmtree(logs, ignore_errors=True)


def rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("settle before the window", f"{result['settle_s']} s"),
        (
            "slots measured / skipped / failed",
            f"{result['slots_measured']} / {result['slots_skipped']} / {result['slots_failed']}",
        ),
        (
            "dispatch lag p50 / p95 / max",
            f"{result['dispatch_lag_p50_s']} / "
            f"{result['dispatch_lag_p95_s']} / {result['dispatch_lag_max_s']} s",
        ),
        ("not started when the drain ended", f"{result['slots_not_started_after_drain']}"),
        ("runs per second", f"{result['runs_per_s']}"),
        ("CPU s per idle tenant cycle", f"{result['cpu_s_per_idle_tenant_cycle']}"),
        ("sandbox + bench CPU in window", f"{result['sandbox_and_bench_cpu_s']} s"),
    ]


def run_sync(
    scale: float,
    *,
    latency_ms: float = 20.0,
    cycle_seconds: float = 90.0,
    concurrency: int = 12,
    worker_counts: tuple[int, ...] = (1, 2),
) -> dict[str, Any]:
    tenants = max(1, round(1000 * scale))
    settings = {
        "tenants": tenants,
        "latency_ms": latency_ms,
        "cycle_seconds": cycle_seconds,
        "concurrency": concurrency,
        "warm_up": (
            "one fleet and database for both measurements. Not measured: the onboarding "
            "cycle (every tenant's first slot, copying all records) on the wall clock with "
            f"{max(worker_counts)} workers. Then the compressed clock starts; for each worker "
            "count the workers replace the previous ones, the backlog clears (settle_s), and "
            "the next cycle_seconds of real time (one 40-minute cycle) are measured: idle runs"
        ),
    }
    problem = postgres_problem()
    if problem is not None:
        print(f"\nScheduling: skipped ({problem})")
        report.write(NAME, {**settings, "skipped": problem})
        return {"skipped": problem}
    print(f"\nScheduling: {tenants} tenants; onboarding them first (not measured)", flush=True)
    metrics = {
        **settings,
        **scenario(
            tenants,
            worker_counts,
            latency_ms=latency_ms,
            cycle_seconds=cycle_seconds,
            concurrency=concurrency,
        ),
    }
    print(f"  onboarding took {metrics['onboarding_s']} s; setup {metrics['setup_s']} s")
    path = report.write(NAME, metrics)
    print(f"\nwritten to {path}")
    return metrics


async def run(
    scale: float,
    *,
    latency_ms: float = 20.0,
    cycle_seconds: float = 90.0,
    concurrency: int = 12,
) -> None:
    await asyncio.to_thread(
        run_sync,
        scale,
        latency_ms=latency_ms,
        cycle_seconds=cycle_seconds,
        concurrency=concurrency,
    )
