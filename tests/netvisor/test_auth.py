"""Netvisor's HMACSHA256 authentication, pinned independently of the client's code."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import pytest

from silta.netvisor import NetvisorAuth, NetvisorCredentials, compute_mac

from .conftest import CREDENTIALS, make_client, ok

# The HMACSHA256 example of reference/netvisor-api.md §2.3.
VECTOR = {
    "url": "https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy",
    "sender": "Example integration",
    "customer_id": "CUST_ID",
    "timestamp": "2025-06-26 20:09:50.000",
    "language": "FI",
    "organisation_id": "1967543-8",
    "transaction_id": "0f8fad5bd9cb469fa16570867728950e",
    "timestamp_unix": "1750968590",
    "customer_key": "customerkey",
    "partner_key": "partnerkey",
}


def independent_mac(fields: dict[str, str]) -> str:
    """The formula written out again here, so a change in the client cannot move both."""
    order = [
        "url",
        "sender",
        "customer_id",
        "timestamp",
        "language",
        "organisation_id",
        "transaction_id",
        "timestamp_unix",
        "customer_key",
        "partner_key",
    ]
    message = "&".join(fields[name] for name in order).encode("latin-1")
    key = f"{fields['customer_key']}&{fields['partner_key']}".encode("latin-1")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def test_mac_matches_the_reference_vector() -> None:
    expected = "630ad5306fa9397f788f1b4ea065cce7d9a86e96946773d8757af38e7f6e116a"
    assert independent_mac(VECTOR) == expected
    assert compute_mac(**VECTOR) == expected


def test_mac_changes_with_every_signed_field() -> None:
    base = compute_mac(**VECTOR)
    for name in VECTOR:
        changed = dict(VECTOR, **{name: VECTOR[name] + "x"})
        assert compute_mac(**changed) != base, name
        assert compute_mac(**changed) == independent_mac(changed)


def test_every_request_carries_all_headers_and_a_valid_mac() -> None:
    seen: list[httpx.Request] = []
    instant = datetime(2025, 6, 26, 20, 9, 50, 123456, tzinfo=UTC)
    auth = NetvisorAuth(CREDENTIALS, clock=lambda: instant, new_transaction_id=lambda: "tx-1")
    request = httpx.Request("GET", "https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy%20Ab")
    flow = auth.auth_flow(request)
    seen.append(next(flow))
    headers = seen[0].headers
    assert headers["X-Netvisor-Authentication-Sender"] == "Silta tests"
    assert headers["X-Netvisor-Authentication-CustomerId"] == "TEST_CUSTOMER"
    assert headers["X-Netvisor-Authentication-PartnerId"] == "TEST_PARTNER"
    assert headers["X-Netvisor-Authentication-Timestamp"] == "2025-06-26 20:09:50.123"
    assert headers["X-Netvisor-Authentication-TimestampUnix"] == "1750968590"
    assert headers["X-Netvisor-Authentication-TransactionId"] == "tx-1"
    assert headers["X-Netvisor-Interface-Language"] == "EN"
    assert headers["X-Netvisor-Organisation-ID"] == "1967543-8"
    assert headers["X-Netvisor-Authentication-MACHashCalculationAlgorithm"] == "HMACSHA256"
    assert headers["X-Netvisor-Authentication-UseHTTPResponseStatusCodes"] == "1"
    assert headers["X-Netvisor-Authentication-MAC"] == independent_mac(
        {
            "url": "https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy%20Ab",
            "sender": "Silta tests",
            "customer_id": "TEST_CUSTOMER",
            "timestamp": "2025-06-26 20:09:50.123",
            "language": "EN",
            "organisation_id": "1967543-8",
            "transaction_id": "tx-1",
            "timestamp_unix": "1750968590",
            "customer_key": "customer-secret-key",
            "partner_key": "partner-secret-key",
        }
    )
    # The keys themselves never travel.
    for value in headers.values():
        assert "secret-key" not in value


async def test_each_request_and_each_retry_gets_a_new_transaction_id() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 2:
            return httpx.Response(503, text="<html>busy</html>")
        return ok("<Customerlist/>")

    client = make_client(handler)
    await client.list_customers()
    await client.list_customers()  # second call is retried once after the 503
    ids = [req.headers["X-Netvisor-Authentication-TransactionId"] for req in seen]
    assert len(ids) == 3
    assert len(set(ids)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", tx) for tx in ids)


async def test_the_mac_covers_the_url_exactly_as_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok("<Customerlist/>")

    client = make_client(handler)
    await client.list_customers(keyword="Smith & Sons Ä")
    request = seen[0]
    sent_url = str(request.url)
    query = urlsplit(sent_url).query
    assert "Smith" in query
    assert " " not in query and "&Sons" not in query  # percent-encoded, one parameter
    h = request.headers
    assert h["X-Netvisor-Authentication-MAC"] == independent_mac(
        {
            "url": sent_url,
            "sender": h["X-Netvisor-Authentication-Sender"],
            "customer_id": h["X-Netvisor-Authentication-CustomerId"],
            "timestamp": h["X-Netvisor-Authentication-Timestamp"],
            "language": h["X-Netvisor-Interface-Language"],
            "organisation_id": h["X-Netvisor-Organisation-ID"],
            "transaction_id": h["X-Netvisor-Authentication-TransactionId"],
            "timestamp_unix": h["X-Netvisor-Authentication-TimestampUnix"],
            "customer_key": CREDENTIALS.customer_key,
            "partner_key": CREDENTIALS.partner_key,
        }
    )


def test_credentials_hide_keys_and_refuse_unsendable_values() -> None:
    assert "secret-key" not in repr(CREDENTIALS)
    with pytest.raises(ValueError, match="sender"):
        NetvisorCredentials(
            sender="Integraatiö",  # not ASCII: cannot be an HTTP header value
            customer_id="c",
            customer_key="k",
            partner_id="p",
            partner_key="k",
            organisation_id="1967543-8",
        )
    with pytest.raises(ValueError, match="language"):
        NetvisorCredentials(
            sender="s",
            customer_id="c",
            customer_key="k",
            partner_id="p",
            partner_key="k",
            organisation_id="1967543-8",
            language="SV",  # type: ignore[arg-type]
        )
