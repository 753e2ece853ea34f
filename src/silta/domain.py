"""The vocabulary every layer shares: registers, directions, settings, actions and outcomes.

These are plain frozen values with no I/O, so the rules (:mod:`silta.registers`), the engine
(:mod:`silta.sync`), the state store (:mod:`silta.store`) and later the web app speak of the
same things without importing each other.
"""

from __future__ import annotations

import enum
from datetime import time
from typing import Any

import attrs

__all__ = [
    "TEMP_CODE",
    "Action",
    "CustomerDirection",
    "FieldChange",
    "ProductDirection",
    "Refusal",
    "Register",
    "RunKind",
    "RunStatus",
    "Status",
    "System",
    "TenantSettings",
]


# The code of Netvisor's temporary customer and product (rules 7 and 12).
TEMP_CODE = "TEMP"


class Register(enum.StrEnum):
    """The registers of the article."""

    CUSTOMERS = "customers"
    PRODUCTS = "products"
    DIMENSIONS = "dimensions"


class System(enum.StrEnum):
    NETVISOR = "netvisor"
    SEVERA = "severa"


class CustomerDirection(enum.StrEnum):
    """The article's three choices for the customer register."""

    NETVISOR_TO_SEVERA = "netvisor_to_severa"
    SEVERA_TO_NETVISOR = "severa_to_netvisor"
    TEMP_CUSTOMER = "temp_customer"  # "Ei siirretä – käytä tilapäisasiakasta"


class ProductDirection(enum.StrEnum):
    """The article's three choices for the product register."""

    NETVISOR_TO_SEVERA = "netvisor_to_severa"
    SEVERA_TO_NETVISOR = "severa_to_netvisor"
    TEMP_PRODUCT = "temp_product"  # "Ei siirretä – käytä tilapäistuotetta"


def _header(value: str | None) -> str | None:
    """An empty header means "not created" (article): spell it ``None`` only."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _positive_minutes(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least one minute")


@attrs.frozen(kw_only=True)
class TenantSettings:
    """One company's choices on the "Netvisor-Severa liittymän asetukset" tab.

    The defaults write nothing: both registers start as "not transferred" and dimensions off,
    so a company is synchronized only after its KH admin has chosen the directions.
    """

    customers: CustomerDirection = CustomerDirection.TEMP_CUSTOMER
    products: ProductDirection = ProductDirection.TEMP_PRODUCT
    dimensions: bool = False  # "Siirretään Severan projektit laskentakohteiksi Netvisoriin"
    project_header: str | None = attrs.field(default=None, converter=_header)
    business_unit_header: str | None = attrs.field(default=None, converter=_header)
    include_phases: bool = False  # "Tuo myös töiden vaiheet"
    email_invoicing_channel: bool = False  # Netvisor's e-mail delivery channel is on
    persons_without_business_id: bool = False  # such Severa customers are person customers
    register_interval_minutes: int = attrs.field(default=40, validator=_positive_minutes)
    dimension_time: time = time(2, 0)
    timezone: str = "Europe/Helsinki"
    # Not on the article's tab, but Netvisor needs them when Silta creates products:
    product_group: str = "Severa"  # product.nv requires a product group
    currency: str = "EUR"  # Severa money amounts carry a currency code

    def as_json(self) -> dict[str, Any]:
        """A JSON-able dict (enum values as text, the time as ``HH:MM``)."""
        data = attrs.asdict(self)
        data["customers"] = self.customers.value
        data["products"] = self.products.value
        data["dimension_time"] = self.dimension_time.strftime("%H:%M")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TenantSettings:
        """The inverse of :meth:`as_json`; unknown keys are an error, missing ones default.

        Raises:
            ValueError: an unknown key or an invalid value (the message names it).
        """
        known = {field.name for field in attrs.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        values = dict(data)
        try:
            if "customers" in values:
                values["customers"] = CustomerDirection(values["customers"])
            if "products" in values:
                values["products"] = ProductDirection(values["products"])
            if isinstance(values.get("dimension_time"), str):
                values["dimension_time"] = time.fromisoformat(values["dimension_time"])
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid settings: {exc}") from None


class RunKind(enum.StrEnum):
    """Incremental reads changes since the watermark; full reads everything."""

    INCREMENTAL = "incremental"
    FULL = "full"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"  # every record has an outcome (refusals included)
    FAILED = "failed"  # the run stopped, or some records failed to be written
    INTERRUPTED = "interrupted"  # the process died while the run was going on


class Action(enum.StrEnum):
    """What the plan says to do with one record."""

    CREATE = "create"
    UPDATE = "update"
    RENAME = "rename"
    UNCHANGED = "unchanged"
    SKIP = "skip"  # e.g. the product exists: products are never updated
    REFUSE = "refuse"


class Status(enum.StrEnum):
    """How one record ended."""

    PLANNED = "planned"  # a dry run: nothing was written
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"


@attrs.frozen
class Refusal:
    """Why a record was not transferred, and what the user should fix.

    ``rule`` is a stable id (``customers.business_id_missing``) that reports, filters and
    links can rely on; the messages name the record and the fix in Finnish and English.
    """

    rule: str
    field: str | None
    message_fi: str
    message_en: str

    def message(self, language: str = "fi") -> str:
        return self.message_en if language == "en" else self.message_fi

    def as_json(self) -> dict[str, str | None]:
        return attrs.asdict(self)


@attrs.frozen
class FieldChange:
    """One field's value before and after (as text, for the run history)."""

    field: str
    old: str | None
    new: str | None

    def as_json(self) -> dict[str, str | None]:
        return attrs.asdict(self)
