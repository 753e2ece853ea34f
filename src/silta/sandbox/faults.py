"""Fault mechanics both sandboxes share: knob validators and the seeded draws.

Each sandbox keeps its own knob class (Netvisor's failures are categories such as
``TECHNICAL_ERROR``, Severa's are HTTP statuses) and its own ``draw_error``; what a knob
*means* - latency with jitter, a probability per request, a queue consumed in order, a
timeout before processing, a committed write whose answer is lost - is the same, and lives
here once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final, Protocol, TypeVar

import attrs
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "ARRIVED",
    "Knobs",
    "answer_time",
    "draw_latency",
    "draw_lost_response",
    "draw_rate",
    "draw_timeout",
    "knobs_from_json",
    "known_names",
    "non_negative",
    "probability",
    "rates_of",
    "stamp_arrival",
    "until",
]

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


class Knobs(Protocol):
    """The knobs every sandbox's fault class has."""

    latency: float
    latency_jitter: float
    timeout_rate: float
    lost_response_rate: float
    lose_next_responses: int


def probability(_instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    """attrs validator: a probability, 0 to 1."""
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def non_negative(_instance: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    """attrs validator: not below zero (``None`` allowed for optional knobs)."""
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def known_names(known: Collection[str], what: str) -> Validator:
    """attrs validator: every name of a list is one of ``known``."""

    def check(_instance: object, _attribute: attrs.Attribute[Any], value: Collection[str]) -> None:
        for name in value:
            if name not in known:
                raise ValueError(f"unknown {what} {name!r}; one of {', '.join(sorted(known))}")

    return check


def rates_of(known: Collection[str], what: str) -> Validator:
    """attrs validator: name → probability, names from ``known``, summing to at most 1."""
    names = known_names(known, what)

    def check(
        instance: object, attribute: attrs.Attribute[Any], value: Mapping[str, float]
    ) -> None:
        names(instance, attribute, value)
        for name, rate in value.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"error rate of {name} must be between 0 and 1, got {rate}")
        if sum(value.values()) > 1.0 + 1e-9:
            raise ValueError("error rates add up to more than 1")

    return check


def draw_latency(knobs: Knobs, rng: random.Random) -> float:
    """Seconds to sleep for this request."""
    if knobs.latency_jitter > 0:
        return knobs.latency + rng.uniform(0.0, knobs.latency_jitter)
    return knobs.latency


#: Where :func:`stamp_arrival` keeps a request's arrival time in its ASGI scope.
ARRIVED: Final = "silta.sandbox.arrived"


def stamp_arrival(app: ASGIApp) -> ASGIApp:
    """``app`` noting in each HTTP request's scope when the request reached the sandbox,
    before any routing, authentication or parsing: :func:`answer_time` counts from there.
    An outer app's stamp is kept (a sandbox mounted inside another app)."""

    async def stamped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault(ARRIVED, asyncio.get_running_loop().time())
        await app(scope, receive, send)

    return stamped


def answer_time(knobs: Knobs, rng: random.Random, scope: Mapping[str, Any]) -> float:
    """When this request's answer leaves, on the event loop's clock: ``latency`` (with its
    jitter) after it arrived (:func:`stamp_arrival`; now, for a request not stamped).

    The sandbox's own work (routing, checking the signature or token, parsing, validating,
    storing, rendering) happens inside that time, as a real service's does inside its
    response time, so "20 ms per call" means 20 ms as the client sees it, not 20 ms plus
    however long this Python process takes to play the service. Await :func:`until` with it
    once the work is done.
    """
    arrived = scope.get(ARRIVED)
    if arrived is None:
        arrived = asyncio.get_running_loop().time()
    return float(arrived) + draw_latency(knobs, rng)


async def until(moment: float) -> None:
    """Sleep until ``moment`` on the running loop's clock (at once when it has passed)."""
    delay = moment - asyncio.get_running_loop().time()
    if delay > 0:
        await asyncio.sleep(delay)


def draw_rate(rates: Mapping[str, float], rng: random.Random) -> str | None:
    """One draw against the cumulative probabilities, in name order; ``None``: no failure."""
    if not rates:
        return None
    draw = rng.random()
    cumulative = 0.0
    for name in sorted(rates):
        cumulative += rates[name]
        if draw < cumulative:
            return name
    return None


def draw_timeout(knobs: Knobs, rng: random.Random) -> bool:
    """Whether this request hangs before processing."""
    return knobs.timeout_rate > 0 and rng.random() < knobs.timeout_rate


def draw_lost_response(knobs: Knobs, rng: random.Random) -> bool:
    """Whether a committed write's answer is lost; ``lose_next_responses`` is consumed first."""
    if knobs.lose_next_responses > 0:
        knobs.lose_next_responses -= 1
        return True
    return knobs.lost_response_rate > 0 and rng.random() < knobs.lost_response_rate


K = TypeVar("K")


def knobs_from_json(cls: type[K], data: object, *, lists: Collection[str] = ()) -> K:
    """Build a knob class from a JSON object (the control APIs); defaults fill the rest.

    Raises:
        ValueError: not an object, an unknown field, or a value of the wrong kind.
    """
    if not isinstance(data, dict):
        raise ValueError("faults must be a JSON object")
    fields = {field.name for field in attrs.fields(cls)}  # type: ignore[arg-type]
    unknown = set(data) - fields
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    if not isinstance(data.get("error_rates", {}), dict):
        raise ValueError("error_rates must be an object")
    for name in lists:
        if not isinstance(data.get(name, []), list):
            raise ValueError(f"{name} must be a list")
    try:
        return cls(**data)
    except TypeError as error:
        raise ValueError(str(error)) from None
