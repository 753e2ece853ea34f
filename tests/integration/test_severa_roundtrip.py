"""Severa client ↔ sandbox round trips for every resource (issue: Severa protocol, "Done when")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from silta.sandbox.severa import SeveraSandbox
from silta.severa import (
    AddressInput,
    CustomerInput,
    GuidRef,
    MoneyInput,
    ProductInput,
    SeveraValidationError,
)

from .severa_fixtures import MakeSevera, SeveraClock


def org(sandbox: SeveraSandbox):  # type: ignore[no-untyped-def]
    return sandbox.organisation_of("silta-test")


async def test_250_customers_come_back_across_three_pages(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    organisation = org(severa)
    for n in range(250):
        organisation.put_customer(name=f"Äijälän Puu {n} Oy", number=1000 + n)
    organisation.stats.reset()
    client = make_severa()
    customers = [c async for c in client.iter_customers()]
    assert sorted(c.number or 0 for c in customers) == list(range(1000, 1250))
    assert len({c.guid for c in customers}) == 250
    assert {c.name for c in customers} >= {"Äijälän Puu 0 Oy", "Äijälän Puu 249 Oy"}
    assert organisation.stats.requests[("GET", "/v1/customers")] == 3


async def test_customer_with_its_head_office_address_created_and_linked(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    client = make_severa()
    finnish = next(lang for lang in await client.languages() if lang.code == "fi")
    finland = next(c for c in await client.countries() if c.code2 == "FI")
    created = await client.create_customer(
        CustomerInput(
            name="Äänekosken Sähkö & Vesi Oy",
            number=4711,
            vat_number="FI07375462",
            email="laskut@äänekoski.example",
            language=GuidRef(guid=finnish.guid),
            e_invoice_address="003707375462",
            e_invoice_operator="003721291126",
        )
    )
    assert created.number == 4711
    assert created.headquarter_address is None or created.headquarter_address.guid is None
    address = await client.create_address(
        created.guid,
        AddressInput(
            addressline="Äyräpääntie 1 A 3",
            postal_code="44100",
            city="Äänekoski",
            country=GuidRef(guid=finland.guid),
            is_billing_address=True,
            is_postal_address=True,
        ),
    )
    linked = await client.patch_customer(created.guid, {"headquarterAddress/guid": address.guid})
    assert linked.headquarter_address is not None
    assert linked.headquarter_address.guid == address.guid
    fetched = await client.get_customer(created.guid)
    assert fetched.headquarter_address is not None
    assert (fetched.headquarter_address.addressline, fetched.headquarter_address.city) == (
        "Äyräpääntie 1 A 3",
        "Äänekoski",
    )
    assert fetched.language is not None
    assert fetched.language.code == "fi"
    addresses = [a async for a in client.iter_customer_addresses(created.guid)]
    assert [(a.guid, a.is_billing_address, a.is_postal_address) for a in addresses] == [
        (address.guid, True, True)
    ]


async def test_a_patch_of_two_fields_changes_those_two_only(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    guid = org(severa).put_customer(name="Vanha Nimi Oy", number=501, email="a@example.fi")
    client = make_severa()
    before = await client.get_customer(guid)
    after = await client.patch_customer(guid, {"name": "Uusi Öljy Oy", "isActive": False})
    assert (after.name, after.is_active) == ("Uusi Öljy Oy", False)
    assert (after.number, after.email) == (before.number, before.email)
    assert after.last_updated_date_time is not None
    assert before.last_updated_date_time is not None


async def test_changed_since_returns_exactly_what_changed(
    severa: SeveraSandbox, make_severa: MakeSevera, severa_clock: SeveraClock
) -> None:
    organisation = org(severa)
    untouched = organisation.put_customer(name="Ei muutoksia Oy", number=601)
    edited = organisation.put_customer(name="Muokattava Oy", number=602)
    since = severa_clock.advance(minutes=10)
    at_boundary = organisation.put_customer(name="Rajalla Oy", number=603)  # changed at `since`
    severa_clock.advance(minutes=5)
    client = make_severa()
    await client.patch_customer(edited, {"notes": "päivitetty"})
    created = await client.create_customer(CustomerInput(name="Uusi Oy", number=604))
    changed = {c.guid async for c in client.iter_customers(changed_since=since)}
    assert changed == {edited, at_boundary, created.guid}
    assert untouched not in changed


async def test_customers_by_number(severa: SeveraSandbox, make_severa: MakeSevera) -> None:
    organisation = org(severa)
    for n in range(30):
        organisation.put_customer(name=f"Asiakas {n}", number=700 + n)
    client = make_severa()
    found = [c.number async for c in client.iter_customers(numbers=[705, 729, 9999])]
    assert sorted(n or 0 for n in found) == [705, 729]


async def test_addresses_changed_since_and_patch(
    severa: SeveraSandbox, make_severa: MakeSevera, severa_clock: SeveraClock
) -> None:
    organisation = org(severa)
    customer = organisation.put_customer(name="Osoitteellinen Oy", number=801)
    old = organisation.put_address(customer, addressline="Vanha tie 1", city="Oulu")
    since = severa_clock.advance(minutes=1)
    client = make_severa()
    patched = await client.patch_address(old, {"city": "Kemi", "isPostalAddress": True})
    assert (patched.city, patched.is_postal_address) == ("Kemi", True)
    assert [a.guid async for a in client.iter_addresses(changed_since=since)] == [old]


async def test_products_create_get_and_filter(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    client = make_severa()
    created = await client.create_product(
        ProductInput(
            name="Konsultointi, kiinteä ÅÄÖ",
            code="KONS-01",
            unit_price=MoneyInput(amount=Decimal("120.50"), currency_code="EUR"),
            unit_cost=MoneyInput(amount=Decimal("60"), currency_code="EUR"),
            vat_rate=Decimal("25.5"),
            measurement_unit="h",
            type="FixedFees",
        )
    )
    fetched = await client.get_product(created.guid)
    assert fetched.name == "Konsultointi, kiinteä ÅÄÖ"
    assert fetched.unit_price is not None
    assert fetched.unit_price.amount == Decimal("120.5")
    assert fetched.vat_rate == Decimal("25.5")
    assert [p.guid async for p in client.iter_products(code="KONS-01")] == [created.guid]
    with pytest.raises(SeveraValidationError):
        await client.create_product(ProductInput(name="Toinen", code="KONS-01"))


async def test_projects_phases_and_business_units(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    organisation = org(severa)
    customer = organisation.put_customer(name="Projektiasiakas Oy", number=901)
    unit = organisation.put_business_unit(name="Helsinki", code="HKI")
    project = organisation.put_project(name="Verkkokauppa", customer_guid=customer, number=3001,
                                       business_unit_guid=unit)  # fmt: skip
    design = organisation.put_phase(project, name="Suunnittelu", code="10")
    organisation.put_phase(project, name="Toteutus", code="20")
    organisation.put_phase(project, name="Rautalanka", code="11", parent_guid=design)
    client = make_severa()
    (found,) = [p async for p in client.iter_projects(numbers=[3001])]
    assert found.business_unit is not None
    assert found.business_unit.guid == unit
    assert found.root_phase is not None
    by_guid = [p.guid async for p in client.iter_projects(project_guids=[project])]
    assert by_guid == [project]
    phases = [p async for p in client.iter_phases(project_guids=[project])]
    assert {p.code for p in phases} == {None, "10", "20", "11"}  # the root phase has no code
    tree = await client.phases_with_hierarchy(project)
    assert [(p.name, p.level) for p in tree] == [
        ("Verkkokauppa", 0),
        ("Suunnittelu", 1),
        ("Rautalanka", 2),
        ("Toteutus", 1),
    ]
    assert [p.has_children for p in tree] == [True, True, False, False]
    units = [u async for u in client.iter_business_units(code="HKI")]
    assert [u.guid for u in units] == [unit]


async def test_reference_data(make_severa: MakeSevera) -> None:
    client = make_severa()
    assert {lang.code for lang in await client.languages()} >= {"fi", "sv", "en"}
    assert {c.code2 for c in await client.countries()} >= {"FI", "SE"}
    assert {r.percentage for r in await client.vat_rates()} >= {Decimal("25.5"), Decimal("0")}
