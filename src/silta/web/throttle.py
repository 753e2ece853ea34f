"""Failed sign-ins per source address, on top of the store's per-email throttle.

The store throttles each email (:meth:`silta.store.Accounts.authenticate`), which stops
guessing one account's password but not one address trying a few passwords on many emails
(password spraying). This counts failed sign-ins per client address in a sliding window:
after :data:`ADDRESS_FAILURES` failures within :data:`ADDRESS_WINDOW`, the address is refused
until its oldest failure leaves the window. A success does not clear the count, or an
attacker holding one account could reset it between guesses at others.

It lives in the serving process's memory: the web app runs in one process (``silta serve``),
and a restart forgetting the counts costs at most one window's worth of guesses. Memory is
bounded: at most :data:`MAX_ADDRESSES` addresses are tracked, the least recently failed
forgotten first, each with at most ``limit`` timestamps.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

__all__ = ["ADDRESS_FAILURES", "ADDRESS_WINDOW", "MAX_ADDRESSES", "AddressThrottle"]

ADDRESS_FAILURES = 30  # generous: an office behind one NAT address shares it
ADDRESS_WINDOW = 15 * 60.0  # seconds
MAX_ADDRESSES = 10_000


class AddressThrottle:
    def __init__(
        self,
        *,
        limit: int = ADDRESS_FAILURES,
        window: float = ADDRESS_WINDOW,
        max_addresses: int = MAX_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, address: str) -> float | None:
        """Seconds until this address may try again; ``None``: it may now."""
        now = self._clock()
        with self._lock:
            failures = self._failures.get(address)
            if failures is None:
                return None
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if not failures:
                del self._failures[address]
                return None
            if len(failures) < self.limit:
                return None
            return failures[0] + self.window - now

    def failed(self, address: str) -> None:
        """Count a failed sign-in from this address."""
        now = self._clock()
        with self._lock:
            failures = self._failures.pop(address, None)
            if failures is None:
                failures = deque(maxlen=self.limit)
            failures.append(now)
            self._failures[address] = failures  # to the end: the most recently failed
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)
