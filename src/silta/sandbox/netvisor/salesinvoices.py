"""Sales invoices of one organisation: what salesinvoice.nv stores, and the rules it applies.

Written from ``shared/reference/invoices.md`` §2.1-2.2 and ``salesinvoice.dtd``. Settled where
the reference is silent or unsure (each is also in ``docs/architecture.md``):

* **Only invoices are added.** ``method=add`` with ``invoicetype`` absent or ``invoice`` and
  ``salesinvoicestatus`` ``unsent`` or ``open``. Orders and drafts (``order``,
  ``invoicedraft``, ``undelivered``/``delivered``) and ``method=edit`` are refused with
  ``INVALID_DATA`` saying the sandbox does not take them: Silta never edits a transferred
  invoice (§5.11) and sends no orders, so a client that does shows up here. Elements the
  sandbox does not model (voucher lines, accruals, attachments, custom tags, the delivery
  office block) are refused the same way rather than stored half-understood.
* **The customer** is found by ``invoicingcustomeridentifier``: ``type="netvisor"`` a
  NetvisorKey, ``customer`` a customer code (case-insensitive, as codes are),
  ``organizationunitnumber`` the customer's OVT. Unknown → ``INVALID_DATA`` ("Customer not
  found with Netvisor identifier: 123", the fixture's text). If no billing detail
  (``invoicingcustomername`` ... ``countrycode``) is given, name and address are copied from
  the customer card; if any is given, nothing is copied (§2.1).
* **Products** are found by ``productidentifier`` (``netvisor`` key, ``customer`` code, or an
  EAN code); unknown → ``INVALID_DATA``. An empty ``productname`` takes the product's name;
  ``productunitprice type="netvisor"`` takes the product's net price.
* **VAT**: ``vatcode`` is required (the document says so; the DTD marks it optional) and
  the percentage must be one the code allows (:data:`VAT_CODES`, netvisor-api.md §6.3; 13,5
  is allowed wherever 14 is, as Netvisor must from 2026).
* **At least one product line** (comment lines alone are no invoice, §2.1).
* **Payment term**: ``paymenttermnetdays`` or ``salesinvoiceduedate`` is required
  ("invoices without payment term are refused"); without a due date it is the invoice date
  plus the net days.
* **Dimensions are strict.** The header and the item must exist: an item is found by name
  under its header, anywhere in the tree; none, or several (the DTD gives no way to say
  which parent), is ``INVALID_DATA``. Nothing is created: Silta creates missing items with
  dimensionitem.nv first. One item per header on a line.
* **Rounding, as Netvisor does it** (§2.1 and the getsalesinvoice fixture, where a line of
  1 x 2,49 at 22 % reads VAT 0,5478 and sum 3,0378): the net line sum is
  ``quantity x unit price x (1 - discount %)`` rounded half-up to 2 decimals, the VAT is that
  net times the rate **not rounded**, the line sum (gross) is net + VAT. A gross unit price
  gives the gross line rounded to 2 decimals and the VAT taken out of it. Line VAT sum and
  line sum are used as sent only when **both** are sent (R). The invoice total is
  ``salesinvoiceamount`` as sent when it is not empty (never recomputed), else the sum of the
  line sums rounded to 2 decimals.
* **Numbers**: ``salesinvoicenumber`` (digits) is kept; without one the invoice takes the
  next number after the highest one. Whether Netvisor refuses a number already used is not
  known (§6 "Not found"): the sandbox **accepts** it by default, so only Silta's own lookup
  before ``add`` prevents a duplicate, and :attr:`SalesInvoiceStore.unique_numbers` makes it
  refuse with ``DUPLICATE_DATA`` (as ``unique_codes`` does for customer codes). Without a
  reference number Netvisor makes one: the number and its 7-3-1 check digit.
* **Status and vouchers**: an ``open`` invoice was sent elsewhere and has its voucher; an
  ``unsent`` one waits for Netvisor to send it (a test does that with
  :meth:`~.organisation.Organisation.set_sales_invoice_status`). matchcreditnote.nv needs
  both invoices sent (not ``unsent``), so with vouchers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal

import attrs

from .customers import Customer, CustomerStore
from .dimensions import DimensionLink, DimensionStore
from .errors import DUPLICATE_DATA, NetvisorFailure, invalid_data
from .products import Product, ProductStore
from .values import parse_date, parse_decimal, parse_key

__all__ = [
    "BILLING_ELEMENTS",
    "STATUSES",
    "VAT_CODES",
    "CommentRequest",
    "InvoiceRequest",
    "LineRequest",
    "SalesInvoice",
    "SalesInvoiceLine",
    "SalesInvoiceStore",
    "Status",
    "add_sales_invoice",
    "match_credit_note",
    "reference_check_digit",
    "sales_invoice_not_found",
]

FIRST_INVOICE_KEY: Final = 500
FIRST_LINE_KEY: Final = 5000

Status = Literal["unsent", "open", "paid"]
#: Statuses an invoice can have in the sandbox; ``add`` takes the first two.
STATUSES: Final[tuple[Status, ...]] = ("unsent", "open", "paid")

_CENT: Final = Decimal("0.01")
_HUNDRED: Final = Decimal(100)
_ALL_RATES: Final = frozenset(Decimal(x) for x in ("0", "10", "13.5", "14", "24", "25.5"))
_ZERO: Final = frozenset({Decimal(0)})

#: VAT code → the percentages it allows (netvisor-api.md §6.3, with 13,5 beside 14).
VAT_CODES: Final[Mapping[str, frozenset[Decimal]]] = {
    "KOMY": _ALL_RATES,
    "NONE": _ZERO,
    "EUMY": _ZERO,
    "EUUM": _ZERO,
    "EUUO": _ZERO,
    "100": _ZERO,
    "EUPM312": _ZERO,
    "EUPM309": _ZERO,
    "RAMY": _ZERO,
    "KOMY0": _ZERO,
    "MUUL": _ALL_RATES - {Decimal("25.5")},
    **dict.fromkeys(
        ("KOOS", "EUOS", "EUPO", "EVTO", "EVPO", "EVKV", "KAVE", "RAOS", "EVRO", "MAAL", "EVMA"),
        _ALL_RATES,
    ),
}

#: The billing details of salesinvoice.dtd, in DTD order: given any, nothing is copied.
BILLING_ELEMENTS: Final = (
    "invoicingcustomername",
    "invoicingcustomernameextension",
    "invoicingcustomeraddressline",
    "invoicingcustomeradditionaladdressline",
    "invoicingcustomerpostnumber",
    "invoicingcustomertown",
    "invoicingcustomercountrycode",
)
#: Customer card element → billing detail, for the copy when none is given.
_COPIED: Final = {
    "invoicingcustomername": "name",
    "invoicingcustomernameextension": "nameextension",
    "invoicingcustomeraddressline": "streetaddress",
    "invoicingcustomeradditionaladdressline": "additionaladdressline",
    "invoicingcustomerpostnumber": "postnumber",
    "invoicingcustomertown": "city",
    "invoicingcustomercountrycode": "country",
}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def reference_check_digit(base: str) -> int:
    """The Finnish reference number's check digit (7-3-1 from the right)."""
    weights = (7, 3, 1)
    total = sum(int(digit) * weights[i % 3] for i, digit in enumerate(reversed(base)))
    return (10 - total % 10) % 10


