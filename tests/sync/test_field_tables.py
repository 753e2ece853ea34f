"""The article's two field tables, every row, end to end in the direction(s) it applies."""

from __future__ import annotations

from decimal import Decimal

from silta.domain import CustomerDirection, ProductDirection, Register
from silta.registers.customers import FIELDS as CUSTOMER_FIELDS
from silta.registers.products import FIELDS as PRODUCT_FIELDS

from .builders import netvisor_customer, severa_customer
from .conftest import World, completed

# Request element of Netvisor's customer.nv for each canonical field of the table.
NETVISOR_ELEMENT = {
    "code": "internalidentifier", "name": "name", "einvoice_address": "finvoiceaddress",
    "einvoice_operator": "finvoiceroutercode", "comment": "comment", "email": "email",
    "business_id": "externalidentifier", "home_page": "homepageuri", "street": "streetaddress",
    "city": "city", "postal_code": "postnumber", "country": "country", "phone": "phonenumber",
    "fax": "faxnumber", "delivery_name": "deliveryname", "delivery_street": "deliverystreetaddress",
    "delivery_city": "deliverycity", "delivery_postal_code": "deliverypostnumber",
    "delivery_country": "deliverycountry", "invoice_language": "invoicinglanguage",
    "active": "isactive",
}  # fmt: skip


async def test_customer_field_table_severa_to_netvisor_every_row(world: World) -> None:
    world.settings(customers=CustomerDirection.SEVERA_TO_NETVISOR, email_invoicing_channel=True)
    sv = world.sv
    severa_customer(
        sv, "Rivi Rivi & Poika Oy", 8001, vat="FI07375462", notes="Muistiinpano",
        email="laskut@rivi.fi", website="https://rivi.fi", eInvoiceAddress="003707375462",
        eInvoiceOperator="003721291126", language=sv.language("sv").guid, isActive=False,
        address={"addressline": "Åkerikatu 5", "postalCode": "33100", "city": "Tampere",
                 "country": sv.country("SE").guid, "phone": "+358 3 1", "fax": "+358 3 2"},
    )  # fmt: skip
    completed(await world.sync(Register.CUSTOMERS))
    customer = world.nv.customer_by_code("8001")
    assert customer is not None
    expected = {
        "code": "8001", "name": "Rivi Rivi & Poika Oy", "einvoice_address": "003707375462",
        "einvoice_operator": "003721291126", "comment": "Muistiinpano", "email": "laskut@rivi.fi",
        "business_id": "0737546-2", "home_page": "https://rivi.fi", "street": "Åkerikatu 5",
        "city": "Tampere", "postal_code": "33100", "country": "SE", "phone": "+358 3 1",
        "fax": "+358 3 2", "delivery_name": "Rivi Rivi & Poika Oy",
        "delivery_street": "Åkerikatu 5", "delivery_city": "Tampere",
        "delivery_postal_code": "33100", "delivery_country": "SE", "invoice_language": "SE",
        "active": "0",
    }  # fmt: skip
    for row in CUSTOMER_FIELDS:
        assert customer.get(NETVISOR_ELEMENT[row.canonical]) == expected[row.canonical], row
    assert customer.get("emailinvoicingaddress") == "laskut@rivi.fi"  # the e-mail channel is on


async def test_customer_field_table_netvisor_to_severa_every_row(world: World) -> None:
    world.settings(customers=CustomerDirection.NETVISOR_TO_SEVERA)
    netvisor_customer(
        world.nv, "8002", "Pohjan Puu Oy", externalidentifier="0737546-2",
        finvoiceaddress="003707375462", finvoiceroutercode="NDEAFIHH", comment="Kommentti",
        email="info@pohja.fi", homepageuri="pohja.fi", streetaddress="Katu 2", city="Oulu",
        postnumber="90100", country="FI", phonenumber="+358 8 1", faxnumber="+358 8 2",
        deliverystreetaddress="Varasto 9", deliverycity="Kempele", deliverypostnumber="90440",
        deliverycountry="FI", invoicinglanguage="EN", isactive="0",
    )  # fmt: skip
    completed(await world.sync(Register.CUSTOMERS))
    customer = world.sv.customer_by_number(8002)
    assert customer is not None
    assert (customer["name"], customer["vatNumber"], customer["notes"]) == (
        "Pohjan Puu Oy", "FI07375462", "Kommentti")  # fmt: skip
    assert (customer["email"], customer["website"], customer["isActive"]) == (
        "info@pohja.fi", "pohja.fi", False)  # fmt: skip
    assert (customer["eInvoiceAddress"], customer["eInvoiceOperator"]) == (
        "003707375462", "NDEAFIHH")  # fmt: skip
    assert customer["language"]["code"] == "en"
    addresses = {a.guid: a for a in world.sv.addresses(customer.guid)}
    hq = addresses[customer["headquarterAddress"]["guid"]]
    assert (hq["addressline"], hq["postalCode"], hq["city"], hq["phone"], hq["fax"]) == (
        "Katu 2", "90100", "Oulu", "+358 8 1", "+358 8 2")  # fmt: skip
    assert hq["country"]["guid"] == world.sv.country("FI").guid
    assert (hq["isBillingAddress"], hq["isPostalAddress"]) == (True, False)
    (delivery,) = [a for g, a in addresses.items() if g != hq.guid]
    assert (delivery["addressline"], delivery["city"], delivery["isPostalAddress"]) == (
        "Varasto 9", "Kempele", True)  # fmt: skip


async def test_product_field_table_severa_to_netvisor_every_row(world: World) -> None:
    world.settings(products=ProductDirection.SEVERA_TO_NETVISOR)
    world.sv.put_product(
        name="Asennus", code="A-1", vatRate=14, measurementUnit="pv", isActive=False,
        unitPrice={"amount": 800, "currencyCode": "EUR"},
        unitCost={"amount": 350.5, "currencyCode": "EUR"},
    )  # fmt: skip
    completed(await world.sync(Register.PRODUCTS))
    product = world.nv.product_by_code("A-1")
    assert product is not None
    values = {
        "code": product.get("productcode"), "name": product.get("name"),
        "purchase_price": product.numbers["purchaseprice"], "unit_price": product.unit_price,
        "vat_percent": product.vat, "unit": product.get("unit"),
        "description": product.get("description"), "active": product.get("isactive"),
        "sales_product": product.get("issalesproduct"),
    }  # fmt: skip
    assert values == {
        "code": "A-1", "name": "Asennus", "purchase_price": Decimal("350.5"),
        "unit_price": Decimal("800"), "vat_percent": Decimal("14"), "unit": "pv",
        "description": "", "active": "0", "sales_product": "1",
    }  # fmt: skip
    assert set(values) == {row.canonical for row in PRODUCT_FIELDS}


async def test_product_field_table_netvisor_to_severa_every_row(world: World) -> None:
    world.settings(products=ProductDirection.NETVISOR_TO_SEVERA)
    world.nv.put_product(productcode="B-1", name="Kartoitus", productgroup="G", unitprice="90",
                         unit="h", purchaseprice="40", defaultvatpercentage="25.5",
                         description="Ei siirry", isactive="0")  # fmt: skip
    completed(await world.sync(Register.PRODUCTS))
    (product,) = world.sv.products()
    assert (product["code"], product["name"], product["measurementUnit"]) == (
        "B-1",
        "Kartoitus",
        "h",
    )
    assert (product["unitPrice"]["amount"], product["unitCost"]["amount"]) == (90, 40)
    assert (product["vatRate"], product["isActive"]) == (25.5, False)
    assert "Ei siirry" not in str(product.json)  # the description is not transferred
