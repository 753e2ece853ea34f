"""Travel reimbursements (invoices.md §1.3, §3.4): statuses, travel expense types, the
reimbursements with their expenses and files, the status change, totals, scopes. Every
answer is judged against Severa's OpenAPI document by the client fixture."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest

from silta.sandbox.severa import (
    Credential,
    Organisation,
    SeveraFailure,
    SeveraFaults,
    SeveraSandbox,
)
from silta.sandbox.severa import variance as severa_variance
from silta.sandbox.severa.travel import TRAVEL_SUB_MODELS, ExpensePlan, FilePlan
from silta.sandbox.severa.travelstatuses import TRAVEL_STATUS_FIELDS
from silta.sandbox.variance import Variance

from ...severa_openapi import required_document
from .helpers import ALL_TEST_SCOPES, Api, FakeClock, detail_names, error_of

D = Decimal
TRAVEL_SCOPES = ALL_TEST_SCOPES | {"travels:read", "travels:write", "files:read", "users:read"}


@attrs.frozen
class World:
    traveller: str
    mileage: str
    allowance: str
    taxi: str
    project: str
    phase: str
    other_phase: str
    report: str


@pytest.fixture
def api(client: httpx.AsyncClient, sandbox: SeveraSandbox, org: Organisation) -> Api:
    sandbox.add_credential(
        Credential(
            client_id="travel",
            client_secret="travel-secret",
            organisation=org.id,
            scopes=TRAVEL_SCOPES,
        )
    )
    return Api(client, "travel", "travel-secret")


@pytest.fixture
def world(org: Organisation) -> World:
    traveller = org.put_user("Aino", "Korhonen", "1001", "aino.korhonen@example.fi")
    travel = org.travel
    mileage = travel.put_travel_expense_type(
        "Kilometrikorvaus", "KM", "Mileage", unit_cost=D("0.55")
    )
    allowance = travel.put_travel_expense_type("Kotimaan päiväraha", "PR", "DailyAllowance")
    taxi = travel.put_travel_expense_type(
        "Taksi", "TAKSI", "OtherTravelExpense", purchase_vat_rate=D("13.5")
    )
    customer = org.put_customer("Esimerkki Oy", 1001)
    project = org.put_project("Sähköasennukset, Esimerkki", customer, 2001)
    phase = org.put_phase(project, "Suunnittelu", "10")
    other = org.put_project("Pilvisiirto, Esimerkki", customer, 2002)
    other_phase = org.put_phase(other, "Suunnittelu", "10")
    start = datetime(2026, 2, 11, 5, 0, tzinfo=UTC)
    report = travel.put_reimbursement(
        traveller,
        "Asiakaskäynti Jyväskylä",
        [
            ExpensePlan(mileage, project, D(212), D("0.55"), phase=phase,
                        event_date=date(2026, 2, 11)),
            ExpensePlan(allowance, project, D(1), D(54), start=start,
                        end=datetime(2026, 2, 11, 17, 30, tzinfo=UTC)),
            ExpensePlan(taxi, project, D(1), D("24.80"), purchase_vat_rate=D("13.5"),
                        files=(FilePlan("kuitti.pdf", 0, data=b"%PDF taksi"),)),
            ExpensePlan(taxi, project, D(1), D("31.20"), purchase_vat_rate=D("13.5"),
                        reimbursable=False, description="Yrityskortti",
                        files=(FilePlan("kortti.pdf", 2_000_000),)),
        ],
        advance_payment=D(50),
    )  # fmt: skip
    return World(traveller, mileage, allowance, taxi, project, phase, other_phase, report)


async def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


# -- the document's models -------------------------------------------------------------------


def test_the_tables_are_the_documents() -> None:
    schemas = required_document()["components"]["schemas"]
    for name, refs in TRAVEL_SUB_MODELS.items():
        declared = {p for p, s in schemas[name]["properties"].items() if "$ref" in s}
        assert refs == declared, name
    status = schemas["TravelReimbursementStatusModel"]
    writable = {p for p, s in status["properties"].items() if not s.get("readOnly")}
    assert {f.name for f in TRAVEL_STATUS_FIELDS} == writable
    assert {f.name for f in TRAVEL_STATUS_FIELDS if f.required} == set(status["required"])


# -- statuses -------------------------------------------------------------------------------


async def test_a_new_organisation_has_severas_four_statuses(api: Api, org: Organisation) -> None:
    statuses = await ok(await api.get("/v1/travelreimbursementstatuses"))
    assert [(s["name"], s["isApproved"], s["isLocked"], s["isDefault"]) for s in statuses] == [
        ("Luonnos", False, False, True),
        ("Odottaa hyväksyntää", False, False, False),
        ("Hyväksytty", True, True, False),
        ("Hylätty", False, False, False),
    ]
    approved = org.travel.default_statuses.approved
    one = await ok(await api.get(f"/v1/travelreimbursementstatuses/{approved}"))
    assert one["name"] == "Hyväksytty"


async def test_statuses_are_made_filtered_and_paged(api: Api, org: Organisation) -> None:
    made = await api.post(
        "/v1/travelreimbursementstatuses",
        {"name": "Siirretty Netvisoriin", "isApproved": True, "isLocked": True},
    )
    assert made.status_code == 201, made.text
    assert made.json()["sortOrder"] == 5
    again = await api.post("/v1/travelreimbursementstatuses", {"name": "siirretty netvisoriin"})
    assert error_of(again)["type"] == "InvalidOperation"
    assert detail_names(await api.post("/v1/travelreimbursementstatuses", {})) == ["name"]
    found = await ok(await api.get("/v1/travelreimbursementstatuses",
                                   params={"textToSearch": "HYVÄKS"}))  # fmt: skip
    assert [s["name"] for s in found] == ["Odottaa hyväksyntää", "Hyväksytty"]
    page = await ok(await api.get("/v1/travelreimbursementstatuses",
                                  params={"firstRow": 1, "rowCount": 2}))  # fmt: skip
    assert [s["name"] for s in page] == ["Odottaa hyväksyntää", "Hyväksytty"]
    rejected = org.travel.default_statuses.rejected
    await ok(await api.replace(f"/v1/travelreimbursementstatuses/{rejected}", isActive="false"))
    inactive = await ok(await api.get("/v1/travelreimbursementstatuses",
                                      params={"active": "false"}))  # fmt: skip
    assert [s["name"] for s in inactive] == ["Hylätty"]


# -- travel expense types -----------------------------------------------------------------------


async def test_travel_expense_types_and_their_classes(api: Api, world: World) -> None:
    types = await ok(await api.get("/v1/travelexpensetypes"))
    by_code = {t["code"]: t for t in types}
    assert set(by_code) == {"KM", "PR", "TAKSI"}
    assert (by_code["KM"]["expenseClass"], by_code["KM"]["isMileage"]) == ("Mileage", True)
    assert by_code["KM"]["unitCost"]["amount"] == 0.55
    assert by_code["KM"]["measurementUnit"] == "km"
    assert (by_code["PR"]["isDailyAllowance"], by_code["PR"]["includeTime"]) == (True, True)
    assert by_code["TAKSI"]["purchaseVatRate"] == 13.5
    coded = await ok(await api.get("/v1/travelexpensetypes", params={"code": "PR"}))
    assert [t["code"] for t in coded] == ["PR"]
    searched = await ok(await api.get("/v1/travelexpensetypes", params={"textToSearch": "taks"}))
    assert [t["code"] for t in searched] == ["TAKSI"]
    paged = await ok(await api.get("/v1/travelexpensetypes",
                                   params={"firstRow": 1, "rowCount": 1}))  # fmt: skip
    assert [t["code"] for t in paged] == ["PR"]
    one = await ok(await api.get(f"/v1/travelexpensetypes/{world.taxi}"))
    assert one["name"] == "Taksi"
    assert (await api.get("/v1/travelexpensetypes/no-such")).status_code == 404


# -- reimbursements -----------------------------------------------------------------------------


async def test_a_reimbursement_and_its_totals(api: Api, org: Organisation, world: World) -> None:
    report = await ok(await api.get(f"/v1/travelreimbursements/{world.report}"))
    assert report["number"] == 1
    assert report["title"] == "Asiakaskäynti Jyväskylä"
    assert report["user"] == {"guid": world.traveller, "name": "Aino Korhonen"}
    assert report["travelReimbursementStatus"]["name"] == "Luonnos"
    # 212 x 0,55 = 116,60; 54; 24,80; the company-card 31,20 is not reimbursed; less 50.
    assert report["totalExpenses"]["amount"] == 226.6
    assert report["total"]["amount"] == 145.4
    assert report["advancePayment"]["amount"] == 50.0
    assert "approvalDate" in report
    assert report["approvalDate"] is None
    assert org.travel.reimbursement(world.report) == report


async def test_the_expenses_of_a_reimbursement(api: Api, org: Organisation, world: World) -> None:
    path = f"/v1/travelreimbursements/{world.report}/projecttravelexpenses"
    expenses = await ok(await api.get(path))
    mileage, allowance, taxi, card = expenses
    assert mileage["travelExpense"]["expenseClass"] == "Mileage"
    assert (mileage["quantity"], mileage["unitCost"]["amount"]) == (212.0, 0.55)
    assert mileage["phase"]["guid"] == world.phase
    assert mileage["user"]["code"] == "1001"  # the employee number
    assert mileage["eventDate"] == "2026-02-11"
    assert mileage["travelReimbursement"]["guid"] == world.report
    assert allowance["travelStartTime"].startswith("2026-02-11T05:00:00")
    assert allowance["travelExpense"]["includeTime"] is True
    assert (taxi["purchaseVatRate"], taxi["unitCostExcludingPurchaseVat"]["amount"]) == (
        13.5, 21.85,
    )  # fmt: skip
    assert (taxi["travelReimbursementRequired"], card["travelReimbursementRequired"]) == (
        True, False,
    )  # fmt: skip
    assert (taxi["attachmentCount"], card["attachmentCount"], mileage["attachmentCount"]) == (
        1, 1, 0,
    )  # fmt: skip
    others = await ok(await api.get(path, params={"expenseClass": "othertravelexpense"}))
    assert [e["guid"] for e in others] == [taxi["guid"], card["guid"]]
    rows, pages = await api.all_pages(path, {"rowCount": 3})
    assert (len(rows), pages) == (4, 2)
    assert (
        await api.get("/v1/travelreimbursements/no-such/projecttravelexpenses")
    ).status_code == 404


async def test_files_their_sizes_and_content(api: Api, world: World) -> None:
    path = f"/v1/travelreimbursements/{world.report}/projecttravelexpenses"
    expenses = await ok(await api.get(path))
    small = await ok(await api.get(f"/v1/projecttravelexpenses/{expenses[2]['guid']}/files"))
    assert [(f["name"], f["size"], f["contentType"]) for f in small] == [
        ("kuitti.pdf", 10.0, "application/pdf")
    ]
    data = await api.get(f"/v1/files/{small[0]['fileGuid']}/filedata")
    assert data.status_code == 200
    assert data.headers["content-type"] == "application/octet-stream"
    assert data.content == b"%PDF taksi"
    big = await ok(await api.get(f"/v1/projecttravelexpenses/{expenses[3]['guid']}/files"))
    assert big[0]["size"] == 2_000_000.0
    content = (await api.get(f"/v1/files/{big[0]['fileGuid']}/filedata")).content
    assert len(content) == 2_000_000
    assert (await api.get(f"/v1/files/{big[0]['fileGuid']}/filedata")).content == content
    one = await ok(await api.get(f"/v1/projecttravelexpensefiles/{big[0]['guid']}"))
    assert one == big[0]
    assert (await api.get("/v1/files/no-such/filedata")).status_code == 404
    assert (await api.get("/v1/projecttravelexpenses/no-such/files")).status_code == 404


async def test_the_list_by_status_and_change_time(
    api: Api, org: Organisation, world: World, clock: FakeClock
) -> None:
    travel = org.travel
    approved = travel.default_statuses.approved
    second = travel.put_reimbursement(world.traveller, "Toinen", [], status=approved)
    rows, _ = await api.all_pages(
        "/v1/travelreimbursements", {"travelReimbursementStatusGuids": approved}
    )
    assert [row["guid"] for row in rows] == [second]
    clock.advance(minutes=10)
    since = clock().isoformat()
    assert (await api.all_pages("/v1/travelreimbursements", {"changedSince": since}))[0] == []
    travel.set_status(world.report, travel.default_statuses.waiting)
    changed, _ = await api.all_pages("/v1/travelreimbursements", {"changedSince": since})
    assert [row["guid"] for row in changed] == [world.report]
    every, pages = await api.all_pages("/v1/travelreimbursements", {"rowCount": 1})
    assert (len(every), pages) == (2, 2)


async def test_approval_and_the_status_change_after_transfer(
    api: Api, org: Organisation, world: World, clock: FakeClock
) -> None:
    travel = org.travel
    transferred = travel.put_status("Siirretty Netvisoriin", isApproved=True, isLocked=True)
    path = f"/v1/travelreimbursements/{world.report}"
    approved = await api.replace(
        path, travelReimbursementStatus__guid=travel.default_statuses.approved
    )
    [report] = approved.json()
    assert report["approvalDate"] == clock().isoformat(timespec="microseconds")
    assert report["approvedByUser"]["guid"] == org.users[0].guid
    # Locked: the title cannot change, the status can.
    title = await api.replace(path, title="Muutettu")
    assert error_of(title)["type"] == "InvalidOperation"
    clock.advance(minutes=10)
    moved = await api.replace(path, travelReimbursementStatus__guid=transferred)
    [after] = moved.json()
    assert after["travelReimbursementStatus"]["name"] == "Siirretty Netvisoriin"
    assert after["approvalDate"] == report["approvalDate"]  # still the first approval
    expenses = travel.expenses_json(world.report)
    assert expenses[0]["travelReimbursement"]["status"] == "Siirretty Netvisoriin"
    unknown = await api.replace(path, travelReimbursementStatus__guid="no-such")
    assert detail_names(unknown) == ["travelReimbursementStatus.guid"]
    user = await api.replace(path, user__guid=org.users[0].guid)
    assert user.status_code == 400
    back = await api.replace(path, travelReimbursementStatus__guid=travel.default_statuses.draft)
    assert back.json()[0]["approvalDate"] is None


async def test_an_inactive_status_is_refused(api: Api, org: Organisation, world: World) -> None:
    rejected = org.travel.default_statuses.rejected
    org.travel.statuses.patch(
        org.travel.statuses.get(rejected),  # type: ignore[arg-type]
        [{"op": "replace", "path": "/isActive", "value": False}],
    )
    refused = await api.replace(
        f"/v1/travelreimbursements/{world.report}", travelReimbursementStatus__guid=rejected
    )
    assert detail_names(refused) == ["travelReimbursementStatus.guid"]


def test_the_helper_refuses_what_severa_would(org: Organisation, world: World) -> None:
    travel = org.travel
    before = len(travel.all_reimbursements())
    with pytest.raises(SeveraFailure):
        travel.put_reimbursement(
            world.traveller,
            "x",
            [ExpensePlan(world.taxi, world.project, D(1), D(1), phase=world.other_phase)],
        )
    with pytest.raises(SeveraFailure):
        travel.put_reimbursement("no-such-user", "x", [])
    with pytest.raises(SeveraFailure):
        travel.put_reimbursement(world.traveller, "x", [ExpensePlan("no-type", world.project,
                                                                    D(1), D(1))])  # fmt: skip
    assert len(travel.all_reimbursements()) == before


# -- users and scopes ---------------------------------------------------------------------------


async def test_users_with_codes(api: Api, org: Organisation, world: World) -> None:
    user = await ok(await api.get(f"/v1/users/{world.traveller}"))
    assert (user["code"], user["firstName"], user["lastName"]) == ("1001", "Aino", "Korhonen")
    by_code = await ok(await api.get("/v1/users", params={"code": "1001"}))
    assert [u["guid"] for u in by_code] == [world.traveller]
    assert (await api.get("/v1/users/no-such")).status_code == 404
    with pytest.raises(ValueError, match="taken"):
        org.put_user("Toinen", "Aino", "1001")


async def test_scopes_and_unserved_operations(
    client: httpx.AsyncClient, sandbox: SeveraSandbox, org: Organisation, world: World
) -> None:
    sandbox.add_credential(Credential(client_id="reader", client_secret="r", organisation=org.id,
                                      scopes=frozenset({"travels:read"})))  # fmt: skip
    reader = Api(client, "reader", "r")
    assert (await reader.get("/v1/travelreimbursements")).status_code == 200
    path = f"/v1/travelreimbursements/{world.report}"
    status = org.travel.default_statuses.approved
    assert (await reader.replace(path, travelReimbursementStatus__guid=status)).status_code == 403
    assert (await reader.get("/v1/travelreimbursementstatuses")).status_code == 403
    expenses = org.travel.expenses_json(world.report)
    files_path = f"/v1/projecttravelexpenses/{expenses[2]['guid']}/files"
    assert (await reader.get(files_path)).status_code == 403  # files:read
    unserved = await reader.post("/v1/travelreimbursements", {"user": {"guid": world.traveller}})
    assert unserved.status_code == 405


# Properties the sandbox never fills: accounts, categories, billing by phase, invoices.
NEVER_FILLED = {
    "TravelReimbursementOutputModel": set(),
    "TravelReimbursementStatusModel": set(),
    "TravelExpenseTypeOutputModel": {
        "costAccount", "productCategory", "salesAccount", "createdBy", "lastUpdatedBy",
    },
    "ProjectTravelExpenseOutputModel": {
        "billingDependencyPhase", "costAccount", "costCenter", "invoice", "salesAccount",
    },
    "ProjectTravelExpenseFileModel": set(),
}  # fmt: skip


def test_outputs_have_every_property_of_their_schema(org: Organisation, world: World) -> None:
    schemas = required_document()["components"]["schemas"]
    travel = org.travel
    travel.set_status(world.report, travel.default_statuses.approved)
    expenses = travel.expenses_json(world.report)
    taxi = next(e for e in expenses if e["attachmentCount"])
    mileage_type = org.invoicing.entries.travel_types[world.mileage]
    outputs = {
        "TravelReimbursementOutputModel": travel.reimbursement(world.report),
        "TravelReimbursementStatusModel": travel.statuses.render_many(travel.statuses.in_order())[
            0
        ],
        "TravelExpenseTypeOutputModel": travel.render_type(mileage_type),
        "ProjectTravelExpenseOutputModel": {**taxi, "unitPrice": None, "vatRate": None},
        "ProjectTravelExpenseFileModel": travel.files_json(taxi["guid"])[0],
    }
    for name, shown in outputs.items():
        assert shown is not None
        declared = set(schemas[name]["properties"])
        missing = declared - set(shown) - NEVER_FILLED[name]
        assert not missing, (name, missing)
        assert set(shown) <= declared, (name, set(shown) - declared)


async def test_the_control_api_shows_reimbursements_and_fees(
    client: httpx.AsyncClient, org: Organisation, world: World
) -> None:
    org.project_fees.put(project=world.project, name="Kulu")
    shown = (await client.get(f"/_sandbox/organisations/{org.id}/travelreimbursements")).json()
    assert [len(report["expenses"]) for report in shown] == [4]
    fees = (await client.get(f"/_sandbox/organisations/{org.id}/projectfees")).json()
    assert [fee["name"] for fee in fees] == ["Kulu"]


async def test_variance_mode_leaves_out_the_default_of_reimbursement_required(
    api: Api, org: Organisation, world: World
) -> None:
    """A reader must read a missing travelReimbursementRequired as true (the default)."""
    path = f"/v1/travelreimbursements/{world.report}/projecttravelexpenses"
    plain = await ok(await api.get(path))
    org.variance = Variance(1, random.Random(1), share=1.0)
    varied, _ = await api.all_pages(path)  # pages may come shorter in variance mode
    assert org.variance.used[severa_variance.TRAVEL_DEFAULT] >= 1
    by_guid = {expense["guid"]: expense for expense in varied}
    for expense in plain:
        shown = by_guid[expense["guid"]]
        assert (
            shown.get("travelReimbursementRequired", True) == expense["travelReimbursementRequired"]
        )
    assert sum("travelReimbursementRequired" not in e for e in varied) == 3


# -- empty answers and faults -------------------------------------------------------------------


async def test_empty_answers(api: Api, org: Organisation) -> None:
    assert await ok(await api.get("/v1/travelreimbursements")) == []
    assert await ok(await api.get("/v1/travelexpensetypes")) == []
    none = await api.get("/v1/travelreimbursements", params={"changedSince": "2030-01-01"})
    assert none.json() == []
    assert "NextPageToken" not in none.headers


async def test_injected_failures_and_a_lost_status_change(
    api: Api, org: Organisation, world: World
) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(fail_next=["500", "429"])
    assert (await api.get("/v1/travelreimbursements")).status_code == 500
    assert (await api.get("/v1/travelreimbursements")).status_code == 429
    assert (await api.get("/v1/travelreimbursements")).status_code == 200
    org.faults = SeveraFaults(lose_next_responses=1, hang_seconds=5)
    approved = org.travel.default_statuses.approved
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await api.replace(
                f"/v1/travelreimbursements/{world.report}",
                travelReimbursementStatus__guid=approved,
            )
    shown = must_have(org.travel.reimbursement(world.report))
    assert shown["travelReimbursementStatus"]["guid"] == approved  # the write stands
    # The look-up a careful client makes: the reports in the approved status.
    rows, _ = await api.all_pages(
        "/v1/travelreimbursements", {"travelReimbursementStatusGuids": approved}
    )
    assert [row["guid"] for row in rows] == [world.report]


def must_have(value: dict[str, Any] | None) -> dict[str, Any]:
    assert value is not None
    return value


async def test_a_users_receipts_over_a_period(api: Api, org: Organisation, world: World) -> None:
    path = f"/v1/users/{world.traveller}/travelexpensesfiles"
    every = await ok(await api.get(path))
    assert sorted(f["name"] for f in every) == ["kortti.pdf", "kuitti.pdf"]
    expense = org.travel.expenses.get(every[0]["travelExpenseGuid"])
    assert expense is not None
    day = expense["eventDate"].isoformat()
    same_day = await ok(await api.get(path, params={"startDate": day, "endDate": day}))
    assert every[0]["guid"] in {f["guid"] for f in same_day}
    none = await ok(await api.get(path, params={"startDate": "2030-01-01"}))
    assert none == []
    assert (await api.get("/v1/users/no-such/travelexpensesfiles")).status_code == 404
