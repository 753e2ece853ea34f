"""Peak memory and linear time of a full customer run at 1,000, 10,000 and 100,000 records.

``python -m bench.scaling [--sizes 1000,10000,100000] [--scale S] [--trace N]
[--profile N]``. Issue 8's targets: peak RSS ≤ 300 MB for a full run over 100,000 customers,
and time that grows linearly from 1,000 to 10,000 to 100,000 records.

**Scenario.** Each size runs in a fresh child process (``--child N``), so each peak RSS is
that process's own. The child builds both sandboxes in-process (no latency, no Severa rate
limit), puts N valid Severa customers (number, name, a business ID with a valid check digit,
a head-office address flagged Billing and Post) and the same N customers in Netvisor (code =
the Severa number, same name, business ID and addresses), then a SQLite store with one
tenant whose customer direction is Severa → Netvisor, and a link per record
(``Store.save_links``: the steady state of a company synchronised for a while; the engine
itself links only records it wrote, so a run over equal registers would leave no links).
Two full runs follow; the **measured run** is the second: a full reconciliation that reads
both sides, matches, plans and journals N unchanged records and writes nothing (0 writes
checked at both sandboxes). It isolates the engine's memory and time from write latency.
The first run is reported too (``first_run``).

The sandboxes live in the same process, so the child reports its RSS after building the
world (``rss_world_mib``) and the peak during each run; Silta's share is the peak minus
the world (``run_over_world_mib``); the rest is the sandboxes' data and the interpreter.
The second run's own ``rss_before_mib`` is higher than the world: what the first run freed
stays with the allocator (fragmented arenas), so ``run_increment_mib`` (peak − before)
understates the run. Because peak RSS (``ru_maxrss``) is a high-water mark over the
process's life, the build's own peak could hide the run's: the child therefore runs
``gc.collect()`` and ``malloc_trim(0)`` after the build, reads the current RSS from
``/proc/self/status`` (VmRSS) and the high-water mark (VmHWM), and resets the latter
(``/proc/self/clear_refs`` with 5) before each run when the kernel allows it.

``--trace N`` runs size N with tracemalloc (40 frames) around the measured run and prints
the live memory grouped by the Silta line that allocated it, when both sides have been read,
when the plan is built and after the run (slow: about 5 minutes at 10,000 records);
``--profile N`` runs it under cProfile and prints the top functions by cumulative and own time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from starlette.applications import Starlette
from starlette.routing import Mount

from bench.report import table, write

SIZES = (1_000, 10_000, 100_000)
ORG_ID = "1967543-8"
BASE = "http://sandbox.test"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def business_id(i: int) -> str:
    """A valid business ID (``1234567-8``) for record ``i`` (bodies whose remainder is 1
    have no check digit and are stepped over)."""
    body = 1_000_000 + i * 3
    while True:
        seven = f"{body:07d}"
        remainder = sum(int(d) * w for d, w in zip(seven, _WEIGHTS, strict=True)) % 11
        if remainder != 1:
            return f"{seven}-{0 if remainder == 0 else 11 - remainder}"
        body += 1


# -- the child: one size, one process ---------------------------------------------------------


def _status(field: str) -> float:
    """A ``/proc/self/status`` figure in MiB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _trim() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _build(n: int, tmp: Path, base: str = BASE) -> dict[str, Any]:
    from silta.domain import CustomerDirection, TenantSettings
    from silta.netvisor import NetvisorCredentials
    from silta.sandbox.netvisor import Integration, NetvisorSandbox
    from silta.sandbox.severa import ALL_SCOPES, Credential, SeveraSandbox
    from silta.severa import SeveraCredentials
    from silta.store import Store
    from silta.tenants import NetvisorConnection, SeveraConnection, TenantConfig

    clock = _Clock()
    netvisor = NetvisorSandbox(seed=1, clock=clock)
    netvisor.add_integration(
        Integration(partner_id="P", partner_key="pk", customer_id="C", customer_key="ck",
                    organisation_ids=(ORG_ID,))
    )  # fmt: skip
    severa = SeveraSandbox(seed=1, rate_limit=None, clock=clock)
    org = severa.add_organisation("Silta")
    secret = "bench-secret"  # noqa: S105 - the in-process sandbox's own credential
    severa.add_credential(
        Credential(client_id="silta", client_secret=secret, organisation=org.id, scopes=ALL_SCOPES)
    )
    sv = severa.organisation_of("silta")
    nv = netvisor.organisation(ORG_ID)
    finland = sv.country("FI").guid

    severa_guids: list[str] = []
    netvisor_keys: list[int] = []
    started = time.perf_counter()
    for i in range(n):
        number = 10_000 + i
        name = f"Asiakas {number} Oy"
        bid = business_id(i)
        guid = sv.put_customer(name=name, number=number, vatNumber="FI" + bid.replace("-", ""))
        address = sv.put_address(
            guid,
            addressline=f"Mannerheimintie {i % 200 + 1}",
            postalCode="00100",
            city="Helsinki",
            country=finland,
            isBillingAddress=True,
            isPostalAddress=True,
        )
        sv.update("customer", guid, headquarterAddress=address)
        severa_guids.append(guid)
    severa_s = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(n):
        number = 10_000 + i
        key = nv.put_customer(
            internalidentifier=str(number),
            name=f"Asiakas {number} Oy",
            externalidentifier=business_id(i),
            isactive="1",
            streetaddress=f"Mannerheimintie {i % 200 + 1}",
            postnumber="00100",
            city="Helsinki",
            country="FI",
            deliveryname=f"Asiakas {number} Oy",
            deliverystreetaddress=f"Mannerheimintie {i % 200 + 1}",
            deliverypostnumber="00100",
            deliverycity="Helsinki",
            deliverycountry="FI",
        )
        netvisor_keys.append(key)
    netvisor_s = time.perf_counter() - started

    app = Starlette(routes=[Mount("/netvisor", app=netvisor.app), Mount("/severa", app=severa.app)])
    store = Store.open(f"sqlite:///{tmp / 'silta.db'}", key_file=tmp / "silta.key")
    tenant = store.add_tenant(
        TenantConfig(
            name="Skaalaus Oy",
            netvisor=NetvisorConnection(
                NetvisorCredentials(
                    sender="Silta bench",
                    customer_id="C",
                    customer_key="ck",
                    partner_id="P",
                    partner_key="pk",
                    organisation_id=ORG_ID,
                ),
                base_url=f"{base}/netvisor",
            ),
            severa=SeveraConnection(SeveraCredentials("silta", secret), base_url=f"{base}/severa"),
            settings=TenantSettings(customers=CustomerDirection.SEVERA_TO_NETVISOR),
        ),
        changed_by="bench",
    )
    return {
        "netvisor_keys": netvisor_keys,
        "severa_guids": severa_guids,
        "app": app,
        "store": store,
        "tenant": tenant,
        "clock": clock,
        "nv": nv,
        "sv": sv,
        "build_severa_s": severa_s,
        "build_netvisor_s": netvisor_s,
    }


