"""Netvisor's records as frozen values, with Netvisor's own field meanings.

These mirror the API, not the article: mapping to canonical records is the business of
:mod:`silta.registers`. Text fields are ``None`` when Netvisor gave nothing (element missing
or empty), so that "empty" has one spelling.

On writes, a ``None`` field is **not sent**. On ``method=edit`` Netvisor reads an empty
element as "blank this field" (``reference/netvisor-api.md`` §3), so an edit carries only
the changed fields, and a field being cleared is spelled ``""``. :meth:`CustomerData.changes_to`
builds exactly that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, is_not
from typing import Any, Literal

import attrs

__all__ = [
    "VAT_CODES",
    "CreditNoteMatch",
    "Customer",
    "CustomerData",
    "CustomerSummary",
    "DimensionHeader",
    "DimensionItem",
    "DimensionItemWrite",
    "InvoiceDimension",
    "PriceType",
    "Product",
    "ProductData",
    "ProductSummary",
    "SalesInvoice",
    "SalesInvoiceData",
    "SalesInvoiceLine",
    "SalesInvoiceLineData",
    "SalesInvoiceSummary",
    "UnreadRecord",
]

PriceType = Literal["net", "gross"]


@attrs.frozen(kw_only=True)
class CustomerData:
    """The customer fields Silta reads and writes (``customer.nv`` / ``getcustomer.nv``)."""

    code: str | None = None  # internalidentifier: the customer code (asiakaskoodi)
    business_id: str | None = None  # externalidentifier: Y-tunnus, or a person's id
    organization_unit_number: str | None = None  # OVT of the recipient, 12-17 digits
    name: str | None = None
    name_extension: str | None = None
    street_address: str | None = None
    additional_address_line: str | None = None
    city: str | None = None
    post_number: str | None = None
    country: str | None = None  # ISO 3166 alpha-2
    group_name: str | None = None
    phone_number: str | None = None
    fax_number: str | None = None
    email: str | None = None
    home_page_uri: str | None = None
    is_active: bool | None = None
    is_private_customer: bool | None = None
    email_invoicing_address: str | None = None
    finvoice_address: str | None = None
    finvoice_router_code: str | None = None  # the e-invoice operator (intermediator) id
    delivery_name: str | None = None
    delivery_street_address: str | None = None
    delivery_city: str | None = None
    delivery_post_number: str | None = None
    delivery_country: str | None = None
    comment: str | None = None
    invoicing_language: str | None = None  # FI, EN or SE (Swedish is SE in Netvisor)

    def changes_to(self, new: CustomerData) -> CustomerData:
        """The edit that turns ``self`` into ``new``: only differing fields are set.

        A text field that ``new`` leaves empty becomes ``""`` (blank it); a boolean that
        ``new`` leaves unknown is not sent, since Netvisor has no "no value" for it.
        """
        changed: dict[str, Any] = {}
        for field in attrs.fields(CustomerData):
            old_value = getattr(self, field.name)
            new_value = getattr(new, field.name)
            if _blank(old_value) == _blank(new_value):
                continue
            if new_value is None or new_value == "":
                if field.name in _BOOLEAN_FIELDS:
                    continue
                new_value = ""
            changed[field.name] = new_value
        return CustomerData(**changed)

    def is_empty(self) -> bool:
        """True when no field is set: an edit with nothing to send."""
        return all(getattr(self, f.name) is None for f in attrs.fields(CustomerData))

    def set_fields(self) -> Iterator[str]:
        """Names of the fields that carry a value (``""`` included), in declaration order."""
        # All values in one attrgetter call, the names picked in C: called per planned
        # customer, a generator doing a getattr per field showed in the profile.
        return compress(_CUSTOMER_FIELDS, map(is_not, _customer_values(self), repeat(None)))


# CustomerData's field names, once: attrs.fields() per record showed in the planning profile.
_CUSTOMER_FIELDS = tuple(f.name for f in attrs.fields(CustomerData))
_customer_values = attrgetter(*_CUSTOMER_FIELDS)

_BOOLEAN_FIELDS = frozenset({"is_active", "is_private_customer"})


def _blank(value: object) -> object:
    return None if value == "" else value


@attrs.frozen(kw_only=True)
class Customer(CustomerData):
    """A customer as ``getcustomer.nv`` returns it."""

    netvisor_key: int
    group_key: int | None = None

    def data(self) -> CustomerData:
        """The writable fields alone, e.g. as the ``old`` side of :meth:`changes_to`."""
        return CustomerData(**{f.name: getattr(self, f.name) for f in attrs.fields(CustomerData)})


@attrs.frozen(kw_only=True)
class CustomerSummary:
    """One row of ``customerlist.nv``: key fields only; details come from ``getcustomer.nv``."""

    netvisor_key: int
    name: str | None
    code: str | None
    business_id: str | None
    group_id: int | None = None
    group_name: str | None = None


@attrs.frozen(kw_only=True)
class ProductData:
    """A product to add with ``product.nv`` (required elements as the DTD requires them)."""

    code: str | None
    group: str  # productgroup: required; Netvisor creates an unknown group
    name: str
    unit_price: Decimal
    unit_price_type: PriceType = "net"
    is_active: bool
    is_sales_product: bool
    description: str | None = None
    unit: str | None = None
    purchase_price: Decimal | None = None
    vat_percent: Decimal | None = None  # productbookkeepingdetails/defaultvatpercentage


@attrs.frozen(kw_only=True)
class Product:
    """A product as ``getproduct.nv`` returns it. Prices are net unless named gross."""

    netvisor_key: int
    code: str | None
    name: str | None
    group: str | None = None
    description: str | None = None
    unit_price: Decimal | None = None
    unit_gross_price: Decimal | None = None
    unit: str | None = None
    purchase_price: Decimal | None = None
    is_active: bool | None = None
    is_sales_product: bool | None = None
    vat_percent: Decimal | None = None


@attrs.frozen(kw_only=True)
class ProductSummary:
    """One row of ``productlist.nv``."""

    netvisor_key: int
    code: str | None
    name: str | None
    unit_price: Decimal | None = None
    unit_gross_price: Decimal | None = None
    group_id: int | None = None
    group_description: str | None = None


@attrs.frozen(kw_only=True)
class DimensionItem:
    """One item (laskentakohde) under a header; ``father_id`` 0 means top level.

    ``sort``/``end_sort`` form a nested-set listing: the descendants of an item are the items
    of the same header with ``sort`` in ``(sort, end_sort]``.
    """

    netvisor_key: int
    name: str
    is_hidden: bool = False
    level: int = 1
    sort: int = 0
    end_sort: int = 0
    father_id: int = 0
    code: str | None = None
    label: str | None = None


@attrs.frozen(kw_only=True)
class DimensionHeader:
    """A dimension header (laskentakohdeotsikko) with its items in Netvisor's order."""

    netvisor_key: int
    name: str
    is_hidden: bool = False
    link_type: int | None = None
    items: tuple[DimensionItem, ...] = ()

    def find(self, name: str, *, father_id: int | None = None) -> list[DimensionItem]:
        """Items called ``name``, optionally only those directly under ``father_id``."""
        return [
            item
            for item in self.items
            if item.name == name and (father_id is None or item.father_id == father_id)
        ]

    def children(self, father_id: int) -> list[DimensionItem]:
        """The items directly under ``father_id`` (0 for the top level)."""
        return [item for item in self.items if item.father_id == father_id]


