"""Fixtures for the Netvisor sandbox tests: a sandbox on a fake clock, and a signed client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from silta.sandbox.netvisor import Integration, NetvisorSandbox, Organisation

from .helpers import (
    BASE_URL,
    CUSTOMER_ID,
    CUSTOMER_KEY,
    ORG_ID,
    OTHER_ORG_ID,
    PARTNER_ID,
    PARTNER_KEY,
    Api,
    FakeClock,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> NetvisorSandbox:
    sandbox = NetvisorSandbox(clock=clock, seed=7)
    sandbox.add_integration(
        Integration(
            partner_id=PARTNER_ID,
            partner_key=PARTNER_KEY,
            customer_id=CUSTOMER_ID,
            customer_key=CUSTOMER_KEY,
            organisation_ids=(ORG_ID, OTHER_ORG_ID),
        )
    )
    return sandbox


@pytest.fixture
def org(sandbox: NetvisorSandbox) -> Organisation:
    return sandbox.organisation(ORG_ID)


@pytest.fixture
async def client(sandbox: NetvisorSandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def api(client: httpx.AsyncClient, clock: FakeClock) -> Api:
    return Api(client, clock)
