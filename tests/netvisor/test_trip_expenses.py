"""tripexpense.nv over MockTransport (reference/invoices.md §2.4).

Netvisor publishes no DTD for it, so the content models below are written here from the
element table of Netvisor's page (A-TE) and Visma's VB sample client, the two sources the
reference cites, and the schema rows are checked against them as against a DTD: order,
required elements and what repeats. The body is then read back element by element.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import httpx
import pytest
from lxml import etree

from silta.netvisor import (
    ATTACHMENTS_MAX_BYTES,
    InvalidData,
    InvoiceDimension,
    NetvisorOutcomeUnknown,
    NetvisorRequestError,
    TripCustomLine,
    TripDailyLine,
    TripExpenseAttachment,
    TripExpenseData,
    TripTravelLine,
    schema,
)

from .conftest import Sleeps, failed, make_client, ok
from .test_schema import check

_LINE_TAIL = [
    ("crmprocessidentifier", "?"),
    ("customeridentifier", "?"),
]
# (element, occurrence) in order, as A-TE's table and the VB client give them.
TRIP_EXPENSE_MODELS: dict[str, list[tuple[str, str]]] = {
    "root": [("tripexpense", "")],
    "tripexpense": [
        ("header", ""),
        ("description", "?"),
        ("customlines", "?"),
        ("travellines", "?"),
        ("dailycompensationlines", "?"),
    ],
    "customlines": [("customline", "+")],
    "customline": [
        ("employeeidentifier", ""),
        ("ratio", ""),
        ("amount", ""),
        ("customlineunitprice", ""),
        ("vatpercentage", "?"),
        ("linedescription", ""),
        ("begindate", ""),
        ("enddate", ""),
        *_LINE_TAIL,
        ("expenseaccountnumber", "?"),
        ("linestatus", "?"),
        ("dimension", "*"),
        ("tripexpenseattachments", "?"),
    ],
    "travellines": [("travelline", "+")],
    "travelline": [
        ("employeeidentifier", ""),
        ("traveltype", ""),
        ("passengeramount", ""),
        ("kilometeramount", ""),
        ("unitprice", "?"),
        ("linedescription", ""),
        ("traveldate", ""),
        ("routedescription", ""),
        *_LINE_TAIL,
        ("linestatus", "?"),
        ("dimension", "*"),
        ("tripexpenseattachments", "?"),
    ],
    "dailycompensationlines": [("dailycompensationline", "+")],
    "dailycompensationline": [
        ("employeeidentifier", ""),
        ("compensationtype", ""),
        ("amount", ""),
        ("unitprice", "?"),
        ("linedescription", ""),
        ("timeofdeparture", ""),
        ("returntime", ""),
        *_LINE_TAIL,
        ("linestatus", "?"),
        ("dimension", "*"),
        ("tripexpenseattachments", "?"),
    ],
    "dimension": [("dimensionname", ""), ("dimensionitem", "")],
    "tripexpenseattachments": [("tripexpenseattachment", "+")],
    "tripexpenseattachment": [
        ("mimetype", ""),
        ("attachmentdescription", ""),
        ("filename", ""),
        ("documentdata", ""),
    ],
}


def test_trip_expense_rows_follow_the_documented_order() -> None:
    check(schema.TRIP_EXPENSE, TRIP_EXPENSE_MODELS)


def test_the_order_check_would_catch_a_swap() -> None:
    swapped = dict(TRIP_EXPENSE_MODELS)
    swapped["customline"] = [
        ("ratio", ""),
        ("employeeidentifier", ""),
        *TRIP_EXPENSE_MODELS["customline"][2:],
    ]
    with pytest.raises(AssertionError, match="out of"):
        check(schema.TRIP_EXPENSE, swapped)


RECEIPT = TripExpenseAttachment(
    mime_type="application/pdf",
    description="Kuitti",
    file_name="hotelli.pdf",
    data=b"%PDF-1.4 kuitti",
)
PROJECT = InvoiceDimension(header="Projekti", item="100 Pilvi")
UNIT = InvoiceDimension(header="Yksikkö", item="HKI Helsinki")

CUSTOM = TripCustomLine(
    employee_identifier="1001",
    ratio="Majoituskulut",
    amount=Decimal("2"),
    unit_price=Decimal("150.00"),
    vat_percent=Decimal("13.5"),
    description="Hotelli Tampere",
    begin_date=date(2026, 3, 9),
    end_date=date(2026, 3, 10),
    dimensions=(PROJECT, UNIT),
    attachments=(RECEIPT,),
)
PAID_BY_CARD = attrs.evolve(
    CUSTOM,
    ratio="Taksikulut",
    amount=Decimal(1),
    unit_price=Decimal("23.40"),
    line_status="PAID",
    attachments=(),
)
MILEAGE = TripTravelLine(
    employee_identifier="1001",
    travel_type="car",
    kilometer_amount=Decimal("172.5"),
    unit_price=Decimal("0.59"),
    description="Kilometrikorvaus",
    travel_date=date(2026, 3, 9),
    route_description="Helsinki - Tampere",
    dimensions=(PROJECT,),
)
DAILY = TripDailyLine(
    employee_identifier="1001",
    compensation_type="domesticfull",
    amount=Decimal(1),
    unit_price=Decimal("54"),
    description="Kokopäiväraha",
    departure=datetime(2026, 3, 9, 5, 0, tzinfo=UTC),  # 7.00 in Helsinki (winter)
    return_time=datetime(2026, 3, 10, 16, 30, tzinfo=UTC),
)
TRIP = TripExpenseData(
    header="Severa 42: Asiakaskäynti Tampere",
    description="Severa 6b1c0000-0000-4000-8000-000000000042",
    custom_lines=(CUSTOM, PAID_BY_CARD),
    travel_lines=(MILEAGE,),
    daily_lines=(DAILY,),
)


def parsed(body: bytes) -> etree._Element:
    return etree.parse(io.BytesIO(body), etree.XMLParser(resolve_entities=False)).getroot()


def capture(answer: httpx.Response) -> tuple[list[httpx.Request], object]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return seen, handler


INSERTED = "<Replies><InsertedDataIdentifier>311</InsertedDataIdentifier></Replies>"


async def test_a_travel_invoice_is_sent_in_order_with_every_kind_of_line() -> None:
    seen, handler = capture(ok(INSERTED))
    assert await make_client(handler).add_trip_expense(TRIP) == 311  # type: ignore[arg-type]
    (request,) = seen
    assert request.method == "POST" and request.url.path == "/tripexpense.nv"
    assert request.headers["X-Netvisor-Interface-Language"] == "EN"  # the ratio's language
    trip = parsed(request.content).find("tripexpense")
    assert trip is not None
    assert [child.tag for child in trip] == [
        "header",
        "description",
        "customlines",
        "travellines",
        "dailycompensationlines",
    ]
    custom, card = trip.findall("customlines/customline")
    assert [child.tag for child in custom] == [
        "employeeidentifier",
        "ratio",
        "amount",
        "customlineunitprice",
        "vatpercentage",
        "linedescription",
        "begindate",
        "enddate",
        "dimension",
        "dimension",
        "tripexpenseattachments",
    ]
    employee = custom.find("employeeidentifier")
    assert employee is not None and employee.text == "1001" and employee.get("type") == "number"
    ratio = custom.find("ratio")
    assert ratio is not None and ratio.get("type") == "name" and ratio.text == "Majoituskulut"
    price = custom.find("customlineunitprice")
    assert price is not None and price.text == "150,00"
    assert price.get("iso4217currencycode") == "EUR"
    assert custom.findtext("vatpercentage") == "13,5" and custom.findtext("amount") == "2"
    dates = (custom.findtext("begindate"), custom.findtext("enddate"))
    assert dates == ("2026-03-09", "2026-03-10")
    assert [
        (d.findtext("dimensionname"), d.findtext("dimensionitem"))
        for d in custom.findall("dimension")
    ] == [("Projekti", "100 Pilvi"), ("Yksikkö", "HKI Helsinki")]
    attachment = custom.find("tripexpenseattachments/tripexpenseattachment")
    assert attachment is not None
    assert [child.tag for child in attachment] == [
        "mimetype",
        "attachmentdescription",
        "filename",
        "documentdata",
    ]
    assert base64.b64decode(attachment.findtext("documentdata", "")) == b"%PDF-1.4 kuitti"
    assert card.findtext("linestatus") == "PAID" and custom.find("linestatus") is None
    travel = trip.find("travellines/travelline")
    assert travel is not None
    assert [child.tag for child in travel] == [
        "employeeidentifier",
        "traveltype",
        "passengeramount",
        "kilometeramount",
        "unitprice",
        "linedescription",
        "traveldate",
        "routedescription",
        "dimension",
    ]
    assert travel.findtext("passengeramount") == "0"
    assert travel.findtext("kilometeramount") == "172,5"
    daily = trip.find("dailycompensationlines/dailycompensationline")
    assert daily is not None
    assert daily.findtext("compensationtype") == "domesticfull"
    assert daily.findtext("timeofdeparture") == "2026-03-09 07:00"
    assert daily.findtext("returntime") == "2026-03-10 18:30"


async def test_only_the_kinds_of_line_present_are_written() -> None:
    seen, handler = capture(ok(INSERTED))
    only_mileage = TripExpenseData(header="Matka", travel_lines=(MILEAGE,))
    await make_client(handler).add_trip_expense(only_mileage)  # type: ignore[arg-type]
    trip = parsed(seen[0].content).find("tripexpense")
    assert trip is not None and [child.tag for child in trip] == ["header", "travellines"]


def test_values_netvisor_would_refuse_are_refused_when_made() -> None:
    with pytest.raises(ValueError, match="travel_type"):
        attrs.evolve(MILEAGE, travel_type="bicycle")
    with pytest.raises(ValueError, match="compensation_type"):
        attrs.evolve(DAILY, compensation_type="weekend")
    with pytest.raises(ValueError, match="line_status"):
        attrs.evolve(CUSTOM, line_status="paid")
    with pytest.raises(ValueError, match="timezone-aware"):
        attrs.evolve(DAILY, departure=datetime(2026, 3, 9, 7, 0))
    with pytest.raises(ValueError, match="at least one line"):
        TripExpenseData(header="Tyhjä")


async def test_attachments_over_4_mb_or_names_over_100_are_refused_before_sending() -> None:
    seen, handler = capture(ok(INSERTED))
    client = make_client(handler)  # type: ignore[arg-type]
    big = attrs.evolve(RECEIPT, data=b"x" * (ATTACHMENTS_MAX_BYTES - 10))
    two = attrs.evolve(CUSTOM, attachments=(big, RECEIPT))
    with pytest.raises(NetvisorRequestError, match="attachments"):
        await client.add_trip_expense(attrs.evolve(TRIP, custom_lines=(two,)))
    named = attrs.evolve(RECEIPT, file_name="k" * 97 + ".pdf")
    with pytest.raises(NetvisorRequestError, match="at most 100"):
        await client.add_trip_expense(
            attrs.evolve(TRIP, custom_lines=(attrs.evolve(CUSTOM, attachments=(named,)),))
        )
    assert seen == []
    limit = attrs.evolve(big, data=b"x" * ATTACHMENTS_MAX_BYTES)
    exactly = attrs.evolve(CUSTOM, attachments=(limit,))
    await client.add_trip_expense(attrs.evolve(TRIP, custom_lines=(exactly,)))
    assert len(seen) == 1


async def test_an_ok_without_a_key_is_success_netvisor_has_no_read_to_find_it_by() -> None:
    _, handler = capture(ok())
    assert await make_client(handler).add_trip_expense(TRIP) is None  # type: ignore[arg-type]


async def test_a_lost_answer_is_an_unknown_outcome_and_is_never_sent_twice() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("lost", request=request)

    with pytest.raises(NetvisorOutcomeUnknown):
        await make_client(handler, Sleeps()).add_trip_expense(TRIP)
    assert calls == 1


async def test_a_refusal_is_netvisors_reason_and_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return failed("INVALID_DATA :: Employee not found with identifier 1001")

    with pytest.raises(InvalidData, match="Employee not found"):
        await make_client(handler, Sleeps()).add_trip_expense(TRIP)
    assert calls == 1


# -- payrollratiolist.nv ---------------------------------------------------------------------

RATIOS = """<PayrollRatios>
  <PayrollRatio>
    <Names>
      <Name ISO639-1Code="fi">Majoituskulut</Name>
      <Name ISO639-1Code="en">Accommodation</Name>
      <Name ISO639-1Code="se"></Name>
    </Names>
    <Identifier>7</Identifier>
    <Source>Matkalasku, kulurivit</Source>
    <RatioNumber>3120</RatioNumber>
    <DefaultDebitAccountNumber>7890</DefaultDebitAccountNumber>
  </PayrollRatio>
  <payrollratio><names><name iso639-1code="FI">Taksikulut</name></names></payrollratio>
</PayrollRatios>"""


async def test_the_ratio_names_are_read_per_language() -> None:
    seen, handler = capture(ok(RATIOS))
    hotel, taxi = await make_client(handler).list_trip_expense_ratios()  # type: ignore[arg-type]
    assert dict(seen[0].url.params) == {"source": "tripexpensecustomlines"}
    assert (hotel.identifier, hotel.number) == (7, 3120)
    assert hotel.name("FI") == "Majoituskulut" and hotel.name("en") == "Accommodation"
    assert hotel.name("SE") is None  # an empty name is no name
    assert taxi.name("fi") == "Taksikulut" and taxi.identifier is None


def test_the_client_reads_4_mb_as_strictly_as_the_sandbox() -> None:
    """Issue 19, settled: "4MB" is 4,000,000 bytes on both sides, so nothing the client lets
    through is refused by the stricter reading (it was 4 × 1024 × 1024 here)."""
    from silta.sandbox.netvisor.tripexpenses import ATTACHMENT_LIMIT

    assert ATTACHMENTS_MAX_BYTES == ATTACHMENT_LIMIT == 4_000_000
