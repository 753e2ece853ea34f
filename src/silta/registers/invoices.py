"""Severa sales invoices and credit notes as Netvisor sales invoices: the rules, pure.

:func:`map_invoice` takes one Severa invoice with its rows and the entries billed on them
(:class:`InvoiceSource`), the company's settings and what the registers already know
(:class:`InvoiceLookups`), and gives the exact ``salesinvoice.nv`` value to send
(:class:`InvoicePlan`) or the refusals that stop it, each a rule of :mod:`.rules`. Nothing
here does I/O; the adapter reads, calls this, and writes.

The settled points of ``reference/invoices.md`` §5, one function each:

* 5 :func:`invoice_customer`: ``billingCustomer``, never ``customer``; its link from the
  customer register; with customers in TEMP mode the ``TEMP`` card plus the real name and
  address (Netvisor copies nothing from the card once any address element is given);
  otherwise refused, naming the register's own refusal of that customer when there is one.
* 6 :func:`row_product`: a row's single code is the Netvisor product code (or, for work
  types and travel expense types, the KH's mapping of it); several codes go to the KH's
  fallback product, keeping Severa's description as the line's name, with a notice. In
  TEMP product mode a code Netvisor has still goes to that product; the rest go to TEMP.
* 7 :func:`~.invoice_lines.row_parts`, :func:`~.invoice_lines.line_dimensions`:
  dimensions per line from the fees, hours and travel billed on the row, named exactly as
  the dimension register names its items (:mod:`.dimensions`); a row spanning several
  projects or phases is split only when the parts add up exactly, else it keeps the
  majority's and says so.
* 8 :func:`~.invoice_lines.line_amounts`: ``Decimal`` throughout, each line rounded
  half-up to cents, and the lines must add up to Severa's ``totalIncludingTax`` to the
  cent (when rounding VAT once per rate is what makes them add up, that is done, with a
  notice; any other difference refuses the invoice with both figures).
* 9 :func:`~.invoice_lines.zero_vat_case`, :func:`~.invoice_lines.line_vat`: a rate above
  0 is ``KOMY`` and must be in force on the invoice's date; 0 % (and reverse charge)
  takes the KH's code for its case; reverse charge and EU sales need the buyer's VAT ID.
* 10 credit notes: only after the credited invoice is linked; its date decides which VAT
  rates are valid (a credit note of a 24 % invoice stays 24 %); negative quantities and
  total, positive unit price (a negative price's sign goes into the quantity, on every
  line).
* 11 :func:`fingerprint` and :func:`changed_after_transfer`: a transferred invoice is never
  edited; a later change in Severa is reported.
* 14 :func:`private_comment`: ``Severa <guid>`` for the people reading Netvisor; the link
  itself lives in Silta's link table (Severa has no field for it).

And §5.3's number check, :func:`reconcile`: what ``salesinvoicelist.nv?invoicenumber=``
found either is this invoice (adopt its key, send nothing) or another one (refused).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs

from silta import netvisor, severa
from silta.domain import TEMP_CODE, CustomerDirection, ProductDirection, Refusal, TenantSettings
from silta.registers.dimensions import DimensionSource
from silta.registers.finnish import InvalidReferenceError, parse_reference, round_cents
from silta.registers.invoice_lines import (
    EU_COUNTRIES,
    HOME_COUNTRY,
    DimensionIndex,
    Entry,
    LineAmounts,
    Part,
    ancestors,
    dimension_index,
    line_amounts,
    line_dimensions,
    line_vat,
    majority,
    money_text,
    needs_vat_id,
    row_parts,
    settle_per_rate,
    split_row,
    zero_vat_case,
)
from silta.registers.invoice_notices import NOTICES, Notice, notice
from silta.registers.invoice_settings import (
    DEFAULT_READY_STATUS,
    DEFAULT_TRANSFERRED_STATUS,
    DEFAULT_ZERO_VAT_CODES,
    InvoiceSettings,
    NetvisorInvoiceStatus,
    StatusProblem,
    TransferMode,
    ZeroVatCase,
    default_statuses,
    status_problems,
)
from silta.registers.rules import refuse

__all__ = [
    "DEFAULT_READY_STATUS",
    "DEFAULT_TRANSFERRED_STATUS",
    "DEFAULT_ZERO_VAT_CODES",
    "EU_COUNTRIES",
    "HOME_COUNTRY",
    "NOTICES",
    "CustomerTarget",
    "DimensionIndex",
    "InvoiceLookups",
    "InvoiceMapping",
    "InvoicePlan",
    "InvoiceSettings",
    "InvoiceSource",
    "LineAmounts",
    "NetvisorInvoiceStatus",
    "Notice",
    "OriginalInvoice",
    "Part",
    "PlannedLine",
    "StatusProblem",
    "TransferMode",
    "ZeroVatCase",
    "buyer_country",
    "changed_after_transfer",
    "country_index",
    "default_statuses",
    "dimension_index",
    "entries_needed",
    "fingerprint",
    "invoice_customer",
    "map_invoice",
    "needs_invoice_settings",
    "notice",
    "original_of",
    "private_comment",
    "reconcile",
    "row_product",
    "status_problems",
]

_ZERO = Decimal(0)
_REVERSE_CHARGE_TEXT = "Käännetty verovelvollisuus / Reverse charge"

# -- what the mapping takes ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class InvoiceSource:
    """One Severa invoice as read for the transfer.

    ``fees``, ``hours`` and ``travel`` are the invoice's billed entries (each names its row by
    ``invoice_row_guid``); they are read only when :func:`entries_needed` says so.
    ``settings`` is the invoice's own ``invoicesettings``, read when
    :func:`needs_invoice_settings` says so (a 0 % row: is it reverse charge?).
    """

    invoice: severa.Invoice
    rows: tuple[severa.InvoiceRow, ...]
    fees: tuple[severa.ProjectFee, ...] = ()
    hours: tuple[severa.WorkHour, ...] = ()
    travel: tuple[severa.ProjectTravelExpense, ...] = ()
    settings: severa.InvoiceSettings | None = None

    def entries_by_row(self) -> dict[str, list[Entry]]:
        """Every billed entry under the GUID of the row it was billed on."""
        by_row: dict[str, list[Entry]] = {}
        everything: tuple[Entry, ...] = (*self.fees, *self.hours, *self.travel)
        for entry in everything:
            if entry.invoice_row_guid:
                by_row.setdefault(entry.invoice_row_guid, []).append(entry)
        return by_row


@attrs.frozen(kw_only=True)
class CustomerTarget:
    """Where the customer register's link points in Netvisor: the code, else the key."""

    code: str | None = None
    netvisor_key: int | None = None


