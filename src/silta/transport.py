"""httpx's transport failures in a protocol's own exception types, classified once.

Both clients must say the same three things about a failed exchange, each in its own
types: no answer in time, no connection at all, or the connection broke. Which one it is
decides whether a write's outcome is unknown, so the classification lives here once.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import ssl
from collections.abc import Callable, Iterator
from typing import Protocol

import attrs
import httpx

__all__ = [
    "MIN_MASKED_SECRET",
    "Call",
    "CallObserver",
    "TransportErrors",
    "classified",
    "new_http_client",
    "observe",
    "same_origin",
    "tls_context",
    "why",
]

# httpx logs every exchange at INFO with the answer's status line ("HTTP/1.1 200 <reason>"),
# and httpcore at DEBUG with its headers: both are the foreign service's words, which must
# never reach Silta's log (a hostile endpoint could write there). Silta logs each call itself.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

# Secrets shorter than this are not masked in error texts: masking a one-letter "secret"
# (a test's, a sandbox's) turns every message into noise ("InternalSy***temError"), and no
# real key, client secret or token is this short.
MIN_MASKED_SECRET = 8


@attrs.frozen
class Call:
    """One attempt of a client at one call, as an observer sees it.

    ``resource`` is the call as the client names it (``customerlist.nv``; Severa's path,
    GUIDs included: an observer that counts by it must fold them); ``status`` the HTTP
    status, ``None`` when no answer came; ``error`` what the attempt raised, if anything.
    """

    service: str
    method: str
    resource: str
    status: int | None
    seconds: float
    error: BaseException | None = None


class CallObserver(Protocol):
    """Told of every attempt a client makes (the metrics count them).

    A seam instead of an import: the protocol packages know nothing of what watches them
    (``prometheus_client`` stays out of them), and tests pass a list-keeping observer.
    """

    def call_done(self, call: Call) -> None: ...


_observer_log = logging.getLogger("silta.transport")


def observe(observer: CallObserver | None, call: Call) -> None:
    """Tell ``observer`` of ``call``; an observer's fault never fails the call it watched."""
    if observer is None:
        return
    try:
        observer.call_done(call)
    except Exception:  # noqa: BLE001 - a fault of Silta's own: its traceback fixes it
        _observer_log.exception("the call observer failed on %s %s", call.service, call.resource)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's one TLS context (certifi's roots, as httpx's default).

    Building a context loads and parses the whole CA bundle: measured at about half of a
    scheduler worker's CPU when every run made its own client. A context is safe to share;
    its settings are never changed after this.
    """
    return httpx.create_ssl_context()


def new_http_client() -> httpx.AsyncClient:
    """A fresh client for one run (its own connections and cookies), on the shared context.

    A client per run rather than one per process: cookies a service sets for one company
    must never travel with another company's requests.
    """
    # follow_redirects is httpx's default (off), said out loud: a redirect would carry a
    # request, and its credentials, to a host the operator never allowed. The clients also
    # pass it on every send, so a caller's client cannot turn it on.
    return httpx.AsyncClient(verify=tls_context(), follow_redirects=False)


def same_origin(request: httpx.Request, base_url: str) -> bool:
    """Whether ``request`` goes to the scheme, host and port of ``base_url``.

    The clients build every URL as base URL + path, so this holds by construction; checking
    it before each send keeps it holding whatever a path segment read from an answer holds.
    """
    base = httpx.URL(base_url)
    url = request.url
    return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)


@attrs.frozen
class TransportErrors:
    """A protocol's exception types for the three kinds of transport failure."""

    timeout: Callable[[str], Exception]
    connect: Callable[[str], Exception]
    broken: Callable[[str], Exception]


@contextlib.contextmanager
def classified(kinds: TransportErrors, label: str, limit_seconds: float) -> Iterator[None]:
    """Raise ``kinds``' types for transport failures (and ``asyncio.timeout``) in the block.

    ``label`` starts each message (the resource or ``METHOD path``); ``limit_seconds`` is
    the overall time limit the block runs under.
    """
    try:
        yield
    except TimeoutError:
        raise kinds.timeout(f"{label}: no answer within {limit_seconds:g} s") from None
    # "from None": httpx's own exception, chained, would print its text (the other end's
    # words) in every traceback that logs ours; why() has said what it means.
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise kinds.connect(f"{label}: cannot connect ({why(exc)})") from None
    except httpx.TimeoutException as exc:
        raise kinds.timeout(f"{label}: {why(exc)}") from None
    except httpx.TransportError as exc:
        raise kinds.broken(f"{label}: connection failed ({why(exc)})") from None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_TIMEOUTS: tuple[tuple[type[httpx.TimeoutException], str], ...] = (
    (httpx.ConnectTimeout, "no connection within the time limit"),
    (httpx.PoolTimeout, "no free connection within the time limit"),
    (httpx.WriteTimeout, "the request could not be sent within the time limit"),
    (httpx.ReadTimeout, "no answer within the time limit"),
)
_BROKEN: tuple[tuple[type[httpx.TransportError], str], ...] = (
    (httpx.RemoteProtocolError, "the answer broke the rules of HTTP"),
    (httpx.ReadError, "the connection broke while the answer was read"),
    (httpx.WriteError, "the connection broke while the request was sent"),
    (httpx.ProxyError, "the HTTP proxy refused the connection"),
    (httpx.UnsupportedProtocol, "the address's scheme is not http or https"),
)


def why(exc: httpx.TransportError) -> str:
    """What went wrong, in Silta's own words, with httpx's type name.

    httpx's own text can quote the other end: h11 quotes a malformed status line or header
    verbatim, and a TLS error names the host a certificate was made for. A foreign endpoint
    could thus write into a run's error, a page and the log; this text it cannot.
    """
    name = type(exc).__name__
    for kind, text in (*_TIMEOUTS, *_BROKEN):
        if isinstance(exc, kind):
            return f"{name}: {text}"
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"{name}: the TLS certificate was not accepted"
        if isinstance(cause, ssl.SSLError):
            return f"{name}: the TLS handshake failed"
        if isinstance(cause, socket.gaierror):
            return f"{name}: the host name does not resolve"
        if isinstance(cause, ConnectionRefusedError):
            return f"{name}: the connection was refused"
        if isinstance(cause, ConnectionResetError):
            return f"{name}: the connection was reset"
        if isinstance(cause, OSError) and cause.errno is not None:
            return f"{name}: {os.strerror(cause.errno)}"  # the local system's words
    return name
