"""The rate limit: N requests per rolling second per client id, token calls included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from silta.sandbox.severa import Credential, Organisation, SeveraFaults, SeveraSandbox

from ...severa_openapi import Judge
from .helpers import BASE_URL, Api, FakeClock, error_of


@pytest.fixture
def limited(clock: FakeClock) -> SeveraSandbox:
    sandbox = SeveraSandbox(clock=clock, seed=1)  # the default: 10 per second
    org = sandbox.add_organisation("Kiireinen Oy")
    for client_id in ("first", "second"):
        sandbox.add_credential(
            Credential(
                client_id=client_id,
                client_secret="s",
                organisation=org.id,
                scopes={"customers:read"},
            )
        )
    return sandbox


@pytest.fixture
async def http(limited: SeveraSandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = Judge(httpx.ASGITransport(app=limited.mounted_at("/rest-api")))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


async def test_the_eleventh_request_within_a_second_is_429(
    limited: SeveraSandbox, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    api = Api(http, "first", "s")
    await api.authenticate()  # the token call counts: 1
    statuses = []
    for _ in range(10):
        statuses.append((await api.get("/v1/customers")).status_code)
        clock.advance(milliseconds=50)
    assert statuses == [200] * 9 + [429]
    refused = await api.get("/v1/customers")
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["type"] == "InvalidRequest"
    assert error["details"][0]["message"] == "API calls quota exceeded! maximum admitted 10 per 1s."
    assert "Retry-After" not in refused.headers  # real Severa sends no rate-limit headers
    org = limited.organisation_of("first")
    assert org.stats.rate_limited == limited.stats.rate_limited == 2
    assert org.stats.responses[429] == 2


async def test_the_window_slides_with_the_clock(
    limited: SeveraSandbox, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    api = Api(http, "first", "s")
    await api.authenticate()  # at 0.0
    clock.advance(milliseconds=500)
    for _ in range(9):  # at 0.5
        assert (await api.get("/v1/customers")).status_code == 200
    assert (await api.get("/v1/customers")).status_code == 429
    clock.advance(milliseconds=499)  # 0.999: the token call is still in the window
    assert (await api.get("/v1/customers")).status_code == 429
    clock.advance(milliseconds=1)  # 1.0: the token call has left it - one slot
    assert (await api.get("/v1/customers")).status_code == 200
    assert (await api.get("/v1/customers")).status_code == 429
    clock.advance(milliseconds=500)  # 1.5: the nine at 0.5 have left
    for _ in range(9):
        assert (await api.get("/v1/customers")).status_code == 200


async def test_refused_requests_do_not_count(
    limited: SeveraSandbox, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    api = Api(http, "first", "s")
    await api.authenticate()
    for _ in range(9):
        await api.get("/v1/customers")
    for _ in range(50):  # a client hammering while refused
        assert (await api.get("/v1/customers")).status_code == 429
    clock.advance(seconds=1)
    assert (await api.get("/v1/customers")).status_code == 200


async def test_each_client_has_its_own_window(
    limited: SeveraSandbox, http: httpx.AsyncClient
) -> None:
    first, second = Api(http, "first", "s"), Api(http, "second", "s")
    await first.authenticate()
    for _ in range(9):
        await first.get("/v1/customers")
    assert (await first.get("/v1/customers")).status_code == 429
    await second.authenticate()
    assert (await second.get("/v1/customers")).status_code == 200


async def test_token_calls_are_limited_too(limited: SeveraSandbox, http: httpx.AsyncClient) -> None:
    body = {"client_id": "first", "client_secret": "s"}
    statuses = [(await http.post("/v1/token", json=body)).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    refresh = await http.post("/v1/refreshtoken", json="x", headers={"Client_Id": "first"})
    assert refresh.status_code == 429
    # Even a wrong secret is counted against the client it names.
    assert (await http.post("/v1/token", json={**body, "client_secret": "no"})).status_code == 429


async def test_retry_after_only_when_asked(
    limited: SeveraSandbox, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    org: Organisation = limited.organisation_of("first")
    org.faults = SeveraFaults(retry_after=True)
    api = Api(http, "first", "s")
    await api.authenticate()
    clock.advance(milliseconds=300)
    for _ in range(9):
        await api.get("/v1/customers")
    refused = await api.get("/v1/customers")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"  # 0.7 s, rounded up to whole seconds


def test_no_limit_and_bad_limits() -> None:
    from silta.sandbox.severa.ratelimit import RateLimiter

    with pytest.raises(ValueError, match="at least 1"):
        SeveraSandbox(rate_limit=0)
    assert RateLimiter(None).admit("x", FakeClock()()) is None
