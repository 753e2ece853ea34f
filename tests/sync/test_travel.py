"""Severa travel reimbursements → Netvisor travel invoices through the engine, against the
sandboxes (issue 19; invoices.md §1.3, §5.13).

The oracle (:func:`expected_documents`) reads Severa's side directly: every report in an
approved status with something to reimburse and a non-zero sum, whose person Netvisor knows
and whose every type is mapped, is one Netvisor travel invoice with one line per expense,
each line's quantity and unit price Severa's, PAID where Severa needs no reimbursement.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from silta.domain import Register
from silta.sandbox.sample import Sample

from .conftest import World, completed
from .money import money_world, travel_settings


def refused_keys(world: World, result: Any) -> set[str]:
    return {key for keys in world.refusals(result).values() for key in keys}


def expected_documents(world: World, sample: Sample, refused: set[str]) -> dict[str, Any]:
    """Per report GUID: sorted (quantity, unit price, PAID?) of its lines."""
    assert sample.travel is not None
    approved = {sample.travel.approved, sample.travel.transferred}
    found: dict[str, Any] = {}
    for report in world.sv.travel.all_reimbursements():
        if report["travelReimbursementStatus"]["guid"] not in approved or report["guid"] in refused:
            continue
        expenses = world.sv.travel.expenses_json(report["guid"])
        reimbursable = [e for e in expenses if e.get("travelReimbursementRequired", True)]
        total = sum(Decimal(str(e["quantity"])) * Decimal(str(e["unitCost"]["amount"]))
                    for e in expenses)  # fmt: skip
        if not reimbursable or total == 0:
            continue
        found[report["guid"]] = sorted(
            (Decimal(str(e["quantity"])).normalize(),
             Decimal(str(e["unitCost"]["amount"])).normalize(),
             not e.get("travelReimbursementRequired", True))
            for e in expenses
        )  # fmt: skip
    return found


def documents(world: World) -> dict[str, Any]:
    """Netvisor's travel invoices by the report GUID their description names (a duplicate
    fails)."""
    found: dict[str, Any] = {}
    for trip in world.nv.travel.trip_expenses():
        guid = trip.description.removeprefix("Severa ")
        assert guid not in found, trip.header
        found[guid] = sorted(
            (line.quantity.normalize(),
             line.unit_price.normalize() if line.unit_price is not None else None,
             line.status == "PAID")
            for line in trip.lines
        )  # fmt: skip
    return found


async def test_netvisor_travel_documents_equal_severa_s_approved_reports(tmp_path: Path) -> None:
    async with money_world(tmp_path, place=False) as (world, sample, _placed):
        world.settings(**travel_settings(world, sample))
        result = await world.sync_one(Register.TRAVEL)
        print(result.counts, world.refusals(result))
        completed([result])
        expected = expected_documents(world, sample, refused_keys(world, result))
        assert len(expected) >= 3
        assert documents(world) == expected
        made = [e for e in world.entries(result) if e.action.value == "create"]
        assert made and all({d.key for d in e.details} == {"person", "total"} for e in made)
        again = await world.sync_one(Register.TRAVEL)
        completed([again])
        assert documents(world) == expected
