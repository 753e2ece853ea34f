"""Invoices and their rows (``InvoiceOutputModel``, ``InvoiceRowOutputModel``,
``InvoiceSettingsOutputModel``), their numbering, totals and status changes.

Settled (invoices.md §3.1-3.2 and §6; each also in ``docs/architecture.md``):

* **Created by the sandbox's helpers only** (``org.invoicing.put_invoice``, ``credit``): the
  document's ``POST /v1/invoices`` makes an invoice out of a project's uninvoiced entries,
  which the sandbox does not keep. A row groups entries of one kind (fees, hours or travel
  expenses) at one unit price and VAT rate; its quantity is their sum and ``code[]`` their
  distinct codes. A row without entries is a flat-rate row.
* **Numbers**: an invoice gets the organisation's next number when it enters a status with
  ``hasInvoiceNumber``, with a reference number made of the number and its 7-3-1 check digit
  (unless one was set). Once given, a number stays whatever status follows.
* **Totals are computed from the rows**, per row: net = quantity x unit price rounded half-up
  to cents, VAT = net x rate rounded half-up to cents; the totals are their sums. A helper
  knob (``total_difference``) can make the stored total disagree with the rows, to plant the
  case an engine must refuse; Severa was never seen to do it.
* **PATCH** (``InvoiceInputModel``, which the document names but does not define, so the
  writable fields here are [INFERRED] from the output model): ``/status/guid`` (or
  ``/status`` with ``{"guid": ...}``), ``date``, ``dueDate``, ``paymentTerm``,
  ``referenceNumber``, ``ourReference``, ``yourReference``, ``orderNumber``, ``notes``. The
  status must exist (400 ``InvalidParameter``) and be active (400 ``InvalidOperation``). An
  invoice in a **read-only** status can only change status: any other path is 400
  ``InvalidOperation`` and nothing is written. Other output properties are read-only (400).
  The answer is 200 with a one-element ``InvoiceOutputModel`` array (the document's
  "list of invoices").
* **Credit notes** (``isCreditNote``): rows copied from the credited invoice with negated
  quantities and the same unit prices; totals negative. The credit note's
  ``reimburseInvoice`` names the credited invoice and that invoice's ``creditNoteInvoice``
  names the credit note ([INFERRED]: Severa calls crediting "reimbursing"). A credit note's
  rows lead to the entries of the credited rows (they still name the invoice that billed
  them).
* ``receiverCustomerName``, ``receiverVatNumber`` and ``receiverAddress`` are copied from the
  billing customer and its head-office address when the invoice is made (a helper may set
  them otherwise, as a user edits an invoice); ``receiverAddress.country`` is the country's
  name as the organisation's country list gives it ([INFERRED]; the document types it as a
  string only).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from .errors import Detail, invalid_operation, invalid_parameters
from .fields import Field, FieldError, Kind, convert, convert_member
from .invoiceentries import ENTRY_MODELS, EntryKind, EntryRegisters, entry_values
from .invoicerender import customer_of, money, shaped_invoice_model, stamps_of
from .invoicestatuses import InvoiceStatuses
from .patch import parse_patch
from .store import Register, Stored
from .times import format_date

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = [
    "INVOICE_FIELDS",
    "UNSET",
    "Entry",
    "InvoicePlan",
    "InvoiceRegisters",
    "Row",
    "reference_number",
]

_CENT: Final = Decimal("0.01")
_HUNDRED: Final = Decimal(100)


class _Unset:
    """A receiver detail that is copied from the customer rather than set."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def reference_number(number: int) -> str:
    """The Finnish reference number of an invoice number: the number and its 7-3-1 check
    digit (weights 7, 3, 1 from the right; check = (10 - sum mod 10) mod 10)."""
    base = str(number)
    weights = (7, 3, 1)
    total = sum(int(digit) * weights[i % 3] for i, digit in enumerate(reversed(base)))
    return base + str((10 - total % 10) % 10)


# -- plans: what a helper asks for -------------------------------------------------------------


@attrs.frozen
class Entry:
    """An entry a row bills: ``kind`` fee (``item`` a product), hours (a work type) or travel
    (a travel expense type), on a project and phase (default: the project's root phase)."""

    kind: EntryKind
    project: str
    item: str
    quantity: Decimal
    phase: str | None = None
    user: str | None = None
    event_date: date | None = None
    description: str | None = None
    name: str | None = None


