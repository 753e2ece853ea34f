"""The Netvisor client: one method per resource, over an injected :class:`httpx.AsyncClient`.

The client owns no connection pool and patches nothing: the caller passes an
``httpx.AsyncClient`` (in tests, one with ``httpx.ASGITransport(app=sandbox.app)``), and the
client adds Netvisor's signing, XML, limits and error handling on top.

What it guarantees, all from ``reference/netvisor-api.md``:

* Every request is signed anew (new TransactionId, fresh timestamps): :mod:`.auth`.
* At most one request is in flight per organisation ID in this process (Netvisor's
  overlap rule): :mod:`.gate`. The gate is released between retry attempts.
* Each attempt is bounded by ``timeout`` (default 120 s, Netvisor's advice), enforced around
  the whole exchange so that it holds for any transport.
* Reads are retried with backoff on retryable errors. A write that may have reached Netvisor
  but got no readable answer raises :class:`NetvisorOutcomeUnknown`; it is never re-sent here.
* Lists that Netvisor caps (``customercodelist`` 100, ``getcustomer idlist`` 500,
  ``getproduct idlist/codelist`` 400, ``getsalesinvoice netvisorkeylist`` 500,
  ``getpurchaseinvoice netvisorkeylist`` 500) are split into as many calls as needed.
* Bodies larger than ``max_response_bytes`` are cut off with :class:`ResponseTooLargeError`.
* Netvisor's error texts may echo the MAC input; both keys are masked in every message.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs
import httpx

from silta.netvisor import purchaseinvoices as pi
from silta.netvisor import responses as r
from silta.netvisor import salesinvoices as si
from silta.netvisor import schema
from silta.netvisor import tripexpenses as te
from silta.netvisor import xmlcodec as x
from silta.netvisor.auth import NetvisorAuth, NetvisorCredentials
from silta.netvisor.errors import (
    NetvisorConnectError,
    NetvisorError,
    NetvisorHttpRejected,
    NetvisorOutcomeUnknown,
    NetvisorProtocolError,
    NetvisorRequestError,
    NetvisorTimeout,
    NetvisorTransportError,
    NotFound,
    ResponseTooLargeError,
    status_error,
)
from silta.netvisor.gate import PROCESS_GATE, OrganisationGate
from silta.netvisor.models import (
    CreditNoteMatch,
    Customer,
    CustomerData,
    CustomerSummary,
    DimensionHeader,
    DimensionItemWrite,
    Product,
    ProductData,
    ProductSummary,
    SalesInvoice,
    SalesInvoiceData,
    SalesInvoiceSummary,
    UnreadRecord,
)
from silta.netvisor.purchaseinvoices import (
    DeletedPurchaseInvoice,
    PurchaseInvoice,
    PurchaseInvoiceSummary,
)
from silta.netvisor.retry import DEFAULT_RETRY, RetryPolicy, resend_is_safe
from silta.netvisor.tripexpenses import PayrollRatio, TripExpenseData
from silta.transport import (
    MIN_MASKED_SECRET,
    Call,
    CallObserver,
    TransportErrors,
    classified,
    observe,
    same_origin,
)

__all__ = [
    "CUSTOMER_CODES_PER_CALL",
    "CUSTOMER_IDS_PER_CALL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "INVOICE_KEYS_PER_CALL",
    "INVOICE_LIST_PAGE",
    "PRODUCTION_URL",
    "PRODUCTS_PER_CALL",
    "PURCHASE_INVOICE_KEYS_PER_CALL",
    "TEST_URL",
    "NetvisorClient",
]

log = logging.getLogger("silta.netvisor")

_TRANSPORT_ERRORS = TransportErrors(
    timeout=NetvisorTimeout, connect=NetvisorConnectError, broken=NetvisorTransportError
)

PRODUCTION_URL = "https://integration.netvisor.fi"
TEST_URL = "https://isvapi.netvisor.fi"
DEFAULT_TIMEOUT = 120.0
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
CUSTOMER_CODES_PER_CALL = 100  # customerlist.nv customercodelist
CUSTOMER_IDS_PER_CALL = 500  # getcustomer.nv idlist
PRODUCTS_PER_CALL = 400  # getproduct.nv idlist / codelist
INVOICE_KEYS_PER_CALL = 500  # getsalesinvoice.nv netvisorkeylist
INVOICE_LIST_PAGE = 500  # salesinvoicelist.nv answers at most this many rows
INVOICE_STATUSES = frozenset({"open", "overdue", "paid", "unsent", "creditloss", "rejected"})
PURCHASE_INVOICE_KEYS_PER_CALL = 500  # getpurchaseinvoice.nv netvisorkeylist
PURCHASE_PAYMENT_STATUSES = frozenset({"unpaid", "paid"})

# changedsince is a wall-clock time without zone; Netvisor is a Finnish service, so we send
# Finnish time (an assumption: the documentation does not say).
NETVISOR_TIME = ZoneInfo("Europe/Helsinki")

_XML_HEADERS = {"Content-Type": "text/xml; charset=utf-8", "Accept": "text/xml"}

# Every getpurchaseinvoice.nv call: dimensions inside each line (version 2), and no
# attachments (the invoice image can be megabytes and is not needed).
_PURCHASE_DETAIL = {"version": "2", "omitattachments": "true"}


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _unique(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))


def _list_value(name: str, values: Iterable[str]) -> list[str]:
    """Values for a comma-separated list parameter; a comma or an empty value cannot be sent."""
    checked = []
    for value in values:
        if not value or "," in value:
            raise NetvisorRequestError(
                f"{name} cannot carry {value!r}: entries are comma-separated"
            )
        checked.append(value)
    return checked


def _changed_since(value: datetime) -> str:
    if value.tzinfo is None:
        raise NetvisorRequestError(
            "changed_since must be timezone-aware; a naive time is ambiguous across Finnish DST"
        )
    return value.astimezone(NETVISOR_TIME).strftime("%Y-%m-%dT%H:%M:%S")


def _may_have_been_written(exc: NetvisorError) -> bool:
    """A write failed without a readable answer, after the request may have left.

    Only a FAILED answer in Netvisor's XML proves a write was refused; a connection never
    made, or a 4xx from something in between, proves it never arrived.
    """
    unreadable = isinstance(exc, NetvisorTransportError | NetvisorProtocolError)
    return unreadable and not isinstance(exc, NetvisorConnectError | NetvisorHttpRejected)


def _declares_more(response: httpx.Response, limit: int) -> bool:
    """Whether the answer's Content-Length is a number above ``limit``."""
    declared = response.headers.get("Content-Length", "").strip()
    if not (declared.isascii() and declared.isdigit()):
        return False  # none, or not a number: only the count while reading can tell
    return len(declared) > 18 or int(declared) > limit


