"""Many small companies in one pair of sandboxes: the scheduler's tests and bench.

:func:`fleet` puts ``count`` companies in one Netvisor sandbox and one Severa sandbox, each
with a small sample of its own (:mod:`silta.sandbox.sample`), alternating the two scenarios,
and gives the tenant configuration of each, pointed at a base URL where both sandboxes are
mounted (``<base>/netvisor``, ``<base>/severa``)::

    world = fleet(50, size=12)
    for config in world.configs("http://127.0.0.1:8100"):
        store.add_tenant(config, changed_by="test")
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import attrs

from silta.domain import CustomerDirection, ProductDirection, TenantSettings
from silta.netvisor import NetvisorCredentials
from silta.registers.finnish import business_id_check_digit
from silta.sandbox.netvisor import Integration, NetvisorSandbox
from silta.sandbox.sample import Sample, SampleSpec, populate
from silta.sandbox.severa import Credential, SeveraSandbox
from silta.severa import SeveraCredentials
from silta.severa.auth import DEFAULT_SCOPES
from silta.tenants import NetvisorConnection, SeveraConnection, TenantConfig

__all__ = ["DIRECTIONS", "Company", "Fleet", "ServedFleet", "fleet", "tenant_config"]

_PARTNER = ("SILTA_FLEET_PARTNER", "silta-fleet-partner-key")
_USER = ("SILTA_FLEET_USER", "silta-fleet-customer-key")
# the sample scenarios' directions: (customers, products)
DIRECTIONS = {
    "a": (CustomerDirection.SEVERA_TO_NETVISOR, ProductDirection.NETVISOR_TO_SEVERA),
    "b": (CustomerDirection.NETVISOR_TO_SEVERA, ProductDirection.SEVERA_TO_NETVISOR),
}


@attrs.frozen
class Company:
    name: str
    organisation_id: str  # a valid Finnish business ID
    severa_client: str
    scenario: str
    sample: Sample


@attrs.define
class Fleet:
    netvisor: NetvisorSandbox
    severa: SeveraSandbox
    companies: list[Company]

    def configs(self, base_url: str, *, dimensions: bool = True) -> Iterator[TenantConfig]:
        """Each company's tenant, reaching the sandboxes at ``base_url``."""
        for company in self.companies:
            yield tenant_config(
                company.name,
                organisation_id=company.organisation_id,
                severa_client=company.severa_client,
                scenario=company.scenario,
                headers=company.sample.dimension_headers,
                base_url=base_url,
                dimensions=dimensions,
            )

    def writes(self) -> int:
        """Writes committed at both sandboxes so far."""
        nv = sum(org.stats.writes_committed for org in self.netvisor.organisations.values())
        sv = sum(org.stats.writes_committed for org in self.severa.organisations.values())
        return nv + sv


def tenant_config(
    name: str,
    *,
    organisation_id: str,
    severa_client: str,
    scenario: str,
    headers: tuple[str | None, str | None],
    base_url: str,
    dimensions: bool = True,
    include_phases: bool = False,
    sender: str = "Silta fleet",
    partner: tuple[str, str] = _PARTNER,
    user: tuple[str, str] = _USER,
) -> TenantConfig:
    """A sample company's tenant reaching the sandboxes at ``base_url`` (Netvisor under
    ``/netvisor``, Severa under ``/severa``), with the scenario's directions."""
    customers, products = DIRECTIONS[scenario]
    project_header, unit_header = headers
    return TenantConfig(
        name=name,
        netvisor=NetvisorConnection(
            NetvisorCredentials(
                sender=sender,
                customer_id=user[0],
                customer_key=user[1],
                partner_id=partner[0],
                partner_key=partner[1],
                organisation_id=organisation_id,
            ),
            base_url=f"{base_url}/netvisor",
        ),
        severa=SeveraConnection(
            SeveraCredentials(severa_client, f"{severa_client}-secret"),
            base_url=f"{base_url}/severa",
        ),
        settings=TenantSettings(
            customers=customers,
            products=products,
            dimensions=dimensions,
            project_header=project_header,
            business_unit_header=unit_header,
            include_phases=include_phases,
        ),
    )


def _business_ids() -> Iterator[str]:
    body = 3_000_000
    while True:
        body += 1
        check = business_id_check_digit(f"{body:07d}")
        if check is not None:
            yield f"{body:07d}-{check}"


def fleet(
    count: int,
    *,
    seed: int = 1,
    size: int = 12,
    severa_rate_limit: int | None = None,
    spec: Callable[[int, str], SampleSpec] | None = None,
) -> Fleet:
    """``count`` companies with samples of about ``size`` records per register.

    ``spec(number, scenario)`` gives a company its own sample instead (the bench's large
    single companies); companies alternate scenarios "a" and "b", starting with "a".
    """
    ids = _business_ids()
    organisations = [next(ids) for _ in range(count)]
    netvisor = NetvisorSandbox(seed=seed)
    netvisor.add_integration(
        Integration(
            partner_id=_PARTNER[0],
            partner_key=_PARTNER[1],
            customer_id=_USER[0],
            customer_key=_USER[1],
            organisation_ids=tuple(organisations),
        )
    )
    severa = SeveraSandbox(seed=seed, rate_limit=severa_rate_limit)
    companies = []
    for number, organisation_id in enumerate(organisations, start=1):
        scenario = "a" if number % 2 else "b"
        name = f"Fleet {number:05d} Oy"
        client = f"silta-fleet-{number:05d}"
        org = severa.add_organisation(name)
        severa.add_credential(
            Credential(
                client_id=client,
                client_secret=f"{client}-secret",
                organisation=org.id,
                scopes=frozenset(DEFAULT_SCOPES),
            )
        )
        wanted = (
            spec(number, scenario)
            if spec is not None
            else SampleSpec(
                seed=seed + number,
                customers=size,
                products=size,
                projects=2,
                phases_per_project=2,
                business_units=1,
                scenario=scenario,  # type: ignore[arg-type]
            )
        )
        sample = populate(netvisor.organisation(organisation_id), org, wanted)
        companies.append(Company(name, organisation_id, client, wanted.scenario, sample))
    return Fleet(netvisor, severa, companies)


class ServedFleet:
    """The fleet's sandboxes on a loopback port, served by uvicorn in a thread.

    For tests and the bench whose worker processes must reach the sandboxes over a real
    socket: ``<url>/netvisor`` and ``<url>/severa``.
    """

    def __init__(self, world: Fleet, *, backlog: int = 1024) -> None:
        import uvicorn
        from starlette.applications import Starlette
        from starlette.routing import Mount

        app = Starlette(
            routes=[
                Mount("/netvisor", app=world.netvisor.app),
                Mount("/severa", app=world.severa.app),
            ]
        )
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(backlog)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox server did not start within 10 s")
            time.sleep(0.01)

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