@attrs.frozen
class Row:
    """An invoice row: a unit price and VAT rate, and the entries it groups (none for a
    flat-rate row, which then gives its own ``quantity`` and ``code``)."""

    description: str
    unit_price: Decimal
    vat_rate: Decimal
    entries: tuple[Entry, ...] = ()
    quantity: Decimal | None = None
    measurement_unit: str | None = None
    code: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class InvoicePlan:
    """An invoice a helper makes. ``receiver_*`` default to the billing customer's details;
    ``reference`` to the one made with the number."""

    status: str
    billing_customer: str
    rows: tuple[Row, ...]
    invoice_date: date
    customer: str | None = None
    projects: tuple[str, ...] = ()
    payment_term: int | None = None
    currency: str | None = None
    currency_rate: Decimal = Decimal(1)
    reverse_charged: bool = False
    reverse_charge_description: str | None = None
    receiver_name: str | _Unset | None = UNSET
    receiver_vat_number: str | _Unset | None = UNSET
    receiver_address: Mapping[str, str | None] | _Unset | None = UNSET
    reference: str | None = None
    our_reference: str | None = None
    your_reference: str | None = None
    order_number: str | None = None
    notes: str | None = None
    entry_date: date | None = None
    payment_date: date | None = None
    total_difference: Decimal = Decimal(0)


# -- the PATCH input model ---------------------------------------------------------------------

S = Kind.STRING

#: The writable fields of "InvoiceInputModel" as the sandbox reads it (see the docstring).
INVOICE_FIELDS: Final = (
    Field("status", Kind.REF, target="invoiceStatus", nullable=False, key_required=True),
    Field("date", Kind.DATE, nullable=False),
    Field("dueDate", Kind.DATE, nullable=False),
    Field("paymentTerm", Kind.INT32, nullable=False),
    Field("referenceNumber", S),
    Field("ourReference", S),
    Field("yourReference", S),
    Field("orderNumber", S),
    Field("notes", S),
)
_READ_ONLY: Final = frozenset(
    {
        "guid", "number", "entryDate", "paymentDate", "overdueInterest", "customer",
        "billingCustomer", "projects", "currency", "currencyRate", "totalExcludingTax",
        "totalTax", "totalIncludingTax", "isCreditNote", "creditNoteInvoice", "reimburseInvoice",
        "receiverAddress", "receiverCustomerName", "receiverVatNumber", "receiverContactGuid",
        "receiverContactName", "receiverContactEmail", "receiverKvkNumber", "senderAddress",
        "senderName", "senderVatNumber", "senderContactGuid", "senderContactName",
        "senderKvkNumber", "language", "culture", "invoiceTemplate", "freeText1", "freeText2",
        "canBeDeleted", "invoiceNumberBusinessUnitGuid", "workHoursQuantity",
        "workHourValueAddedTax", "workHoursTotalExcludingTax", "projectFeesTotalExcludingTax",
        "projectTravelExpensesTotalExcludingTax", "flatRatesTotalExcludingTax",
        "createdDateTime", "createdBy", "lastUpdatedDateTime", "lastUpdatedBy",
    }
)  # fmt: skip
_CULTURE: Final = {"code": "fi-FI", "englishName": "Finnish (Finland)", "name": "suomi (Suomi)"}
#: VAT rate → the sales account a row is booked to (names and numbers of the seeded list).
_SALES_ACCOUNTS: Final = {Decimal("0"): "3300", Decimal("14"): "3010", Decimal("13.5"): "3010"}


