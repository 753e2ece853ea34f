"""Output pieces of the invoice models: their sub-model table, money, and the sub-models
the invoice answers share (customer, project, phase, user, invoice references).

The same rule as :mod:`.render`: every property is present, ``null`` when empty - except a
property whose schema is a ``$ref`` (a sub-model or an enum), which is left out when empty
(OpenAPI 3.0 ignores a ``nullable`` beside ``$ref``). :data:`INVOICE_SUB_MODELS` lists them per
schema, copied from the document; a test checks the table against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .render import stamps
from .store import Stored

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = [
    "INVOICE_SUB_MODELS",
    "customer_of",
    "money",
    "phase_of",
    "project_of",
    "shaped_invoice_model",
    "stamps_of",
    "user_of",
]

#: Output schema → its properties whose schema is a ``$ref``.
INVOICE_SUB_MODELS: Final[Mapping[str, frozenset[str]]] = {
    "InvoiceStatusModel": frozenset({"createdBy", "lastUpdatedBy"}),
    "InvoiceOutputModel": frozenset({
        "billingCustomer", "createdBy", "creditNoteInvoice", "culture", "currency", "customer",
        "flatRatesTotalExcludingTax", "freeText1", "freeText2", "invoiceTemplate", "language",
        "lastUpdatedBy", "projectFeesTotalExcludingTax", "projectTravelExpensesTotalExcludingTax",
        "receiverAddress", "reimburseInvoice", "senderAddress", "status", "totalExcludingTax",
        "totalIncludingTax", "totalTax", "workHoursTotalExcludingTax",
    }),
    "InvoiceRowOutputModel": frozenset({
        "category", "costCenter", "createdBy", "lastUpdatedBy", "recurringSalesAccount",
        "rowType", "salesAccount", "salesReceivableAccount", "unitPrice", "vatAccount",
    }),
    "InvoiceSettingsOutputModel": frozenset({
        "createdBy", "lastUpdatedBy", "projectFeeGrouping", "projectTravelExpenseGrouping",
        "style", "workHourGrouping",
    }),
    "ProjectFeeOutputModel": frozenset({
        "billingDependencyPhase", "billingSchedule", "costCenter", "createdBy", "customer",
        "invoice", "lastUpdatedBy", "phase", "product", "productType", "project", "salesAccount",
        "unitCost", "unitPrice", "user",
    }),
    "WorkHourOutputModel": frozenset({
        "billableStatus", "createdBy", "customer", "invoice", "lastUpdatedBy", "overtime",
        "phase", "project", "unitCost", "unitPrice", "user", "workType",
    }),
    "ProjectTravelExpenseOutputModel": frozenset({
        "billingDependencyPhase", "billingSchedule", "costAccount", "costCenter", "createdBy",
        "customer", "invoice", "lastUpdatedBy", "phase", "project", "salesAccount",
        "travelExpense", "travelReimbursement", "unitCost", "unitCostExcludingPurchaseVat",
        "unitPrice", "user",
    }),
    "CustomerCountrySettingsOutputModel": frozenset({"country", "customer", "valueAddedTax"}),
}  # fmt: skip


def shaped_invoice_model(schema: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the empty sub-model properties of ``schema``."""
    refs = INVOICE_SUB_MODELS[schema]
    return {name: value for name, value in data.items() if value is not None or name not in refs}


def stamps_of(org: Organisation, record: Stored) -> dict[str, Any]:
    """``createdDateTime``, ``createdBy``, ``lastUpdatedDateTime``, ``lastUpdatedBy``."""
    return stamps(org.reference, record)


def money(amount: Decimal | None, currency: str) -> dict[str, Any] | None:
    """A ``MoneyOutputModel``; the amount as the JSON number Severa sends (a double)."""
    if amount is None:
        return None
    return {"amount": float(amount), "currencyCode": currency, "multiCurrencyInfo": []}


def customer_of(
    org: Organisation, guid: str | None, *, number: bool = True
) -> dict[str, Any] | None:
    """``{guid, name, number}`` of a customer (``{guid, name}`` without ``number``)."""
    customer = None if guid is None else org.customer_register.get(guid)
    if customer is None:
        return None
    shown: dict[str, Any] = {"guid": customer.guid, "name": customer["name"]}
    if number:
        shown["number"] = customer["number"]
    return shown


def project_of(org: Organisation, guid: str | None, *members: str) -> dict[str, Any] | None:
    """A project sub-model: ``guid``, ``name`` and the ``members`` asked for (``number``,
    ``isClosed``, ``isInternal``, ``companyGuid``)."""
    project = None if guid is None else org.project_register.get(guid)
    if project is None:
        return None
    shown: dict[str, Any] = {"guid": project.guid, "name": project["name"]}
    for member in members:
        shown[member] = org.company.guid if member == "companyGuid" else project[member]
    return shown


def phase_of(org: Organisation, guid: str | None, *members: str) -> dict[str, Any] | None:
    """A phase sub-model: ``guid``, ``name`` and ``isCompleted``/``isLocked`` if asked for
    (a phase is completed when its status type is "Valmis"; the sandbox locks none)."""
    phase = None if guid is None else org.phase_register.get(guid)
    if phase is None:
        return None
    shown: dict[str, Any] = {"guid": phase.guid, "name": phase["name"]}
    for member in members:
        shown[member] = False
    return shown


def user_of(org: Organisation, guid: str | None, *members: str) -> dict[str, Any] | None:
    """A user sub-model: ``guid``, ``name``, ``code`` and the ``members`` asked for
    (``firstName``, ``lastName``, ``companyGuid``)."""
    user = org.reference.user(guid)
    if user is None:
        return None
    shown: dict[str, Any] = {"guid": user.guid, "name": user.name, "code": user.code}
    values = {"firstName": user.first_name, "lastName": user.last_name, "companyGuid": None}
    for member in members:
        shown[member] = org.company.guid if member == "companyGuid" else values[member]
    return shown
