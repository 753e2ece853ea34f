"""The sample's invoices: every status, the showcases, and one planted case per invoice
refusal rule - and only those. The rules are re-checked here on the sandbox data with
checks of their own (not the engine's, which does not exist yet, nor the sample's)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import pytest

from silta.registers.finnish import InvalidBusinessIdError, parse_business_id
from silta.sandbox.netvisor import NetvisorSandbox
from silta.sandbox.netvisor import Organisation as NetvisorOrganisation
from silta.sandbox.sample import INVOICE_RULES, Sample, SampleSpec, populate
from silta.sandbox.severa import Organisation as SeveraOrganisation
from silta.sandbox.severa import SeveraSandbox

from .helpers import FakeClock, must

Made = tuple[NetvisorOrganisation, SeveraOrganisation, Sample]

THE_RULES = {
    "invoices.customer_not_synchronised",
    "invoices.product_not_synchronised",
    "invoices.temp_missing",
    "invoices.dimension_item_missing",
    "invoices.total_mismatch",
    "invoices.reference_invalid",
    "invoices.currency_not_company",
    "invoices.vat_rate_not_valid",
    "invoices.reverse_charge_vat_id_missing",
    "invoices.zero_vat_unmapped",
    "invoices.number_in_use",
    "invoices.credit_note_before_original",
}


def make(spec: SampleSpec) -> Made:
    clock = FakeClock()
    netvisor = NetvisorSandbox(clock=clock, seed=5).add_organisation("1967543-8")
    severa = SeveraSandbox(clock=clock, seed=5, rate_limit=None).add_organisation("Demo Oy")
    return netvisor, severa, populate(netvisor, severa, spec=spec)


@cache
def made(scenario: str, seed: int = 1, small: bool = False) -> Made:
    size: dict[str, Any] = {}
    if small:
        size = {"customers": 12, "products": 8, "projects": 2, "phases_per_project": 2}
    return make(SampleSpec(seed=seed, scenario=scenario, **size))  # type: ignore[arg-type]


# -- an independent reading of the invoice rules --------------------------------------------


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def finnish_reference_ok(reference: str) -> bool:
    """7-3-1 from the right over the base; the last digit is the check."""
    if not reference.isdigit() or not 4 <= len(reference) <= 20:
        return False
    base, check = reference[:-1], int(reference[-1])
    weights = [7, 3, 1] * 7
    total = sum(int(d) * w for d, w in zip(reversed(base), weights, strict=False))
    return (10 - total % 10) % 10 == check


def rates_on(day: date) -> set[Decimal]:
    if day >= date(2026, 1, 1):
        return {Decimal("25.5"), Decimal("13.5"), Decimal(10), Decimal(0)}
    if day >= date(2024, 9, 1):
        return {Decimal("25.5"), Decimal(14), Decimal(10), Decimal(0)}
    return {Decimal(24), Decimal(14), Decimal(10), Decimal(0)}


class Checker:
    """Which invoice rules an invoice breaks, read from the two sandboxes' data."""

    def __init__(self, made: Made) -> None:
        self.nv, self.sv, self.sample = made
        self.scenario = self.sample.spec.scenario
        self.planted_customers = {c.key for c in self.sample.planted if c.register == "customers"}
        self.nv_codes = {p.code for p in self.nv.products() if p.get("isactive") == "1"}
        self.phase_names = Counter(
            f"{p['code']} {p['name']}" for p in self.sv.phases() if p.get("parentPhase")
        )
        self.invoicing = self.sv.invoicing

    def customer_ok(self, guid: str) -> bool:
        if self.scenario == "t":
            return True
        if self.scenario == "a":
            return guid not in self.planted_customers
        record = must(self.sv.customer(guid))
        found = self.nv.customer_by_code(str(record["number"]))
        if found is None:
            return False
        try:
            return parse_business_id(found.get("externalidentifier")) == parse_business_id(
                record["vatNumber"] or ""
            )
        except InvalidBusinessIdError:
            return False

    def phase_ok(self, phase_guid: str) -> bool:
        """A phase the dimension sync makes an item of, under a name no other item has."""
        phase = must(self.sv.phase(phase_guid))
        if not phase.get("parentPhase"):
            return True  # the root phase: the project itself
        siblings = self.sv.phases(phase["project"]["guid"])
        unique_code = sum(p["code"] == phase["code"] for p in siblings) == 1
        name = f"{phase['code']} {phase['name']}"
        return bool(phase["code"]) and unique_code and self.phase_names[name] == 1

    def broken(self, invoice: dict[str, Any], original: dict[str, Any] | None = None) -> set[str]:
        broken: set[str] = set()
        guid = invoice["guid"]
        rows = self.invoicing.rows(guid)
        settings = must(self.invoicing.settings(guid))
        if not self.customer_ok(invoice["billingCustomer"]["guid"]):
            broken.add("invoices.customer_not_synchronised")
        codes = {code for row in rows for code in row["code"]}
        if not codes <= self.nv_codes:
            if self.scenario == "t":
                if self.nv.product_by_code("TEMP") is None:
                    broken.add("invoices.temp_missing")
            else:
                broken.add("invoices.product_not_synchronised")
        for row in rows:
            for kind in ("hours", "fee", "travel"):
                for entry in self.invoicing.row_entries(row["guid"], kind):
                    if not self.phase_ok(entry["phase"]["guid"]):
                        broken.add("invoices.dimension_item_missing")
        net = sum(
            (
                _cents(Decimal(str(r["quantity"])) * Decimal(str(r["unitPrice"]["amount"])))
                for r in rows
            ),
            Decimal(0),
        )
        vat = sum(
            (
                _cents(
                    _cents(Decimal(str(r["quantity"])) * Decimal(str(r["unitPrice"]["amount"])))
                    * Decimal(str(r["vatRate"]))
                    / 100
                )
                for r in rows
            ),
            Decimal(0),
        )
        if net + vat != Decimal(str(invoice["totalIncludingTax"]["amount"])).quantize(
            Decimal("0.01")
        ):
            broken.add("invoices.total_mismatch")
        if not finnish_reference_ok(invoice["referenceNumber"] or ""):
            broken.add("invoices.reference_invalid")
        if invoice["currency"]["code"] != "EUR":
            broken.add("invoices.currency_not_company")
        day = date.fromisoformat((original or invoice)["date"])
        if any(Decimal(str(r["vatRate"])) not in rates_on(day) for r in rows):
            broken.add("invoices.vat_rate_not_valid")
        if settings["isReverseCharged"] and not invoice["receiverVatNumber"]:
            broken.add("invoices.reverse_charge_vat_id_missing")
        zero = any(Decimal(str(r["vatRate"])) == 0 for r in rows)
        country = self.invoicing.customer_country_settings(invoice["billingCustomer"]["guid"])
        categories = {s["zeroVatCategoryCodeEn16931"] for s in country} - {None}
        if zero and not settings["isReverseCharged"] and not categories:
            broken.add("invoices.zero_vat_unmapped")
        billing_code = str(invoice["billingCustomer"]["number"])
        total = Decimal(str(invoice["totalIncludingTax"]["amount"])).quantize(Decimal("0.01"))
        for other in self.nv.sales_invoices_numbered(invoice["number"]):
            if other.customer_code != billing_code or other.amount != total:
                broken.add("invoices.number_in_use")
        return broken


