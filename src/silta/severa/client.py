"""The Severa client: one method per resource, over an injected :class:`httpx.AsyncClient`.

What it guarantees, from Severa's OpenAPI document and ``reference/severa-api.md``:

* Every call carries ``Authorization: Bearer`` and ``Client_Id``; the token is renewed before
  it expires, and a 401 makes the client get a new token and try once more (:mod:`.auth`).
* At most ``rate`` requests per rolling second per credential, shared by every task of the
  process (:mod:`.ratelimit`). A 429 pauses the whole credential for ``Retry-After`` when
  Severa sends it, else for an exponential, jittered delay, and the request is sent again:
  a 429 means it was not processed, so even a write is safe to resend.
* Reads are retried on 5xx, timeouts and dropped connections. A write (POST, PATCH) that may
  have reached Severa without a usable answer raises :class:`SeveraOutcomeUnknown`; it is
  never re-sent here.
* Lists stream as async iterators, page by page: token paging (``rowCount`` 100,
  ``pageToken`` from the ``NextPageToken`` header until there is none) for customers,
  products, projects, phases, invoices, invoice rows and the entries billed on them,
  project fees, travel reimbursements and their expenses, and users; offset paging
  (``firstRow``, until a short page) for business units, addresses, invoice statuses,
  travel reimbursement statuses, travel expense types and travel expense files.
* Long filter lists (``numbers``, ``projectGuids``) are split so that no query string passes
  2,000 bytes (IIS, which serves Severa, refuses longer query strings by default).
* Reference data (languages, countries, VAT rates) is read once per client: a client lives
  for one sync run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pydantic

from silta.backoff import DEFAULT_RETRY, RetryPolicy, retry_after_seconds
from silta.severa import patch as jsonpatch
from silta.severa.auth import SeveraCredentials, Token, TokenCache, TokenSource
from silta.severa.errors import (
    RateLimited,
    SeveraApiError,
    SeveraAuthenticationError,
    SeveraConnectError,
    SeveraError,
    SeveraOutcomeUnknown,
    SeveraProtocolError,
    SeveraRedirected,
    SeveraRequestError,
    SeveraResponseTooLargeError,
    SeveraTimeout,
    SeveraTransportError,
    api_error,
)
from silta.severa.fees import DeletedProjectFee, ProjectFeeInput
from silta.severa.invoices import (
    CustomerCountrySettings,
    Invoice,
    InvoiceRow,
    InvoiceSettings,
    InvoiceStatus,
    ProjectFee,
    ProjectTravelExpense,
    WorkHour,
)
from silta.severa.models import (
    Address,
    AddressInput,
    BusinessUnit,
    Country,
    Customer,
    CustomerInput,
    Language,
    Phase,
    PhaseWithHierarchy,
    Product,
    ProductInput,
    Project,
    TokenResponse,
    VatRate,
)
from silta.severa.ratelimit import DEFAULT_RATE, PROCESS_LIMITS, RateLimiter, RateLimits
from silta.severa.travel import (
    ExpenseType,
    TravelExpenseFile,
    TravelReimbursement,
    TravelReimbursementStatus,
    User,
)
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
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "PAGE_SIZE",
    "PRODUCTION_URL",
    "SeveraClient",
]

log = logging.getLogger("silta.severa")

_TRANSPORT_ERRORS = TransportErrors(
    timeout=SeveraTimeout, connect=SeveraConnectError, broken=SeveraTransportError
)

PRODUCTION_URL = "https://api.severa.visma.com/rest-api"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
PAGE_SIZE = 100  # the document's maximum rowCount
MAX_QUERY_BYTES = 2000

M = TypeVar("M", bound=pydantic.BaseModel)
Params = list[tuple[str, str]]

_WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
_JSON = "application/json"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _changed_since(value: datetime) -> str:
    if value.tzinfo is None:
        raise SeveraRequestError("changed_since must be timezone-aware; Severa wants an offset")
    # Sent with its offset; httpx percent-encodes the "+" (a raw "+" would read as a space).
    return value.isoformat()


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _split(name: str, values: Sequence[str], base: Params) -> list[Params]:
    """``base`` plus ``name=value`` pairs, in as many parameter lists as the query limit needs."""
    base_size = sum(len(k) + len(v) + 2 for k, v in base)
    groups: list[Params] = []
    current: Params = []
    size = base_size
    for value in values:
        cost = len(name) + len(value) * 3 + 2  # worst case: every character percent-encoded
        if current and size + cost > MAX_QUERY_BYTES:
            groups.append(base + current)
            current, size = [], base_size
        current.append((name, value))
        size += cost
    if current:
        groups.append(base + current)
    return groups


class SeveraClient:
    """Severa's customers, addresses, products, projects, phases and business units.

    Args:
        http: the caller's client; its base URL, auth and timeout are not used.
        credentials: the client id, secret and scopes.
        base_url: :data:`PRODUCTION_URL`, the staging URL, or a sandbox.
        timeout: seconds for one attempt.
        retry: attempts and backoff for retryable failures.
        rate: requests per rolling second for this credential (Severa allows 10).
        limits: the process-wide limiter registry (tests pass their own).
        clock: aware UTC now, for token expiry.
        sleep: awaited between retries.
        token_cache: tokens shared with other clients of the process (``None``: this
            client gets its own; the runs pass :data:`~silta.severa.auth.PROCESS_TOKENS`).
        observer: told of every attempt (the metrics); ``None``: nobody is.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: SeveraCredentials,
        *,
        base_url: str = PRODUCTION_URL,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        rate: int = DEFAULT_RATE,
        limits: RateLimits = PROCESS_LIMITS,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        rng: random.Random | None = None,
        token_cache: TokenCache | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        self._http = http
        self._observer = observer
        self._credentials = credentials
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._retry = retry
        self._rate = rate
        self._limits = limits
        self._sleep = sleep
        self._max_response_bytes = max_response_bytes
        self._rng = rng or random.Random()
        self.tokens = TokenSource(
            credentials,
            self._exchange_token,
            clock=clock,
            cache=token_cache,
            cache_key=(
                TokenCache.key(self._base_url, credentials) if token_cache is not None else None
            ),
        )
        self._reference: dict[str, list[Any]] = {}
        self.calls = 0
        self.rate_limited = 0  # 429 answers seen

    # -- customers -------------------------------------------------------------------------

    async def iter_customers(
        self,
        *,
        changed_since: datetime | None = None,
        numbers: Iterable[int] | None = None,
        is_active: bool | None = None,
    ) -> AsyncIterator[Customer]:
        """``GET /v1/customers``: all customers, or those matching every filter given."""
        base: Params = []
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        if is_active is not None:
            base.append(("isActive", _flag(is_active)))
        async for item in self._token_paged_by("/v1/customers", base, "numbers", numbers, Customer):
            yield item

    async def get_customer(self, guid: str) -> Customer:
        """``GET /v1/customers/{guid}``."""
        return await self._one("GET", f"/v1/customers/{guid}", Customer)

    async def create_customer(self, customer: CustomerInput) -> Customer:
        """``POST /v1/customers``; returns the customer as Severa stored it."""
        return await self._one("POST", "/v1/customers", Customer, body=customer.body())

    async def patch_customer(self, guid: str, changes: Mapping[str, object]) -> Customer:
        """``PATCH /v1/customers/{guid}`` with one ``Replace`` per changed path.

        ``changes`` maps JSON paths (``"name"``, ``"headquarterAddress/guid"``) to values.
        """
        return await self._patch(f"/v1/customers/{guid}", changes, Customer)

    # -- addresses -------------------------------------------------------------------------

    async def iter_customer_addresses(self, customer_guid: str) -> AsyncIterator[Address]:
        """``GET /v1/customers/{guid}/addresses``: one customer's addresses."""
        path = f"/v1/customers/{customer_guid}/addresses"
        async for item in self._offset_paged(path, [], Address):
            yield item

    async def iter_addresses(
        self, *, changed_since: datetime | None = None
    ) -> AsyncIterator[Address]:
        """``GET /v1/addresses``: every customer's addresses (changed since a time)."""
        base: Params = []
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        async for item in self._offset_paged("/v1/addresses", base, Address):
            yield item

    async def get_address(self, guid: str) -> Address:
        """``GET /v1/addresses/{guid}``."""
        return await self._one("GET", f"/v1/addresses/{guid}", Address)

    async def create_address(self, customer_guid: str, address: AddressInput) -> Address:
        """``POST /v1/customers/{guid}/addresses``."""
        path = f"/v1/customers/{customer_guid}/addresses"
        return await self._one("POST", path, Address, body=address.body())

    async def patch_address(self, guid: str, changes: Mapping[str, object]) -> Address:
        """``PATCH /v1/addresses/{guid}``."""
        return await self._patch(f"/v1/addresses/{guid}", changes, Address)

    # -- products --------------------------------------------------------------------------

    async def iter_products(
        self,
        *,
        changed_since: datetime | None = None,
        code: str | None = None,
        is_active: bool | None = None,
    ) -> AsyncIterator[Product]:
        """``GET /v1/products``."""
        base: Params = []
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        if code is not None:
            base.append(("code", code))
        if is_active is not None:
            base.append(("isActive", _flag(is_active)))
        async for item in self._token_paged("/v1/products", base, Product):
            yield item

    async def get_product(self, guid: str) -> Product:
        """``GET /v1/products/{guid}``."""
        return await self._one("GET", f"/v1/products/{guid}", Product)

    async def create_product(self, product: ProductInput) -> Product:
        """``POST /v1/products``."""
        return await self._one("POST", "/v1/products", Product, body=product.body())

    # -- projects, phases, business units ---------------------------------------------------

    async def iter_projects(
        self,
        *,
        changed_since: datetime | None = None,
        numbers: Iterable[int] | None = None,
        project_guids: Iterable[str] | None = None,
        is_closed: bool | None = None,
    ) -> AsyncIterator[Project]:
        """``GET /v1/projects``; ``numbers`` and ``project_guids`` may not be combined."""
        base: Params = []
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        if is_closed is not None:
            base.append(("isClosed", _flag(is_closed)))
        if numbers is not None and project_guids is not None:
            raise SeveraRequestError("filter projects by numbers or by guids, not both")
        if project_guids is not None:
            pages = self._token_paged_by(
                "/v1/projects", base, "projectGuids", project_guids, Project
            )
        else:
            pages = self._token_paged_by("/v1/projects", base, "numbers", numbers, Project)
        async for item in pages:
            yield item

    async def iter_phases(
        self,
        *,
        changed_since: datetime | None = None,
        project_guids: Iterable[str] | None = None,
        code: str | None = None,
    ) -> AsyncIterator[Phase]:
        """``GET /v1/phases``. Root phases (one per project) are phases too."""
        base: Params = []
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        if code is not None:
            base.append(("code", code))
        pages = self._token_paged_by("/v1/phases", base, "projectGuids", project_guids, Phase)
        async for item in pages:
            yield item

    async def phases_with_hierarchy(self, project_guid: str) -> list[PhaseWithHierarchy]:
        """``GET /v1/projects/{guid}/phaseswithhierarchy``: the project's tree, flat, in order."""
        path = f"/v1/projects/{project_guid}/phaseswithhierarchy"
        response = await self._request("GET", path)
        return self._parse_list(response, PhaseWithHierarchy, path)

    async def iter_business_units(
        self, *, changed_since: datetime | None = None, code: str | None = None
    ) -> AsyncIterator[BusinessUnit]:
        """``GET /v1/businessunits`` (offset paging)."""
        base: Params = []
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        if code is not None:
            base.append(("code", code))
        async for item in self._offset_paged("/v1/businessunits", base, BusinessUnit):
            yield item

    async def get_project(self, guid: str) -> Project:
        """``GET /v1/projects/{guid}`` (a project's business unit, for one invoice)."""
        return await self._one("GET", f"/v1/projects/{guid}", Project)

    # -- invoices --------------------------------------------------------------------------

    async def iter_invoices(
        self,
        *,
        status_guids: Iterable[str] | None = None,
        changed_since: datetime | None = None,
        numbers: Iterable[int] | None = None,
        customer_guids: Iterable[str] | None = None,
    ) -> AsyncIterator[Invoice]:
        """``GET /v1/invoices``: invoices matching every filter given (token paging).

        ``status_guids`` is the transfer's queue: the invoices in the *ready* status.
        ``numbers`` may be any length (split under the query limit); the other lists are
        short by nature and sent whole.
        """
        base: Params = []
        if status_guids is not None:
            statuses = list(dict.fromkeys(status_guids))
            if not statuses:
                return  # an empty filter matches nothing; without it Severa sends everything
            base.extend(("invoiceStatusGuids", guid) for guid in statuses)
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        if customer_guids is not None:
            customers = list(dict.fromkeys(customer_guids))
            if not customers:
                return
            base.extend(("customerGuids", guid) for guid in customers)
        async for item in self._token_paged_by("/v1/invoices", base, "numbers", numbers, Invoice):
            yield item

    async def get_invoice(self, guid: str) -> Invoice:
        """``GET /v1/invoices/{guid}``."""
        return await self._one("GET", f"/v1/invoices/{guid}", Invoice)

    async def iter_invoice_rows(
        self, invoice_guid: str, *, row_type: str | None = None
    ) -> AsyncIterator[InvoiceRow]:
        """``GET /v1/invoices/{guid}/invoicerows`` (token paging)."""
        base: Params = [("rowType", row_type)] if row_type is not None else []
        path = f"/v1/invoices/{invoice_guid}/invoicerows"
        async for item in self._token_paged(path, base, InvoiceRow):
            yield item

    async def invoice_settings(self, invoice_guid: str) -> InvoiceSettings:
        """``GET /v1/invoices/{guid}/invoicesettings``: ``isReverseCharged`` and its text."""
        path = f"/v1/invoices/{invoice_guid}/invoicesettings"
        return await self._one("GET", path, InvoiceSettings)

    async def iter_invoice_project_fees(self, invoice_guid: str) -> AsyncIterator[ProjectFee]:
        """``GET /v1/invoices/{guid}/projectfees``: the fees billed on the invoice, each with
        the ``invoiceRowGuid`` of its row."""
        path = f"/v1/invoices/{invoice_guid}/projectfees"
        async for item in self._token_paged(path, [], ProjectFee):
            yield item

    async def iter_invoice_work_hours(self, invoice_guid: str) -> AsyncIterator[WorkHour]:
        """``GET /v1/invoices/{guid}/workhours``: the hours billed on the invoice."""
        path = f"/v1/invoices/{invoice_guid}/workhours"
        async for item in self._token_paged(path, [], WorkHour):
            yield item

    async def iter_invoice_travel_expenses(
        self, invoice_guid: str
    ) -> AsyncIterator[ProjectTravelExpense]:
        """``GET /v1/invoices/{guid}/projecttravelexpenses``: the travel billed on it."""
        path = f"/v1/invoices/{invoice_guid}/projecttravelexpenses"
        async for item in self._token_paged(path, [], ProjectTravelExpense):
            yield item

    async def set_invoice_status(self, invoice_guid: str, status_guid: str) -> Invoice:
        """``PATCH /v1/invoices/{guid}``, replacing ``/status/guid``: move the invoice on.

        A write: an answer lost after sending raises :class:`SeveraOutcomeUnknown`; read the
        invoice back to see where it is before sending it again.
        """
        path = f"/v1/invoices/{invoice_guid}"
        return await self._patch(path, {"status/guid": status_guid}, Invoice)

    async def iter_invoice_statuses(
        self, *, active: bool | None = None
    ) -> AsyncIterator[InvoiceStatus]:
        """``GET /v1/invoicestatuses`` (offset paging)."""
        base: Params = [("active", _flag(active))] if active is not None else []
        async for item in self._offset_paged("/v1/invoicestatuses", base, InvoiceStatus):
            yield item

    async def customer_country_settings(self, customer_guid: str) -> list[CustomerCountrySettings]:
        """``GET /v1/customers/{guid}/customercountrysettings``: VAT treatment by country."""
        path = f"/v1/customers/{customer_guid}/customercountrysettings"
        response = await self._request("GET", path)
        return self._parse_list(response, CustomerCountrySettings, path)

    # -- project fees (the purchase-line transfer, reference/invoices.md §3.3) ---------------

    async def create_project_fee(self, fee: ProjectFeeInput) -> ProjectFee:
        """``POST /v1/projectfees``: a cost row on a project; Severa answers 201 with the
        stored fee in a one-element array.

        A write: a lost or unreadable answer raises :class:`SeveraOutcomeUnknown` and is
        never re-sent here. Severa has no field for an outside key, so the caller finds the
        fee again by the marker its name carries (:meth:`iter_fees_of_project`).
        """
        return await self._one("POST", "/v1/projectfees", ProjectFee, body=fee.body())

    async def get_project_fee(self, guid: str) -> ProjectFee:
        """``GET /v1/projectfees/{guid}``."""
        return await self._one("GET", f"/v1/projectfees/{guid}", ProjectFee)

    async def iter_project_fees(
        self, *, changed_since: datetime | None = None
    ) -> AsyncIterator[ProjectFee]:
        """``GET /v1/projectfees``: every project's fees, or those changed since a time
        (the only filter the document gives this route)."""
        base: Params = []
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        async for item in self._token_paged("/v1/projectfees", base, ProjectFee):
            yield item

    async def iter_fees_of_project(
        self,
        project_guid: str,
        *,
        product_type: str | None = None,
        is_billable: bool | None = None,
        is_billed: bool | None = None,
    ) -> AsyncIterator[ProjectFee]:
        """``GET /v1/projects/{guid}/projectfees``: one project's fees (token paging).

        The lookup after an unknown outcome reads this list unfiltered: a fee billed or
        re-typed by a user since would escape a filter, and be made twice.
        """
        base: Params = []
        if product_type is not None:
            base.append(("productType", product_type))
        if is_billable is not None:
            base.append(("isBillable", _flag(is_billable)))
        if is_billed is not None:
            base.append(("isBilled", _flag(is_billed)))
        path = f"/v1/projects/{project_guid}/projectfees"
        async for item in self._token_paged(path, base, ProjectFee):
            yield item

    async def iter_deleted_project_fees(
        self,
        *,
        deleted_since: datetime | None = None,
        project_guids: Iterable[str] | None = None,
    ) -> AsyncIterator[DeletedProjectFee]:
        """``GET /v1/deletedprojectfees``: fees deleted since a time, optionally of some
        projects (a long list is split under the query limit)."""
        base: Params = []
        if deleted_since is not None:
            base.append(("deletedSince", _changed_since(deleted_since)))
        pages = self._token_paged_by(
            "/v1/deletedprojectfees", base, "projectGuids", project_guids, DeletedProjectFee
        )
        async for item in pages:
            yield item

    # -- travel reimbursements (the travel transfer, reference/invoices.md §3.4) -------------

    async def iter_travel_reimbursements(
        self,
        *,
        status_guids: Iterable[str] | None = None,
        changed_since: datetime | None = None,
    ) -> AsyncIterator[TravelReimbursement]:
        """``GET /v1/travelreimbursements`` by status and change time (token paging).

        An empty status list asks nothing rather than everything, as for invoices.
        """
        base: Params = []
        if status_guids is not None:
            statuses = list(dict.fromkeys(status_guids))
            if not statuses:
                return
            base.extend(("travelReimbursementStatusGuids", guid) for guid in statuses)
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        async for item in self._token_paged("/v1/travelreimbursements", base, TravelReimbursement):
            yield item

    async def get_travel_reimbursement(self, guid: str) -> TravelReimbursement:
        """``GET /v1/travelreimbursements/{guid}``."""
        return await self._one("GET", f"/v1/travelreimbursements/{guid}", TravelReimbursement)

    async def iter_travel_reimbursement_expenses(
        self, reimbursement_guid: str, *, expense_class: str | None = None
    ) -> AsyncIterator[ProjectTravelExpense]:
        """``GET /v1/travelreimbursements/{guid}/projecttravelexpenses``: a report's lines."""
        base: Params = [("expenseClass", expense_class)] if expense_class is not None else []
        path = f"/v1/travelreimbursements/{reimbursement_guid}/projecttravelexpenses"
        async for item in self._token_paged(path, base, ProjectTravelExpense):
            yield item

    async def set_travel_reimbursement_status(
        self, reimbursement_guid: str, status_guid: str
    ) -> TravelReimbursement:
        """``PATCH /v1/travelreimbursements/{guid}``, replacing
        ``/travelReimbursementStatus/guid`` (the path by the analogy the invoices use: the
        document defines no input model for a report). A write: a lost answer raises
        :class:`SeveraOutcomeUnknown`."""
        path = f"/v1/travelreimbursements/{reimbursement_guid}"
        changes = {"travelReimbursementStatus/guid": status_guid}
        return await self._patch(path, changes, TravelReimbursement)

    async def iter_travel_reimbursement_statuses(
        self, *, active: bool | None = None
    ) -> AsyncIterator[TravelReimbursementStatus]:
        """``GET /v1/travelreimbursementstatuses`` (offset paging)."""
        base: Params = [("active", _flag(active))] if active is not None else []
        path = "/v1/travelreimbursementstatuses"
        async for item in self._offset_paged(path, base, TravelReimbursementStatus):
            yield item

    async def iter_travel_expense_types(
        self, *, active: bool | None = None, code: str | None = None
    ) -> AsyncIterator[ExpenseType]:
        """``GET /v1/travelexpensetypes`` (offset paging)."""
        base: Params = []
        if active is not None:
            base.append(("active", _flag(active)))
        if code is not None:
            base.append(("code", code))
        async for item in self._offset_paged("/v1/travelexpensetypes", base, ExpenseType):
            yield item

    async def iter_users(
        self,
        *,
        changed_since: datetime | None = None,
        code: str | None = None,
        is_active: bool | None = None,
    ) -> AsyncIterator[User]:
        """``GET /v1/users`` (token paging); ``code`` is the employee number."""
        base: Params = []
        if changed_since is not None:
            base.append(("changedSince", _changed_since(changed_since)))
        if code is not None:
            base.append(("code", code))
        if is_active is not None:
            base.append(("isActive", _flag(is_active)))
        async for item in self._token_paged("/v1/users", base, User):
            yield item

    async def get_user(self, guid: str) -> User:
        """``GET /v1/users/{guid}``."""
        return await self._one("GET", f"/v1/users/{guid}", User)

    async def iter_travel_expense_files(
        self, expense_guid: str
    ) -> AsyncIterator[TravelExpenseFile]:
        """``GET /v1/projecttravelexpenses/{guid}/files``: a travel expense's attachments,
        with names and sizes (offset paging). Only worth asking when the expense's
        ``attachmentCount`` is above 0."""
        path = f"/v1/projecttravelexpenses/{expense_guid}/files"
        async for item in self._offset_paged(path, [], TravelExpenseFile):
            yield item

    async def iter_user_travel_expense_files(
        self, user_guid: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> AsyncIterator[TravelExpenseFile]:
        """``GET /v1/users/{guid}/travelexpensesfiles``: a user's travel expense attachments
        in a period, each naming its expense (``travelExpenseGuid``)."""
        base: Params = []
        if start is not None:
            base.append(("startDate", _changed_since(start)))
        if end is not None:
            base.append(("endDate", _changed_since(end)))
        path = f"/v1/users/{user_guid}/travelexpensesfiles"
        async for item in self._offset_paged(path, base, TravelExpenseFile):
            yield item

    async def get_travel_expense_file(self, guid: str) -> TravelExpenseFile:
        """``GET /v1/projecttravelexpensefiles/{guid}``: one attachment's description."""
        path = f"/v1/projecttravelexpensefiles/{guid}"
        return await self._one("GET", path, TravelExpenseFile)

    async def file_content(self, file_guid: str) -> bytes:
        """``GET /v1/files/{guid}/filedata``: a file's bytes (``application/octet-stream``),
        within the client's response size limit."""
        path = f"/v1/files/{file_guid}/filedata"
        response = await self._request("GET", path, accept="application/octet-stream")
        return response.content

    # -- reference data, read once per client -----------------------------------------------

    async def languages(self) -> list[Language]:
        """``GET /v1/localization/languages``."""
        return await self._reference_list("/v1/localization/languages", Language)

    async def countries(self) -> list[Country]:
        """``GET /v1/localization/countries``."""
        return await self._reference_list("/v1/localization/countries", Country)

    async def vat_rates(self) -> list[VatRate]:
        """``GET /v1/vatrates``."""
        return await self._reference_list("/v1/vatrates", VatRate)

    async def _reference_list(self, path: str, model: type[M]) -> list[M]:
        if path not in self._reference:
            response = await self._request("GET", path)
            self._reference[path] = self._parse_list(response, model, path)
        return list(self._reference[path])

    # -- paging ----------------------------------------------------------------------------

    async def _token_paged_by(
        self,
        path: str,
        base: Params,
        name: str,
        values: Iterable[object] | None,
        model: type[M],
    ) -> AsyncIterator[M]:
        """Token paging, once per slice of a long filter list (``None``: no such filter)."""
        if values is None:
            groups = [base]
        else:
            texts = list(dict.fromkeys(str(v) for v in values))
            if not texts:
                return
            groups = _split(name, texts, base)
        for params in groups:
            async for item in self._token_paged(path, params, model):
                yield item

    async def _token_paged(self, path: str, base: Params, model: type[M]) -> AsyncIterator[M]:
        token: str | None = None
        while True:
            params = [*base, ("rowCount", str(PAGE_SIZE))]
            if token is not None:
                params.append(("pageToken", token))
            response = await self._request("GET", path, params=params)
            for item in self._parse_list(response, model, path):
                yield item
            next_token = response.headers.get("NextPageToken")
            if not next_token:
                return
            if next_token == token:
                raise SeveraProtocolError(f"{path}: the same NextPageToken twice; paging loops")
            token = next_token

    async def _offset_paged(self, path: str, base: Params, model: type[M]) -> AsyncIterator[M]:
        first = 0
        while True:
            params = [*base, ("firstRow", str(first)), ("rowCount", str(PAGE_SIZE))]
            response = await self._request("GET", path, params=params)
            page = self._parse_list(response, model, path)
            for item in page:
                yield item
            if len(page) < PAGE_SIZE:
                return
            first += len(page)

    # -- parsing ---------------------------------------------------------------------------

    @staticmethod
    def _json(response: httpx.Response, path: str) -> object:
        return _loads(response.content, path)

    def _parse_list(self, response: httpx.Response, model: type[M], path: str) -> list[M]:
        body = self._json(response, path)
        if not isinstance(body, list):
            raise SeveraProtocolError(f"{path}: expected a JSON array, got {type(body).__name__}")
        try:
            return [model.model_validate(item) for item in body]
        except pydantic.ValidationError as exc:
            # not chained: pydantic's text, in any traceback, quotes the answer
            raise SeveraProtocolError(f"{path}: unexpected record shape: {_reasons(exc)}") from None

    def _parse_one(self, response: httpx.Response, model: type[M], path: str) -> M:
        body = self._json(response, path)
        if isinstance(body, list):  # PATCH answers a list of the updated records
            if len(body) != 1:
                raise SeveraProtocolError(f"{path}: expected one updated record, got {len(body)}")
            body = body[0]
        try:
            return model.model_validate(body)
        except pydantic.ValidationError as exc:
            raise SeveraProtocolError(f"{path}: unexpected record shape: {_reasons(exc)}") from None

    async def _one(self, method: str, path: str, model: type[M], *, body: object = None) -> M:
        response = await self._request(method, path, body=body)
        try:
            return self._parse_one(response, model, path)
        except SeveraProtocolError as exc:
            if method in _WRITES:
                raise SeveraOutcomeUnknown(
                    f"{method} {path} was answered with something unreadable ({exc}); "
                    "the record may exist",
                    method=method,
                    path=path,
                ) from exc
            raise

    async def _patch(self, path: str, changes: Mapping[str, object], model: type[M]) -> M:
        operations = jsonpatch.replace_all(changes)
        if not operations:
            raise SeveraRequestError("a PATCH needs at least one change")
        return await self._one("PATCH", path, model, body=operations)

    # -- the exchange ----------------------------------------------------------------------

    def _limiter(self) -> RateLimiter:
        return self._limits.for_key(f"{self._base_url}|{self._credentials.client_id}", self._rate)

    async def _exchange_token(self, path: str, body: object) -> TokenResponse:
        response = await self._send_with_retries("POST", path, None, body, token=None)
        try:
            # never quoted: a cut-off token answer would put the token in the message
            return TokenResponse.model_validate(self._json(response, path))
        except pydantic.ValidationError as exc:
            # Names and reasons only: pydantic's own text quotes the input, i.e. the tokens.
            raise SeveraProtocolError(f"{path}: unexpected token answer: {_reasons(exc)}") from None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: object = None,
        accept: str = _JSON,
    ) -> httpx.Response:
        token = await self.tokens.get()
        try:
            return await self._send_with_retries(
                method, path, params, body, token=token, accept=accept
            )
        except SeveraAuthenticationError:
            # The token may have been revoked or expired early: one fresh token, one more try.
            log.info("severa %s %s: token refused, getting a new one", method, path)
            token = await self.tokens.rejected(token)
            return await self._send_with_retries(
                method, path, params, body, token=token, accept=accept
            )

    async def _send_with_retries(
        self,
        method: str,
        path: str,
        params: Params | None,
        body: object,
        *,
        token: Token | None,
        accept: str = _JSON,
    ) -> httpx.Response:
        write = method in _WRITES and path not in ("/v1/token", "/v1/refreshtoken")
        attempt = 1
        while True:
            try:
                return await self._attempt(method, path, params, body, token, accept)
            except SeveraError as exc:
                if exc.resource is None:  # named for the log line and the run's failure
                    exc.resource = f"{method} {path}"
                if write and _may_have_been_written(exc):
                    raise SeveraOutcomeUnknown(
                        f"{method} {path} got no usable answer ({exc}); it may have been committed",
                        method=method,
                        path=path,
                    ) from exc
                if not exc.retryable or attempt >= self._retry.attempts:
                    raise
                delay = self._retry.delay(attempt, self._rng)
                if isinstance(exc, RateLimited):
                    if exc.retry_after is not None:
                        delay = exc.retry_after
                    self._limiter().pause_for(delay)
                # INFO, not a warning: a retry is not a failure yet. If the last attempt
                # fails too, the run says so, once, in one classified line.
                log.info(
                    "severa %s %s failed (%s); try %d of %d in %.2f s",
                    method,
                    path,
                    exc,
                    attempt + 1,
                    self._retry.attempts,
                    delay,
                    extra={"service": "severa", "resource": f"{method} {path}"},
                )
                attempt += 1
                await self._sleep(delay)

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Params | None,
        body: object,
        token: Token | None,
        accept: str = _JSON,
    ) -> httpx.Response:
        headers = {"Client_Id": self._credentials.client_id, "Accept": accept}
        if token is not None:
            headers["Authorization"] = token.authorization
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        await self._limiter().wait()
        self.calls += 1
        started = time.perf_counter()
        try:
            response = await self._exchange(method, path, params, content, headers)
        except Exception as exc:
            status = exc.status if isinstance(exc, SeveraTransportError) else None
            self._observe(method, path, status, time.perf_counter() - started, exc)
            raise
        seconds = time.perf_counter() - started
        log.debug(
            "severa %s %s -> %d, %d bytes, %.0f ms",
            method,
            path,
            response.status_code,
            len(response.content),
            seconds * 1000,
        )
        error: SeveraError | None = None
        if 300 <= response.status_code < 400:
            error = SeveraRedirected(
                f"{method} {path}: HTTP {response.status_code}, a redirect; Silta follows none "
                "(is the base URL the service's own?)",
                status=response.status_code,
            )
        elif response.status_code >= 400:
            error = self._error(method, path, response)
        self._observe(method, path, response.status_code, seconds, error)
        if error is not None:
            raise error
        return response

    def _observe(
        self,
        method: str,
        path: str,
        status: int | None,
        seconds: float,
        error: BaseException | None,
    ) -> None:
        observe(self._observer, Call("severa", method, path, status, seconds, error))

    async def _exchange(
        self,
        method: str,
        path: str,
        params: Params | None,
        content: bytes | None,
        headers: dict[str, str],
    ) -> httpx.Response:
        with classified(_TRANSPORT_ERRORS, f"{method} {path}", self._timeout):
            async with asyncio.timeout(self._timeout):
                request = self._http.build_request(
                    method,
                    self._base_url + path,
                    params=httpx.QueryParams(tuple(params)) if params else None,
                    content=content,
                    headers=headers,
                    timeout=self._timeout,
                )
                if not same_origin(request, self._base_url):
                    raise SeveraRequestError(
                        f"{method} {path}: the request would leave the base URL's host"
                    )
                # Never followed: a redirect would carry the token or the client secret to
                # another host.
                streamed = await self._http.send(request, stream=True, follow_redirects=False)
                try:
                    body = await self._read_capped(streamed, f"{method} {path}")
                finally:
                    await streamed.aclose()
                return httpx.Response(
                    streamed.status_code,
                    headers=streamed.headers,
                    content=body,
                    request=request,
                )

    async def _read_capped(self, response: httpx.Response, label: str) -> bytes:
        declared = response.headers.get("Content-Length", "").strip()
        if (
            declared.isascii()
            and declared.isdigit()
            and (len(declared) > 18 or int(declared) > self._max_response_bytes)
        ):
            # Refused before a byte is read; the count below still holds a body that lies
            # about its length, or comes compressed or without one.
            raise SeveraResponseTooLargeError(
                f"{label}: the answer declares {declared} bytes, more than the "
                f"limit of {self._max_response_bytes} bytes"
            )
        received: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_response_bytes:
                raise SeveraResponseTooLargeError(
                    f"{label}: the answer passed {self._max_response_bytes} bytes and was cut off"
                )
            received.append(chunk)
        return b"".join(received)

    def _error(self, method: str, path: str, response: httpx.Response) -> SeveraError:
        status = response.status_code
        content = self._redact(response.content, response.request)
        try:
            body: object = _loads(content, path) if content.strip() else None
        except SeveraProtocolError:
            body = None
        if body is None and status >= 500:
            # described, never quoted: whatever answered may want its words on our pages
            return SeveraTransportError(
                f"{method} {path}: HTTP {status} without Severa's error body "
                f"({_body_kind(content)})",
                status=status,
            )
        if status == 429:
            self.rate_limited += 1
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        return api_error(status, body, method=method, path=path, retry_after=retry_after)

    def _redact(self, content: bytes, request: httpx.Request) -> bytes:
        """An error answer with every secret the request could have carried masked: its
        texts end up in run errors and logs, and a service may echo what it was sent."""
        _, _, bearer = request.headers.get("Authorization", "").partition(" ")
        for secret in (self._credentials.client_secret, bearer, *self.tokens.secrets()):
            if len(secret) >= MIN_MASKED_SECRET:
                content = content.replace(secret.encode("utf-8"), b"***")
        return content


