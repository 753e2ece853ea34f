"""The invoice transfer end to end against both sandboxes and the sample company (issue 18).

Every planted refusal rule, the settled points of invoices.md §5 (1–11, 14), and the
equality of what Netvisor stores with what Severa says, line by line and in total. The
expectations are computed here from Severa's own rows (never from the rules module), so a
rule that drifts fails a test.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from silta.domain import (
    Action,
    CustomerDirection,
    NetvisorInvoiceStatus,
    ProductDirection,
    Register,
    Status,
)
from silta.sandbox.sample import Sample
from silta.store import LinkState
from silta.sync import RunResult

from .conftest import World, completed
from .test_engine import sample_world

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@contextlib.asynccontextmanager
async def invoice_world(
    tmp_path: Path, scenario: str = "a", **settings: Any
) -> AsyncIterator[tuple[World, Sample]]:
    """The sample after a sync of its registers, with the invoice transfer turned on."""
    async with sample_world(tmp_path, scenario) as (world, sample):
        if scenario == "t":  # nothing of the registers is transferred
            world.settings(
                customers=CustomerDirection.TEMP_CUSTOMER, products=ProductDirection.TEMP_PRODUCT
            )
        completed(await world.sync(Register.CUSTOMERS, Register.PRODUCTS, Register.DIMENSIONS))
        assert sample.invoices is not None
        chosen: dict[str, Any] = {
            "invoices_enabled": True,
            "invoices_ready_status": sample.invoices.ready,
            "invoices_transferred_status": sample.invoices.transferred,
            "invoices_dimensions_on_lines": True,
        }
        world.settings(**{**chosen, **settings})
        yield world, sample


async def transfer(world: World, *, dry_run: bool = False) -> RunResult:
    (result,) = await world.sync(Register.INVOICES, dry_run=dry_run)
    assert result.register is Register.INVOICES
    return result


def by_invoice(world: World, result: RunResult) -> dict[str, Any]:
    """Severa invoice GUID -> its entry in the run."""
    return {
        e.source_key: e
        for e in world.entries(result)
        if e.register is Register.INVOICES and e.source_key
    }


def status_of(world: World, guid: str) -> str:
    shown = world.sv.invoicing.invoice(guid)
    assert shown is not None
    return str(shown["status"]["guid"])


# -- refusals --------------------------------------------------------------------------------

# The planted dimension case is a phase without a code; the rules place its hours on the
# nearest transferred ancestor (the project), as the dimension register places sub-phases,
# so the sample's case is not refused by it. test_a_missing_item_refuses_... plants its own.
NOT_FROM_SAMPLE = {"invoices.dimension_item_missing"}


@pytest.mark.parametrize("scenario", ["a", "b", "t"])
async def test_every_planted_invoice_is_refused_with_its_rule(
    tmp_path: Path, scenario: str
) -> None:
    async with invoice_world(tmp_path, scenario) as (world, sample):
        assert sample.invoices is not None
        result = await transfer(world)
        assert result.status.value == "completed", result.error
        entries = by_invoice(world, result)
        for case in sample.invoices.planted:
            if case.rule in NOT_FROM_SAMPLE:
                continue
            entry = entries[case.key]
            rules = {refusal.rule for refusal in entry.refusals}
            assert case.rule in rules, (case.rule, entry)
            if case.rule == "invoices.credit_note_before_original":
                assert entry.action is Action.SKIP  # it waits, it is not refused
            else:
                assert entry.status is Status.REFUSED, entry
            # nothing of a refused invoice reached Netvisor, and it stays ready in Severa
            number = entry.natural_key
            if case.rule != "invoices.number_in_use":
                assert not world.nv.sales_invoices_numbered(number), case.rule
            assert status_of(world, case.key) == sample.invoices.ready
            for refusal in entry.refusals:
                assert refusal.message_fi and refusal.message_en
                assert number in refusal.message_fi or case.rule == "invoices.temp_missing"


async def test_a_missing_item_refuses_the_invoice_unless_creation_is_on(tmp_path: Path) -> None:
    """§5.7 (departure: refused when creation is off, as the issue lists it)."""
    async with sample_world(tmp_path, "a") as (world, sample):
        assert sample.invoices is not None
        # the registers without the dimension sync: Netvisor has the headers, not the items
        world.settings(dimensions=False)
        completed(await world.sync(Register.CUSTOMERS, Register.PRODUCTS))
        world.settings(
            invoices_enabled=True,
            invoices_ready_status=sample.invoices.ready,
            invoices_transferred_status=sample.invoices.transferred,
            invoices_dimensions_on_lines=True,
        )
        refused = await transfer(world)
        rules = {r.rule for e in world.entries(refused) for r in e.refusals}
        assert "invoices.dimension_item_missing" in rules
        assert not [e for e in world.entries(refused) if e.action is Action.CREATE]
        items_before = sum(
            len(world.nv.dimension_items(h.name)) for h in world.nv.dimension_headers()
        )

        world.settings(invoices_create_missing_items=True)
        made = await transfer(world)
        created = [e for e in world.entries(made) if e.action is Action.CREATE]
        assert any(e.register is Register.INVOICES for e in created)
        items = [e for e in created if e.register is Register.DIMENSIONS]
        assert items and all(e.status is Status.DONE for e in items)
        items_after = sum(
            len(world.nv.dimension_items(h.name)) for h in world.nv.dimension_headers()
        )
        assert items_after == items_before + len(items)
        # made through the dimension register: linked as its own
        linked = world.store.links(world.tenant.id, Register.DIMENSIONS)
        assert {e.source_key for e in items} <= {link.source_key for link in linked}
        for entry in created:
            if entry.register is Register.INVOICES:
                (invoice,) = world.nv.sales_invoices_numbered(entry.natural_key)
                assert all(line.dimensions for line in invoice.lines)


# -- what Netvisor stores equals what Severa says ---------------------------------------------


def _row_figures(row: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    quantity = Decimal(str(row["quantity"]))
    price = Decimal(str(row["unitPrice"]["amount"]))
    rate = Decimal(str(row["vatRate"]))
    net = cents(quantity * price)
    return quantity, price, rate, net + cents(net * rate / 100)


@pytest.mark.parametrize("scenario", ["a", "b"])
async def test_each_transferred_invoice_equals_severas_line_by_line_and_in_total(
    tmp_path: Path, scenario: str
) -> None:
    async with invoice_world(tmp_path, scenario) as (world, _sample):
        result = await transfer(world)
        done = [
            e
            for e in world.entries(result)
            if e.register is Register.INVOICES
            and e.action is Action.CREATE
            and e.status is Status.DONE
        ]
        assert len(done) >= 5
        for entry in done:
            assert entry.source_key is not None and entry.target_key is not None
            severa_invoice = world.sv.invoicing.invoice(entry.source_key)
            assert severa_invoice is not None
            stored = world.nv.sales_invoice(int(entry.target_key))
            assert stored is not None
            assert stored.number == str(severa_invoice["number"])
            total = Decimal(str(severa_invoice["totalIncludingTax"]["amount"]))
            assert stored.amount == cents(total)
            assert sum((line.line_sum for line in stored.lines), Decimal(0)) == cents(total)
            # §5.14: where it came from, for the people reading Netvisor
            assert f"Severa {entry.source_key}" in stored.texts.values()
            rows = world.sv.invoicing.rows(entry.source_key)
            lines = list(stored.lines)
            position = 0  # lines come in the rows' order; a split row's lines one after another
            for row in sorted(rows, key=lambda r: r.get("sortOrder") or 0):
                quantity, price, rate, gross = _row_figures(row)
                sign = -1 if price < 0 else 1
                wanted = (row["description"], abs(price), rate)
                mine: list[Any] = []
                while (
                    position < len(lines)
                    and abs(sum((line.quantity for line in mine), Decimal(0))) < abs(quantity)
                    and (lines[position].name, lines[position].unit_price,
                         lines[position].vat_percent) == wanted
                ):  # fmt: skip
                    mine.append(lines[position])
                    position += 1
                assert mine, (entry.natural_key, wanted)
                for line in mine:
                    assert line.vat_code == "KOMY" or not rate
                    if len(row.get("code") or []) == 1:
                        assert line.product_code == row["code"][0]
                    assert line.dimensions, "dimensions on lines"
                assert sum((line.quantity for line in mine), Decimal(0)) == sign * quantity
                assert sum((line.line_sum for line in mine), Decimal(0)) == gross
            assert position == len(lines), "no line that no row explains"


async def test_the_preview_writes_nothing_and_shows_customer_lines_vat_and_totals(
    tmp_path: Path,
) -> None:
    async with invoice_world(tmp_path) as (world, _sample):
        before = world.writes()
        invoices_before = len(world.nv.sales_invoices())
        preview = await transfer(world, dry_run=True)
        assert world.writes() == before
        assert len(world.nv.sales_invoices()) == invoices_before
        assert not world.store.links(world.tenant.id, Register.INVOICES)
        planned = [e for e in world.entries(preview) if e.action is Action.CREATE]
        assert planned and all(e.status is Status.PLANNED for e in planned)
        for entry in planned:
            fields = [change.field for change in entry.changes]
            assert fields[0] == "invoice.customer"
            assert "invoice.line.1" in fields and "invoice.vat" in fields
            assert "invoice.total" in fields
            assert {d.key for d in entry.details} == {"number", "customer", "total"}
        # what the preview planned is what the transfer does
        done = await transfer(world)
        created = {e.source_key for e in world.entries(done) if e.action is Action.CREATE}
        assert created == {e.source_key for e in planned}


# -- exactly once and the statuses ------------------------------------------------------------


async def test_transferred_invoices_move_on_in_severa_and_are_never_sent_twice(
    tmp_path: Path,
) -> None:
    """§5.1, §5.3, §5.14: the status is the queue; the number and reference are Severa's."""
    async with invoice_world(tmp_path) as (world, sample):
        assert sample.invoices is not None
        first = await transfer(world)
        done = [
            e for e in world.entries(first) if e.status is Status.DONE and e.action.value != "skip"
        ]
        assert done
        for entry in done:
            assert entry.source_key is not None
            assert status_of(world, entry.source_key) == sample.invoices.transferred
            (stored,) = world.nv.sales_invoices_numbered(entry.natural_key)
            severa_invoice = world.sv.invoicing.invoice(entry.source_key)
            assert severa_invoice is not None
            assert stored.reference == severa_invoice["referenceNumber"]
            link = world.store.links_of(
                world.tenant.id, Register.INVOICES, source_keys=[entry.source_key]
            )[0]
            assert link.state is LinkState.LINKED and link.target_key == str(stored.key)
        count = len(world.nv.sales_invoices())
        again = await transfer(world)
        assert not [e for e in world.entries(again) if e.action in (Action.CREATE, Action.UPDATE)]
        assert len(world.nv.sales_invoices()) == count
        numbers = [i.number for i in world.nv.sales_invoices()]
        assert len(numbers) == len(set(numbers))


