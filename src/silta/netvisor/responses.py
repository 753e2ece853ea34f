"""Netvisor's answers read into :mod:`silta.netvisor.models`, one reader per resource.

Element names are looked up in lower case (the parser lower-cases them). Where Netvisor is
known to spell an element two ways, every spelling is listed. Unknown elements are ignored,
so new fields on Netvisor's side never break a read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from silta.netvisor import xmlcodec as x
from silta.netvisor.errors import NetvisorProtocolError
from silta.netvisor.models import (
    Customer,
    CustomerSummary,
    DimensionHeader,
    DimensionItem,
    Product,
    ProductSummary,
)

__all__ = [
    "read_customer",
    "read_customer_list",
    "read_customers",
    "read_dimension_list",
    "read_inserted_key",
    "read_product",
    "read_product_list",
    "read_products",
]

Reader = Callable[[x.Element | None, str], Any]

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


def _required_key(element: x.Element | None, where: str, *names: str) -> int:
    key = _first(element, names, x.read_int)
    if key is None:
        raise NetvisorProtocolError(f"{where} has no {names[0]}")
    return int(key)


def read_customer(element: x.Element) -> Customer:
    """One ``<Customer>`` of ``getcustomer.nv``."""
    base = x.child(element, "customerbaseinformation")
    values: dict[str, Any] = {}
    for field, group, names, reader in _CUSTOMER_FIELDS:
        value = _first(x.child(element, group), names, reader)
        if value is not None:
            values[field] = value
    key = _first(base, ("netvisorkey",), x.read_int)
    if key is None:  # some answers put the key straight under <Customer>
        key = _required_key(element, "a customer in getcustomer.nv", "netvisorkey")
    return Customer(netvisor_key=key, **values)


def read_customers(root: x.Element) -> list[Customer]:
    """Every customer of a ``getcustomer.nv`` answer, for ``id`` and ``idlist`` alike."""
    return [read_customer(element) for element in _records(root, "customers", "customer")]


def _records(root: x.Element, plural: str, singular: str) -> Iterator[x.Element]:
    """``Root/<singular>`` (answer to ``id``) and ``Root/<plural>/<singular>`` (to ``idlist``)."""
    yield from x.children(root, singular)
    for group in x.children(root, plural):
        yield from x.children(group, singular)


def read_customer_list(root: x.Element) -> list[CustomerSummary]:
    """The rows of ``customerlist.nv`` (``Customerlist/Customer``)."""
    rows = []
    for element in x.children(x.child(root, "customerlist"), "customer"):
        rows.append(
            CustomerSummary(
                netvisor_key=_required_key(element, "a customerlist.nv row", "netvisorkey"),
                name=x.read_text(element, "name"),
                code=x.read_text(element, "code"),
                business_id=x.read_text(element, "organisationidentifier"),
                group_id=x.read_int(element, "customergroupid"),
                group_name=x.read_text(element, "customergroupname"),
            )
        )
    return rows


def read_product(element: x.Element) -> Product | None:
    """One ``<Product>`` of ``getproduct.nv``; ``None`` for Netvisor's empty "not found" answer."""
    base = x.child(element, "productbaseinformation")
    if base is None and len(element) == 0:
        return None
    books = x.child(element, "productbookkeepingdetails")
    unit_price = x.read_decimal(base, "unitprice")
    gross_price = x.read_decimal(base, "unitgrossprice")
    price_element = x.child(base, "unitprice")
    if price_element is not None and price_element.get("type", "").lower() == "gross":
        # A UnitPrice marked gross is the gross price; the net one is then unknown here.
        unit_price, gross_price = None, gross_price if gross_price is not None else unit_price
    return Product(
        netvisor_key=_required_key(base, "a product in getproduct.nv", "netvisorkey"),
        code=x.read_text(base, "productcode"),
        name=x.read_text(base, "name"),
        group=x.read_text(base, "productgroup"),
        description=x.read_text(base, "description"),
        unit_price=unit_price,
        unit_gross_price=gross_price,
        unit=x.read_text(base, "unit"),
        purchase_price=x.read_decimal(base, "purchaseprice"),
        is_active=x.read_bool(base, "isactive"),
        is_sales_product=x.read_bool(base, "issalesproduct"),
        # The response says DefaultVatPercent where the request says defaultvatpercentage.
        vat_percent=_first(books, ("defaultvatpercent", "defaultvatpercentage"), x.read_decimal),
    )


def read_products(root: x.Element) -> list[Product]:
    """Every product of a ``getproduct.nv`` answer, skipping empty "not found" elements."""
    found = (read_product(element) for element in _records(root, "products", "product"))
    return [product for product in found if product is not None]


def read_product_list(root: x.Element) -> list[ProductSummary]:
    """The rows of ``productlist.nv`` (``ProductList/Product``)."""
    rows = []
    for element in x.children(x.child(root, "productlist"), "product"):
        rows.append(
            ProductSummary(
                netvisor_key=_required_key(element, "a productlist.nv row", "netvisorkey"),
                code=x.read_text(element, "productcode"),
                name=x.read_text(element, "name"),
                unit_price=x.read_decimal(element, "unitprice"),
                unit_gross_price=x.read_decimal(element, "unitgrossprice"),
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
