"""Sales invoices over MockTransport: the request against salesinvoice.dtd, the answers as
Netvisor and the published fixtures give them, and the write's outcome-unknown semantics
(reference/invoices.md §2.1-2.2, docs/architecture.md "Writes and retries")."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import attrs
import httpx
import pytest
from lxml import etree

from silta.netvisor import (
    InvalidData,
    InvoiceDimension,
    NetvisorOutcomeUnknown,
    NetvisorProtocolError,
    NetvisorRequestError,
    NotFound,
    SalesInvoiceData,
    SalesInvoiceLineData,
    TechnicalError,
)

from .conftest import Sleeps, failed, make_client, ok

DTD_DIR = resources.files("silta.sandbox.netvisor") / "dtd"


def query(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(str(request.url)).query).items()}


def dtd(name: str) -> etree.DTD:
    """Netvisor's DTD file (an internal subset wrapped in <!DOCTYPE>), read as a DTD."""
    text = (DTD_DIR / name).read_text(encoding="utf-8")
    inner = text[text.index("[") + 1 : text.rindex("]")]
    return etree.DTD(io.StringIO(inner))


def parsed(body: bytes) -> etree._Element:
    return etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))


LINE = SalesInvoiceLineData(
    product_identifier="KONS-01",
    name="Konsultointi 3/2026",
    unit_price=Decimal("100.00"),
    vat_percent=Decimal("25.5"),
    vat_code="KOMY",
    quantity=Decimal("10"),
    vat_sum=Decimal("255.00"),
    line_sum=Decimal("1255.00"),
    account="3000",
    dimensions=(
        InvoiceDimension(header="Projekti", item="100 Pilvi"),
        InvoiceDimension(header="Yksikkö", item="HKI Helsinki"),
    ),
)

INVOICE = SalesInvoiceData(
    number="10234",
    date=date(2026, 3, 31),
    due_date=date(2026, 4, 14),
    reference_number="102347",
    amount=Decimal("1255.00"),
    currency="EUR",
    status="unsent",
    private_comment="Severa 6b1c0000-0000-4000-8000-000000000001",
    customer_identifier="1001",
    payment_term_net_days=14,
    lines=(LINE,),
)


