"""Running a tenant's registers: the adapter each setting calls for, and the clients."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime

import attrs
import httpx

from silta.backoff import DEFAULT_RETRY, RetryPolicy
from silta.config import Settings
from silta.domain import (
    CustomerDirection,
    InvoiceTransferMode,
    ProductDirection,
    Register,
    RunKind,
    System,
    TenantSettings,
)
from silta.endpoints import Endpoints, in_process
from silta.metrics import PROCESS_METRICS, Metrics
from silta.netvisor import NetvisorAuth, NetvisorClient
from silta.severa import DEFAULT_RATE, INVOICE_SCOPES, SeveraClient, SeveraCredentials
from silta.severa.auth import FEE_SCOPES, PROCESS_TOKENS, TRAVEL_SCOPES
from silta.store import Holds, Schedule, Store, StoreError
from silta.store.schedule import new_owner
from silta.sync.context import SyncContext
from silta.sync.customers import CustomersToNetvisor, CustomersToSevera
from silta.sync.dimensions import DimensionsToNetvisor
from silta.sync.engine import Adapter, ConfigurationProblem, RunResult, run_register
from silta.sync.invoices import InvoicesToNetvisor
from silta.sync.journal import Journal, Progress
from silta.sync.plan import Plan
from silta.sync.products import ProductsToNetvisor, ProductsToSevera
from silta.sync.purchase_lines import PurchaseLinesToSevera
from silta.sync.temp import TempCustomerCheck, TempProductCheck
from silta.sync.travel import TravelToNetvisor
from silta.tenants import Tenant
from silta.transport import new_http_client

__all__ = ["adapter_for", "sync_tenant", "tenant_context", "tenant_lock"]

log = logging.getLogger("silta.sync")

ProgressFactory = Callable[[Register], Progress | None]


def adapter_for(register: Register, settings: TenantSettings) -> Adapter | None:
    """The adapter the settings call for; ``None`` when the register is switched off."""
    if register is Register.CUSTOMERS:
        customers: dict[CustomerDirection, Callable[[], Adapter]] = {
            CustomerDirection.SEVERA_TO_NETVISOR: CustomersToNetvisor,
            CustomerDirection.NETVISOR_TO_SEVERA: CustomersToSevera,
            CustomerDirection.TEMP_CUSTOMER: TempCustomerCheck,
        }
        return customers[settings.customers]()
    if register is Register.PRODUCTS:
        products: dict[ProductDirection, Callable[[], Adapter]] = {
            ProductDirection.SEVERA_TO_NETVISOR: ProductsToNetvisor,
            ProductDirection.NETVISOR_TO_SEVERA: ProductsToSevera,
            ProductDirection.TEMP_PRODUCT: TempProductCheck,
        }
        return products[settings.products]()
    if register is Register.DIMENSIONS and settings.dimensions:
        return DimensionsToNetvisor()
    if register is Register.INVOICES and settings.invoices_enabled:
        return InvoicesToNetvisor()
    if register is Register.PURCHASE_LINES and settings.purchase_lines_enabled:
        return PurchaseLinesToSevera()
    if register is Register.TRAVEL and settings.travel_enabled:
        return TravelToNetvisor()
    return None


# The money transfers a KH may keep to "transfer now" (issues 18, 19): the scheduler claims
# no slot of theirs, and a scheduled run that meets one anyway skips it.
_ON_REQUEST_ONLY: dict[Register, Callable[[TenantSettings], bool]] = {
    Register.INVOICES: lambda settings: settings.invoices_mode is InvoiceTransferMode.MANUAL,
    Register.PURCHASE_LINES: lambda settings: not settings.purchase_lines_automatic,
    Register.TRAVEL: lambda settings: not settings.travel_automatic,
}


def only_on_request(register: Register, settings: TenantSettings) -> bool:
    """Whether the KH chose to run ``register`` only on "transfer now" (never scheduled)."""
    check = _ON_REQUEST_ONLY.get(register)
    return check is not None and check(settings)


def scheduled_only_on_request(register: Register, settings: TenantSettings, trigger: str) -> bool:
    """Whether a run by ``trigger`` must leave ``register`` alone: the schedule's runs do
    when the KH chose "only on transfer now"."""
    return trigger.startswith("schedule") and only_on_request(register, settings)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _with_transfer_scopes(
    credentials: SeveraCredentials, settings: TenantSettings
) -> SeveraCredentials:
    """The credentials asking also for the scopes of the money transfers switched on (issue
    18, 19): a company that has not turned them on never asks Severa for invoices, fees or
    travels."""
    extra = [
        *(INVOICE_SCOPES if settings.invoices_enabled else ()),
        *(FEE_SCOPES if settings.purchase_lines_enabled else ()),
        *(TRAVEL_SCOPES if settings.travel_enabled else ()),
    ]
    missing = tuple(scope for scope in extra if scope not in credentials.scopes)
    if not missing:
        return credentials
    return attrs.evolve(credentials, scopes=(*credentials.scopes, *missing))


@contextlib.asynccontextmanager
async def tenant_context(
    store: Store,
    tenant: Tenant,
    *,
    http: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] | None = None,
    severa_rate: int = DEFAULT_RATE,
    retry: RetryPolicy = DEFAULT_RETRY,
    max_response_bytes: int | None = None,
    metrics: Metrics | None = None,
) -> AsyncIterator[SyncContext]:
    """A run's context with both clients; the HTTP client is made here unless given.

    ``severa_rate`` is the client's pace per credential (Severa allows 10 per second).
    ``max_response_bytes`` caps each answer; unset, ``SILTA_MAX_RESPONSE_BYTES`` does, read
    here so that every way a run starts (scheduler, worker, CLI, web) obeys it.
    ``metrics`` counts both clients' calls (default: the process's).
    """
    observer = metrics or PROCESS_METRICS
    if max_response_bytes is None:
        max_response_bytes = Settings().max_response_bytes
    owned = http is None
    client = http or new_http_client()
    now = clock or _utc_now
    try:
        settings = store.settings(tenant.id)
        credentials = tenant.netvisor.credentials
        yield SyncContext(
            tenant=tenant,
            settings=settings,
            netvisor=NetvisorClient(
                client,
                credentials,
                base_url=tenant.netvisor.base_url,
                retry=retry,
                auth=NetvisorAuth(credentials, clock=now),
                max_response_bytes=max_response_bytes,
                observer=observer,
            ),
            severa=SeveraClient(
                client,
                _with_transfer_scopes(tenant.severa.credentials, settings),
                base_url=tenant.severa.base_url,
                rate=severa_rate,
                retry=retry,
                clock=now,
                max_response_bytes=max_response_bytes,
                token_cache=PROCESS_TOKENS,
                observer=observer,
            ),
            store=store,
            clock=now,
        )
    finally:
        if owned:
            await client.aclose()


async def sync_tenant(
    store: Store,
    tenant: Tenant,
    *,
    registers: Iterable[Register] = tuple(Register),
    full: bool = False,
    dry_run: bool = False,
    trigger: str = "manual",
    http: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] | None = None,
    progress: ProgressFactory | None = None,
    severa_rate: int = DEFAULT_RATE,
    retry: RetryPolicy = DEFAULT_RETRY,
    on_result: Callable[[RunResult], None] | None = None,
    owner: str | None = None,
    metrics: Metrics | None = None,
) -> list[RunResult]:
    """Run the tenant's registers one after the other (one company, one request at a time).

    ``progress(register)`` is called as each register starts, ``on_result`` as it ends.
    A register held for a confirmation (:mod:`silta.confirmation`) is not run, except as a
    dry run: callers say so before they start (:class:`~silta.store.Holds`).
    The tenant's lock is held throughout, so no other process runs this company meanwhile
    (``owner``: whose name to hold it under; default a fresh one). ``metrics`` counts the
    runs and calls (default: the process's :data:`~silta.metrics.PROCESS_METRICS`).

    Raises:
        TenantBusy: another run of the tenant is going, here or in another process.
    """
    async with tenant_lock(store, tenant.id, owner=owner or new_owner(), purpose=trigger):
        return await _sync_registers(
            store,
            tenant,
            registers=registers,
            full=full,
            dry_run=dry_run,
            trigger=trigger,
            http=http,
            clock=clock,
            progress=progress,
            severa_rate=severa_rate,
            retry=retry,
            on_result=on_result,
            metrics=metrics or PROCESS_METRICS,
        )


@contextlib.asynccontextmanager
async def tenant_lock(
    store: Store, tenant_id: int, *, owner: str, purpose: str
) -> AsyncIterator[None]:
    """Hold the tenant's lock while the body runs, refreshing it so it never looks stale.

    Raises:
        TenantBusy: a live holder has it.
    """
    schedule = Schedule(store)
    schedule.lock(tenant_id, owner=owner, purpose=purpose)

    async def keep() -> None:
        every = schedule.stale_after.total_seconds() / 4
        while True:
            await asyncio.sleep(every)
            try:
                held = await asyncio.to_thread(schedule.keep_lock, tenant_id, owner=owner)
            except StoreError as exc:  # the store may recover; the lock is not lost yet
                log.warning("could not refresh the lock of tenant %s: %s", tenant_id, exc)
                continue
            if not held:
                log.warning("tenant %s: the lock was taken over while this run went on", tenant_id)
                return

    keeper = asyncio.get_running_loop().create_task(keep())
    try:
        yield
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        try:
            schedule.unlock(tenant_id, owner=owner)
        except StoreError:  # a gone lock is taken over once stale; nothing is lost
            log.exception("could not give back the lock of tenant %s", tenant_id)


async def _sync_registers(
    store: Store,
    tenant: Tenant,
    *,
    registers: Iterable[Register],
    full: bool,
    dry_run: bool,
    trigger: str,
    http: httpx.AsyncClient | None,
    clock: Callable[[], datetime] | None,
    progress: ProgressFactory | None,
    severa_rate: int,
    retry: RetryPolicy,
    on_result: Callable[[RunResult], None] | None,
    metrics: Metrics,
) -> list[RunResult]:
    results: list[RunResult] = []
    # A run with its own HTTP client calls the services over the network: only at the
    # addresses the operator allows. A stored address can predate the list (or the
    # operator can narrow it): its runs fail with the reason and send nothing. (A run
    # handed a client is a test's or a bench's, talking to sandboxes in the process.)
    refused = _address_refused(tenant, in_process()) if http is None else None
    async with tenant_context(
        store,
        tenant,
        http=http,
        clock=clock,
        severa_rate=severa_rate,
        retry=retry,
        metrics=metrics,
    ) as ctx:
        # Read after the settings the run uses: a hold is made in the same transaction as
        # the settings that call for it, so settings this run sees come with their hold.
        held = () if dry_run else tuple(Holds(store).of(tenant.id))
        for register in registers:
            adapter = adapter_for(register, ctx.settings)
            if adapter is None:
                continue
            if scheduled_only_on_request(register, ctx.settings, trigger):
                log.info("%s: %s runs only on 'transfer now'; not run", tenant.name, register)
                continue
            if register in held:  # a preview is what it waits for; writing is not
                log.info("%s: %s waits for a confirmation; not run", tenant.name, register)
                continue
            if refused is not None:
                adapter = _Refused(adapter.register, adapter.source_system, refused)
            result = await run_register(
                ctx,
                adapter,
                kind=RunKind.FULL if full else None,
                dry_run=dry_run,
                trigger=trigger,
                progress=progress(register) if progress else None,
            )
            results.append(result)
            metrics.run_done(tenant.name, result)
            if on_result is not None:
                on_result(result)
    return results


def _address_refused(tenant: Tenant, endpoints: Endpoints) -> str | None:
    """Why the tenant's stored addresses may not be called, if one is not allowed."""
    for service, name, url in (
        ("netvisor", "Netvisor", tenant.netvisor.base_url),
        ("severa", "Severa", tenant.severa.base_url),
    ):
        if not endpoints.permits(service, url):  # type: ignore[arg-type]
            variable = f"SILTA_{service.upper()}_URLS"
            return (
                f"the {name} address of this company is not one the operator allows "
                f"({variable}); nothing was sent. Allow it, or set an allowed address"
            )
    return None


class _Refused:
    """A register's run that fails at once with the reason, and writes nothing."""

    def __init__(self, register: Register, source_system: System, reason: str) -> None:
        self.register = register
        self.source_system = source_system
        self._reason = reason

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        raise ConfigurationProblem(self._reason)

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        raise ConfigurationProblem(self._reason)
