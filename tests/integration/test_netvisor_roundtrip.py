"""Client ↔ sandbox round trips for every resource (issue: Netvisor protocol, "Done when")."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from silta.netvisor import (
    CustomerData,
    DimensionItemWrite,
    DuplicateData,
    InvalidData,
    NetvisorClient,
    NetvisorRequestError,
    NotFound,
    ProductData,
)
from silta.sandbox.netvisor import NetvisorSandbox

from .conftest import ORG, Clock

SPECIAL = 'Smith & Sons <Oy> "ÅÄÖ"'

FULL = CustomerData(
    code="1001",
    business_id="1572860-0",
    organization_unit_number="003715728600",
    name=SPECIAL,
    name_extension="Laskutus & <hallinto>",
    street_address="Äyräpääntie 1 A 3",
    additional_address_line="PL 55",
    city="Hämeenlinna",
    post_number="13100",
    country="FI",
    phone_number="+358 40 123 4567",
    fax_number="+358 9 123 456",
    email="info@smith-sons.fi",
    home_page_uri="https://smith-sons.fi/?a=1&b=2",
    is_active=True,
    is_private_customer=False,
    email_invoicing_address="laskut@smith-sons.fi",
    finvoice_address="003715728600",
    finvoice_router_code="003721291126",
    delivery_name="Smith & Sons / varasto",
    delivery_street_address="Varastotie 2",
    delivery_city="Vantaa",
    delivery_post_number="01510",
    delivery_country="FI",
    comment='Rivi 1\nRivi 2: <tärkeä> & "lainattu"',
    invoicing_language="SE",
)


async def test_customer_add_and_get_round_trip_every_field(
    client: NetvisorClient, sandbox: NetvisorSandbox
) -> None:
    key = await client.add_customer(FULL)
    stored = sandbox.organisation(ORG).customer(key)
    assert stored is not None
    assert stored.name == SPECIAL  # the sandbox parsed exactly what was meant
    customer = await client.get_customer(key)
    assert customer.netvisor_key == key
    assert customer.data() == FULL


async def test_customer_edit_changes_only_what_changed_and_blanks_cleared_fields(
    client: NetvisorClient, sandbox: NetvisorSandbox
) -> None:
    key = await client.add_customer(FULL)
    before = (await client.get_customer(key)).data()
    after = attrs.evolve(before, city="Tampere", fax_number=None, comment="Uusi & <parempi>")
    await client.edit_customer(key, before.changes_to(after))
    assert (await client.get_customer(key)).data() == after
    fields = sandbox.organisation(ORG).customer(key)
    assert fields is not None
    assert fields.get("faxnumber") == ""


async def test_customer_lists_filter_by_keyword_codes_and_change_time(
    client: NetvisorClient, clock: Clock
) -> None:
    first = await client.add_customer(CustomerData(code="2001", name="Alfa Oy"))
    since = clock.advance(minutes=5)
    clock.advance(minutes=1)
    second = await client.add_customer(CustomerData(code="2002", name="Beta & Gamma Oy"))
    rows = await client.list_customers()
    assert {row.netvisor_key for row in rows} == {first, second}
    assert [row.code for row in await client.list_customers(keyword="Gamma")] == ["2002"]
    assert [row.netvisor_key for row in await client.list_customers(changed_since=since)] == [
        second
    ]
    clock.advance(minutes=1)
    await client.edit_customer(first, CustomerData(city="Oulu"))
    changed = await client.list_customers(changed_since=since)
    assert {row.netvisor_key for row in changed} == {first, second}
    by_code = await client.list_customers(codes=["2002", "9999"])
    assert [(row.netvisor_key, row.name) for row in by_code] == [(second, "Beta & Gamma Oy")]


async def test_twelve_hundred_customers_come_back_through_chunked_idlists(
    client: NetvisorClient, sandbox: NetvisorSandbox
) -> None:
    org = sandbox.organisation(ORG)
    keys = [
        org.put_customer(internalidentifier=str(5000 + n), name=f"Åsa {n} & Co")
        for n in range(1200)
    ]
    org.stats.reset()
    customers = await client.get_customers(keys)
    assert [c.netvisor_key for c in customers] == keys
    assert customers[1199].name == "Åsa 1199 & Co"
    assert org.stats.requests[("GET", "getcustomer.nv")] == 3
    codes = await client.list_customers(codes=[str(5000 + n) for n in range(250)])
    assert len(codes) == 250
    assert org.stats.requests[("GET", "customerlist.nv")] == 3


async def test_customer_errors_from_the_sandbox_map_to_exceptions(client: NetvisorClient) -> None:
    await client.add_customer(CustomerData(code="3001", name="Eka"))
    with pytest.raises(DuplicateData):
        await client.add_customer(CustomerData(code="3001", name="Toka"))
    with pytest.raises(InvalidData, match="NOTANOPERATOR"):
        await client.add_customer(CustomerData(name="x", finvoice_router_code="NOTANOPERATOR"))
    with pytest.raises(NotFound):
        await client.get_customer(999_999)
    with pytest.raises(NotFound):
        await client.edit_customer(999_999, CustomerData(city="x"))


async def test_product_add_get_list_and_gross_price(
    client: NetvisorClient, sandbox: NetvisorSandbox
) -> None:
    net_key = await client.add_product(
        ProductData(
            code="SKU-1",
            group="Palvelut",
            name="Konsultointi & <suunnittelu> ÅÄÖ",
            unit_price=Decimal("120.50"),
            unit="h",
            purchase_price=Decimal("0"),
            vat_percent=Decimal("25.5"),
            is_active=True,
            is_sales_product=True,
        )
    )
    gross_key = await client.add_product(
        ProductData(
            code="SKU-2",
            group="Tavarat",
            name="Kirja",
            unit_price=Decimal("125.50"),
            unit_price_type="gross",
            vat_percent=Decimal("25.5"),
            is_active=False,
            is_sales_product=True,
        )
    )
    product = await client.get_product(net_key)
    assert product.name == "Konsultointi & <suunnittelu> ÅÄÖ"
    assert (product.code, product.group, product.unit) == ("SKU-1", "Palvelut", "h")
    assert product.unit_price == Decimal("120.50")
    assert product.vat_percent == Decimal("25.5")
    assert product.is_sales_product is True
    gross = await client.get_product(gross_key)
    assert gross.unit_price == Decimal("100")
    assert gross.unit_gross_price == Decimal("125.50")
    assert gross.is_active is False
    listed = {row.code: row for row in await client.list_products()}
    assert listed["SKU-2"].unit_price == Decimal("100")
    assert [p.netvisor_key for p in await client.get_products(codes=["SKU-2", "NOPE"])] == [
        gross_key
    ]
    assert (await client.find_product("SKU-1")) == product
    assert await client.find_product("NOPE") is None
    with pytest.raises(NotFound):
        await client.get_product(424242)
    with pytest.raises(DuplicateData):
        await client.add_product(attrs.evolve(_minimal_product(), code="SKU-1"))
    assert len(sandbox.organisation(ORG).products()) == 2


def _minimal_product() -> ProductData:
    return ProductData(
        code="X",
        group="G",
        name="N",
        unit_price=Decimal(0),
        is_active=True,
        is_sales_product=True,
    )


async def test_a_name_longer_than_netvisor_takes_is_refused_before_sending(
    client: NetvisorClient, sandbox: NetvisorSandbox
) -> None:
    with pytest.raises(NetvisorRequestError, match="at most 200"):
        await client.add_product(attrs.evolve(_minimal_product(), name="n" * 201))
    assert sandbox.organisation(ORG).stats.total_requests == 0


async def test_dimension_items_rename_and_children_under_a_parent(
    client: NetvisorClient, sandbox: NetvisorSandbox
) -> None:
    await client.add_dimension_item("Projekti", "P-100 Verkkosivut & <haku>")
    (header,) = await client.list_dimensions()
    (project,) = header.items
    await client.add_dimension_item("Projekti", "10 Suunnittelu", father_id=project.netvisor_key)
    await client.add_dimension_item(
        "Projekti", "20 Toteutus", father_item="P-100 Verkkosivut & <haku>"
    )
    await client.add_dimension_item("Projekti", "P-200")
    await client.add_dimension_item("Projekti", "10 Suunnittelu", father_item="P-200")
    await client.rename_dimension_item(
        "Projekti", "P-100 Verkkosivut & <haku>", "P-100 Verkkokauppa"
    )
    (header,) = await client.list_dimensions()
    shape = [(i.name, i.level, i.sort, i.end_sort) for i in header.items]
    assert shape == [
        ("P-100 Verkkokauppa", 1, 0, 2),
        ("10 Suunnittelu", 2, 1, 1),
        ("20 Toteutus", 2, 2, 2),
        ("P-200", 1, 3, 4),
        ("10 Suunnittelu", 2, 4, 4),
    ]
    p100, p200 = header.find("P-100 Verkkokauppa")[0], header.find("P-200")[0]
    assert [i.name for i in header.children(p100.netvisor_key)] == ["10 Suunnittelu", "20 Toteutus"]
    assert len(header.find("10 Suunnittelu")) == 2
    # Same name under two parents: the rename names the parent to be unambiguous.
    with pytest.raises(InvalidData):
        await client.rename_dimension_item("Projekti", "10 Suunnittelu", "10 Määrittely")
    await client.rename_dimension_item(
        "Projekti", "10 Suunnittelu", "10 Määrittely", father_id=p200.netvisor_key
    )
    (header,) = await client.list_dimensions()
    assert [i.name for i in header.children(p200.netvisor_key)] == ["10 Määrittely"]
    assert [i.name for i in header.children(p100.netvisor_key)] == ["10 Suunnittelu", "20 Toteutus"]


async def test_hidden_items_and_unknown_header(client: NetvisorClient) -> None:
    await client.add_dimension_item("Projekti", "P-1")
    await client.edit_dimension_item(
        DimensionItemWrite(header="Projekti", item="P-1", old_item="P-1", hidden=True)
    )
    (header,) = await client.list_dimensions()
    assert header.items == ()
    (header,) = await client.list_dimensions(show_hidden=True)
    assert [(i.name, i.is_hidden) for i in header.items] == [("P-1", True)]
    with pytest.raises(InvalidData):
        await client.add_dimension_item("Ei ole", "P-1")
    with pytest.raises(DuplicateData):
        await client.add_dimension_item("Projekti", "P-1")
