"""What a sample's invoices are made of: the customers, products, projects and phases they
may bill (pools read from the registers the sample made), and the helpers that write rows,
invoices and Netvisor's copies of them (:mod:`.invoices` uses them scenario by scenario)."""

from __future__ import annotations

from collections import Counter
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
from ..severa.invoices import Entry, Row
from ..severa.store import Stored
from .cases import Cases
from .companies import Draw
from .model import SampleSpec

__all__ = ["FIRST_INVOICE_NUMBER", "Billable", "Book", "Project", "must", "severa_product"]

T = TypeVar("T")

#: Severa's invoice numbers start here (the series of 2026).
FIRST_INVOICE_NUMBER: Final = 26001

CENT: Final = Decimal("0.01")
#: VAT rates: the general rate since 1.9.2024, zero, the general rate before it, the reduced
#: rate of 2025 and the one that replaced it on 1.1.2026 (finnish-rules.md §3.1).
GENERAL: Final = Decimal("25.5")
ZERO: Final = Decimal(0)
OLD_GENERAL: Final = Decimal(24)
REDUCED_2025: Final = Decimal(14)
REDUCED_2026: Final = Decimal("13.5")
RATE_CHANGE: Final = date(2026, 1, 1)


def euros(amount: Decimal) -> str:
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):f}".replace(".", ",")


def percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}".replace(".", ",")


@attrs.frozen
class Billable:
    """A Severa product the invoices can bill."""

    guid: str
    code: str
    name: str
    price: Decimal
    vat: Decimal
    unit: str


@attrs.frozen
class Project:
    """A project and the phases whose dimension items the dimension sync makes."""

    guid: str
    name: str
    customer: str
    phases: tuple[str, ...]


