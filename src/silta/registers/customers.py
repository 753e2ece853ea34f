"""The customer register (asiakasrekisteri): the article's field table and rules 1–7.

``FIELDS`` is the article's table "Asiakasrekisterin kenttien vastaavuudet", one row per
row: the canonical field, Netvisor's field (:class:`silta.netvisor.CustomerData`) and
Severa's (a JSON path of ``CustomerModel`` or, for address rows, of the head-office
``AddressModel``). The mapping functions below follow the rows; a test checks that every
row is carried in both directions.

Settled points (MISSION.md, last section) as implemented here:

* A Severa customer without a business ID is refused unless the company's setting says
  such customers are person customers; then it becomes a Netvisor private customer.
* Business IDs are compared in either form and written in each system's own: Netvisor
  ``1234567-8``, Severa ``FI12345678``. A Netvisor private customer's identifier (a
  personal identity code) never leaves Netvisor.
* Billing and delivery addresses (S→N) come only from the head-office address, the billing
  address when it is flagged Billing, the delivery address when it is flagged Post. A field
  that the article says is "not transferred" in a case is left as it is in the target, not
  blanked: each record carries the ``scope`` of fields it transfers.
* N→S, Netvisor's invoicing address becomes the Severa head-office address flagged Billing
  (and Post when the delivery address is empty or the same); a different delivery address
  becomes a second Severa address flagged Post.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any, Protocol

import attrs

from silta import netvisor, severa
from silta.domain import FieldChange, Refusal, TenantSettings
from silta.registers.finnish import (
    CustomerNumberProblem,
    InvalidBusinessIdError,
    customer_number_problem,
    find_operator,
    parse_business_id,
    suggest_operator,
)
from silta.registers.lookups import Lookups
from silta.registers.rules import refuse
from silta.registers.values import Mapped, clean

__all__ = [
    "FIELDS",
    "CustomerRecord",
    "FieldRow",
    "HeadOffice",
    "Mapped",
    "carries_intent",
    "create_intent",
    "from_netvisor",
    "from_severa",
    "netvisor_changes",
    "number_in_use",
    "same_business_id",
    "severa_address_changes",
    "severa_address_values",
    "severa_customer_changes",
    "severa_customer_values",
    "to_netvisor",
    "to_severa_address",
    "to_severa_customer",
    "to_severa_delivery",
]


@attrs.frozen
class FieldRow:
    """One row of the article's customer table."""

    canonical: str
    netvisor: str  # attribute of silta.netvisor.CustomerData
    severa: str  # JSON path; "hq." = the head-office address
    note: str = ""


FIELDS: tuple[FieldRow, ...] = (
    FieldRow("code", "code", "number", "N→S: digits only, no leading zero"),
    FieldRow("name", "name", "name", "required for S→N"),
    FieldRow("einvoice_address", "finvoice_address", "eInvoiceAddress"),
    FieldRow(
        "einvoice_operator", "finvoice_router_code", "eInvoiceOperator", "exact Netvisor form"
    ),
    FieldRow("comment", "comment", "notes"),
    FieldRow("email", "email", "email", "also e-mail invoicing address when the channel is on"),
    FieldRow("business_id", "business_id", "vatNumber", "required for S→N unless person"),
    FieldRow("home_page", "home_page_uri", "website"),
    FieldRow("street", "street_address", "hq.addressline", "billing: HQ address flagged Billing"),
    FieldRow("city", "city", "hq.city"),
    FieldRow("postal_code", "post_number", "hq.postalCode"),
    FieldRow("country", "country", "hq.country.guid"),
    FieldRow("phone", "phone_number", "hq.phone"),
    FieldRow("fax", "fax_number", "hq.fax"),
    FieldRow("delivery_name", "delivery_name", "name", "delivery: HQ address flagged Post"),
    FieldRow("delivery_street", "delivery_street_address", "hq.addressline"),
    FieldRow("delivery_city", "delivery_city", "hq.city"),
    FieldRow("delivery_postal_code", "delivery_post_number", "hq.postalCode"),
    FieldRow("delivery_country", "delivery_country", "hq.country.guid"),
    FieldRow("invoice_language", "invoicing_language", "language.guid"),
    FieldRow("active", "is_active", "isActive"),
)

