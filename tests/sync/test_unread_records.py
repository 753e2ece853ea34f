"""A record Netvisor answers without its NetvisorKey is refused on its own, never the batch.

The sandbox always sends the key; these tests take it out of one record of the real answer
on its way to Silta, as an older or minimal Netvisor answer leaves it out.
"""

from __future__ import annotations

import re

import httpx

from silta.domain import (
    Action,
    CustomerDirection,
    ProductDirection,
    Register,
    RunStatus,
    Status,
)

from .builders import netvisor_customer, severa_customer
from .conftest import World, completed


def drop_key(world: World, resource: str, key: int) -> None:
    """Answers of ``resource`` lose the NetvisorKey element of the record with ``key``."""
    pattern = re.compile(rf"<Netvisor[kK]ey>{key}</Netvisor[kK]ey>".encode())

    async def hook(request: httpx.Request, writes: int) -> httpx.Response | None:
        if not request.url.path.endswith(f"/{resource}"):
            return None
        answer = await world.transport.inner.handle_async_request(request)
        body = pattern.sub(b"", await answer.aread())
        return httpx.Response(answer.status_code, headers=answer.headers, content=body)

    world.transport.hook = hook


async def test_netvisor_to_severa_a_keyless_detail_refuses_that_customer_only(world: World) -> None:
    world.settings(customers=CustomerDirection.NETVISOR_TO_SEVERA)
    netvisor_customer(world.nv, "5001", "Ensimmäinen Oy")
    keyless = netvisor_customer(world.nv, "5002", "Avaimeton Oy")
    netvisor_customer(world.nv, "5003", "Kolmas Oy")
    drop_key(world, "getcustomer.nv", keyless)
    result = await world.sync_one(Register.CUSTOMERS)
    completed([result])
    assert sorted(c["number"] for c in world.sv.customers()) == [5001, 5003]
    (refused,) = world.entries(result, status=Status.REFUSED)
    assert (refused.source_key, refused.natural_key, refused.name) == (
        str(keyless),
        "5002",
        "Avaimeton Oy",
    )
    assert [r.rule for r in refused.refusals] == ["customers.netvisor.key_missing"]
    assert "NetvisorKey" in refused.refusals[0].message_en
    assert "NetvisorKey" in refused.refusals[0].message_fi

    world.transport.hook = None  # Netvisor answers whole again: the next full run takes it
    again = await world.sync_one(Register.CUSTOMERS, full=True)
    completed([again])
    assert sorted(c["number"] for c in world.sv.customers()) == [5001, 5002, 5003]


async def test_netvisor_to_severa_a_keyless_list_row_is_refused_by_its_code(world: World) -> None:
    world.settings(customers=CustomerDirection.NETVISOR_TO_SEVERA)
    netvisor_customer(world.nv, "5101", "Listattu Oy")
    keyless = netvisor_customer(world.nv, "5102", "Rivi ilman avainta Oy")
    drop_key(world, "customerlist.nv", keyless)
    result = await world.sync_one(Register.CUSTOMERS)
    assert result.status is RunStatus.COMPLETED
    assert [c["number"] for c in world.sv.customers()] == [5101]
    (refused,) = world.entries(result, status=Status.REFUSED)
    assert (refused.source_key, refused.natural_key) == (None, "5102")
    assert refused.action is Action.REFUSE


async def test_severa_to_netvisor_a_keyless_target_is_not_created_again(world: World) -> None:
    """Netvisor as the target: a customer with that code may be there; creating another
    would duplicate it, so the Severa customer waits with the reason."""
    world.settings(customers=CustomerDirection.SEVERA_TO_NETVISOR)
    existing = netvisor_customer(world.nv, "6001", "Olemassa Oy", externalidentifier="0737546-2")
    severa_customer(world.sv, "Olemassa Oy", 6001, vat="FI07375462")
    severa_customer(world.sv, "Uusi Oy", 6002, vat="FI26174164")
    drop_key(world, "customerlist.nv", existing)
    result = await world.sync_one(Register.CUSTOMERS)
    completed([result])
    assert sorted(c.code for c in world.nv.customers()) == ["6001", "6002"]  # no second 6001
    (refused,) = world.entries(result, status=Status.REFUSED)
    assert refused.natural_key == "6001"
    assert [r.rule for r in refused.refusals] == ["customers.netvisor.key_missing"]


async def test_netvisor_to_severa_a_keyless_product_is_refused_alone(world: World) -> None:
    world.settings(products=ProductDirection.NETVISOR_TO_SEVERA)
    world.nv.put_product(productcode="P-1", name="Yksi", unitprice="10")
    keyless = world.nv.put_product(productcode="P-2", name="Kaksi", unitprice="20")
    drop_key(world, "getproduct.nv", keyless)
    result = await world.sync_one(Register.PRODUCTS)
    completed([result])
    assert [p["code"] for p in world.sv.products()] == ["P-1"]
    (refused,) = world.entries(result, status=Status.REFUSED)
    assert (refused.source_key, refused.natural_key) == (str(keyless), "P-2")
    assert [r.rule for r in refused.refusals] == ["products.netvisor.key_missing"]


async def test_severa_to_netvisor_a_keyless_product_is_not_created_again(world: World) -> None:
    world.settings(products=ProductDirection.SEVERA_TO_NETVISOR)
    existing = world.nv.put_product(productcode="Q-1", name="Olemassa", unitprice="10")
    world.sv.put_product("Olemassa", "Q-1")
    drop_key(world, "getproduct.nv", existing)
    result = await world.sync_one(Register.PRODUCTS)
    completed([result])
    assert [p.code for p in world.nv.products()] == ["Q-1"]
    (refused,) = world.entries(result, status=Status.REFUSED)
    assert [r.rule for r in refused.refusals] == ["products.netvisor.key_missing"]
