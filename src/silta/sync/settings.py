"""Changing a tenant's settings, and what a change means for its registers' next runs.

The CLI (``silta tenant set``, ``silta tenant import --update``), the web app's settings
tab and the API all come through here, so a changed direction or dimension choice always
makes that register's next run a full one (links and watermarks made under the old choice
say nothing about the new one), and holds the register until a KH admin has confirmed a
preview of what it would write (:mod:`silta.confirmation`), unless the operator waived that
for the tenant.
"""

from __future__ import annotations

import attrs

from silta.domain import INVOICE_SETTINGS, Register, TenantSettings
from silta.store import Holds, SettingsVersion, Store

__all__ = ["REGISTER_OF", "SettingsChange", "change_settings"]

# Which register a setting belongs to: changing it makes that register's next run full.
REGISTER_OF = {
    "customers": Register.CUSTOMERS,
    "products": Register.PRODUCTS,
    "dimensions": Register.DIMENSIONS,
    "project_header": Register.DIMENSIONS,
    "business_unit_header": Register.DIMENSIONS,
    "include_phases": Register.DIMENSIONS,
    # these change how customers are refused or mapped: refused ones must be read again
    "persons_without_business_id": Register.CUSTOMERS,
    "email_invoicing_channel": Register.CUSTOMERS,
    # the sales-invoice transfer: the status is its queue, so it reads the whole queue anyway
    **dict.fromkeys(INVOICE_SETTINGS, Register.INVOICES),
    # issue 19: what qualifies and how it maps; refused and skipped records are read again
    "purchase_lines_enabled": Register.PURCHASE_LINES,
    "purchase_lines_invoice_status": Register.PURCHASE_LINES,
    "purchase_lines_product": Register.PURCHASE_LINES,
    "purchase_lines_account_products": Register.PURCHASE_LINES,
    "purchase_lines_method": Register.PURCHASE_LINES,
    "purchase_lines_markup_percent": Register.PURCHASE_LINES,
    "travel_enabled": Register.TRAVEL,
    "travel_statuses": Register.TRAVEL,
    "travel_ratios": Register.TRAVEL,
    "travel_travel_types": Register.TRAVEL,
    "travel_compensation_types": Register.TRAVEL,
    "travel_dimensions": Register.TRAVEL,
    "travel_create_missing_items": Register.TRAVEL,
}


@attrs.frozen
class SettingsChange:
    version: SettingsVersion
    changed: tuple[str, ...]  # the names of the settings that changed, in field order
    full_next: frozenset[Register]  # registers whose next run is full because of it
    held: frozenset[Register] = frozenset()  # registers waiting for a confirmation now


def change_settings(
    store: Store, tenant_id: int, settings: TenantSettings, *, changed_by: str
) -> SettingsChange:
    """Store ``settings`` as the tenant's new version, reset the affected watermarks, and
    hold the registers whose writes changed."""
    before = store.settings(tenant_id)
    version = store.change_settings(tenant_id, settings, changed_by=changed_by, hold=True)
    changed = tuple(
        field.name
        for field in attrs.fields(TenantSettings)
        if getattr(before, field.name) != getattr(settings, field.name)
    )
    full_next = frozenset(REGISTER_OF[name] for name in changed if name in REGISTER_OF)
    for register in full_next:
        store.clear_watermark(tenant_id, register)
    held = frozenset(Holds(store).of(tenant_id))
    return SettingsChange(version, changed, full_next, held)
