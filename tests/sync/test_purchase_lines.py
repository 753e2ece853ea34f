"""Purchase-invoice lines → Severa project fees through the engine, against the sandboxes
(issue 19; invoices.md §1.4, §5.12).

The oracle (:func:`qualifying`) is written from the settled rules and reads the sandboxes
directly, not the rules module: a line of an accepted invoice qualifies when every item it
carries under the project header is one the dimension register linked (by key), they name
one project and at most one phase of it, and its account has a product; its cost is the net
sum for KOOS and the gross sum for NONE.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from silta.domain import PurchaseCostMethod, Register, Status
from silta.registers import purchase_lines as rules
from silta.sandbox.sample import Sample
from silta.store import LinkState
from silta.sync import sync_tenant

from .conftest import World, completed
from .money import money_world

CENT = Decimal("0.01")


def qualifying(
    world: World, sample: Sample, status: str = "accepted"
) -> dict[str, tuple[Any, ...]]:
    """(project GUID, phase GUID, cost to the cent, billable) per qualifying line key."""
    assert sample.purchases is not None
    products = sample.purchases.account_products
    settings = world.store.settings(world.tenant.id)
    links = {
        int(link.target_key): link.source_key
        for link in world.store.links(world.tenant.id, Register.DIMENSIONS)
        if link.target_key and link.state is LinkState.LINKED
    }
    header = next(h for h in world.nv.dimension_headers() if h.name == settings.project_header)
    items = {item.key: item for item in world.nv.dimension_items(header.name)}
    closed = {p.guid for p in world.sv.projects() if p["isClosed"]}  # Severa takes no fee
    expected: dict[str, tuple[Any, ...]] = {}
    for invoice in world.nv.purchase_invoices.all():
        if invoice.approval_status != status:
            continue
        for line in invoice.lines:
            under = [i for h, i in line.dimensions if h == header.key]
            if not under or any(i not in links for i in under):
                continue
            projects = {links[i] if not items[i].father_id else links[items[i].father_id]
                        for i in under}  # fmt: skip
            phases = [links[i] for i in under if items[i].father_id]
            if len(projects) != 1 or len(phases) > 1 or line.account_number not in products:
                continue
            if next(iter(projects)) in closed:
                continue
            cost = line.net_sum if line.vat_code == "KOOS" else line.line_sum
            billable = settings.purchase_lines_method is PurchaseCostMethod.REBILL
            expected[f"{invoice.key}/{line.key}"] = (
                projects.pop(),
                phases[0] if phases else None,
                cost.quantize(CENT),
                billable,
            )
    return expected


def fees(world: World) -> dict[str, tuple[Any, ...]]:
    """Severa's project fees by the line key their marker names (a duplicate fails)."""
    found: dict[str, tuple[Any, ...]] = {}
    for fee in world.sv.project_fees.fees():
        key = rules.marker_key(fee["name"])
        assert key is not None and key not in found, fee["name"]
        quantity = Decimal(str(fee["quantity"]))
        cost = Decimal(str(fee["unitCost"]["amount"])) * quantity
        found[key] = (
            fee["project"]["guid"],
            (fee.get("phase") or {}).get("guid"),
            cost.quantize(CENT),
            fee["isBillable"],
        )
    return found


def root_phase_free(found: dict[str, tuple[Any, ...]], world: World) -> dict[str, tuple[Any, ...]]:
    """A fee without a phase lands on the project's root phase in Severa: read it as none."""
    roots = {p.guid: (p.get("rootPhase") or {}).get("guid") for p in world.sv.projects()}
    return {key: (project, None if phase == roots.get(project) else phase, *rest)
            for key, (project, phase, *rest) in found.items()}  # fmt: skip


async def test_severa_costs_equal_the_qualifying_lines_one_to_one(tmp_path: Path) -> None:
    async with money_world(tmp_path) as (world, sample, _placed):
        result = await world.sync_one(Register.PURCHASE_LINES)
        completed([result])
        expected = qualifying(world, sample)
        assert len(expected) >= 5
        assert root_phase_free(fees(world), world) == expected
        assert any(phase for _p, phase, *_ in expected.values())  # phases are in the sample
        # the run history shows each fee's project, cost, invoice number and vendor
        created = world.entries(result, status=Status.DONE)
        facts = [{d.key for d in e.details} for e in created if e.action.value == "create"]
        assert facts and all(f == {"project", "amount", "invoice", "vendor"} for f in facts)
        # and a second run changes nothing in Severa
        again = await world.sync_one(Register.PURCHASE_LINES)
        completed([again])
        assert root_phase_free(fees(world), world) == expected
        assert again.counts.get("created", 0) == 0


async def test_rebill_makes_billable_fees_at_cost_plus_markup(tmp_path: Path) -> None:
    async with money_world(
        tmp_path, purchase_lines_method=PurchaseCostMethod.REBILL,
        purchase_lines_markup_percent="10",
    ) as (world, sample, _placed):  # fmt: skip
        completed([await world.sync_one(Register.PURCHASE_LINES)])
        assert root_phase_free(fees(world), world) == qualifying(world, sample)
        for fee in world.sv.project_fees.fees():
            cost = Decimal(str(fee["unitCost"]["amount"]))
            price = Decimal(str(fee["unitPrice"]["amount"]))
            assert fee["isBillable"] is True
            assert price == (cost * Decimal("1.1")).quantize(CENT)


