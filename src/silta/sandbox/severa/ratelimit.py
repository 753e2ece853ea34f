"""Severa's rate limit: at most N requests per rolling second per credential.

The only public trace of the limit is a client author's note quoting the 429 body: "API calls
quota exceeded! maximum admitted 10 per 1s." (severa-api.md §4). Settled decisions:

* **Per credential** (client id), token and refresh calls included; the default is 10.
* A **rolling** window: a request at time *t* is admitted when fewer than N admitted requests
  of that client fall in ``(t - 1 s, t]``. Time is the sandbox clock, so a test moves the window
  by moving its clock (with a frozen clock the window never slides: give such tests
  ``rate_limit=None`` or advance the clock).
* **A refused request does not count** toward the window: a client that retries too early is
  refused again only while its admitted requests still fill the window, so a well-behaved
  backoff always gets through.
* The 429 answer is an ``ExceptionModel`` (type ``InvalidRequest``) with the message above.
  Real Severa sends no rate-limit headers; ``Retry-After`` (whole seconds until a slot frees,
  at least 1) is added only when the organisation's ``SeveraFaults.retry_after`` is set.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta
from typing import Final

from .errors import INVALID_REQUEST, Detail, SeveraFailure

__all__ = ["WINDOW", "RateLimiter", "quota_exceeded"]

WINDOW: Final = timedelta(seconds=1)


def quota_exceeded(limit: int, retry_after: int | None) -> SeveraFailure:
    """The 429 answer; ``retry_after`` seconds go to a ``Retry-After`` header when given."""
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return SeveraFailure(
        429,
        INVALID_REQUEST,
        [Detail(f"API calls quota exceeded! maximum admitted {limit} per 1s.", None, None)],
        headers=headers,
    )


class RateLimiter:
    """Admitted request times per client id, one rolling window each.

    Args:
        limit: requests per rolling second per client; ``None`` = no limit.
    """

    def __init__(self, limit: int | None) -> None:
        if limit is not None and limit < 1:
            raise ValueError("rate_limit must be at least 1 (or None for no limit)")
        self.limit = limit
        self._admitted: dict[str, deque[datetime]] = {}

    def admit(self, client_id: str, now: datetime) -> timedelta | None:
        """Record and admit a request, or return how long until a slot frees (refused)."""
        if self.limit is None:
            return None
        times = self._admitted.setdefault(client_id, deque())
        while times and times[0] <= now - WINDOW:
            times.popleft()
        if len(times) >= self.limit:
            return times[0] + WINDOW - now
        times.append(now)
        return None

    def refusal(self, wait: timedelta, retry_after: bool) -> SeveraFailure:
        """The 429 for a refused request; ``Retry-After`` only when asked for."""
        assert self.limit is not None
        seconds = max(1, math.ceil(wait.total_seconds())) if retry_after else None
        return quota_exceeded(self.limit, seconds)

    def reset(self) -> None:
        """Forget every window (the control API's reset does not touch it; tests may)."""
        self._admitted.clear()
