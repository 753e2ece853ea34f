"""tripexpense.nv and getemployees.nv (invoices.md §1.3, §2.4): the reconstructed DTD, the
employee and expense-type lookups by interface language, line statuses, strict dimensions,
the attachment limits, the answer and the fault knobs."""

from __future__ import annotations

import base64
from decimal import Decimal

import httpx
import pytest

from silta.sandbox.netvisor import Faults, Organisation
from silta.sandbox.netvisor.tripexpenses import ATTACHMENT_LIMIT

from .helpers import Api, assert_ok, failure, must

# -- request builders ---------------------------------------------------------------------------


def dimension(header: str, item: str, father: int | None = None) -> str:
    attribute = f' fatherid="{father}"' if father is not None else ""
    return (
        f"<dimension><dimensionname>{header}</dimensionname>"
        f"<dimensionitem{attribute}>{item}</dimensionitem></dimension>"
    )


def attachment(name: str = "kuitti.pdf", data: bytes = b"%PDF kuitti") -> str:
    return (
        "<tripexpenseattachment><mimetype>application/pdf</mimetype>"
        f"<attachmentdescription>Kuitti</attachmentdescription><filename>{name}</filename>"
        f"<documentdata>{base64.b64encode(data).decode()}</documentdata>"
        "</tripexpenseattachment>"
    )


def custom_line(
    *,
    employee: str = "1001",
    employee_type: str = "number",
    ratio: str = "Taksi",
    amount: str = "1",
    price: str = "24,80",
    vat: str | None = "13,5",
    begin: str = "2026-02-10",
    end: str = "2026-02-10",
    status: str | None = None,
    dimensions: str = "",
    attachments: str = "",
    extra: str = "",
) -> str:
    parts = [
        f'<employeeidentifier type="{employee_type}">{employee}</employeeidentifier>',
        f'<ratio type="name">{ratio}</ratio>',
        f"<amount>{amount}</amount>",
        f'<customlineunitprice iso4217currencycode="EUR">{price}</customlineunitprice>',
    ]
    if vat is not None:
        parts.append(f"<vatpercentage>{vat}</vatpercentage>")
    parts += [
        "<linedescription>Taksi lentoasemalta</linedescription>",
        f'<begindate format="ansi">{begin}</begindate>',
        f'<enddate format="ansi">{end}</enddate>',
        extra,
    ]
    if status is not None:
        parts.append(f"<linestatus>{status}</linestatus>")
    parts.append(dimensions)
    if attachments:
        parts.append(f"<tripexpenseattachments>{attachments}</tripexpenseattachments>")
    return "<customline>" + "".join(parts) + "</customline>"


def travel_line(*, km: str = "212", price: str | None = "0,55", kind: str = "car") -> str:
    unit = f"<unitprice>{price}</unitprice>" if price is not None else ""
    return (
        '<travelline><employeeidentifier type="number">1001</employeeidentifier>'
        f"<traveltype>{kind}</traveltype><passengeramount>0</passengeramount>"
        f"<kilometeramount>{km}</kilometeramount>{unit}"
        "<linedescription>Asiakaskäynti</linedescription>"
        '<traveldate format="ansi">2026-02-11</traveldate>'
        "<routedescription>Tampere - Jyväskylä - Tampere</routedescription>"
        f"{dimension('Projekti', '2001 Sähköasennukset')}</travelline>"
    )


def daily_line(*, departure: str = "2026-02-11 07:00", back: str = "2026-02-11 19:30") -> str:
    return (
        '<dailycompensationline><employeeidentifier type="number">1001</employeeidentifier>'
        "<compensationtype>domesticfull</compensationtype><amount>1</amount>"
        "<unitprice>54</unitprice><linedescription>Kokopäiväraha</linedescription>"
        f"<timeofdeparture>{departure}</timeofdeparture><returntime>{back}</returntime>"
        "<linestatus>PAID</linestatus></dailycompensationline>"
    )


def trip_xml(*, custom: str = "", travel: str = "", daily: str = "", header: str = "X") -> str:
    parts = [f"<header>{header}</header>", "<description>Severa 7f3a</description>"]
    if custom:
        parts.append(f"<customlines>{custom}</customlines>")
    if travel:
        parts.append(f"<travellines>{travel}</travellines>")
    if daily:
        parts.append(f"<dailycompensationlines>{daily}</dailycompensationlines>")
    return "<root><tripexpense>" + "".join(parts) + "</tripexpense></root>"


