"""The sample company pair: deterministic, realistic, and every rule's case planted - and
only those: the rules are re-checked here on the sandbox data, independently of the engine."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from functools import cache
from typing import Any

import pytest

from silta.registers.finnish import (
    OPERATORS,
    OperatorKind,
    customer_number_problem,
    find_operator,
    is_valid_business_id,
    parse_business_id,
)
from silta.sandbox.netvisor import Customer, NetvisorSandbox
from silta.sandbox.netvisor import Organisation as NetvisorOrganisation
from silta.sandbox.sample import PlantedCase, Sample, SampleSpec, populate
from silta.sandbox.sample.companies import identity_code
from silta.sandbox.sample.dimensions import phase_plan, unit_layout
from silta.sandbox.severa import Organisation as SeveraOrganisation
from silta.sandbox.severa import Record, SeveraSandbox

from .helpers import FakeClock, must

Made = tuple[NetvisorOrganisation, SeveraOrganisation, Sample]

A_RULES = Counter(
    {
        "customers.severa.business_id_missing": 1,
        "customers.severa.business_id_invalid": 1,
        "customers.severa.head_office_missing": 1,
        "customers.severa.number_in_use": 1,
        "customers.severa.operator_unsupported": 2,
        "customers.severa.number_missing": 1,
        "products.netvisor.code_missing": 1,
        "products.netvisor.name_too_long": 1,
        "dimensions.phase.code_missing": 1,
        "dimensions.phase.code_not_unique": 2,
    }
)
B_RULES = Counter(
    {
        "customers.netvisor.code_missing": 1,
        "customers.netvisor.code_not_digits": 1,  # A-100 (the TEMP customer is skipped)
        "customers.netvisor.code_leading_zero": 1,
        "products.severa.code_missing": 1,
        "products.severa.name_too_long": 1,
        "dimensions.phase.code_missing": 1,
        "dimensions.phase.code_not_unique": 2,
    }
)
A_SHOWCASES = {
    "customers.severa.adopted",
    "customers.severa.inactive",
    "products.netvisor.gross_price",
    "products.netvisor.exists_in_target",
}
B_SHOWCASES = {
    "customers.netvisor.updated",
    "customers.netvisor.delivery_address_differs",
    "customers.netvisor.inactive",
    "customers.netvisor.private",
    "customers.netvisor.temp_skipped",
    "products.severa.no_price",
    "products.severa.exists_in_target",
}


def make(spec: SampleSpec) -> Made:
    clock = FakeClock()
    netvisor = NetvisorSandbox(clock=clock, seed=5).add_organisation("1967543-8")
    severa = SeveraSandbox(clock=clock, seed=5, rate_limit=None).add_organisation("Demo Oy")
    return netvisor, severa, populate(netvisor, severa, spec=spec)


@cache
def made(scenario: str, seed: int = 1) -> Made:
    """A default-sized sample, shared by the tests that only read it."""
    return make(SampleSpec(seed=seed, scenario="a" if scenario == "a" else "b"))


def fingerprint(netvisor: NetvisorOrganisation, severa: SeveraOrganisation) -> str:
    data: list[Any] = [
        [(c.key, dict(c.fields)) for c in netvisor.customers()],
        [
            (p.key, dict(p.fields), p.price, p.price_type, p.vat, dict(p.numbers))
            for p in netvisor.products()
        ],
        [h.name for h in netvisor.dimension_headers()],
    ]
    data += [
        [dict(r.json) for r in records]
        for records in (
            severa.customers(),
            severa.addresses(),
            severa.products(),
            severa.projects(),
            severa.phases(),
            severa.business_units(),
        )
    ]
    return json.dumps(data, default=str, ensure_ascii=False)


def planted_rules(sample: Sample, key: str) -> set[str]:
    return {case.rule for case in sample.planted if case.key == key}


# -- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_the_same_seed_gives_the_same_data_and_manifest(scenario: str) -> None:
    first_nv, first_sv, first = make(SampleSpec(seed=7, scenario="a" if scenario == "a" else "b"))
    again_nv, again_sv, again = make(SampleSpec(seed=7, scenario="a" if scenario == "a" else "b"))
    assert fingerprint(first_nv, first_sv) == fingerprint(again_nv, again_sv)
    assert first == again


def test_another_seed_gives_other_data() -> None:
    nv7, sv7, sample7 = make(SampleSpec(seed=7))
    nv8, sv8, sample8 = make(SampleSpec(seed=8))
    assert fingerprint(nv7, sv7) != fingerprint(nv8, sv8)
    assert {c.name for c in sample7.planted} != {c.name for c in sample8.planted}
    assert {c.name for c in nv7.customers()} != {c.name for c in nv8.customers()}


# -- the planted cases -------------------------------------------------------------------------


@pytest.mark.parametrize(("scenario", "rules"), [("a", A_RULES), ("b", B_RULES)])
def test_every_rule_of_the_scenario_is_planted(scenario: str, rules: Counter[str]) -> None:
    _, _, sample = made(scenario)
    assert Counter(case.rule for case in sample.planted) == rules
    assert sample.rules == set(rules)
    assert {case.rule for case in sample.showcases} == (
        A_SHOWCASES if scenario == "a" else B_SHOWCASES
    )
    keys = [(case.system, case.register, case.key) for case in sample.planted]
    assert len(set(keys)) == len(keys)  # a record breaks one rule only


def test_the_planted_rules_are_rules_the_engine_reports() -> None:
    rules = pytest.importorskip("silta.registers.rules")
    assert set(A_RULES) | set(B_RULES) <= set(rules.RULES)


def _record_name(
    netvisor: NetvisorOrganisation, severa: SeveraOrganisation, case: PlantedCase
) -> str | None:
    if case.system == "netvisor":
        getter = netvisor.customer if case.register == "customers" else netvisor.product
        record = getter(int(case.key))
        return None if record is None else record.name
    read = {"customers": severa.customer, "products": severa.product, "dimensions": severa.phase}
    found = read[case.register](case.key)
    return None if found is None else str(found["name"])


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_every_case_names_a_record_of_the_right_sandbox(scenario: str) -> None:
    netvisor, severa, sample = made(scenario)
    for case in (*sample.planted, *sample.showcases):
        assert _record_name(netvisor, severa, case) == case.name, case
        assert case.description_fi and case.description_en
        assert "{" not in case.description_fi + case.description_en
    source = "severa" if scenario == "a" else "netvisor"
    customer_cases = [c for c in sample.planted if c.register == "customers"]
    assert {c.system for c in customer_cases} == {source}
    assert {c.system for c in sample.planted if c.register == "products"} != {source}
    assert {c.system for c in sample.planted if c.register == "dimensions"} == {"severa"}


def _same_company(one: str, other: str) -> bool:
    return is_valid_business_id(one) and parse_business_id(one) == parse_business_id(other)


def test_scenario_a_severa_customers_break_exactly_the_planted_rules() -> None:
    netvisor, severa, sample = made("a")
    for customer in severa.customers():
        broken = set()
        number, vat = customer["number"], customer["vatNumber"]
        if number is None:
            broken.add("customers.severa.number_missing")
        else:
            holder = netvisor.customer_by_code(str(number))
            if holder is not None and not _same_company(
                vat or "", holder.get("externalidentifier")
            ):
                broken.add("customers.severa.number_in_use")
        if not vat:
            broken.add("customers.severa.business_id_missing")
        elif not is_valid_business_id(vat):
            broken.add("customers.severa.business_id_invalid")
        if customer.get("headquarterAddress") is None:
            broken.add("customers.severa.head_office_missing")
        operator = customer["eInvoiceOperator"]
        if operator and find_operator(operator) is None:
            broken.add("customers.severa.operator_unsupported")
        assert broken == planted_rules(sample, customer.guid), customer["name"]
    written = {c.key: c for c in sample.planted if "operator" in c.rule}
    assert {must(severa.customer(k))["eInvoiceOperator"] for k in written} == {
        "ndeafihh",
        "OPERAATTORI OY",
    }


def test_scenario_b_netvisor_customers_break_exactly_the_planted_rules() -> None:
    netvisor, _, sample = made("b")
    rule_of = {
        "missing": "customers.netvisor.code_missing",
        "not_digits": "customers.netvisor.code_not_digits",
        "leading_zero": "customers.netvisor.code_leading_zero",
    }
    for customer in netvisor.customers():
        if customer.code == "TEMP":
            continue  # the temporary customer is skipped, not refused (rule 7)
        problem = customer_number_problem(customer.code)
        broken = set() if problem is None else {rule_of[problem.value]}
        assert broken == planted_rules(sample, str(customer.key)), customer.name
    codes = {c.code for c in netvisor.customers()}
    assert {"A-100", "0150", "TEMP"} <= codes


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_source_products_break_exactly_the_planted_rules(scenario: str) -> None:
    netvisor, severa, sample = made(scenario)
    if scenario == "a":
        for product in netvisor.products():
            broken = set()
            if not product.code:
                broken.add("products.netvisor.code_missing")
            if len(product.name) > 100:
                broken.add("products.netvisor.name_too_long")
                assert len(product.name) <= 200  # Netvisor holds it; only Severa cannot
            assert broken == planted_rules(sample, str(product.key)), product.name
    else:
        for record in severa.products():
            broken = set()
            if not record["code"]:
                broken.add("products.severa.code_missing")
            if len(record["name"]) > 200:
                broken.add("products.severa.name_too_long")
            assert broken == planted_rules(sample, record.guid), record["name"]


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_phases_break_exactly_the_planted_rules(scenario: str) -> None:
    _, severa, sample = made(scenario)
    assert severa.settings.is_identical_phase_codes_allowed
    for project in severa.projects():
        phases = [p for p in severa.phases(project.guid) if p.get("parentPhase") is not None]
        codes = Counter(p["code"] for p in phases if p["code"])
        for phase in phases:
            broken = set()
            if not phase["code"]:
                broken.add("dimensions.phase.code_missing")
            elif codes[phase["code"]] > 1:
                broken.add("dimensions.phase.code_not_unique")
            assert broken == planted_rules(sample, phase.guid), phase["name"]


# -- realism -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_business_ids_are_valid_and_in_each_systems_form(scenario: str) -> None:
    netvisor, severa, sample = made(scenario)
    ids = [
        c.get("externalidentifier")
        for c in netvisor.customers()
        if c.get("isprivatecustomer") == "0" and c.code != "TEMP"
    ]
    assert ids and all(re.fullmatch(r"\d{7}-\d", i) and is_valid_business_id(i) for i in ids)
    invalid = {c.key for c in sample.cases("customers.severa.business_id_invalid")}
    vat_numbers = [c["vatNumber"] for c in severa.customers() if c["vatNumber"]]
    assert all(re.fullmatch(r"FI\d{8}", v) for v in vat_numbers)
    assert all(
        is_valid_business_id(c["vatNumber"])
        for c in severa.customers()
        if c["vatNumber"] and c.guid not in invalid
    )
    every = [*ids, *(f"{v[2:9]}-{v[9]}" for v in vat_numbers)]
    assert any(i.startswith("0") for i in every)  # old 0xxxxxx IDs are there too


def test_e_invoice_addresses_and_operators_are_real() -> None:
    netvisor, severa, sample = made("a")
    planted = {case.key for case in sample.planted}
    banks = {op.identifier for op in OPERATORS if op.kind is OperatorKind.BANK}
    pairs = [
        (c.get("finvoiceaddress"), c.get("finvoiceroutercode"), c.get("externalidentifier"))
        for c in netvisor.customers()
        if c.get("finvoiceaddress")
    ] + [
        (c["eInvoiceAddress"], c["eInvoiceOperator"], c["vatNumber"] or "")
        for c in severa.customers()
        if c["eInvoiceAddress"] and c.guid not in planted
    ]
    assert len(pairs) >= 10
    kinds = set()
    for address, operator, business_id in pairs:
        assert find_operator(operator) is not None
        if operator in banks:
            kinds.add("iban")
            assert re.fullmatch(r"FI\d{16}", address)
            assert int(address[4:] + "1518" + address[2:4]) % 97 == 1  # ISO 13616
        else:
            kinds.add("ovt")
            assert address == "0037" + re.sub(r"\D", "", business_id)
    assert kinds == {"iban", "ovt"}


def test_head_office_addresses_are_flagged_as_described() -> None:
    _, severa, sample = made("a")
    flags: Counter[str] = Counter()
    with_second = 0
    for customer in severa.customers():
        addresses = severa.addresses(customer.guid)
        head_office = customer.get("headquarterAddress")
        if head_office is None:
            assert addresses  # the planted one has an address, just not as its head office
            continue
        hq = next(a for a in addresses if a.guid == head_office["guid"])
        flags[
            {(True, True): "both", (True, False): "billing", (False, True): "post"}[
                (hq["isBillingAddress"], hq["isPostalAddress"])
            ]
        ] += 1
        with_second += len(addresses) > 1
    assert flags["both"] > flags["billing"] > 0
    assert flags["both"] > flags["post"] > 0
    assert with_second > 0
    (missing,) = sample.cases("customers.severa.head_office_missing")
    assert severa.addresses(missing.key)


def test_languages_and_names_look_finnish() -> None:
    netvisor, severa, _ = made("a", seed=3)
    languages = Counter(c.get("invoicinglanguage") for c in netvisor.customers())
    assert languages["FI"] > languages["SE"] >= 0
    severa_languages = Counter(c["language"]["code"] for c in severa.customers())
    assert severa_languages["fi"] > max(severa_languages["sv"], severa_languages["en"])
    names = [c["name"] for c in severa.customers()]
    assert len(set(names)) == len(names)
    forms = Counter(n.split()[-1] for n in names if n.split()[-1] in {"Oy", "Ky", "Oyj", "Ab"})
    assert forms["Oy"] > forms["Ky"] > 0
    assert all(re.fullmatch(r"\d{5}", a["postalCode"]) for a in severa.addresses())
    for customer in severa.customers():
        domain = customer["email"].split("@")[1]
        assert customer["website"].endswith(domain)


LANGUAGES = {"fi": "FI", "sv": "SE", "en": "EN"}


def _severa_as_netvisor(severa: SeveraOrganisation, customer: Record) -> dict[str, str]:
    """The Netvisor fields the article's table maps from a Severa customer."""
    hq = must(severa.address(customer["headquarterAddress"]["guid"]))
    vat = customer["vatNumber"]
    fields = {
        "internalidentifier": str(customer["number"]),
        "name": customer["name"],
        "externalidentifier": f"{vat[2:9]}-{vat[9]}",
        "finvoiceaddress": customer["eInvoiceAddress"] or "",
        "finvoiceroutercode": customer["eInvoiceOperator"] or "",
        "comment": customer["notes"] or "",
        "email": customer["email"],
        "homepageuri": customer["website"],
        "phonenumber": hq["phone"],
        "faxnumber": hq["fax"] or "",
        "invoicinglanguage": LANGUAGES[customer["language"]["code"]],
        "isactive": "1" if customer["isActive"] else "0",
    }
    place = {"streetaddress": hq["addressline"], "city": hq["city"], "postnumber": hq["postalCode"]}
    if hq["isBillingAddress"]:
        fields.update(place, country="FI")
    if hq["isPostalAddress"]:
        fields.update({f"delivery{k}": v for k, v in place.items()}, deliverycountry="FI")
        fields["deliveryname"] = customer["name"]
    return fields


