"""Severa invoices in every status, with a planted case for every invoice refusal rule, and
the Netvisor invoices they meet.

Made after the registers, from them: invoices bill the sample's own customers, projects,
phases and products, so that what the invoice transfer refuses follows from the registers
(a customer the customer sync refused, a phase without a code, a product Netvisor lacks).
Nothing here adds a customer, product or project, so the registers' counts stay as asked.

What Severa gets (``org.invoicing``):

* the Netvisor integration's statuses (Vedos, Valmis lähetettäväksi Netvisoriin, Lasku
  lähetetty Netvisoriin) beside Severa's own (Luonnos, Lähetetty, Maksettu), and invoice
  numbers from 26001;
* work types and a travel expense type whose codes are Netvisor product codes (the company
  named them so; the engine matches a row's code to a product code, invoices.md §5.6);
* invoices dated around ``spec.today`` (and one in December 2025, when 14 % was still the
  reduced rate): in *ready* the ordinary ones, the showcases and one invoice per planted
  rule; in the other statuses one or more each, which the transfer leaves alone.

What Netvisor gets: the invoice an earlier transfer left there (its answer lost), the one
Visma's own integration transferred before Silta, and an invoice typed in by hand that took a
number of Severa's series. In scenario ``"t"`` (TEMP) Netvisor has no ``TEMP`` product, so
the invoice with a row whose code Netvisor lacks is refused ``invoices.temp_missing``; the
other rows find products of the same code (invoices.md §5.6: code first, then TEMP).

Planted per scenario (:data:`INVOICE_RULES`): a and b plant every rule but
``invoices.temp_missing``; t plants only that one (nothing else can fail when no register is
transferred). The cases are kept in :class:`~.model.InvoiceSample`, apart from the register
cases, because only the invoice transfer refuses them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, TypeVar

import attrs

from silta.registers.finnish import InvalidBusinessIdError, parse_business_id

from ..netvisor import Organisation as NetvisorOrganisation
from ..netvisor.salesinvoices import InvoiceRequest, LineRequest
from ..severa import Organisation as SeveraOrganisation
from ..severa import Record
from ..severa.invoices import Entry, Row, reference_number
from .cases import Cases
from .companies import Draw
from .model import InvoiceSample, SampleSpec

__all__ = ["FIRST_INVOICE_NUMBER", "INVOICE_RULES", "populate_invoices"]

T = TypeVar("T")

#: Every refusal rule of the invoice transfer, as the engine reports it.
INVOICE_RULES: Final = (
    "invoices.customer_not_synchronised",
    "invoices.product_not_synchronised",
    "invoices.temp_missing",
    "invoices.dimension_item_missing",
    "invoices.total_mismatch",
    "invoices.reference_invalid",
    "invoices.currency_not_company",
    "invoices.vat_rate_not_valid",
    "invoices.reverse_charge_vat_id_missing",
    "invoices.zero_vat_unmapped",
    "invoices.number_in_use",
    "invoices.credit_note_before_original",
)
#: Severa's invoice numbers start here (the series of 2026).
FIRST_INVOICE_NUMBER: Final = 26001
REVERSE_CHARGE_TEXT: Final = "Käännetty verovelvollisuus (AVL 8 c §)"

_CENT: Final = Decimal("0.01")
_GENERAL: Final = Decimal("25.5")
_ZERO: Final = Decimal(0)
_OLD_GENERAL: Final = Decimal(24)
_REDUCED_2025: Final = Decimal(14)
_REDUCED_2026: Final = Decimal("13.5")
_RATE_CHANGE: Final = date(2026, 1, 1)


def _euros(amount: Decimal) -> str:
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):f}".replace(".", ",")


def _percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}".replace(".", ",")


@attrs.frozen
class _Product:
    """A Severa product the invoices can bill."""

    guid: str
    code: str
    name: str
    price: Decimal
    vat: Decimal
    unit: str


@attrs.frozen
class _Project:
    """A project and the phases whose dimension items the dimension sync makes."""

    guid: str
    name: str
    customer: str
    phases: tuple[str, ...]


class _Book:
    """What one sample's invoices are made of, and the helpers that make them."""

    def __init__(
        self,
        nv: NetvisorOrganisation,
        sv: SeveraOrganisation,
        draw: Draw,
        spec: SampleSpec,
        register_cases: Cases,
        project_customers: Sequence[str],
    ) -> None:
        self.nv, self.sv, self.draw, self.spec = nv, sv, draw, spec
        self.rng = draw.rng
        self.invoicing = sv.invoicing
        self.statuses = self.invoicing.connect_netvisor()
        self.invoicing.next_number = FIRST_INVOICE_NUMBER
        self.cases = Cases()
        self.ready: list[str] = []
        self.netvisor_keys: list[int] = []
        self.planted_keys = {case.rule: case.key for case in register_cases.planted}
        self.planted_phases = {
            case.key for case in register_cases.planted if case.rule.startswith("dimensions.")
        }
        self.with_settings: set[str] = set()
        self.customers = self._customers(project_customers)
        self.in_netvisor = [c for c in self.customers if self.netvisor_customer(c) is not None]
        self.products = self._products()
        self.projects = self._projects()
        self.work_types = self._work_types()
        self.mileage = self._mileage()
        self._turn = 0

    # -- pools -----------------------------------------------------------------------------

    def netvisor_customer(self, guid: str) -> str | None:
        """The Netvisor code of the same company as Severa customer ``guid``, if it is there
        already (code = number, same business ID)."""
        record = self.sv.customer(guid)
        if record is None or record["number"] is None:
            return None
        found = self.nv.customer_by_code(str(record["number"]))
        if found is None:
            return None
        try:
            same = parse_business_id(found.get("externalidentifier")) == parse_business_id(
                record["vatNumber"] or ""
            )
        except InvalidBusinessIdError:
            return None
        return found.code if same else None

    def _customers(self, project_customers: Sequence[str]) -> list[str]:
        """Customers an invoice can go to: synchronised ones (a: the valid Severa customers,
        which the sync creates or adopts; b: those Netvisor has and the sync links; t: all)."""
        if self.spec.scenario == "b":
            return [
                record.guid
                for record in self.sv.customers()
                if record["isActive"] and self.netvisor_customer(record.guid) is not None
            ]
        return list(project_customers)

    def _products(self) -> list[_Product]:
        """Active Severa products with a price whose code Netvisor has (an active product):
        rows billing them transfer. A product without VAT is re-billed at the general rate."""
        found = []
        for record in self.sv.products():
            code = record["code"]
            netvisor = None if not code else self.nv.product_by_code(code)
            if netvisor is None or netvisor.get("isactive") != "1" or not record["isActive"]:
                continue
            price = record.get("unitPrice")
            if not price or price["amount"] is None:
                continue
            vat = Decimal(str(record.get("vatRate") or 0))
            found.append(
                _Product(
                    record.guid,
                    code,
                    record["name"],
                    Decimal(str(price["amount"])),
                    vat if vat > 0 else _GENERAL,
                    record["measurementUnit"] or "kpl",
                )
            )
        if not found:
            raise ValueError("the sample has no product in both systems to invoice")
        return found

    def _projects(self) -> list[_Project]:
        """Open projects and their phases with a code that names one item only (the
        dimension sync names a phase "<code> <name>"; a name two projects share would be
        ambiguous on an invoice line)."""
        planted = self.planted_phases
        names: dict[str, int] = {}
        every: list[tuple[Record, list[Record]]] = []
        for project in self.sv.projects():
            phases = [p for p in self.sv.phases(project.guid) if p.get("parentPhase")]
            every.append((project, phases))
            for phase in phases:
                names[f"{phase['code']} {phase['name']}"] = (
                    names.get(f"{phase['code']} {phase['name']}", 0) + 1
                )
        projects = []
        for project, phases in every:
            if project["isClosed"]:
                continue
            usable = tuple(
                phase.guid
                for phase in phases
                if phase["code"]
                and phase.guid not in planted
                and names[f"{phase['code']} {phase['name']}"] == 1
            )
            projects.append(
                _Project(project.guid, project["name"], project["customer"]["guid"], usable)
            )
        return projects

    def _work_types(self) -> list[tuple[str, str]]:
        """Three work types named after Netvisor products, with their codes: hourly ones
        first (the company named its work types after what it sells by the hour)."""
        active = [
            p
            for p in self.nv.products()
            if p.code and p.code != "TEMP" and p.get("isactive") == "1"
        ]
        hourly = [p for p in active if p.get("unit") == "h"]
        chosen = [*hourly, *(p for p in active if p.get("unit") != "h")][:3]
        if len(chosen) < 2:
            raise ValueError("the sample's Netvisor has too few products for work types")
        return [
            (self.invoicing.put_work_type(p.name.split(",")[0], p.code), p.code) for p in chosen
        ]

    def _mileage(self) -> str | None:
        """A travel expense type for kilometres, if Netvisor has a product to bill them by."""
        for product in self.nv.products():
            if product.code.startswith("MATKA-") and product.get("isactive") == "1":
                return self.invoicing.put_travel_expense_type(
                    "Kilometrikorvaus", product.code, "Mileage"
                )
        return None

    # -- choosing --------------------------------------------------------------------------

    def next_project(self) -> _Project:
        """The projects in turn, so that the invoices spread over them."""
        project = self.projects[self._turn % len(self.projects)]
        self._turn += 1
        return project

    def customer_for(self, project: _Project, pool: Sequence[str] | None = None) -> str:
        """The project's customer when it can be invoiced, else one of ``pool``."""
        choices = list(pool if pool is not None else self.customers)
        if project.customer in choices:
            return project.customer
        return choices[self.rng.randrange(len(choices))]

    def phase(self, project: _Project) -> str | None:
        """One of the project's usable phases (``None``: the project itself)."""
        if not project.phases:
            return None
        return project.phases[self.rng.randrange(len(project.phases))]

    def product(self, *, rates: Sequence[Decimal] = ()) -> _Product:
        """A product, of one of ``rates`` when one is."""
        matching = [p for p in self.products if not rates or p.vat in rates]
        pool = matching or self.products
        return pool[self.rng.randrange(len(pool))]

    def day(self, back: int = 20) -> date:
        """A day up to ``back`` days before ``spec.today``."""
        return self.spec.today - timedelta(days=self.rng.randrange(back + 1))

    # -- rows ------------------------------------------------------------------------------

    def hours_row(
        self,
        project: _Project,
        when: date,
        *,
        rate: Decimal = _GENERAL,
        phase: str | None = None,
        work_type: int = 0,
    ) -> Row:
        guid, code = self.work_types[work_type % len(self.work_types)]
        product = self.nv.product_by_code(code)
        assert product is not None
        hours = Decimal(self.rng.randrange(4, 40)) / 2
        entry = Entry("hours", project.guid, guid, hours, phase=phase or self.phase(project))
        price = product.unit_price.quantize(_CENT, rounding=ROUND_HALF_UP)
        month = f"{when.month}/{when.year}"
        return Row(f"{product.name.split(',')[0]} {month}", price, rate, (entry,), None, "h")

    def fee_row(
        self, project: _Project, product: _Product, when: date, rate: Decimal | None = None
    ) -> Row:
        if rate is None:
            rate = (
                _REDUCED_2026
                if product.vat == _REDUCED_2025 and when >= _RATE_CHANGE
                else product.vat
            )
            if product.vat == _REDUCED_2026 and when < _RATE_CHANGE:
                rate = _REDUCED_2025
        quantity = Decimal(self.rng.randrange(1, 12))
        entry = Entry("fee", project.guid, product.guid, quantity, phase=self.phase(project))
        return Row(product.name, product.price, rate, (entry,), None, product.unit)

    def travel_row(self, project: _Project, when: date) -> Row | None:
        if self.mileage is None:
            return None
        kilometres = Decimal(self.rng.randrange(40, 400))
        entry = Entry("travel", project.guid, self.mileage, kilometres, phase=self.phase(project))
        return Row(
            f"Kilometrit {when.month}/{when.year}", Decimal("0.59"), _GENERAL, (entry,), None, "km"
        )

    def ordinary_rows(self, project: _Project, when: date) -> list[Row]:
        rows = [self.hours_row(project, when), self.fee_row(project, self.product(), when)]
        travel = self.travel_row(project, when) if self.rng.random() < 0.5 else None
        return [*rows, travel] if travel is not None else rows

    # -- invoices --------------------------------------------------------------------------

    def put(self, status: str, billing: str, rows: Sequence[Row], when: date, **extra: Any) -> str:
        projects = extra.pop("projects", ())
        guid = self.invoicing.put_invoice(
            status=status,
            billing_customer=billing,
            rows=rows,
            date=when,
            projects=projects,
            **extra,
        )
        if status == self.statuses.ready:
            self.ready.append(guid)
        return guid

    def invoice(self, guid: str) -> dict[str, Any]:
        shown = self.invoicing.invoice(guid)
        assert shown is not None
        return shown

    def add(self, label: str, guid: str, **values: object) -> None:
        invoice = self.invoice(guid)
        number = invoice["number"] if invoice["number"] is not None else "(ei numeroa)"
        customer = invoice["billingCustomer"]["name"]
        name = f"{number} {customer}"
        self.cases.add(label, guid, name, number=number, customer=customer, **values)

    def total(self, guid: str) -> Decimal:
        return Decimal(str(self.invoice(guid)["totalIncludingTax"]["amount"])).quantize(_CENT)

    def netvisor_copy(
        self,
        guid: str,
        *,
        customer_code: str,
        status: str = "open",
        amount: Decimal | None = None,
        billing_name: str | None = None,
    ) -> int:
        """The Netvisor invoice of Severa invoice ``guid``, as a transfer would have made it
        (same number, lines of the same products, sums and total)."""
        invoice = self.invoice(guid)
        lines = []
        for row in self.invoicing.rows(guid):
            quantity = Decimal(str(row["quantity"]))
            price = Decimal(str(row["unitPrice"]["amount"]))
            rate = Decimal(str(row["vatRate"]))
            net = (quantity * price).quantize(_CENT, rounding=ROUND_HALF_UP)
            vat = (net * rate / 100).quantize(_CENT, rounding=ROUND_HALF_UP)
            lines.append(
                LineRequest(
                    identifier=row["code"][0],
                    identifier_type="customer",
                    name=row["description"],
                    unit_price=_euros(price),
                    price_type="net",
                    vat_percent=_percent(rate),
                    vat_code="KOMY",
                    quantity=_percent(quantity),
                    vat_sum=_euros(vat),
                    line_sum=_euros(net + vat),
                )
            )
        total = self.total(guid) if amount is None else amount
        billing = {} if billing_name is None else {"invoicingcustomername": billing_name}
        key = self.nv.put_sales_invoice(
            InvoiceRequest(
                date=invoice["date"],
                amount=_euros(total),
                status=status,
                customer=customer_code,
                customer_type="customer",
                lines=tuple(lines),
                number=str(invoice["number"]),
                reference=invoice["referenceNumber"],
                payment_term_days=str(invoice["paymentTerm"]),
                billing=billing,
                texts={"salesinvoiceprivatecomment": f"Severa {guid}"},
            )
        )
        self.netvisor_keys.append(key)
        return key


