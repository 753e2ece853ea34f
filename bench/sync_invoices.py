"""``sync_invoices``: N Severa invoices of M rows each, *ready*, transferred to Netvisor.

The company's registers are synchronised first, without latency and not measured
(customers Severa → Netvisor; products not transferred, the rows' codes are Netvisor's own
products). Then the KH turns the invoice transfer on and one run of the ``invoices``
register is measured with the sync scenarios' knobs (latency per call, Severa's rate
limit). It is compared with the documented minimum (``docs/architecture.md``, "Calls per
invoice and per run", plus Severa's statuses read once): Netvisor ``2N + 1`` (one product
list, per invoice a lookup by number and the add), Severa a token, the statuses, the ready
list in pages of 100, per invoice its rows in pages of 100 and the status PATCH.

Passes when Netvisor's calls are at most the minimum + 2 and the wall time at most 1.10 ×
the serial bound (Netvisor's calls one at a time plus Severa's at its limit).
"""

from __future__ import annotations

import math
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from bench.report import table, write
from bench.sync_scenarios import TOKEN, _minus, _snapshot, compare, lower_bound
from bench.worlds import Sizes, World
from silta.domain import ProductDirection, Register
from silta.sandbox.severa.invoices import Row
from silta.sync import sync_tenant

__all__ = ["SCENARIO", "minimum_calls", "run"]

SCENARIO = "sync_invoices"
INVOICES = 60  # × --scale
ROWS = 5
PAGE = 100


def minimum_calls(invoices: int, rows: int) -> dict[str, dict[str, int]]:
    """The documented minimum of one run that transfers every invoice (no credit notes,
    no dimensions on lines, no 0 % rows)."""
    return {
        "netvisor": {
            "GET productlist.nv": 1,
            "GET salesinvoicelist.nv": invoices,
            "POST salesinvoice.nv": invoices,
        },
        "severa": {
            TOKEN: 1,
            "GET /v1/invoicestatuses": 1,
            "GET /v1/invoices": max(1, math.ceil(invoices / PAGE)),
            "GET /v1/invoices/{invoiceGuid}/invoicerows": invoices * math.ceil(rows / PAGE),
            "PATCH /v1/invoices/{guid}": invoices,
        },
    }


def _fill(world: World, invoices: int, rows: int) -> None:
    statuses = world.sv.invoicing.connect_netvisor()
    world.sv.invoicing.next_number = 26001  # a reference needs 4 digits at least (7-3-1)
    customers = world.severa_guids["customer"]
    for n in range(invoices):
        world.sv.invoicing.put_invoice(
            status=statuses.ready,
            billing_customer=customers[n % len(customers)],
            rows=[
                Row(f"Rivi {m + 1}", Decimal("12.50") + m, Decimal("25.5"),
                    quantity=Decimal(1 + (n + m) % 7), code=(f"NP{1 + m % 5}",))
                for m in range(rows)
            ],
            date=date(2026, 3, 2),
        )  # fmt: skip
    settings = world.store.settings(world.tenant_id)
    world.store.change_settings(
        world.tenant_id,
        attrs.evolve(
            settings,
            invoices_enabled=True,
            invoices_ready_status=statuses.ready,
            invoices_transferred_status=statuses.transferred,
        ),
        changed_by="bench",
    )


async def run(
    *,
    scale: float = 1.0,
    netvisor_latency_ms: float = 20.0,
    severa_latency_ms: float = 20.0,
    severa_limit: int = 10,
) -> dict[str, Any]:
    invoices = max(1, round(INVOICES * scale))
    knobs = {
        "netvisor_latency_s": netvisor_latency_ms / 1000,
        "severa_latency_s": severa_latency_ms / 1000,
        "severa_limit": severa_limit,
        "scale": scale,
        "invoices": invoices,
        "rows": ROWS,
        "transport": "httpx.ASGITransport, in process (sandboxes share the CPU and loop)",
    }
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder), severa_limit=severa_limit)
        try:
            world.configure("severa_to_netvisor", "temp_product", dimensions=False)
            world.fill_severa(Sizes(customers=20, products=0))
            world.fill_netvisor(Sizes(customers=0, products=5))
            world.knobs(netvisor_latency=0, severa_latency=0, limit=None)
            await sync_tenant(world.store, world.tenant(), http=world.http, clock=world.clock,
                              severa_rate=1000, registers=[Register.CUSTOMERS])  # fmt: skip
            assert world.tenant().settings.products is ProductDirection.TEMP_PRODUCT
            _fill(world, invoices, ROWS)
            world.knobs(
                netvisor_latency=knobs["netvisor_latency_s"],
                severa_latency=knobs["severa_latency_s"],
                limit=severa_limit,
            )
            before = _snapshot(world)
            wall0, cpu0 = time.perf_counter(), time.process_time()
            (result,) = await sync_tenant(
                world.store, world.tenant(), http=world.http, clock=world.clock,
                severa_rate=severa_limit, registers=[Register.INVOICES],
            )  # fmt: skip
            wall = time.perf_counter() - wall0
            cpu = time.process_time() - cpu0
            calls = _minus(_snapshot(world), before)
            sent = len(world.nv.sales_invoices())
        finally:
            await world.close()
            world.store.close()
    minimum = minimum_calls(invoices, ROWS)
    measured: dict[str, Any] = {
        "wall_s": round(wall, 3),
        "cpu_s_process": round(cpu, 3),
        "calls": calls,
        "calls_total": {k: sum(v.values()) for k, v in calls.items()},
        "run": {
            "status": result.status.value,
            "counts": result.counts,
            "error": result.error,
            "refusals": result.refusals,
        },
        "invoices_in_netvisor": sent,
    }
    bound = lower_bound(
        minimum, nv_latency=knobs["netvisor_latency_s"], sv_latency=knobs["severa_latency_s"],
        limit=severa_limit,
    )  # fmt: skip
    netvisor_measured = measured["calls_total"].get("netvisor", 0)
    netvisor_minimum = sum(minimum["netvisor"].values())
    measured.update(
        minimum_calls=minimum,
        bound=bound,
        compare=compare(measured, minimum),
        wall_over_serial_bound=round(wall / bound["serial_s"], 3) if bound["serial_s"] else None,
        netvisor_excess=netvisor_measured - netvisor_minimum,
        passed=bool(
            sent == invoices
            and netvisor_measured <= netvisor_minimum + 2
            and wall <= 1.10 * bound["serial_s"]
        ),
        knobs=knobs,
    )
    write(SCENARIO, measured)
    rows = [
        ("invoices × rows", f"{invoices} × {ROWS}"),
        ("run", f"{result.status.value} {result.counts} {result.refusals or ''}"),
        ("in Netvisor", str(sent)),
        ("wall", f"{wall:.1f} s"),
        ("serial bound", f"{bound['serial_s']:.1f} s (overlapped {bound['overlapped_s']:.1f} s)"),
        ("wall / serial bound", f"{measured['wall_over_serial_bound']:.2f} (≤ 1.10)"),
        ("Netvisor calls / minimum", f"{netvisor_measured} / {netvisor_minimum} (≤ +2)"),
        ("Severa calls / minimum", f"{measured['calls_total'].get('severa', 0)} / "
                                   f"{sum(minimum['severa'].values())}"),
        ("passed", str(measured["passed"])),
    ]  # fmt: skip
    for endpoint, row in measured["compare"]["endpoints"].items():
        if row["measured"] != row["minimum"]:
            rows.append((f"  {endpoint}", f"{row['measured']} (minimum {row['minimum']})"))
    table(SCENARIO, rows)
    return measured
