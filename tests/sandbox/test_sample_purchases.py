"""The sample's purchase invoices (sample/purchases.py): placed only where the dimension
sync's items are, every purchase_lines.* rule planted once and broken by its line alone,
the showcases, what happens after the transfer, and the same data from the same seed.

The rules are re-checked here with readings of this test's own, from the two sandboxes'
data: an item is "Silta's" when its name and place are those the dimension sync gives a
Severa project or phase (the sync links items by their keys, which the test cannot see
without the engine; the names lead to the same items here)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import cache

import attrs
import pytest

from silta.sandbox.netvisor import Integration, NetvisorSandbox
from silta.sandbox.netvisor import Organisation as NetvisorOrganisation
from silta.sandbox.netvisor.purchaseinvoices import PurchaseInvoice, PurchaseInvoiceLine
from silta.sandbox.sample import PURCHASE_RULES, Sample, SampleSpec, populate
from silta.sandbox.sample.purchases import PlacedPurchases
from silta.sandbox.severa import Organisation as SeveraOrganisation
from silta.sandbox.severa import SeveraSandbox

from .helpers import FakeClock, must

ORG = "1967543-8"


@attrs.frozen
class Placed:
    nv: NetvisorOrganisation
    sv: SeveraOrganisation
    placed: PlacedPurchases
    account_products: dict[str, str]


def make(spec: SampleSpec) -> tuple[NetvisorOrganisation, SeveraOrganisation, Sample]:
    clock = FakeClock()
    netvisor = NetvisorSandbox(clock=clock, seed=3)
    netvisor.add_integration(Integration(partner_id="P", partner_key="k", customer_id="C",
                                         customer_key="c", organisation_ids=(ORG,)))  # fmt: skip
    nv = netvisor.organisation(ORG)
    sv = SeveraSandbox(clock=clock, seed=3, rate_limit=None).add_organisation("Demo Oy")
    return nv, sv, populate(nv, sv, spec)


@cache
def placed(scenario: str, small: bool = False) -> Placed:
    size = {"customers": 12, "products": 8, "projects": 2, "phases_per_project": 2} if small else {}
    nv, sv, sample = make(SampleSpec(seed=7, scenario=scenario, **size))
    plan = must(sample.purchases)
    return Placed(nv, sv, plan.place(nv, create_items=True), dict(plan.account_products))


# -- an independent reading -------------------------------------------------------------------


class Reading:
    """What the transfer's rules say about a line, read from both sandboxes."""

    def __init__(self, nv: NetvisorOrganisation, sv: SeveraOrganisation) -> None:
        self.nv = nv
        self.header = must(nv.dimension_register.header_key("Projekti"))
        items = {i.key: i for i in nv.dimension_items("Projekti")}
        self.items = items
        self.projects: dict[int, str] = {}  # item key -> Severa project GUID
        self.phases: dict[int, tuple[str, str]] = {}  # item key -> (phase GUID, project GUID)
        by_name = {(i.father_id, i.name): i.key for i in items.values()}
        for project in sv.projects():
            name = f"{project['number']} {project['name']}"
            key = by_name.get((0, name))
            if key is None:
                continue
            self.projects[key] = project.guid
            self._phases(sv, project.guid, key, by_name)

    def _phases(
        self, sv: SeveraOrganisation, project: str, project_item: int,
        by_name: dict[tuple[int, str], int],
    ) -> None:  # fmt: skip
        root = must(sv.root_phase(project))
        parents = {root.guid: project_item}
        pending = [p for p in sv.phases(project) if p.get("parentPhase")]
        while pending:
            ready = [p for p in pending if p["parentPhase"]["guid"] in parents]
            if not ready:
                break  # under a phase without an item: no item either
            for phase in ready:
                pending.remove(phase)
                if not phase["code"]:
                    continue
                name = f"{phase['code']} {phase['name']}"
                key = by_name.get((parents[phase["parentPhase"]["guid"]], name))
                if key is not None:
                    parents[phase.guid] = key
                    self.phases[key] = (phase.guid, project)

    def project_items(self, line: PurchaseInvoiceLine) -> list[int]:
        return [item for header, item in line.dimensions if header == self.header]

    def project_item(self, line: PurchaseInvoiceLine) -> int | None:
        found = self.project_items(line)
        return found[0] if found else None

    def broken(self, line: PurchaseInvoiceLine, accounts: dict[str, str]) -> list[str]:
        items = self.project_items(line)
        if not items:
            return []
        if any(item not in self.projects and item not in self.phases for item in items):
            return ["purchase_lines.item_not_silta"]
        rules = []
        projects = {self.projects.get(i) or self.phases[i][1] for i in items}
        if len(projects) > 1 or sum(item in self.phases for item in items) > 1:
            rules.append("purchase_lines.phase_not_in_project")
        if line.account_number not in accounts:
            rules.append("purchase_lines.product_missing")
        return rules


def accepted(nv: NetvisorOrganisation) -> list[PurchaseInvoice]:
    return [i for i in nv.purchase_invoices.all() if i.approval_status == "accepted"]