@attrs.frozen(kw_only=True)
class OriginalInvoice:
    """The invoice a credit note credits, as Silta transferred it."""

    guid: str
    netvisor_key: int
    number: str | None
    date: date


def country_index(countries: Iterable[severa.Country]) -> tuple[dict[str, str], frozenset[str]]:
    """Severa's countries as ``text -> ISO alpha-2`` (by name, English name and codes), and
    the codes Severa marks as in the EU. The invoice's receiver address gives its country as
    text, as printed."""
    codes: dict[str, str] = {}
    eu: set[str] = set()
    for country in countries:
        if not country.code2:
            continue
        code = country.code2.upper()
        for text in (country.name, country.english_name, country.code2, country.code3):
            if text:
                codes.setdefault(text.strip().casefold(), code)
        if country.is_in_eu:
            eu.add(code)
    return codes, frozenset(eu)


@attrs.frozen(kw_only=True)
class InvoiceLookups:
    """What Silta already knows, gathered by the adapter once per run.

    Attributes:
        customers: Severa customer GUID -> its Netvisor customer (the customer register's
            links, whichever way that register runs).
        customer_refusals: Severa customer GUID -> the customer register's latest refusal of
            it, quoted when an invoice is refused for want of that customer.
        netvisor_products: the product codes Netvisor has.
        temp_customer_exists, temp_product_exists: whether Netvisor has the TEMP cards.
        dimensions: the dimension register's naming for the invoices' projects
            (:func:`~.invoice_lines.dimension_index`).
        netvisor_items: dimension header -> the item names Netvisor has under it; a header
            missing here is missing in Netvisor.
        countries, eu_countries: from :func:`country_index`.
        originals: Severa GUID of a transferred invoice -> how it was transferred.
    """

    customers: Mapping[str, CustomerTarget] = attrs.field(factory=dict)
    customer_refusals: Mapping[str, Refusal] = attrs.field(factory=dict)
    netvisor_products: frozenset[str] = frozenset()
    temp_customer_exists: bool = True
    temp_product_exists: bool = True
    dimensions: DimensionIndex = attrs.field(factory=DimensionIndex)
    netvisor_items: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    countries: Mapping[str, str] = attrs.field(factory=dict)
    eu_countries: frozenset[str] = EU_COUNTRIES
    originals: Mapping[str, OriginalInvoice] = attrs.field(factory=dict)