def capture(
    answer: httpx.Response,
) -> tuple[list[httpx.Request], Callable[[httpx.Request], httpx.Response]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return seen, handler


INSERTED = "<Replies><InsertedDataIdentifier>1802</InsertedDataIdentifier></Replies>"


async def test_an_invoice_is_sent_valid_against_the_dtd_and_its_key_is_read() -> None:
    seen, handler = capture(ok(INSERTED))
    client = make_client(handler)
    assert await client.add_sales_invoice(INVOICE) == 1802
    (request,) = seen
    assert request.method == "POST"
    assert query(request) == {"method": "add"}
    root = parsed(request.content)
    assert dtd("salesinvoice.dtd").validate(root), dtd("salesinvoice.dtd").error_log
    invoice = root.find("salesinvoice")
    assert invoice is not None
    assert invoice.findtext("salesinvoicenumber") == "10234"
    assert invoice.find("salesinvoicedate").get("format") == "ansi"  # type: ignore[union-attr]
    assert invoice.findtext("salesinvoicedate") == "2026-03-31"
    amount = invoice.find("salesinvoiceamount")
    assert amount is not None and amount.text == "1255,00"
    assert amount.get("iso4217currencycode") == "EUR"
    status = invoice.find("salesinvoicestatus")
    assert status is not None and status.text == "unsent" and status.get("type") == "netvisor"
    customer = invoice.find("invoicingcustomeridentifier")
    assert customer is not None and customer.get("type") == "customer"
    assert invoice.findtext("salesinvoiceprivatecomment", "").startswith("Severa ")
    line = invoice.find("invoicelines/invoiceline/salesinvoiceproductline")
    assert line is not None
    assert [child.tag for child in line] == [
        "productidentifier", "productname", "productunitprice", "productvatpercentage",
        "salesinvoiceproductlinequantity", "salesinvoiceproductlinevatsum",
        "salesinvoiceproductlinesum", "accountingaccountsuggestion", "dimension", "dimension",
    ]  # fmt: skip
    vat = line.find("productvatpercentage")
    assert vat is not None and vat.text == "25,5" and vat.get("vatcode") == "KOMY"
    price = line.find("productunitprice")
    assert price is not None and price.get("type") == "net" and price.text == "100,00"
    dims = [(d.findtext("dimensionname"), d.findtext("dimensionitem")) for d in line]
    assert ("Yksikkö", "HKI Helsinki") in dims


async def test_a_credit_note_carries_its_sign_in_quantity_and_sums() -> None:
    credit_line = attrs.evolve(
        LINE, quantity=Decimal("-10"), vat_sum=Decimal("-255.00"), line_sum=Decimal("-1255.00")
    )
    credit = attrs.evolve(INVOICE, amount=Decimal("-1255.00"), lines=(credit_line,))
    seen, handler = capture(ok(INSERTED))
    await make_client(handler).add_sales_invoice(credit)
    line = parsed(seen[0].content).find("salesinvoice/invoicelines/invoiceline")
    assert line is not None
    product = line[0]
    assert product.findtext("productunitprice") == "100,00"
    assert product.findtext("salesinvoiceproductlinequantity") == "-10"
    assert product.findtext("salesinvoiceproductlinesum") == "-1255,00"
    assert parsed(seen[0].content).findtext("salesinvoice/salesinvoiceamount") == "-1255,00"


async def test_a_temp_customer_carries_the_real_name_and_address() -> None:
    temp = attrs.evolve(
        INVOICE,
        customer_identifier="TEMP",
        customer_name="Ääri Oy",
        customer_address_line="Katu 1",
        customer_post_number="00100",
        customer_town="Helsinki",
        customer_country="FI",
    )
    seen, handler = capture(ok(INSERTED))
    await make_client(handler).add_sales_invoice(temp)
    root = parsed(seen[0].content)
    assert dtd("salesinvoice.dtd").validate(root)
    assert root.findtext("salesinvoice/invoicingcustomeridentifier") == "TEMP"
    assert root.findtext("salesinvoice/invoicingcustomername") == "Ääri Oy"
    country = root.find("salesinvoice/invoicingcustomercountrycode")
    assert country is not None and country.text == "FI" and country.get("type") == "ISO-3166"


async def test_a_netvisor_key_identifies_the_customer_with_type_netvisor() -> None:
    by_key = attrs.evolve(INVOICE, customer_identifier="77", customer_identifier_type="netvisor")
    seen, handler = capture(ok(INSERTED))
    await make_client(handler).add_sales_invoice(by_key)
    customer = parsed(seen[0].content).find("salesinvoice/invoicingcustomeridentifier")
    assert customer is not None and customer.get("type") == "netvisor"


def test_values_netvisor_would_refuse_are_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="vat_code"):
        attrs.evolve(LINE, vat_code="ALV24")
    with pytest.raises(ValueError, match="status"):
        attrs.evolve(INVOICE, status="paid")


async def test_an_invoice_without_lines_is_refused_before_sending() -> None:
    seen, handler = capture(ok(INSERTED))
    with pytest.raises(NetvisorRequestError, match="at least one"):
        await make_client(handler).add_sales_invoice(attrs.evolve(INVOICE, lines=()))
    assert seen == []


async def test_an_ok_without_inserted_key_is_an_unknown_outcome() -> None:
    _, handler = capture(ok())
    with pytest.raises(NetvisorOutcomeUnknown, match="InsertedDataIdentifier"):
        await make_client(handler).add_sales_invoice(INVOICE)


async def test_a_lost_answer_is_an_unknown_outcome_and_is_never_sent_twice() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("lost", request=request)

    with pytest.raises(NetvisorOutcomeUnknown):
        await make_client(handler, Sleeps()).add_sales_invoice(INVOICE)
    assert calls == 1


async def test_a_technical_error_on_add_is_raised_for_the_caller_to_look_up_first() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return failed("TECHNICAL_ERROR :: something happened")

    with pytest.raises(TechnicalError) as raised:
        await make_client(handler, Sleeps()).add_sales_invoice(INVOICE)
    assert calls == 1 and raised.value.retryable


async def test_a_reused_transaction_id_is_sent_again_as_nothing_was_written() -> None:
    answers = [failed("REQUEST_NOT_UNIQUE :: used"), ok(INSERTED)]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    assert await make_client(handler, Sleeps()).add_sales_invoice(INVOICE) == 1802