# -- requests ----------------------------------------------------------------------------------


@attrs.frozen
class LineRequest:
    """One ``salesinvoiceproductline`` as sent (texts exactly as in the request)."""

    identifier: str
    identifier_type: str
    name: str
    unit_price: str
    price_type: str
    vat_percent: str
    vat_code: str | None
    quantity: str
    purchase_price: str | None = None
    discount: str | None = None
    free_text: str | None = None
    vat_sum: str | None = None
    line_sum: str | None = None
    account: str | None = None
    unit_name: str | None = None
    dimensions: tuple[tuple[str, str], ...] = ()


@attrs.frozen
class CommentRequest:
    """One ``salesinvoicecommentline``."""

    comment: str


@attrs.frozen
class InvoiceRequest:
    """One salesinvoice.nv ``add`` as sent. ``texts`` holds the other leaf elements kept as
    text (references, free texts, private comment, order number ...); ``billing`` the billing
    details that were given; ``unsupported`` the elements present that the sandbox refuses."""

    date: str
    amount: str
    status: str
    customer: str
    customer_type: str
    lines: tuple[LineRequest | CommentRequest, ...]
    number: str | None = None
    due_date: str | None = None
    event_date: str | None = None
    delivery_date: str | None = None
    value_date: str | None = None
    reference: str | None = None
    currency: str | None = None
    currency_rate: str | None = None
    invoice_type: str | None = None
    payment_term_days: str | None = None
    billing: Mapping[str, str] = attrs.field(factory=dict)
    texts: Mapping[str, str] = attrs.field(factory=dict)
    unsupported: tuple[str, ...] = ()


