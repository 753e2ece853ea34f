"""Netvisor's answers read into :mod:`silta.netvisor.models`, one reader per resource.

Element names are looked up in lower case (the parser lower-cases them). Where Netvisor is
known to spell an element two ways, every spelling is listed. Unknown elements are ignored,
so new fields on Netvisor's side never break a read.

Forms read alike (one test each in ``tests/netvisor/test_observed_forms.py``):

* A price's ``type`` attribute in English or Finnish, in any letter case: ``net``/``netto``,
  ``gross``/``brutto`` (:data:`PRICE_TYPES`). Without one, ``UnitPrice`` is net and
  ``UnitGrossPrice`` gross. ``UnitPrice type="brutto"`` alone is a gross price with the net
  one unknown; a price type not in the table is refused rather than guessed.
* A record without its ``NetvisorKey``: the answer to ``getcustomer.nv?id=`` (or
  ``getproduct.nv?id=``) is the record asked for, so it takes the requested key. In a list
  (``idlist``, ``customerlist.nv``, ``productlist.nv``) nothing says which record it is: it
  becomes an :class:`~silta.netvisor.models.UnreadRecord` and the other records are read.
* Empty elements (``<Email />``, ``<Email></Email>``) and missing ones read alike, as
  ``None``; numbers with a decimal comma or point (:func:`~silta.netvisor.xmlcodec.read_decimal`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, Final

from silta.netvisor import xmlcodec as x
from silta.netvisor.errors import NetvisorProtocolError
from silta.netvisor.models import (
    Customer,
    CustomerSummary,
    DimensionHeader,
    DimensionItem,
    Product,
    ProductSummary,
    UnreadRecord,
)

__all__ = [
    "PRICE_TYPES",
    "read_customer",
    "read_customer_list",
    "read_customers",
    "read_dimension_list",
    "read_inserted_key",
    "read_product",
    "read_product_list",
    "read_products",
]

log = logging.getLogger("silta.netvisor")

Reader = Callable[[x.Element | None, str], Any]

#: A price's ``type`` attribute, lower-cased, to what the price is. Netvisor's answers use
#: the English and the Finnish (and Swedish) words; a gross price read as net would put the
#: VAT into Severa's net price.
PRICE_TYPES: Final = {"net": "net", "netto": "net", "gross": "gross", "brutto": "gross"}

# (element, the price it is when it has no type attribute)
_PRICE_ELEMENTS: Final = (("unitprice", "net"), ("unitgrossprice", "gross"))

# (field, container under <Customer>, element names in the order tried, reader)
_CUSTOMER_FIELDS: tuple[tuple[str, str, tuple[str, ...], Reader], ...] = (
    ("code", "customerbaseinformation", ("internalidentifier",), x.read_text),
    ("business_id", "customerbaseinformation", ("externalidentifier",), x.read_text),
    (
        "organization_unit_number",
        "customerbaseinformation",
        ("organizationunitnumber",),
        x.read_text,
    ),
    ("group_key", "customerbaseinformation", ("customergroupnetvisorkey",), x.read_int),
    ("group_name", "customerbaseinformation", ("customergroupname",), x.read_text),
    ("name", "customerbaseinformation", ("name",), x.read_text),
    ("name_extension", "customerbaseinformation", ("nameextension",), x.read_text),
    ("street_address", "customerbaseinformation", ("streetaddress",), x.read_text),
    # The response says AdditionalStreetAddress where the request says additionaladdressline.
    (
        "additional_address_line",
        "customerbaseinformation",
        ("additionalstreetaddress", "additionaladdressline"),
        x.read_text,
    ),
    ("city", "customerbaseinformation", ("city",), x.read_text),
    ("post_number", "customerbaseinformation", ("postnumber",), x.read_text),
    ("country", "customerbaseinformation", ("country",), x.read_text),
    ("phone_number", "customerbaseinformation", ("phonenumber",), x.read_text),
    ("fax_number", "customerbaseinformation", ("faxnumber",), x.read_text),
    ("email", "customerbaseinformation", ("email",), x.read_text),
    ("email_invoicing_address", "customerbaseinformation", ("emailinvoicingaddress",), x.read_text),
    ("home_page_uri", "customerbaseinformation", ("homepageuri",), x.read_text),
    ("is_active", "customerbaseinformation", ("isactive",), x.read_bool),
    ("is_private_customer", "customerbaseinformation", ("isprivatecustomer",), x.read_bool),
    ("finvoice_address", "customerfinvoicedetails", ("finvoiceaddress",), x.read_text),
    ("finvoice_router_code", "customerfinvoicedetails", ("finvoiceroutercode",), x.read_text),
    ("delivery_name", "customerdeliverydetails", ("deliveryname",), x.read_text),
    ("delivery_street_address", "customerdeliverydetails", ("deliverystreetaddress",), x.read_text),
    ("delivery_city", "customerdeliverydetails", ("deliverycity",), x.read_text),
    ("delivery_post_number", "customerdeliverydetails", ("deliverypostnumber",), x.read_text),
    ("delivery_country", "customerdeliverydetails", ("deliverycountry",), x.read_text),
    ("comment", "customeradditionalinformation", ("comment",), x.read_text),
    ("invoicing_language", "customeradditionalinformation", ("invoicinglanguage",), x.read_text),
)


def _first(element: x.Element | None, names: tuple[str, ...], reader: Reader) -> Any:
    for name in names:
        if x.child(element, name) is not None:
            return reader(element, name)
    return None


def _key(element: x.Element | None) -> int | None:
    return x.read_int(element, "netvisorkey")


def _required_key(element: x.Element | None, where: str, *names: str) -> int:
    key = _first(element, names, x.read_int)
    if key is None:
        raise NetvisorProtocolError(f"{where} has no {names[0]}")
    return int(key)


def _unread(
    unread: list[UnreadRecord] | None, resource: str, code: str | None, name: str | None
) -> None:
    """Report a record without its key to the caller's list; without a list, raise.

    Only the caller knows what such a record means: a source record to refuse, or, in a
    lookup before a create, a record that may exist (treating it as absent would make a
    duplicate). A caller that has not said so gets the error.
    """
    reason = f"{resource} answered a record without its NetvisorKey"
    if unread is None:
        raise NetvisorProtocolError(f"{reason} (code {code!r}, name {name!r})")
    log.warning("%s; code %s, name %s: left out of this run", reason, code, name)
    unread.append(UnreadRecord(resource=resource, code=code, name=name, reason=reason))


def read_customer(element: x.Element, requested_key: int | None = None) -> Customer | None:
    """One ``<Customer>`` of ``getcustomer.nv``; ``None`` when it carries no NetvisorKey and
    none was asked for."""
    base = x.child(element, "customerbaseinformation")
    values: dict[str, Any] = {}
    for field, group, names, reader in _CUSTOMER_FIELDS:
        value = _first(x.child(element, group), names, reader)
        if value is not None:
            values[field] = value
    key = _key(base)
    if key is None:  # some answers put the key straight under <Customer>
        key = _key(element)
    if key is None:
        key = requested_key
    return None if key is None else Customer(netvisor_key=key, **values)


def read_customers(
    root: x.Element,
    *,
    requested_key: int | None = None,
    unread: list[UnreadRecord] | None = None,
) -> list[Customer]:
    """Every customer of a ``getcustomer.nv`` answer, for ``id`` and ``idlist`` alike.

    ``requested_key`` is the ``id`` asked for: the one record of that answer is that
    customer even when Netvisor leaves its key out. A record of an ``idlist`` answer
    without a key goes to ``unread`` (an error without it), and the others are read.
    """
    elements = list(_records(root, "customers", "customer"))
    fallback = requested_key if len(elements) == 1 else None
    customers = []
    for element in elements:
        customer = read_customer(element, fallback)
        if customer is not None:
            customers.append(customer)
            continue
        base = x.child(element, "customerbaseinformation")
        code, name = x.read_text(base, "internalidentifier"), x.read_text(base, "name")
        _unread(unread, "getcustomer.nv", code, name)
    return customers


def _records(root: x.Element, plural: str, singular: str) -> Iterator[x.Element]:
    """``Root/<singular>`` (answer to ``id``) and ``Root/<plural>/<singular>`` (to ``idlist``)."""
    yield from x.children(root, singular)
    for group in x.children(root, plural):
        yield from x.children(group, singular)


def read_customer_list(
    root: x.Element, *, unread: list[UnreadRecord] | None = None
) -> list[CustomerSummary]:
    """The rows of ``customerlist.nv`` (``Customerlist/Customer``); a row without its key
    goes to ``unread`` (an error without it)."""
    rows = []
    for element in x.children(x.child(root, "customerlist"), "customer"):
        key = _key(element)
        name, code = x.read_text(element, "name"), x.read_text(element, "code")
        if key is None:
            _unread(unread, "customerlist.nv", code, name)
            continue
        rows.append(
            CustomerSummary(
                netvisor_key=key,
                name=name,
                code=code,
                business_id=x.read_text(element, "organisationidentifier"),
                group_id=x.read_int(element, "customergroupid"),
                group_name=x.read_text(element, "customergroupname"),
            )
        )
    return rows


def _price_kind(element: x.Element, name: str, default: str) -> str:
    declared = (element.get("type") or "").strip().lower()
    if not declared:
        return default
    kind = PRICE_TYPES.get(declared)
    if kind is None:
        raise NetvisorProtocolError(
            f"<{name}> has the price type {declared[:20]!r}; Netvisor's are "
            f"{', '.join(sorted(PRICE_TYPES))}"
        )
    return kind


def _prices(element: x.Element | None) -> dict[str, Decimal]:
    """``{"net": …, "gross": …}`` from ``UnitPrice`` and ``UnitGrossPrice``, each by its
    ``type`` attribute; a price Netvisor did not give is missing."""
    prices: dict[str, Decimal] = {}
    for name, default in _PRICE_ELEMENTS:
        found = x.child(element, name)
        value = x.read_decimal(element, name)
        if found is not None and value is not None:
            prices.setdefault(_price_kind(found, name, default), value)
    return prices


def read_product(element: x.Element, requested_key: int | None = None) -> Product | None:
    """One ``<Product>`` of ``getproduct.nv``; ``None`` for Netvisor's empty "not found"
    answer.

    Raises:
        NetvisorProtocolError: the product has no key and none was asked for (the caller
            knows whether that is a record to report or an error), or a price type is unknown.
    """
    base = x.child(element, "productbaseinformation")
    if base is None and len(element) == 0:
        return None
    books = x.child(element, "productbookkeepingdetails")
    prices = _prices(base)
    key = _key(base)
    if key is None:
        key = requested_key
    if key is None:
        raise _NoKey("a product in getproduct.nv has no netvisorkey")
    return Product(
        netvisor_key=key,
        code=x.read_text(base, "productcode"),
        name=x.read_text(base, "name"),
        group=x.read_text(base, "productgroup"),
        description=x.read_text(base, "description"),
        unit_price=prices.get("net"),
        unit_gross_price=prices.get("gross"),
        unit=x.read_text(base, "unit"),
        purchase_price=x.read_decimal(base, "purchaseprice"),
        is_active=x.read_bool(base, "isactive"),
        is_sales_product=x.read_bool(base, "issalesproduct"),
        # The response says DefaultVatPercent where the request says defaultvatpercentage.
        vat_percent=_first(books, ("defaultvatpercent", "defaultvatpercentage"), x.read_decimal),
    )


class _NoKey(NetvisorProtocolError):
    """A record without its NetvisorKey (reported, not raised, where a list answer has one)."""


def read_products(
    root: x.Element,
    *,
    requested_key: int | None = None,
    unread: list[UnreadRecord] | None = None,
) -> list[Product]:
    """Every product of a ``getproduct.nv`` answer, skipping empty "not found" elements.

    ``requested_key`` and ``unread`` as in :func:`read_customers`.
    """
    elements = list(_records(root, "products", "product"))
    fallback = requested_key if len(elements) == 1 else None
    products = []
    for element in elements:
        try:
            product = read_product(element, fallback)
        except _NoKey:
            base = x.child(element, "productbaseinformation")
            code, name = x.read_text(base, "productcode"), x.read_text(base, "name")
            _unread(unread, "getproduct.nv", code, name)
            continue
        if product is not None:
            products.append(product)
    return products


def read_product_list(
    root: x.Element, *, unread: list[UnreadRecord] | None = None
) -> list[ProductSummary]:
    """The rows of ``productlist.nv`` (``ProductList/Product``); a row without its key goes
    to ``unread`` (an error without it)."""
    rows = []
    for element in x.children(x.child(root, "productlist"), "product"):
        key = _key(element)
        code, name = x.read_text(element, "productcode"), x.read_text(element, "name")
        if key is None:
            _unread(unread, "productlist.nv", code, name)
            continue
        prices = _prices(element)
        rows.append(
            ProductSummary(
                netvisor_key=key,
                code=code,
                name=name,
                unit_price=prices.get("net"),
                unit_gross_price=prices.get("gross"),
                group_id=x.read_int(element, "productgroupid"),
                group_description=x.read_text(element, "productgroupdescription"),
            )
        )
    return rows


def read_dimension_list(root: x.Element) -> list[DimensionHeader]:
    """Headers and their items from ``dimensionlist.nv``, items in Netvisor's ``Sort`` order."""
    headers = []
    for header in x.children(x.child(root, "dimensionnamelist"), "dimensionname"):
        items = []
        for detail in x.children(x.child(header, "dimensiondetails"), "dimensiondetail"):
            items.append(
                DimensionItem(
                    netvisor_key=_required_key(detail, "a dimension item", "netvisorkey"),
                    name=x.read_text(detail, "name") or "",
                    code=x.read_text(detail, "code"),
                    label=x.read_text(detail, "label"),
                    is_hidden=bool(x.read_bool(detail, "ishidden")),
                    level=x.read_int(detail, "level") or 1,
                    sort=x.read_int(detail, "sort") or 0,
                    end_sort=x.read_int(detail, "endsort") or 0,
                    father_id=x.read_int(detail, "fatherid") or 0,
                )
            )
        items.sort(key=lambda item: item.sort)
        headers.append(
            DimensionHeader(
                netvisor_key=_required_key(header, "a dimension header", "netvisorkey"),
                name=x.read_text(header, "name") or "",
                is_hidden=bool(x.read_bool(header, "ishidden")),
                link_type=x.read_int(header, "linktype"),
                items=tuple(items),
            )
        )
    return headers


def read_inserted_key(root: x.Element) -> int | None:
    """``Replies/InsertedDataIdentifier``: the NetvisorKey of a record just added."""
    return x.read_int(x.child(root, "replies"), "inserteddataidentifier")
