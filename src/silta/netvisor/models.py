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

from collections.abc import Iterator
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, is_not
from typing import Any, Literal

import attrs

__all__ = [
    "Customer",
    "CustomerData",
    "CustomerSummary",
    "DimensionHeader",
    "DimensionItem",
    "DimensionItemWrite",
    "PriceType",
    "Product",
    "ProductData",
    "ProductSummary",
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
