"""At most N requests per rolling second per Severa credential, across the whole process.

Severa answers more than 10 requests per second per client with 429 ("API calls quota
exceeded! maximum admitted 10 per 1s.", ``reference/severa-api.md`` §4) and sends no
rate-limit headers, so the client must pace itself. The limit here is a *sliding window*:
before a request is sent, the N-th previous send must be at least one second old. Any
one-second interval then holds at most N sends, which a token bucket (N per second with a
burst of N) would not guarantee: it allows 2N in a second straddling a refill. The default
N is 8, leaving Severa's window room for network jitter.

Every client of one credential shares one limiter through :data:`PROCESS_LIMITS`. Like
asyncio locks, limiters belong to an event loop, so the registry keeps one table per loop.
"""

from __future__ import annotations

import asyncio
import collections
import time
import weakref
from collections.abc import Awaitable, Callable

__all__ = ["DEFAULT_RATE", "PROCESS_LIMITS", "WINDOW_MARGIN", "RateLimiter", "RateLimits"]

DEFAULT_RATE = 8
# Severa stamps a request when it arrives, we when we send it; a request held up on the way
# (a busy event loop, the network) shortens the gap Severa sees. The process's limiters
# therefore count a window this much longer than a second: measured in the bench at 10 per
# second, 24 of 808 requests were refused without it (each pausing the credential ~1 s).
WINDOW_MARGIN = 0.05
_EPSILON = 1e-9


class RateLimiter:
    """Lets at most ``rate`` calls of :meth:`wait` through in any ``per``-second window."""

    def __init__(
        self,
        rate: int = DEFAULT_RATE,
        per: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        self.rate = rate
        self.per = per
        self._clock = clock
        self._sleep = sleep
        self._sent: collections.deque[float] = collections.deque()
        self._lock = asyncio.Lock()
        self.waited = 0.0  # seconds spent waiting, for benchmarks and tests

    async def wait(self) -> None:
        """Return when one more request may be sent, and count it as sent now."""
        async with self._lock:  # FIFO: callers go in the order they asked
            while True:
                now = self._clock()
                # (with a tolerance: a pause of less than a nanosecond may not move a float
                # clock at all, and the loop would wait for it forever)
                while self._sent and now - self._sent[0] >= self.per - _EPSILON:
                    self._sent.popleft()
                if len(self._sent) < self.rate:
                    self._sent.append(now)
                    return
                pause = self.per - (now - self._sent[0])
                self.waited += pause
                await self._sleep(pause)

    def pause_for(self, seconds: float) -> None:
        """Treat the window as full for ``seconds`` (after Severa answered 429).

        Filling the window with sends stamped in the future keeps every task of the
        credential waiting, not only the one that was refused.
        """
        until = self._clock() + seconds - self.per
        self._sent.clear()
        self._sent.extend([until] * self.rate)


class RateLimits:
    """One :class:`RateLimiter` per credential key and event loop.

    ``clock`` and ``sleep`` are handed to every limiter made here; tests pass a fake time.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        margin: float = WINDOW_MARGIN,
    ) -> None:
        if margin < 0:
            raise ValueError("margin must not be negative")
        self._clock = clock
        self._sleep = sleep
        self._margin = margin
        self._tables: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, RateLimiter]
        ] = weakref.WeakKeyDictionary()

    def for_key(self, key: str, rate: int = DEFAULT_RATE) -> RateLimiter:
        """The limiter of ``key`` (e.g. base URL and client id) on the running loop."""
        loop = asyncio.get_running_loop()
        table = self._tables.setdefault(loop, {})
        limiter = table.get(key)
        if limiter is None or limiter.rate != rate:
            limiter = table[key] = RateLimiter(
                rate, per=1.0 + self._margin, clock=self._clock, sleep=self._sleep
            )
        return limiter


PROCESS_LIMITS = RateLimits()
