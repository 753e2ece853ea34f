"""Project fees and travel reimbursements over MockTransport (reference/invoices.md §3.3-3.4).

Answers are written from the document's output models; every request and every scripted
answer is validated against Severa's OpenAPI document when it is at hand
(tests/severa_openapi.py), so neither the client nor the scripts can drift from it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pydantic
import pytest

from silta.severa import (
    DEFAULT_SCOPES,
    FEE_SCOPES,
    TRAVEL_SCOPES,
    GuidRef,
    MoneyInput,
    ProjectFeeInput,
    SeveraOutcomeUnknown,
    SeveraValidationError,
)

from ..severa_openapi import document
from .conftest import FakeSevera, Sleeps, error, make_client
from .test_invoices import Scripted, json_answer, money, query

PROJECT = "66666666-6666-4666-8666-666666666666"
PHASE = "66666666-6666-4666-8666-666666666667"
PRODUCT = "12121212-1212-4212-8212-121212121212"
FEE = "99999999-9999-4999-8999-999999999901"
REPORT = "13131313-1313-4313-8313-131313131313"
APPROVED = "14141414-1414-4414-8414-141414141414"
TRANSFERRED = "15151515-1515-4515-8515-151515151515"
USER = "16161616-1616-4616-8616-161616161616"
EXPENSE = "17171717-1717-4717-8717-171717171717"
FILE = "18181818-1818-4818-8818-181818181818"
FILE_DATA = "19191919-1919-4919-8919-191919191919"
STAMP = "2026-03-30T10:00:00+03:00"


def fee_json(
    guid: str = FEE, name: str = "Rauta Oy 4711 Kaapelit [NV 2001/7001]"
) -> dict[str, object]:
    """A ProjectFeeOutputModel as the document describes it."""
    return {
        "guid": guid,
        "name": name,
        "description": "Kaapelit",
        "project": {"guid": PROJECT, "name": "Pilvi"},
        "phase": {"guid": PHASE, "name": "10 Määrittely"},
        "product": {"guid": PRODUCT, "code": "KULU", "name": "Kulut"},
        "productType": "Materials",
        "customer": {"guid": "c1", "name": "Ääri Oy"},
        "quantity": 10.0,
        "unitCost": money(100.0),
        "unitPrice": money(115.0),
        "isBillable": True,
        "eventDate": "2026-03-31",
        "hasVolumePricing": False,
        "isRecurrenceRule": False,
        "createdDateTime": STAMP,
        "lastUpdatedDateTime": STAMP,
    }


FEE_INPUT = ProjectFeeInput(
    project=GuidRef(guid=PROJECT),
    phase=GuidRef(guid=PHASE),
    product=GuidRef(guid=PRODUCT),
    name="Rauta Oy 4711 Kaapelit [NV 2001/7001]",
    quantity=Decimal("10"),
    unit_cost=MoneyInput(amount=Decimal("100.00"), currency_code="EUR"),
    unit_price=MoneyInput(amount=Decimal("115.00"), currency_code="EUR"),
    is_billable=True,
    event_date=date(2026, 3, 31),
)


async def test_a_fee_is_posted_strictly_and_its_201_array_read() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert json.loads(request.content) == {
            "project": {"guid": PROJECT},
            "phase": {"guid": PHASE},
            "product": {"guid": PRODUCT},
            "name": "Rauta Oy 4711 Kaapelit [NV 2001/7001]",
            "quantity": 10.0,
            "unitCost": {"amount": 100.0, "currencyCode": "EUR"},
            "unitPrice": {"amount": 115.0, "currencyCode": "EUR"},
            "eventDate": "2026-03-31",
            "isBillable": True,
        }
        return httpx.Response(201, json=[fee_json()])

    fee = await make_client(FakeSevera(Scripted({"/v1/projectfees": route}))).create_project_fee(
        FEE_INPUT
    )
    assert fee.guid == FEE and fee.is_billable is True
    assert fee.unit_cost is not None and fee.unit_cost.amount == Decimal("100.0")
    assert fee.project is not None and fee.project.guid == PROJECT
    assert fee.phase is not None and fee.phase.guid == PHASE


def test_the_fee_input_takes_only_the_documents_properties_and_values() -> None:
    with pytest.raises(pydantic.ValidationError):
        ProjectFeeInput(project=GuidRef(guid=PROJECT), guid=FEE)  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        ProjectFeeInput(project=GuidRef(guid=PROJECT), product_type="Travel")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        ProjectFeeInput()  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        MoneyInput(amount=Decimal(1))  # type: ignore[call-arg]
    assert ProjectFeeInput(project=GuidRef(guid=PROJECT)).body() == {"project": {"guid": PROJECT}}


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(502, content=b"<html>Bad gateway</html>"),
        httpx.Response(201, json=[fee_json(), fee_json("other")]),
        httpx.Response(201, json=[]),
        httpx.Response(201, content=b"{not json"),
    ],
    ids=["gateway", "two fees", "no fee", "unreadable"],
)
async def test_a_fee_without_a_usable_answer_is_unknown_and_never_resent(
    answer: httpx.Response,
) -> None:
    calls = 0

    def route(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return answer

    with pytest.raises(SeveraOutcomeUnknown):
        await make_client(FakeSevera(route), sleeps=Sleeps()).create_project_fee(FEE_INPUT)
    assert calls == 1


async def test_a_refused_fee_is_severas_reason_not_an_unknown_outcome() -> None:
    fake = FakeSevera(lambda request: error(400, "InvalidParameter", "Phase is not in project"))
    with pytest.raises(SeveraValidationError, match="Phase is not in project"):
        await make_client(fake).create_project_fee(FEE_INPUT)
    assert len(fake.data_requests()) == 1


async def test_a_projects_fees_are_read_unfiltered_with_token_paging() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        params = query(request)
        assert [name for name, _ in params if name not in ("rowCount", "pageToken")] == []
        if ("pageToken", "2") in params:
            return json_answer([fee_json("f-2", "Muu kulu")])
        return json_answer([fee_json()], {"NextPageToken": "2"})

    path = f"/v1/projects/{PROJECT}/projectfees"
    client = make_client(FakeSevera(Scripted({path: route})))
    fees = [fee async for fee in client.iter_fees_of_project(PROJECT)]
    assert [fee.guid for fee in fees] == [FEE, "f-2"]


async def test_fee_filters_go_out_under_the_documents_names() -> None:
    seen: list[list[tuple[str, str]]] = []

    def route(request: httpx.Request) -> httpx.Response:
        seen.append(query(request))
        return json_answer([])

    path = f"/v1/projects/{PROJECT}/projectfees"
    one = f"/v1/projectfees/{FEE}"
    fake = FakeSevera(
        Scripted({path: route, "/v1/projectfees": route, one: lambda r: json_answer(fee_json())})
    )
    client = make_client(fake)
    assert [
        f
        async for f in client.iter_fees_of_project(
            PROJECT, product_type="Materials", is_billable=False, is_billed=True
        )
    ] == []
    assert [
        f
        async for f in client.iter_project_fees(
            changed_since=datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        )
    ] == []
    assert ("productType", "Materials") in seen[0] and ("isBillable", "false") in seen[0]
    assert ("isBilled", "true") in seen[0]
    assert ("changedSince", "2026-03-01T12:00:00+00:00") in seen[1]
    assert (await client.get_project_fee(FEE)).name == "Rauta Oy 4711 Kaapelit [NV 2001/7001]"


async def test_deleted_fees_by_time_and_projects() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        params = query(request)
        assert ("deletedSince", "2026-03-01T00:00:00+00:00") in params
        assert [v for k, v in params if k == "projectGuids"] == [PROJECT, "p-2"]
        return json_answer(
            [
                {
                    "guid": FEE,
                    "name": "Rauta Oy 4711 Kaapelit [NV 2001/7001]",
                    "project": {"guid": PROJECT},
                    "eventDate": "2026-03-31",
                    "quantity": 10.0,
                    "deletedDateTime": "2026-04-02T08:00:00Z",
                    "createdDateTime": STAMP,
                }
            ]
        )

    client = make_client(FakeSevera(Scripted({"/v1/deletedprojectfees": route})))
    (deleted,) = [
        d
        async for d in client.iter_deleted_project_fees(
            deleted_since=datetime(2026, 3, 1, tzinfo=UTC), project_guids=[PROJECT, "p-2"]
        )
    ]
    assert deleted.guid == FEE and deleted.project is not None
    assert deleted.deleted_date_time == datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


# -- travel reimbursements -------------------------------------------------------------------


def report_json(guid: str = REPORT, number: int = 42) -> dict[str, object]:
    """A TravelReimbursementOutputModel."""
    return {
        "guid": guid,
        "number": number,
        "title": "Asiakaskäynti Tampere",
        "date": "2026-03-11T00:00:00Z",
        "user": {"guid": USER, "name": "Maija Meikäläinen"},
        "travelReimbursementStatus": {"guid": APPROVED, "name": "Hyväksytty"},
        "approvalDate": "2026-03-12T09:00:00Z",
        "approvedByUser": {"guid": "boss", "name": "Pomo"},
        "total": money(512.5),
        "totalExpenses": money(512.5),
        "advancePayment": money(0.0),
        "canChangeApproval": False,
        "createdDateTime": STAMP,
        "lastUpdatedDateTime": STAMP,
    }


def expense_json(
    guid: str = EXPENSE, expense_class: str = "OtherTravelExpense", **extra: object
) -> dict[str, object]:
    """A ProjectTravelExpenseOutputModel of a report."""
    body: dict[str, object] = {
        "guid": guid,
        "travelExpense": {
            "guid": "t-hotel",
            "code": "MAJ",
            "name": "Majoitus",
            "expenseClass": expense_class,
            "includeTime": False,
        },
        "project": {"guid": PROJECT, "name": "Pilvi", "number": 100, "isInternal": False},
        "phase": {"guid": PHASE, "name": "10 Määrittely"},
        "user": {"guid": USER, "name": "Maija Meikäläinen", "code": "1001"},
        "travelReimbursement": {
            "guid": REPORT,
            "isApproved": True,
            "isLocked": True,
            "status": "Hyväksytty",
        },
        "quantity": 2.0,
        "unitCost": money(150.0),
        "unitCostExcludingPurchaseVat": money(132.16),
        "purchaseVatRate": 13.5,
        "unitPrice": money(150.0),
        "vatRate": 25.5,
        "travelReimbursementRequired": True,
        "travelStartTime": "2026-03-09T05:00:00Z",
        "travelEndTime": "2026-03-10T16:30:00Z",
        "eventDate": "2026-03-09",
        "description": "Hotelli Tampere",
        "attachmentCount": 1,
        "isBillable": True,
        "createdDateTime": STAMP,
    }
    body.update(extra)
    return body


async def test_reports_are_listed_by_status_and_change_time_with_token_paging() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        params = query(request)
        assert [v for k, v in params if k == "travelReimbursementStatusGuids"] == [APPROVED]
        assert ("changedSince", "2026-03-01T00:00:00+00:00") in params
        if ("pageToken", "p2") in params:
            return json_answer([report_json("r-2", 43)])
        return json_answer([report_json()], {"NextPageToken": "p2"})

    fake = FakeSevera(Scripted({"/v1/travelreimbursements": route}))
    reports = [
        r
        async for r in make_client(fake).iter_travel_reimbursements(
            status_guids=[APPROVED, APPROVED], changed_since=datetime(2026, 3, 1, tzinfo=UTC)
        )
    ]
    assert [r.number for r in reports] == [42, 43]
    first = reports[0]
    assert first.user is not None and first.user.guid == USER
    assert first.travel_reimbursement_status is not None
    assert first.travel_reimbursement_status.guid == APPROVED
    assert first.total is not None and first.total.amount == Decimal("512.5")


async def test_an_empty_status_filter_asks_nothing() -> None:
    fake = FakeSevera(Scripted({}))
    assert [r async for r in make_client(fake).iter_travel_reimbursements(status_guids=[])] == []
    assert fake.data_requests() == []


async def test_a_reports_expenses_carry_what_the_travel_transfer_needs() -> None:
    path = f"/v1/travelreimbursements/{REPORT}/projecttravelexpenses"
    mileage = expense_json(
        "e-2",
        "Mileage",
        quantity=172.5,
        unitCost=money(0.59),
        travelReimbursementRequired=False,
        attachmentCount=0,
    )
    fake = FakeSevera(
        Scripted(
            {
                path: lambda r: json_answer([expense_json(), mileage]),
                f"/v1/travelreimbursements/{REPORT}": lambda r: json_answer(report_json()),
            }
        )
    )
    client = make_client(fake)
    hotel, drive = [e async for e in client.iter_travel_reimbursement_expenses(REPORT)]
    assert hotel.user is not None and hotel.user.code == "1001"
    assert hotel.unit_cost is not None and hotel.unit_cost.amount == Decimal("150.0")
    assert hotel.purchase_vat_rate == Decimal("13.5") and hotel.attachment_count == 1
    assert hotel.travel_reimbursement_required is True
    assert hotel.travel_start_time == datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    assert hotel.travel_reimbursement is not None and hotel.travel_reimbursement.is_approved
    assert drive.travel_expense is not None and drive.travel_expense.expense_class == "Mileage"
    assert drive.travel_reimbursement_required is False and drive.attachment_count == 0
    assert (await client.get_travel_reimbursement(REPORT)).number == 42


async def test_the_status_after_transfer_is_one_replace_and_a_write() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        assert request.method == "PATCH"
        assert json.loads(request.content) == [
            {"op": "Replace", "path": "/travelReimbursementStatus/guid", "value": TRANSFERRED}
        ]
        moved = report_json()
        moved["travelReimbursementStatus"] = {"guid": TRANSFERRED, "name": "Siirretty"}
        return json_answer([moved])

    fake = FakeSevera(Scripted({f"/v1/travelreimbursements/{REPORT}": route}))
    moved = await make_client(fake).set_travel_reimbursement_status(REPORT, TRANSFERRED)
    assert moved.travel_reimbursement_status is not None
    assert moved.travel_reimbursement_status.guid == TRANSFERRED

    calls = 0

    def lost(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("lost", request=request)

    with pytest.raises(SeveraOutcomeUnknown):
        await make_client(FakeSevera(lost), sleeps=Sleeps()).set_travel_reimbursement_status(
            REPORT, TRANSFERRED
        )
    assert calls == 1


async def test_statuses_and_expense_types_are_offset_paged() -> None:
    def statuses(request: httpx.Request) -> httpx.Response:
        first = int(dict(query(request))["firstRow"])
        rows = [
            {
                "guid": f"{n:08d}-0000-4000-8000-000000000000",
                "name": f"S{n}",
                "isActive": True,
                "isApproved": n == 2,
                "isDefault": n == 0,
                "isLocked": n >= 2,
                "sortOrder": n,
            }
            for n in range(first, min(first + 100, 104))
        ]
        return json_answer(rows)

    def types(request: httpx.Request) -> httpx.Response:
        assert ("active", "true") in query(request)
        return json_answer(
            [
                {
                    "guid": "t-km",
                    "name": "Kilometrikorvaus",
                    "code": "KM",
                    "expenseClass": "Mileage",
                    "isMileage": True,
                    "isDailyAllowance": False,
                    "isActive": True,
                    "includeTime": False,
                    "purchaseVatRate": 0.0,
                    "unitCost": money(0.59),
                }
            ]
        )

    fake = FakeSevera(
        Scripted({"/v1/travelreimbursementstatuses": statuses, "/v1/travelexpensetypes": types})
    )
    client = make_client(fake)
    found = [s async for s in client.iter_travel_reimbursement_statuses()]
    assert len(found) == 104 and [s.name for s in found if s.is_approved] == ["S2"]
    (kilometres,) = [t async for t in client.iter_travel_expense_types(active=True)]
    assert kilometres.is_mileage and kilometres.expense_class == "Mileage"


async def test_users_are_found_by_code_the_employee_number() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        assert ("code", "1001") in query(request)
        return json_answer(
            [
                {
                    "guid": USER,
                    "firstName": "Maija",
                    "lastName": "Meikäläinen",
                    "code": "1001",
                    "isActive": True,
                    "email": "maija@example.fi",
                    "businessUnit": {"guid": "bu", "name": "Helsinki"},
                }
            ]
        )

    fake = FakeSevera(Scripted({"/v1/users": route}))
    (user,) = [u async for u in make_client(fake).iter_users(code="1001")]
    assert user.code == "1001" and user.name == "Maija Meikäläinen"


async def test_attachments_names_sizes_and_content() -> None:
    file_json = {
        "guid": FILE,
        "fileGuid": FILE_DATA,
        "travelExpenseGuid": EXPENSE,
        "name": "hotelli.pdf",
        "size": 18432.0,
        "contentType": "application/pdf",
        "category": "ProjectTravelExpense",
        "source": "Severa",
        "createdDateTime": STAMP,
    }

    def content(request: httpx.Request) -> httpx.Response:
        assert request.headers["Accept"] == "application/octet-stream"
        return httpx.Response(
            200, content=b"%PDF-1.4 kuitti", headers={"Content-Type": "application/octet-stream"}
        )

    fake = FakeSevera(
        Scripted(
            {
                f"/v1/projecttravelexpenses/{EXPENSE}/files": lambda r: json_answer([file_json]),
                f"/v1/projecttravelexpensefiles/{FILE}": lambda r: json_answer(file_json),
                f"/v1/users/{USER}/travelexpensesfiles": lambda r: json_answer([file_json]),
                f"/v1/files/{FILE_DATA}/filedata": content,
            }
        )
    )
    client = make_client(fake)
    (listed,) = [f async for f in client.iter_travel_expense_files(EXPENSE)]
    assert listed.name == "hotelli.pdf" and listed.size == Decimal("18432.0")
    assert listed.file_guid == FILE_DATA
    assert (await client.get_travel_expense_file(FILE)).travel_expense_guid == EXPENSE
    (by_user,) = [
        f
        async for f in client.iter_user_travel_expense_files(
            USER, start=datetime(2026, 3, 1, tzinfo=UTC), end=datetime(2026, 3, 31, tzinfo=UTC)
        )
    ]
    assert by_user.guid == FILE
    assert await client.file_content(FILE_DATA) == b"%PDF-1.4 kuitti"


def test_the_transfers_scopes_are_what_the_document_asks_of_their_routes() -> None:
    spec = document()
    if spec is None:
        pytest.skip("Severa's OpenAPI document is not at hand")
    routes = {
        ("post", "/v1/projectfees"),
        ("get", "/v1/projectfees"),
        ("get", "/v1/projects/{projectGuid}/projectfees"),
        ("get", "/v1/deletedprojectfees"),
        ("get", "/v1/travelreimbursements"),
        ("patch", "/v1/travelreimbursements/{guid}"),
        ("get", "/v1/travelreimbursements/{travelReimbursementGuid}/projecttravelexpenses"),
        ("get", "/v1/travelreimbursementstatuses"),
        ("get", "/v1/travelexpensetypes"),
        ("get", "/v1/users"),
        ("get", "/v1/projecttravelexpenses/{projectTravelExpenseGuid}/files"),
        ("get", "/v1/projecttravelexpensefiles/{guid}"),
        ("get", "/v1/files/{guid}/filedata"),
    }
    granted = set(DEFAULT_SCOPES) | set(FEE_SCOPES) | set(TRAVEL_SCOPES)
    for method, path in routes:
        needed = {
            scope
            for block in spec["paths"][path][method]["security"]
            for scopes in block.values()
            for scope in scopes
        }
        assert needed <= granted, (method, path, needed - granted)
    assert "files:read" in TRAVEL_SCOPES and "users:read" in TRAVEL_SCOPES
