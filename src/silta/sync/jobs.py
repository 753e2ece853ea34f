"""Runs started on request ("sync now", "preview next run"), one tenant at a time.

A job is one call of :func:`~silta.sync.runner.sync_tenant` in the background of the
serving process. The rule the whole product keeps is "at most one run per tenant at a
time" (it is also Netvisor's one-request-at-a-time rule), so a second job for a tenant
that has one going is refused with :class:`TenantBusy`, not queued behind it: the user
sees at once why nothing started. A run of the tenant recorded as running by another
process (a CLI sync) counts as busy too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

import attrs
import httpx

from silta.domain import Register, RunStatus
from silta.errors import SiltaError
from silta.severa import DEFAULT_RATE
from silta.store import Schedule, Store, TenantBusy
from silta.sync.engine import RunResult
from silta.sync.runner import sync_tenant

__all__ = ["Job", "JobQueue", "JobState", "Jobs", "TenantBusy"]

log = logging.getLogger("silta.jobs")

HttpFactory = Callable[[], httpx.AsyncClient]


class JobState:
    QUEUED = "queued"  # waiting for a worker (SILTA_SCHEDULER=workers)
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@attrs.define
class Job:
    """One request to run a tenant's registers; ``results`` fill in as registers finish."""

    id: int
    tenant_id: int
    registers: tuple[Register, ...]
    dry_run: bool
    full: bool
    trigger: str
    started_at: datetime
    state: str = JobState.RUNNING
    current: Register | None = None
    results: list[RunResult] = attrs.field(factory=list)  # in this process only
    run_ids: list[int] = attrs.field(factory=list)  # the runs recorded, in order
    error: str | None = None
    finished_at: datetime | None = None

    @property
    def going(self) -> bool:
        """Not ended yet (queued or running): the pages refresh themselves meanwhile."""
        return self.state in (JobState.QUEUED, JobState.RUNNING)

    def record(self, result: RunResult) -> None:
        self.results.append(result)
        self.run_ids.append(result.run_id)


class JobQueue(Protocol):
    """What the web app needs of wherever "sync now" runs (:class:`Jobs` in this process,
    :class:`silta.scheduler.requests.QueuedJobs` on the workers)."""

    async def start(
        self,
        tenant_id: int,
        *,
        registers: Sequence[Register] = ...,
        dry_run: bool = ...,
        full: bool = ...,
        trigger: str,
    ) -> Job: ...

    def get(self, job_id: int) -> Job | None: ...

    def for_tenant(self, tenant_id: int) -> list[Job]: ...

    def busy(self, tenant_id: int) -> bool: ...

    async def wait(self, job_id: int) -> Job: ...

    async def close(self) -> None: ...


class Jobs:
    """Starts and remembers jobs (the newest ``keep``); one per tenant at a time."""

    def __init__(
        self,
        store: Store,
        *,
        http: HttpFactory | None = None,
        severa_rate: int = DEFAULT_RATE,
        keep: int = 500,
    ) -> None:
        self._store = store
        self._http = http
        self._severa_rate = severa_rate
        self._keep = keep
        self._jobs: OrderedDict[int, Job] = OrderedDict()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._ids = itertools.count(1)

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def for_tenant(self, tenant_id: int) -> list[Job]:
        """The tenant's jobs, newest first."""
        return [job for job in reversed(self._jobs.values()) if job.tenant_id == tenant_id]

    def busy(self, tenant_id: int) -> bool:
        """Whether the tenant has a job here, or a run going anywhere (its lock is held)."""
        return self._busy_with(tenant_id) is not None

    def _busy_with(self, tenant_id: int, name: str | None = None) -> TenantBusy | None:
        for job in self.for_tenant(tenant_id):
            if job.state == JobState.RUNNING:
                return TenantBusy(tenant_id, "this server", job.trigger, job.started_at, name)
        holder = Schedule(self._store).holder(tenant_id)
        if holder is not None:
            return TenantBusy(tenant_id, holder.owner, holder.purpose, holder.acquired_at, name)
        for run in self._store.runs(tenant_id, limit=5):
            if run.status is RunStatus.RUNNING:  # e.g. a process from before the locks
                return TenantBusy(tenant_id, run.owner, run.trigger, run.started_at, name)
        return None

    async def start(
        self,
        tenant_id: int,
        *,
        registers: Sequence[Register] = tuple(Register),
        dry_run: bool = False,
        full: bool = False,
        trigger: str,
    ) -> Job:
        """Start a job in the background of the running event loop.

        Raises:
            TenantBusy: the tenant has a run going.
            UnknownTenant: no such tenant.
        """
        tenant = self._store.tenant(tenant_id)
        busy = self._busy_with(tenant.id, tenant.name)
        if busy is not None:
            raise busy
        job = Job(
            id=next(self._ids),
            tenant_id=tenant.id,
            registers=tuple(registers),
            dry_run=dry_run,
            full=full,
            trigger=trigger,
            started_at=datetime.now(UTC),
        )
        self._jobs[job.id] = job
        while len(self._jobs) > self._keep:
            self._jobs.popitem(last=False)
        self._tasks[job.id] = asyncio.get_running_loop().create_task(self._run(job))
        return job

    async def wait(self, job_id: int) -> Job:
        """Wait for a job to end (tests, the API's ``wait`` option); the job."""
        job = self._jobs[job_id]
        task = self._tasks.get(job_id)
        if task is not None:
            # asyncio.wait neither raises the job's own end nor cancels the job when the
            # waiter is cancelled (a client gone away); the waiter's cancellation propagates.
            # (shield() under suppress(CancelledError) swallowed the waiter's cancellation.)
            await asyncio.wait({task})
        return job

    async def close(self) -> None:
        """Stop every job (the runs are recorded as interrupted by the engine)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, job: Job) -> None:
        http: httpx.AsyncClient | None = None

        def starting(register: Register) -> None:
            job.current = register

        try:
            # inside the try: a failure here must end the job, or the tenant stays busy
            tenant = self._store.tenant(job.tenant_id)
            http = self._http() if self._http is not None else None
            await sync_tenant(
                self._store,
                tenant,
                registers=job.registers,
                full=job.full,
                dry_run=job.dry_run,
                trigger=job.trigger,
                http=http,
                progress=lambda register: starting(register),
                on_result=job.record,
                severa_rate=self._severa_rate,
            )
            job.state = JobState.DONE
        except asyncio.CancelledError:
            job.state, job.error = JobState.FAILED, "stopped: the server is shutting down"
            raise
        except Exception as exc:  # the job ends as failed, visibly, never silently
            log.exception("job %s for tenant %s failed", job.id, job.tenant_id)
            # Silta's own errors say what happened; any other text could hold anything
            job.state, job.error = (
                JobState.FAILED,
                (
                    str(exc) or type(exc).__name__
                    if isinstance(exc, SiltaError)
                    else f"{type(exc).__name__}: an unexpected fault (details in the server log)"
                ),
            )
        finally:
            job.current = None
            job.finished_at = datetime.now(UTC)
            self._tasks.pop(job.id, None)
            if http is not None:
                await http.aclose()
