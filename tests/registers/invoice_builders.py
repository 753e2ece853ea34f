"""Small builders of Severa invoices in the document's shapes, and one company's context,
for the invoice rule tests. Everything defaults to a plain domestic invoice that transfers."""

from __future__ import annotations

from typing import Any

from silta import severa
from silta.domain import CustomerDirection, ProductDirection, TenantSettings
from silta.registers.invoice_lines import dimension_index
from silta.registers.invoices import (
    CustomerTarget,
    InvoiceLookups,
    InvoiceMapping,
    InvoiceSettings,
    InvoiceSource,
    map_invoice,
)

CUSTOMER = "c-1"
PROJECT = "p-1"
OTHER_PROJECT = "p-2"
UNIT = "bu-1"


def invoice(**changes: Any) -> severa.Invoice:
    data: dict[str, Any] = {
        "guid": "inv-1",
        "number": 1001,
        "referenceNumber": "10016",
        "date": "2026-03-31",
        "dueDate": "2026-04-14",
        "paymentTerm": 14,
        "status": {"guid": "ready"},
        "customer": {"guid": "project-customer", "name": "Projektiasiakas Oy", "number": 9},
        "billingCustomer": {"guid": CUSTOMER, "name": "Ääri Oy", "number": 5},
        "projects": [{"guid": PROJECT, "name": "Pilvi", "number": 100}],
        "currency": {"guid": "eur", "code": "EUR"},
        "totalIncludingTax": {"amount": 1255.0, "currencyCode": "EUR"},
        "receiverCustomerName": "Ääri Oy (laskutus)",
        "receiverAddress": {"addressline": "Katu 1", "postalCode": "00100", "city": "Helsinki",
                            "country": "Suomi"},
        "receiverVatNumber": "FI07375462",
        "ourReference": "Matti",
        "orderNumber": "PO-7",
    }  # fmt: skip
    data.update(changes)
    return severa.Invoice.model_validate(data)


def row(guid: str = "r-1", **changes: Any) -> severa.InvoiceRow:
    data: dict[str, Any] = {
        "guid": guid,
        "invoiceGuid": "inv-1",
        "rowType": "Hours",
        "description": "Suunnittelu 3/2026",
        "quantity": 10,
        "unitPrice": {"amount": 100, "currencyCode": "EUR"},
        "vatRate": 25.5,
        "sortOrder": 1,
        "code": ["KONS"],
        "salesAccount": {"name": "Myynti", "number": "3000"},
    }
    data.update(changes)
    return severa.InvoiceRow.model_validate(data)


def hour(row_guid: str, quantity: float, *, project: str = PROJECT, phase: str | None = None,
         price: float = 100) -> severa.WorkHour:  # fmt: skip
    data: dict[str, Any] = {
        "guid": f"h-{row_guid}-{project}-{phase}-{quantity}",
        "invoiceRowGuid": row_guid,
        "project": {"guid": project},
        "quantity": quantity,
        "unitPrice": {"amount": price},
        "eventDate": "2026-03-10",
    }
    if phase is not None:
        data["phase"] = {"guid": phase}
    return severa.WorkHour.model_validate(data)


def fee(row_guid: str, quantity: float, *, product_type: str = "FixedFees",
        project: str = PROJECT, price: float = 100) -> severa.ProjectFee:  # fmt: skip
    return severa.ProjectFee.model_validate({
        "guid": f"f-{row_guid}-{quantity}-{product_type}",
        "invoiceRowGuid": row_guid,
        "project": {"guid": project},
        "productType": product_type,
        "quantity": quantity,
        "unitPrice": {"amount": price},
    })  # fmt: skip


def projects() -> list[severa.Project]:
    return [
        severa.Project.model_validate({
            "guid": PROJECT, "name": "Pilvi", "number": 100, "rootPhase": {"guid": "root-1"},
            "businessUnit": {"guid": UNIT, "name": "Helsinki", "code": "HKI"},
        }),
        severa.Project.model_validate({
            "guid": OTHER_PROJECT, "name": "Sade", "number": 200, "rootPhase": {"guid": "root-2"},
            "businessUnit": {"guid": UNIT, "name": "Helsinki", "code": "HKI"},
        }),
    ]  # fmt: skip


def phases() -> list[severa.Phase]:
    def phase(guid: str, name: str, code: str | None, parent: str, project: str) -> severa.Phase:
        return severa.Phase.model_validate({"guid": guid, "name": name, "code": code,
                                            "parentPhase": {"guid": parent},
                                            "project": {"guid": project}})  # fmt: skip

    return [
        severa.Phase.model_validate({"guid": "root-1", "name": "Pilvi",
                                     "project": {"guid": PROJECT}}),
        phase("ph-1", "Määrittely", "10", "root-1", PROJECT),
        phase("ph-2", "Toteutus", "20", "root-1", PROJECT),
        phase("ph-2a", "Testaus", None, "ph-2", PROJECT),  # refused by the register: no code
    ]  # fmt: skip


TENANT = TenantSettings(
    customers=CustomerDirection.SEVERA_TO_NETVISOR,
    products=ProductDirection.SEVERA_TO_NETVISOR,
    dimensions=True,
    project_header="Projekti",
    business_unit_header="Yksikkö",
)

SETTINGS = InvoiceSettings(enabled=True, ready_status="ready", transferred_status="sent")

ALL_ITEMS = {
    "Projekti": frozenset({"100 Pilvi", "200 Sade", "10 Määrittely", "20 Toteutus"}),
    "Yksikkö": frozenset({"HKI Helsinki"}),
}


def lookups(tenant: TenantSettings = TENANT, **changes: Any) -> InvoiceLookups:
    values: dict[str, Any] = {
        "customers": {CUSTOMER: CustomerTarget(code="5", netvisor_key=77)},
        "netvisor_products": frozenset({"KONS", "TARV", "YLEINEN", "TEMP"}),
        "dimensions": dimension_index(tenant, projects=projects(), phases=phases()),
        "netvisor_items": ALL_ITEMS,
        "countries": {"suomi": "FI", "finland": "FI", "ruotsi": "SE", "sweden": "SE",
                      "norja": "NO", "ahvenanmaa": "AX"},
    }  # fmt: skip
    values.update(changes)
    return InvoiceLookups(**values)


def transfer(
    the_invoice: severa.Invoice | None = None,
    rows: tuple[severa.InvoiceRow, ...] | None = None,
    *,
    tenant: TenantSettings = TENANT,
    settings: InvoiceSettings = SETTINGS,
    known: InvoiceLookups | None = None,
    invoice_settings: severa.InvoiceSettings | None = None,
    **entries: Any,
) -> InvoiceMapping:
    the_source = InvoiceSource(
        invoice=the_invoice or invoice(),
        rows=rows if rows is not None else (row(),),
        settings=invoice_settings,
        **entries,
    )
    return map_invoice(the_source, tenant, settings, known or lookups(tenant))
