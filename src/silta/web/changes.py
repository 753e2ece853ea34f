"""A tenant's history in words: settings versions and tenant events as one list, newest
first, every field by the tab's own label and every value as the tab says it.

The store keeps a settings change as ``customers: temp_customer → severa_to_netvisor`` and
a pause as ``paused: false → true``; the settings history, the confirmation page and the
held register's banner show "Asiakasrekisteri: Ei siirretä – käytä tilapäisasiakasta →
Severa → Netvisor" and "Ajot keskeytetty: ei → kyllä". Values the user typed (a header's
name, a time, a time zone) are shown as they are; a field or value no row knows is shown
as stored, so a newer version's change still reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import attrs

from silta.domain import (
    INVOICE_SETTINGS,
    SETTING_KINDS,
    CustomerDirection,
    FieldChange,
    ProductDirection,
    Register,
)
from silta.store import SettingsVersion, TenantEvent
from silta.web.i18n import translator

__all__ = ["SETTING_LABELS", "ChangeWords", "HistoryRow", "change_words", "history_rows"]

# a setting -> the tab's own label for it (the form's words, so a refused field reads the same)
SETTING_LABELS: Final[dict[str, str]] = {
    "customers": "settings.customers",
    "products": "settings.products",
    "dimensions": "settings.dimensions",
    "project_header": "settings.project_header",
    "business_unit_header": "settings.business_unit_header",
    "include_phases": "settings.include_phases",
    "email_invoicing_channel": "settings.email_channel",
    "persons_without_business_id": "settings.persons",
    "register_interval_minutes": "settings.interval",
    "dimension_time": "settings.dimension_time",
    "timezone": "settings.timezone",
    "product_group": "settings.product_group",
    "currency": "settings.currency",
    # the money transfers' settings (issues 18, 19), each by its own label on the tab
    **{name: f"invoices.{name.removeprefix('invoices_')}" for name in INVOICE_SETTINGS},
    **{
        name: f"settings.{name}"
        for name in SETTING_KINDS
        if name.startswith(("purchase_lines_", "travel_"))
    },
}
# a tenant event's fields (silta.store: connections, pause, confirmations)
_EVENT_LABELS: Final[dict[str, str]] = {
    "paused": "change.paused",
    "netvisor.base_url": "cred.netvisor_url",
    "severa.base_url": "cred.severa_url",
    "netvisor.credentials": "change.netvisor_credentials",
    "severa.credentials": "change.severa_credentials",
    "confirmations": "waiver.title",
}
_CHOICES: Final = frozenset(
    {direction.value for direction in CustomerDirection}
    | {direction.value for direction in ProductDirection}
)
# values the store writes as words of its own
_VALUES: Final[dict[str, str]] = {
    "true": "change.yes",
    "false": "change.no",
    "[hidden]": "change.hidden",
    "[replaced]": "change.replaced",
    "waived": "change.waived",
    "required": "change.required",
    "held": "change.held",
    "hold lifted (waived)": "change.hold_waived",
}
_CONFIRMED = re.compile(r"^confirmed: preview run (\d+)$")


@attrs.frozen
class ChangeWords:
    field: str  # as stored (the page keeps it as a data attribute)
    label: str
    old: str | None
    new: str | None


@attrs.frozen
class HistoryRow:
    when: datetime
    who: str
    what: str | None  # what happened, when the changes alone do not say it
    changes: tuple[ChangeWords, ...]


def _value(value: str | None, lang: str) -> str | None:
    t = translator(lang)
    if value is None:
        return None
    if value in _CHOICES:  # quoted: the options' texts hold arrows ("Severa → Netvisor")
        return t("change.quoted", value=t(f"dir.{value}"))
    if value in _VALUES:
        return t(_VALUES[value])
    confirmed = _CONFIRMED.match(value)
    if confirmed:
        return t("change.confirmed", run=confirmed.group(1))
    return value


def change_words(change: FieldChange, lang: str) -> ChangeWords:
    """One change with its field's label and its values in words."""
    t = translator(lang)
    key = SETTING_LABELS.get(change.field) or _EVENT_LABELS.get(change.field)
    if key is not None:
        label = t(key)
    elif change.field in {register.value for register in Register}:
        label = t(f"register.{change.field}")
    else:
        label = change.field
    return ChangeWords(change.field, label, _value(change.old, lang), _value(change.new, lang))


def history_rows(
    versions: Sequence[SettingsVersion], events: Sequence[TenantEvent], lang: str
) -> list[HistoryRow]:
    """Settings versions and tenant events in one list, newest first."""
    t = translator(lang)
    rows = [
        HistoryRow(
            when=version.changed_at,
            who=version.changed_by,
            what=None if version.changes else t("history.created"),
            changes=tuple(change_words(change, lang) for change in version.changes),
        )
        for version in versions
    ]
    rows += [
        HistoryRow(
            when=event.changed_at,
            who=event.changed_by,
            what=t(f"event.{event.kind}"),
            changes=tuple(change_words(change, lang) for change in event.changes),
        )
        for event in events
    ]
    # newest first; at the same instant an event (a pause) after the settings it followed
    return sorted(rows, key=lambda row: row.when, reverse=True)
