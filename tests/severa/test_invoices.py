"""The invoice operations over MockTransport, with answers written from the document's output
models. Every request (and every scripted answer, so the scripts cannot drift from the
document) is validated against Severa's OpenAPI document when it is at hand
(tests/severa_openapi.py); without it the checks of shape still run."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from silta.severa import (
    INVOICE_SCOPES,
    SeveraOutcomeUnknown,
    SeveraValidationError,
)

from ..severa_openapi import document, validate_request, validate_response
from .conftest import BASE, FakeSevera, Sleeps, error, make_client

INVOICE_GUID = "11111111-1111-4111-8111-111111111111"
READY = "22222222-2222-4222-8222-222222222222"
SENT = "33333333-3333-4333-8333-333333333333"
ROW_HOURS = "44444444-4444-4444-8444-444444444444"
ROW_FEES = "55555555-5555-4555-8555-555555555555"
PROJECT = "66666666-6666-4666-8666-666666666666"
CUSTOMER = "77777777-7777-4777-8777-777777777777"


# Empty sub-models are left out rather than sent as null: the document puts "nullable" beside
# "$ref", which OpenAPI 3.0 ignores, so a null there would not pass (as in the sandbox).


def money(amount: float) -> dict[str, object]:
    return {"amount": amount, "currencyCode": "EUR", "multiCurrencyInfo": []}


def invoice_json(guid: str = INVOICE_GUID, number: int | None = 10234) -> dict[str, object]:
    """An InvoiceOutputModel as the document describes it."""
    return {
        "guid": guid,
        "number": number,
        "referenceNumber": "102347",
        "date": "2026-03-31",
        "dueDate": "2026-04-14",
        "entryDate": None,
        "paymentDate": None,
        "paymentTerm": 14,
        "overdueInterest": 8.0,
        "status": {
            "guid": READY,
            "name": "Valmis lähetettäväksi Netvisoriin",
            "isSent": False,
            "isPaid": False,
            "isWaitingPayment": False,
        },
        "customer": {"guid": CUSTOMER, "name": "Ääri Oy", "number": 1001},
        "billingCustomer": {"guid": CUSTOMER, "name": "Ääri Oy", "number": 1001},
        "projects": [{"guid": PROJECT, "name": "Pilvi", "number": 100}],
        "currency": {
            "guid": "88888888-8888-4888-8888-888888888888",
            "code": "EUR",
            "name": "Euro",
            "symbol": "€",
        },
        "currencyRate": 1.0,
        "totalExcludingTax": money(1000.0),
        "totalTax": money(255.0),
        "totalIncludingTax": money(1255.0),
        "isCreditNote": False,
        "receiverAddress": {
            "addressline": "Katu 1",
            "postalCode": "00100",
            "city": "Helsinki",
            "state": None,
            "country": "Suomi",
        },
        "receiverCustomerName": "Ääri Oy",
        "receiverVatNumber": "FI07375462",
        "ourReference": "Matti",
        "yourReference": "Liisa",
        "orderNumber": "PO-1",
        "notes": None,
        "canBeDeleted": False,
        "workHoursQuantity": 10.0,
        "createdDateTime": "2026-03-30T10:00:00+03:00",
        "lastUpdatedDateTime": "2026-03-31T10:00:00+03:00",
    }


def row_json(guid: str, row_type: str, codes: list[str]) -> dict[str, object]:
    return {
        "guid": guid,
        "invoiceGuid": INVOICE_GUID,
        "rowType": row_type,
        "category": "Hours" if row_type == "Hours" else "ProjectFees",
        "description": "Konsultointi 3/2026",
        "quantity": 10.0,
        "measurementUnit": "h",
        "unitPrice": money(100.0),
        "vatRate": 25.5,
        "sortOrder": 1,
        "salesAccount": {"name": "Myynti", "number": "3000"},
        "code": codes,
        "flatRateGuid": None,
        "hasInvoiceComment": False,
        "createdDateTime": "2026-03-30T10:00:00+03:00",
    }


def fee_json() -> dict[str, object]:
    return {
        "guid": "99999999-9999-4999-8999-999999999991",
        "invoiceRowGuid": ROW_FEES,
        "invoice": {"guid": INVOICE_GUID, "number": 10234, "date": "2026-03-31"},
        "product": {"guid": "p1", "code": "KONS-01", "name": "Konsultointi"},
        "productType": "FixedFees",
        "project": {"guid": PROJECT, "name": "Pilvi"},
        "phase": {"guid": "ph1", "name": "Määrittely"},
        "costCenter": {"guid": "cc1", "identifier": "100", "name": "HKI"},
        "quantity": 1.0,
        "unitPrice": money(100.0),
        "vatRate": 25.5,
        "hasVolumePricing": False,
        "isRecurrenceRule": False,
        "createdDateTime": "2026-03-30T10:00:00+03:00",
    }


def hour_json() -> dict[str, object]:
    return {
        "guid": "99999999-9999-4999-8999-999999999992",
        "invoiceRowGuid": ROW_HOURS,
        "invoice": {"guid": INVOICE_GUID, "number": 10234, "date": "2026-03-31"},
        "workType": {"guid": "w1", "code": "SUUNN", "name": "Suunnittelu"},
        "project": {"guid": PROJECT, "name": "Pilvi", "number": 100, "isClosed": False},
        "phase": {"guid": "ph1", "name": "Määrittely", "isCompleted": False, "isLocked": False},
        "user": {"guid": "u1", "name": "Maija"},
        "eventDate": "2026-03-10",
        "quantity": 7.5,
        "unitPrice": money(100.0),
        "billableStatus": "Billable",
        "isModifiable": False,
        "createdDateTime": "2026-03-30T10:00:00+03:00",
    }


def travel_json() -> dict[str, object]:
    return {
        "guid": "99999999-9999-4999-8999-999999999993",
        "invoiceRowGuid": ROW_FEES,
        "travelExpense": {
            "guid": "t1",
            "code": "KM",
            "name": "Kilometrikorvaus",
            "expenseClass": "Mileage",
            "includeTime": False,
        },
        "project": {"guid": PROJECT, "name": "Pilvi", "number": 100, "isInternal": False},
        "phase": {"guid": "ph1", "name": "Määrittely"},
        "user": {"guid": "u1"},
        "quantity": 120.0,
        "unitPrice": money(0.59),
        "vatRate": 25.5,
        "attachmentCount": 0,
        "travelReimbursementRequired": True,
        "createdDateTime": "2026-03-30T10:00:00+03:00",
    }


def status_json(guid: str, name: str, *, numbered: bool, read_only: bool) -> dict[str, object]:
    return {
        "guid": guid,
        "name": name,
        "isActive": True,
        "isDefault": False,
        "isDefaultForCreditNote": False,
        "hasInvoiceNumber": numbered,
        "isReadOnly": read_only,
        "isSent": False,
        "isWaitingPayment": False,
        "isPaid": False,
        "sortOrder": 2,
    }


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(str(request.url)).query)


class Scripted:
    """Routes by path to JSON answers; checks each request and answer against the document."""

    def __init__(self, routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/rest-api")
        answer = self.routes[path](request)
        validate_request(request, BASE)
        answer = httpx.Response(answer.status_code, headers=answer.headers,
                                content=answer.content, request=request)  # fmt: skip
        validate_response(request, answer, BASE)
        return answer


def json_answer(body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(200, content=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", **(headers or {})})  # fmt: skip


async def test_invoices_are_listed_by_their_status_with_token_paging() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        params = query(request)
        assert ("invoiceStatusGuids", READY) in params and ("rowCount", "100") in params
        if ("pageToken", "next") in params:
            return json_answer([invoice_json("g-2", 2)])
        return json_answer([invoice_json()], {"NextPageToken": "next"})

    fake = FakeSevera(Scripted({"/v1/invoices": route}))
    invoices = [i async for i in make_client(fake).iter_invoices(status_guids=[READY, READY])]
    assert [i.number for i in invoices] == [10234, 2]
    first = invoices[0]
    assert first.billing_customer is not None and first.billing_customer.number == 1001
    assert first.total_including_tax is not None
    assert first.total_including_tax.amount == Decimal("1255.0")
    assert first.receiver_address is not None and first.receiver_address.postal_code == "00100"
    assert first.status is not None and first.status.guid == READY
    assert first.projects is not None and first.projects[0].number == 100
    assert [p for p in query(fake.data_requests()[0]) if p[0] == "invoiceStatusGuids"] == [
        ("invoiceStatusGuids", READY)
    ]


async def test_an_empty_status_filter_asks_nothing_rather_than_everything() -> None:
    fake = FakeSevera(Scripted({}))
    assert [i async for i in make_client(fake).iter_invoices(status_guids=[])] == []
    assert fake.data_requests() == []


async def test_one_invoice_its_rows_settings_and_billed_entries() -> None:
    base = f"/v1/invoices/{INVOICE_GUID}"
    fake = FakeSevera(
        Scripted(
            {
                base: lambda r: json_answer(invoice_json()),
                f"{base}/invoicerows": lambda r: json_answer(
                    [
                        row_json(ROW_HOURS, "Hours", ["SUUNN"]),
                        row_json(ROW_FEES, "ProjectFees", ["KONS-01", "KM"]),
                    ]
                ),
                f"{base}/invoicesettings": lambda r: json_answer(
                    {
                        "guid": "s1",
                        "isReverseCharged": True,
                        "reverseChargeDescription": "Käännetty verovelvollisuus",
                        "projectFeeGrouping": "OneByOne",
                        "workHourGrouping": "Group",
                        "projectTravelExpenseGrouping": "Group",
                        "showCategories": True,
                        "createdDateTime": "2026-03-30T10:00:00+03:00",
                    }
                ),
                f"{base}/projectfees": lambda r: json_answer([fee_json()]),
                f"{base}/workhours": lambda r: json_answer([hour_json()]),
                f"{base}/projecttravelexpenses": lambda r: json_answer([travel_json()]),
            }
        )
    )
    client = make_client(fake)
    assert (await client.get_invoice(INVOICE_GUID)).reference_number == "102347"
    rows = [row async for row in client.iter_invoice_rows(INVOICE_GUID)]
    assert [r.row_type for r in rows] == ["Hours", "ProjectFees"]
    assert rows[1].code == ["KONS-01", "KM"] and rows[1].unit_price is not None
    assert rows[0].vat_rate == Decimal("25.5") and rows[0].quantity == Decimal("10.0")
    assert rows[0].sales_account is not None and rows[0].sales_account.number == "3000"
    settings = await client.invoice_settings(INVOICE_GUID)
    assert settings.is_reverse_charged and settings.reverse_charge_description
    (fee,) = [f async for f in client.iter_invoice_project_fees(INVOICE_GUID)]
    assert fee.invoice_row_guid == ROW_FEES and fee.product is not None
    assert fee.product.code == "KONS-01" and fee.product_type == "FixedFees"
    assert fee.cost_center is not None and fee.cost_center.identifier == "100"
    (hour,) = [h async for h in client.iter_invoice_work_hours(INVOICE_GUID)]
    assert hour.invoice_row_guid == ROW_HOURS and hour.work_type is not None
    assert hour.phase is not None and hour.phase.guid == "ph1"
    assert hour.project is not None and hour.project.number == 100
    (travel,) = [t async for t in client.iter_invoice_travel_expenses(INVOICE_GUID)]
    assert travel.travel_expense is not None and travel.travel_expense.expense_class == "Mileage"
    assert travel.unit_price is not None and travel.unit_price.amount == Decimal("0.59")
    paths = [r.url.path for r in fake.data_requests()]
    assert len(paths) == 6  # one call each: all of an invoice's entries come in one list


async def test_rows_can_be_narrowed_by_type() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        assert ("rowType", "Hours") in query(request)
        return json_answer([row_json(ROW_HOURS, "Hours", [])])

    fake = FakeSevera(Scripted({f"/v1/invoices/{INVOICE_GUID}/invoicerows": route}))
    rows = [r async for r in make_client(fake).iter_invoice_rows(INVOICE_GUID, row_type="Hours")]
    assert rows[0].code == []


async def test_invoice_statuses_are_offset_paged() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        params = dict(query(request))
        first = int(params["firstRow"])
        assert params["active"] == "true"
        names = [f"S{n}" for n in range(first, min(first + 100, 130))]
        return json_answer(
            [status_json(f"{n:08d}-0000-4000-8000-000000000000", name, numbered=True,
                         read_only=n % 2 == 0) for n, name in enumerate(names, first)]
        )  # fmt: skip

    fake = FakeSevera(Scripted({"/v1/invoicestatuses": route}))
    statuses = [s async for s in make_client(fake).iter_invoice_statuses(active=True)]
    assert len(statuses) == 130 and len(fake.data_requests()) == 2
    assert statuses[0].has_invoice_number and statuses[0].is_read_only
    assert not statuses[1].is_read_only


async def test_the_status_change_is_one_replace_of_status_guid() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        assert request.method == "PATCH"
        assert json.loads(request.content) == [
            {"op": "Replace", "path": "/status/guid", "value": SENT}
        ]
        moved = invoice_json()
        moved["status"] = {
            "guid": SENT,
            "name": "Lasku lähetetty Netvisoriin",
            "isSent": True,
            "isPaid": False,
            "isWaitingPayment": True,
        }
        return json_answer([moved])

    fake = FakeSevera(Scripted({f"/v1/invoices/{INVOICE_GUID}": route}))
    moved = await make_client(fake).set_invoice_status(INVOICE_GUID, SENT)
    assert moved.status is not None and moved.status.guid == SENT


async def test_a_status_change_without_an_answer_is_unknown_and_not_resent() -> None:
    calls = 0

    def route(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(502, content=b"<html>Bad gateway</html>")

    client = make_client(FakeSevera(route), sleeps=Sleeps())
    with pytest.raises(SeveraOutcomeUnknown):
        await client.set_invoice_status(INVOICE_GUID, SENT)
    assert calls == 1


async def test_a_refused_status_change_is_severas_reason_and_a_429_is_resent() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "1"}),
        error(400, "InvalidParameter", "Status is not allowed"),
    ]
    fake = FakeSevera(lambda request: answers.pop(0))
    with pytest.raises(SeveraValidationError, match="Status is not allowed"):
        await make_client(fake, sleeps=Sleeps()).set_invoice_status(INVOICE_GUID, SENT)
    assert len(fake.data_requests()) == 2


async def test_customer_country_settings_and_a_project() -> None:
    fake = FakeSevera(
        Scripted(
            {
                f"/v1/customers/{CUSTOMER}/customercountrysettings": lambda r: json_answer(
                    [
                        {
                            "guid": "c1",
                            "country": {"guid": "se", "name": "Ruotsi", "englishName": "Sweden"},
                            "customer": {"guid": CUSTOMER},
                            "isTaxFree": True,
                            "taxFreeDescription": "Reverse charge",
                            "valueAddedTax": {"guid": "v0", "percentage": 0.0},
                            "zeroVatCategoryCodeEn16931": "AE",
                        }
                    ]
                ),
                f"/v1/projects/{PROJECT}": lambda r: json_answer(
                    {
                        "guid": PROJECT,
                        "name": "Pilvi",
                        "number": 100,
                        "businessUnit": {"guid": "bu", "name": "Helsinki", "code": "HKI"},
                        "isClosed": False,
                        "isInternal": False,
                    }
                ),
            }
        )
    )
    client = make_client(fake)
    (setting,) = await client.customer_country_settings(CUSTOMER)
    assert setting.is_tax_free and setting.zero_vat_category_code_en16931 == "AE"
    assert setting.country is not None and setting.country.english_name == "Sweden"
    project = await client.get_project(PROJECT)
    assert project.business_unit is not None and project.business_unit.code == "HKI"


def test_the_invoice_scopes_are_the_documents() -> None:
    spec = document()
    if spec is None:
        pytest.skip("Severa's OpenAPI document is not at hand")
    needed = set()
    for path, verb in [
        ("/v1/invoices", "get"),
        ("/v1/invoices/{guid}", "patch"),
        ("/v1/invoices/{invoiceGuid}/invoicerows", "get"),
        ("/v1/invoices/{invoiceGuid}/projectfees", "get"),
        ("/v1/invoices/{invoiceGuid}/workhours", "get"),
        ("/v1/invoices/{invoiceGuid}/projecttravelexpenses", "get"),
        ("/v1/invoices/{invoiceGuid}/invoicesettings", "get"),
    ]:
        for block in spec["paths"][path][verb]["security"]:
            needed.update(block.get("OAuth2", []))
    assert needed == set(INVOICE_SCOPES)
