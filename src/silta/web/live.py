"""What the settings tab asks the services while the user looks at it.

The dimension headers for the two selects come from Netvisor's ``dimensionlist.nv``; whether
the TEMP customer or product exists decides what the page says about the "not transferred"
choices; "test connection" calls both services with the stored credentials. Each answer is
bounded in time, and a failure is an answer too (shown on the page), never an error page.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import attrs
import httpx

from silta.backoff import RetryPolicy
from silta.domain import TEMP_CODE, Register
from silta.errors import SiltaError
from silta.store import Store
from silta.sync.context import SyncContext
from silta.sync.runner import tenant_context
from silta.tenants import Tenant

__all__ = ["Probe", "TempStatus", "dimension_headers", "temp_status", "test_connection"]

HttpFactory = Callable[[], httpx.AsyncClient]

TIMEOUT = 20.0  # seconds for one page's questions, so a hanging service never hangs the page
_ONE_TRY = RetryPolicy(attempts=1)  # the user is waiting: report, do not retry for minutes


@attrs.frozen
class Probe:
    service: str  # "Netvisor" or "Severa"
    ok: bool
    message: str | None = None


@attrs.frozen
class TempStatus:
    exists: bool | None  # None: could not tell
    name: str | None = None
    error: str | None = None


@contextlib.asynccontextmanager
async def _context(store: Store, tenant: Tenant, http: HttpFactory) -> AsyncIterator[SyncContext]:
    client = http()
    try:
        async with tenant_context(store, tenant, http=client, retry=_ONE_TRY) as ctx:
            yield ctx
    finally:
        await client.aclose()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer in {TIMEOUT:.0f} seconds"
    return str(exc) or type(exc).__name__


async def dimension_headers(store: Store, tenant: Tenant, http: HttpFactory) -> list[str]:
    """The names of the company's dimension headers (hidden ones too: they can be chosen).

    Raises:
        SiltaError | TimeoutError: Netvisor could not be asked; the message says why.
    """
    async with _context(store, tenant, http) as ctx:
        headers = await asyncio.wait_for(ctx.netvisor.list_dimensions(show_hidden=True), TIMEOUT)
    return sorted({header.name for header in headers if header.name}, key=str.casefold)


async def temp_status(
    store: Store, tenant: Tenant, register: Register, http: HttpFactory
) -> TempStatus:
    """Whether Netvisor has the TEMP customer (or product) the article's third choice needs."""
    try:
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
        return TempStatus(None, error=_reason(exc))


async def test_connection(store: Store, tenant: Tenant, http: HttpFactory) -> list[Probe]:
    """Call each service once with the stored credentials; one :class:`Probe` per service."""
    probes: list[Probe] = []
    async with _context(store, tenant, http) as ctx:
        try:
            await asyncio.wait_for(ctx.netvisor.list_dimensions(), TIMEOUT)
            probes.append(Probe("Netvisor", True))
        except (SiltaError, TimeoutError) as exc:
            probes.append(Probe("Netvisor", False, _reason(exc)))
        try:
            await asyncio.wait_for(ctx.severa.languages(), TIMEOUT)
            probes.append(Probe("Severa", True))
        except (SiltaError, TimeoutError) as exc:
            probes.append(Probe("Severa", False, _reason(exc)))
    return probes
