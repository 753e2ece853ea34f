"""Fault injection: the knobs that make the sandbox misbehave the way Netvisor can.

One :class:`Faults` per organisation (``org.faults``); ``sandbox.default_faults`` is copied to
organisations created later. Every random decision draws from the organisation's own
``random.Random``, seeded from the sandbox seed and the organisation id, so a run with the
same requests in the same order injects the same faults.

Order in which a request meets the knobs (after authentication and the overlap check; see
:mod:`.app`):

1. ``latency`` (+ a uniform extra ``0..latency_jitter``) is slept; the request is in flight.
2. ``maintenance`` → ``SYSTEM_MAINTENANCE``.
3. ``fail_next`` → the first queued category, removed from the queue.
4. ``denied_resources`` → ``SERVICE_ACCESS_ERROR``, like a resource not allowed for the API user.
5. ``error_rates`` → one draw against the cumulative probabilities, in category-name order.
6. ``timeout_rate`` → hang ``hang_seconds`` *before* processing, still in flight; nothing is
   written. If the client is still waiting afterwards it gets ``TECHNICAL_ERROR``.
7. The resource runs.
8. For a POST whose write was committed: ``lose_next_responses`` (counted down first) or
   ``lost_response_rate`` → the request leaves the in-flight count, then the server hangs
   ``hang_seconds`` instead of answering. A client still waiting after that gets the real
   answer late; one that timed out never learns that the record exists.

An injected failure writes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .errors import CATEGORIES, SERVICE_ACCESS_ERROR, SYSTEM_MAINTENANCE

__all__ = [
    "Faults",
    "copy_faults",
    "draw_error",
    "draw_latency",
    "draw_lost_response",
    "draw_timeout",
    "faults_from_json",
    "faults_to_json",
]


def _to_rates(value: Mapping[str, float]) -> dict[str, float]:
    return {str(category).upper(): float(rate) for category, rate in value.items()}


def _to_categories(value: Iterable[str]) -> list[str]:
    return [str(category).upper() for category in value]


def _to_resources(value: Iterable[str]) -> frozenset[str]:
    return frozenset(str(resource).lower() for resource in value)


def _probability(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def _non_negative(
    _instance: object, attribute: attrs.Attribute[float] | attrs.Attribute[int], value: float
) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def _check_rates(
    _instance: object, _attribute: attrs.Attribute[dict[str, float]], value: dict[str, float]
) -> None:
    for category, rate in value.items():
        if category not in CATEGORIES:
            raise ValueError(f"unknown Netvisor failure category {category!r}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"error rate of {category} must be between 0 and 1, got {rate}")
    if sum(value.values()) > 1.0 + 1e-9:
        raise ValueError("error rates add up to more than 1")


def _check_categories(
    _instance: object, _attribute: attrs.Attribute[list[str]], value: list[str]
) -> None:
    for category in value:
        if category not in CATEGORIES:
            raise ValueError(f"unknown Netvisor failure category {category!r}")


@attrs.define
class Faults:
    """How one organisation misbehaves. All defaults mean "behave".

    Attributes:
        latency: seconds slept by every request while it is in flight.
        latency_jitter: up to this many seconds more, uniformly drawn.
        error_rates: failure category → probability per request (sum ≤ 1).
        fail_next: categories the next requests fail with, in order (consumed).
        maintenance: every request answers ``SYSTEM_MAINTENANCE``.
        timeout_rate: probability of hanging ``hang_seconds`` before processing.
        hang_seconds: how long a timeout or a lost response hangs.
        lost_response_rate: probability that a committed POST write's answer is lost.
        lose_next_responses: the next this-many committed POST writes lose their answer.
        denied_resources: resource names (``customer.nv``) answered ``SERVICE_ACCESS_ERROR``.
    """

    latency: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    latency_jitter: float = attrs.field(default=0.0, converter=float, validator=_non_negative)
    error_rates: dict[str, float] = attrs.field(
        factory=dict, converter=_to_rates, validator=_check_rates
    )
    fail_next: list[str] = attrs.field(
        factory=list, converter=_to_categories, validator=_check_categories
    )
    maintenance: bool = attrs.field(default=False, converter=bool)
    timeout_rate: float = attrs.field(default=0.0, converter=float, validator=_probability)
    hang_seconds: float = attrs.field(default=300.0, converter=float, validator=_non_negative)
    lost_response_rate: float = attrs.field(default=0.0, converter=float, validator=_probability)
    lose_next_responses: int = attrs.field(default=0, converter=int, validator=_non_negative)
    denied_resources: frozenset[str] = attrs.field(factory=frozenset, converter=_to_resources)


def copy_faults(faults: Faults) -> Faults:
    """An independent copy: the consumable queues (``fail_next``, ``lose_next_responses``)
    must not be shared between organisations."""
    return attrs.evolve(
        faults, error_rates=dict(faults.error_rates), fail_next=list(faults.fail_next)
    )


def faults_to_json(faults: Faults) -> dict[str, Any]:
    """The JSON form used by the control API."""
    return {
        "latency": faults.latency,
        "latency_jitter": faults.latency_jitter,
        "error_rates": dict(faults.error_rates),
        "fail_next": list(faults.fail_next),
        "maintenance": faults.maintenance,
        "timeout_rate": faults.timeout_rate,
        "hang_seconds": faults.hang_seconds,
        "lost_response_rate": faults.lost_response_rate,
        "lose_next_responses": faults.lose_next_responses,
        "denied_resources": sorted(faults.denied_resources),
    }


_FIELDS = frozenset(field.name for field in attrs.fields(Faults))


def faults_from_json(data: object) -> Faults:
    """Build :class:`Faults` from a JSON object; missing fields take their defaults.

    Raises:
        ValueError: not an object, an unknown field, or a value of the wrong kind.
    """
    if not isinstance(data, dict):
        raise ValueError("faults must be a JSON object")
    unknown = set(data) - _FIELDS
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    if not isinstance(data.get("error_rates", {}), dict):
        raise ValueError("error_rates must be an object")
    for name in ("fail_next", "denied_resources"):
        if not isinstance(data.get(name, []), list):
            raise ValueError(f"{name} must be a list")
    try:
        return Faults(**data)
    except TypeError as error:
        raise ValueError(str(error)) from None


def draw_latency(faults: Faults, rng: random.Random) -> float:
    """Seconds to sleep for this request."""
    if faults.latency_jitter > 0:
        return faults.latency + rng.uniform(0.0, faults.latency_jitter)
    return faults.latency


def draw_error(faults: Faults, rng: random.Random, resource: str) -> tuple[str, str] | None:
    """``(category, reason)`` of an injected failure, or ``None``; consumes ``fail_next``."""
    if faults.maintenance:
        return SYSTEM_MAINTENANCE, "maintenance"
    if faults.fail_next:
        return faults.fail_next.pop(0), "fail_next"
    if resource in faults.denied_resources:
        return SERVICE_ACCESS_ERROR, "denied_resource"
    if faults.error_rates:
        draw = rng.random()
        cumulative = 0.0
        for category in sorted(faults.error_rates):
            cumulative += faults.error_rates[category]
            if draw < cumulative:
                return category, "error_rate"
    return None


def draw_timeout(faults: Faults, rng: random.Random) -> bool:
    """Whether this request hangs before processing."""
    return faults.timeout_rate > 0 and rng.random() < faults.timeout_rate


def draw_lost_response(faults: Faults, rng: random.Random) -> bool:
    """Whether a committed write's answer is lost; consumes ``lose_next_responses`` first."""
    if faults.lose_next_responses > 0:
        faults.lose_next_responses -= 1
        return True
    return faults.lost_response_rate > 0 and rng.random() < faults.lost_response_rate