async def test_a_refused_invoice_raises_netvisors_reason_and_is_not_retried() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return failed("INVALID_DATA :: Dimension item not found: 999 Ei ole")

    with pytest.raises(InvalidData, match="Dimension item not found"):
        await make_client(handler, Sleeps()).add_sales_invoice(INVOICE)
    assert calls == 1


# -- salesinvoicelist.nv ---------------------------------------------------------------------

LIST = """<SalesInvoiceList>
  <SalesInvoice>
    <NetvisorKey>165</NetvisorKey>
    <InvoiceNumber>5</InvoiceNumber>
    <Invoicedate format="ansi">2013-11-09</Invoicedate>
    <InvoiceDueDate format="ansi">2013-11-23</InvoiceDueDate>
    <InvoiceStatus substatus="overdue" isincollection="0">open</InvoiceStatus>
    <CustomerNetvisorKey>12</CustomerNetvisorKey>
    <CustomerCode>MM</CustomerCode>
    <CustomerName>Matti Meikäläinen</CustomerName>
    <ReferenceNumber>1070</ReferenceNumber>
    <InvoiceSum>1 123,45</InvoiceSum>
    <OpenSum>45.67</OpenSum>
    <Uri>https://isvapi.netvisor.fi/getsalesinvoice.nv?netvisorkey=165</Uri>
    <AdditionalInformation>
      <PrivateComment>Severa abc</PrivateComment>
      <InvoiceCurrencySum currencycode="EUR" type="ISO-4217">1123,45</InvoiceCurrencySum>
    </AdditionalInformation>
  </SalesInvoice>
  <salesinvoice>
    <netvisorkey>166</netvisorkey>
    <invoicenumber>6</invoicenumber>
    <invoicedate format="ansi">2015-04-29</invoicedate>
    <invoicestatus>Unsent</invoicestatus>
    <customercode/>
    <customername>Matti Meikäläinen</customername>
    <referencenumber></referencenumber>
    <invoicesum>-123,45</invoicesum>
    <opensum/>
  </salesinvoice>
</SalesInvoiceList>"""


async def test_the_list_reads_every_documented_field_tolerantly() -> None:
    seen, handler = capture(ok(LIST))
    client = make_client(handler)
    first, second = await client.list_sales_invoices(number="5")
    assert query(seen[0]) == {"invoicenumber": "5", "replyoption": "1"}
    assert first.netvisor_key == 165 and first.number == "5"
    assert first.date == date(2013, 11, 9) and first.due_date == date(2013, 11, 23)
    assert (first.status, first.substatus, first.in_collection) == ("open", "overdue", False)
    assert first.customer_key == 12 and first.customer_code == "MM"
    assert first.amount == Decimal("1123.45") and first.open_amount == Decimal("45.67")
    assert first.private_comment == "Severa abc"
    assert first.currency == "EUR" and first.currency_amount == Decimal("1123.45")
    assert second.status == "unsent"  # case
    assert second.customer_code is None and second.reference_number is None  # empty elements
    assert second.amount == Decimal("-123.45") and second.open_amount is None


async def test_an_empty_list_is_empty() -> None:
    _, handler = capture(ok("<SalesInvoiceList/>"))
    assert await make_client(handler).list_sales_invoices(number="9") == []


async def test_every_filter_goes_out_under_netvisors_name() -> None:
    seen, handler = capture(ok("<SalesInvoiceList/>"))
    await make_client(handler).list_sales_invoices(
        status="unsent",
        begin_date=date(2026, 1, 1),
        end_date=date(2026, 1, 31),
        modified_since=datetime(2026, 1, 1, 10, 0, tzinfo=UTC),
        customer_code="1001",
        customer_key=5,
        batch_id=3,
        country="FI",
        private_comment=False,
        currency_sums=True,
    )
    assert query(seen[0]) == {
        "invoicestatus": "unsent",
        "begininvoicedate": "2026-01-01",
        "endinvoicedate": "2026-01-31",
        "lastmodifiedstart": "2026-01-01T12:00:00",  # Finnish time
        "customercode": "1001",
        "customernetvisorkey": "5",
        "salesinvoicebatchid": "3",
        "invoicingcustomercountrycode": "FI",
        "replyoption": "2",
    }
    with pytest.raises(NetvisorRequestError):
        await make_client(handler).list_sales_invoices(status="draft")


