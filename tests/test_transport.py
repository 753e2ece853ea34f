"""Transport failures are told in Silta's words: nothing the other end sent reaches a message.

A raw TCP listener on loopback answers with broken HTTP that carries a marker (in the status
line, a header, the reason phrase); both clients must fail with their own error types, and
neither the error texts nor any log line may hold the marker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from silta.netvisor import NetvisorClient, NetvisorCredentials, NetvisorError
from silta.netvisor.retry import RetryPolicy
from silta.severa import SeveraClient, SeveraCredentials, SeveraError
from silta.transport import new_http_client, why

MARKER = "MARKER-70ad-51ff"

ANSWERS = {
    "status line": f"HTXP/1.1 200 {MARKER}\r\n\r\n".encode(),
    "header": f"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n{MARKER}\r\n\r\nno".encode(),
    "reason phrase": f"HTTP/1.1 502 {MARKER}\r\nContent-Length: 0\r\n\r\n".encode(),
    "cut short": f"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n{MARKER}".encode(),
}


async def _listener(answer: bytes) -> AsyncIterator[str]:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture(params=list(ANSWERS))
async def broken(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    async for url in _listener(ANSWERS[request.param]):
        yield url


async def test_neither_client_quotes_a_broken_answer(
    broken: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    one_try = RetryPolicy(attempts=1)
    async with new_http_client() as http:
        netvisor = NetvisorClient(
            http,
            NetvisorCredentials("s", "customer", "customer-key-123", "partner", "pk-123", "1-2"),
            base_url=f"{broken}/netvisor",
            retry=one_try,
            timeout=5,
        )
        with pytest.raises(NetvisorError) as nv:
            await netvisor.list_customers()
        severa = SeveraClient(
            http,
            SeveraCredentials("client", "client-secret-123"),
            base_url=f"{broken}/severa",
            retry=one_try,
            timeout=5,
        )
        with pytest.raises(SeveraError) as sv:
            await severa.languages()
    for caught in (nv.value, sv.value):
        assert MARKER not in str(caught), caught
    assert MARKER not in caplog.text
    assert "HTTP Request" not in caplog.text  # httpx's own line quotes the reason phrase


async def test_a_refused_connection_is_named_as_such() -> None:
    async for url in _listener(b""):
        closed = url
    async with new_http_client() as http:  # nothing listens there any more
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get(closed)
    assert why(caught.value) == "ConnectError: the connection was refused"


def test_the_run_client_follows_no_redirects() -> None:
    assert new_http_client().follow_redirects is False


def test_same_origin_compares_scheme_host_and_port() -> None:
    from silta.transport import same_origin

    base = "https://api.severa.visma.com/rest-api"
    assert same_origin(httpx.Request("GET", f"{base}/v1/customers"), base)
    assert same_origin(httpx.Request("GET", "https://api.severa.visma.com:443/x"), base)
    assert not same_origin(httpx.Request("GET", "http://api.severa.visma.com/x"), base)
    assert not same_origin(httpx.Request("GET", "https://api.severa.visma.com:8443/x"), base)
    assert not same_origin(httpx.Request("GET", "https://evil.example/rest-api/x"), base)


async def test_a_paging_token_or_a_guid_from_an_answer_cannot_move_the_client() -> None:
    """Severa hands out the next page's token and every record's guid; whatever they hold,
    the next request goes to the base URL's host."""
    from tests.severa.conftest import BASE, CREDENTIALS, FakeSevera

    hosts: list[str] = []

    def route(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.params.get("pageToken"):
            return httpx.Response(200, json=[])
        if request.url.path.endswith("/v1/customers"):
            return httpx.Response(
                200, json=[], headers={"NextPageToken": "https://evil.example/v1/customers"}
            )
        return httpx.Response(404)

    fake = FakeSevera(route)
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    client = SeveraClient(http, CREDENTIALS, base_url=BASE, retry=RetryPolicy(attempts=1))
    assert [c async for c in client.iter_customers()] == []
    with pytest.raises(SeveraError):
        await client.get_customer("@evil.example:443/x?y=#z")
    assert set(hosts) == {"api.severa.visma.com"}
    assert all(r.url.host == "api.severa.visma.com" for r in fake.requests)
