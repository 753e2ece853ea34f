"""Purchase invoices over MockTransport: the three reads of reference/invoices.md §2.3, in
every form the reference and the published fixtures show (H: Heltti's GetPurchaseInvoice and
PurchaseInvoiceList fixtures; R: rantalainen's interfaces; Netvisor's pages A-PL/A-PG)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from silta.netvisor import (
    NetvisorProtocolError,
    NetvisorRequestError,
    NotFound,
    PurchaseLineDimension,
    UnreadRecord,
)

from .conftest import make_client, ok

HELSINKI = ZoneInfo("Europe/Helsinki")


def query(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(str(request.url)).query).items()}


def capture(
    answer: httpx.Response,
) -> tuple[list[httpx.Request], Callable[[httpx.Request], httpx.Response]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return seen, handler


# -- purchaseinvoicelist.nv ------------------------------------------------------------------

# The shape of H's PurchaseInvoiceList.xml and A-PL's table; the second row in lower case
# with empty elements and a decimal comma.
LIST = """<PurchaseInvoiceList>
  <PurchaseInvoice>
    <NetvisorKey>1</NetvisorKey>
    <InvoiceNumber>123</InvoiceNumber>
    <InvoiceDate format="ansi">2017-11-16</InvoiceDate>
    <Vendor>Simon Supplier</Vendor>
    <VendorOrganizationIdentifier>1234567-8</VendorOrganizationIdentifier>
    <Sum>25</Sum>
    <Payments>25</Payments>
    <OpenSum>0</OpenSum>
    <Uri>https://isvapi.netvisor.fi/getpurchaseinvoice.nv?netvisorkey=1</Uri>
  </PurchaseInvoice>
  <purchaseinvoice>
    <netvisorkey>3</netvisorkey>
    <invoicenumber>345</invoicenumber>
    <invoicedate format="ansi">16.11.2017</invoicedate>
    <vendor>Sara Supplier</vendor>
    <vendororganizationidentifier/>
    <sum>1 030,50</sum>
    <payments></payments>
    <opensum>30.50</opensum>
  </purchaseinvoice>