def test_scenario_a_customers_in_both_systems_are_identical_or_older() -> None:
    netvisor, severa, sample = made("a")
    identical = differing = 0
    for customer in severa.customers():
        holder = netvisor.customer_by_code(str(customer["number"]))
        if holder is None or customer.guid in {c.key for c in sample.planted}:
            continue
        assert _same_company(customer["vatNumber"], holder.get("externalidentifier"))
        expected = _severa_as_netvisor(severa, customer)
        same = {k: holder.get(k) for k in expected} == expected
        identical += same
        differing += not same
        assert holder.get("emailinvoicingaddress") == holder.get("email")
    assert identical > 0 and differing > 0
    (adopted,) = sample.cases("customers.severa.adopted")
    record = must(severa.customer(adopted.key))
    holder = must(netvisor.customer_by_code(str(record["number"])))
    head_office = must(severa.address(record["headquarterAddress"]["guid"]))
    assert holder.get("phonenumber") != head_office["phone"]


def _netvisor_as_severa(customer: Customer) -> dict[str, object]:
    """The Severa fields (``hq.`` = head office) the article's table maps from Netvisor."""
    business_id = customer.get("externalidentifier")
    delivery = [customer.get(f"delivery{k}") for k in ("streetaddress", "city", "postnumber")]
    billing = [customer.get(k) for k in ("streetaddress", "city", "postnumber")]
    return {
        "number": int(customer.code),
        "name": customer.name,
        "vatNumber": "FI" + business_id.replace("-", ""),
        "eInvoiceAddress": customer.get("finvoiceaddress") or None,
        "eInvoiceOperator": customer.get("finvoiceroutercode") or None,
        "notes": customer.get("comment") or None,
        "email": customer.get("email"),
        "website": customer.get("homepageuri"),
        "language": customer.get("invoicinglanguage"),
        "isActive": customer.is_active,
        "hq.addressline": customer.get("streetaddress"),
        "hq.city": customer.get("city"),
        "hq.postalCode": customer.get("postnumber"),
        "hq.phone": customer.get("phonenumber"),
        "hq.fax": customer.get("faxnumber") or None,
        "hq.isBillingAddress": True,
        "hq.isPostalAddress": not any(delivery) or delivery == billing,
    }


