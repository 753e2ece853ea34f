"""Reading the settings tab's forms into values, strictly: anything odd is a ValueError
whose message names the field (for settings, a :class:`~silta.domain.SettingError` that
also names the value and what is allowed), and nothing is half-applied."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import FormData

from silta.domain import INVOICE_SETTINGS, TenantSettings
from silta.endpoints import Endpoints, Service, canonical_url
from silta.netvisor import NetvisorCredentials
from silta.severa import SeveraCredentials
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant

__all__ = [
    "CHECKBOXES",
    "SECRETS_OF",
    "ConnectionRefused",
    "connection_values",
    "connections",
    "fix_place",
    "invoice_settings_from_form",
    "settings_from_form",
    "text",
]


def text(form: FormData, name: str) -> str:
    """A form field as trimmed text; a missing field or a file reads as empty."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# The form's fields, each read as text by its setting's type (silta.domain.SETTING_KINDS),
# as ``silta tenant set`` reads its values: one parser, one set of messages.
CHECKBOXES = (
    "dimensions",
    "include_phases",
    "email_invoicing_channel",
    "persons_without_business_id",
)
_FIELDS = (
    "customers",
    "products",
    "project_header",
    "business_unit_header",
    "register_interval_minutes",
    "dimension_time",
)
_KEPT_WHEN_EMPTY = ("timezone", "product_group")  # an emptied field keeps the current value


def settings_from_form(form: FormData, current: TenantSettings) -> TenantSettings:
    """The settings the form asks for; settings not on the form keep their current value.

    A checkbox that is not sent is off; one that is sent must say so in a word the command
    line would take ("on", as browsers send it), anything else is refused like any value.

    Raises:
        SettingError: the first field refused, naming it, its value and what is allowed.
    """
    values = {name: text(form, name) for name in _FIELDS}
    for name in CHECKBOXES:
        values[name] = text(form, name) if name in form else "off"
    for name in _KEPT_WHEN_EMPTY:
        if text(form, name):
            values[name] = text(form, name)
    for section, (checkboxes, fields) in _SECTIONS.items():
        if section not in form:
            continue  # a form without the section (an older page, a script) keeps them
        for name in checkboxes:
            values[name] = text(form, name) if name in form else "off"
        for name in fields:
            # a mapping typed over several lines of its box is one line of pairs
            values[name] = " ".join(text(form, name).split())
    return current.with_text(values)


# The invoice transfer's section of the tab (its own form: the main form leaves it alone).
_INVOICE_CHECKBOXES = (
    "invoices_enabled",
    "invoices_dimensions_on_lines",
    "invoices_create_missing_items",
)
_INVOICE_FIELDS = tuple(name for name in INVOICE_SETTINGS if name not in _INVOICE_CHECKBOXES)


def invoice_settings_from_form(form: FormData, current: TenantSettings) -> TenantSettings:
    """The invoice transfer's settings the section asks for, read as the main form's are
    (every field by its setting's type); the other settings keep their value.

    Raises:
        SettingError: the first field refused, naming it, its value and what is allowed.
    """
    values = {name: text(form, name) for name in _INVOICE_FIELDS if name in form}
    for name in _INVOICE_CHECKBOXES:
        values[name] = text(form, name) if name in form else "off"
    return current.with_text(values)


# Issue 19: the money transfers' sections of the tab, read only when the form has them (a
# hidden field names each), so that a form from before them changes none of their settings.
_SECTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "purchase_lines_section": (
        ("purchase_lines_enabled", "purchase_lines_automatic"),
        (
            "purchase_lines_invoice_status",
            "purchase_lines_product",
            "purchase_lines_account_products",
            "purchase_lines_method",
            "purchase_lines_markup_percent",
        ),
    ),
    "travel_section": (
        (
            "travel_enabled",
            "travel_automatic",
            "travel_dimensions",
            "travel_create_missing_items",
        ),
        (
            "travel_statuses",
            "travel_transferred_status",
            "travel_ratios",
            "travel_travel_types",
            "travel_compensation_types",
        ),
    ),
}


CONNECTION_FIELDS = (
    "netvisor_url", "sender", "customer_id", "customer_key", "partner_id", "partner_key",
    "organisation_id", "severa_url", "client_id", "client_secret",
)  # fmt: skip

# A service's secrets: a new address for the service needs every one of them in the same
# request, so that stored secrets never go to an address their holder did not choose.
SECRETS_OF: dict[Service, tuple[str, ...]] = {
    "netvisor": ("customer_key", "partner_key"),
    "severa": ("client_secret",),
}


def connection_values(form: FormData) -> dict[str, str]:
    """The connection fields the form filled in (an empty field is not filled in)."""
    return {name: text(form, name) for name in CONNECTION_FIELDS if text(form, name)}


def _same_address(given: str, current: str) -> bool:
    try:
        return canonical_url(given) == canonical_url(current)
    except ValueError:
        return False