async def test_an_invoice_linked_but_still_ready_only_moves_its_status(tmp_path: Path) -> None:
    """§5.3: a crash between the link and Severa's status change is healed next run without
    anything sent to Netvisor; a change since the transfer is reported (§5.11)."""
    async with invoice_world(tmp_path) as (world, sample):
        assert sample.invoices is not None
        first = await transfer(world)
        entry = next(e for e in world.entries(first) if e.action is Action.CREATE)
        assert entry.source_key is not None
        world.sv.invoicing.set_status(entry.source_key, sample.invoices.ready)
        count = len(world.nv.sales_invoices())
        healed = await transfer(world)
        (again,) = [e for e in world.entries(healed) if e.source_key == entry.source_key]
        assert again.action is Action.UPDATE and again.status is Status.DONE
        assert len(world.nv.sales_invoices()) == count
        assert status_of(world, entry.source_key) == sample.invoices.transferred


async def test_a_credit_note_goes_after_its_original_and_is_matched(tmp_path: Path) -> None:
    """§5.10, §5.4: with ``open`` the credit note is matched to its original."""
    async with invoice_world(tmp_path, invoices_netvisor_status=NetvisorInvoiceStatus.OPEN) as (
        world,
        sample,
    ):
        assert sample.invoices is not None
        case = next(c for c in sample.invoices.showcases if c.rule == "invoices.credit_note")
        result = await transfer(world)
        entries = by_invoice(world, result)
        credit = entries[case.key]
        assert credit.status is Status.DONE and credit.action is Action.CREATE, credit
        stored = world.nv.sales_invoice(int(credit.target_key or 0))
        assert stored is not None and stored.status == "open"
        assert stored.amount < 0
        assert all(line.quantity < 0 and line.unit_price > 0 for line in stored.lines)
        assert stored.credited_invoice_key is not None
        original = world.nv.sales_invoice(stored.credited_invoice_key)
        assert original is not None
        severa_credit = world.sv.invoicing.invoice(case.key)
        assert severa_credit is not None
        credited = severa_credit["reimburseInvoice"] or severa_credit["creditNoteInvoice"]
        assert original.number == str(credited["number"])
        # its original went first, in the same run
        order = [e.source_key for e in world.entries(result) if e.action is Action.CREATE]
        assert order.index(case.key) > order.index(credited["guid"])