_BILLING = ("street", "city", "postal_code", "country")
_DELIVERY = (
    "delivery_name",
    "delivery_street",
    "delivery_city",
    "delivery_postal_code",
    "delivery_country",
)


@attrs.frozen(kw_only=True)
class CustomerRecord:
    """A customer in the article's terms, from either system.

    ``scope`` names the fields this record transfers; the others are left untouched in the
    target (``None`` in scope means "empty": the target's value is blanked).
    """

    code: str | None = None
    name: str | None = None
    einvoice_address: str | None = None
    einvoice_operator: str | None = None
    comment: str | None = None
    email: str | None = None
    business_id: str | None = None
    home_page: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    fax: str | None = None
    delivery_name: str | None = None
    delivery_street: str | None = None
    delivery_city: str | None = None
    delivery_postal_code: str | None = None
    delivery_country: str | None = None
    invoice_language: str | None = None
    active: bool = True
    private: bool = False
    scope: frozenset[str] = frozenset()


class _HasGuid(Protocol):
    """A reference to a Severa object (here: a country) by GUID."""

    @property
    def guid(self) -> str | None: ...


class HeadOffice(Protocol):
    """What :func:`from_severa` reads of a head-office address (``severa.Address`` or any
    slimmer object with these attributes). Read-only properties, so that frozen objects and
    pydantic models alike satisfy it."""

    @property
    def addressline(self) -> str | None: ...
    @property
    def postal_code(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def country(self) -> _HasGuid | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def fax(self) -> str | None: ...
    @property
    def is_billing_address(self) -> bool: ...
    @property
    def is_postal_address(self) -> bool: ...


def number_in_use(record: CustomerRecord, other: str | None, other_id: str | None) -> Refusal:
    """Rule 5: the number is a Netvisor customer code held by a customer that is not ours."""
    return refuse(
        "customers.severa.number_in_use",
        number=record.code,
        name=record.name,
        other=other,
        other_business_id=other_id,
    )


def create_intent(data: netvisor.CustomerData) -> dict[str, str | None]:
    """What a create of ``data`` leaves in Netvisor that tells its customer from one that
    someone else makes with the same code: the business ID and the name it was sent with.

    The engine keeps it with the pending link (the intent to create): a run that dies
    between the intent and Netvisor's answer leaves the next run to decide whether the
    customer it finds by code is the one that create made (see :func:`carries_intent`).
    """
    return {"business_id": clean(data.business_id), "name": clean(data.name)}


def carries_intent(intent: Mapping[str, Any], name: str | None, business_id: str | None) -> bool:
    """Whether a Netvisor customer found by code (``name``, ``business_id``) carries what a
    pending create sent (``intent``, from :func:`create_intent`), so may be that create's.

    Both must match: the business ID in either form (a customer sent without one must have
    none), and the name, blanks around it aside. The business ID alone is not enough: a
    user may make the same company's customer by hand meanwhile, and the settled point
    adopts a same-code customer only by the business ID the Severa customer has *now*.
    Someone else's customer carrying both is indistinguishable from ours, and then the same
    company under the same name: adopting it is what a first contact would do.
    """
    sent_id = intent.get("business_id")
    same_id = same_business_id(business_id, sent_id) if sent_id else clean(business_id) is None
    return same_id and clean(name) == intent.get("name")


def same_business_id(a: str | None, b: str | None) -> bool:
    """Whether two business IDs are the same company, whichever form each is written in."""
    first, second = clean(a), clean(b)
    if first is None or second is None:
        return False
    if first == second:
        return True  # the same text: the same company, valid or not (and no parsing)
    try:
        return parse_business_id(first) == parse_business_id(second)
    except InvalidBusinessIdError:
        return first.upper() == second.upper()


# -- Severa -> Netvisor -----------------------------------------------------------------------


# Scopes of Severa records. A record's scope depends only on five facts (person customer,
# language known, head office present and its Billing / Post flags), so the 32 possible
# sets are built once and shared: building a set and a frozenset per record was a large
# part of mapping a customer, and one shared object is also one object fewer per record
# for the garbage collector. Each is built with the same operations in the same order as
# the per-record code it replaces, so even its iteration order (and repr) is unchanged.
def _severa_scope(
    private: bool, language: bool, head_office: bool, billing: bool, postal: bool
) -> frozenset[str]:
    scope = {
        "code",
        "name",
        "einvoice_address",
        "einvoice_operator",
        "comment",
        "email",
        "home_page",
        "active",
    }
    if not private:
        scope.add("business_id")
    if language:
        scope.add("invoice_language")
    if head_office:
        scope.update({"phone", "fax"})
        if billing:
            scope.update(_BILLING)
        if postal:
            scope.update(_DELIVERY)
    return frozenset(scope)


_SEVERA_SCOPES: Mapping[tuple[bool, ...], frozenset[str]] = {
    key: _severa_scope(*key) for key in itertools.product((False, True), repeat=5)
}


def from_severa(
    customer: severa.Customer,
    head_office: HeadOffice | None,
    lookups: Lookups,
    settings: TenantSettings,
) -> Mapped[CustomerRecord]:
    """A Severa customer and its head-office address, checked against rule 5."""
    number = str(customer.number) if customer.number is not None else None
    name = clean(customer.name)
    shown = {"name": name or customer.guid, "number": number}
    refusals: list[Refusal] = []
    if number is None:
        refusals.append(refuse("customers.severa.number_missing", **shown))
    if name is None:
        refusals.append(refuse("customers.severa.name_missing", **shown))

    business_id: str | None = None
    private = False
    raw_id = clean(customer.vat_number)
    if raw_id is None:
        if settings.persons_without_business_id:
            private = True
        else:
            refusals.append(refuse("customers.severa.business_id_missing", **shown))
    else:
        try:
            business_id = parse_business_id(raw_id).ytunnus
        except InvalidBusinessIdError as exc:
            refusals.append(
                refuse(
                    "customers.severa.business_id_invalid",
                    value=raw_id,
                    reason_fi=exc.message_fi,
                    reason_en=exc.message_en,
                    **shown,
                )
            )

    linked = customer.headquarter_address is not None and customer.headquarter_address.guid
    if not linked or head_office is None:
        refusals.append(refuse("customers.severa.head_office_missing", **shown))

    operator = clean(customer.e_invoice_operator)
    if operator is not None and find_operator(operator) is None:
        suggestion = suggest_operator(operator)
        refusals.append(
            refuse(
                "customers.severa.operator_unsupported",
                value=operator,
                hint_fi=f" (tarkoititko {suggestion.identifier}, {suggestion.name}?)"
                if suggestion
                else "",
                hint_en=f" (did you mean {suggestion.identifier}, {suggestion.name}?)"
                if suggestion
                else "",
                **shown,
            )
        )

    invoice_language: str | None = None
    language = customer.language
    if language is not None:
        invoice_language = lookups.netvisor_language(language.guid, language.code)

    # Fields outside the scope stay None, the record's default, as before.
    phone = fax = street = city = postal_code = country = None
    delivery_name = delivery_street = delivery_city = delivery_postal_code = None
    delivery_country = None
    billing = postal = False
    if head_office is not None:
        phone = clean(head_office.phone)
        fax = clean(head_office.fax)
        billing = bool(head_office.is_billing_address)
        postal = bool(head_office.is_postal_address)
        if billing or postal:
            # One address feeds both the billing and the delivery fields: read it once.
            hq_country = head_office.country
            country_code = lookups.country_code(hq_country.guid if hq_country else None)
            hq_street = clean(head_office.addressline)
            hq_city = clean(head_office.city)
            hq_postal_code = clean(head_office.postal_code)
            if billing:
                street, city, postal_code = hq_street, hq_city, hq_postal_code
                country = country_code
            if postal:
                delivery_name = name
                delivery_street, delivery_city = hq_street, hq_city
                delivery_postal_code, delivery_country = hq_postal_code, country_code

    record = CustomerRecord(
        code=number,
        name=name,
        einvoice_address=clean(customer.e_invoice_address),
        einvoice_operator=operator,
        comment=clean(customer.notes),
        email=clean(customer.email),
        business_id=business_id,  # None for a person customer (not in scope)
        home_page=clean(customer.website),
        street=street,
        city=city,
        postal_code=postal_code,
        country=country,
        phone=phone,
        fax=fax,
        delivery_name=delivery_name,
        delivery_street=delivery_street,
        delivery_city=delivery_city,
        delivery_postal_code=delivery_postal_code,
        delivery_country=delivery_country,
        invoice_language=invoice_language,
        active=customer.is_active,
        private=private,
        scope=_SEVERA_SCOPES[
            private, invoice_language is not None, head_office is not None, billing, postal
        ],
    )
    return Mapped(record, tuple(refusals))


_Reader = Callable[[object], tuple[Any, ...]]


def _reader(names: tuple[str, ...]) -> _Reader:
    """All of ``names`` read from an object at once, as a tuple (one C call, no loop)."""
    if not names:
        return lambda _record: ()
    if len(names) == 1:
        one = attrgetter(names[0])  # attrgetter of one name returns no tuple
        return lambda record: (one(record),)
    return attrgetter(*names)


# The rows of FIELDS that a scope transfers, in table order: a record's scope is one of a
# handful of shared sets, so this is worked out once per scope instead of looping over the
# whole table for every record.
@functools.lru_cache(maxsize=256)
def _netvisor_rows(scope: frozenset[str]) -> tuple[tuple[str, ...], _Reader]:
    rows = [row for row in FIELDS if row.canonical in scope]
    return tuple(row.netvisor for row in rows), _reader(tuple(row.canonical for row in rows))


def to_netvisor(record: CustomerRecord, settings: TenantSettings) -> netvisor.CustomerData:
    """The Netvisor fields of a record: in-scope fields only, empty ones as ``""``."""
    scope = record.scope
    names, read = _netvisor_rows(scope)
    values: dict[str, Any] = {
        name: "" if value is None else value
        for name, value in zip(names, read(record), strict=True)
    }
    if "email" in scope and settings.email_invoicing_channel:
        # The article: with the e-mail channel on, Severa's e-mail goes to both fields.
        values["email_invoicing_address"] = record.email or ""
    if record.private:
        values["is_private_customer"] = True
    return netvisor.CustomerData(**values)


# CustomerData's fields in declaration order (the order of ``set_fields()``), and all of
# their values read in one call: the diff below runs once per linked customer.
_NETVISOR_FIELDS = tuple(field.name for field in attrs.fields(netvisor.CustomerData))
_netvisor_values = attrgetter(*_NETVISOR_FIELDS)


def netvisor_changes(
    current: netvisor.CustomerData, desired: netvisor.CustomerData
) -> tuple[netvisor.CustomerData, tuple[FieldChange, ...]]:
    """The edit that brings ``current`` to ``desired`` (only fields ``desired`` sets)."""
    changed: dict[str, Any] = {}
    report: list[FieldChange] = []
    for name, new, old in zip(
        _NETVISOR_FIELDS, _netvisor_values(desired), _netvisor_values(current), strict=True
    ):
        if new is None or old == new:
            continue  # not set in desired; or the common case, decided without normalising
        if name == "business_id" and same_business_id(old, new):
            continue
        if _norm(old) == _norm(new):
            continue
        changed[name] = new
        report.append(FieldChange(name, _text(old), _text(new)))
    if not changed:
        return _NO_EDIT, ()  # most linked customers: no new (GC-tracked) object for them
    return netvisor.CustomerData(**changed), tuple(report)


# The empty edit, shared: it is frozen, and equal to any other empty CustomerData.
_NO_EDIT = netvisor.CustomerData()


def _norm(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return value


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


# -- Netvisor -> Severa -----------------------------------------------------------------------


_CODE_RULES: Mapping[CustomerNumberProblem, str] = {
    CustomerNumberProblem.MISSING: "customers.netvisor.code_missing",
    CustomerNumberProblem.NOT_DIGITS: "customers.netvisor.code_not_digits",
    CustomerNumberProblem.LEADING_ZERO: "customers.netvisor.code_leading_zero",
}


# Scopes of Netvisor records: every row but the delivery name, less the business ID of a
# person customer (a personal identity code never leaves Netvisor) and the invoicing
# language when there is none. Built once, for the same reasons and in the same way as
# _SEVERA_SCOPES.
def _netvisor_scope(private: bool, language: bool) -> frozenset[str]:
    scope = {field.canonical for field in FIELDS} - {"delivery_name"}
    if private:
        scope.discard("business_id")
    if not language:
        scope.discard("invoice_language")
    return frozenset(scope)


_NETVISOR_SCOPES: Mapping[tuple[bool, ...], frozenset[str]] = {
    key: _netvisor_scope(*key) for key in itertools.product((False, True), repeat=2)
}


def from_netvisor(customer: netvisor.Customer) -> Mapped[CustomerRecord]:
    """A Netvisor customer, checked against rule 6 (the code must be a Severa number)."""
    name = clean(customer.name)
    code = clean(customer.code)
    refusals: list[Refusal] = []
    problem = customer_number_problem(code)
    if problem is not None:
        rule = _CODE_RULES[problem]
        refusals.append(refuse(rule, code=code, name=name or str(customer.netvisor_key)))
    private = bool(customer.is_private_customer)
    business_id: str | None = None
    if not private:
        raw = clean(customer.business_id)
        try:
            business_id = parse_business_id(raw).ytunnus if raw else None
        except InvalidBusinessIdError:
            business_id = raw  # Severa keeps it as free text; Netvisor has no rule for it
    language = clean(customer.invoicing_language)
    record = CustomerRecord(
        code=code,
        name=name,
        einvoice_address=clean(customer.finvoice_address),
        einvoice_operator=clean(customer.finvoice_router_code),
        comment=clean(customer.comment),
        email=clean(customer.email),
        business_id=business_id,
        home_page=clean(customer.home_page_uri),
        street=clean(customer.street_address),
        city=clean(customer.city),
        postal_code=clean(customer.post_number),
        country=clean(customer.country),
        phone=clean(customer.phone_number),
        fax=clean(customer.fax_number),
        delivery_street=clean(customer.delivery_street_address),
        delivery_city=clean(customer.delivery_city),
        delivery_postal_code=clean(customer.delivery_post_number),
        delivery_country=clean(customer.delivery_country),
        invoice_language=language.upper() if language else None,
        active=customer.is_active if customer.is_active is not None else True,
        private=private,
        scope=_NETVISOR_SCOPES[private, language is not None],
    )
    return Mapped(record, tuple(refusals))


def _vat_form(business_id: str | None) -> str | None:
    if business_id is None:
        return None
    try:
        return parse_business_id(business_id).vat_number
    except InvalidBusinessIdError:
        return business_id


def to_severa_customer(record: CustomerRecord, lookups: Lookups) -> dict[str, object]:
    """Customer-level fields for Severa, by JSON path (``language/guid`` for references)."""
    fields: dict[str, object] = {
        "name": record.name,
        "number": int(record.code) if record.code else None,
        "isActive": record.active,
        "notes": record.comment,
        "email": record.email,
        "website": record.home_page,
        "eInvoiceAddress": record.einvoice_address,
        "eInvoiceOperator": record.einvoice_operator,
    }
    if "business_id" in record.scope:
        fields["vatNumber"] = _vat_form(record.business_id)
    if "invoice_language" in record.scope:
        language = lookups.severa_language(record.invoice_language)
        if language is not None:
            fields["language/guid"] = language
    return fields


def _delivery_differs(record: CustomerRecord) -> bool:
    delivery = (
        record.delivery_street,
        record.delivery_city,
        record.delivery_postal_code,
        record.delivery_country,
    )
    if not any(delivery):
        return False
    return delivery != (record.street, record.city, record.postal_code, record.country)


def to_severa_address(record: CustomerRecord, lookups: Lookups) -> dict[str, object]:
    """The head-office address for Severa: Netvisor's invoicing address, flagged Billing,
    and Post too unless the delivery address is a different one."""
    return {
        "addressline": record.street,
        "postalCode": record.postal_code,
        "city": record.city,
        "country/guid": lookups.country_guid(record.country),
        "phone": record.phone,
        "fax": record.fax,
        "isBillingAddress": True,
        "isPostalAddress": not _delivery_differs(record),
    }


def to_severa_delivery(record: CustomerRecord, lookups: Lookups) -> dict[str, object] | None:
    """A second Severa address flagged Post, when Netvisor's delivery address differs."""
    if not _delivery_differs(record):
        return None
    return {
        "addressline": record.delivery_street,
        "postalCode": record.delivery_postal_code,
        "city": record.delivery_city,
        "country/guid": lookups.country_guid(record.delivery_country),
        "isBillingAddress": False,
        "isPostalAddress": True,
    }


def severa_customer_values(customer: severa.Customer) -> dict[str, object]:
    """A Severa customer's current values at the paths :func:`to_severa_customer` writes."""
    return {
        "name": customer.name,
        "number": customer.number,
        "isActive": customer.is_active,
        "notes": customer.notes,
        "email": customer.email,
        "website": customer.website,
        "eInvoiceAddress": customer.e_invoice_address,
        "eInvoiceOperator": customer.e_invoice_operator,
        "vatNumber": customer.vat_number,
        "language/guid": customer.language.guid if customer.language else None,
    }


def severa_address_values(address: severa.Address | None) -> dict[str, object]:
    """An address's current values at the paths :func:`to_severa_address` writes."""
    if address is None:
        return {}
    return {
        "addressline": address.addressline,
        "postalCode": address.postal_code,
        "city": address.city,
        "country/guid": address.country.guid if address.country else None,
        "phone": address.phone,
        "fax": address.fax,
        "isBillingAddress": address.is_billing_address,
        "isPostalAddress": address.is_postal_address,
    }


def _changes(
    current: Mapping[str, object], desired: Mapping[str, object], prefix: str = ""
) -> tuple[dict[str, object], tuple[FieldChange, ...]]:
    changed: dict[str, object] = {}
    report: list[FieldChange] = []
    for path, new in desired.items():
        old = current.get(path)
        if old == new:
            continue  # the common case, decided without normalising
        if path == "vatNumber" and same_business_id(
            old if isinstance(old, str) else None, new if isinstance(new, str) else None
        ):
            continue
        if _norm(old) == _norm(new):
            continue
        changed[path] = new
        report.append(FieldChange(prefix + path, _text(old), _text(new)))
    return changed, tuple(report)


def severa_customer_changes(
    customer: severa.Customer, desired: Mapping[str, object]
) -> tuple[dict[str, object], tuple[FieldChange, ...]]:
    """PATCH paths and values that bring a Severa customer to ``desired``."""
    return _changes(severa_customer_values(customer), desired)


def severa_address_changes(
    address: severa.Address | None, desired: Mapping[str, object], label: str
) -> tuple[dict[str, object], tuple[FieldChange, ...]]:
    """PATCH paths and values that bring an address to ``desired`` (``label`` prefixes the
    report, e.g. ``headquarters.``)."""
    return _changes(severa_address_values(address), desired, prefix=label)
