"""Severa's invoices and what lies under them, as pydantic models named after the document.

Each class names its schema in ``specs/severa-openapi.json``; only the properties the
invoice transfer uses are declared. Reading is tolerant as in :mod:`silta.severa.models`
(unknown properties ignored, missing ones ``None``), and enums the document defines
(``rowType``, ``category``, ``productType``, ``expenseClass``) are kept as text, so a new
kind of row never breaks a read: the invoice rules decide what an unknown kind means.

What the rules rely on (``reference/invoices.md`` §3):

* An invoice row has no product, project or phase. Those come from the entries billed on
  it: project fees, work hours and travel expenses, each of which carries
  ``invoiceRowGuid``, the row it was billed on. The per-invoice lists
  (``/v1/invoices/{guid}/projectfees|workhours|projecttravelexpenses``) give them for all
  rows of an invoice in one call each.
* Amounts are ``MoneyOutputModel`` (a double in JSON, read as ``Decimal`` from its text).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from silta.severa.models import Money, Ref, Timestamp, _Read, _Stamped

__all__ = [
    "CustomerCountrySettings",
    "EntryUser",
    "Invoice",
    "InvoiceCurrency",
    "InvoiceCustomer",
    "InvoiceProject",
    "InvoiceReceiverAddress",
    "InvoiceRow",
    "InvoiceRowAccount",
    "InvoiceSettings",
    "InvoiceStatus",
    "InvoiceStatusRef",
    "ProjectFee",
    "ProjectTravelExpense",
    "RelatedInvoice",
    "TravelReimbursementRef",
    "WorkHour",
]


# -- the invoice -----------------------------------------------------------------------------


class InvoiceCustomer(_Read):
    """``InvoiceCustomerSubModel``."""

    guid: str | None = None
    name: str | None = None
    number: int | None = None


class RelatedInvoice(_Read):
    """``RelatedInvoiceSubModel``: the invoice a credit note credits, or the credit note."""

    guid: str | None = None
    number: int | None = None


class InvoiceCurrency(_Read):
    """``CurrencySubModel``."""

    guid: str | None = None
    code: str | None = None
    name: str | None = None
    symbol: str | None = None


class InvoiceProject(_Read):
    """``InvoiceProjectSubModel``."""

    guid: str | None = None
    name: str | None = None
    number: int | None = None


class InvoiceReceiverAddress(_Read):
    """``InvoiceReceiverAddressSubModel``. ``country`` is text as printed on the invoice."""

    addressline: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None


class InvoiceStatusRef(_Read):
    """``InvoiceStatusSubModel``: the invoice's status with its flags."""

    guid: str | None = None
    name: str | None = None
    is_sent: bool | None = None
    is_paid: bool | None = None
    is_waiting_payment: bool | None = None


class Invoice(_Stamped):
    """``InvoiceOutputModel``.

    ``number`` is ``None`` until the invoice enters a status that assigns numbers.
    ``billing_customer`` is who pays (the invoice's customer for Netvisor); ``customer`` is
    the project's customer, which may differ.
    """

    number: int | None = None
    reference_number: str | None = None
    date: dt.date | None = None
    due_date: dt.date | None = None
    entry_date: dt.date | None = None
    payment_date: dt.date | None = None
    payment_term: int | None = None
    overdue_interest: Decimal | None = None
    status: InvoiceStatusRef | None = None
    customer: InvoiceCustomer | None = None
    billing_customer: InvoiceCustomer | None = None
    projects: list[InvoiceProject] | None = None
    currency: InvoiceCurrency | None = None
    currency_rate: Decimal | None = None
    total_excluding_tax: Money | None = None
    total_tax: Money | None = None
    total_including_tax: Money | None = None
    is_credit_note: bool = False
    credit_note_invoice: RelatedInvoice | None = None
    reimburse_invoice: RelatedInvoice | None = None
    receiver_address: InvoiceReceiverAddress | None = None
    receiver_customer_name: str | None = None
    receiver_vat_number: str | None = None
    receiver_contact_name: str | None = None
    our_reference: str | None = None
    your_reference: str | None = None
    order_number: str | None = None
    notes: str | None = None
    language: Ref | None = None


