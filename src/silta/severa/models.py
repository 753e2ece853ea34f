"""Severa's records as pydantic models, written from Severa's OpenAPI document.

Each class names the schema it follows (``specs/severa-openapi.json``, ``components.schemas``).
Only the properties Silta uses are declared.

Reading is tolerant: unknown properties are ignored, missing ones read as ``None``, and
values are coerced where JSON is loose (``"12"`` for 12), so a new field or a slightly
different rendering on Severa's side never breaks a sync. Writing is strict: the input models
carry only writable properties (the document marks ``guid``, ``createdDateTime`` and others
read-only, and Severa's validator refuses them), and ``None`` fields are left out of the body.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

__all__ = [
    "Address",
    "AddressInput",
    "BusinessUnit",
    "Country",
    "Customer",
    "CustomerInput",
    "GuidRef",
    "Language",
    "Money",
    "MoneyInput",
    "Phase",
    "PhaseWithHierarchy",
    "Product",
    "ProductInput",
    "Project",
    "Ref",
    "TokenResponse",
    "VatRate",
]


def _as_utc(value: datetime) -> datetime:
    # ASP.NET writes a DateTime of unspecified kind without an offset; Severa's times are
    # UTC (the token answer says so in its names), and a naive time would fail the first
    # comparison with an aware one far from here.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


#: A date-time as Severa writes it: with an offset or ``Z`` (RFC 3339, the document's
#: ``format: date-time``), with up to 7 fraction digits (.NET's ticks; the seventh is below
#: a microsecond and dropped), or without an offset, read as UTC.
Timestamp = Annotated[datetime, AfterValidator(_as_utc)]

# JSON numbers go out as numbers (the document types money and VAT as double), not as the
# strings pydantic would make of a Decimal.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class _Read(BaseModel):
    """Output models: tolerant of unknown and missing properties."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class _Write(BaseModel):
    """Input models: only writable properties, serialized by alias without ``None``."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    def body(self) -> dict[str, Any]:
        """The JSON body for a POST."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# -- references ------------------------------------------------------------------------------


class Ref(_Read):
    """A reference to another record as Severa renders it (``ModelWithName`` and kin)."""

    guid: str | None = None
    name: str | None = None


class GuidRef(_Write):
    """A reference in an input model (``SimpleInputModel``): just the GUID."""

    guid: str


class LanguageRef(_Read):
    """``CustomerLanguage``."""

    guid: str | None = None
    name: str | None = None
    english_name: str | None = None
    code: str | None = None


class HeadquarterAddress(_Read):
    """``CustomerHeadquarterAddress``: the link to the head-office address, with copies of
    its main fields (read-only; only ``guid`` is writable)."""

    guid: str | None = None
    addressline: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None


class Money(_Read):
    """``MoneyOutputModel``."""

    amount: Decimal | None = None
    currency_code: str | None = None


class MoneyInput(_Write):
    """``MoneyInputModelWithNullableAmount``."""

    amount: Number | None = None
    currency_code: str


class _Stamped(_Read):
    guid: str
    created_date_time: Timestamp | None = None
    last_updated_date_time: Timestamp | None = None


# -- customers and addresses -----------------------------------------------------------------


class Customer(_Stamped):
    """``CustomerModel``."""

    name: str
    number: int | None = None
    is_active: bool = True
    is_internal: bool = False
    notes: str | None = None
    email: str | None = None
    website: str | None = None
    vat_number: str | None = None
    language: LanguageRef | None = None
    headquarter_address: HeadquarterAddress | None = None
    payment_term: int | None = None
    e_invoice_address: str | None = None
    e_invoice_operator: str | None = None


class CustomerInput(_Write):
    """The writable part of ``CustomerModel``, for ``POST /v1/customers``."""

    name: str
    number: int | None = None
    is_active: bool | None = None
    notes: str | None = None
    email: str | None = None
    website: str | None = None
    vat_number: str | None = None
    language: GuidRef | None = None
    headquarter_address: GuidRef | None = None
    payment_term: int | None = None
    e_invoice_address: str | None = None
    e_invoice_operator: str | None = None


class AddressCountry(_Read):
    """``AddressCountry``."""

    guid: str | None = None
    name: str | None = None
    english_name: str | None = None


class AddressCustomer(_Read):
    """``AddressCustomer``."""

    guid: str | None = None
    name: str | None = None
    number: int | None = None


