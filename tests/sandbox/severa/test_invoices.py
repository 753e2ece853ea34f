"""Invoices, invoice rows and their drill-downs, invoice settings, invoice statuses and
customers' country settings (invoices.md §3.1-3.5). Every answer is judged against Severa's
OpenAPI document by the client fixture (tests/severa_openapi.py)."""

from __future__ import annotations

import asyncio
from datetime import date
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
from silta.sandbox.severa.invoices import Entry, Row, reference_number
from silta.sandbox.severa.invoicestatuses import NetvisorStatuses

from .helpers import ALL_TEST_SCOPES, Api, FakeClock, detail_names, error_of

INVOICE_SCOPES = ALL_TEST_SCOPES | {"invoices:read", "invoices:write"}
D = Decimal


@attrs.frozen
class World:
    """An organisation with what invoices need, and a few invoices."""

    statuses: NetvisorStatuses
    customer: str
    other_customer: str
    project: str
    other_project: str
    phase: str
    product: str
    work_type: str
    mileage: str
    ready: str
    draft: str
    unit: str


@pytest.fixture
def api(client: httpx.AsyncClient, sandbox: SeveraSandbox, org: Organisation) -> Api:
    sandbox.add_credential(
        Credential(
            client_id="invoicing",
            client_secret="invoicing-secret",
            organisation=org.id,
            scopes=INVOICE_SCOPES,
        )
    )
    return Api(client, "invoicing", "invoicing-secret")


@pytest.fixture
def world(org: Organisation) -> World:
    finland = org.country("FI").guid
    customer = org.put_customer("Esimerkki Oy", 1001, vatNumber="FI12345671", paymentTerm=21)
    address = org.put_address(
        customer, addressline="Kauppakatu 1", postalCode="33100", city="Tampere", country=finland
    )
    org.update("customer", customer, headquarterAddress=address)
    other_customer = org.put_customer("Toinen Oy", 1002, vatNumber="FI76543217")
    unit = org.put_business_unit("Tampere", "TRE")
    project = org.put_project("Sähköasennukset, Esimerkki", customer, 2001, unit)
    other_project = org.put_project("Pilvisiirto, Toinen", other_customer, 2002)
    phase = org.put_phase(project, "Suunnittelu", "10")
    product = org.put_product(
        "Kaapeli MMJ 3x2,5S", "TARV-001", type="Materials", measurementUnit="kpl"
    )
    invoicing = org.invoicing
    statuses = invoicing.connect_netvisor()
    invoicing.next_number = 26001
    work_type = invoicing.put_work_type("Suunnittelu", "KONS-001")
    mileage = invoicing.put_travel_expense_type("Kilometrikorvaus", "MATKA-001", "Mileage")
    ready = invoicing.put_invoice(
        status=statuses.ready,
        billing_customer=customer,
        date=date(2026, 12, 1),
        rows=[
            Row(
                "Suunnittelu 11/2026",
                D("95"),
                D("25.5"),
                entries=(
                    Entry("hours", project, work_type, D("7.5"), phase=phase),
                    Entry("hours", project, work_type, D("2")),
                ),
                measurement_unit="h",
            ),
            Row(
                "Kaapelit",
                D("24.90"),
                D("25.5"),
                entries=(Entry("fee", project, product, D("3")),),
                measurement_unit="kpl",
            ),
            Row(
                "Matkat",
                D("0.59"),
                D("0"),
                entries=(Entry("travel", project, mileage, D("120")),),
                measurement_unit="km",
            ),
        ],
        our_reference="Matti Virtanen",
    )
    draft = invoicing.put_invoice(
        status=statuses.draft,
        billing_customer=other_customer,
        date=date(2026, 12, 2),
        rows=[
            Row(
                "Pilvisiirto",
                D("120"),
                D("25.5"),
                entries=(Entry("hours", other_project, work_type, D("4")),),
            )
        ],
    )
    return World(
        statuses,
        customer,
        other_customer,
        project,
        other_project,
        phase,
        product,
        work_type,
        mileage,
        ready,
        draft,
        unit,
    )


