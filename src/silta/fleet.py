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

from collections.abc import Iterator

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

__all__ = ["Company", "Fleet", "fleet"]

_PARTNER = ("SILTA_FLEET_PARTNER", "silta-fleet-partner-key")
_USER = ("SILTA_FLEET_USER", "silta-fleet-customer-key")
_DIRECTIONS = {
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
            customers, products = _DIRECTIONS[company.scenario]
            project_header, unit_header = company.sample.dimension_headers
            yield TenantConfig(
                name=company.name,
                netvisor=NetvisorConnection(
                    NetvisorCredentials(
                        sender="Silta fleet",
                        customer_id=_USER[0],
                        customer_key=_USER[1],
                        partner_id=_PARTNER[0],
                        partner_key=_PARTNER[1],
                        organisation_id=company.organisation_id,
                    ),
                    base_url=f"{base_url}/netvisor",
                ),
                severa=SeveraConnection(
                    SeveraCredentials(company.severa_client, f"{company.severa_client}-secret"),
                    base_url=f"{base_url}/severa",
                ),
                settings=TenantSettings(
                    customers=customers,
                    products=products,
                    dimensions=dimensions,
                    project_header=project_header,
                    business_unit_header=unit_header,
                ),
            )

    def writes(self) -> int:
        """Writes committed at both sandboxes so far."""
        nv = sum(org.stats.writes_committed for org in self.netvisor.organisations.values())
        sv = sum(org.stats.writes_committed for org in self.severa.organisations.values())
        return nv + sv


def _business_ids() -> Iterator[str]:
    body = 3_000_000
    while True:
        body += 1
        check = business_id_check_digit(f"{body:07d}")
        if check is not None:
            yield f"{body:07d}-{check}"


def fleet(
    count: int, *, seed: int = 1, size: int = 12, severa_rate_limit: int | None = None
) -> Fleet:
    """``count`` companies with samples of about ``size`` records per register."""
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
        spec = SampleSpec(
            seed=seed + number,
            customers=size,
            products=size,
            projects=2,
            phases_per_project=2,
            business_units=1,
            scenario=scenario,  # type: ignore[arg-type]
        )
        sample = populate(netvisor.organisation(organisation_id), org, spec)
        companies.append(Company(name, organisation_id, client, scenario, sample))
    return Fleet(netvisor, severa, companies)
