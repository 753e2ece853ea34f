"""What every answer of the web app carries, and whose word about the client counts.

:class:`Hardened` wraps the whole ASGI app, outside Starlette's own error handling, so that
pages, the API, static files, error pages (a 500 too) and mounted apps all get the same
headers:

* ``Content-Security-Policy`` with no inline script or style and ``frame-ancestors 'none'``
  (plus ``X-Frame-Options: DENY`` for older browsers): no other page, not even one of the
  same site, can frame the settings tab and trick a click on "Sync now";
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, and a
  ``Permissions-Policy`` and ``Cross-Origin-Opener-Policy`` that give nothing away;
* ``Cache-Control: no-store`` on everything but the static files: pages and API answers
  carry company data and, once, a new API token;
* ``Strict-Transport-Security`` when the request came over HTTPS;
* no ``Server`` banner.

Which client a request came from, and over which scheme, is read from ``X-Forwarded-For``,
``X-Forwarded-Proto`` and ``X-Forwarded-Host`` only when the connection comes from one of
the operator's proxies (``SILTA_TRUSTED_PROXIES``, :class:`ProxyTrust`). Trusting any
loopback peer, as uvicorn does by default, let anyone behind a local proxy choose the
address that login throttling counts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import attrs
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SECURITY_HEADERS", "Hardened", "ProxyTrust", "same_origin", "uvicorn_config"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)
HSTS = "max-age=31536000; includeSubDomains"
STATIC = "/static/"  # the only answers a browser or a proxy may keep


@attrs.frozen
class ProxyTrust:
    """The operator's reverse proxies: only their forwarded headers are believed."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str) -> ProxyTrust:
        """From ``SILTA_TRUSTED_PROXIES``: addresses or networks, comma-separated.

        Raises:
            ValueError: an entry is neither (the message names the variable).
        """
        networks: list[Network] = []
        for entry in (part.strip() for part in text.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(
                    f"SILTA_TRUSTED_PROXIES: {entry!r} is not an address or a network"
                ) from None
        return cls(tuple(networks))

    def trusts(self, host: str | None) -> bool:
        address = _address(host)
        return address is not None and any(address in network for network in self.networks)

    def client(self, peer: str | None, forwarded_for: Iterable[str]) -> str | None:
        """The client's address: the peer, or, when the peer is a trusted proxy, the last
        address in ``X-Forwarded-For`` that is not itself a trusted proxy (the entries
        before it were written by the client and prove nothing)."""
        if not self.trusts(peer):
            return peer
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
        client = peer
        for hop in reversed(hops):
            if _address(hop) is None:
                break  # unreadable: believe no further
            client = hop
            if not self.trusts(hop):
                break
        return client


def _address(host: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not host:
        return None
    try:
        return ipaddress.ip_address(host.strip().strip("[]"))
    except ValueError:
        return None


def _last(headers: Headers, name: str) -> str | None:
    values = [part.strip() for value in headers.getlist(name) for part in value.split(",")]
    return values[-1] if values and values[-1] else None


class Hardened:
    """The app, with its client and scheme resolved and every answer's headers set."""

    def __init__(self, app: ASGIApp, proxies: ProxyTrust) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = self._resolved(scope)
        https = scope["scheme"] == "https"
        cacheable = str(scope.get("path", "")).startswith(STATIC)

        async def hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers[name] = value
                if not cacheable:
                    headers["cache-control"] = "no-store"
                if https:
                    headers["strict-transport-security"] = HSTS
                if "server" in headers:
                    del headers["server"]
            await send(message)

        await self.app(scope, receive, hardened)

    def _resolved(self, scope: Scope) -> Scope:
        """``scope`` with the forwarded client, scheme and host when a trusted proxy sent
        them; as it came otherwise."""
        client = scope.get("client")
        peer = client[0] if client else None
        if not self.proxies.trusts(peer):
            return scope
        headers = Headers(scope=scope)
        resolved: dict[str, Any] = dict(scope)
        address = self.proxies.client(peer, headers.getlist("x-forwarded-for"))
        if address is not None and address != peer:
            resolved["client"] = (address, 0)
        proto = (_last(headers, "x-forwarded-proto") or "").lower()
        if proto in ("http", "https"):
            resolved["scheme"] = proto
        host = _last(headers, "x-forwarded-host")
        if host:
            raw = [(k, v) for k, v in scope["headers"] if k.lower() != b"host"]
            resolved["headers"] = [*raw, (b"host", host.encode("latin-1"))]
        return resolved


_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _PORTS[scheme]


def same_origin(
    scope_scheme: str, host: str | None, origin: str | None, referer: str | None
) -> bool:
    """Whether a form post comes from a page of this app: its ``Origin`` (or, without one,
    its ``Referer``) names this app's scheme, host and port. Neither header: refused, as
    every browser sends ``Origin`` with a POST; ``Origin: null`` (a sandboxed frame, a
    ``data:`` page) is refused too.
    """
    if not host:
        return False
    own = _origin(f"{scope_scheme}://{host}")
    claimed = origin if origin is not None else referer
    if own is None or not claimed:
        return False
    return _origin(claimed) == own


def uvicorn_config(app: Any, *, log_level: str = "info", **options: Any) -> Any:
    """uvicorn's configuration for Silta's servers (``silta serve``, ``demo``, ``sandbox``).

    * ``server_header=False``: no ``Server: uvicorn`` banner telling what to attack;
    * ``proxy_headers=False``: uvicorn would believe ``X-Forwarded-*`` from any loopback
      peer; :class:`Hardened` believes them from ``SILTA_TRUSTED_PROXIES`` only;
    * ``timeout_graceful_shutdown=1``: a request hanging in a sandbox fault must not hold
      up Ctrl+C.
    """
    import uvicorn

    return uvicorn.Config(
        app,
        log_level=log_level.lower(),
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=1,
        **options,
    )
