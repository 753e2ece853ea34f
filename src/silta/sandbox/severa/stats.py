"""What the Severa sandbox counts, so tests and benchmarks can prove how a client behaved.

Counters are plain attributes, read directly (``org.stats.rate_limited``) or as JSON through
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
    """Counters of one organisation (requests whose credential is known).

    Attributes:
        requests: requests by ``(HTTP method, route template)``, e.g.
            ``("GET", "/v1/customers")``; refused ones (401, 403, 429 ...) included.
        responses: answers by HTTP status.
        rate_limited: requests refused by the rate limit (429).
        injected: injected faults by kind (``"500"``, ``"429"`` ..., ``timeout``,
            ``lost_response``, ``token_expiry``).
        tokens_issued: successful ``/v1/token`` calls.
        refreshes: successful ``/v1/refreshtoken`` calls.
        writes_committed: successful POST and PATCH requests.
        responses_lost: successful writes whose answer was withheld.
        timeouts: requests that hung before processing.
        ignored_properties: body properties ignored (read-only or unknown), by
            ``(route template, property name)``.
        in_flight: requests of this organisation being processed now.
        peak_in_flight: the most at once since the last reset.
    """

    requests: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    responses: Counter[int] = attrs.field(factory=Counter)
    rate_limited: int = 0
    injected: Counter[str] = attrs.field(factory=Counter)
    tokens_issued: int = 0
    refreshes: int = 0
    writes_committed: int = 0
    responses_lost: int = 0
    timeouts: int = 0
    ignored_properties: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    in_flight: int = 0
    peak_in_flight: int = 0

    @property
    def total_requests(self) -> int:
        """All requests of this organisation."""
        return sum(self.requests.values())

    def reset(self) -> None:
        """Zero every counter; requests in flight stay counted as in flight."""
        in_flight = self.in_flight
        fresh = OrganisationStats()
        for field in attrs.fields(OrganisationStats):
            setattr(self, field.name, getattr(fresh, field.name))
        self.in_flight = self.peak_in_flight = in_flight

    def as_json(self) -> dict[str, Any]:
        """JSON form for the control API; request keys read ``"GET /v1/customers"``."""
        return {
            "requests": {f"{method} {route}": n for (method, route), n in self.requests.items()},
            "total_requests": self.total_requests,
            "responses": {str(status): n for status, n in sorted(self.responses.items())},
            "rate_limited": self.rate_limited,
            "injected": dict(self.injected),
            "tokens_issued": self.tokens_issued,
            "refreshes": self.refreshes,
            "writes_committed": self.writes_committed,
            "responses_lost": self.responses_lost,
            "timeouts": self.timeouts,
            "ignored_properties": {
                f"{route} {name}": n for (route, name), n in self.ignored_properties.items()
            },
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
        }


@attrs.define
class SandboxStats(InFlightCounter):
    """Counters across all organisations.

    Attributes:
        requests: every request that reached the API (the control API excluded).
        responses: answers by HTTP status.
        unattributed: answers by status to requests whose credential was never known (an
            unknown client, a missing or unknown token, an unknown route).
        rate_limited: requests refused by the rate limit, all clients together.
        tokens_issued, refreshes: successful token and refresh calls, all clients together.
        writes_committed, responses_lost: successful writes, and those whose answer was
            withheld, all organisations together.
        in_flight: requests being processed now.
        peak_in_flight: the most at once since the last reset.
    """

    requests: int = 0
    responses: Counter[int] = attrs.field(factory=Counter)
    unattributed: Counter[int] = attrs.field(factory=Counter)
    rate_limited: int = 0
    tokens_issued: int = 0
    refreshes: int = 0
    writes_committed: int = 0
    responses_lost: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0

    def reset(self) -> None:
        """Zero every counter; requests in flight stay counted as in flight."""
        in_flight = self.in_flight
        self.requests = self.rate_limited = self.tokens_issued = self.refreshes = 0
        self.writes_committed = self.responses_lost = 0
        self.responses = Counter()
        self.unattributed = Counter()
        self.in_flight = self.peak_in_flight = in_flight

    def as_json(self) -> dict[str, Any]:
        """JSON form for the control API."""
        return {
            "requests": self.requests,
            "responses": {str(status): n for status, n in sorted(self.responses.items())},
            "unattributed": {str(status): n for status, n in sorted(self.unattributed.items())},
            "rate_limited": self.rate_limited,
            "tokens_issued": self.tokens_issued,
            "refreshes": self.refreshes,
            "writes_committed": self.writes_committed,
            "responses_lost": self.responses_lost,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
        }
