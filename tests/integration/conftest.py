"""The real client against the sandbox, in process, over httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from silta.netvisor import (
    NetvisorAuth,
    NetvisorClient,
    NetvisorCredentials,
    OrganisationGate,
    RetryPolicy,
)
from silta.sandbox.netvisor import Integration, NetvisorSandbox

ORG = "1967543-8"
OTHER_ORG = "2617416-4"
BASE_URL = "https://isvapi.netvisor.fi"


class Clock:
    """A clock the test moves by hand; the client and the sandbox read the same one."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def credentials(org: str = ORG, **overrides: str) -> NetvisorCredentials:
    values = {
        "sender": "Silta tests",
        "customer_id": "SILTA_TEST",
        "customer_key": "test-customer-key",
        "partner_id": "SILTA_PARTNER",
        "partner_key": "test-partner-key",
        "organisation_id": org,
        "language": "EN",
    }
    values.update(overrides)
    return NetvisorCredentials(**values)


class NoSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> NetvisorSandbox:
    box = NetvisorSandbox(clock=clock, seed=7)
    box.add_integration(
        Integration(
            partner_id="SILTA_PARTNER",
            partner_key="test-partner-key",
            customer_id="SILTA_TEST",
            customer_key="test-customer-key",
            organisation_ids=(ORG, OTHER_ORG),
        )
    )
    for org in (ORG, OTHER_ORG):
        box.organisation(org).put_dimension_header("Projekti")
    return box


@pytest.fixture
async def http(sandbox: NetvisorSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as client:
        yield client


@pytest.fixture
def sleeps() -> NoSleep:
    return NoSleep()


MakeClient = Callable[..., NetvisorClient]


@pytest.fixture
def make_client(http: httpx.AsyncClient, clock: Clock, sleeps: NoSleep) -> MakeClient:
    def make(
        org: str = ORG,
        *,
        gate: OrganisationGate | None = None,
        timeout: float = 5.0,
        attempts: int = 3,
        creds: NetvisorCredentials | None = None,
        auth: httpx.Auth | None = None,
    ) -> NetvisorClient:
        creds = creds or credentials(org)
        return NetvisorClient(
            http,
            creds,
            base_url=BASE_URL,
            timeout=timeout,
            retry=RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.05),
            gate=gate or OrganisationGate(),
            auth=auth or NetvisorAuth(creds, clock=clock),
            sleep=sleeps,
        )

    return make


@pytest.fixture
def client(make_client: MakeClient) -> NetvisorClient:
    return make_client()


from .severa_fixtures import make_severa, severa, severa_clock, severa_http  # noqa: E402, F401