# -- tests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["a", "b", "t"])
def test_every_rule_is_planted_once_and_broken_by_its_line_alone(scenario: str) -> None:
    made = placed(scenario)
    assert Counter(case.rule for case in made.placed.planted) == Counter(PURCHASE_RULES)
    reading = Reading(made.nv, made.sv)
    planted = {case.key: case.rule for case in made.placed.planted}
    for invoice in accepted(made.nv):
        for line in invoice.lines:
            key = f"{invoice.key}/{line.key}"
            expected = [planted[key]] if key in planted else []
            assert reading.broken(line, made.account_products) == expected, key


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_the_showcases(scenario: str) -> None:
    made = placed(scenario)
    nv, reading = made.nv, Reading(made.nv, made.sv)
    shown = {case.rule: case for case in made.placed.showcases}
    assert set(shown) == {
        "purchase_lines.project_cost", "purchase_lines.phase_cost",
        "purchase_lines.gross_without_vat_handling", "purchase_lines.not_a_project_cost",
        "purchase_lines.not_accepted", "purchase_lines.changed_after_transfer",
        "purchase_lines.deleted_after_transfer",
    }  # fmt: skip

    def line_of(rule: str) -> PurchaseInvoiceLine:
        invoice_key, line_key = (int(k) for k in shown[rule].key.split("/"))
        invoice = must(nv.purchase_invoices.get(invoice_key))
        return next(line for line in invoice.lines if line.key == line_key)

    project = line_of("purchase_lines.project_cost")
    assert reading.project_item(project) in reading.projects
    assert (project.vat_code, project.vat_percent) == ("KOOS", Decimal("25.5"))
    assert project.net_sum < project.line_sum
    phase = line_of("purchase_lines.phase_cost")
    assert reading.project_item(phase) in reading.phases
    no_vat = line_of("purchase_lines.gross_without_vat_handling")
    assert (no_vat.vat_code, no_vat.net_sum) == ("NONE", no_vat.line_sum)
    assert no_vat.account_number in made.account_products
    skipped = line_of("purchase_lines.not_a_project_cost")
    assert reading.project_item(skipped) is None
    waiting = [c for c in made.placed.showcases if c.rule == "purchase_lines.not_accepted"]
    statuses = {must(nv.purchase_invoices.get(int(c.key))).approval_status for c in waiting}
    assert statuses == {"infactualverification", "approved"}
    # Every accepted invoice but the planted ones has lines the transfer takes.
    takes = [
        line
        for invoice in accepted(nv)
        for line in invoice.lines
        if reading.project_item(line) is not None
        and not reading.broken(line, made.account_products)
    ]
    assert len(takes) >= 7


def test_the_mapped_products_are_active_severa_products() -> None:
    made = placed("a")
    assert set(made.account_products) == {"4000", "4450", "7680"}
    for guid in made.account_products.values():
        product = must(made.sv.product(guid))
        assert product["isActive"]


def test_after_the_transfer_one_line_changes_and_one_invoice_goes() -> None:
    nv, _sv, sample = make(SampleSpec(seed=8))
    placed_now = must(sample.purchases).place(nv, create_items=True)
    purchases = nv.purchase_invoices
    before = must(purchases.get(placed_now.changed))
    placed_now.after_transfer(nv)
    after = must(purchases.get(placed_now.changed))
    assert after.lines[0].key == before.lines[0].key
    assert after.lines[0].quantity == before.lines[0].quantity + 1
    assert after.changed_at >= before.changed_at
    assert purchases.get(placed_now.deleted) is None
    assert [d.key for d in purchases.deleted()] == [placed_now.deleted]


def test_placing_needs_the_dimension_syncs_items() -> None:
    nv, _sv, sample = make(SampleSpec(seed=9))
    with pytest.raises(KeyError, match="run the dimension sync first"):
        must(sample.purchases).place(nv)
    assert nv.purchase_invoices.all() == []


def test_a_small_sample_still_plants_every_rule() -> None:
    made = placed("a", small=True)
    assert made.placed.rules == frozenset(PURCHASE_RULES)


def test_the_same_seed_gives_the_same_invoices() -> None:
    first = placed("b")
    nv, _sv, sample = make(SampleSpec(seed=7, scenario="b"))
    again = must(sample.purchases).place(nv, create_items=True)
    dims = first.nv.dimension_register
    assert [i.as_json(dims) for i in first.nv.purchase_invoices.all()] == [
        i.as_json(nv.dimension_register) for i in nv.purchase_invoices.all()
    ]
    assert again.planted == first.placed.planted


def test_the_purchases_leave_the_registers_as_they_were() -> None:
    """Adding purchases and travel moved nothing the registers' sample had."""
    with_them = make(SampleSpec(seed=11))
    without = make(SampleSpec(seed=11, purchases=False, travel=False))
    for (nv, sv, sample), (nv2, sv2, sample2) in [(with_them, without)]:
        assert nv.customers() == nv2.customers()
        assert [p.json for p in sv.projects()] == [p.json for p in sv2.projects()]
        assert sample.planted == sample2.planted
        assert sv.invoicing.all_invoices() == sv2.invoicing.all_invoices()
