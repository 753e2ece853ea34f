"""Reading the settings tab's forms into values, strictly: anything odd is a ValueError
whose message names the field (for settings, a :class:`~silta.domain.SettingError` that
also names the value and what is allowed), and nothing is half-applied."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import FormData

from silta.domain import TenantSettings
from silta.netvisor import NetvisorCredentials
from silta.severa import SeveraCredentials
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant

__all__ = [
    "connection_values",
    "connections",
    "fix_place",
    "settings_from_form",
    "text",
]


def text(form: FormData, name: str) -> str:
    """A form field as trimmed text; a missing field or a file reads as empty."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# The form's fields, each read as text by its setting's type (silta.domain.SETTING_KINDS),
# as ``silta tenant set`` reads its values: one parser, one set of messages.
_CHECKBOXES = (
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
    for name in _CHECKBOXES:
        values[name] = text(form, name) if name in form else "off"
    for name in _KEPT_WHEN_EMPTY:
        if text(form, name):
            values[name] = text(form, name)
    return current.with_text(values)


def _url(value: str | None, current: str, name: str) -> str:
    if not value:
        return current
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"{name}: an address starting with https://")
    return value.rstrip("/")


CONNECTION_FIELDS = (
    "netvisor_url", "sender", "customer_id", "customer_key", "partner_id", "partner_key",
    "organisation_id", "severa_url", "client_id", "client_secret",
)  # fmt: skip


def connection_values(form: FormData) -> dict[str, str]:
    """The connection fields the form filled in (an empty field is not filled in)."""
    return {name: text(form, name) for name in CONNECTION_FIELDS if text(form, name)}


def connections(
    given: Mapping[str, str], tenant: Tenant
) -> tuple[NetvisorConnection, SeveraConnection]:
    """The tenant's connections with ``given`` fields replaced; the rest are kept.

    Secrets are write-only: the page never holds them, so an empty field cannot mean
    "erase" (a connection without its key is useless) and always means "keep".
    """
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
            base_url=_url(given.get("netvisor_url"), tenant.netvisor.base_url, "netvisor_url"),
        )
        severa = SeveraConnection(
            SeveraCredentials(
                client_id=given.get("client_id") or sv.client_id,
                client_secret=given.get("client_secret") or sv.client_secret,
                scopes=sv.scopes,
            ),
            base_url=_url(given.get("severa_url"), tenant.severa.base_url, "severa_url"),
        )
    except (TypeError, ValueError) as exc:
        # the validators' messages name the field, never its value (it may be a secret)
        raise ValueError(_field_only(exc)) from None
    return netvisor, severa


def _field_only(exc: Exception) -> str:
    text = str(exc)
    return text.split(":", 1)[0] if "'" in text or '"' in text else text


def fix_place(rule_id: str) -> str:
    """Where a refusal is fixed: in Severa, in Netvisor, or on the settings tab."""
    if rule_id.endswith("temp_missing") or rule_id.startswith("dimensions.header"):
        return "netvisor"
    if ".severa." in rule_id:
        return "severa"
    if ".netvisor." in rule_id:
        return "netvisor"
    return "settings"
