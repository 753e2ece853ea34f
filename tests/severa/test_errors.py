"""Severa's error answers, 429 pacing, and the rule for re-sending writes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from silta.backoff import RetryPolicy
from silta.severa import (
    AddonMissing,
    CustomerInput,
    InsufficientScope,
    RateLimited,
    SeveraApiError,
    SeveraClient,
    SeveraNotFound,
    SeveraOutcomeUnknown,
    SeveraPermissionDenied,
    SeveraProtocolError,
    SeveraServerError,
    SeveraTimeout,
    SeveraTransportError,
    SeveraValidationError,
)
from silta.severa.errors import SeveraRedirected

from .conftest import BASE, CREDENTIALS, FakeSevera, Sleeps, error, make_client, token_answer

ONE = {"guid": "c1", "name": "Oy Ab", "number": 1001}


@pytest.mark.parametrize(
    ("status", "error_type", "cls", "retryable"),
    [
        (400, "InvalidParameter", SeveraValidationError, False),
        (400, "InvalidOperation", SeveraValidationError, False),
        (403, "InsufficientApiScope", InsufficientScope, False),
        (403, "AddonMissing", AddonMissing, False),
        (403, "FeatureIsNotEnabled", AddonMissing, False),
        (403, "PermissionDenied", SeveraPermissionDenied, False),
        (500, "InternalSystemError", SeveraServerError, True),
        (429, "InvalidRequest", RateLimited, True),
    ],
)
async def test_exception_model_maps_to_a_typed_error(
    status: int, error_type: str, cls: type[SeveraApiError], retryable: bool
) -> None:
    fake = FakeSevera(lambda r: error(status, error_type, "Severa's own words", "and more"))
    client = make_client(fake, attempts=1)
    with pytest.raises(cls) as caught:
        await client.get_customer("c1")
    assert caught.value.retryable is retryable
    assert str(caught.value) == "Severa's own words; and more"
    assert caught.value.error_type == error_type
    assert caught.value.details[0].location_name == "name"


async def test_404_without_a_body_is_not_found() -> None:
    client = make_client(FakeSevera(lambda r: httpx.Response(404)))
    with pytest.raises(SeveraNotFound, match="HTTP 404"):
        await client.get_customer("missing")


async def test_html_5xx_page_is_a_transport_error_described_never_quoted() -> None:
    client = make_client(
        FakeSevera(lambda r: httpx.Response(502, text="<html>Bad gateway</html>")), attempts=1
    )
    with pytest.raises(SeveraTransportError, match=r"HTTP 502.*an HTML page") as caught:
        await client.get_customer("c1")
    assert "Bad gateway" not in str(caught.value)


MARKER = "MARKER-f00d-4b1d"


@pytest.mark.parametrize(
    "body",
    [
        {"message": MARKER},  # someone else's JSON error
        {"error": MARKER},
        {"error": {"type": MARKER}},  # a type the document does not list
        {"error": {"type": "InvalidRequest", "details": MARKER}},
        {"error": {"type": "InvalidRequest", "details": [{"message": 7}], "note": MARKER}},
    ],
)
async def test_only_a_body_that_parses_as_exception_model_is_quoted(body: object) -> None:
    client = make_client(FakeSevera(lambda r: httpx.Response(400, json=body)), attempts=1)
    with pytest.raises(SeveraApiError) as caught:
        await client.get_customer("c1")
    assert MARKER not in str(caught.value)
    assert "HTTP 400" in str(caught.value)
    assert caught.value.details == () or all(MARKER not in d.message for d in caught.value.details)


async def test_severas_own_detail_text_is_shown() -> None:
    fake = FakeSevera(lambda r: error(400, "InvalidRequest", "Name is required"))
    client = make_client(fake, attempts=1)
    with pytest.raises(SeveraApiError, match="Name is required"):
        await client.get_customer("c1")


async def test_a_record_of_the_wrong_shape_is_named_not_quoted() -> None:
    client = make_client(
        FakeSevera(lambda r: httpx.Response(200, json={"guid": ["x"], "name": MARKER}))
    )
    with pytest.raises(SeveraProtocolError, match="unexpected record shape") as caught:
        await client.get_customer("c1")
    assert MARKER not in str(caught.value)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_is_never_followed(status: int) -> None:
    """Not even by a caller's client that follows redirects: the token would go along."""
    hosts: list[str] = []

    def route(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(status, headers={"Location": "http://127.0.0.1:9/steal"})

    fake = FakeSevera(route)
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake), follow_redirects=True)
    client = SeveraClient(http, CREDENTIALS, base_url=BASE, retry=RetryPolicy(attempts=3))
    with pytest.raises(SeveraRedirected, match=f"HTTP {status}, a redirect") as caught:
        await client.get_customer("c1")
    assert hosts == [httpx.URL(BASE).host]  # once, and never retried
    assert "127.0.0.1" not in str(caught.value)
    assert caught.value.retryable is False


async def test_non_json_success_is_a_protocol_error() -> None:
    client = make_client(FakeSevera(lambda r: httpx.Response(200, text="<xml/>")))
    with pytest.raises(SeveraProtocolError, match="not JSON"):
        await client.get_customer("c1")