def test_scenario_b_customers_in_both_systems_are_identical_or_older() -> None:
    netvisor, severa, sample = made("b")
    identical = differing = 0
    planted = {case.key for case in sample.planted}
    for customer in netvisor.customers():
        if str(customer.key) in planted or customer.get("isprivatecustomer") == "1":
            continue
        if customer.code == "TEMP":
            continue
        match = severa.customer_by_number(int(customer.code))
        if match is None:
            continue
        hq = must(severa.address(match["headquarterAddress"]["guid"]))
        actual = {k: match[k] for k in ("number", "name", "vatNumber", "eInvoiceAddress")}
        actual |= {k: match[k] for k in ("eInvoiceOperator", "notes", "email", "website")}
        actual |= {"language": LANGUAGES[match["language"]["code"]], "isActive": match["isActive"]}
        actual |= {f"hq.{k}": hq[k] for k in ("addressline", "city", "postalCode", "phone", "fax")}
        actual |= {f"hq.{k}": hq[k] for k in ("isBillingAddress", "isPostalAddress")}
        same = actual == _netvisor_as_severa(customer)
        identical += same
        differing += not same
    assert identical > 0 and differing > 0


def test_scenario_b_showcases_are_what_they_say() -> None:
    netvisor, severa, sample = made("b")
    (private,) = sample.cases("customers.netvisor.private")
    person = netvisor.customer(int(private.key))
    assert person is not None and person.get("isprivatecustomer") == "1"
    code = person.get("externalidentifier")
    assert re.fullmatch(r"\d{6}[-YXWVU]9\d\d[0-9A-Y]", code)
    (differs,) = sample.cases("customers.netvisor.delivery_address_differs")
    customer = netvisor.customer(int(differs.key))
    assert customer is not None
    assert customer.get("deliverystreetaddress") not in ("", customer.get("streetaddress"))
    (no_price,) = sample.cases("products.severa.no_price")
    product = severa.product(no_price.key)
    assert product is not None
    assert product.get("unitPrice") is None and product.get("unitCost") is None
    assert product.get("vatRate") is None
    (exists,) = sample.cases("products.severa.exists_in_target")
    product = severa.product(exists.key)
    assert product is not None
    other = netvisor.product_by_code(product["code"])
    assert other is not None and float(other.unit_price) != product["unitPrice"]["amount"]
    (inactive,) = sample.cases("customers.netvisor.inactive")
    assert not must(netvisor.customer(int(inactive.key))).is_active


