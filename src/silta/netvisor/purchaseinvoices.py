"""Netvisor's purchase invoices as frozen values, and the readers of their three answers.

``purchaseinvoicelist.nv`` (which invoices changed), ``getpurchaseinvoice.nv`` (their lines
with dimensions) and ``deletedpurchaseinvoices.nv`` (which were deleted), after
``reference/invoices.md`` §2.3, Netvisor's pages A-PL and A-PG, the published fixtures (H)
and R's interfaces. Kept apart from the register readers (:mod:`.responses`) and the sales
invoices (:mod:`.salesinvoices`): they change for other reasons.

Read tolerantly, one test per form in ``tests/netvisor/test_purchase_invoices.py``:

* Names in any case (the parser lowers them); the invoice key as
  ``PurchaseInvoiceNetvisorKey``, as Netvisor's own page misspells it
  (``PurhaseInvoiceNetvisorKey``) or as plain ``NetvisorKey``.
* A line's dimensions inside the line (``version=2``, what the client asks for) or, as
  version 1 and the published fixture have them, in a ``PurchaseInvoiceLineDimensions``
  after the line it belongs to; the item's key as ``DimensionDetailNetvisorKey`` (H) or
  ``DimensionDetailNameNetvisorKey`` (R).
* ``InvoiceStatus`` is a localised word ("Avoin"); the code is ``ApprovalStatus``
  (``open``, ``approved``, ``accepted``...). Both are kept; a ``status`` attribute on
  ``InvoiceStatus``, as sales invoices have, is read as the code too.
* Numbers with a decimal comma or point, empty elements as missing, dates ANSI or Finnish.
* ``OK`` with an empty ``<PurchaseInvoice/>`` is Netvisor's "not found".
* A record without its key, as for the registers (``docs/architecture.md``): the answer to
  one ``netvisorkey`` takes the key asked for; in a list or a ``netvisorkeylist`` answer
  nothing says which record it is, so it goes to the caller's ``unread`` list (or raises
  without one). An invoice with a line that has no ``NetvisorKey`` is unread as a whole:
  a line is half of the register's key, and a line that cannot be keyed cannot be
  transferred exactly once.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from silta.netvisor import xmlcodec as x
from silta.netvisor.errors import NetvisorProtocolError
from silta.netvisor.models import UnreadRecord
from silta.netvisor.salesinvoices import read_date

__all__ = [
    "PURCHASE_INVOICE_STATUSES",
    "DeletedPurchaseInvoice",
    "PurchaseInvoice",
    "PurchaseInvoiceLine",
    "PurchaseInvoiceSummary",
    "PurchaseLineDimension",
    "read_deleted_purchase_invoices",
    "read_purchase_invoice_list",
    "read_purchase_invoices",
]

# purchaseinvoicelist.nv's invoicestatus (Finnish page): open = new / in content check,
# approved = in approval, accepted = approved.
PURCHASE_INVOICE_STATUSES = ("open", "approved", "accepted")

_NETVISOR_TIME = ZoneInfo("Europe/Helsinki")


@attrs.frozen(kw_only=True)
class PurchaseInvoiceSummary:
    """One row of ``purchaseinvoicelist.nv``: no status and no lines (A-PL)."""

    netvisor_key: int
    number: str | None = None
    date: dt.date | None = None
    vendor: str | None = None
    vendor_business_id: str | None = None
    amount: Decimal | None = None
    payments: Decimal | None = None
    open_amount: Decimal | None = None
    uri: str | None = None


@attrs.frozen(kw_only=True)
class PurchaseLineDimension:
    """One dimension on a purchase-invoice line: the header and the item, each with its key.

    The item's key is what a line is matched by (never the name): an item Silta made for a
    Severa project is known by its key in the dimension register's links.
    """

    header: str | None = None
    header_key: int | None = None
    item: str | None = None
    item_key: int | None = None


@attrs.frozen(kw_only=True)
class PurchaseInvoiceLine:
    """One line of ``getpurchaseinvoice.nv``.

    ``line_sum`` is gross (with VAT), ``line_net_sum`` net; ``vat_code`` is the code of the
    line's VAT handling (``KOOS``, ``NONE``...), upper case. ``account`` is the number of the
    accounting suggestion ("4000" of "4000 Ostot").
    """

    netvisor_key: int
    line_sum: Decimal | None = None
    line_net_sum: Decimal | None = None
    unit_price: Decimal | None = None
    vat_percent: Decimal | None = None
    vat_code: str | None = None
    description: str | None = None
    unit: str | None = None
    ordered_amount: Decimal | None = None
    delivered_amount: Decimal | None = None
    product_code: str | None = None
    product_name: str | None = None
    discount_percent: Decimal | None = None
    account: str | None = None
    account_name: str | None = None
    account_key: int | None = None
    dimensions: tuple[PurchaseLineDimension, ...] = ()


@attrs.frozen(kw_only=True)
class PurchaseInvoice:
    """A purchase invoice as ``getpurchaseinvoice.nv`` returns it.

    ``approval_status`` is the code (``open``, ``infactualverification``, ``approved``,
    ``accepted``...), lower case; ``status_text`` is ``InvoiceStatus``, a localised word.
    """

    netvisor_key: int
    number: str | None = None
    date: dt.date | None = None
    event_date: dt.date | None = None
    delivery_date: dt.date | None = None
    due_date: dt.date | None = None
    value_date: dt.date | None = None
    reference_number: str | None = None
    amount: Decimal | None = None
    paid_amount: Decimal | None = None
    currency_amount: Decimal | None = None
    currency: str | None = None
    status: str | None = None
    status_text: str | None = None
    approval_status: str | None = None
    our_reference: str | None = None
    your_reference: str | None = None
    description: str | None = None
    vendor_key: int | None = None
    vendor_code: str | None = None
    vendor_name: str | None = None
    vendor_business_id: str | None = None
    voucher_id: int | None = None
    is_accounted: bool | None = None
    lines: tuple[PurchaseInvoiceLine, ...] = ()


@attrs.frozen(kw_only=True)
class DeletedPurchaseInvoice:
    """One row of ``deletedpurchaseinvoices.nv``; ``deleted_at`` aware (Finnish time)."""

    netvisor_key: int
    deleted_at: dt.datetime | None = None


# -- reading ---------------------------------------------------------------------------------


def _text(element: x.Element | None, *names: str) -> str | None:
    for name in names:
        value = x.read_text(element, name)
        if value is not None:
            return value.strip()
    return None


def _int(element: x.Element | None, *names: str) -> int | None:
    for name in names:
        value = x.read_int(element, name)
        if value is not None:
            return value
    return None


def _code(text: str | None) -> str | None:
    return text.strip().lower() if text and text.strip() else None


def _unread(
    unread: list[UnreadRecord] | None,
    resource: str,
    code: str | None,
    name: str | None,
    reason: str,
) -> None:
    """As :func:`silta.netvisor.responses._unread`: the caller decides what it means."""
    if unread is None:
        raise NetvisorProtocolError(f"{reason} (invoice number {code!r}, vendor {name!r})")
    unread.append(UnreadRecord(resource=resource, code=code, name=name, reason=reason))


def read_purchase_invoice_list(
    root: x.Element, *, unread: list[UnreadRecord] | None = None
) -> list[PurchaseInvoiceSummary]:
    """The rows of ``purchaseinvoicelist.nv``; an empty list is ``<PurchaseInvoiceList/>``."""
    rows = []
    for element in x.children(x.child(root, "purchaseinvoicelist"), "purchaseinvoice"):
        key = x.read_int(element, "netvisorkey")
        number = _text(element, "invoicenumber")
        vendor = _text(element, "vendor", "vendorname")
        if key is None:
            reason = "purchaseinvoicelist.nv answered a row without its NetvisorKey"
            _unread(unread, "purchaseinvoicelist.nv", number, vendor, reason)
            continue
        rows.append(
            PurchaseInvoiceSummary(
                netvisor_key=key,
                number=number,
                date=read_date(element, "invoicedate"),
                vendor=vendor,
                vendor_business_id=_text(element, "vendororganizationidentifier"),
                amount=x.read_decimal(element, "sum"),
                payments=x.read_decimal(element, "payments"),
                open_amount=x.read_decimal(element, "opensum"),
                uri=_text(element, "uri"),
            )
        )
    return rows


def _dimensions(container: x.Element | None) -> list[PurchaseLineDimension]:
    """``Dimension`` elements of a ``PurchaseInvoiceLineDimensions`` (or bare on a line)."""
    found = []
    for dimension in x.children(container, "dimension"):
        found.append(
            PurchaseLineDimension(
                header=_text(dimension, "dimensionname"),
                header_key=_int(dimension, "dimensionnamenetvisorkey"),
                item=_text(dimension, "dimensiondetailname", "dimensionitem"),
                item_key=_int(
                    dimension, "dimensiondetailnetvisorkey", "dimensiondetailnamenetvisorkey"
                ),
            )
        )
    return found


_ACCOUNT = re.compile(r"^\s*(\d+)\s*(.*)$")


def _account(text: str | None) -> tuple[str | None, str | None]:
    """ "4000 Ostot" -> ("4000", "Ostot"); a bare number -> (number, None)."""
    if text is None:
        return None, None
    match = _ACCOUNT.match(text)
    if match is None:
        return None, text.strip() or None
    return match[1], match[2].strip() or None


def _line(element: x.Element, extra: list[PurchaseLineDimension]) -> PurchaseInvoiceLine | None:
    """One line, or ``None`` when it has no key (the caller makes the invoice unread)."""
    key = x.read_int(element, "netvisorkey")
    if key is None:
        return None
    inside = _dimensions(x.child(element, "purchaseinvoicelinedimensions"))
    inside += _dimensions(element)
    account, account_name = _account(_text(element, "accountingsuggestionbookkeepingaccount"))
    vat_code = _text(element, "vatcode")
    return PurchaseInvoiceLine(
        netvisor_key=key,
        line_sum=x.read_decimal(element, "linesum"),
        line_net_sum=x.read_decimal(element, "linenetsum"),
        unit_price=x.read_decimal(element, "unitprice"),
        vat_percent=x.read_decimal(element, "vatpercent"),
        vat_code=vat_code.upper() if vat_code else None,
        description=_text(element, "description"),
        unit=_text(element, "unit"),
        ordered_amount=x.read_decimal(element, "orderedamount"),
        delivered_amount=x.read_decimal(element, "deliveredamount"),
        product_code=_text(element, "productcode"),
        product_name=_text(element, "productname"),
        discount_percent=x.read_decimal(element, "discountpercentage"),
        account=account,
        account_name=account_name,
        account_key=_int(element, "accountingsuggestionbookkeepingaccountnetvisorkey"),
        dimensions=tuple(inside + extra),
    )


def _lines(element: x.Element) -> list[PurchaseInvoiceLine] | None:
    """The invoice's lines in order, version 1 or 2; ``None`` when one has no key.

    Version 1 puts a ``PurchaseInvoiceLineDimensions`` after the line it belongs to (the
    published fixture); it is attached to the line before it. Dimensions before any line
    cannot be placed and are an unreadable answer, not silently dropped: a dropped project
    item would make a project cost look like an ordinary purchase.
    """
    container = x.child(element, "invoicelines")
    if container is None:
        return []
    raw: list[tuple[x.Element, list[PurchaseLineDimension]]] = []
    for child in container:
        if child.tag == "purchaseinvoiceline":
            raw.append((child, []))
        elif child.tag == "purchaseinvoicelinedimensions":
            if not raw:
                raise NetvisorProtocolError(
                    "getpurchaseinvoice.nv put line dimensions before any line"
                )
            raw[-1][1].extend(_dimensions(child))
    lines = []
    for line_element, extra in raw:
        line = _line(line_element, extra)
        if line is None:
            return None
        lines.append(line)
    return lines


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    word = text.strip().lower()
    if word in ("1", "true", "yes", "kyllä"):
        return True
    if word in ("0", "false", "no", "ei"):
        return False
    return None


def _currency(element: x.Element) -> str | None:
    code = _text(element, "foreigncurrencynameid")
    return code.upper() if code else None


_KEY_NAMES = ("purchaseinvoicenetvisorkey", "purhaseinvoicenetvisorkey", "netvisorkey")


def _invoice(
    element: x.Element,
    *,
    requested_key: int | None,
    unread: list[UnreadRecord] | None,
) -> PurchaseInvoice | None:
    if len(element) == 0 and not (element.text or "").strip():
        return None  # Netvisor's "not found"
    number = _text(element, "purchaseinvoicenumber")
    vendor = _text(element, "vendorname")
    key = _int(element, *_KEY_NAMES)
    if key is None:
        key = requested_key
    if key is None:
        reason = "getpurchaseinvoice.nv answered an invoice without its NetvisorKey"
        _unread(unread, "getpurchaseinvoice.nv", number, vendor, reason)
        return None
    lines = _lines(element)
    if lines is None:
        reason = f"getpurchaseinvoice.nv answered invoice {key} with a line without its NetvisorKey"
        _unread(unread, "getpurchaseinvoice.nv", number, vendor, reason)
        return None
    status = x.child(element, "invoicestatus")
    return PurchaseInvoice(
        netvisor_key=key,
        number=number,
        date=read_date(element, "purchaseinvoicedate"),
        event_date=read_date(element, "purchaseinvoiceeventdate"),
        delivery_date=read_date(element, "purchaseinvoicedeliverydate"),
        due_date=read_date(element, "purchaseinvoiceduedate"),
        value_date=read_date(element, "purchaseinvoicevaluedate"),
        # "Referencenumber" in the answers, "ReferenceNumber" in R: both lower to one name.
        reference_number=_text(element, "purchaseinvoicereferencenumber"),
        amount=x.read_decimal(element, "purchaseinvoiceamount"),
        paid_amount=x.read_decimal(element, "purchaseinvoicepaidamount"),
        currency_amount=x.read_decimal(element, "foreigncurrencyamount"),
        currency=_currency(element),
        status=_code(status.get("status")) if status is not None else None,
        status_text=_text(element, "invoicestatus"),
        approval_status=_code(_text(element, "approvalstatus")),
        our_reference=_text(element, "purchaseinvoiceourreference"),
        your_reference=_text(element, "purchaseinvoiceyourreference"),
        description=_text(element, "purchaseinvoicedescription"),
        vendor_key=_int(element, "vendornetvisorkey"),
        vendor_code=_text(element, "vendorcode"),
        vendor_name=vendor,
        vendor_business_id=_text(element, "vendororganizationidentifier"),
        voucher_id=_int(element, "voucherid"),
        is_accounted=_flag(_text(element, "isaccounted")),
        lines=tuple(lines),
    )


def _records(root: x.Element) -> list[x.Element]:
    """``Root/PurchaseInvoice`` (one key) and ``Root/PurchaseInvoices/PurchaseInvoice``."""
    found = list(x.children(root, "purchaseinvoice"))
    for group in x.children(root, "purchaseinvoices"):
        found.extend(x.children(group, "purchaseinvoice"))
    return found


def read_purchase_invoices(
    root: x.Element,
    *,
    requested_key: int | None = None,
    unread: list[UnreadRecord] | None = None,
) -> list[PurchaseInvoice]:
    """Every invoice of a ``getpurchaseinvoice.nv`` answer, skipping the empty "not found".

    ``requested_key``: the one key asked for, which an invoice without its own takes.
    """
    records = _records(root)
    if requested_key is not None and len(records) != 1:
        requested_key = None  # more than one record: nothing says which is which
    found = (_invoice(e, requested_key=requested_key, unread=unread) for e in records)
    return [invoice for invoice in found if invoice is not None]


_DELETED_AT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _deleted_at(text: str | None) -> dt.datetime | None:
    """``2022-06-08 15:14`` (Netvisor's ANSI date-time, Finnish wall clock) -> aware."""
    if text is None:
        return None
    match = _DELETED_AT.match(text.strip())
    if match is None:
        raise NetvisorProtocolError(f"<DeleteDate> is not a date ({len(text)} characters)")
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=_NETVISOR_TIME)
    except ValueError:
        raise NetvisorProtocolError("<DeleteDate> is not a valid date") from None


def read_deleted_purchase_invoices(root: x.Element) -> list[DeletedPurchaseInvoice]:
    """The rows of ``deletedpurchaseinvoices.nv``.

    A row without its key says nothing usable (a deletion of what?): it is skipped, which
    at worst leaves a deletion unreported, never a record written.
    """
    rows = []
    container = x.child(root, "deletedpurchaseinvoices")
    for element in x.children(container, "deletedpurchaseinvoice"):
        key = x.read_int(element, "netvisorkey")
        if key is None:
            continue
        rows.append(
            DeletedPurchaseInvoice(
                netvisor_key=key, deleted_at=_deleted_at(_text(element, "deletedate"))
            )
        )
    return rows
