"""Silta's Prometheus metrics (``/metrics``): runs, records, refusals, calls, the schedule.

One :class:`Metrics` per process (:data:`PROCESS_METRICS`, like the process's Netvisor gate
and Severa tokens), with a registry of its own, so that tests count in a fresh one. What it
counts, and where from:

* runs by tenant, register, outcome and whether a preview (``silta_runs_total``), failed
  runs by category and service (``silta_run_failures_total``), records by register, action
  and status (``silta_records_total``), refusals by rule (``silta_refusals_total``): told by
  the runner as each register's run ends (:meth:`Metrics.run_done`);
* calls to Netvisor and Severa by service, resource and outcome, their latency, and the
  429 answers: told by the clients' :class:`~silta.transport.CallObserver` seam, so that
  the protocol packages import nothing of this (Severa's paths have their GUIDs folded to
  ``{guid}``, or every record would be a series of its own);
* how late the schedule is (``silta_scheduler_lag_seconds``): read from the store when
  scraped, so it is the same whichever process runs the slots.

Counters live in the process that ran the run: ``silta serve`` (the embedded scheduler,
"sync now") and each ``silta worker`` (``--metrics-port``) answer for their own runs;
Prometheus adds them up. Who may read them: docs/security.md.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from silta.failures import classify
from silta.transport import Call

if TYPE_CHECKING:
    from silta.store import Store
    from silta.sync.engine import RunResult

__all__ = ["CONTENT_TYPE", "PROCESS_METRICS", "Metrics", "fold_resource"]

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# A call's latency, in seconds: Netvisor answers in tens of milliseconds to seconds, and its
# documented limit is 120 s.
_LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def fold_resource(resource: str) -> str:
    """``GET /v1/customers/<guid>/addresses`` → ``/v1/customers/{guid}/addresses``; numbers
    in a path become ``{id}``. Netvisor's resources (``customerlist.nv``) stay as they are."""
    segments = resource.split("/")
    for index, segment in enumerate(segments):
        if _GUID.match(segment):
            segments[index] = "{guid}"
        elif segment.isdigit():
            segments[index] = "{id}"
    return "/".join(segments)


class Metrics:
    """The counters of one process, in a registry of their own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.runs = Counter(
            "silta_runs",
            "Runs ended, by tenant, register, outcome (completed, failed, interrupted) and "
            "whether a preview",
            ["tenant", "register", "outcome", "preview"],
            registry=r,
        )
        self.failures = Counter(
            "silta_run_failures",
            "Failed runs by register, failure category (silta.failures) and service",
            ["register", "category", "service"],
            registry=r,
        )
        self.records = Counter(
            "silta_records",
            "Records a run recorded, by register, action and status",
            ["register", "action", "status"],
            registry=r,
        )
        self.refusals = Counter(
            "silta_refusals",
            "Records refused, by register and rule (a record may break several rules)",
            ["register", "rule"],
            registry=r,
        )
        self.calls = Counter(
            "silta_service_calls",
            "Attempts at calls to Netvisor and Severa, by service, resource and outcome "
            "(the HTTP status, or the failure category when no answer came)",
            ["service", "resource", "outcome"],
            registry=r,
        )
        self.latency = Histogram(
            "silta_service_call_seconds",
            "Time of one attempt at a call, from sending to the last byte of the answer",
            ["service", "resource"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.rate_limited = Counter(
            "silta_service_rate_limited",
            "429 (too many requests) answers, by service and resource",
            ["service", "resource"],
            registry=r,
        )
        self.scheduler_lag = Gauge(
            "silta_scheduler_lag_seconds",
            "How late the latest-starting open slot is: for a waiting slot now minus its due "
            "time, for a running one its start minus its due time (0: nothing is late)",
            registry=r,
        )
        self.open_slots = Gauge(
            "silta_scheduler_open_slots",
            "Slots claimed and not yet ended, by state",
            ["state"],
            registry=r,
        )

    # -- what is told ----------------------------------------------------------------------

    def call_done(self, call: Call) -> None:
        """A client's attempt ended (the :class:`~silta.transport.CallObserver` seam)."""
        resource = fold_resource(call.resource)
        if call.status is not None:
            outcome = str(call.status)
        elif call.error is not None:
            outcome = classify(call.error).category
        else:
            outcome = "unknown"
        self.calls.labels(call.service, resource, outcome).inc()
        self.latency.labels(call.service, resource).observe(call.seconds)
        if call.status == 429:
            self.rate_limited.labels(call.service, resource).inc()

    def run_done(self, tenant: str, result: RunResult) -> None:
        """A register's run ended (the runner tells, after the store has it)."""
        register = result.register.value
        preview = "true" if result.dry_run else "false"
        self.runs.labels(tenant, register, result.status.value, preview).inc()
        if result.failure is not None:
            self.failures.labels(
                register, result.failure.category, result.failure.service or ""
            ).inc()
        for (action, status), count in result.records.items():
            self.records.labels(register, action, status).inc(count)
        for rule, count in result.refusals.items():
            self.refusals.labels(register, rule).inc(count)

    # -- the scrape ------------------------------------------------------------------------

    def exposition(self, store: Store | None = None, now: datetime | None = None) -> bytes:
        """The text format, with the schedule's gauges read from ``store`` first.

        ``now`` is the scheduler's clock (a compressed one in tests and the bench): the
        slots' due times follow it.
        """
        if store is not None and now is not None:
            self._read_schedule(store, now)
        data: bytes = generate_latest(self.registry)
        return data

    def _read_schedule(self, store: Store, now: datetime) -> None:
        from silta.store import Schedule, SlotState

        slots = Schedule(store).open_slots()
        lag = 0.0
        counts = {SlotState.QUEUED: 0, SlotState.RUNNING: 0}
        for slot in slots:
            counts[slot.state] = counts.get(slot.state, 0) + 1
            since = slot.started_at if slot.state is SlotState.RUNNING else now
            if since is not None and slot.due_at <= since:
                lag = max(lag, (since - slot.due_at).total_seconds())
        self.scheduler_lag.set(lag)
        for state, count in counts.items():
            self.open_slots.labels(state.value).set(count)


PROCESS_METRICS: Final = Metrics()
