"""The sample's travel reports (sample/travel.py): every travel.* rule planted once and broken
by its report alone (re-checked by readings of this test's own), the kinds of reports the
transfer takes or skips, and - through tripexpense.nv - that Netvisor itself accepts what the
transfer may send and refuses what it must refuse."""

from __future__ import annotations

import base64
from collections import Counter
from decimal import Decimal
from functools import cache
from typing import Any

import attrs
import httpx
import pytest

from silta.sandbox.netvisor import Integration, NetvisorSandbox
from silta.sandbox.netvisor import Organisation as NetvisorOrganisation
from silta.sandbox.netvisor.tripexpenses import ATTACHMENT_LIMIT, FILE_NAME_LIMIT
from silta.sandbox.sample import TRAVEL_RULES, Sample, SampleSpec, TravelSample, populate
from silta.sandbox.severa import Organisation as SeveraOrganisation
from silta.sandbox.severa import SeveraSandbox

from .helpers import Api, FakeClock, failure, must, status

ORG = "1967543-8"


@attrs.frozen
class Made:
    netvisor: NetvisorSandbox
    nv: NetvisorOrganisation
    sv: SeveraOrganisation
    sample: Sample

    @property
    def travel(self) -> TravelSample:
        return must(self.sample.travel)


def make(spec: SampleSpec) -> Made:
    clock = FakeClock()
    netvisor = NetvisorSandbox(clock=clock, seed=3)
    netvisor.add_integration(Integration(partner_id="P", partner_key="k", customer_id="C",
                                         customer_key="c", organisation_ids=(ORG,)))  # fmt: skip
    nv = netvisor.organisation(ORG)
    sv = SeveraSandbox(clock=clock, seed=3, rate_limit=None).add_organisation("Demo Oy")
    return Made(netvisor, nv, sv, populate(nv, sv, spec))


@cache
def made(scenario: str, small: bool = False) -> Made:
    size = {"customers": 12, "products": 8, "projects": 2, "phases_per_project": 2} if small else {}
    return make(SampleSpec(seed=5, scenario=scenario, **size))  # type: ignore[arg-type]


def expenses(sv: SeveraOrganisation, report: str) -> list[dict[str, Any]]:
    return sv.travel.expenses_json(report)


def files(sv: SeveraOrganisation, expense: dict[str, Any]) -> list[dict[str, Any]]:
    return sv.travel.files_json(expense["guid"])


def broken(m: Made, report: str) -> list[str]:
    """The refusal rules a report breaks, read here from the two sandboxes."""
    sv, travel = m.sv, m.travel
    shown = must(sv.travel.reimbursement(report))
    rules = []
    user = must(sv.reference.user(shown["user"]["guid"]))
    if m.nv.travel.employee_by_number(user.code) is None:
        rules.append("travel.employee_not_matched")
    items = expenses(sv, report)
    if any(e["travelExpense"]["code"] not in travel.expense_types for e in items):
        rules.append("travel.expense_type_unmapped")
    attached = [f for e in items for f in files(sv, e)]
    if sum(f["size"] for f in attached) > ATTACHMENT_LIMIT:
        rules.append("travel.attachments_too_large")
    if any(len(f["name"]) > FILE_NAME_LIMIT for f in attached):
        rules.append("travel.attachment_name_too_long")
    for expense in items:
        phase = must(sv.phase(expense["phase"]["guid"]))
        if phase.get("parentPhase") and not phase["code"]:
            rules.append("travel.dimension_item_missing")
    return rules


# -- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["a", "b", "t"])
def test_every_rule_is_planted_once_and_broken_by_its_report_alone(scenario: str) -> None:
    m = made(scenario)
    assert Counter(case.rule for case in m.travel.planted) == Counter(TRAVEL_RULES)
    planted = {case.key: case.rule for case in m.travel.planted}
    approved = m.travel.approved
    for report in m.travel.reports:
        shown = must(m.sv.travel.reimbursement(report))
        if shown["travelReimbursementStatus"]["guid"] != approved:
            continue
        assert broken(m, report) == ([planted[report]] if report in planted else []), report


