"""Every documented and observed form of Severa's answers, one test per form.

Fixtures written here from ``shared/reference/severa-api.md`` (§2 tokens, §3 paging, §4 the
rate limit, §8 errors, §12 examples) and the document's schemas: .NET's date-times with 7
fraction digits and without an offset, 429 answers with and without ``Retry-After`` and in
the body shapes a gateway in front of an ASP.NET API gives, and pages of any length up to
what the service serves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from silta.severa import CustomerInput, RateLimited, SeveraClient

from .conftest import Clock, FakeSevera, Sleeps, make_client

ONE = {"guid": "c1", "name": "Oy Ab", "number": 1001}


def query(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(str(request.url)).query))


# -- date-times -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # .NET writes ticks: 7 fraction digits (the seventh, 100 ns, is below a microsecond)
        ("2026-03-02T09:00:00.1234567+02:00", datetime(2026, 3, 2, 7, 0, 0, 123456, UTC)),
        ("2026-03-02T07:00:00.1234567Z", datetime(2026, 3, 2, 7, 0, 0, 123456, UTC)),
        ("2026-03-02T07:00:00Z", datetime(2026, 3, 2, 7, 0, tzinfo=UTC)),
        ("2026-03-02T07:00:00.12+00:00", datetime(2026, 3, 2, 7, 0, 0, 120000, UTC)),
        # a DateTime of unspecified kind: no offset at all; Severa's times are UTC
        ("2026-03-02T07:00:00.1234567", datetime(2026, 3, 2, 7, 0, 0, 123456, UTC)),
        ("2026-03-02T07:00:00", datetime(2026, 3, 2, 7, 0, tzinfo=UTC)),
    ],
)
async def test_record_time_stamps_in_every_form_read_as_aware_utc(
    text: str, expected: datetime
) -> None:
    client = make_client(
        FakeSevera(lambda r: httpx.Response(200, json={**ONE, "lastUpdatedDateTime": text}))
    )
    customer = await client.get_customer("c1")
    stamp = customer.last_updated_date_time
    assert stamp is not None and stamp.tzinfo is not None
    assert stamp == expected


async def test_a_token_answer_with_only_an_expiry_time_without_offset_is_usable(
    clock: Clock,
) -> None:
    """Without ``access_token_expires_in`` the lifetime comes from the UTC expiry, which
    .NET may write without its offset; a naive time made the client fail on its first
    call (subtracting it from an aware "now")."""
    tokens = 0

    def severa(request: httpx.Request) -> httpx.Response:
        nonlocal tokens
        if request.url.path.endswith("/v1/token"):
            tokens += 1
            expires = (clock.now + timedelta(hours=1)).replace(tzinfo=None)
            return httpx.Response(
                200,
                json={
                    "access_token": f"a{tokens}",
                    "access_token_type": "Bearer",
                    "access_token_expires_utc": expires.strftime("%Y-%m-%dT%H:%M:%S.1234567"),
                    "refresh_token": "r",
                    "refresh_token_expires_utc": "2026-03-03T09:00:00.0000000",
                },
            )
        return httpx.Response(200, json=ONE)

    client = make_client(severa, clock=clock)
    assert (await client.get_customer("c1")).number == 1001
    clock.advance(30 * 60)  # half the lifetime: the token is still good
    await client.get_customer("c1")
    assert tokens == 1


# -- 429: with and without Retry-After, in every body shape ---------------------------------

_BODIES = {
    "ExceptionModel": httpx.Response(
        429,
        json={
            "error": {
                "httpStatusCode": 429,
                "type": "InvalidRequest",
                "details": [{"message": "API calls quota exceeded! maximum admitted 10 per 1s."}],
                "stack": None,
            }
        },
    ),
    "ExceptionModel without details": httpx.Response(
        429, json={"error": {"httpStatusCode": 429, "details": None}}
    ),
    "a gateway's JSON": httpx.Response(
        429, json={"statusCode": 429, "message": "Rate limit is exceeded. Try again in 1 seconds."}
    ),
    "plain text": httpx.Response(
        429,
        text="API calls quota exceeded! maximum admitted 10 per 1s.",
        headers={"Content-Type": "text/plain"},
    ),
    "an HTML page": httpx.Response(
        429, text="<html><body><h1>429 Too Many Requests</h1></body></html>"
    ),
    "an empty body": httpx.Response(429),
    "a JSON string": httpx.Response(429, json="Too Many Requests"),
}


@pytest.mark.parametrize("shape", sorted(_BODIES))
async def test_429_in_any_body_shape_without_retry_after_backs_off_and_retries(
    shape: str, sleeps: Sleeps
) -> None:
    answers = iter([_BODIES[shape], httpx.Response(200, json=ONE)])
    client = make_client(FakeSevera(lambda r: next(answers)), sleeps=sleeps)
    assert (await client.get_customer("c1")).number == 1001
    assert client.rate_limited == 1
    assert 0.25 <= sleeps.delays[0] <= 0.5  # the first backoff step, no Retry-After


@pytest.mark.parametrize("shape", sorted(_BODIES))
async def test_429_in_any_body_shape_on_a_write_is_resent_not_outcome_unknown(
    shape: str, sleeps: Sleeps
) -> None:
    answers = iter([_BODIES[shape], httpx.Response(201, json=ONE)])
    fake = FakeSevera(lambda r: next(answers))
    client = make_client(fake, sleeps=sleeps)
    assert (await client.create_customer(CustomerInput(name="Oy Ab"))).guid == "c1"
    assert len(fake.data_requests()) == 2


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [("2", 2.0), ("0", 0.0), ("Mon, 02 Mar 2026 09:00:05 GMT", None), ("soon", "backoff")],
)
async def test_retry_after_in_seconds_as_a_date_or_unreadable(
    retry_after: str, wait: float | str | None, sleeps: Sleeps
) -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": retry_after}), httpx.Response(200, json=ONE)]
    )
    client = make_client(FakeSevera(lambda r: next(answers)), sleeps=sleeps)
    await client.get_customer("c1")
    if isinstance(wait, float):
        assert sleeps.delays[0] == wait
    elif wait == "backoff":
        assert 0.25 <= sleeps.delays[0] <= 0.5
    else:
        assert sleeps.delays[0] >= 0.0  # a date in the past or future: never negative


async def test_a_429_that_never_ends_is_rate_limited_and_retryable(sleeps: Sleeps) -> None:
    client = make_client(FakeSevera(lambda r: _BODIES["plain text"]), sleeps=sleeps, attempts=3)
    with pytest.raises(RateLimited) as raised:
        await client.get_customer("c1")
    assert raised.value.retryable and raised.value.status == 429


# -- pages of any length ----------------------------------------------------------------------


def _customers(start: int, count: int) -> list[dict[str, object]]:
    return [{"guid": f"g{n}", "name": f"N{n}", "number": n} for n in range(start, start + count)]


async def test_token_pages_shorter_than_asked_are_followed_while_a_token_comes() -> None:
    """A service may serve fewer rows than ``rowCount`` (its own maximum) and still say
    there is more: the header decides, never the page's length."""
    sizes = iter([7, 100, 1, 42])

    def route(request: httpx.Request) -> httpx.Response:
        start = int(query(request).get("pageToken", "0"))
        size = next(sizes)
        more = start + size < 150
        headers = {"NextPageToken": str(start + size)} if more else {}
        return httpx.Response(200, json=_customers(start, min(size, 150 - start)), headers=headers)

    client = make_client(FakeSevera(route))
    assert [c.number async for c in client.iter_customers()] == list(range(150))


