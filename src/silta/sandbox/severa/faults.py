"""Fault injection: the knobs that make the sandbox misbehave the way Severa (or the way to it) can.

One :class:`SeveraFaults` per organisation (``org.faults``); ``sandbox.default_faults`` is
copied to organisations created later. Every random decision draws from the organisation's own
``random.Random``, seeded from the sandbox seed and the organisation id, so the same requests in
the same order meet the same faults.

The knobs apply to the data routes (everything but ``/v1/token`` and ``/v1/refreshtoken``: a
test that queues a failure for its next read must not see the token call eat it). Order, after
routing, the rate limit and authentication (see :mod:`.app`):

1. ``expire_tokens_after_requests`` counts this request down; the request that brings it to
   zero is still answered, and then every access token of the organisation expires (the next
   request is 401 and the knob is back to ``None``). Set to 0, the very next request is 401.
2. ``latency`` (+ a uniform extra ``0..latency_jitter``) fixes when the answer leaves,
   counted from the request's arrival (before routing): the work below happens inside it,
   and the answer waits until then; the request is in flight meanwhile.
3. ``fail_next`` → the first queued kind, removed from the queue.
4. ``error_rates`` → one draw against the cumulative probabilities, in kind order.
5. ``timeout_rate`` → hang the latency and ``hang_seconds`` *before* processing; nothing is
   written. A client still waiting afterwards gets 504.
6. The operation runs (synchronously: a cancelled request never leaves half a write), then
   the answer waits for its time: a client that gives up meanwhile leaves the write standing.
7. For a successful write (POST, PATCH): ``lose_next_responses`` (counted down first) or
   ``lost_response_rate`` → the write stands, the request leaves the in-flight count, and the
   answer comes only after ``hang_seconds`` (a client that gave up never learns of the record).

Kinds of injected errors (:data:`ERROR_KINDS`): ``"429"`` (the rate-limit answer, with
``Retry-After`` when ``retry_after`` is set), ``"500"`` (``InternalSystemError``), ``"502"``,
``"503"``, ``"504"`` (gateway failures, also answered as an ``ExceptionModel`` with type
``InternalSystemError`` so that every answer follows the document). An injected error writes
nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any, Final

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

__all__ = [
    "ERROR_KINDS",
    "SeveraFaults",
    "copy_faults",
    "draw_error",
    "draw_latency",
    "draw_lost_response",
    "draw_timeout",
    "faults_from_json",
    "faults_to_json",
]

#: Injectable error kinds → their HTTP status.
ERROR_KINDS: Final = {"429": 429, "500": 500, "502": 502, "503": 503, "504": 504}


def _to_rates(value: Mapping[str, float]) -> dict[str, float]:
    return {str(kind): float(rate) for kind, rate in value.items()}


def _to_kinds(value: Iterable[str | int]) -> list[str]:
    return [str(kind) for kind in value]


def _optional_int(value: int | None) -> int | None:
    return None if value is None else int(value)


@attrs.define
class SeveraFaults:
    """How one organisation misbehaves. All defaults mean "behave".

    Attributes:
        latency: seconds slept by every data request while it is in flight.
        latency_jitter: up to this many seconds more, uniformly drawn.
        error_rates: error kind (``"429"``, ``"500"``, ``"502"``, ``"503"``, ``"504"``) →
            probability per request (sum ≤ 1).
        fail_next: kinds the next data requests fail with, in order (consumed).
        timeout_rate: probability of hanging ``hang_seconds`` before processing.
        hang_seconds: how long a timeout or a lost response hangs.
        lost_response_rate: probability that a successful write's answer is lost.
        lose_next_responses: the next this-many successful writes lose their answer.
        expire_tokens_after_requests: after this many more data requests, every access token
            of the organisation expires (then the knob goes back to ``None``).
        retry_after: send ``Retry-After`` (seconds) with 429 answers. Real Severa sends no
            rate-limit headers, so the default is off.
    """

    latency: float = attrs.field(default=0.0, converter=float, validator=non_negative)
    latency_jitter: float = attrs.field(default=0.0, converter=float, validator=non_negative)
    error_rates: dict[str, float] = attrs.field(
        factory=dict, converter=_to_rates, validator=rates_of(ERROR_KINDS, "error kind")
    )
    fail_next: list[str] = attrs.field(
        factory=list, converter=_to_kinds, validator=known_names(ERROR_KINDS, "error kind")
    )
    timeout_rate: float = attrs.field(default=0.0, converter=float, validator=probability)
    hang_seconds: float = attrs.field(default=300.0, converter=float, validator=non_negative)
    lost_response_rate: float = attrs.field(default=0.0, converter=float, validator=probability)
    lose_next_responses: int = attrs.field(default=0, converter=int, validator=non_negative)
    expire_tokens_after_requests: int | None = attrs.field(
        default=None, converter=_optional_int, validator=non_negative
    )
    retry_after: bool = attrs.field(default=False, converter=bool)


def copy_faults(faults: SeveraFaults) -> SeveraFaults:
    """An independent copy: the consumable knobs must not be shared between organisations."""
    return attrs.evolve(
        faults, error_rates=dict(faults.error_rates), fail_next=list(faults.fail_next)
    )


def faults_to_json(faults: SeveraFaults) -> dict[str, Any]:
    """The JSON form used by the control API."""
    return attrs.asdict(faults)


def faults_from_json(data: object) -> SeveraFaults:
    """Build :class:`SeveraFaults` from a JSON object; missing fields take their defaults.

    Raises:
        ValueError: not an object, an unknown field, or a value of the wrong kind.
    """
    return knobs_from_json(SeveraFaults, data, lists=("fail_next",))


def draw_error(faults: SeveraFaults, rng: random.Random) -> tuple[str, str] | None:
    """``(kind, reason)`` of an injected error, or ``None``; consumes ``fail_next``."""
    if faults.fail_next:
        return faults.fail_next.pop(0), "fail_next"
    kind = draw_rate(faults.error_rates, rng)
    return None if kind is None else (kind, "error_rate")