@pytest.fixture
def company(org: Organisation) -> Organisation:
    org.travel.put_employee(1001, "Aino", "Korhonen", personal_id="131052-308T")
    org.put_dimension_header("Projekti")
    org.put_dimension_header("Liiketoimintayksikkö")
    first = org.put_dimension_item("Projekti", "2001 Sähköasennukset")
    second = org.put_dimension_item("Projekti", "2002 Pilvisiirto")
    org.put_dimension_item("Projekti", "10 Suunnittelu", first)
    org.put_dimension_item("Projekti", "10 Suunnittelu", second)
    org.put_dimension_item("Liiketoimintayksikkö", "TRE Tampere")
    org.put_customer(internalidentifier="1001", name="Esimerkki Oy")
    return org


async def post(api: Api, body: str, **signing: str) -> httpx.Response:
    return await api.post("tripexpense.nv", {}, body, **signing)


# -- a whole travel invoice -------------------------------------------------------------------


async def test_an_import_of_every_kind_of_line_answers_the_new_key(
    api: Api, company: Organisation
) -> None:
    body = trip_xml(
        header="Matkalasku 14 / Aino Korhonen",
        custom=custom_line(
            dimensions=dimension("Projekti", "2001 Sähköasennukset")
            + dimension("Liiketoimintayksikkö", "TRE Tampere"),
            attachments=attachment(),
        ),
        travel=travel_line(),
        daily=daily_line(),
    )
    root = assert_ok(await post(api, body))
    key = int(must(root.findtext("Replies/InsertedDataIdentifier")))
    trip = must(company.travel.trip_expense(key))
    assert trip.header == "Matkalasku 14 / Aino Korhonen"
    assert trip.description == "Severa 7f3a"
    custom, travel, daily = trip.lines
    assert (custom.kind, custom.type_name, custom.total, custom.status) == (
        "custom", "Taksi", Decimal("24.80"), "OPEN",
    )  # fmt: skip
    assert [d.item_name for d in custom.dimensions] == ["2001 Sähköasennukset", "TRE Tampere"]
    assert custom.attachments[0].data == b"%PDF kuitti"
    assert (travel.kind, travel.type_name, str(travel.quantity)) == ("travel", "car", "212")
    assert (daily.kind, daily.status, daily.type_name) == ("daily", "PAID", "domesticfull")
    assert company.stats.writes_committed == 1


async def test_element_names_in_any_case(api: Api, company: Organisation) -> None:
    body = trip_xml(custom=custom_line()).replace("<customlines>", "<CustomLines>")
    body = body.replace("</customlines>", "</CustomLines>").replace("header>", "Header>")
    assert_ok(await post(api, body))


@pytest.mark.parametrize(
    "body",
    [
        # begindate is required on a custom line
        trip_xml(custom=custom_line().replace('<begindate format="ansi">2026-02-10</begindate>',
                                              "")),
        # elements out of order
        trip_xml(travel=travel_line(), custom=custom_line()).replace(
            "<customlines>", "<x>").replace("</customlines>", "</x>"),
        # the employee identifier needs its type
        trip_xml(custom=custom_line().replace(' type="number"', "")),
        # no header
        "<root><tripexpense><description>x</description></tripexpense></root>",
    ],
)  # fmt: skip
async def test_a_body_against_the_dtd_is_refused(
    api: Api, company: Organisation, body: str
) -> None:
    response = await post(api, body)
    assert failure(response) == "INVALID_DATA"
    assert "Could not validate xml" in response.text
    assert company.travel.trip_expenses() == []


async def test_a_travel_invoice_needs_a_line_and_a_header(api: Api, company: Organisation) -> None:
    assert failure(await post(api, trip_xml())) == "INVALID_DATA"
    assert failure(await post(api, trip_xml(custom=custom_line(), header=" "))) == "INVALID_DATA"


# -- employees ----------------------------------------------------------------------------------


async def test_an_unknown_employee_number_is_refused_by_name(
    api: Api, company: Organisation
) -> None:
    response = await post(api, trip_xml(custom=custom_line(employee="2002")), language="EN")
    assert failure(response) == "INVALID_DATA"
    assert "Employee not found with identifier: 2002" in response.text
    assert company.travel.trip_expenses() == []


async def test_an_employee_by_personal_identity_code(api: Api, company: Organisation) -> None:
    line = custom_line(employee="131052-308t", employee_type="finnishpersonalidentifier")
    assert_ok(await post(api, trip_xml(custom=line)))