# A JSON escape of a UTF-16 surrogate; only a body with one can hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _reasons(exc: pydantic.ValidationError) -> str:
    """Where and why a body did not fit its model; never the values (pydantic's own text
    quotes the input: the tokens of a token answer, anything of a hostile one)."""
    reasons = "; ".join(
        f"{'.'.join(map(str, error['loc'])) or 'the answer'}: {error['type']}"
        for error in exc.errors(include_input=False, include_url=False)[:5]
    )
    more = exc.error_count() - 5
    return reasons + (f"; {more} more" if more > 0 else "")


def _body_kind(content: bytes) -> str:
    """What an answer that is not Severa's JSON looks like, in Silta's words."""
    head = content.lstrip()[:15].lower()
    if not head:
        return "an empty body"
    if head.startswith((b"<!doctype html", b"<html")):
        kind = "an HTML page"
    elif head.startswith((b"{", b"[")):
        kind = "malformed JSON"
    else:
        kind = "a body that is not JSON"
    return f"{kind}, {len(content)} bytes"


def _loads(content: bytes, path: str) -> object:
    """``content`` decoded as JSON, or :class:`SeveraProtocolError` saying what it looks
    like instead (an HTML page, say: a proxy's), never quoting it.

    Deep nesting exhausts the decoder's recursion (``RecursionError``, not a ``ValueError``),
    and a lone surrogate (``"\\ud800"``) decodes to a string that cannot be encoded again,
    so it would fail far from here, in the store; both are refused as unreadable answers.
    """
    try:
        body: object = json.loads(content)
    except RecursionError:
        raise SeveraProtocolError(f"{path}: the answer is not JSON: nested too deeply") from None
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise SeveraProtocolError(
            f"{path}: the answer is not JSON ({_body_kind(content)})"
        ) from exc
    if _SURROGATE_ESCAPE.search(content) and _has_lone_surrogate(body):
        raise SeveraProtocolError(f"{path}: the answer holds text that is not valid Unicode")
    return body


def _has_lone_surrogate(body: object) -> bool:
    pending = [body]
    while pending:  # a loop, not recursion: the body may be deeply nested
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _may_have_been_written(exc: SeveraError) -> bool:
    """A write failed after the request may have reached Severa, without a clear refusal.

    A 4xx (including 429) is Severa refusing the request; a connection never made never
    arrived. Timeouts, dropped connections, 5xx answers and unreadable bodies leave the
    outcome open.
    """
    if isinstance(exc, SeveraConnectError | SeveraRedirected):
        return False
    if isinstance(exc, SeveraApiError):
        return exc.status >= 500
    return isinstance(exc, SeveraTransportError | SeveraProtocolError)