async def test_every_planted_purchase_rule_is_refused(tmp_path: Path) -> None:
    async with money_world(tmp_path) as (world, sample, _placed):
        assert sample.purchases is not None
        result = await world.sync_one(Register.PURCHASE_LINES)
        completed([result])
        refused = world.refusals(result)
        placed_rules = {"purchase_lines.item_not_silta", "purchase_lines.product_missing",
                        "purchase_lines.phase_not_in_project"}  # fmt: skip
        assert set(refused) == placed_rules
        # lines without a project item are skipped without a word: no entry names them
        keys = {e.source_key for e in world.entries(result)}
        assert keys == set(qualifying(world, sample)) | {k for ks in refused.values() for k in ks}


async def test_only_the_chosen_status_qualifies(tmp_path: Path) -> None:
    async with money_world(tmp_path) as (world, _sample, _placed):
        statuses = {i.approval_status for i in world.nv.purchase_invoices.all()}
        assert {"accepted"} < statuses  # the sample holds invoices in other statuses too
        completed([await world.sync_one(Register.PURCHASE_LINES)])
        invoices_with_fees = {key.partition("/")[0] for key in fees(world)}
        for invoice in world.nv.purchase_invoices.all():
            if str(invoice.key) in invoices_with_fees:
                assert invoice.approval_status == "accepted"


async def test_a_line_changed_or_deleted_after_transfer_is_reported_not_sent_again(
    tmp_path: Path,
) -> None:
    async with money_world(tmp_path) as (world, sample, placed):
        assert sample.purchases is not None
        completed([await world.sync_one(Register.PURCHASE_LINES)])
        before = fees(world)
        assert placed is not None
        placed.after_transfer(world.nv)
        world.clock.advance(minutes=30)
        result = await world.sync_one(Register.PURCHASE_LINES)
        completed([result])
        assert fees(world) == before  # nothing made, changed or deleted in Severa
        notices = {r.rule for e in world.entries(result) for r in e.refusals}
        assert "purchase_lines.changed_after_transfer" in notices
        assert "purchase_lines.deleted_after_transfer" in notices
        # reported once: the next run is quiet about both
        world.clock.advance(minutes=30)
        quiet = await world.sync_one(Register.PURCHASE_LINES)
        completed([quiet])
        assert not {r.rule for e in world.entries(quiet) for r in e.refusals} & {
            "purchase_lines.changed_after_transfer",
            "purchase_lines.deleted_after_transfer",
        }


async def test_a_rekeyed_line_is_the_same_line(tmp_path: Path) -> None:
    async with money_world(tmp_path) as (world, _sample, _placed):
        completed([await world.sync_one(Register.PURCHASE_LINES)])
        before = fees(world)
        invoice_key = int(next(iter(before)).partition("/")[0])
        invoice = world.nv.purchase_invoices.get(invoice_key)
        assert invoice is not None
        from silta.sandbox.sample.purchases import _plan_of

        world.nv.purchase_invoices.modify(
            invoice_key, lines=[_plan_of(line) for line in invoice.lines], rekey=True
        )
        world.clock.advance(minutes=30)
        result = await world.sync_one(Register.PURCHASE_LINES)
        completed([result])
        assert len(world.sv.project_fees.fees()) == len(before)
        assert result.counts.get("created", 0) == 0


async def test_an_idle_run_reads_the_list_and_the_deletions_only(tmp_path: Path) -> None:
    async with money_world(tmp_path) as (world, _sample, _placed):
        completed([await world.sync_one(Register.PURCHASE_LINES)])
        world.clock.advance(minutes=30)
        completed([await world.sync_one(Register.PURCHASE_LINES)])  # re-reads the overlap
        world.clock.advance(minutes=30)
        calls: list[str] = []

        async def count(request: Any, _writes: int) -> None:
            if "token" not in request.url.path:
                calls.append(request.url.path)
            return None

        world.transport.hook = count
        completed([await world.sync_one(Register.PURCHASE_LINES)])
        world.transport.hook = None
        netvisor = [c for c in calls if "/netvisor/" in c]
        severa = [c for c in calls if "/severa/" in c]
        assert len(netvisor) <= 2, netvisor
        assert severa == []


async def test_a_line_on_a_closed_project_is_refused_and_the_run_completes(
    tmp_path: Path,
) -> None:
    """Found by the chaos test: Severa takes no fee on a closed project; the line failed on
    every run and held the watermark back. It is refused with its reason instead."""
    async with money_world(tmp_path) as (world, sample, _placed):
        project = next(iter(qualifying(world, sample).values()))[0]
        world.sv.update("project", project, isClosed=True)
        result = await world.sync_one(Register.PURCHASE_LINES)
        completed([result])
        assert "purchase_lines.project_closed" in world.refusals(result)
        assert root_phase_free(fees(world), world) == qualifying(world, sample)
        assert all(p != project for p, *_ in fees(world).values())


async def test_transfer_now_only_leaves_the_register_to_sync_now(tmp_path: Path) -> None:
    """ "Automatic" off: the schedule's runs leave the transfer alone; "sync now" runs it."""
    async with money_world(tmp_path, purchase_lines_automatic=False) as (world, _sample, _p):
        scheduled = await sync_tenant(
            world.store, world.store.tenant(world.tenant.id),
            registers=(Register.PURCHASE_LINES,), http=world.http, clock=world.clock,
            severa_rate=1000, trigger="schedule #7",
        )  # fmt: skip
        assert scheduled == [] and world.sv.project_fees.fees() == []
        completed([await world.sync_one(Register.PURCHASE_LINES)])  # "sync now"
        assert world.sv.project_fees.fees()
