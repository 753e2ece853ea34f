"""Purchase invoices of one organisation: what purchaseinvoicelist.nv, getpurchaseinvoice.nv and
deletedpurchaseinvoices.nv read (``shared/reference/invoices.md`` §2.3).

Silta only reads purchase invoices (their lines become Severa project costs, §5.12), so the
sandbox serves no purchase-invoice write: a company's invoices are made, changed, approved,
paid and deleted by the helpers here, as Netvisor's own users would (``org.purchase_invoices``).
Every such change moves the invoice's last-modified time, which ``lastmodifiedstart`` reads.

Settled where the reference is silent or unsure (each is also in ``docs/architecture.md``):

* **Approval status.** ``ApprovalStatus`` is one of ``open`` (new), ``infactualverification``
  (in content check), ``approved`` (content checked, waiting for approval) and ``accepted``
  (approved) - the codes of the public client R. The list's ``invoicestatus`` filter groups
  them as the Finnish page says: ``open`` = new or in content check, ``approved`` = in
  approval, ``accepted`` = approved. ``InvoiceStatus`` is the localised text of the approval
  status (the fixture's ``Avoin`` for ``open``) [INFERRED].
* **Sums.** A line's gross sum (``LineSum``) is what the vendor charged (purchaseinvoice.dtd's
  ``linesum type="brutto"``); ``LineNetSum`` is the gross sum without the VAT, to four
  decimals, as in the fixture (125,25 at 22 % → 102,6639). A line with the VAT code ``NONE``
  (the UI's "–", no VAT handling) has no VAT: its net sum is its gross sum [INFERRED: the
  API's name for "–"]. The invoice's amount is the sum of its lines' gross sums; ``OpenSum``
  is the amount less what was paid.
* **Line keys.** Changing an invoice keeps the keys of the lines it keeps; new lines get new
  keys. ``rekey=True`` replaces every line with a new key, as purchaseinvoicepostingdata.nv
  does when it imports lines (whether keys survive is "not found", §6): a test can show what
  a reader does either way.
* **Dimensions** on a line are item keys of the organisation's dimension register (the item
  must exist); the answer shows the item's name at the time of reading. A line may carry
  several items of one header - Netvisor lets a user split a purchase line over several
  items of a header - but not the same item twice; the answer lists each (the reference
  shows no split shares, so none are kept) [INFERRED].
* **Deleted invoices** are answered for seven days after their deletion, as Netvisor's page
  for deletedpurchaseinvoices.nv says (the Netvisor client's notes cite it).
* **Deletion** takes the invoice out of the list and out of getpurchaseinvoice.nv (an unknown
  key: OK with an empty ``<PurchaseInvoice />``) and records it for
  deletedpurchaseinvoices.nv with the time it was deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal

import attrs

from .dimensions import DimensionLink, DimensionStore
from .salesinvoices import VAT_CODES
from .values import Clock

__all__ = [
    "APPROVAL_STATUSES",
    "LIST_STATUSES",
    "STATUS_TEXTS",
    "ApprovalStatus",
    "DeletedPurchaseInvoice",
    "LinePlan",
    "PurchaseInvoice",
    "PurchaseInvoiceLine",
    "PurchaseInvoices",
    "Vendor",
]

FIRST_INVOICE_KEY: Final = 1000
FIRST_LINE_KEY: Final = 10000
FIRST_VENDOR_KEY: Final = 300
FIRST_VOUCHER: Final = 4000

ApprovalStatus = Literal["open", "infactualverification", "approved", "accepted"]
APPROVAL_STATUSES: Final[tuple[ApprovalStatus, ...]] = (
    "open",
    "infactualverification",
    "approved",
    "accepted",
)
#: purchaseinvoicelist.nv's ``invoicestatus`` → the approval statuses it lists.
LIST_STATUSES: Final[Mapping[str, frozenset[ApprovalStatus]]] = {
    "open": frozenset({"open", "infactualverification"}),
    "approved": frozenset({"approved"}),
    "accepted": frozenset({"accepted"}),
}
#: Approval status → (Finnish, English) ``InvoiceStatus`` text.
STATUS_TEXTS: Final[Mapping[ApprovalStatus, tuple[str, str]]] = {
    "open": ("Avoin", "Open"),
    "infactualverification": ("Asiatarkastuksessa", "In factual verification"),
    "approved": ("Hyväksyttävänä", "Awaiting approval"),
    "accepted": ("Hyväksytty", "Accepted"),
}

_CENT: Final = Decimal("0.01")
_FOUR: Final = Decimal("0.0001")
_HUNDRED: Final = Decimal(100)


@attrs.frozen
class Vendor:
    """A vendor card (toimittaja), as a purchase invoice names it."""

    key: int
    name: str
    code: str = ""
    business_id: str = ""
    address: str = ""
    post_number: str = ""
    town: str = ""
    country: str = "FI"
    bank_account: str = ""


@attrs.frozen
class LinePlan:
    """One line as a helper writes it.

    Attributes:
        product_name, description: the line's texts.
        quantity, unit_price: ``DeliveredAmount`` and the unit price before VAT (for a
            ``NONE`` line: the price paid).
        vat_percent, vat_code: the VAT percentage and code (``KOOS`` domestic purchase ...).
        account: the accounting suggestion's account number and name (``("4000", "Ostot")``).
        items: dimension item keys (several of one header split the line).
        line_sum: the gross line sum when it is not quantity x price + VAT, rounded.
        key: the key of a line kept by :meth:`PurchaseInvoices.modify`.
    """

    product_name: str
    quantity: Decimal
    unit_price: Decimal
    vat_percent: Decimal
    vat_code: str
    account: tuple[str, str]
    items: tuple[int, ...] = ()
    description: str = ""
    product_code: str = ""
    unit: str = "kpl"
    discount: Decimal = Decimal(0)
    line_sum: Decimal | None = None
    key: int | None = None


@attrs.frozen
class PurchaseInvoiceLine:
    """One stored line (see :class:`LinePlan`; the sums are computed)."""

    key: int
    product_code: str
    product_name: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount: Decimal
    vat_percent: Decimal
    vat_code: str
    line_sum: Decimal
    net_sum: Decimal
    account_number: str
    account_name: str
    account_key: int
    dimensions: tuple[tuple[int, int], ...]  # (header key, item key)

    def as_json(self, links: Sequence[DimensionLink]) -> dict[str, object]:
        """The line as JSON (the control API): decimals as text, dimensions by name."""
        return {
            "key": self.key,
            "product_name": self.product_name,
            "description": self.description,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "vat_percent": str(self.vat_percent),
            "vat_code": self.vat_code,
            "line_sum": str(self.line_sum),
            "net_sum": str(self.net_sum),
            "account": self.account_number,
            "dimensions": [
                {"header": link.header_name, "item": link.item_name, "item_key": link.item_key}
                for link in links
            ],
        }


@attrs.frozen
class Attachment:
    """A file on a purchase invoice (the invoice image)."""

    file_name: str
    content_type: str
    data: bytes
    comment: str = ""


@attrs.frozen
class PurchaseInvoice:
    """One stored purchase invoice (a snapshot: every change stores a new one)."""

    key: int
    number: str
    invoice_date: date
    due_date: date
    vendor: Vendor
    approval_status: ApprovalStatus
    lines: tuple[PurchaseInvoiceLine, ...]
    created_at: datetime
    changed_at: datetime
    reference: str = ""
    delivery_date: date | None = None
    value_date: date | None = None
    event_date: date | None = None
    paid_amount: Decimal = Decimal(0)
    currency: str = "EUR"
    our_reference: str = ""
    your_reference: str = ""
    description: str = ""
    voucher: int | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def amount(self) -> Decimal:
        """The gross total: the lines' gross sums."""
        return sum((line.line_sum for line in self.lines), Decimal(0))

    @property
    def open_sum(self) -> Decimal:
        """What is still to be paid."""
        return self.amount - self.paid_amount

    def as_json(self, dimensions: DimensionStore) -> dict[str, object]:
        """The invoice as JSON (the control API)."""
        return {
            "key": self.key,
            "number": self.number,
            "date": self.invoice_date.isoformat(),
            "vendor": self.vendor.name,
            "approval_status": self.approval_status,
            "amount": str(self.amount),
            "paid": str(self.paid_amount),
            "changed_at": self.changed_at.isoformat(),
            "lines": [line.as_json(line_links(dimensions, line)) for line in self.lines],
        }


