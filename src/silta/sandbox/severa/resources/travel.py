"""Routes of travel reimbursements, their statuses, travel expense types and the expenses'
files (the rules are in :mod:`..travel` and :mod:`..travelstatuses`).

* ``GET /v1/travelreimbursements`` (``travels:read``): token paging, ``changedSince`` (≥),
  ``travelReimbursementStatusGuids``; ``GET|PATCH /v1/travelreimbursements/{guid}``
  (``travels:write`` for PATCH, answered with a one-element array).
* ``GET /v1/travelreimbursements/{travelReimbursementGuid}/projecttravelexpenses``: token
  paging (at most 100), ``expenseClass``.
* ``GET /v1/travelreimbursementstatuses`` (``settings:read``): offset paging, ``active``,
  ``textToSearch`` (part of the name, any letter case), in ``sortOrder``; ``sortings`` is
  ignored. ``GET|PATCH /v1/travelreimbursementstatuses/{guid}``, ``POST`` (``settings:write``).
* ``GET /v1/travelexpensetypes`` (``settings:read``): offset paging, every type unless
  ``rowCount`` says less (the document: "Default all"); ``active``, ``textToSearch`` (part of
  the name or the code), ``code`` (exact). ``GET /v1/travelexpensetypes/{guid}``.
* ``GET /v1/projecttravelexpenses/{projectTravelExpenseGuid}/files`` (``files:read``): offset
  paging; ``GET /v1/projecttravelexpensefiles/{guid}``; ``GET /v1/files/{guid}/filedata``:
  the content as ``application/octet-stream``; ``GET /v1/users/{userGuid}/travelexpensesfiles``
  (offset paging, ``startDate``/``endDate`` on the expenses' event dates [INFERRED]).

An unknown GUID in the path is an empty 404.
"""

from __future__ import annotations

from ..errors import Detail, NotFound
from ..paging import offset_page
from ..store import Stored
from .base import Answer, Call, Handler, Predicates, created, fold, found, patched
from .fees import token_page

__all__ = ["HANDLERS"]

_EXPENSE_CLASSES = ("Mileage", "DailyAllowance", "OtherTravelExpense")


# -- reimbursements -------------------------------------------------------------------------


def list_reimbursements(call: Call) -> Answer:
    travel = call.org.travel
    register = travel.reimbursements.register
    filters = Predicates()
    statuses = call.query.texts("travelReimbursementStatusGuids")
    filters.narrow(
        "travelReimbursementStatusGuids",
        statuses,
        [seq for guid in statuses for seq in register.seqs("status", guid)],
    )
    filters.changed_since(call.query.changed_since())
    return token_page(call, register, travel.reimbursements.render, filters)


def get_reimbursement(call: Call) -> Answer:
    reimbursements = call.org.travel.reimbursements
    return Answer(200, reimbursements.render(found(reimbursements, call.params["guid"])))


def patch_reimbursement(call: Call) -> Answer:
    reimbursements = call.org.travel.reimbursements
    record = found(reimbursements, call.params["guid"])
    return patched(reimbursements, reimbursements.patch(record, call.body))


def reimbursement_expenses(call: Call) -> Answer:
    travel = call.org.travel
    reimbursement = found(travel.reimbursements, call.params["travelReimbursementGuid"])
    filters = Predicates()
    seqs = travel.expenses.seqs("reimbursement", reimbursement.guid)
    filters.narrow("reimbursement", reimbursement.guid, seqs)
    expense_class = call.query.choice("expenseClass", _EXPENSE_CLASSES)
    types = call.org.invoicing.entries.travel_types

    def of_class(record: Stored) -> bool:
        travel_type = types.get(record["travelType"])
        return travel_type is not None and travel_type.expense_class == expense_class

    filters.add("expenseClass", expense_class, of_class)
    return token_page(call, travel.expenses, travel.render_expense, filters)


# -- statuses -------------------------------------------------------------------------------


def list_statuses(call: Call) -> Answer:
    query = call.query
    statuses = call.org.travel.statuses
    active = query.boolean("active")
    text = query.text("textToSearch")
    page = offset_page(query)
    query.check()
    rows = [
        record
        for record in statuses.in_order()
        if (active is None or record["isActive"] == active)
        and (text is None or fold(text) in fold(record["name"]))
    ]
    shown = rows[page.first_row : page.first_row + page.row_count]
    return Answer(200, [statuses.render(record) for record in shown])


def get_status(call: Call) -> Answer:
    statuses = call.org.travel.statuses
    return Answer(200, statuses.render(found(statuses, call.params["guid"])))