def rows(keys: range) -> str:
    body = "".join(
        f"<SalesInvoice><NetvisorKey>{k}</NetvisorKey><InvoiceNumber>{k}</InvoiceNumber>"
        "</SalesInvoice>"
        for k in keys
    )
    return f"<SalesInvoiceList>{body}</SalesInvoiceList>"


async def test_a_full_page_of_500_is_followed_above_its_highest_key() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = query(request)
        seen.append(params)
        above = int(params.get("invoicesabovenetvisorkey", "0"))
        return ok(rows(range(above + 1, min(above + 501, 1201))))

    found = await make_client(handler).list_sales_invoices(status="open")
    assert [row.netvisor_key for row in found] == list(range(1, 1201))
    assert [p.get("invoicesabovenetvisorkey") for p in seen] == [None, "500", "1000"]


async def test_a_page_that_does_not_move_on_is_a_protocol_error() -> None:
    _, handler = capture(ok(rows(range(1, 501))))
    with pytest.raises(NetvisorProtocolError, match="loop"):
        await make_client(handler).list_sales_invoices(above_key=600)


# -- getsalesinvoice.nv ----------------------------------------------------------------------

DETAIL = """<SalesInvoice>
  <SalesInvoiceNetvisorKey>1802</SalesInvoiceNetvisorKey>
  <SalesInvoiceNumber>10234</SalesInvoiceNumber>
  <SalesInvoiceDate format="ansi">2026-03-31</SalesInvoiceDate>
  <SalesInvoiceDueDate format="ansi">2026-04-14</SalesInvoiceDueDate>
  <SalesInvoiceReferencenumber>102347</SalesInvoiceReferencenumber>
  <SalesInvoiceAmount iso4217currencycode="EUR" currencyrate="1">1255.00</SalesInvoiceAmount>
  <InvoiceStatus status="unsent">Lähettämätön</InvoiceStatus>
  <InvoiceVoucher netvisorkey="55">Myyntilasku 10234</InvoiceVoucher>
  <SalesInvoicePrivateComment>Severa g-1</SalesInvoicePrivateComment>
  <InvoicingCustomerNetvisorKey>77</InvoicingCustomerNetvisorKey>
  <InvoicingCustomerCode>1001</InvoicingCustomerCode>
  <InvoicingCustomerName>Ääri Oy</InvoicingCustomerName>
  <InvoicingCustomerCountryCode ISO-3166="FI">Finland</InvoicingCustomerCountryCode>
  <PaymentTermNetDays>14</PaymentTermNetDays>
  <InvoiceLines>
    <InvoiceLine>
      <SalesInvoiceProductLine>
        <NetvisorKey>9001</NetvisorKey>
        <productidentifier type="customer">KONS-01</productidentifier>
        <ProductName>Konsultointi</ProductName>
        <ProductUnitPrice>100,0000</ProductUnitPrice>
        <ProductVatPercentage vatcode="komy">25,5</ProductVatPercentage>
        <SalesInvoiceProductLineQuantity>10</SalesInvoiceProductLineQuantity>
        <SalesInvoiceProductLineDiscountPercentage>0</SalesInvoiceProductLineDiscountPercentage>
        <SalesInvoiceProductLineFreeText/>
        <SalesInvoiceProductLineVatSum>255,00</SalesInvoiceProductLineVatSum>
        <SalesInvoiceProductLineSum>1255,00</SalesInvoiceProductLineSum>
        <AccountingAccountSuggestion>3000</AccountingAccountSuggestion>
        <Dimension><DimensionName>Projekti</DimensionName><DimensionItem>100 Pilvi</DimensionItem></Dimension>
      </SalesInvoiceProductLine>
      <SalesInvoiceProductLine>
        <productidentifier type="customer">TEMP</productidentifier>
        <ProductName>Matka</ProductName>
        <ProductUnitPrice>0,5</ProductUnitPrice>
        <ProductVatPercentage vatcode="KOMY">25,5</ProductVatPercentage>
        <SalesInvoiceProductLineQuantity>0</SalesInvoiceProductLineQuantity>
      </SalesInvoiceProductLine>
    </InvoiceLine>
    <InvoiceLine><SalesInvoiceCommentLine><Comment>Kiitos</Comment></SalesInvoiceCommentLine></InvoiceLine>
  </InvoiceLines>
</SalesInvoice>"""  # noqa: E501