def _severa_product(record: Record) -> _Product:
    """A product the invoices bill though Netvisor lacks it, at its own price (or 100 €)."""
    price = record.get("unitPrice")
    amount = Decimal(str(price["amount"])) if price and price["amount"] else Decimal(100)
    unit = record["measurementUnit"] or "kpl"
    return _Product(record.guid, record["code"], record["name"], amount, _GENERAL, unit)


def _short(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


# -- the invoices of scenarios a and b ------------------------------------------------------------


def _ordinary(book: _Book, count: int) -> None:
    for _ in range(count):
        project = book.next_project()
        when = book.day()
        book.put(
            book.statuses.ready, book.customer_for(project), book.ordinary_rows(project, when), when
        )


def _other_statuses(book: _Book) -> None:
    """One invoice in each status the transfer leaves alone."""
    invoicing = book.invoicing
    for name in ("Vedos", "Luonnos", "Lähetetty", "Maksettu"):
        status = invoicing.status_guid(name)
        assert status is not None
        project = book.next_project()
        # The paid one is from November 2025, at that year's rates.
        when = date(2025, 11, 20) if name == "Maksettu" else book.day(60)
        paid = when + timedelta(days=14) if name == "Maksettu" else None
        guid = book.put(
            status, book.customer_for(project), book.ordinary_rows(project, when), when,
            payment_date=paid,
        )  # fmt: skip
        book.add("invoice_not_ready", guid, status=name, ready="Valmis lähetettäväksi Netvisoriin")


def must(value: T | None) -> T:
    """``value``, which a lookup of the sample's own records always finds."""
    assert value is not None
    return value


def _showcases(book: _Book) -> None:
    statuses = book.statuses
    # Two projects, each row on its own phase; a row whose hours span both projects.
    first, second = book.next_project(), book.next_project()
    when = book.day()
    spanning = book.hours_row(first, when)
    hours = spanning.entries[0]
    # Whole hours at a price in cents: the two projects' parts add up to the row exactly.
    spanning = attrs.evolve(
        spanning,
        description=f"Projektinhallinta {when.month}/{when.year}",
        entries=(
            attrs.evolve(hours, quantity=Decimal(book.rng.randrange(2, 9))),
            attrs.evolve(
                hours,
                project=second.guid,
                phase=book.phase(second),
                quantity=Decimal(book.rng.randrange(1, 5)),
            ),
        ),
    )
    rows = [
        book.hours_row(first, when),
        book.hours_row(second, when, work_type=1),
        book.fee_row(second, book.product(), when),
        spanning,
    ]
    guid = book.put(statuses.ready, book.customer_for(first), rows, when)
    book.add("invoice_multi_project", guid, projects=f"{first.name}; {second.name}")

    # One row grouping two work types: two codes.
    project = book.next_project()
    (one, code_one), (two, code_two) = book.work_types[:2]
    when = book.day()
    row = Row(
        "Työ ja matkustusaika",
        Decimal(85),
        _GENERAL,
        (
            Entry("hours", project.guid, one, Decimal(6), phase=book.phase(project)),
            Entry("hours", project.guid, two, Decimal("1.5"), phase=book.phase(project)),
        ),
        None,
        "h",
    )
    guid = book.put(statuses.ready, book.customer_for(project), [row], when)
    book.add("invoice_several_codes", guid, row=1, codes=f"{code_one}, {code_two}")

    # Domestic construction service under reverse charge, the buyer's VAT id on it.
    project = book.next_project()
    customer = book.customer_for(project)
    book.invoicing.put_country_settings(customer, zero_vat_category="AE")
    book.with_settings.add(customer)
    when = book.day()
    rows = [
        book.hours_row(project, when, rate=_ZERO),
        book.fee_row(project, book.product(), when, _ZERO),
    ]
    guid = book.put(
        statuses.ready,
        customer,
        rows,
        when,
        reverse_charged=True,
        reverse_charge_description=REVERSE_CHARGE_TEXT,
    )
    book.add("invoice_reverse_charge", guid, vat_id=book.invoice(guid)["receiverVatNumber"])

    # December 2025, at that year's rates; then its credit note now, at the same rates.
    project = book.next_project()
    when = date(2025, 12, 15)
    product = book.product(rates=(_REDUCED_2025, _REDUCED_2026))
    rows = [book.hours_row(project, when), book.fee_row(project, product, when)]
    old = book.put(statuses.ready, book.customer_for(project), rows, when)
    rates = sorted({Decimal(str(r["vatRate"])) for r in book.invoicing.rows(old)})
    book.add("invoice_old_vat_rate", old, date="15.12.2025", rates=", ".join(map(_percent, rates)))
    credit = book.invoicing.credit(old, status=statuses.ready, date=book.spec.today)
    book.ready.append(credit)
    book.add("invoice_credit_note", credit, original=book.invoice(old)["number"])

    # An invoice an earlier transfer left in Netvisor (its answer lost): same number,
    # customer and total, so the transfer adopts it.
    if book.in_netvisor:
        project = book.next_project()
        customer = book.customer_for(project, book.in_netvisor)
        when = book.day()
        rows = [
            book.fee_row(project, book.product(), when),
            book.fee_row(project, book.product(), when),
        ]
        guid = book.put(statuses.ready, customer, rows, when)
        code = book.netvisor_customer(customer)
        assert code is not None
        book.netvisor_copy(guid, customer_code=code, status="unsent")
        book.add("invoice_adopted", guid, total=_euros(book.total(guid)))

        # One transferred before Silta by Visma's own integration.
        project = book.next_project()
        when = book.day(60)
        rows = [book.fee_row(project, book.product(), when)]
        guid = book.put(statuses.transferred, customer, rows, when)
        book.netvisor_copy(guid, customer_code=code)
        book.add("invoice_transferred", guid, status="Lasku lähetetty Netvisoriin")


def _planted(book: _Book) -> None:
    statuses, spec = book.statuses, book.spec
    ready = statuses.ready

    # A customer the customer register does not transfer.
    project = book.next_project()
    when = book.day()
    if spec.scenario == "a":
        refused = book.planted_keys["customers.severa.business_id_missing"]
        why_fi, why_en = (
            " (asiakasrekisteri hylkäsi sen: Y-tunnus puuttuu)",
            (" (the customer register refused it: no business ID)"),
        )
    else:
        refused = next(
            r.guid
            for r in book.sv.customers()
            if r["isActive"] and book.netvisor_customer(r.guid) is None
        )
        why_fi = " (asiakkaat siirretään Netvisorista Severaan, eikä Netvisorissa ole sitä)"
        why_en = " (customers go from Netvisor to Severa, and Netvisor does not have it)"
    guid = book.put(ready, refused, book.ordinary_rows(project, when), when)
    book.add("invoice_customer_not_synchronised", guid, why_fi=why_fi, why_en=why_en)

    # A product Netvisor does not have.
    project = book.next_project()
    when = book.day()
    if spec.scenario == "a":
        codes = {p.code for p in book.nv.products()}
        missing = next(
            r for r in book.sv.products() if r["code"] and r["code"] not in codes and r["isActive"]
        )
        why_fi = " (tuotteet siirretään Netvisorista Severaan, ja tämä on vain Severassa)"
        why_en = " (products go from Netvisor to Severa, and this one is only in Severa)"
    else:
        missing = must(book.sv.product(book.planted_keys["products.severa.name_too_long"]))
        why_fi = " (tuoterekisteri hylkäsi sen: nimi on liian pitkä)"
        why_en = " (the product register refused it: its name is too long)"
    product = _severa_product(missing)
    rows = [book.hours_row(project, when), book.fee_row(project, product, when, _GENERAL)]
    guid = book.put(ready, book.customer_for(project), rows, when)
    book.add(
        "invoice_product_not_synchronised",
        guid,
        row=2,
        code=product.code,
        product=_short(product.name),
        why_fi=why_fi,
        why_en=why_en,
    )

    # Hours on the phase the dimension register refuses (it has no code).
    phase_guid = book.planted_keys["dimensions.phase.code_missing"]
    phase = must(book.sv.phase(phase_guid))
    owner = next(p for p in book.projects if p.guid == phase["project"]["guid"])
    when = book.day()
    rows = [
        book.fee_row(owner, book.product(), when),
        book.hours_row(owner, when, phase=phase_guid),
    ]
    guid = book.put(ready, book.customer_for(owner), rows, when)
    book.add("invoice_dimension_item_missing", guid, row=2, project=owner.name, phase=phase["name"])

    # Severa's total a cent off its rows.
    project = book.next_project()
    when = book.day()
    guid = book.put(
        ready, book.customer_for(project), book.ordinary_rows(project, when), when,
        total_difference=Decimal("0.01"),
    )  # fmt: skip
    shown = book.invoice(guid)
    severa_total = Decimal(str(shown["totalIncludingTax"]["amount"]))
    book.add(
        "invoice_total_mismatch",
        guid,
        severa_total=_euros(severa_total),
        rows_total=_euros(severa_total - Decimal("0.01")),
    )

    # A reference number with a wrong check digit (typed over Severa's own).
    project = book.next_project()
    when = book.day()
    expected = reference_number(book.invoicing.next_number)
    wrong = expected[:-1] + str((int(expected[-1]) + 3) % 10)
    original = book.put(
        ready, book.customer_for(project), book.ordinary_rows(project, when), when, reference=wrong
    )
    book.add("invoice_reference_invalid", original, reference=wrong, expected=expected)

    # ... and its credit note, which has to wait for it.
    credit = book.invoicing.credit(original, status=ready, date=spec.today)
    book.ready.append(credit)
    book.add(
        "invoice_credit_note_before_original", credit, original=book.invoice(original)["number"]
    )

    # Swedish crowns.
    project = book.next_project()
    when = book.day()
    guid = book.put(
        ready, book.customer_for(project), book.ordinary_rows(project, when), when,
        currency="SEK", currency_rate=Decimal("0.0869"),
    )  # fmt: skip
    book.add("invoice_currency_not_company", guid, currency="SEK")

    # A fee at the general rate before September 2024.
    project = book.next_project()
    when = book.day()
    rows = [
        book.hours_row(project, when),
        book.fee_row(project, book.product(), when, _OLD_GENERAL),
    ]
    guid = book.put(ready, book.customer_for(project), rows, when)
    day = f"{when.day}.{when.month}.{when.year}"
    book.add("invoice_vat_rate_not_valid", guid, row=2, rate="24", date=day)

    # Reverse charge, but the buyer's VAT id taken off the invoice.
    project = book.next_project()
    when = book.day()
    rows = [book.hours_row(project, when, rate=_ZERO)]
    guid = book.put(
        ready, book.customer_for(project), rows, when, reverse_charged=True,
        reverse_charge_description=REVERSE_CHARGE_TEXT, receiver_vat_number=None,
    )  # fmt: skip
    book.add("invoice_reverse_charge_vat_id_missing", guid)

    # Zero VAT with nothing to say why (a customer without country settings).
    project = book.next_project()
    when = book.day()
    customer = book.customer_for(
        project, [c for c in book.customers if c not in book.with_settings]
    )
    rows = [book.hours_row(project, when, rate=_ZERO)]
    guid = book.put(ready, customer, rows, when)
    book.add("invoice_zero_vat_unmapped", guid)

    # A number Netvisor already gave an invoice typed in by hand.
    project = book.next_project()
    when = book.day()
    customer = book.customer_for(project)
    guid = book.put(ready, customer, book.ordinary_rows(project, when), when)
    own = book.netvisor_customer(customer)
    other = next(
        c for c in book.nv.customers() if c.code and c.code not in ("TEMP", own) and c.is_active
    )
    other_total = Decimal(480)
    book.netvisor_copy(guid, customer_code=other.code, amount=other_total)
    book.add(
        "invoice_number_in_use",
        guid,
        other=other.name,
        other_total=_euros(other_total),
        total=_euros(book.total(guid)),
    )


# -- scenario t ---------------------------------------------------------------------------------


def _temp(book: _Book) -> None:
    statuses = book.statuses
    first = None
    for _ in range(3):
        project = book.next_project()
        when = book.day()
        guid = book.put(
            statuses.ready, book.customer_for(project), book.ordinary_rows(project, when), when
        )
        first = first or guid
    assert first is not None
    book.add("invoice_temp_customer", first)
    codes = {p.code for p in book.nv.products()}
    missing = next(
        r for r in book.sv.products() if r["code"] and r["code"] not in codes and r["isActive"]
    )
    project = book.next_project()
    when = book.day()
    product = _severa_product(missing)
    rows = [book.hours_row(project, when), book.fee_row(project, product, when, _GENERAL)]
    guid = book.put(statuses.ready, book.customer_for(project), rows, when)
    book.add("invoice_temp_missing", guid, row=2, code=product.code)
    project = book.next_project()
    when = book.day(60)
    transferred = book.put(
        statuses.transferred, book.customer_for(project), [book.hours_row(project, when)], when
    )
    customer = must(book.sv.customer(book.invoice(transferred)["billingCustomer"]["guid"]))
    book.netvisor_copy(transferred, customer_code="TEMP", billing_name=customer["name"])
    book.add("invoice_transferred", transferred, status="Lasku lähetetty Netvisoriin")


def populate_invoices(
    nv: NetvisorOrganisation,
    sv: SeveraOrganisation,
    draw: Draw,
    spec: SampleSpec,
    register_cases: Cases,
    project_customers: Sequence[str],
) -> InvoiceSample:
    """Make the invoices of ``spec.scenario`` (see the module docstring)."""
    book = _Book(nv, sv, draw, spec, register_cases, project_customers)
    if spec.scenario == "t":
        _temp(book)
        _other_statuses(book)
    else:
        _ordinary(book, 3)
        _showcases(book)
        _planted(book)
        _other_statuses(book)
    return InvoiceSample(
        draft=book.statuses.draft,
        ready=book.statuses.ready,
        transferred=book.statuses.transferred,
        planted=tuple(book.cases.planted),
        showcases=tuple(book.cases.showcases),
        ready_invoices=tuple(book.ready),
        netvisor_invoice_keys=tuple(book.netvisor_keys),
    )