@attrs.frozen(kw_only=True)
class DimensionItemWrite:
    """The body of one ``dimensionitem.nv`` request (add, rename, move or hide).

    ``father_id``/``father_item`` place a new item under a parent; on an edit they narrow the
    search for ``old_item`` to that parent's children, or, with ``updateparentreference``,
    name the new parent.
    """

    header: str
    item: str
    old_item: str | None = None
    father_id: int | None = None
    father_item: str | None = None
    hidden: bool | None = None


@attrs.frozen(kw_only=True)
class UnreadRecord:
    """A record of a list answer that could not be read, e.g. one without its NetvisorKey.

    The rest of the answer is used: one such record must not fail the records around it.
    ``code`` and ``name`` are what the record did carry, so that the caller can tell the
    user which record it was; ``resource`` is the call that answered it.
    """

    resource: str
    code: str | None
    name: str | None
    reason: str


# -- sales invoices ----------------------------------------------------------------------------

# productvatpercentage's vatcode values, as salesinvoice.dtd lists them.
VAT_CODES = frozenset(
    [
        "NONE",
        "KOOS",
        "EUOS",
        "EUUO",
        "EUPO",
        "100",
        "KOMY",
        "EUMY",
        "EUUM",
        "EUPM312",
        "EUPM309",
        "MUUL",
        "EVTO",
        "EVPO",
        "EVKV",
        "KAVE",
        "RAMY",
        "RAOS",
        "EVRO",
        "MAAL",
        "EVMA",
        "KOMY0",
    ]
)
# Statuses an added invoice may take (reference/invoices.md §2.1): open = already sent
# elsewhere, ledger only; unsent = Netvisor sends it. Orders and drafts are out of scope.
_ADD_STATUSES = ("unsent", "open")
_IDENTIFIER_TYPES = ("customer", "netvisor")  # customer = the code, netvisor = the key


@attrs.frozen(kw_only=True)
class InvoiceDimension:
    """One dimension on an invoice line, by names: the header and the item under it."""

    header: str
    item: str


