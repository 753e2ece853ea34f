"""One request at a time per Netvisor company, across every task of the process.

Netvisor's rule: "Send one message at a time and wait for a response before sending the next
message. Overlapping messages to the same customer environment cause different errors."
(``reference/netvisor-api.md`` §5.3). Every :class:`~silta.netvisor.client.NetvisorClient`
passes its requests through a gate keyed by organisation ID; by default all clients share
:data:`PROCESS_GATE`, so two clients for the same company never overlap while clients for
different companies run in parallel.

Locks belong to an event loop, so the gate keeps one lock table per running loop (held
weakly: a finished loop's locks go with it). Separate processes (several workers) are kept
apart by the job queue's per-company lock, not here.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

__all__ = ["PROCESS_GATE", "OrganisationGate"]


class OrganisationGate:
    """Serializes requests per organisation ID within one process."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, asyncio.Lock]
        ] = weakref.WeakKeyDictionary()

    def _lock(self, organisation_id: str) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        table = self._locks.get(loop)
        if table is None:
            table = self._locks[loop] = {}
        lock = table.get(organisation_id)
        if lock is None:
            lock = table[organisation_id] = asyncio.Lock()
        return lock

    @contextlib.asynccontextmanager
    async def hold(self, organisation_id: str) -> AsyncIterator[None]:
        """Wait until no other request for ``organisation_id`` is in flight, then hold it."""
        async with self._lock(organisation_id):
            yield

    def busy(self, organisation_id: str) -> bool:
        """Whether a request for ``organisation_id`` is in flight on the running loop."""
        table = self._locks.get(asyncio.get_running_loop(), {})
        lock = table.get(organisation_id)
        return lock is not None and lock.locked()


PROCESS_GATE = OrganisationGate()