async def test_wrong_shape_is_a_protocol_error() -> None:
    client = make_client(FakeSevera(lambda r: httpx.Response(200, json={"guid": "c1"})))
    with pytest.raises(SeveraProtocolError, match="unexpected record shape"):
        await client.get_customer("c1")


async def test_429_honours_retry_after_and_pauses_the_credential(sleeps: Sleeps) -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json=ONE)]
    )
    fake = FakeSevera(lambda r: next(answers))
    client = make_client(fake, sleeps=sleeps)
    assert (await client.get_customer("c1")).number == 1001
    assert sleeps.delays[0] == 3.0  # the retry waited as Severa asked
    assert sum(sleeps.delays) >= 3.0
    assert client.rate_limited == 1


async def test_429_without_retry_after_backs_off_exponentially(sleeps: Sleeps) -> None:
    answers = iter(
        [error(429, "InvalidRequest", "API calls quota exceeded!")] * 3
        + [httpx.Response(200, json=ONE)]
    )
    client = make_client(FakeSevera(lambda r: next(answers)), sleeps=sleeps)
    await client.get_customer("c1")
    backoffs = sleeps.delays  # the paused limiter is free again once the backoff is over
    for delay, ceiling in zip(backoffs, [0.5, 1.0, 2.0], strict=True):
        assert ceiling / 2 <= delay <= ceiling


async def test_429_on_a_write_is_resent(sleeps: Sleeps) -> None:
    answers = iter([httpx.Response(429), httpx.Response(201, json=ONE)])
    fake = FakeSevera(lambda r: next(answers))
    client = make_client(fake, sleeps=sleeps)
    created = await client.create_customer(CustomerInput(name="Oy Ab", number=1001))
    assert created.guid == "c1"
    assert len(fake.data_requests()) == 2


@pytest.mark.parametrize(
    "failure",
    [
        lambda r: error(500, "InternalSystemError", "boom"),
        lambda r: httpx.Response(503, text="busy"),
    ],
)
async def test_a_5xx_on_a_write_is_outcome_unknown_and_not_resent(
    failure: Callable[[httpx.Request], httpx.Response],
) -> None:
    fake = FakeSevera(failure)
    client = make_client(fake)
    with pytest.raises(SeveraOutcomeUnknown) as caught:
        await client.create_customer(CustomerInput(name="Oy Ab"))
    assert len(fake.data_requests()) == 1
    assert caught.value.method == "POST"


async def test_a_write_timeout_is_outcome_unknown() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        if "token" in request.url.path:
            return token_answer(1)
        await asyncio.sleep(5)
        return httpx.Response(201, json=ONE)

    client = make_client(slow, timeout=0.05)
    with pytest.raises(SeveraOutcomeUnknown) as caught:
        await client.create_customer(CustomerInput(name="Oy Ab"))
    assert isinstance(caught.value.__cause__, SeveraTimeout)


async def test_a_write_answered_with_garbage_is_outcome_unknown() -> None:
    client = make_client(FakeSevera(lambda r: httpx.Response(201, text="{not json")))
    with pytest.raises(SeveraOutcomeUnknown):
        await client.create_customer(CustomerInput(name="Oy Ab"))


async def test_a_write_refused_with_400_says_why_and_is_not_outcome_unknown() -> None:
    fake = FakeSevera(lambda r: error(400, "InvalidParameter", "Name is required."))
    client = make_client(fake)
    with pytest.raises(SeveraValidationError, match=r"Name is required\."):
        await client.create_customer(CustomerInput(name="x"))


async def test_a_write_that_never_connected_is_resent(sleeps: Sleeps) -> None:
    calls: list[int] = []

    def route(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        return httpx.Response(201, json=ONE)

    client = make_client(FakeSevera(route), sleeps=sleeps)
    assert (await client.create_customer(CustomerInput(name="Oy Ab"))).guid == "c1"
    assert len(calls) == 2


async def test_reads_are_retried_through_5xx_and_timeouts(sleeps: Sleeps) -> None:
    answers = iter(
        [error(500, "InternalSystemError", "x"), httpx.Response(503, text="busy"),
         httpx.Response(200, json=ONE)]
    )  # fmt: skip
    client = make_client(FakeSevera(lambda r: next(answers)), sleeps=sleeps)
    assert (await client.get_customer("c1")).guid == "c1"
    assert len(sleeps.delays) == 2


async def test_patch_sends_replace_operations_and_reads_the_updated_list() -> None:
    fake = FakeSevera(lambda r: httpx.Response(200, json=[dict(ONE, name="Uusi Oy")]))
    client = make_client(fake)
    updated = await client.patch_customer(
        "c1", {"name": "Uusi Oy", "headquarterAddress/guid": "a1", "isActive": False, "number": 7}
    )
    assert updated.name == "Uusi Oy"
    request = fake.data_requests()[0]
    assert request.method == "PATCH"
    assert FakeSevera.body(request) == [
        {"op": "Replace", "path": "/name", "value": "Uusi Oy"},
        {"op": "Replace", "path": "/headquarterAddress/guid", "value": "a1"},
        {"op": "Replace", "path": "/isActive", "value": "false"},
        {"op": "Replace", "path": "/number", "value": "7"},
    ]