</PurchaseInvoiceList>"""


async def test_the_list_is_read_in_every_documented_form() -> None:
    seen, handler = capture(ok(LIST))
    first, second = await make_client(handler).list_purchase_invoices(status="accepted")
    assert query(seen[0]) == {"invoicestatus": "accepted"}
    assert (first.netvisor_key, first.number, first.date) == (1, "123", date(2017, 11, 16))
    assert first.vendor == "Simon Supplier" and first.vendor_business_id == "1234567-8"
    assert first.amount == Decimal(25) and first.open_amount == Decimal(0)
    assert (second.netvisor_key, second.date) == (3, date(2017, 11, 16))
    assert second.vendor_business_id is None and second.payments is None
    assert second.amount == Decimal("1030.50") and second.open_amount == Decimal("30.50")


async def test_an_idle_read_is_one_call_with_the_status_and_the_watermark_in_finnish_time() -> None:
    seen, handler = capture(ok("<PurchaseInvoiceList/>"))
    since = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)  # summer: UTC+3 in Helsinki
    assert (
        await make_client(handler).list_purchase_invoices(status="accepted", modified_since=since)
        == []
    )
    assert len(seen) == 1
    assert query(seen[0]) == {
        "invoicestatus": "accepted",
        "lastmodifiedstart": "2026-07-01T12:30:00",
    }


async def test_every_filter_goes_out_under_netvisors_name() -> None:
    seen, handler = capture(ok("<PurchaseInvoiceList/>"))
    await make_client(handler).list_purchase_invoices(
        status="open",
        modified_since=datetime(2026, 1, 1, 10, 0, tzinfo=UTC),
        modified_before=datetime(2026, 1, 2, 10, 0, tzinfo=UTC),
        begin_date=date(2026, 1, 1),
        end_date=date(2026, 1, 31),
        number="1001",
        batch_id=7,
        payment_status="unpaid",
    )
    assert query(seen[0]) == {
        "invoicestatus": "open",
        "lastmodifiedstart": "2026-01-01T12:00:00",
        "lastmodifiedend": "2026-01-02T12:00:00",
        "begininvoicedate": "2026-01-01",
        "endinvoicedate": "2026-01-31",
        "invoicenumber": "1001",
        "purchaseinvoicebatchid": "7",
        "paymentstatus": "unpaid",
    }


async def test_what_netvisor_would_misread_is_refused_before_sending() -> None:
    seen, handler = capture(ok("<PurchaseInvoiceList/>"))
    client = make_client(handler)
    with pytest.raises(NetvisorRequestError, match="timezone"):
        await client.list_purchase_invoices(modified_since=datetime(2026, 1, 1, 10, 0))
    with pytest.raises(NetvisorRequestError, match="invoicestatus"):
        await client.list_purchase_invoices(status="paid")
    with pytest.raises(NetvisorRequestError, match="paymentstatus"):
        await client.list_purchase_invoices(payment_status="overdue")
    assert seen == []


async def test_a_list_row_without_its_key_is_unread_and_the_others_are_kept() -> None:
    body = LIST.replace("<NetvisorKey>1</NetvisorKey>", "<NetvisorKey/>")
    _, handler = capture(ok(body))
    unread: list[UnreadRecord] = []
    rows = await make_client(handler).list_purchase_invoices(unread=unread)
    assert [row.netvisor_key for row in rows] == [3]
    assert [(u.resource, u.code, u.name) for u in unread] == [
        ("purchaseinvoicelist.nv", "123", "Simon Supplier")
    ]
    with pytest.raises(NetvisorProtocolError, match="without its NetvisorKey"):
        await make_client(handler).list_purchase_invoices()


# -- getpurchaseinvoice.nv -------------------------------------------------------------------

# H's GetPurchaseInvoice fixture as its test reads it: version 1, the line's dimensions in a
# PurchaseInvoiceLineDimensions beside the line, the item key as DimensionDetailNetvisorKey,
# InvoiceStatus a localised word and ApprovalStatus the code, Referencenumber spelt so.
VERSION_1 = """<PurchaseInvoice>
  <PurchaseInvoiceNetvisorKey>1025</PurchaseInvoiceNetvisorKey>
  <PurchaseInvoiceNumber>152212</PurchaseInvoiceNumber>
  <PurchaseInvoiceDate format="ansi">2018-01-02</PurchaseInvoiceDate>
  <PurchaseInvoiceDeliveryDate format="ansi">2014-10-02</PurchaseInvoiceDeliveryDate>
  <PurchaseInvoiceDueDate format="ansi">2018-01-31</PurchaseInvoiceDueDate>
  <PurchaseInvoiceValueDate format="ansi">2018-01-15</PurchaseInvoiceValueDate>
  <PurchaseInvoiceReferencenumber>011234</PurchaseInvoiceReferencenumber>
  <PurchaseInvoiceAmount>100,00</PurchaseInvoiceAmount>
  <PurchaseInvoicePaidAmount>0,00</PurchaseInvoicePaidAmount>
  <ForeignCurrencyAmount>100</ForeignCurrencyAmount>
  <ForeignCurrencyNameID>EUR</ForeignCurrencyNameID>
  <InvoiceStatus>Avoin</InvoiceStatus>
  <ApprovalStatus>open</ApprovalStatus>
  <PurchaseInvoiceOurReference>111234</PurchaseInvoiceOurReference>
  <PurchaseInvoiceYourReference>21134</PurchaseInvoiceYourReference>
  <PurchaseInvoiceDescription>Comment text</PurchaseInvoiceDescription>
  <VendorNetvisorKey>44</VendorNetvisorKey>
  <VendorCode/>
  <VendorName>Vendor Oy Ab</VendorName>
  <VendorOrganizationIdentifier>1234567-8</VendorOrganizationIdentifier>
  <IsAccounted>False</IsAccounted>
  <InvoiceLines>
    <PurchaseInvoiceLine>
      <NetvisorKey>1051</NetvisorKey>
      <LineSum>125,25</LineSum>
      <LineNetSum>102,6639</LineNetSum>
      <UnitPrice>5,480000000000</UnitPrice>
      <VatPercent>22</VatPercent>
      <VatCode>KOOS</VatCode>
      <Description>Description text</Description>
      <Unit>kpl</Unit>
      <OrderedAmount>15</OrderedAmount>
      <DeliveredAmount>10</DeliveredAmount>
      <ProductCode>15243</ProductCode>
      <DiscountPercentage>1,5</DiscountPercentage>
      <ProductName>Test Product</ProductName>
      <AccountingSuggestionBookkeepingAccountNetvisorKey>643</AccountingSuggestionBookkeepingAccountNetvisorKey>
      <AccountingSuggestionBookkeepingAccount>4000 Ostot</AccountingSuggestionBookkeepingAccount>
    </PurchaseInvoiceLine>
    <PurchaseInvoiceLineDimensions>
      <Dimension>
        <DimensionName>Projects</DimensionName>
        <DimensionNameNetvisorKey>3</DimensionNameNetvisorKey>
        <DimensionDetailName>Project 1</DimensionDetailName>
        <DimensionDetailNetvisorKey>3</DimensionDetailNetvisorKey>
      </Dimension>
    </PurchaseInvoiceLineDimensions>
  </InvoiceLines>
