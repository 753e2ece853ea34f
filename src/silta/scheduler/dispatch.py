"""The due slots of every tenant, claimed exactly once whichever process looks.

A dispatcher reads each tenant's settings (no secrets), computes the current slot of each
register that is switched on (:func:`silta.schedule.current_slot`) and claims the ones
nobody claimed (:meth:`silta.store.Schedule.claim`). Paused tenants, tenants halted for
refused credentials and registers held for a confirmation get no slots. Any number of
dispatchers may tick at once: the store's unique key lets one claim of a slot win.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from silta.domain import Register, TenantSettings
from silta.schedule import current_slot
from silta.scheduler.clock import Clock, wall_clock
from silta.store import Holds, Schedule, Slot, SlotKey, Store
from silta.sync.runner import adapter_for, only_on_request

__all__ = ["Dispatcher", "wanted_slots"]


def wanted_slots(
    tenants: Iterable[tuple[int, bool, TenantSettings]],
    halts: Mapping[int, str],
    now: datetime,
    held: Mapping[int, frozenset[Register]] | None = None,
) -> Iterator[SlotKey]:
    """The current slot of every register that should run: not paused, halted, off, or
    held for a confirmation of what it would write (``held``: tenant -> registers)."""
    held = held or {}
    for tenant_id, paused, settings in tenants:
        if paused or tenant_id in halts:
            continue
        for register in Register:
            if adapter_for(register, settings) is None or register in held.get(tenant_id, ()):
                continue
            if only_on_request(register, settings):
                continue  # the KH runs it with "transfer now"
            due = current_slot(register, tenant_id, settings, now)
            yield SlotKey(tenant_id, register, due.at, due.full)


class Dispatcher:
    """Claims due slots for ``owner`` (whoever will run or queue them)."""

    def __init__(self, store: Store, schedule: Schedule, *, owner: str, clock: Clock = wall_clock):
        self._store = store
        self._schedule = schedule
        self._owner = owner
        self._clock = clock

    @property
    def owner(self) -> str:
        return self._owner

    def tick(self) -> list[Slot]:
        """Claim what is due now; the slots claimed by this call, oldest due first."""
        wanted = wanted_slots(
            self._store.schedulable(),
            self._schedule.halts(),
            self._clock(),
            Holds(self._store).held(),
        )
        return self._schedule.claim(wanted, owner=self._owner)
