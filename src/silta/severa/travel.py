"""Severa's travel reimbursements and what the travel transfer reads with them (issue 19).

Each class names its schema in ``specs/severa-openapi.json``; tolerant reading as in
:mod:`silta.severa.models`. A report's lines are ``ProjectTravelExpenseOutputModel``
(:class:`silta.severa.invoices.ProjectTravelExpense`).

* ``TravelReimbursementOutputModel``: the report, its status and its user.
* ``TravelReimbursementStatusModel``: ``isApproved`` is what makes a report eligible.
* ``TravelExpenseTypeOutputModel``: the expense types the KH maps to Netvisor's.
* ``UserOutputModel``: ``code`` is the employee number Netvisor's employees are matched by.
* ``ProjectTravelExpenseFileModel``: a receipt's name, size and the GUID of its file, whose
  bytes come from ``GET /v1/files/{fileGuid}/filedata``.
"""

from __future__ import annotations

from decimal import Decimal

from silta.severa.models import Money, Ref, Timestamp, _Read, _Stamped

__all__ = [
    "ExpenseType",
    "TravelExpenseFile",
    "TravelReimbursement",
    "TravelReimbursementStatus",
    "User",
    "UserBusinessUnit",
]


class TravelReimbursement(_Stamped):
    """``TravelReimbursementOutputModel``: one travel report (matkalasku)."""

    number: int | None = None
    title: str | None = None
    date: Timestamp | None = None
    user: Ref | None = None
    travel_reimbursement_status: Ref | None = None
    approval_date: Timestamp | None = None
    approved_by_user: Ref | None = None
    total: Money | None = None
    total_expenses: Money | None = None
    advance_payment: Money | None = None


class TravelReimbursementStatus(_Read):
    """``TravelReimbursementStatusModel``; defaults Draft, Waiting for approval, Approved,
    Rejected (S-TR). ``is_approved`` marks the statuses a transfer takes by default."""

    guid: str
    name: str
    is_active: bool = True
    is_approved: bool = False
    is_default: bool = False
    is_locked: bool = False
    sort_order: int | None = None


class ExpenseType(_Stamped):
    """``TravelExpenseTypeOutputModel``: Mileage, DailyAllowance or OtherTravelExpense."""

    name: str
    code: str | None = None
    expense_class: str | None = None
    is_mileage: bool = False
    is_daily_allowance: bool = False
    is_active: bool | None = None
    include_time: bool = False
    measurement_unit: str | None = None
    purchase_vat_rate: Decimal | None = None
    unit_cost: Money | None = None


class UserBusinessUnit(_Read):
    """``BusinessUnitSubModel`` of a user."""

    guid: str | None = None
    name: str | None = None
    code: str | None = None


class User(_Stamped):
    """``UserOutputModel``; ``code`` is the employee number (henkilönumero)."""

    first_name: str
    last_name: str
    code: str | None = None
    email: str | None = None
    is_active: bool = True
    business_unit: UserBusinessUnit | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class TravelExpenseFile(_Read):
    """``ProjectTravelExpenseFileModel``: an attachment of a travel expense.

    ``size`` is in bytes (the document types it as a double); ``file_guid`` names the file
    whose content ``GET /v1/files/{guid}/filedata`` gives.
    """

    guid: str | None = None
    file_guid: str | None = None
    travel_expense_guid: str | None = None
    name: str
    size: Decimal | None = None
    content_type: str | None = None
    description: str | None = None
    category: str | None = None