def test_scenario_a_product_showcases_are_what_they_say() -> None:
    netvisor, severa, sample = made("a")
    (gross,) = sample.cases("products.netvisor.gross_price")
    product = netvisor.product(int(gross.key))
    assert product is not None and product.price_type == "gross"
    (exists,) = sample.cases("products.netvisor.exists_in_target")
    product = netvisor.product(int(exists.key))
    assert product is not None
    other = severa.product_by_code(product.code)
    assert other is not None and other["unitPrice"]["amount"] != float(product.unit_price)
    (inactive,) = sample.cases("customers.severa.inactive")
    assert must(severa.customer(inactive.key))["isActive"] is False


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_products_have_units_prices_and_the_finnish_vat_rates(scenario: str) -> None:
    netvisor, severa, _ = made(scenario)
    nv_products = [p for p in netvisor.products() if p.code != "TEMP"]
    sv_products = severa.products()
    assert {"h", "kpl", "pv"} <= {p.get("unit") for p in nv_products} | {
        p["measurementUnit"] for p in sv_products
    }
    rates = {float(p.vat) for p in nv_products} | {p["vatRate"] for p in sv_products}
    assert rates - {None} == {25.5, 14.0, 13.5, 10.0, 0.0}
    inactive = sum(p.get("isactive") != "1" for p in nv_products)
    inactive += sum(not p["isActive"] for p in sv_products)
    assert inactive > 0
    assert any("purchaseprice" in p.numbers for p in nv_products)