# -- what the mapping gives ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class InvoicePlan:
    """What to send for one invoice, and what must exist first.

    ``missing_items`` are dimension items to create first (parents before children), through
    the dimension register's own code and links; only when the settings allow it.
    ``fingerprint`` is kept with the link, for :func:`changed_after_transfer`.
    """

    guid: str
    number: str
    data: netvisor.SalesInvoiceData
    is_credit_note: bool = False
    original: OriginalInvoice | None = None
    missing_items: tuple[DimensionSource, ...] = ()
    fingerprint: str = ""


@attrs.frozen(kw_only=True)
class InvoiceMapping:
    """The outcome for one invoice: a plan, or refusals, or a reason to wait; and notices."""

    guid: str
    label: str  # "<number> (<billing customer>)", for texts and the run history
    plan: InvoicePlan | None = None
    refusals: tuple[Refusal, ...] = ()
    notices: tuple[Notice, ...] = ()
    waiting: Notice | None = None

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


# -- what to read for an invoice -------------------------------------------------------------

_ENTRY_KINDS = {"ProjectFees": "fees", "Hours": "hours", "TravelExpenses": "travel"}


def needs_invoice_settings(rows: Iterable[severa.InvoiceRow]) -> bool:
    """Whether the invoice's ``invoicesettings`` must be read: only a 0 % row asks whether
    the invoice is reverse charged (a reverse-charged row carries no VAT)."""
    return any(row.vat_rate is not None and row.vat_rate == _ZERO for row in rows)


def entries_needed(rows: Iterable[severa.InvoiceRow], settings: InvoiceSettings) -> frozenset[str]:
    """Which billed-entry lists to read for an invoice: ``fees``, ``hours``, ``travel``.

    With dimensions on lines, the kinds of rows present; without, only the fees of 0 % fee
    rows (their product type tells goods from services for the EU codes). One call each per
    invoice, however many rows it has: the minimum (``docs/architecture.md``).
    """
    kinds: set[str] = set()
    for row in rows:
        kind = _ENTRY_KINDS.get(row.row_type or "")
        if kind is None:
            continue
        zero_rated_fees = kind == "fees" and row.vat_rate is not None and row.vat_rate == _ZERO
        if settings.dimensions_on_lines or zero_rated_fees:
            kinds.add(kind)
    return frozenset(kinds)


# -- §5.14, §5.10: small rules ---------------------------------------------------------------


def private_comment(guid: str) -> str:
    """Netvisor's private comment for an invoice from Severa: where it came from."""
    return f"Severa {guid}"


def original_of(invoice: severa.Invoice) -> severa.RelatedInvoice | None:
    """The invoice a credit note credits.

    The document does not say which of ``reimburseInvoice`` and ``creditNoteInvoice`` points
    from the credit note to the original; Severa calls crediting "reimbursing", so
    ``reimburseInvoice`` is read first and ``creditNoteInvoice`` as the fallback, and never
    the credit note itself.
    """
    if not invoice.is_credit_note:
        return None
    for related in (invoice.reimburse_invoice, invoice.credit_note_invoice):
        if related is not None and related.guid and related.guid != invoice.guid:
            return related
    return None


def _label(invoice: severa.Invoice) -> str:
    who = invoice.billing_customer.name if invoice.billing_customer else None
    who = who or invoice.receiver_customer_name
    number = str(invoice.number) if invoice.number is not None else invoice.guid
    return f"{number} ({who})" if who else number


def _text(value: str | None) -> str | None:
    """One line of text: blanks trimmed, line breaks (a multi-line address) joined."""
    if value is None:
        return None
    joined = ", ".join(part.strip() for part in value.splitlines() if part.strip())
    return joined or None


# -- §5.5: the customer ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Customer:
    identifier: str
    identifier_type: str = "customer"
    name: str | None = None
    address_line: str | None = None
    post_number: str | None = None
    town: str | None = None
    country: str | None = None


def buyer_country(invoice: severa.Invoice, lookups: InvoiceLookups) -> str | None:
    """The buyer's country (ISO alpha-2) from the invoice's receiver address.

    An empty country is the home country (a Finnish invoice seldom prints "Suomi"); a text
    Severa's country list does not know is ``None``: unknown, never guessed.
    """
    text = invoice.receiver_address.country if invoice.receiver_address else None
    if text is None or not text.strip():
        return HOME_COUNTRY
    key = text.strip().casefold()
    if key in lookups.countries:
        return lookups.countries[key]
    if len(key) == 2 and key.isalpha() and key.isascii():
        return key.upper()
    return None


