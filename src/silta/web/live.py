"""What the settings tab asks the services while the user looks at it.

The dimension headers for the two selects come from Netvisor's ``dimensionlist.nv``; whether
the TEMP customer or product exists decides what the page says about the "not transferred"
choices; "test connection" calls both services with the stored credentials. Each answer is
bounded in time, and a failure is an answer too (shown on the page), never an error page.

Nothing is asked of an address the operator does not allow (a tenant stored before the
list was narrowed, say), and a failure is told in Silta's words (:func:`describe`). These
answers are shown to viewers too, and asked again on every load of the tab.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import attrs
import httpx

from silta import severa
from silta.backoff import RetryPolicy
from silta.domain import TEMP_CODE, Register
from silta.endpoints import Endpoints, Service
from silta.errors import SiltaError
from silta.failures import classify
from silta.netvisor import NetvisorError
from silta.severa import SeveraApiError, SeveraError
from silta.store import Store
from silta.sync.context import SyncContext
from silta.sync.runner import tenant_context
from silta.tenants import Tenant

__all__ = [
    "EndpointRefused",
    "Probe",
    "TempStatus",
    "describe",
    "dimension_headers",
    "temp_status",
    "test_connection",
]

HttpFactory = Callable[[], httpx.AsyncClient]

TIMEOUT = 20.0  # seconds for one page's questions, so a hanging service never hangs the page
_ONE_TRY = RetryPolicy(attempts=1)  # the user is waiting: report, do not retry for minutes


@attrs.frozen
class Probe:
    service: str  # "Netvisor" or "Severa"
    ok: bool
    message: str | None = None
    # what failed, as silta.failures' category (a page says it in its language; the
    # message is the technical detail)
    category: str | None = None


@attrs.frozen
class TempStatus:
    exists: bool | None  # None: could not tell
    name: str | None = None
    error: str | None = None  # Silta's own text of what failed (the technical detail)
    category: str | None = None  # what failed, as silta.failures' category (said in words)


@contextlib.asynccontextmanager
async def _context(store: Store, tenant: Tenant, http: HttpFactory) -> AsyncIterator[SyncContext]:
    client = http()
    try:
        async with tenant_context(store, tenant, http=client, retry=_ONE_TRY) as ctx:
            yield ctx
    finally:
        await client.aclose()


class EndpointRefused(SiltaError):
    """The tenant's stored address is not one the operator allows: nothing was sent."""

    def __init__(self, service: Service) -> None:
        name = "Netvisor" if service == "netvisor" else "Severa"
        super().__init__(
            f"the {name} address is not among those the operator allows "
            f"(SILTA_{service.upper()}_URLS); nothing was sent"
        )


def _allowed(tenant: Tenant, endpoints: Endpoints, service: Service) -> None:
    url = tenant.netvisor.base_url if service == "netvisor" else tenant.severa.base_url
    if not endpoints.permits(service, url):
        raise EndpointRefused(service)


def describe(exc: BaseException) -> str:
    """What went wrong, in Silta's words: the kind of failure, the HTTP status, and only the
    service's own error text.

    The clients' messages are written by Silta (they describe a foreign answer, never quote
    it), except for the two texts that are the service's by contract: Netvisor's
    ``ResponseStatus`` (a ``NetvisorStatusError``, only from a body that parsed as its XML)
    and Severa's ``ExceptionModel`` details (a :class:`SeveraApiError`, only from a body
    that parsed as one). Anything else is named by its type alone.
    """
    if isinstance(exc, TimeoutError):
        return f"no answer in {TIMEOUT:.0f} seconds"
    if isinstance(exc, SeveraApiError):
        return f"HTTP {exc.status}: {exc.user_message}"
    if isinstance(exc, NetvisorError | SeveraError | EndpointRefused):
        return str(exc) or type(exc).__name__
    return type(exc).__name__


def failure_category(exc: BaseException) -> str:
    """The category of a live read's failure (:mod:`silta.failures`): a timeout of its own
    bound, an address the operator does not allow, or what the client raised."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, EndpointRefused):
        return "configuration"
    return classify(exc).category


async def dimension_headers(
    store: Store, tenant: Tenant, http: HttpFactory, endpoints: Endpoints
) -> list[str]:
    """The names of the company's dimension headers (hidden ones too: they can be chosen).

    Raises:
        SiltaError | TimeoutError: Netvisor could not be asked (:func:`describe` says why).
    """
    _allowed(tenant, endpoints, "netvisor")
    async with _context(store, tenant, http) as ctx:
        headers = await asyncio.wait_for(ctx.netvisor.list_dimensions(show_hidden=True), TIMEOUT)
    return sorted({header.name for header in headers if header.name}, key=str.casefold)


async def invoice_statuses(
    store: Store, tenant: Tenant, http: HttpFactory, endpoints: Endpoints
) -> list[severa.InvoiceStatus]:
    """The company's Severa invoice statuses, in Severa's order (the invoice transfer's
    *ready* and *after-transfer* are chosen from them).

    Raises:
        SiltaError | TimeoutError: Severa could not be asked (:func:`describe` says why).
    """
    _allowed(tenant, endpoints, "severa")
    async with _context(store, tenant, http) as ctx:

        async def read() -> list[severa.InvoiceStatus]:
            return [status async for status in ctx.severa.iter_invoice_statuses()]

        return await asyncio.wait_for(read(), TIMEOUT)


async def temp_status(
    store: Store, tenant: Tenant, register: Register, http: HttpFactory, endpoints: Endpoints
) -> TempStatus:
    """Whether Netvisor has the TEMP customer (or product) the article's third choice needs."""
    try:
        _allowed(tenant, endpoints, "netvisor")
        async with _context(store, tenant, http) as ctx:
            if register is Register.CUSTOMERS:
                found = await asyncio.wait_for(
                    ctx.netvisor.list_customers(codes=[TEMP_CODE]), TIMEOUT
                )
                match = next((row for row in found if row.code == TEMP_CODE), None)
                return TempStatus(match is not None, match.name if match else None)
            product = await asyncio.wait_for(ctx.netvisor.find_product(TEMP_CODE), TIMEOUT)
            return TempStatus(product is not None, product.name if product else None)
    except (SiltaError, TimeoutError) as exc:
        return TempStatus(None, error=describe(exc), category=failure_category(exc))


async def test_connection(
    store: Store, tenant: Tenant, http: HttpFactory, endpoints: Endpoints
) -> list[Probe]:
    """Call each service once with the stored credentials; one :class:`Probe` per service.

    A service whose stored address the operator does not allow is not called at all.
    """
    probes: list[Probe] = []
    async with _context(store, tenant, http) as ctx:
        try:
            _allowed(tenant, endpoints, "netvisor")
            await asyncio.wait_for(ctx.netvisor.list_dimensions(), TIMEOUT)
            probes.append(Probe("Netvisor", True))
        except (SiltaError, TimeoutError) as exc:
            probes.append(Probe("Netvisor", False, describe(exc), failure_category(exc)))
        try:
            _allowed(tenant, endpoints, "severa")
            await asyncio.wait_for(ctx.severa.languages(), TIMEOUT)
            probes.append(Probe("Severa", True))
        except (SiltaError, TimeoutError) as exc:
            probes.append(Probe("Severa", False, describe(exc), failure_category(exc)))
    return probes