def create_status(call: Call) -> Answer:
    statuses = call.org.travel.statuses
    return created(statuses, statuses.create(call.body))


def patch_status(call: Call) -> Answer:
    statuses = call.org.travel.statuses
    return patched(statuses, statuses.patch(found(statuses, call.params["guid"]), call.body))


# -- travel expense types -------------------------------------------------------------------


def list_types(call: Call) -> Answer:
    query = call.query
    travel = call.org.travel
    active = query.boolean("active")
    text = query.text("textToSearch")
    code = query.text("code")
    first = query.integer("firstRow") or 0
    rows = query.integer("rowCount")
    query.boolean("calculateRowCount")
    if first < 0:
        query.problems.append(Detail("firstRow must not be negative.", "firstRow", "UriParameter"))
    if rows is not None and rows < 1:
        query.problems.append(Detail("rowCount must be at least 1.", "rowCount", "UriParameter"))
    query.check()
    wanted = [
        t
        for t in travel.travel_types()
        if (active is None or travel.type_is_active(t) == active)
        and (text is None or fold(text) in fold(t.name) or fold(text) in fold(t.code))
        and (code is None or t.code == code)
    ]
    wanted = wanted[first:] if rows is None else wanted[first : first + rows]
    return Answer(200, [travel.render_type(t) for t in wanted])


def get_type(call: Call) -> Answer:
    travel = call.org.travel
    travel_type = call.org.invoicing.entries.travel_types.get(call.params["guid"])
    if travel_type is None:
        raise NotFound
    return Answer(200, travel.render_type(travel_type))


# -- files ------------------------------------------------------------------------------------


def expense_files(call: Call) -> Answer:
    travel = call.org.travel
    expense = travel.expenses.get(call.params["projectTravelExpenseGuid"])
    if expense is None:
        raise NotFound
    page = offset_page(call.query)
    call.query.check()
    seqs = page.slice(travel.files.seqs("expense", expense.guid))
    return Answer(200, [travel.render_file(travel.files.at(seq)) for seq in seqs])


def get_file(call: Call) -> Answer:
    travel = call.org.travel
    record = travel.files.get(call.params["guid"])
    if record is None:
        raise NotFound
    return Answer(200, travel.render_file(record))


def user_files(call: Call) -> Answer:
    """A user's receipts: the files of the user's travel expenses whose event date is in
    ``startDate``..``endDate`` (inclusive, only the date part counts) [INFERRED]."""
    org, query = call.org, call.query
    travel = org.travel
    user = call.params["userGuid"]
    if org.reference.user(user) is None:
        raise NotFound
    start, end = query.changed_since("startDate"), query.changed_since("endDate")
    page = offset_page(query)
    query.check()
    first = None if start is None else org.project_fees.moment_date(start)
    last = None if end is None else org.project_fees.moment_date(end)
    rows = [
        travel.files.at(seq)
        for expense in travel.expenses
        if expense["user"] == user
        and (first is None or expense["eventDate"] >= first)
        and (last is None or expense["eventDate"] <= last)
        for seq in travel.files.seqs("expense", expense.guid)
    ]
    shown = rows[page.first_row : page.first_row + page.row_count]
    return Answer(200, [travel.render_file(record) for record in shown])


def file_data(call: Call) -> Answer:
    data = call.org.travel.file_data(call.params["guid"])
    if data is None:
        raise NotFound
    return Answer(200, data)


HANDLERS: dict[str, Handler] = {
    "TravelReimbursements_GetTravelReimbursements": list_reimbursements,
    "TravelReimbursements_GetTravelReimbursement": get_reimbursement,
    "TravelReimbursements_PatchTravelReimbursement": patch_reimbursement,
    "ProjectTravelExpenses_GetProjectTravelExpensesForTravelReimbursement": reimbursement_expenses,
    "TravelReimbursementStatus_GetTravelReimbursementStatuses": list_statuses,
    "TravelReimbursementStatus_GetTravelReimbursementStatus": get_status,
    "TravelReimbursementStatus_PostTravelReimbursementStatus": create_status,
    "TravelReimbursementStatus_PatchTravelReimbursementStatus": patch_status,
    "TravelExpenseTypes_GetTravelExpenseTypes": list_types,
    "TravelExpenseTypes_GetTravelExpenseType": get_type,
    "Files_GetTravelExpenseFiles": expense_files,
    "Files_GetTravelExpenseFile": get_file,
    "FileData_GetDataForFile": file_data,
    "Files_GetUsersTravelExpensesFiles": user_files,
}
