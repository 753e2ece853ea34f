"""The sandbox's hand-written model tables against Severa's OpenAPI document.

The sandbox may not read the document at run time, so it carries its own tables: the fields of
each input model, the sub-model properties of each output model, the output shapes. These tests
compare them with the document when it is at hand (and skip in a fresh clone without it).
Every answer of the other tests is also judged against the document (``tests/severa_openapi.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from silta.sandbox.severa import Organisation
from silta.sandbox.severa.addresses import ADDRESS_FIELDS
from silta.sandbox.severa.businessunits import BUSINESS_UNIT_FIELDS, BusinessUnits
from silta.sandbox.severa.collection import Collection
from silta.sandbox.severa.customers import CUSTOMER_FIELDS, Customers
from silta.sandbox.severa.fields import Field, Kind
from silta.sandbox.severa.phases import PHASE_FIELDS
from silta.sandbox.severa.products import PRODUCT_FIELDS
from silta.sandbox.severa.projects import PROJECT_FIELDS, Projects
from silta.sandbox.severa.render import SUB_MODELS

from ...severa_openapi import required_document


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    spec = required_document()
    return dict(spec["components"]["schemas"])


def properties(schemas: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(schemas[name]["properties"])


def test_sub_model_table(schemas: dict[str, Any]) -> None:
    for name, refs in SUB_MODELS.items():
        declared = {p for p, s in properties(schemas, name).items() if "$ref" in s}
        assert refs == declared, name


# SimpleInputModel's guid is nullable, but a project's owner must be a user (a settled rule).
KEY_REQUIRED_BY_RULE = {"projectOwner"}

INPUTS = [
    ("CustomerModel", CUSTOMER_FIELDS),
    ("AddressModel", ADDRESS_FIELDS),
    ("ProductInputModel", PRODUCT_FIELDS),
    ("ProjectInputModelBase", PROJECT_FIELDS),
    ("PhaseInputModel", PHASE_FIELDS),
    ("BusinessUnitModel", BUSINESS_UNIT_FIELDS),
]


@pytest.mark.parametrize(("name", "fields"), INPUTS, ids=[n for n, _ in INPUTS])
def test_input_field_tables(schemas: dict[str, Any], name: str, fields: tuple[Field, ...]) -> None:
    declared = properties(schemas, name)
    required = set(schemas[name].get("required", []))
    writable = {p for p, s in declared.items() if not s.get("readOnly")}
    assert {f.name for f in fields} == writable
    for field in fields:
        schema = declared[field.name]
        assert field.required == (field.name in required), field.name
        if field.nullable:
            assert schema.get("nullable"), field.name
        if "$ref" in schema:
            target = schemas[schema["$ref"].rsplit("/", 1)[1]]
            if "enum" in target:
                assert field.choices == tuple(target["enum"]), field.name
            elif field.kind is Kind.REF:
                assert field.key in target["properties"], field.name
                by_rule = field.name in KEY_REQUIRED_BY_RULE
                assert field.key_required == (by_rule or field.key in target.get("required", []))
            elif field.kind is Kind.STATUS:
                assert field.key in target["properties"], field.name
                assert field.has_description == ("description" in target["properties"])
            elif field.kind is Kind.MONEY:
                assert target["required"] == ["currencyCode"]
            continue
        kinds = {
            ("string", None): Kind.STRING,
            ("string", "date"): Kind.DATE,
            ("integer", "int32"): Kind.INT32,
            ("integer", "int64"): Kind.INT64,
            ("number", "double"): Kind.DOUBLE,
            ("boolean", None): Kind.BOOL,
            ("array", None): Kind.LIST,
        }
        expected = kinds[(schema["type"], schema.get("format"))]
        if field.kind is Kind.REF and field.flat:
            expected = Kind.REF  # BusinessUnitModel.parentGuid: a GUID string
        assert field.kind is expected, field.name
        assert field.max_length == schema.get("maxLength"), field.name
        assert field.min_length == schema.get("minLength", 0), field.name
        if not field.nullable and field.kind is not Kind.LIST:
            # Not nullable in the sandbox: the document must not say nullable either.
            assert not schema.get("nullable"), field.name


@pytest.mark.parametrize(
    ("output", "collection"),
    [
        ("CustomerModel", Customers),
        ("ProjectOutputModel", Projects),
        ("BusinessUnitModel", BusinessUnits),
    ],
)
def test_read_only_paths_cover_every_output_only_property(
    schemas: dict[str, Any], output: str, collection: type[Collection]
) -> None:
    writable = {f.name.lower() for f in collection.fields}
    output_only = {p for p in properties(schemas, output) if p.lower() not in writable}
    assert output_only <= collection.read_only


def full_records(org: Organisation) -> dict[str, dict[str, Any]]:
    """One record of each kind with every reference filled, rendered."""
    ref = org.reference

    def first(target: str) -> str:
        return org.reference_items(target)[0].guid

    customer = org.put_customer(
        "Täysi Oy",
        1,
        language=org.language("fi").guid,
        owner=org.users[0].guid,
        industry=first("industry"),
        timezone=first("timezone"),
        pricelist=first("pricelist"),
        invoicingVat=org.vat_rate(25.5).guid,
        invoiceTemplate=first("invoiceTemplate"),
    )
    address = org.put_address(customer, city="Oulu", country=org.country("FI").guid)
    org.update("customer", customer, headquarterAddress=address)
    product = org.put_product(
        "Täysi tuote",
        "T",
        type="Materials",
        unitPrice={"amount": 1, "currencyCode": "EUR"},
        unitCost={"amount": 1, "currencyCode": "EUR"},
        productCategory=first("productCategory"),
        salesAccount=first("salesAccount"),
    )
    project = org.put_project(
        "Täysi projekti",
        customer,
        salesPerson=org.users[1].guid,
        leadSource=first("leadSource"),
        costCenter=first("costCenter"),
        invoiceTemplate=first("invoiceTemplate"),
        expectedValue={"amount": 5, "currencyCode": "EUR"},
        salesStatus={"salesStatusTypeGuid": first("salesStatusType")},
        projectStatus={"projectStatusTypeGuid": first("projectStatusType")},
    )
    phase = org.put_phase(
        project,
        "Täysi vaihe",
        "10",
        defaultWorkType=first("workType"),
        phaseStatus={"phaseStatusTypeGuid": first("phaseStatusType")},
    )
    records = {
        "CustomerModel": org.customer(customer),
        "AddressModel": org.address(address),
        "ProductOutputModel": org.product(product),
        "ProjectOutputModel": org.project(project),
        "PhaseOutputModel": org.phase(phase),
        "BusinessUnitModel": org.business_unit(org.company.root_business_unit),
    }
    rendered = {name: dict(record.json) for name, record in records.items() if record}
    rendered["CountryModel"] = ref.country_json(org.country("FI"))
    rendered["VatRateOutputModel"] = ref.vat_rate_json(org.vat_rate(25.5))
    rendered["LanguageModel"] = org.language("fi").as_json()
    phases = org.phase_register
    stored = phases.get(phase)
    assert stored is not None
    rendered["PhaseModelWithHierarchyInfo"] = phases.render_in_hierarchy(stored, 1)
    return rendered


# Properties the sandbox cannot fill: it keeps no contacts, cost centres of units, work types
# of projects, or a creator for the seeded VAT rates.
NEVER_FILLED = {
    "ProjectOutputModel": {"customerContact", "billingContact", "defaultWorkType"},
    "BusinessUnitModel": {"costCenter", "createdBy", "lastUpdatedBy"},
    "AddressModel": {"countryRegion"},
    "VatRateOutputModel": {"createdBy", "lastUpdatedBy"},
    "CountryModel": set(),
}


def test_outputs_have_every_property_of_their_schema(
    schemas: dict[str, Any], org: Organisation
) -> None:
    for name, shown in full_records(org).items():
        declared = set(properties(schemas, name))
        missing = declared - set(shown) - NEVER_FILLED.get(name, set())
        assert not missing, (name, missing)
        assert set(shown) <= declared, (name, set(shown) - declared)