async def test_token_pages_longer_than_asked_are_read_whole() -> None:
    """``/v1/customers`` documents no maximum: a service may answer 1,000 rows at once."""
    pages = iter([(_customers(0, 1000), {"NextPageToken": "t"}), (_customers(1000, 3), {})])
    client = make_client(
        FakeSevera(lambda r: httpx.Response(200, json=(p := next(pages))[0], headers=p[1]))
    )
    assert len([c async for c in client.iter_customers()]) == 1003


async def test_an_offset_page_longer_than_asked_moves_on_by_what_came() -> None:
    seen: list[int] = []

    def route(request: httpx.Request) -> httpx.Response:
        first = int(query(request)["firstRow"])
        seen.append(first)
        rows = [{"guid": f"a{n}"} for n in range(first, min(first + 250, 260))]
        return httpx.Response(200, json=rows)

    client = make_client(FakeSevera(route))
    assert len([a async for a in client.iter_addresses()]) == 260
    assert seen == [0, 250]


async def test_the_client_never_asks_more_rows_than_every_route_allows() -> None:
    """100 is the document's maximum where it gives one; a larger rowCount is refused."""
    asked: set[str] = set()

    def route(request: httpx.Request) -> httpx.Response:
        asked.add(query(request)["rowCount"])
        return httpx.Response(200, json=[])

    client: SeveraClient = make_client(FakeSevera(route))
    _ = [c async for c in client.iter_customers()]
    _ = [a async for a in client.iter_addresses()]
    _ = [u async for u in client.iter_business_units()]
    _ = [p async for p in client.iter_phases()]
    assert asked == {"100"}
