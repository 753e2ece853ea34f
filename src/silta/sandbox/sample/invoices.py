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
from decimal import Decimal
from typing import Final

import attrs

from ..netvisor import Organisation as NetvisorOrganisation
from ..severa import Organisation as SeveraOrganisation
from ..severa.invoices import Entry, Row, reference_number
from .cases import Cases
from .companies import Draw
from .invoicebook import (
    FIRST_INVOICE_NUMBER,
    GENERAL,
    OLD_GENERAL,
    ZERO,
    Book,
    euros,
    must,
    percent,
    severa_product,
    short,
)
from .model import InvoiceSample, SampleSpec

__all__ = ["FIRST_INVOICE_NUMBER", "INVOICE_RULES", "populate_invoices"]


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
REVERSE_CHARGE_TEXT: Final = "Käännetty verovelvollisuus (AVL 8 c §)"

# -- the invoices of scenarios a and b ------------------------------------------------------------


def _ordinary(book: Book, count: int) -> None:
    """Ordinary ready invoices; the first with a row at 2026's reduced rate, 13.5 %."""
    for turn in range(count):
        project = book.next_project()
        when = book.day()
        rows = book.ordinary_rows(project, when)
        if turn == 0:
            rows.append(book.reduced_row(project, when))
        book.put(book.statuses.ready, book.customer_for(project), rows, when)


def _other_statuses(book: Book) -> None:
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


def _showcases(book: Book) -> None:
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
        GENERAL,
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
        book.hours_row(project, when, rate=ZERO),
        book.fee_row(project, book.product(), when, ZERO),
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
    rows = [book.hours_row(project, when), book.reduced_row(project, when)]
    old = book.put(statuses.ready, book.customer_for(project), rows, when)
    rates = sorted({Decimal(str(r["vatRate"])) for r in book.invoicing.rows(old)})
    book.add("invoice_old_vat_rate", old, date="15.12.2025", rates=", ".join(map(percent, rates)))
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
        book.add("invoice_adopted", guid, total=euros(book.total(guid)))

        # One transferred before Silta by Visma's own integration.
        project = book.next_project()
        when = book.day(60)
        rows = [book.fee_row(project, book.product(), when)]
        guid = book.put(statuses.transferred, customer, rows, when)
        book.netvisor_copy(guid, customer_code=code)
        book.add("invoice_transferred", guid, status="Lasku lähetetty Netvisoriin")


def _planted(book: Book) -> None:
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
    product = severa_product(missing)
    rows = [book.hours_row(project, when), book.fee_row(project, product, when, GENERAL)]
    guid = book.put(ready, book.customer_for(project), rows, when)
    book.add(
        "invoice_product_not_synchronised",
        guid,
        row=2,
        code=product.code,
        product=short(product.name),
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
        severa_total=euros(severa_total),
        rows_total=euros(severa_total - Decimal("0.01")),
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
        book.fee_row(project, book.product(), when, OLD_GENERAL),
    ]
    guid = book.put(ready, book.customer_for(project), rows, when)
    day = f"{when.day}.{when.month}.{when.year}"
    book.add("invoice_vat_rate_not_valid", guid, row=2, rate="24", date=day)

    # Reverse charge, but the buyer's VAT id taken off the invoice.
    project = book.next_project()
    when = book.day()
    rows = [book.hours_row(project, when, rate=ZERO)]
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
    rows = [book.hours_row(project, when, rate=ZERO)]
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
        other_total=euros(other_total),
        total=euros(book.total(guid)),
    )


# -- scenario t ---------------------------------------------------------------------------------


def _temp(book: Book) -> None:
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
    product = severa_product(missing)
    rows = [book.hours_row(project, when), book.fee_row(project, product, when, GENERAL)]
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
    book = Book(nv, sv, draw, spec, register_cases, project_customers)
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
