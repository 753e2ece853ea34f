"""What the sandbox counts, so tests and benchmarks can prove how a client behaved.

The counters are plain attributes, read directly (``org.stats.overlaps``) or as JSON through
the control API. Test-setup helpers on the organisation (``org.put_customer`` ...) bypass the
API and count nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from ..inflight import InFlightCounter

__all__ = ["OrganisationStats", "SandboxStats"]


@attrs.define
class OrganisationStats(InFlightCounter):
    """Counters of one organisation (one Netvisor "customer environment").

    Attributes:
        requests: authenticated requests by ``(HTTP method, lower-case resource)``.
        failures: FAILED answers by category, whatever caused them.
        injected: injected faults by kind (``maintenance``, ``fail_next``, ``denied_resource``,
            ``error_rate``, ``timeout``, ``lost_response``).
        overlaps: requests refused because another request of this organisation was in flight.
        writes_committed: POST writes that changed the store.
        responses_lost: committed writes whose answer was withheld.
        timeouts: requests that hung before processing.
        in_flight: requests of this organisation being processed now.
        peak_in_flight: the most at once since the last reset (2 or more means an overlap).
    """

    requests: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    failures: Counter[str] = attrs.field(factory=Counter)
    injected: Counter[str] = attrs.field(factory=Counter)
    overlaps: int = 0
    writes_committed: int = 0
    responses_lost: int = 0
    timeouts: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0

    @property
    def total_requests(self) -> int:
        """All authenticated requests of this organisation."""
        return sum(self.requests.values())

    def reset(self) -> None:
        """Zero every counter; requests in flight stay counted as in flight."""
        self.requests = Counter()
        self.failures = Counter()
        self.injected = Counter()
        self.overlaps = self.writes_committed = self.responses_lost = self.timeouts = 0
        self.peak_in_flight = self.in_flight

    def as_json(self) -> dict[str, Any]:
        """JSON form for the control API; request keys read ``"GET customerlist.nv"``."""
        return {
            "requests": {
                f"{method} {resource}": n for (method, resource), n in self.requests.items()
            },
            "total_requests": self.total_requests,
            "failures": dict(self.failures),
            "injected": dict(self.injected),
            "overlaps": self.overlaps,
            "writes_committed": self.writes_committed,
            "responses_lost": self.responses_lost,
            "timeouts": self.timeouts,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
        }


@attrs.define
class SandboxStats(InFlightCounter):
    """Counters across all organisations.

    Attributes:
        requests: every request that reached a Netvisor resource path (control API excluded).
        unattributed_failures: failures answered before an organisation was known
            (authentication), by category.
        in_flight: requests being processed now, all organisations together.
        peak_in_flight: the most at once since the last reset; 2 with two organisations busy
            at the same time shows that a client parallelises across companies.
    """

    requests: int = 0
    unattributed_failures: Counter[str] = attrs.field(factory=Counter)
    in_flight: int = 0
    peak_in_flight: int = 0

    def reset(self) -> None:
        """Zero every counter; requests in flight stay counted as in flight."""
        in_flight = self.in_flight
        self.requests = 0
        self.unattributed_failures = Counter()
        self.peak_in_flight = in_flight

    def as_json(self) -> dict[str, Any]:
        """JSON form for the control API."""
        return {
            "requests": self.requests,
            "unattributed_failures": dict(self.unattributed_failures),
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
        }
