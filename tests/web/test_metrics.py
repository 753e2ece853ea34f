"""``/metrics``: Prometheus' own parser reads what a sync counted, and only the operator's
scraper (``SILTA_METRICS_TOKEN``) or an operator's token may read it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from silta.backoff import RetryPolicy
from silta.commands.demo import COMPANIES
from silta.domain import Register, Status
from silta.metrics import Metrics, fold_resource
from silta.sandbox.severa.faults import SeveraFaults
from silta.store import Schedule, SlotKey, TokenScope
from silta.sync import sync_tenant
from silta.transport import Call
from tests.web.conftest import WebWorld, sandbox_http

SCRAPER = "scrape-token-0123456789"


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return found


def _value(
    samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str
) -> float:
    return sum(
        value
        for found, value in samples.get(name, [])
        if all(found.get(key) == wanted for key, wanted in labels.items())
    )


async def test_metrics_after_a_sync_read_by_prometheus_parser(web: WebWorld) -> None:
    metrics = Metrics()
    web.state.metrics = metrics
    web.state.metrics_token = SCRAPER
    severa = web.world.severa.organisation_of(COMPANIES[0].severa_client)
    severa.faults = SeveraFaults(fail_next=["429"])  # one 429, then served
    async with sandbox_http(web.world) as http:
        results = await sync_tenant(
            web.store,
            web.tenant,
            http=http,
            severa_rate=1000,
            metrics=metrics,
            retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02),
        )
    # a slot due 90 s ago, not yet started: the schedule is 90 s late
    schedule = Schedule(web.store)
    now = web.state.scheduler_clock()
    schedule.claim(
        [SlotKey(web.tenant.id, Register.CUSTOMERS, now - timedelta(seconds=90), False)],
        owner="test",
    )
    async with web.client() as client:
        answer = await client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    samples = _samples(answer.text)

    for result in results:
        assert (
            _value(
                samples,
                "silta_runs_total",
                tenant=web.tenant.name,
                register=result.register.value,
                outcome=result.status.value,
                preview="false",
            )
            == 1
        )
    refused = [
        refusal.rule
        for result in results
        for entry in web.store.entries(result.run_id, status=Status.REFUSED)
        for refusal in entry.refusals
    ]
    assert refused
    for rule in set(refused):
        assert _value(samples, "silta_refusals_total", rule=rule) == refused.count(rule)
    recorded = sum(len(web.store.entries(result.run_id)) for result in results)
    assert _value(samples, "silta_records_total") == recorded
    refused_records = sum(
        len(web.store.entries(result.run_id, status=Status.REFUSED)) for result in results
    )
    assert _value(samples, "silta_records_total", status="refused") == refused_records
    # calls by service and resource, with their latency; the one 429 counted
    netvisor_calls = _value(samples, "silta_service_calls_total", service="netvisor")
    assert netvisor_calls > 0
    assert _value(samples, "silta_service_call_seconds_count", service="netvisor") == (
        netvisor_calls
    )
    assert (
        _value(
            samples,
            "silta_service_calls_total",
            service="netvisor",
            resource="customerlist.nv",
            outcome="200",
        )
        >= 1
    )
    assert _value(samples, "silta_service_rate_limited_total", service="severa") == 1
    assert _value(samples, "silta_service_calls_total", service="severa", outcome="429") == 1
    severa_resources = {
        labels["resource"]
        for labels, _ in samples["silta_service_calls_total"]
        if labels["service"] == "severa"
    }
    assert "/v1/customers" in severa_resources, severa_resources
    assert 89 <= _value(samples, "silta_scheduler_lag_seconds") <= 200
    assert _value(samples, "silta_scheduler_open_slots", state="queued") == 1


async def test_only_the_scraper_and_operators_read_the_metrics(web: WebWorld) -> None:
    web.state.metrics_token = SCRAPER
    kh = web.accounts.create_api_token(web.users.kh, "kh", scope=TokenScope.READ)
    operator = web.accounts.create_api_token(web.users.operator, "ops", scope=TokenScope.READ)
    async with web.client() as client:
        assert (await client.get("/metrics")).status_code == 401
        for token, status in (
            (SCRAPER, 200),
            (operator, 200),
            (kh, 403),
            ("not-a-token", 401),
            (SCRAPER + "x", 401),
        ):
            answer = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == status, token
    web.state.metrics_token = None  # no scraper token: operators' tokens still read
    async with web.client() as client:
        answer = await client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER}"})
        assert answer.status_code == 401


def test_guids_and_numbers_are_folded_out_of_resources() -> None:
    assert fold_resource("GET /v1/customers/931d6ab9-9d11-4e64-853f-9bae22992e40/addresses") == (
        "GET /v1/customers/{guid}/addresses"
    )
    assert fold_resource("customerlist.nv") == "customerlist.nv"
    assert fold_resource("GET /v1/things/42") == "GET /v1/things/{id}"
    metrics = Metrics()
    metrics.call_done(
        Call("severa", "GET", "GET /v1/customers/931d6ab9-9d11-4e64-853f-9bae22992e40", 200, 0.2)
    )
    text = metrics.exposition().decode()
    assert "931d6ab9" not in text and "{guid}" in text


async def test_a_worker_serves_its_own_metrics_on_loopback_with_the_same_tokens(
    web: WebWorld,
) -> None:
    from silta.scheduler import wall_clock
    from silta.web.metrics import serve_worker_metrics
    from tests.notify.conftest import free_port

    metrics = Metrics()
    metrics.call_done(Call("netvisor", "GET", "customerlist.nv", 200, 0.05))
    port = free_port()
    server = serve_worker_metrics(
        port, store=web.store, metrics=metrics, metrics_token=SCRAPER, clock=wall_clock
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/metrics")).status_code == 401
            kh = web.accounts.create_api_token(web.users.kh, "kh", scope=TokenScope.READ)
            bearer = {"Authorization": f"Bearer {kh}"}
            assert (await client.get("/metrics", headers=bearer)).status_code == 403
            answer = await client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER}"})
            assert answer.status_code == 200
            samples = _samples(answer.text)
            assert _value(samples, "silta_service_calls_total", resource="customerlist.nv") == 1
            assert (await client.get("/other")).status_code == 404
    finally:
        server.shutdown()
        server.server_close()
