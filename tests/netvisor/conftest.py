"""Helpers for the client's unit tests: credentials and Netvisor-shaped answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from xml.sax.saxutils import escape

import httpx
import pytest

from silta.netvisor import NetvisorClient, NetvisorCredentials, RetryPolicy

CREDENTIALS = NetvisorCredentials(
    sender="Silta tests",
    customer_id="TEST_CUSTOMER",
    customer_key="customer-secret-key",
    partner_id="TEST_PARTNER",
    partner_key="partner-secret-key",
    organisation_id="1967543-8",
    language="EN",
)

Handler = Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]


def ok(payload: str = "") -> httpx.Response:
    """An OK answer with ``payload`` after the ResponseStatus."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><Root><ResponseStatus><Status>OK</Status>'
        f"<TimeStamp>1.10.2025 16:03:24</TimeStamp></ResponseStatus>{payload}</Root>"
    )
    return httpx.Response(200, content=body.encode(), headers={"Content-Type": "text/xml"})


def failed(category_and_text: str, status: int = 200) -> httpx.Response:
    body = (
        "<Root><ResponseStatus><Status>FAILED</Status>"
        f"<Status>{escape(category_and_text)}</Status><TimeStamp>7.4.2009 13:46:07</TimeStamp>"
        "</ResponseStatus></Root>"
    )
    return httpx.Response(status, content=body.encode(), headers={"Content-Type": "text/xml"})


class Sleeps:
    """Stands in for asyncio.sleep between retries: records the delays, waits for nothing."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(
    handler: Handler,
    sleeps: Sleeps | None = None,
    *,
    timeout: float = 5.0,
    attempts: int = 4,
    credentials: NetvisorCredentials = CREDENTIALS,
    **kwargs: object,
) -> NetvisorClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return NetvisorClient(
        http,
        credentials,
        base_url="https://isvapi.netvisor.fi",
        timeout=timeout,
        retry=RetryPolicy(attempts=attempts, base_delay=0.5, max_delay=4.0),
        sleep=sleeps or Sleeps(),
        **kwargs,  # type: ignore[arg-type]
    )
