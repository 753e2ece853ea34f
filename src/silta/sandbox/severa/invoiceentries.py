"""What an invoice row bills: project fees, work hours and travel expenses (the drill-downs).

A Severa invoice row has no product, project or phase of its own (invoices.md §3.2): those
are on the entries the row groups. Each entry kind has its output model
(``ProjectFeeOutputModel``, ``WorkHourOutputModel``, ``ProjectTravelExpenseOutputModel``) and
its code, which the row lists in ``code[]``: a fee's **product code**, work hours' **work type
code**, a travel expense's **travel expense type code** ([INFERRED]: the reference reads
``code[]`` as "the codes of the grouped entries").

Rules (settled):

* An entry belongs to a project and a phase (the project's root phase unless another is
  given; the document requires a phase on hours and travel expenses), a user (the
  organisation's first unless given), and the invoice and row that billed it.
* Work types and travel expense types are the organisation's lists with codes
  (``put_work_type``, ``put_travel_expense_type``); the sandbox serves no route for them.
* Entries are created only by the invoice helpers (the sandbox serves no write route for
  them) and never change afterwards, so their time stamps are their creation's.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from .invoicerender import (
    customer_of,
    money,
    phase_of,
    project_of,
    shaped_invoice_model,
    stamps_of,
    user_of,
)
from .store import Register, Stored
from .times import format_date

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = [
    "ENTRY_MODELS",
    "EntryKind",
    "EntryRegisters",
    "ExpenseClass",
    "TravelExpenseType",
    "WorkType",
]

EntryKind = Literal["fee", "hours", "travel"]
ExpenseClass = Literal["Mileage", "DailyAllowance", "OtherTravelExpense"]

#: Entry kind → its output model, the invoice row's ``rowType`` and ``category``.
ENTRY_MODELS: Final[Mapping[EntryKind, tuple[str, str, str]]] = {
    "fee": ("ProjectFeeOutputModel", "ProjectFees", "ProjectFees"),
    "hours": ("WorkHourOutputModel", "Hours", "Hours"),
    "travel": ("ProjectTravelExpenseOutputModel", "TravelExpenses", "Travels"),
}


@attrs.frozen
class WorkType:
    """A work type (``WorkHourWorkTypeSubModel``)."""

    guid: str
    code: str
    name: str


@attrs.frozen
class TravelExpenseType:
    """A travel expense type (``TravelExpenseSubModel``)."""

    guid: str
    code: str
    name: str
    expense_class: ExpenseClass


class EntryRegisters:
    """The project fees, work hours and travel expenses of one organisation."""

    def __init__(self, org: Organisation, ids: random.Random) -> None:
        self.org = org
        self._ids = ids
        self.registers: dict[EntryKind, Register] = {
            kind: Register(kind, multi={"invoice": lambda v: v["invoice"]}) for kind in ENTRY_MODELS
        }
        self.work_types: dict[str, WorkType] = {}
        self.travel_types: dict[str, TravelExpenseType] = {}

    def new_guid(self) -> str:
        """A GUID from the invoicing id source."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    # -- lists with codes ------------------------------------------------------------------

    def put_work_type(self, name: str, code: str) -> str:
        """Add a work type; returns its GUID."""
        work_type = WorkType(self.new_guid(), code, name)
        self.work_types[work_type.guid] = work_type
        return work_type.guid

    def put_travel_expense_type(self, name: str, code: str, expense_class: ExpenseClass) -> str:
        """Add a travel expense type; returns its GUID."""
        travel_type = TravelExpenseType(self.new_guid(), code, name, expense_class)
        self.travel_types[travel_type.guid] = travel_type
        return travel_type.guid

    # -- entries ---------------------------------------------------------------------------

    def add(self, kind: EntryKind, values: Mapping[str, Any]) -> Stored:
        """Store an entry (the caller has checked its references)."""
        return self.registers[kind].add(self.new_guid(), values, self.org.now(), self.org.user)

    def get(self, kind: EntryKind, guid: str) -> Stored | None:
        """The entry of ``kind`` with ``guid``."""
        return self.registers[kind].get(guid)

    def code(self, kind: EntryKind, item: str | None) -> str | None:
        """The code an entry shows its row: the product's, work type's or travel type's."""
        if item is None:
            return None
        if kind == "fee":
            product = self.org.product_register.get(item)
            return None if product is None else product["code"]
        if kind == "hours":
            work_type = self.work_types.get(item)
            return None if work_type is None else work_type.code
        travel_type = self.travel_types.get(item)
        return None if travel_type is None else travel_type.code

    def item_exists(self, kind: EntryKind, item: str) -> bool:
        """Whether ``item`` names a product, work type or travel expense type."""
        if kind == "fee":
            return self.org.product_register.get(item) is not None
        if kind == "hours":
            return item in self.work_types
        return item in self.travel_types

    # -- output ----------------------------------------------------------------------------

    def render(self, kind: EntryKind, record: Stored, invoice: Stored | None) -> dict[str, Any]:
        """The entry's output model; ``invoice`` is the invoice that billed it."""
        if kind == "fee":
            return self._fee(record, invoice)
        if kind == "hours":
            return self._hours(record, invoice)
        return self._travel(record, invoice)

    def _invoice(self, invoice: Stored | None) -> dict[str, Any] | None:
        if invoice is None:
            return None
        return {
            "guid": invoice.guid,
            "number": invoice["number"],
            "date": format_date(invoice["date"]),
        }

    def _common(self, record: Stored, invoice: Stored | None) -> dict[str, Any]:
        v = record.values
        return {
            "guid": record.guid,
            "description": v["description"],
            "eventDate": format_date(v["eventDate"]),
            "invoice": self._invoice(invoice),
            "invoiceQuantity": float(v["quantity"]),
            "invoiceRowComment": None,
            "invoiceRowDescription": None,
            "invoiceRowGuid": v["invoiceRow"],
            "isBillable": True,
            "quantity": float(v["quantity"]),
            "unitPrice": money(v["unitPrice"], v["currency"]),
            **stamps_of(self.org, record),
        }

    def _cost_center(self, guid: str | None) -> dict[str, Any] | None:
        item = self.org.reference.item("costCenter", guid)
        if item is None:
            return None
        return {"guid": item.guid, "name": item.name, "identifier": item.code}

    def _project_cost_center(self, project_guid: str) -> str | None:
        project = self.org.project_register.get(project_guid)
        return None if project is None else project["costCenter"]

    def _fee(self, record: Stored, invoice: Stored | None) -> dict[str, Any]:
        org, v = self.org, record.values
        product = org.product_register.get(v["item"])
        account = (
            None if product is None else org.reference.item("salesAccount", product["salesAccount"])
        )
        project = org.project_register.get(v["project"])
        return shaped_invoice_model(
            "ProjectFeeOutputModel",
            {
                **self._common(record, invoice),
                "billingDependencyPhase": None,
                "billingSchedule": "Immediately",
                "costCenter": self._cost_center(self._project_cost_center(v["project"])),
                "customer": customer_of(org, None if project is None else project["customer"]),
                "displayPeriodStartDate": None,
                "hasVolumePricing": False,
                "isRecurrenceRule": False,
                "measurementUnit": v["measurementUnit"],
                "name": v["name"],
                "phase": phase_of(org, v["phase"]),
                "plannedBillingDate": None,
                "product": None
                if product is None
                else {"guid": product.guid, "code": product["code"], "name": product["name"]},
                "productType": None if product is None else product["type"],
                "project": project_of(org, v["project"], "companyGuid"),
                "recurrenceRuleGuid": None,
                "salesAccount": None
                if account is None
                else {"guid": account.guid, "name": account.name, "number": account.code},
                "unitCost": None,
                "user": user_of(org, v["user"], "companyGuid"),
                "vatRate": float(v["vatRate"]),
            },
        )

    def _hours(self, record: Stored, invoice: Stored | None) -> dict[str, Any]:
        org, v = self.org, record.values
        work_type = self.work_types.get(v["item"])
        project = org.project_register.get(v["project"])
        return shaped_invoice_model(
            "WorkHourOutputModel",
            {
                **self._common(record, invoice),
                "billableStatus": "Billable",
                "customer": customer_of(org, None if project is None else project["customer"]),
                "endTime": None,
                "isApproved": True,
                "isModifiable": False,  # invoiced hours are locked
                "isProductive": True,
                "overtime": None,
                "phase": phase_of(org, v["phase"], "isCompleted", "isLocked"),
                "plannedInvoiceQuantity": None,
                "project": project_of(org, v["project"], "companyGuid", "isClosed", "number"),
                "startTime": None,
                "unitCost": None,
                "user": user_of(org, v["user"], "firstName", "lastName"),
                "workType": None
                if work_type is None
                else {"guid": work_type.guid, "code": work_type.code, "name": work_type.name},
            },
        )

    def _travel(self, record: Stored, invoice: Stored | None) -> dict[str, Any]:
        org, v = self.org, record.values
        travel_type = self.travel_types.get(v["item"])
        project = org.project_register.get(v["project"])
        customer = customer_of(org, None if project is None else project["customer"], number=False)
        cost_center = self._cost_center(self._project_cost_center(v["project"]))
        return shaped_invoice_model(
            "ProjectTravelExpenseOutputModel",
            {
                **self._common(record, invoice),
                "attachmentCount": 0,
                "billingDependencyPhase": None,
                "billingSchedule": "Immediately",
                "costAccount": None,
                "costCenter": None
                if cost_center is None
                else {"guid": cost_center["guid"], "name": cost_center["name"]},
                "customer": customer,
                "measurementUnit": v["measurementUnit"],
                "phase": phase_of(org, v["phase"]),
                "plannedBillingDate": None,
                "project": project_of(org, v["project"], "companyGuid", "isInternal", "number"),
                "purchaseVatRate": None,
                "salesAccount": None,
                "travelEndTime": None,
                "travelExpense": None
                if travel_type is None
                else {
                    "guid": travel_type.guid,
                    "code": travel_type.code,
                    "name": travel_type.name,
                    "expenseClass": travel_type.expense_class,
                    "includeTime": False,
                },
                "travelReimbursement": None,
                "travelReimbursementRequired": True,
                "travelStartTime": None,
                "unitCost": None,
                "unitCostExcludingPurchaseVat": None,
                "user": user_of(org, v["user"], "companyGuid"),
                "vatRate": float(v["vatRate"]),
            },
        )


def entry_values(
    *,
    project: str,
    phase: str,
    user: str | None,
    item: str,
    quantity: Decimal,
    unit_price: Decimal,
    currency: str,
    vat_rate: Decimal,
    event_date: date,
    name: str | None,
    description: str | None,
    measurement_unit: str | None,
    invoice: str,
    row: str,
) -> dict[str, Any]:
    """The stored values of one entry."""
    return {
        "project": project,
        "phase": phase,
        "user": user,
        "item": item,
        "quantity": quantity,
        "unitPrice": unit_price,
        "currency": currency,
        "vatRate": vat_rate,
        "eventDate": event_date,
        "name": name,
        "description": description,
        "measurementUnit": measurement_unit,
        "invoice": invoice,
        "invoiceRow": row,
    }
