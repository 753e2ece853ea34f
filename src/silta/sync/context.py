"""Everything one run needs: the tenant, its settings, both clients and the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import attrs

from silta.domain import TenantSettings
from silta.netvisor import NetvisorClient
from silta.registers.lookups import Lookups
from silta.severa import SeveraClient
from silta.store import Store
from silta.tenants import Tenant

__all__ = ["SyncContext"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@attrs.define
class SyncContext:
    """The world of one run. ``settings`` are read once, when the run starts."""

    tenant: Tenant
    settings: TenantSettings
    netvisor: NetvisorClient
    severa: SeveraClient
    store: Store
    clock: Callable[[], datetime] = _utc_now
    _lookups: Lookups | None = None
    _with_languages: bool = False

    async def lookups(self, *, languages: bool = True) -> Lookups:
        """Severa's countries, and its languages when ``languages``; each read once per run.

        A run whose records carry no language asks without them: one call fewer.
        """
        if self._lookups is None:
            self._lookups = Lookups.of(await self.severa.countries(), ())
        if languages and not self._with_languages:
            self._lookups = Lookups.of(self._lookups.countries, await self.severa.languages())
            self._with_languages = True
        return self._lookups
