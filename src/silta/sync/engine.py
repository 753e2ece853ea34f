"""One run of one register: load → map → validate → match → plan → apply → record.

The engine is generic; each register's adapter (:mod:`.customers`, :mod:`.products`,
:mod:`.dimensions`, :mod:`.temp`) knows how to read its source and target in bulk and how to
write one record. The engine owns what every register shares:

* the run's life: started, completed, failed or interrupted, in the store;
* the dry run: the plan is recorded as PLANNED and nothing is written;
* batches: an adapter may hand its plan over in batches (``batches``), each planned,
  recorded and applied before the next is read, so that a run's memory is bounded by the
  batch and not by the register (100,000 customers);
* the apply loop: intent before create, "outcome unknown" answered by a lookup by natural
  key before anything is sent again, one record's failure never stopping the others, and
  a stop after repeated failures that say the service itself is down;
* the watermark: advanced only when a run completes without failures, to the run's start
  minus an overlap, so changes made while it ran are read again (harmlessly) next time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import attrs

from silta.domain import Action, Register, RunKind, RunStatus, Status, System
from silta.errors import OutcomeUnknownError, SiltaError
from silta.failures import CREDENTIAL_ERRORS, Failure, classify
from silta.logs import log_context
from silta.store import RunNotRunning, Watermark
from silta.sync.context import SyncContext
from silta.sync.journal import Journal, Progress
from silta.sync.plan import Plan, PlanItem

__all__ = [
    "CREDENTIALS_REFUSED",
    "OVERLAP",
    "Adapter",
    "BatchedAdapter",
    "ConfigurationProblem",
    "RunResult",
    "apply_items",
    "run_register",
]

log = logging.getLogger("silta.sync")

OVERLAP = timedelta(minutes=10)  # changes up to this long before a run are read again
# How a run's error starts when the service refused the credentials or access rights; the
# overview and the scheduler read it to show "credentials rejected" and to stop retrying.
CREDENTIALS_REFUSED = "credentials or access rights refused"

# Errors that no record can get past: the credentials or the access rights are wrong.
_FATAL = CREDENTIAL_ERRORS


class ConfigurationProblem(SiltaError):
    """The run cannot go on until someone fixes the tenant's configuration."""


class Adapter(Protocol):
    """What a register contributes to a run."""

    register: Register
    source_system: System

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        """Read source and target (in bulk) and decide what happens to each record."""

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        """Carry out the plan's writes, recording each outcome in ``journal``."""


class BatchedAdapter(Adapter, Protocol):
    """An adapter that plans a batch of records at a time (large registers).

    The engine applies each batch before asking for the next; ``plan`` is all batches at
    once (dry runs of tests, the engine bench). The last batch's ``state`` is the one kept,
    so each batch carries the state as it stands. At least one batch is yielded, empty
    when the source has nothing.
    """

    def batches(self, ctx: SyncContext, since: datetime | None) -> AsyncGenerator[Plan, None]:
        """The plan in batches, each read and planned when the previous one is done."""


@attrs.frozen
class RunResult:
    run_id: int
    register: Register
    status: RunStatus
    counts: dict[str, int]
    error: str | None = None
    failure: Failure | None = None  # why it failed, as a category (silta.failures)
    dry_run: bool = False
    # for the metrics: records by (action, status), refusals by rule id
    records: dict[tuple[str, str], int] = attrs.field(factory=dict)
    refusals: dict[str, int] = attrs.field(factory=dict)


Write = Callable[[PlanItem], Awaitable[str | None]]
Lookup = Callable[[PlanItem], Awaitable[str | None]]


