"""The invoice models' hand-written tables against Severa's OpenAPI document: sub-models,
the status input fields, the PATCH paths, and every property of every output model."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from silta.sandbox.severa import Organisation
from silta.sandbox.severa.fields import Kind
from silta.sandbox.severa.invoicerender import INVOICE_SUB_MODELS
from silta.sandbox.severa.invoices import _READ_ONLY, INVOICE_FIELDS, Entry, Row
from silta.sandbox.severa.invoicestatuses import INVOICE_STATUS_FIELDS

from ...severa_openapi import required_document


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    return dict(required_document()["components"]["schemas"])


def properties(schemas: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(schemas[name]["properties"])


def test_sub_model_table(schemas: dict[str, Any]) -> None:
    for name, refs in INVOICE_SUB_MODELS.items():
        declared = {p for p, s in properties(schemas, name).items() if "$ref" in s}
        assert refs == declared, name


def test_status_input_fields(schemas: dict[str, Any]) -> None:
    declared = properties(schemas, "InvoiceStatusModel")
    writable = {p for p, s in declared.items() if not s.get("readOnly")}
    assert {f.name for f in INVOICE_STATUS_FIELDS} == writable
    required = set(schemas["InvoiceStatusModel"]["required"])
    assert {f.name for f in INVOICE_STATUS_FIELDS if f.required} == required
    for field in INVOICE_STATUS_FIELDS:
        schema = declared[field.name]
        kind = {"boolean": Kind.BOOL, "string": Kind.STRING, "integer": Kind.INT32}[schema["type"]]
        assert field.kind is kind, field.name
        assert not schema.get("nullable"), field.name


def test_patch_paths_cover_the_output_model(schemas: dict[str, Any]) -> None:
    """Every output property is either writable by PATCH or answered "read-only"."""
    output = set(properties(schemas, "InvoiceOutputModel"))
    writable = {field.name for field in INVOICE_FIELDS}
    assert writable <= output
    assert output - writable == _READ_ONLY


# Properties the sandbox never fills: it keeps no contacts, templates, free texts, sender
# addresses, recurrence rules, volume pricing or travel reimbursements.
NEVER_FILLED = {
    "InvoiceOutputModel": {
        "freeText1",
        "freeText2",
        "invoiceTemplate",
        "senderAddress",
        "reimburseInvoice",
    },
    "InvoiceRowOutputModel": {"recurringSalesAccount", "vatAccount", "salesReceivableAccount"},
    "ProjectFeeOutputModel": {"billingDependencyPhase", "unitCost"},
    "WorkHourOutputModel": {"overtime", "unitCost"},
    "ProjectTravelExpenseOutputModel": {
        "billingDependencyPhase",
        "costAccount",
        "salesAccount",
        "travelReimbursement",
        "unitCost",
        "unitCostExcludingPurchaseVat",
    },
    "CustomerCountrySettingsOutputModel": set(),
    "InvoiceSettingsOutputModel": set(),
    "InvoiceStatusModel": set(),
}


def full_outputs(org: Organisation) -> dict[str, dict[str, Any]]:
    """One of each invoice output with every reference the sandbox keeps filled."""
    costs = org.reference_items("costCenter")[0].guid
    customer = org.put_customer(
        "Täysi Oy", 1, vatNumber="FI12345671", language=org.language("fi").guid
    )
    address = org.put_address(customer, city="Oulu", country=org.country("FI").guid)
    org.update("customer", customer, headquarterAddress=address)
    project = org.put_project("Täysi projekti", customer, costCenter=costs)
    product = org.put_product(
        "Tuote",
        "T-1",
        type="Materials",
        salesAccount=org.reference_items("salesAccount")[0].guid,
    )
    invoicing = org.invoicing
    statuses = invoicing.connect_netvisor()
    work = invoicing.put_work_type("Työ", "W-1")
    travel = invoicing.put_travel_expense_type("Km", "KM-1", "Mileage")
    guid = invoicing.put_invoice(
        status=statuses.ready,
        billing_customer=customer,
        date=date(2026, 12, 1),
        rows=[
            Row("Työ", Decimal(90), Decimal("25.5"), (Entry("hours", project, work, Decimal(1)),)),
            Row(
                "Tuote", Decimal(5), Decimal("25.5"), (Entry("fee", project, product, Decimal(2)),)
            ),
            Row("Km", Decimal("0.5"), Decimal(0), (Entry("travel", project, travel, Decimal(9)),)),
        ],
    )
    invoicing.credit(guid, status=statuses.draft, date=date(2026, 12, 2))
    settings = invoicing.put_country_settings(customer, zero_vat_category="AE", vat_rate=0.0)
    assert settings
    rows = invoicing.rows(guid)
    outputs = {
        "InvoiceOutputModel": invoicing.invoice(guid),
        "InvoiceRowOutputModel": rows[0],
        "InvoiceSettingsOutputModel": invoicing.settings(guid),
        "WorkHourOutputModel": invoicing.row_entries(rows[0]["guid"], "hours")[0],
        "ProjectFeeOutputModel": invoicing.row_entries(rows[1]["guid"], "fee")[0],
        "ProjectTravelExpenseOutputModel": invoicing.row_entries(rows[2]["guid"], "travel")[0],
        "CustomerCountrySettingsOutputModel": invoicing.customer_country_settings(customer)[0],
        "InvoiceStatusModel": invoicing.statuses_json()[0],
    }
    return {name: output for name, output in outputs.items() if output is not None}


def test_outputs_have_every_property_of_their_schema(
    schemas: dict[str, Any], org: Organisation
) -> None:
    outputs = full_outputs(org)
    assert set(outputs) == set(NEVER_FILLED)
    for name, shown in outputs.items():
        declared = set(properties(schemas, name))
        missing = declared - set(shown) - NEVER_FILLED[name]
        assert not missing, (name, missing)
        assert set(shown) <= declared, (name, set(shown) - declared)
