"""One TLS context per process, one client per run (bench finding: a context per run was
half of an idle worker's CPU; a client per run keeps one company's cookies from another's)."""

from __future__ import annotations

import httpx

from silta.transport import new_http_client, tls_context


def _context_of(client: httpx.AsyncClient) -> object:
    transport = client._transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    return transport._pool._ssl_context


async def test_run_clients_share_the_tls_context_but_not_cookies() -> None:
    first, second = new_http_client(), new_http_client()
    try:
        assert _context_of(first) is _context_of(second) is tls_context()
        first.cookies.set("session", "company-a", domain="example.fi")
        assert "session" not in second.cookies
    finally:
        await first.aclose()
        await second.aclose()
