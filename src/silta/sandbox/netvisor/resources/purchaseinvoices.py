"""purchaseinvoicelist.nv, getpurchaseinvoice.nv and deletedpurchaseinvoices.nv
(``shared/reference/invoices.md`` §2.3; the register is :mod:`..purchaseinvoices`).

* purchaseinvoicelist.nv: ``PurchaseInvoiceList/PurchaseInvoice`` items with ``NetvisorKey``,
  ``InvoiceNumber``, ``InvoiceDate`` (``format="ansi"``), ``Vendor``,
  ``VendorOrganizationIdentifier``, ``Sum``, ``Payments``, ``OpenSum``, ``Uri`` - no status and
  no lines, as the page and the fixture have it. Filters combine (AND): ``invoicestatus``
  (open, approved, accepted; see the register), ``lastmodifiedstart``/``lastmodifiedend``
  (``yyyy-MM-ddTHH:mm:ss`` in Helsinki time, like ``changedsince``; both inclusive),
  ``begininvoicedate``/``endinvoicedate``, ``invoicenumber`` (exact), ``paymentstatus``
  (unpaid, paid). ``purchaseinvoicebatchid`` names a batch of invoices imported through the
  API; the sandbox imports none, so it matches nothing. Every match is listed, in key order:
  the page documents no limit and no paging parameter. Nothing found is
  ``<PurchaseInvoiceList />``.
* getpurchaseinvoice.nv: exactly one of ``netvisorkey`` / ``netvisorkeylist`` (≤ 500). One
  key answers ``Root/PurchaseInvoice``, an unknown one an empty ``<PurchaseInvoice />`` with
  status OK (the fixture); a list answers ``Root/PurchaseInvoices/PurchaseInvoice`` for the
  keys it finds, in the order asked (R reads both shapes). ``version=2`` puts each line's
  ``PurchaseInvoiceLineDimensions`` inside its ``PurchaseInvoiceLine``; ``version=1`` (the
  default) puts it after the line, inside ``InvoiceLines`` (the fixture's shape). Attachments
  (``Attachments/Attachment``) come unless ``omitattachments=true``. ``include`` adds
  sections the sandbox does not keep (actions, handling history, images): refused as not
  supported, so a client learns it here.
* deletedpurchaseinvoices.nv: not described in the reference; the sandbox follows what the
  Netvisor client's notes read on Netvisor's page (support article 77000554202): parameter
  ``deletedsince`` (a date, or a date and time in the ``changedsince`` form; inclusive), the
  deletions of the last seven days only, and rows
  ``DeletedPurchaseInvoices/DeletedPurchaseInvoice`` with ``NetvisorKey`` and
  ``DeleteDate`` (Netvisor's ANSI date-time, ``yyyy-MM-dd HH:mm`` in Helsinki time). Nothing
  deleted is ``<DeletedPurchaseInvoices />``.

Number formats follow the page: amounts with a decimal comma and two decimals (``100,00``),
``LineNetSum`` with up to four, ``UnitPrice`` with twelve (the fixture's ``5,480000000000``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from ..dimensions import DimensionStore
from ..errors import invalid_data
from ..purchaseinvoices import (
    LIST_STATUSES,
    STATUS_TEXTS,
    PurchaseInvoice,
    PurchaseInvoiceLine,
    line_links,
)
from ..render import XmlWriter
from ..values import (
    HELSINKI,
    format_amount,
    format_percent,
    parse_changedsince,
    parse_date,
    parse_key,
    parse_list,
)
from .base import Answer, Call, Resource, choose_one

__all__ = ["RESOURCES"]

MAX_KEYLIST: Final = 500
#: How long deletedpurchaseinvoices.nv remembers a deletion.
KEPT_FOR: Final = timedelta(days=7)
_CENT: Final = Decimal("0.01")
_FOUR: Final = Decimal("0.0001")
_INCLUDES: Final = frozenset(
    {"actions", "handlinghistory", "previewimage", "invoiceimage", "circulationlist"}
)


def _money(value: Decimal) -> str:
    return f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):f}".replace(".", ",")


def _four(value: Decimal) -> str:
    four = value.quantize(_FOUR, rounding=ROUND_HALF_UP)
    two = four.quantize(_CENT)
    return _money(two) if two == four else f"{four.normalize():f}".replace(".", ",")


def _quantity(value: Decimal) -> str:
    return "0" if value == 0 else format_percent(value)


def _language_index(call: Call) -> int:
    language = call.language
    return 1 if language is not None and language.upper() in ("EN", "SE") else 0


# -- purchaseinvoicelist.nv -------------------------------------------------------------------


def _filters(call: Call) -> list[Callable[[PurchaseInvoice], bool]]:
    params = call.params
    checks: list[Callable[[PurchaseInvoice], bool]] = []
    status = params.get("invoicestatus", "").strip().lower()
    if status:
        wanted = LIST_STATUSES.get(status)
        if wanted is None:
            raise invalid_data(
                f"Virheellinen invoicestatus: {status} (open, approved tai accepted)",
                f"Invalid invoicestatus: {status} (open, approved or accepted)",
            )
        checks.append(lambda i: i.approval_status in wanted)
    start = params.get("lastmodifiedstart", "").strip()
    if start:
        since = parse_changedsince(start)
        checks.append(lambda i: i.changed_at >= since)
    end = params.get("lastmodifiedend", "").strip()
    if end:
        until = parse_changedsince(end)
        checks.append(lambda i: i.changed_at <= until)
    begin = params.get("begininvoicedate", "").strip()
    if begin:
        first = parse_date(begin, "begininvoicedate")
        checks.append(lambda i: i.invoice_date >= first)
    last_text = params.get("endinvoicedate", "").strip()
    if last_text:
        last = parse_date(last_text, "endinvoicedate")
        checks.append(lambda i: i.invoice_date <= last)
    number = params.get("invoicenumber", "").strip()
    if number:
        checks.append(lambda i: i.number == number)
    payment = params.get("paymentstatus", "").strip().lower()
    if payment:
        if payment not in ("unpaid", "paid"):
            raise invalid_data(
                f"Virheellinen paymentstatus: {payment} (unpaid tai paid)",
                f"Invalid paymentstatus: {payment} (unpaid or paid)",
            )
        paid = payment == "paid"
        checks.append(lambda i: (i.open_sum == 0) == paid)
    batch = params.get("purchaseinvoicebatchid", "").strip()
    if batch:
        parse_key(batch, "purchaseinvoicebatchid")
        checks.append(lambda i: False)  # the sandbox imports no batches
    return checks


def purchase_invoice_list(call: Call) -> Answer:
    """``GET purchaseinvoicelist.nv``."""
    checks = _filters(call)
    found = [i for i in call.organisation.purchase_invoices.all() if all(c(i) for c in checks)]
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if not found:
        writer.raw("<PurchaseInvoiceList />")
    else:
        writer.open("PurchaseInvoiceList")
        for invoice in found:
            leaf = writer.leaf
            writer.open("PurchaseInvoice")
            leaf("NetvisorKey", str(invoice.key))
            leaf("InvoiceNumber", invoice.number)
            leaf("InvoiceDate", invoice.invoice_date.isoformat(), {"format": "ansi"})
            leaf("Vendor", invoice.vendor.name)
            leaf("VendorOrganizationIdentifier", invoice.vendor.business_id)
            leaf("Sum", _money(invoice.amount))
            leaf("Payments", _money(invoice.paid_amount))
            leaf("OpenSum", _money(invoice.open_sum))
            leaf("Uri", f"{call.base_url}getpurchaseinvoice.nv?netvisorkey={invoice.key}")
            writer.close("PurchaseInvoice")
        writer.close("PurchaseInvoiceList")
    writer.close("Root")
    return Answer(writer.document())


# -- getpurchaseinvoice.nv --------------------------------------------------------------------


class _Options:
    """What getpurchaseinvoice.nv was asked for."""

    def __init__(self, call: Call) -> None:
        version = call.params.get("version", "").strip() or "1"
        if version not in ("1", "2"):
            raise invalid_data(
                f"Virheellinen version: {version} (1 tai 2)",
                f"Invalid version: {version} (1 or 2)",
            )
        self.inside = version == "2"
        omit = call.params.get("omitattachments", "").strip().lower() or "false"
        if omit not in ("true", "false"):
            raise invalid_data(
                f"Virheellinen omitattachments: {omit} (true tai false)",
                f"Invalid omitattachments: {omit} (true or false)",
            )
        self.attachments = omit == "false"
        include = call.params.get("include", "").strip().lower()
        if include:
            known = include in _INCLUDES
            raise invalid_data(
                f"include={include}: ei tuettu Silta-hiekkalaatikossa",
                f"include={include}: "
                + ("not supported by the Silta sandbox" if known else "unknown value"),
            )
        self.language = _language_index(call)


def get_purchase_invoice(call: Call) -> Answer:
    """``GET getpurchaseinvoice.nv``: one key → ``Root/PurchaseInvoice``, a list →
    ``Root/PurchaseInvoices``."""
    register = call.organisation.purchase_invoices
    name, value = choose_one(call, ("netvisorkey", "netvisorkeylist"))
    options = _Options(call)
    dimensions = call.organisation.dimension_register
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if name == "netvisorkey":
        invoice = register.get(parse_key(value, "netvisorkey"))
        if invoice is None:
            writer.raw("<PurchaseInvoice />")
        else:
            _details(writer, invoice, dimensions, options)
    else:
        keys = [parse_key(item, name) for item in parse_list(value, MAX_KEYLIST, name)]
        writer.open("PurchaseInvoices")
        for key in dict.fromkeys(keys):
            found = register.get(key)
            if found is not None:
                _details(writer, found, dimensions, options)
        writer.close("PurchaseInvoices")
    writer.close("Root")
    return Answer(writer.document())


def _details(
    writer: XmlWriter, invoice: PurchaseInvoice, dimensions: DimensionStore, options: _Options
) -> None:
    leaf = writer.leaf
    ansi = {"format": "ansi"}
    vendor = invoice.vendor
    writer.open("PurchaseInvoice")
    leaf("PurchaseInvoiceNetvisorKey", str(invoice.key))
    leaf("PurchaseInvoiceNumber", invoice.number)
    for tag, day in (
        ("PurchaseInvoiceDate", invoice.invoice_date),
        ("PurchaseInvoiceEventDate", invoice.event_date),
        ("PurchaseInvoiceDeliveryDate", invoice.delivery_date),
        ("PurchaseInvoiceDueDate", invoice.due_date),
        ("PurchaseInvoiceValueDate", invoice.value_date),
    ):
        leaf(tag, None if day is None else day.isoformat(), ansi)
    leaf("PurchaseInvoiceReferencenumber", invoice.reference)
    leaf("PurchaseInvoiceVendorBankAccountNumber", vendor.bank_account)
    leaf("IsPurchaseInvoiceVendorBankAccountDeleted", "False")
    leaf("IsPurchaseInvoiceVendorBankAccountFromSEPARegion", "True")
    leaf("PurchaseInvoiceAmount", _money(invoice.amount))
    leaf("PurchaseInvoicePaidAmount", _money(invoice.paid_amount))
    leaf("ForeignCurrencyAmount", _money(invoice.amount))
    leaf("ForeignCurrencyNameID", invoice.currency)
    status = invoice.approval_status
    leaf("InvoiceStatus", STATUS_TEXTS[status][options.language])
    leaf("ApprovalStatus", status)
    leaf("PurchaseInvoiceOurReference", invoice.our_reference)
    leaf("PurchaseInvoiceYourReference", invoice.your_reference)
    leaf("PurchaseInvoiceDescription", invoice.description)
    leaf("VendorNetvisorKey", str(vendor.key))
    leaf("VendorOrganizationIdentifier", vendor.business_id)
    leaf("VendorCode", vendor.code)
    leaf("VendorName", vendor.name)
    leaf("VendorAddressline", vendor.address)
    leaf("VendorPostnumber", vendor.post_number)
    leaf("VendorTown", vendor.town)
    leaf("VendorCountry", vendor.country)
    leaf("VoucherID", None if invoice.voucher is None else str(invoice.voucher))
    leaf("IsAccounted", "True" if invoice.voucher is not None else "False")
    if options.attachments and invoice.attachments:
        writer.open("Attachments")
        for attachment in invoice.attachments:
            writer.open("Attachment")
            leaf("AttachmentBase64Data", base64.b64encode(attachment.data).decode("ascii"))
            leaf("FileName", attachment.file_name)
            leaf("ContentType", attachment.content_type)
            leaf("Comment", attachment.comment)
            writer.close("Attachment")
        writer.close("Attachments")
    writer.open("InvoiceLines")
    for line in invoice.lines:
        _line(writer, line, dimensions, options.inside)
    writer.close("InvoiceLines")
    writer.close("PurchaseInvoice")


def _line(
    writer: XmlWriter, line: PurchaseInvoiceLine, dimensions: DimensionStore, inside: bool
) -> None:
    leaf = writer.leaf
    writer.open("PurchaseInvoiceLine")
    leaf("NetvisorKey", str(line.key))
    leaf("LineSum", _money(line.line_sum))
    leaf("LineNetSum", _four(line.net_sum))
    leaf("UnitPrice", format_amount(line.unit_price))
    leaf("VatPercent", format_percent(line.vat_percent))
    leaf("VatCode", line.vat_code)
    leaf("Description", line.description)
    leaf("Unit", line.unit)
    leaf("OrderedAmount", _quantity(line.quantity))
    leaf("DeliveredAmount", _quantity(line.quantity))
    leaf("ProductCode", line.product_code)
    leaf("DiscountPercentage", _quantity(line.discount))
    leaf("ProductName", line.product_name)
    leaf("AccountingSuggestionBookkeepingAccountNetvisorKey", str(line.account_key))
    leaf("AccountingSuggestionBookkeepingAccount", f"{line.account_number} {line.account_name}")
    if inside:
        _dimensions(writer, line, dimensions)
    writer.close("PurchaseInvoiceLine")
    if not inside:
        _dimensions(writer, line, dimensions)


def _dimensions(writer: XmlWriter, line: PurchaseInvoiceLine, dimensions: DimensionStore) -> None:
    links = line_links(dimensions, line)
    if not links:
        return
    writer.open("PurchaseInvoiceLineDimensions")
    for link in links:
        writer.open("Dimension")
        writer.leaf("DimensionName", link.header_name)
        writer.leaf("DimensionNameNetvisorKey", str(link.header_key))
        writer.leaf("DimensionDetailName", link.item_name)
        writer.leaf("DimensionDetailNetvisorKey", str(link.item_key))
        writer.close("Dimension")
    writer.close("PurchaseInvoiceLineDimensions")


# -- deletedpurchaseinvoices.nv ---------------------------------------------------------------


def deleted_purchase_invoices(call: Call) -> Answer:
    """``GET deletedpurchaseinvoices.nv`` (see the module docstring)."""
    since_text = call.params.get("deletedsince", "").strip()
    week_ago = call.now - KEPT_FOR
    deleted = [
        entry
        for entry in call.organisation.purchase_invoices.deleted()
        if entry.deleted_at >= week_ago
    ]
    if since_text:
        since = parse_changedsince(since_text)
        deleted = [entry for entry in deleted if entry.deleted_at >= since]
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if not deleted:
        writer.raw("<DeletedPurchaseInvoices />")
    else:
        writer.open("DeletedPurchaseInvoices")
        for entry in deleted:
            writer.open("DeletedPurchaseInvoice")
            writer.leaf("NetvisorKey", str(entry.key))
            local = entry.deleted_at.astimezone(HELSINKI)
            writer.leaf("DeleteDate", f"{local:%Y-%m-%d %H:%M}")
            writer.close("DeletedPurchaseInvoice")
        writer.close("DeletedPurchaseInvoices")
    writer.close("Root")
    return Answer(writer.document())


RESOURCES: Final = (
    Resource("purchaseinvoicelist.nv", "GET", purchase_invoice_list),
    Resource("getpurchaseinvoice.nv", "GET", get_purchase_invoice),
    Resource("deletedpurchaseinvoices.nv", "GET", deleted_purchase_invoices),
)
