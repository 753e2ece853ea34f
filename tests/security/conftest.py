"""A world for the security tests: planted secrets that every code path handles for real.

The sandboxes are served on a loopback socket (so the real HTTP stack runs, and httpx's and
httpcore's own DEBUG logging with it), and accept credentials made of recognizable planted
strings; the store holds them under a known Fernet key. The tests then look for the planted
strings wherever they must not be: the database, logs, run errors, the journal, CLI output.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from silta.backoff import RetryPolicy
from silta.fleet import Fleet, ServedFleet, fleet
from silta.netvisor import NetvisorCredentials
from silta.sandbox.netvisor import Integration
from silta.sandbox.severa import Credential
from silta.severa import SeveraCredentials
from silta.severa.auth import DEFAULT_SCOPES
from silta.store import Store
from silta.sync import RunResult, sync_tenant
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant
from tests.store.conftest import KEY, POSTGRES_ENV, postgres_schema
from tests.sync.conftest import Interceptor

# Secrets: none may appear in a log line, an error, the journal, CLI output or the database.
SECRETS = {
    "netvisor customer key": "PLANTEDnvCustomerKey7f3a0c",
    "netvisor partner key": "PLANTEDnvPartnerKey91c2aa",
    "severa client secret": "PLANTEDsvClientSecret55d0bb",
    "wrong netvisor customer key": "PLANTEDnvWrongKey3e1199",
    "wrong severa client secret": "PLANTEDsvWrongSecret8a2f44",
    "fernet key": KEY,
}
# Ids are shown (the API and pages show them), but at rest they are ciphertext like the rest
# of the credential objects.
IDS = {
    "netvisor customer id": "PLANTEDnvCustomerId4b1e",
    "netvisor partner id": "PLANTEDnvPartnerId0c77",
    "severa client id": "PLANTEDsvClientId9d21",
}
# Loggers of the stand-in services: what a sandbox logs about the requests it got is not
# Silta's output (the real services keep their own logs).
FOREIGN = ("silta.sandbox", "uvicorn")


@attrs.define
class SecureWorld:
    fleet: Fleet
    served: ServedFleet
    store: Store
    tenant: Tenant
    tokens: list[str]  # every Severa access and refresh token issued to Silta
    macs: list[str]  # every Netvisor MAC Silta sent
    hook: Callable[[httpx.Request, int], Awaitable[Any]] | None = None  # see Interceptor

    def secrets(self) -> dict[str, str]:
        found = dict(SECRETS)
        for number, token in enumerate(self.tokens):
            found[f"severa token {number}"] = token
        for number, mac in enumerate(self.macs):
            found[f"netvisor MAC {number}"] = mac
        return found

    def http(self) -> httpx.AsyncClient:
        async def seen(request: httpx.Request) -> None:
            mac = request.headers.get("X-Netvisor-Authentication-MAC")
            if mac:
                self.macs.append(mac)

        transport = Interceptor(httpx.AsyncHTTPTransport())  # closed with its client
        transport.hook = self.hook
        return httpx.AsyncClient(transport=transport, event_hooks={"request": [seen]})

    async def sync(self, **options: Any) -> list[RunResult]:
        async with self.http() as http:
            return await sync_tenant(
                self.store,
                self.store.tenant(self.tenant.id),
                http=http,
                severa_rate=1000,
                retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
                **options,
            )

    def nv_faults(self, **knobs: Any) -> None:
        organisation = self.fleet.netvisor.organisation(
            self.tenant.netvisor.credentials.organisation_id
        )
        for knob, value in knobs.items():  # attrs converts and validates on the way in
            setattr(organisation.faults, knob, value)

    def sv_faults(self, **knobs: Any) -> None:
        organisation = self.fleet.severa.organisation_of(IDS["severa client id"])
        for knob, value in knobs.items():
            setattr(organisation.faults, knob, value)

    def intercept(self, hook: Callable[[httpx.Request, int], Awaitable[Any]] | None) -> None:
        self.hook = hook


def planted_connections(base_url: str, organisation_id: str) -> tuple[Any, Any]:
    netvisor = NetvisorConnection(
        NetvisorCredentials(
            sender="Silta security tests",
            customer_id=IDS["netvisor customer id"],
            customer_key=SECRETS["netvisor customer key"],
            partner_id=IDS["netvisor partner id"],
            partner_key=SECRETS["netvisor partner key"],
            organisation_id=organisation_id,
        ),
        base_url=f"{base_url}/netvisor",
    )
    severa = SeveraConnection(
        SeveraCredentials(IDS["severa client id"], SECRETS["severa client secret"]),
        base_url=f"{base_url}/severa",
    )
    return netvisor, severa


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'silta.db'}"
        return
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: the PostgreSQL path is not tested")
    with postgres_schema() as url:
        yield url


@pytest.fixture
async def secure(store_url: str) -> AsyncIterator[SecureWorld]:
    world = fleet(1, size=12)
    company = world.companies[0]
    world.netvisor.add_integration(
        Integration(
            partner_id=IDS["netvisor partner id"],
            partner_key=SECRETS["netvisor partner key"],
            customer_id=IDS["netvisor customer id"],
            customer_key=SECRETS["netvisor customer key"],
            organisation_ids=(company.organisation_id,),
        )
    )
    organisation = world.severa.organisation_of(company.severa_client)
    world.severa.add_credential(
        Credential(
            client_id=IDS["severa client id"],
            client_secret=SECRETS["severa client secret"],
            organisation=organisation.id,
            scopes=frozenset(DEFAULT_SCOPES),
        )
    )
    tokens: list[str] = []
    issue = world.severa.tokens._pair

    def recorded(*args: Any, **kwargs: Any) -> dict[str, Any]:
        pair = issue(*args, **kwargs)
        tokens.extend((pair["access_token"], pair["refresh_token"]))
        return pair

    world.severa.tokens._pair = recorded  # type: ignore[method-assign]
    served = ServedFleet(world)
    store = Store.open(store_url, secret_key=KEY)
    config = next(world.configs(served.url))
    netvisor, severa = planted_connections(served.url, company.organisation_id)
    tenant = store.add_tenant(
        attrs.evolve(config, netvisor=netvisor, severa=severa), changed_by="security"
    )
    try:
        yield SecureWorld(world, served, store, tenant, tokens, [])
    finally:
        store.close()
        served.close()


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured log line of Silta and the HTTP libraries, tracebacks included, and the
    raw arguments of each record (a handler of another format might show them)."""
    lines = []
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in caplog.records:
        if record.name.startswith(FOREIGN):
            continue
        lines.append(formatter.format(record))
        lines.append(repr(record.args))
    return "\n".join(lines)


def leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return sorted(name for name, value in secrets.items() if value and value in text)
