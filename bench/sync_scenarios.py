"""The sync scenarios of issue 8: onboarding both ways, incremental, idle.

Each scenario runs the real engine (:func:`silta.sync.sync_tenant`) against both sandboxes
in the same process through ``httpx.ASGITransport`` (:mod:`bench.worlds`), with latency per
request and Severa's rate limit set from the command line, and compares the API calls per
endpoint with the minimum the documented APIs allow for the same work
(:func:`minimum_calls`, formulas in docs/performance.md "Sync scenarios"). Sizes are the
issue's × 0.1 × ``--scale`` (``--scale 10`` gives the issue's sizes).

Scenarios (each a ``bench/results/<name>.json``):

* ``sync_onboarding_s2n``: Severa → Netvisor from empty (customers, products, dimensions).
* ``sync_incremental_s2n``: the same company an hour later, 1 % of each source register
  renamed in Severa.
* ``sync_onboarding_n2s``: Netvisor → Severa from empty (customers, products).
* ``sync_incremental_n2s``: that company an hour later, 1 % renamed in Netvisor.
* ``sync_idle``: nothing changed, at 1,000 and 10,000 source records (S → N, all three
  registers); the set-up onboarding runs without latency or rate limit and is not measured.
"""

from __future__ import annotations

import math
import resource
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.report import table, write
from bench.worlds import Sizes, World
from silta.sync import sync_tenant

__all__ = ["SCENARIOS", "run"]

SCENARIOS = (
    "sync_onboarding_s2n",
    "sync_incremental_s2n",
    "sync_onboarding_n2s",
    "sync_incremental_n2s",
    "sync_idle",
)

S2N = ("severa_to_netvisor", "severa_to_netvisor")
N2S = ("netvisor_to_severa", "netvisor_to_severa")
FRACTION = 0.01  # incremental: share of each source register changed
SEVERA_PAGE = 100  # rowCount maximum, token and offset paging (severa-api.md §3.1)
GETCUSTOMER_IDLIST = 500  # netvisor-api.md §5.3
GETPRODUCT_IDLIST = 400
HOUR = timedelta(hours=1)


def issue_sizes(direction: str, factor: float) -> Sizes:
    """The issue's onboarding sizes × ``factor``."""

    def f(n: int) -> int:
        return max(1, round(n * factor))

    if direction == "s2n":
        return Sizes(f(10_000), f(10_000), f(2_000), 5, f(30))
    return Sizes(f(2_000), f(2_000))


def idle_sizes(records: int) -> Sizes:
    """About ``records`` Severa source records: 45 % customers, 45 % products, the rest
    projects with 5 phases each and 10 business units."""
    return Sizes(
        customers=round(records * 0.45),
        products=round(records * 0.45),
        projects=max(1, round(records * 0.1 / 6)),
        phases_per_project=5,
        business_units=10,
    )


# -- the minimum calls the documented APIs allow ---------------------------------------------


def _token_pages(n: int) -> int:
    """Token paging: one call per 100 rows, one call for an empty list."""
    return max(1, math.ceil(n / SEVERA_PAGE))


def _offset_pages(n: int) -> int:
    """Offset paging: loop until a page holds fewer than rowCount rows."""
    return n // SEVERA_PAGE + 1