# -- stored values -----------------------------------------------------------------------------


@attrs.frozen
class SalesInvoiceLine:
    """One stored product line.

    Attributes:
        key: the line's NetvisorKey.
        product_key, product_code: the product the line was linked to.
        identifier, identifier_type: ``productidentifier`` as sent.
        name: the line's product name.
        unit_price, price_type: the unit price as sent (``net`` or ``gross``).
        vat_percent, vat_code: ``productvatpercentage`` and its ``vatcode``.
        quantity, discount: the quantity (negative on a credit note) and discount %.
        net_sum, vat_sum, line_sum: net, VAT and gross (= net + VAT) line sums.
        sums_given: VAT sum and line sum were sent and used as they were.
        dimensions: one item per header.
    """

    key: int
    product_key: int
    product_code: str
    identifier: str
    identifier_type: str
    name: str
    unit_price: Decimal
    price_type: str
    vat_percent: Decimal
    vat_code: str
    quantity: Decimal
    discount: Decimal
    net_sum: Decimal
    vat_sum: Decimal
    line_sum: Decimal
    sums_given: bool = False
    purchase_price: Decimal | None = None
    free_text: str = ""
    account: str = ""
    unit: str = ""
    dimensions: tuple[DimensionLink, ...] = ()

    def as_json(self) -> dict[str, object]:
        """The line as JSON (the control API): decimals as text, dimensions by name."""
        return {
            "key": self.key,
            "product_key": self.product_key,
            "product_code": self.product_code,
            "name": self.name,
            "unit_price": str(self.unit_price),
            "price_type": self.price_type,
            "vat_percent": str(self.vat_percent),
            "vat_code": self.vat_code,
            "quantity": str(self.quantity),
            "discount": str(self.discount),
            "net_sum": str(self.net_sum),
            "vat_sum": str(self.vat_sum),
            "line_sum": str(self.line_sum),
            "sums_given": self.sums_given,
            "account": self.account,
            "dimensions": {link.header_name: link.item_name for link in self.dimensions},
        }


