"""The customer mapping's shortcuts (shared scopes, one-call reads, diff fast paths) keep
the article's behaviour; and ``from_severa`` takes any object that has a head office's
attributes."""

from __future__ import annotations

import itertools

import attrs
import pytest

from silta import netvisor, severa
from silta.domain import FieldChange, TenantSettings
from silta.registers import customers
from tests.registers.test_mappings import LOOKUPS, SETTINGS, hq, severa_customer

_ALWAYS = {"code", "name", "einvoice_address", "einvoice_operator", "comment", "email"}
_ALWAYS |= {"home_page", "active"}
_BILLING = {"street", "city", "postal_code", "country"}
_DELIVERY = {"delivery_name", "delivery_street", "delivery_city", "delivery_postal_code"}
_DELIVERY |= {"delivery_country"}


@attrs.frozen
class _Country:
    guid: str | None


@attrs.frozen
class _SlimHeadOffice:
    """Not a severa.Address: only what the HeadOffice protocol asks for."""

    addressline: str | None
    postal_code: str | None
    city: str | None
    country: _Country | None
    phone: str | None
    fax: str | None
    is_billing_address: bool
    is_postal_address: bool


def test_from_severa_takes_a_slim_head_office() -> None:
    address = hq()
    slim = _SlimHeadOffice(
        address.addressline,
        address.postal_code,
        address.city,
        _Country("fi-guid"),
        address.phone,
        address.fax,
        address.is_billing_address,
        address.is_postal_address,
    )
    customer = severa_customer()
    expected = customers.from_severa(customer, address, LOOKUPS, SETTINGS)
    assert customers.from_severa(customer, slim, LOOKUPS, SETTINGS) == expected
    assert expected.record.country == "FI"


@pytest.mark.parametrize(
    ("person", "language", "head_office", "billing", "postal"),
    list(itertools.product((False, True), repeat=5)),
)
def test_severa_scope_in_every_case(
    person: bool, language: bool, head_office: bool, billing: bool, postal: bool
) -> None:
    settings = TenantSettings(persons_without_business_id=True)
    fields: dict[str, object] = {"language": {"guid": "lang-fi"}} if language else {}
    if person:
        fields["vatNumber"] = None
    customer = severa_customer(**fields)
    address = hq(isBillingAddress=billing, isPostalAddress=postal) if head_office else None
    record = customers.from_severa(customer, address, LOOKUPS, settings).record
    expected = set(_ALWAYS)
    if not person:
        expected.add("business_id")
    if language:
        expected.add("invoice_language")
    if head_office:
        expected |= {"phone", "fax"}
        expected |= _BILLING if billing else set()
        expected |= _DELIVERY if postal else set()
    assert record.scope == expected
    assert record.private is person
    for name in {f.name for f in attrs.fields(customers.CustomerRecord)} - expected:
        if name not in {"active", "private", "scope"}:
            assert getattr(record, name) is None, name  # out of scope: left empty
    data = customers.to_netvisor(record, settings)
    sent = set(data.set_fields())
    rows = {row.canonical: row.netvisor for row in customers.FIELDS}
    assert sent - {"is_private_customer"} == {rows[name] for name in expected}


@pytest.mark.parametrize(("private", "language"), list(itertools.product((False, True), repeat=2)))
def test_netvisor_scope_in_every_case(private: bool, language: bool) -> None:
    nv = netvisor.Customer(
        netvisor_key=1,
        code="7",
        name="N",
        is_private_customer=private,
        invoicing_language="fi" if language else " ",
    )
    record = customers.from_netvisor(nv).record
    expected = {row.canonical for row in customers.FIELDS} - {"delivery_name"}
    if private:
        expected.discard("business_id")
    if not language:
        expected.discard("invoice_language")
    assert record.scope == expected
    assert record.invoice_language == ("FI" if language else None)


def test_netvisor_changes_only_what_desired_sets_and_really_differs() -> None:
    current = netvisor.CustomerData(
        code="1", name="Oy", email=" a@b.fi ", business_id="FI07375462", city="Turku"
    )
    same = netvisor.CustomerData(code="1", name="Oy", email="a@b.fi", business_id="0737546-2")
    edit, changes = customers.netvisor_changes(current, same)
    assert edit.is_empty() and edit == netvisor.CustomerData()
    assert changes == ()
    blank = netvisor.CustomerData(name="Uusi", city="", phone_number="", is_active=False)
    edit, changes = customers.netvisor_changes(current, blank)
    assert edit == netvisor.CustomerData(name="Uusi", city="", is_active=False)
    assert changes == (
        FieldChange("name", "Oy", "Uusi"),
        FieldChange("city", "Turku", None),
        FieldChange("is_active", None, "0"),
    )


def test_set_fields_in_declaration_order_blanks_included() -> None:
    data = netvisor.CustomerData(invoicing_language="FI", code="", is_active=False)
    assert list(data.set_fields()) == ["code", "is_active", "invoicing_language"]
    assert list(netvisor.CustomerData().set_fields()) == []


def test_severa_changes_ignore_blanks_and_business_id_forms() -> None:
    target = severa_customer(email=" a@b.fi", notes="", vatNumber="0737546-2")
    wanted = {"name": "Äijälä Oy", "email": "a@b.fi", "notes": None, "vatNumber": "FI07375462"}
    assert customers.severa_customer_changes(target, wanted) == ({}, ())
    patch, changes = customers.severa_customer_changes(target, {**wanted, "number": 1002})
    assert patch == {"number": 1002}
    assert changes == (FieldChange("number", "1001", "1002"),)
    address: severa.Address = hq()
    desired = customers.severa_address_values(address)
    assert customers.severa_address_changes(address, desired, "hq.") == ({}, ())
    patch, changes = customers.severa_address_changes(None, desired, "hq.")
    assert patch == desired
    assert changes[0] == FieldChange("hq.addressline", None, "Katu 1")