</PurchaseInvoice>"""

# Version 2 as R reads it: each line's dimensions inside the line, the item key spelt
# DimensionDetailNameNetvisorKey; Netvisor's page spells the invoice key PurhaseInvoice...,
# decimals with a point, an empty VatCode, a line without dimensions.
VERSION_2 = """<PurchaseInvoice>
  <PurhaseInvoiceNetvisorKey>2001</PurhaseInvoiceNetvisorKey>
  <PurchaseInvoiceNumber>A-77</PurchaseInvoiceNumber>
  <PurchaseInvoiceDate format="ansi">2026-03-31</PurchaseInvoiceDate>
  <PurchaseInvoiceAmount>1255.00</PurchaseInvoiceAmount>
  <InvoiceStatus>Hyväksytty</InvoiceStatus>
  <ApprovalStatus>Accepted</ApprovalStatus>
  <VendorName>Rauta Oy</VendorName>
  <InvoiceLines>
    <PurchaseInvoiceLine>
      <NetvisorKey>7001</NetvisorKey>
      <LineSum>1255.00</LineSum>
      <LineNetSum>1000.00</LineNetSum>
      <VatPercent>25.5</VatPercent>
      <VatCode>koos</VatCode>
      <Description>Kaapelit</Description>
      <DeliveredAmount>10</DeliveredAmount>
      <AccountingSuggestionBookkeepingAccount>4000</AccountingSuggestionBookkeepingAccount>
      <PurchaseInvoiceLineDimensions>
        <Dimension>
          <DimensionName>Projekti</DimensionName>
          <DimensionNameNetvisorKey>5</DimensionNameNetvisorKey>
          <DimensionDetailName>10 Määrittely</DimensionDetailName>
          <DimensionDetailNameNetvisorKey>91</DimensionDetailNameNetvisorKey>
        </Dimension>
        <Dimension>
          <DimensionName>Kustannuspaikka</DimensionName>
          <DimensionNameNetvisorKey>6</DimensionNameNetvisorKey>
          <DimensionDetailName>HKI</DimensionDetailName>
          <DimensionDetailNameNetvisorKey>120</DimensionDetailNameNetvisorKey>
        </Dimension>
      </PurchaseInvoiceLineDimensions>
    </PurchaseInvoiceLine>
    <PurchaseInvoiceLine>
      <NetvisorKey>7002</NetvisorKey>
      <LineSum>12.40</LineSum>
      <LineNetSum/>
      <VatCode></VatCode>
      <ProductName>Postimaksu</ProductName>
    </PurchaseInvoiceLine>
  </InvoiceLines>