@attrs.frozen
class SalesInvoice:
    """One stored sales invoice (a snapshot: a status change or a match stores a new one).

    Attributes:
        key: the NetvisorKey (``InsertedDataIdentifier`` of the add).
        number: the invoice number (text of digits).
        invoice_date, due_date, event_date, delivery_date, value_date: the invoice's dates.
        reference: the reference number.
        amount: the invoice total (gross), as sent or summed (see the module docstring).
        amount_given: ``salesinvoiceamount`` was sent with a value.
        currency, currency_rate: ``iso4217currencycode`` (``EUR`` unless sent) and its rate.
        status: ``unsent``, ``open`` or ``paid``.
        customer_key, customer_code: the customer card the invoice is linked to.
        billing: the billing details (``invoicingcustomername`` ... ``countrycode``).
        payment_term_days: ``paymenttermnetdays``, or ``None``.
        texts: references, free texts, private comment, order number ... as sent.
        lines, comments: product lines and comment lines, each in the order sent.
        created_at, changed_at: when it was added and last changed (``lastmodifiedstart``).
        credited_invoice_key: on a matched credit note, the invoice it credits.
        credited_amount: on an invoice, what matched credit notes took off its open sum.
    """

    key: int
    number: str
    invoice_date: date
    due_date: date
    reference: str
    amount: Decimal
    amount_given: bool
    currency: str
    status: Status
    customer_key: int
    customer_code: str
    billing: Mapping[str, str]
    lines: tuple[SalesInvoiceLine, ...]
    created_at: datetime
    changed_at: datetime
    comments: tuple[str, ...] = ()
    currency_rate: Decimal | None = None
    payment_term_days: int | None = None
    event_date: date | None = None
    delivery_date: date | None = None
    value_date: date | None = None
    texts: Mapping[str, str] = attrs.field(factory=dict)
    credited_invoice_key: int | None = None
    credited_amount: Decimal = Decimal(0)

    @property
    def is_credit_note(self) -> bool:
        """A credit note has a negative total."""
        return self.amount < 0

    @property
    def customer_name(self) -> str:
        """The billing name."""
        return self.billing.get("invoicingcustomername", "")

    @property
    def sent(self) -> bool:
        """Sent (and so with a voucher): any status but ``unsent``."""
        return self.status != "unsent"

    @property
    def open_sum(self) -> Decimal:
        """What is still to be paid: nothing once paid, nothing on a matched credit note."""
        if self.status == "paid" or self.credited_invoice_key is not None:
            return Decimal(0)
        return self.amount - self.credited_amount

    def text(self, element: str) -> str:
        """A kept text element, ``""`` when not sent."""
        return self.texts.get(element, "")

    def as_json(self) -> dict[str, object]:
        """The invoice as JSON (the control API): decimals and dates as text."""
        return {
            "key": self.key,
            "number": self.number,
            "date": self.invoice_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "reference": self.reference,
            "amount": str(self.amount),
            "amount_given": self.amount_given,
            "currency": self.currency,
            "status": self.status,
            "customer_key": self.customer_key,
            "customer_code": self.customer_code,
            "billing": dict(self.billing),
            "payment_term_days": self.payment_term_days,
            "texts": dict(self.texts),
            "lines": [line.as_json() for line in self.lines],
            "comments": list(self.comments),
            "credited_invoice_key": self.credited_invoice_key,
            "open_sum": str(self.open_sum),
        }


class SalesInvoiceStore:
    """The sales invoices of one organisation, by key and by number."""

    def __init__(self) -> None:
        self._by_key: dict[int, SalesInvoice] = {}
        self._by_number: dict[str, list[int]] = {}
        self._next_key = FIRST_INVOICE_KEY
        self._next_line_key = FIRST_LINE_KEY
        # Whether Netvisor refuses a number already used is not known (invoices.md §6): by
        # default the sandbox accepts it, so a test proves that Silta itself never makes a
        # duplicate; a test that wants the refusal switches this on.
        self.unique_numbers = False

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: int) -> SalesInvoice | None:
        """The invoice with ``key``, or ``None``."""
        return self._by_key.get(key)

    def all(self) -> list[SalesInvoice]:
        """Every invoice in key order."""
        return list(self._by_key.values())

    def by_number(self, number: str) -> list[SalesInvoice]:
        """The invoices with ``number`` (several only when duplicates are accepted)."""
        return [self._by_key[key] for key in self._by_number.get(number.strip(), ())]

    def next_number(self) -> str:
        """What an invoice sent without a number gets: one above the highest number."""
        numbers = [int(n) for n in self._by_number if n.isdigit()]
        return str(max(numbers, default=0) + 1)

    def allocate_key(self) -> int:
        """A fresh invoice NetvisorKey."""
        key = self._next_key
        self._next_key += 1
        return key

    def allocate_line_key(self) -> int:
        """A fresh line NetvisorKey."""
        key = self._next_line_key
        self._next_line_key += 1
        return key

    def store(self, invoice: SalesInvoice) -> None:
        """Put ``invoice`` in (a new one, or a new snapshot of one already kept)."""
        if invoice.key not in self._by_key:
            self._by_number.setdefault(invoice.number, []).append(invoice.key)
        self._by_key[invoice.key] = invoice