def ready_invoices(made: Made) -> list[dict[str, Any]]:
    _, severa, sample = made
    invoices = must(sample.invoices)
    return [must(severa.invoicing.invoice(guid)) for guid in invoices.ready_invoices]


# -- the planted cases ------------------------------------------------------------------------


def test_the_rule_list_is_the_engines() -> None:
    assert set(INVOICE_RULES) == THE_RULES
    assert len(INVOICE_RULES) == len(THE_RULES)


@pytest.mark.parametrize("scenario", ["a", "b", "t"])
@pytest.mark.parametrize(
    ("seed", "small"),
    [(1, False), (1, True), (6, True), (17, True)],
    ids=["default", "smallest", "smallest-6", "smallest-17"],
)
def test_every_ready_invoice_breaks_exactly_its_planted_rules(
    scenario: str, seed: int, small: bool
) -> None:
    data = made(scenario, seed=seed, small=small)
    _, severa, sample = data
    invoices = must(sample.invoices)
    expected = (
        THE_RULES - {"invoices.temp_missing"} if scenario != "t" else {"invoices.temp_missing"}
    )
    assert invoices.rules == expected
    assert Counter(case.rule for case in invoices.planted) == Counter(expected)
    planted = {case.key: case.rule for case in invoices.planted}
    checker = Checker(data)
    refused_originals: set[str] = set()
    for invoice in ready_invoices(data):
        original = None
        if invoice["isCreditNote"]:
            original = must(severa.invoicing.invoice(invoice["reimburseInvoice"]["guid"]))
        broken = checker.broken(invoice, original)
        rule = planted.get(invoice["guid"])
        if rule == "invoices.credit_note_before_original":
            assert original is not None and original["guid"] in planted
            refused_originals.add(original["guid"])
            assert broken == set(), invoice["number"]
        else:
            assert broken == ({rule} if rule else set()), (invoice["number"], broken, rule)
        if original is not None and rule is None:
            assert original["guid"] not in planted  # an ordinary credit note's original goes
    assert len(refused_originals) == (1 if scenario != "t" else 0)