class InvoiceRegisters:
    """The invoices and invoice rows of one organisation."""

    def __init__(
        self,
        org: Organisation,
        ids: random.Random,
        statuses: InvoiceStatuses,
        entries: EntryRegisters,
    ) -> None:
        self.org = org
        self._ids = ids
        self.statuses = statuses
        self.entries = entries
        self.invoices = Register(
            "invoice",
            unique={"number": lambda v: v["number"]},
            multi={
                "status": lambda v: v["status"],
                "customer": lambda v: v["customer"],
                "billingCustomer": lambda v: v["billingCustomer"],
            },
        )
        self.rows = Register("invoice_row", multi={"invoice": lambda v: v["invoice"]})
        #: The number the next invoice entering a numbered status gets.
        self.next_number = 1

    def new_guid(self) -> str:
        """A GUID from the invoicing id source."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    # -- reading ---------------------------------------------------------------------------

    def get(self, guid: str) -> Stored | None:
        """The invoice with ``guid``."""
        return self.invoices.get(guid)

    def rows_of(self, invoice_guid: str) -> list[Stored]:
        """An invoice's rows in their order."""
        return [self.rows.at(seq) for seq in self.rows.seqs("invoice", invoice_guid)]

    def entries_of_row(self, row: Stored, kind: EntryKind) -> list[Stored]:
        """The entries of ``kind`` a row bills, in creation order."""
        found = [self.entries.get(k, guid) for k, guid in row["entries"] if k == kind]
        return sorted((e for e in found if e is not None), key=lambda e: e.seq)

    def entry_seqs(self, invoice_guid: str, kind: EntryKind) -> list[int]:
        """Positions of the entries of ``kind`` an invoice's rows bill, ascending."""
        seqs = {
            entry.seq
            for row in self.rows_of(invoice_guid)
            for entry in self.entries_of_row(row, kind)
        }
        return sorted(seqs)

    # -- making invoices -------------------------------------------------------------------

    def create(self, plan: InvoicePlan) -> Stored:
        """Make an invoice from a plan (a setup helper; checks what a test could get wrong).

        Raises:
            KeyError: a GUID that names nothing.
            ValueError: a plan Severa could not hold (no rows, mixed entry kinds).
        """
        org = self.org
        status = self._status(plan.status)
        customer_guid = plan.billing_customer
        billing = org.customer_register.get(customer_guid)
        if billing is None:
            raise KeyError(customer_guid)
        if not plan.rows:
            raise ValueError("an invoice needs at least one row")
        currency = (plan.currency or org.settings.currency_code).upper()
        if org.reference.currency_by_code(currency) is None:
            raise ValueError(f"unknown currency {currency}")
        guid = self.new_guid()
        rows = [
            self._row_values(guid, row, order, currency, plan.invoice_date)
            for order, row in enumerate(plan.rows, 1)
        ]
        projects = list(dict.fromkeys(plan.projects))
        for _row_guid, _values, planned in rows:
            for entry in planned:
                if entry["project"] not in projects:
                    projects.append(entry["project"])
        first_project = org.project_register.get(projects[0]) if projects else None
        customer = plan.customer or (first_project["customer"] if first_project else customer_guid)
        term = plan.payment_term
        if term is None:
            term = billing["paymentTerm"] if billing["paymentTerm"] is not None else 14
        values: dict[str, Any] = {
            "status": status.guid,
            "number": None,
            "referenceNumber": plan.reference,
            "date": plan.invoice_date,
            "dueDate": plan.invoice_date + timedelta(days=term),
            "paymentTerm": term,
            "entryDate": plan.entry_date,
            "paymentDate": plan.payment_date,
            "customer": customer,
            "billingCustomer": customer_guid,
            "projects": tuple(projects),
            "currency": currency,
            "currencyRate": plan.currency_rate,
            "isCreditNote": False,
            "reimburseInvoice": None,
            "creditNoteInvoice": None,
            "language": billing["language"],
            "overdueInterest": Decimal(8),
            "ourReference": plan.our_reference,
            "yourReference": plan.your_reference,
            "orderNumber": plan.order_number,
            "notes": plan.notes,
            "settings": {
                "guid": self.new_guid(),
                "isReverseCharged": plan.reverse_charged,
                "reverseChargeDescription": plan.reverse_charge_description,
            },
            "totalDifference": plan.total_difference,
            **self._receiver(billing, plan),
        }
        return self._store(guid, values, status, rows)

    def credit(self, original_guid: str, status_guid: str, day: date) -> Stored:
        """A credit note of the whole invoice ``original_guid`` (see the module docstring).

        Raises:
            KeyError: an unknown invoice or status.
            ValueError: the invoice is a credit note or credited already.
        """
        original = self.invoices.get(original_guid)
        if original is None:
            raise KeyError(original_guid)
        if original["isCreditNote"] or original["creditNoteInvoice"] is not None:
            raise ValueError("a credit note, or an invoice credited already, is not credited")
        status = self._status(status_guid)
        guid = self.new_guid()
        rows: list[tuple[str, dict[str, Any], list[dict[str, Any]]]] = []
        for row in self.rows_of(original_guid):
            values = {**row.values, "invoice": guid, "quantity": -row["quantity"]}
            values["net"], values["vat"] = _row_sums(
                values["quantity"], row["unitPrice"], row["vatRate"]
            )
            rows.append((self.new_guid(), values, []))
        values = {
            **original.values,
            "status": status.guid,
            "number": None,
            "referenceNumber": None,
            "date": day,
            "dueDate": day + timedelta(days=original["paymentTerm"]),
            "isCreditNote": True,
            "reimburseInvoice": original.guid,
            "creditNoteInvoice": None,
            "entryDate": None,
            "paymentDate": None,
            "settings": {**original["settings"], "guid": self.new_guid()},
            "totalDifference": -original["totalDifference"],
        }
        credit_note = self._store(guid, values, status, rows)
        self.invoices.replace(
            original, {**original.values, "creditNoteInvoice": guid}, self.org.now(), self.org.user
        )
        return credit_note

    def _status(self, guid: str) -> Stored:
        status = self.statuses.get(guid)
        if status is None:
            raise KeyError(f"no invoice status {guid}")
        return status

    def _receiver(self, billing: Stored, plan: InvoicePlan) -> dict[str, Any]:
        org = self.org
        address = None
        head_office = org.address_register.get(billing["headquarterAddress"] or "")
        if head_office is not None:
            country = org.reference.country(head_office["country"])
            address = {
                "addressline": head_office["addressline"],
                "postalCode": head_office["postalCode"],
                "city": head_office["city"],
                "state": None,
                "country": None if country is None else country.name,
            }
        return {
            "receiverCustomerName": billing["name"]
            if isinstance(plan.receiver_name, _Unset)
            else plan.receiver_name,
            "receiverVatNumber": billing["vatNumber"]
            if isinstance(plan.receiver_vat_number, _Unset)
            else plan.receiver_vat_number,
            "receiverAddress": address
            if isinstance(plan.receiver_address, _Unset)
            else None
            if plan.receiver_address is None
            else dict(plan.receiver_address),
        }

    def _row_values(
        self, invoice_guid: str, row: Row, order: int, currency: str, day: date
    ) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
        """A row's values and the entries it makes (stored with it, all or none)."""
        org = self.org
        kinds = {entry.kind for entry in row.entries}
        if len(kinds) > 1:
            raise ValueError(f"row {row.description!r} mixes entry kinds {sorted(kinds)}")
        kind: EntryKind | None = next(iter(kinds)) if kinds else None
        row_guid = self.new_guid()
        planned: list[dict[str, Any]] = []
        codes: list[str] = []
        for entry in row.entries:
            project = org.project_register.get(entry.project)
            if project is None:
                raise KeyError(f"no project {entry.project}")
            phase = entry.phase
            if phase is None:
                root = org.phase_register.root_of(entry.project)
                assert root is not None
                phase = root.guid
            elif (found := org.phase_register.get(phase)) is None or found[
                "project"
            ] != project.guid:
                raise KeyError(f"no phase {phase} in project {project['name']}")
            if not self.entries.item_exists(entry.kind, entry.item):
                raise KeyError(f"no {entry.kind} item {entry.item}")
            user = entry.user or org.users[0].guid
            if org.reference.user(user) is None:
                raise KeyError(f"no user {user}")
            code = self.entries.code(entry.kind, entry.item)
            if code and code not in codes:
                codes.append(code)
            planned.append(
                entry_values(
                    project=project.guid,
                    phase=phase,
                    user=user,
                    item=entry.item,
                    quantity=entry.quantity,
                    unit_price=row.unit_price,
                    currency=currency,
                    vat_rate=row.vat_rate,
                    event_date=entry.event_date or day,
                    name=entry.name or row.description,
                    description=entry.description,
                    measurement_unit=row.measurement_unit,
                    invoice=invoice_guid,
                    row=row_guid,
                )
            )
            planned[-1]["kind"] = entry.kind
        if row.entries:
            quantity = sum((entry.quantity for entry in row.entries), Decimal(0))
        elif row.quantity is not None:
            quantity = row.quantity
        else:
            raise ValueError(f"flat-rate row {row.description!r} needs a quantity")
        row_type, category = ("FlatRate", "ProjectFees")
        if kind is not None:
            _model, row_type, category = ENTRY_MODELS[kind]
        net, vat = _row_sums(quantity, row.unit_price, row.vat_rate)
        first_project = org.project_register.get(planned[0]["project"]) if planned else None
        values = {
            "invoice": invoice_guid,
            "rowType": row_type,
            "category": category,
            "description": row.description,
            "quantity": quantity,
            "measurementUnit": row.measurement_unit,
            "unitPrice": row.unit_price,
            "currency": currency,
            "vatRate": row.vat_rate,
            "sortOrder": order,
            "costCenter": None if first_project is None else first_project["costCenter"],
            "code": tuple(codes) if row.entries else tuple(row.code),
            "entries": (),
            "net": net,
            "vat": vat,
        }
        return row_guid, values, planned

    def _store(
        self,
        guid: str,
        values: dict[str, Any],
        status: Stored,
        rows: Sequence[tuple[str, dict[str, Any], list[dict[str, Any]]]],
    ) -> Stored:
        """Store an invoice, its rows and their new entries (nothing here can fail)."""
        org = self.org
        self._enter(values, status)
        invoice = self.invoices.add(guid, values, org.now(), org.user)
        for row_guid, row_values, planned in rows:
            made: list[tuple[EntryKind, str]] = []
            for entry in planned:
                kind: EntryKind = entry.pop("kind")
                made.append((kind, self.entries.add(kind, entry).guid))
            if made:
                row_values = {**row_values, "entries": tuple(made)}
            self.rows.add(row_guid, row_values, org.now(), org.user)
        return invoice

    def _enter(self, values: dict[str, Any], status: Stored) -> None:
        """Entering ``status``: a numbered status gives the next number (and a reference)."""
        values["status"] = status.guid
        if status["hasInvoiceNumber"] and values["number"] is None:
            number = self.next_number
            while self.invoices.owner("number", number) is not None:
                number += 1
            self.next_number = number + 1
            values["number"] = number
            if not values["referenceNumber"]:
                values["referenceNumber"] = reference_number(number)

    # -- PATCH -----------------------------------------------------------------------------

    def patch(self, record: Stored, body: object) -> tuple[Stored, bool]:
        """Apply a JSON Patch body; returns the invoice and whether it changed.

        Raises:
            SeveraFailure: 400 ``InvalidParameter`` / ``InvalidOperation``.
        """
        changes, problems = parse_patch(INVOICE_FIELDS, _READ_ONLY, body, "InvoiceInputModel")
        values = dict(record.values)
        edits: list[str] = []
        for change in changes:
            name = change.field.name
            try:
                if change.member is None:
                    value = convert(change.field, change.value, lenient=True)
                else:
                    value = convert_member(
                        change.field, change.member, change.value, values[name], values["currency"]
                    )
            except FieldError as error:
                problems.append(Detail(error.message, error.name))
                continue
            if name != "status":
                edits.append(change.path)
            values[name] = value
        if problems:
            raise invalid_parameters(problems)
        status = self.statuses.get(values["status"])
        if status is None:
            raise invalid_parameters(
                [
                    Detail(
                        f"There is no invoice status with guid '{values['status']}'.", "status.guid"
                    )
                ]
            )
        current = self.statuses.get(record["status"])
        if current is not None and current["isReadOnly"] and edits:
            raise invalid_operation(
                f"Invoice {record['number']} is in the read-only status '{current['name']}': "
                "only its status can be changed.",
                edits[0],
            )
        if status.guid != record["status"]:
            if not status["isActive"]:
                raise invalid_operation(
                    f"The invoice status '{status['name']}' is not active.", "status.guid"
                )
            self._enter(values, status)
        if values == dict(record.values):
            return record, False
        return self.invoices.replace(record, values, self.org.now(), self.org.user), True

    # -- output ----------------------------------------------------------------------------

    def totals(self, invoice: Stored) -> dict[str, Decimal]:
        """Net and VAT totals, and the net total of each row category (from the rows)."""
        rows = self.rows_of(invoice.guid)
        net = sum((row["net"] for row in rows), Decimal(0)) + invoice["totalDifference"]
        totals = {
            "net": net,
            "vat": sum((row["vat"] for row in rows), Decimal(0)),
            "hoursQuantity": sum(
                (row["quantity"] for row in rows if row["rowType"] == "Hours"), Decimal(0)
            ),
        }
        for row_type in ("FlatRate", "Hours", "ProjectFees", "TravelExpenses"):
            totals[row_type] = sum(
                (row["net"] for row in rows if row["rowType"] == row_type), Decimal(0)
            )
        return totals

    def render(self, invoice: Stored) -> dict[str, Any]:
        """The ``InvoiceOutputModel`` of ``invoice``."""
        org, v = self.org, invoice.values
        ref = org.reference
        status = self.statuses.get(v["status"])
        currency = ref.currency_by_code(v["currency"])
        language = ref.language(v["language"])
        code = v["currency"]
        totals = self.totals(invoice)
        return shaped_invoice_model(
            "InvoiceOutputModel",
            {
                "guid": invoice.guid,
                "number": v["number"],
                "referenceNumber": v["referenceNumber"],
                "date": format_date(v["date"]),
                "dueDate": format_date(v["dueDate"]),
                "entryDate": format_date(v["entryDate"]),
                "paymentDate": format_date(v["paymentDate"]),
                "paymentTerm": v["paymentTerm"],
                "overdueInterest": float(v["overdueInterest"]),
                "status": None
                if status is None
                else {
                    "guid": status.guid,
                    "name": status["name"],
                    "isSent": status["isSent"],
                    "isPaid": status["isPaid"],
                    "isWaitingPayment": status["isWaitingPayment"],
                },
                "customer": customer_of(org, v["customer"]),
                "billingCustomer": customer_of(org, v["billingCustomer"]),
                "projects": [self._project(guid) for guid in v["projects"]],
                "currency": None
                if currency is None
                else {
                    "guid": currency.guid,
                    "code": currency.code,
                    "name": currency.name,
                    "symbol": currency.symbol,
                },
                "currencyRate": float(v["currencyRate"]),
                "totalExcludingTax": money(totals["net"], code),
                "totalTax": money(totals["vat"], code),
                "totalIncludingTax": money(totals["net"] + totals["vat"], code),
                "workHoursQuantity": float(totals["hoursQuantity"]),
                "workHourValueAddedTax": None,
                "workHoursTotalExcludingTax": money(totals["Hours"], code),
                "projectFeesTotalExcludingTax": money(totals["ProjectFees"], code),
                "projectTravelExpensesTotalExcludingTax": money(totals["TravelExpenses"], code),
                "flatRatesTotalExcludingTax": money(totals["FlatRate"], code),
                "isCreditNote": v["isCreditNote"],
                "creditNoteInvoice": self._related(v["creditNoteInvoice"]),
                "reimburseInvoice": self._related(v["reimburseInvoice"]),
                "canBeDeleted": v["number"] is None,
                "receiverAddress": v["receiverAddress"],
                "receiverCustomerName": v["receiverCustomerName"],
                "receiverVatNumber": v["receiverVatNumber"],
                "receiverContactGuid": None,
                "receiverContactName": None,
                "receiverContactEmail": None,
                "receiverKvkNumber": None,
                "senderName": org.company.name,
                "senderVatNumber": None,
                "senderAddress": None,
                "senderContactGuid": None,
                "senderContactName": None,
                "senderKvkNumber": None,
                "ourReference": v["ourReference"],
                "yourReference": v["yourReference"],
                "orderNumber": v["orderNumber"],
                "notes": v["notes"],
                "language": None
                if language is None
                else {
                    "guid": language.guid,
                    "code": language.code,
                    "name": language.name,
                    "englishName": language.english_name,
                },
                "culture": dict(_CULTURE),
                "invoiceTemplate": None,
                "invoiceNumberBusinessUnitGuid": None,
                "freeText1": None,
                "freeText2": None,
                **stamps_of(org, invoice),
            },
        )

    def _project(self, guid: str) -> dict[str, Any]:
        project = self.org.project_register.get(guid)
        if project is None:
            return {"guid": guid, "name": None, "number": None}
        return {"guid": guid, "name": project["name"], "number": project["number"]}

    def _related(self, guid: str | None) -> dict[str, Any] | None:
        other = None if guid is None else self.invoices.get(guid)
        return None if other is None else {"guid": other.guid, "number": other["number"]}

    def render_row(self, row: Stored) -> dict[str, Any]:
        """The ``InvoiceRowOutputModel`` of ``row``."""
        ref = self.org.reference
        v = row.values
        account = _SALES_ACCOUNTS.get(v["vatRate"], "3000")
        sales_account = next(
            (item for item in self.org.reference_items("salesAccount") if item.code == account),
            None,
        )
        cost_center = ref.item("costCenter", v["costCenter"])
        return shaped_invoice_model(
            "InvoiceRowOutputModel",
            {
                "guid": row.guid,
                "invoiceGuid": v["invoice"],
                "rowType": v["rowType"],
                "category": v["category"],
                "description": v["description"],
                "quantity": float(v["quantity"]),
                "measurementUnit": v["measurementUnit"],
                "unitPrice": money(v["unitPrice"], v["currency"]),
                "vatRate": float(v["vatRate"]),
                "sortOrder": v["sortOrder"],
                "salesAccount": None
                if sales_account is None
                else {"name": sales_account.name, "number": sales_account.code},
                "recurringSalesAccount": None,
                "costCenter": None
                if cost_center is None
                else {"name": cost_center.name, "number": cost_center.code},
                "vatAccount": None,
                "salesReceivableAccount": None,
                "code": list(v["code"]),
                "flatRateGuid": None,
                "hasInvoiceComment": False,
                **stamps_of(self.org, row),
            },
        )

    def render_settings(self, invoice: Stored) -> dict[str, Any]:
        """The ``InvoiceSettingsOutputModel`` of ``invoice`` (its stamps are the invoice's)."""
        settings = invoice["settings"]
        return shaped_invoice_model(
            "InvoiceSettingsOutputModel",
            {
                "guid": settings["guid"],
                "isReverseCharged": settings["isReverseCharged"],
                "reverseChargeDescription": settings["reverseChargeDescription"],
                "entryDate": format_date(invoice["entryDate"]),
                "paymentDate": format_date(invoice["paymentDate"]),
                "categorySortOrder": None,
                "projectFeeDescriptionFormat": "",
                "projectFeeGrouping": "Group",
                "projectFeePrimaryGroupBy": None,
                "projectFeeSecondaryGroupBy": None,
                "projectTravelExpenseDescriptionFormat": "",
                "projectTravelExpenseGrouping": "Group",
                "projectTravelExpensePrimaryGroupBy": None,
                "projectTravelExpenseSecondaryGroupBy": None,
                "workHourDescriptionFormat": "",
                "workHourGrouping": "Group",
                "workHourPrimaryGroupBy": None,
                "workHourSecondaryGroupBy": None,
                "showAttachmentPriceExcludingValueAddedTax": True,
                "showAttachmentQuantity": True,
                "showAttachmentUnit": True,
                "showAttachmentUnitPrice": True,
                "showAttachmentValueAddedTax": True,
                "showCategories": True,
                "showFooter": True,
                "showLogoAndTitle": True,
                "showPriceExcludingValueAddedTax": True,
                "showQuantity": True,
                "showReferenceNumber": True,
                "showUnit": True,
                "showUnitPrice": True,
                "showValueAddedTax": True,
                "style": "Plain",
                **stamps_of(self.org, invoice),
            },
        )

    def render_entry(self, kind: EntryKind, entry: Stored) -> dict[str, Any]:
        """An entry's output model, with the invoice that billed it."""
        return self.entries.render(kind, entry, self.invoices.get(entry["invoice"]))


def _row_sums(quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> tuple[Decimal, Decimal]:
    net = _cents(quantity * unit_price)
    return net, _cents(net * vat_rate / _HUNDRED)
