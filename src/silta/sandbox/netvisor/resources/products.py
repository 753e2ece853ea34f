"""productlist.nv, getproduct.nv and product.nv (netvisor-api.md §6).

Settled where the reference is silent:

* productlist.nv: ``keyword`` is a case-insensitive substring of the name or product code;
  ``changedsince`` as in customerlist.nv; the two combine (AND) - for products the doc says
  "parameters combine". ``published``/``unpublished``/``deleted`` are accepted and ignored (the
  sandbox has no publishing and never deletes). Results are in key order.
* Prices are rendered with 12 decimals and a decimal comma (``50,000000000000``) wherever a
  price appears, VAT and other quantities without trailing zeros (``25,5``).
* getproduct.nv: exactly one of ``id``, ``idlist`` (≤ 400), ``code``, ``codelist`` (≤ 400),
  ``eancode``. An unknown single ``id``/``code``/``eancode`` answers OK with an empty
  ``<Product></Product>`` (the documented quirk, §5.1); lists skip unknown entries and answer
  each product once, in the order asked. ``showsubproducts`` and ``replyoption`` are ignored.
  ``ProductInventoryDetails`` is not rendered (the sandbox keeps no inventory).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from lxml import etree

from ..products import Product, ProductChanges, ProductStore, product_not_found, write_product
from ..render import XmlWriter
from ..values import format_amount, format_percent, parse_changedsince, parse_key, parse_list
from ..xmlio import find, parse_request, text_of
from .base import (
    Answer,
    Call,
    Resource,
    choose_one,
    dimension_requests,
    edit_key,
    render_dimension_links,
    write_answer,
    write_method,
)

__all__ = ["RESOURCES"]

MAX_LIST: Final = 400

_CONTAINERS: Final = frozenset(
    {
        "productbaseinformation",
        "productbookkeepingdetails",
        "productadditionalinformation",
        "productpackageinformation",
        "dimension",
        "dimensionname",
        "dimensionitem",
    }
)


# -- productlist.nv ------------------------------------------------------------------------


def product_list(call: Call) -> Answer:
    """``GET productlist.nv``."""
    register = call.organisation.product_register
    keyword = call.params.get("keyword", "")
    changedsince = call.params.get("changedsince")
    since = parse_changedsince(changedsince) if changedsince else None

    selected: Iterable[Product] = register.all()
    if keyword:
        needle = keyword.casefold()
        selected = (
            p for p in selected if needle in p.name.casefold() or needle in p.code.casefold()
        )
    if since is not None:
        selected = (p for p in selected if p.changed_at > since)

    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    empty = True
    for product in selected:
        if empty:
            writer.open("ProductList")
            empty = False
        writer.open("Product")
        writer.leaf("NetvisorKey", str(product.key))
        writer.leaf("ProductCode", product.code)
        writer.leaf("Name", product.name)
        writer.leaf("UnitPrice", format_amount(product.unit_price))
        writer.leaf("UnitGrossPrice", format_amount(product.unit_gross_price))
        writer.leaf("ProductGroupID", str(product.group_key))
        writer.leaf("ProductGroupDescription", product.get("productgroup"))
        writer.leaf("Uri", f"{call.base_url}getproduct.nv?id={product.key}")
        writer.close("Product")
    writer.raw("<ProductList />" if empty else "</ProductList>")
    writer.close("Root")
    return Answer(writer.document())


# -- getproduct.nv -------------------------------------------------------------------------


def get_product(call: Call) -> Answer:
    """``GET getproduct.nv``: single selectors → ``Root/Product``, lists → ``Root/Products``."""
    register = call.organisation.product_register
    name, value = choose_one(call, ("id", "idlist", "code", "codelist", "eancode"))
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if name in {"id", "code", "eancode"}:
        product = _find_one(register, name, value)
        if product is None:
            writer.raw("<Product></Product>")
        else:
            _product_details(writer, product)
    else:
        items = parse_list(value, MAX_LIST, name)
        if name == "idlist":
            found = (register.get(key) for key in [parse_key(item, "idlist") for item in items])
        else:
            found = (register.by_code(code) for code in items)
        writer.open("Products")
        for product in {p.key: p for p in found if p is not None}.values():
            _product_details(writer, product)
        writer.close("Products")
    writer.close("Root")
    return Answer(writer.document())


def _find_one(register: ProductStore, name: str, value: str) -> Product | None:
    if name == "id":
        return register.get(parse_key(value, "id"))
    if name == "code":
        return register.by_code(value.strip())
    ean = value.strip()
    return next(
        (
            p
            for p in register.all()
            if ean and ean in {p.get("primaryeancode"), p.get("secondaryeancode")}
        ),
        None,
    )


def _number(product: Product, element: str) -> str:
    value = product.numbers.get(element)
    return "" if value is None else format_percent(value)


def _product_details(writer: XmlWriter, p: Product) -> None:
    leaf = writer.leaf
    writer.open("Product")

    writer.open("ProductBaseInformation")
    leaf("NetvisorKey", str(p.key))
    leaf("ProductCode", p.code)
    leaf("ProductGroup", p.get("productgroup"))
    leaf("Name", p.name)
    leaf("Description", p.get("description"))
    leaf("UnitPrice", format_amount(p.unit_price), {"type": "net"})
    leaf("UnitGrossPrice", format_amount(p.unit_gross_price), {"type": "gross"})
    leaf("Unit", p.get("unit"))
    if "unitweight" in p.numbers:
        leaf("UnitWeight", _number(p, "unitweight"))
    purchase = p.numbers.get("purchaseprice")
    leaf("PurchasePrice", "" if purchase is None else format_amount(purchase))
    leaf("TariffHeading", p.get("tariffheading"))
    leaf("ComissionPercentage", _number(p, "comissionpercentage"))
    leaf("IsActive", p.get("isactive"))
    leaf("IsSalesProduct", p.get("issalesproduct"))
    leaf("CountryOfOrigin", p.get("countryoforigin"), {"type": "ISO-3166"})
    writer.close("ProductBaseInformation")

    writer.open("ProductBookKeepingDetails")
    leaf("DefaultVatPercent", format_percent(p.vat))
    leaf("DefaultDomesticAccountNumber", p.get("defaultdomesticaccountnumber"))
    leaf("DefaultEuAccountNumber", p.get("defaulteuaccountnumber"))
    leaf("DefaultOutsideEUAccountNumber", p.get("defaultoutsideeuaccountnumber"))
    render_dimension_links(writer, "ProductDimensions", p.dimensions)
    writer.close("ProductBookKeepingDetails")

    writer.open("ProductAdditionalInformation")
    unit = p.get("productweightunit")
    leaf("ProductNetWeight", _number(p, "productnetweight"), {"weightunit": unit} if unit else None)
    leaf(
        "ProductGrossWeight",
        _number(p, "productgrossweight"),
        {"weightunit": unit} if unit else None,
    )
    if any(f"package{side}" in p.numbers for side in ("width", "height", "length")):
        writer.open("ProductPackageInformation")
        leaf("PackageWidth", _number(p, "packagewidth"), {"unit": "cm"})
        leaf("PackageHeight", _number(p, "packageheight"), {"unit": "cm"})
        leaf("PackageLength", _number(p, "packagelength"), {"unit": "cm"})
        writer.close("ProductPackageInformation")
    leaf("PrimaryEanCode", p.get("primaryeancode"))
    leaf("SecondaryEanCode", p.get("secondaryeancode"))
    writer.close("ProductAdditionalInformation")

    writer.close("Product")


# -- product.nv ----------------------------------------------------------------------------


def product_write(call: Call) -> Answer:
    """``POST product.nv?method=add|edit[&id=N][&useonlyexistingdimensions=1]``.

    add answers ``Replies/InsertedDataIdentifier``; edit answers only ``ResponseStatus``.
    """
    method = write_method(call)
    key = None
    if method == "edit":
        key = edit_key(call)
        if call.organisation.product_register.get(key) is None:
            raise product_not_found(key)
    document = parse_request(call.body, call.content_type, "product")
    product = write_product(
        call.organisation.product_register,
        call.organisation.dimension_register,
        _changes(document),
        key=key,
        now=call.now,
        use_only_existing_dimensions=call.params.get("useonlyexistingdimensions", "").strip()
        == "1",
    )
    return write_answer(call.now, product.key if method == "add" else None)


def _changes(product: etree._Element) -> ProductChanges:
    values: dict[str, str] = {}
    unit_price: tuple[str, str] | None = None
    vat: str | None = None
    for element in product.iter():
        tag = element.tag
        if element is product or not isinstance(tag, str) or tag in _CONTAINERS:
            continue
        if tag == "unitprice":
            unit_price = (text_of(element), element.get("type", ""))
        elif tag == "defaultvatpercentage":
            vat = text_of(element)
        else:
            values[tag] = text_of(element)
    dimensions = dimension_requests(find(product, "productadditionalinformation"))
    return ProductChanges(values=values, unit_price=unit_price, vat=vat, dimensions=dimensions)


RESOURCES: Final = (
    Resource("productlist.nv", "GET", product_list),
    Resource("getproduct.nv", "GET", get_product),
    Resource("product.nv", "POST", product_write),
)
