"""One organisation (a Netvisor "customer environment", identified by its business id).

Holds the registers, the fault knobs, the counters and the random source of that
organisation, and offers test-setup helpers that bypass the API: they count nothing, need no
MAC, but apply the same validation as customer.nv/product.nv (so the data a test sets up is
data Netvisor could hold) and raise :class:`~.errors.NetvisorFailure` where the API would
refuse.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

import attrs

from ..variance import Variance
from .customers import CUSTOMER_ELEMENTS, Customer, CustomerChanges, CustomerStore, write_customer
from .dimensions import DimensionHeader, DimensionItem, DimensionStore
from .faults import Faults
from .products import (
    PRODUCT_NUMBERS,
    PRODUCT_TEXTS,
    Product,
    ProductChanges,
    ProductStore,
    write_product,
)
from .purchaseinvoices import PurchaseInvoices
from .salesinvoices import (
    InvoiceRequest,
    SalesInvoice,
    SalesInvoiceStore,
    Status,
    add_sales_invoice,
    sales_invoice_not_found,
)
from .stats import OrganisationStats
from .tripexpenses import Travel
from .values import Clock

__all__ = ["Organisation"]


class Organisation:
    """State of one organisation.

    Attributes:
        id: the business id sent in ``X-Netvisor-Organisation-ID``.
        faults: this organisation's :class:`Faults`; assign a new one to change behaviour.
        stats: this organisation's :class:`~.stats.OrganisationStats`.
        rng: the random source every fault draw of this organisation uses.
        variance: in variance mode, which alternative forms its answers take
            (:mod:`.variance`); ``None`` answers in the one form.
        customer_register, product_register, dimension_register, invoice_register: the
            stores (used by the resources; tests normally use the helpers below).
        purchase_invoices: purchase invoices and vendors, with their own helpers
            (:class:`~.purchaseinvoices.PurchaseInvoices`).
        travel: employees, expense types and imported travel invoices, with their own
            helpers (:class:`~.tripexpenses.Travel`).
    """

    def __init__(
        self, organisation_id: str, *, clock: Clock, rng: random.Random, faults: Faults
    ) -> None:
        self.id = organisation_id
        self.faults = faults
        self.stats = OrganisationStats()
        self.rng = rng
        self.variance: Variance | None = None
        self.customer_register = CustomerStore()
        self.product_register = ProductStore()
        self.dimension_register = DimensionStore()
        self.invoice_register = SalesInvoiceStore()
        self.purchase_invoices = PurchaseInvoices(self.dimension_register, clock)
        self.travel = Travel(clock)
        self._clock = clock

    def __repr__(self) -> str:
        return (
            f"<Organisation {self.id}: {len(self.customer_register)} customers, "
            f"{len(self.product_register)} products>"
        )

    # -- customers -------------------------------------------------------------------------

    def put_customer(self, **elements: str) -> int:
        """Add a customer from request element values; returns its NetvisorKey.

        Example: ``org.put_customer(internalidentifier="101", name="Oy Ab", isactive="0")``.
        """
        unknown = set(elements) - set(CUSTOMER_ELEMENTS)
        if unknown:
            raise TypeError(f"not customer.nv elements: {', '.join(sorted(unknown))}")
        customer = write_customer(
            self.customer_register,
            self.dimension_register,
            CustomerChanges(values=elements),
            key=None,
            now=self._clock(),
        )
        return customer.key

    def customers(self) -> list[Customer]:
        """All customers, in key order."""
        return self.customer_register.all()

    def customer(self, key: int) -> Customer | None:
        """The customer with ``key``, or ``None``."""
        return self.customer_register.get(key)

    def customer_by_code(self, code: str) -> Customer | None:
        """The customer with code ``code`` (case-insensitive), or ``None``."""
        return self.customer_register.by_code(code)

    @property
    def unique_codes(self) -> bool:
        """Whether customer and product codes are kept unique (``DUPLICATE_DATA``)."""
        return self.customer_register.unique_codes

    @unique_codes.setter
    def unique_codes(self, value: bool) -> None:
        self.customer_register.unique_codes = value
        self.product_register.unique_codes = value

    def delete_customer(self, key: int) -> None:
        """Delete a customer, as a user of Netvisor could (tests of "never delete")."""
        if self.customer_register.remove(key) is None:
            raise KeyError(key)

    def delete_product(self, key: int) -> None:
        """Delete a product, as a user of Netvisor could."""
        if self.product_register.remove(key) is None:
            raise KeyError(key)

    def touch_customer(self, key: int, at: datetime | None = None) -> None:
        """Set a customer's change time (default: now on the sandbox clock)."""
        customer = self.customer_register.get(key)
        if customer is None:
            raise KeyError(key)
        self.customer_register.store(
            customer, attrs.evolve(customer, changed_at=at or self._clock())
        )

    # -- products --------------------------------------------------------------------------

    def put_product(
        self,
        *,
        unitprice: str | Decimal = "0",
        unitprice_type: str = "net",
        defaultvatpercentage: str | Decimal | None = None,
        **elements: str,
    ) -> int:
        """Add a product from request element values; returns its NetvisorKey.

        ``productgroup`` defaults to ``"Tuotteet"``, ``isactive`` and ``issalesproduct`` to 1.
        Prices and VAT may be given as :class:`Decimal` or as text with a decimal comma.
        """
        unknown = set(elements) - PRODUCT_TEXTS - PRODUCT_NUMBERS
        if unknown:
            raise TypeError(f"not product.nv elements: {', '.join(sorted(unknown))}")
        values = {"productgroup": "Tuotteet", "isactive": "1", "issalesproduct": "1", **elements}
        product = write_product(
            self.product_register,
            self.dimension_register,
            ProductChanges(
                values=values,
                unit_price=(str(unitprice), unitprice_type),
                vat=None if defaultvatpercentage is None else str(defaultvatpercentage),
            ),
            key=None,
            now=self._clock(),
        )
        return product.key

    def products(self) -> list[Product]:
        """All products, in key order."""
        return self.product_register.all()

    def product(self, key: int) -> Product | None:
        """The product with ``key``, or ``None``."""
        return self.product_register.get(key)

    def product_by_code(self, code: str) -> Product | None:
        """The product with code ``code`` (case-insensitive), or ``None``."""
        return self.product_register.by_code(code)

    def touch_product(self, key: int, at: datetime | None = None) -> None:
        """Set a product's change time (default: now on the sandbox clock)."""
        product = self.product_register.get(key)
        if product is None:
            raise KeyError(key)
        self.product_register.store(product, attrs.evolve(product, changed_at=at or self._clock()))

    # -- dimensions ------------------------------------------------------------------------

    def put_dimension_header(self, name: str, hidden: bool = False) -> int:
        """Create a dimension header (Netvisor's API cannot); returns its key."""
        return self.dimension_register.add_header(name, hidden=hidden)

    def put_dimension_item(
        self,
        header: str | int,
        name: str,
        father_id: int = 0,
        hidden: bool = False,
        *,
        code: str = "",
        label: str = "",
    ) -> int:
        """Add an item under a header (by name or key), under ``father_id`` (0 = top level)."""
        header_key = self._header_key(header)
        if father_id:
            self.dimension_register.resolve_parent(header_key, father_id, None)
        return self.dimension_register.add_item(
            header_key, name, parent=father_id, hidden=hidden, code=code, label=label
        )

    def dimension_headers(self) -> list[DimensionHeader]:
        """All headers, hidden ones included, in key order."""
        return self.dimension_register.headers(show_hidden=True)

    def dimension_items(self, header: str | int) -> list[DimensionItem]:
        """A header's items in Sort order, hidden ones included (as with ``showhidden=1``)."""
        return self.dimension_register.listing(self._header_key(header), show_hidden=True)

    def _header_key(self, header: str | int) -> int:
        if isinstance(header, int):
            self.dimension_register.header(header)  # KeyError when unknown
            return header
        key = self.dimension_register.header_key(header)
        if key is None:
            raise KeyError(header)
        return key

    # -- sales invoices --------------------------------------------------------------------

    def put_sales_invoice(self, request: InvoiceRequest) -> int:
        """Add a sales invoice as salesinvoice.nv would (same rules); returns its key.

        For invoices the company had before Silta (a number already taken, an invoice a
        lost answer left behind).
        """
        invoice = add_sales_invoice(
            self.invoice_register,
            self.customer_register,
            self.product_register,
            self.dimension_register,
            request,
            now=self._clock(),
        )
        return invoice.key

    def sales_invoices(self) -> list[SalesInvoice]:
        """Every sales invoice, in key order."""
        return self.invoice_register.all()

    def sales_invoice(self, key: int) -> SalesInvoice | None:
        """The sales invoice with ``key``, or ``None``."""
        return self.invoice_register.get(key)

    def sales_invoices_numbered(self, number: str | int) -> list[SalesInvoice]:
        """The sales invoices with this number (more than one only if duplicates got in)."""
        return self.invoice_register.by_number(str(number))

    def set_sales_invoice_status(self, key: int, status: Status) -> None:
        """Move an invoice to ``unsent``, ``open`` (sent: it has its voucher) or ``paid``, as
        Netvisor's sending or a payment would."""
        invoice = self.invoice_register.get(key)
        if invoice is None:
            raise sales_invoice_not_found(key)
        self.invoice_register.store(attrs.evolve(invoice, status=status, changed_at=self._clock()))

    @property
    def unique_invoice_numbers(self) -> bool:
        """Whether salesinvoice.nv refuses a number already used (``DUPLICATE_DATA``); off by
        default, as whether Netvisor does is not known."""
        return self.invoice_register.unique_numbers

    @unique_invoice_numbers.setter
    def unique_invoice_numbers(self, value: bool) -> None:
        self.invoice_register.unique_numbers = value