async def _run(world: dict[str, Any], http: httpx.AsyncClient) -> Any:
    from silta.backoff import RetryPolicy
    from silta.domain import Register
    from silta.sync import sync_tenant

    world["clock"].advance(minutes=1)
    store = world["store"]
    (result,) = await sync_tenant(
        store,
        store.tenant(world["tenant"].id),
        registers=(Register.CUSTOMERS,),
        full=True,
        http=http,
        clock=world["clock"],
        severa_rate=1000,
        retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
    )
    return result


def _writes(world: dict[str, Any]) -> int:
    return world["nv"].stats.writes_committed + world["sv"].stats.writes_committed


def _seed_links(world: dict[str, Any]) -> float:
    """Links for every record, as a tenant synchronised before has them.

    An adopted record that needs no write gets no link from the engine (only written
    records are linked), so a first run over equal registers would leave the link table
    empty; the steady state of a company synchronised for a while has a link per record.
    """
    from silta.domain import Register, System
    from silta.store import Link, LinkState

    started = time.perf_counter()
    pairs = list(zip(world["severa_guids"], world["netvisor_keys"], strict=True))
    for start in range(0, len(pairs), 5_000):
        world["store"].save_links(
            world["tenant"].id,
            [
                Link(
                    register=Register.CUSTOMERS,
                    source_system=System.SEVERA,
                    source_key=guid,
                    target_key=str(key),
                    natural_key=str(10_000 + start + offset),
                    state=LinkState.LINKED,
                )
                for offset, (guid, key) in enumerate(pairs[start : start + 5_000])
            ],
        )
    return time.perf_counter() - started


