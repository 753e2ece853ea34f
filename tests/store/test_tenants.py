"""Tenants: add, find, list, and every change to connections or pause recorded with who/when."""

from __future__ import annotations

from datetime import UTC

import pytest

from silta.domain import CustomerDirection, TenantSettings
from silta.store import (
    DuplicateTenant,
    Store,
    StoreError,
    TenantEventKind,
    UnknownTenant,
)
from silta.tenants import SeveraConnection, TenantConfig

from .conftest import KEY, Clock, config, netvisor, severa


def test_add_tenant_returns_what_reading_it_back_returns(store: Store) -> None:
    settings = TenantSettings(customers=CustomerDirection.NETVISOR_TO_SEVERA, dimensions=True)
    added = store.add_tenant(
        TenantConfig(name="acme", netvisor=netvisor(), severa=severa(), settings=settings),
        changed_by="alice",
    )
    assert added.id > 0
    assert added.settings == settings
    assert added.settings_version == 1
    assert added.paused is False
    assert added.created_at.tzinfo is UTC
    assert store.tenant("acme") == added
    assert store.tenant(added.id) == added
    assert store.tenant("acme").netvisor == netvisor()
    assert store.tenant("acme").severa == severa()


def test_tenants_are_listed_by_name(store: Store) -> None:
    for name in ("Kolmas Oy", "Ensimmäinen Oy", "Toinen Oy"):
        store.add_tenant(config(name), changed_by="alice")
    assert [tenant.name for tenant in store.tenants()] == [
        "Ensimmäinen Oy",
        "Kolmas Oy",
        "Toinen Oy",
    ]


def test_no_tenants_is_an_empty_list(store: Store) -> None:
    assert store.tenants() == []


def test_a_name_is_taken_once(store: Store) -> None:
    store.add_tenant(config("acme"), changed_by="alice")
    with pytest.raises(DuplicateTenant, match="a tenant called 'acme' exists already"):
        store.add_tenant(config("acme"), changed_by="bob")
    assert len(store.tenants()) == 1
    assert len(store.settings_history(store.tenant("acme").id)) == 1


def test_an_unknown_name_lists_the_known_ones(store: Store) -> None:
    store.add_tenant(config("b"), changed_by="alice")
    store.add_tenant(config("a"), changed_by="alice")
    with pytest.raises(UnknownTenant) as caught:
        store.tenant("x")
    assert str(caught.value) == "no tenant called 'x'; known: a, b"
    assert not caught.value.retryable


def test_an_unknown_id_says_so(store: Store) -> None:
    with pytest.raises(UnknownTenant, match="no tenant with id 99; there are no tenants yet"):
        store.tenant(99)
    with pytest.raises(UnknownTenant, match="no tenant with id 99"):
        store.settings(99)


def test_a_long_list_of_known_names_is_cut_short(store: Store) -> None:
    for number in range(12):
        store.add_tenant(config(f"t{number:02d}"), changed_by="alice")
    with pytest.raises(UnknownTenant, match=r"known: t00, .*, t09, … \(12 in all\)$"):
        store.tenant("nope")


def test_an_all_digit_name_is_tried_as_an_id_when_no_name_matches(store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="alice")
    named = store.add_tenant(config(str(acme.id + 100)), changed_by="alice")
    assert store.tenant(str(acme.id)) == acme
    assert store.tenant(str(acme.id + 100)) == named  # the name wins


def test_a_tenant_needs_a_name_and_a_who(store: Store) -> None:
    with pytest.raises(ValueError, match="a tenant name must not be empty"):
        store.add_tenant(config("  "), changed_by="alice")
    with pytest.raises(ValueError, match="changed_by must not be empty"):
        store.add_tenant(config("acme"), changed_by="")
    with pytest.raises(ValueError, match="at most 200"):
        store.add_tenant(config("x" * 201), changed_by="alice")


def test_creation_is_recorded_as_an_event(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        [created] = store.tenant_events(acme.id)
    assert created.kind is TenantEventKind.CREATED
    assert (created.changed_by, created.changed_at) == ("alice", clock.now)


def test_connection_changes_are_recorded_with_who_when_and_no_secret(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        clock.advance(minutes=5)
        new_netvisor = netvisor("-new")
        updated = store.update_connections(acme.id, netvisor=new_netvisor, changed_by="bob")
        assert updated.netvisor == new_netvisor
        assert updated.severa == severa()
        assert store.tenant(acme.id) == updated

        clock.advance(minutes=5)
        moved = SeveraConnection(severa().credentials, base_url="https://severa.example")
        store.update_connections(acme.id, severa=moved, changed_by="carol")
        events = store.tenant_events(acme.id)

    assert [event.kind for event in events] == [
        TenantEventKind.CONNECTIONS,
        TenantEventKind.CONNECTIONS,
        TenantEventKind.CREATED,
    ]
    severa_event, netvisor_event, _ = events
    assert (netvisor_event.changed_by, netvisor_event.changed_at.minute) == ("bob", 5)
    assert [(c.field, c.old, c.new) for c in netvisor_event.changes] == [
        ("netvisor.credentials", "[hidden]", "[replaced]")
    ]
    assert (severa_event.changed_by, severa_event.changed_at.minute) == ("carol", 10)
    assert [(c.field, c.old, c.new) for c in severa_event.changes] == [
        ("severa.base_url", "https://api.severa.visma.com/rest-api", "https://severa.example")
    ]
    assert "PLANTED" not in repr(events)


def test_an_unchanged_connection_records_nothing(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    assert store.update_connections(acme.id, netvisor=netvisor(), changed_by="bob") == acme
    assert store.update_connections(acme.id, changed_by="bob") == acme
    assert len(store.tenant_events(acme.id)) == 1


def test_pause_and_resume_are_recorded(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        clock.advance(hours=1)
        assert store.set_paused(acme.id, True, changed_by="bob").paused is True
        assert store.tenant(acme.id).paused is True
        assert store.set_paused(acme.id, True, changed_by="bob").paused is True  # no-op
        clock.advance(hours=1)
        assert store.set_paused(acme.id, False, changed_by="carol").paused is False
        events = store.tenant_events(acme.id)
    assert [(e.kind, e.changed_by, e.changed_at.hour) for e in events] == [
        (TenantEventKind.RESUMED, "carol", 11),
        (TenantEventKind.PAUSED, "bob", 10),
        (TenantEventKind.CREATED, "alice", 9),
    ]
    assert [(c.field, c.old, c.new) for c in events[1].changes] == [("paused", "false", "true")]


def test_changes_to_an_unknown_tenant_are_refused(store: Store) -> None:
    with pytest.raises(UnknownTenant):
        store.set_paused(7, True, changed_by="bob")
    with pytest.raises(UnknownTenant):
        store.update_connections(7, netvisor=netvisor(), changed_by="bob")
    with pytest.raises(UnknownTenant):
        store.tenant_events(7)


def test_store_errors_are_silta_errors() -> None:
    from silta.errors import SiltaError

    assert issubclass(StoreError, SiltaError)
    assert issubclass(UnknownTenant, StoreError)
