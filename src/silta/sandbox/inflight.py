"""Counting requests in flight, which is how the sandboxes prove a client's concurrency."""

from __future__ import annotations

__all__ = ["InFlightCounter"]


class InFlightCounter:
    """Mixin for a stats class with ``in_flight`` and ``peak_in_flight`` attributes."""

    in_flight: int
    peak_in_flight: int

    def enter(self) -> None:
        """A request starts being processed."""
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self) -> None:
        """A request has its answer (or was abandoned)."""
        self.in_flight -= 1
