"""Invoicing of one organisation (``org.invoicing``): statuses, invoices and rows, the entries
they bill, customers' country settings - and the setup helpers and readers tests use.

Its GUIDs come from an id source of its own (seeded from the sandbox seed and the
organisation id), so an organisation's other GUIDs are the same whether or not it invoices.

Helpers (no token, no rate limit, no fault, nothing counted; the same rules as the API where
the API writes)::

    statuses = org.invoicing.connect_netvisor()          # Vedos, Valmis..., Lasku lähetetty...
    hours = org.invoicing.put_work_type("Suunnittelu", "KONS-001")
    guid = org.invoicing.put_invoice(
        status=statuses.ready, billing_customer=customer, date=date(2026, 12, 1),
        rows=[Row("Suunnittelu 11/2026", Decimal("95"), Decimal("25.5"),
                  entries=(Entry("hours", project, hours, Decimal("7.5")),))],
    )
    org.invoicing.invoice(guid)["number"]                  # numbered on entering "ready"
    org.invoicing.set_status(guid, statuses.transferred)   # as the PATCH does
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .countrysettings import CountrySettings
from .invoiceentries import ENTRY_MODELS, EntryKind, EntryRegisters, ExpenseClass
from .invoices import UNSET, InvoicePlan, InvoiceRegisters, Row, _Unset
from .invoicestatuses import InvoiceStatuses, NetvisorStatuses

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .organisation import Organisation

__all__ = ["Invoicing"]


class Invoicing:
    """Everything invoicing of one organisation.

    Attributes:
        statuses: the invoice statuses (a register with the API's create/patch rules).
        entries: project fees, work hours, travel expenses; work and travel expense types.
        invoices: invoices and invoice rows.
        country_settings: customers' country settings.
    """

    def __init__(self, org: Organisation, seed: int) -> None:
        ids = random.Random(f"{seed}:{org.id}:invoicing")
        self.org = org
        self.statuses = InvoiceStatuses(org, ids)
        self.entries = EntryRegisters(org, ids)
        self.invoices = InvoiceRegisters(org, ids, self.statuses, self.entries)
        self.country_settings = CountrySettings(org, self.entries.new_guid)

    # -- statuses --------------------------------------------------------------------------

    def put_status(self, name: str, **flags: Any) -> str:
        """Create a status as ``POST /v1/invoicestatuses`` would; returns its GUID."""
        return self.statuses.create({"name": name, **flags}).record.guid

    def connect_netvisor(self) -> NetvisorStatuses:
        """The Netvisor integration's three statuses, created as Severa does on connecting."""
        return self.statuses.connect_netvisor()

    def status_guid(self, name: str) -> str | None:
        """The GUID of the status called ``name`` (any letter case)."""
        found = self.statuses.by_name(name)
        return None if found is None else found.guid

    def statuses_json(self) -> list[dict[str, Any]]:
        """Every status as ``GET /v1/invoicestatuses`` shows it, in its order."""
        return [self.statuses.render(record) for record in self.statuses.in_order()]

    # -- lists and settings ----------------------------------------------------------------

    def put_work_type(self, name: str, code: str) -> str:
        """A work type with a code; returns its GUID."""
        return self.entries.put_work_type(name, code)

    def put_travel_expense_type(
        self, name: str, code: str, expense_class: ExpenseClass = "OtherTravelExpense"
    ) -> str:
        """A travel expense type with a code; returns its GUID."""
        return self.entries.put_travel_expense_type(name, code, expense_class)

    def put_country_settings(
        self,
        customer: str,
        *,
        country: str = "FI",
        tax_free: bool = False,
        vat_rate: float | None = None,
        zero_vat_category: str | None = None,
        description: str | None = None,
    ) -> str:
        """A customer's settings for ``country``; returns their GUID."""
        return self.country_settings.put(
            customer,
            country=country,
            tax_free=tax_free,
            vat_rate=vat_rate,
            zero_vat_category=zero_vat_category,
            description=description,
        )

    # -- invoices --------------------------------------------------------------------------

    @property
    def next_number(self) -> int:
        """The number the next invoice entering a numbered status gets."""
        return self.invoices.next_number

    @next_number.setter
    def next_number(self, value: int) -> None:
        self.invoices.next_number = value

    def put_invoice(
        self,
        *,
        status: str,
        billing_customer: str,
        rows: Sequence[Row],
        date: date,
        customer: str | None = None,
        projects: Sequence[str] = (),
        payment_term: int | None = None,
        currency: str | None = None,
        currency_rate: Decimal = Decimal(1),
        reverse_charged: bool = False,
        reverse_charge_description: str | None = None,
        receiver_name: str | _Unset | None = UNSET,
        receiver_vat_number: str | _Unset | None = UNSET,
        receiver_address: Mapping[str, str | None] | _Unset | None = UNSET,
        reference: str | None = None,
        our_reference: str | None = None,
        your_reference: str | None = None,
        order_number: str | None = None,
        notes: str | None = None,
        entry_date: date | None = None,
        payment_date: date | None = None,
        total_difference: Decimal = Decimal(0),
    ) -> str:
        """Make an invoice (see :class:`~.invoices.InvoicePlan`); returns its GUID.

        Entering a numbered ``status`` numbers it, as a status change would.
        """
        plan = InvoicePlan(
            status=status,
            billing_customer=billing_customer,
            rows=tuple(rows),
            invoice_date=date,
            customer=customer,
            projects=tuple(projects),
            payment_term=payment_term,
            currency=currency,
            currency_rate=currency_rate,
            reverse_charged=reverse_charged,
            reverse_charge_description=reverse_charge_description,
            receiver_name=receiver_name,
            receiver_vat_number=receiver_vat_number,
            receiver_address=receiver_address,
            reference=reference,
            our_reference=our_reference,
            your_reference=your_reference,
            order_number=order_number,
            notes=notes,
            entry_date=entry_date,
            payment_date=payment_date,
            total_difference=total_difference,
        )
        return self.invoices.create(plan).guid

    def credit(self, invoice: str, *, status: str, date: date) -> str:
        """A credit note of the whole ``invoice``; returns its GUID."""
        return self.invoices.credit(invoice, status, date).guid

    def set_status(self, invoice: str, status: str) -> dict[str, Any]:
        """Move an invoice to ``status`` as ``PATCH /v1/invoices/{guid}`` would."""
        return self.update(invoice, [{"op": "replace", "path": "/status/guid", "value": status}])

    def update(self, invoice: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply JSON Patch ``operations`` to an invoice (the API's rules); returns it.

        Raises:
            KeyError: no such invoice.
            SeveraFailure: the API would refuse the change.
        """
        record = self.invoices.get(invoice)
        if record is None:
            raise KeyError(invoice)
        written, _changed = self.invoices.patch(record, operations)
        return self.invoices.render(written)

    # -- readers ---------------------------------------------------------------------------

    def invoice(self, guid: str) -> dict[str, Any] | None:
        """The ``InvoiceOutputModel`` of an invoice, or ``None``."""
        record = self.invoices.get(guid)
        return None if record is None else self.invoices.render(record)

    def invoice_by_number(self, number: int) -> dict[str, Any] | None:
        """The invoice with ``number``, or ``None``."""
        record = self.invoices.invoices.owner("number", number)
        return None if record is None else self.invoices.render(record)

    def all_invoices(self) -> list[dict[str, Any]]:
        """Every invoice, in creation order."""
        return [self.invoices.render(record) for record in self.invoices.invoices]

    def rows(self, invoice: str) -> list[dict[str, Any]]:
        """An invoice's rows (``InvoiceRowOutputModel``), in order."""
        return [self.invoices.render_row(row) for row in self.invoices.rows_of(invoice)]

    def row_entries(self, row: str, kind: EntryKind) -> list[dict[str, Any]]:
        """The fees, hours or travel expenses a row bills, as the drill-down shows them."""
        record = self.invoices.rows.get(row)
        if record is None:
            raise KeyError(row)
        entries = self.invoices.entries_of_row(record, kind)
        return [self.invoices.render_entry(kind, entry) for entry in entries]

    def settings(self, invoice: str) -> dict[str, Any] | None:
        """An invoice's ``InvoiceSettingsOutputModel``, or ``None``."""
        record = self.invoices.get(invoice)
        return None if record is None else self.invoices.render_settings(record)

    def customer_country_settings(self, customer: str) -> list[dict[str, Any]]:
        """A customer's country settings, as the API shows them."""
        return [
            self.country_settings.render(r) for r in self.country_settings.of_customer(customer)
        ]

    @staticmethod
    def entry_kinds() -> tuple[EntryKind, ...]:
        """``fee``, ``hours``, ``travel``."""
        return tuple(ENTRY_MODELS)