# -- add ---------------------------------------------------------------------------------------


def sales_invoice_not_found(key: int | str) -> NetvisorFailure:
    """``INVALID_DATA`` for an invoice key that names nothing."""
    return invalid_data(
        f"Myyntilaskua ei löydy Netvisor-tunnisteella: {key}",
        f"Sales invoice not found with Netvisor identifier: {key}",
    )


def _not_supported(what: str) -> NetvisorFailure:
    return invalid_data(
        f"{what}: ei tuettu Silta-hiekkalaatikossa",
        f"{what}: not supported by the Silta sandbox",
    )


def _required(element: str, value: str | None) -> str:
    if value is None or not value.strip():
        raise invalid_data(
            f"Pakollinen elementti {element} puuttuu tai on tyhjä",
            f"Mandatory element {element} is missing or empty",
        )
    return value.strip()


def _optional_date(value: str | None, element: str) -> date | None:
    return parse_date(value, element) if value is not None and value.strip() else None


def _customer(customers: CustomerStore, identifier: str, identifier_type: str) -> Customer:
    value = identifier.strip()
    found: Customer | None = None
    if identifier_type == "netvisor":
        found = customers.get(parse_key(value, "invoicingcustomeridentifier"))
    elif identifier_type == "customer":
        found = customers.by_code(value) if value else None
    elif identifier_type == "organizationunitnumber":
        found = next(
            (c for c in customers.all() if value and c.get("organizationunitnumber") == value),
            None,
        )
    if found is None:
        raise invalid_data(
            f"Asiakasta ei löydy Netvisor-tunnisteella: {value}",
            f"Customer not found with Netvisor identifier: {value}",
        )
    return found


def _product(products: ProductStore, identifier: str, identifier_type: str) -> Product:
    value = identifier.strip()
    found: Product | None = None
    if identifier_type == "netvisor":
        found = products.get(parse_key(value, "productidentifier"))
    elif identifier_type == "customer":
        found = products.by_code(value) if value else None
    elif identifier_type in ("primaryeancode", "secondaryeancode"):
        found = next((p for p in products.all() if value and p.get(identifier_type) == value), None)
    if found is None:
        raise invalid_data(
            f"Tuotetta ei löydy tunnisteella: {value}",
            f"Product not found with identifier: {value}",
        )
    return found


def _vat(line: LineRequest) -> tuple[Decimal, str]:
    percent = parse_decimal(_required("productvatpercentage", line.vat_percent), "vatpercentage")
    code = (line.vat_code or "").strip()
    if not code:
        raise invalid_data(
            "ALV-koodi (vatcode) puuttuu tuoterivin ALV-prosentilta",
            "The VAT code (vatcode) of the line's VAT percentage is missing",
        )
    allowed = VAT_CODES.get(code)
    if allowed is None:
        raise invalid_data(f"Tuntematon ALV-koodi: {code}", f"Unknown VAT code: {code}")
    if percent not in allowed:
        shown = ", ".join(f"{rate.normalize():f}".replace(".", ",") for rate in sorted(allowed))
        raise invalid_data(
            f"ALV-prosentti {line.vat_percent} ei käy ALV-koodille {code} (sallitut: {shown})",
            f"VAT percentage {line.vat_percent} is not allowed with VAT code {code} "
            f"(allowed: {shown})",
        )
    return percent, code