@attrs.frozen(kw_only=True)
class SalesInvoiceLineData:
    """One product line of ``salesinvoice.nv``.

    ``unit_price`` is net and, for Netvisor, never negative: a credit note or a discount
    carries its sign in ``quantity`` (and in the sums). ``line_sum`` is gross (net + VAT),
    as Netvisor's own answers show it; Netvisor uses the two sums only when both are given.
    """

    product_identifier: str
    product_identifier_type: str = attrs.field(
        default="customer", validator=attrs.validators.in_(_IDENTIFIER_TYPES)
    )
    name: str
    unit_price: Decimal
    vat_percent: Decimal
    vat_code: str = attrs.field(validator=attrs.validators.in_(VAT_CODES))
    quantity: Decimal
    vat_sum: Decimal | None = None
    line_sum: Decimal | None = None
    account: str | None = None  # accountingaccountsuggestion: the sales account number
    dimensions: tuple[InvoiceDimension, ...] = ()


@attrs.frozen(kw_only=True)
class SalesInvoiceData:
    """A sales invoice (or credit note) to add with ``salesinvoice.nv?method=add``.

    A credit note is the same message with negative quantities and total. Giving any of the
    ``customer_*`` address fields makes Netvisor copy nothing from its customer card, which
    is what a TEMP customer needs (the real buyer's name and address).
    """

    number: str | None = None  # None: Netvisor takes the next free number
    date: dt.date
    due_date: dt.date | None = None
    reference_number: str | None = None
    amount: Decimal  # salesinvoiceamount: the total including VAT, used as given
    currency: str = "EUR"
    status: str = attrs.field(default="unsent", validator=attrs.validators.in_(_ADD_STATUSES))
    free_text_after_lines: str | None = None
    our_reference: str | None = None
    your_reference: str | None = None
    private_comment: str | None = None
    customer_identifier: str
    customer_identifier_type: str = attrs.field(
        default="customer", validator=attrs.validators.in_(_IDENTIFIER_TYPES)
    )
    customer_name: str | None = None
    customer_address_line: str | None = None
    customer_post_number: str | None = None
    customer_town: str | None = None
    customer_country: str | None = None  # ISO 3166 alpha-2
    payment_term_net_days: int | None = None
    order_number: str | None = None
    lines: tuple[SalesInvoiceLineData, ...]


@attrs.frozen(kw_only=True)
class CreditNoteMatch:
    """The body of ``matchcreditnote.nv``: which credit note credits which invoice."""

    credit_note_key: int
    invoice_key: int


@attrs.frozen(kw_only=True)
class SalesInvoiceSummary:
    """One row of ``salesinvoicelist.nv``.

    ``status`` is Netvisor's code in lower case (``open``, ``unsent``, ``paid``...);
    ``substatus`` narrows an open one (``overdue``, ``reminded``...). The private comment
    and currency sums come only when asked for with ``replyoption``.
    """

    netvisor_key: int
    number: str | None = None
    date: dt.date | None = None
    due_date: dt.date | None = None
    status: str | None = None
    substatus: str | None = None
    in_collection: bool | None = None
    customer_key: int | None = None
    customer_code: str | None = None
    customer_name: str | None = None
    reference_number: str | None = None
    amount: Decimal | None = None  # InvoiceSum, in the company's currency
    open_amount: Decimal | None = None
    private_comment: str | None = None
    currency: str | None = None
    currency_amount: Decimal | None = None
    open_currency_amount: Decimal | None = None
    uri: str | None = None


@attrs.frozen(kw_only=True)
class SalesInvoiceLine:
    """One product line as ``getsalesinvoice.nv`` returns it."""

    netvisor_key: int | None = None
    product_identifier: str | None = None
    product_identifier_type: str | None = None
    product_key: int | None = None
    name: str | None = None
    unit_price: Decimal | None = None
    vat_percent: Decimal | None = None
    vat_code: str | None = None
    quantity: Decimal | None = None
    discount_percent: Decimal | None = None
    free_text: str | None = None
    vat_sum: Decimal | None = None
    line_sum: Decimal | None = None
    account: str | None = None
    dimensions: tuple[InvoiceDimension, ...] = ()


@attrs.frozen(kw_only=True)
class SalesInvoice:
    """A sales invoice as ``getsalesinvoice.nv`` returns it.

    ``status`` is the code (Netvisor puts it in the attribute ``status``; the element's text
    is a localised word, kept as ``status_text``). ``netvisor_key`` is ``None`` only when an
    answer to a single ``netvisorkey`` left it out; the client fills it in then.
    """

    netvisor_key: int | None = None
    number: str | None = None
    date: dt.date | None = None
    event_date: dt.date | None = None
    due_date: dt.date | None = None
    reference_number: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    status: str | None = None
    status_text: str | None = None
    free_text_before_lines: str | None = None
    free_text_after_lines: str | None = None
    our_reference: str | None = None
    your_reference: str | None = None
    private_comment: str | None = None
    customer_key: int | None = None
    customer_code: str | None = None
    customer_name: str | None = None
    customer_business_id: str | None = None
    customer_address_line: str | None = None
    customer_post_number: str | None = None
    customer_town: str | None = None
    customer_country: str | None = None
    payment_term_net_days: int | None = None
    credited_invoice_key: int | None = None
    voucher_key: int | None = None
    lines: tuple[SalesInvoiceLine, ...] = ()
    comment_lines: tuple[str, ...] = ()
