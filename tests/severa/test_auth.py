"""Tokens: how they are asked for, sent, renewed before expiry and replaced after a 401."""

from __future__ import annotations

import json

import httpx
import pytest

from silta.severa import SeveraAuthenticationError, SeveraCredentials

from .conftest import Clock, FakeSevera, error, make_client, token_answer


def customers(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[{"guid": "c1", "name": "Oy Ab"}])


async def test_token_request_and_headers_on_every_call(clock: Clock) -> None:
    fake = FakeSevera(customers)
    client = make_client(fake, clock=clock)
    assert [c.name async for c in client.iter_customers()] == ["Oy Ab"]
    token_request, data_request = fake.requests
    assert token_request.method == "POST"
    assert token_request.url.path == "/rest-api/v1/token"
    assert json.loads(token_request.content) == {
        "client_id": "client-1",
        "client_secret": "secret-1",
        "scope": "customers:read customers:write projects:read settings:read "
        "settings:write organization:read",
    }
    assert token_request.headers["Client_Id"] == "client-1"
    assert data_request.headers["Authorization"] == "Bearer access-1"
    assert data_request.headers["Client_Id"] == "client-1"
    assert "secret-1" not in repr(client.tokens) + repr(SeveraCredentials("a", "secret-1"))


async def test_scopes_are_configurable(clock: Clock) -> None:
    fake = FakeSevera(customers)
    credentials = SeveraCredentials("client-1", "s", scopes=("customers:read",))
    client = make_client(fake, clock=clock, credentials=credentials)
    await client.get_customer("c1")
    assert json.loads(fake.requests[0].content)["scope"] == "customers:read"


async def test_token_is_refreshed_before_it_expires(clock: Clock) -> None:
    fake = FakeSevera(customers, expires_in=600)
    client = make_client(fake, clock=clock)
    await client.get_customer("c1")
    clock.advance(500)  # 100 s left: more than the 60 s margin (10 % of 600 s)
    await client.get_customer("c1")
    assert fake.tokens == 1
    clock.advance(50)  # 50 s left: renew first
    await client.get_customer("c1")
    refresh = fake.requests[-2]
    assert refresh.url.path.endswith("/v1/refreshtoken")
    assert json.loads(refresh.content) == "refresh-1"  # a bare JSON string
    assert refresh.headers["Client_Id"] == "client-1"
    assert fake.requests[-1].headers["Authorization"] == "Bearer access-2"
    assert (client.tokens.issued, client.tokens.refreshed) == (1, 1)


async def test_a_refused_refresh_falls_back_to_the_client_secret(clock: Clock) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path.rsplit("/", 1)[-1])
        if request.url.path.endswith("/refreshtoken"):
            return error(401, "AuthenticationRequired", "Refresh token is not valid")
        if request.url.path.endswith("/token"):
            return token_answer(len(calls), 600)
        return customers(request)

    client = make_client(handler, clock=clock)
    await client.get_customer("c1")
    clock.advance(590)
    await client.get_customer("c1")
    assert calls == ["token", "c1", "refreshtoken", "token", "c1"]


async def test_a_401_gets_a_new_token_and_one_more_try(clock: Clock) -> None:
    answers = iter([error(401, "AuthenticationRequired", "Token expired"), None])

    def route(request: httpx.Request) -> httpx.Response:
        return next(answers) or customers(request)

    fake = FakeSevera(route)
    client = make_client(fake, clock=clock)
    customer = await client.get_customer("c1")
    assert customer.guid == "c1"
    data = fake.data_requests()
    assert [r.headers["Authorization"] for r in data] == ["Bearer access-1", "Bearer access-2"]


async def test_a_second_401_is_raised_with_severas_words(clock: Clock) -> None:
    fake = FakeSevera(lambda r: error(401, "AuthenticationRequired", "Client is not active"))
    client = make_client(fake, clock=clock)
    with pytest.raises(SeveraAuthenticationError, match="Client is not active"):
        await client.get_customer("c1")
    assert len(fake.data_requests()) == 2


async def test_rejected_credentials_at_the_token_endpoint(clock: Clock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return error(401, "AuthenticationRequired", "Invalid client credentials")

    client = make_client(handler, clock=clock)
    with pytest.raises(SeveraAuthenticationError, match="Invalid client credentials") as caught:
        await client.get_customer("c1")
    assert caught.value.retryable is False
