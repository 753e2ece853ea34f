"""The money transfers' settings (issue 19): strict forms, what a change makes the next run
do, and the hold a transfer switched on waits in (the property test of every setting is
tests/test_settings_strict.py)."""

from __future__ import annotations

import pytest

from silta.domain import (
    NETVISOR_COMPENSATION_TYPES,
    NETVISOR_TRAVEL_TYPES,
    Register,
    SettingError,
    TenantSettings,
)
from silta.netvisor import COMPENSATION_TYPES, TRAVEL_TYPES
from silta.store import Holds, Store
from silta.sync.purchase_lines import purchase_line_settings
from silta.sync.settings import change_settings
from silta.sync.travel import travel_settings
from tests.store.conftest import config

GUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
OTHER = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"


def test_the_domain_knows_netvisor_s_travel_and_compensation_types() -> None:
    assert NETVISOR_TRAVEL_TYPES == TRAVEL_TYPES
    assert NETVISOR_COMPENSATION_TYPES == COMPENSATION_TYPES


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("purchase_lines_account_products", "4000"),  # no "="
        ("purchase_lines_account_products", "4000=not-a-guid"),
        ("purchase_lines_account_products", f"4000={GUID}; 4000={OTHER}"),  # twice
        ("purchase_lines_markup_percent", "12,5"),
        ("purchase_lines_markup_percent", "-1"),
        ("purchase_lines_markup_percent", "1E+1"),
        ("purchase_lines_product", "kulutuote"),
        ("travel_travel_types", f"{GUID}=bus"),
        ("travel_compensation_types", f"{GUID}=full"),
        ("travel_ratios", f"{GUID}/DE=Taxi"),
        ("travel_statuses", f"{GUID},x"),
        ("purchase_lines_invoice_status", "Hyväksytty"),
    ],
)
def test_a_malformed_money_setting_is_refused_naming_it(name: str, value: str) -> None:
    with pytest.raises(SettingError) as refused:
        TenantSettings().with_text({name: value})
    assert refused.value.field == name


def test_the_flat_settings_become_the_rules_values() -> None:
    settings = TenantSettings().with_text({
        "purchase_lines_enabled": "on", "purchase_lines_account_products": f"4000={GUID}",
        "purchase_lines_method": "rebill", "purchase_lines_markup_percent": "12.5",
        "travel_enabled": "on", "travel_ratios": f"{GUID}/FI=Taksi; {GUID}/EN=Taxi",
        "travel_travel_types": f"{OTHER}=car_with_trailer", "travel_statuses": f"{GUID}",
        "travel_transferred_status": OTHER,
    })  # fmt: skip
    purchases = purchase_line_settings(settings)
    assert purchases.product_for("4000") == GUID and str(purchases.markup_percent) == "12.5"
    travel = travel_settings(settings)
    assert travel.ratio(GUID, "EN") == "Taxi" and travel.travel_type(OTHER) == "car_with_trailer"
    assert travel.statuses == (GUID,) and travel.transferred_status == OTHER


def test_switching_a_transfer_on_holds_it_and_a_mapping_change_makes_its_next_run_full(
    store: Store,
) -> None:
    tenant = store.add_tenant(config("Raha Oy"), changed_by="test")
    on = TenantSettings(purchase_lines_enabled=True, travel_enabled=True)
    change = change_settings(store, tenant.id, on, changed_by="kh")
    assert {Register.PURCHASE_LINES, Register.TRAVEL} <= change.held
    assert {Register.PURCHASE_LINES, Register.TRAVEL} <= change.full_next
    assert Register.TRAVEL in Holds(store).of(tenant.id)
    mapped = change_settings(
        store, tenant.id, TenantSettings(purchase_lines_enabled=True, travel_enabled=True,
                                         purchase_lines_account_products=f"4000={GUID}"),
        changed_by="kh",
    )  # fmt: skip
    assert mapped.full_next == frozenset({Register.PURCHASE_LINES})