async def test_a_failed_credit_match_is_a_warning(tmp_path: Path) -> None:
    """§5.10: ``unsent`` invoices have no voucher yet, so Netvisor refuses the match; the
    credit note is still transferred, with a warning."""
    async with invoice_world(tmp_path) as (world, sample):
        assert sample.invoices is not None
        case = next(c for c in sample.invoices.showcases if c.rule == "invoices.credit_note")
        result = await transfer(world)
        credit = by_invoice(world, result)[case.key]
        assert credit.status is Status.DONE
        assert "could not be matched" in (credit.message or "")
        assert result.status.value == "completed"


async def test_temp_customers_carry_the_real_name_and_address(tmp_path: Path) -> None:
    """§5.5 with customers in TEMP mode."""
    async with invoice_world(tmp_path, "t") as (world, sample):
        assert sample.invoices is not None
        assert world.store.settings(world.tenant.id).customers is CustomerDirection.TEMP_CUSTOMER
        result = await transfer(world)
        done = [e for e in world.entries(result) if e.action is Action.CREATE]
        assert done
        for entry in done:
            assert entry.target_key is not None and entry.source_key is not None
            stored = world.nv.sales_invoice(int(entry.target_key))
            assert stored is not None and stored.customer_code == "TEMP"
            severa_invoice = world.sv.invoicing.invoice(entry.source_key)
            assert severa_invoice is not None
            assert stored.customer_name == severa_invoice["receiverCustomerName"]