def invoice_customer(
    invoice: severa.Invoice, tenant: TenantSettings, lookups: InvoiceLookups, label: str
) -> _Customer | Refusal:
    """§5.5: the Netvisor customer an invoice goes to, or why it cannot go."""
    billing = invoice.billing_customer
    name = (billing.name if billing else None) or invoice.receiver_customer_name
    if tenant.customers is CustomerDirection.TEMP_CUSTOMER:
        if not lookups.temp_customer_exists:
            return refuse("invoices.temp_missing", invoice=label,
                          card_fi="tilapäisasiakasta", card_en="temporary customer")  # fmt: skip
        address = invoice.receiver_address
        return _Customer(
            identifier=TEMP_CODE,
            name=_text(invoice.receiver_customer_name) or _text(name) or TEMP_CODE,
            address_line=_text(address.addressline) if address else None,
            post_number=_text(address.postal_code) if address else None,
            town=_text(address.city) if address else None,
            country=buyer_country(invoice, lookups) if address else None,
        )
    target = lookups.customers.get(billing.guid) if billing and billing.guid else None
    if target is not None and target.code:
        return _Customer(identifier=target.code)
    if target is not None and target.netvisor_key is not None:
        return _Customer(identifier=str(target.netvisor_key), identifier_type="netvisor")
    known = lookups.customer_refusals.get(billing.guid) if billing and billing.guid else None
    return refuse(
        "invoices.customer_not_synchronised",
        invoice=label,
        customer=name,
        reason_fi=f" ({known.message_fi})" if known else "",
        reason_en=f" ({known.message_en})" if known else "",
    )


# -- §5.6: the product of a row --------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Product:
    code: str
    name: str
    several: tuple[str, ...] = ()  # the codes, when the fallback stands in for several


def _codes(row: severa.InvoiceRow) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code.strip() for code in row.code or () if code and code.strip()))


def _row_name(row: severa.InvoiceRow, fallback: str) -> str:
    return _text(row.description) or fallback


def row_product(
    row: severa.InvoiceRow,
    tenant: TenantSettings,
    settings: InvoiceSettings,
    lookups: InvoiceLookups,
    *,
    label: str,
    row_label: str,
) -> _Product | Refusal:
    """§5.6: the Netvisor product of a row, or why there is none."""
    codes = _codes(row)
    if tenant.products is ProductDirection.TEMP_PRODUCT:
        # §5.6: the code first (a product the company keeps in Netvisor by hand), then TEMP
        if len(codes) == 1:
            code = codes[0]
            target = code if code in lookups.netvisor_products else settings.netvisor_product(code)
            if target is not None and target in lookups.netvisor_products:
                return _Product(code=target, name=_row_name(row, code))
        if not lookups.temp_product_exists:
            return refuse("invoices.temp_missing", invoice=label,
                          card_fi="tilapäistuotetta", card_en="temporary product")  # fmt: skip
        return _Product(code=TEMP_CODE, name=_row_name(row, codes[0] if codes else TEMP_CODE))
    if len(codes) == 1:
        code = codes[0]
        target = code if code in lookups.netvisor_products else settings.netvisor_product(code)
        if target is not None and target in lookups.netvisor_products:
            return _Product(code=target, name=_row_name(row, code))
        return refuse(
            "invoices.product_not_synchronised", invoice=label, row=row_label, code=code,
            fix_fi="synkronoi tuote tuoterekisterissä tai liitä koodi Netvisorin tuotteeseen "
            "laskujen siirtoasetuksissa",
            fix_en="synchronise the product in the product register or map the code to a "
            "Netvisor product in the invoice transfer settings",
        )  # fmt: skip
    fallback = settings.fallback_product
    if fallback is not None and fallback in lookups.netvisor_products:
        return _Product(code=fallback, name=_row_name(row, fallback), several=codes)
    what_fi, what_en = ("useita koodeja", "several codes") if codes else ("ei koodia", "no code")
    return refuse(
        "invoices.product_not_synchronised", invoice=label, row=row_label,
        code=", ".join(codes) or "–",
        fix_fi=f"rivillä on {what_fi}: valitse laskujen siirtoasetuksista Netvisorissa oleva "
        "tuote tällaisille riveille",
        fix_en=f"the row has {what_en}; choose a product Netvisor has for such rows in the "
        "invoice transfer settings",
    )  # fmt: skip


