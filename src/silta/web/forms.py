"""Reading the settings tab's forms into values, strictly: anything odd is a ValueError
whose message names the field, and nothing is half-applied."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from starlette.datastructures import FormData

from silta.domain import CustomerDirection, ProductDirection, TenantSettings
from silta.netvisor import NetvisorCredentials
from silta.severa import SeveraCredentials
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant

__all__ = [
    "checked_settings",
    "connection_values",
    "connections",
    "fix_place",
    "settings_from_form",
    "text",
]

MAX_INTERVAL = 24 * 60  # a register interval longer than a day is surely a typing error


def text(form: FormData, name: str) -> str:
    """A form field as trimmed text; a missing field or a file reads as empty."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _checked(form: FormData, name: str) -> bool:
    return text(form, name) in {"on", "1", "true"}


def settings_from_form(form: FormData, current: TenantSettings) -> TenantSettings:
    """The settings the form asks for; settings not on the form keep their current value."""
    try:
        customers = CustomerDirection(text(form, "customers"))
    except ValueError:
        raise ValueError("customers: choose one of the three directions") from None
    try:
        products = ProductDirection(text(form, "products"))
    except ValueError:
        raise ValueError("products: choose one of the three directions") from None
    interval_text = text(form, "register_interval_minutes")
    # ASCII digits only: "²".isdigit() is true, yet int("²") fails with a message about int()
    if not (
        interval_text.isascii()
        and interval_text.isdigit()
        and 1 <= int(interval_text) <= MAX_INTERVAL
    ):
        raise ValueError(f"register_interval_minutes: a whole number from 1 to {MAX_INTERVAL}")
    try:
        dimension_time = time.fromisoformat(text(form, "dimension_time"))
    except ValueError:
        raise ValueError("dimension_time: a time of day such as 02:00") from None
    timezone = text(form, "timezone") or current.timezone
    product_group = text(form, "product_group") or current.product_group
    dimensions = _checked(form, "dimensions")
    settings = attrs.evolve(
        current,
        customers=customers,
        products=products,
        dimensions=dimensions,
        # an empty select means "not created" (the article)
        project_header=text(form, "project_header") or None,
        business_unit_header=text(form, "business_unit_header") or None,
        include_phases=_checked(form, "include_phases"),
        email_invoicing_channel=_checked(form, "email_invoicing_channel"),
        persons_without_business_id=_checked(form, "persons_without_business_id"),
        register_interval_minutes=int(interval_text),
        dimension_time=dimension_time,
        timezone=timezone,
        product_group=product_group,
    )
    return checked_settings(settings)


def checked_settings(settings: TenantSettings) -> TenantSettings:
    """``settings`` if the schedule can be computed from them, the time in whole minutes.

    :class:`TenantSettings` itself accepts any time zone name and any time of day; an unknown
    zone would only fail later, when a page or the scheduler computes the next run. The form
    and the API both pass here, so neither can store settings that break them.

    Raises:
        ValueError: the message names the field.
    """
    if not 1 <= settings.register_interval_minutes <= MAX_INTERVAL:
        raise ValueError(f"register_interval_minutes: a whole number from 1 to {MAX_INTERVAL}")
    if settings.dimension_time.tzinfo is not None:
        raise ValueError("dimension_time: a time of day without a zone, such as 02:00")
    try:
        ZoneInfo(settings.timezone)
    # "Europe" is a directory of the zone database (IsADirectoryError), a very long name an
    # OSError too: both are unknown zones to the user
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"timezone: {settings.timezone!r} is not a known time zone") from None
    return attrs.evolve(
        settings, dimension_time=settings.dimension_time.replace(second=0, microsecond=0)
    )


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