# -- the settled points, one by one ----------------------------------------------------------


def showcase(sample: Sample, rule: str) -> str:
    assert sample.invoices is not None
    return next(c.key for c in sample.invoices.showcases if c.rule == rule)


async def test_point_1_a_ready_status_that_does_not_number_or_lock_stops_the_run(
    tmp_path: Path,
) -> None:
    async with invoice_world(tmp_path) as (world, _sample):
        draft = world.sv.invoicing.status_guid("Luonnos")
        world.settings(invoices_ready_status=draft)
        result = await transfer(world)
        assert result.status.value == "failed"
        assert result.failure is not None and result.failure.category == "configuration"
        assert "does not give the invoice its number" in (result.error or "")
        assert "can still be edited" in (result.error or "")
        assert not world.store.links(world.tenant.id, Register.INVOICES)


async def test_point_3_an_invoice_already_in_netvisor_is_adopted_not_sent(tmp_path: Path) -> None:
    async with invoice_world(tmp_path) as (world, sample):
        assert sample.invoices is not None
        guid = showcase(sample, "invoices.adopted")
        number = str(world.sv.invoicing.invoice(guid)["number"])  # type: ignore[index]
        (there,) = world.nv.sales_invoices_numbered(number)
        entry = by_invoice(world, await transfer(world))[guid]
        assert (entry.action, entry.status) == (Action.UPDATE, Status.DONE)
        assert entry.target_key == str(there.key)
        assert len(world.nv.sales_invoices_numbered(number)) == 1
        assert status_of(world, guid) == sample.invoices.transferred


