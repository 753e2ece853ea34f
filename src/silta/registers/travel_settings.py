"""The travel transfer's settings, a value of their own (issue 19; invoices.md §5.13).

Kept apart from :class:`silta.domain.TenantSettings` for now, as
:class:`~.invoice_settings.InvoiceSettings` is: the lead integrates them. What the KH
chooses, and why each default:

* off until turned on: nothing goes to payroll without a decision;
* which Severa statuses qualify: by default every status Severa marks approved
  (``isApproved``), which is what "approved" means whatever the statuses are called; the KH
  may narrow it to some of them, never widen it to unapproved ones; and optionally the
  status a report is moved to after its transfer;
* Severa expense types to Netvisor's: a ratio (expense type) *name per interface language*
  for other expenses, since Netvisor reads ``ratio type="name"`` in the language of the
  request; a travel type per mileage type (``car`` when none is chosen, as Severa's
  mileage carries no vehicle); a compensation type per daily allowance type (no default:
  domestic full, half or foreign is a fact the type must say);
* dimensions (business unit and project) on the lines, and whether missing items are
  created first, as for sales invoices;
* automatic (like the registers) or only on "transfer now".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from silta import netvisor, severa
from silta.registers.invoice_settings import TransferMode

__all__ = ["DEFAULT_TRAVEL_TYPE", "LANGUAGES", "TravelSettings"]

LANGUAGES = ("FI", "EN", "SE")  # X-Netvisor-Interface-Language: the ratio names' language
DEFAULT_TRAVEL_TYPE = "car"  # Severa's mileage types carry no vehicle; most are a car


def _guid(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _guids(value: Iterable[str]) -> tuple[str, ...]:
    found = [str(item).strip() for item in value]
    if any(not item for item in found):
        raise ValueError("a status GUID cannot be empty")
    return tuple(dict.fromkeys(found))


Pairs = Mapping[str, str] | Iterable[tuple[str, str]]


def _mapping(value: Pairs, allowed: Sequence[str], what: str) -> tuple[tuple[str, str], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    found: dict[str, str] = {}
    for severa_type, target in pairs:
        key, target = str(severa_type).strip(), str(target).strip().lower()
        if not key:
            raise ValueError(f"a {what} mapping needs the Severa expense type")
        if target not in allowed:
            raise ValueError(f"{target!r} is not a Netvisor {what} ({', '.join(allowed)})")
        found[key] = target
    return tuple(sorted(found.items()))


def _travel_types(value: Pairs) -> tuple[tuple[str, str], ...]:
    return _mapping(value, netvisor.TRAVEL_TYPES, "travel type")


def _compensation_types(value: Pairs) -> tuple[tuple[str, str], ...]:
    return _mapping(value, netvisor.COMPENSATION_TYPES, "compensation type")


def _travel_type(_instance: object, _attribute: object, value: str | None) -> None:
    if value is not None and value not in netvisor.TRAVEL_TYPES:
        raise ValueError(f"{value!r} is not a Netvisor travel type")


def _ratios(
    value: Iterable[tuple[str, str, str]] | Mapping[str, Mapping[str, str]],
) -> tuple[tuple[str, str, str], ...]:
    """(Severa expense type, interface language, Netvisor ratio name) triples; a mapping of
    type -> {language: name} is taken too (the JSON form)."""
    if isinstance(value, Mapping):
        triples = [(t, lang, name) for t, names in value.items() for lang, name in names.items()]
    else:
        triples = list(value)
    found: dict[tuple[str, str], str] = {}
    for severa_type, language, name in triples:
        key, lang, ratio = str(severa_type).strip(), str(language).strip().upper(), str(name)
        if not key or not ratio.strip():
            raise ValueError("a ratio mapping needs the Severa expense type and a ratio name")
        if lang not in LANGUAGES:
            raise ValueError(f"{language!r} is not a Netvisor interface language (FI, EN, SE)")
        if ratio != ratio.strip():
            raise ValueError(f"the ratio name {name!r} has blanks at either end")
        found[(key, lang)] = ratio
    return tuple(sorted((key, lang, name) for (key, lang), name in found.items()))


@attrs.frozen(kw_only=True)
class TravelSettings:
    """One company's choices for travel reimbursements → Netvisor travel invoices.

    Not part of :class:`silta.domain.TenantSettings` yet (the lead integrates them).

    * off until turned on; automatic or only on "transfer now" (``mode``);
    * ``statuses``: empty = every Severa status marked approved; else only these (a
      narrowing: a chosen status that is not approved takes nothing);
      ``transferred_status``: where a report goes after its transfer, or nowhere;
    * ``ratios``: (Severa expense type GUID, interface language, Netvisor ratio name) for
      other expenses; ``travel_types``: a Netvisor travel type per mileage type, else
      ``default_travel_type``; ``compensation_types``: ``domesticfull``, ``domestichalf``
      or ``foreign`` per daily allowance type;
    * ``dimensions``: business unit and project on the lines; ``create_missing_items``.
    """

    enabled: bool = False
    statuses: tuple[str, ...] = attrs.field(default=(), converter=_guids)
    transferred_status: str | None = attrs.field(default=None, converter=_guid)
    ratios: tuple[tuple[str, str, str], ...] = attrs.field(default=(), converter=_ratios)
    travel_types: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_travel_types)
    default_travel_type: str | None = attrs.field(
        default=DEFAULT_TRAVEL_TYPE, validator=_travel_type
    )
    compensation_types: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_compensation_types
    )
    dimensions: bool = False
    create_missing_items: bool = False
    mode: TransferMode = attrs.field(default=TransferMode.AUTOMATIC, converter=TransferMode)

    def __attrs_post_init__(self) -> None:
        if self.transferred_status is not None and self.transferred_status in self.statuses:
            raise ValueError("the status after transfer cannot be one the transfer takes")

    def eligible(self, statuses: Iterable[severa.TravelReimbursementStatus]) -> frozenset[str]:
        """The GUIDs of the statuses whose reports go: approved ones, narrowed by the KH's
        choice when there is one."""
        chosen = set(self.statuses)
        return frozenset(
            status.guid
            for status in statuses
            if status.is_approved and (not chosen or status.guid in chosen)
        )

    def ratio(self, expense_type: str, language: str) -> str | None:
        """The Netvisor ratio name of a Severa expense type in ``language``."""
        for severa_type, lang, name in self.ratios:
            if severa_type == expense_type and lang == language.upper():
                return name
        return None

    def travel_type(self, expense_type: str) -> str | None:
        return dict(self.travel_types).get(expense_type, self.default_travel_type)

    def compensation_type(self, expense_type: str) -> str | None:
        return dict(self.compensation_types).get(expense_type)

    def as_json(self) -> dict[str, Any]:
        """A JSON-able dict; ratios as type -> {language: name}."""
        ratios: dict[str, dict[str, str]] = {}
        for severa_type, lang, name in self.ratios:
            ratios.setdefault(severa_type, {})[lang] = name
        return {
            "enabled": self.enabled,
            "statuses": list(self.statuses),
            "transferred_status": self.transferred_status,
            "ratios": ratios,
            "travel_types": dict(self.travel_types),
            "default_travel_type": self.default_travel_type,
            "compensation_types": dict(self.compensation_types),
            "dimensions": self.dimensions,
            "create_missing_items": self.create_missing_items,
            "mode": self.mode.value,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TravelSettings:
        """The inverse of :meth:`as_json`; unknown keys are an error, missing ones default.

        Raises:
            ValueError: an unknown key or an invalid value (the message names it).
        """
        known = {field.name for field in attrs.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown travel settings: {', '.join(sorted(unknown))}")
        try:
            return cls(**dict(data))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid travel settings: {exc}") from None
