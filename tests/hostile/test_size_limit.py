"""``max_response_bytes`` on both clients: an answer is cut off while it streams in, never
read whole first; with or without a Content-Length (or a lying one), compressed, or endless."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Callable

import attrs
import httpx
import pytest

from silta.backoff import RetryPolicy
from silta.netvisor import (
    NetvisorClient,
    NetvisorOutcomeUnknown,
    NetvisorTimeout,
    ResponseTooLargeError,
)
from silta.netvisor.gate import OrganisationGate
from silta.severa import (
    RateLimits,
    SeveraClient,
    SeveraResponseTooLargeError,
    SeveraTimeout,
)
from tests.netvisor.conftest import CREDENTIALS as NETVISOR_CREDENTIALS
from tests.netvisor.conftest import Sleeps as NetvisorSleeps
from tests.netvisor.conftest import ok
from tests.severa.conftest import BASE as SEVERA_BASE
from tests.severa.conftest import CREDENTIALS as SEVERA_CREDENTIALS
from tests.severa.conftest import Clock, FakeSevera
from tests.severa.conftest import Sleeps as SeveraSleeps

from .bodies import SEVERA_OK

LIMIT = 64 * 1024
CHUNK = 4096


@attrs.define
class Endless(httpx.AsyncByteStream):
    """A body that never ends (unless ``total`` is given), counting what was taken from it;
    ``closed`` once the client let go of it (``aclose``, which frees the connection)."""

    chunk: bytes = b" " * CHUNK
    total: int | None = None
    delay: float = 0.0
    taken: int = 0
    started: bool = False
    closed: bool = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.started = True
        while self.total is None or self.taken < self.total:
            if self.delay:
                await asyncio.sleep(self.delay)
            self.taken += len(self.chunk)
            yield self.chunk

    async def aclose(self) -> None:
        self.closed = True


def netvisor(
    handler: Callable[[httpx.Request], httpx.Response], **options: object
) -> NetvisorClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    settings: dict[str, object] = {
        "base_url": "https://isvapi.netvisor.fi",
        "timeout": 5.0,
        "retry": RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01),
        "sleep": NetvisorSleeps(),
        "gate": OrganisationGate(),
        "max_response_bytes": LIMIT,
    }
    settings.update(options)
    return NetvisorClient(http, NETVISOR_CREDENTIALS, **settings)  # type: ignore[arg-type]


def severa(route: Callable[[httpx.Request], httpx.Response], **options: object) -> SeveraClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(FakeSevera(route)))
    sleeps = SeveraSleeps()
    settings: dict[str, object] = {
        "base_url": SEVERA_BASE,
        "timeout": 5.0,
        "retry": RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01),
        "rate": 1000,
        "limits": RateLimits(clock=sleeps.monotonic, sleep=sleeps),
        "clock": Clock(),
        "sleep": sleeps,
        "max_response_bytes": LIMIT,
    }
    settings.update(options)
    return SeveraClient(http, SEVERA_CREDENTIALS, **settings)  # type: ignore[arg-type]


async def severa_customers(client: SeveraClient) -> list[object]:
    return [customer async for customer in client.iter_customers()]


def streamed(body: Endless, **headers: str | bytes) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, stream=body, headers=headers)


# -- Netvisor --------------------------------------------------------------------------------


async def test_netvisor_refuses_a_declared_oversize_before_reading_a_byte() -> None:
    body = Endless(total=10 * LIMIT)
    client = netvisor(streamed(body, **{"Content-Length": str(10 * LIMIT)}))
    with pytest.raises(ResponseTooLargeError, match=f"limit of {LIMIT} bytes"):
        await client.list_customers()
    assert not body.started


@pytest.mark.parametrize(
    "headers",
    [{}, {"Content-Length": "100"}, {"Content-Length": "not a number"}],
    ids=["no length", "a lying length", "a garbage length"],
)
async def test_netvisor_cuts_an_endless_body_off_at_the_limit(headers: dict[str, str]) -> None:
    body = Endless()
    client = netvisor(streamed(body, **headers))
    with pytest.raises(ResponseTooLargeError, match=f"passed {LIMIT} bytes"):
        await client.list_customers()
    assert LIMIT < body.taken <= LIMIT + CHUNK  # read while counting, never beyond one chunk
    assert body.closed  # and the stream was let go


async def test_netvisor_cuts_off_a_compressed_body_by_its_unpacked_size() -> None:
    packed = gzip.compress(b" " * (50 * LIMIT))
    assert len(packed) < LIMIT // 10  # a "zip bomb": small on the wire, large unpacked

    client = netvisor(
        lambda request: httpx.Response(
            200,
            content=packed,
            headers={"Content-Encoding": "gzip", "Content-Length": str(len(packed))},
        )
    )
    with pytest.raises(ResponseTooLargeError):
        await client.list_customers()


async def test_netvisor_takes_an_answer_of_exactly_the_limit() -> None:
    answer = ok("<Customerlist></Customerlist>").content
    exact = answer + b" " * (LIMIT - len(answer))
    client = netvisor(lambda request: httpx.Response(200, content=exact))
    assert await client.list_customers() == []
    over = netvisor(lambda request: httpx.Response(200, content=exact + b" "))
    with pytest.raises(ResponseTooLargeError):
        await over.list_customers()


async def test_netvisor_an_endless_trickle_ends_at_the_timeout() -> None:
    body = Endless(chunk=b" ", delay=0.01)  # never reaches the limit
    client = netvisor(streamed(body), timeout=0.3)
    with pytest.raises(NetvisorTimeout):
        await client.list_customers()
    assert body.closed


async def test_netvisor_an_oversized_answer_to_a_write_is_an_unknown_outcome() -> None:
    from silta.netvisor import CustomerData

    client = netvisor(streamed(Endless()))
    with pytest.raises(NetvisorOutcomeUnknown) as caught:
        await client.add_customer(CustomerData(name="Oy Ab"))
    assert isinstance(caught.value.__cause__, ResponseTooLargeError)


# -- Severa ----------------------------------------------------------------------------------


async def test_severa_refuses_a_declared_oversize_before_reading_a_byte() -> None:
    body = Endless(total=10 * LIMIT)
    client = severa(streamed(body, **{"Content-Length": str(10 * LIMIT)}))
    with pytest.raises(SeveraResponseTooLargeError, match=f"limit of {LIMIT} bytes"):
        await severa_customers(client)
    assert not body.started


@pytest.mark.parametrize(
    "headers",
    [{}, {"Content-Length": "100"}, {"Content-Length": "²".encode("latin-1")}],
    ids=["no length", "a lying length", "a unicode digit"],
)
async def test_severa_cuts_an_endless_body_off_at_the_limit(headers: dict[str, object]) -> None:
    body = Endless(chunk=b"[" + b" " * (CHUNK - 1))
    client = severa(streamed(body, **headers))
    with pytest.raises(SeveraResponseTooLargeError, match=f"passed {LIMIT} bytes"):
        await severa_customers(client)
    assert LIMIT < body.taken <= LIMIT + CHUNK
    assert body.closed


async def test_severa_cuts_off_a_compressed_body_by_its_unpacked_size() -> None:
    packed = gzip.compress(b" " * (50 * LIMIT))
    client = severa(
        lambda request: httpx.Response(200, content=packed, headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(SeveraResponseTooLargeError):
        await severa_customers(client)


async def test_severa_takes_an_answer_of_exactly_the_limit() -> None:
    exact = SEVERA_OK.encode() + b" " * (LIMIT - len(SEVERA_OK.encode()))
    client = severa(lambda request: httpx.Response(200, content=exact))
    assert len(await severa_customers(client)) == 1
    over = severa(lambda request: httpx.Response(200, content=exact + b" "))
    with pytest.raises(SeveraResponseTooLargeError):
        await severa_customers(over)


async def test_severa_an_endless_trickle_ends_at_the_timeout() -> None:
    body = Endless(chunk=b" ", delay=0.01)
    client = severa(streamed(body), timeout=0.3)
    with pytest.raises(SeveraTimeout):
        await severa_customers(client)
    assert body.closed


async def test_severa_the_limit_holds_for_the_token_answer_too() -> None:
    """The token exchange goes through the same capped read as every other call."""

    def answer_all(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Endless())

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer_all))
    sleeps = SeveraSleeps()
    client = SeveraClient(
        http,
        SEVERA_CREDENTIALS,
        base_url=SEVERA_BASE,
        retry=RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01),
        limits=RateLimits(clock=sleeps.monotonic, sleep=sleeps),
        clock=Clock(),
        sleep=sleeps,
        max_response_bytes=LIMIT,
    )
    with pytest.raises(SeveraResponseTooLargeError):
        await severa_customers(client)