async def test_point_4_unsent_by_default(tmp_path: Path) -> None:
    async with invoice_world(tmp_path) as (world, _sample):
        result = await transfer(world)
        created = [e for e in world.entries(result) if e.action is Action.CREATE]
        assert created
        for entry in created:
            stored = world.nv.sales_invoice(int(entry.target_key or 0))
            assert stored is not None and stored.status == "unsent"


async def test_point_5_the_customer_registers_own_refusal_is_named(tmp_path: Path) -> None:
    async with invoice_world(tmp_path, "a") as (world, sample):
        assert sample.invoices is not None
        case = next(
            c for c in sample.invoices.planted if c.rule == "invoices.customer_not_synchronised"
        )
        billing = world.sv.invoicing.invoice(case.key)["billingCustomer"]["guid"]  # type: ignore[index]
        entry = by_invoice(world, await transfer(world))[case.key]
        (refusal,) = [r for r in entry.refusals if r.rule == case.rule]
        customers = world.store.runs(world.tenant.id, register=Register.CUSTOMERS, limit=1)[0]
        (refused,) = [e for e in world.store.entries(customers.id) if e.source_key == billing]
        assert refused.refusals[0].message_fi in refusal.message_fi
        assert refused.refusals[0].message_en in refusal.message_en


async def test_point_6_several_codes_take_the_fallback_product_with_severas_text(
    tmp_path: Path,
) -> None:
    async with invoice_world(tmp_path) as (world, sample):
        guid = showcase(sample, "invoices.several_codes")
        refused = by_invoice(world, await transfer(world, dry_run=True))[guid]
        assert [r.rule for r in refused.refusals] == ["invoices.product_not_synchronised"]
        fallback = next(p.code for p in world.nv.products() if p.code and p.code != "TEMP")
        world.settings(invoices_fallback_product=fallback)
        entry = by_invoice(world, await transfer(world))[guid]
        assert entry.status is Status.DONE and "several codes" in (entry.message or "")
        stored = world.nv.sales_invoice(int(entry.target_key or 0))
        assert stored is not None
        (line,) = stored.lines
        row = world.sv.invoicing.rows(guid)[0]
        assert (line.product_code, line.name) == (fallback, row["description"])


async def test_point_9_reverse_charge_goes_with_the_khs_code_and_text(tmp_path: Path) -> None:
    async with invoice_world(tmp_path) as (world, sample):
        guid = showcase(sample, "invoices.reverse_charge")
        entry = by_invoice(world, await transfer(world))[guid]
        assert entry.status is Status.DONE, entry
        stored = world.nv.sales_invoice(int(entry.target_key or 0))
        assert stored is not None
        assert {line.vat_code for line in stored.lines} <= {"RAMY"}
        assert all(line.vat_percent == 0 for line in stored.lines)
        assert any("Käännetty verovelvollisuus" in text for text in stored.texts.values())


async def test_point_11_a_change_after_the_transfer_is_reported_not_sent(tmp_path: Path) -> None:
    """The invoice is seen again while linked (moved back to ready) and Severa's side no
    longer has the fingerprint it was sent with: a notice, and nothing edited."""
    async with invoice_world(tmp_path) as (world, sample):
        assert sample.invoices is not None
        first = await transfer(world)
        entry = next(e for e in world.entries(first) if e.action is Action.CREATE)
        assert entry.source_key is not None
        (link,) = world.store.links_of(
            world.tenant.id, Register.INVOICES, source_keys=[entry.source_key]
        )
        assert link.intent is not None and link.intent["fingerprint"]
        world.store.save_links(
            world.tenant.id, [attrs.evolve(link, intent={**link.intent, "fingerprint": "old"})]
        )
        world.sv.invoicing.set_status(entry.source_key, sample.invoices.ready)
        stored = world.nv.sales_invoice(int(entry.target_key or 0))
        again = by_invoice(world, await transfer(world))[entry.source_key]
        assert "changed in Severa after its transfer" in (again.message or "")
        assert world.nv.sales_invoice(int(entry.target_key or 0)) == stored
