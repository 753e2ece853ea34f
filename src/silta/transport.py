"""httpx's transport failures in a protocol's own exception types, classified once.

Both clients must say the same three things about a failed exchange, each in its own
types: no answer in time, no connection at all, or the connection broke. Which one it is
decides whether a write's outcome is unknown, so the classification lives here once.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
from collections.abc import Callable, Iterator

import attrs
import httpx

__all__ = [
    "MIN_MASKED_SECRET",
    "TransportErrors",
    "classified",
    "new_http_client",
    "tls_context",
]

# Secrets shorter than this are not masked in error texts: masking a one-letter "secret"
# (a test's, a sandbox's) turns every message into noise ("InternalSy***temError"), and no
# real key, client secret or token is this short.
MIN_MASKED_SECRET = 8


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
    return httpx.AsyncClient(verify=tls_context())


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
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise kinds.connect(f"{label}: cannot connect: {exc!r}") from exc
    except httpx.TimeoutException as exc:
        raise kinds.timeout(f"{label}: {exc!r}") from exc
    except httpx.TransportError as exc:
        raise kinds.broken(f"{label}: connection failed: {exc!r}") from exc
