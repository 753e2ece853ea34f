"""Netvisor's request formats as data: element order, value kinds and length limits.

One row per element, in the order of Netvisor's DTDs (``specs/netvisor/customer.dtd``,
``product.dtd`` and ``salesinvoice.dtd``; Netvisor refuses elements out of order with "Could
not validate xml").
``tests/netvisor/test_schema.py`` checks these rows against the DTD files themselves, so
a reordering here cannot slip through. Only the elements Silta writes are listed; everything
else in the DTDs is optional and simply never sent.

``dimensionitem.nv`` has no published DTD; its rows follow the element table of Netvisor's
page "Import and edit dimension dimensionitem.nv" (``reference/netvisor-api.md`` §7.2).
``matchcreditnote.nv``'s two elements follow the DTD that xi-netvisor ships for it
(``creditnotenetvisorkey, invoicenetvisorkey``).

Repeated elements (invoice lines, a line's dimensions) are :class:`Each` rows: the element
is written once per item of a sequence field, with that item as the data of its children.

Limits are from the element tables of the same pages (``netvisor-api.md`` §4.3, §6.3, §7.2).
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "CUSTOMER",
    "DIMENSION_ITEM",
    "MATCH_CREDIT_NOTE",
    "PRODUCT",
    "SALES_INVOICE",
    "TRIP_EXPENSE",
    "Each",
    "Group",
    "Leaf",
    "Node",
    "ValueKind",
]

# text: as is; flag: 1/0; boolean: True/False (dimensionitem.nv); decimal: decimal comma;
# date: ANSI yyyy-mm-dd.
ValueKind = Literal["text", "flag", "boolean", "decimal", "integer", "date"]


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


@attrs.frozen
class Each:
    """``item`` written once per element of the sequence ``field``, each its own data.

    ``required`` means at least one element (the DTD's ``+``); ``*`` rows are not required.
    """

    field: str
    item: Group
    required: bool = False

    @property
    def tag(self) -> str:
        return self.item.tag


Node = Leaf | Group | Each

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

_ANSI = (("format", "ansi"),)

# salesinvoice.nv, add. Only the elements Silta writes; the DTD's other optional elements
# are never sent. Limits: none are documented for invoices (reference/invoices.md §6), so
# only the DTD's order and required elements are enforced here.
_SALES_INVOICE_LINE = Group(
    "invoiceline",
    required=True,
    children=(
        Group(
            "salesinvoiceproductline",
            required=True,
            children=(
                Leaf(
                    "productidentifier",
                    "product_identifier",
                    required=True,
                    attribute_field=("type", "product_identifier_type"),
                ),
                Leaf("productname", "name", required=True),
                Leaf(
                    "productunitprice",
                    "unit_price",
                    kind="decimal",
                    required=True,
                    attributes=(("type", "net"),),
                ),
                # The DTD marks vatcode optional; Netvisor's page says it is required.
                Leaf(
                    "productvatpercentage",
                    "vat_percent",
                    kind="decimal",
                    required=True,
                    attribute_field=("vatcode", "vat_code"),
                ),
                Leaf("salesinvoiceproductlinequantity", "quantity", kind="decimal", required=True),
                Leaf("salesinvoiceproductlinevatsum", "vat_sum", kind="decimal"),
                Leaf("salesinvoiceproductlinesum", "line_sum", kind="decimal"),
                Leaf("accountingaccountsuggestion", "account"),
                Each(
                    "dimensions",
                    Group(
                        "dimension",
                        required=True,
                        children=(
                            Leaf("dimensionname", "header", required=True),
                            Leaf("dimensionitem", "item", required=True),
                        ),
                    ),
                ),
            ),
        ),
    ),
)

SALES_INVOICE = Group(
    "root",
    required=True,
    children=(
        Group(
            "salesinvoice",
            required=True,
            children=(
                Leaf("salesinvoicenumber", "number"),
                Leaf("salesinvoicedate", "date", kind="date", required=True, attributes=_ANSI),
                Leaf("salesinvoiceduedate", "due_date", kind="date", attributes=_ANSI),
                Leaf("salesinvoicereferencenumber", "reference_number"),
                Leaf(
                    "salesinvoiceamount",
                    "amount",
                    kind="decimal",
                    required=True,
                    attribute_field=("iso4217currencycode", "currency"),
                ),
                Leaf(
                    "salesinvoicestatus",
                    "status",
                    required=True,
                    attributes=(("type", "netvisor"),),
                ),
                Leaf("salesinvoicefreetextafterlines", "free_text_after_lines"),
                Leaf("salesinvoiceourreference", "our_reference"),
                Leaf("salesinvoiceyourreference", "your_reference"),
                Leaf("salesinvoiceprivatecomment", "private_comment"),
                Leaf(
                    "invoicingcustomeridentifier",
                    "customer_identifier",
                    required=True,
                    attribute_field=("type", "customer_identifier_type"),
                ),
                Leaf("invoicingcustomername", "customer_name"),
                Leaf("invoicingcustomeraddressline", "customer_address_line"),
                Leaf("invoicingcustomerpostnumber", "customer_post_number"),
                Leaf("invoicingcustomertown", "customer_town"),
                Leaf("invoicingcustomercountrycode", "customer_country", attributes=_ISO),
                Leaf("paymenttermnetdays", "payment_term_net_days", kind="integer"),
                Leaf("ordernumber", "order_number"),
                Group(
                    "invoicelines",
                    required=True,
                    children=(Each("lines", _SALES_INVOICE_LINE, required=True),),
                ),
            ),
        ),
    ),
)

MATCH_CREDIT_NOTE = Group(
    "root",
    required=True,
    children=(
        Group(
            "matchcreditnote",
            required=True,
            children=(
                Leaf("creditnotenetvisorkey", "credit_note_key", kind="integer", required=True),
                Leaf("invoicenetvisorkey", "invoice_key", kind="integer", required=True),
            ),
        ),
    ),
)

# tripexpense.nv (reference/invoices.md §2.4). No DTD is published: the order is the element
# table of Netvisor's page (A-TE) and Visma's VB sample client, which agree; only the
# elements Silta writes are listed. tests/netvisor/test_trip_expenses.py holds the
# reference's content models and checks these rows against them as against a DTD.
_TRIP_DIMENSIONS = Each(
    "dimensions",
    Group(
        "dimension",
        required=True,
        children=(
            Leaf("dimensionname", "header", required=True),
            Leaf("dimensionitem", "item", required=True),
        ),
    ),
)
_TRIP_ATTACHMENTS = Group(
    "tripexpenseattachments",
    children=(
        Each(
            "attachments",
            Group(
                "tripexpenseattachment",
                required=True,
                children=(
                    Leaf("mimetype", "mime_type", required=True),
                    Leaf("attachmentdescription", "description", required=True),
                    # N-TE: an attachment's name is at most 100 characters.
                    Leaf("filename", "file_name", max_length=100, required=True),
                    Leaf("documentdata", "document_data", required=True),  # base64
                ),
            ),
            required=True,
        ),
    ),
)


def _employee() -> Leaf:
    return Leaf(
        "employeeidentifier",
        "employee_identifier",
        required=True,
        attribute_field=("type", "employee_identifier_type"),
    )


TRIP_EXPENSE = Group(
    "root",
    required=True,
    children=(
        Group(
            "tripexpense",
            required=True,
            children=(
                Leaf("header", "header", required=True),
                Leaf("description", "description"),
                Group(
                    "customlines",
                    children=(
                        Each(
                            "custom_lines",
                            Group(
                                "customline",
                                required=True,
                                children=(
                                    _employee(),
                                    # The name in the request's interface language.
                                    Leaf(
                                        "ratio",
                                        "ratio",
                                        required=True,
                                        attributes=(("type", "name"),),
                                    ),
                                    Leaf("amount", "amount", kind="decimal", required=True),
                                    Leaf(
                                        "customlineunitprice",
                                        "unit_price",
                                        kind="decimal",
                                        required=True,
                                        attribute_field=("iso4217currencycode", "currency"),
                                    ),
                                    Leaf("vatpercentage", "vat_percent", kind="decimal"),
                                    Leaf("linedescription", "description", required=True),
                                    Leaf("begindate", "begin_date", kind="date", required=True),
                                    Leaf("enddate", "end_date", kind="date", required=True),
                                    Leaf("linestatus", "line_status"),
                                    _TRIP_DIMENSIONS,
                                    _TRIP_ATTACHMENTS,
                                ),
                            ),
                            required=True,
                        ),
                    ),
                ),
                Group(
                    "travellines",
                    children=(
                        Each(
                            "travel_lines",
                            Group(
                                "travelline",
                                required=True,
                                children=(
                                    _employee(),
                                    Leaf("traveltype", "travel_type", required=True),
                                    Leaf(
                                        "passengeramount",
                                        "passenger_amount",
                                        kind="integer",
                                        required=True,
                                    ),
                                    Leaf(
                                        "kilometeramount",
                                        "kilometer_amount",
                                        kind="decimal",
                                        required=True,
                                    ),
                                    Leaf("unitprice", "unit_price", kind="decimal"),
                                    Leaf("linedescription", "description", required=True),
                                    Leaf("traveldate", "travel_date", kind="date", required=True),
                                    Leaf("routedescription", "route_description", required=True),
                                    Leaf("linestatus", "line_status"),
                                    _TRIP_DIMENSIONS,
                                    _TRIP_ATTACHMENTS,
                                ),
                            ),
                            required=True,
                        ),
                    ),
                ),
                Group(
                    "dailycompensationlines",
                    children=(
                        Each(
                            "daily_lines",
                            Group(
                                "dailycompensationline",
                                required=True,
                                children=(
                                    _employee(),
                                    Leaf("compensationtype", "compensation_type", required=True),
                                    Leaf("amount", "amount", kind="decimal", required=True),
                                    Leaf("unitprice", "unit_price", kind="decimal"),
                                    Leaf("linedescription", "description", required=True),
                                    Leaf("timeofdeparture", "departure_text", required=True),
                                    Leaf("returntime", "return_text", required=True),
                                    Leaf("linestatus", "line_status"),
                                    _TRIP_DIMENSIONS,
                                    _TRIP_ATTACHMENTS,
                                ),
                            ),
                            required=True,
                        ),
                    ),
                ),
            ),
        ),
    ),
)