@pytest.mark.parametrize("scenario", ["a", "b", "t"])
def test_cases_name_ready_invoices_and_say_what_they_are(scenario: str) -> None:
    _, severa, sample = made(scenario)
    invoices = must(sample.invoices)
    for case in (*invoices.planted, *invoices.showcases):
        assert (case.register, case.system) == ("invoices", "severa")
        invoice = must(severa.invoicing.invoice(case.key))
        assert case.name.startswith(str(invoice["number"] or "(ei numeroa)"))
        assert case.description_fi and case.description_en
        assert "{" not in case.description_fi + case.description_en
        if case.rule != "invoices.not_ready" and case.rule != "invoices.already_transferred":
            assert case.key in invoices.ready_invoices
    keys = [case.key for case in invoices.planted]
    assert len(set(keys)) == len(keys)
    # The invoice cases stay apart from the register cases (the register sync refuses those).
    assert not {case.rule for case in sample.planted} & THE_RULES
    assert sample.cases("invoices.not_ready")


def test_showcases_of_scenarios_a_and_b() -> None:
    for scenario in ("a", "b"):
        netvisor, severa, sample = made(scenario)
        invoices = must(sample.invoices)
        assert {case.rule for case in invoices.showcases} == {
            "invoices.multi_project",
            "invoices.several_codes",
            "invoices.reverse_charge",
            "invoices.old_vat_rate",
            "invoices.credit_note",
            "invoices.adopted",
            "invoices.already_transferred",
            "invoices.not_ready",
        }
        shown = {case.rule: must(severa.invoicing.invoice(case.key)) for case in invoices.showcases}
        multi = shown["invoices.multi_project"]
        assert len(multi["projects"]) == 2
        spans = [
            {e["project"]["guid"] for e in severa.invoicing.row_entries(row["guid"], "hours")}
            for row in severa.invoicing.rows(multi["guid"])
        ]
        assert {2} <= {len(projects) for projects in spans}  # one row spans both projects
        (several,) = severa.invoicing.rows(shown["invoices.several_codes"]["guid"])
        assert len(several["code"]) == 2
        reverse = shown["invoices.reverse_charge"]
        assert must(severa.invoicing.settings(reverse["guid"]))["isReverseCharged"]
        assert reverse["receiverVatNumber"]
        assert {r["vatRate"] for r in severa.invoicing.rows(reverse["guid"])} == {0.0}
        old = shown["invoices.old_vat_rate"]
        assert old["date"] < "2026-01-01"
        assert 14.0 in {r["vatRate"] for r in severa.invoicing.rows(old["guid"])}
        later = [i for i in ready_invoices((netvisor, severa, sample)) if i["date"] >= "2026"]
        rates_2026 = {r["vatRate"] for i in later for r in severa.invoicing.rows(i["guid"])}
        assert 13.5 in rates_2026
        credit = shown["invoices.credit_note"]
        assert credit["isCreditNote"] and credit["reimburseInvoice"]["guid"] == old["guid"]
        assert credit["totalIncludingTax"]["amount"] == -old["totalIncludingTax"]["amount"]
        # The credit note of 2026 keeps the 14 % of the supply it credits.
        assert 14.0 in {r["vatRate"] for r in severa.invoicing.rows(credit["guid"])}
        adopted = shown["invoices.adopted"]
        (copy,) = netvisor.sales_invoices_numbered(adopted["number"])
        assert copy.customer_code == str(adopted["billingCustomer"]["number"])
        assert copy.amount == Decimal(str(adopted["totalIncludingTax"]["amount"])).quantize(
            Decimal("0.01")
        )
        transferred = shown["invoices.already_transferred"]
        assert transferred["status"]["guid"] == invoices.transferred
        assert netvisor.sales_invoices_numbered(transferred["number"])


