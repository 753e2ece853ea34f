"""The engine's own throughput, without network: map, validate, match and plan in memory.

Each register and direction gets ``20,000 × scale`` source records and a target side that
already holds some of them, so every branch of the plan is exercised in realistic shares:

* customers S→N: 10 % refused (no / an invalid business ID), 40 % linked and unchanged,
  20 % linked and changed (an e-mail differs: an edit), 10 % found by code with the same
  business ID (adopted), 20 % new (create).
* customers N→S: 5 % refused (code with a leading zero), 40 % unchanged (customer and
  head-office address equal), 20 % changed (e-mail), 35 % new.
* products S→N and N→S: 5 % refused (no code), 40 % linked (skip), 20 % found by code in
  the target (skip), 35 % new.

Two stages are timed for each, best of ``repeats``:

``map_validate``
    the register's pure ``from_severa`` / ``from_netvisor`` over every source record
    (field mapping and the article's validation rules, refusals built).
``plan``
    the adapter's real ``plan()`` (``silta.sync.customers`` / ``silta.sync.products``): map
    and validate again, read the target, match (link, then code / number, business ID),
    build the desired target record, diff it against the current one and build the plan
    items. The clients are in-memory fakes that return pre-built ``silta.netvisor`` /
    ``silta.severa`` model objects (dictionary look-ups, no HTTP, no XML or JSON); the store
    is a fake returning pre-built links. Not included: the HTTP clients, the codecs, the
    database, journalling and apply (the writes).

Records per second per core = records / process CPU seconds (``time.process_time``) of one
single-threaded process; wall time is reported beside it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from bench import report
from bench.netvisor_protocol import business_id
from silta import netvisor, severa
from silta.domain import CustomerDirection, ProductDirection, Register, System, TenantSettings
from silta.registers import customers as customer_rules
from silta.registers import products as product_rules
from silta.registers.lookups import Lookups
from silta.severa import models as severa_models
from silta.store import Link, LinkState
from silta.sync.context import SyncContext
from silta.sync.customers import CustomersToNetvisor, CustomersToSevera
from silta.sync.plan import Plan
from silta.sync.products import ProductsToNetvisor, ProductsToSevera

TARGET_PER_CORE = 20_000
SCENARIOS = ("customers_s2n", "customers_n2s", "products_s2n", "products_n2s")

COUNTRIES = [
    severa.Country(guid="country-fi", name="Suomi", code2="FI", code3="FIN"),
    severa.Country(guid="country-se", name="Ruotsi", code2="SE", code3="SWE"),
]
LANGUAGES = [
    severa.Language(guid="lang-fi", name="suomi", code="fi"),
    severa.Language(guid="lang-en", name="englanti", code="en"),
    severa.Language(guid="lang-sv", name="ruotsi", code="sv"),
]
LOOKUPS = Lookups.of(COUNTRIES, LANGUAGES)
SETTINGS = TenantSettings(
    customers=CustomerDirection.SEVERA_TO_NETVISOR, products=ProductDirection.SEVERA_TO_NETVISOR
)


# -- in-memory stand-ins ----------------------------------------------------------------------


@attrs.frozen
class _Tenant:
    id: int = 1


class FakeStore:
    """The store reads a plan makes: links of a register (all, or by key), its watermark."""

    def __init__(self, links: dict[Register, list[Link]]) -> None:
        self._links = links
        self._by_source: dict[Register, dict[str, Link]] = {}
        self._by_target: dict[Register, dict[str, Link]] = {}

    def links(self, tenant_id: int, register: Register) -> list[Link]:
        return self._links.get(register, [])

    def links_of(
        self,
        tenant_id: int,
        register: Register,
        *,
        source_keys: Iterable[str] = (),
        target_keys: Iterable[str] = (),
    ) -> list[Link]:
        # Indexed once, as the database's indexes would be.
        if register not in self._by_source:
            links = self._links.get(register, [])
            self._by_source[register] = {link.source_key: link for link in links}
            self._by_target[register] = {link.target_key: link for link in links if link.target_key}
        by_source, by_target = self._by_source[register], self._by_target[register]
        found = [by_source[key] for key in source_keys if key in by_source]
        found += [by_target[key] for key in target_keys if key in by_target]
        return found

    def watermark(self, tenant_id: int, register: Register) -> None:
        return None  # a full run


async def _aiter(items: Iterable[Any]) -> AsyncIterator[Any]:
    for item in items:
        yield item


class FakeNetvisor:
    """What the plans call on ``NetvisorClient``, answered from dictionaries."""

    def __init__(
        self,
        customers: Sequence[netvisor.Customer] = (),
        products: Sequence[netvisor.Product] = (),
    ) -> None:
        self.customers = {c.netvisor_key: c for c in customers}
        self.customer_codes = {c.code: c for c in customers if c.code}
        self.summaries = [
            netvisor.CustomerSummary(
                netvisor_key=c.netvisor_key, name=c.name, code=c.code, business_id=c.business_id
            )
            for c in customers
        ]
        self.products = {p.netvisor_key: p for p in products}
        self.product_codes = {p.code: p for p in products if p.code}
        self.product_rows = [
            netvisor.ProductSummary(
                netvisor_key=p.netvisor_key, code=p.code, name=p.name, unit_price=p.unit_price
            )
            for p in products
        ]

    async def list_customers(
        self, *, codes: Sequence[str] | None = None, changed_since: datetime | None = None
    ) -> list[netvisor.CustomerSummary]:
        if codes is None:
            return self.summaries
        found = (self.customer_codes.get(code) for code in codes)
        return [
            netvisor.CustomerSummary(
                netvisor_key=c.netvisor_key, name=c.name, code=c.code, business_id=c.business_id
            )
            for c in found
            if c is not None
        ]

    async def get_customers(self, netvisor_keys: Iterable[int]) -> list[netvisor.Customer]:
        return [self.customers[key] for key in netvisor_keys if key in self.customers]

    async def list_products(
        self, *, changed_since: datetime | None = None, include_deleted: bool = False
    ) -> list[netvisor.ProductSummary]:
        return self.product_rows

    async def get_products(
        self,
        *,
        codes: Sequence[str] | None = None,
        netvisor_keys: Sequence[int] | None = None,
    ) -> list[netvisor.Product]:
        if codes is not None:
            return [p for code in codes if (p := self.product_codes.get(code)) is not None]
        keys = netvisor_keys or ()
        return [self.products[key] for key in keys if key in self.products]


class FakeSevera:
    """What the plans call on ``SeveraClient``, answered from lists and dictionaries."""

    def __init__(
        self,
        customers: Sequence[severa.Customer] = (),
        addresses: Sequence[severa.Address] = (),
        products: Sequence[severa.Product] = (),
    ) -> None:
        self.customers = list(customers)
        self.by_number = {c.number: c for c in customers}
        self.addresses = list(addresses)
        self.products = list(products)

    def iter_customers(
        self, *, numbers: Sequence[int] | None = None, changed_since: datetime | None = None
    ) -> AsyncIterator[severa.Customer]:
        if numbers is None:
            return _aiter(self.customers)
        return _aiter(c for n in numbers if (c := self.by_number.get(n)) is not None)

    def iter_addresses(
        self, *, changed_since: datetime | None = None
    ) -> AsyncIterator[severa.Address]:
        return _aiter(self.addresses)

    def iter_products(
        self, *, changed_since: datetime | None = None, code: str | None = None
    ) -> AsyncIterator[severa.Product]:
        return _aiter(self.products)

    async def countries(self) -> list[severa.Country]:
        return COUNTRIES

    async def languages(self) -> list[severa.Language]:
        return LANGUAGES


def _context(netvisor_fake: FakeNetvisor, severa_fake: FakeSevera, store: FakeStore) -> Any:
    return SyncContext(
        tenant=_Tenant(),  # type: ignore[arg-type]
        settings=SETTINGS,
        netvisor=netvisor_fake,  # type: ignore[arg-type]
        severa=severa_fake,  # type: ignore[arg-type]
        store=store,  # type: ignore[arg-type]
    )


def _link(register: Register, source: System, source_key: str, target_key: str) -> Link:
    return Link(register, source, source_key, target_key, None, LinkState.LINKED)


# -- worlds -----------------------------------------------------------------------------------


@attrs.frozen
class Case:
    """One register and direction, ready to plan."""

    name: str
    records: int
    map_validate: Callable[[], object]
    adapter: Any
    context: Callable[[], Any]  # a fresh context per run (it caches the lookups)
    expected: dict[str, int]


def _severa_customer(
    n: int, *, vat: str | None, email: str = "info@example.fi"
) -> tuple[severa.Customer, severa.Address]:
    guid = f"cust-{n}"
    hq = f"addr-{n}"
    customer = severa.Customer(
        guid=guid,
        name=f"Asiakas {n} Oy",
        number=10_000 + n,
        notes="Kommentti",
        email=email,
        website="www.example.fi",
        vat_number=vat,
        language=severa_models.LanguageRef(guid="lang-fi", code="fi"),
        headquarter_address=severa_models.HeadquarterAddress(guid=hq),
        e_invoice_address="003712345678",
        e_invoice_operator="003721291126",
    )
    address = severa.Address(
        guid=hq,
        addressline=f"Katu {n}",
        postal_code="00100",
        city="Helsinki",
        country=severa_models.AddressCountry(guid="country-fi"),
        phone="+358 40 123 4567",
        is_billing_address=True,
        is_postal_address=True,
        customer=severa_models.AddressCustomer(guid=guid, number=10_000 + n),
    )
    return customer, address


def customers_s2n(count: int) -> Case:
    sources: list[severa.Customer] = []
    addresses: list[severa.Address] = []
    targets: list[netvisor.Customer] = []
    links: list[Link] = []
    expected = {"refuse": 0, "unchanged": 0, "update": 0, "create": 0}
    for n in range(count):
        kind = n % 20
        vat: str | None = f"FI{business_id(n).replace('-', '')}"
        if kind == 0:
            vat = None
        elif kind == 1:
            vat = "1234567-0"  # wrong check digit
        customer, address = _severa_customer(n, vat=vat)
        sources.append(customer)
        addresses.append(address)
        if kind < 2:
            expected["refuse"] += 1
            continue
        if kind >= 16:
            expected["create"] += 1
            continue
        mapped = customer_rules.from_severa(customer, address, LOOKUPS, SETTINGS)
        desired = customer_rules.to_netvisor(mapped.record, SETTINGS)
        values = attrs.asdict(desired, recurse=False)
        if 10 <= kind < 14:
            values["email"] = "vanha@example.fi"
            expected["update"] += 1
        else:
            expected["unchanged"] += 1
        key = 500_000 + n
        targets.append(netvisor.Customer(netvisor_key=key, **values))
        if kind < 14:
            links.append(_link(Register.CUSTOMERS, System.SEVERA, customer.guid, str(key)))
    fake_netvisor = FakeNetvisor(customers=targets)
    fake_severa = FakeSevera(customers=sources, addresses=addresses)
    store = FakeStore({Register.CUSTOMERS: links})
    by_guid = {a.guid: a for a in addresses}

    def map_validate() -> object:
        return [
            customer_rules.from_severa(
                c,
                by_guid.get(c.headquarter_address.guid or "") if c.headquarter_address else None,
                LOOKUPS,
                SETTINGS,
            )
            for c in sources
        ]

    return Case(
        "customers_s2n",
        count,
        map_validate,
        CustomersToNetvisor(),
        lambda: _context(fake_netvisor, fake_severa, store),
        expected,
    )


def _netvisor_customer(n: int, code: str) -> netvisor.Customer:
    return netvisor.Customer(
        netvisor_key=700_000 + n,
        code=code,
        business_id=business_id(n),
        name=f"Asiakas {n} Oy",
        street_address=f"Katu {n}",
        city="Helsinki",
        post_number="00100",
        country="FI",
        phone_number="+358 40 123 4567",
        email="info@example.fi",
        home_page_uri="www.example.fi",
        is_active=True,
        is_private_customer=False,
        finvoice_address="003712345678",
        finvoice_router_code="003721291126",
        comment="Kommentti",
        invoicing_language="FI",
    )


def customers_n2s(count: int) -> Case:
    sources: list[netvisor.Customer] = []
    targets: list[severa.Customer] = []
    addresses: list[severa.Address] = []
    expected = {"refuse": 0, "unchanged": 0, "update": 0, "create": 0}
    for n in range(count):
        kind = n % 20
        code = f"0{20_000 + n}" if kind == 0 else str(20_000 + n)
        source = _netvisor_customer(n, code)
        sources.append(source)
        if kind == 0:
            expected["refuse"] += 1
            continue
        if kind >= 13:
            expected["create"] += 1
            continue
        record = customer_rules.from_netvisor(source).record
        wanted = customer_rules.to_severa_customer(record, LOOKUPS)
        hq = customer_rules.to_severa_address(record, LOOKUPS)
        guid, hq_guid = f"sev-{n}", f"sev-addr-{n}"
        email = str(wanted["email"])
        if kind >= 9:
            email = "vanha@example.fi"
            expected["update"] += 1
        else:
            expected["unchanged"] += 1
        targets.append(
            severa.Customer(
                guid=guid,
                name=str(wanted["name"]),
                number=int(code),
                is_active=True,
                notes=str(wanted["notes"]),
                email=email,
                website=str(wanted["website"]),
                vat_number=str(wanted["vatNumber"]),
                language=severa_models.LanguageRef(guid=str(wanted["language/guid"])),
                headquarter_address=severa_models.HeadquarterAddress(guid=hq_guid),
                e_invoice_address=str(wanted["eInvoiceAddress"]),
                e_invoice_operator=str(wanted["eInvoiceOperator"]),
            )
        )
        addresses.append(
            severa.Address(
                guid=hq_guid,
                addressline=str(hq["addressline"]),
                postal_code=str(hq["postalCode"]),
                city=str(hq["city"]),
                country=severa_models.AddressCountry(guid=str(hq["country/guid"])),
                phone=str(hq["phone"]),
                is_billing_address=True,
                is_postal_address=bool(hq["isPostalAddress"]),
                customer=severa_models.AddressCustomer(guid=guid, number=int(code)),
            )
        )
    fake_netvisor = FakeNetvisor(customers=sources)
    fake_severa = FakeSevera(customers=targets, addresses=addresses)
    store = FakeStore({})

    def map_validate() -> object:
        return [customer_rules.from_netvisor(c) for c in sources]

    return Case(
        "customers_n2s",
        count,
        map_validate,
        CustomersToSevera(),
        lambda: _context(fake_netvisor, fake_severa, store),
        expected,
    )


def _severa_product(n: int, code: str | None) -> severa.Product:
    return severa.Product(
        guid=f"prod-{n}",
        name=f"Tuote {n}",
        code=code,
        unit_price=severa.Money(amount=Decimal("120.50"), currency_code="EUR"),
        unit_cost=severa.Money(amount=Decimal("80.00"), currency_code="EUR"),
        vat_rate=Decimal("25.5"),
        measurement_unit="h",
        is_active=True,
    )


def _netvisor_product(n: int, code: str | None) -> netvisor.Product:
    return netvisor.Product(
        netvisor_key=900_000 + n,
        code=code,
        name=f"Tuote {n}",
        group="Severa",
        unit_price=Decimal("120.50"),
        unit="h",
        purchase_price=Decimal("80.00"),
        is_active=True,
        is_sales_product=True,
        vat_percent=Decimal("25.5"),
    )


def _product_kind(n: int, expected: dict[str, int]) -> int:
    kind = n % 20
    if kind == 0:
        expected["refuse"] += 1
    elif kind < 13:
        expected["skip"] += 1
    else:
        expected["create"] += 1
    return kind


def products_s2n(count: int) -> Case:
    sources: list[severa.Product] = []
    targets: list[netvisor.Product] = []
    links: list[Link] = []
    expected = {"refuse": 0, "skip": 0, "create": 0}
    for n in range(count):
        kind = _product_kind(n, expected)
        code = None if kind == 0 else f"P{n:06d}"
        sources.append(_severa_product(n, code))
        if 1 <= kind < 9:
            links.append(_link(Register.PRODUCTS, System.SEVERA, f"prod-{n}", str(900_000 + n)))
        elif 9 <= kind < 13:
            targets.append(_netvisor_product(n, code))
    fake_netvisor = FakeNetvisor(products=targets)
    fake_severa = FakeSevera(products=sources)
    store = FakeStore({Register.PRODUCTS: links})

    def map_validate() -> object:
        return [product_rules.from_severa(p) for p in sources]

    return Case(
        "products_s2n",
        count,
        map_validate,
        ProductsToNetvisor(),
        lambda: _context(fake_netvisor, fake_severa, store),
        expected,
    )


def products_n2s(count: int) -> Case:
    sources: list[netvisor.Product] = []
    targets: list[severa.Product] = []
    links: list[Link] = []
    expected = {"refuse": 0, "skip": 0, "create": 0}
    for n in range(count):
        kind = _product_kind(n, expected)
        code = None if kind == 0 else f"P{n:06d}"
        sources.append(_netvisor_product(n, code))
        if 1 <= kind < 9:
            links.append(_link(Register.PRODUCTS, System.NETVISOR, str(900_000 + n), f"prod-{n}"))
        elif 9 <= kind < 13:
            targets.append(_severa_product(n, code))
    fake_netvisor = FakeNetvisor(products=sources)
    fake_severa = FakeSevera(products=targets)
    store = FakeStore({Register.PRODUCTS: links})

    def map_validate() -> object:
        return [product_rules.from_netvisor(p) for p in sources]

    return Case(
        "products_n2s",
        count,
        map_validate,
        ProductsToSevera(),
        lambda: _context(fake_netvisor, fake_severa, store),
        expected,
    )


BUILDERS: dict[str, Callable[[int], Case]] = {
    "customers_s2n": customers_s2n,
    "customers_n2s": customers_n2s,
    "products_s2n": products_s2n,
    "products_n2s": products_n2s,
}


# -- measuring --------------------------------------------------------------------------------


def timed(repeats: int, work: Callable[[], object]) -> tuple[float, float, object]:
    """Best process-CPU and best wall seconds over ``repeats`` runs, and the last result."""
    cpu_best = wall_best = float("inf")
    result: object = None
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        result = work()
        cpu_best = min(cpu_best, time.process_time() - cpu)
        wall_best = min(wall_best, time.perf_counter() - wall)
    return cpu_best, wall_best, result


def _stage(records: int, cpu: float, wall: float) -> dict[str, float]:
    return {
        "cpu_s": round(cpu, 4),
        "wall_s": round(wall, 4),
        "records_per_s_per_core": round(records / cpu) if cpu > 0 else 0,
        "records_per_s_wall": round(records / wall) if wall > 0 else 0,
        "us_per_record_cpu": round(cpu / records * 1e6, 2),
    }


async def timed_plan(repeats: int, case: Case) -> tuple[float, float, Plan]:
    """As :func:`timed`, for the adapter's ``plan()`` (a coroutine) on a fresh context."""
    cpu_best = wall_best = float("inf")
    result = Plan()
    for _ in range(repeats):
        ctx = case.context()
        cpu, wall = time.process_time(), time.perf_counter()
        result = await case.adapter.plan(ctx, None)
        cpu_best = min(cpu_best, time.process_time() - cpu)
        wall_best = min(wall_best, time.perf_counter() - wall)
    return cpu_best, wall_best, result


