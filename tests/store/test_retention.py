"""Retention removes only what is older than the limit, never a running run, never a link
or a watermark; in batches; once a night whichever process looks (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from silta.domain import Register, RunKind, RunStatus, System
from silta.store import Link, LinkState, Store, Watermark
from silta.store.models import RecordRow, RunEntryRow, RunRow
from silta.store.retention import Housekeeping, months_before, prune_runs, retention_due
from tests.store.conftest import KEY, Clock, config, entry


def _run(store: Store, tenant_id: int, entries: int, *, finish: bool = True) -> int:
    run_id = store.start_run(
        tenant_id, Register.CUSTOMERS, kind=RunKind.FULL, dry_run=False, trigger="test"
    )
    store.add_entries(run_id, [entry(n) for n in range(entries)])
    if finish:
        store.finish_run(run_id, RunStatus.COMPLETED, counts={"created": entries})
    return run_id


def _count(store: Store, model: type[object]) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def test_prune_removes_only_runs_older_than_the_limit(store_url: str) -> None:
    clock = Clock()
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        tenant = store.add_tenant(config(), changed_by="t")
        old = [_run(store, tenant.id, 7) for _ in range(5)]
        old_running = _run(store, tenant.id, 3, finish=False)
        store.save_links(
            tenant.id,
            [Link(Register.CUSTOMERS, System.SEVERA, "s1", "n1", "FI1", LinkState.LINKED)],
        )
        store.save_watermark(tenant.id, Register.CUSTOMERS, Watermark(clock.now, {"a": 1}))
        clock.advance(days=400)
        cutoff = months_before(clock.now, 13)
        clock.advance(days=1)
        young = [_run(store, tenant.id, 4) for _ in range(2)]

        report = prune_runs(store, before=cutoff, runs_per_batch=2, entries_per_batch=5)

        assert report.runs == 5 and report.entries == 35
        assert report.batches > 5  # small batches: many short transactions
        left = {run.id for run in store.runs(tenant.id, limit=100)}
        assert left == {old_running, *young}
        assert not set(old) & left
        assert _count(store, RunEntryRow) == 3 + 2 * 4
        # the record search forgets the records only the pruned runs met (entries 4-6);
        # those the young runs met again stay, with their timelines
        assert report.records == 3
        assert _count(store, RecordRow) == 4
        assert len(store.links(tenant.id, Register.CUSTOMERS)) == 1
        assert store.watermark(tenant.id, Register.CUSTOMERS) is not None
        # a second prune has nothing to do
        assert prune_runs(store, before=cutoff).runs == 0
        assert _count(store, RunRow) == 3


def test_the_limit_is_in_calendar_months() -> None:
    now = datetime(2027, 3, 31, 12, 0, tzinfo=UTC)
    assert months_before(now, 13) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert months_before(now, 1) == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    assert months_before(datetime(2027, 1, 15, tzinfo=UTC), 13) == datetime(
        2025, 12, 15, tzinfo=UTC
    )


def test_the_prune_is_done_once_a_night_whoever_looks(store: Store) -> None:
    chores = Housekeeping(store)
    night = retention_due(datetime.now(UTC))
    assert chores.claim("retention", due_since=night, owner="a") is True
    assert chores.claim("retention", due_since=night, owner="b") is False
    assert chores.claim("retention", due_since=night + timedelta(days=1), owner="b") is True


def test_the_night_boundary_is_half_past_three_in_finland() -> None:
    assert retention_due(datetime(2027, 1, 10, 1, 29, tzinfo=UTC)) == datetime(
        2027, 1, 10, 1, 30, tzinfo=UTC
    ) - timedelta(days=1)
    assert retention_due(datetime(2027, 1, 10, 1, 31, tzinfo=UTC)) == datetime(
        2027, 1, 10, 1, 30, tzinfo=UTC
    )
    # summer time: 03:30 EEST is 00:30 UTC
    assert retention_due(datetime(2027, 7, 10, 12, 0, tzinfo=UTC)) == datetime(
        2027, 7, 10, 0, 30, tzinfo=UTC
    )