def _measured(world: dict[str, Any], http: httpx.AsyncClient, loop: Any, n: int) -> dict[str, Any]:
    """One full run, with its wall and CPU time and its RSS before and at its peak."""
    _trim()
    before = _status("VmRSS")
    reset = _reset_hwm()
    writes = _writes(world)
    wall, cpu = time.perf_counter(), time.process_time()
    result = loop.run_until_complete(_run(world, http))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _status("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    after = _status("VmRSS")
    return {
        "status": str(result.status),
        "counts": dict(result.counts),
        "writes": _writes(world) - writes,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "records_per_s": round(n / wall, 1),
        "us_per_record": round(wall / n * 1e6, 1),
        "rss_before_mib": round(before, 1),
        "peak_rss_mib": round(peak, 1),
        "run_increment_mib": round(peak - before, 1),
        "rss_after_mib": round(after, 1),
        "hwm_reset": reset,
    }


def child(n: int, *, trace: bool = False, profile: bool = False) -> dict[str, Any]:
    """Build the world for ``n`` customers, run twice, measure both runs (the second is
    the reported one; ``trace``/``profile`` instrument it)."""
    with tempfile.TemporaryDirectory(prefix="silta-scaling-") as tmp:
        started = time.perf_counter()
        world = _build(n, Path(tmp))
        links_s = _seed_links(world)
        _trim()
        figures: dict[str, Any] = {
            "records": n,
            "build_severa_s": round(world["build_severa_s"], 2),
            "build_netvisor_s": round(world["build_netvisor_s"], 2),
            "seed_links_s": round(links_s, 2),
            "build_total_s": round(time.perf_counter() - started, 2),
            "rss_world_mib": round(_status("VmRSS"), 1),
        }
        del world["severa_guids"], world["netvisor_keys"]
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=world["app"]), timeout=600)
        loop = asyncio.new_event_loop()
        figures["first_run"] = _measured(world, http, loop, n)

        snapshots: list[tuple[str, Any]] = []
        profiler = None
        if trace:
            import tracemalloc

            _hook_snapshots(snapshots)
            tracemalloc.start(40)
            snapshots.append(("before the run", tracemalloc.take_snapshot()))
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        figures.update(_measured(world, http, loop, n))
        # Silta's share: the run's peak over the world alone (the second run's own "before"
        # includes what the first run left to the allocator, see the module docstring).
        figures["run_over_world_mib"] = round(figures["peak_rss_mib"] - figures["rss_world_mib"], 1)
        if profiler is not None:
            profiler.disable()
            import pstats

            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(30)
        if trace:
            import tracemalloc

            _, traced_peak = tracemalloc.get_traced_memory()
            snapshots.append(("after the run", tracemalloc.take_snapshot()))
            tracemalloc.stop()
            figures["traced_peak_mib"] = round(traced_peak / 2**20, 1)
            figures["trace"] = _report_trace(snapshots)
        loop.run_until_complete(http.aclose())
        loop.close()
        return figures


# -- served: the sandboxes in a process of their own --------------------------------------


