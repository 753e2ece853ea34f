"""salesinvoice.nv, salesinvoicelist.nv, getsalesinvoice.nv and matchcreditnote.nv
(``shared/reference/invoices.md`` §2.1-2.2; the rules are in :mod:`..salesinvoices`).

Answers follow the shapes of the public clients' fixtures, quirks included:

* salesinvoicelist.nv: ``SalesInvoiceList/SalesInvoice`` items with ``NetvisorKey``,
  ``InvoiceNumber``, ``Invoicedate`` (lower-case *d*, ``format="ansi"``), ``InvoiceDueDate``,
  ``InvoiceStatus`` (the code; an open invoice carries ``substatus`` open/overdue and
  ``isincollection``), ``CustomerNetvisorKey``, ``CustomerCode``, ``CustomerName``,
  ``ReferenceNumber``, ``InvoiceSum``, ``OpenSum`` (decimal comma), ``Uri``; nothing found is
  ``<SalesInvoiceList />``. Filters combine (AND): ``invoicenumber`` (exact),
  ``begininvoicedate``/``endinvoicedate`` (inclusive), ``invoicestatus`` (open, overdue,
  paid, unsent, creditloss, rejected: the status or the sub-status), ``customercode``,
  ``customernetvisorkey``, ``lastmodifiedstart``/``lastmodifiedend`` (Helsinki time, like
  ``changedsince``; start inclusive), ``invoicesabovenetvisorkey``. At most 500 items, in key
  order: the next call asks for the invoices above the last key. ``listtype=preinvoice``
  (orders) lists nothing: the sandbox keeps no orders. ``replyoption`` 1/3 adds
  ``AdditionalInformation/PrivateComment``, 2/3 the currency sums.
* getsalesinvoice.nv: exactly one of ``netvisorkey`` / ``netvisorkeylist`` (≤ 500). One key
  answers ``Root/SalesInvoice``, an unknown one ``<SalesInvoice />`` with status OK (the
  fixture); a list answers ``Root/SalesInvoices/SalesInvoice`` for the keys it finds, in the
  order asked. ``InvoiceStatus`` is the localised text (the interface language; Swedish falls
  back to English as in the error texts) with the code in attribute ``status``.
  ``SalesInvoiceAmount`` is written with a decimal **point** and unit prices with four
  decimals, as in the fixture; the other sums with a comma. All product lines sit in one
  ``InvoiceLine`` and the line's identifier element is the lower-case ``productidentifier``
  (both as the fixture has them); comment lines follow with ``showcommentlines=1``.
  ``replyoption`` 16 or 32 adds ``CreditedInvoiceNetvisorKey`` on a matched credit note.
* salesinvoice.nv: ``method=add`` answers ``Replies/InsertedDataIdentifier`` (the new key).
* matchcreditnote.nv: POST with a ``matchcreditnote`` body (``dtd/matchcreditnote.dtd``);
  answers only ``ResponseStatus``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from lxml import etree

from ..customers import Customer
from ..errors import invalid_data
from ..organisation import Organisation
from ..render import XmlWriter, ok_document
from ..salesinvoices import (
    BILLING_ELEMENTS,
    CommentRequest,
    InvoiceRequest,
    LineRequest,
    SalesInvoice,
    SalesInvoiceLine,
    add_sales_invoice,
    match_credit_note,
)
from ..values import HELSINKI, parse_changedsince, parse_date, parse_key, parse_list
from ..xmlio import children, find, parse_request, text_of
from .base import Answer, Call, Resource, choose_one, write_answer, write_method

__all__ = ["RESOURCES"]

MAX_LIST: Final = 500
MAX_KEYLIST: Final = 500

#: Leaf elements kept as text on the invoice (shown back by getsalesinvoice.nv).
_TEXTS: Final = frozenset(
    {
        "salesinvoicedeliverytocustomerdate",
        "salesinvoicewaybillidentifier",
        "selleridentifier",
        "sellername",
        "salesinvoicefreetextbeforelines",
        "salesinvoicefreetextafterlines",
        "salesinvoiceourreference",
        "salesinvoiceyourreference",
        "salesinvoiceprivatecomment",
        "deliveryaddressname",
        "deliveryaddressnameextension",
        "deliveryaddressline",
        "deliveryaddresspostnumber",
        "deliveryaddresstown",
        "deliveryaddresscountrycode",
        "deliverymethod",
        "deliveryterm",
        "salesinvoicetaxhandlingtype",
        "paymenttermcashdiscountdays",
        "paymenttermcashdiscount",
        "expectpartialpayments",
        "trydirectdebitlink",
        "overridevouchersalesreceivablesaccountnumber",
        "invoicesubjecttype",
        "salesinvoiceagreementidentifier",
        "printchannelformat",
        "secondname",
        "overriderateofoverdue",
        "ordernumber",
    }
)
#: Elements the sandbox does not model: refused (see :mod:`..salesinvoices`).
_UNSUPPORTED: Final = frozenset(
    {
        "officeidentifier",
        "deliveryoffice",
        "invoicevoucherlines",
        "salesinvoiceaccrual",
        "accrualrule",
        "salesinvoiceattachments",
        "customtags",
    }
)
_DATES: Final = {
    "salesinvoicedate": "date",
    "salesinvoiceeventdate": "event_date",
    "salesinvoiceduedate": "due_date",
    "salesinvoicevaluedate": "value_date",
    "salesinvoicedeliverydate": "delivery_date",
}
_STATUS_FILTERS: Final = frozenset({"open", "overdue", "paid", "unsent", "creditloss", "rejected"})
#: Status code → (Finnish, English) text of getsalesinvoice.nv's ``InvoiceStatus``.
_STATUS_TEXTS: Final = {
    "unsent": ("Lähettämätön", "Unsent"),
    "open": ("Avoin", "Open"),
    "overdue": ("Erääntynyt", "Overdue"),
    "paid": ("Maksettu", "Paid"),
}
#: ISO code → (Finnish, English) country name for ``InvoicingCustomerCountryCode``.
_COUNTRIES: Final = {
    "FI": ("Suomi", "Finland"),
    "SE": ("Ruotsi", "Sweden"),
    "EE": ("Viro", "Estonia"),
    "DE": ("Saksa", "Germany"),
    "NO": ("Norja", "Norway"),
    "DK": ("Tanska", "Denmark"),
    "GB": ("Iso-Britannia", "United Kingdom"),
    "US": ("Yhdysvallat", "United States"),
}
_CENT: Final = Decimal("0.01")
_FOUR_PLACES: Final = Decimal("0.0001")


# -- number formats --------------------------------------------------------------------------


def _comma(value: Decimal) -> str:
    return f"{value:f}".replace(".", ",")


def _sum_text(value: Decimal) -> str:
    """A sum with two decimals, or up to four when it has them (``3,04``, ``0,5478``)."""
    four = value.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)
    two = four.quantize(_CENT)
    return _comma(two if two == four else four.normalize())


def _money(value: Decimal) -> str:
    return _comma(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _plain(value: Decimal) -> str:
    return _comma(value.normalize()) if value != 0 else "0"


def _language_index(language: str | None) -> int:
    return 1 if language is not None and language.upper() in ("EN", "SE") else 0


# -- salesinvoice.nv -----------------------------------------------------------------------


def _line_request(line: etree._Element) -> LineRequest:
    values: dict[str, str] = {}
    elements: dict[str, etree._Element] = {}
    dimensions: list[tuple[str, str]] = []
    for element in line:
        if element.tag == "dimension":
            dimensions.append((text_of(element[0]), text_of(element[1])))
            continue
        tag = str(element.tag)
        values[tag] = text_of(element)
        elements[tag] = element

    def attribute(tag: str, name: str) -> str | None:
        value = elements[tag].get(name)
        return None if value is None else str(value)

    return LineRequest(
        identifier=values["productidentifier"],
        identifier_type=attribute("productidentifier", "type") or "",
        name=values["productname"],
        unit_price=values["productunitprice"],
        price_type=attribute("productunitprice", "type") or "",
        vat_percent=values["productvatpercentage"],
        vat_code=attribute("productvatpercentage", "vatcode"),
        quantity=values["salesinvoiceproductlinequantity"],
        purchase_price=values.get("productunitpurchaseprice"),
        discount=values.get("salesinvoiceproductlinediscountpercentage"),
        free_text=values.get("salesinvoiceproductlinefreetext"),
        vat_sum=values.get("salesinvoiceproductlinevatsum"),
        line_sum=values.get("salesinvoiceproductlinesum"),
        account=values.get("accountingaccountsuggestion"),
        unit_name=values.get("productunitname"),
        dimensions=tuple(dimensions),
    )


def _lines(container: etree._Element) -> tuple[LineRequest | CommentRequest, ...]:
    lines: list[LineRequest | CommentRequest] = []
    for invoice_line in children(container, "invoiceline"):
        line = invoice_line[0]
        if line.tag == "salesinvoicecommentline":
            lines.append(CommentRequest(text_of(line[0])))
        else:
            lines.append(_line_request(line))
    return tuple(lines)


def _invoice_request(invoice: etree._Element) -> InvoiceRequest:
    """The request's values, checked only as far as the DTD already did."""
    fields: dict[str, str | None] = {}
    texts: dict[str, str] = {}
    billing: dict[str, str] = {}
    unsupported: list[str] = []
    lines: tuple[LineRequest | CommentRequest, ...] = ()
    customer_type = ""
    currency = rate = None
    for element in invoice:
        tag = element.tag
        if tag in _DATES:
            date_format = element.get("format", "ansi").strip().lower()
            if date_format != "ansi":
                raise invalid_data(
                    f"Päivämäärän muotoa {date_format} ei tueta elementissä {tag}",
                    f"Date format {date_format} is not supported in element {tag}",
                )
            fields[_DATES[tag]] = text_of(element)
        elif tag == "salesinvoicenumber":
            fields["number"] = text_of(element)
        elif tag == "salesinvoicereferencenumber":
            fields["reference"] = text_of(element)
        elif tag == "salesinvoiceamount":
            fields["amount"] = text_of(element)
            currency = element.get("iso4217currencycode")
            rate = element.get("currencyrate")
        elif tag == "invoicetype":
            fields["invoice_type"] = text_of(element)
        elif tag == "salesinvoicestatus":
            fields["status"] = text_of(element)
        elif tag == "invoicingcustomeridentifier":
            fields["customer"] = text_of(element)
            customer_type = element.get("type", "")
        elif tag in BILLING_ELEMENTS:
            billing[tag] = text_of(element)
        elif tag == "paymenttermnetdays":
            fields["payment_term_days"] = text_of(element)
        elif tag == "invoicelines":
            lines = _lines(element)
        elif tag in _UNSUPPORTED:
            unsupported.append(tag)
        elif tag in _TEXTS:
            texts[tag] = text_of(element)
    return InvoiceRequest(
        date=fields.get("date") or "",
        amount=fields.get("amount") or "",
        status=fields.get("status") or "",
        customer=fields.get("customer") or "",
        customer_type=customer_type,
        lines=lines,
        number=fields.get("number"),
        due_date=fields.get("due_date"),
        event_date=fields.get("event_date"),
        delivery_date=fields.get("delivery_date"),
        value_date=fields.get("value_date"),
        reference=fields.get("reference"),
        currency=currency,
        currency_rate=rate,
        invoice_type=fields.get("invoice_type"),
        payment_term_days=fields.get("payment_term_days"),
        billing=billing,
        texts=texts,
        unsupported=tuple(unsupported),
    )


