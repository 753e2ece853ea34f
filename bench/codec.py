"""Silta's Netvisor XML codec side by side with ``netvisor-api-client`` (PyPI), no network.

Both do the same two jobs in the same process, on the same inputs:

* parse one 500-customer ``getcustomer.nv`` answer (:func:`bench.netvisor_protocol.
  getcustomer_answer`) into customer objects: Silta ``responses.read_customers(xmlcodec.
  parse(body))``, the client ``GetCustomerListResponse`` (``xmltodict`` + ``inflection`` +
  ``marshmallow`` 2, the path its ``customer.detail_list()`` takes after the HTTP call;
  the body is handed over as ``response.text`` as ``requests`` would);
* build 1,000 ``customer.nv`` add bodies from the same customers (:func:`bench.
  netvisor_protocol.sample_customer`): Silta ``xmlcodec.build(schema.CUSTOMER, data)``, the
  client ``CreateCustomerRequest(...).unparse()`` (its schema dump + ``xmltodict.unparse``),
  including turning Silta's ``CustomerData`` into the client's nested input dictionary.

Before timing, the results are compared field by field (every one of the 500 parsed
customers, and a few elements of every built body), so both sides did the same work.

``netvisor-api-client`` is installed only by the ``bench`` dependency group of
``pyproject.toml``: never a runtime dependency of Silta.
"""

from __future__ import annotations

import importlib.metadata
from types import SimpleNamespace
from typing import Any

from lxml import etree

from bench import report
from bench.netvisor_protocol import best_of, getcustomer_answer, sample_customer
from silta.netvisor import CustomerData, schema
from silta.netvisor import responses as r
from silta.netvisor import xmlcodec as x

TARGET_RATIO = 3.0
CUSTOMERS = 500
BODIES = 1_000


def client_parse(body: bytes) -> list[dict[str, Any]]:
    from netvisor_api_client.responsemodels.customers import GetCustomerListResponse

    parsed: list[dict[str, Any]] = GetCustomerListResponse(
        SimpleNamespace(text=body.decode("utf-8"))
    ).data
    return parsed


def client_input(c: CustomerData) -> dict[str, Any]:
    """The client's input dictionary for one customer (its ``CreateCustomerSchema``)."""

    def some(**values: Any) -> dict[str, Any]:
        return {k: v for k, v in values.items() if v is not None}

    return some(
        customer_base_information=some(
            internal_identifier=c.code,
            external_identifier=c.business_id,
            name=c.name,
            street_address=c.street_address,
            city=c.city,
            post_number=c.post_number,
            country=c.country,
            phone_number=c.phone_number,
            email=c.email,
            is_active=c.is_active,
            email_invoicing_address=c.email_invoicing_address,
        ),
        customer_finvoice_details=some(
            finvoice_address=c.finvoice_address, finvoice_router_code=c.finvoice_router_code
        ),
        customer_delivery_details=some(
            delivery_name=c.delivery_name,
            delivery_street_address=c.delivery_street_address,
            delivery_city=c.delivery_city,
            delivery_post_number=c.delivery_post_number,
            delivery_country=c.delivery_country,
        ),
        customer_additional_information=some(
            comment=c.comment, invoicing_language=c.invoicing_language
        ),
    )


def client_build(c: CustomerData) -> bytes:
    from netvisor_api_client.requestmodels.customer import CreateCustomerRequest

    body: bytes = CreateCustomerRequest(
        None, params={"method": "add"}, data=client_input(c)
    ).unparse()
    return body


def _check_parse(body: bytes) -> list[str]:
    """Both parsers read the same 500 customers; returns what the client does not read."""
    ours = r.read_customers(x.parse(body))
    theirs = client_parse(body)
    assert len(ours) == len(theirs) == CUSTOMERS, (len(ours), len(theirs))
    for mine, other in zip(ours, theirs, strict=True):
        base = other["customer_base_information"]
        pairs = [
            (mine.netvisor_key, base["netvisor_key"]),
            (mine.code, base["internal_identifier"]),
            (mine.business_id, base["external_identifier"]),
            (mine.name, base["name"]),
            (mine.street_address, base["street_address"]),
            (mine.city, base["city"]),
            (mine.country, base["country"]),
            (mine.email, base["email"]),
            (mine.is_active, base["is_active"]),
            (mine.finvoice_router_code, other["customer_finvoice_details"]["finvoice_router_code"]),
            (mine.delivery_city, other["customer_delivery_details"]["delivery_city"]),
            (mine.comment, other["customer_additional_information"]["comment"]),
        ]
        for a, b in pairs:
            assert a == b, (mine.netvisor_key, a, b)
    # Fields Silta reads that the client's GetCustomerSchema has no field for (dropped).
    first = theirs[0]
    flat = {k for part in first.values() if isinstance(part, dict) for k in part}
    wanted = {
        "organization_unit_number": ours[0].organization_unit_number,
        "is_private_customer": ours[0].is_private_customer,
        "delivery_country": ours[0].delivery_country,
        "invoicing_language": ours[0].invoicing_language,
        "customer_reference_number": "1232",
        "default_payment_term": "14 pv netto",
    }
    return sorted(name for name in wanted if name not in flat)