async def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


# -- invoice statuses -------------------------------------------------------------------------


async def test_statuses_of_a_new_organisation_and_of_the_integration(
    api: Api, world: World, org: Organisation
) -> None:
    statuses = await ok(await api.get("/v1/invoicestatuses"))
    by_name = {status["name"]: status for status in statuses}
    assert list(by_name) == [
        "Luonnos",
        "Lähetetty",
        "Maksettu",
        "Vedos",
        "Valmis lähetettäväksi Netvisoriin",
        "Lasku lähetetty Netvisoriin",
    ]
    ready = by_name["Valmis lähetettäväksi Netvisoriin"]
    assert ready["guid"] == world.statuses.ready
    assert (ready["hasInvoiceNumber"], ready["isReadOnly"], ready["isSent"]) == (True, True, False)
    sent = by_name["Lasku lähetetty Netvisoriin"]
    assert (sent["hasInvoiceNumber"], sent["isReadOnly"], sent["isSent"]) == (True, True, True)
    # The integration's draft became the default, for credit notes too.
    assert [s["name"] for s in statuses if s["isDefault"]] == ["Vedos"]
    assert [s["name"] for s in statuses if s["isDefaultForCreditNote"]] == ["Vedos"]
    assert org.invoicing.connect_netvisor() == world.statuses  # connecting again adds nothing
    one = await ok(await api.get(f"/v1/invoicestatuses/{world.statuses.ready}"))
    assert one == ready


async def test_status_lists_filter_and_page(api: Api, world: World) -> None:
    netvisor = await ok(await api.get("/v1/invoicestatuses", params={"textToSearch": "netvisor"}))
    assert [s["name"] for s in netvisor] == [
        "Valmis lähetettäväksi Netvisoriin",
        "Lasku lähetetty Netvisoriin",
    ]
    page = await ok(await api.get("/v1/invoicestatuses", params={"firstRow": 2, "rowCount": 2}))
    assert [s["name"] for s in page] == ["Maksettu", "Vedos"]
    await ok(
        await api.patch(
            f"/v1/invoicestatuses/{world.statuses.draft}",
            [{"op": "replace", "path": "/isActive", "value": "false"}],
        )
    )
    inactive = await ok(await api.get("/v1/invoicestatuses", params={"active": "false"}))
    assert [s["name"] for s in inactive] == ["Vedos"]
    too_many = await api.get("/v1/invoicestatuses", params={"rowCount": 101})
    assert too_many.status_code == 400


