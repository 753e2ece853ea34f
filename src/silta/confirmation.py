"""Which settings changes must be confirmed before the next run writes, and what they name.

A run writes in the other system what its direction says. Turn customers from Severa →
Netvisor to Netvisor → Severa and the next scheduled run rewrites Severa's customers from
Netvisor's cards (head-office addresses included) with nothing asked. So a change that
changes *what* a register writes, or *where*, holds that register until a KH admin has
looked at a preview of the next run and confirmed it. Which changes those are is the table
below, one row per setting; the rest (the interval, the time zone, …) change when or how
often a run goes, not what it writes.

A hold remembers the values that were last confirmed: changing a direction and changing it
back before anyone confirmed lifts the hold, and two changes in a row make one hold that
names the first value and the last. A register that writes nothing under the new settings
(a TEMP choice, dimensions off) has nothing to confirm.

Pure: the store applies these rules in the same transaction as the settings change
(:meth:`silta.store.Store.change_settings`), so no run can see the new settings without
the hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from silta.domain import (
    CustomerDirection,
    FieldChange,
    ProductDirection,
    Register,
    TenantSettings,
    setting_text,
)

__all__ = ["CONFIRMED_SETTINGS", "held_changes", "writes"]

# setting -> the register whose writes it changes
CONFIRMED_SETTINGS: Final[dict[str, Register]] = {
    "customers": Register.CUSTOMERS,  # the direction
    "products": Register.PRODUCTS,
    "dimensions": Register.DIMENSIONS,  # switched on: items are created in Netvisor
    "project_header": Register.DIMENSIONS,  # items go under another header
    "business_unit_header": Register.DIMENSIONS,
    # switched on: Severa's ready invoices go into Netvisor's ledger, and move on in Severa
    "invoices_enabled": Register.INVOICES,
    "invoices_ready_status": Register.INVOICES,  # another queue of invoices
    "invoices_transferred_status": Register.INVOICES,  # where they move in Severa
    "invoices_netvisor_status": Register.INVOICES,  # sent by Netvisor or ledger only
    # issue 19: switched on, the money transfers start writing
    "purchase_lines_enabled": Register.PURCHASE_LINES,
    "travel_enabled": Register.TRAVEL,
}


def writes(register: Register, settings: TenantSettings) -> bool:
    """Whether a run of ``register`` writes anything under ``settings``."""
    if register is Register.CUSTOMERS:
        return settings.customers is not CustomerDirection.TEMP_CUSTOMER
    if register is Register.PRODUCTS:
        return settings.products is not ProductDirection.TEMP_PRODUCT
    if register is Register.INVOICES:
        return settings.invoices_enabled
    if register is Register.PURCHASE_LINES:
        return settings.purchase_lines_enabled
    if register is Register.TRAVEL:
        return settings.travel_enabled
    return settings.dimensions


def held_changes(
    register: Register,
    pending: Sequence[FieldChange],
    before: TenantSettings,
    after: TenantSettings,
) -> tuple[FieldChange, ...]:
    """What a hold on ``register`` names once ``before`` became ``after``.

    ``pending``: the changes the register's current hold names (empty: not held), each
    ``old`` the value last confirmed. The result keeps those ``old`` values, takes this
    change's fields of the register, and drops a field that is back at its confirmed value;
    empty means nothing to confirm.
    """
    if not writes(register, after):
        return ()
    held = {change.field: change for change in pending}
    for name, owner in CONFIRMED_SETTINGS.items():
        if owner is not register:
            continue
        old = setting_text(name, getattr(before, name))
        new = setting_text(name, getattr(after, name))
        if old == new:
            continue
        confirmed = held[name].old if name in held else old
        if confirmed == new:
            held.pop(name, None)
        else:
            held[name] = FieldChange(name, confirmed, new)
    order = list(CONFIRMED_SETTINGS)
    return tuple(sorted(held.values(), key=lambda change: order.index(change.field)))
