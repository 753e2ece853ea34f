"""How long to wait before trying a request again: exponential backoff with full jitter.

Shared by the protocol clients; what may be retried is each protocol's own business
(:mod:`silta.netvisor.retry`, :mod:`silta.severa.client`).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import attrs

__all__ = ["DEFAULT_RETRY", "RetryPolicy", "retry_after_seconds"]


@attrs.frozen
class RetryPolicy:
    """Attempt n (1-based) waits between half of and all of ``base * 2**(n-1)`` seconds,
    capped at ``max_delay``; ``attempts`` counts the first try too."""

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt``."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        # Jitter keeps many tenants that failed together from retrying together.
        return (rng or random).uniform(ceiling / 2, ceiling)


DEFAULT_RETRY = RetryPolicy()


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds: delta-seconds or an HTTP date; ``None`` if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