async def test_getemployees_lists_active_employees_unless_asked(
    api: Api, org: Organisation
) -> None:
    empty = await api.get("getemployees.nv")
    assert_ok(empty)
    assert b"<Employees />" in empty.content
    org.travel.put_employee("1001", "Aino", "Korhonen")
    gone = org.travel.put_employee("1002", "Matti", "Virtanen")
    org.travel.end_employment(gone)
    root = assert_ok(await api.get("getemployees.nv"))
    assert [e.findtext("EmployeeNumber") for e in root.iterfind("Employees/Employee")] == ["1001"]
    everyone = assert_ok(await api.get("getemployees.nv", {"includeendedemployments": "1"}))
    employees = everyone.findall("Employees/Employee")
    assert [e.findtext("EmploymentStatus") for e in employees] == ["1", "0"]
    assert employees[1].findtext("RealName") == "Matti Virtanen"
    with pytest.raises(ValueError, match="taken"):
        org.travel.put_employee(1001, "Toinen", "Aino")


# -- expense types by interface language ------------------------------------------------------


async def test_expense_type_names_follow_the_interface_language(
    api: Api, company: Organisation
) -> None:
    in_english = trip_xml(custom=custom_line(ratio="Taxi"))
    assert_ok(await post(api, in_english, language="EN"))
    accommodation = trip_xml(custom=custom_line(ratio="Accommodation"))
    response = await post(api, accommodation, language="FI")
    assert failure(response) == "INVALID_DATA"
    assert "Kululajia ei löydy nimellä: Accommodation" in response.text
    assert_ok(await post(api, trip_xml(custom=custom_line(ratio="Logi")), language="SE"))
    assert_ok(await post(api, trip_xml(custom=custom_line(ratio="majoitus")), language="FI"))


# -- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        custom_line(status="DONE"),
        custom_line(amount="-1"),
        custom_line(price="abc"),
        custom_line(vat="22"),
        custom_line(begin="2026-02-11", end="2026-02-10"),
        custom_line(begin="11.2.2026"),
        custom_line(extra='<customeridentifier type="customer">9999</customeridentifier>'),
        custom_line(extra="<expenseaccountnumber>70a0</expenseaccountnumber>"),
    ],
)
async def test_bad_custom_line_values_are_refused(
    api: Api, company: Organisation, line: str
) -> None:
    assert failure(await post(api, trip_xml(custom=line))) == "INVALID_DATA"
    assert company.travel.trip_expenses() == []


@pytest.mark.parametrize(
    ("travel", "daily"),
    [
        (travel_line(kind="bicycle"), ""),
        (travel_line(km="-5"), ""),
        ("", daily_line(departure="2026-02-11 19:00", back="2026-02-11 07:00")),
        ("", daily_line(departure="tomorrow")),
        ("", daily_line().replace("domesticfull", "weekly")),
    ],
)
async def test_bad_travel_and_daily_values_are_refused(
    api: Api, company: Organisation, travel: str, daily: str
) -> None:
    assert failure(await post(api, trip_xml(travel=travel, daily=daily))) == "INVALID_DATA"


async def test_line_status_paid_and_a_known_customer(api: Api, company: Organisation) -> None:
    line = custom_line(
        status="paid",
        extra='<customeridentifier type="customer">1001</customeridentifier>'
        "<expenseaccountnumber>7600</expenseaccountnumber>",
    )
    root = assert_ok(await post(api, trip_xml(custom=line)))
    trip = must(company.travel.trip_expense(int(must(root.findtext(".//InsertedDataIdentifier")))))
    assert trip.lines[0].status == "PAID"
    assert trip.lines[0].account == "7600"
    assert trip.lines[0].customer is not None


async def test_a_travel_line_without_a_price_takes_netvisors_rate(
    api: Api, company: Organisation
) -> None:
    root = assert_ok(await post(api, trip_xml(travel=travel_line(price=None))))
    trip = must(company.travel.trip_expense(int(must(root.findtext(".//InsertedDataIdentifier")))))
    assert trip.lines[0].unit_price is None
    assert trip.lines[0].total is None


# -- dimensions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dimensions", "message"),
    [
        (dimension("Kustannuspaikka", "Hallinto"), "Dimension header not found"),
        (dimension("Projekti", "2099 Ei ole"), "Dimension item not found"),
        (dimension("Projekti", "10 Suunnittelu"), "ambiguous"),
        (dimension("Projekti", "2001 Sähköasennukset") + dimension("Projekti", "2002 Pilvisiirto"),
         "two dimension items"),
    ],
)  # fmt: skip
async def test_dimensions_must_exist_and_be_unambiguous(
    api: Api, company: Organisation, dimensions: str, message: str
) -> None:
    response = await post(api, trip_xml(custom=custom_line(dimensions=dimensions)), language="EN")
    assert failure(response) == "INVALID_DATA"
    assert message in response.text
    headers = company.dimension_headers()
    assert [h.name for h in headers] == ["Projekti", "Liiketoimintayksikkö"]  # none created
    assert len(company.dimension_items("Projekti")) == 4


