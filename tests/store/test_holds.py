"""Held registers in the store, on both backends: made in the settings change's transaction,
lifted only by a completed preview made after them, or by the operator's waiver."""

from __future__ import annotations

import attrs
import pytest

from silta.domain import (
    CustomerDirection,
    FieldChange,
    ProductDirection,
    Register,
    RunKind,
    RunStatus,
    TenantSettings,
)
from silta.store import ConfirmationRefused, Holds, Store, TenantEventKind

from .conftest import KEY, Clock, config

N2S = CustomerDirection.NETVISOR_TO_SEVERA


def _preview(store: Store, tenant_id: int, register: Register, *, ok: bool = True) -> int:
    run = store.start_run(tenant_id, register, kind=RunKind.FULL, dry_run=True, trigger="t")
    store.finish_run(run, RunStatus.COMPLETED if ok else RunStatus.FAILED, counts={})
    return run


def test_only_a_users_change_holds_and_only_what_it_changes(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    assert Holds(store).of(acme.id) == {}  # a new tenant is confirmed by its import
    store.change_settings(acme.id, TenantSettings(customers=N2S), changed_by="bob")
    assert Holds(store).of(acme.id) == {}  # a direct store call (tests, bench) holds nothing
    settings = TenantSettings(
        customers=CustomerDirection.SEVERA_TO_NETVISOR,
        products=ProductDirection.TEMP_PRODUCT,
        register_interval_minutes=15,
    )
    store.change_settings(acme.id, settings, changed_by="carol", hold=True)
    [hold] = Holds(store).of(acme.id).values()
    assert (hold.register, hold.changed_by, hold.settings_version) == (
        Register.CUSTOMERS,
        "carol",
        3,
    )
    assert hold.changes == (FieldChange("customers", "netvisor_to_severa", "severa_to_netvisor"),)
    assert Holds(store).held() == {acme.id: frozenset({Register.CUSTOMERS})}


def test_a_hold_is_confirmed_by_a_completed_preview_made_after_it(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        early = _preview(store, acme.id, Register.CUSTOMERS)
        clock.advance(minutes=1)
        store.change_settings(acme.id, TenantSettings(customers=N2S), changed_by="bob", hold=True)
        clock.advance(minutes=1)
        failed = _preview(store, acme.id, Register.CUSTOMERS, ok=False)
        products = _preview(store, acme.id, Register.PRODUCTS)
        holds = Holds(store)
        for run, reason in ((early, "stale"), (failed, "incomplete"), (products, "not_preview")):
            with pytest.raises(ConfirmationRefused) as refused:
                holds.confirm(acme.id, Register.CUSTOMERS, run_id=run, by="kh")
            assert refused.value.reason == reason
        good = _preview(store, acme.id, Register.CUSTOMERS)
        hold = holds.confirm(acme.id, Register.CUSTOMERS, run_id=good, by="kh")
        assert hold.changes == (FieldChange("customers", "temp_customer", "netvisor_to_severa"),)
        assert holds.of(acme.id) == {}
        with pytest.raises(ConfirmationRefused) as refused:
            holds.confirm(acme.id, Register.CUSTOMERS, run_id=good, by="kh")
        assert refused.value.reason == "not_held"
        [event, *_] = store.tenant_events(acme.id)
        assert (event.kind, event.changed_by) == (TenantEventKind.CONFIRMED, "kh")
        assert event.changes[0] == FieldChange(
            "customers", "held", f"confirmed: preview run {good}"
        )


def test_two_changes_make_one_hold_and_undoing_them_lifts_it(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    on = TenantSettings(dimensions=True, project_header="Projekti")
    store.change_settings(acme.id, on, changed_by="bob", hold=True)
    moved = attrs.evolve(on, project_header="Projektit")
    store.change_settings(acme.id, moved, changed_by="bob", hold=True)
    [hold] = Holds(store).of(acme.id).values()
    assert hold.changes == (
        FieldChange("dimensions", "false", "true"),
        FieldChange("project_header", "", "Projektit"),
    )
    store.change_settings(acme.id, TenantSettings(), changed_by="bob", hold=True)
    assert Holds(store).of(acme.id) == {}


def test_the_waiver_lifts_holds_and_makes_none(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    holds = Holds(store)
    store.change_settings(acme.id, TenantSettings(customers=N2S), changed_by="bob", hold=True)
    assert holds.waive(acme.id, True, by="ops") is True
    assert holds.waive(acme.id, True, by="ops") is False  # already
    assert store.tenant(acme.id).confirmations_waived
    assert holds.of(acme.id) == {}
    products = TenantSettings(customers=N2S, products=ProductDirection.SEVERA_TO_NETVISOR)
    store.change_settings(acme.id, products, changed_by="bob", hold=True)
    assert holds.of(acme.id) == {}
    assert holds.waive(acme.id, False, by="ops") is True
    kinds = [event.kind for event in store.tenant_events(acme.id)[:2]]
    assert kinds == [TenantEventKind.CONFIRMATIONS_REQUIRED, TenantEventKind.CONFIRMATIONS_WAIVED]
    store.change_settings(acme.id, TenantSettings(), changed_by="bob", hold=True)
    store.change_settings(acme.id, products, changed_by="bob", hold=True)
    assert set(holds.of(acme.id)) == {Register.CUSTOMERS, Register.PRODUCTS}