def sales_invoice_write(call: Call) -> Answer:
    """``POST salesinvoice.nv?method=add``."""
    method = write_method(call)
    if method == "edit":
        raise invalid_data(
            "method=edit: ei tuettu Silta-hiekkalaatikossa (siirrettyä laskua ei muokata)",
            "method=edit: not supported by the Silta sandbox (a transferred invoice is never "
            "edited)",
        )
    document = parse_request(call.body, call.content_type, "salesinvoice")
    org = call.organisation
    invoice = add_sales_invoice(
        org.invoice_register,
        org.customer_register,
        org.product_register,
        org.dimension_register,
        _invoice_request(document),
        now=call.now,
    )
    return write_answer(call.now, invoice.key)


# -- salesinvoicelist.nv -------------------------------------------------------------------


def _today(now: datetime) -> date:
    return now.astimezone(HELSINKI).date()


def _sub_status(invoice: SalesInvoice, today: date) -> str | None:
    if invoice.status != "open":
        return None
    return "overdue" if invoice.due_date < today and invoice.open_sum != 0 else "open"


def _filters(call: Call) -> list[Callable[[SalesInvoice], bool]]:
    params = call.params
    checks: list[Callable[[SalesInvoice], bool]] = []
    today = _today(call.now)
    number = params.get("invoicenumber", "").strip()
    if number:
        checks.append(lambda i: i.number == number)
    begin = params.get("begininvoicedate", "").strip()
    if begin:
        first = parse_date(begin, "begininvoicedate")
        checks.append(lambda i: i.invoice_date >= first)
    end = params.get("endinvoicedate", "").strip()
    if end:
        last = parse_date(end, "endinvoicedate")
        checks.append(lambda i: i.invoice_date <= last)
    status = params.get("invoicestatus", "").strip().lower()
    if status:
        if status not in _STATUS_FILTERS:
            raise invalid_data(
                f"Virheellinen invoicestatus: {status}", f"Invalid invoicestatus: {status}"
            )
        checks.append(lambda i: status in (i.status, _sub_status(i, today)))
    code = params.get("customercode", "").strip()
    if code:
        checks.append(lambda i: i.customer_code.casefold() == code.casefold())
    customer_key = params.get("customernetvisorkey", "").strip()
    if customer_key:
        wanted = parse_key(customer_key, "customernetvisorkey")
        checks.append(lambda i: i.customer_key == wanted)
    above = params.get("invoicesabovenetvisorkey", "").strip()
    if above:
        floor = parse_key(above, "invoicesabovenetvisorkey")
        checks.append(lambda i: i.key > floor)
    start = params.get("lastmodifiedstart", "").strip()
    if start:
        since = parse_changedsince(start)
        checks.append(lambda i: i.changed_at >= since)
    stop = params.get("lastmodifiedend", "").strip()
    if stop:
        until = parse_changedsince(stop)
        checks.append(lambda i: i.changed_at <= until)
    return checks