def _check_build(samples: list[CustomerData]) -> None:
    """Both bodies carry the same values (tag case differs: Netvisor ignores it)."""
    for c in samples:
        mine = etree.fromstring(x.build(schema.CUSTOMER, c))
        other = etree.fromstring(client_build(c))
        for ours_tag, their_tag in (
            ("internalidentifier", "InternalIdentifier"),
            ("externalidentifier", "ExternalIdentifier"),
            ("name", "Name"),
            ("city", "City"),
            ("isactive", "IsActive"),
            ("finvoiceroutercode", "FinvoiceRouterCode"),
            ("deliverycountry", "DeliveryCountry"),
            ("invoicinglanguage", "InvoicingLanguage"),
        ):
            a, b = mine.findtext(f".//{ours_tag}"), other.findtext(f".//{their_tag}")
            assert a is not None, (c.code, ours_tag)
            assert a == b, (c.code, ours_tag, a, b)


def measure(scale: float) -> dict[str, Any]:
    body = getcustomer_answer(CUSTOMERS)
    samples = [sample_customer(n) for n in range(BODIES)]
    not_read = _check_parse(body)
    _check_build(samples)

    repeats = max(3, int(10 * scale))
    silta_parse = best_of(repeats, lambda: r.read_customers(x.parse(body)))
    client_parse_s = best_of(repeats, lambda: client_parse(body))
    build_repeats = max(3, int(5 * scale))
    silta_build = best_of(build_repeats, lambda: [x.build(schema.CUSTOMER, c) for c in samples])
    client_build_s = best_of(build_repeats, lambda: [client_build(c) for c in samples])
    parse_ratio = client_parse_s / silta_parse
    build_ratio = client_build_s / silta_build
    return {
        "client": f"netvisor-api-client {importlib.metadata.version('netvisor-api-client')}",
        "timing": f"best of {repeats} (parse) / {build_repeats} (build), time.perf_counter",
        "parse_customers": CUSTOMERS,
        "parse_response_bytes": len(body),
        "parse_silta_ms": round(silta_parse * 1000, 2),
        "parse_client_ms": round(client_parse_s * 1000, 2),
        "parse_speedup": round(parse_ratio, 1),
        "parse_fields_client_does_not_read": not_read,
        "build_bodies": BODIES,
        "build_silta_ms": round(silta_build * 1000, 2),
        "build_client_ms": round(client_build_s * 1000, 2),
        "build_speedup": round(build_ratio, 1),
        "target_speedup": TARGET_RATIO,
        "meets_target": parse_ratio >= TARGET_RATIO and build_ratio >= TARGET_RATIO,
    }


def run(scale: float) -> dict[str, Any]:
    metrics = measure(scale)
    metrics["peak_rss_mib"] = round(report.peak_rss_mib(), 1)
    path = report.write("codec", metrics)
    m = metrics
    report.table(
        f"XML codec: Silta versus {m['client']}",
        [
            (
                f"parse {m['parse_customers']}-customer getcustomer.nv",
                f"Silta {m['parse_silta_ms']} ms, client {m['parse_client_ms']} ms: "
                f"{m['parse_speedup']}x",
            ),
            (
                f"build {m['build_bodies']} customer.nv bodies",
                f"Silta {m['build_silta_ms']} ms, client {m['build_client_ms']} ms: "
                f"{m['build_speedup']}x",
            ),
            (
                "target ≥ 3x both",
                "met" if m["meets_target"] else "NOT met",
            ),
            ("fields the client drops", ", ".join(m["parse_fields_client_does_not_read"])),
        ],
    )
    print(f"\nwritten to {path}")
    return metrics
