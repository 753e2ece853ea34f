"""Travel reimbursements of one organisation (``org.travel``): their statuses, the travel
expense types, the reimbursements with their project travel expenses and the expenses' files
(``shared/reference/invoices.md`` §1.3, §3.4; the source of Silta's travel transfer).

The document lets an API create a reimbursement only from a user's unreimbursed expenses
(``POST /v1/travelreimbursements`` with ``addAllUnreimbursedTravelExpenses``), which the
sandbox does not keep; so reimbursements are made by :meth:`Travel.put_reimbursement`, as
a traveller makes them in Severa, and the API reads them and changes their status.

Rules (settled; [INFERRED] where the document does not say):

* **A reimbursement** belongs to one user and holds that user's expenses; it gets the next
  number (1, 2, ... per organisation) and the default status; ``date`` is when it was made.
  ``PATCH`` may change ``title``, ``advancePayment``, ``groupBy`` and the status
  (``/travelReimbursementStatus/guid``); ``user`` is fixed. A status must exist and be active.
  In a **locked** status only the status can change (400 ``InvalidOperation``) [INFERRED].
  Entering an **approved** status sets ``approvalDate`` and ``approvedByUser`` (the API
  user); leaving it for one not approved clears them [INFERRED].
* **Totals** [INFERRED]: an expense costs ``quantity x unitCost`` (the gross cost, purchase
  VAT included) rounded to cents; ``totalExpenses`` is the cost of every expense, ``total``
  what is reimbursed: the expenses that need reimbursement (``travelReimbursementRequired``)
  less the advance payment. A company-card receipt (no reimbursement required) is in
  ``totalExpenses`` only.
* **An expense** is on a project and a phase (the project's root phase unless given) and of
  a travel expense type; ``unitCostExcludingPurchaseVat`` is the unit cost without its
  purchase VAT, to cents. ``attachmentCount`` is the number of its files.
* **Files** (``ProjectTravelExpenseFileModel``): name, size in bytes [INFERRED: the document's
  ``size`` is a number without a unit], content type; the content is served by
  ``GET /v1/files/{fileGuid}/filedata``. A helper may give a file a size without content:
  the sandbox then makes that many bytes from the file's GUID when asked (large files cost no
  memory until read).
* **Travel expense types** are the organisation's list (:mod:`.invoiceentries` keeps them for
  invoices too); ``expenseClass`` Mileage, DailyAllowance or OtherTravelExpense, with
  ``isMileage``/``isDailyAllowance`` and ``includeTime`` (daily allowances have times).

The reimbursements' expenses are a register of their own: the travel expenses the invoice
helpers make for invoices to bill (:mod:`.invoiceentries`) are not among them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Final
from zoneinfo import ZoneInfo

import attrs

from .collection import Collection
from .errors import Detail, invalid_operation, invalid_parameters
from .fields import Field, Kind, Money
from .invoiceentries import ExpenseClass, TravelExpenseType
from .invoicerender import (
    customer_of,
    money,
    phase_of,
    project_of,
    shaped_invoice_model,
    stamps_of,
    user_of,
)
from .render import money_json, stamps, user_json
from .store import Register, Stored
from .times import format_date, format_datetime
from .travelstatuses import TravelStatuses, TravelStatusGuids

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = [
    "GROUP_BY",
    "REIMBURSEMENT_FIELDS",
    "TRAVEL_SUB_MODELS",
    "ExpensePlan",
    "FilePlan",
    "Travel",
    "TravelReimbursements",
]

HELSINKI: Final = ZoneInfo("Europe/Helsinki")
GROUP_BY: Final = ("None", "Date", "Category", "Project")
_CENT: Final = Decimal("0.01")
_HUNDRED: Final = Decimal(100)

#: Output schema → its ``$ref`` properties, left out when empty (see :mod:`.render`).
TRAVEL_SUB_MODELS: Final[Mapping[str, frozenset[str]]] = {
    "TravelReimbursementOutputModel": frozenset({
        "advancePayment", "approvedByUser", "createdBy", "groupBy", "lastUpdatedBy", "total",
        "totalExpenses", "travelReimbursementStatus", "user",
    }),
    "TravelExpenseTypeOutputModel": frozenset({
        "costAccount", "createdBy", "expenseClass", "lastUpdatedBy", "productCategory",
        "salesAccount", "unitCost",
    }),
    "ProjectTravelExpenseFileModel": frozenset({"category", "createdBy", "lastUpdatedBy",
                                                "source"}),
}  # fmt: skip

#: ``TravelReimbursementInputModel``'s properties (what PATCH may write).
REIMBURSEMENT_FIELDS: Final = (
    Field("advancePayment", Kind.MONEY),
    Field("groupBy", Kind.ENUM, choices=GROUP_BY, nullable=False, default="None"),
    Field("title", Kind.STRING),
    Field("travelReimbursementStatus", Kind.REF),
    Field("user", Kind.REF, target="user", nullable=False, required=True, key_required=True,
          patchable=False),
)  # fmt: skip

_UNITS: Final[Mapping[str, str]] = {"Mileage": "km", "DailyAllowance": "pv",
                                    "OtherTravelExpense": "kpl"}  # fmt: skip


def _shaped(schema: str, data: dict[str, Any]) -> dict[str, Any]:
    refs = TRAVEL_SUB_MODELS[schema]
    return {name: value for name, value in data.items() if value is not None or name not in refs}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@attrs.frozen
class FilePlan:
    """A file of an expense: its name, size in bytes, content type, and content (made from
    its GUID when ``data`` is ``None``)."""

    name: str
    size: int
    content_type: str = "application/pdf"
    data: bytes | None = None
    description: str | None = None


@attrs.frozen
class ExpensePlan:
    """One expense of a reimbursement, as a traveller enters it.

    Attributes:
        travel_type: the travel expense type's GUID.
        project, phase: where the expense goes (the root phase when ``phase`` is ``None``).
        quantity, unit_cost: kilometres, days or pieces, and the gross cost per unit.
        purchase_vat_rate: the VAT included in the cost (``None``: no VAT, as for mileage).
        reimbursable: ``travelReimbursementRequired``; false for a company-card receipt.
        billable, unit_price, vat_rate: whether and at what the customer is billed.
        start, end: travel times (daily allowances).
    """

    travel_type: str
    project: str
    quantity: Decimal
    unit_cost: Decimal
    phase: str | None = None
    purchase_vat_rate: Decimal | None = None
    reimbursable: bool = True
    billable: bool = False
    unit_price: Decimal | None = None
    vat_rate: Decimal | None = None
    event_date: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    description: str | None = None
    files: tuple[FilePlan, ...] = ()


class TravelReimbursements(Collection):
    """The reimbursements (``TravelReimbursementInputModel`` in, ``...OutputModel`` out)."""

    kind: ClassVar[str] = "travel_reimbursement"
    model: ClassVar[str] = "TravelReimbursementInputModel"
    fields: ClassVar[tuple[Field, ...]] = REIMBURSEMENT_FIELDS

    def __init__(self, org: Organisation, travel: Travel) -> None:
        self.travel = travel
        super().__init__(org)
        self.next_number = 1

    def new_guid(self) -> str:
        return self.travel.new_guid()

    def make_register(self) -> Register:
        return Register(self.kind, multi={"status": lambda v: v["travelReimbursementStatus"]})

    def rules(self, values: dict[str, Any], old: Stored | None) -> list[Detail]:
        status_guid = values["travelReimbursementStatus"]
        if status_guid is None:
            default = self.travel.statuses.default()
            values["travelReimbursementStatus"] = None if default is None else default.guid
            return []
        status = self.travel.statuses.get(status_guid)
        name = "travelReimbursementStatus.guid"
        if status is None:
            return [Detail(f"There is no travel reimbursement status with guid '{status_guid}'.",
                           name)]  # fmt: skip
        if not status["isActive"] and (
            old is None or old["travelReimbursementStatus"] != status_guid
        ):
            return [Detail(f"The travel reimbursement status '{status['name']}' is not active.",
                           name)]  # fmt: skip
        return []

    def unique(self, values: Mapping[str, Any], old: Stored | None) -> None:
        # Not uniqueness: the InvalidOperation refusal of a locked reimbursement.
        if old is None:
            return
        current = self.travel.statuses.get(old["travelReimbursementStatus"] or "")
        if current is None or not current["isLocked"]:
            return
        changed = [
            field.name
            for field in self.fields
            if field.name != "travelReimbursementStatus" and values[field.name] != old[field.name]
        ]
        if changed:
            raise invalid_operation(
                f"The travel reimbursement is in the locked status '{current['name']}': only "
                f"its status can be changed, not {', '.join(changed)}.",
                changed[0],
            )

    def complete(self, values: dict[str, Any], old: Stored | None) -> None:
        org = self.org
        if old is None:
            values["number"] = self.next_number
            self.next_number += 1
            values["date"] = org.now()
            values.setdefault("approvalDate", None)
            values.setdefault("approvedBy", None)
        status = self.travel.statuses.get(values["travelReimbursementStatus"] or "")
        approved = status is not None and bool(status["isApproved"])
        was = old is not None and old["approvalDate"] is not None
        if approved and not was:
            values["approvalDate"], values["approvedBy"] = org.now(), org.user
        elif not approved:
            values["approvalDate"], values["approvedBy"] = None, None

    def render(self, record: Stored) -> dict[str, Any]:
        org, v = self.org, record.values
        status = self.travel.statuses.get(v["travelReimbursementStatus"] or "")
        user = org.reference.user(v["user"])
        approver = org.reference.user(v["approvedBy"])
        totals = self.travel.totals(record)
        currency = org.settings.currency_code
        advance: Money | None = v["advancePayment"]
        return _shaped(
            "TravelReimbursementOutputModel",
            {
                "guid": record.guid,
                "number": v["number"],
                "title": v["title"],
                "date": format_datetime(v["date"]),
                "user": None if user is None else {"guid": user.guid, "name": user.name},
                "travelReimbursementStatus": None
                if status is None
                else {"guid": status.guid, "name": status["name"]},
                "approvalDate": None
                if v["approvalDate"] is None
                else format_datetime(v["approvalDate"]),
                "approvedByUser": None
                if approver is None
                else {"guid": approver.guid, "name": approver.name},
                "canChangeApproval": True,
                "groupBy": v["groupBy"],
                "total": money(totals["total"], currency),
                "totalExpenses": money(totals["expenses"], currency),
                "advancePayment": money_json(advance),
                **stamps(org.reference, record),
            },
        )


class Travel:
    """Everything travel of one organisation: statuses, types, reimbursements, expenses,
    files, with the helpers tests and the sample use (no token, nothing counted; the same
    rules as the API where the API writes)."""

    def __init__(self, org: Organisation, seed: int) -> None:
        self.org = org
        self._ids = random.Random(f"{seed}:{org.id}:travel")
        self.statuses = TravelStatuses(org, self._ids)
        self.reimbursements = TravelReimbursements(org, self)
        self.expenses = Register("project_travel_expense",
                                 multi={"reimbursement": lambda v: v["reimbursement"]})  # fmt: skip
        self.files = Register("project_travel_expense_file",
                              multi={"expense": lambda v: v["expense"]},
                              unique={"file": lambda v: v["fileGuid"]})  # fmt: skip
        self._type_details: dict[str, dict[str, Any]] = {}

    def new_guid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    @property
    def default_statuses(self) -> TravelStatusGuids:
        """Luonnos, Odottaa hyväksyntää, Hyväksytty, Hylätty."""
        return self.statuses.defaults

    # -- statuses and types ----------------------------------------------------------------

    def put_status(self, name: str, **flags: Any) -> str:
        """Create a status as ``POST /v1/travelreimbursementstatuses`` would."""
        return self.statuses.create({"name": name, **flags}).record.guid

    def put_travel_expense_type(
        self,
        name: str,
        code: str,
        expense_class: ExpenseClass,
        *,
        unit_cost: Decimal | None = None,
        purchase_vat_rate: Decimal | None = None,
        measurement_unit: str | None = None,
        active: bool = True,
    ) -> str:
        """Add a travel expense type; returns its GUID."""
        guid = self.new_guid()
        types = self.org.invoicing.entries.travel_types
        types[guid] = TravelExpenseType(guid, code, name, expense_class)
        self._type_details[guid] = {
            "unitCost": unit_cost,
            "purchaseVatRate": purchase_vat_rate,
            "measurementUnit": measurement_unit,
            "isActive": active,
            "createdAt": self.org.now(),
        }
        return guid

    def travel_types(self) -> list[TravelExpenseType]:
        """Every travel expense type, in the order made."""
        return list(self.org.invoicing.entries.travel_types.values())

    def render_type(self, travel_type: TravelExpenseType) -> dict[str, Any]:
        """The ``TravelExpenseTypeOutputModel`` of a type."""
        details = self._type_details.get(travel_type.guid, {})
        org = self.org
        created = details.get("createdAt") or org.reference.created_at
        stamp = format_datetime(created)
        cost: Decimal | None = details.get("unitCost")
        vat: Decimal | None = details.get("purchaseVatRate")
        kind = travel_type.expense_class
        return _shaped(
            "TravelExpenseTypeOutputModel",
            {
                "guid": travel_type.guid,
                "name": travel_type.name,
                "code": travel_type.code,
                "expenseClass": kind,
                "isMileage": kind == "Mileage",
                "isDailyAllowance": kind == "DailyAllowance",
                "includeTime": kind == "DailyAllowance",
                "isActive": details.get("isActive", True),
                "measurementUnit": details.get("measurementUnit") or _UNITS[kind],
                "unitCost": money(cost, org.settings.currency_code),
                "purchaseVatRate": None if vat is None else float(vat),
                "vatRate": None,
                "productCategory": None,
                "salesAccount": None,
                "costAccount": None,
                "createdDateTime": stamp,
                "createdBy": None,
                "lastUpdatedDateTime": stamp,
                "lastUpdatedBy": None,
            },
        )

    def type_is_active(self, travel_type: TravelExpenseType) -> bool:
        return bool(self._type_details.get(travel_type.guid, {}).get("isActive", True))

    # -- reimbursements --------------------------------------------------------------------

    def put_reimbursement(
        self,
        user: str,
        title: str,
        expenses: Sequence[ExpensePlan],
        *,
        status: str | None = None,
        advance_payment: Decimal | None = None,
    ) -> str:
        """Make a reimbursement of ``user``'s expenses (the rules of the module docstring);
        returns its GUID. Refused (``SeveraFailure``) as the API would refuse it: an unknown
        user, project, phase of another project, travel type; nothing is stored then."""
        org = self.org
        problems = []
        for index, plan in enumerate(expenses):
            problems += self._expense_problems(index, plan)
        if problems:
            raise invalid_parameters(problems)
        body: dict[str, Any] = {"user": {"guid": user}, "title": title}
        if status is not None:
            body["travelReimbursementStatus"] = {"guid": status}
        if advance_payment is not None:
            body["advancePayment"] = {"amount": float(advance_payment),
                                      "currencyCode": org.settings.currency_code}  # fmt: skip
        record = self.reimbursements.create(body).record
        for plan in expenses:
            self._add_expense(record, plan)
        return record.guid

    def _expense_problems(self, index: int, plan: ExpensePlan) -> list[Detail]:
        org = self.org
        where = f"expenses[{index}]"
        problems = []
        if plan.travel_type not in org.invoicing.entries.travel_types:
            problems.append(Detail(f"{where}: no travel expense type {plan.travel_type}.", where))
        if org.project_register.get(plan.project) is None:
            problems.append(Detail(f"{where}: no project {plan.project}.", where))
        elif plan.phase is not None:
            phase = org.phase_register.get(plan.phase)
            if phase is None or phase["project"] != plan.project:
                problems.append(Detail(f"{where}: the phase is not of the project.", where))
        if plan.quantity < 0 or plan.unit_cost < 0:
            problems.append(Detail(f"{where}: quantity and unit cost are not negative.", where))
        return problems

    def _add_expense(self, reimbursement: Stored, plan: ExpensePlan) -> Stored:
        org = self.org
        phase = plan.phase
        if phase is None:
            root = org.phase_register.root_of(plan.project)
            phase = None if root is None else root.guid
        guid = self.new_guid()
        file_guids = []
        for file in plan.files:
            file_guid = self.new_guid()
            self.files.add(
                file_guid,
                {
                    "expense": guid,
                    "fileGuid": self.new_guid(),
                    "name": file.name,
                    "size": file.size if file.data is None else len(file.data),
                    "contentType": file.content_type,
                    "description": file.description,
                    "data": file.data,
                },
                org.now(),
                reimbursement["user"],
            )
            file_guids.append(file_guid)
        values = {
            "reimbursement": reimbursement.guid,
            "user": reimbursement["user"],
            "project": plan.project,
            "phase": phase,
            "travelType": plan.travel_type,
            "quantity": plan.quantity,
            "unitCost": plan.unit_cost,
            "purchaseVatRate": plan.purchase_vat_rate,
            "reimbursable": plan.reimbursable,
            "billable": plan.billable,
            "unitPrice": plan.unit_price,
            "vatRate": plan.vat_rate,
            "eventDate": plan.event_date or org.now().astimezone(HELSINKI).date(),
            "start": plan.start,
            "end": plan.end,
            "description": plan.description,
            "files": tuple(file_guids),
        }
        return self.expenses.add(guid, values, org.now(), reimbursement["user"])

    def set_status(self, reimbursement: str, status: str) -> dict[str, Any]:
        """Move a reimbursement to ``status`` as ``PATCH`` would; returns it."""
        record = self.reimbursements.get(reimbursement)
        if record is None:
            raise KeyError(reimbursement)
        operations = [{"op": "replace", "path": "/travelReimbursementStatus/guid",
                       "value": status}]  # fmt: skip
        return self.reimbursements.render(self.reimbursements.patch(record, operations).record)

    def expenses_of(self, reimbursement: str) -> list[Stored]:
        """A reimbursement's expenses in the order entered."""
        return [self.expenses.at(s) for s in self.expenses.seqs("reimbursement", reimbursement)]

    def totals(self, record: Stored) -> dict[str, Decimal]:
        """``expenses`` (every expense's cost) and ``total`` (what is reimbursed)."""
        expenses = Decimal(0)
        reimbursed = Decimal(0)
        for expense in self.expenses_of(record.guid):
            cost = _cents(expense["quantity"] * expense["unitCost"])
            expenses += cost
            if expense["reimbursable"]:
                reimbursed += cost
        advance: Money | None = record["advancePayment"]
        if advance is not None and advance.amount is not None:
            reimbursed -= Decimal(str(advance.amount))
        return {"expenses": expenses, "total": reimbursed}

    # -- output of expenses and files ------------------------------------------------------

    def render_expense(self, record: Stored) -> dict[str, Any]:
        """The ``ProjectTravelExpenseOutputModel`` of an expense."""
        org, v = self.org, record.values
        travel_type = org.invoicing.entries.travel_types.get(v["travelType"])
        project = org.project_register.get(v["project"])
        reimbursement = self.reimbursements.get(v["reimbursement"])
        status = None
        if reimbursement is not None:
            status = self.statuses.get(reimbursement["travelReimbursementStatus"] or "")
        currency = org.settings.currency_code
        vat: Decimal | None = v["purchaseVatRate"]
        cost: Decimal = v["unitCost"]
        net_cost = cost if vat is None else _cents(cost / (1 + vat / _HUNDRED))
        cost_center = org.reference.item("costCenter", None if project is None
                                         else project["costCenter"])  # fmt: skip
        unit = _UNITS[travel_type.expense_class] if travel_type is not None else None
        return shaped_invoice_model(
            "ProjectTravelExpenseOutputModel",
            {
                "guid": record.guid,
                "travelExpense": None
                if travel_type is None
                else {
                    "guid": travel_type.guid,
                    "code": travel_type.code,
                    "name": travel_type.name,
                    "expenseClass": travel_type.expense_class,
                    "includeTime": travel_type.expense_class == "DailyAllowance",
                },
                "project": project_of(org, v["project"], "companyGuid", "isInternal", "number"),
                "customer": customer_of(
                    org, None if project is None else project["customer"], number=False
                ),
                "phase": phase_of(org, v["phase"]),
                "user": user_of(org, v["user"], "companyGuid"),
                "travelReimbursement": None
                if reimbursement is None
                else {
                    "guid": reimbursement.guid,
                    "status": None if status is None else status["name"],
                    "isApproved": bool(status and status["isApproved"]),
                    "isLocked": bool(status and status["isLocked"]),
                },
                "travelReimbursementRequired": v["reimbursable"],
                "quantity": float(v["quantity"]),
                "measurementUnit": unit,
                "unitCost": money(cost, currency),
                "unitCostExcludingPurchaseVat": money(net_cost, currency),
                "purchaseVatRate": None if vat is None else float(vat),
                "unitPrice": money(v["unitPrice"], currency),
                "vatRate": None if v["vatRate"] is None else float(v["vatRate"]),
                "isBillable": v["billable"],
                "eventDate": format_date(v["eventDate"]),
                "travelStartTime": None if v["start"] is None else format_datetime(v["start"]),
                "travelEndTime": None if v["end"] is None else format_datetime(v["end"]),
                "description": v["description"],
                "attachmentCount": len(v["files"]),
                "costCenter": None
                if cost_center is None
                else {"guid": cost_center.guid, "name": cost_center.name},
                "costAccount": None,
                "salesAccount": None,
                "invoice": None,
                "invoiceRowGuid": None,
                "invoiceQuantity": float(v["quantity"]),
                "invoiceRowDescription": None,
                "invoiceRowComment": None,
                "billingSchedule": "Immediately",
                "billingDependencyPhase": None,
                "plannedBillingDate": None,
                **stamps_of(org, record),
            },
        )

    def render_file(self, record: Stored) -> dict[str, Any]:
        """The ``ProjectTravelExpenseFileModel`` of a file."""
        v = record.values
        reference = self.org.reference
        return _shaped(
            "ProjectTravelExpenseFileModel",
            {
                "guid": record.guid,
                "name": v["name"],
                "description": v["description"],
                "size": float(v["size"]),
                "contentType": v["contentType"],
                "category": "ProjectTravelExpense",
                "source": "Severa",
                "isInternal": False,
                "fileGuid": v["fileGuid"],
                "travelExpenseGuid": v["expense"],
                "createdDateTime": format_datetime(record.created_at),
                "createdBy": user_json(reference, record.created_by),
                "lastUpdatedDateTime": format_datetime(record.updated_at),
                "lastUpdatedBy": user_json(reference, record.updated_by),
            },
        )

    def file_data(self, file_guid: str) -> bytes | None:
        """The content of the file whose ``fileGuid`` this is, or ``None``."""
        record = self.files.owner("file", file_guid)
        if record is None:
            return None
        data: bytes | None = record["data"]
        if data is None:  # made on demand, the same bytes every time
            data = random.Random(record.guid).randbytes(record["size"])
        return data

    # -- readers (tests, the demo) ---------------------------------------------------------

    def reimbursement(self, guid: str) -> dict[str, Any] | None:
        """The ``TravelReimbursementOutputModel`` of a reimbursement, or ``None``."""
        record = self.reimbursements.get(guid)
        return None if record is None else self.reimbursements.render(record)

    def all_reimbursements(self) -> list[dict[str, Any]]:
        """Every reimbursement, in creation order."""
        return [self.reimbursements.render(record) for record in self.reimbursements.register]

    def expenses_json(self, reimbursement: str) -> list[dict[str, Any]]:
        """A reimbursement's expenses as the API shows them."""
        return [self.render_expense(record) for record in self.expenses_of(reimbursement)]

    def files_json(self, expense: str) -> list[dict[str, Any]]:
        """An expense's files as the API shows them."""
        return [self.render_file(self.files.at(s)) for s in self.files.seqs("expense", expense)]
