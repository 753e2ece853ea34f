"""The scheduler's clock: the wall clock, or a faster one for tests and the bench.

A compressed clock lets a test see three 40-minute cycles in a minute: it runs ``factor``
times faster than the wall clock from ``origin`` (a Unix time) on, where both agree. Every
process of a fleet given the same two numbers computes the same "now", so the same slots.
Only the scheduler's decisions (which slot is due) use it; runs, heartbeats and locks keep
wall-clock time.

Set by the environment for ``silta serve`` and ``silta worker``: ``SILTA_CLOCK_FACTOR`` (a
number above 0; 1 is the wall clock) and ``SILTA_CLOCK_ORIGIN`` (Unix seconds; default: the
moment the process reads it, which suits one process only).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import attrs

__all__ = ["Clock", "ScaledClock", "clock_from_env", "wall_clock"]

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


@attrs.frozen
class ScaledClock:
    """Time running ``factor`` times faster than the wall clock after ``origin``."""

    factor: float = attrs.field()
    origin: float = attrs.field(factory=time.time)

    @factor.validator
    def _positive(self, _attribute: object, value: float) -> None:
        if not value > 0:
            raise ValueError(f"the clock factor must be above 0, not {value}")

    def __call__(self) -> datetime:
        now = time.time()
        return datetime.fromtimestamp(self.origin + (now - self.origin) * self.factor, UTC)

    def wall_seconds(self, virtual_seconds: float) -> float:
        """How long ``virtual_seconds`` of this clock take on the wall clock."""
        return virtual_seconds / self.factor


def clock_from_env(env: Mapping[str, str] | None = None) -> Clock:
    """The clock ``SILTA_CLOCK_FACTOR`` and ``SILTA_CLOCK_ORIGIN`` ask for.

    Raises:
        ValueError: a value that is not a number, or a factor not above 0.
    """
    env = os.environ if env is None else env
    factor_text = env.get("SILTA_CLOCK_FACTOR", "").strip()
    if not factor_text or float(factor_text) == 1.0:
        return wall_clock
    origin_text = env.get("SILTA_CLOCK_ORIGIN", "").strip()
    origin = float(origin_text) if origin_text else time.time()
    return ScaledClock(float(factor_text), origin)