class InvoiceSettings(_Read):
    """``InvoiceSettingsOutputModel`` (``GET /v1/invoices/{guid}/invoicesettings``)."""

    guid: str | None = None
    is_reverse_charged: bool = False
    reverse_charge_description: str | None = None
    entry_date: dt.date | None = None
    payment_date: dt.date | None = None


class InvoiceStatus(_Read):
    """``InvoiceStatusModel``.

    ``has_invoice_number``: entering this status gives the invoice its number;
    ``is_read_only``: an invoice in it cannot be edited or deleted.
    """

    guid: str
    name: str
    is_active: bool = True
    is_default: bool = False
    is_default_for_credit_note: bool = False
    has_invoice_number: bool = False
    is_read_only: bool = False
    is_sent: bool = False
    is_waiting_payment: bool = False
    is_paid: bool = False
    sort_order: int | None = None


# -- rows ------------------------------------------------------------------------------------


class InvoiceRowAccount(_Read):
    """``InvoiceRowAccountingSubModel``: an account or cost center by name and number."""

    name: str | None = None
    number: str | None = None


class InvoiceRow(_Stamped):
    """``InvoiceRowOutputModel``.

    ``row_type``: ``FlatRate``, ``Hours``, ``ProjectFees`` or ``TravelExpenses``;
    ``code``: the codes of the products, work types or travel expense types billed on the
    row (several when the row groups entries of different kinds). There is no row total:
    it is ``quantity`` × ``unit_price``.
    """

    invoice_guid: str | None = None
    row_type: str | None = None
    category: str | None = None
    description: str | None = None
    quantity: Decimal | None = None
    measurement_unit: str | None = None
    unit_price: Money | None = None
    vat_rate: Decimal | None = None
    sort_order: int | None = None
    sales_account: InvoiceRowAccount | None = None
    cost_center: InvoiceRowAccount | None = None
    code: list[str] | None = None
    flat_rate_guid: str | None = None
    has_invoice_comment: bool = False


# -- what the rows bill ----------------------------------------------------------------------


class FeeProduct(_Read):
    """``ProjectFeeProductSubModel``."""

    guid: str | None = None
    code: str | None = None
    name: str | None = None


class CostCenter(_Read):
    """``ProjectCostCenterSubModel``."""

    guid: str | None = None
    identifier: str | None = None
    name: str | None = None


class EntryProject(_Read):
    """The project of a fee, hour or travel expense (their sub-models differ only in which
    of ``number`` and ``isClosed`` they carry)."""

    guid: str | None = None
    name: str | None = None
    number: int | None = None


class EntryInvoice(_Read):
    """``ProjectFeeInvoiceSubModel`` / ``WorkHourInvoiceSubModel`` / ``InvoiceSubModel``."""

    guid: str | None = None
    number: int | None = None
    date: dt.date | None = None


class WorkType(_Read):
    """``WorkHourWorkTypeSubModel``."""

    guid: str | None = None
    code: str | None = None
    name: str | None = None


class TravelExpenseType(_Read):
    """``TravelExpenseSubModel``; ``expense_class``: Mileage, DailyAllowance or
    OtherTravelExpense."""

    guid: str | None = None
    code: str | None = None
    name: str | None = None
    expense_class: str | None = None
    include_time: bool | None = None


class EntryUser(_Read):
    """``UserSubModel`` / ``UserRequiredSubModel``: whose entry it is; ``code`` is the user's
    code, the employee number the travel transfer matches Netvisor's employees by."""

    guid: str | None = None
    name: str | None = None
    code: str | None = None


class TravelReimbursementRef(_Read):
    """``TravelReimbursementSubModel``: the report a travel expense is on, and its state."""

    guid: str | None = None
    is_approved: bool | None = None
    is_locked: bool | None = None
    status: str | None = None


