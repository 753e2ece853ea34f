"""Routes of products (scopes ``settings:read`` / ``settings:write``).

``GET /v1/products`` filters (``Products_GetProducts``): ``code`` (exact), ``isActive``,
``type`` (a ``ProductType`` name, any letter case) and ``changedSince`` (≥). ``DELETE``
deletes the product (204; nothing in the sandbox refers to a product).
"""

from __future__ import annotations

from ..products import PRODUCT_TYPES
from .base import Answer, Call, Handler, Predicates, created, found, patched, token_list

__all__ = ["HANDLERS"]


def list_products(call: Call) -> Answer:
    query = call.query
    products = call.org.product_register
    filters = Predicates()
    code = query.text("code")
    if code is not None:
        owner = products.by_code(code)
        filters.narrow("code", code, [] if owner is None else [owner.seq])
    active = query.boolean("isActive")
    filters.add("isActive", active, lambda r: r["isActive"] == active)
    kind = query.choice("type", PRODUCT_TYPES)
    filters.add("type", kind, lambda r: r["type"] == kind)
    filters.changed_since(query.changed_since())
    return token_list(call, products, filters)


def create_product(call: Call) -> Answer:
    products = call.org.product_register
    return created(products, products.create(call.body))


def get_product(call: Call) -> Answer:
    products = call.org.product_register
    return Answer(200, products.render(found(products, call.params["guid"])))


def patch_product(call: Call) -> Answer:
    products = call.org.product_register
    record = found(products, call.params["guid"])
    return patched(products, products.patch(record, call.body))


def delete_product(call: Call) -> Answer:
    products = call.org.product_register
    products.delete(found(products, call.params["guid"]))
    return Answer(204, None)


HANDLERS: dict[str, Handler] = {
    "Products_GetProducts": list_products,
    "Products_PostProduct": create_product,
    "Products_GetProduct": get_product,
    "Products_PatchProduct": patch_product,
    "Products_DeleteProduct": delete_product,
}
