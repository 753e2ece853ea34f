"""When to try a Netvisor request again, and how long to wait first.

Netvisor's advice: "If the API does not answer: retry a few times, then take a longer break"
(``reference/netvisor-api.md`` §5.3). Reads are retried on any error whose ``retryable`` is
true. Writes are retried only when the failure proves nothing was written (see
:func:`resend_is_safe`): Netvisor has no idempotency key, so a write whose answer was lost is
raised as "outcome unknown" and never sent again here.
"""

from __future__ import annotations

import random

import attrs

from silta.netvisor.errors import (
    NetvisorConnectError,
    NetvisorError,
    RequestNotUnique,
    SystemMaintenance,
)

__all__ = ["DEFAULT_RETRY", "RetryPolicy", "resend_is_safe"]


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits up to ``base * 2**(n-1)`` s."""

    attempts: int = attrs.field(default=4, validator=attrs.validators.ge(1))
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        # Full jitter keeps many tenants that failed together from retrying together.
        return (rng or random).uniform(ceiling / 2, ceiling)


DEFAULT_RETRY = RetryPolicy()


def resend_is_safe(exc: NetvisorError) -> bool:
    """Whether a write that failed with ``exc`` certainly wrote nothing.

    True for answers that refuse a request before it is processed: a reused TransactionId,
    maintenance, or a connection that was never made. A TECHNICAL_ERROR may come after a
    partial commit, so it is left to the caller, who can look the record up first.
    """
    return isinstance(exc, RequestNotUnique | SystemMaintenance | NetvisorConnectError)
