"""The money transfers' call counts (issue 19): onboarding and idle runs.

* **Purchase lines, onboarding N invoices** (two project lines each, on the items the
  dimension sync made): the calls per service against the documented minimum, Netvisor
  ``1 list + ⌈N/500⌉ getpurchaseinvoice + 1 dimensionlist`` and Severa one POST per line
  (docs/architecture.md); the target is the minimum + 2.
* **Idle** runs of both transfers after histories of two sizes (N and 4 N): Netvisor ≤ 2
  and Severa 0 for purchase lines; Severa ≤ 2 and Netvisor 0 for travel, whatever N.

Calls are counted at the HTTP client (token requests left out). Written to
``bench/results/money.json``.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx

from bench import report
from bench.worlds import PROJECT_HEADER, Sizes, World
from silta.backoff import RetryPolicy
from silta.domain import Register, RunStatus
from silta.sandbox.netvisor.purchaseinvoices import LinePlan
from silta.sandbox.severa.travel import ExpensePlan
from silta.sync import sync_tenant

__all__ = ["run"]


class _Calls:
    """Requests per service, counted by an httpx event hook."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.counts: Counter[str] = Counter()
        http.event_hooks["request"].append(self._seen)

    async def _seen(self, request: httpx.Request) -> None:
        path = request.url.path
        if "token" in path:
            return
        self.counts["netvisor" if path.startswith("/netvisor") else "severa"] += 1

    def take(self) -> dict[str, int]:
        found = {"netvisor": self.counts["netvisor"], "severa": self.counts["severa"]}
        self.counts.clear()
        return found


async def _sync(world: World, register: Register) -> None:
    [result] = await sync_tenant(
        world.store, world.tenant(), registers=(register,), http=world.http, clock=world.clock,
        severa_rate=1000, retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
    )  # fmt: skip
    assert result.status is RunStatus.COMPLETED, (register, result.error, result.counts)


def _invoices(world: World, count: int, start: int) -> int:
    """``count`` accepted invoices of two lines on project items; the lines made."""
    nv = world.nv
    header = next(h for h in nv.dimension_headers() if h.name == PROJECT_HEADER)
    items = [i.key for i in nv.dimension_items(header.name)]
    vendor = nv.purchase_invoices.put_vendor(f"Toimittaja {start}", business_id="1234567-1")
    for n in range(count):
        lines = [
            LinePlan(f"Tarvike {m}", Decimal(2), Decimal("12.50"), Decimal("25.5"), "KOOS",
                     ("4000", "Ostot"), (items[(n + m) % len(items)],))
            for m in range(2)
        ]  # fmt: skip
        nv.purchase_invoices.put(
            number=str(start + n), vendor=vendor, invoice_date=date(2026, 11, 2), lines=lines
        )
    return 2 * count


def _reports(world: World, count: int, user: str, kind: str) -> None:
    project = world.severa_guids["project"][0]
    approved = world.sv.travel.default_statuses.approved
    for n in range(count):
        world.sv.travel.put_reimbursement(
            user, f"Matka {n}", [ExpensePlan(kind, project, Decimal(10 + n), Decimal("0.55"))],
            status=approved,
        )  # fmt: skip


def _later(world: World) -> None:
    world.clock.advance(timedelta(minutes=40))


async def _scenario(directory: Path, invoices: int) -> dict[str, Any]:
    world = World(directory, severa_limit=1000)
    calls = _Calls(world.http)
    try:
        world.fill_severa(Sizes(customers=1, projects=4, phases_per_project=2))
        world.configure("temp_customer", "temp_product", dimensions=True)
        await _sync(world, Register.DIMENSIONS)
        product = world.sv.put_product("Ostokulu", "KULU", vatRate=25.5)
        kind = world.sv.travel.put_travel_expense_type("Kilometrit", "KM", "Mileage")
        user = world.sv.put_user("Aino", "Virtanen", "1001")
        world.nv.travel.put_employee("1001", "Aino", "Virtanen")
        current = world.store.settings(world.tenant_id)
        world.store.change_settings(
            world.tenant_id,
            attrs.evolve(
                current, purchase_lines_enabled=True, purchase_lines_product=product,
                travel_enabled=True, travel_travel_types=f"{kind}=car",
            ),
            changed_by="bench",
        )  # fmt: skip
        figures: dict[str, Any] = {"invoices": invoices}
        lines = _invoices(world, invoices, 100_000)
        _reports(world, max(1, invoices // 10), user, kind)
        _later(world)
        calls.take()
        started = time.perf_counter()
        await _sync(world, Register.PURCHASE_LINES)
        figures["onboarding_seconds"] = round(time.perf_counter() - started, 2)
        onboarding = calls.take()
        minimum = {"netvisor": 2 + math.ceil(invoices / 500), "severa": lines}
        figures["onboarding"] = onboarding
        figures["onboarding_minimum"] = minimum
        figures["onboarding_within_minimum_plus_2"] = all(
            onboarding[s] <= minimum[s] + 2 for s in minimum
        )
        await _sync(world, Register.TRAVEL)
        calls.take()
        for label in ("idle", "idle_after_4x"):
            if label == "idle_after_4x":  # a history four times as long, then idle again
                _invoices(world, 3 * invoices, 500_000)
                _reports(world, 3 * max(1, invoices // 10), user, kind)
                _later(world)
                await _sync(world, Register.PURCHASE_LINES)
                await _sync(world, Register.TRAVEL)
            for _ in range(2):  # the overlap re-reads a run's own changes once
                _later(world)
                await _sync(world, Register.PURCHASE_LINES)
                await _sync(world, Register.TRAVEL)
            calls.take()
            _later(world)
            await _sync(world, Register.PURCHASE_LINES)
            figures[f"purchase_lines_{label}"] = calls.take()
            await _sync(world, Register.TRAVEL)
            figures[f"travel_{label}"] = calls.take()
        figures["fees"] = len(world.sv.project_fees.fees())
        figures["travel_invoices"] = len(world.nv.travel.trip_expenses())
        return figures
    finally:
        await world.close()
        world.store.close()


async def run(*, scale: float = 1.0) -> dict[str, Any]:
    invoices = max(10, round(600 * scale))
    with tempfile.TemporaryDirectory() as directory:
        figures = await _scenario(Path(directory), invoices)
    idle_ok = (
        figures["purchase_lines_idle"]["netvisor"] <= 2
        and figures["purchase_lines_idle"]["severa"] == 0
        and figures["purchase_lines_idle_after_4x"] == figures["purchase_lines_idle"]
        and figures["travel_idle"]["severa"] <= 2
        and figures["travel_idle"]["netvisor"] == 0
        and figures["travel_idle_after_4x"] == figures["travel_idle"]
    )
    figures["idle_within_2_calls_whatever_the_history"] = idle_ok
    report.table(
        "money transfers (issue 19)",
        [
            (f"onboarding {invoices} purchase invoices", f"{figures['onboarding']} "
             f"(minimum {figures['onboarding_minimum']}, {figures['onboarding_seconds']} s)"),
            ("purchase lines idle (N, 4N)",
             f"{figures['purchase_lines_idle']}, {figures['purchase_lines_idle_after_4x']}"),
            ("travel idle (N, 4N)", f"{figures['travel_idle']}, {figures['travel_idle_after_4x']}"),
            ("targets met", str(idle_ok and figures["onboarding_within_minimum_plus_2"])),
        ],
    )  # fmt: skip
    report.write("money", figures)
    return figures