</PurchaseInvoice>"""


async def test_one_invoice_is_asked_as_version_2_without_attachments() -> None:
    seen, handler = capture(ok(VERSION_2))
    invoice = await make_client(handler).get_purchase_invoice(2001)
    assert query(seen[0]) == {"netvisorkey": "2001", "version": "2", "omitattachments": "true"}
    assert invoice.netvisor_key == 2001 and invoice.number == "A-77"
    assert invoice.status_text == "Hyväksytty" and invoice.approval_status == "accepted"
    first, second = invoice.lines
    assert first.netvisor_key == 7001 and first.vat_code == "KOOS"
    assert (first.line_sum, first.line_net_sum) == (Decimal("1255.00"), Decimal("1000.00"))
    assert first.delivered_amount == Decimal(10) and first.account == "4000"
    assert first.dimensions == (
        PurchaseLineDimension(header="Projekti", header_key=5, item="10 Määrittely", item_key=91),
        PurchaseLineDimension(header="Kustannuspaikka", header_key=6, item="HKI", item_key=120),
    )
    assert second.vat_code is None and second.line_net_sum is None and second.dimensions == ()


async def test_the_published_version_1_form_puts_the_dimensions_on_the_line_before_them() -> None:
    _, handler = capture(ok(VERSION_1))
    invoice = await make_client(handler).get_purchase_invoice(1025)
    assert invoice.netvisor_key == 1025 and invoice.number == "152212"
    assert invoice.date == date(2018, 1, 2) and invoice.due_date == date(2018, 1, 31)
    assert invoice.reference_number == "011234"  # leading zero kept: it is text
    assert invoice.amount == Decimal("100.00") and invoice.currency == "EUR"
    assert invoice.status_text == "Avoin" and invoice.approval_status == "open"
    assert invoice.vendor_name == "Vendor Oy Ab" and invoice.vendor_code is None
    assert invoice.vendor_key == 44 and invoice.is_accounted is False
    (line,) = invoice.lines
    assert line.line_net_sum == Decimal("102.6639") and line.unit_price == Decimal("5.48")
    assert line.discount_percent == Decimal("1.5") and line.unit == "kpl"
    assert (line.account, line.account_name, line.account_key) == ("4000", "Ostot", 643)
    assert line.dimensions == (
        PurchaseLineDimension(header="Projects", header_key=3, item="Project 1", item_key=3),
    )


async def test_version_1_dimensions_follow_their_own_line_among_several() -> None:
    body = """<PurchaseInvoice><PurchaseInvoiceNetvisorKey>9</PurchaseInvoiceNetvisorKey>
      <InvoiceLines>
        <PurchaseInvoiceLine><NetvisorKey>1</NetvisorKey></PurchaseInvoiceLine>
        <PurchaseInvoiceLine><NetvisorKey>2</NetvisorKey></PurchaseInvoiceLine>
        <PurchaseInvoiceLineDimensions><Dimension><DimensionName>P</DimensionName>
          <DimensionDetailName>X</DimensionDetailName>
          <DimensionDetailNetvisorKey>70</DimensionDetailNetvisorKey></Dimension>
        </PurchaseInvoiceLineDimensions>
      </InvoiceLines></PurchaseInvoice>"""
    _, handler = capture(ok(body))
    first, second = (await make_client(handler).get_purchase_invoice(9)).lines
    assert first.dimensions == ()
    assert [d.item_key for d in second.dimensions] == [70]


async def test_dimensions_before_any_line_are_an_unreadable_answer_not_dropped() -> None:
    body = """<PurchaseInvoice><PurchaseInvoiceNetvisorKey>9</PurchaseInvoiceNetvisorKey>
      <InvoiceLines><PurchaseInvoiceLineDimensions><Dimension><DimensionName>P</DimensionName>
      </Dimension></PurchaseInvoiceLineDimensions>
      <PurchaseInvoiceLine><NetvisorKey>1</NetvisorKey></PurchaseInvoiceLine></InvoiceLines>
      </PurchaseInvoice>"""
    _, handler = capture(ok(body))
    with pytest.raises(NetvisorProtocolError, match="before any line"):
        await make_client(handler, attempts=1).get_purchase_invoice(9)


async def test_an_unknown_key_is_not_found() -> None:
    _, handler = capture(ok("<PurchaseInvoice/>"))
    with pytest.raises(NotFound, match="77"):
        await make_client(handler).get_purchase_invoice(77)


async def test_an_answer_to_one_key_without_its_key_takes_the_key_asked_for() -> None:
    body = VERSION_2.replace("<PurhaseInvoiceNetvisorKey>2001</PurhaseInvoiceNetvisorKey>", "")
    _, handler = capture(ok(body))
    assert (await make_client(handler).get_purchase_invoice(2001)).netvisor_key == 2001


async def test_a_key_list_is_cut_at_500_and_answers_in_either_wrapping() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = query(request)
        seen.append(params)
        keys = params["netvisorkeylist"].split(",")
        body = "".join(
            f"<PurchaseInvoice><PurchaseInvoiceNetvisorKey>{k}</PurchaseInvoiceNetvisorKey>"
            "<InvoiceLines/></PurchaseInvoice>"
            for k in keys
            if int(k) % 100  # every hundredth key is unknown to Netvisor: skipped
        )
        return ok(f"<PurchaseInvoices>{body}</PurchaseInvoices>" if len(seen) % 2 else body)

    found = await make_client(handler).get_purchase_invoices([*range(1, 1202), 5, 5])
    assert [len(p["netvisorkeylist"].split(",")) for p in seen] == [500, 500, 201]
    assert all(p["version"] == "2" and p["omitattachments"] == "true" for p in seen)
    assert len(found) == 1201 - 12 and found[0].netvisor_key == 1


async def test_an_invoice_without_a_key_or_with_a_keyless_line_is_unread_as_a_whole() -> None:
    keyless_line = VERSION_2.replace("<NetvisorKey>7002</NetvisorKey>", "")
    keyless_invoice = VERSION_1.replace(
        "<PurchaseInvoiceNetvisorKey>1025</PurchaseInvoiceNetvisorKey>", ""
    )
    body = f"<PurchaseInvoices>{keyless_line}{keyless_invoice}{VERSION_1}</PurchaseInvoices>"
    _, handler = capture(ok(body))
    unread: list[UnreadRecord] = []
    found = await make_client(handler).get_purchase_invoices([2001, 1025, 1], unread=unread)
    assert [invoice.netvisor_key for invoice in found] == [1025]
    assert [(u.code, u.name) for u in unread] == [("A-77", "Rauta Oy"), ("152212", "Vendor Oy Ab")]
    assert "line without its NetvisorKey" in unread[0].reason
    with pytest.raises(NetvisorProtocolError):
        await make_client(handler).get_purchase_invoices([2001])


# -- deletedpurchaseinvoices.nv --------------------------------------------------------------

DELETED = """<DeletedPurchaseInvoices>
  <DeletedPurchaseInvoice><NetvisorKey>5</NetvisorKey>
    <DeleteDate format="ansi">2022-06-08 15:14</DeleteDate></DeletedPurchaseInvoice>
  <deletedpurchaseinvoice><netvisorkey>6</netvisorkey><deletedate/></deletedpurchaseinvoice>
  <DeletedPurchaseInvoice><NetvisorKey/></DeletedPurchaseInvoice>
</DeletedPurchaseInvoices>"""


async def test_deletions_are_asked_by_their_day_in_finland_and_read_with_their_time() -> None:
    seen, handler = capture(ok(DELETED))
    late_evening_utc = datetime(2022, 6, 7, 22, 30, tzinfo=UTC)  # 8.6. 01:30 in Helsinki
    first, second = await make_client(handler).list_deleted_purchase_invoices(late_evening_utc)
    assert query(seen[0]) == {"deletedsince": "2022-06-08"}
    assert first.netvisor_key == 5
    assert first.deleted_at == datetime(2022, 6, 8, 15, 14, tzinfo=HELSINKI)
    assert second.netvisor_key == 6 and second.deleted_at is None
    await make_client(handler).list_deleted_purchase_invoices(date(2022, 6, 1))
    assert query(seen[1]) == {"deletedsince": "2022-06-01"}
    with pytest.raises(NetvisorRequestError, match="timezone"):
        await make_client(handler).list_deleted_purchase_invoices(datetime(2022, 6, 1, 10))


async def test_no_deletions_is_an_empty_list() -> None:
    _, handler = capture(ok("<DeletedPurchaseInvoices/>"))
    assert await make_client(handler).list_deleted_purchase_invoices(date(2022, 6, 1)) == []
