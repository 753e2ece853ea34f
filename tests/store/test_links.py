"""Links: upserted by source record, isolated per register and per tenant."""

from __future__ import annotations

import attrs
import pytest

from silta.domain import Register, System
from silta.store import Link, LinkState, Store, UnknownTenant

from .conftest import config


def link(
    source_key: str,
    target_key: str | None = None,
    *,
    register: Register = Register.CUSTOMERS,
    system: System = System.NETVISOR,
    natural_key: str | None = None,
    state: LinkState = LinkState.LINKED,
) -> Link:
    return Link(register, system, source_key, target_key, natural_key, state)


def test_a_pending_link_becomes_linked(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    pending = link("101", natural_key="1234567-1", state=LinkState.PENDING)
    store.save_links(acme.id, [pending])
    assert store.links(acme.id, Register.CUSTOMERS) == [pending]

    linked = link("101", "severa-guid-1", natural_key="1234567-1")
    store.save_links(acme.id, [linked])
    assert store.links(acme.id, Register.CUSTOMERS) == [linked]


def test_a_pending_link_keeps_what_its_create_sent_until_it_is_linked(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    sent = {"business_id": "2617416-4", "name": "Asiakas Oy"}
    pending = attrs.evolve(link("g1", natural_key="103", state=LinkState.PENDING), intent=sent)
    store.save_links(acme.id, [pending])
    (read,) = store.links(acme.id, Register.CUSTOMERS)
    assert read == pending
    assert dict(read.intent or {}) == sent
    assert store.links_of(acme.id, Register.CUSTOMERS, source_keys=["g1"]) == [pending]

    store.save_links(acme.id, [link("g1", "1000", natural_key="103")])
    (linked,) = store.links(acme.id, Register.CUSTOMERS)
    assert (linked.state, linked.intent) == (LinkState.LINKED, None)


def test_many_links_in_one_call_keep_their_order(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    links = [link(str(n), f"g{n}", natural_key=f"N{n}") for n in range(500)]
    store.save_links(acme.id, links)
    store.save_links(acme.id, [link("7", "moved", natural_key="N7"), link("new", "g-new")])
    read = store.links(acme.id, Register.CUSTOMERS)
    assert len(read) == 501
    assert read[7] == link("7", "moved", natural_key="N7")
    assert read[-1] == link("new", "g-new")


def test_the_last_of_duplicates_in_one_call_wins(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    store.save_links(acme.id, [link("1", state=LinkState.PENDING), link("1", "g1")])
    assert store.links(acme.id, Register.CUSTOMERS) == [link("1", "g1")]


def test_registers_and_source_systems_are_separate(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    customer = link("1", "c1")
    product = link("1", "p1", register=Register.PRODUCTS)
    reverse = link("1", "n1", system=System.SEVERA)
    store.save_links(acme.id, [customer, product, reverse])
    assert store.links(acme.id, Register.CUSTOMERS) == [customer, reverse]
    assert store.links(acme.id, Register.PRODUCTS) == [product]
    assert store.links(acme.id, Register.DIMENSIONS) == []


def test_tenants_are_separate(store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="alice")
    other = store.add_tenant(config("other"), changed_by="alice")
    store.save_links(acme.id, [link("1", "acme-1")])
    store.save_links(other.id, [link("1", "other-1")])
    assert store.links(acme.id, Register.CUSTOMERS) == [link("1", "acme-1")]
    assert store.links(other.id, Register.CUSTOMERS) == [link("1", "other-1")]


def test_nothing_to_save_is_fine(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    store.save_links(acme.id, [])
    assert store.links(acme.id, Register.CUSTOMERS) == []


def test_links_of_an_unknown_tenant(store: Store) -> None:
    with pytest.raises(UnknownTenant):
        store.save_links(3, [link("1")])
    with pytest.raises(UnknownTenant):
        store.links(3, Register.CUSTOMERS)
    with pytest.raises(UnknownTenant):
        store.links_of(3, Register.CUSTOMERS, source_keys=["1"])


def test_links_of_some_keys_by_source_or_target(store: Store) -> None:
    """What a streamed run asks per batch: its records' links, and who owns some targets."""
    acme = store.add_tenant(config("acme"), changed_by="alice")
    other = store.add_tenant(config("other"), changed_by="alice")
    # More keys than one IN list holds, so the query is split and the parts joined.
    links = [link(str(n), f"g{n}") for n in range(1_200)]
    store.save_links(acme.id, [*links, link("p", "g5", register=Register.PRODUCTS)])
    store.save_links(other.id, [link("5", "g5")])

    found = store.links_of(
        acme.id,
        Register.CUSTOMERS,
        source_keys=[str(n) for n in range(0, 1_200, 2)],  # 600 keys
        target_keys=["g1", "g3", "g4", "missing"],  # g4's link is found by source too
    )
    expected = {str(n) for n in range(0, 1_200, 2)} | {"1", "3"}
    assert sorted(link.source_key for link in found) == sorted(expected)
    assert all(link.register is Register.CUSTOMERS for link in found)
    assert store.links_of(acme.id, Register.CUSTOMERS) == []
    assert store.links_of(other.id, Register.CUSTOMERS, target_keys=["g5"]) == [link("5", "g5")]