def sales_invoice_list(call: Call) -> Answer:
    """``GET salesinvoicelist.nv``."""
    register = call.organisation.invoice_register
    checks = _filters(call)
    orders = call.params.get("listtype", "").strip().lower() == "preinvoice"
    reply = call.params.get("replyoption", "").strip()
    found: list[SalesInvoice] = []
    if not orders:
        for invoice in register.all():
            if all(check(invoice) for check in checks):
                found.append(invoice)
                if len(found) == MAX_LIST:
                    break
    today = _today(call.now)
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if not found:
        writer.raw("<SalesInvoiceList />")
    else:
        writer.open("SalesInvoiceList")
        for invoice in found:
            _list_item(writer, invoice, today, call.base_url, reply)
        writer.close("SalesInvoiceList")
    writer.close("Root")
    return Answer(writer.document())


def _list_item(
    writer: XmlWriter, invoice: SalesInvoice, today: date, base_url: str, reply: str
) -> None:
    leaf = writer.leaf
    writer.open("SalesInvoice")
    leaf("NetvisorKey", str(invoice.key))
    leaf("InvoiceNumber", invoice.number)
    leaf("Invoicedate", invoice.invoice_date.isoformat(), {"format": "ansi"})
    leaf("InvoiceDueDate", invoice.due_date.isoformat(), {"format": "ansi"})
    sub_status = _sub_status(invoice, today)
    attributes = None if sub_status is None else {"substatus": sub_status, "isincollection": "0"}
    leaf("InvoiceStatus", invoice.status, attributes)
    leaf("CustomerNetvisorKey", str(invoice.customer_key))
    leaf("CustomerCode", invoice.customer_code)
    leaf("CustomerName", invoice.customer_name)
    leaf("ReferenceNumber", invoice.reference)
    leaf("InvoiceSum", _money(invoice.amount))
    leaf("OpenSum", _money(invoice.open_sum))
    leaf("Uri", f"{base_url}getsalesinvoice.nv?netvisorkey={invoice.key}")
    if reply in ("1", "2", "3"):
        writer.open("AdditionalInformation")
        if reply in ("1", "3"):
            leaf("PrivateComment", invoice.text("salesinvoiceprivatecomment"))
        if reply in ("2", "3"):
            currency = {"currencycode": invoice.currency, "type": "ISO-4217"}
            leaf("InvoiceCurrencySum", _money(invoice.amount), currency)
            leaf("OpenCurrencySum", _money(invoice.open_sum), currency)
        writer.close("AdditionalInformation")
    writer.close("SalesInvoice")