class Book:
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
        # The stored values, not the rendered model: a bench sample has 100,000 customers.
        record = self.sv.customer_register.get(guid)
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
                for record in self.sv.customer_register.register
                if record["isActive"] and self.netvisor_customer(record.guid) is not None
            ]
        return list(project_customers)

    def _products(self) -> list[Billable]:
        """Active Severa products with a price whose code Netvisor has (an active product):
        rows billing them transfer. A product without VAT is re-billed at the general rate."""
        found = []
        for record in self.sv.product_register.register:
            code = record["code"]
            netvisor = None if not code else self.nv.product_by_code(code)
            if netvisor is None or netvisor.get("isactive") != "1" or not record["isActive"]:
                continue
            price = record["unitPrice"]
            if price is None or price.amount is None:
                continue
            vat = Decimal(str(record["vatRate"] or 0))
            found.append(
                Billable(
                    record.guid,
                    code,
                    record["name"],
                    Decimal(str(price.amount)),
                    vat if vat > 0 else GENERAL,
                    record["measurementUnit"] or "kpl",
                )
            )
        if not found:
            raise ValueError("the sample has no product in both systems to invoice")
        return found

    def _projects(self) -> list[Project]:
        """Open projects and their phases with a code that names one item only (the
        dimension sync names a phase "<code> <name>"; a name two projects share would be
        ambiguous on an invoice line)."""
        planted = self.planted_phases
        names: Counter[str] = Counter()
        every: list[tuple[Stored, list[Stored]]] = []
        for project in self.sv.project_register.register:
            phases = [
                p for p in self.sv.phase_register.of_project(project.guid) if p["parentPhase"]
            ]
            every.append((project, phases))
            names.update(f"{phase['code']} {phase['name']}" for phase in phases)
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
            projects.append(Project(project.guid, project["name"], project["customer"], usable))
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

    def next_project(self) -> Project:
        """The projects in turn, so that the invoices spread over them."""
        project = self.projects[self._turn % len(self.projects)]
        self._turn += 1
        return project

    def customer_for(self, project: Project, pool: Sequence[str] | None = None) -> str:
        """The project's customer when it can be invoiced, else one of ``pool``."""
        choices = list(pool if pool is not None else self.customers)
        if project.customer in choices:
            return project.customer
        return choices[self.rng.randrange(len(choices))]

    def phase(self, project: Project) -> str | None:
        """One of the project's usable phases (``None``: the project itself)."""
        if not project.phases:
            return None
        return project.phases[self.rng.randrange(len(project.phases))]

    def product(self, *, rates: Sequence[Decimal] = ()) -> Billable:
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
        project: Project,
        when: date,
        *,
        rate: Decimal = GENERAL,
        phase: str | None = None,
        work_type: int = 0,
    ) -> Row:
        guid, code = self.work_types[work_type % len(self.work_types)]
        product = self.nv.product_by_code(code)
        assert product is not None
        hours = Decimal(self.rng.randrange(4, 40)) / 2
        entry = Entry("hours", project.guid, guid, hours, phase=phase or self.phase(project))
        price = product.unit_price.quantize(CENT, rounding=ROUND_HALF_UP)
        month = f"{when.month}/{when.year}"
        return Row(f"{product.name.split(',')[0]} {month}", price, rate, (entry,), None, "h")

    def fee_row(
        self, project: Project, product: Billable, when: date, rate: Decimal | None = None
    ) -> Row:
        if rate is None:
            rate = (
                REDUCED_2026 if product.vat == REDUCED_2025 and when >= RATE_CHANGE else product.vat
            )
            if product.vat == REDUCED_2026 and when < RATE_CHANGE:
                rate = REDUCED_2025
        quantity = Decimal(self.rng.randrange(1, 12))
        entry = Entry("fee", project.guid, product.guid, quantity, phase=self.phase(project))
        return Row(product.name, product.price, rate, (entry,), None, product.unit)

    def travel_row(self, project: Project, when: date) -> Row | None:
        if self.mileage is None:
            return None
        kilometres = Decimal(self.rng.randrange(40, 400))
        entry = Entry("travel", project.guid, self.mileage, kilometres, phase=self.phase(project))
        return Row(
            f"Kilometrit {when.month}/{when.year}", Decimal("0.59"), GENERAL, (entry,), None, "km"
        )

    def reduced_row(self, project: Project, when: date) -> Row:
        """A row at the reduced rate of its date: 14 % in 2025, 13.5 % from 2026. A product
        of that rate when both systems have one; else catering billed as a flat-rate row
        under the code of a Netvisor product at the reduced rate (or any)."""
        rate = REDUCED_2026 if when >= RATE_CHANGE else REDUCED_2025
        reduced = [p for p in self.products if p.vat in (REDUCED_2025, REDUCED_2026)]
        if reduced:
            return self.fee_row(project, reduced[self.rng.randrange(len(reduced))], when)
        coded = [
            p
            for p in self.nv.products()
            if p.code and p.code != "TEMP" and p.get("isactive") == "1"
        ]
        at_rate = [p for p in coded if p.vat in (REDUCED_2025, REDUCED_2026)] or coded
        code = at_rate[0].code
        people = Decimal(self.rng.randrange(6, 25))
        return Row("Lounastarjoilu, henkilö", Decimal("16.50"), rate, (), people, "hlö", (code,))

    def ordinary_rows(self, project: Project, when: date) -> list[Row]:
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
        return Decimal(str(self.invoice(guid)["totalIncludingTax"]["amount"])).quantize(CENT)

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
            net = (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
            vat = (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
            lines.append(
                LineRequest(
                    identifier=row["code"][0],
                    identifier_type="customer",
                    name=row["description"],
                    unit_price=euros(price),
                    price_type="net",
                    vat_percent=percent(rate),
                    vat_code="KOMY",
                    quantity=percent(quantity),
                    vat_sum=euros(vat),
                    line_sum=euros(net + vat),
                )
            )
        total = self.total(guid) if amount is None else amount
        billing = {} if billing_name is None else {"invoicingcustomername": billing_name}
        key = self.nv.put_sales_invoice(
            InvoiceRequest(
                date=invoice["date"],
                amount=euros(total),
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


def severa_product(record: Record) -> Billable:
    """A product the invoices bill though Netvisor lacks it, at its own price (or 100 €)."""
    price = record.get("unitPrice")
    amount = Decimal(str(price["amount"])) if price and price["amount"] else Decimal(100)
    unit = record["measurementUnit"] or "kpl"
    return Billable(record.guid, record["code"], record["name"], amount, GENERAL, unit)


def short(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def must(value: T | None) -> T:
    """``value``, which a lookup of the sample's own records always finds."""
    assert value is not None
    return value
