"""procrastinate on the state's PostgreSQL: the distributed scheduler of ``silta worker``.

No queue of our own: procrastinate's jobs table, on the same database as the state, is the
queue. Three tasks:

* ``silta.dispatch`` (periodic, every ``tick`` seconds): claims the due slots
  (:class:`~silta.scheduler.Dispatcher`) and defers one ``silta.run_slot`` job per slot,
  with ``lock=silta-tenant-<id>`` (procrastinate starts no job while another job with its
  lock is doing: one run per company at a time, which is Netvisor's own rule) and
  ``queueing_lock=silta-slot-<id>-<register>`` (at most one waiting job per register: a slot
  whose predecessor still waits is skipped, not piled up). It also defers again the open
  slots whose holder is gone (a job lost between claim and defer, a worker stopped).
  procrastinate defers a periodic job once per timestamp, whichever worker sees it first.
* ``silta.run_slot``: :func:`~silta.scheduler.run_slot`, retried a while later when the
  tenant is busy (a ``silta sync`` from the command line, say).
* ``silta.run_now``: a run asked for in the web app ("sync now", "preview"), deferred by
  :class:`~silta.scheduler.requests.QueuedJobs` with the same tenant lock, so it waits for
  the tenant's scheduled run instead of racing it.
* ``silta.reap`` (periodic): jobs left "doing" by a worker whose heartbeat stopped (killed,
  its machine gone) go back to the queue; runs of dead processes are marked interrupted.

Every worker is alike; start as many as the load needs. On SIGTERM a worker stops taking
jobs, lets the running ones finish for ``graceful`` seconds, then stops them: their slots go
back to the queue, and the next dispatcher tick defers them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs
import httpx
import procrastinate
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from sqlalchemy.engine import make_url

from silta.domain import Register
from silta.scheduler.chores import Chores
from silta.scheduler.clock import Clock, wall_clock
from silta.scheduler.dispatch import Dispatcher
from silta.scheduler.execute import run_slot
from silta.severa import DEFAULT_RATE
from silta.store import Schedule, Slot, SlotState, Store, StoreError, TenantBusy, UnknownTenant
from silta.store.schedule import new_owner
from silta.sync.runner import sync_tenant
from silta.transport import new_http_client

__all__ = [
    "QUEUE",
    "RUN_NOW",
    "WorkerContext",
    "build_app",
    "cron_every",
    "defer_slot",
    "dispatch_once",
    "ensure_schema",
    "job_trigger",
    "now_lock",
    "reap_once",
    "run_worker",
    "schema_present",
    "tenant_lock",
]

log = logging.getLogger("silta.scheduler")

QUEUE = "silta"  # the runs
CONTROL_QUEUE = "silta-control"  # dispatch and reap: never waiting behind long runs
CHORES_QUEUE = "silta-chores"  # notifications and retention: never delaying dispatch
_CONTEXT = "silta"
RUN_NOW = "silta.run_now"


def tenant_lock(tenant_id: int) -> str:
    """procrastinate's lock of every job of a tenant: one of them doing at a time."""
    return f"silta-tenant-{tenant_id}"


def now_lock(tenant_id: int) -> str:
    """The queueing lock of a requested run: one waiting per tenant."""
    return f"silta-now-{tenant_id}"


def job_trigger(trigger: str, job_id: int) -> str:
    """A requested run's trigger as recorded: who asked, and which job ran it."""
    return f"{trigger} (job {job_id})"


@attrs.frozen
class WorkerContext:
    """What the tasks of one worker process use: the store, the clock, the run options."""

    store: Store
    schedule: Schedule
    clock: Clock = wall_clock
    severa_rate: int = DEFAULT_RATE
    stalled_after: float = 30.0  # seconds without a worker heartbeat: its jobs are stalled
    # a fresh client per run (tests pass one on the sandboxes' ASGI apps)
    http: Callable[[], httpx.AsyncClient] = new_http_client
    # notifications and the nightly prune (None: this worker does neither)
    chores: Chores | None = None


def conninfo(database_url: str) -> str:
    """The libpq form of the state's URL (procrastinate speaks psycopg directly).

    Raises:
        StoreError: not a PostgreSQL URL (procrastinate needs PostgreSQL).
    """
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise StoreError(
            "the workers need PostgreSQL: set SILTA_DATABASE_URL=postgresql://... "
            f"(it is {url.get_backend_name()}); on SQLite, `silta serve` runs the schedule itself"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def cron_every(seconds: float) -> str:
    """A cron line (seconds as the sixth field) firing about every ``seconds``."""
    if seconds < 60:
        step = next(s for s in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) if s >= seconds)
        return f"* * * * * */{step}"
    minutes = max(1, min(59, round(seconds / 60)))
    return f"*/{minutes} * * * *"