def _dimensions(
    store: DimensionStore, wanted: Iterable[tuple[str, str]]
) -> tuple[DimensionLink, ...]:
    links: dict[int, DimensionLink] = {}
    for header_name, item_name in wanted:
        header_key = store.header_key(header_name)
        if header_key is None:
            raise invalid_data(
                f"Laskentakohdeotsikkoa ei löydy: {header_name}",
                f"Dimension header not found: {header_name}",
            )
        matches = store.find(header_key, item_name)
        if not matches:
            raise invalid_data(
                f"Laskentakohdetta ei löydy: {header_name} / {item_name}",
                f"Dimension item not found: {header_name} / {item_name}",
            )
        if len(matches) > 1:
            raise invalid_data(
                f"Laskentakohteen nimi {item_name} ei ole yksiselitteinen otsikon "
                f"{header_name} alla",
                f"Dimension item name {item_name} is ambiguous under {header_name}",
            )
        if header_key in links:
            raise invalid_data(
                f"Rivillä on kaksi laskentakohdetta otsikolla {header_name}",
                f"The line has two dimension items under {header_name}",
            )
        header = store.header(header_key)
        links[header_key] = DimensionLink(
            header_key, header.name, matches[0], store.item_name(matches[0])
        )
    return tuple(links.values())


def _line(
    request: LineRequest,
    products: ProductStore,
    dimensions: DimensionStore,
    key: int,
) -> SalesInvoiceLine:
    product = _product(products, request.identifier, request.identifier_type)
    percent, code = _vat(request)
    price_type = request.price_type.strip().lower()
    if price_type == "netvisor":
        price, price_type = product.unit_price, "net"
    elif price_type in ("net", "gross"):
        price = parse_decimal(_required("productunitprice", request.unit_price), "unitprice")
    else:
        raise invalid_data(
            f"Virheellinen hintatyyppi: {request.price_type}",
            f"Invalid price type: {request.price_type}",
        )
    quantity = parse_decimal(
        _required("salesinvoiceproductlinequantity", request.quantity), "quantity"
    )
    discount = Decimal(0)
    if request.discount is not None and request.discount.strip():
        discount = parse_decimal(request.discount, "discountpercentage")
        if not 0 <= discount <= _HUNDRED:
            raise invalid_data(
                f"Virheellinen alennusprosentti: {request.discount}",
                f"Invalid discount percentage: {request.discount}",
            )
    given = (request.vat_sum or "").strip() and (request.line_sum or "").strip()
    if given:
        vat_sum = parse_decimal(request.vat_sum or "", "salesinvoiceproductlinevatsum")
        line_sum = parse_decimal(request.line_sum or "", "salesinvoiceproductlinesum")
        net_sum = line_sum - vat_sum
    else:
        undiscounted = quantity * price * (1 - discount / _HUNDRED)
        if price_type == "net":
            net_sum = _cents(undiscounted)
            vat_sum = net_sum * percent / _HUNDRED
            line_sum = net_sum + vat_sum
        else:
            line_sum = _cents(undiscounted)
            vat_sum = line_sum * percent / (_HUNDRED + percent)
            net_sum = line_sum - vat_sum
    purchase = None
    if request.purchase_price is not None and request.purchase_price.strip():
        purchase = parse_decimal(request.purchase_price, "productunitpurchaseprice")
    return SalesInvoiceLine(
        key=key,
        product_key=product.key,
        product_code=product.code,
        identifier=request.identifier.strip(),
        identifier_type=request.identifier_type,
        name=request.name if request.name.strip() else product.name,
        unit_price=price,
        price_type=price_type,
        vat_percent=percent,
        vat_code=code,
        quantity=quantity,
        discount=discount,
        net_sum=net_sum,
        vat_sum=vat_sum,
        line_sum=line_sum,
        sums_given=bool(given),
        purchase_price=purchase,
        free_text=request.free_text or "",
        account=(request.account or "").strip(),
        unit=(request.unit_name or "").strip() or product.get("unit"),
        dimensions=_dimensions(dimensions, request.dimensions),
    )


