"""customerlist.nv, getcustomer.nv and customer.nv (netvisor-api.md §4).

Settled where the reference is silent:

* customerlist.nv: ``keyword`` is a case-insensitive substring of Name, Code, business id
  (``externalidentifier``) or NameExtension; when given, ``changedsince`` is ignored (§4.1). An
  empty ``keyword`` counts as not given. ``customercodelist`` (≤ 100 codes) combines with the
  other filters as AND. Results are in key order.
* ``OrganisationIdentifier`` in the list is the business id, left empty for private customers
  ("business id if not a consumer").
* getcustomer.nv: exactly one of ``id`` / ``idlist``; ``idlist`` answers in the order asked,
  each customer once, unknown keys skipped. ``replyoption`` is accepted and ignored.
* getcustomer.nv renders the elements the sandbox stores, in the documented order; optional
  ones without a value (OrganizationUnitNumber, customer group) are omitted, the others are
  written empty. ``contactname`` and the Maventa EDI fields are stored but not rendered: the
  reference lists no response element for them.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from ..customers import Customer, CustomerChanges, CustomerStore, customer_not_found, write_customer
from ..render import XmlWriter
from ..values import parse_changedsince, parse_key, parse_list
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

MAX_IDLIST: Final = 500
MAX_CODELIST: Final = 100

_CONTAINERS: Final = frozenset(
    {
        "customerbaseinformation",
        "customerfinvoicedetails",
        "customermaventaedidetails",
        "customerdeliverydetails",
        "customercontactdetails",
        "customeradditionalinformation",
        "defaultsalesperson",
        "customerdimensiondetails",
        "dimension",
        "dimensionname",
        "dimensionitem",
    }
)


# -- customerlist.nv -----------------------------------------------------------------------


def customer_list(call: Call) -> Answer:
    """``GET customerlist.nv``."""
    register = call.organisation.customer_register
    keyword = call.params.get("keyword", "")
    codes = call.params.get("customercodelist")
    changedsince = call.params.get("changedsince")
    since = parse_changedsince(changedsince) if changedsince and not keyword else None

    if codes is not None:
        found = {
            c.key: c
            for code in parse_list(codes, MAX_CODELIST, "customercodelist")
            for c in register.holders(code)
        }
        selected = [found[key] for key in sorted(found)]
    else:
        selected = register.all()
    if keyword:
        needle = keyword.casefold()
        selected = [c for c in selected if _matches(c, needle)]
    elif since is not None:
        selected = [c for c in selected if c.changed_at > since]

    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if not selected:
        writer.raw("<Customerlist />")
    else:
        writer.open("Customerlist")
        for customer in selected:
            _list_entry(writer, customer, register, call.base_url)
        writer.close("Customerlist")
    writer.close("Root")
    return Answer(writer.document())


def _matches(customer: Customer, needle: str) -> bool:
    return any(
        needle in customer.get(element).casefold()
        for element in ("name", "internalidentifier", "externalidentifier", "nameextension")
    )


def _list_entry(
    writer: XmlWriter, customer: Customer, register: CustomerStore, base_url: str
) -> None:
    group = customer.get("customergroupname")
    group_key = register.group_key(group) if group else None
    business_id = (
        "" if customer.get("isprivatecustomer") == "1" else customer.get("externalidentifier")
    )
    writer.open("Customer")
    writer.leaf("Netvisorkey", str(customer.key))
    writer.leaf("Name", customer.name)
    writer.leaf("Code", customer.code)
    writer.leaf("OrganisationIdentifier", business_id)
    writer.leaf("CustomerGroupID", "" if group_key is None else str(group_key))
    writer.leaf("CustomerGroupName", group)
    writer.leaf("Uri", f"{base_url}getcustomer.nv?id={customer.key}")
    writer.close("Customer")


# -- getcustomer.nv ------------------------------------------------------------------------


def get_customer(call: Call) -> Answer:
    """``GET getcustomer.nv``: ``id`` → ``Root/Customer``, ``idlist`` → ``Root/Customers``."""
    register = call.organisation.customer_register
    name, value = choose_one(call, ("id", "idlist"))
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if name == "id":
        customer = register.get(parse_key(value, "id"))
        if customer is None:
            raise customer_not_found(value.strip())
        _customer_details(writer, customer, register)
    else:
        keys = [parse_key(item, "idlist") for item in parse_list(value, MAX_IDLIST, "idlist")]
        writer.open("Customers")
        for key in dict.fromkeys(keys):
            customer = register.get(key)
            if customer is not None:
                _customer_details(writer, customer, register)
        writer.close("Customers")
    writer.close("Root")
    return Answer(writer.document())


_ISO: Final = {"type": "ISO-3166"}


def _customer_details(writer: XmlWriter, c: Customer, register: CustomerStore) -> None:
    leaf = writer.leaf
    writer.open("Customer")

    writer.open("CustomerBaseInformation")
    leaf("NetvisorKey", str(c.key))
    leaf("InternalIdentifier", c.code)
    leaf("ExternalIdentifier", c.get("externalidentifier"))
    if c.get("organizationunitnumber"):
        leaf("OrganizationUnitNumber", c.get("organizationunitnumber"))
    group = c.get("customergroupname")
    if group:
        leaf("CustomerGroupNetvisorKey", str(register.group_key(group)))
        leaf("CustomerGroupName", group)
    leaf("Name", c.name)
    leaf("NameExtension", c.get("nameextension"))
    leaf("StreetAddress", c.get("streetaddress"))
    leaf("AdditionalStreetAddress", c.get("additionaladdressline"))
    leaf("City", c.get("city"))
    leaf("PostNumber", c.get("postnumber"))
    leaf("Country", c.get("country"), _ISO)
    leaf("PhoneNumber", c.get("phonenumber"))
    leaf("FaxNumber", c.get("faxnumber"))
    leaf("Email", c.get("email"))
    leaf("EmailInvoicingAddress", c.get("emailinvoicingaddress"))
    leaf("HomePageUri", c.get("homepageuri"))
    leaf("IsActive", c.get("isactive"))
    leaf("IsPrivateCustomer", c.get("isprivatecustomer"))
    writer.close("CustomerBaseInformation")

    writer.open("CustomerFinvoiceDetails")
    leaf("FinvoiceAddress", c.get("finvoiceaddress"))
    leaf("FinvoiceRouterCode", c.get("finvoiceroutercode"))
    writer.close("CustomerFinvoiceDetails")

    writer.open("CustomerDeliveryDetails")
    leaf("DeliveryName", c.get("deliveryname"))
    leaf("DeliveryStreetAddress", c.get("deliverystreetaddress"))
    leaf("DeliveryCity", c.get("deliverycity"))
    leaf("DeliveryPostNumber", c.get("deliverypostnumber"))
    leaf("DeliveryCountry", c.get("deliverycountry"), _ISO)
    writer.close("CustomerDeliveryDetails")

    writer.open("CustomerContactDetails")
    leaf("ContactPerson", c.get("contactperson"))
    leaf("ContactPersonEmail", c.get("contactpersonemail"))
    leaf("ContactPersonPhone", c.get("contactpersonphone"))
    writer.close("CustomerContactDetails")

    writer.open("CustomerAdditionalInformation")
    leaf("Comment", c.get("comment"))
    leaf("CustomerAgreementIdentifier", c.get("customeragreementidentifier"))
    leaf("ReferenceNumber", c.get("customerreferencenumber"))
    leaf("YourDefaultReference", c.get("yourdefaultreference"))
    leaf("DefaultTextBeforeInvoiceLines", c.get("defaulttextbeforeinvoicelines"))
    leaf("DefaultTextAfterInvoiceLines", c.get("defaulttextafterinvoicelines"))
    leaf("InvoicingLanguage", c.get("invoicinglanguage"), _ISO)
    render_dimension_links(writer, "CustomerDimensions", c.dimensions)
    writer.close("CustomerAdditionalInformation")

    writer.close("Customer")


# -- customer.nv ---------------------------------------------------------------------------


def customer_write(call: Call) -> Answer:
    """``POST customer.nv?method=add|edit[&id=N][&useonlyexistingdimensions=1]``.

    add answers ``Replies/InsertedDataIdentifier``; edit answers only ``ResponseStatus``.
    """
    method = write_method(call)
    key = None
    if method == "edit":
        key = edit_key(call)
        if call.organisation.customer_register.get(key) is None:
            raise customer_not_found(key)
    document = parse_request(call.body, call.content_type, "customer")
    customer = write_customer(
        call.organisation.customer_register,
        call.organisation.dimension_register,
        _changes(document),
        key=key,
        now=call.now,
        use_only_existing_dimensions=call.params.get("useonlyexistingdimensions", "").strip()
        == "1",
    )
    return write_answer(call.now, customer.key if method == "add" else None)


def _changes(customer: etree._Element) -> CustomerChanges:
    values: dict[str, str] = {}
    automatic = False
    for element in customer.iter():
        tag = element.tag
        if element is customer or not isinstance(tag, str) or tag in _CONTAINERS:
            continue
        values[tag] = text_of(element)
        if tag == "internalidentifier" and element.get("type") == "automatic":
            automatic = True
    dimensions = dimension_requests(find(customer, "customerdimensiondetails"))
    return CustomerChanges(values=values, automatic_code=automatic, dimensions=dimensions)


RESOURCES: Final = (
    Resource("customerlist.nv", "GET", customer_list),
    Resource("getcustomer.nv", "GET", get_customer),
    Resource("customer.nv", "POST", customer_write),
)
