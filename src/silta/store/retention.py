"""Retention: runs and their records older than the limit go, nightly, a little at a time.

A scheduler runs :func:`prune_runs` once a night (:class:`Housekeeping` makes one process
of many do it, ``SILTA_RETENTION_MONTHS``, default 13: a year and the month before, so a
year-end can be compared with the last one). What goes: runs that *started* before the
cutoff and are not running, with their entries; the record search's rows of records no
run has met since the cutoff (their timeline would be empty); digests of notifications
older than it.
What stays: links and watermarks (they are the sync's memory, not its history), schedule
slots (pruned on their own after 30 days), settings history and tenant events.

A big prune (the first one after a year of 10,000-record runs) must not hold the database:
each batch of entries and runs is its own short transaction, so runs, pages and workers
go on in between; the entries go first, so no transaction cascades over millions of rows.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from silta.domain import RunStatus
from silta.store.models import HousekeepingRow, RecordRow, RunEntryRow, RunRow

if TYPE_CHECKING:
    from silta.store.store import Store

__all__ = [
    "NIGHT",
    "Housekeeping",
    "PruneReport",
    "months_before",
    "prune_runs",
    "retention_due",
]

RUNS_PER_BATCH = 100
ENTRIES_PER_BATCH = 5000
NIGHT = (3, 30)  # the prune's hour and minute, Finnish time: after the nightly dimensions
HELSINKI = ZoneInfo("Europe/Helsinki")


@attrs.frozen
class PruneReport:
    runs: int = 0
    entries: int = 0
    batches: int = 0
    records: int = 0  # the record search's rows of records not met since the cutoff


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (the 31st becomes the month's last day)."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def prune_runs(
    store: Store,
    *,
    before: datetime,
    runs_per_batch: int = RUNS_PER_BATCH,
    entries_per_batch: int = ENTRIES_PER_BATCH,
    pause: float = 0.0,
) -> PruneReport:
    """Delete the runs started before ``before`` that are not running, with their entries,
    in short transactions; what went. ``pause``: seconds between batches (blocking; call it
    in a thread)."""
    runs = entries = batches = 0
    while True:
        with store._reading() as session:
            ids = list(
                session.scalars(
                    select(RunRow.id)
                    .where(RunRow.started_at < before, RunRow.status != RunStatus.RUNNING)
                    .order_by(RunRow.id)
                    .limit(runs_per_batch)
                )
            )
        if not ids:
            records, record_batches = _prune_records(
                store, before=before, per_batch=entries_per_batch, pause=pause
            )
            return PruneReport(runs, entries, batches + record_batches, records)
        while True:  # the entries first, a batch per transaction
            with store._writing() as session:
                chunk = select(RunEntryRow.id).where(RunEntryRow.run_id.in_(ids))
                chunk = chunk.limit(entries_per_batch)
                gone = session.execute(delete(RunEntryRow).where(RunEntryRow.id.in_(chunk)))
                count = int(gone.rowcount or 0)  # type: ignore[attr-defined]
            entries += count
            batches += 1
            if count < entries_per_batch:
                break
            if pause:
                time.sleep(pause)
        with store._writing() as session:
            # a run that started running meanwhile cannot be old: still, never a running one
            gone = session.execute(
                delete(RunRow).where(RunRow.id.in_(ids), RunRow.status != RunStatus.RUNNING)
            )
            runs += int(gone.rowcount or 0)  # type: ignore[attr-defined]
        batches += 1
        if pause:
            time.sleep(pause)


def _prune_records(
    store: Store, *, before: datetime, per_batch: int, pause: float
) -> tuple[int, int]:
    """Delete the record search's rows last met before ``before``: (rows, batches)."""
    records = batches = 0
    while True:
        with store._writing() as session:
            chunk = select(RecordRow.id).where(RecordRow.last_seen_at < before).limit(per_batch)
            gone = session.execute(delete(RecordRow).where(RecordRow.id.in_(chunk)))
            count = int(gone.rowcount or 0)  # type: ignore[attr-defined]
        records += count
        batches += 1
        if count < per_batch:
            return records, batches
        if pause:
            time.sleep(pause)


def retention_due(now: datetime, zone: ZoneInfo = HELSINKI) -> datetime:
    """The latest night-time boundary at or before ``now``: the prune is due when it last
    ran before this."""
    local = now.astimezone(zone)
    boundary = local.replace(hour=NIGHT[0], minute=NIGHT[1], second=0, microsecond=0)
    if boundary > local:
        boundary -= timedelta(days=1)
    return boundary.astimezone(UTC)


class Housekeeping:
    """Chores many processes could do, done once: whoever claims the chore does it."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def claim(self, name: str, *, due_since: datetime, owner: str) -> bool:
        """Take the chore ``name`` if it last ran before ``due_since``; whether taken."""
        now = self._store._now()
        try:
            with self._store._writing() as session:
                row = session.get(HousekeepingRow, name, with_for_update=True)
                if row is None:
                    session.add(HousekeepingRow(name=name, last_at=now, owner=owner[:200]))
                    return True
                if row.last_at >= due_since:
                    return False
                row.last_at = now
                row.owner = owner[:200]
                return True
        except IntegrityError:  # another process made the row first: it has the chore
            return False

    def last(self, name: str) -> datetime | None:
        with self._store._reading() as session:
            row = session.get(HousekeepingRow, name)
            return row.last_at if row is not None else None
