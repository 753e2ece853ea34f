"""Two sample companies in one pair of sandboxes, served on a loopback port, for the crash test.

Company A runs scenario a (customers Severa → Netvisor, products Netvisor → Severa) and
company B scenario b (the other way round); both transfer projects, business units and
phases as dimensions. So the killed runs meet every adapter, both as reader and as writer.

The same ``seed`` builds the same world byte for byte, and :meth:`CrashWorld.change` makes
the same source changes in every world built from it: the test keeps a second, identical
world that no kill disturbs and compares end states.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from silta.fleet import tenant_config
from silta.sandbox.netvisor import Faults, Integration, NetvisorSandbox
from silta.sandbox.netvisor.customers import CustomerChanges, write_customer
from silta.sandbox.netvisor.organisation import Organisation as NetvisorOrganisation
from silta.sandbox.sample import Sample, SampleSpec, populate
from silta.sandbox.sample.companies import Company, Draw
from silta.sandbox.sample.customers import netvisor_customer, severa_customer
from silta.sandbox.sample.products import Catalogue, netvisor_product, severa_product
from silta.sandbox.severa import Credential, SeveraFaults, SeveraSandbox
from silta.sandbox.severa.organisation import Organisation as SeveraOrganisation
from silta.severa.auth import DEFAULT_SCOPES
from silta.tenants import TenantConfig

__all__ = ["CrashWorld", "Served", "crash_world", "duplicates", "end_state"]

_PARTNER = ("SILTA_CRASH_PARTNER", "silta-crash-partner-key")
_USER = ("SILTA_CRASH_USER", "silta-crash-customer-key")
_ORGANISATIONS = {"a": "2737120-5", "b": "2737121-3"}
FIRST_NEW_NUMBER = 5001  # above the sample's source numbers, below its target-only 9001...


@attrs.define
class Side:
    """One company: its two organisations, what the sample planted, and its change draws."""

    name: str
    scenario: str
    nv: NetvisorOrganisation
    sv: SeveraOrganisation
    sample: Sample
    client: str
    draw: Draw  # new companies and products, the same in every world of the seed
    rng: random.Random  # which existing customers change
    catalogue: Catalogue
    taken_names: set[str]  # customer names either system has had; a new one must differ
    added: int = 0

    @property
    def source_customers_in_severa(self) -> bool:
        return self.scenario == "a"


@attrs.define
class CrashWorld:
    netvisor: NetvisorSandbox
    severa: SeveraSandbox
    sides: list[Side]

    def configs(self, base_url: str) -> Iterator[TenantConfig]:
        for side in self.sides:
            yield tenant_config(
                side.name,
                organisation_id=side.nv.id,
                severa_client=side.client,
                scenario=side.scenario,
                headers=side.sample.dimension_headers,
                base_url=base_url,
                include_phases=True,
                sender="Silta crash test",
                partner=_PARTNER,
                user=_USER,
            )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Mount("/netvisor", app=self.netvisor.app),
                Mount("/severa", app=self.severa.app),
            ]
        )

    def misbehave(self, *, latency: float, lost_response_rate: float, hang: float) -> None:
        """A little latency on every request, and some writes whose answer comes late.

        A late answer is the window in which a kill leaves a write committed that the
        killed process never heard of: the case lookup-before-retry exists for.
        """
        knobs = {"latency": latency, "lost_response_rate": lost_response_rate}
        self.netvisor.set_faults(Faults(**knobs, hang_seconds=hang))
        self.severa.set_faults(SeveraFaults(**knobs, hang_seconds=hang))

    def change(self, count: int = 1) -> None:
        """New records and changed customers at each company's sources, as its users make.

        Only what converges to one end state whatever the runs' timing: products are only
        added (a product once transferred is never updated), customers added and changed.
        """
        for side in self.sides:
            for _ in range(count):
                _add_customer(side)
                _add_product(side)
                _change_customer(side)

    def writes(self) -> int:
        nv = sum(org.stats.writes_committed for org in self.netvisor.organisations.values())
        sv = sum(org.stats.writes_committed for org in self.severa.organisations.values())
        return nv + sv


def crash_world(seed: int, *, customers: int, products: int, projects: int) -> CrashWorld:
    netvisor = NetvisorSandbox(seed=seed)
    netvisor.add_integration(
        Integration(
            partner_id=_PARTNER[0],
            partner_key=_PARTNER[1],
            customer_id=_USER[0],
            customer_key=_USER[1],
            organisation_ids=tuple(_ORGANISATIONS.values()),
        )
    )
    severa = SeveraSandbox(seed=seed, rate_limit=None)
    sides = []
    for number, (scenario, organisation_id) in enumerate(_ORGANISATIONS.items(), start=1):
        name = f"Crash {scenario.upper()} Oy"
        client = f"silta-crash-{scenario}"
        sv = severa.add_organisation(name)
        severa.add_credential(
            Credential(
                client_id=client,
                client_secret=f"{client}-secret",
                organisation=sv.id,
                scopes=frozenset(DEFAULT_SCOPES),
            )
        )
        nv = netvisor.organisation(organisation_id)
        spec = SampleSpec(
            seed=seed + number,
            customers=customers,
            products=products,
            projects=projects,
            phases_per_project=4,
            business_units=5,
            scenario=scenario,  # type: ignore[arg-type]
        )
        sample = populate(nv, sv, spec)
        # Netvisor is not known to refuse a second customer or product with the same code:
        # let it accept one, so only Silta's lookup-before-retry stands between a crash and
        # a duplicate (a refusal would hide the engine's mistake).
        nv.unique_codes = False
        draw = Draw(seed * 1000 + number)
        taken = {c.get("name") for c in nv.customers()} | {c["name"] for c in sv.customers()}
        sides.append(
            Side(
                name=name,
                scenario=scenario,
                nv=nv,
                sv=sv,
                sample=sample,
                client=client,
                draw=draw,
                rng=random.Random(seed * 1000 + number),
                catalogue=Catalogue(draw),
                taken_names={str(n) for n in taken if n},
            )
        )
    return CrashWorld(netvisor, severa, sides)


# -- changes at the sources ---------------------------------------------------------------------


def _new_company(side: Side) -> Company:
    while True:
        company = side.draw.company()
        if company.name not in side.taken_names:
            side.taken_names.add(company.name)
            return company


def _add_customer(side: Side) -> None:
    number = FIRST_NEW_NUMBER + side.added
    company = _new_company(side)
    if side.source_customers_in_severa:
        severa_customer(side.sv, side.draw, company, number)
    else:
        netvisor_customer(side.nv, company, str(number))


def _add_product(side: Side) -> None:
    side.added += 1
    draft = side.catalogue.next()
    # a code and a name of its own: the sample's own catalogue used the same families
    draft = attrs.evolve(
        draft, code=f"UUSI-{side.added:03d}", name=f"{draft.name[:80]} /{side.added}"
    )
    if side.scenario == "a":
        netvisor_product(side.nv, draft)
    else:
        severa_product(side.sv, draft)


def _change_customer(side: Side) -> None:
    """A new e-mail address on a customer of the source, chosen by number."""
    if side.source_customers_in_severa:
        numbered = sorted(
            (c for c in side.sv.customers() if c.get("number") and c.get("email")),
            key=lambda c: c["number"],
        )
        customer = side.rng.choice(numbered)
        mailbox, _, domain = str(customer["email"]).partition("@")
        side.sv.update("customer", customer.guid, email=f"{mailbox}.{side.added}@{domain}")
        return
    numbered_nv = sorted(
        (c for c in side.nv.customers() if c.code and c.get("email")), key=lambda c: c.code
    )
    target = side.rng.choice(numbered_nv)
    mailbox, _, domain = str(target.get("email")).partition("@")
    email = f"{mailbox}.{side.added}@{domain}"
    write_customer(
        side.nv.customer_register,
        side.nv.dimension_register,
        CustomerChanges(values={"email": email, "emailinvoicingaddress": email}),
        key=target.key,
        now=side.nv._clock(),
    )


# -- what a sync leaves behind ------------------------------------------------------------------


def _sorted(items: Any) -> list[Any]:
    return sorted(items, key=repr)


def end_state(side: Side) -> dict[str, Any]:
    """Everything a sync writes for one company, by natural keys (keys and GUIDs differ
    between worlds: they follow the order of the creates)."""
    nv, sv = side.nv, side.sv

    def severa_customer_state(customer: Any) -> tuple[Any, ...]:
        head_office = (customer.get("headquarterAddress") or {}).get("guid")
        addresses = _sorted(
            (a["addressline"], a["postalCode"], a["city"], a["isBillingAddress"],
             a["isPostalAddress"], a.guid == head_office)
            for a in sv.addresses(customer.guid)
        )  # fmt: skip
        values = ("number", "name", "vatNumber", "isActive", "email", "eInvoiceAddress")
        return (*(customer.get(v) for v in values), addresses)

    return {
        "netvisor customers": _sorted((c.code, _sorted(c.fields.items())) for c in nv.customers()),
        "netvisor products": _sorted(
            (p.code, p.get("name"), str(p.unit_price), str(p.vat)) for p in nv.products()
        ),
        "netvisor dimensions": _sorted(_dimension_items(nv)),
        "severa customers": _sorted(severa_customer_state(c) for c in sv.customers()),
        "severa products": _sorted(
            (p["code"], p["name"], str((p.get("unitPrice") or {}).get("amount")))
            for p in sv.products()
        ),
    }


def _dimension_items(nv: NetvisorOrganisation) -> Iterator[tuple[str, str, str, int, bool]]:
    for header in nv.dimension_headers():
        items = nv.dimension_items(header.name)
        names = {item.key: item.name for item in items}
        for item in items:
            father = names.get(item.father_id, "")
            yield header.name, father, item.name, item.level, item.hidden


def duplicates(world: CrashWorld) -> list[str]:
    """Every record that is in a register twice: by code, number or name, by dimension item
    name under its parent, and a customer with two head offices or two delivery addresses."""
    found: list[str] = []

    def twice(label: str, values: Iterator[Any]) -> None:
        found.extend(f"{label} {v!r} x{n}" for v, n in Counter(values).items() if n > 1)

    for side in world.sides:
        nv, sv = side.nv, side.sv
        twice(
            f"{side.name} netvisor customer", (c.code.casefold() for c in nv.customers() if c.code)
        )
        twice(f"{side.name} netvisor product", (p.code.casefold() for p in nv.products() if p.code))
        for header in nv.dimension_headers():
            items = nv.dimension_items(header.name)
            twice(
                f"{side.name} netvisor dimension {header.name}",
                ((item.name, item.father_id) for item in items),
            )
        twice(f"{side.name} severa customer", (c["number"] for c in sv.customers()))
        twice(f"{side.name} severa customer name", (c["name"] for c in sv.customers()))
        twice(f"{side.name} severa product", (p["code"] for p in sv.products() if p["code"]))
        twice(f"{side.name} severa product name", (p["name"] for p in sv.products()))
        for customer in sv.customers():
            addresses = sv.addresses(customer.guid)
            postal = [a for a in addresses if a["isPostalAddress"]]
            if len(postal) > 2:
                found.append(f"{side.name} severa customer {customer['number']} {len(postal)} post")
    return found


# -- serving ------------------------------------------------------------------------------------


class Watch:
    """ASGI middleware counting the requests in flight, writes apart (a kill's witness).

    A write is a POST or PATCH other than a token request: what creates or changes a record.
    """

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.in_flight = 0
        self.writes_in_flight = 0
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        write = scope["method"] in ("POST", "PATCH") and "token" not in scope["path"]
        self.requests += 1
        self.in_flight += 1
        self.writes_in_flight += write
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:  # a killed client's request: nobody is left to answer
            pass
        finally:
            self.in_flight -= 1
            self.writes_in_flight -= write


class Served:
    """The world's sandboxes on a loopback port (uvicorn in a thread), behind a :class:`Watch`."""

    def __init__(self, world: CrashWorld) -> None:
        import uvicorn

        self.watch = Watch(world.app())
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(256)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(
            self.watch, log_level="warning", access_log=False, timeout_graceful_shutdown=1
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

    def drain(self, within: float = 30.0) -> None:
        """Wait until no request is in flight (a killed client's request still finishes at
        the server, as it would at a real service)."""
        deadline = time.monotonic() + within
        while self.watch.in_flight:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.watch.in_flight} requests still in flight")
            time.sleep(0.01)

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