# -- §5.9: goods or services -----------------------------------------------------------------


def _goods(row: severa.InvoiceRow, entries: Sequence[Entry]) -> bool:
    """A fee row whose every fee is a material sells goods; hours and travel are services."""
    if row.row_type != "ProjectFees":
        return False
    types = [entry.product_type for entry in entries if isinstance(entry, severa.ProjectFee)]
    return bool(types) and all(kind == "Materials" for kind in types)


# -- §5.3, §5.11: against what Netvisor has --------------------------------------------------


def reconcile(
    data: netvisor.SalesInvoiceData, found: Iterable[netvisor.SalesInvoiceSummary]
) -> int | Refusal | None:
    """§5.3: what the lookup by number found, judged.

    ``None``: nothing with this number, send it. An ``int``: the NetvisorKey of this very
    invoice, already there (a lost answer, a crash before the link was stored): adopt it and
    send nothing. A :class:`Refusal` (``invoices.number_in_use``): the number belongs to
    another invoice. The same invoice has the same customer and total; a private comment
    naming a Severa GUID, when Netvisor returns one, must name this invoice.
    """
    others = []
    for summary in found:
        if summary.number is not None and summary.number.strip() != (data.number or ""):
            continue  # a looser match of the number filter than the number itself
        if _same_invoice(data, summary):
            return summary.netvisor_key
        others.append(summary)
    if not others:
        return None
    other = others[0]
    return refuse(
        "invoices.number_in_use",
        number=data.number,
        other_customer=other.customer_name or other.customer_code,
        other_total=money_text(other.amount) if other.amount is not None else None,
    )


def _same_invoice(data: netvisor.SalesInvoiceData, summary: netvisor.SalesInvoiceSummary) -> bool:
    comment = (summary.private_comment or "").strip()
    if comment.startswith("Severa ") and comment != (data.private_comment or ""):
        return False
    if summary.amount is None or round_cents(summary.amount) != round_cents(data.amount):
        return False
    if data.customer_identifier_type == "netvisor":
        return str(summary.customer_key) == data.customer_identifier
    return (summary.customer_code or "").strip() == data.customer_identifier