def serve(n: int, directory: Path) -> None:
    """Build the world for ``n`` customers and serve it over loopback until killed.

    Writes ``ready.json`` (port, tenant id) into ``directory`` once the store and the links
    are in place and the socket listens.
    """
    import socket

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    world = _build(n, directory, base=f"http://127.0.0.1:{port}")
    _seed_links(world)
    tenant_id = world["tenant"].id
    world["store"].close()
    del world["severa_guids"], world["netvisor_keys"]
    config = uvicorn.Config(world["app"], log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    (directory / "ready.json").write_text(json.dumps({"port": port, "tenant": tenant_id}))
    asyncio.run(server.serve(sockets=[sock]))


def child_served(n: int) -> dict[str, Any]:
    """Silta alone in this process: the sandboxes serve from another one (``serve``), so
    this process's peak RSS is the run's whole footprint, interpreter and imports included.
    """
    from silta.backoff import RetryPolicy
    from silta.domain import Register
    from silta.store import Store
    from silta.sync import sync_tenant

    with tempfile.TemporaryDirectory(prefix="silta-scaling-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.scaling", "--serve", str(n), "--dir", tmp],
            cwd=Path(__file__).resolve().parent.parent,
        )
        try:
            ready = directory / "ready.json"
            while not ready.exists():
                if server.poll() is not None:
                    raise RuntimeError(f"the sandbox server exited with {server.returncode}")
                time.sleep(0.2)
            info = json.loads(ready.read_text())
            figures: dict[str, Any] = {
                "records": n,
                "served": True,
                "build_total_s": round(time.perf_counter() - started, 2),
            }
            store = Store.open(
                f"sqlite:///{directory / 'silta.db'}", key_file=directory / "silta.key"
            )
            clock = _Clock()
            loop = asyncio.new_event_loop()
            http = httpx.AsyncClient(timeout=600)

            def one_run() -> dict[str, Any]:
                clock.advance(minutes=1)
                _trim()
                before = _status("VmRSS")
                reset = _reset_hwm()
                wall, cpu = time.perf_counter(), time.process_time()
                (result,) = loop.run_until_complete(
                    sync_tenant(
                        store,
                        store.tenant(info["tenant"]),
                        registers=(Register.CUSTOMERS,),
                        full=True,
                        http=http,
                        clock=clock,
                        severa_rate=1000,
                        retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
                    )
                )
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                peak = (
                    _status("VmHWM")
                    if reset
                    else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                )
                counts = dict(result.counts)
                if counts != {"unchanged": n}:
                    raise RuntimeError(f"expected {n} unchanged records, got {counts}")
                return {
                    "status": str(result.status),
                    "counts": counts,
                    "wall_s": round(wall, 3),
                    "cpu_s": round(cpu, 3),
                    "records_per_s": round(n / wall, 1),
                    "us_per_record": round(wall / n * 1e6, 1),
                    "cpu_us_per_record": round(cpu / n * 1e6, 1),
                    "rss_before_mib": round(before, 1),
                    "peak_rss_mib": round(peak, 1),
                    "run_increment_mib": round(peak - before, 1),
                    "hwm_reset": reset,
                }

            # One run: the links are in place already, so it is the steady state's full
            # reconciliation (the in-process mode shows that a second run is the same).
            figures.update(one_run())
            loop.run_until_complete(http.aclose())
            loop.close()
            store.close()
            return figures
        finally:
            server.terminate()
            server.wait(timeout=30)


def _hook_snapshots(snapshots: list[tuple[str, Any]]) -> None:
    """Snapshots inside the run: when both sides have been read (after the Netvisor
    details), and when the plan is built (``Journal.expect``). Wraps, never edits, Silta."""
    import tracemalloc

    from silta.netvisor.client import NetvisorClient
    from silta.sync.journal import Journal

    get_customers = NetvisorClient.get_customers
    expect = Journal.expect

    async def wrapped_get(self: Any, keys: Any) -> Any:
        answer = await get_customers(self, keys)
        snapshots.append(("both sides read", tracemalloc.take_snapshot()))
        return answer

    def wrapped_expect(self: Any, total: int) -> None:
        snapshots.append(("plan built", tracemalloc.take_snapshot()))
        expect(self, total)

    NetvisorClient.get_customers = wrapped_get  # type: ignore[method-assign]
    Journal.expect = wrapped_expect  # type: ignore[method-assign]


def _site(trace: Any) -> tuple[str, str]:
    """(Silta's line that caused it, innermost line) for one traced block."""
    frames = list(trace.traceback)[::-1]  # innermost first
    inner = f"{_short(frames[0].filename)}:{frames[0].lineno}"
    for frame in frames:
        name = frame.filename
        if "/silta/" in name and "/sandbox/" not in name:
            return f"{_short(name)}:{frame.lineno}", inner
        if "/silta/sandbox/" in name:
            return "(sandbox) " + f"{_short(name)}:{frame.lineno}", inner
    return "(other) " + inner, inner


def _short(filename: str) -> str:
    for marker in ("/src/silta/", "/site-packages/", "/lib/python3.11/"):
        if marker in filename:
            return (
                filename.split(marker, 1)[1]
                if marker != "/src/silta/"
                else "silta/" + (filename.split(marker, 1)[1])
            )
    return filename


