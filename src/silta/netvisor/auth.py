"""Netvisor authentication: the ``X-Netvisor-*`` headers and the HMAC-SHA256 MAC.

Netvisor signs every request with a MAC computed over the exact URL as sent, so signing is
an :class:`httpx.Auth` flow: it runs on the final :class:`httpx.Request`, after httpx has
encoded the query string, and signs ``str(request.url)``, the bytes that go on the wire.

The MAC (``reference/netvisor-api.md`` §2.3, HMACSHA256, the only algorithm allowed for new
integrations since May 2025)::

    key     = customerKey & partnerKey
    message = url & sender & customerId & timestamp & language & organisationId
              & transactionId & timestampUnix & customerKey & partnerKey
    mac     = lower-case hex of HMAC-SHA256(key, message)

Strings are encoded as ISO-8859-15 before hashing, as Netvisor's page prescribes for
Scandinavian letters. Header fields must be ASCII anyway (HTTP headers), so in practice only
the URL could differ between encodings, and its query is percent-encoded by httpx.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable, Generator
from datetime import UTC, datetime
from typing import Literal

import attrs
import httpx

__all__ = ["Language", "NetvisorAuth", "NetvisorCredentials", "compute_mac"]

Language = Literal["FI", "EN", "SE"]
_ENCODING = "iso-8859-15"


def _header_safe(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    """Header values must be printable ASCII: httpx refuses anything else, and so would HTTP."""
    if not value or not value.isascii() or not value.isprintable():
        raise ValueError(f"{attribute.name} must be non-empty printable ASCII, got {value!r}")


def _secret_safe(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must not be empty")
    try:
        value.encode(_ENCODING)
    except UnicodeEncodeError as exc:  # never echo the secret itself
        raise ValueError(f"{attribute.name} contains a character ISO-8859-15 cannot hold") from exc


@attrs.frozen
class NetvisorCredentials:
    """What one integration needs to talk to one Netvisor company.

    ``customer_key`` and ``partner_key`` are never sent; they only key the MAC. They are left
    out of ``repr`` so that a logged object cannot leak them.
    """

    sender: str = attrs.field(validator=_header_safe)
    customer_id: str = attrs.field(validator=_header_safe)
    customer_key: str = attrs.field(validator=_secret_safe, repr=False)
    partner_id: str = attrs.field(validator=_header_safe)
    partner_key: str = attrs.field(validator=_secret_safe, repr=False)
    organisation_id: str = attrs.field(validator=_header_safe)
    language: Language = attrs.field(
        default="FI", validator=attrs.validators.in_(("FI", "EN", "SE"))
    )

    def secrets(self) -> tuple[str, str]:
        """The two keys, for redacting them from any text that might echo them."""
        return (self.customer_key, self.partner_key)


def compute_mac(
    *,
    url: str,
    sender: str,
    customer_id: str,
    timestamp: str,
    language: str,
    organisation_id: str,
    transaction_id: str,
    timestamp_unix: str,
    customer_key: str,
    partner_key: str,
) -> str:
    """The HMACSHA256 MAC Netvisor expects for one request (lower-case hex)."""
    message = "&".join(
        (
            url,
            sender,
            customer_id,
            timestamp,
            language,
            organisation_id,
            transaction_id,
            timestamp_unix,
            customer_key,
            partner_key,
        )
    )
    key = f"{customer_key}&{partner_key}"
    return hmac.new(
        key.encode(_ENCODING), message.encode(_ENCODING, errors="strict"), hashlib.sha256
    ).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_transaction_id() -> str:
    return uuid.uuid4().hex


class NetvisorAuth(httpx.Auth):
    """Signs each request with fresh timestamps and a new TransactionId.

    A retried request goes through the flow again, so it never reuses a TransactionId
    (Netvisor answers a reused one with REQUEST_NOT_UNIQUE).
    """

    def __init__(
        self,
        credentials: NetvisorCredentials,
        *,
        clock: Callable[[], datetime] = _utc_now,
        new_transaction_id: Callable[[], str] = _new_transaction_id,
    ) -> None:
        self._credentials = credentials
        self._clock = clock
        self._new_transaction_id = new_transaction_id

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        creds = self._credentials
        # Computed right before sending: HMACSHA256 requests are checked against Netvisor's clock.
        now = self._clock().astimezone(UTC)
        timestamp = now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"
        timestamp_unix = str(int(now.timestamp()))
        transaction_id = self._new_transaction_id()
        mac = compute_mac(
            url=str(request.url),
            sender=creds.sender,
            customer_id=creds.customer_id,
            timestamp=timestamp,
            language=creds.language,
            organisation_id=creds.organisation_id,
            transaction_id=transaction_id,
            timestamp_unix=timestamp_unix,
            customer_key=creds.customer_key,
            partner_key=creds.partner_key,
        )
        request.headers.update(
            {
                "X-Netvisor-Authentication-Sender": creds.sender,
                "X-Netvisor-Authentication-CustomerId": creds.customer_id,
                "X-Netvisor-Authentication-PartnerId": creds.partner_id,
                "X-Netvisor-Authentication-Timestamp": timestamp,
                "X-Netvisor-Authentication-TimestampUnix": timestamp_unix,
                "X-Netvisor-Authentication-TransactionId": transaction_id,
                "X-Netvisor-Interface-Language": creds.language,
                "X-Netvisor-Organisation-ID": creds.organisation_id,
                "X-Netvisor-Authentication-MAC": mac,
                "X-Netvisor-Authentication-MACHashCalculationAlgorithm": "HMACSHA256",
                "X-Netvisor-Authentication-UseHTTPResponseStatusCodes": "1",
            }
        )
        yield request
