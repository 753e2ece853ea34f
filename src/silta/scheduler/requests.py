"""Runs asked for in the web app, queued for ``silta worker`` (``SILTA_SCHEDULER=workers``).

:class:`QueuedJobs` offers the web app what :class:`~silta.sync.jobs.Jobs` offers, but a
"sync now" or "preview" becomes a ``silta.run_now`` procrastinate job instead of a task in
the serving process. The serving process then only serves pages: the runs happen on the
workers, under the same two locks as scheduled runs (procrastinate's ``silta-tenant-<id>``,
so the request waits for a scheduled run of the company rather than racing it, and the
store's tenant lock, which also covers a ``silta sync`` on the command line).

What a job is doing is read back, not remembered: procrastinate's job row says queued,
running or ended (a succeeded job's row is deleted by the worker, so a job that has left
the table has ended well), and the runs it recorded carry the job's id in their trigger
(``"sync now: kh@example.fi (job 42)"``), which is how the page finds them. The job's
request (who, which registers) is kept by the serving process that took it: another
process answers "no such job" for it, and the run history shows it to everyone.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import text

from silta.domain import Register, RunStatus
from silta.scheduler.queue import QUEUE, RUN_NOW, job_trigger, now_lock, tenant_lock
from silta.store import Schedule, Store, TenantBusy
from silta.sync.jobs import Job, JobState

__all__ = ["QueuedJobs"]

# procrastinate's job statuses, as the page shows them
_STATES = {
    "todo": JobState.QUEUED,
    "doing": JobState.RUNNING,
    "succeeded": JobState.DONE,
    "failed": JobState.FAILED,
    "cancelled": JobState.FAILED,
    "aborted": JobState.FAILED,
}
_WORKER_FAILED = "the worker could not finish the job; the run history and the worker's log say why"


class QueuedJobs:
    """Defers requested runs to the workers and follows them (the web app's job queue)."""

    def __init__(
        self, store: Store, app: procrastinate.App, *, keep: int = 500, poll: float = 0.5
    ) -> None:
        self._store = store
        self._app = app
        self._keep = keep
        self._poll = poll
        self._jobs: OrderedDict[int, Job] = OrderedDict()
        self._opened = False
        self._opening = asyncio.Lock()

    async def start(
        self,
        tenant_id: int,
        *,
        registers: Sequence[Register] = tuple(Register),
        dry_run: bool = False,
        full: bool = False,
        trigger: str,
    ) -> Job:
        """Queue a run of the tenant's registers for the workers.

        Raises:
            TenantBusy: the tenant has a run going or a requested run waiting.
            UnknownTenant: no such tenant.
        """
        tenant = self._store.tenant(tenant_id)
        busy = self._busy_with(tenant.id, tenant.name)
        if busy is not None:
            raise busy
        await self._open()
        task = self._app.configure_task(
            RUN_NOW, lock=tenant_lock(tenant.id), queueing_lock=now_lock(tenant.id), queue=QUEUE
        )
        requested_at = datetime.now(UTC)
        try:
            job_id: int = await task.defer_async(
                tenant_id=tenant.id,
                registers=[register.value for register in registers],
                dry_run=dry_run,
                full=full,
                trigger=trigger,
            )
        except AlreadyEnqueued:  # another serving process queued one a moment ago
            raise TenantBusy(
                tenant.id, "the queue", "a requested run", requested_at, tenant.name
            ) from None
        job = Job(
            id=job_id,
            tenant_id=tenant.id,
            registers=tuple(registers),
            dry_run=dry_run,
            full=full,
            trigger=trigger,
            started_at=requested_at,
            state=JobState.QUEUED,
        )
        self._jobs[job.id] = job
        while len(self._jobs) > self._keep:
            self._jobs.popitem(last=False)
        return job

    def get(self, job_id: int) -> Job | None:
        """The job as it is now (queued, running, ended), or None if not started here."""
        job = self._jobs.get(job_id)
        if job is not None and job.going:
            self._refresh(job)
        return job

    def for_tenant(self, tenant_id: int) -> list[Job]:
        """The tenant's jobs started here, newest first."""
        jobs = [job for job in reversed(self._jobs.values()) if job.tenant_id == tenant_id]
        for job in jobs:
            if job.going:
                self._refresh(job)
        return jobs

    def busy(self, tenant_id: int) -> bool:
        return self._busy_with(tenant_id) is not None

    async def wait(self, job_id: int) -> Job:
        """Poll until the job has ended; the job."""
        while True:
            job = await asyncio.to_thread(self.get, job_id)
            if job is None:
                raise KeyError(job_id)
            if not job.going:
                return job
            await asyncio.sleep(self._poll)

    async def close(self) -> None:
        """Let go of the queue's connections; queued jobs stay queued for the workers."""
        if self._opened:
            await self._app.close_async()
            self._opened = False

    async def _open(self) -> None:
        async with self._opening:
            if not self._opened:
                await self._app.open_async()
                self._opened = True

    def _busy_with(self, tenant_id: int, name: str | None = None) -> TenantBusy | None:
        for job in self.for_tenant(tenant_id):
            if job.going:
                return TenantBusy(tenant_id, "the workers", job.trigger, job.started_at, name)
        holder = Schedule(self._store).holder(tenant_id)
        if holder is not None:
            return TenantBusy(tenant_id, holder.owner, holder.purpose, holder.acquired_at, name)
        with self._store.engine.connect() as connection:
            waiting = connection.execute(
                text(
                    "SELECT task_name FROM procrastinate_jobs "
                    "WHERE (queueing_lock = :queued AND status = 'todo') "
                    "OR (lock = :doing AND status = 'doing') LIMIT 1"
                ),
                {"queued": now_lock(tenant_id), "doing": tenant_lock(tenant_id)},
            ).first()
        if waiting is not None:
            return TenantBusy(
                tenant_id, "the workers", str(waiting.task_name), datetime.now(UTC), name
            )
        return None

    def _refresh(self, job: Job) -> None:
        """Read the job's state from the queue and its runs from the store."""
        with self._store.engine.connect() as connection:
            row = connection.execute(
                text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": job.id}
            ).first()
        # no row: the worker deletes a job that succeeded
        state = JobState.DONE if row is None else _STATES.get(str(row.status), JobState.FAILED)
        recorded = job_trigger(job.trigger, job.id)
        runs = sorted(
            (run for run in self._store.runs(job.tenant_id, limit=20) if run.trigger == recorded),
            key=lambda run: run.id,
        )
        job.run_ids = [run.id for run in runs]
        job.current = next((run.register for run in runs if run.status is RunStatus.RUNNING), None)
        job.state = state
        if not job.going:
            job.current = None
            job.finished_at = datetime.now(UTC)
            if state == JobState.FAILED:
                job.error = _WORKER_FAILED
