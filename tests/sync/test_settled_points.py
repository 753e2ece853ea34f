"""The points the article leaves open, as MISSION.md settles them."""

from __future__ import annotations

from silta.domain import Action, CustomerDirection, Register, System

from .builders import netvisor_customer, severa_customer
from .conftest import World, completed

S_TO_N = CustomerDirection.SEVERA_TO_NETVISOR


async def test_settled_person_customers_without_business_id(world: World) -> None:
    guid = severa_customer(world.sv, "Matti Meikäläinen", 9001, vat=None)
    world.settings(customers=S_TO_N, persons_without_business_id=False)
    refused = await world.sync_one(Register.CUSTOMERS)
    assert world.refusals(refused) == {"customers.severa.business_id_missing": [guid]}
    world.settings(persons_without_business_id=True)
    created = await world.sync_one(Register.CUSTOMERS)
    completed([created])
    customer = world.nv.customer_by_code("9001")
    assert customer is not None
    assert customer.get("isprivatecustomer") == "1"
    assert customer.get("externalidentifier") == ""


async def test_settled_number_in_netvisor_adopted_only_with_the_same_business_id(
    world: World,
) -> None:
    world.settings(customers=S_TO_N)
    same = netvisor_customer(world.nv, "9101", "Sama Oy", externalidentifier="0737546-2")
    other = netvisor_customer(world.nv, "9102", "Eri Oy", externalidentifier="2077474-0")
    adopted = severa_customer(world.sv, "Sama Oy", 9101, vat="FI07375462")  # VAT form, same ID
    conflict = severa_customer(world.sv, "Toinen Oy", 9102, vat="FI07375462")
    result = await world.sync_one(Register.CUSTOMERS)
    by_source = {e.source_key: e for e in world.entries(result)}
    assert by_source[adopted].target_key == str(same)
    assert by_source[adopted].action in (Action.UPDATE, Action.UNCHANGED)
    assert by_source[conflict].action is Action.REFUSE
    assert world.nv.customer(other).name == "Eri Oy"
    links = {
        link.source_key: link.target_key
        for link in world.store.links(world.tenant.id, Register.CUSTOMERS)
    }
    assert links[adopted] == str(same)
    assert conflict not in links


async def test_settled_business_id_in_each_systems_own_form(world: World) -> None:
    world.settings(customers=S_TO_N)
    severa_customer(world.sv, "Muoto Oy", 9201, vat="FI07375462")
    completed(await world.sync(Register.CUSTOMERS))
    assert world.nv.customer_by_code("9201").get("externalidentifier") == "0737546-2"
    world.settings(customers=CustomerDirection.NETVISOR_TO_SEVERA)
    netvisor_customer(world.nv, "9202", "Toinen muoto Oy", externalidentifier="2077474-0")
    completed(await world.sync(Register.CUSTOMERS))
    assert world.sv.customer_by_number(9202)["vatNumber"] == "FI20774740"


async def test_settled_phase_numbering_code_and_name(world: World) -> None:
    customer = world.sv.put_customer(name="A", number=1)
    project = world.sv.put_project(name="Talo", customer_guid=customer, number=77)
    world.sv.put_phase(project, name="Perustus", code="P1")
    world.settings(dimensions=True, project_header="Projekti", include_phases=True)
    completed(await world.sync(Register.DIMENSIONS))
    assert [i.name for i in world.nv.dimension_items("Projekti")] == ["77 Talo", "P1 Perustus"]


async def test_settled_email_channel_is_a_company_setting(world: World) -> None:
    severa_customer(world.sv, "Posti Oy", 9301, email="laskut@posti.example")
    world.settings(customers=S_TO_N, email_invoicing_channel=False)
    completed(await world.sync(Register.CUSTOMERS))
    customer = world.nv.customer_by_code("9301")
    assert customer is not None
    assert (customer.get("email"), customer.get("emailinvoicingaddress")) == (
        "laskut@posti.example",
        "",
    )
    world.settings(email_invoicing_channel=True)
    completed(await world.sync(Register.CUSTOMERS))
    assert world.nv.customer_by_code("9301").get("emailinvoicingaddress") == "laskut@posti.example"


async def test_settled_invoice_transfer_can_find_every_transferred_dimension(world: World) -> None:
    """Invoice transfer is later work; what it will need from this sync is the links."""
    customer = world.sv.put_customer(name="A", number=1)
    project = world.sv.put_project(name="Laskutettava", customer_guid=customer, number=55)
    phase = world.sv.put_phase(project, name="Työ", code="1")
    world.settings(dimensions=True, project_header="Projekti", include_phases=True)
    completed(await world.sync(Register.DIMENSIONS))
    links = {
        link.source_key: link.target_key
        for link in world.store.links(world.tenant.id, Register.DIMENSIONS)
        if link.source_system is System.SEVERA
    }
    items = {str(i.key): i.name for i in world.nv.dimension_items("Projekti")}
    assert items[links[project]] == "55 Laskutettava"
    assert items[links[phase]] == "1 Työ"