def test_every_status_has_invoices_and_the_integration_statuses_are_there() -> None:
    for scenario in ("a", "b", "t"):
        _, severa, sample = made(scenario)
        invoices = must(sample.invoices)
        statuses = {s["name"]: s for s in severa.invoicing.statuses_json()}
        assert statuses["Valmis lähetettäväksi Netvisoriin"]["guid"] == invoices.ready
        assert statuses["Valmis lähetettäväksi Netvisoriin"]["hasInvoiceNumber"]
        assert statuses["Valmis lähetettäväksi Netvisoriin"]["isReadOnly"]
        assert statuses["Lasku lähetetty Netvisoriin"]["guid"] == invoices.transferred
        assert statuses["Vedos"]["guid"] == invoices.draft
        used = Counter(i["status"]["name"] for i in severa.invoicing.all_invoices())
        assert set(used) == set(statuses), scenario
        assert {
            i["guid"]
            for i in severa.invoicing.all_invoices()
            if i["status"]["guid"] == invoices.ready
        } == set(invoices.ready_invoices)
        dates = {i["date"] for i in severa.invoicing.all_invoices()}
        assert any(d < "2026-01-01" for d in dates) and any(d >= "2026-11-01" for d in dates)


def test_the_temp_company() -> None:
    netvisor, severa, sample = made("t")
    assert [c.code for c in netvisor.customers()] == ["TEMP"]
    assert netvisor.product_by_code("TEMP") is None
    assert sample.temp_product_key is None
    # Customers and products are not transferred, so only the dimension register refuses.
    assert {case.register for case in sample.planted} == {"dimensions"}
    assert len(severa.customers()) == sample.spec.customers
    severa_codes = {p["code"] for p in severa.products()}
    netvisor_codes = {p.code for p in netvisor.products()}
    assert netvisor_codes < severa_codes
    invoices = must(sample.invoices)
    assert {case.rule for case in invoices.showcases} >= {"invoices.temp_customer"}


def test_the_same_seed_gives_the_same_invoices() -> None:
    first_nv, first_sv, first = make(SampleSpec(seed=7))
    again_nv, again_sv, again = make(SampleSpec(seed=7))
    assert first_sv.invoicing.all_invoices() == again_sv.invoicing.all_invoices()
    assert [i.as_json() for i in first_nv.sales_invoices()] == [
        i.as_json() for i in again_nv.sales_invoices()
    ]
    assert first.invoices == again.invoices
    _, other_sv, _ = make(SampleSpec(seed=8))
    assert first_sv.invoicing.all_invoices() != other_sv.invoicing.all_invoices()


def test_invoices_can_be_left_out() -> None:
    netvisor, severa, sample = make(SampleSpec(seed=2, invoices=False))
    assert sample.invoices is None
    assert severa.invoicing.all_invoices() == []
    assert netvisor.sales_invoices() == []
    assert [s["name"] for s in severa.invoicing.statuses_json()] == [
        "Luonnos",
        "Lähetetty",
        "Maksettu",
    ]


def test_invoices_leave_the_registers_as_they_were() -> None:
    """The registers of a seed are the same with and without invoices."""
    with_nv, with_sv, with_sample = make(SampleSpec(seed=4))
    bare_nv, bare_sv, bare_sample = make(SampleSpec(seed=4, invoices=False))
    for read in ("customers", "addresses", "products", "projects", "phases", "business_units"):
        assert [r.json for r in getattr(with_sv, read)()] == [
            r.json for r in getattr(bare_sv, read)()
        ]
    assert [c.fields for c in with_nv.customers()] == [c.fields for c in bare_nv.customers()]
    assert with_sample.planted == bare_sample.planted
