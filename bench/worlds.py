"""One company's two sandboxes, in process, with records put straight in.

The sync scenarios (:mod:`bench.sync_scenarios`) need companies that start *empty* on the
target side and hold N plain, valid records on the source side. :mod:`silta.fleet`'s sample
generator plants refusals and pre-matched records on purpose, so this module has its own:

* Severa customers with a unique number, a valid ``vatNumber`` and a head-office address
  flagged Billing and Post; products with a unique code, a net price and VAT 25.5 %;
  projects (each with ``phases`` coded sub-phases) owned by the first customer, spread over
  the business units.
* Netvisor customers with a numeric code (no leading zero), a valid business ID and a street
  address; products with a code, a net price and VAT 25.5 %.

The engine reaches both through ``httpx.ASGITransport`` in the same event loop (see
:class:`World` for why not a socket). Both sandboxes and the engine read one
:class:`ShiftClock`: the wall clock plus an offset the bench moves forward between runs, so
that what a run wrote lies outside the engine's ten-minute overlap at the next run, as
between two real 40-minute cycles.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx

from silta.domain import CustomerDirection, ProductDirection, TenantSettings
from silta.netvisor import NetvisorCredentials
from silta.registers.finnish import business_id_check_digit
from silta.sandbox.netvisor import Integration, NetvisorSandbox
from silta.sandbox.netvisor.customers import CustomerChanges, write_customer
from silta.sandbox.netvisor.faults import Faults
from silta.sandbox.netvisor.products import ProductChanges, write_product
from silta.sandbox.severa import ALL_SCOPES, Credential, SeveraSandbox
from silta.sandbox.severa.faults import SeveraFaults
from silta.sandbox.severa.ratelimit import RateLimiter
from silta.severa import SeveraCredentials
from silta.store import Store
from silta.tenants import NetvisorConnection, SeveraConnection, TenantConfig

__all__ = ["PROJECT_HEADER", "UNIT_HEADER", "ShiftClock", "Sizes", "World"]

ORG_ID = "1234567-1"
PROJECT_HEADER = "Projekti"
UNIT_HEADER = "Yksikkö"


class ShiftClock:
    """The wall clock (UTC) plus an offset that only moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by


@attrs.frozen
class Sizes:
    customers: int = 0
    products: int = 0
    projects: int = 0
    phases_per_project: int = 0
    business_units: int = 0

    @property
    def records(self) -> int:
        return (
            self.customers
            + self.products
            + self.projects * (1 + self.phases_per_project)
            + self.business_units
        )


def business_ids(start: int = 2_000_000) -> Any:
    body = start
    while True:
        body += 1
        check = business_id_check_digit(f"{body:07d}")
        if check is not None:
            yield f"{body:07d}", check