async def test_fatherid_tells_a_shared_item_name_apart(api: Api, company: Organisation) -> None:
    second = next(i for i in company.dimension_items("Projekti") if i.name == "2002 Pilvisiirto")
    line = custom_line(dimensions=dimension("Projekti", "10 Suunnittelu", second.key))
    root = assert_ok(await post(api, trip_xml(custom=line)))
    trip = must(company.travel.trip_expense(int(must(root.findtext(".//InsertedDataIdentifier")))))
    item = trip.lines[0].dimensions[0]
    assert company.dimension_register.is_in_subtree(item.item_key, second.key)


# -- attachments --------------------------------------------------------------------------------


async def test_an_attachment_name_over_100_characters_is_refused(
    api: Api, company: Organisation
) -> None:
    name = "k" * 97 + ".pdf"  # 101
    response = await post(api, trip_xml(custom=custom_line(attachments=attachment(name))))
    assert failure(response) == "INVALID_DATA_SIZE"
    exactly = "k" * 96 + ".pdf"
    assert_ok(await post(api, trip_xml(custom=custom_line(attachments=attachment(exactly)))))


async def test_attachments_may_total_4_mb_and_no_more(api: Api, company: Organisation) -> None:
    half = ATTACHMENT_LIMIT // 2
    two = attachment("a.pdf", b"a" * half) + attachment("b.pdf", b"b" * half)
    at_limit = trip_xml(custom=custom_line(attachments=two))
    assert_ok(await post(api, at_limit))
    over = attachment("a.pdf", b"a" * half) + attachment("b.pdf", b"b" * (half + 1))
    spread = trip_xml(custom=custom_line(attachments=over))
    assert failure(await post(api, spread)) == "INVALID_DATA_SIZE"
    # the limit is per travel invoice: two lines under it each, over it together
    lines = custom_line(attachments=attachment("a.pdf", b"a" * half)) + custom_line(
        attachments=attachment("b.pdf", b"b" * (half + 1))
    )
    assert failure(await post(api, trip_xml(custom=lines))) == "INVALID_DATA_SIZE"
    assert len(company.travel.trip_expenses()) == 1


async def test_attachment_data_must_be_base64(api: Api, company: Organisation) -> None:
    broken = attachment().replace("<documentdata>", "<documentdata>!!")
    response = await post(api, trip_xml(custom=custom_line(attachments=broken)))
    assert failure(response) == "INVALID_DATA"


# -- faults -------------------------------------------------------------------------------------


async def test_a_lost_answer_leaves_the_import_standing(api: Api, company: Organisation) -> None:
    company.faults = Faults(lose_next_responses=1, hang_seconds=0.05)
    response = await post(api, trip_xml(custom=custom_line()))
    assert_ok(response)  # late, but the client that waited gets it
    assert len(company.travel.trip_expenses()) == 1
    assert company.stats.responses_lost == 1


async def test_an_injected_failure_writes_nothing(api: Api, company: Organisation) -> None:
    company.faults = Faults(fail_next=["SYSTEM_MAINTENANCE"])
    response = await post(api, trip_xml(custom=custom_line()))
    assert failure(response) == "SYSTEM_MAINTENANCE"
    assert company.travel.trip_expenses() == []


async def test_the_control_api_shows_travel_invoices(
    api: Api, client: httpx.AsyncClient, company: Organisation
) -> None:
    assert_ok(await post(api, trip_xml(custom=custom_line(attachments=attachment()))))
    shown = (await client.get(f"/_sandbox/organisations/{company.id}/tripexpenses")).json()
    assert shown[0]["lines"][0]["attachments"] == [
        {"file_name": "kuitti.pdf", "mime_type": "application/pdf", "size": 11}
    ]


async def test_the_limit_can_take_the_other_reading_of_4_mb(
    api: Api, company: Organisation
) -> None:
    over_decimal = attachment("a.pdf", b"a" * (ATTACHMENT_LIMIT + 1))
    body = trip_xml(custom=custom_line(attachments=over_decimal))
    assert failure(await post(api, body)) == "INVALID_DATA_SIZE"
    company.travel.attachment_limit = 4 * 1024 * 1024
    assert_ok(await post(api, body))
