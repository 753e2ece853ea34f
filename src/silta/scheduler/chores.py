"""The scheduler's chores beside the runs: notifications, and the nightly retention prune.

They run apart from the slots (a task of their own in the embedded scheduler, a queue of
their own for the workers), so a slow mail server or a long prune never holds up a sync.
The prune is claimed in the store (:class:`~silta.store.retention.Housekeeping`): of many
processes, one does it once a night.
"""

from __future__ import annotations

import asyncio
import logging

import attrs

from silta.notify.notifier import Notifier
from silta.store import Store, StoreError
from silta.store.notifications import Notifications
from silta.store.retention import (
    Housekeeping,
    PruneReport,
    months_before,
    prune_runs,
    retention_due,
)

__all__ = ["RETENTION", "Chores", "retention_once"]

log = logging.getLogger("silta.scheduler")

RETENTION = "retention"


async def retention_once(
    store: Store, *, months: int, owner: str, pause: float = 0.05
) -> PruneReport | None:
    """Prune what is older than ``months`` if tonight's prune is not done yet (here or by
    another process); what went, or ``None`` when it was not this call's to do."""
    if months <= 0:
        return None
    now = store._now()
    claimed = await asyncio.to_thread(
        Housekeeping(store).claim, RETENTION, due_since=retention_due(now), owner=owner
    )
    if not claimed:
        return None
    cutoff = months_before(now, months)
    report = await asyncio.to_thread(prune_runs, store, before=cutoff, pause=pause)
    digests = await asyncio.to_thread(Notifications(store).prune, older_than=cutoff)
    log.info(
        "retention: %d run(s) with %d entries started before %s pruned, %d digest(s), "
        "%d record(s) no run has met since",
        report.runs,
        report.entries,
        cutoff.date().isoformat(),
        digests,
        report.records,
    )
    return report


@attrs.define
class Chores:
    """What a scheduler does between its runs, every ``every`` seconds."""

    store: Store
    owner: str
    notifier: Notifier | None = None
    retention_months: int = 13
    every: float = 60.0

    async def once(self) -> None:
        if self.notifier is not None:
            await self.notifier.tick()
        await retention_once(self.store, months=self.retention_months, owner=self.owner)

    async def run(self) -> None:
        """Until cancelled; a failed round is logged and the next one comes."""
        while True:
            try:
                await self.once()
            except StoreError as exc:
                log.warning("chores: the store is unavailable: %s", exc)
            except Exception:  # a fault of Silta's own: the traceback fixes it
                log.exception("chores: a round failed")
            await asyncio.sleep(self.every)