def fingerprint(invoice: severa.Invoice, rows: Sequence[severa.InvoiceRow]) -> str:
    """A digest of what Severa says of an invoice (§5.11): its header figures and every row.

    Kept with the link when the invoice is transferred and compared when it is seen again.
    It is taken from Severa's side, so a project renamed in Netvisor later is no "change".
    """

    def plain(value: object) -> object:
        return format(value.normalize(), "f") if isinstance(value, Decimal) else value

    def money(value: severa.Money | None) -> object:
        return None if value is None else [plain(value.amount), value.currency_code]

    shape = {
        "number": invoice.number,
        "reference": invoice.reference_number,
        "date": invoice.date.isoformat() if invoice.date else None,
        "due": invoice.due_date.isoformat() if invoice.due_date else None,
        "customer": invoice.billing_customer.guid if invoice.billing_customer else None,
        "total": money(invoice.total_including_tax),
        "tax": money(invoice.total_tax),
        "rows": [
            [row.guid, plain(row.quantity), money(row.unit_price), plain(row.vat_rate),
             row.description, list(row.code or ())]
            for row in sorted(rows, key=lambda row: row.guid)
        ],
    }  # fmt: skip
    canonical = json.dumps(shape, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_after_transfer(stored: str, mapping: InvoiceMapping) -> Notice | None:
    """§5.11: the notice for an invoice Severa changed after it was transferred (``stored``
    is the fingerprint kept with its link). The Netvisor invoice is never edited."""
    if mapping.plan is None or mapping.plan.fingerprint == stored:
        return None
    return notice("invoices.changed_after_transfer", invoice=mapping.label)


# -- the whole invoice -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PlannedLine:
    """One line to send: the product, its figures, VAT code, items and sales account."""

    product: str
    name: str
    amounts: LineAmounts
    vat_code: str
    items: tuple[DimensionSource, ...] = ()
    account: str | None = None
    row: str = ""  # the Severa row it comes from, as texts name it


@attrs.frozen(kw_only=True)
class _Context:
    """What every row of one invoice is checked with."""

    source: InvoiceSource
    tenant: TenantSettings
    settings: InvoiceSettings
    lookups: InvoiceLookups
    label: str
    vat_day: date | None  # None: a credit note whose original is not known yet
    reverse_charged: bool
    country: str | None
    entries: Mapping[str, Sequence[Entry]]  # billed entries by row GUID


def map_invoice(
    source: InvoiceSource,
    tenant: TenantSettings,
    settings: InvoiceSettings,
    lookups: InvoiceLookups,
) -> InvoiceMapping:
    """One Severa invoice or credit note as the Netvisor sales invoice to send, or why not.

    Every rule is checked, so a refused invoice lists everything there is to fix at once;
    only the total is compared once the lines are complete (with a row refused, the sum of
    the others says nothing).
    """
    invoice = source.invoice
    label = _label(invoice)
    if invoice.number is None:
        return InvoiceMapping(guid=invoice.guid, label=label,
                              waiting=notice("invoices.not_numbered", invoice=label))  # fmt: skip
    if invoice.date is None:
        return InvoiceMapping(guid=invoice.guid, label=label,
                              waiting=notice("invoices.not_dated", invoice=label))  # fmt: skip
    if not source.rows:
        return InvoiceMapping(guid=invoice.guid, label=label,
                              waiting=notice("invoices.no_rows", invoice=label))  # fmt: skip
    refusals: list[Refusal] = []
    notices: list[Notice] = []

    currency = _currency(invoice)
    if currency and currency.upper() != tenant.currency.upper():
        refusals.append(refuse("invoices.currency_not_company", invoice=label,
                               currency=currency, company_currency=tenant.currency))  # fmt: skip
    reference = _reference(invoice, label, refusals, notices)
    customer = invoice_customer(invoice, tenant, lookups, label)
    if isinstance(customer, Refusal):
        refusals.append(customer)
    original = _original(invoice, lookups, label, refusals)

    reverse_charged = False
    if needs_invoice_settings(source.rows):
        if source.settings is None:
            raise ValueError("a 0 % row needs the invoice's invoicesettings read first")
        reverse_charged = source.settings.is_reverse_charged
    context = _Context(
        source=source, tenant=tenant, settings=settings, lookups=lookups, label=label,
        # The supply date decides the rate; a credit note corrects its original's supply,
        # and waits for it: without the original there is no date to check its rates on.
        vat_day=original.date if original is not None else (
            None if invoice.is_credit_note else invoice.date),
        reverse_charged=reverse_charged, country=buyer_country(invoice, lookups),
        entries=source.entries_by_row(),
    )  # fmt: skip
    lines: list[PlannedLine] = []
    vat_id_needed = reverse_charged
    for position, row in enumerate(sorted(source.rows, key=lambda row: row.sort_order or 0), 1):
        planned, needs_id = _row(row, position, context, refusals, notices)
        lines.extend(planned)
        vat_id_needed = vat_id_needed or needs_id
    if vat_id_needed and not (invoice.receiver_vat_number or "").strip():
        refusals.append(refuse("invoices.reverse_charge_vat_id_missing", invoice=label))
    missing = _missing_items(lines, context, refusals)
    if not refusals:
        lines = _settle_total(invoice, lines, label, refusals, notices)
    if refusals or isinstance(customer, Refusal):
        return InvoiceMapping(guid=invoice.guid, label=label, refusals=tuple(refusals),
                              notices=tuple(notices))  # fmt: skip

    data = netvisor.SalesInvoiceData(
        number=str(invoice.number),
        date=invoice.date,
        due_date=invoice.due_date,
        reference_number=reference,
        amount=sum((line.amounts.gross for line in lines), _ZERO),
        currency=tenant.currency.upper(),
        status=settings.netvisor_status.value,
        free_text_after_lines=_free_text(invoice, original, reverse_charged, source.settings),
        our_reference=_text(invoice.our_reference),
        your_reference=_text(invoice.your_reference),
        private_comment=private_comment(invoice.guid),
        customer_identifier=customer.identifier,
        customer_identifier_type=customer.identifier_type,
        customer_name=customer.name,
        customer_address_line=customer.address_line,
        customer_post_number=customer.post_number,
        customer_town=customer.town,
        customer_country=customer.country,
        payment_term_net_days=_payment_term(invoice),
        order_number=_text(invoice.order_number),
        lines=tuple(_netvisor_line(line) for line in lines),
    )
    plan = InvoicePlan(
        guid=invoice.guid,
        number=str(invoice.number),
        data=data,
        is_credit_note=invoice.is_credit_note,
        original=original,
        missing_items=missing,
        fingerprint=fingerprint(invoice, source.rows),
    )
    return InvoiceMapping(guid=invoice.guid, label=label, plan=plan, notices=tuple(notices))


def _currency(invoice: severa.Invoice) -> str | None:
    if invoice.currency is not None and invoice.currency.code:
        return invoice.currency.code
    total = invoice.total_including_tax
    return total.currency_code if total is not None else None


def _reference(
    invoice: severa.Invoice, label: str, refusals: list[Refusal], notices: list[Notice]
) -> str | None:
    """The reference number as the payer writes it (spaces dropped), validated."""
    text = invoice.reference_number
    if text is None or not text.strip():
        notices.append(notice("invoices.reference_missing", invoice=label))
        return None
    try:
        return parse_reference(text).text
    except InvalidReferenceError as invalid:
        refusals.append(refuse(
            "invoices.reference_invalid", invoice=label, reference=text,
            reason_fi=invalid.message_fi, reason_en=invalid.message_en,
        ))  # fmt: skip
        return None


def _original(
    invoice: severa.Invoice, lookups: InvoiceLookups, label: str, refusals: list[Refusal]
) -> OriginalInvoice | None:
    """§5.10: a credit note's original, which must have been transferred (linked) first."""
    if not invoice.is_credit_note:
        return None
    related = original_of(invoice)
    original = lookups.originals.get(related.guid) if related and related.guid else None
    if original is None:
        shown = related.number if related and related.number is not None else None
        refusals.append(refuse("invoices.credit_note_before_original", invoice=label,
                               original=shown))  # fmt: skip
    return original


def _row(
    row: severa.InvoiceRow,
    position: int,
    context: _Context,
    refusals: list[Refusal],
    notices: list[Notice],
) -> tuple[list[PlannedLine], bool]:
    """One row's lines, and whether its VAT needs the buyer's VAT ID."""
    label = context.label
    row_label = f"{position} ({_text(row.description) or ', '.join(_codes(row)) or '–'})"
    product = row_product(row, context.tenant, context.settings, context.lookups,
                          label=label, row_label=row_label)  # fmt: skip
    if isinstance(product, Refusal):
        refusals.append(product)
    elif product.several:
        notices.append(notice("invoices.several_codes", invoice=label, row=row_label,
                              codes=", ".join(product.several), product=product.code))  # fmt: skip
    rate = row.vat_rate if row.vat_rate is not None else _ZERO
    case = None
    if rate == _ZERO:
        case = zero_vat_case(
            reverse_charged=context.reverse_charged, country=context.country,
            goods=_goods(row, context.entries.get(row.guid, ())),
            eu=context.lookups.eu_countries,
        )  # fmt: skip
    vat = line_vat(rate, day=context.vat_day, case=case, settings=context.settings)
    if isinstance(vat, tuple):
        rule_id, values = vat
        refusals.append(refuse(rule_id, invoice=label, row=row_label, **values))
    if isinstance(product, Refusal) or isinstance(vat, tuple):
        return [], needs_vat_id(case)
    quantity = row.quantity if row.quantity is not None else _ZERO
    price = row.unit_price.amount if row.unit_price and row.unit_price.amount else _ZERO
    account = _text(row.sales_account.number) if row.sales_account else None
    return [
        PlannedLine(product=product.code, name=product.name, vat_code=vat, account=account,
                    amounts=line_amounts(part_quantity, price, rate), items=tuple(items),
                    row=row_label)
        for part_quantity, items in _row_split(row, quantity, price, context, row_label, notices)
    ], needs_vat_id(case)  # fmt: skip


def _row_split(
    row: severa.InvoiceRow,
    quantity: Decimal,
    price: Decimal,
    context: _Context,
    row_label: str,
    notices: list[Notice],
) -> list[tuple[Decimal, list[DimensionSource]]]:
    """§5.7: the (quantity, items) of each line a row becomes; one line unless split."""
    if not context.settings.dimensions_on_lines:
        return [(quantity, [])]
    tenant, index, label = context.tenant, context.lookups.dimensions, context.label
    parts = row_parts(row.guid, context.entries.get(row.guid, ()))
    if not parts:
        # Nothing billed on the row names a project (a flat rate, say): the invoice's own
        # project when it has exactly one.
        projects = [p.guid for p in context.source.invoice.projects or () if p.guid]
        if len(projects) == 1:
            return [(quantity, line_dimensions(projects[0], None, tenant, index))]
        if tenant.project_header:
            notices.append(notice("invoices.dimension_unknown", invoice=label, row=row_label))
        return [(quantity, [])]
    split = split_row(quantity, price, parts)
    if split is not None:
        return [(part.quantity, line_dimensions(part.project, part.phase, tenant, index))
                for part in split]  # fmt: skip
    chosen = majority(parts)
    items = line_dimensions(chosen.project, chosen.phase, tenant, index)
    if len(parts) > 1:
        notices.append(notice("invoices.dimension_majority", invoice=label, row=row_label,
                              item=", ".join(item.name for item in items) or "–"))  # fmt: skip
    return [(quantity, items)]


def _missing_items(
    lines: Sequence[PlannedLine], context: _Context, refusals: list[Refusal]
) -> tuple[DimensionSource, ...]:
    """The items to create before the invoice, parents first; or a refusal per missing item
    when creating is off, or when its header is missing (headers are never created)."""
    lookups = context.lookups
    missing: dict[str, DimensionSource] = {}
    refused: set[tuple[str, str]] = set()
    for line in lines:
        for item in line.items:
            present = lookups.netvisor_items.get(item.header)
            if present is not None and item.name in present:
                continue
            if present is None or not context.settings.create_missing_items:
                if (item.header, item.name) not in refused:
                    refused.add((item.header, item.name))
                    refusals.append(refuse(
                        "invoices.dimension_item_missing", invoice=context.label,
                        row=line.row, item=item.name, header=item.header,
                    ))  # fmt: skip
                continue
            for needed in ancestors(item, lookups.dimensions):
                if needed.name not in lookups.netvisor_items.get(needed.header, frozenset()):
                    missing.setdefault(needed.guid, needed)
    return tuple(sorted(missing.values(), key=lambda item: item.depth))


def _settle_total(
    invoice: severa.Invoice,
    lines: list[PlannedLine],
    label: str,
    refusals: list[Refusal],
    notices: list[Notice],
) -> list[PlannedLine]:
    """§5.8: the lines must add up to Severa's total including VAT, to the cent."""
    total_money = invoice.total_including_tax
    if total_money is None or total_money.amount is None:
        return lines
    severa_total = round_cents(total_money.amount)
    amounts = [line.amounts for line in lines]
    total = sum((line.gross for line in amounts), _ZERO)
    if total == severa_total:
        return lines
    settled = settle_per_rate(amounts, severa_total)
    if settled is None:
        refusals.append(refuse("invoices.total_mismatch", invoice=label,
                               lines_total=money_text(total),
                               severa_total=money_text(severa_total)))  # fmt: skip
        return lines
    for line, before, after in zip(lines, amounts, settled, strict=True):
        if before != after:
            notices.append(notice("invoices.vat_rounded_per_rate", invoice=label, row=line.row,
                                  difference=money_text(after.vat - before.vat)))  # fmt: skip
    return [attrs.evolve(line, amounts=after) for line, after in zip(lines, settled, strict=True)]


def _netvisor_line(line: PlannedLine) -> netvisor.SalesInvoiceLineData:
    figures = line.amounts
    return netvisor.SalesInvoiceLineData(
        product_identifier=line.product,
        name=line.name,
        unit_price=figures.unit_price,
        vat_percent=figures.vat_percent,
        vat_code=line.vat_code,
        quantity=figures.quantity,
        vat_sum=figures.vat,
        line_sum=figures.gross,
        account=line.account,
        dimensions=tuple(
            netvisor.InvoiceDimension(header=item.header, item=item.name) for item in line.items
        ),
    )


def _payment_term(invoice: severa.Invoice) -> int | None:
    """Net days as Netvisor takes them, from the due date when there is one (so they agree)."""
    if invoice.date is not None and invoice.due_date is not None:
        return max(0, (invoice.due_date - invoice.date).days)
    return invoice.payment_term


def _free_text(
    invoice: severa.Invoice,
    original: OriginalInvoice | None,
    reverse_charged: bool,
    settings: severa.InvoiceSettings | None,
) -> str | None:
    """What the law wants printed (AVL 209 e §): a credit note names the invoice it credits,
    a reverse-charged invoice says so (in Severa's words when it has them)."""
    parts = []
    if invoice.is_credit_note and original is not None and original.number:
        parts.append(f"Hyvitys laskulle {original.number} / Credit note for invoice "
                     f"{original.number}")  # fmt: skip
    if reverse_charged:
        described = _text(settings.reverse_charge_description) if settings else None
        parts.append(described or _REVERSE_CHARGE_TEXT)
    return "\n".join(parts) or None