def test_temp_records_and_headers_are_in_netvisor() -> None:
    for scenario in ("a", "b"):
        netvisor, _, sample = made(scenario)
        temp_customer = netvisor.customer_by_code("TEMP")
        temp_product = netvisor.product_by_code("TEMP")
        assert temp_customer is not None and temp_customer.key == sample.temp_customer_key
        assert temp_product is not None and temp_product.key == sample.temp_product_key
        assert sample.dimension_headers == ("Projekti", "Liiketoimintayksikkö")
        headers = {h.name for h in netvisor.dimension_headers()}
        assert set(sample.dimension_headers) < headers
        for header in sample.dimension_headers:
            assert netvisor.dimension_items(header) == []  # the sync creates the items
        (other,) = headers - set(sample.dimension_headers)
        assert netvisor.dimension_items(other)


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_counts_are_as_asked(scenario: str) -> None:
    spec = SampleSpec(
        seed=4,
        customers=30,
        products=15,
        projects=5,
        phases_per_project=3,
        business_units=7,
        scenario="a" if scenario == "a" else "b",
    )
    netvisor, severa, _ = make(spec)
    nv_customers = [c for c in netvisor.customers() if c.code != "TEMP"]
    nv_products = [p for p in netvisor.products() if p.code != "TEMP"]
    if scenario == "a":
        assert len(severa.customers()) == 30 and len(nv_products) == 15
        assert 0 < len(nv_customers) < 30 and 0 < len(severa.products()) < 15
    else:
        assert len(nv_customers) == 30 and len(severa.products()) == 15
        assert 0 < len(severa.customers()) < 30 and 0 < len(nv_products) < 15
    projects = severa.projects()
    assert len(projects) == 5
    assert [len(severa.phases(p.guid)) - 1 for p in projects] == [3] * 5
    assert len(severa.business_units()) == 7 + 1  # and the company's root unit
    assert all(p["customer"]["guid"] and p["projectOwner"] for p in projects)
    assert len({p["number"] for p in projects}) == 5


