"""The in-process scheduler of ``silta serve`` and ``make demo``: no queue, no extra service.

Every ``tick`` it claims the due slots (:class:`~silta.scheduler.Dispatcher`) and adopts
the open slots of processes that are gone (a restart finds its own unfinished slots so),
then runs them: the slots of one tenant one after the other, at most ``concurrency``
tenants at once. A tenant someone else is running (``silta sync``, "sync now") is waited
for, its slot kept. :meth:`stop` stops the runs going; their slots go back to the queue, so
the next start runs them (the runs themselves are recorded as interrupted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from datetime import timedelta

import httpx

from silta.scheduler.chores import Chores
from silta.scheduler.clock import Clock, wall_clock
from silta.scheduler.dispatch import Dispatcher
from silta.scheduler.execute import run_slot
from silta.severa import DEFAULT_RATE
from silta.store import Schedule, Slot, SlotState, Store, StoreError, TenantBusy
from silta.store.schedule import new_owner

__all__ = ["EmbeddedScheduler"]

log = logging.getLogger("silta.scheduler")

HttpFactory = Callable[[], httpx.AsyncClient]
_HOUSEKEEPING = timedelta(minutes=1)  # stale runs marked, old slots pruned, this often


class EmbeddedScheduler:
    """Runs every tenant's slots in this process.

    Args:
        store: the state.
        http: makes the HTTP client of each run (default: a plain ``httpx.AsyncClient``).
        clock: the scheduler's "now" (a compressed clock in tests and the bench).
        tick: seconds between two looks at the clock.
        concurrency: tenants run at once.
        busy_retry: seconds to wait before trying a tenant someone else is running.
        chores: notifications and the nightly retention prune, in a task of their own.
    """

    def __init__(
        self,
        store: Store,
        *,
        http: HttpFactory | None = None,
        clock: Clock = wall_clock,
        tick: float = 10.0,
        concurrency: int = 4,
        severa_rate: int = DEFAULT_RATE,
        busy_retry: float = 5.0,
        schedule: Schedule | None = None,
        chores: Chores | None = None,
    ) -> None:
        if tick <= 0 or concurrency < 1:
            raise ValueError("tick must be above 0 and concurrency at least 1")
        self._store = store
        self._schedule = schedule or Schedule(store)
        self._http = http
        self._tick = tick
        self._concurrency = concurrency
        self._severa_rate = severa_rate
        self._busy_retry = busy_retry
        self._owner = new_owner()
        self._clock = clock
        self._dispatcher = Dispatcher(store, self._schedule, owner=self._owner, clock=clock)
        self._queues: dict[int, deque[int]] = {}
        self._queued: set[int] = set()
        self._drains: dict[int, asyncio.Task[None]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._chores = chores
        self._chores_task: asyncio.Task[None] | None = None
        self._slots: asyncio.Semaphore | None = None
        self._last_housekeeping: float | None = None

    @property
    def owner(self) -> str:
        return self._owner

    def start(self) -> None:
        """Start ticking in the background of the running event loop."""
        if self._loop_task is None:
            self._loop_task = asyncio.get_running_loop().create_task(self.run())
        if self._chores is not None and self._chores_task is None:
            self._chores_task = asyncio.get_running_loop().create_task(self._chores.run())

    async def run(self) -> None:
        """Tick until cancelled."""
        while True:
            try:
                self.tick_once()
            except StoreError as exc:  # the database may come back: keep ticking
                log.warning("the scheduler could not read the schedule: %s", exc)
            await asyncio.sleep(self._tick)

    def tick_once(self) -> list[Slot]:
        """Claim what is due, adopt what was abandoned, and start running it; those slots."""
        loop = asyncio.get_running_loop()
        if self._last_housekeeping is None or (
            loop.time() - self._last_housekeeping >= _HOUSEKEEPING.total_seconds()
        ):
            self._last_housekeeping = loop.time()
            self._store.interrupt_stale_runs(older_than=self._schedule.stale_after)
            self._schedule.prune(now=self._clock())
        slots = self._dispatcher.tick()
        claimed = {slot.id for slot in slots}
        for slot in self._schedule.abandoned():
            if slot.id in claimed or slot.id in self._queued:
                continue
            if self._schedule.requeue(slot.id, owner=self._owner, expect=slot.owner):
                log.info("slot %s of tenant %s was left open: running it", slot.id, slot.tenant_id)
                slots.append(slot)
        for slot in sorted(slots, key=lambda slot: (slot.due_at, slot.id)):
            self._enqueue(slot)
        return slots

    def busy(self) -> bool:
        """Whether any slot is queued or running here."""
        return bool(self._queued)

    async def stop(self) -> None:
        """Stop ticking and stop the runs going; their slots stay open for the next start."""
        tasks = [
            task for task in (self._loop_task, self._chores_task, *self._drains.values()) if task
        ]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop_task = None
        self._chores_task = None

    def _enqueue(self, slot: Slot) -> None:
        if slot.id in self._queued:
            return
        self._queued.add(slot.id)
        self._queues.setdefault(slot.tenant_id, deque()).append(slot.id)
        if slot.tenant_id not in self._drains:
            drain = asyncio.get_running_loop().create_task(self._drain(slot.tenant_id))
            self._drains[slot.tenant_id] = drain

    async def _drain(self, tenant_id: int) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._concurrency)
        queue = self._queues[tenant_id]
        try:
            async with self._slots:
                while queue:
                    if await self._run(queue[0]):
                        self._queued.discard(queue.popleft())
                    else:
                        await asyncio.sleep(self._busy_retry)
        finally:
            self._drains.pop(tenant_id, None)
            if not queue:
                self._queues.pop(tenant_id, None)

    async def _run(self, slot_id: int) -> bool:
        """Run one slot; ``False`` when the tenant is busy and the slot must wait."""
        http = self._http() if self._http is not None else None
        try:
            await run_slot(
                self._store,
                self._schedule,
                slot_id,
                owner=self._owner,
                http=http,
                severa_rate=self._severa_rate,
            )
        except TenantBusy as exc:
            log.info("slot %s waits: %s", slot_id, exc)
            return False
        except Exception as exc:  # one slot's failure never stops the scheduler
            log.exception("slot %s failed", slot_id)
            with contextlib.suppress(StoreError):
                self._schedule.finish(
                    slot_id, owner=self._owner, state=SlotState.FAILED, note=str(exc)[:500]
                )
        finally:
            if http is not None:
                await http.aclose()
        return True
