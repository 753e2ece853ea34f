"""Reading the settings tab's forms into values, strictly: anything odd is a ValueError
whose message names the field, and nothing is half-applied."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from starlette.datastructures import FormData

from silta.domain import CustomerDirection, ProductDirection, TenantSettings
from silta.endpoints import Endpoints, Service, canonical_url
from silta.netvisor import NetvisorCredentials
from silta.severa import SeveraCredentials
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant

__all__ = [
    "SECRETS_OF",
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
        raise ValueError(
            f"{field}: a new address needs {' and '.join(missing)} entered again in the same "
            "request, so that the stored secrets never go to an address chosen without them"
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