def build_app(
    database_url: str, *, tick: float = 10.0, chores_every: float = 60.0
) -> procrastinate.App:
    """The procrastinate app with Silta's tasks, on the state's database."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url))
    )

    @app.task(
        name="silta.run_slot",
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=120, wait=5, retry_exceptions={TenantBusy}),
    )
    async def run_slot_task(context: procrastinate.JobContext, slot_id: int) -> None:
        silta = _silta(context)
        async with silta.http() as http:
            outcome = await run_slot(
                silta.store,
                silta.schedule,
                slot_id,
                owner=new_owner(),
                http=http,
                severa_rate=silta.severa_rate,
            )
        log.info("slot %s: %s", slot_id, outcome.state or "not ours to run")

    @app.task(
        name=RUN_NOW,
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=120, wait=5, retry_exceptions={TenantBusy}),
    )
    async def run_now_task(
        context: procrastinate.JobContext,
        tenant_id: int,
        registers: list[str],
        dry_run: bool,
        full: bool,
        trigger: str,
    ) -> None:
        silta = _silta(context)
        assert context.job.id is not None
        try:
            tenant = await asyncio.to_thread(silta.store.tenant, tenant_id)
        except UnknownTenant:  # removed while the request waited: nothing to run
            log.warning("requested run of tenant %s: the tenant is gone", tenant_id)
            return
        async with silta.http() as http:
            await sync_tenant(
                silta.store,
                tenant,
                registers=[Register(name) for name in registers],
                dry_run=dry_run,
                full=full,
                trigger=job_trigger(trigger, context.job.id),
                http=http,
                severa_rate=silta.severa_rate,
                owner=new_owner(),
            )

    @app.periodic(cron=cron_every(tick), periodic_id="silta-dispatch")
    @app.task(
        name="silta.dispatch",
        queue=CONTROL_QUEUE,
        pass_context=True,
        queueing_lock="silta-dispatch",
    )
    async def dispatch_task(context: procrastinate.JobContext, timestamp: int) -> None:
        await dispatch_once(context.app, _silta(context))

    @app.periodic(cron=cron_every(chores_every), periodic_id="silta-chores")
    @app.task(
        name="silta.chores", queue=CHORES_QUEUE, pass_context=True, queueing_lock="silta-chores"
    )
    async def chores_task(context: procrastinate.JobContext, timestamp: int) -> None:
        chores = _silta(context).chores
        if chores is not None:
            await chores.once()

    @app.periodic(cron=cron_every(max(tick, 5.0)), periodic_id="silta-reap")
    @app.task(name="silta.reap", queue=CONTROL_QUEUE, pass_context=True, queueing_lock="silta-reap")
    async def reap_task(context: procrastinate.JobContext, timestamp: int) -> None:
        await reap_once(context.app, _silta(context))

    return app


def _silta(context: procrastinate.JobContext) -> WorkerContext:
    silta = context.additional_context.get(_CONTEXT)
    if not isinstance(silta, WorkerContext):  # a job run by a worker not started by Silta
        raise RuntimeError("this worker was not started by `silta worker`")
    return silta


def _slot_job(app: procrastinate.App, slot: Slot) -> Any:
    return app.configure_task(
        "silta.run_slot",
        lock=tenant_lock(slot.tenant_id),
        queueing_lock=f"silta-slot-{slot.tenant_id}-{slot.register.value}",
        queue=QUEUE,
    )


async def defer_slot(app: procrastinate.App, slot: Slot) -> int | None:
    """Queue the slot's job; ``None`` when a job of its register already waits."""
    try:
        job_id: int = await _slot_job(app, slot).defer_async(slot_id=slot.id)
    except AlreadyEnqueued:
        return None
    return job_id


WAITING = "waiting for the previous run of this register to leave the queue"


@attrs.frozen
class Dispatched:
    claimed: int
    deferred: int
    skipped: int
    redeferred: int


