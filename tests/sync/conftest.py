"""A world for the engine's tests: both sandboxes, a store, and one tenant.

The engine runs for real against the sandboxes (over httpx.ASGITransport), with a real
SQLite store in a temporary directory; nothing of the engine is mocked.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from silta.backoff import RetryPolicy
from silta.domain import Register, RunStatus, Status, TenantSettings
from silta.netvisor import NetvisorCredentials
from silta.sandbox.netvisor import Integration, NetvisorSandbox
from silta.sandbox.netvisor.organisation import Organisation as NetvisorOrganisation
from silta.sandbox.severa import ALL_SCOPES, Credential, SeveraSandbox
from silta.sandbox.severa.organisation import Organisation as SeveraOrganisation
from silta.sandbox.variance import SHARE
from silta.severa import SeveraCredentials
from silta.store import Entry, Store
from silta.sync import RunResult, sync_tenant
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant, TenantConfig

ORG_ID = "1967543-8"
BASE = "http://sandbox.test"


Hook = Callable[[httpx.Request, int], Awaitable[httpx.Response | None]]


class Interceptor(httpx.AsyncBaseTransport):
    """The sandboxes' transport, with a hook that may answer or break any request.

    ``hook(request, writes_so_far)`` returns a response to answer instead of the sandbox,
    ``None`` to pass the request on, or raises. ``writes`` counts POST and PATCH requests.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.hook: Hook | None = None
        self.after: Hook | None = None
        self.writes = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        is_write = request.method in ("POST", "PATCH") and "token" not in request.url.path
        if self.hook is not None:
            answer = await self.hook(request, self.writes)
            if answer is not None:
                return answer
        response = await self.inner.handle_async_request(request)
        if is_write:
            self.writes += 1
        if self.after is not None:
            await response.aread()
            answer = await self.after(request, self.writes)
            if answer is not None:
                return answer
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()  # the sockets of a served sandbox's transport


class Clock:
    """One hand-moved clock for both sandboxes and the engine."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@attrs.define
class World:
    """Both sandboxes, the store and the tenant; ``sync`` runs the real engine."""

    netvisor: NetvisorSandbox
    severa: SeveraSandbox
    store: Store
    http: httpx.AsyncClient
    tenant: Tenant
    transport: Interceptor
    clock: Clock

    @property
    def nv(self) -> NetvisorOrganisation:
        return self.netvisor.organisation(ORG_ID)

    @property
    def sv(self) -> SeveraOrganisation:
        return self.severa.organisation_of("silta")

    def settings(self, **changes: Any) -> None:
        """Change the tenant's settings, as the KH admin would."""
        current = self.store.settings(self.tenant.id)
        self.store.change_settings(
            self.tenant.id, attrs.evolve(current, **changes), changed_by="test"
        )
        for register in Register:
            self.store.clear_watermark(self.tenant.id, register)
        self.tenant = self.store.tenant(self.tenant.id)

    async def sync(
        self, *registers: Register, full: bool = False, dry_run: bool = False
    ) -> list[RunResult]:
        return await sync_tenant(
            self.store,
            self.store.tenant(self.tenant.id),
            registers=registers or tuple(Register),
            full=full,
            dry_run=dry_run,
            http=self.http,
            clock=self.clock,
            severa_rate=1000,
            retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
        )

    async def sync_one(self, register: Register, **options: Any) -> RunResult:
        (result,) = await self.sync(register, **options)
        return result

    def entries(self, result: RunResult, **filters: Any) -> list[Entry]:
        return self.store.entries(result.run_id, **filters)

    def refusals(self, result: RunResult) -> dict[str, list[str]]:
        """rule -> source keys of the records refused by it."""
        found: dict[str, list[str]] = {}
        for entry in self.entries(result, status=Status.REFUSED):
            for refusal in entry.refusals:
                found.setdefault(refusal.rule, []).append(
                    entry.source_key or entry.natural_key or ""
                )
        return found

    def writes(self) -> int:
        """Writes committed at both sandboxes so far."""
        severa_writes = sum(
            org.stats.writes_committed for org in self.severa.organisations.values()
        )
        return self.nv.stats.writes_committed + severa_writes


def completed(results: Iterable[RunResult]) -> None:
    for result in results:
        assert result.status is RunStatus.COMPLETED, (result.register, result.error, result.counts)


#: The sync tests run twice: against sandboxes answering in one form, and in variance mode,
#: where both answer in the services' alternative forms at random (silta.sandbox.variance).
#: Silta's results must not tell the two apart.
VARIANCE_SEED = 17


@pytest.fixture(params=[None, VARIANCE_SEED], ids=["plain", "variance"])
def variance(request: pytest.FixtureRequest) -> int | None:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def world(tmp_path: Path, variance: int | None) -> AsyncIterator[World]:
    async with make_world(tmp_path, variance=variance) as made:
        made.nv.put_dimension_header("Projekti")
        made.nv.put_dimension_header("Yksikkö")
        yield made


@contextlib.asynccontextmanager
async def make_world(
    tmp_path: Path, seed: int = 3, *, variance: int | None = None, share: float = SHARE
) -> AsyncIterator[World]:
    """Both sandboxes (empty), a store in ``tmp_path`` and one tenant; ``variance`` turns
    variance mode on in both with that seed, each form taken with ``share``."""
    tmp_path.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - test setup, instant
    clock = Clock()
    netvisor = NetvisorSandbox(seed=seed, clock=clock)
    netvisor.add_integration(
        Integration(
            partner_id="P",
            partner_key="pk",
            customer_id="C",
            customer_key="ck",
            organisation_ids=(ORG_ID,),
        )
    )
    severa = SeveraSandbox(seed=seed, rate_limit=None, clock=clock)
    org = severa.add_organisation("Silta")
    severa.add_credential(Credential(client_id="silta", client_secret="s", organisation=org.id,
                                     scopes=ALL_SCOPES))  # fmt: skip
    netvisor.set_variance(variance, share)
    severa.set_variance(variance, share)
    app = Starlette(routes=[Mount("/netvisor", app=netvisor.app), Mount("/severa", app=severa.app)])
    store = Store.open(f"sqlite:///{tmp_path / 'silta.db'}", key_file=tmp_path / "silta.key")
    tenant = store.add_tenant(
        TenantConfig(
            name="Testi Oy",
            netvisor=NetvisorConnection(
                NetvisorCredentials(
                    sender="Silta tests",
                    customer_id="C",
                    customer_key="ck",
                    partner_id="P",
                    partner_key="pk",
                    organisation_id=ORG_ID,
                ),
                base_url=f"{BASE}/netvisor",
            ),
            severa=SeveraConnection(SeveraCredentials("silta", "s"), base_url=f"{BASE}/severa"),
            settings=TenantSettings(),
        ),
        changed_by="test",
    )
    transport = Interceptor(httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=transport) as http:
        yield World(netvisor, severa, store, http, tenant, transport, clock)
    store.close()
