"""The Severa client against the Severa sandbox, in process, over httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from silta.backoff import RetryPolicy
from silta.sandbox.severa import Credential, SeveraSandbox
from silta.severa import RateLimits, SeveraClient, SeveraCredentials

BASE = "https://api.severa.visma.com/rest-api"
SCOPES = frozenset(
    {"customers:read", "customers:write", "projects:read", "settings:read", "settings:write",
     "organization:read"}
)  # fmt: skip


class SeveraClock:
    """One hand-moved clock for the sandbox and the client."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def mounted(sandbox: SeveraSandbox) -> Starlette:
    """The sandbox under /rest-api, where the document's server URL puts Severa's routes."""
    return Starlette(routes=[Mount("/rest-api", app=sandbox.app)])


@pytest.fixture
def severa_clock() -> SeveraClock:
    return SeveraClock()


@pytest.fixture
def severa(severa_clock: SeveraClock) -> SeveraSandbox:
    sandbox = SeveraSandbox(clock=severa_clock, seed=11)
    org = sandbox.add_organisation("Testi Oy")
    sandbox.add_credential(
        Credential(
            client_id="silta-test", client_secret="s3cret", organisation=org.id, scopes=SCOPES
        )
    )
    return sandbox


@pytest.fixture
async def severa_http(severa: SeveraSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mounted(severa))) as http:
        yield http


MakeSevera = Callable[..., SeveraClient]


@pytest.fixture
def make_severa(severa_http: httpx.AsyncClient, severa_clock: SeveraClock) -> MakeSevera:
    def make(
        *,
        http: httpx.AsyncClient | None = None,
        rate: int = 8,
        attempts: int = 4,
        timeout: float = 5.0,
        limits: RateLimits | None = None,
        clock: Callable[[], datetime] | None = None,
        credentials: SeveraCredentials | None = None,
    ) -> SeveraClient:
        return SeveraClient(
            http or severa_http,
            credentials or SeveraCredentials("silta-test", "s3cret"),
            base_url=BASE,
            rate=rate,
            limits=limits or RateLimits(),
            retry=RetryPolicy(attempts=attempts, base_delay=0.05, max_delay=0.5),
            timeout=timeout,
            clock=clock or severa_clock,
        )

    return make