# -- getsalesinvoice.nv --------------------------------------------------------------------


def get_sales_invoice(call: Call) -> Answer:
    """``GET getsalesinvoice.nv``: one key → ``Root/SalesInvoice``, a list →
    ``Root/SalesInvoices``."""
    register = call.organisation.invoice_register
    name, value = choose_one(call, ("netvisorkey", "netvisorkeylist"))
    options = _Options(call)
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if name == "netvisorkey":
        invoice = register.get(parse_key(value, "netvisorkey"))
        if invoice is None:
            writer.raw("<SalesInvoice />")
        else:
            _details(writer, invoice, call.organisation, options)
    else:
        keys = [parse_key(item, name) for item in parse_list(value, MAX_KEYLIST, name)]
        writer.open("SalesInvoices")
        for key in dict.fromkeys(keys):
            found = register.get(key)
            if found is not None:
                _details(writer, found, call.organisation, options)
        writer.close("SalesInvoices")
    writer.close("Root")
    return Answer(writer.document())


class _Options:
    """What getsalesinvoice.nv was asked to add."""

    def __init__(self, call: Call) -> None:
        self.language = _language_index(call.language)
        self.today = _today(call.now)
        self.comments = call.params.get("showcommentlines", "").strip() == "1"
        reply = call.params.get("replyoption", "").strip()
        flags = int(reply) if reply.isdigit() else 0
        self.credited = bool(flags & (16 | 32))