def _number(store: SalesInvoiceStore, requested: str | None) -> str:
    if requested is None or not requested.strip():
        return store.next_number()
    number = requested.strip()
    if not (number.isascii() and number.isdigit()):
        raise invalid_data(
            f"Laskunumerossa saa olla vain numeroita: {requested}",
            f"An invoice number must contain only digits: {requested}",
        )
    if store.unique_numbers and store.by_number(number):
        raise NetvisorFailure(
            DUPLICATE_DATA,
            f"Laskunumero {number} on jo käytössä",
            f"Invoice number {number} is already in use",
        )
    return number


def _billing(request: InvoiceRequest, customer: Customer) -> dict[str, str]:
    given = {k: v for k, v in request.billing.items() if k in BILLING_ELEMENTS}
    if any(value.strip() for value in given.values()):
        billing = {element: given.get(element, "") for element in BILLING_ELEMENTS}
    else:
        billing = {element: customer.get(field) for element, field in _COPIED.items()}
    country = billing["invoicingcustomercountrycode"].strip()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise invalid_data(
            f"Maakoodin tulee olla ISO 3166 -koodi: {country}",
            f"The country code must be an ISO 3166 code: {country}",
        )
    billing["invoicingcustomercountrycode"] = country.upper()
    return billing


def add_sales_invoice(
    invoices: SalesInvoiceStore,
    customers: CustomerStore,
    products: ProductStore,
    dimensions: DimensionStore,
    request: InvoiceRequest,
    *,
    now: datetime,
) -> SalesInvoice:
    """Add an invoice by the rules of the module docstring; everything is checked before
    anything is stored, so a refused add changes nothing.

    Raises:
        NetvisorFailure: the answer Netvisor would give.
    """
    if request.unsupported:
        raise _not_supported(", ".join(request.unsupported))
    invoice_type = (request.invoice_type or "invoice").strip().lower()
    if invoice_type != "invoice":
        raise _not_supported(f"invoicetype {request.invoice_type}")
    status = request.status.strip().lower()
    if status not in ("unsent", "open"):
        if status in ("", "undelivered", "delivered"):
            raise _not_supported(f"salesinvoicestatus '{request.status}'")
        raise invalid_data(
            f"Virheellinen laskun tila: {request.status}",
            f"Invalid invoice status: {request.status}",
        )
    invoice_date = parse_date(_required("salesinvoicedate", request.date), "salesinvoicedate")
    due = _optional_date(request.due_date, "salesinvoiceduedate")
    term: int | None = None
    if request.payment_term_days is not None and request.payment_term_days.strip():
        term = parse_key(request.payment_term_days, "paymenttermnetdays")
    if due is None and term is None:
        raise invalid_data(
            "Maksuehto puuttuu: anna paymenttermnetdays tai salesinvoiceduedate",
            "Payment term missing: give paymenttermnetdays or salesinvoiceduedate",
        )
    if due is None:
        assert term is not None
        due = invoice_date + timedelta(days=term)
    customer = _customer(customers, request.customer, request.customer_type)
    billing = _billing(request, customer)
    number = _number(invoices, request.number)
    reference = (request.reference or "").strip()
    if not reference:
        reference = number + str(reference_check_digit(number))
    currency = (request.currency or "").strip().upper() or "EUR"
    rate = None
    if request.currency_rate is not None and request.currency_rate.strip():
        rate = parse_decimal(request.currency_rate, "currencyrate")
    lines: list[SalesInvoiceLine] = []
    comments: list[str] = []
    for line in request.lines:
        if isinstance(line, CommentRequest):
            comments.append(line.comment)
        else:
            # Keys are allocated only once every line is known to be valid (below).
            lines.append(_line(line, products, dimensions, 0))
    if not lines:
        raise invalid_data("Laskulla ei ole yhtään tuoteriviä", "The invoice has no product line")
    if request.amount.strip():
        amount = parse_decimal(request.amount, "salesinvoiceamount")
        amount_given = True
    else:
        amount = _cents(sum((line.line_sum for line in lines), Decimal(0)))
        amount_given = False

    # Nothing below can fail: commit.
    invoice = SalesInvoice(
        key=invoices.allocate_key(),
        number=number,
        invoice_date=invoice_date,
        due_date=due,
        reference=reference,
        amount=amount,
        amount_given=amount_given,
        currency=currency,
        currency_rate=rate,
        status="open" if status == "open" else "unsent",
        customer_key=customer.key,
        customer_code=customer.code,
        billing=billing,
        lines=tuple(attrs.evolve(line, key=invoices.allocate_line_key()) for line in lines),
        comments=tuple(comments),
        created_at=now,
        changed_at=now,
        payment_term_days=term,
        event_date=_optional_date(request.event_date, "salesinvoiceeventdate"),
        delivery_date=_optional_date(request.delivery_date, "salesinvoicedeliverydate"),
        value_date=_optional_date(request.value_date, "salesinvoicevaluedate"),
        texts=dict(request.texts),
    )
    invoices.store(invoice)
    return invoice


