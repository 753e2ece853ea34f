"""Netvisor protocol costs: the XML codec alone, and client + sandbox round trips.

Codec figures exclude the network entirely: parsing a 500-customer ``getcustomer.nv``
answer (the largest page Netvisor serves) and building ``customer.nv`` add requests.
Round-trip figures run the real client against the in-process sandbox over
``httpx.ASGITransport`` with no injected latency, so they show Silta's own overhead per call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import httpx

from bench import report
from silta.netvisor import (
    CustomerData,
    NetvisorClient,
    NetvisorCredentials,
    OrganisationGate,
    schema,
)
from silta.netvisor import responses as r
from silta.netvisor import xmlcodec as x
from silta.registers.finnish import business_id_check_digit
from silta.sandbox.netvisor import Faults, Integration, NetvisorSandbox

ORG = "1967543-8"


def business_id(n: int) -> str:
    body = f"{1_000_000 + n * 7:07d}"
    while business_id_check_digit(body) is None:
        body = f"{int(body) + 1:07d}"
    return f"{body}-{business_id_check_digit(body)}"


def customer_xml(n: int) -> str:
    """One getcustomer.nv <Customer> with every field Silta reads filled in."""
    name = escape(f"Asiakas {n} & Co <Oy> ÅÄÖ")
    return (
        "<Customer><CustomerBaseInformation>"
        f"<NetvisorKey>{n}</NetvisorKey><InternalIdentifier>{1000 + n}</InternalIdentifier>"
        f"<ExternalIdentifier>{business_id(n)}</ExternalIdentifier>"
        "<OrganizationUnitNumber>003712345678</OrganizationUnitNumber>"
        "<CustomerGroupNetvisorKey>1</CustomerGroupNetvisorKey>"
        "<CustomerGroupName>Kotimaa</CustomerGroupName>"
        f"<Name>{name}</Name><NameExtension>Laskutus</NameExtension>"
        f"<StreetAddress>Katu {n}</StreetAddress><AdditionalStreetAddress>PL 1"
        "</AdditionalStreetAddress><City>Helsinki</City><PostNumber>00100</PostNumber>"
        '<Country type="ISO-3166">FI</Country><PhoneNumber>+358 40 123 4567</PhoneNumber>'
        "<FaxNumber/><Email>info@example.fi</Email>"
        "<EmailInvoicingAddress>laskut@example.fi</EmailInvoicingAddress>"
        "<HomePageUri>www.example.fi</HomePageUri><IsActive>1</IsActive>"
        "<IsPrivateCustomer>0</IsPrivateCustomer></CustomerBaseInformation>"
        "<CustomerFinvoiceDetails><FinvoiceAddress>003712345678</FinvoiceAddress>"
        "<FinvoiceRouterCode>003721291126</FinvoiceRouterCode></CustomerFinvoiceDetails>"
        "<CustomerDeliveryDetails><DeliveryName>Varasto</DeliveryName>"
        "<DeliveryStreetAddress>Varastotie 2</DeliveryStreetAddress>"
        "<DeliveryCity>Vantaa</DeliveryCity><DeliveryPostNumber>01510</DeliveryPostNumber>"
        '<DeliveryCountry type="ISO-3166">FI</DeliveryCountry></CustomerDeliveryDetails>'
        "<CustomerContactDetails><ContactPerson>Matti</ContactPerson></CustomerContactDetails>"
        "<CustomerAdditionalInformation><Comment>Kommentti</Comment>"
        "<CustomerReferenceNumber>1232</CustomerReferenceNumber>"
        '<InvoicingLanguage type="ISO-3166">FI</InvoicingLanguage>'
        '<DefaultPaymentTerm netvisorkey="3">14 pv netto</DefaultPaymentTerm>'
        "</CustomerAdditionalInformation></Customer>"
    )


def getcustomer_answer(count: int) -> bytes:
    rows = "".join(customer_xml(n) for n in range(1, count + 1))
    return (
        '<?xml version="1.0" encoding="utf-8"?><Root><ResponseStatus><Status>OK</Status>'
        f"<TimeStamp>1.10.2025 16:03:24</TimeStamp></ResponseStatus><Customers>{rows}"
        "</Customers></Root>"
    ).encode()


def sample_customer(n: int) -> CustomerData:
    return CustomerData(
        code=str(1000 + n),
        business_id=business_id(n),
        name=f"Asiakas {n} & Co <Oy> ÅÄÖ",
        street_address=f"Katu {n}",
        city="Helsinki",
        post_number="00100",
        country="FI",
        phone_number="+358 40 123 4567",
        email="info@example.fi",
        email_invoicing_address="laskut@example.fi",
        is_active=True,
        finvoice_address="003712345678",
        finvoice_router_code="003721291126",
        delivery_name="Varasto",
        delivery_street_address="Varastotie 2",
        delivery_city="Vantaa",
        delivery_post_number="01510",
        delivery_country="FI",
        comment="Kommentti",
        invoicing_language="FI",
    )


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Fastest of ``repeats`` runs, in seconds: the least disturbed measurement."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def codec(scale: float) -> dict[str, float]:
    size = 500
    body = getcustomer_answer(size)
    parsed = r.read_customers(x.parse(body))
    assert len(parsed) == size
    assert parsed[0].name == "Asiakas 1 & Co <Oy> ÅÄÖ"
    parse_s = best_of(max(3, int(10 * scale)), lambda: r.read_customers(x.parse(body)))

    requests = max(1, int(1000 * scale))
    samples = [sample_customer(n) for n in range(requests)]
    build_s = best_of(5, lambda: [x.build(schema.CUSTOMER, c) for c in samples])
    return {
        "parse_500_customers_ms": round(parse_s * 1000, 2),
        "parse_customers_per_s": round(size / parse_s),
        "parse_response_bytes": len(body),
        "build_requests": requests,
        "build_ms": round(build_s * 1000, 2),
        "build_requests_per_s": round(requests / build_s),
    }


def credentials(org: str) -> NetvisorCredentials:
    return NetvisorCredentials(
        sender="Silta bench",
        customer_id="BENCH",
        customer_key="bench-customer-key",
        partner_id="BENCH_PARTNER",
        partner_key="bench-partner-key",
        organisation_id=org,
    )


async def round_trips(scale: float) -> dict[str, float]:
    sandbox = NetvisorSandbox(seed=1)
    orgs = (ORG, "2617416-4")
    sandbox.add_integration(
        Integration(
            partner_id="BENCH_PARTNER",
            partner_key="bench-partner-key",
            customer_id="BENCH",
            customer_key="bench-customer-key",
            organisation_ids=orgs,
        )
    )
    count = max(10, int(1000 * scale))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as http:
        gate = OrganisationGate()
        clients = [
            NetvisorClient(http, credentials(org), base_url="https://isvapi.netvisor.fi", gate=gate)
            for org in orgs
        ]
        client = clients[0]
        started = time.perf_counter()
        for n in range(count):
            await client.add_customer(sample_customer(n))
        add_s = time.perf_counter() - started

        started = time.perf_counter()
        rows = await client.list_customers()
        details = await client.get_customers(row.netvisor_key for row in rows)
        read_s = time.perf_counter() - started
        assert len(details) == count

        latency = 0.005
        for org in orgs:
            sandbox.organisation(org).faults = Faults(latency=latency)
        started = time.perf_counter()
        await asyncio.gather(*(c.list_dimensions() for c in clients for _ in range(20)))
        concurrent_s = time.perf_counter() - started
        overlaps = sum(sandbox.organisation(org).stats.overlaps for org in orgs)
    return {
        "add_customer_calls": count,
        "add_customer_ms_per_call": round(add_s / count * 1000, 3),
        "read_all_customers": count,
        "read_all_calls": 1 + -(-count // 500),
        "read_all_ms": round(read_s * 1000, 1),
        "concurrent_calls": 40,
        "concurrent_latency_ms": latency * 1000,
        "concurrent_wall_ms": round(concurrent_s * 1000, 1),
        "concurrent_serial_bound_ms": round(40 * latency * 1000, 1),
        "concurrent_overlaps": overlaps,
        "peak_in_flight": sandbox.stats.peak_in_flight,
    }


async def run(scale: float) -> None:
    cpu = time.process_time()
    metrics: dict[str, Any] = {"codec": codec(scale), "round_trips": await round_trips(scale)}
    metrics["cpu_seconds"] = round(time.process_time() - cpu, 2)
    metrics["peak_rss_mib"] = round(report.peak_rss_mib(), 1)
    path = report.write("netvisor_protocol", metrics)
    c, t = metrics["codec"], metrics["round_trips"]
    report.table(
        "Netvisor protocol",
        [
            ("parse 500-customer getcustomer.nv", f"{c['parse_500_customers_ms']} ms"),
            ("  customers parsed per second", f"{c['parse_customers_per_s']:,}"),
            (f"build {c['build_requests']} customer.nv bodies", f"{c['build_ms']} ms"),
            ("add_customer via sandbox, per call", f"{t['add_customer_ms_per_call']} ms"),
            (f"read all {t['read_all_customers']} customers", f"{t['read_all_ms']} ms"),
            (
                "40 calls, 2 companies, 5 ms latency",
                f"{t['concurrent_wall_ms']} ms (one company alone ≥ "
                f"{t['concurrent_serial_bound_ms'] / 2} ms), overlaps {t['concurrent_overlaps']}",
            ),
            ("CPU seconds", f"{metrics['cpu_seconds']} s"),
            ("peak RSS", f"{metrics['peak_rss_mib']} MiB"),
        ],
    )
    print(f"\nwritten to {path}")