class ProjectFee(_Stamped):
    """``ProjectFeeOutputModel``: a fixed fee, material or subcontracting entry."""

    invoice_row_guid: str | None = None
    invoice: EntryInvoice | None = None
    product: FeeProduct | None = None
    product_type: str | None = None  # FixedFees | Materials | Subcontracting
    project: EntryProject | None = None
    phase: Ref | None = None
    cost_center: CostCenter | None = None
    sales_account: Ref | None = None
    name: str | None = None
    description: str | None = None
    quantity: Decimal | None = None
    invoice_quantity: Decimal | None = None
    unit_price: Money | None = None
    vat_rate: Decimal | None = None
    event_date: dt.date | None = None
    measurement_unit: str | None = None
    # Read by the purchase-line transfer (issue 19): what a fee cost and whether it bills.
    unit_cost: Money | None = None
    is_billable: bool | None = None
    customer: Ref | None = None
    user: EntryUser | None = None


class WorkHour(_Stamped):
    """``WorkHourOutputModel``: hours of one user on a phase, with their work type."""

    invoice_row_guid: str | None = None
    invoice: EntryInvoice | None = None
    work_type: WorkType | None = None
    project: EntryProject | None = None
    phase: Ref | None = None
    user: Ref | None = None
    quantity: Decimal | None = None
    invoice_quantity: Decimal | None = None
    unit_price: Money | None = None
    event_date: dt.date | None = None
    description: str | None = None


class ProjectTravelExpense(_Stamped):
    """``ProjectTravelExpenseOutputModel``.

    For the travel transfer (issue 19): ``unit_cost`` is what the employee paid per unit,
    purchase VAT included (``purchase_vat_rate``); ``travel_reimbursement_required`` false
    is Severa's "no reimbursement required" (a company card); ``attachment_count`` says
    whether there are receipts to read.
    """

    invoice_row_guid: str | None = None
    invoice: EntryInvoice | None = None
    travel_expense: TravelExpenseType | None = None
    project: EntryProject | None = None
    phase: Ref | None = None
    cost_center: Ref | None = None
    sales_account: Ref | None = None
    quantity: Decimal | None = None
    invoice_quantity: Decimal | None = None
    unit_price: Money | None = None
    vat_rate: Decimal | None = None
    event_date: dt.date | None = None
    description: str | None = None
    user: EntryUser | None = None
    unit_cost: Money | None = None
    unit_cost_excluding_purchase_vat: Money | None = None
    purchase_vat_rate: Decimal | None = None
    travel_reimbursement_required: bool | None = None
    travel_reimbursement: TravelReimbursementRef | None = None
    travel_start_time: Timestamp | None = None
    travel_end_time: Timestamp | None = None
    attachment_count: int = 0
    is_billable: bool | None = None
    measurement_unit: str | None = None
    cost_account: Ref | None = None


# -- VAT by customer country -----------------------------------------------------------------


class CountryRef(_Read):
    """``CustomerCountry``."""

    guid: str | None = None
    name: str | None = None
    english_name: str | None = None


class ValueAddedTax(_Read):
    """``ValueAddedTaxSubModel``."""

    guid: str | None = None
    percentage: Decimal | None = None


class CustomerCountrySettings(_Read):
    """``CustomerCountrySettingsOutputModel``: a customer's VAT treatment in one country.

    ``zero_vat_category_code_en16931`` is the EN 16931 category of its 0 % sales (``AE``
    reverse charge, ``K`` intra-EU, ``G`` export, ``E`` exempt, ``Z`` zero rated, ``O``
    outside scope).
    """

    guid: str | None = None
    country: CountryRef | None = None
    customer: Ref | None = None
    is_tax_free: bool = False
    tax_free_description: str | None = None
    value_added_tax: ValueAddedTax | None = None
    zero_vat_category_code_en16931: str | None = None