def test_projects_have_units_and_coded_phases_with_sub_phases() -> None:
    _, severa, _ = made("a")
    units = {u.guid for u in severa.business_units()}
    codes = {u["code"] for u in severa.business_units() if u["code"]}
    assert {"HKI", "TRE", "HKI-KONS"} <= codes
    sub_phases = 0
    for project in severa.projects():
        assert project["businessUnit"]["guid"] in units
        root = severa.root_phase(project.guid)
        assert root is not None
        for phase in severa.phases(project.guid):
            parent = phase.get("parentPhase")
            if parent is not None and parent["guid"] != root.guid:
                sub_phases += 1
                assert phase["code"].endswith("1")
    assert sub_phases > 0


def test_phase_plans_and_unit_layouts() -> None:
    plans = phase_plan(["A", "B", "C", "D"], 4, sub_phase=True)
    assert [(p.name, p.code, p.parent) for p in plans] == [
        ("A", "10", None),
        ("B", "20", None),
        ("C", "21", 1),
        ("D", "30", None),
    ]
    assert [p.code for p in phase_plan(["A"], 3, sub_phase=False)] == ["10", "20", "30"]
    layout = unit_layout(120)
    assert len({code for _, code, _ in layout}) == 120
    seen: set[str] = set()
    for _, code, parent in layout:
        assert parent is None or parent in seen
        seen.add(code)


def test_identity_codes_are_fictitious_and_check_out() -> None:
    import random

    rng = random.Random(0)
    for _ in range(200):
        code = identity_code(rng)
        digits = code[:6] + code[7:10]
        assert 900 <= int(code[7:10]) <= 999
        assert code[10] == "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(digits) % 31]
    # DVV's published test person comes out of the same arithmetic
    assert "0123456789ABCDEFHJKLMNPRSTUVWXY"[int("010594902") % 31] == "1"


# -- the spec ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrong",
    [
        {"customers": 11},
        {"products": 7},
        {"projects": 1},
        {"phases_per_project": 1},
        {"business_units": 0},
        {"business_units": 121},
        {"scenario": "c"},
    ],
)
def test_a_spec_that_leaves_no_room_for_the_cases_is_refused(wrong: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        SampleSpec(**wrong)


def test_only_empty_organisations_are_filled() -> None:
    netvisor, severa, _ = made("a")
    with pytest.raises(ValueError, match="not empty"):
        populate(netvisor, severa)
    fresh = SeveraSandbox(seed=1).add_organisation("Tyhjä Oy")
    with pytest.raises(ValueError, match="not empty"):
        populate(netvisor, fresh)


def test_a_large_sample_is_quick() -> None:
    spec = SampleSpec(seed=1, customers=1000, products=1000, projects=200)
    started = time.perf_counter()
    netvisor, severa, sample = make(spec)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"{elapsed:.2f} s"
    assert len(severa.customers()) == 1000
    assert len([p for p in netvisor.products() if p.code != "TEMP"]) == 1000
    assert len(severa.projects()) == 200
    assert Counter(case.rule for case in sample.planted) == A_RULES
