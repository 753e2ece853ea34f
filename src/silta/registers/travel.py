"""Severa travel reimbursements as Netvisor travel invoices: the rules, pure (issue 19).

``reference/invoices.md`` §1.3 (what Visma's own integration does) and §5.13 (settled):
the target is ``tripexpense.nv`` (Netvisor's travel and expenses, for expense payment and
payroll), not ``purchaseinvoice.nv``, which is charged per invoice (§2.5).
:func:`map_report` takes one report with its expenses and receipts' descriptions
(:class:`TravelSource`), the tenant's headers, the KH's settings and what the adapter read
(:class:`TravelLookups`), and gives the exact travel invoice to send (:class:`TripPlan`,
receipts named but not yet read), refusals, or a reason to skip. :func:`with_attachments`
puts the receipts' bytes in once they are read. Nothing here does I/O.

The rules, one function each:

* **Which reports** (:meth:`TravelSettings.eligible`): those in a status Severa marks
  ``isApproved``, or the KH's narrower choice among them. Reports with only
  non-reimbursable lines and reports that sum to zero are skipped (N-TE), with a notice.
* **Who** (:func:`employee`): Severa's user code is the Netvisor employee number
  (``employeeidentifier type="number"``). Netvisor has no resource in the reference to
  list employees, so a user without a code is refused here, and a number Netvisor does not
  know comes back from ``tripexpense.nv`` as a refusal the adapter turns into the same rule
  (:func:`employee_refused`); ``netvisor_employees``, when the adapter knows them, lets the
  rule refuse before sending.
* **What kind of line** (:func:`map_report`): mileage → ``travelline`` with the KH's
  travel type (default ``car``); daily allowance → ``dailycompensationline`` with the KH's
  compensation type; everything else → ``customline`` with the KH's *ratio name in the
  request's interface language* (Netvisor reads ``ratio type="name"`` in that language).
  An unmapped type is ``travel.expense_type_unmapped``.
* **Paid lines**: a line Severa says needs no reimbursement (a company card) goes as
  ``linestatus`` PAID, so that Netvisor does not pay it again (N-TE).
* **Receipts**: each travel expense's files on its own line; at most 4 MB together and
  names of at most 100 characters (N-TE), else refused with the reason.
* **Dimensions** (when on): the line's project and its business unit, named as the
  dimension register names them; a missing item is created first when the KH allows it,
  else ``travel.dimension_item_missing`` (a missing header always refuses).
* **Once**: the key is the report's GUID; :func:`fingerprint` reports a later change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from silta import netvisor, severa
from silta.domain import Refusal, TenantSettings
from silta.registers.dimensions import DimensionSource
from silta.registers.invoice_lines import DimensionIndex, ancestors, line_dimensions
from silta.registers.invoice_notices import Notice
from silta.registers.rules import Rule, fill, refuse
from silta.registers.travel_settings import DEFAULT_TRAVEL_TYPE, LANGUAGES, TravelSettings

__all__ = [
    "DEFAULT_TRAVEL_TYPE",
    "LANGUAGES",
    "NOTICES",
    "PlannedFile",
    "TravelLookups",
    "TravelMapping",
    "TravelSettings",
    "TravelSource",
    "TripPlan",
    "changed_after_transfer",
    "employee",
    "employee_refused",
    "fingerprint",
    "map_report",
    "notice",
    "report_label",
    "size_text",
    "with_attachments",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_NETVISOR_TIME = ZoneInfo("Europe/Helsinki")
_MILEAGE = "Mileage"
_DAILY = "DailyAllowance"

# -- what the mapping takes and gives ----------------------------------------------------------


@attrs.frozen(kw_only=True)
class TravelSource:
    """One report as read: its expenses, and the descriptions (name, size) of the receipts
    of those expenses that have any (``attachmentCount`` > 0)."""

    report: severa.TravelReimbursement
    expenses: tuple[severa.ProjectTravelExpense, ...] = ()
    files: tuple[severa.TravelExpenseFile, ...] = ()


@attrs.frozen(kw_only=True)
class TravelLookups:
    """What the adapter read once per run.

    Attributes:
        eligible_statuses: :meth:`TravelSettings.eligible` of Severa's statuses.
        users: Severa's users by GUID (their codes are the employee numbers).
        language: the interface language the request is sent in (the credentials').
        currency: the company's currency.
        dimensions: the dimension register's naming of the reports' projects and units
            (:func:`~.invoice_lines.dimension_index`).
        netvisor_items: header -> the item names Netvisor has (a header missing here is
            missing in Netvisor).
        netvisor_employees: the employee numbers Netvisor has, when known; ``None``: not
            known (Netvisor's answer to the write tells).
    """

    eligible_statuses: frozenset[str] = frozenset()
    users: Mapping[str, severa.User] = attrs.field(factory=dict)
    language: str = "FI"
    currency: str = "EUR"
    dimensions: DimensionIndex = attrs.field(factory=DimensionIndex)
    netvisor_items: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    netvisor_employees: frozenset[str] | None = None


@attrs.frozen(kw_only=True)
class PlannedFile:
    """A receipt to read and attach: which file, to which line (kind and index)."""

    file_guid: str
    name: str
    mime_type: str
    description: str
    size: int | None
    line_kind: str  # "custom" | "travel" | "daily"
    line_index: int


@attrs.frozen(kw_only=True)
class TripPlan:
    """What to send for one report. ``data`` has no attachments yet: ``files`` say which
    to read (:func:`with_attachments`); ``missing_items`` are dimension items to create
    first, parents first; ``fingerprint`` is kept with the link."""

    guid: str
    label: str
    number: int | None
    data: netvisor.TripExpenseData
    files: tuple[PlannedFile, ...] = ()
    missing_items: tuple[DimensionSource, ...] = ()
    fingerprint: str = ""


@attrs.frozen(kw_only=True)
class TravelMapping:
    """The outcome for one report: a plan, refusals, or a reason to skip it."""

    guid: str
    label: str
    plan: TripPlan | None = None
    refusals: tuple[Refusal, ...] = ()
    skipped: Notice | None = None

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


# -- notices -----------------------------------------------------------------------------------

_NOTICES = (
    Rule(
        "travel.nothing_to_reimburse",
        "travelReimbursementRequired",
        "invoices.md §1.3 (N-TE)",
        "Matkalaskulla {report} on vain rivejä, joita ei korvata (esim. yrityskortilla "
        "maksetut): sitä ei siirretä Netvisoriin",
        "Travel report {report} has only lines that need no reimbursement (a company card, "
        "say); it is not transferred to Netvisor",
    ),
    Rule(
        "travel.zero_sum",
        "total",
        "invoices.md §1.3 (N-TE)",
        "Matkalaskun {report} summa on nolla: sitä ei siirretä Netvisoriin",
        "Travel report {report} sums to zero; it is not transferred to Netvisor",
    ),
    Rule(
        "travel.not_eligible",
        "travelReimbursementStatus",
        "invoices.md §5.13",
        "Matkalasku {report} ei ole hyväksytyssä tilassa ({status}): se siirtyy, kun se "
        "hyväksytään",
        "Travel report {report} is not in an approved status ({status}); it moves once it is "
        "approved",
    ),
    Rule(
        "travel.changed_after_transfer",
        "travelReimbursement",
        "invoices.md §5.13",
        "Matkalaskua {report} on muutettu Severassa sen siirron jälkeen: Netvisorin matkalaskua "
        "ei muuteta, korjaa se Netvisorissa",
        "Travel report {report} was changed in Severa after its transfer; the Netvisor travel "
        "invoice is not edited, correct it in Netvisor",
    ),
    Rule(
        "travel.outcome_unknown",
        "travelReimbursement",
        "invoices.md §2.4, §6",
        "Matkalaskun {report} siirron tulos jäi epäselväksi, eikä Netvisorista voi hakea "
        "matkalaskuja: tarkista Netvisorin matkalaskuista otsikko '{header}'. Silta ei lähetä "
        "sitä uudelleen ennen kuin merkitset sen siirretyksi tai lähetettäväksi uudelleen",
        "The outcome of sending travel report {report} is unknown, and Netvisor offers no read "
        "of travel invoices; look for the header '{header}' among Netvisor's travel invoices. "
        "Silta does not send it again until you mark it transferred or to be sent again",
    ),
)
NOTICES: Mapping[str, Rule] = {rule.id: rule for rule in _NOTICES}


def notice(rule_id: str, **values: object) -> Notice:
    """The :class:`Notice` of ``rule_id`` (a travel notice) filled from ``values``."""
    message_fi, message_en = fill(NOTICES[rule_id], **values)
    return Notice(rule=rule_id, message_fi=message_fi, message_en=message_en)


# -- small rules -------------------------------------------------------------------------------


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _person(source: TravelSource, lookups: TravelLookups) -> tuple[str | None, str | None]:
    """(name, code) of the report's person: Severa's user record first, else what the
    report and its expenses say of the user."""
    user_ref = source.report.user
    user = lookups.users.get(user_ref.guid) if user_ref and user_ref.guid else None
    name = user.name if user is not None else (user_ref.name if user_ref else None)
    code = user.code if user is not None else None
    if code is None:
        for expense in source.expenses:
            if expense.user is not None and expense.user.code:
                code = expense.user.code
                name = name or expense.user.name
                break
    code = code.strip() if code and code.strip() else None
    return name, code


def report_label(source: TravelSource, lookups: TravelLookups) -> str:
    """``"<number> <title> (<person>)"``, as texts and the run history name a report."""
    report = source.report
    person, _code = _person(source, lookups)
    head = " ".join(p for p in (str(report.number or ""), _one_line(report.title)) if p)
    head = head or report.guid
    return f"{head} ({person})" if person else head


def employee(source: TravelSource, lookups: TravelLookups, label: str) -> str | Refusal:
    """The Netvisor employee number of the report's person, or why there is none."""
    person, code = _person(source, lookups)
    if source.report.user is None and person is None:
        reason = ("matkalaskulla ei ole henkilöä", "the report names no person")
    elif code is None:
        reason = ("Severan käyttäjällä ei ole koodia", "the Severa user has no code")
    elif lookups.netvisor_employees is not None and code not in lookups.netvisor_employees:
        reason = (f"palkansaajanumeroa {code} ei ole Netvisorissa",
                  f"Netvisor has no employee number {code}")  # fmt: skip
    else:
        return code
    return refuse("travel.employee_not_matched", report=label, person=person,
                  reason_fi=reason[0], reason_en=reason[1])  # fmt: skip


def employee_refused(label: str, person: str | None, code: str, message: str) -> Refusal:
    """The refusal for a report ``tripexpense.nv`` refused for its employee number (Netvisor
    has no resource in the reference to check the number first); ``message`` is the text of
    Netvisor's own error answer."""
    return refuse("travel.employee_not_matched", report=label, person=person,
                  reason_fi=f"Netvisor ei tunne numeroa {code}: {message}",
                  reason_en=f"Netvisor does not know number {code}: {message}")  # fmt: skip


def size_text(size: int) -> str:
    """Bytes as a reader writes them: ``4.3`` (MB of 1,000,000 bytes, as the limit is read)."""
    megabytes = Decimal(size) / Decimal(1_000_000)
    return format(megabytes.quantize(Decimal("0.1")), "f")


def _money(value: severa.Money | None) -> Decimal:
    return value.amount if value is not None and value.amount is not None else _ZERO


def _quantity(expense: severa.ProjectTravelExpense) -> Decimal:
    return expense.quantity if expense.quantity is not None else _ONE


def _reimbursable(expense: severa.ProjectTravelExpense) -> bool:
    # Missing means the normal case: the document's boolean is always there.
    return expense.travel_reimbursement_required is not False


def _class(expense: severa.ProjectTravelExpense) -> str:
    kind = expense.travel_expense.expense_class if expense.travel_expense else None
    return kind or "OtherTravelExpense"


def _type_name(expense: severa.ProjectTravelExpense) -> str:
    kind = expense.travel_expense
    if kind is None:
        return "–"
    return _one_line(kind.name) or _one_line(kind.code) or kind.guid or "–"


def _day(expense: severa.ProjectTravelExpense, report: severa.TravelReimbursement) -> dt.date:
    if expense.event_date is not None:
        return expense.event_date
    if expense.travel_start_time is not None:
        return expense.travel_start_time.astimezone(_NETVISOR_TIME).date()
    if report.date is not None:
        return report.date.astimezone(_NETVISOR_TIME).date()
    raise ValueError(f"travel expense {expense.guid} has no date")


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(_NETVISOR_TIME).date() if value is not None else None


def _mime_type(file: severa.TravelExpenseFile) -> str:
    if file.content_type and "/" in file.content_type:
        return file.content_type.strip()
    guessed, _encoding = mimetypes.guess_type(file.name)
    return guessed or "application/octet-stream"


# -- the mapping -------------------------------------------------------------------------------


@attrs.frozen
class _Line:
    kind: str
    expense: severa.ProjectTravelExpense
    line: netvisor.TripCustomLine | netvisor.TripTravelLine | netvisor.TripDailyLine


def map_report(
    source: TravelSource,
    tenant: TenantSettings,
    settings: TravelSettings,
    lookups: TravelLookups,
) -> TravelMapping:
    """One Severa travel report as the Netvisor travel invoice to send, or why not.

    Skips come first (not eligible, nothing to reimburse, zero sum); then every rule is
    checked, so a refused report lists everything there is to fix.
    """
    report = source.report
    label = report_label(source, lookups)
    status = report.travel_reimbursement_status
    if status is None or status.guid not in lookups.eligible_statuses:
        shown = status.name if status is not None else None
        skipped = notice("travel.not_eligible", report=label, status=shown)
        return TravelMapping(guid=report.guid, label=label, skipped=skipped)
    expenses = source.expenses
    if expenses and not any(_reimbursable(expense) for expense in expenses):
        skipped = notice("travel.nothing_to_reimburse", report=label)
        return TravelMapping(guid=report.guid, label=label, skipped=skipped)
    total = sum((_quantity(e) * _money(e.unit_cost) for e in expenses), _ZERO)
    if not expenses or total == 0:
        return TravelMapping(guid=report.guid, label=label,
                             skipped=notice("travel.zero_sum", report=label))  # fmt: skip

    refusals: list[Refusal] = []
    code = employee(source, lookups, label)
    if isinstance(code, Refusal):
        refusals.append(code)
    identifier = code if isinstance(code, str) else "–"
    scope = attrs.evolve(tenant, include_phases=False)
    lines: list[_Line] = []
    missing: dict[str, DimensionSource] = {}
    refused_items: set[tuple[str, str]] = set()
    for expense in expenses:
        if settings.dimensions and tenant.include_phases:
            _phase_without_item(expense, tenant, lookups, label, refused_items, refusals)
        dimensions = _dimensions(expense, scope, settings, lookups, label, missing,
                                 refused_items, refusals)  # fmt: skip
        built = _line(expense, report, identifier, dimensions, settings, lookups, label)
        if isinstance(built, Refusal):
            refusals.append(built)
        else:
            lines.append(built)
    files = _files(source, lines, label, refusals)
    if refusals:
        return TravelMapping(guid=report.guid, label=label, refusals=tuple(refusals))
    title = _one_line(report.title)
    header = f"Severa {report.number}: {title}" if report.number is not None else title
    data = netvisor.TripExpenseData(
        header=header or f"Severa {report.guid}",
        description=f"Severa {report.guid}",
        custom_lines=tuple(x.line for x in lines if isinstance(x.line, netvisor.TripCustomLine)),
        travel_lines=tuple(x.line for x in lines if isinstance(x.line, netvisor.TripTravelLine)),
        daily_lines=tuple(x.line for x in lines if isinstance(x.line, netvisor.TripDailyLine)),
    )
    plan = TripPlan(
        guid=report.guid,
        label=label,
        number=report.number,
        data=data,
        files=files,
        missing_items=tuple(sorted(missing.values(), key=lambda item: item.depth)),
        fingerprint=fingerprint(source),
    )
    return TravelMapping(guid=report.guid, label=label, plan=plan)


def _phase_without_item(
    expense: severa.ProjectTravelExpense,
    tenant: TenantSettings,
    lookups: TravelLookups,
    label: str,
    refused: set[tuple[str, str]],
    refusals: list[Refusal],
) -> None:
    """Issue 19, settled with the sample: a travel line carries the project and its unit,
    not the phase; but when the company transfers phases, an expense booked on a sub-phase
    the dimension register refuses (no code, a code used twice) is refused, since no item
    can ever stand for it and creating one is not possible either: the KH gives the phase a
    code (``lookups.dimensions`` must then hold the reports' phases)."""
    phase = expense.phase.guid if expense.phase is not None else None
    index = lookups.dimensions
    if phase is None or index.phase_parents.get(phase) is None or phase in index.sources:
        return  # no phase, a root phase (the project itself), or a phase with its item
    name = _one_line(expense.phase.name if expense.phase else None) or phase
    header = tenant.project_header or "–"
    if (header, name) not in refused:
        refused.add((header, name))
        refusals.append(refuse("travel.dimension_item_missing", report=label, item=name,
                               header=header))  # fmt: skip


def _dimensions(
    expense: severa.ProjectTravelExpense,
    tenant: TenantSettings,
    settings: TravelSettings,
    lookups: TravelLookups,
    label: str,
    missing: dict[str, DimensionSource],
    refused: set[tuple[str, str]],
    refusals: list[Refusal],
) -> tuple[netvisor.InvoiceDimension, ...]:
    """The line's project and business unit items; missing ones to create or refused."""
    if not settings.dimensions or expense.project is None or not expense.project.guid:
        return ()
    items = line_dimensions(expense.project.guid, None, tenant, lookups.dimensions)
    for item in items:
        present = lookups.netvisor_items.get(item.header)
        if present is not None and item.name in present:
            continue
        if present is None or not settings.create_missing_items:
            if (item.header, item.name) not in refused:
                refused.add((item.header, item.name))
                refusals.append(refuse("travel.dimension_item_missing", report=label,
                                       item=item.name, header=item.header))  # fmt: skip
            continue
        for needed in ancestors(item, lookups.dimensions):
            if needed.name not in lookups.netvisor_items.get(needed.header, frozenset()):
                missing.setdefault(needed.guid, needed)
    return tuple(netvisor.InvoiceDimension(header=item.header, item=item.name) for item in items)


def _line(
    expense: severa.ProjectTravelExpense,
    report: severa.TravelReimbursement,
    identifier: str,
    dimensions: tuple[netvisor.InvoiceDimension, ...],
    settings: TravelSettings,
    lookups: TravelLookups,
    label: str,
) -> _Line | Refusal:
    """One expense as its Netvisor line, or the refusal of its unmapped type."""
    kind = _class(expense)
    type_guid = expense.travel_expense.guid if expense.travel_expense else None
    type_name = _type_name(expense)
    description = _one_line(expense.description) or type_name
    status = None if _reimbursable(expense) else "PAID"
    common: dict[str, Any] = {
        "employee_identifier": identifier,
        "line_status": status,
        "dimensions": dimensions,
    }
    unit_cost = _money(expense.unit_cost)
    day = _day(expense, report)
    if kind == _MILEAGE:
        travel_type = settings.travel_type(type_guid) if type_guid else None
        if travel_type is None:
            return refuse("travel.expense_type_unmapped", report=label, type=type_name,
                          target_fi="matkatyyppiin", target_en="travel type")  # fmt: skip
        return _Line("travel", expense, netvisor.TripTravelLine(
            **common, travel_type=travel_type, kilometer_amount=_quantity(expense),
            unit_price=unit_cost if expense.unit_cost is not None else None,
            description=type_name, travel_date=day, route_description=description,
        ))  # fmt: skip
    if kind == _DAILY:
        compensation = settings.compensation_type(type_guid) if type_guid else None
        if compensation is None:
            return refuse("travel.expense_type_unmapped", report=label, type=type_name,
                          target_fi="päivärahatyyppiin",
                          target_en="daily allowance type")  # fmt: skip
        midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=_NETVISOR_TIME)
        departure = expense.travel_start_time or midnight
        return _Line("daily", expense, netvisor.TripDailyLine(
            **common, compensation_type=compensation, amount=_quantity(expense),
            unit_price=unit_cost if expense.unit_cost is not None else None,
            description=description, departure=departure,
            return_time=expense.travel_end_time or departure,
        ))  # fmt: skip
    ratio = settings.ratio(type_guid, lookups.language) if type_guid else None
    if ratio is None:
        return refuse("travel.expense_type_unmapped", report=label, type=type_name,
                      target_fi=f"kululajiin ({lookups.language})",
                      target_en=f"expense type ({lookups.language})")  # fmt: skip
    currency = expense.unit_cost.currency_code if expense.unit_cost else None
    return _Line("custom", expense, netvisor.TripCustomLine(
        **common, ratio=ratio, amount=_quantity(expense), unit_price=unit_cost,
        currency=(currency or lookups.currency).upper(), vat_percent=expense.purchase_vat_rate,
        description=description,
        begin_date=_local_day(expense.travel_start_time) or day,
        end_date=_local_day(expense.travel_end_time) or day,
    ))  # fmt: skip


def _files(
    source: TravelSource, lines: Sequence[_Line], label: str, refusals: list[Refusal]
) -> tuple[PlannedFile, ...]:
    """Each receipt on the line of its expense; names over 100 characters and a total over
    4 MB refused (N-TE), for every expense of the report, whether or not its own line could
    be made. The sizes are Severa's; :func:`with_attachments` checks the bytes."""
    position: dict[str, tuple[str, int]] = {}
    counters = {"custom": 0, "travel": 0, "daily": 0}
    for built in lines:
        position[built.expense.guid] = (built.kind, counters[built.kind])
        counters[built.kind] += 1
    expenses = {expense.guid for expense in source.expenses}
    planned: list[PlannedFile] = []
    total = 0
    for file in source.files:
        if file.travel_expense_guid not in expenses or not file.file_guid:
            continue  # a receipt of an expense not on this report
        if len(file.name) > netvisor.ATTACHMENT_NAME_MAX:
            refusals.append(refuse("travel.attachment_name_too_long", report=label,
                                   name=file.name[:40] + "…", length=len(file.name),
                                   limit=netvisor.ATTACHMENT_NAME_MAX))  # fmt: skip
        size = int(file.size) if file.size is not None else None
        total += size or 0
        where = position.get(file.travel_expense_guid or "")
        if where is None:
            continue  # its line is refused: nothing will be sent
        planned.append(PlannedFile(
            file_guid=file.file_guid, name=file.name, mime_type=_mime_type(file),
            description=_one_line(file.description) or file.name, size=size,
            line_kind=where[0], line_index=where[1],
        ))  # fmt: skip
    if total > netvisor.ATTACHMENTS_MAX_BYTES:
        refusals.append(_too_large(label, total))
    return tuple(planned)


def _too_large(label: str, size: int) -> Refusal:
    limit = netvisor.ATTACHMENTS_MAX_BYTES
    return refuse("travel.attachments_too_large", report=label,
                  size=f"{size_text(size)} MB", limit=f"{size_text(limit)} MB")  # fmt: skip


def with_attachments(
    plan: TripPlan, contents: Mapping[str, bytes]
) -> netvisor.TripExpenseData | Refusal:
    """The plan's travel invoice with its receipts' bytes (``contents`` by file GUID).

    The sizes Severa gave were checked when the plan was made; the bytes are what Netvisor
    counts, so the limit is checked again here.
    """
    data = plan.data
    groups: dict[str, list[Any]] = {
        "custom": list(data.custom_lines),
        "travel": list(data.travel_lines),
        "daily": list(data.daily_lines),
    }
    total = 0
    for file in plan.files:
        content = contents[file.file_guid]
        total += len(content)
        attachment = netvisor.TripExpenseAttachment(
            mime_type=file.mime_type, description=file.description, file_name=file.name,
            data=content,
        )  # fmt: skip
        line = groups[file.line_kind][file.line_index]
        groups[file.line_kind][file.line_index] = attrs.evolve(
            line, attachments=(*line.attachments, attachment)
        )
    if total > netvisor.ATTACHMENTS_MAX_BYTES:
        return _too_large(plan.label, total)
    return attrs.evolve(
        data,
        custom_lines=tuple(groups["custom"]),
        travel_lines=tuple(groups["travel"]),
        daily_lines=tuple(groups["daily"]),
    )


def fingerprint(source: TravelSource) -> str:
    """A digest of what Severa says of a report: its person, title and every expense and
    receipt. Not its status, which the transfer itself may change."""

    def plain(value: object) -> object:
        return format(value.normalize(), "f") if isinstance(value, Decimal) else value

    report = source.report
    shape = {
        "number": report.number,
        "title": report.title,
        "user": report.user.guid if report.user else None,
        "expenses": sorted(
            [e.guid, e.travel_expense.guid if e.travel_expense else None, plain(e.quantity),
             plain(_money(e.unit_cost)), plain(e.purchase_vat_rate), _reimbursable(e),
             e.event_date.isoformat() if e.event_date else None,
             e.project.guid if e.project else None, e.description]
            for e in source.expenses
        ),
        "files": sorted([f.guid or "", plain(f.size)] for f in source.files),
    }  # fmt: skip
    canonical = json.dumps(shape, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_after_transfer(stored: str, source: TravelSource, label: str) -> Notice | None:
    """§5.13: the notice for a report Severa changed after its transfer (``None``: same)."""
    if fingerprint(source) == stored:
        return None
    return notice("travel.changed_after_transfer", report=label)
