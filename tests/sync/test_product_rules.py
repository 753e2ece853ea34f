"""Rules 8–12 of the article (products), end to end against the sandboxes."""

from __future__ import annotations

from decimal import Decimal

from silta.domain import Action, ProductDirection, Register, Status
from silta.notes import NOTES, note_words

from .conftest import World, completed

S_TO_N = ProductDirection.SEVERA_TO_NETVISOR
N_TO_S = ProductDirection.NETVISOR_TO_SEVERA


async def test_rule_08_products_matched_by_code_created_never_updated(world: World) -> None:
    world.settings(products=S_TO_N)
    key = world.nv.put_product(
        productcode="P-1", name="Vanha nimi", productgroup="G", unitprice="5"
    )
    world.sv.put_product(
        name="Uusi nimi", code="P-1", unitPrice={"amount": 9, "currencyCode": "EUR"}
    )
    new = world.sv.put_product(name="Uusi tuote", code="P-2")
    result = await world.sync_one(Register.PRODUCTS)
    completed([result])
    assert world.nv.product(key).name == "Vanha nimi"
    by_code = {e.natural_key: e for e in world.entries(result)}
    assert (by_code["P-1"].action, by_code["P-1"].target_key) == (Action.SKIP, str(key))
    assert by_code["P-1"].message is not None
    assert note_words(by_code["P-1"].message, "en") == NOTES["products.exists"].en
    assert "never updated" in NOTES["products.exists"].en
    assert by_code["P-2"].action is Action.CREATE
    # Later edits in Severa are not carried over either.
    world.sv.rename("product", new, "Muutettu nimi")
    again = await world.sync_one(Register.PRODUCTS)
    assert world.nv.product_by_code("P-2").name == "Uusi tuote"
    assert {e.action for e in world.entries(again)} == {Action.SKIP}


async def test_rule_09_only_netvisor_products_with_a_code_go_to_severa(world: World) -> None:
    world.settings(products=N_TO_S)
    without = world.nv.put_product(name="Koodoton", productgroup="G", unitprice="1")
    world.nv.put_product(productcode="C-1", name="Koodillinen", productgroup="G", unitprice="1")
    result = await world.sync_one(Register.PRODUCTS)
    completed([result])
    assert world.refusals(result) == {"products.netvisor.code_missing": [str(without)]}
    assert [p["code"] for p in world.sv.products()] == ["C-1"]


async def test_rule_10_a_name_over_100_characters_is_refused_not_truncated(world: World) -> None:
    world.settings(products=N_TO_S)
    long = world.nv.put_product(productcode="L-1", name="x" * 101, productgroup="G", unitprice="1")
    world.nv.put_product(productcode="L-2", name="y" * 100, productgroup="G", unitprice="1")
    result = await world.sync_one(Register.PRODUCTS)
    assert world.refusals(result) == {"products.netvisor.name_too_long": [str(long)]}
    assert [p["name"] for p in world.sv.products()] == ["y" * 100]


async def test_rule_11_severa_products_zero_defaults_net_price_sales_product(world: World) -> None:
    world.settings(products=S_TO_N)
    world.sv.put_product(name="Ilman hintoja", code="Z-1")
    world.sv.put_product(
        name="Hinnoiteltu", code="Z-2", vatRate=25.5, measurementUnit="h",
        unitPrice={"amount": 120.5, "currencyCode": "EUR"},
        unitCost={"amount": 60, "currencyCode": "EUR"},
    )  # fmt: skip
    completed(await world.sync(Register.PRODUCTS))
    zero = world.nv.product_by_code("Z-1")
    priced = world.nv.product_by_code("Z-2")
    assert zero is not None
    assert priced is not None
    assert (zero.unit_price, zero.vat, zero.numbers.get("purchaseprice")) == (0, 0, 0)
    assert zero.get("issalesproduct") == "1"
    assert zero.price_type == "net"
    assert (priced.unit_price, priced.vat, priced.numbers["purchaseprice"]) == (
        Decimal("120.5"),
        Decimal("25.5"),
        Decimal("60"),
    )
    assert priced.get("unit") == "h"
    assert priced.get("productgroup") == world.store.settings(world.tenant.id).product_group


async def test_rule_11_netvisor_gross_price_becomes_net_in_severa(world: World) -> None:
    world.settings(products=N_TO_S)
    world.nv.put_product(productcode="G-1", name="Kirja", productgroup="G", unitprice="125.5",
                         unitprice_type="gross", defaultvatpercentage="25.5")  # fmt: skip
    completed(await world.sync(Register.PRODUCTS))
    (product,) = world.sv.products()
    assert Decimal(str(product["unitPrice"]["amount"])) == Decimal("100")
    assert product["vatRate"] == 25.5


async def test_rule_12_temp_product_mode_synchronizes_nothing_and_checks_temp(world: World) -> None:
    world.settings(products=ProductDirection.TEMP_PRODUCT)
    world.sv.put_product(name="Ei siirry", code="T-1")
    missing = await world.sync_one(Register.PRODUCTS)
    assert world.refusals(missing) == {"products.temp_missing": ["TEMP"]}
    world.nv.put_product(productcode="TEMP", name="Tilapäistuote", productgroup="G", unitprice="0")
    present = await world.sync_one(Register.PRODUCTS)
    (entry,) = world.entries(present)
    assert (entry.action, entry.status) == (Action.SKIP, Status.DONE)
    assert world.writes() == 0


async def test_rule_12_the_temporary_product_is_not_transferred_to_severa(world: World) -> None:
    world.settings(products=N_TO_S)
    world.nv.put_product(productcode="TEMP", name="Tilapäistuote", productgroup="G", unitprice="0")
    result = await world.sync_one(Register.PRODUCTS)
    (entry,) = world.entries(result)
    assert (entry.action, entry.status) == (Action.SKIP, Status.DONE)
    assert world.sv.products() == []