def _body_kind(content: bytes) -> str:
    """What an answer that is not Netvisor's XML looks like, in Silta's words."""
    head = content.lstrip()[:15].lower()
    if not head:
        return "an empty body"
    if head.startswith((b"<!doctype html", b"<html")):
        kind = "an HTML page, not Netvisor's XML"
    elif head.startswith(b"<"):
        kind = "XML that is not a Netvisor answer (no ResponseStatus)"
    else:
        kind = "a body that is not XML"
    return f"{kind} ({len(content)} bytes)"


class NetvisorClient:
    """Netvisor's customer, product and dimension resources for one company.

    Args:
        http: the caller's client; its base URL, auth and timeout are not used.
        credentials: the integration's keys and the company's organisation ID.
        base_url: :data:`PRODUCTION_URL`, :data:`TEST_URL`, or a sandbox.
        timeout: seconds for one attempt, connection to last byte.
        retry: how often and how patiently reads are retried.
        gate: the per-organisation serializer; share one per process (the default).
        max_response_bytes: larger bodies are refused instead of filling memory.
        sleep: awaited between retries; tests pass a function that records instead.
        observer: told of every attempt (the metrics); ``None``: nobody is.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: NetvisorCredentials,
        *,
        base_url: str = PRODUCTION_URL,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        gate: OrganisationGate = PROCESS_GATE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        auth: httpx.Auth | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        self._http = http
        self._credentials = credentials
        self._observer = observer
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._retry = retry
        self._gate = gate
        self._max_response_bytes = max_response_bytes
        self._auth = auth or NetvisorAuth(credentials)
        self._sleep = sleep
        self._rng = rng or random.Random()

    @property
    def organisation_id(self) -> str:
        return self._credentials.organisation_id

    # -- customers -------------------------------------------------------------------------

    async def list_customers(
        self,
        *,
        keyword: str | None = None,
        changed_since: datetime | None = None,
        codes: Iterable[str] | None = None,
        unread: list[UnreadRecord] | None = None,
    ) -> list[CustomerSummary]:
        """``customerlist.nv``: customers matching every filter given (none = all).

        ``codes`` may be any length: it is sent 100 codes per call. Netvisor ignores
        ``changedsince`` when a keyword is given, so combining them is refused here rather
        than silently returning more than asked. A row without its key goes to ``unread``
        when given (the other rows are read), else raises :class:`NetvisorProtocolError`.
        """
        params: dict[str, str] = {}
        if keyword is not None:
            if changed_since is not None:
                raise NetvisorRequestError(
                    "keyword and changed_since cannot be combined: Netvisor ignores "
                    "changedsince when a keyword is given"
                )
            params["keyword"] = keyword
        if changed_since is not None:
            params["changedsince"] = _changed_since(changed_since)
        if codes is None:
            return r.read_customer_list(await self._get("customerlist.nv", params), unread=unread)
        wanted = _unique(_list_value("customercodelist", codes))
        rows: list[CustomerSummary] = []
        for chunk in _chunks(wanted, CUSTOMER_CODES_PER_CALL):
            chunk_params = {**params, "customercodelist": ",".join(chunk)}
            root = await self._get("customerlist.nv", chunk_params)
            rows.extend(r.read_customer_list(root, unread=unread))
        return rows

    async def get_customer(self, netvisor_key: int) -> Customer:
        """``getcustomer.nv?id=``: one customer, or :class:`NotFound`.

        The answer is the customer asked for, so it has ``netvisor_key`` even when Netvisor
        leaves ``NetvisorKey`` out of it (older and minimal answers do).
        """
        root = await self._get("getcustomer.nv", {"id": str(netvisor_key)})
        found = r.read_customers(root, requested_key=netvisor_key)
        if not found:
            raise NotFound(f"Customer not found with Netvisor identifier: {netvisor_key}")
        return found[0]

    async def iter_customers(
        self, netvisor_keys: Iterable[int], *, unread: list[UnreadRecord] | None = None
    ) -> AsyncIterator[Customer]:
        """Customer details for any number of keys, 500 per call, as they arrive.

        Keys that Netvisor does not know are skipped (as Netvisor's ``idlist`` skips them).
        A record without its key goes to ``unread`` (else raises), as in :meth:`list_customers`.
        """
        keys = _unique(str(key) for key in netvisor_keys)
        for chunk in _chunks(keys, CUSTOMER_IDS_PER_CALL):
            root = await self._get("getcustomer.nv", {"idlist": ",".join(chunk)})
            for customer in r.read_customers(root, unread=unread):
                yield customer

    async def get_customers(
        self, netvisor_keys: Iterable[int], *, unread: list[UnreadRecord] | None = None
    ) -> list[Customer]:
        """Like :meth:`iter_customers`, collected into a list."""
        return [c async for c in self.iter_customers(netvisor_keys, unread=unread)]

    async def add_customer(self, data: CustomerData) -> int:
        """``customer.nv?method=add``; returns the new customer's NetvisorKey."""
        if not data.name:
            raise NetvisorRequestError("a new Netvisor customer needs a name")
        root = await self._post("customer.nv", {"method": "add"}, x.build(schema.CUSTOMER, data))
        return self._inserted_key(root, "customer.nv")

    async def edit_customer(self, netvisor_key: int, changes: CustomerData) -> None:
        """``customer.nv?method=edit``, sending only the fields set in ``changes``.

        ``changes`` is usually ``old.changes_to(new)``; ``""`` blanks a field, ``None`` leaves
        it alone. An edit with nothing to change makes no call.
        """
        if changes.is_empty():
            return
        body = x.build(schema.CUSTOMER, changes)
        await self._post("customer.nv", {"method": "edit", "id": str(netvisor_key)}, body)

    # -- products --------------------------------------------------------------------------

    async def list_products(
        self,
        *,
        keyword: str | None = None,
        changed_since: datetime | None = None,
        include_deleted: bool = True,
        unread: list[UnreadRecord] | None = None,
    ) -> list[ProductSummary]:
        """``productlist.nv``: products matching every filter given (none = all).

        Netvisor lists deleted products too unless told otherwise; ``include_deleted=False``
        sends ``deleted=0`` with both ``published`` and ``unpublished`` set, as Netvisor
        wants them given together. ``unread`` as in :meth:`list_customers`.
        """
        params: dict[str, str] = {}
        if keyword is not None:
            params["keyword"] = keyword
        if changed_since is not None:
            params["changedsince"] = _changed_since(changed_since)
        if not include_deleted:
            params.update({"deleted": "0", "published": "1", "unpublished": "1"})
        return r.read_product_list(await self._get("productlist.nv", params), unread=unread)

    async def get_product(self, netvisor_key: int) -> Product:
        """``getproduct.nv?id=``: one product, or :class:`NotFound`.

        Netvisor answers an unknown id with OK and an empty ``<Product>``; that is NotFound.
        """
        root = await self._get("getproduct.nv", {"id": str(netvisor_key)})
        found = r.read_products(root, requested_key=netvisor_key)
        if not found:
            raise NotFound(f"Product not found with Netvisor identifier: {netvisor_key}")
        return found[0]

    async def find_product(self, code: str) -> Product | None:
        """``getproduct.nv?code=``: the product with this code, or ``None``."""
        found = r.read_products(await self._get("getproduct.nv", {"code": code}))
        return found[0] if found else None

    async def iter_products(
        self,
        *,
        netvisor_keys: Iterable[int] = (),
        codes: Iterable[str] = (),
        unread: list[UnreadRecord] | None = None,
    ) -> AsyncIterator[Product]:
        """Product details by key and/or code, 400 per call; unknown ones are skipped.

        ``unread`` as in :meth:`iter_customers`.
        """
        keys = _unique(str(key) for key in netvisor_keys)
        for chunk in _chunks(keys, PRODUCTS_PER_CALL):
            root = await self._get("getproduct.nv", {"idlist": ",".join(chunk)})
            for product in r.read_products(root, unread=unread):
                yield product
        wanted = _unique(_list_value("codelist", codes))
        for chunk in _chunks(wanted, PRODUCTS_PER_CALL):
            root = await self._get("getproduct.nv", {"codelist": ",".join(chunk)})
            for product in r.read_products(root, unread=unread):
                yield product

    async def get_products(
        self,
        *,
        netvisor_keys: Iterable[int] = (),
        codes: Iterable[str] = (),
        unread: list[UnreadRecord] | None = None,
    ) -> list[Product]:
        """Like :meth:`iter_products`, collected into a list."""
        found = self.iter_products(netvisor_keys=netvisor_keys, codes=codes, unread=unread)
        return [p async for p in found]

    async def add_product(self, data: ProductData) -> int:
        """``product.nv?method=add``; returns the new product's NetvisorKey."""
        root = await self._post("product.nv", {"method": "add"}, x.build(schema.PRODUCT, data))
        return self._inserted_key(root, "product.nv")

    # -- dimensions ------------------------------------------------------------------------

    async def list_dimensions(self, *, show_hidden: bool = False) -> list[DimensionHeader]:
        """``dimensionlist.nv``: every header with its items (hidden ones on request)."""
        params = {"showhidden": "1"} if show_hidden else {}
        return r.read_dimension_list(await self._get("dimensionlist.nv", params))

    async def add_dimension_item(
        self,
        header: str,
        item: str,
        *,
        father_id: int | None = None,
        father_item: str | None = None,
    ) -> None:
        """``dimensionitem.nv?method=add``: a new item under ``header`` (which must exist).

        Give the parent's key and/or name to put the item under another item. Netvisor does
        not return the new key: read :meth:`list_dimensions` to learn it.
        """
        write = DimensionItemWrite(
            header=header, item=item, father_id=father_id, father_item=father_item
        )
        await self._post(
            "dimensionitem.nv", {"method": "add"}, x.build(schema.DIMENSION_ITEM, write)
        )

    async def rename_dimension_item(
        self,
        header: str,
        old_item: str,
        new_item: str,
        *,
        father_id: int | None = None,
        father_item: str | None = None,
    ) -> None:
        """``dimensionitem.nv?method=edit`` with ``olditem``: rename an item.

        ``father_id``/``father_item`` say which parent's child is meant when the same name
        exists under several parents.
        """
        write = DimensionItemWrite(
            header=header,
            item=new_item,
            old_item=old_item,
            father_id=father_id,
            father_item=father_item,
        )
        await self.edit_dimension_item(write)

    async def edit_dimension_item(
        self, write: DimensionItemWrite, *, update_parent_reference: bool = False
    ) -> None:
        """``dimensionitem.nv?method=edit`` in general: rename, hide, or (with
        ``update_parent_reference``) move the item ``write.old_item`` under a new parent."""
        if write.old_item is None:
            raise NetvisorRequestError("editing a dimension item needs old_item")
        params = {"method": "edit"}
        if update_parent_reference:
            params["updateparentreference"] = "true"
        await self._post("dimensionitem.nv", params, x.build(schema.DIMENSION_ITEM, write))

    # -- sales invoices --------------------------------------------------------------------

    async def add_sales_invoice(self, data: SalesInvoiceData) -> int:
        """``salesinvoice.nv?method=add``; returns the new invoice's NetvisorKey.

        A write like the others: never re-sent after it may have arrived. An answer lost on
        the way, or an ``OK`` without ``InsertedDataIdentifier``, raises
        :class:`NetvisorOutcomeUnknown`; look the invoice up by its number
        (:meth:`list_sales_invoices`) before anything is sent again.
        """
        body = x.build(schema.SALES_INVOICE, data)
        root = await self._post("salesinvoice.nv", {"method": "add"}, body)
        return self._inserted_key(root, "salesinvoice.nv")

    async def list_sales_invoices(
        self,
        *,
        number: str | None = None,
        status: str | None = None,
        begin_date: date | None = None,
        end_date: date | None = None,
        modified_since: datetime | None = None,
        modified_before: datetime | None = None,
        customer_code: str | None = None,
        customer_key: int | None = None,
        above_key: int | None = None,
        batch_id: int | None = None,
        country: str | None = None,
        private_comment: bool = True,
        currency_sums: bool = False,
    ) -> list[SalesInvoiceSummary]:
        """``salesinvoicelist.nv``: invoices (not orders) matching every filter given.

        Netvisor answers at most 500 rows; when a page is full the next is asked for above
        its highest NetvisorKey (``invoicesabovenetvisorkey``), so the list is complete. A
        lookup by ``number`` is one call. ``private_comment`` and ``currency_sums`` choose
        the ``replyoption`` (1, 2 or 3).
        """
        params: dict[str, str] = {}
        if number is not None:
            params["invoicenumber"] = number
        if status is not None:
            if status not in INVOICE_STATUSES:
                raise NetvisorRequestError(f"salesinvoicelist.nv has no invoicestatus {status!r}")
            params["invoicestatus"] = status
        if begin_date is not None:
            params["begininvoicedate"] = begin_date.isoformat()
        if end_date is not None:
            params["endinvoicedate"] = end_date.isoformat()
        if modified_since is not None:
            params["lastmodifiedstart"] = _changed_since(modified_since)
        if modified_before is not None:
            params["lastmodifiedend"] = _changed_since(modified_before)
        if customer_code is not None:
            params["customercode"] = customer_code
        if customer_key is not None:
            params["customernetvisorkey"] = str(customer_key)
        if batch_id is not None:
            params["salesinvoicebatchid"] = str(batch_id)
        if country is not None:
            params["invoicingcustomercountrycode"] = country
        reply = (1 if private_comment else 0) | (2 if currency_sums else 0)
        if reply:
            params["replyoption"] = str(reply)
        rows: list[SalesInvoiceSummary] = []
        above = above_key
        while True:
            page_params = dict(params)
            if above is not None:
                page_params["invoicesabovenetvisorkey"] = str(above)
            page = si.read_sales_invoice_list(await self._get("salesinvoicelist.nv", page_params))
            rows.extend(page)
            if len(page) < INVOICE_LIST_PAGE:
                return rows
            highest = max(row.netvisor_key for row in page)
            if above is not None and highest <= above:
                raise NetvisorProtocolError(
                    "salesinvoicelist.nv returned no key above invoicesabovenetvisorkey; "
                    "paging would loop"
                )
            above = highest

    async def get_sales_invoice(self, netvisor_key: int) -> SalesInvoice:
        """``getsalesinvoice.nv?netvisorkey=``: one invoice, or :class:`NotFound`.

        Netvisor answers an unknown key with OK and an empty ``<SalesInvoice/>``.
        """
        found = si.read_sales_invoices(
            await self._get("getsalesinvoice.nv", {"netvisorkey": str(netvisor_key)})
        )
        if not found:
            raise NotFound(f"Sales invoice not found with Netvisor identifier: {netvisor_key}")
        invoice = found[0]
        if invoice.netvisor_key is None:
            invoice = attrs.evolve(invoice, netvisor_key=netvisor_key)
        return invoice

    async def get_sales_invoices(self, netvisor_keys: Iterable[int]) -> list[SalesInvoice]:
        """Invoices by key, 500 per ``netvisorkeylist`` call; unknown keys are skipped."""
        keys = _unique(str(key) for key in netvisor_keys)
        found: list[SalesInvoice] = []
        for chunk in _chunks(keys, INVOICE_KEYS_PER_CALL):
            root = await self._get("getsalesinvoice.nv", {"netvisorkeylist": ",".join(chunk)})
            found.extend(si.read_sales_invoices(root))
        return found

    async def match_credit_note(self, credit_note_key: int, invoice_key: int) -> None:
        """``matchcreditnote.nv``: mark the credit note as crediting the invoice.

        Netvisor requires both to be sent and to have vouchers, in the same currency; a
        refusal comes back as :class:`InvalidData`. A write: a lost answer raises
        :class:`NetvisorOutcomeUnknown`.
        """
        match = CreditNoteMatch(credit_note_key=credit_note_key, invoice_key=invoice_key)
        await self._post("matchcreditnote.nv", {}, x.build(schema.MATCH_CREDIT_NOTE, match))

    # -- purchase invoices (reference/invoices.md §2.3) -------------------------------------

    async def list_purchase_invoices(
        self,
        *,
        status: str | None = None,
        modified_since: datetime | None = None,
        modified_before: datetime | None = None,
        begin_date: date | None = None,
        end_date: date | None = None,
        number: str | None = None,
        batch_id: int | None = None,
        payment_status: str | None = None,
        unread: list[UnreadRecord] | None = None,
    ) -> list[PurchaseInvoiceSummary]:
        """``purchaseinvoicelist.nv``: purchase invoices matching every filter given.

        ``status`` is ``open``, ``approved`` or ``accepted`` (A-PL's Finnish page: new or in
        content check, in approval, approved). ``modified_since``/``modified_before`` go as
        ``lastmodifiedstart``/``lastmodifiedend`` in Finnish wall-clock time, as
        ``changedsince`` does, and must be aware. The list has no paging parameter: one
        call answers everything. A row without its key goes to ``unread`` (else raises).
        """
        params: dict[str, str] = {}
        if status is not None:
            if status not in pi.PURCHASE_INVOICE_STATUSES:
                raise NetvisorRequestError(
                    f"purchaseinvoicelist.nv has no invoicestatus {status!r}"
                )
            params["invoicestatus"] = status
        if modified_since is not None:
            params["lastmodifiedstart"] = _changed_since(modified_since)
        if modified_before is not None:
            params["lastmodifiedend"] = _changed_since(modified_before)
        if begin_date is not None:
            params["begininvoicedate"] = begin_date.isoformat()
        if end_date is not None:
            params["endinvoicedate"] = end_date.isoformat()
        if number is not None:
            params["invoicenumber"] = number
        if batch_id is not None:
            params["purchaseinvoicebatchid"] = str(batch_id)
        if payment_status is not None:
            if payment_status not in PURCHASE_PAYMENT_STATUSES:
                raise NetvisorRequestError(
                    f"purchaseinvoicelist.nv has no paymentstatus {payment_status!r}"
                )
            params["paymentstatus"] = payment_status
        root = await self._get("purchaseinvoicelist.nv", params)
        return pi.read_purchase_invoice_list(root, unread=unread)

    async def get_purchase_invoice(self, netvisor_key: int) -> PurchaseInvoice:
        """``getpurchaseinvoice.nv?netvisorkey=``: one invoice with its lines, or
        :class:`NotFound` (Netvisor answers an unknown key with OK and an empty
        ``<PurchaseInvoice/>``).

        Asked as ``version=2`` (each line's dimensions inside the line) with
        ``omitattachments=true`` (the invoice image is not needed and can be megabytes).
        """
        params = {"netvisorkey": str(netvisor_key), **_PURCHASE_DETAIL}
        found = pi.read_purchase_invoices(
            await self._get("getpurchaseinvoice.nv", params), requested_key=netvisor_key
        )
        if not found:
            raise NotFound(f"Purchase invoice not found with Netvisor identifier: {netvisor_key}")
        return found[0]

    async def get_purchase_invoices(
        self, netvisor_keys: Iterable[int], *, unread: list[UnreadRecord] | None = None
    ) -> list[PurchaseInvoice]:
        """Invoices by key, 500 per ``netvisorkeylist`` call, ``version=2`` without
        attachments; unknown keys are skipped. An invoice without its key, or with a line
        without one, goes to ``unread`` (else raises)."""
        keys = _unique(str(key) for key in netvisor_keys)
        found: list[PurchaseInvoice] = []
        for chunk in _chunks(keys, PURCHASE_INVOICE_KEYS_PER_CALL):
            params = {"netvisorkeylist": ",".join(chunk), **_PURCHASE_DETAIL}
            root = await self._get("getpurchaseinvoice.nv", params)
            found.extend(pi.read_purchase_invoices(root, unread=unread))
        return found

    async def list_deleted_purchase_invoices(
        self, since: datetime | date
    ) -> list[DeletedPurchaseInvoice]:
        """``deletedpurchaseinvoices.nv?deletedsince=``: invoices deleted since the day.

        Netvisor's page (https://support.netvisor.fi/en/support/solutions/articles/77000554202)
        takes a date and keeps seven days of deletions: a caller that has not asked for a
        week learns of no older deletion. An aware time is sent as its day in Finland.
        """
        if isinstance(since, datetime):
            if since.tzinfo is None:
                raise NetvisorRequestError(
                    "since must be timezone-aware; a naive time is ambiguous across Finnish DST"
                )
            day = since.astimezone(NETVISOR_TIME).date()
        else:
            day = since
        root = await self._get("deletedpurchaseinvoices.nv", {"deletedsince": day.isoformat()})
        return pi.read_deleted_purchase_invoices(root)

    # -- travel invoices (reference/invoices.md §2.4) ---------------------------------------

    async def add_trip_expense(self, data: TripExpenseData) -> int | None:
        """``tripexpense.nv``: a travel invoice into Netvisor's travel and expenses.

        Refused before sending when its attachments pass Netvisor's 4 MB. A write like the
        others: an answer lost after sending raises :class:`NetvisorOutcomeUnknown` and is
        never re-sent here. The reference found no description of the answer, and no
        resource reads travel invoices back, so an ``OK`` is success with or without an
        ``InsertedDataIdentifier`` (its key when there is one).
        """
        total = data.attachment_bytes()
        if total > te.ATTACHMENTS_MAX_BYTES:
            raise NetvisorRequestError(
                f"the travel invoice's attachments are {total} bytes; Netvisor takes at most "
                f"{te.ATTACHMENTS_MAX_BYTES}"
            )
        root = await self._post("tripexpense.nv", {}, x.build(schema.TRIP_EXPENSE, data))
        return r.read_inserted_key(root)

    async def list_trip_expense_ratios(self) -> list[PayrollRatio]:
        """``payrollratiolist.nv?source=tripexpensecustomlines``: the expense types a travel
        invoice's custom line may name, each with its name per interface language (what
        the KH's mapping of Severa's expense types must match)."""
        root = await self._get("payrollratiolist.nv", {"source": "tripexpensecustomlines"})
        return te.read_payroll_ratios(root)

    # -- the exchange ----------------------------------------------------------------------

    def _inserted_key(self, root: x.Element, resource: str) -> int:
        key = r.read_inserted_key(root)
        if key is None:
            # Netvisor said OK, so the record exists, but we cannot tell which it is.
            raise NetvisorOutcomeUnknown(
                f"{resource} answered OK without InsertedDataIdentifier; "
                "look the record up by its code",
                resource=resource,
            )
        return key

    async def _get(self, resource: str, params: dict[str, str]) -> x.Element:
        return await self._call("GET", resource, params, None)

    async def _post(self, resource: str, params: dict[str, str], body: bytes) -> x.Element:
        return await self._call("POST", resource, params, body)

    async def _call(
        self, method: str, resource: str, params: dict[str, str], body: bytes | None
    ) -> x.Element:
        write = method == "POST"
        attempt = 1
        while True:
            try:
                return await self._attempt(method, resource, params, body)
            except NetvisorError as exc:
                if exc.resource is None:  # named for the log line and the run's failure
                    exc.resource = resource
                if write and _may_have_been_written(exc):
                    raise NetvisorOutcomeUnknown(
                        f"{resource} {params.get('method', '')} got no usable answer "
                        f"({exc}); it may have been committed",
                        resource=resource,
                    ) from exc
                retry = exc.retryable and (not write or resend_is_safe(exc))
                if not retry or attempt >= self._retry.attempts:
                    raise
                delay = self._retry.delay(attempt, self._rng)
                # INFO, not a warning: a retry is not a failure yet. If the last attempt
                # fails too, the run says so, once, in one classified line.
                log.info(
                    "netvisor %s %s failed (%s); attempt %d of %d again in %.1f s",
                    method,
                    resource,
                    exc,
                    attempt + 1,
                    self._retry.attempts,
                    delay,
                    extra={"service": "netvisor", "resource": resource},
                )
                attempt += 1
                await self._sleep(delay)

    async def _attempt(
        self, method: str, resource: str, params: dict[str, str], body: bytes | None
    ) -> x.Element:
        url = f"{self._base_url}/{resource}"
        started: float | None = None
        answered: int | None = None
        try:
            async with self._gate.hold(self._credentials.organisation_id):
                started = time.perf_counter()  # the wait for the gate is not the call's
                with classified(_TRANSPORT_ERRORS, resource, self._timeout):
                    async with asyncio.timeout(self._timeout):
                        answered, content = await self._exchange(
                            method, url, params, body, resource
                        )
                seconds = time.perf_counter() - started
            log.debug(
                "netvisor %s %s -> %d, %d bytes, %.0f ms",
                method,
                resource,
                answered,
                len(content),
                seconds * 1000,
            )
            root = self._interpret(resource, answered, content)
        except Exception as exc:
            if started is not None:
                elapsed = time.perf_counter() - started
                self._observe(method, resource, answered, elapsed, exc)
            raise
        self._observe(method, resource, answered, seconds, None)
        return root

    def _observe(
        self,
        method: str,
        resource: str,
        status: int | None,
        seconds: float,
        error: BaseException | None,
    ) -> None:
        call = Call("netvisor", method, resource, status, seconds, error)
        observe(self._observer, call)

    async def _exchange(
        self, method: str, url: str, params: dict[str, str], body: bytes | None, resource: str
    ) -> tuple[int, bytes]:
        request = self._http.build_request(
            method,
            url,
            params=params,
            content=body,
            headers=_XML_HEADERS if body is not None else {"Accept": "text/xml"},
            timeout=self._timeout,
        )
        if not same_origin(request, self._base_url):
            raise NetvisorRequestError(f"{resource}: the request would leave the base URL's host")
        # Never followed: a redirect would take the signed request to another host.
        response = await self._http.send(
            request, auth=self._auth, stream=True, follow_redirects=False
        )
        try:
            if _declares_more(response, self._max_response_bytes):
                # Refused before a byte is read; the count below still holds a body that
                # lies about its length, or comes compressed or without one.
                declared = response.headers["Content-Length"]
                raise ResponseTooLargeError(
                    f"{resource}: the answer declares {declared} bytes, more than the limit "
                    f"of {self._max_response_bytes} bytes"
                )
            received: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self._max_response_bytes:
                    raise ResponseTooLargeError(
                        f"{resource}: the answer passed {self._max_response_bytes} bytes "
                        "and was cut off"
                    )
                received.append(chunk)
        finally:
            await response.aclose()
        return response.status_code, b"".join(received)

    def _interpret(self, resource: str, status: int, content: bytes) -> x.Element:
        """Turn an HTTP answer into the XML root, or the right exception."""
        if 300 <= status < 400:
            raise NetvisorHttpRejected(
                f"{resource}: HTTP {status}, a redirect; Silta follows none (is the base URL "
                "the service's own?)",
                status=status,
            )
        try:
            root = x.parse(content) if content.strip() else None
        except NetvisorProtocolError as exc:
            head = content.lstrip()[:15].lower()
            html = head.startswith((b"<!doctype html", b"<html"))
            if html or status >= 400 or not head.startswith(b"<"):
                raise self._not_netvisor(resource, status, content) from exc
            raise type(exc)(f"{resource}: {exc}") from exc  # the same error, naming the call
        if root is None or x.child(root, "responsestatus") is None:
            raise self._not_netvisor(resource, status, content)
        statuses = x.children(x.child(root, "responsestatus"), "status")
        first = (statuses[0].text or "").strip().upper() if statuses else ""
        if first == "OK":
            return root
        if first == "FAILED":
            text = " ".join((s.text or "").strip() for s in statuses[1:]) or "FAILED"
            raise status_error(self._redact(text), http_status=status)
        if first:
            # A lone "CATEGORY :: message" without FAILED: still an error.
            raise status_error(self._redact((statuses[0].text or "").strip()), http_status=status)
        raise NetvisorProtocolError(f"{resource}: ResponseStatus has no Status")

    def _not_netvisor(self, resource: str, status: int, content: bytes) -> NetvisorError:
        # Described, never quoted: the body is whatever answered at the base URL (a proxy's
        # page, or a hostile endpoint's), and the message reaches pages, runs and logs.
        message = f"{resource}: HTTP {status} with {_body_kind(content)}"
        if 400 <= status < 500 and status not in (408, 429):
            return NetvisorHttpRejected(message, status=status)
        return NetvisorTransportError(message, status=status)

    def _redact(self, text: str) -> str:
        for secret in self._credentials.secrets():
            if len(secret) >= MIN_MASKED_SECRET:
                text = text.replace(secret, "***")
        return text