async def dispatch_once(app: procrastinate.App, silta: WorkerContext) -> Dispatched:
    """Claim what is due and queue it; queue again what was left open by someone gone.

    At most one job per (tenant, register) waits in the queue (its queueing lock). A slot
    that comes due while its predecessor's job still waits stays open, marked waiting, and
    is queued at a later tick once the queue lets it; a third slot while two wait is
    skipped: a register that cannot keep up runs as often as it can, without a pile.
    """
    owner = new_owner()
    dispatcher = Dispatcher(silta.store, silta.schedule, owner=owner, clock=silta.clock)
    claimed = await asyncio.to_thread(dispatcher.tick)
    opened = await asyncio.to_thread(silta.schedule.open_slots)
    waiting = {
        (slot.tenant_id, slot.register)
        for slot in opened
        if slot.state is SlotState.QUEUED and slot.note == WAITING
    }
    deferred = skipped = redeferred = 0
    claimed_ids = {slot.id for slot in claimed}
    # the waiting ones first, in due order: the queue's one place goes to the oldest slot
    for slot in opened:
        if slot.id in claimed_ids or slot.note != WAITING or slot.state is not SlotState.QUEUED:
            continue
        if await defer_slot(app, slot) is not None:
            silta.schedule.annotate(slot.id, None)
            waiting.discard((slot.tenant_id, slot.register))
            redeferred += 1
    for slot in claimed:
        if await defer_slot(app, slot) is not None:
            deferred += 1
        elif (slot.tenant_id, slot.register) in waiting:  # two behind already: no pile-up
            skipped += 1
            silta.schedule.finish(
                slot.id,
                owner=owner,
                state=SlotState.SKIPPED,
                note="the register's previous runs were still waiting in the queue",
            )
        else:
            silta.schedule.annotate(slot.id, WAITING)
            waiting.add((slot.tenant_id, slot.register))
    for slot in await asyncio.to_thread(silta.schedule.abandoned):
        if slot.id in claimed_ids or slot.note == WAITING:
            continue
        # AlreadyEnqueued: its job (or its register's next) still waits: nothing lost
        requeued = silta.schedule.requeue(slot.id, owner=owner, expect=slot.owner)
        if requeued and await defer_slot(app, slot) is not None:
            redeferred += 1
    if claimed or redeferred:
        log.info(
            "dispatch: %d claimed, %d queued, %d skipped (a pile), %d queued again",
            len(claimed),
            deferred,
            skipped,
            redeferred,
        )
    return Dispatched(len(claimed), deferred, skipped, redeferred)


async def reap_once(app: procrastinate.App, silta: WorkerContext) -> int:
    """Put back the jobs of workers that stopped beating; mark dead processes' runs."""
    stalled = list(
        await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=silta.stalled_after)
    )
    for job in stalled:
        assert job.id is not None
        try:
            await app.job_manager.retry_job(job)
        except UniqueViolation:
            # the dispatcher queued its slot again already (its holder was gone): that job
            # does the work, this one ends
            await app.job_manager.finish_job_by_id_async(
                job.id, status=procrastinate.jobs.Status.FAILED, delete_job=False
            )
            log.warning("job %s (%s) of a silent worker: replaced", job.id, job.task_name)
        else:
            log.warning("job %s (%s) of a silent worker: retried", job.id, job.task_name)
    await app.job_manager.prune_stalled_workers(silta.stalled_after * 2)
    await asyncio.to_thread(
        silta.store.interrupt_stale_runs,
        older_than=timedelta(seconds=max(silta.stalled_after, 60.0)),
    )
    return len(stalled)


def ensure_schema(database_url: str) -> bool:
    """Apply procrastinate's schema unless it is there; whether it was applied now."""
    import psycopg

    with psycopg.connect(conninfo(database_url), autocommit=True) as connection:
        # one process at a time, like Silta's own migrations
        connection.execute("SELECT pg_advisory_lock(%s)", (0x5117B,))
        try:
            found = connection.execute(
                "SELECT to_regclass('procrastinate_jobs') IS NOT NULL"
            ).fetchone()
            if found and found[0]:
                return False
            app = procrastinate.App(
                connector=procrastinate.SyncPsycopgConnector(conninfo=conninfo(database_url))
            )
            with app.open():
                app.schema_manager.apply_schema()
            return True
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (0x5117B,))


def schema_present(database_url: str) -> bool:
    import psycopg

    with psycopg.connect(conninfo(database_url), autocommit=True) as connection:
        found = connection.execute(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL"
        ).fetchone()
        return bool(found and found[0])


async def run_worker(
    app: procrastinate.App,
    silta: WorkerContext,
    *,
    concurrency: int = 4,
    graceful: float = 60.0,
    heartbeat: float = 10.0,
) -> None:
    """Run one worker until SIGTERM or SIGINT (procrastinate installs the handlers).

    Three procrastinate workers in one process: one for the runs, ``concurrency`` at a time,
    one for dispatch and reap, so that a tick is never kept waiting by busy run slots (a
    late tick would make slots late, or skip one), and one for the chores (notifications,
    retention), so that a slow mail server delays neither.
    """
    async with app.open_async():
        control = asyncio.get_running_loop().create_task(
            app.run_worker_async(
                queues=[CONTROL_QUEUE],
                name="silta-control",
                concurrency=1,
                additional_context={_CONTEXT: silta},
                shutdown_graceful_timeout=graceful,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=silta.stalled_after,
                install_signal_handlers=False,
                delete_jobs="always",
            )
        )
        chores = asyncio.get_running_loop().create_task(
            app.run_worker_async(
                queues=[CHORES_QUEUE],
                name="silta-chores",
                concurrency=1,
                additional_context={_CONTEXT: silta},
                shutdown_graceful_timeout=graceful,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=silta.stalled_after,
                install_signal_handlers=False,
                delete_jobs="always",
            )
        )
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                name="silta-runs",
                concurrency=concurrency,
                additional_context={_CONTEXT: silta},
                shutdown_graceful_timeout=graceful,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=silta.stalled_after,
                install_signal_handlers=True,
                delete_jobs="successful",
            )
        finally:
            for task in (control, chores):
                task.cancel()
            for task in (control, chores):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
