"""Netvisor's answers about sales invoices, read into :mod:`silta.netvisor.models`.

Kept apart from :mod:`silta.netvisor.responses` (the register readers) because the two
grow for different reasons. The same tolerance applies: names are looked up in lower case
(the parser lowers them), numbers take a decimal comma or point, an empty element reads as
missing, unknown elements are ignored. What these answers add (``reference/invoices.md``
§2.2 and the fixtures it cites):

* ``getsalesinvoice.nv`` answers an unknown key with ``OK`` and an empty ``<SalesInvoice/>``:
  that reads as "not found", not as an invoice with nothing in it.
* ``InvoiceStatus`` in ``getsalesinvoice.nv`` is a localised word with the code in the
  attribute ``status``; in ``salesinvoicelist.nv`` the text is the code and ``substatus``
  narrows it. Both are read into a lower-case code.
* Dates come as ANSI ``yyyy-mm-dd`` (``format="ansi"``); the Finnish ``d.m.yyyy`` is read too.
* The country of the invoicing customer may be the code in an ``ISO-3166`` attribute with the
  country's name as text, or the code as text.
* A product line may sit directly in ``InvoiceLine`` or several in one ``InvoiceLine`` (as a
  published fixture has them): every ``SalesInvoiceProductLine`` under ``InvoiceLines`` is read.
"""

from __future__ import annotations

import re
from datetime import date

from silta.netvisor import xmlcodec as x
from silta.netvisor.errors import NetvisorProtocolError
from silta.netvisor.models import (
    InvoiceDimension,
    SalesInvoice,
    SalesInvoiceLine,
    SalesInvoiceSummary,
)

__all__ = ["read_date", "read_sales_invoice_list", "read_sales_invoices"]

_ANSI = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_FINNISH = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})")


def read_date(element: x.Element | None, name: str) -> date | None:
    """A date child: ANSI ``2026-03-31`` (a time after it is ignored) or ``31.3.2026``."""
    text = x.read_text(element, name)
    if text is None:
        return None
    text = text.strip()
    try:
        if match := _ANSI.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _FINNISH.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        pass
    raise NetvisorProtocolError(f"<{name}> is not a date: {text[:40]!r}")


def _attribute(element: x.Element | None, name: str, attribute: str) -> str | None:
    found = x.child(element, name)
    if found is None:
        return None
    value = (found.get(attribute) or "").strip()
    return value or None


def _code(text: str | None) -> str | None:
    return text.strip().lower() if text and text.strip() else None


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    word = text.strip().lower()
    if word in ("1", "true", "yes", "kyllä"):
        return True
    if word in ("0", "false", "no", "ei"):
        return False
    return None


def _first_text(element: x.Element | None, *names: str) -> str | None:
    for name in names:
        value = x.read_text(element, name)
        if value is not None:
            return value.strip()
    return None


def read_sales_invoice_list(root: x.Element) -> list[SalesInvoiceSummary]:
    """The rows of ``salesinvoicelist.nv`` (``SalesInvoiceList/SalesInvoice``).

    An empty list is ``<SalesInvoiceList/>``; a row without a NetvisorKey cannot be used
    for anything and is an unreadable answer.
    """
    rows = []
    for element in x.children(x.child(root, "salesinvoicelist"), "salesinvoice"):
        key = x.read_int(element, "netvisorkey")
        if key is None:
            raise NetvisorProtocolError("a salesinvoicelist.nv row has no NetvisorKey")
        extra = x.child(element, "additionalinformation")
        rows.append(
            SalesInvoiceSummary(
                netvisor_key=key,
                number=_first_text(element, "invoicenumber"),
                date=read_date(element, "invoicedate"),
                due_date=read_date(element, "invoiceduedate"),
                status=_code(x.read_text(element, "invoicestatus")),
                substatus=_code(_attribute(element, "invoicestatus", "substatus")),
                in_collection=_flag(_attribute(element, "invoicestatus", "isincollection")),
                customer_key=x.read_int(element, "customernetvisorkey"),
                customer_code=_first_text(element, "customercode"),
                customer_name=_first_text(element, "customername"),
                reference_number=_first_text(element, "referencenumber"),
                amount=x.read_decimal(element, "invoicesum"),
                open_amount=x.read_decimal(element, "opensum"),
                # replyoption 1 puts the comment under AdditionalInformation; accept it
                # beside the other fields too.
                private_comment=_first_text(extra, "privatecomment")
                or _first_text(element, "privatecomment"),
                currency=_attribute(extra, "invoicecurrencysum", "currencycode"),
                currency_amount=x.read_decimal(extra, "invoicecurrencysum"),
                open_currency_amount=x.read_decimal(extra, "opencurrencysum"),
                uri=_first_text(element, "uri"),
            )
        )
    return rows


def _records(root: x.Element) -> list[x.Element]:
    """``Root/SalesInvoice`` (answer to ``netvisorkey``) and ``Root/SalesInvoices/SalesInvoice``."""
    found = list(x.children(root, "salesinvoice"))
    for group in x.children(root, "salesinvoices"):
        found.extend(x.children(group, "salesinvoice"))
    return found


def _country(element: x.Element) -> str | None:
    found = x.child(element, "invoicingcustomercountrycode")
    if found is None:
        return None
    for attribute in ("iso-3166", "type"):
        value = (found.get(attribute) or "").strip()
        if len(value) == 2 and value.isalpha():
            return value.upper()
    text = (found.text or "").strip()
    return text.upper() if len(text) == 2 and text.isalpha() else None


