"""salesinvoice.nv, salesinvoicelist.nv, getsalesinvoice.nv, matchcreditnote.nv
(invoices.md §2.1-2.2): the DTD, the refusals, Netvisor's rounding, the answer shapes and the
fault knobs on the new resources."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest

from silta.sandbox.netvisor import Faults, NetvisorSandbox, Organisation
from silta.sandbox.netvisor.salesinvoices import (
    InvoiceRequest,
    LineRequest,
    reference_check_digit,
)

from .helpers import ORG_ID, Api, FakeClock, assert_ok, failure, must, status

# -- request builders ---------------------------------------------------------------------------


def line_xml(
    *,
    product: str = "KONS",
    product_type: str = "customer",
    name: str = "Konsultointi",
    price: str = "100,00",
    price_type: str = "net",
    vat: str = "25,5",
    vatcode: str | None = "KOMY",
    quantity: str = "10",
    discount: str | None = None,
    vat_sum: str | None = None,
    line_sum: str | None = None,
    dimensions: tuple[tuple[str, str], ...] = (),
) -> str:
    code = f' vatcode="{vatcode}"' if vatcode is not None else ""
    parts = [
        f'<productidentifier type="{product_type}">{product}</productidentifier>',
        f"<productname>{name}</productname>",
        f'<productunitprice type="{price_type}">{price}</productunitprice>',
        f"<productvatpercentage{code}>{vat}</productvatpercentage>",
        f"<salesinvoiceproductlinequantity>{quantity}</salesinvoiceproductlinequantity>",
    ]
    if discount is not None:
        parts.append(
            "<salesinvoiceproductlinediscountpercentage>"
            f"{discount}</salesinvoiceproductlinediscountpercentage>"
        )
    if vat_sum is not None:
        parts.append(f"<salesinvoiceproductlinevatsum>{vat_sum}</salesinvoiceproductlinevatsum>")
    if line_sum is not None:
        parts.append(f"<salesinvoiceproductlinesum>{line_sum}</salesinvoiceproductlinesum>")
    for header, item in dimensions:
        parts.append(
            f"<dimension><dimensionname>{header}</dimensionname>"
            f"<dimensionitem>{item}</dimensionitem></dimension>"
        )
    return (
        "<invoiceline><salesinvoiceproductline>"
        + "".join(parts)
        + "</salesinvoiceproductline></invoiceline>"
    )


def invoice_xml(
    *lines: str,
    number: str | None = "10234",
    date: str = "2026-12-01",
    due: str | None = None,
    reference: str | None = "102347",
    amount: str = "",
    currency: str | None = None,
    status_text: str = "unsent",
    customer: str = "1001",
    customer_type: str = "customer",
    billing: str = "",
    term: str | None = "14",
    extra: str = "",
    invoice_type: str | None = None,
) -> str:
    parts = []
    if number is not None:
        parts.append(f"<salesinvoicenumber>{number}</salesinvoicenumber>")
    parts.append(f'<salesinvoicedate format="ansi">{date}</salesinvoicedate>')
    if due is not None:
        parts.append(f'<salesinvoiceduedate format="ansi">{due}</salesinvoiceduedate>')
    if reference is not None:
        parts.append(f"<salesinvoicereferencenumber>{reference}</salesinvoicereferencenumber>")
    currency_attr = f' iso4217currencycode="{currency}"' if currency else ""
    parts.append(f"<salesinvoiceamount{currency_attr}>{amount}</salesinvoiceamount>")
    if invoice_type is not None:
        parts.append(f"<invoicetype>{invoice_type}</invoicetype>")
    parts.append(f'<salesinvoicestatus type="netvisor">{status_text}</salesinvoicestatus>')
    parts.append(
        "<salesinvoiceprivatecomment>Severa 6b1c</salesinvoiceprivatecomment>"
        f'<invoicingcustomeridentifier type="{customer_type}">{customer}'
        "</invoicingcustomeridentifier>"
    )
    parts.append(billing)
    if term is not None:
        parts.append(f"<paymenttermnetdays>{term}</paymenttermnetdays>")
    body = "".join(lines) if lines else line_xml()
    parts.append(f"<invoicelines>{body}</invoicelines>{extra}")
    return "<root><salesinvoice>" + "".join(parts) + "</salesinvoice></root>"


@pytest.fixture
def customer(org: Organisation) -> int:
    return org.put_customer(
        internalidentifier="1001",
        name="Esimerkki Oy",
        streetaddress="Kauppakatu 1",
        city="Tampere",
        postnumber="33100",
        country="FI",
        externalidentifier="1234567-1",
        organizationunitnumber="003712345671",
    )


@pytest.fixture
def product(org: Organisation) -> int:
    return org.put_product(
        productcode="KONS", name="Konsultointi", unitprice="100", defaultvatpercentage="25.5"
    )


@pytest.fixture
def dimensions(org: Organisation) -> None:
    org.put_dimension_header("Projekti")
    project = org.put_dimension_item("Projekti", "2001 Sähköasennukset")
    org.put_dimension_item("Projekti", "10 Suunnittelu", father_id=project)
    other = org.put_dimension_item("Projekti", "2002 Pilvisiirto")
    org.put_dimension_item("Projekti", "10 Suunnittelu", father_id=other)
    org.put_dimension_header("Liiketoimintayksikkö")
    org.put_dimension_item("Liiketoimintayksikkö", "Helsinki")


async def add(api: Api, body: str) -> int:
    root = assert_ok(await api.post("salesinvoice.nv", {"method": "add"}, body))
    return int(must(root.findtext("Replies/InsertedDataIdentifier")))


async def refused(api: Api, body: str, **params: str) -> str:
    response = await api.post("salesinvoice.nv", {"method": "add", **params}, body)
    assert failure(response) == "INVALID_DATA", status(response)
    return status(response)[1]


pytestmark = pytest.mark.usefixtures("customer", "product")


# -- salesinvoice.nv: what is stored --------------------------------------------------------


async def test_add_answers_the_new_key_and_stores_the_invoice(
    api: Api, org: Organisation, customer: int, product: int, clock: FakeClock
) -> None:
    key = await add(api, invoice_xml(amount="1255,00"))
    invoice = must(org.sales_invoice(key))
    assert org.stats.writes_committed == 1
    assert invoice.number == "10234"
    assert invoice.reference == "102347"
    assert invoice.amount == Decimal("1255.00")
    assert invoice.amount_given
    assert invoice.currency == "EUR"
    assert invoice.status == "unsent"
    assert (invoice.customer_key, invoice.customer_code) == (customer, "1001")
    assert invoice.due_date == invoice.invoice_date + timedelta(days=14)
    assert invoice.payment_term_days == 14
    assert invoice.text("salesinvoiceprivatecomment") == "Severa 6b1c"
    assert invoice.created_at == clock.now
    (line,) = invoice.lines
    assert (line.product_key, line.product_code, line.vat_code) == (product, "KONS", "KOMY")
    assert (line.quantity, line.unit_price, line.vat_percent) == tuple(
        map(Decimal, ["10", "100", "25.5"])
    )
    assert (line.net_sum, line.vat_sum, line.line_sum) == tuple(
        map(Decimal, ["1000", "255", "1255"])
    )
    assert org.sales_invoices() == [invoice]
    assert org.sales_invoices_numbered(10234) == [invoice]


async def test_customers_and_products_by_key_code_and_ovt(
    api: Api, org: Organisation, customer: int, product: int
) -> None:
    by_key = await add(
        api,
        invoice_xml(
            line_xml(product=str(product), product_type="netvisor"),
            customer=str(customer),
            customer_type="netvisor",
        ),
    )
    by_ovt = await add(
        api, invoice_xml(customer="003712345671", customer_type="organizationunitnumber")
    )
    by_code_any_case = await add(api, invoice_xml(line_xml(product="kons"), customer="1001"))
    for key in (by_key, by_ovt, by_code_any_case):
        invoice = must(org.sales_invoice(key))
        assert invoice.customer_key == customer
        assert invoice.lines[0].product_key == product


async def test_without_billing_details_the_customer_card_is_copied(
    api: Api, org: Organisation
) -> None:
    key = await add(api, invoice_xml())
    assert dict(must(org.sales_invoice(key)).billing) == {
        "invoicingcustomername": "Esimerkki Oy",
        "invoicingcustomernameextension": "",
        "invoicingcustomeraddressline": "Kauppakatu 1",
        "invoicingcustomeradditionaladdressline": "",
        "invoicingcustomerpostnumber": "33100",
        "invoicingcustomertown": "Tampere",
        "invoicingcustomercountrycode": "FI",
    }


async def test_any_billing_detail_stops_the_copy(api: Api, org: Organisation) -> None:
    temp = org.put_customer(internalidentifier="TEMP", name="Tilapäisasiakas", city="Helsinki")
    key = await add(
        api,
        invoice_xml(
            customer="TEMP",
            billing="<invoicingcustomername>Oikea Asiakas Oy</invoicingcustomername>"
            "<invoicingcustomeraddressline>Rantatie 5</invoicingcustomeraddressline>"
            '<invoicingcustomercountrycode type="ISO-3166">fi</invoicingcustomercountrycode>',
        ),
    )
    invoice = must(org.sales_invoice(key))
    assert invoice.customer_key == temp
    assert invoice.customer_name == "Oikea Asiakas Oy"
    assert invoice.billing["invoicingcustomertown"] == ""  # not copied from the card
    assert invoice.billing["invoicingcustomercountrycode"] == "FI"


async def test_number_and_reference_are_made_when_not_sent(api: Api, org: Organisation) -> None:
    first = must(org.sales_invoice(await add(api, invoice_xml(number="41", reference=None))))
    second = must(org.sales_invoice(await add(api, invoice_xml(number=None, reference=None))))
    assert first.reference == "411"
    assert second.number == "42"  # one above the highest
    assert second.reference == "424"


def test_reference_check_digit_of_the_reference_examples() -> None:
    assert reference_check_digit("123") == 2  # invoices.md §4: 123 -> 1232
    assert reference_check_digit("12345") == 3  # 12345 -> 123453
    assert reference_check_digit("41") == 1
    assert reference_check_digit("42") == 4


# -- salesinvoice.nv: rounding ---------------------------------------------------------------


async def test_net_line_sums_are_rounded_and_vat_is_not(api: Api, org: Organisation) -> None:
    key = await add(api, invoice_xml(line_xml(price="33,333", quantity="1,5", vat="24")))
    line = must(org.sales_invoice(key)).lines[0]
    assert line.net_sum == Decimal("50.00")  # 49.9995 half up
    assert line.vat_sum == Decimal("12.0000")  # 50.00 x 24 % (not rounded; here exact)
    key = await add(api, invoice_xml(line_xml(price="2,49", quantity="1", vat="25,5")))
    invoice = must(org.sales_invoice(key))
    line = invoice.lines[0]
    assert line.vat_sum == Decimal("0.63495")  # Netvisor keeps the VAT unrounded
    assert line.line_sum == Decimal("3.12495")
    assert invoice.amount == Decimal("3.12")  # the total rounded to cents
    assert not invoice.amount_given


async def test_gross_prices_discounts_and_credit_lines(api: Api, org: Organisation) -> None:
    key = await add(
        api,
        invoice_xml(
            line_xml(price="125,50", price_type="gross", quantity="2"),
            line_xml(price="100", quantity="3", discount="10"),
            line_xml(price="100", quantity="-1"),
        ),
    )
    gross, discounted, credited = must(org.sales_invoice(key)).lines
    assert gross.line_sum == Decimal("251.00")
    assert gross.net_sum + gross.vat_sum == Decimal("251.00")
    assert gross.net_sum.quantize(Decimal("0.01")) == Decimal("200.00")
    assert discounted.net_sum == Decimal("270.00")
    assert credited.net_sum == Decimal("-100.00")
    assert credited.line_sum == Decimal("-125.500")


async def test_line_sums_are_used_only_when_both_are_sent(api: Api, org: Organisation) -> None:
    both = must(
        org.sales_invoice(
            await add(api, invoice_xml(line_xml(vat_sum="255,00", line_sum="1255,01")))
        )
    ).lines[0]
    assert (both.vat_sum, both.line_sum) == (Decimal(255), Decimal("1255.01"))
    assert both.sums_given
    only_one = must(org.sales_invoice(await add(api, invoice_xml(line_xml(line_sum="1,00")))))
    assert only_one.lines[0].line_sum == Decimal("1255.000")
    assert not only_one.lines[0].sums_given


async def test_a_given_total_is_used_as_it_is(api: Api, org: Organisation) -> None:
    invoice = must(org.sales_invoice(await add(api, invoice_xml(amount="999,99"))))
    assert invoice.amount == Decimal("999.99")  # not the 1 255,00 of its line


# -- salesinvoice.nv: refusals ---------------------------------------------------------------


async def test_a_body_that_does_not_follow_the_dtd_is_refused(api: Api, org: Organisation) -> None:
    # salesinvoicestatus before salesinvoiceamount: wrong order
    body = (
        invoice_xml()
        .replace("<salesinvoiceamount></salesinvoiceamount>", "")
        .replace(
            "<salesinvoiceprivatecomment>",
            "<salesinvoiceamount></salesinvoiceamount><salesinvoiceprivatecomment>",
        )
    )
    assert "Could not validate xml" in await refused(api, body)
    no_lines = invoice_xml().replace(line_xml(), "")
    assert "Could not validate xml" in await refused(api, no_lines)
    assert org.sales_invoices() == []
    assert org.stats.writes_committed == 0


async def test_element_names_in_any_case_are_accepted(api: Api, org: Organisation) -> None:
    body = invoice_xml().replace("<salesinvoice>", "<SalesInvoice>")
    body = body.replace("</salesinvoice>", "</SalesInvoice>")
    body = body.replace("salesinvoicedate", "SalesInvoiceDate")
    assert await add(api, body)


@pytest.mark.parametrize(
    ("customer", "customer_type"),
    [("9999", "customer"), ("777", "netvisor"), ("003799999999", "organizationunitnumber")],
)
async def test_an_unknown_customer_is_refused(
    api: Api, org: Organisation, customer: str, customer_type: str
) -> None:
    message = await refused(api, invoice_xml(customer=customer, customer_type=customer_type))
    assert f"Asiakasta ei löydy Netvisor-tunnisteella: {customer}" in message
    assert org.sales_invoices() == []


async def test_an_unknown_product_is_refused(api: Api, org: Organisation) -> None:
    message = await refused(api, invoice_xml(line_xml(), line_xml(product="EI-OLE")))
    assert "Tuotetta ei löydy tunnisteella: EI-OLE" in message
    assert org.sales_invoices() == []


async def test_the_vat_code_is_required_and_must_allow_the_rate(
    api: Api, org: Organisation
) -> None:
    assert "ALV-koodi" in await refused(api, invoice_xml(line_xml(vatcode=None)))
    assert "ei käy ALV-koodille RAMY" in await refused(
        api, invoice_xml(line_xml(vatcode="RAMY", vat="25,5"))
    )
    key = await add(api, invoice_xml(line_xml(vatcode="RAMY", vat="0")))
    assert must(org.sales_invoice(key)).lines[0].vat_sum == 0
    key = await add(api, invoice_xml(line_xml(vat="13,5")))  # the 2026 reduced rate
    assert must(org.sales_invoice(key)).lines[0].vat_percent == Decimal("13.5")


async def test_a_payment_term_or_due_date_is_required(api: Api, org: Organisation) -> None:
    assert "Maksuehto puuttuu" in await refused(api, invoice_xml(term=None))
    key = await add(api, invoice_xml(term=None, due="2026-12-31"))
    invoice = must(org.sales_invoice(key))
    assert invoice.due_date.isoformat() == "2026-12-31"
    assert invoice.payment_term_days is None


@pytest.mark.usefixtures("dimensions")
async def test_dimensions_must_exist_and_be_unambiguous(api: Api, org: Organisation) -> None:
    key = await add(
        api,
        invoice_xml(
            line_xml(
                dimensions=(
                    ("Projekti", "2001 Sähköasennukset"),
                    ("liiketoimintayksikkö", "helsinki"),
                )
            )
        ),
    )
    links = must(org.sales_invoice(key)).lines[0].dimensions
    assert [(link.header_name, link.item_name) for link in links] == [
        ("Projekti", "2001 Sähköasennukset"),
        ("Liiketoimintayksikkö", "Helsinki"),
    ]
    items_before = len(org.dimension_items("Projekti"))
    cases = {
        ("Kustannuspaikka", "Hallinto"): "Laskentakohdeotsikkoa ei löydy: Kustannuspaikka",
        ("Projekti", "2003 Uusi projekti"): "Laskentakohdetta ei löydy: Projekti",
        ("Projekti", "10 Suunnittelu"): "ei ole yksiselitteinen",
    }
    for dimension, message in cases.items():
        assert message in await refused(api, invoice_xml(line_xml(dimensions=(dimension,))))
    twice = (("Projekti", "2001 Sähköasennukset"), ("Projekti", "2002 Pilvisiirto"))
    assert "kaksi laskentakohdetta" in await refused(api, invoice_xml(line_xml(dimensions=twice)))
    assert len(org.dimension_items("Projekti")) == items_before  # nothing created
    assert len(org.sales_invoices()) == 1


async def test_comment_lines_alone_are_no_invoice(api: Api, org: Organisation) -> None:
    comment = (
        "<invoiceline><salesinvoicecommentline><comment>Vain kommentti</comment>"
        "</salesinvoicecommentline></invoiceline>"
    )
    assert "ei ole yhtään tuoteriviä" in await refused(api, invoice_xml(comment))
    assert org.sales_invoices() == []


async def test_only_invoices_are_added(api: Api, org: Organisation) -> None:
    for body in (
        invoice_xml(invoice_type="order", status_text="undelivered"),
        invoice_xml(invoice_type="invoicedraft", status_text=""),
        invoice_xml(
            extra='<invoicevoucherlines><voucherline><linesum type="net">1</linesum>'
            '<accountnumber>3000</accountnumber><vatpercent vatcode="KOMY">25,5</vatpercent>'
            "</voucherline></invoicevoucherlines>"
        ),
    ):
        assert "ei tuettu Silta-hiekkalaatikossa" in await refused(api, body)
    assert "Virheellinen laskun tila" in await refused(api, invoice_xml(status_text="paid"))
    edit = await api.post("salesinvoice.nv", {"method": "edit", "id": "500"}, invoice_xml())
    assert failure(edit) == "INVALID_DATA"
    assert "siirrettyä laskua ei muokata" in status(edit)[1]
    assert org.sales_invoices() == []


async def test_a_number_already_used_is_accepted_unless_switched_on(
    api: Api, org: Organisation
) -> None:
    first = await add(api, invoice_xml())
    second = await add(api, invoice_xml())
    assert first != second
    assert len(org.sales_invoices_numbered("10234")) == 2
    org.unique_invoice_numbers = True
    response = await api.post("salesinvoice.nv", {"method": "add"}, invoice_xml())
    assert failure(response) == "DUPLICATE_DATA"
    assert len(org.sales_invoices()) == 2


def test_the_setup_helper_applies_the_same_rules(org: Organisation) -> None:
    line = LineRequest(
        identifier="KONS",
        identifier_type="customer",
        name="Konsultointi",
        unit_price="100",
        price_type="net",
        vat_percent="25,5",
        vat_code="KOMY",
        quantity="2",
    )
    request = InvoiceRequest(
        date="2026-11-30",
        amount="",
        status="open",
        customer="1001",
        customer_type="customer",
        lines=(line,),
        number="26001",
        payment_term_days="14",
    )
    key = org.put_sales_invoice(request)
    assert must(org.sales_invoice(key)).amount == Decimal("251.00")
    with pytest.raises(Exception, match="Customer not found"):
        org.put_sales_invoice(InvoiceRequest(**{**_fields(request), "customer": "404"}))


def _fields(request: InvoiceRequest) -> dict[str, Any]:
    return attrs.asdict(request, recurse=False)


# -- salesinvoicelist.nv ----------------------------------------------------------------------


async def test_an_empty_list_is_an_empty_element(api: Api) -> None:
    root = assert_ok(await api.get("salesinvoicelist.nv"))
    element = must(root.find("SalesInvoiceList"))
    assert len(element) == 0


async def test_list_items_and_their_shape(api: Api, org: Organisation, customer: int) -> None:
    key = await add(api, invoice_xml(amount="1255,00"))
    root = assert_ok(await api.get("salesinvoicelist.nv", {"invoicenumber": "10234"}))
    (item,) = root.findall("SalesInvoiceList/SalesInvoice")
    assert [child.tag for child in item] == [
        "NetvisorKey",
        "InvoiceNumber",
        "Invoicedate",
        "InvoiceDueDate",
        "InvoiceStatus",
        "CustomerNetvisorKey",
        "CustomerCode",
        "CustomerName",
        "ReferenceNumber",
        "InvoiceSum",
        "OpenSum",
        "Uri",
    ]
    assert item.findtext("NetvisorKey") == str(key)
    assert must(item.find("Invoicedate")).get("format") == "ansi"
    assert item.findtext("Invoicedate") == "2026-12-01"
    assert item.findtext("InvoiceStatus") == "unsent"
    assert dict(must(item.find("InvoiceStatus")).items()) == {}
    assert item.findtext("CustomerNetvisorKey") == str(customer)
    assert (item.findtext("CustomerCode"), item.findtext("CustomerName")) == (
        "1001",
        "Esimerkki Oy",
    )
    assert (item.findtext("InvoiceSum"), item.findtext("OpenSum")) == ("1255,00", "1255,00")
    assert must(item.findtext("Uri")).endswith(f"/getsalesinvoice.nv?netvisorkey={key}")


async def test_list_filters_combine(api: Api, org: Organisation, clock: FakeClock) -> None:
    org.put_customer(internalidentifier="1002", name="Toinen Oy")
    early = await add(api, invoice_xml(number="1", date="2025-12-15"))
    clock.advance(hours=1)
    late = await add(api, invoice_xml(number="2", date="2026-12-01", status_text="open"))
    other = await add(api, invoice_xml(number="3", customer="1002"))

    async def keys(**params: str) -> list[int]:
        root = assert_ok(await api.get("salesinvoicelist.nv", params))
        return [int(must(i.findtext("NetvisorKey"))) for i in root.iter("SalesInvoice")]

    assert await keys() == [early, late, other]
    assert await keys(invoicenumber="2") == [late]
    assert await keys(invoicenumber="99") == []
    assert await keys(begininvoicedate="2026-01-01") == [late, other]
    assert await keys(endinvoicedate="2025-12-31") == [early]
    assert await keys(customercode="1002") == [other]
    assert await keys(invoicestatus="open") == [late]
    assert await keys(invoicestatus="unsent", customercode="1001") == [early]
    assert await keys(invoicesabovenetvisorkey=str(early)) == [late, other]
    # Helsinki wall-clock time: the clock is 10:00 UTC (12:00 in Helsinki), then 11:00 UTC.
    assert await keys(lastmodifiedstart="2026-03-02T12:30:00") == [late, other]
    assert await keys(listtype="preinvoice") == []
    response = await api.get("salesinvoicelist.nv", {"invoicestatus": "lost"})
    assert failure(response) == "INVALID_DATA"


async def test_an_open_invoice_past_its_due_date_is_overdue(
    api: Api, org: Organisation, clock: FakeClock
) -> None:
    key = await add(api, invoice_xml(date="2026-01-01", status_text="open"))
    root = assert_ok(await api.get("salesinvoicelist.nv", {"invoicestatus": "overdue"}))
    (status_element,) = root.findall("SalesInvoiceList/SalesInvoice/InvoiceStatus")
    assert status_element.text == "open"
    assert dict(status_element.items()) == {"substatus": "overdue", "isincollection": "0"}
    org.set_sales_invoice_status(key, "paid")
    root = assert_ok(await api.get("salesinvoicelist.nv", {"invoicestatus": "paid"}))
    assert root.findtext("SalesInvoiceList/SalesInvoice/OpenSum") == "0,00"


async def test_the_list_answers_at_most_500(api: Api, org: Organisation) -> None:
    line = LineRequest("KONS", "customer", "K", "1", "net", "25,5", "KOMY", "1")
    for number in range(501):
        org.put_sales_invoice(
            InvoiceRequest(
                "2026-12-01",
                "",
                "open",
                "1001",
                "customer",
                (line,),
                str(number + 1),
                payment_term_days="14",
            )
        )
    root = assert_ok(await api.get("salesinvoicelist.nv"))
    items = root.findall("SalesInvoiceList/SalesInvoice")
    assert len(items) == 500
    last = must(items[-1].findtext("NetvisorKey"))
    rest = assert_ok(await api.get("salesinvoicelist.nv", {"invoicesabovenetvisorkey": last}))
    assert len(rest.findall("SalesInvoiceList/SalesInvoice")) == 1


# -- getsalesinvoice.nv -----------------------------------------------------------------------


async def test_an_unknown_key_is_an_empty_invoice(api: Api) -> None:
    root = assert_ok(await api.get("getsalesinvoice.nv", {"netvisorkey": "9999"}))
    element = must(root.find("SalesInvoice"))
    assert len(element) == 0 and not element.text


@pytest.mark.usefixtures("dimensions")
async def test_get_answers_the_invoice_in_netvisors_shape(
    api: Api, org: Organisation, customer: int, product: int
) -> None:
    key = await add(
        api,
        invoice_xml(
            line_xml(
                price="2,49", quantity="1", dimensions=(("Projekti", "2001 Sähköasennukset"),)
            ),
            "<invoiceline><salesinvoicecommentline><comment>Huom</comment>"
            "</salesinvoicecommentline></invoiceline>",
            amount="3,12",
        ),
    )
    root = assert_ok(await api.get("getsalesinvoice.nv", {"netvisorkey": str(key)}))
    invoice = must(root.find("SalesInvoice"))
    assert invoice.findtext("SalesInvoiceNetvisorKey") == str(key)
    assert invoice.findtext("SalesInvoiceNumber") == "10234"
    assert invoice.findtext("SalesInvoiceReferencenumber") == "102347"
    amount = must(invoice.find("SalesInvoiceAmount"))
    assert amount.text == "3.12"  # a point here, as in Netvisor's fixture
    assert dict(amount.items()) == {"iso4217currencycode": "EUR", "currencyrate": "1"}
    invoice_status = must(invoice.find("InvoiceStatus"))
    assert (invoice_status.text, invoice_status.get("status")) == ("Lähettämätön", "unsent")
    assert invoice.findtext("InvoicingCustomerNetvisorKey") == str(customer)
    assert invoice.findtext("InvoicingCustomerOrganizationIdentifier") == "1234567-1"
    country = must(invoice.find("InvoicingCustomerCountryCode"))
    assert (country.text, country.get("ISO-3166")) == ("Suomi", "FI")
    assert invoice.findtext("PaymentTermNetDays") == "14"
    (lines,) = invoice.findall("InvoiceLines/InvoiceLine")
    (line,) = lines.findall("SalesInvoiceProductLine")
    assert lines.findall("SalesInvoiceCommentLine") == []  # only with showcommentlines=1
    identifier = must(line.find("productidentifier"))  # lower case, as Netvisor writes it
    assert (identifier.text, identifier.get("type")) == ("KONS", "customer")
    assert line.findtext("ProductNetvisorKey") == str(product)
    assert line.findtext("ProductUnitPrice") == "2,4900"
    vat = must(line.find("ProductVatPercentage"))
    assert (vat.text, vat.get("vatcode")) == ("25,5", "KOMY")
    assert line.findtext("SalesInvoiceProductLineVatSum") == "0,635"
    assert line.findtext("SalesInvoiceProductLineSum") == "3,125"
    assert [
        (d.findtext("DimensionName"), d.findtext("DimensionItem"))
        for d in line.findall("Dimension")
    ] == [("Projekti", "2001 Sähköasennukset")]
    with_comments = assert_ok(
        await api.get("getsalesinvoice.nv", {"netvisorkey": str(key), "showcommentlines": "1"})
    )
    comments = with_comments.findall(
        "SalesInvoice/InvoiceLines/InvoiceLine/SalesInvoiceCommentLine"
    )
    assert [c.findtext("Comment") for c in comments] == ["Huom"]


async def test_get_in_english_and_as_a_list(api: Api, org: Organisation) -> None:
    first = await add(api, invoice_xml(number="1"))
    second = await add(api, invoice_xml(number="2", status_text="open"))
    params = {"netvisorkeylist": f"{second},9999,{first},{second}"}
    root = assert_ok(await api.get("getsalesinvoice.nv", params, language="EN"))
    invoices = root.findall("SalesInvoices/SalesInvoice")
    assert [i.findtext("SalesInvoiceNumber") for i in invoices] == ["2", "1"]
    assert [i.findtext("InvoiceStatus") for i in invoices] == ["Open", "Unsent"]
    both = await api.get("getsalesinvoice.nv", {"netvisorkey": "1", "netvisorkeylist": "1"})
    assert failure(both) == "INVALID_DATA"


# -- matchcreditnote.nv ---------------------------------------------------------------------


def match_xml(credit_note: int, invoice: int) -> str:
    return (
        "<root><matchcreditnote>"
        f"<creditnotenetvisorkey>{credit_note}</creditnotenetvisorkey>"
        f"<invoicenetvisorkey>{invoice}</invoicenetvisorkey>"
        "</matchcreditnote></root>"
    )


async def test_a_sent_credit_note_is_matched_to_its_sent_invoice(
    api: Api, org: Organisation
) -> None:
    invoice = await add(api, invoice_xml(number="1", status_text="open"))
    credit = await add(api, invoice_xml(line_xml(quantity="-10"), number="2", status_text="open"))
    assert must(org.sales_invoice(credit)).amount == Decimal("-1255.00")
    assert_ok(await api.post("matchcreditnote.nv", {}, match_xml(credit, invoice)))
    assert must(org.sales_invoice(credit)).credited_invoice_key == invoice
    assert must(org.sales_invoice(invoice)).open_sum == 0
    assert org.stats.writes_committed == 3
    root = assert_ok(
        await api.get("getsalesinvoice.nv", {"netvisorkey": str(credit), "replyoption": "32"})
    )
    assert root.findtext("SalesInvoice/CreditedInvoiceNetvisorKey") == str(invoice)


async def test_a_match_is_refused_unless_both_are_sent_credited_and_alike(
    api: Api, org: Organisation
) -> None:
    invoice = await add(api, invoice_xml(number="1", status_text="open"))
    unsent = await add(api, invoice_xml(line_xml(quantity="-1"), number="2"))
    sek = await add(
        api,
        invoice_xml(line_xml(quantity="-1"), number="3", status_text="open", currency="SEK"),
    )
    credit = await add(api, invoice_xml(line_xml(quantity="-1"), number="4", status_text="open"))

    async def message(credit_note: int, target: int) -> str:
        response = await api.post("matchcreditnote.nv", {}, match_xml(credit_note, target))
        assert failure(response) == "INVALID_DATA"
        return status(response)[1]

    assert "ei ole lähetetty" in await message(unsent, invoice)
    assert "valuutta SEK" in await message(sek, invoice)
    assert "ei ole hyvityslasku" in await message(invoice, credit)
    assert "on hyvityslasku" in await message(credit, sek)
    assert "Myyntilaskua ei löydy" in await message(credit, 9999)
    org.set_sales_invoice_status(unsent, "open")
    assert_ok(await api.post("matchcreditnote.nv", {}, match_xml(unsent, invoice)))
    assert "jo kohdistettu" in await message(unsent, invoice)
    wrong_body = await api.post("matchcreditnote.nv", {}, "<root><matchcreditnote/></root>")
    assert "Could not validate xml" in status(wrong_body)[1]
    query_only = await api.post(
        "matchcreditnote.nv", {"creditnotenetvisorkey": str(credit), "invoicenetvisorkey": "1"}, ""
    )
    assert failure(query_only) == "INVALID_DATA"  # the keys belong in the body


# -- faults, stats and the control API ------------------------------------------------------


async def test_a_lost_answer_leaves_the_invoice_added(api: Api, org: Organisation) -> None:
    org.faults = Faults(lose_next_responses=1, hang_seconds=5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await api.post("salesinvoice.nv", {"method": "add"}, invoice_xml())
    assert org.stats.responses_lost == 1
    assert org.stats.writes_committed == 1
    # The look-up before a retry finds it by number.
    root = assert_ok(await api.get("salesinvoicelist.nv", {"invoicenumber": "10234"}))
    assert len(root.findall("SalesInvoiceList/SalesInvoice")) == 1


async def test_injected_failures_write_nothing(api: Api, org: Organisation) -> None:
    org.faults = Faults(fail_next=["TECHNICAL_ERROR"])
    response = await api.post("salesinvoice.nv", {"method": "add"}, invoice_xml())
    assert failure(response) == "TECHNICAL_ERROR"
    org.faults = Faults(denied_resources={"salesinvoice.nv"})
    response = await api.post("salesinvoice.nv", {"method": "add"}, invoice_xml())
    assert failure(response) == "SERVICE_ACCESS_ERROR"
    assert org.sales_invoices() == []
    assert org.stats.requests[("POST", "salesinvoice.nv")] == 2


async def test_overlapping_invoice_calls_are_refused(api: Api, org: Organisation) -> None:
    org.faults = Faults(latency=0.05)
    first, second = await asyncio.gather(
        api.post("salesinvoice.nv", {"method": "add"}, invoice_xml()),
        api.get("salesinvoicelist.nv"),
    )
    assert status(first) == ["OK"]
    assert failure(second) == "TECHNICAL_ERROR"
    assert org.stats.overlaps == 1


async def test_the_control_api_shows_the_stored_invoices(
    sandbox: NetvisorSandbox, api: Api, org: Organisation
) -> None:
    key = await add(api, invoice_xml())
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as control:
        response = await control.get(f"/_sandbox/organisations/{ORG_ID}/salesinvoices")
        missing = await control.get("/_sandbox/organisations/0000000-0/salesinvoices")
    assert response.status_code == 200
    (shown,) = response.json()
    assert shown["key"] == key
    assert shown["amount"] == "1255.00"
    assert shown["lines"][0]["vat_code"] == "KOMY"
    assert missing.status_code == 404
