"""Fixtures for the Severa sandbox tests: a sandbox on a fake clock, reached under /rest-api.

The sandbox here has no rate limit (the fake clock never moves by itself, so a window would
never slide); the rate-limit tests make their own. Every answer is judged against Severa's
OpenAPI document when it is at hand (``tests/severa_openapi.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from silta.sandbox.severa import Credential, Organisation, SeveraSandbox

from ...severa_openapi import Judge
from .helpers import ALL_TEST_SCOPES, BASE_URL, CLIENT_ID, CLIENT_SECRET, Api, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> SeveraSandbox:
    sandbox = SeveraSandbox(clock=clock, seed=5, rate_limit=None)
    org = sandbox.add_organisation("Testi Oy")
    sandbox.add_credential(
        Credential(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            organisation=org.id,
            scopes=ALL_TEST_SCOPES,
        )
    )
    return sandbox


@pytest.fixture
def org(sandbox: SeveraSandbox) -> Organisation:
    return sandbox.organisation_of(CLIENT_ID)


@pytest.fixture
async def client(sandbox: SeveraSandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = Judge(httpx.ASGITransport(app=sandbox.mounted_at("/rest-api")))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)