def _details(
    writer: XmlWriter, invoice: SalesInvoice, org: Organisation, options: _Options
) -> None:
    leaf = writer.leaf
    ansi = {"format": "ansi"}

    def day(tag: str, value: date | None) -> None:
        leaf(tag, None if value is None else value.isoformat(), ansi)

    writer.open("SalesInvoice")
    leaf("SalesInvoiceNetvisorKey", str(invoice.key))
    leaf("SalesInvoiceNumber", invoice.number)
    day("SalesInvoiceDate", invoice.invoice_date)
    day("SalesInvoiceEventDate", invoice.event_date)
    day("SalesInvoiceDueDate", invoice.due_date)
    day("SalesInvoiceValueDate", invoice.value_date)
    day("SalesInvoiceDeliveryDate", invoice.delivery_date)
    leaf("SalesInvoiceReferencenumber", invoice.reference)
    rate = "1" if invoice.currency_rate is None else _plain(invoice.currency_rate)
    # A decimal point here, where every other sum has a comma: as Netvisor's fixture has it.
    leaf(
        "SalesInvoiceAmount",
        f"{invoice.amount:f}",
        {"iso4217currencycode": invoice.currency, "currencyrate": rate},
    )
    status = _sub_status(invoice, options.today) or invoice.status
    leaf("InvoiceStatus", _STATUS_TEXTS[status][options.language], {"status": status})
    for tag, element in (
        ("SalesInvoiceFreeTextBeforeLines", "salesinvoicefreetextbeforelines"),
        ("SalesInvoiceFreeTextAfterLines", "salesinvoicefreetextafterlines"),
        ("SalesInvoiceOurReference", "salesinvoiceourreference"),
        ("SalesInvoiceYourReference", "salesinvoiceyourreference"),
        ("SalesInvoicePrivateComment", "salesinvoiceprivatecomment"),
        ("SalesInvoiceAgreementIdentifier", "salesinvoiceagreementidentifier"),
    ):
        leaf(tag, invoice.text(element))
    customer = org.customer_register.get(invoice.customer_key)
    billing = invoice.billing
    leaf("InvoicingCustomerCode", invoice.customer_code)
    leaf("InvoicingCustomerName", billing.get("invoicingcustomername"))
    leaf("InvoicingCustomerNameExtension", billing.get("invoicingcustomernameextension"))
    leaf("InvoicingCustomerNetvisorKey", str(invoice.customer_key))
    leaf("InvoicingCustomerOrganizationIdentifier", _organisation_identifier(customer))
    leaf("InvoicingCustomerAddressline", billing.get("invoicingcustomeraddressline"))
    leaf(
        "InvoicingCustomerAdditionalAddressLine",
        billing.get("invoicingcustomeradditionaladdressline"),
    )
    leaf("InvoicingCustomerPostnumber", billing.get("invoicingcustomerpostnumber"))
    leaf("InvoicingCustomerTown", billing.get("invoicingcustomertown"))
    country = billing.get("invoicingcustomercountrycode", "")
    names = _COUNTRIES.get(country)
    leaf(
        "InvoicingCustomerCountryCode",
        names[options.language] if names else country,
        {"ISO-3166": country} if country else None,
    )
    leaf("MatchPartialPaymentsByDefault", "No")
    for tag, element in (
        ("DeliveryAddressName", "deliveryaddressname"),
        ("DeliveryAddressLine", "deliveryaddressline"),
        ("DeliveryAddressPostnumber", "deliveryaddresspostnumber"),
        ("DeliveryAddressTown", "deliveryaddresstown"),
        ("DeliveryAddressCountryCode", "deliveryaddresscountrycode"),
        ("DeliveryMethod", "deliverymethod"),
        ("DeliveryTerm", "deliveryterm"),
    ):
        leaf(tag, invoice.text(element))
    term = invoice.payment_term_days
    leaf("PaymentTermNetDays", None if term is None else str(term))
    leaf("PaymentTermCashDiscountDays", invoice.text("paymenttermcashdiscountdays"))
    leaf(
        "PaymentTermCashDiscount",
        invoice.text("paymenttermcashdiscount"),
        {"type": "percentage"},
    )
    if options.credited and invoice.credited_invoice_key is not None:
        leaf("CreditedInvoiceNetvisorKey", str(invoice.credited_invoice_key))
    writer.open("InvoiceLines")
    writer.open("InvoiceLine")
    for line in invoice.lines:
        _product_line(writer, line, org)
    if options.comments:
        for comment in invoice.comments:
            writer.open("SalesInvoiceCommentLine")
            leaf("Comment", comment)
            writer.close("SalesInvoiceCommentLine")
    writer.close("InvoiceLine")
    writer.close("InvoiceLines")
    writer.close("SalesInvoice")