def _report_trace(snapshots: list[tuple[str, Any]]) -> dict[str, Any]:
    """Live memory at each snapshot, grouped by Silta's line (and by innermost line)."""
    import tracemalloc

    ignore = (tracemalloc.Filter(False, tracemalloc.__file__),)
    base_label, base = snapshots[0]
    base = base.filter_traces(ignore)
    base_total = sum(t.size for t in base.traces)
    report: dict[str, Any] = {"before_mib": round(base_total / 2**20, 1)}
    for label, snapshot in snapshots[1:]:
        snapshot = snapshot.filter_traces(ignore)
        by_silta: dict[str, int] = {}
        by_inner: dict[str, int] = {}
        new = snapshot.compare_to(base, "traceback")
        total = 0
        for stat in new:
            if stat.size_diff <= 0:
                continue
            total += stat.size_diff
            silta, inner = _site(stat)
            by_silta[silta] = by_silta.get(silta, 0) + stat.size_diff
            by_inner[inner] = by_inner.get(inner, 0) + stat.size_diff
        print(f"\n== {label}: +{total / 2**20:.1f} MiB live over '{base_label}'", file=sys.stderr)
        top = sorted(by_silta.items(), key=lambda kv: -kv[1])[:20]
        for site, size in top:
            print(f"  {size / 2**20:8.1f} MiB {100 * size / total:5.1f}%  {site}", file=sys.stderr)
        print("  -- by innermost line:", file=sys.stderr)
        for site, size in sorted(by_inner.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  {size / 2**20:8.1f} MiB {100 * size / total:5.1f}%  {site}", file=sys.stderr)
        report[label] = {
            "increase_mib": round(total / 2**20, 1),
            "top_sites_mib": {site: round(size / 2**20, 2) for site, size in top},
        }
    return report


# -- the parent ---------------------------------------------------------------------------------


def _measure(n: int, extra: list[str]) -> dict[str, Any]:
    """One size in a child process (``extra``: its mode flags)."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.scaling", "--child", str(n), *extra],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={"SILTA_SECRET_KEY": Fernet.generate_key().decode(), **os.environ},
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["child_total_s"] = round(time.perf_counter() - started, 1)
    return figures


def run(
    scale: float = 1.0, sizes: tuple[int, ...] = SIZES, *, in_process: bool = False
) -> dict[str, Any]:
    """Measure each size in its own child; write ``bench/results/scaling.json``."""
    sizes = tuple(max(1, int(n * scale)) for n in sizes)
    points = [_measure(n, [] if in_process else ["--served"]) for n in sizes]
    first, last = points[0], points[-1]
    ratio = last["us_per_record"] / first["us_per_record"]
    metrics: dict[str, Any] = {
        "points": points,
        "time_per_record_ratio_last_first": round(ratio, 2),
        "peak_rss_target_mib": 300,
        "peak_rss_last_mib": last["peak_rss_mib"],
        "sandboxes": "in this process" if in_process else "served by another process",
    }
    if in_process:
        metrics["run_over_world_last_mib"] = last["run_over_world_mib"]
    write("scaling", metrics)
    rows: list[tuple[str, str]] = []
    for p in points:
        timing = (
            f"wall {p['wall_s']:.2f} s, CPU {p['cpu_s']:.2f} s, "
            f"{p['records_per_s']:,.0f} rec/s, {p['us_per_record']:.0f} µs/rec; "
        )
        if in_process:
            memory = (
                f"RSS world {p['rss_world_mib']:.0f} MiB, "
                f"before run {p['rss_before_mib']:.0f} MiB, "
                f"peak {p['peak_rss_mib']:.0f} MiB, run over world +{p['run_over_world_mib']:.0f}"
                f" MiB, over before +{p['run_increment_mib']:.0f} MiB; writes {p['writes']}"
            )
        else:
            memory = (
                f"CPU {p['cpu_us_per_record']:.0f} µs/rec; Silta's process: RSS before "
                f"{p['rss_before_mib']:.0f} MiB, peak {p['peak_rss_mib']:.0f} MiB"
            )
        rows.append((f"{p['records']:,} records", timing + memory))
    rows.append((f"time/record {last['records']:,} vs {first['records']:,}", f"{ratio:.2f}×"))
    table("Full reconciliation, Severa → Netvisor customers", rows)
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="sandboxes in the measured process (peak RSS then includes their data)",
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--trace", type=int, metavar="N", help="tracemalloc at size N")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile at size N")
    parser.add_argument("--trace-in-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-in-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        serve(args.serve, Path(args.dir))
        return
    if args.child is not None:
        if args.served:
            figures = child_served(args.child)
        else:
            figures = child(args.child, trace=args.trace_in_child, profile=args.profile_in_child)
        print(json.dumps(figures))
        return
    if args.trace is not None:
        print(json.dumps(_measure(args.trace, ["--trace-in-child"]), indent=2))
        return
    if args.profile is not None:
        print(json.dumps(_measure(args.profile, ["--profile-in-child"]), indent=2))
        return
    run(args.scale, tuple(int(s) for s in args.sizes.split(",")), in_process=args.in_process)


if __name__ == "__main__":
    main()
