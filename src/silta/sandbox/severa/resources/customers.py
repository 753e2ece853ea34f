"""Routes of customers and addresses (scopes ``customers:read`` / ``customers:write``).

``GET /v1/customers`` filters, as the document lists them for ``Customers_GetCustomers``:
``numbers`` (repeated, exact), ``isActive``, ``isInternal`` (the sandbox's customers are all
external), ``customerOwnerGuids``, ``changedSince`` (≥), ``emailAddresses`` and
``customerNames`` (exact match of the whole value, ignoring letter case - Severa's database
compares text case-insensitively). All given filters must hold.
"""

from __future__ import annotations

from .base import (
    Answer,
    Call,
    Handler,
    Predicates,
    created,
    fold,
    found,
    offset_list,
    patched,
    token_list,
)

__all__ = ["HANDLERS"]


def list_customers(call: Call) -> Answer:
    query = call.query
    customers = call.org.customer_register
    filters = Predicates()
    numbers = query.integers("numbers")
    seqs = [r.seq for n in numbers if (r := customers.by_number(n)) is not None]
    filters.narrow("numbers", numbers, seqs)
    active = query.boolean("isActive")
    filters.add("isActive", active, lambda r: r["isActive"] == active)
    internal = query.boolean("isInternal")
    filters.add("isInternal", internal, lambda r: internal is False)
    owners = set(query.texts("customerOwnerGuids"))
    filters.add("customerOwnerGuids", owners, lambda r: r["owner"] in owners)
    filters.changed_since(query.changed_since())
    emails = {fold(e) for e in query.texts("emailAddresses")}
    filters.add("emailAddresses", emails, lambda r: fold(r["email"] or "") in emails)
    names = {fold(n) for n in query.texts("customerNames")}
    filters.add("customerNames", names, lambda r: fold(r["name"]) in names)
    return token_list(call, customers, filters)


def create_customer(call: Call) -> Answer:
    customers = call.org.customer_register
    return created(customers, customers.create(call.body))


def get_customer(call: Call) -> Answer:
    customers = call.org.customer_register
    return Answer(200, customers.render(found(customers, call.params["guid"])))


def patch_customer(call: Call) -> Answer:
    customers = call.org.customer_register
    record = found(customers, call.params["guid"])
    return patched(customers, customers.patch(record, call.body))


def delete_customer(call: Call) -> Answer:
    customers = call.org.customer_register
    customers.delete(found(customers, call.params["guid"]))
    return Answer(204, None)


def list_customer_addresses(call: Call) -> Answer:
    customer = found(call.org.customer_register, call.params["customerGuid"])
    addresses = call.org.address_register
    within = addresses.register.seqs("customer", customer.guid)
    return offset_list(call, addresses, Predicates(), within=within, cache_key=customer.guid)


def create_customer_address(call: Call) -> Answer:
    customer = found(call.org.customer_register, call.params["customerGuid"])
    addresses = call.org.address_register
    return created(addresses, addresses.create(call.body, {"customer": customer.guid}))


def list_addresses(call: Call) -> Answer:
    filters = Predicates()
    filters.changed_since(call.query.changed_since())
    return offset_list(call, call.org.address_register, filters)


def get_address(call: Call) -> Answer:
    addresses = call.org.address_register
    return Answer(200, addresses.render(found(addresses, call.params["guid"])))


def patch_address(call: Call) -> Answer:
    addresses = call.org.address_register
    record = found(addresses, call.params["guid"])
    return patched(addresses, addresses.patch(record, call.body))


HANDLERS: dict[str, Handler] = {
    "Customers_GetCustomers": list_customers,
    "Customers_PostCustomer": create_customer,
    "Customers_GetCustomer": get_customer,
    "Customers_PatchCustomer": patch_customer,
    "Customers_DeleteCustomer": delete_customer,
    "Addresses_GetCustomerAddresses": list_customer_addresses,
    "Addresses_PostCustomerAddress": create_customer_address,
    "Addresses_GetAddresses": list_addresses,
    "Addresses_GetAddress": get_address,
    "Addresses_PatchAddress": patch_address,
}
