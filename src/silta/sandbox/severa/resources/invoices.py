"""Routes of invoices, their rows, settings and drill-downs, invoice statuses and customers'
country settings (the model rules are in :mod:`..invoices`, :mod:`..invoicestatuses`).

``GET /v1/invoices`` (token paging, ``rowCount`` ≤ 100) honours every filter the document
declares, combined with AND: ``invoiceStatusGuids``, ``numbers`` (int32), ``referenceNumbers``,
``customerGuids`` (the invoice's customer **or** its billing customer - [INFERRED], the
document says "invoices for these customers"), ``projectGuids`` (any of the invoice's
projects), ``projectBusinessUnitGuids``, ``projectOwnerGuids``, ``salesPersonGuids`` (through
the projects), ``createdByUserGuids``, ``startDate``/``endDate`` (the invoice date, inclusive;
only the date part of a date-time counts), ``paymentDateStart``,
``minimumTotalExcludingTax``/``maximumTotalExcludingTax`` (in the organisation's currency:
the total times ``currencyRate``) and ``changedSince`` (``lastUpdatedDateTime`` ≥). Invoices
come in creation order, like every token-paged list.

The per-invoice and per-row lists (rows, project fees, work hours, travel expenses) are
token-paged too, as the document declares them (``pageToken``/``rowCount``); ``rowType``,
``productType`` and ``expenseClass`` filter them. ``GET /v1/invoicestatuses`` is offset-paged
(``firstRow``/``rowCount``), with ``active`` and ``textToSearch`` (part of the name, any letter
case), in ``sortOrder``; ``sortings`` is ignored. A customer's country settings are a plain
array. An unknown invoice, row, status or customer in the path is an empty 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Final

from ..errors import Detail, NotFound
from ..invoiceentries import ENTRY_MODELS, EntryKind
from ..paging import offset_page, read_token_page, token_rows
from ..query import Query
from ..store import Register, Stored
from ..times import parse_date
from .base import Answer, Call, Handler, Predicates, created, fold, found, patched

__all__ = ["HANDLERS"]

_ROW_TYPES: Final = ("FlatRate", "Hours", "ProjectFees", "TravelExpenses")
_PRODUCT_TYPES: Final = ("FixedFees", "Materials", "Subcontracting")
_EXPENSE_CLASSES: Final = ("Mileage", "DailyAllowance", "OtherTravelExpense")


def _token_page(
    call: Call, register: Register, render: Callable[[Stored], Any], filters: Predicates
) -> Answer:
    """A token-paged answer over ``register`` (see :mod:`..paging`)."""
    scope = f"{call.org.id}:{call.operation.template}"
    page = read_token_page(call.query, call.tokens, scope, filters.fingerprint())
    rows, after = token_rows(register, page, filters.keep, filters.candidates())
    headers = {}
    if after is not None:
        headers["NextPageToken"] = call.tokens.encode(scope, after, filters.fingerprint())
    return Answer(200, [render(row) for row in rows], headers)


def _date(query: Query, name: str) -> date | None:
    text = query.text(name)
    if text is None:
        return None
    day = parse_date(text)
    if day is None:
        query.problems.append(
            Detail(f"{name} must be a date such as 2026-12-01, got '{text}'.", name, "UriParameter")
        )
    return day


def _amount(query: Query, name: str) -> Decimal | None:
    text = query.text(name)
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except ArithmeticError:
        query.problems.append(
            Detail(f"{name} must be a number, got '{text}'.", name, "UriParameter")
        )
        return None


# -- invoices ---------------------------------------------------------------------------------


def list_invoices(call: Call) -> Answer:
    query = call.query
    book = call.org.invoicing.invoices
    register = book.invoices
    projects = call.org.project_register
    filters = Predicates()
    statuses = query.texts("invoiceStatusGuids")
    filters.narrow(
        "invoiceStatusGuids", statuses, [s for g in statuses for s in register.seqs("status", g)]
    )
    numbers = query.integers("numbers", bits=32)
    seqs = [r.seq for n in numbers if (r := register.owner("number", n)) is not None]
    filters.narrow("numbers", numbers, seqs)
    customers = query.texts("customerGuids")
    filters.narrow(
        "customerGuids",
        customers,
        [
            s
            for g in customers
            for index in ("customer", "billingCustomer")
            for s in register.seqs(index, g)
        ],
    )
    references = set(query.texts("referenceNumbers"))
    filters.add("referenceNumbers", references, lambda r: r["referenceNumber"] in references)

    def project_field(field: str, wanted: set[str]) -> Callable[[Stored], bool]:
        def check(record: Stored) -> bool:
            found_projects = (projects.get(g) for g in record["projects"])
            return bool(wanted & {p[field] for p in found_projects if p is not None})

        return check

    wanted_projects = set(query.texts("projectGuids"))
    filters.add(
        "projectGuids", wanted_projects, lambda r: bool(wanted_projects & set(r["projects"]))
    )
    for name, field in (
        ("projectBusinessUnitGuids", "businessUnit"),
        ("projectOwnerGuids", "projectOwner"),
        ("salesPersonGuids", "salesPerson"),
    ):
        wanted = set(query.texts(name))
        filters.add(name, wanted, project_field(field, wanted))
    creators = set(query.texts("createdByUserGuids"))
    filters.add("createdByUserGuids", creators, lambda r: r.created_by in creators)
    start, end = _date(query, "startDate"), _date(query, "endDate")
    filters.add("startDate", start, lambda r: start is not None and r["date"] >= start)
    filters.add("endDate", end, lambda r: end is not None and r["date"] <= end)
    paid = _date(query, "paymentDateStart")
    filters.add(
        "paymentDateStart",
        paid,
        lambda r: paid is not None and r["paymentDate"] is not None and r["paymentDate"] >= paid,
    )
    low = _amount(query, "minimumTotalExcludingTax")
    high = _amount(query, "maximumTotalExcludingTax")

    def in_home_currency(record: Stored) -> Decimal:
        rate: Decimal = record["currencyRate"]
        return book.totals(record)["net"] * rate

    filters.add("minimumTotalExcludingTax", low, lambda r: in_home_currency(r) >= (low or 0))
    filters.add("maximumTotalExcludingTax", high, lambda r: in_home_currency(r) <= (high or 0))
    filters.changed_since(query.changed_since())
    query.check()
    return _token_page(call, register, book.render, filters)


def _invoice(call: Call, param: str = "guid") -> Stored:
    record = call.org.invoicing.invoices.get(call.params[param])
    if record is None:
        raise NotFound
    return record


def get_invoice(call: Call) -> Answer:
    book = call.org.invoicing.invoices
    return Answer(200, book.render(_invoice(call)))


def patch_invoice(call: Call) -> Answer:
    book = call.org.invoicing.invoices
    written, _changed = book.patch(_invoice(call), call.body)
    return Answer(200, [book.render(written)])


def invoice_settings(call: Call) -> Answer:
    book = call.org.invoicing.invoices
    return Answer(200, book.render_settings(_invoice(call, "invoiceGuid")))


def invoice_rows(call: Call) -> Answer:
    book = call.org.invoicing.invoices
    invoice = _invoice(call, "invoiceGuid")
    filters = Predicates()
    filters.narrow("invoice", invoice.guid, book.rows.seqs("invoice", invoice.guid))
    row_type = call.query.choice("rowType", _ROW_TYPES)
    filters.add("rowType", row_type, lambda r: r["rowType"] == row_type)
    return _token_page(call, book.rows, book.render_row, filters)


def get_invoice_row(call: Call) -> Answer:
    book = call.org.invoicing.invoices
    return Answer(200, book.render_row(found_row(call, "guid")))


def found_row(call: Call, param: str) -> Stored:
    row = call.org.invoicing.invoices.rows.get(call.params[param])
    if row is None:
        raise NotFound
    return row


# -- drill-downs ----------------------------------------------------------------------------


def _entry_filters(call: Call, kind: EntryKind, filters: Predicates) -> None:
    entries = call.org.invoicing.entries
    products = call.org.product_register
    if kind == "fee":
        product_type = call.query.choice("productType", _PRODUCT_TYPES)

        def of_type(record: Stored) -> bool:
            product = products.get(record["item"])
            return product is not None and product["type"] == product_type

        filters.add("productType", product_type, of_type)
    elif kind == "travel":
        expense_class = call.query.choice("expenseClass", _EXPENSE_CLASSES)

        def of_class(record: Stored) -> bool:
            travel_type = entries.travel_types.get(record["item"])
            return travel_type is not None and travel_type.expense_class == expense_class

        filters.add("expenseClass", expense_class, of_class)


def _invoice_entries(kind: EntryKind) -> Handler:
    def handler(call: Call) -> Answer:
        book = call.org.invoicing.invoices
        invoice = _invoice(call, "invoiceGuid")
        filters = Predicates()
        filters.narrow("invoice", invoice.guid, book.entry_seqs(invoice.guid, kind))
        _entry_filters(call, kind, filters)
        register = book.entries.registers[kind]
        return _token_page(call, register, lambda e: book.render_entry(kind, e), filters)

    return handler


def _row_entries(kind: EntryKind) -> Handler:
    def handler(call: Call) -> Answer:
        book = call.org.invoicing.invoices
        row = found_row(call, "invoiceRowGuid")
        filters = Predicates()
        seqs = [entry.seq for entry in book.entries_of_row(row, kind)]
        filters.narrow("invoiceRow", row.guid, seqs)
        _entry_filters(call, kind, filters)
        register = book.entries.registers[kind]
        return _token_page(call, register, lambda e: book.render_entry(kind, e), filters)

    return handler


# -- invoice statuses -----------------------------------------------------------------------


def list_invoice_statuses(call: Call) -> Answer:
    query = call.query
    statuses = call.org.invoicing.statuses
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


def get_invoice_status(call: Call) -> Answer:
    statuses = call.org.invoicing.statuses
    return Answer(200, statuses.render(found(statuses, call.params["guid"])))


def create_invoice_status(call: Call) -> Answer:
    statuses = call.org.invoicing.statuses
    return created(statuses, statuses.create(call.body))


def patch_invoice_status(call: Call) -> Answer:
    statuses = call.org.invoicing.statuses
    record = found(statuses, call.params["guid"])
    return patched(statuses, statuses.patch(record, call.body))


# -- customers' country settings ------------------------------------------------------------


def customer_country_settings(call: Call) -> Answer:
    customer = call.params["customerGuid"]
    if call.org.customer_register.get(customer) is None:
        raise NotFound
    settings = call.org.invoicing.country_settings
    return Answer(200, [settings.render(record) for record in settings.of_customer(customer)])


_OPERATION_KINDS: Final[dict[EntryKind, tuple[str, str]]] = {
    "fee": ("ProjectFees_GetInvoiceProjectFees", "ProjectFees_GetInvoiceRowProjectFees"),
    "hours": ("WorkHours_GetInvoiceWorkHours", "WorkHours_GetInvoiceRowWorkHours"),
    "travel": (
        "ProjectTravelExpenses_GetInvoiceProjectTravelExpenses",
        "ProjectTravelExpenses_GetInvoiceRowProjectTravelExpenses",
    ),
}

HANDLERS: dict[str, Handler] = {
    "Invoices_GetInvoices": list_invoices,
    "Invoices_GetInvoice": get_invoice,
    "Invoices_PatchInvoice": patch_invoice,
    "InvoiceSettings_GetInvoiceSettings": invoice_settings,
    "InvoiceRows_GetInvoiceRowsForInvoice": invoice_rows,
    "InvoiceRows_GetInvoiceRow": get_invoice_row,
    "InvoiceStatuses_GetInvoiceStatuses": list_invoice_statuses,
    "InvoiceStatuses_GetInvoiceStatus": get_invoice_status,
    "InvoiceStatuses_PostInvoiceStatus": create_invoice_status,
    "InvoiceStatuses_PatchInvoiceStatus": patch_invoice_status,
    "CustomerCountrySettings_GetCustomerCountrySettings": customer_country_settings,
    **{ids[0]: _invoice_entries(kind) for kind, ids in _OPERATION_KINDS.items()},
    **{ids[1]: _row_entries(kind) for kind, ids in _OPERATION_KINDS.items()},
}
assert set(_OPERATION_KINDS) == set(ENTRY_MODELS)