def minimum_calls(kind: str, s: Sizes, changed: Sizes | None = None) -> dict[str, dict[str, int]]:
    """Per service and endpoint, the fewest calls the documented APIs allow.

    ``kind``: ``onboarding_s2n``, ``onboarding_n2s``, ``incremental_s2n``,
    ``incremental_n2s`` or ``idle_s2n``; ``changed``: the records changed since the last run.
    """
    c = changed or Sizes()
    units_with_root = s.business_units + 1
    if kind == "onboarding_s2n":
        # every unit the list returns becomes an item, the company's root unit included
        items = s.projects * (1 + s.phases_per_project) + units_with_root
        return {
            "netvisor": {
                "GET customerlist.nv": 1,
                "POST customer.nv": s.customers,
                "GET productlist.nv": 1,
                "POST product.nv": s.products,
                "GET dimensionlist.nv": 1,
                "POST dimensionitem.nv": items,
            },
            "severa": {
                TOKEN: 1,
                "GET /v1/customers": _token_pages(s.customers),
                "GET /v1/addresses": _offset_pages(s.customers),
                "GET /v1/products": _token_pages(s.products),
                "GET /v1/projects": _token_pages(s.projects),
                "GET /v1/phases": _token_pages(s.projects * (1 + s.phases_per_project)),
                "GET /v1/businessunits": _offset_pages(units_with_root),
                "GET /v1/localization/countries": 1,  # address country GUID → ISO code
            },
        }
    if kind == "onboarding_n2s":
        return {
            "netvisor": {
                "GET customerlist.nv": 1,
                "GET getcustomer.nv": math.ceil(s.customers / GETCUSTOMER_IDLIST),
                "GET productlist.nv": 1,
                "GET getproduct.nv": math.ceil(s.products / GETPRODUCT_IDLIST),
            },
            "severa": {
                TOKEN: 1,
                "GET /v1/customers": 1,
                "POST /v1/customers": s.customers,
                "POST /v1/customers/{customerGuid}/addresses": s.customers,
                "PATCH /v1/customers/{guid}": s.customers,  # headquarterAddress
                "GET /v1/products": 1,
                "POST /v1/products": s.products,
                "GET /v1/localization/countries": 1,  # ISO code → GUID
            },
        }
    if kind in ("incremental_s2n", "idle_s2n"):
        items = c.projects + c.phases_per_project + c.business_units  # phases: count in field
        nv = {
            "POST customer.nv": c.customers,
            "POST product.nv": 0,  # products are only ever created (MISSION.md)
            "POST dimensionitem.nv": items,
        }
        if items:
            nv["GET dimensionlist.nv"] = 1
        sv = {
            TOKEN: 1,
            "GET /v1/customers": _token_pages(c.customers),
            "GET /v1/addresses": _offset_pages(c.customers),
            # a changed customer's head office whose address did not change: its flags
            # (Billing, Post) are only on the AddressModel; one GET each, or the whole list
            # when that is fewer calls
            "GET /v1/addresses/{guid}": min(c.customers, _offset_pages(s.customers)),
            "GET /v1/products": _token_pages(c.products),
            "GET /v1/projects": _token_pages(c.projects),
            "GET /v1/phases": _token_pages(c.phases_per_project),
            "GET /v1/businessunits": _offset_pages(c.business_units),
            "GET /v1/localization/countries": 1 if c.customers else 0,
        }
        return {"netvisor": {k: v for k, v in nv.items() if v}, "severa": sv}
    if kind == "incremental_n2s":
        return {
            "netvisor": {
                "GET customerlist.nv": 1,
                "GET getcustomer.nv": math.ceil(c.customers / GETCUSTOMER_IDLIST),
                "GET productlist.nv": 1,
                "GET getproduct.nv": 0,  # products are only ever created
            },
            "severa": {
                TOKEN: 1,
                # The changed customers as Severa has them, by number: the update writes only
                # the fields that differ and records each change (MISSION.md: the accountant
                # sees what changed), so the current values must be read; and a customer's
                # addresses, for the guids of the head office and delivery address to patch
                # and their current values (one call per customer, or the whole address list
                # when that is fewer). An earlier version of this formula counted a blind
                # PATCH only, which no correct update can do.
                "GET /v1/customers": _token_pages(c.customers) if c.customers else 0,
                "GET /v1/customers/{customerGuid}/addresses": min(
                    c.customers, _offset_pages(s.customers)
                ),
                "PATCH /v1/customers/{guid}": c.customers,
                "GET /v1/localization/countries": 1 if c.customers else 0,
            },
        }
    raise ValueError(kind)


def lower_bound(
    minimum: dict[str, dict[str, int]], *, nv_latency: float, sv_latency: float, limit: int
) -> dict[str, float]:
    """Seconds the minimum calls need: Netvisor one at a time; Severa at most ``limit`` sends
    in any rolling second (``ceil(n / limit) - 1`` whole seconds, then one latency)."""
    nv_calls = sum(minimum["netvisor"].values())
    sv_calls = sum(minimum["severa"].values())
    nv = nv_calls * nv_latency
    sv = (max(0, math.ceil(sv_calls / limit) - 1) + sv_latency) if sv_calls else 0.0
    return {"netvisor_s": nv, "severa_s": sv, "overlapped_s": max(nv, sv), "serial_s": nv + sv}


