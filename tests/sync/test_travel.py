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

import httpx
import pytest
from typer.testing import CliRunner

from silta.cli import app as cli
from silta.domain import Register
from silta.sandbox.sample import Sample, SampleSpec, populate

from .conftest import World, completed, make_world
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


async def test_a_report_is_moved_to_the_status_after_transfer(tmp_path: Path) -> None:
    async with money_world(tmp_path, place=False) as (world, sample, _placed):
        assert sample.travel is not None
        world.settings(**travel_settings(world, sample))
        result = await world.sync_one(Register.TRAVEL)
        completed([result])
        sent = set(documents(world))
        for guid in sample.travel.reports:
            report = world.sv.travel.reimbursement(guid)
            assert report is not None
            moved = report["travelReimbursementStatus"]["guid"] == sample.travel.transferred
            assert moved == (guid in sent), report["title"]


async def test_the_planted_travel_rules_are_refused(tmp_path: Path) -> None:
    async with money_world(tmp_path, place=False) as (world, sample, _placed):
        assert sample.travel is not None
        # dimensions on, missing items created (as the demo has it): the planted expense on
        # a phase without a code is still refused, since no item can stand for it
        world.settings(**travel_settings(world, sample, travel_dimensions=True,
                                         travel_create_missing_items=True))  # fmt: skip
        result = await world.sync_one(Register.TRAVEL)
        completed([result])
        refused = world.refusals(result)
        assert {case.rule for case in sample.travel.planted} == set(refused)
        for case in sample.travel.planted:
            assert refused.get(case.rule) == [case.key], case.rule
        skipped = {r.rule for e in world.entries(result) for r in e.refusals
                   if e.action.value == "skip"}  # fmt: skip
        assert {"travel.nothing_to_reimburse", "travel.zero_sum"} <= skipped


async def test_receipts_travel_on_their_lines(tmp_path: Path) -> None:
    async with money_world(tmp_path, place=False) as (world, sample, _placed):
        world.settings(**travel_settings(world, sample))
        completed([await world.sync_one(Register.TRAVEL)])
        attached = [a for t in world.nv.travel.trip_expenses() for line in t.lines
                    for a in line.attachments]  # fmt: skip
        assert {a.file_name for a in attached} >= {"kuitti_taksi.pdf", "kuitti_hotelli.pdf"}
        assert sum(len(a.data) for a in attached) == 420_000 + 1_700_000 + 1_100_000


async def test_missing_items_are_created_or_refused_as_the_kh_chose(tmp_path: Path) -> None:
    """Dimensions on the lines (project and business unit). Before the dimension sync has
    made the items: refused with create-missing off, created first with it on."""
    async with make_world(tmp_path) as world:
        sample = populate(world.nv, world.sv, spec=SampleSpec(
            seed=2, customers=12, products=12, projects=4, phases_per_project=2,
            business_units=2, invoices=False, purchases=False))  # fmt: skip
        project_header, unit_header = sample.dimension_headers
        world.settings(project_header=project_header, business_unit_header=unit_header,
                       **travel_settings(world, sample, travel_dimensions=True))  # fmt: skip
        refused = await world.sync_one(Register.TRAVEL)
        completed([refused])
        assert "travel.dimension_item_missing" in world.refusals(refused)
        assert documents(world) == {}
        world.settings(travel_create_missing_items=True)
        made = await world.sync_one(Register.TRAVEL)
        completed([made])
        assert "travel.dimension_item_missing" not in world.refusals(made)
        trips = world.nv.travel.trip_expenses()
        assert trips and all(
            {project_header, unit_header} <= {d.header_name for d in line.dimensions}
            for trip in trips for line in trip.lines
        )  # fmt: skip
        names = {i.name for i in world.nv.dimension_items(project_header)}
        assert all(line.dimensions[0].item_name in names for t in trips for line in t.lines)


async def test_a_lost_answer_holds_the_report_until_the_kh_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with money_world(tmp_path, place=False) as (world, sample, _placed):
        world.settings(**travel_settings(world, sample))
        fired: list[str] = []

        async def after(request: Any, _writes: int) -> Any:
            if not fired and request.url.path.endswith("tripexpense.nv"):
                fired.append("lost")
                raise httpx.ReadTimeout("the answer was lost", request=request)
            return None

        world.transport.after = after
        await world.sync_one(Register.TRAVEL)
        world.transport.after = None
        assert len(world.nv.travel.trip_expenses()) >= 1
        before = len(world.nv.travel.trip_expenses())
        again = await world.sync_one(Register.TRAVEL, full=True)
        completed([again])
        held = [e for e in world.entries(again)
                if any(r.rule == "travel.outcome_unknown" for r in e.refusals)]  # fmt: skip
        assert len(held) == 1 and "Severa" in held[0].refusals[0].message_fi
        assert len(world.nv.travel.trip_expenses()) == before  # not sent again
        # the KH answers from the command line: it is in Netvisor
        monkeypatch.setenv("SILTA_DATABASE_URL", f"sqlite:///{tmp_path / 'silta.db'}")
        monkeypatch.setenv("SILTA_SECRET_KEY_FILE", str(tmp_path / "silta.key"))
        listed = CliRunner().invoke(cli, ["tenant", "travel-held", "Testi Oy"])
        assert listed.exit_code == 0 and held[0].source_key in listed.output, listed.output
        guid = held[0].source_key or ""
        answered = CliRunner().invoke(cli, ["tenant", "travel-held", "Testi Oy",
                                            "--transferred", guid])  # fmt: skip
        assert answered.exit_code == 0, answered.output
        completed([await world.sync_one(Register.TRAVEL, full=True)])
        assert len(world.nv.travel.trip_expenses()) == before
        documents(world)  # once each


async def test_an_idle_run_costs_two_severa_calls_and_no_netvisor_call(tmp_path: Path) -> None:
    async with money_world(tmp_path, place=False) as (world, sample, _placed):
        world.settings(**travel_settings(world, sample))
        completed([await world.sync_one(Register.TRAVEL)])
        world.clock.advance(minutes=30)
        completed([await world.sync_one(Register.TRAVEL)])  # reads its own status changes
        world.clock.advance(minutes=30)
        calls: list[str] = []

        async def count(request: Any, _writes: int) -> None:
            if "token" not in request.url.path:
                calls.append(request.url.path)

        world.transport.hook = count
        completed([await world.sync_one(Register.TRAVEL)])
        world.transport.hook = None
        assert [c for c in calls if "/netvisor/" in c] == []
        assert len([c for c in calls if "/severa/" in c]) <= 2, calls
