"""A world for the engine's tests: both sandboxes, a store, and one tenant.

The engine runs for real against the sandboxes (over httpx.ASGITransport), with a real
SQLite store in a temporary directory; nothing of the engine is mocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from silta.domain import Register, RunStatus, Status, TenantSettings
from silta.netvisor import NetvisorCredentials
from silta.sandbox.netvisor import Integration, NetvisorSandbox
from silta.sandbox.netvisor.organisation import Organisation as NetvisorOrganisation
from silta.sandbox.severa import ALL_SCOPES, Credential, SeveraSandbox
from silta.sandbox.severa.organisation import Organisation as SeveraOrganisation
from silta.severa import SeveraCredentials
from silta.store import Entry, Store
from silta.sync import RunResult, sync_tenant
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant, TenantConfig

ORG_ID = "1967543-8"
BASE = "http://sandbox.test"


@attrs.define
class World:
    """Both sandboxes, the store and the tenant; ``sync`` runs the real engine."""

    netvisor: NetvisorSandbox
    severa: SeveraSandbox
    store: Store
    http: httpx.AsyncClient
    tenant: Tenant

    @property
    def nv(self) -> NetvisorOrganisation:
        return self.netvisor.organisation(ORG_ID)

    @property
    def sv(self) -> SeveraOrganisation:
        return self.severa.organisation_of("silta")

    def settings(self, **changes: Any) -> None:
        """Change the tenant's settings, as the KH admin would."""
        current = self.store.settings(self.tenant.id)
        self.store.change_settings(
            self.tenant.id, attrs.evolve(current, **changes), changed_by="test"
        )
        for register in Register:
            self.store.clear_watermark(self.tenant.id, register)
        self.tenant = self.store.tenant(self.tenant.id)

    async def sync(
        self, *registers: Register, full: bool = False, dry_run: bool = False
    ) -> list[RunResult]:
        return await sync_tenant(
            self.store,
            self.store.tenant(self.tenant.id),
            registers=registers or tuple(Register),
            full=full,
            dry_run=dry_run,
            http=self.http,
            severa_rate=1000,
        )

    async def sync_one(self, register: Register, **options: Any) -> RunResult:
        (result,) = await self.sync(register, **options)
        return result

    def entries(self, result: RunResult, **filters: Any) -> list[Entry]:
        return self.store.entries(result.run_id, **filters)

    def refusals(self, result: RunResult) -> dict[str, list[str]]:
        """rule -> source keys of the records refused by it."""
        found: dict[str, list[str]] = {}
        for entry in self.entries(result, status=Status.REFUSED):
            for refusal in entry.refusals:
                found.setdefault(refusal.rule, []).append(
                    entry.source_key or entry.natural_key or ""
                )
        return found

    def writes(self) -> int:
        """Writes committed at both sandboxes so far."""
        severa_writes = sum(
            org.stats.writes_committed for org in self.severa.organisations.values()
        )
        return self.nv.stats.writes_committed + severa_writes


def completed(results: Iterable[RunResult]) -> None:
    for result in results:
        assert result.status is RunStatus.COMPLETED, (result.register, result.error, result.counts)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    netvisor = NetvisorSandbox(seed=3)
    netvisor.add_integration(
        Integration(
            partner_id="P",
            partner_key="pk",
            customer_id="C",
            customer_key="ck",
            organisation_ids=(ORG_ID,),
        )
    )
    netvisor.organisation(ORG_ID).put_dimension_header("Projekti")
    netvisor.organisation(ORG_ID).put_dimension_header("Yksikkö")
    severa = SeveraSandbox(seed=3, rate_limit=None)
    org = severa.add_organisation("Silta")
    severa.add_credential(Credential(client_id="silta", client_secret="s", organisation=org.id,
                                     scopes=ALL_SCOPES))  # fmt: skip
    app = Starlette(routes=[Mount("/netvisor", app=netvisor.app), Mount("/severa", app=severa.app)])
    store = Store.open(f"sqlite:///{tmp_path / 'silta.db'}", key_file=tmp_path / "silta.key")
    tenant = store.add_tenant(
        TenantConfig(
            name="Testi Oy",
            netvisor=NetvisorConnection(
                NetvisorCredentials(
                    sender="Silta tests",
                    customer_id="C",
                    customer_key="ck",
                    partner_id="P",
                    partner_key="pk",
                    organisation_id=ORG_ID,
                ),
                base_url=f"{BASE}/netvisor",
            ),
            severa=SeveraConnection(SeveraCredentials("silta", "s"), base_url=f"{BASE}/severa"),
            settings=TenantSettings(),
        ),
        changed_by="test",
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        yield World(netvisor, severa, store, http, tenant)
    store.close()
