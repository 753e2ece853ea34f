"""When to try a Netvisor request again, and how long to wait first.

Netvisor's advice: "If the API does not answer: retry a few times, then take a longer break"
(``reference/netvisor-api.md`` §5.3). Reads are retried on any error whose ``retryable`` is
true. Writes are retried only when the failure proves nothing was written (see
:func:`resend_is_safe`): Netvisor has no idempotency key, so a write whose answer was lost is
raised as "outcome unknown" and never sent again here.
"""

from __future__ import annotations

from silta.backoff import DEFAULT_RETRY, RetryPolicy
from silta.netvisor.errors import (
    NetvisorConnectError,
    NetvisorError,
    RequestNotUnique,
    SystemMaintenance,
)

__all__ = ["DEFAULT_RETRY", "RetryPolicy", "resend_is_safe"]


def resend_is_safe(exc: NetvisorError) -> bool:
    """Whether a write that failed with ``exc`` certainly wrote nothing.

    True for answers that refuse a request before it is processed: a reused TransactionId,
    maintenance, or a connection that was never made. A TECHNICAL_ERROR may come after a
    partial commit, so it is left to the caller, who can look the record up first.
    """
    return isinstance(exc, RequestNotUnique | SystemMaintenance | NetvisorConnectError)
