"""`silta serve` in workers mode: "sync now" and "preview" become jobs on the workers' queue.

The serving process defers ``silta.run_now`` and follows it (queued, running, ended, the
runs it recorded); a procrastinate worker runs it. PostgreSQL only, like the workers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from silta.config import Settings
from silta.domain import Register, RunStatus
from silta.fleet import fleet
from silta.scheduler.queue import QUEUE, WorkerContext, build_app, ensure_schema
from silta.scheduler.requests import QueuedJobs
from silta.store import Schedule, Store, StoreError, TenantBusy
from silta.sync.jobs import JobState
from silta.sync.runner import adapter_for

from ..store.conftest import POSTGRES_ENV, postgres_schema
from .conftest import SANDBOX, FleetWorld

# one such test at a time on the database, also under pytest-xdist (see the fixture)
pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("database_channels_alone")]
KEY = Fernet.generate_key().decode("ascii")


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: the workers' PostgreSQL path is not tested")
    with postgres_schema() as url:
        yield url


@pytest.fixture
async def queued(pg_url: str) -> AsyncIterator[tuple[FleetWorld, QueuedJobs, str]]:
    world = fleet(2, size=12)
    store = Store.open(pg_url, secret_key=KEY)
    ensure_schema(pg_url)
    tenants = [store.add_tenant(c, changed_by="test") for c in world.configs(SANDBOX)]
    jobs = QueuedJobs(store, build_app(pg_url), poll=0.05)
    try:
        yield FleetWorld(world, store, tenants), jobs, pg_url
    finally:
        await jobs.close()
        store.close()


async def work_off_the_queue(fleet_world: FleetWorld, url: str) -> None:
    """A procrastinate worker in this process: runs what is queued, then returns."""
    app = build_app(url)
    context = WorkerContext(
        store=fleet_world.store, schedule=Schedule(fleet_world.store), http=fleet_world.http
    )
    async with app.open_async():
        await app.run_worker_async(
            queues=[QUEUE],
            wait=False,
            additional_context={"silta": context},
            install_signal_handlers=False,
            delete_jobs="successful",
        )


async def test_sync_now_is_queued_for_the_workers_and_followed_to_its_end(
    queued: tuple[FleetWorld, QueuedJobs, str],
) -> None:
    world, jobs, url = queued
    tenant = world.tenants[0]
    writes_before = world.world.writes()

    job = await jobs.start(tenant.id, trigger="sync now: kh@example.fi")
    assert job.state == JobState.QUEUED and job.going
    assert jobs.busy(tenant.id)
    assert not jobs.busy(world.tenants[1].id)
    with pytest.raises(TenantBusy):  # one request per company waits at a time
        await jobs.start(tenant.id, trigger="sync now: again")
    assert world.store.runs(tenant.id) == []  # nothing ran in the serving process

    await work_off_the_queue(world, url)
    done = await jobs.wait(job.id)

    assert done.state == JobState.DONE and done.error is None and done.current is None
    runs = {run.id: run for run in world.store.runs(tenant.id)}
    assert sorted(runs) == done.run_ids
    # every register the company has switched on (the money transfers are off)
    switched_on = [r for r in Register if adapter_for(r, tenant.settings) is not None]
    assert [runs[i].register for i in done.run_ids] == switched_on
    assert all(run.status is RunStatus.COMPLETED for run in runs.values())
    assert all(run.trigger == f"sync now: kh@example.fi (job {job.id})" for run in runs.values())
    assert world.world.writes() > writes_before  # the records were really copied
    assert not jobs.busy(tenant.id)
    assert jobs.for_tenant(tenant.id) == [done]
    assert jobs.get(job.id) is done


async def test_a_preview_job_runs_dry_on_the_workers(
    queued: tuple[FleetWorld, QueuedJobs, str],
) -> None:
    world, jobs, url = queued
    tenant = world.tenants[1]
    writes_before = world.world.writes()
    job = await jobs.start(
        tenant.id, registers=[Register.CUSTOMERS], dry_run=True, trigger="preview: kh"
    )
    await work_off_the_queue(world, url)
    done = await jobs.wait(job.id)
    [run] = world.store.runs(tenant.id)
    assert done.run_ids == [run.id] and run.dry_run and run.register is Register.CUSTOMERS
    assert world.world.writes() == writes_before


async def test_a_tenant_with_a_run_going_elsewhere_is_busy(
    queued: tuple[FleetWorld, QueuedJobs, str],
) -> None:
    world, jobs, _ = queued
    tenant = world.tenants[0]
    Schedule(world.store).lock(tenant.id, owner="cli:1:x", purpose="silta sync")
    with pytest.raises(TenantBusy) as refused:
        await jobs.start(tenant.id, trigger="sync now: kh")
    assert refused.value.owner == "cli:1:x"


async def test_a_job_cancelled_in_the_queue_ends_as_failed_with_a_reason(
    queued: tuple[FleetWorld, QueuedJobs, str],
) -> None:
    world, jobs, _ = queued
    tenant = world.tenants[0]
    job = await jobs.start(tenant.id, trigger="sync now: kh")
    # an operator cancels it with procrastinate's own tools
    assert await jobs._app.job_manager.cancel_job_by_id_async(job.id)
    ended = await jobs.wait(job.id)
    assert ended.state == JobState.FAILED and ended.error and "worker" in ended.error
    assert not jobs.busy(tenant.id)
    assert world.store.runs(tenant.id) == []


def test_serve_in_workers_mode_queues_sync_now(pg_url: str, tmp_path: Path) -> None:
    from silta.cli import _jobs
    from silta.sync.jobs import Jobs

    store = Store.open(pg_url, secret_key=KEY)
    try:
        workers = Settings(database_url=pg_url, scheduler="workers")
        with pytest.raises(StoreError, match="silta db upgrade"):
            _jobs(store, workers)  # no queue schema yet
        ensure_schema(pg_url)
        assert isinstance(_jobs(store, workers), QueuedJobs)
        embedded = Settings(database_url=pg_url, scheduler="embedded")
        assert isinstance(_jobs(store, embedded), Jobs)
    finally:
        store.close()
    sqlite = Settings(database_url=f"sqlite:///{tmp_path / 's.db'}", scheduler="workers")
    with pytest.raises(StoreError, match="PostgreSQL"):
        _jobs(store, sqlite)