def _organisation_identifier(customer: Customer | None) -> str:
    """The business ID; never a private customer's identity code."""
    if customer is None or customer.get("isprivatecustomer") == "1":
        return ""
    return customer.get("externalidentifier")


def _product_line(writer: XmlWriter, line: SalesInvoiceLine, org: Organisation) -> None:
    leaf = writer.leaf
    product = org.product_register.get(line.product_key)
    writer.open("SalesInvoiceProductLine")
    leaf("NetvisorKey", str(line.key))
    # Lower case in Netvisor's own answer (the getsalesinvoice fixture): a quirk kept.
    leaf("productidentifier", line.identifier, {"type": line.identifier_type})
    leaf("ProductName", line.name)
    leaf("ProductNetvisorKey", str(line.product_key))
    leaf("ProductUnitPrice", _comma(line.unit_price.quantize(_FOUR_PLACES, ROUND_HALF_UP)))
    purchase = line.purchase_price
    leaf("ProductPurchasePrice", "" if purchase is None else _sum_text(purchase))
    leaf("ProductVatPercentage", _plain(line.vat_percent), {"vatcode": line.vat_code})
    leaf("ProductPrimaryEanCode", "" if product is None else product.get("primaryeancode"))
    leaf("ProductSecondaryEanCode", "" if product is None else product.get("secondaryeancode"))
    leaf("SalesInvoiceProductLineQuantity", _plain(line.quantity))
    leaf("SalesInvoiceProductLineUnit", line.unit)
    leaf("SalesInvoiceProductLineDiscountPercentage", _plain(line.discount))
    leaf("SalesInvoiceProductLineFreeText", line.free_text)
    leaf("SalesInvoiceProductLineVatSum", _sum_text(line.vat_sum))
    leaf("SalesInvoiceProductLineSum", _sum_text(line.line_sum))
    leaf("AccountingAccountSuggestion", line.account)
    for link in line.dimensions:
        writer.open("Dimension")
        leaf("DimensionName", link.header_name)
        leaf("DimensionItem", link.item_name)
        writer.close("Dimension")
    leaf("ProvisionPercentage", "0")
    writer.close("SalesInvoiceProductLine")


# -- matchcreditnote.nv --------------------------------------------------------------------


def match_credit_note_write(call: Call) -> Answer:
    """``POST matchcreditnote.nv`` with ``creditnotenetvisorkey`` and ``invoicenetvisorkey``."""
    document = parse_request(call.body, call.content_type, "matchcreditnote")
    credit = find(document, "creditnotenetvisorkey")
    invoice = find(document, "invoicenetvisorkey")
    assert credit is not None  # the DTD requires both
    assert invoice is not None
    match_credit_note(
        call.organisation.invoice_register,
        parse_key(text_of(credit), "creditnotenetvisorkey"),
        parse_key(text_of(invoice), "invoicenetvisorkey"),
        now=call.now,
    )
    return Answer(ok_document(call.now), committed=True)


RESOURCES: Final = (
    Resource("salesinvoice.nv", "POST", sales_invoice_write),
    Resource("salesinvoicelist.nv", "GET", sales_invoice_list),
    Resource("getsalesinvoice.nv", "GET", get_sales_invoice),
    Resource("matchcreditnote.nv", "POST", match_credit_note_write),
)