def _line(element: x.Element) -> SalesInvoiceLine:
    dimensions = []
    for dimension in x.children(element, "dimension"):
        header = _first_text(dimension, "dimensionname")
        item = _first_text(dimension, "dimensionitem")
        if header is not None and item is not None:
            dimensions.append(InvoiceDimension(header=header, item=item))
    identifier = x.child(element, "productidentifier")
    return SalesInvoiceLine(
        netvisor_key=x.read_int(element, "netvisorkey"),
        product_identifier=_first_text(element, "productidentifier"),
        product_identifier_type=_code(identifier.get("type")) if identifier is not None else None,
        product_key=x.read_int(element, "productnetvisorkey"),
        name=_first_text(element, "productname"),
        unit_price=x.read_decimal(element, "productunitprice"),
        vat_percent=x.read_decimal(element, "productvatpercentage"),
        vat_code=(_attribute(element, "productvatpercentage", "vatcode") or "").upper() or None,
        quantity=x.read_decimal(element, "salesinvoiceproductlinequantity"),
        discount_percent=x.read_decimal(element, "salesinvoiceproductlinediscountpercentage"),
        free_text=_first_text(element, "salesinvoiceproductlinefreetext"),
        vat_sum=x.read_decimal(element, "salesinvoiceproductlinevatsum"),
        line_sum=x.read_decimal(element, "salesinvoiceproductlinesum"),
        # The account may be a number or "3000 Myynti"; keep the number part.
        account=_account(
            _first_text(element, "accountingaccountsuggestionaccountnumber")
            or _first_text(element, "accountingaccountsuggestion")
        ),
        dimensions=tuple(dimensions),
    )


def _account(text: str | None) -> str | None:
    if text is None:
        return None
    return text.split()[0]


def read_sales_invoice(element: x.Element) -> SalesInvoice | None:
    """One ``<SalesInvoice>`` of ``getsalesinvoice.nv``; ``None`` for the empty "not found"."""
    if len(element) == 0 and not (element.text or "").strip():
        return None
    lines_element = x.child(element, "invoicelines")
    lines = (
        [_line(line) for line in x.descendants(lines_element, "salesinvoiceproductline")]
        if lines_element is not None
        else []
    )
    comments = (
        [
            text
            for comment in x.descendants(lines_element, "salesinvoicecommentline")
            if (text := _first_text(comment, "comment")) is not None
        ]
        if lines_element is not None
        else []
    )
    status = x.child(element, "invoicestatus")
    status_code = _code(status.get("status")) if status is not None else None
    status_text = _first_text(element, "invoicestatus")
    return SalesInvoice(
        netvisor_key=x.read_int(element, "salesinvoicenetvisorkey")
        or x.read_int(element, "netvisorkey"),
        number=_first_text(element, "salesinvoicenumber"),
        date=read_date(element, "salesinvoicedate"),
        event_date=read_date(element, "salesinvoiceeventdate"),
        due_date=read_date(element, "salesinvoiceduedate"),
        # Netvisor spells it "Referencenumber" here; both spellings lower to one name.
        reference_number=_first_text(element, "salesinvoicereferencenumber"),
        amount=x.read_decimal(element, "salesinvoiceamount"),
        currency=_attribute(element, "salesinvoiceamount", "iso4217currencycode"),
        # Without the attribute the text is the code (as in salesinvoicelist.nv).
        status=status_code or _code(status_text),
        status_text=status_text,
        free_text_before_lines=_first_text(element, "salesinvoicefreetextbeforelines"),
        free_text_after_lines=_first_text(element, "salesinvoicefreetextafterlines"),
        our_reference=_first_text(element, "salesinvoiceourreference"),
        your_reference=_first_text(element, "salesinvoiceyourreference"),
        private_comment=_first_text(element, "salesinvoiceprivatecomment"),
        customer_key=x.read_int(element, "invoicingcustomernetvisorkey"),
        customer_code=_first_text(element, "invoicingcustomercode"),
        customer_name=_first_text(element, "invoicingcustomername"),
        customer_business_id=_first_text(element, "invoicingcustomerorganizationidentifier"),
        customer_address_line=_first_text(element, "invoicingcustomeraddressline"),
        customer_post_number=_first_text(element, "invoicingcustomerpostnumber"),
        customer_town=_first_text(element, "invoicingcustomertown"),
        customer_country=_country(element),
        payment_term_net_days=x.read_int(element, "paymenttermnetdays"),
        credited_invoice_key=x.read_int(element, "creditedinvoicenetvisorkey"),
        voucher_key=_voucher_key(element),
        lines=tuple(lines),
        comment_lines=tuple(comments),
    )


def _voucher_key(element: x.Element) -> int | None:
    value = _attribute(element, "invoicevoucher", "netvisorkey")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise NetvisorProtocolError(f"InvoiceVoucher netvisorkey {value[:20]!r}") from None


def read_sales_invoices(root: x.Element) -> list[SalesInvoice]:
    """Every invoice of a ``getsalesinvoice.nv`` answer, skipping empty "not found" ones."""
    found = (read_sales_invoice(element) for element in _records(root))
    return [invoice for invoice in found if invoice is not None]