async def measure(case: Case, repeats: int) -> dict[str, Any]:
    cpu, wall, _ = timed(repeats, case.map_validate)
    map_stage = _stage(case.records, cpu, wall)
    cpu, wall, result = await timed_plan(repeats, case)
    counts = dict(result.counts())
    assert len(result) == case.records, (case.name, len(result))
    assert counts == {k: v for k, v in case.expected.items() if v}, (case.name, counts)
    plan_stage = _stage(case.records, cpu, wall)
    return {
        "records": case.records,
        "actions": counts,
        "map_validate": map_stage,
        "plan": plan_stage,
        "meets_target": plan_stage["records_per_s_per_core"] >= TARGET_PER_CORE,
    }


STAGES = {
    "map_validate": "from_severa / from_netvisor of silta.registers.customers / .products: "
    "field mapping and the article's validation rules, refusals built",
    "plan": "the adapter's plan() of silta.sync.customers / .products over in-memory fake "
    "clients and store: map and validate, read targets (dict look-ups), match by link, code / "
    "number and business ID, desired target record (to_netvisor / to_severa_*), diff "
    "(netvisor_changes / severa_*_changes), plan items",
    "excluded": "HTTP clients, XML / JSON codecs, database reads and writes, journal, apply",
}


async def run(scale: float, repeats: int = 3) -> dict[str, Any]:
    count = max(100, int(20_000 * scale))
    cpu_total = time.process_time()
    results: dict[str, Any] = {}
    for name, build in BUILDERS.items():
        case = build(count)
        results[name] = await measure(case, repeats)
    plan_cpu = sum(r["plan"]["cpu_s"] for r in results.values())
    plan_records = sum(r["records"] for r in results.values())
    metrics: dict[str, Any] = {
        "records_per_case": count,
        "repeats": repeats,
        "timing": "best of repeats; records / time.process_time() seconds, one process",
        "stages": STAGES,
        "target_records_per_s_per_core": TARGET_PER_CORE,
        "cases": results,
        "plan_overall_records_per_s_per_core": round(plan_records / plan_cpu),
        "meets_target": all(r["meets_target"] for r in results.values()),
        "cpu_seconds": round(time.process_time() - cpu_total, 2),
        "peak_rss_mib": round(report.peak_rss_mib(), 1),
    }
    path = report.write("engine", metrics)
    rows: list[tuple[str, str]] = []
    for name, r in results.items():
        m, p = r["map_validate"], r["plan"]
        rows.append(
            (
                f"{name} ({r['records']:,})",
                f"map+validate {m['records_per_s_per_core']:>8,}/s/core   "
                f"plan {p['records_per_s_per_core']:>7,}/s/core "
                f"({p['us_per_record_cpu']} µs/record, wall {p['wall_s']} s)",
            )
        )
    rows.append(
        (
            "plan, all four",
            f"{metrics['plan_overall_records_per_s_per_core']:,} records/s/core "
            f"(target ≥ {TARGET_PER_CORE:,}: {'met' if metrics['meets_target'] else 'NOT met'})",
        )
    )
    rows.append(("CPU seconds", f"{metrics['cpu_seconds']} s"))
    rows.append(("peak RSS", f"{metrics['peak_rss_mib']} MiB"))
    report.table("Engine throughput (no network)", rows)
    print(f"\nwritten to {path}")
    return metrics
