"""The invoice transfer's settings, a value of their own (reference/invoices.md §5.1-5.9).

Stored in the settings table (:class:`silta.domain.TenantSettings`, the ``invoices_…``
fields, strict and versioned like the others); :meth:`InvoiceSettings.of_tenant` reads them
into this value, which the rules take.

What the KH chooses, and why each default:

* off until turned on: nothing is sent to the ledger without a decision;
* the Severa *ready* status (the queue) and the *after-transfer* status, by GUID; the
  defaults are found by the names Visma's own integration creates ("Valmis lähetettäväksi
  Netvisoriin", "Lasku lähetetty Netvisoriin"), and *ready* is refused unless it assigns
  invoice numbers and is read-only, so an invoice has its final number and cannot change
  while it is transferred (:func:`status_problems`);
* Netvisor's status on import: ``unsent`` (Netvisor sends the invoice) by default, or
  ``open`` (sent from elsewhere, ledger only) -- the official integration's two options;
* dimensions on lines, and whether missing dimension items are created first;
* the Netvisor VAT code for each kind of 0 % line: the rate alone cannot tell a
  construction service under reverse charge from an EU service sale (``finnish-rules.md``
  §3.2), so each case is mapped, and a case left unmapped refuses the invoice;
* Netvisor product codes for Severa codes that are not products (work types, travel
  expense types), and a fallback product for rows that bill several codes;
* automatic (every interval, like the registers) or only on "transfer now".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from silta import severa

# Both enums are the settings table's (silta.domain), so every entry point reads them alike.
from silta.domain import InvoiceTransferMode as TransferMode
from silta.domain import NetvisorInvoiceStatus, TenantSettings, code_map
from silta.netvisor import VAT_CODES

__all__ = [
    "DEFAULT_READY_STATUS",
    "DEFAULT_TRANSFERRED_STATUS",
    "DEFAULT_ZERO_VAT_CODES",
    "InvoiceSettings",
    "NetvisorInvoiceStatus",
    "StatusProblem",
    "TransferMode",
    "ZeroVatCase",
    "default_statuses",
    "status_problems",
]

DEFAULT_READY_STATUS = "Valmis lähetettäväksi Netvisoriin"
DEFAULT_TRANSFERRED_STATUS = "Lasku lähetetty Netvisoriin"


class ZeroVatCase(enum.StrEnum):
    """Why a line has 0 % VAT, as far as Severa tells (see :func:`zero_vat_case`)."""

    DOMESTIC_REVERSE_CHARGE = "domestic_reverse_charge"  # e.g. construction services, AVL 8 c §
    EU_SERVICES = "eu_services"
    EU_GOODS = "eu_goods"
    OUTSIDE_EU = "outside_eu"  # exports, and Åland, which is outside the EU VAT area
    DOMESTIC_ZERO = "domestic_zero"  # 0 % in Finland without reverse charge


# The examples of invoices.md §5.9. Exports and domestic 0 % have no default: Netvisor's
# codes for them (NONE, KOMY0, ...) are a choice the company's accountant makes.
DEFAULT_ZERO_VAT_CODES: Mapping[ZeroVatCase, str] = {
    ZeroVatCase.DOMESTIC_REVERSE_CHARGE: "RAMY",
    ZeroVatCase.EU_SERVICES: "EUUM",
    ZeroVatCase.EU_GOODS: "EUMY",
}


def _zero_vat_codes(
    value: Mapping[Any, str] | Iterable[tuple[Any, str]],
) -> tuple[tuple[ZeroVatCase, str], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    codes = {ZeroVatCase(case): code.strip().upper() for case, code in pairs}
    return tuple(sorted(codes.items()))


def _check_zero_vat_codes(
    _instance: object, _attribute: object, value: tuple[tuple[ZeroVatCase, str], ...]
) -> None:
    for case, code in value:
        if code not in VAT_CODES:
            raise ValueError(f"{code!r} is not a Netvisor VAT code (for {case.value})")
        if code == "KOMY" and case is not ZeroVatCase.DOMESTIC_ZERO:
            raise ValueError(f"KOMY is domestic sales; it cannot stand for {case.value}")


def _product_codes(
    value: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    codes = {}
    for severa_code, netvisor_code in pairs:
        if not severa_code.strip() or not netvisor_code.strip():
            raise ValueError("a product code mapping needs both codes")
        codes[severa_code.strip()] = netvisor_code.strip()
    return tuple(sorted(codes.items()))


def _code(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


@attrs.frozen(kw_only=True)
class InvoiceSettings:
    """One company's choices for the sales-invoice transfer (Severa → Netvisor)."""

    enabled: bool = False
    ready_status: str | None = attrs.field(default=None, converter=_code)
    transferred_status: str | None = attrs.field(default=None, converter=_code)
    netvisor_status: NetvisorInvoiceStatus = attrs.field(
        default=NetvisorInvoiceStatus.UNSENT, converter=NetvisorInvoiceStatus
    )
    dimensions_on_lines: bool = False
    create_missing_items: bool = False
    zero_vat_codes: tuple[tuple[ZeroVatCase, str], ...] = attrs.field(
        default=_zero_vat_codes(DEFAULT_ZERO_VAT_CODES),
        converter=_zero_vat_codes,
        validator=_check_zero_vat_codes,
    )
    product_codes: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_product_codes)
    fallback_product: str | None = attrs.field(default=None, converter=_code)
    mode: TransferMode = attrs.field(default=TransferMode.AUTOMATIC, converter=TransferMode)

    def __attrs_post_init__(self) -> None:
        if self.enabled and not (self.ready_status and self.transferred_status):
            raise ValueError("the transfer needs both the ready and the after-transfer status")
        if self.ready_status and self.ready_status == self.transferred_status:
            raise ValueError("the ready and after-transfer statuses must differ")

    @classmethod
    def of_tenant(cls, tenant: TenantSettings) -> InvoiceSettings:
        """The company's invoice settings from its settings table (``invoices_…`` fields).

        Raises:
            ValueError: the transfer is on without both statuses, or with one status for
                both (the message says which).
        """
        cases = {
            ZeroVatCase.DOMESTIC_REVERSE_CHARGE: tenant.invoices_vat_domestic_reverse_charge,
            ZeroVatCase.EU_SERVICES: tenant.invoices_vat_eu_services,
            ZeroVatCase.EU_GOODS: tenant.invoices_vat_eu_goods,
            ZeroVatCase.OUTSIDE_EU: tenant.invoices_vat_outside_eu,
            ZeroVatCase.DOMESTIC_ZERO: tenant.invoices_vat_domestic_zero,
        }
        return cls(
            enabled=tenant.invoices_enabled,
            ready_status=tenant.invoices_ready_status,
            transferred_status=tenant.invoices_transferred_status,
            netvisor_status=tenant.invoices_netvisor_status,
            dimensions_on_lines=tenant.invoices_dimensions_on_lines,
            create_missing_items=tenant.invoices_create_missing_items,
            zero_vat_codes={case: code for case, code in cases.items() if code},
            product_codes=code_map(tenant.invoices_product_codes),
            fallback_product=tenant.invoices_fallback_product,
            mode=tenant.invoices_mode,
        )

    def zero_vat_code(self, case: ZeroVatCase) -> str | None:
        """The Netvisor VAT code chosen for ``case``, or ``None`` when it is not mapped."""
        return dict(self.zero_vat_codes).get(case)

    def netvisor_product(self, severa_code: str) -> str | None:
        """The Netvisor product code mapped to a Severa work type or travel expense code."""
        return dict(self.product_codes).get(severa_code)

    def as_json(self) -> dict[str, Any]:
        """A JSON-able dict (enums as text, mappings as objects)."""
        return {
            "enabled": self.enabled,
            "ready_status": self.ready_status,
            "transferred_status": self.transferred_status,
            "netvisor_status": self.netvisor_status.value,
            "dimensions_on_lines": self.dimensions_on_lines,
            "create_missing_items": self.create_missing_items,
            "zero_vat_codes": {case.value: code for case, code in self.zero_vat_codes},
            "product_codes": dict(self.product_codes),
            "fallback_product": self.fallback_product,
            "mode": self.mode.value,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InvoiceSettings:
        """The inverse of :meth:`as_json`; unknown keys are an error, missing ones default.

        Raises:
            ValueError: an unknown key or an invalid value (the message names it).
        """
        known = {field.name for field in attrs.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown invoice settings: {', '.join(sorted(unknown))}")
        try:
            return cls(**dict(data))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid invoice settings: {exc}") from None


@attrs.frozen
class StatusProblem:
    """Why a chosen Severa status cannot serve, in Finnish and English (for the form)."""

    field: str
    message_fi: str
    message_en: str


def status_problems(
    settings: InvoiceSettings, statuses: Iterable[severa.InvoiceStatus]
) -> list[StatusProblem]:
    """What is wrong with the chosen statuses, given the company's invoice statuses.

    *Ready* must exist, be active, give invoice numbers and be read-only (an invoice in it
    has its final number and cannot change during the transfer); *after-transfer* must
    exist and be active.
    """
    by_guid = {status.guid: status for status in statuses}
    problems: list[StatusProblem] = []
    ready = by_guid.get(settings.ready_status or "")
    if settings.ready_status is not None:
        if ready is None:
            problems.append(StatusProblem(
                "ready_status",
                "Valittua valmis-tilaa ei ole Severassa",
                "The chosen ready status does not exist in Severa",
            ))  # fmt: skip
        else:
            if not ready.is_active:
                problems.append(StatusProblem(
                    "ready_status",
                    f"Tila {ready.name} ei ole käytössä Severassa",
                    f"Status {ready.name} is not active in Severa",
                ))  # fmt: skip
            if not ready.has_invoice_number:
                problems.append(StatusProblem(
                    "ready_status",
                    f"Tila {ready.name} ei anna laskulle numeroa: valitse Severassa tilalle "
                    "asetus 'Laskunumero'",
                    f"Status {ready.name} does not give the invoice its number; set "
                    "'Invoice number' on the status in Severa",
                ))  # fmt: skip
            if not ready.is_read_only:
                problems.append(StatusProblem(
                    "ready_status",
                    f"Tilassa {ready.name} olevaa laskua voi yhä muokata: valitse Severassa "
                    "tilalle asetus 'Ei muokattavissa'",
                    f"An invoice in status {ready.name} can still be edited; set 'Not "
                    "editable' on the status in Severa",
                ))  # fmt: skip
    after = by_guid.get(settings.transferred_status or "")
    if settings.transferred_status is not None:
        if after is None:
            problems.append(StatusProblem(
                "transferred_status",
                "Valittua siirron jälkeistä tilaa ei ole Severassa",
                "The chosen after-transfer status does not exist in Severa",
            ))  # fmt: skip
        elif not after.is_active:
            problems.append(StatusProblem(
                "transferred_status",
                f"Tila {after.name} ei ole käytössä Severassa",
                f"Status {after.name} is not active in Severa",
            ))  # fmt: skip
    return problems


def default_statuses(statuses: Iterable[severa.InvoiceStatus]) -> tuple[str | None, str | None]:
    """The GUIDs of the statuses named as Visma's integration names them, if present.

    Names are compared without case and surrounding blanks; the official integration
    finds them by name, and Severa's help says they must not be renamed.
    """

    def key(name: str) -> str:
        return " ".join(name.split()).casefold()

    by_name: dict[str, str] = {}
    for status in statuses:
        by_name.setdefault(key(status.name), status.guid)
    return by_name.get(key(DEFAULT_READY_STATUS)), by_name.get(key(DEFAULT_TRANSFERRED_STATUS))
