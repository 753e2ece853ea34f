"""Netvisor's request formats as data: element order, value kinds and length limits.

One row per element, in the order of Netvisor's DTDs (``specs/netvisor/customer.dtd`` and
``product.dtd``; Netvisor refuses elements out of order with "Could not validate xml").
``tests/netvisor/test_schema.py`` checks these rows against the DTD files themselves, so
a reordering here cannot slip through. Only the elements Silta writes are listed; everything
else in the DTDs is optional and simply never sent.

``dimensionitem.nv`` has no published DTD; its rows follow the element table of Netvisor's
page "Import and edit dimension dimensionitem.nv" (``reference/netvisor-api.md`` §7.2).

Limits are from the element tables of the same pages (``netvisor-api.md`` §4.3, §6.3, §7.2).
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = ["CUSTOMER", "DIMENSION_ITEM", "PRODUCT", "Group", "Leaf", "Node", "ValueKind"]

# text: as is; flag: 1/0; boolean: True/False (dimensionitem.nv); decimal: decimal comma.
ValueKind = Literal["text", "flag", "boolean", "decimal", "integer"]


@attrs.frozen
class Leaf:
    """An element holding one value, read from ``field`` of the data object."""

    tag: str
    field: str
    kind: ValueKind = "text"
    max_length: int | None = None
    required: bool = False
    attributes: tuple[tuple[str, str], ...] = ()
    # (attribute name, data field): an attribute whose value comes from the data object.
    attribute_field: tuple[str, str] | None = None


@attrs.frozen
class Group:
    """A container element; ``required`` ones are written even when they end up empty."""

    tag: str
    children: tuple[Node, ...]
    required: bool = False


Node = Leaf | Group

_ISO = (("type", "ISO-3166"),)

CUSTOMER = Group(
    "root",
    required=True,
    children=(
        Group(
            "customer",
            required=True,
            children=(
                Group(
                    "customerbaseinformation",
                    required=True,  # the DTD requires it even when only other groups change
                    children=(
                        Leaf("internalidentifier", "code", max_length=50),
                        Leaf("externalidentifier", "business_id"),
                        Leaf("organizationunitnumber", "organization_unit_number", max_length=17),
                        Leaf("name", "name", max_length=250),
                        Leaf("nameextension", "name_extension", max_length=250),
                        Leaf("streetaddress", "street_address", max_length=80),
                        Leaf("additionaladdressline", "additional_address_line", max_length=80),
                        Leaf("city", "city", max_length=80),
                        Leaf("postnumber", "post_number", max_length=50),
                        Leaf("country", "country", max_length=2, attributes=_ISO),
                        Leaf("customergroupname", "group_name"),
                        Leaf("phonenumber", "phone_number"),
                        Leaf("faxnumber", "fax_number"),
                        Leaf("email", "email"),
                        Leaf("homepageuri", "home_page_uri"),
                        Leaf("isactive", "is_active", kind="flag"),
                        Leaf("isprivatecustomer", "is_private_customer", kind="flag"),
                        Leaf("emailinvoicingaddress", "email_invoicing_address"),
                    ),
                ),
                Group(
                    "customerfinvoicedetails",
                    children=(
                        Leaf("finvoiceaddress", "finvoice_address"),
                        Leaf("finvoiceroutercode", "finvoice_router_code"),
                    ),
                ),
                Group(
                    "customerdeliverydetails",
                    children=(
                        # Netvisor documents no limits for the delivery address.
                        Leaf("deliveryname", "delivery_name"),
                        Leaf("deliverystreetaddress", "delivery_street_address"),
                        Leaf("deliverycity", "delivery_city"),
                        Leaf("deliverypostnumber", "delivery_post_number"),
                        Leaf("deliverycountry", "delivery_country", max_length=2, attributes=_ISO),
                    ),
                ),
                Group(
                    "customeradditionalinformation",
                    children=(
                        Leaf("comment", "comment"),
                        Leaf(
                            "invoicinglanguage", "invoicing_language", max_length=2, attributes=_ISO
                        ),
                    ),
                ),
            ),
        ),
    ),
)

PRODUCT = Group(
    "root",
    required=True,
    children=(
        Group(
            "product",
            required=True,
            children=(
                Group(
                    "productbaseinformation",
                    required=True,
                    children=(
                        Leaf("productcode", "code", max_length=50),
                        Leaf("productgroup", "group", required=True),
                        Leaf("name", "name", max_length=200, required=True),
                        Leaf("description", "description"),
                        Leaf(
                            "unitprice",
                            "unit_price",
                            kind="decimal",
                            required=True,
                            attribute_field=("type", "unit_price_type"),
                        ),
                        Leaf("unit", "unit", max_length=50),
                        Leaf("purchaseprice", "purchase_price", kind="decimal"),
                        Leaf("isactive", "is_active", kind="flag", required=True),
                        Leaf("issalesproduct", "is_sales_product", kind="flag", required=True),
                    ),
                ),
                Group(
                    "productbookkeepingdetails",
                    children=(
                        Leaf("defaultvatpercentage", "vat_percent", kind="decimal", required=True),
                    ),
                ),
            ),
        ),
    ),
)

DIMENSION_ITEM = Group(
    "root",
    required=True,
    children=(
        Group(
            "dimensionitem",
            required=True,
            children=(
                Leaf("name", "header", max_length=50, required=True),
                Leaf("item", "item", max_length=200, required=True),
                Leaf("olditem", "old_item"),
                Leaf("fatherid", "father_id", kind="integer"),
                Leaf("fatheritem", "father_item"),
                Leaf("ishidden", "hidden", kind="boolean"),
            ),
        ),
    ),
)