def _address(given: Mapping[str, str], current: str, service: Service, endpoints: Endpoints) -> str:
    """The service's base URL after this request: the current one, or an allowed new one
    given together with every secret of the service.

    Raises:
        ValueError: a new address the operator has not allowed (the message lists the
            allowed ones), or one given without the service's secrets.
    """
    field = f"{service}_url"
    value = given.get(field)
    if not value or _same_address(value, current):
        return current
    address = endpoints.check(service, value, field=field)
    missing = [name for name in SECRETS_OF[service] if not given.get(name)]
    if missing:
        raise ConnectionRefused(
            f"{field}: a new address needs {' and '.join(missing)} entered again in the same "
            "request, so that the stored secrets never go to an address chosen without them",
            field=field,
            reason="needs_secrets",
            names=tuple(missing),
        )
    return address


def connections(
    given: Mapping[str, str], tenant: Tenant, endpoints: Endpoints
) -> tuple[NetvisorConnection, SeveraConnection]:
    """The tenant's connections with ``given`` fields replaced; the rest are kept.

    Secrets are write-only: the page never holds them, so an empty field cannot mean
    "erase" (a connection without its key is useless) and always means "keep". A base URL
    may change only to one of ``endpoints``, and only with the service's secrets given
    again (:data:`SECRETS_OF`): whoever may edit a tenant must not be able to send its
    stored secrets to an address of their own.
    """
    netvisor_url = _address(given, tenant.netvisor.base_url, "netvisor", endpoints)
    severa_url = _address(given, tenant.severa.base_url, "severa", endpoints)
    nv, sv = tenant.netvisor.credentials, tenant.severa.credentials
    try:
        netvisor = NetvisorConnection(
            NetvisorCredentials(
                sender=given.get("sender") or nv.sender,
                customer_id=given.get("customer_id") or nv.customer_id,
                customer_key=given.get("customer_key") or nv.customer_key,
                partner_id=given.get("partner_id") or nv.partner_id,
                partner_key=given.get("partner_key") or nv.partner_key,
                organisation_id=given.get("organisation_id") or nv.organisation_id,
                language=nv.language,
            ),
            base_url=netvisor_url,
        )
        severa = SeveraConnection(
            SeveraCredentials(
                client_id=given.get("client_id") or sv.client_id,
                client_secret=given.get("client_secret") or sv.client_secret,
                scopes=sv.scopes,
            ),
            base_url=severa_url,
        )
    except (TypeError, ValueError) as exc:
        # the validators' messages name the field, never its value (it may be a secret)
        text = _field_only(exc)
        field = next((name for name in CONNECTION_FIELDS if text.startswith(name)), None)
        raise ConnectionRefused(text, field=field, reason="invalid") from None
    return netvisor, severa


class ConnectionRefused(ValueError):
    """A connection form or body refused: ``str()`` in English (the API), and the parts a
    page words in its own language: the field, why (``needs_secrets``: a new address
    without the service's secrets; ``invalid``: a value the credentials refuse), and the
    fields it names."""

    def __init__(
        self, text: str, *, field: str | None, reason: str, names: tuple[str, ...] = ()
    ) -> None:
        super().__init__(text)
        self.field = field
        self.reason = reason
        self.names = names


def _field_only(exc: Exception) -> str:
    text = str(exc)
    return text.split(":", 1)[0] if "'" in text or '"' in text else text


# Where an invoice's refusal is fixed: the invoice's own data in Severa, a number clash in
# Netvisor, a missing mapping or register on the settings tab.
_INVOICE_PLACES = {
    "invoices.reference_invalid": "severa",
    "invoices.currency_not_company": "severa",
    "invoices.vat_rate_not_valid": "severa",
    "invoices.reverse_charge_vat_id_missing": "severa",
    "invoices.total_mismatch": "severa",
    "invoices.credit_note_before_original": "severa",
    "invoices.number_in_use": "netvisor",
}


def fix_place(rule_id: str) -> str:
    """Where a refusal is fixed: in Severa, in Netvisor, or on the settings tab."""
    if rule_id in _INVOICE_PLACES:
        return _INVOICE_PLACES[rule_id]
    if rule_id in _MONEY_FIX_PLACES:
        return _MONEY_FIX_PLACES[rule_id]
    if rule_id.endswith("temp_missing") or rule_id.startswith("dimensions.header"):
        return "netvisor"
    if ".severa." in rule_id:
        return "severa"
    if ".netvisor." in rule_id:
        return "netvisor"
    return "settings"


# Issue 19: where the money transfers' refusals are fixed (the rest: the settings tab).
_MONEY_FIX_PLACES = {
    "purchase_lines.item_not_silta": "netvisor",  # the line's dimension item
    "purchase_lines.phase_not_in_project": "netvisor",
    "travel.employee_not_matched": "severa",  # the user's code (or Netvisor's employee)
    "travel.attachments_too_large": "severa",
    "travel.attachment_name_too_long": "severa",
}