def test_a_small_sample_plants_them_too() -> None:
    assert made("a", small=True).travel.rules == frozenset(TRAVEL_RULES)


def test_the_kinds_of_reports() -> None:
    m = made("a")
    sv = m.sv
    by_rule = {case.rule: case.key for case in m.travel.showcases}
    assert {
        "travel.mileage", "travel.daily_allowance", "travel.other_expenses",
        "travel.not_reimbursable_paid", "travel.all_not_reimbursable", "travel.zero_sum",
        "travel.not_approved",
    } == set(by_rule)  # fmt: skip

    def classes(rule: str) -> set[str]:
        return {e["travelExpense"]["expenseClass"] for e in expenses(sv, by_rule[rule])}

    assert classes("travel.mileage") == {"Mileage"}
    assert classes("travel.daily_allowance") == {"DailyAllowance"}
    assert classes("travel.other_expenses") == {"OtherTravelExpense"}
    mixed = [
        e["travelReimbursementRequired"]
        for e in expenses(sv, by_rule["travel.not_reimbursable_paid"])
    ]
    assert sorted(mixed) == [False, True]
    card = expenses(sv, by_rule["travel.all_not_reimbursable"])
    assert not any(e["travelReimbursementRequired"] for e in card)
    zero = must(sv.travel.reimbursement(by_rule["travel.zero_sum"]))
    assert zero["totalExpenses"]["amount"] == 0
    other = expenses(sv, by_rule["travel.other_expenses"])
    sizes = [f["size"] for e in other for f in files(sv, e)]
    assert 3_000_000 < sum(sizes) <= ATTACHMENT_LIMIT  # near the limit, within it
    waiting = [c.key for c in m.travel.showcases if c.rule == "travel.not_approved"]
    names = {must(sv.travel.reimbursement(g))["travelReimbursementStatus"]["name"] for g in waiting}
    assert names == {"Odottaa hyväksyntää", "Luonnos"}


def test_travellers_status_and_mapping() -> None:
    m = made("b")
    travel = m.travel
    assert set(travel.employees) < set(travel.travellers)
    for number, employee in travel.employees.items():
        assert must(m.nv.travel.employee(employee)).number == number
        user = must(m.sv.reference.user(travel.travellers[number]))
        assert user.code == number
    status = must(m.sv.travel.statuses.get(travel.transferred))
    assert (status["name"], status["isApproved"], status["isLocked"]) == (
        "Siirretty Netvisoriin", True, True,
    )  # fmt: skip
    ratios = {name for ratio in m.nv.travel.ratios() for name in [ratio.names["fi"]]}
    for code, target in travel.expense_types.items():
        if code.startswith(("KM", "PR")):
            assert target in ("car", "domesticfull", "domestichalf")
        else:
            assert target in ratios, code


def test_the_same_seed_gives_the_same_reports() -> None:
    first, again = made("a"), make(SampleSpec(seed=5, scenario="a"))
    assert first.travel == again.travel
    assert first.sv.travel.all_reimbursements() == again.sv.travel.all_reimbursements()


# -- through tripexpense.nv ---------------------------------------------------------------------