async def test_creating_a_status(api: Api, org: Organisation, world: World) -> None:
    response = await api.post(
        "/v1/invoicestatuses", {"name": "Virhe siirrossa", "isReadOnly": False}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["sortOrder"] == 7  # one after the last
    assert created["isActive"] is True
    assert org.invoicing.status_guid("virhe SIIRROSSA") == created["guid"]
    duplicate = await api.post("/v1/invoicestatuses", {"name": "VEDOS"})
    assert duplicate.status_code == 400
    assert error_of(duplicate)["type"] == "InvalidOperation"
    nameless = await api.post("/v1/invoicestatuses", {"isPaid": True})
    assert nameless.status_code == 400
    assert detail_names(nameless) == ["name"]


# -- invoices ----------------------------------------------------------------------------------


async def test_an_invoice_in_its_output_shape(api: Api, world: World, org: Organisation) -> None:
    invoice = await ok(await api.get(f"/v1/invoices/{world.ready}"))
    assert invoice["guid"] == world.ready
    assert invoice["number"] == 26001  # numbered on entering "ready"
    assert invoice["referenceNumber"] == reference_number(26001) == "260015"
    assert invoice["date"] == "2026-12-01"
    assert (invoice["paymentTerm"], invoice["dueDate"]) == (21, "2026-12-22")  # the customer's
    assert invoice["status"] == {
        "guid": world.statuses.ready,
        "name": "Valmis lähetettäväksi Netvisoriin",
        "isSent": False,
        "isPaid": False,
        "isWaitingPayment": False,
    }
    assert invoice["billingCustomer"] == {
        "guid": world.customer,
        "name": "Esimerkki Oy",
        "number": 1001,
    }
    assert invoice["customer"] == invoice["billingCustomer"]
    assert invoice["projects"] == [
        {"guid": world.project, "name": "Sähköasennukset, Esimerkki", "number": 2001}
    ]
    assert invoice["currency"]["code"] == "EUR"
    assert invoice["isCreditNote"] is False
    assert "reimburseInvoice" not in invoice and "creditNoteInvoice" not in invoice
    assert invoice["receiverCustomerName"] == "Esimerkki Oy"
    assert invoice["receiverVatNumber"] == "FI12345671"
    assert invoice["receiverAddress"] == {
        "addressline": "Kauppakatu 1",
        "postalCode": "33100",
        "city": "Tampere",
        "state": None,
        "country": "Suomi",
    }
    assert invoice["ourReference"] == "Matti Virtanen"
    # 9.5 h x 95 = 902.50 (VAT 230.14); 3 x 24.90 = 74.70 (19.05); 120 km x 0.59 = 70.80 (0)
    assert invoice["totalExcludingTax"] == {
        "amount": 1048.0,
        "currencyCode": "EUR",
        "multiCurrencyInfo": [],
    }
    assert invoice["totalTax"]["amount"] == 249.19
    assert invoice["totalIncludingTax"]["amount"] == 1297.19
    assert invoice["workHoursTotalExcludingTax"]["amount"] == 902.5
    assert invoice["workHoursQuantity"] == 9.5
    assert invoice["projectFeesTotalExcludingTax"]["amount"] == 74.7
    assert invoice["projectTravelExpensesTotalExcludingTax"]["amount"] == 70.8
    assert invoice["canBeDeleted"] is False
    draft = await ok(await api.get(f"/v1/invoices/{world.draft}"))
    assert draft["number"] is None and draft["referenceNumber"] is None
    assert draft["canBeDeleted"] is True
    unknown = await api.get("/v1/invoices/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and unknown.content == b""


async def test_totals_round_per_row_half_up_to_cents(world: World, org: Organisation) -> None:
    guid = org.invoicing.put_invoice(
        status=world.statuses.draft,
        billing_customer=world.customer,
        date=date(2026, 12, 3),
        rows=[
            Row("Puolikas", D("10.01"), D("25.5"), quantity=D("0.5")),  # 5.005 -> 5.01; 1.28
            Row("Kolmannes", D("33.333"), D("25.5"), quantity=D("3")),  # 99.999 -> 100.00; 25.50
            Row("Ruoka", D("10.05"), D("13.5"), quantity=D("1")),  # 10.05; 1.35675 -> 1.36
        ],
        projects=[world.project],
    )
    invoice = org.invoicing.invoice(guid)
    assert invoice is not None
    assert invoice["totalExcludingTax"]["amount"] == 115.06
    assert invoice["totalTax"]["amount"] == 28.14
    assert invoice["totalIncludingTax"]["amount"] == 143.2
    assert invoice["flatRatesTotalExcludingTax"]["amount"] == 115.06


async def test_invoice_lists_filter(
    api: Api, world: World, org: Organisation, clock: FakeClock
) -> None:
    async def guids(**params: Any) -> list[str]:
        rows, _pages = await api.all_pages("/v1/invoices", params)
        return [row["guid"] for row in rows]

    both = [world.ready, world.draft]
    assert await guids() == both
    assert await guids(invoiceStatusGuids=world.statuses.ready) == [world.ready]
    assert await guids(numbers=26001) == [world.ready]
    assert await guids(numbers=1) == []
    assert await guids(referenceNumbers="260015") == [world.ready]
    assert await guids(customerGuids=world.other_customer) == [world.draft]
    assert await guids(projectGuids=world.project) == [world.ready]
    assert await guids(projectBusinessUnitGuids=world.unit) == [world.ready]
    assert await guids(startDate="2026-12-02") == [world.draft]
    assert await guids(endDate="2026-12-01T00:00:00") == [world.ready]
    assert await guids(minimumTotalExcludingTax=500) == [world.ready]
    assert await guids(maximumTotalExcludingTax="480.00") == [world.draft]
    clock.advance(minutes=5)
    since = clock.now.isoformat()
    assert await guids(changedSince=since) == []
    org.invoicing.set_status(world.draft, world.statuses.ready)
    assert await guids(changedSince=since) == [world.draft]  # greater or equal
    assert await guids(changedSince=since, invoiceStatusGuids=world.statuses.ready) == [world.draft]
    bad = await api.get("/v1/invoices", params={"numbers": "x", "startDate": "eilen"})
    assert bad.status_code == 400
    assert sorted(detail_names(bad), key=str) == ["numbers", "startDate"]


async def test_invoice_lists_page_by_token(api: Api, world: World) -> None:
    rows, pages = await api.all_pages("/v1/invoices", {"rowCount": 1})
    assert [row["guid"] for row in rows] == [world.ready, world.draft]
    assert pages == 2
    first = await api.get("/v1/invoices", params={"rowCount": 1})
    token = first.headers["NextPageToken"]
    other_filter = await api.get(
        "/v1/invoices", params={"rowCount": 1, "pageToken": token, "numbers": 26001}
    )
    assert other_filter.status_code == 400
    assert detail_names(other_filter) == ["pageToken"]


# -- PATCH of the status ----------------------------------------------------------------------


async def test_patching_the_status_moves_the_invoice(
    api: Api, world: World, org: Organisation, clock: FakeClock
) -> None:
    before = await ok(await api.get(f"/v1/invoices/{world.ready}"))
    clock.advance(minutes=1)
    response = await api.patch(
        f"/v1/invoices/{world.ready}",
        [{"op": "replace", "path": "/status/guid", "value": world.statuses.transferred}],
    )
    (patched,) = await ok(response)
    assert patched["status"]["guid"] == world.statuses.transferred
    assert patched["status"]["isSent"] is True
    assert patched["number"] == before["number"]  # a number stays
    assert patched["lastUpdatedDateTime"] > before["lastUpdatedDateTime"]
    assert org.stats.writes_committed == 1
    # The same status again changes nothing and bumps nothing.
    clock.advance(minutes=1)
    (again,) = await ok(
        await api.patch(
            f"/v1/invoices/{world.ready}",
            [{"op": "Replace", "path": "/status", "value": {"guid": world.statuses.transferred}}],
        )
    )
    assert again["lastUpdatedDateTime"] == patched["lastUpdatedDateTime"]


async def test_entering_a_numbered_status_numbers_the_invoice(
    api: Api, world: World, org: Organisation
) -> None:
    (patched,) = await ok(
        await api.patch(
            f"/v1/invoices/{world.draft}",
            [{"op": "replace", "path": "/status/guid", "value": world.statuses.ready}],
        )
    )
    assert patched["number"] == 26002
    assert patched["referenceNumber"] == reference_number(26002)
    draft = org.invoicing.status_guid("Vedos")
    assert draft is not None
    back = org.invoicing.set_status(world.draft, draft)
    assert back["number"] == 26002  # kept when the invoice goes back


async def test_patches_severa_refuses(api: Api, world: World, org: Organisation) -> None:
    path = f"/v1/invoices/{world.ready}"
    unknown = await api.patch(
        path, [{"op": "replace", "path": "/status/guid", "value": "00000000-0000-4000-8000-0"}]
    )
    assert unknown.status_code == 400
    assert error_of(unknown)["type"] == "InvalidParameter"
    assert detail_names(unknown) == ["status.guid"]
    # An invoice in a read-only status: only its status may change.
    edit = await api.patch(path, [{"op": "replace", "path": "/notes", "value": "Muutettu"}])
    assert edit.status_code == 400
    assert error_of(edit)["type"] == "InvalidOperation"
    both = await api.patch(
        path,
        [
            {"op": "replace", "path": "/status/guid", "value": world.statuses.transferred},
            {"op": "replace", "path": "/date", "value": "2026-12-05"},
        ],
    )
    assert both.status_code == 400
    invoice = org.invoicing.invoice(world.ready)
    assert invoice is not None
    assert invoice["status"]["guid"] == world.statuses.ready  # nothing was written
    for operations in (
        [{"op": "replace", "path": "/number", "value": "1"}],
        [{"op": "replace", "path": "/totalExcludingTax/amount", "value": "1"}],
        [{"op": "add", "path": "/notes", "value": "x"}],
        [{"op": "replace", "path": "/status/guid", "value": None}],
        {"op": "replace"},
    ):
        response = await api.patch(path, operations)
        assert response.status_code == 400, operations
    inactive = org.invoicing.put_status("Arkistoitu", isActive=False)
    refused = await api.patch(path, [{"op": "replace", "path": "/status/guid", "value": inactive}])
    assert refused.status_code == 400
    assert error_of(refused)["type"] == "InvalidOperation"
    assert org.stats.writes_committed == 0


async def test_an_editable_invoice_takes_its_writable_fields(api: Api, world: World) -> None:
    (patched,) = await ok(
        await api.patch(
            f"/v1/invoices/{world.draft}",
            [
                {"op": "replace", "path": "/notes", "value": "Tilaus 4711"},
                {"op": "replace", "path": "/yourReference", "value": "Aino Korhonen"},
                {"op": "replace", "path": "/paymentTerm", "value": "30"},
                {"op": "replace", "path": "/referenceNumber", "value": "RF18539007547034"},
            ],
        )
    )
    assert (patched["notes"], patched["yourReference"]) == ("Tilaus 4711", "Aino Korhonen")
    assert patched["paymentTerm"] == 30
    assert patched["referenceNumber"] == "RF18539007547034"


async def test_reading_is_not_writing(
    sandbox: SeveraSandbox, client: httpx.AsyncClient, org: Organisation, world: World
) -> None:
    sandbox.add_credential(
        Credential(
            client_id="reader",
            client_secret="r",
            organisation=org.id,
            scopes={"invoices:read", "settings:read"},
        )
    )
    reader = Api(client, "reader", "r")
    assert (await reader.get(f"/v1/invoices/{world.ready}")).status_code == 200
    response = await reader.patch(
        f"/v1/invoices/{world.ready}",
        [{"op": "replace", "path": "/status/guid", "value": world.statuses.transferred}],
    )
    assert response.status_code == 403
    assert error_of(response)["type"] == "InsufficientApiScope"
    created = await reader.post("/v1/invoicestatuses", {"name": "Uusi"})
    assert created.status_code == 403


# -- rows and drill-downs ---------------------------------------------------------------------


async def test_rows_in_their_output_shape_and_pages(api: Api, world: World) -> None:
    rows, pages = await api.all_pages(f"/v1/invoices/{world.ready}/invoicerows", {"rowCount": 2})
    assert pages == 2
    hours, fees, travel = rows
    assert [r["rowType"] for r in rows] == ["Hours", "ProjectFees", "TravelExpenses"]
    assert [r["category"] for r in rows] == ["Hours", "ProjectFees", "Travels"]
    assert [r["sortOrder"] for r in rows] == [1, 2, 3]
    assert hours["invoiceGuid"] == world.ready
    assert (hours["quantity"], hours["unitPrice"]["amount"], hours["vatRate"]) == (9.5, 95.0, 25.5)
    assert hours["code"] == ["KONS-001"]  # the work type's code, once
    assert fees["code"] == ["TARV-001"]
    assert travel["code"] == ["MATKA-001"]
    assert travel["vatRate"] == 0.0
    assert hours["salesAccount"] == {"name": "Myynti 25,5 %", "number": "3000"}
    only_fees = await ok(
        await api.get(f"/v1/invoices/{world.ready}/invoicerows", params={"rowType": "ProjectFees"})
    )
    assert [r["guid"] for r in only_fees] == [fees["guid"]]
    one = await ok(await api.get(f"/v1/invoicerows/{fees['guid']}"))
    assert one == fees
    wrong_type = await api.get(f"/v1/invoices/{world.ready}/invoicerows", params={"rowType": "X"})
    assert wrong_type.status_code == 400


async def test_a_row_grouping_several_codes(world: World, org: Organisation) -> None:
    other_type = org.invoicing.put_work_type("Asennus", "ASEN-001")
    guid = org.invoicing.put_invoice(
        status=world.statuses.draft,
        billing_customer=world.customer,
        date=date(2026, 12, 4),
        rows=[
            Row(
                "Työt",
                D("80"),
                D("25.5"),
                entries=(
                    Entry("hours", world.project, world.work_type, D("1")),
                    Entry("hours", world.project, other_type, D("2")),
                    Entry("hours", world.other_project, world.work_type, D("3")),
                ),
            )
        ],
    )
    (row,) = org.invoicing.rows(guid)
    assert row["code"] == ["KONS-001", "ASEN-001"]
    assert row["quantity"] == 6.0
    invoice = org.invoicing.invoice(guid)
    assert invoice is not None
    assert [p["guid"] for p in invoice["projects"]] == [world.project, world.other_project]


async def test_drill_downs_by_row_and_by_invoice(api: Api, world: World, org: Organisation) -> None:
    hours_row, fee_row, travel_row = org.invoicing.rows(world.ready)
    hours, pages = await api.all_pages(
        f"/v1/invoicerows/{hours_row['guid']}/workhours", {"rowCount": 1}
    )
    assert pages == 2
    first = hours[0]
    assert first["workType"] == {"guid": world.work_type, "code": "KONS-001", "name": "Suunnittelu"}
    assert first["project"]["guid"] == world.project and first["project"]["number"] == 2001
    assert first["phase"]["guid"] == world.phase
    assert first["quantity"] == 7.5
    assert first["invoice"] == {"guid": world.ready, "number": 26001, "date": "2026-12-01"}
    assert first["invoiceRowGuid"] == hours_row["guid"]
    assert first["customer"]["guid"] == world.customer
    root_phase = org.root_phase(world.project)
    assert root_phase is not None
    assert hours[1]["phase"]["guid"] == root_phase.guid  # no phase given: the root phase
    (fee,) = await ok(await api.get(f"/v1/invoicerows/{fee_row['guid']}/projectfees"))
    assert fee["product"] == {
        "guid": world.product,
        "code": "TARV-001",
        "name": "Kaapeli MMJ 3x2,5S",
    }
    assert fee["productType"] == "Materials"
    assert fee["project"]["guid"] == world.project
    (travel,) = await ok(
        await api.get(f"/v1/invoicerows/{travel_row['guid']}/projecttravelexpenses")
    )
    assert travel["travelExpense"]["code"] == "MATKA-001"
    assert travel["travelExpense"]["expenseClass"] == "Mileage"
    assert await ok(await api.get(f"/v1/invoicerows/{fee_row['guid']}/workhours")) == []
    by_invoice = await ok(await api.get(f"/v1/invoices/{world.ready}/workhours"))
    assert [h["guid"] for h in by_invoice] == [h["guid"] for h in hours]
    materials = await ok(
        await api.get(
            f"/v1/invoices/{world.ready}/projectfees", params={"productType": "FixedFees"}
        )
    )
    assert materials == []
    daily = await ok(
        await api.get(
            f"/v1/invoices/{world.ready}/projecttravelexpenses",
            params={"expenseClass": "DailyAllowance"},
        )
    )
    assert daily == []
    unknown = await api.get("/v1/invoicerows/00000000-0000-4000-8000-000000000000/projectfees")
    assert unknown.status_code == 404


async def test_invoice_settings(api: Api, world: World, org: Organisation) -> None:
    settings = await ok(await api.get(f"/v1/invoices/{world.ready}/invoicesettings"))
    assert settings["isReverseCharged"] is False
    guid = org.invoicing.put_invoice(
        status=world.statuses.draft,
        billing_customer=world.customer,
        date=date(2026, 12, 5),
        rows=[Row("Asennus", D("60"), D("0"), quantity=D("10"))],
        projects=[world.project],
        reverse_charged=True,
        reverse_charge_description="Käännetty verovelvollisuus (AVL 8 c §)",
    )
    settings = await ok(await api.get(f"/v1/invoices/{guid}/invoicesettings"))
    assert settings["isReverseCharged"] is True
    assert settings["reverseChargeDescription"] == "Käännetty verovelvollisuus (AVL 8 c §)"


# -- credit notes, receivers, knobs ------------------------------------------------------------


async def test_a_credit_note_of_a_ready_invoice(api: Api, world: World, org: Organisation) -> None:
    credit = org.invoicing.credit(world.ready, status=world.statuses.ready, date=date(2026, 12, 9))
    note = await ok(await api.get(f"/v1/invoices/{credit}"))
    assert note["isCreditNote"] is True
    assert note["number"] == 26002
    assert note["reimburseInvoice"] == {"guid": world.ready, "number": 26001}
    assert note["totalIncludingTax"]["amount"] == -1297.19
    original = await ok(await api.get(f"/v1/invoices/{world.ready}"))
    assert original["creditNoteInvoice"] == {"guid": credit, "number": 26002}
    rows = await ok(await api.get(f"/v1/invoices/{credit}/invoicerows"))
    assert [r["quantity"] for r in rows] == [-9.5, -3.0, -120.0]
    assert [r["unitPrice"]["amount"] for r in rows] == [95.0, 24.9, 0.59]
    hours = await ok(await api.get(f"/v1/invoicerows/{rows[0]['guid']}/workhours"))
    assert [h["invoice"]["guid"] for h in hours] == [world.ready, world.ready]
    with pytest.raises(ValueError, match="credited already"):
        org.invoicing.credit(world.ready, status=world.statuses.ready, date=date(2026, 12, 9))


async def test_receiver_details_can_differ_from_the_customer(
    world: World, org: Organisation
) -> None:
    guid = org.invoicing.put_invoice(
        status=world.statuses.ready,
        billing_customer=world.customer,
        date=date(2026, 12, 6),
        rows=[Row("Asennus", D("60"), D("0"), quantity=D("1"))],
        projects=[world.project],
        receiver_vat_number=None,
        reference="123",
        currency="SEK",
        currency_rate=D("0.087"),
        total_difference=D("0.01"),
    )
    invoice = org.invoicing.invoice(guid)
    assert invoice is not None
    assert invoice["receiverVatNumber"] is None
    assert invoice["referenceNumber"] == "123"  # kept when numbered
    assert invoice["currency"]["code"] == "SEK"
    assert invoice["totalExcludingTax"] == {
        "amount": 60.01,
        "currencyCode": "SEK",
        "multiCurrencyInfo": [],
    }


def test_helpers_refuse_what_severa_could_not_hold(world: World, org: Organisation) -> None:
    invoicing = org.invoicing
    with pytest.raises(KeyError):
        invoicing.put_invoice(
            status="nope", billing_customer=world.customer, date=date(2026, 12, 1), rows=[]
        )
    with pytest.raises(ValueError, match="at least one row"):
        invoicing.put_invoice(
            status=world.statuses.draft,
            billing_customer=world.customer,
            date=date(2026, 12, 1),
            rows=[],
        )
    mixed = Row(
        "Sekalainen",
        D("1"),
        D("25.5"),
        entries=(
            Entry("hours", world.project, world.work_type, D("1")),
            Entry("fee", world.project, world.product, D("1")),
        ),
    )
    with pytest.raises(ValueError, match="mixes entry kinds"):
        invoicing.put_invoice(
            status=world.statuses.draft,
            billing_customer=world.customer,
            date=date(2026, 12, 1),
            rows=[mixed],
        )
    with pytest.raises(SeveraFailure):
        invoicing.update(world.ready, [{"op": "replace", "path": "/notes", "value": "x"}])


# -- customers' country settings and VAT rates -------------------------------------------------


async def test_customer_country_settings(api: Api, world: World, org: Organisation) -> None:
    assert await ok(await api.get(f"/v1/customers/{world.customer}/customercountrysettings")) == []
    guid = org.invoicing.put_country_settings(
        world.customer, tax_free=True, zero_vat_category="AE", vat_rate=0.0
    )
    (settings,) = await ok(await api.get(f"/v1/customers/{world.customer}/customercountrysettings"))
    assert settings["guid"] == guid
    assert settings["customer"] == {"guid": world.customer}
    assert settings["country"]["englishName"] == "Finland"
    assert settings["isTaxFree"] is True
    assert settings["zeroVatCategoryCodeEn16931"] == "AE"
    assert settings["valueAddedTax"]["percentage"] == 0.0
    unknown = await api.get(
        "/v1/customers/00000000-0000-4000-8000-000000000000/customercountrysettings"
    )
    assert unknown.status_code == 404


async def test_vat_rates_include_the_2026_reduced_rate(api: Api, world: World) -> None:
    rates = await ok(await api.get("/v1/vatrates"))
    assert {(r["percentage"], r["isActive"]) for r in rates} >= {
        (25.5, True),
        (13.5, True),
        (24.0, False),
    }


def test_invoicing_guids_leave_the_other_registers_alone() -> None:
    """An organisation's customers get the same GUIDs whether or not it invoices."""
    first = SeveraSandbox(seed=3).add_organisation("Sama Oy")
    second = SeveraSandbox(seed=3).add_organisation("Sama Oy")
    second.invoicing.connect_netvisor()
    second.invoicing.put_work_type("Työ", "T")
    assert first.put_customer("A Oy", 1) == second.put_customer("A Oy", 1)


# -- faults ------------------------------------------------------------------------------------


async def test_a_lost_answer_leaves_the_status_changed(
    api: Api, world: World, org: Organisation
) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(lose_next_responses=1, hang_seconds=5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await api.patch(
                f"/v1/invoices/{world.ready}",
                [{"op": "replace", "path": "/status/guid", "value": world.statuses.transferred}],
            )
    assert org.stats.responses_lost == org.stats.writes_committed == 1
    # The engine's look-up after the unknown outcome sees the new status.
    moved = await ok(
        await api.get("/v1/invoices", params={"invoiceStatusGuids": world.statuses.transferred})
    )
    assert [invoice["guid"] for invoice in moved] == [world.ready]


async def test_injected_failures_change_nothing(api: Api, world: World, org: Organisation) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(fail_next=["503"])
    response = await api.patch(
        f"/v1/invoices/{world.ready}",
        [{"op": "replace", "path": "/status/guid", "value": world.statuses.transferred}],
    )
    assert response.status_code == 503
    invoice = org.invoicing.invoice(world.ready)
    assert invoice is not None
    assert invoice["status"]["guid"] == world.statuses.ready
    assert org.stats.requests[("PATCH", "/v1/invoices/{guid}")] == 1


async def test_the_control_api_shows_the_invoices(
    sandbox: SeveraSandbox, org: Organisation, world: World
) -> None:
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as control:
        shown = await control.get(f"/_sandbox/organisations/{org.id}/invoices")
        missing = await control.get("/_sandbox/organisations/nobody/invoices")
    assert shown.status_code == 200
    assert [invoice["guid"] for invoice in shown.json()] == [world.ready, world.draft]
    assert [len(invoice["rows"]) for invoice in shown.json()] == [3, 1]
    assert missing.status_code == 404
