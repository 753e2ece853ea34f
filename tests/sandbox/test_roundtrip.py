"""Values survive the trip through request XML, the store and response XML exactly; and a
benchmark-sized organisation is served without quadratic paths."""

from __future__ import annotations

import time

from silta.sandbox.netvisor import Organisation

from .helpers import Api, assert_ok

AWKWARD = "Smith & Sons <Oy> \"ÅÄÖ\" 'x' € ]]>"


async def test_awkward_text_round_trips(api: Api, org: Organisation) -> None:
    escaped = AWKWARD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = (
        "<root><customer><customerbaseinformation>"
        f"<internalidentifier>R&amp;D-1</internalidentifier><name>{escaped}</name>"
        "</customerbaseinformation><customeradditionalinformation>"
        "<comment>line 1&#13;\nline 2\ttab</comment>"
        "</customeradditionalinformation></customer></root>"
    )
    root = assert_ok(await api.post("customer.nv", {"method": "add"}, body))
    key = root.findtext("Replies/InsertedDataIdentifier")

    detail = assert_ok(await api.get("getcustomer.nv", {"id": key or ""}))
    assert detail.findtext("Customer/CustomerBaseInformation/Name") == AWKWARD
    assert detail.findtext("Customer/CustomerBaseInformation/InternalIdentifier") == "R&D-1"
    assert (
        detail.findtext("Customer/CustomerAdditionalInformation/Comment") == "line 1\r\nline 2\ttab"
    )

    listing = assert_ok(await api.get("customerlist.nv", {"keyword": "sons <oy>"}))
    assert listing.findtext("Customerlist/Customer/Name") == AWKWARD
    codes = assert_ok(await api.get("customerlist.nv", {"customercodelist": "R&D-1"}))
    assert codes.findtext("Customerlist/Customer/Code") == "R&D-1"


async def test_ten_thousand_customers_and_products(api: Api, org: Organisation) -> None:
    for n in range(10_000):
        org.put_customer(internalidentifier=str(10_000 + n), name=f"Asiakas {n} Oy")
        org.put_product(productcode=f"P{n}", name=f"Tuote {n}", unitprice="9,90")
    keys = [c.key for c in org.customers()]
    started = time.perf_counter()
    for start in range(0, len(keys), 500):
        chunk = ",".join(str(k) for k in keys[start : start + 500])
        root = assert_ok(await api.get("getcustomer.nv", {"idlist": chunk}))
        assert len(root.findall("Customers/Customer")) == 500
    listing = assert_ok(await api.get("customerlist.nv"))
    assert len(listing.findall("Customerlist/Customer")) == 10_000
    products = assert_ok(await api.get("productlist.nv"))
    assert len(products.findall("ProductList/Product")) == 10_000
    codes = ",".join(f"P{n}" for n in range(0, 10_000, 25))
    assert (
        len(
            assert_ok(await api.get("getproduct.nv", {"codelist": codes})).findall(
                "Products/Product"
            )
        )
        == 400
    )
    assert time.perf_counter() - started < 10  # generous: a few hundred ms on a laptop
