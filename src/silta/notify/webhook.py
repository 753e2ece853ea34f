"""The webhook: where a KH may point it, how its body is signed, and how it is sent.

**Where.** A webhook address is typed by a KH, and Silta would POST to it from inside the
operator's network: without a limit, a KH could make Silta call internal addresses (SSRF).
So the operator lists the allowed addresses (``SILTA_WEBHOOK_URLS``, comma-separated
prefixes such as ``https://hooks.example.fi/silta``); by default **none** is allowed. An
address is allowed when its scheme, host and port are an entry's and its path is the
entry's path or below it. It is checked where it is typed (form, API) and again before
every send, since the operator may narrow the list. Redirects are never followed.

**Signature.** ``Silta-Timestamp: <unix seconds>`` and ``Silta-Signature: v1=<hex>``, the
HMAC-SHA256 of ``<timestamp>.<body>`` under the tenant's webhook secret. A receiver
recomputes it over the raw body, compares in constant time and refuses a timestamp more
than five minutes away from its clock, so a captured request cannot be replayed later.
:func:`verify` is that check.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import attrs
import httpx

from silta.endpoints import canonical_url
from silta.transport import tls_context, why

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE",
    "WebhookOutcome",
    "WebhookPolicy",
    "new_webhook_client",
    "post",
    "sign",
    "verify",
]

TIMESTAMP_HEADER = "Silta-Timestamp"
SIGNATURE_HEADER = "Silta-Signature"
TOLERANCE = 300.0  # seconds a receiver should accept between the timestamp and its clock
TIMEOUT = 15.0


def _parts(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url.strip())
    port = parts.port  # raises ValueError for a port that is not a number
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) address")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise ValueError("an address with user info or a fragment")
    if any(char.isspace() or ord(char) < 32 for char in url.strip()):
        raise ValueError("an address with spaces or control characters")
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80), parts.path


@attrs.frozen
class WebhookPolicy:
    """The operator's allowed webhook address prefixes (canonical); empty: none allowed."""

    allowed: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> WebhookPolicy:
        """From ``SILTA_WEBHOOK_URLS``.

        Raises:
            ValueError: an entry is not a base address (the message names the variable).
        """
        found = []
        for entry in text.split(","):
            if entry.strip():
                try:
                    found.append(canonical_url(entry))
                except ValueError as exc:
                    raise ValueError(f"SILTA_WEBHOOK_URLS: {entry.strip()!r} is {exc}") from None
        return cls(tuple(dict.fromkeys(found)))

    def permits(self, url: str) -> bool:
        try:
            scheme, host, port, path = _parts(url)
        except ValueError:
            return False
        for entry in self.allowed:
            e_scheme, e_host, e_port, e_path = _parts(entry)
            if (scheme, host, port) != (e_scheme, e_host, e_port):
                continue
            if not e_path or path == e_path or path.startswith(e_path.rstrip("/") + "/"):
                return True
        return False


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Silta-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


def verify(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
    tolerance: float = TOLERANCE,
) -> bool:
    """What a receiver checks: the signature over this body and timestamp, and a timestamp
    within ``tolerance`` seconds of ``now`` (a replay later fails)."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    sent = int(timestamp)
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature)


def new_webhook_client() -> httpx.AsyncClient:
    """A client for one delivery: no redirects, the process's TLS context, a short limit."""
    return httpx.AsyncClient(verify=tls_context(), follow_redirects=False, timeout=TIMEOUT)


@attrs.frozen
class WebhookOutcome:
    sent: bool
    retry: bool = False
    error: str | None = None


async def post(
    client: httpx.AsyncClient,
    policy: WebhookPolicy,
    url: str,
    secret: str,
    body: bytes,
    *,
    clock: Callable[[], float] = time.time,
) -> WebhookOutcome:
    """POST the signed body; nothing is sent to an address the policy does not allow.

    The answer's body is never read into a message: whatever answers may want its words
    on our pages. A 2xx is done; a redirect or a 4xx will not change by retrying (408 and
    429 aside); a 5xx or no answer will be tried again later.
    """
    if not policy.permits(url):
        return WebhookOutcome(
            False,
            False,
            "the webhook address is not among those the operator allows "
            "(SILTA_WEBHOOK_URLS); nothing was sent",
        )
    timestamp = int(clock())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        "User-Agent": "Silta-webhook/1",
    }
    try:
        response = await client.post(url, content=body, headers=headers, follow_redirects=False)
    except httpx.TransportError as exc:
        return WebhookOutcome(False, True, f"the webhook could not be reached ({why(exc)})")
    status = response.status_code
    if 200 <= status < 300:
        return WebhookOutcome(True)
    if 300 <= status < 400:
        return WebhookOutcome(
            False, False, f"the webhook answered HTTP {status}, a redirect; Silta follows none"
        )
    retry = status >= 500 or status in (408, 429)
    return WebhookOutcome(False, retry, f"the webhook answered HTTP {status}")
