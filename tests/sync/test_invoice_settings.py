"""The invoice transfer's settings in the settings table: what they read as, when the
transfer is scheduled, and which changes wait for a KH's confirmation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from silta.domain import InvoiceTransferMode, NetvisorInvoiceStatus, Register, TenantSettings
from silta.registers.invoice_settings import InvoiceSettings, ZeroVatCase
from silta.scheduler.dispatch import wanted_slots
from silta.store import Store
from silta.sync.settings import change_settings
from tests.store.conftest import config

READY = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
AFTER = "3f2504e0-4f89-11d3-9a0c-0305e82c3302"
ON = TenantSettings(
    invoices_enabled=True, invoices_ready_status=READY, invoices_transferred_status=AFTER
)


def test_the_table_reads_into_the_rules_settings() -> None:
    tenant = attrs.evolve(
        ON,
        invoices_netvisor_status=NetvisorInvoiceStatus.OPEN,
        invoices_vat_eu_goods=None,
        invoices_vat_outside_eu="NONE",
        invoices_product_codes="TYO=T100; MATKA=M1",
        invoices_fallback_product="SEKAL",
        invoices_mode=InvoiceTransferMode.MANUAL,
    )
    settings = InvoiceSettings.of_tenant(tenant)
    assert settings.enabled and settings.ready_status == READY
    assert settings.netvisor_status is NetvisorInvoiceStatus.OPEN
    assert settings.zero_vat_code(ZeroVatCase.EU_GOODS) is None  # unmapped: refused
    assert settings.zero_vat_code(ZeroVatCase.OUTSIDE_EU) == "NONE"
    assert settings.zero_vat_code(ZeroVatCase.DOMESTIC_REVERSE_CHARGE) == "RAMY"  # default
    assert settings.netvisor_product("MATKA") == "M1"
    assert settings.fallback_product == "SEKAL"


def test_on_without_statuses_is_a_configuration_problem_not_a_setting_error() -> None:
    """Each setting is checked alone (every entry point the same); the pair is checked when
    the transfer runs, and by the tab before it saves."""
    alone = TenantSettings(invoices_enabled=True)
    with pytest.raises(ValueError, match="both the ready and the after-transfer status"):
        InvoiceSettings.of_tenant(alone)


def test_manual_mode_gets_no_scheduled_slots() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def registers(settings: TenantSettings) -> set[Register]:
        return {slot.register for slot in wanted_slots([(1, False, settings)], {}, now)}

    assert Register.INVOICES not in registers(TenantSettings())  # off
    assert Register.INVOICES in registers(ON)  # automatic
    manual = attrs.evolve(ON, invoices_mode=InvoiceTransferMode.MANUAL)
    assert Register.INVOICES not in registers(manual)
    # the money transfers of issue 19 likewise: no slot at all when only on "transfer now"
    money = attrs.evolve(ON, purchase_lines_enabled=True, travel_enabled=True)
    assert {Register.PURCHASE_LINES, Register.TRAVEL} <= registers(money)
    kept = attrs.evolve(money, purchase_lines_automatic=False, travel_automatic=False)
    assert not {Register.PURCHASE_LINES, Register.TRAVEL} & registers(kept)


def test_turning_it_on_or_changing_its_statuses_holds_it_until_confirmed(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'silta.db'}", key_file=tmp_path / "k")
    try:
        tenant = store.add_tenant(config("Laskut Oy"), changed_by="test")
        changed = change_settings(store, tenant.id, ON, changed_by="kh")
        assert changed.held == {Register.INVOICES}
        other = store.add_tenant(config("Toinen Oy"), changed_by="test")
        store.change_settings(other.id, ON, changed_by="test")  # on, confirmed (no hold)
        moved = attrs.evolve(ON, invoices_transferred_status=READY[:-1] + "9")
        assert change_settings(store, other.id, moved, changed_by="kh").held == {Register.INVOICES}
        third = store.add_tenant(config("Kolmas Oy"), changed_by="test")
        store.change_settings(third.id, ON, changed_by="test")
        # the mode changes when it runs, not what it writes
        manual = attrs.evolve(ON, invoices_mode=InvoiceTransferMode.MANUAL)
        assert change_settings(store, third.id, manual, changed_by="kh").held == frozenset()
    finally:
        store.close()