class World:
    """One company: both sandboxes mounted in one ASGI app; a SQLite store with its tenant."""

    def __init__(self, directory: Path, *, severa_limit: int) -> None:
        self.clock = ShiftClock()
        self.netvisor = NetvisorSandbox(seed=1, clock=self.clock)
        self.netvisor.add_integration(
            Integration(
                partner_id="P",
                partner_key="pk",
                customer_id="C",
                customer_key="ck",
                organisation_ids=(ORG_ID,),
            )
        )
        self.severa = SeveraSandbox(seed=1, rate_limit=severa_limit, clock=self.clock)
        org = self.severa.add_organisation("Bench Oy")
        self.severa.add_credential(
            Credential(
                client_id="bench",
                client_secret="bench-secret",  # noqa: S106 (a sandbox credential)
                organisation=org.id,
                scopes=ALL_SCOPES,
            )
        )  # fmt: skip
        self.nv = self.netvisor.organisation(ORG_ID)
        self.sv = self.severa.organisation_of("bench")
        self.nv.put_dimension_header(PROJECT_HEADER)
        self.nv.put_dimension_header(UNIT_HEADER)
        from starlette.applications import Starlette
        from starlette.routing import Mount

        app = Starlette(
            routes=[
                Mount("/netvisor", app=self.netvisor.app),
                Mount("/severa", app=self.severa.app),
            ]
        )
        # In-process ASGI, not uvicorn in a thread: on this machine a uvicorn server in a
        # thread of the client's process adds ~45 ms to every request (see performance.md).
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=600)
        url = "http://sandbox"
        self.store = Store.open(
            f"sqlite:///{directory / 'silta.db'}", key_file=directory / "silta.key"
        )
        self.tenant_id = self.store.add_tenant(
            TenantConfig(
                name="Bench Oy",
                netvisor=NetvisorConnection(
                    NetvisorCredentials(
                        sender="Silta bench",
                        customer_id="C",
                        customer_key="ck",
                        partner_id="P",
                        partner_key="pk",
                        organisation_id=ORG_ID,
                    ),
                    base_url=f"{url}/netvisor",
                ),
                severa=SeveraConnection(
                    SeveraCredentials("bench", "bench-secret"),
                    base_url=f"{url}/severa",
                ),
                settings=TenantSettings(),
            ),
            changed_by="bench",
        ).id
        self.severa_guids: dict[str, list[str]] = {
            "customer": [], "address": [], "product": [], "project": [], "phase": [],
            "business_unit": [],
        }  # fmt: skip
        self.netvisor_keys: dict[str, list[int]] = {"customer": [], "product": []}

    async def close(self) -> None:
        await self.http.aclose()

    # -- settings and knobs -------------------------------------------------------------------

    def configure(self, customers: str, products: str, *, dimensions: bool) -> None:
        settings = TenantSettings(
            customers=CustomerDirection(customers),
            products=ProductDirection(products),
            dimensions=dimensions,
            project_header=PROJECT_HEADER if dimensions else None,
            business_unit_header=UNIT_HEADER if dimensions else None,
            include_phases=dimensions,
        )
        self.store.change_settings(self.tenant_id, settings, changed_by="bench")

    def tenant(self) -> Any:
        return self.store.tenant(self.tenant_id)

    def knobs(self, *, netvisor_latency: float, severa_latency: float, limit: int | None) -> None:
        self.nv.faults = Faults(latency=netvisor_latency)
        self.sv.faults = SeveraFaults(latency=severa_latency)
        self.severa.limiter = RateLimiter(limit)

    # -- sources ------------------------------------------------------------------------------

    def fill_severa(self, sizes: Sizes) -> None:
        ids = business_ids()
        finland = self.sv.country("FI").guid
        for n in range(sizes.customers):
            body, check = next(ids)
            guid = self.sv.put_customer(
                name=f"Asiakas {n + 1} Oy", number=10_001 + n, vatNumber=f"FI{body}{check}"
            )
            address = self.sv.put_address(
                guid, addressline=f"Mannerheimintie {n + 1}", postalCode="00100",
                city="Helsinki", country=finland, isBillingAddress=True, isPostalAddress=True,
            )  # fmt: skip
            self.sv.update("customer", guid, headquarterAddress=address)
            self.severa_guids["customer"].append(guid)
            self.severa_guids["address"].append(address)
        for n in range(sizes.products):
            guid = self.sv.put_product(
                f"Tuote {n + 1}", f"SP{n + 1}",
                unitPrice={"amount": 10 + n % 90, "currencyCode": "EUR"}, vatRate=25.5,
            )  # fmt: skip
            self.severa_guids["product"].append(guid)
        units = []
        for n in range(sizes.business_units):
            units.append(self.sv.put_business_unit(name=f"Yksikkö {n + 1}", code=f"Y{n + 1}"))
        self.severa_guids["business_unit"] = units
        owner = self.severa_guids["customer"][0] if self.severa_guids["customer"] else None
        if sizes.projects and owner is None:
            body, check = next(ids)
            owner = self.sv.put_customer(name="Projektiasiakas Oy", vatNumber=f"FI{body}{check}")
        for n in range(sizes.projects):
            project = self.sv.put_project(
                f"Projekti {n + 1}", owner, number=50_001 + n,
                business_unit_guid=units[n % len(units)] if units else None,
            )  # fmt: skip
            self.severa_guids["project"].append(project)
            for m in range(sizes.phases_per_project):
                phase = self.sv.put_phase(project, name=f"Vaihe {m + 1}", code=str(m + 1))
                self.severa_guids["phase"].append(phase)

    def fill_netvisor(self, sizes: Sizes) -> None:
        ids = business_ids(4_000_000)
        for n in range(sizes.customers):
            body, check = next(ids)
            key = self.nv.put_customer(
                internalidentifier=str(20_001 + n), name=f"Asiakas {n + 1} Oy",
                externalidentifier=f"{body}-{check}", streetaddress=f"Aleksanterinkatu {n + 1}",
                postnumber="00100", city="Helsinki", isactive="1",
            )  # fmt: skip
            self.netvisor_keys["customer"].append(key)
        for n in range(sizes.products):
            key = self.nv.put_product(
                unitprice=Decimal(10 + n % 90), defaultvatpercentage=Decimal("25.5"),
                productcode=f"NP{n + 1}", name=f"Tuote {n + 1}",
            )  # fmt: skip
            self.netvisor_keys["product"].append(key)

    # -- changes on the source since the last run --------------------------------------------

    def change_severa(self, fraction: float) -> int:
        """Rename ``fraction`` of every Severa source register (at least one record each)."""
        changed = 0
        for kind in ("customer", "product", "project", "phase", "business_unit"):
            guids = self.severa_guids[kind]
            for guid in guids[: _share(len(guids), fraction)]:
                record = self.sv.collection(kind).get(guid)
                self.sv.rename(kind, guid, f"{record['name']} (muutettu)")
                changed += 1
        return changed

    def change_netvisor(self, fraction: float) -> int:
        """Rename ``fraction`` of the Netvisor customers and products (at least one each)."""
        changed = 0
        now = self.clock()
        for key in self.netvisor_keys["customer"][
            : _share(len(self.netvisor_keys["customer"]), fraction)
        ]:
            customer = self.nv.customer(key)
            write_customer(
                self.nv.customer_register, self.nv.dimension_register,
                CustomerChanges(values={"name": f"{customer.name} (muutettu)"}),
                key=key, now=now,
            )  # fmt: skip
            changed += 1
        for key in self.netvisor_keys["product"][
            : _share(len(self.netvisor_keys["product"]), fraction)
        ]:
            product = self.nv.product(key)
            write_product(
                self.nv.product_register, self.nv.dimension_register,
                ProductChanges(values={"name": f"{product.fields['name']} (muutettu)"}),
                key=key, now=now,
            )  # fmt: skip
            changed += 1
        return changed


def _share(total: int, fraction: float) -> int:
    return min(total, max(1, round(total * fraction))) if total else 0