# -- matchcreditnote ---------------------------------------------------------------------------


def match_credit_note(
    invoices: SalesInvoiceStore, credit_note_key: int, invoice_key: int, *, now: datetime
) -> tuple[SalesInvoice, SalesInvoice]:
    """Match a credit note to the invoice it credits (matchcreditnote.nv).

    Both must exist and be sent (so have vouchers), the credit note must be one (a negative
    total) and not matched yet, the invoice must not be a credit note, and both must be in
    the same currency. The invoice's open sum drops by the credit note's total.

    Raises:
        NetvisorFailure: ``INVALID_DATA`` naming what is wrong.
    """
    credit_note = invoices.get(credit_note_key)
    if credit_note is None:
        raise sales_invoice_not_found(credit_note_key)
    invoice = invoices.get(invoice_key)
    if invoice is None:
        raise sales_invoice_not_found(invoice_key)
    if not credit_note.is_credit_note:
        raise invalid_data(
            f"Lasku {credit_note.number} ei ole hyvityslasku",
            f"Invoice {credit_note.number} is not a credit note",
        )
    if invoice.is_credit_note:
        raise invalid_data(
            f"Lasku {invoice.number} on hyvityslasku, sitä ei voi hyvittää",
            f"Invoice {invoice.number} is a credit note; it cannot be credited",
        )
    for which in (credit_note, invoice):
        if not which.sent:
            raise invalid_data(
                f"Laskua {which.number} ei ole lähetetty eikä sillä ole tositetta",
                f"Invoice {which.number} has not been sent and has no voucher",
            )
    if credit_note.currency != invoice.currency:
        raise invalid_data(
            f"Hyvityslaskun valuutta {credit_note.currency} ei ole laskun valuutta "
            f"{invoice.currency}",
            f"The credit note's currency {credit_note.currency} is not the invoice's "
            f"{invoice.currency}",
        )
    if credit_note.credited_invoice_key is not None:
        raise invalid_data(
            f"Hyvityslasku {credit_note.number} on jo kohdistettu",
            f"Credit note {credit_note.number} is already matched",
        )
    credited = attrs.evolve(credit_note, credited_invoice_key=invoice.key, changed_at=now)
    reduced = attrs.evolve(
        invoice, credited_amount=invoice.credited_amount - credit_note.amount, changed_at=now
    )
    invoices.store(credited)
    invoices.store(reduced)
    return credited, reduced
