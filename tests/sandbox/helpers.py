"""Helpers for the Netvisor sandbox tests: a fake clock, a request signer, response readers.

The request signer here is written from netvisor-api.md §2 on its own: it imports nothing
from the sandbox (nor from the Netvisor client), so a MAC bug in the sandbox cannot be hidden
by the same bug in the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
from lxml import etree

T = TypeVar("T")

BASE_URL = "https://isvapi.netvisor.fi"
ORG_ID = "1967543-8"
OTHER_ORG_ID = "0737546-2"
PARTNER_ID = "TEST_PARTNER"
PARTNER_KEY = "partner-secret-key"
CUSTOMER_ID = "TEST_USER"
CUSTOMER_KEY = "customer-secret-key"


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def must(value: T | None) -> T:
    """``value``, asserting that it is there (lookups return ``None`` when not found)."""
    assert value is not None
    return value


def mac_for(message: str, customer_key: str, partner_key: str) -> str:
    key = f"{customer_key}&{partner_key}".encode("iso-8859-15")
    return hmac.new(key, message.encode("iso-8859-15"), hashlib.sha256).hexdigest()


def signed_headers(
    url: str,
    *,
    now: datetime,
    organisation_id: str = ORG_ID,
    customer_id: str = CUSTOMER_ID,
    customer_key: str = CUSTOMER_KEY,
    partner_id: str = PARTNER_ID,
    partner_key: str = PARTNER_KEY,
    language: str = "FI",
    sender: str = "Silta tests",
    transaction_id: str | None = None,
    algorithm: str = "HMACSHA256",
) -> dict[str, str]:
    """The ten Netvisor headers for ``url`` (netvisor-api.md §2.2-2.3)."""
    timestamp = now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"
    unix = str(int(now.timestamp()))
    transaction = transaction_id or uuid.uuid4().hex
    message = "&".join(
        [
            url,
            sender,
            customer_id,
            timestamp,
            language,
            organisation_id,
            transaction,
            unix,
            customer_key,
            partner_key,
        ]
    )
    return {
        "X-Netvisor-Authentication-Sender": sender,
        "X-Netvisor-Authentication-CustomerId": customer_id,
        "X-Netvisor-Authentication-PartnerId": partner_id,
        "X-Netvisor-Authentication-Timestamp": timestamp,
        "X-Netvisor-Authentication-TimestampUnix": unix,
        "X-Netvisor-Authentication-TransactionId": transaction,
        "X-Netvisor-Authentication-MAC": mac_for(message, customer_key, partner_key),
        "X-Netvisor-Authentication-MACHashCalculationAlgorithm": algorithm,
        "X-Netvisor-Interface-Language": language,
        "X-Netvisor-Organisation-ID": organisation_id,
    }


class Api:
    """A tiny signed Netvisor client for the tests: build the request, sign its exact URL."""

    def __init__(self, client: httpx.AsyncClient, clock: FakeClock) -> None:
        self.client = client
        self.clock = clock

    async def call(
        self,
        method: str,
        resource: str,
        params: Mapping[str, str] | None = None,
        body: str | bytes | None = None,
        *,
        extra_headers: Mapping[str, str] | None = None,
        content_type: str = "text/xml; charset=utf-8",
        **signing: str,
    ) -> httpx.Response:
        """Send a signed request; ``signing`` overrides arguments of :func:`signed_headers`."""
        return await self._send(
            method, resource, params, body, extra_headers, content_type, signing
        )

    async def _send(
        self,
        method: str,
        resource: str,
        params: Mapping[str, str] | None,
        body: str | bytes | None,
        extra_headers: Mapping[str, str] | None,
        content_type: str,
        signing: Mapping[str, str],
    ) -> httpx.Response:
        content = body.encode("utf-8") if isinstance(body, str) else body
        request = self.client.build_request(method, f"/{resource}", params=params, content=content)
        headers = signed_headers(str(request.url), now=self.clock(), **signing)
        request.headers.update(headers)
        if content is not None:
            request.headers["Content-Type"] = content_type
        request.headers.update(extra_headers or {})
        return await self.client.send(request)

    async def get(
        self,
        resource: str,
        params: Mapping[str, str] | None = None,
        *,
        extra_headers: Mapping[str, str] | None = None,
        **signing: str,
    ) -> httpx.Response:
        return await self._send("GET", resource, params, None, extra_headers, "", signing)

    async def post(
        self,
        resource: str,
        params: Mapping[str, str],
        body: str | bytes,
        *,
        content_type: str = "text/xml; charset=utf-8",
        **signing: str,
    ) -> httpx.Response:
        return await self._send("POST", resource, params, body, None, content_type, signing)


def xml(response: httpx.Response) -> etree._Element:
    """The response body as an element tree (asserts the Netvisor content type)."""
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return etree.fromstring(response.content)


def status(response: httpx.Response) -> list[str]:
    """The texts of ``ResponseStatus/Status``: ``["OK"]`` or ``["FAILED", "CAT :: msg"]``."""
    return [element.text or "" for element in xml(response).findall("ResponseStatus/Status")]


def failure(response: httpx.Response) -> str:
    """The failure category of a FAILED response (fails the test on OK)."""
    texts = status(response)
    assert texts[0] == "FAILED", texts
    return texts[1].split(" :: ", 1)[0]


def assert_ok(response: httpx.Response) -> etree._Element:
    texts = status(response)
    assert texts == ["OK"], (texts, response.headers.get("x-sandbox-detail"))
    return xml(response)
