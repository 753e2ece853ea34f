"""httpx's transport failures in a protocol's own exception types, classified once.

Both clients must say the same three things about a failed exchange, each in its own
types: no answer in time, no connection at all, or the connection broke. Which one it is
decides whether a write's outcome is unknown, so the classification lives here once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import attrs
import httpx

__all__ = ["TransportErrors", "classified"]


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
