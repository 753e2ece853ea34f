"""Scheduling: which runs are due, and who runs them.

==================  ==========================================================
module              concept
==================  ==========================================================
``clock.py``        the wall clock, or a compressed one for tests and the bench
``dispatch.py``     the due slots of every tenant, claimed once (any process)
``execute.py``      one slot run: the tenant's lock, the run, the slot's end
``embedded.py``     the in-process scheduler of ``silta serve`` and ``make demo``
``queue.py``        procrastinate on PostgreSQL: tasks, dispatcher, reaper, ``silta worker``
==================  ==========================================================

The slot grid itself (when a register is due) is :mod:`silta.schedule`; the state every
process shares (slots, tenant locks, halts) is :class:`silta.store.Schedule`.
"""

from silta.scheduler.clock import Clock, ScaledClock, clock_from_env, wall_clock
from silta.scheduler.dispatch import Dispatcher, wanted_slots
from silta.scheduler.embedded import EmbeddedScheduler
from silta.scheduler.execute import SlotOutcome, run_slot

__all__ = [
    "Clock",
    "Dispatcher",
    "EmbeddedScheduler",
    "ScaledClock",
    "SlotOutcome",
    "clock_from_env",
    "run_slot",
    "wall_clock",
    "wanted_slots",
]
