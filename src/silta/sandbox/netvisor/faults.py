"""Fault injection: the knobs that make the sandbox misbehave the way Netvisor can.

One :class:`Faults` per organisation (``org.faults``); ``sandbox.default_faults`` is copied to
organisations created later. Every random decision draws from the organisation's own
``random.Random``, seeded from the sandbox seed and the organisation id, so a run with the
same requests in the same order injects the same faults.

Order in which a request meets the knobs (after authentication and the overlap check; see
:mod:`.app`):

1. ``latency`` (+ a uniform extra ``0..latency_jitter``) fixes when the answer leaves,
   counted from the request's arrival (before authentication): the work below happens
   inside it, and the answer waits until then; the request is in flight meanwhile.
2. ``maintenance`` → ``SYSTEM_MAINTENANCE``.
3. ``fail_next`` → the first queued category, removed from the queue.
4. ``denied_resources`` → ``SERVICE_ACCESS_ERROR``, like a resource not allowed for the API user.
5. ``error_rates`` → one draw against the cumulative probabilities, in category-name order.
6. ``timeout_rate`` → hang the latency and ``hang_seconds`` *before* processing, still in
   flight; nothing is written. If the client is still waiting afterwards it gets
   ``TECHNICAL_ERROR``.
7. The resource runs; then the answer waits for its time (a client that gives up meanwhile
   leaves the write standing).
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

from ..faults import (
    draw_latency,
    draw_lost_response,
    draw_rate,
    draw_timeout,
    knobs_from_json,
    known_names,
    non_negative,
    probability,
    rates_of,
)
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

    latency: float = attrs.field(default=0.0, converter=float, validator=non_negative)
    latency_jitter: float = attrs.field(default=0.0, converter=float, validator=non_negative)
    error_rates: dict[str, float] = attrs.field(
        factory=dict,
        converter=_to_rates,
        validator=rates_of(CATEGORIES, "Netvisor failure category"),
    )
    fail_next: list[str] = attrs.field(
        factory=list,
        converter=_to_categories,
        validator=known_names(CATEGORIES, "Netvisor failure category"),
    )
    maintenance: bool = attrs.field(default=False, converter=bool)
    timeout_rate: float = attrs.field(default=0.0, converter=float, validator=probability)
    hang_seconds: float = attrs.field(default=300.0, converter=float, validator=non_negative)
    lost_response_rate: float = attrs.field(default=0.0, converter=float, validator=probability)
    lose_next_responses: int = attrs.field(default=0, converter=int, validator=non_negative)
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


def faults_from_json(data: object) -> Faults:
    """Build :class:`Faults` from a JSON object; missing fields take their defaults.

    Raises:
        ValueError: not an object, an unknown field, or a value of the wrong kind.
    """
    return knobs_from_json(Faults, data, lists=("fail_next", "denied_resources"))


def draw_error(faults: Faults, rng: random.Random, resource: str) -> tuple[str, str] | None:
    """``(category, reason)`` of an injected failure, or ``None``; consumes ``fail_next``."""
    if faults.maintenance:
        return SYSTEM_MAINTENANCE, "maintenance"
    if faults.fail_next:
        return faults.fail_next.pop(0), "fail_next"
    if resource in faults.denied_resources:
        return SERVICE_ACCESS_ERROR, "denied_resource"
    category = draw_rate(faults.error_rates, rng)
    return None if category is None else (category, "error_rate")