@attrs.frozen
class DeletedPurchaseInvoice:
    """What deletedpurchaseinvoices.nv tells of a deleted invoice."""

    key: int
    number: str
    vendor_name: str
    deleted_at: datetime


def line_links(dimensions: DimensionStore, line: PurchaseInvoiceLine) -> list[DimensionLink]:
    """The line's dimensions with the names their items have now."""
    return [
        DimensionLink(header, dimensions.header(header).name, item, dimensions.item_name(item))
        for header, item in line.dimensions
    ]


class PurchaseInvoices:
    """The purchase invoices of one organisation, and the helpers that change them.

    Helpers bypass the API (nothing is counted); they refuse with :class:`ValueError` what
    Netvisor could not hold (an unknown dimension item, the same item twice on a line, a VAT
    percentage its code does not allow), and with :class:`KeyError` an unknown invoice.
    """

    def __init__(self, dimensions: DimensionStore, clock: Clock) -> None:
        self._dimensions = dimensions
        self._clock = clock
        self._by_key: dict[int, PurchaseInvoice] = {}
        self._deleted: list[DeletedPurchaseInvoice] = []
        self._vendors: dict[int, Vendor] = {}
        self._accounts: dict[str, int] = {}
        self._next = {"invoice": FIRST_INVOICE_KEY, "line": FIRST_LINE_KEY,
                      "vendor": FIRST_VENDOR_KEY, "voucher": FIRST_VOUCHER}  # fmt: skip

    def __len__(self) -> int:
        return len(self._by_key)

    def _allocate(self, what: str) -> int:
        key = self._next[what]
        self._next[what] = key + 1
        return key

    # -- vendors ---------------------------------------------------------------------------

    def put_vendor(self, name: str, **details: str) -> int:
        """A vendor card (``code``, ``business_id``, ``address``, ``post_number``, ``town``,
        ``country``, ``bank_account``); returns its key."""
        vendor = Vendor(self._allocate("vendor"), name, **details)
        self._vendors[vendor.key] = vendor
        return vendor.key

    def vendor(self, key: int) -> Vendor:
        """The vendor with ``key`` (KeyError when unknown)."""
        return self._vendors[key]

    # -- invoices --------------------------------------------------------------------------

    def get(self, key: int) -> PurchaseInvoice | None:
        """The invoice with ``key``, or ``None`` (also when it was deleted)."""
        return self._by_key.get(key)

    def all(self) -> list[PurchaseInvoice]:
        """Every invoice not deleted, in key order."""
        return list(self._by_key.values())

    def deleted(self) -> list[DeletedPurchaseInvoice]:
        """Every deleted invoice, in the order deleted."""
        return list(self._deleted)

    def put(
        self,
        *,
        number: str,
        vendor: int,
        invoice_date: date,
        lines: Sequence[LinePlan],
        status: ApprovalStatus = "accepted",
        due_date: date | None = None,
        reference: str = "",
        description: str = "",
        delivery_date: date | None = None,
        attachments: Sequence[Attachment] = (),
        at: datetime | None = None,
    ) -> int:
        """Add an invoice (as a vendor's e-invoice arrives and is handled); returns its key.

        An ``accepted`` invoice gets a voucher number (it is in the books)."""
        if status not in APPROVAL_STATUSES:
            raise ValueError(f"unknown approval status {status!r}")
        made = [self._line(plan, self._allocate("line")) for plan in self._checked(lines)]
        now = at or self._clock()
        invoice = PurchaseInvoice(
            key=self._allocate("invoice"),
            number=number,
            invoice_date=invoice_date,
            due_date=due_date or invoice_date + timedelta(days=14),
            vendor=self.vendor(vendor),
            approval_status=status,
            lines=tuple(made),
            created_at=now,
            changed_at=now,
            reference=reference,
            delivery_date=delivery_date,
            description=description,
            voucher=self._allocate("voucher") if status == "accepted" else None,
            attachments=tuple(attachments),
        )
        self._by_key[invoice.key] = invoice
        return invoice.key

    def modify(
        self,
        key: int,
        *,
        lines: Sequence[LinePlan] | None = None,
        rekey: bool = False,
        description: str | None = None,
        at: datetime | None = None,
    ) -> PurchaseInvoice:
        """Change an invoice's lines (and/or its description), as a user editing it.

        A plan with the ``key`` of a current line keeps that key; other plans get new keys,
        and with ``rekey`` every line gets a new key (see the module docstring)."""
        invoice = self._existing(key)
        current = {line.key for line in invoice.lines}
        new_lines = invoice.lines
        if lines is not None:
            made = []
            for plan in self._checked(lines):
                keep = plan.key is not None and plan.key in current and not rekey
                made.append(self._line(plan, plan.key if keep and plan.key else 0))
            new_lines = tuple(
                attrs.evolve(line, key=line.key or self._allocate("line")) for line in made
            )
        changed = attrs.evolve(
            invoice,
            lines=new_lines,
            description=invoice.description if description is None else description,
            changed_at=at or self._clock(),
        )
        self._by_key[key] = changed
        return changed

    def set_status(self, key: int, status: ApprovalStatus, at: datetime | None = None) -> None:
        """Move an invoice through content check and approval; accepting books it."""
        if status not in APPROVAL_STATUSES:
            raise ValueError(f"unknown approval status {status!r}")
        invoice = self._existing(key)
        voucher = invoice.voucher
        if status == "accepted" and voucher is None:
            voucher = self._allocate("voucher")
        self._by_key[key] = attrs.evolve(
            invoice, approval_status=status, voucher=voucher, changed_at=at or self._clock()
        )

    def pay(self, key: int, amount: Decimal | None = None, at: datetime | None = None) -> None:
        """Record a payment (the open sum by default)."""
        invoice = self._existing(key)
        paid = invoice.paid_amount + (invoice.open_sum if amount is None else amount)
        self._by_key[key] = attrs.evolve(invoice, paid_amount=paid, changed_at=at or self._clock())

    def touch(self, key: int, at: datetime | None = None) -> None:
        """Set an invoice's last-modified time, changing nothing else."""
        invoice = self._existing(key)
        self._by_key[key] = attrs.evolve(invoice, changed_at=at or self._clock())

    def delete(self, key: int, at: datetime | None = None) -> None:
        """Delete an invoice (deletedpurchaseinvoices.nv lists it from then on)."""
        invoice = self._existing(key)
        del self._by_key[key]
        self._deleted.append(
            DeletedPurchaseInvoice(key, invoice.number, invoice.vendor.name, at or self._clock())
        )

    def _existing(self, key: int) -> PurchaseInvoice:
        invoice = self._by_key.get(key)
        if invoice is None:
            raise KeyError(key)
        return invoice

    # -- lines -----------------------------------------------------------------------------

    def _checked(self, lines: Iterable[LinePlan]) -> list[LinePlan]:
        """The plans, once every one is valid: a refused plan changes nothing."""
        plans = list(lines)
        if not plans:
            raise ValueError("a purchase invoice needs at least one line")
        for plan in plans:
            allowed = VAT_CODES.get(plan.vat_code)
            if allowed is None or plan.vat_percent not in allowed:
                raise ValueError(f"VAT {plan.vat_percent} % is not allowed with {plan.vat_code}")
            if len(set(plan.items)) != len(plan.items):
                raise ValueError(f"the same dimension item twice on {plan}")
            for item in plan.items:
                self._header_of(item)  # the item must exist
        return plans

    def _header_of(self, item: int) -> int:
        for header in self._dimensions.headers():
            if any(found.key == item for found in self._dimensions.listing(header.key)):
                return header.key
        raise ValueError(f"no dimension item {item}")

    def _line(self, plan: LinePlan, key: int) -> PurchaseInvoiceLine:
        rate = Decimal(0) if plan.vat_code == "NONE" else plan.vat_percent
        net_line = plan.quantity * plan.unit_price * (1 - plan.discount / _HUNDRED)
        gross = plan.line_sum
        if gross is None:
            gross = (net_line * (1 + rate / _HUNDRED)).quantize(_CENT, rounding=ROUND_HALF_UP)
        net = (gross / (1 + rate / _HUNDRED)).quantize(_FOUR, rounding=ROUND_HALF_UP)
        number, name = plan.account
        account_key = self._accounts.setdefault(number, 600 + len(self._accounts))
        return PurchaseInvoiceLine(
            key=key,
            product_code=plan.product_code,
            product_name=plan.product_name,
            description=plan.description,
            quantity=plan.quantity,
            unit=plan.unit,
            unit_price=plan.unit_price,
            discount=plan.discount,
            vat_percent=plan.vat_percent,
            vat_code=plan.vat_code,
            line_sum=gross,
            net_sum=net,
            account_number=number,
            account_name=name,
            account_key=account_key,
            dimensions=tuple((self._header_of(item), item) for item in plan.items),
        )