class Address(_Stamped):
    """``AddressModel``."""

    addressline: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: AddressCountry | None = None
    phone: str | None = None
    fax: str | None = None
    is_billing_address: bool = False
    is_postal_address: bool = False
    is_visit_address: bool = False
    customer: AddressCustomer | None = None


class AddressInput(_Write):
    """The writable part of ``AddressModel``."""

    addressline: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: GuidRef | None = None
    phone: str | None = None
    fax: str | None = None
    is_billing_address: bool | None = None
    is_postal_address: bool | None = None
    is_visit_address: bool | None = None


# -- products --------------------------------------------------------------------------------


class Product(_Stamped):
    """``ProductOutputModel``. ``type`` is kept as text so a new kind never breaks a read."""

    name: str
    code: str | None = None
    unit_price: Money | None = None
    unit_cost: Money | None = None
    vat_rate: Decimal | None = None
    measurement_unit: str | None = None
    is_active: bool | None = True
    type: str | None = None
    product_category: Ref | None = None


class ProductInput(_Write):
    """``ProductInputModel``."""

    name: str
    code: str | None = None
    unit_price: MoneyInput | None = None
    unit_cost: MoneyInput | None = None
    vat_rate: Number | None = None
    measurement_unit: str | None = None
    is_active: bool | None = None
    type: str | None = None


# -- projects, phases, business units ---------------------------------------------------------


class ProjectCustomer(_Read):
    """``ProjectCustomerSubModel``."""

    guid: str | None = None
    name: str | None = None
    number: int | None = None


class ProjectBusinessUnit(_Read):
    """``BusinessUnitSubModel``."""

    guid: str | None = None
    name: str | None = None
    code: str | None = None


class Project(_Stamped):
    """``ProjectOutputModel``."""

    name: str
    number: int | None = None
    is_closed: bool = False
    is_internal: bool = False
    customer: ProjectCustomer | None = None
    business_unit: ProjectBusinessUnit | None = None
    root_phase: Ref | None = None


class PhaseProject(_Read):
    """``PhaseProjectSubModel``."""

    guid: str | None = None
    name: str | None = None
    number: int | None = None


class Phase(_Stamped):
    """``PhaseOutputModel``. A project's root phase has no parent."""

    name: str
    code: str | None = None
    sort_order: int | None = None
    parent_phase: Ref | None = None
    project: PhaseProject | None = None
    is_completed: bool = False
    is_locked: bool = False
    start_date: date | None = None
    deadline: date | None = None


class PhaseWithHierarchy(Phase):
    """``PhaseModelWithHierarchyInfo``: a phase with its depth in the project's tree."""

    level: int = 0
    has_children: bool = False


class BusinessUnit(_Stamped):
    """``BusinessUnitModel``; ``parent_guid`` forms the hierarchy."""

    name: str
    code: str | None = None
    parent_guid: str | None = None
    is_active: bool = True
    company_guid: str | None = None
    company_name: str | None = None
    company_business_unit_guid: str | None = None


# -- reference data --------------------------------------------------------------------------


class Language(_Read):
    """``LanguageModel``; ``code`` is an ISO 639 code such as ``fi``, ``sv`` or ``en``."""

    guid: str
    name: str | None = None
    english_name: str | None = None
    code: str | None = None
    is_invoice_language: bool = False


class Country(_Read):
    """``CountryModel``; ``code2`` is the ISO 3166 alpha-2 code Netvisor uses."""

    guid: str
    name: str | None = None
    english_name: str | None = None
    code2: str | None = None
    code3: str | None = None
    is_in_eu: bool = Field(default=False, alias="isInEU")


class VatRate(_Read):
    """``VatRateOutputModel``."""

    guid: str
    percentage: Decimal
    code: str | None = None
    is_active: bool = True
    is_default: bool = False
    country_guid: str | None = None


class TokenResponse(BaseModel):
    """``PublicAuthenticationOutputModel`` (snake_case on the wire, unlike everything else)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: str
    access_token_type: str = "Bearer"  # noqa: S105 - the token type's name, not a secret
    access_token_expires_in: int | None = None
    access_token_expires_utc: Timestamp | None = None
    refresh_token: str | None = None
    refresh_token_expires_in: int | None = None
    refresh_token_expires_utc: Timestamp | None = None
    scope: str | None = None
