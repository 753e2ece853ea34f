"""Runs and their entries: the history the accountant reads, record by record."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, timedelta

import pytest
from sqlalchemy import update

from silta.domain import Action, FieldChange, Refusal, Register, RunKind, RunStatus, Status
from silta.store import RunNotRunning, Store, UnknownRun, UnknownTenant
from silta.store.models import RunRow

from .conftest import KEY, Clock, config, entry

REFUSAL = Refusal(
    "customers.business_id_missing",
    "business_id",
    "Asiakkaalta puuttuu Y-tunnus.",
    "The customer has no business ID.",
)


def start(store: Store, tenant_id: int, register: Register = Register.CUSTOMERS) -> int:
    return store.start_run(
        tenant_id, register, kind=RunKind.INCREMENTAL, dry_run=False, trigger="t"
    )


def test_a_run_starts_running_owned_by_this_process(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        run_id = store.start_run(
            acme.id, Register.PRODUCTS, kind=RunKind.FULL, dry_run=True, trigger="manual:bob"
        )
        record = store.run(run_id)
    assert record.id == run_id
    assert (record.tenant_id, record.tenant_name) == (acme.id, "acme")
    assert (record.register, record.kind, record.dry_run) == (Register.PRODUCTS, RunKind.FULL, True)
    assert (record.trigger, record.status) == ("manual:bob", RunStatus.RUNNING)
    assert record.started_at == record.heartbeat_at == clock.now
    assert record.started_at.tzinfo is UTC
    assert record.finished_at is None
    assert (dict(record.counts), record.error) == ({}, None)
    assert record.owner == f"{socket.gethostname()}:{os.getpid()}"


def test_heartbeat_and_finish(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        run_id = start(store, acme.id)
        beat = clock.advance(minutes=3)
        store.heartbeat(run_id)
        assert store.run(run_id).heartbeat_at == beat
        end = clock.advance(minutes=1)
        store.finish_run(
            run_id, RunStatus.FAILED, counts={"create": 3, "refuse": 1}, error="Netvisor down"
        )
        record = store.run(run_id)
    assert (record.status, record.finished_at, record.error) == (
        RunStatus.FAILED,
        end,
        "Netvisor down",
    )
    assert record.counts == {"create": 3, "refuse": 1}


def test_an_ended_run_refuses_heartbeats_and_a_second_finish(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    run_id = start(store, acme.id)
    store.finish_run(run_id, RunStatus.COMPLETED, counts={})
    with pytest.raises(RunNotRunning, match=f"run {run_id} is no longer running: it is completed"):
        store.heartbeat(run_id)
    with pytest.raises(RunNotRunning):
        store.finish_run(run_id, RunStatus.FAILED, counts={})
    assert store.run(run_id).status is RunStatus.COMPLETED
    with pytest.raises(ValueError, match="cannot finish as running"):
        store.finish_run(run_id, RunStatus.RUNNING, counts={})


def test_unknown_runs(store: Store) -> None:
    with pytest.raises(UnknownRun, match="no run with id 404"):
        store.run(404)
    with pytest.raises(UnknownRun):
        store.heartbeat(404)
    with pytest.raises(UnknownRun):
        store.finish_run(404, RunStatus.COMPLETED, counts={})
    with pytest.raises(UnknownRun):
        store.add_entries(404, [entry(1)])
    with pytest.raises(UnknownRun):
        store.entries(404)
    with pytest.raises(UnknownTenant):
        start(store, 404)


def test_runs_are_newest_first_and_filtered(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config("acme"), changed_by="alice")
        other = store.add_tenant(config("other"), changed_by="alice")
        ids = []
        for register in (Register.CUSTOMERS, Register.PRODUCTS, Register.CUSTOMERS):
            for tenant in (acme, other):
                clock.advance(minutes=1)
                ids.append(start(store, tenant.id, register))
        assert [r.id for r in store.runs()] == ids[::-1]
        assert [r.id for r in store.runs(acme.id)] == [ids[4], ids[2], ids[0]]
        assert [r.id for r in store.runs(acme.id, register=Register.PRODUCTS)] == [ids[2]]
        assert [r.id for r in store.runs(register=Register.CUSTOMERS)] == [
            ids[5],
            ids[4],
            ids[1],
            ids[0],
        ]
        assert [r.id for r in store.runs(limit=2)] == [ids[5], ids[4]]
        assert {r.tenant_name for r in store.runs(other.id)} == {"other"}
        with pytest.raises(UnknownTenant):
            store.runs(999)
        with pytest.raises(ValueError, match="limit"):
            store.runs(limit=0)


def test_entries_round_trip_in_insertion_order(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    run_id = start(store, acme.id)
    written = [
        entry(3, action=Action.UPDATE, target_key="g3", changes=(FieldChange("name", "A", "B"),)),
        entry(1, action=Action.REFUSE, status=Status.REFUSED, refusals=(REFUSAL,)),
        entry(2, action=Action.UNCHANGED, target_key="g2", message="ei muutoksia"),
        entry(4, source_key=None, natural_key=None, name=None, action=Action.SKIP),
    ]
    store.add_entries(run_id, written[:2])
    store.add_entries(run_id, written[2:])
    store.add_entries(run_id, [])
    assert store.entries(run_id) == written


def test_entries_filter_by_register_action_and_status(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    run_id = start(store, acme.id, Register.DIMENSIONS)
    other_run = start(store, acme.id, Register.DIMENSIONS)
    written = [
        entry(1, register=Register.DIMENSIONS, action=Action.CREATE),
        entry(2, register=Register.DIMENSIONS, action=Action.UPDATE, status=Status.FAILED),
        entry(3, register=Register.CUSTOMERS, action=Action.CREATE, status=Status.FAILED),
        entry(4, register=Register.DIMENSIONS, action=Action.CREATE, status=Status.FAILED),
    ]
    store.add_entries(run_id, written)
    store.add_entries(other_run, [entry(9, register=Register.DIMENSIONS)])
    assert store.entries(run_id, register=Register.DIMENSIONS) == [
        written[0],
        written[1],
        written[3],
    ]
    assert store.entries(run_id, action=Action.CREATE) == [written[0], written[2], written[3]]
    assert store.entries(run_id, status=Status.FAILED) == written[1:]
    assert store.entries(
        run_id, register=Register.DIMENSIONS, action=Action.CREATE, status=Status.FAILED
    ) == [written[3]]
    assert store.entries(run_id, action=Action.RENAME) == []
    assert store.entries(other_run) == [entry(9, register=Register.DIMENSIONS)]


def test_ten_thousand_entries_in_one_bulk_insert(
    store: Store, backend: str, timings: list[str]
) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    run_id = start(store, acme.id)
    written = [
        entry(
            number,
            action=Action.UPDATE if number % 3 else Action.REFUSE,
            status=Status.DONE if number % 3 else Status.REFUSED,
            target_key=f"guid-{number}",
            changes=(FieldChange("name", f"Vanha {number}", f"Uusi {number}"),)
            if number % 3
            else (),
            refusals=() if number % 3 else (REFUSAL,),
        )
        for number in range(10_000)
    ]
    began = time.perf_counter()
    store.add_entries(run_id, written)
    inserted = time.perf_counter() - began
    began = time.perf_counter()
    read = store.entries(run_id)
    reading = time.perf_counter() - began
    refused = store.entries(run_id, status=Status.REFUSED)
    timings.append(
        f"{backend:>8}: 10,000 entries inserted in {inserted * 1000:.0f} ms, "
        f"read back in {reading * 1000:.0f} ms"
    )
    assert read == written
    assert len(refused) == 3334


def test_a_run_of_a_dead_process_on_this_host_is_interrupted(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    dead_owner = f"{socket.gethostname()}:{int(finished.stdout)}"  # that process has exited
    dead_run = start(store, acme.id)
    with store.engine.begin() as connection:
        connection.execute(update(RunRow).where(RunRow.id == dead_run).values(owner=dead_owner))
    alive_run = start(store, acme.id)  # this process: alive

    assert store.interrupt_stale_runs() == [dead_run]
    record = store.run(dead_run)
    assert record.status is RunStatus.INTERRUPTED
    assert record.finished_at is not None
    assert record.error == f"interrupted: the process that ran it ({dead_owner}) is gone"
    assert store.run(alive_run).status is RunStatus.RUNNING
    assert store.interrupt_stale_runs() == []


def test_a_run_without_a_recent_heartbeat_is_interrupted(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        quiet = start(store, acme.id)
        beating = start(store, acme.id)
        elsewhere = start(store, acme.id)
        finished = start(store, acme.id)
        with store.engine.begin() as connection:  # a run of another host, pid 1 there
            connection.execute(
                update(RunRow).where(RunRow.id == elsewhere).values(owner="worker-7:1")
            )
        store.finish_run(finished, RunStatus.COMPLETED, counts={})

        clock.advance(minutes=6)
        store.heartbeat(beating)
        store.heartbeat(elsewhere)
        clock.advance(minutes=5)  # quiet: 11 min without a sign; the others: 5 min
        assert store.interrupt_stale_runs(older_than=timedelta(minutes=10)) == [quiet]
        record = store.run(quiet)
        assert record.error is not None
        assert record.error.startswith("interrupted: no heartbeat from ")
        assert "since 2026-03-02 09:00:00 UTC" in record.error
        assert record.finished_at == clock.now

        with pytest.raises(RunNotRunning, match="interrupted: no heartbeat"):
            store.heartbeat(quiet)
        clock.advance(minutes=6)
        assert store.interrupt_stale_runs() == [beating, elsewhere]
        assert store.run(finished).status is RunStatus.COMPLETED