async def apply_items(
    items: Sequence[PlanItem], journal: Journal, *, write: Write, lookup: Lookup
) -> list[tuple[PlanItem, str | None]]:
    """Write ``items`` one by one; return each done item with its target key.

    A create's intent is committed first. When a write's outcome is unknown, the record is
    looked up by natural key: found, it is done; not found, it is sent once more. Failures
    are recorded and the loop goes on, unless several in a row say the service is failing.
    """
    done: list[tuple[PlanItem, str | None]] = []
    intended = -1  # the index of the last item whose intent is committed
    for index, item in enumerate(items):
        if item.action is Action.CREATE and intended < index:
            journal.intend(item)
        # The next create's intent is committed while this write is in flight: Netvisor
        # takes one request at a time, so a commit between two writes would add its time
        # to every create. Its record is still not sent before its intent is committed.
        ahead = None
        following = items[index + 1] if index + 1 < len(items) else None
        if following is not None and following.action is Action.CREATE:
            ahead = asyncio.ensure_future(asyncio.to_thread(journal.intend, following))
            intended = index + 1
        try:
            try:
                key = await _write_surely(item, write, lookup)
            finally:
                if ahead is not None:
                    await ahead  # before anything else touches the store
        except _FATAL:
            raise
        except SiltaError as exc:
            # A retryable error, or a write whose answer never came even after the lookup,
            # says the service is in trouble, not this record (Journal.write_failed).
            if journal.write_failed(item, exc, _message(exc), items[index + 1 :]):
                return done
            continue
        journal.failing = 0
        target = key or item.target_key
        if target is not None and item.source_key is not None:
            journal.link(item.source_key, target, item.natural_key)
        journal.record(item, Status.DONE, target_key=target)
        done.append((item, target))
    return done


async def _write_surely(item: PlanItem, write: Write, lookup: Lookup) -> str | None:
    try:
        return await write(item)
    except OutcomeUnknownError as first:
        log.warning("outcome of %s %s unknown (%s); looking it up", item.action, item.name, first)
        if item.action is Action.UPDATE:
            # An update sent twice ends the same: send it again.
            return await write(item)
        # A create sent twice makes a duplicate, and a rename sent twice finds no old name:
        # look for the result first.
        found = await lookup(item)
        if found is not None:
            return found
        return await write(item)


def _message(exc: BaseException) -> str:
    """What a record's or a run's failure says, on pages, in the API and in the store.

    A :class:`SiltaError`'s text is written by Silta (the clients describe foreign answers,
    never quote them). Any other exception is a fault of Silta's own whose text may hold
    anything, a value read from an answer included: its type is named, its details go only
    to the server log, with the traceback.
    """
    if isinstance(exc, SiltaError):
        return f"{type(exc).__name__}: {str(exc) or type(exc).__name__}"
    return f"{type(exc).__name__}: an unexpected fault in Silta (details in the server log)"


async def run_register(
    ctx: SyncContext,
    adapter: Adapter,
    *,
    kind: RunKind | None = None,
    dry_run: bool = False,
    trigger: str = "manual",
    progress: Progress | None = None,
) -> RunResult:
    """Run one register for one tenant and record everything in the store.

    ``kind`` ``None`` means incremental when a watermark exists, else full.
    """
    store, tenant = ctx.store, ctx.tenant
    watermark = store.watermark(tenant.id, adapter.register)
    if kind is None:
        kind = RunKind.INCREMENTAL if watermark is not None else RunKind.FULL
    since = watermark.changed_since if (kind is RunKind.INCREMENTAL and watermark) else None
    started = ctx.clock()
    run_id = store.start_run(
        tenant.id, adapter.register, kind=kind, dry_run=dry_run, trigger=trigger
    )
    # every line logged during the run (a client's retries too) says whose run it was
    with log_context(tenant=tenant.name, run=run_id, register=adapter.register.value):
        return await _run(ctx, adapter, run_id, since, started, dry_run, progress)