async def test_an_invoice_is_read_with_its_lines_status_code_and_dimensions() -> None:
    seen, handler = capture(ok(DETAIL))
    invoice = await make_client(handler).get_sales_invoice(1802)
    assert query(seen[0]) == {"netvisorkey": "1802"}
    assert invoice.netvisor_key == 1802 and invoice.number == "10234"
    assert invoice.status == "unsent" and invoice.status_text == "Lähettämätön"
    assert invoice.amount == Decimal("1255.00") and invoice.currency == "EUR"
    assert invoice.reference_number == "102347" and invoice.voucher_key == 55
    assert invoice.customer_code == "1001" and invoice.customer_key == 77
    assert invoice.customer_country == "FI" and invoice.payment_term_net_days == 14
    first, second = invoice.lines
    assert first.vat_code == "KOMY" and first.vat_percent == Decimal("25.5")
    assert first.unit_price == Decimal("100") and first.line_sum == Decimal("1255")
    assert first.dimensions == (InvoiceDimension(header="Projekti", item="100 Pilvi"),)
    assert first.account == "3000" and first.product_identifier_type == "customer"
    assert second.product_identifier == "TEMP" and second.vat_sum is None
    assert invoice.comment_lines == ("Kiitos",)


async def test_an_unknown_key_is_ok_with_an_empty_invoice_which_is_not_found() -> None:
    _, handler = capture(ok("<SalesInvoice/>"))
    with pytest.raises(NotFound, match="1802"):
        await make_client(handler).get_sales_invoice(1802)


async def test_a_single_answer_without_its_key_gets_the_key_asked_for() -> None:
    body = DETAIL.replace("<SalesInvoiceNetvisorKey>1802</SalesInvoiceNetvisorKey>", "")
    _, handler = capture(ok(body))
    assert (await make_client(handler).get_sales_invoice(31)).netvisor_key == 31


async def test_a_status_without_the_attribute_is_read_from_its_text() -> None:
    body = DETAIL.replace('<InvoiceStatus status="unsent">Lähettämätön', "<InvoiceStatus>Open")
    _, handler = capture(ok(body))
    assert (await make_client(handler).get_sales_invoice(1802)).status == "open"


async def test_key_lists_go_500_per_call_and_unknown_keys_are_skipped() -> None:
    seen: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys = query(request)["netvisorkeylist"].split(",")
        seen.append(keys)
        body = "".join(
            DETAIL.replace(">1802<", f">{k}<") if int(k) % 2 else "<SalesInvoice/>" for k in keys
        )
        return ok(f"<SalesInvoices>{body}</SalesInvoices>")

    found = await make_client(handler).get_sales_invoices([*range(1, 1102), 3])
    assert [len(chunk) for chunk in seen] == [500, 500, 101]
    assert [invoice.netvisor_key for invoice in found] == list(range(1, 1102, 2))


async def test_a_date_netvisor_cannot_have_meant_is_a_protocol_error() -> None:
    body = DETAIL.replace("2026-03-31", "31/03/2026")
    _, handler = capture(ok(body))
    with pytest.raises(NetvisorProtocolError, match="not a date"):
        await make_client(handler).get_sales_invoice(1802)
    finnish = DETAIL.replace("2026-03-31", "31.3.2026")
    _, handler = capture(ok(finnish))
    assert (await make_client(handler).get_sales_invoice(1802)).date == date(2026, 3, 31)


# -- matchcreditnote.nv ----------------------------------------------------------------------


async def test_a_credit_note_is_matched_with_both_keys_in_order() -> None:
    seen, handler = capture(ok())
    await make_client(handler).match_credit_note(1803, 1802)
    (request,) = seen
    assert request.method == "POST" and request.url.path == "/matchcreditnote.nv"
    assert request.content == (
        b"<root><matchcreditnote><creditnotenetvisorkey>1803</creditnotenetvisorkey>"
        b"<invoicenetvisorkey>1802</invoicenetvisorkey></matchcreditnote></root>"
    )


async def test_a_failed_match_is_netvisors_refusal_and_a_lost_one_is_unknown() -> None:
    _, handler = capture(failed("INVALID_DATA :: Credit note has no voucher"))
    with pytest.raises(InvalidData):
        await make_client(handler, Sleeps()).match_credit_note(1, 2)

    def lost(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("dropped", request=request)

    with pytest.raises(NetvisorOutcomeUnknown):
        await make_client(lost, Sleeps()).match_credit_note(1, 2)
