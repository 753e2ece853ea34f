"""Settings: every change a new version with who, when and the fields it changed."""

from __future__ import annotations

import itertools
from datetime import time

import pytest

from silta.domain import CustomerDirection, FieldChange, ProductDirection, TenantSettings
from silta.store import Store, UnknownTenant

from .conftest import KEY, Clock, config, run_together


def test_a_new_tenant_is_at_version_1_with_its_settings(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    assert store.settings(acme.id) == TenantSettings()
    [first] = store.settings_history(acme.id)
    assert (first.version, first.settings, first.changed_by, first.changes) == (
        1,
        TenantSettings(),
        "alice",
        (),
    )


def test_a_change_is_a_new_version_with_its_field_changes(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        clock.advance(days=1)
        wanted = TenantSettings(
            customers=CustomerDirection.SEVERA_TO_NETVISOR,
            dimensions=True,
            project_header="Projektit",
            dimension_time=time(3, 30),
        )
        version = store.change_settings(acme.id, wanted, changed_by="bob")
        assert store.settings(acme.id) == wanted
        assert store.tenant(acme.id).settings == wanted
        assert store.tenant(acme.id).settings_version == 2
    assert (version.version, version.settings, version.changed_by) == (2, wanted, "bob")
    assert version.changed_at == clock.now
    assert version.changes == (
        FieldChange("customers", "temp_customer", "severa_to_netvisor"),
        FieldChange("dimensions", "false", "true"),
        FieldChange("project_header", None, "Projektit"),
        FieldChange("dimension_time", "02:00", "03:30"),
    )


def test_an_unchanged_setting_adds_no_version(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    second = store.change_settings(acme.id, TenantSettings(dimensions=True), changed_by="bob")
    again = store.change_settings(acme.id, TenantSettings(dimensions=True), changed_by="carol")
    assert again == second
    assert [v.version for v in store.settings_history(acme.id)] == [2, 1]


def test_history_is_newest_first_and_each_diff_is_against_its_predecessor(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    store.change_settings(
        acme.id, TenantSettings(products=ProductDirection.NETVISOR_TO_SEVERA), changed_by="bob"
    )
    store.change_settings(
        acme.id,
        TenantSettings(products=ProductDirection.NETVISOR_TO_SEVERA, register_interval_minutes=60),
        changed_by="carol",
    )
    history = store.settings_history(acme.id)
    assert [(v.version, v.changed_by) for v in history] == [(3, "carol"), (2, "bob"), (1, "alice")]
    assert history[0].changes == (FieldChange("register_interval_minutes", "40", "60"),)
    assert history[1].changes == (FieldChange("products", "temp_product", "netvisor_to_severa"),)
    assert history[0].settings.products is ProductDirection.NETVISOR_TO_SEVERA


def test_settings_of_tenants_are_their_own(store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="alice")
    other = store.add_tenant(config("other"), changed_by="alice")
    store.change_settings(acme.id, TenantSettings(dimensions=True), changed_by="bob")
    assert store.settings(other.id) == TenantSettings()
    assert len(store.settings_history(other.id)) == 1


def test_concurrent_changes_get_consecutive_versions(store: Store) -> None:
    """Writers queue on the tenant (row lock / SQLite write lock) instead of colliding."""
    acme = store.add_tenant(config(), changed_by="alice")

    def change(worker: int) -> None:
        for step in range(5):
            store.change_settings(
                acme.id,
                TenantSettings(register_interval_minutes=100 + worker * 10 + step),
                changed_by=f"worker {worker}",
            )

    run_together(change, workers=6)
    history = store.settings_history(acme.id)
    assert [v.version for v in history] == list(range(31, 0, -1))
    assert store.tenant(acme.id).settings_version == 31
    for newer, older in itertools.pairwise(history):
        [change_] = newer.changes
        assert change_.old == str(older.settings.register_interval_minutes)


def test_settings_of_an_unknown_tenant(store: Store) -> None:
    with pytest.raises(UnknownTenant):
        store.change_settings(5, TenantSettings(), changed_by="bob")
    with pytest.raises(UnknownTenant):
        store.settings_history(5)