def trip_xml(m: Made, report: str) -> str:
    """A travel invoice of a report, as plainly as the reference allows (no dimensions)."""
    sv, travel = m.sv, m.travel
    shown = must(sv.travel.reimbursement(report))
    number = must(sv.reference.user(shown["user"]["guid"])).code
    employee = f'<employeeidentifier type="number">{number}</employeeidentifier>'
    custom, mileage, daily = [], [], []
    for e in expenses(sv, report):
        code, kind = e["travelExpense"]["code"], e["travelExpense"]["expenseClass"]
        target = travel.expense_types.get(code, e["travelExpense"]["name"])
        status = "" if e["travelReimbursementRequired"] else "<linestatus>PAID</linestatus>"
        price = f"{Decimal(str(e['unitCost']['amount'])):f}".replace(".", ",")
        attached = ""
        for f in files(sv, e):
            data = must(sv.travel.file_data(f["fileGuid"]))
            attached += (
                f"<tripexpenseattachment><mimetype>{f['contentType']}</mimetype>"
                f"<attachmentdescription>Kuitti</attachmentdescription>"
                f"<filename>{f['name']}</filename>"
                f"<documentdata>{base64.b64encode(data).decode()}</documentdata>"
                "</tripexpenseattachment>"
            )
        if attached:
            attached = f"<tripexpenseattachments>{attached}</tripexpenseattachments>"
        day = e["eventDate"]
        if kind == "Mileage":
            mileage.append(
                f"<travelline>{employee}<traveltype>{target}</traveltype>"
                f"<passengeramount>0</passengeramount><kilometeramount>{e['quantity']:g}"
                f"</kilometeramount><unitprice>{price}</unitprice><linedescription>x"
                f"</linedescription><traveldate>{day}</traveldate><routedescription>x"
                f"</routedescription>{status}{attached}</travelline>"
            )
        elif kind == "DailyAllowance":
            start, end = e["travelStartTime"][:16], e["travelEndTime"][:16]
            daily.append(
                f"<dailycompensationline>{employee}<compensationtype>{target}"
                f"</compensationtype><amount>{e['quantity']:g}</amount><unitprice>{price}"
                f"</unitprice><linedescription>x</linedescription><timeofdeparture>{start}"
                f"</timeofdeparture><returntime>{end}</returntime>{status}{attached}"
                "</dailycompensationline>"
            )
        else:
            custom.append(
                f'<customline>{employee}<ratio type="name">{target}</ratio>'
                f"<amount>{e['quantity']:g}</amount><customlineunitprice>{price}"
                f"</customlineunitprice><linedescription>{e['description']}</linedescription>"
                f"<begindate>{day}</begindate><enddate>{day}</enddate>{status}{attached}"
                "</customline>"
            )
    parts = [f"<header>{shown['title']}</header>"]
    for tag, lines in (("customlines", custom), ("travellines", mileage),
                       ("dailycompensationlines", daily)):  # fmt: skip
        if lines:
            parts.append(f"<{tag}>{''.join(lines)}</{tag}>")
    return "<root><tripexpense>" + "".join(parts) + "</tripexpense></root>"


@pytest.mark.parametrize(
    ("rule", "outcome"),
    [
        ("travel.mileage", "OK"),
        ("travel.daily_allowance", "OK"),
        ("travel.other_expenses", "OK"),
        ("travel.not_reimbursable_paid", "OK"),
        ("travel.employee_not_matched", "INVALID_DATA"),
        ("travel.expense_type_unmapped", "INVALID_DATA"),
        ("travel.attachments_too_large", "INVALID_DATA_SIZE"),
        ("travel.attachment_name_too_long", "INVALID_DATA_SIZE"),
    ],
)
async def test_netvisor_takes_the_reports_and_refuses_the_planted_ones(
    rule: str, outcome: str
) -> None:
    m = make(SampleSpec(seed=5, scenario="a"))
    report = must(m.sample.cases(rule))[0].key
    transport = httpx.ASGITransport(app=m.netvisor.app)
    clock = FakeClock()
    m.netvisor.clock = clock
    async with httpx.AsyncClient(transport=transport, base_url="https://isvapi.netvisor.fi") as c:
        api = Api(c, clock)
        response = await api.post("tripexpense.nv", {}, trip_xml(m, report),
                                  customer_id="C", customer_key="c", partner_id="P",
                                  partner_key="k")  # fmt: skip
    if outcome == "OK":
        assert status(response) == ["OK"], response.text
        paid = [line.status for trip in m.nv.travel.trip_expenses() for line in trip.lines]
        if rule == "travel.not_reimbursable_paid":
            assert sorted(paid) == ["OPEN", "PAID"]
    else:
        assert failure(response) == outcome
        assert m.nv.travel.trip_expenses() == []