async def _run(
    ctx: SyncContext,
    adapter: Adapter,
    run_id: int,
    since: datetime | None,
    started: datetime,
    dry_run: bool,
    progress: Progress | None,
) -> RunResult:
    store, tenant = ctx.store, ctx.tenant
    journal = Journal(
        store,
        tenant_id=tenant.id,
        run_id=run_id,
        register=adapter.register,
        source_system=adapter.source_system,
        dry_run=dry_run,
        progress=progress,
    )
    status, error = RunStatus.COMPLETED, None
    failure: Failure | None = None
    try:
        state: dict[str, Any] = {}
        # Closed at once when the loop stops early, so that a batch read ahead is cancelled.
        async with contextlib.aclosing(_plans(adapter, ctx, since)) as plans:
            async for plan in plans:
                journal.expect(journal.total + len(plan))
                if dry_run:
                    for item in plan:
                        journal.record(item, _planned_status(item))
                else:
                    for item in plan:
                        if not item.writes:
                            journal.record(item, _final_status(item))
                    await adapter.apply(ctx, plan, journal)
                state.update(plan.state)
                if journal.gave_up is not None:
                    break  # the service is failing: the records of later batches are not read
        journal.flush()
        if journal.gave_up is not None:
            status = RunStatus.FAILED
            error = (
                f"stopped after {journal.gave_up}; {journal.failed} record(s) failed "
                "and later records were not read; see the entries"
            )
            failure = journal.last_failure or Failure("records")
        elif journal.failed:
            status = RunStatus.FAILED
            error = f"{journal.failed} record(s) failed; see the entries"
            failure = Failure("records")
        elif not dry_run:
            store.save_watermark(
                tenant.id, adapter.register, Watermark(changed_since=started - OVERLAP, state=state)
            )
    except (asyncio.CancelledError, KeyboardInterrupt):
        _finish_quietly(journal)
        with contextlib.suppress(RunNotRunning):
            store.finish_run(
                run_id,
                RunStatus.INTERRUPTED,
                counts=dict(journal.counts),
                error="the run was stopped before it finished",
                failure_category="interrupted",
            )
        raise
    except _FATAL as exc:
        _finish_quietly(journal)
        status, error = RunStatus.FAILED, f"{CREDENTIALS_REFUSED}: {_message(exc)}"
        failure = classify(exc)
    except ConfigurationProblem as exc:
        _finish_quietly(journal)
        status, error = RunStatus.FAILED, str(exc)
        failure = Failure("configuration")
    except Exception as exc:  # the run is recorded as failed, never lost
        failure = classify(exc)
        if not isinstance(exc, SiltaError):  # a fault of Silta's own: the traceback fixes it
            log.exception("run %s of %s for %s failed", run_id, adapter.register, tenant.name)
        _finish_quietly(journal)
        status, error = RunStatus.FAILED, _message(exc)
    if failure is not None and status is RunStatus.FAILED:
        _log_failure(run_id, adapter, tenant.name, failure, error)
    try:
        store.finish_run(
            run_id,
            status,
            counts=dict(journal.counts),
            error=error,
            failure_category=failure.category if failure else None,
            failure_service=failure.service if failure else None,
        )
    except RunNotRunning:
        # Another process declared this run dead (no heartbeat) and marked it interrupted.
        status, error = RunStatus.INTERRUPTED, "the run was given up as stale while it ran"
        failure = Failure("interrupted")
    return RunResult(
        run_id,
        adapter.register,
        status,
        dict(journal.counts),
        error,
        failure,
        dry_run=dry_run,
        records=dict(journal.outcomes),
        refusals=dict(journal.refusal_rules),
    )


def _log_failure(
    run_id: int, adapter: Adapter, tenant: str, failure: Failure, error: str | None
) -> None:
    """One line per failed run, classified: an expected failure of a service or the
    network is not a fault of Silta's, so it gets no traceback (hundreds of those hid the
    one that mattered); the category, service and call are fields of the line."""
    if not failure.expected:
        return  # logged with its traceback where it was caught
    log.error(
        "run %s of %s for %s failed [%s]: %s",
        run_id,
        adapter.register,
        tenant,
        failure.label(),
        error,
        extra={
            "category": failure.category,
            "service": failure.service,
            "resource": failure.resource,
            "status": failure.status,
        },
    )


async def _plans(
    adapter: Adapter, ctx: SyncContext, since: datetime | None
) -> AsyncGenerator[Plan, None]:
    batches = getattr(adapter, "batches", None)
    if batches is None:
        yield await adapter.plan(ctx, since)
        return
    async with contextlib.aclosing(batches(ctx, since)) as each:
        async for plan in each:
            yield plan


def _finish_quietly(journal: Journal) -> None:
    try:
        journal.flush()
    except Exception:  # keep the original error; the store may be the cause
        log.exception("could not write the last entries of the run")


def _planned_status(item: PlanItem) -> Status:
    return Status.REFUSED if item.action is Action.REFUSE else Status.PLANNED


def _final_status(item: PlanItem) -> Status:
    return Status.REFUSED if item.action is Action.REFUSE else Status.DONE