# -- running and measuring -------------------------------------------------------------------


TOKEN = "POST /v1/token or /v1/refreshtoken"  # noqa: S105 (an endpoint name)


def _snapshot(world: World) -> dict[str, Counter[str]]:
    severa: Counter[str] = Counter()
    for (method, route), n in world.sv.stats.requests.items():
        name = f"{method} {route}"
        severa[TOKEN if name in ("POST /v1/token", "POST /v1/refreshtoken") else name] += n
    return {
        "netvisor": Counter({f"{m} {r}": n for (m, r), n in world.nv.stats.requests.items()}),
        "severa": severa,
    }


def _minus(after: dict[str, Counter[str]], before: dict[str, Counter[str]]) -> dict[str, Any]:
    return {service: dict(sorted((after[service] - before[service]).items())) for service in after}


async def sync_once(
    world: World, *, full: bool, rate: int, records: int | None = None
) -> dict[str, Any]:
    """One sync run of the tenant, measured: calls per endpoint in total and per register."""
    by_register: dict[str, Any] = {}
    statuses: dict[str, Any] = {}
    mark = [_snapshot(world)]
    start_snapshot = mark[0]
    rate_limited = world.sv.stats.rate_limited

    def ended(result: Any) -> None:
        now = _snapshot(world)
        by_register[result.register.value] = _minus(now, mark[0])
        statuses[result.register.value] = {
            "status": result.status.value, "counts": result.counts, "error": result.error,
        }  # fmt: skip
        mark[0] = now

    wall0, cpu0 = time.perf_counter(), time.process_time()
    await sync_tenant(
        world.store, world.tenant(), full=full, clock=world.clock, severa_rate=rate,
        http=world.http, on_result=ended,
    )  # fmt: skip
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    calls = _minus(_snapshot(world), start_snapshot)
    out: dict[str, Any] = {
        "wall_s": round(wall, 3),
        "cpu_s_process": round(cpu, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "calls": calls,
        "calls_total": {k: sum(v.values()) for k, v in calls.items()},
        "calls_per_register": by_register,
        "runs": statuses,
        "severa_429": world.sv.stats.rate_limited - rate_limited,
    }
    if records:
        out["records"] = records
        out["records_per_s"] = round(records / wall, 1) if wall else None
    return out


def compare(measured: dict[str, Any], minimum: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Per endpoint: measured, minimum, excess; totals and their ratio."""
    rows = {}
    for service in ("netvisor", "severa"):
        got = measured["calls"][service]
        want = minimum[service]
        for endpoint in sorted(set(got) | set(want)):
            rows[f"{service} {endpoint}"] = {
                "measured": got.get(endpoint, 0), "minimum": want.get(endpoint, 0),
            }  # fmt: skip
    measured_total = sum(measured["calls_total"].values())
    minimum_total = sum(sum(v.values()) for v in minimum.values())
    return {
        "endpoints": rows,
        "measured_total": measured_total,
        "minimum_total": minimum_total,
        "ratio": round(measured_total / minimum_total, 3) if minimum_total else None,
    }


def register_of(endpoint: str) -> str:
    """The register an endpoint's calls serve (the token goes with customers, the first)."""
    if any(w in endpoint for w in ("dimension", "/v1/projects", "/v1/phases", "businessunits")):
        return "dimensions"
    if "product" in endpoint:
        return "products"
    return "customers"


def per_register(measured: dict[str, Any], minimum: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Measured and minimum calls per register and service, and the excess."""
    out: dict[str, Any] = {}
    for service in ("netvisor", "severa"):
        for source, sign in (
            (measured["calls"][service], "measured"),
            (minimum[service], "minimum"),
        ):
            for endpoint, n in source.items():
                row = out.setdefault(register_of(endpoint), {}).setdefault(
                    service, {"measured": 0, "minimum": 0}
                )
                row[sign] += n
    for services in out.values():
        for row in services.values():
            row["excess"] = row["measured"] - row["minimum"]
    return out


def _summary_rows(name: str, m: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        ("records", str(m.get("records", "-"))),
        ("wall", f"{m['wall_s']:.1f} s"),
        ("lower bound (overlapped / serial)",
         f"{m['bound']['overlapped_s']:.1f} / {m['bound']['serial_s']:.1f} s"),
        ("wall / bound", f"{m['wall_over_bound']:.2f}"),
        ("calls measured / minimum",
         f"{m['compare']['measured_total']} / {m['compare']['minimum_total']}"
         f" (×{m['compare']['ratio']})"),
        ("CPU s (engine + sandboxes)", f"{m['cpu_s_process']:.1f}"),
        ("peak RSS", f"{m['peak_rss_mib']:.0f} MiB"),
        ("records/s", str(m.get("records_per_s", "-"))),
        ("Severa 429s", str(m["severa_429"])),
    ]  # fmt: skip
    for register, services in m.get("per_register", {}).items():
        for service, row in services.items():
            rows.append(
                (f"  {register} {service}", f"{row['measured']} (minimum {row['minimum']})")
            )
    for endpoint, row in m["compare"]["endpoints"].items():
        if row["measured"] != row["minimum"]:
            rows.append((f"  {endpoint}", f"{row['measured']} (minimum {row['minimum']})"))
    return rows


def _finish(name: str, m: dict[str, Any], minimum: dict[str, Any], knobs: dict[str, Any]) -> None:
    m["minimum_calls"] = minimum
    m["bound"] = lower_bound(
        minimum, nv_latency=knobs["netvisor_latency_s"], sv_latency=knobs["severa_latency_s"],
        limit=knobs["severa_limit"],
    )  # fmt: skip
    m["wall_over_bound"] = (
        round(m["wall_s"] / m["bound"]["overlapped_s"], 2) if (m["bound"]["overlapped_s"]) else None
    )
    m["compare"] = compare(m, minimum)
    m["per_register"] = per_register(m, minimum)
    m["knobs"] = knobs
    write(name, m)
    table(name, _summary_rows(name, m))


async def _chain(
    direction: str, scale: float, knobs: dict[str, Any], chosen: tuple[str, ...]
) -> None:
    """Onboarding, then (an hour later, 1 % changed) the incremental run, of one company."""
    onboarding, incremental = f"sync_onboarding_{direction}", f"sync_incremental_{direction}"
    sizes = issue_sizes(direction, 0.1 * scale)
    limit = knobs["severa_limit"]
    with tempfile.TemporaryDirectory(prefix="silta-bench-") as tmp:
        world = World(Path(tmp), severa_limit=limit)
        try:
            customers, products = S2N if direction == "s2n" else N2S
            world.configure(customers, products, dimensions=direction == "s2n")
            if direction == "s2n":
                world.fill_severa(sizes)
            else:
                world.fill_netvisor(sizes)
            world.clock.advance(HOUR)  # the records existed before Silta's first run
            world.knobs(
                netvisor_latency=knobs["netvisor_latency_s"],
                severa_latency=knobs["severa_latency_s"], limit=limit,
            )  # fmt: skip
            m = await sync_once(world, full=False, rate=limit, records=sizes.records)
            m["sizes"] = _sizes(sizes)
            if onboarding in chosen:
                _finish(onboarding, m, minimum_calls(f"onboarding_{direction}", sizes), knobs)
            if incremental not in chosen:
                return
            world.clock.advance(HOUR)
            if direction == "s2n":
                changed_n = world.change_severa(FRACTION)
                changed = _changed(sizes, FRACTION, s2n=True)
            else:
                changed_n = world.change_netvisor(FRACTION)
                changed = _changed(sizes, FRACTION, s2n=False)
            world.clock.advance(timedelta(minutes=1))
            m = await sync_once(world, full=False, rate=limit, records=changed_n)
            m["sizes"] = _sizes(sizes)
            m["changed"] = _sizes(changed)
            _finish(
                incremental, m, minimum_calls(f"incremental_{direction}", sizes, changed), knobs
            )
        finally:
            await world.close()


def _changed(s: Sizes, fraction: float, *, s2n: bool) -> Sizes:
    def share(n: int) -> int:
        return min(n, max(1, round(n * fraction))) if n else 0

    if not s2n:
        return Sizes(share(s.customers), share(s.products))
    # phases_per_project carries the changed phases' count here (see minimum_calls)
    return Sizes(
        share(s.customers), share(s.products), share(s.projects),
        share(s.projects * s.phases_per_project), share(s.business_units),
    )  # fmt: skip


def _sizes(s: Sizes) -> dict[str, int]:
    return {
        "customers": s.customers, "products": s.products, "projects": s.projects,
        "phases_per_project": s.phases_per_project, "business_units": s.business_units,
    }  # fmt: skip


async def _idle(knobs: dict[str, Any], sizes_in_records: tuple[int, ...]) -> None:
    """Idle runs at each size; the set-up onboarding runs at full speed, unmeasured."""
    limit = knobs["severa_limit"]
    results: dict[str, Any] = {}
    for records in sizes_in_records:
        sizes = idle_sizes(records)
        with tempfile.TemporaryDirectory(prefix="silta-bench-") as tmp:
            world = World(Path(tmp), severa_limit=None)  # type: ignore[arg-type]
            try:
                world.configure(*S2N, dimensions=True)
                world.fill_severa(sizes)
                world.clock.advance(HOUR)
                world.knobs(netvisor_latency=0, severa_latency=0, limit=None)
                setup0 = time.perf_counter()
                setup = await sync_once(world, full=False, rate=10_000, records=sizes.records)
                setup_s = time.perf_counter() - setup0
                world.clock.advance(HOUR)
                world.knobs(
                    netvisor_latency=knobs["netvisor_latency_s"],
                    severa_latency=knobs["severa_latency_s"], limit=limit,
                )  # fmt: skip
                m = await sync_once(world, full=False, rate=limit, records=sizes.records)
                m["sizes"] = _sizes(sizes)
                m["setup_onboarding"] = {
                    "wall_s": round(setup_s, 1), "calls_total": setup["calls_total"],
                    "runs": setup["runs"], "cpu_s_process": setup["cpu_s_process"],
                }  # fmt: skip
                minimum = minimum_calls("idle_s2n", sizes, Sizes())
                m["minimum_calls"] = minimum
                m["bound"] = lower_bound(
                    minimum, nv_latency=knobs["netvisor_latency_s"],
                    sv_latency=knobs["severa_latency_s"], limit=limit,
                )  # fmt: skip
                m["wall_over_bound"] = round(m["wall_s"] / m["bound"]["overlapped_s"], 2)
                m["compare"] = compare(m, minimum)
                m["per_register"] = per_register(m, minimum)
                results[str(records)] = m
                table(f"sync_idle at {sizes.records} records", _summary_rows("sync_idle", m))
                per_reg = [
                    (f"  {reg} {svc}", str(sum(calls[svc].values())))
                    for reg, calls in m["calls_per_register"].items()
                    for svc in ("netvisor", "severa")
                ]
                table(f"sync_idle at {sizes.records} records: calls per register", per_reg)
            finally:
                await world.close()
    write("sync_idle", {"knobs": knobs, "by_size": results})


async def run(
    *,
    scale: float = 1.0,
    netvisor_latency_ms: float = 20.0,
    severa_latency_ms: float = 20.0,
    severa_limit: int = 10,
    only: str | None = None,
) -> None:
    knobs = {
        "netvisor_latency_s": netvisor_latency_ms / 1000,
        "severa_latency_s": severa_latency_ms / 1000,
        "severa_limit": severa_limit,
        "scale": scale,
        "transport": "httpx.ASGITransport, in process (sandboxes share the CPU and loop)",
    }
    chosen = SCENARIOS if only is None else (only,)
    if "sync_onboarding_s2n" in chosen or "sync_incremental_s2n" in chosen:
        await _chain("s2n", scale, knobs, chosen)
    if "sync_onboarding_n2s" in chosen or "sync_incremental_n2s" in chosen:
        await _chain("n2s", scale, knobs, chosen)
    if "sync_idle" in chosen:
        await _idle(knobs, (1_000, 10_000))
