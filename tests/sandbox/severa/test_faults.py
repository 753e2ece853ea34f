"""Every fault knob, lost answers, cancellation, and the in-flight counters."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

import silta.sandbox.severa.app as app_module
from silta.sandbox.severa import Credential, Organisation, SeveraFaults, SeveraSandbox
from silta.sandbox.severa.faults import draw_latency

from .helpers import ALL_TEST_SCOPES, BASE_URL, Api, error_of

NEW = {"name": "Uusi Oy", "number": 900}


async def test_latency(api: Api, org: Organisation) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(latency=0.05)
    started = time.perf_counter()
    assert (await api.get("/v1/customers")).status_code == 200
    assert time.perf_counter() - started >= 0.05


async def test_latency_counts_from_arrival(
    api: Api, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer leaves ``latency`` after the request arrived: the sandbox's own work
    (here made 30 ms slow) is inside it, as a real service's is inside its response time."""
    await api.authenticate()
    loop = asyncio.get_running_loop()
    work_started: list[float] = []
    answer_at: list[float] = []
    real_until = app_module.until

    def slow(handler: Any) -> Any:
        def handle(call: Any) -> Any:
            work_started.append(loop.time())
            time.sleep(0.03)
            return handler(call)

        return handle

    async def recording_until(moment: float) -> None:
        answer_at.append(moment)
        await real_until(moment)

    monkeypatch.setattr(
        app_module, "HANDLERS", {name: slow(h) for name, h in app_module.HANDLERS.items()}
    )
    monkeypatch.setattr(app_module, "until", recording_until)
    org.faults = SeveraFaults(latency=0.05)
    sent = loop.time()
    assert (await api.get("/v1/customers")).status_code == 200
    assert loop.time() - sent >= 0.05
    (arrived,) = (moment - 0.05 for moment in answer_at)
    assert sent <= arrived <= work_started[0]


async def test_token_calls_meet_no_faults(api: Api, org: Organisation) -> None:
    org.faults = SeveraFaults(fail_next=["500"], latency=0.5)
    started = time.perf_counter()
    await api.authenticate()
    assert time.perf_counter() - started < 0.4
    assert org.faults.fail_next == ["500"]


def test_latency_jitter_is_reproducible_per_seed() -> None:
    def draws(seed: int) -> list[float]:
        org = SeveraSandbox(seed=seed).add_organisation("Arpa Oy")
        faults = SeveraFaults(latency=0.1, latency_jitter=0.05)
        return [draw_latency(faults, org.rng) for _ in range(5)]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)
    assert all(0.1 <= d <= 0.15 for d in draws(3))


@pytest.mark.parametrize(
    ("kind", "status", "type_"),
    [
        ("500", 500, "InternalSystemError"),
        ("502", 502, "InternalSystemError"),
        ("503", 503, "InternalSystemError"),
        ("504", 504, "InternalSystemError"),
        ("429", 429, "InvalidRequest"),
    ],
)
async def test_fail_next(api: Api, org: Organisation, kind: str, status: int, type_: str) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(fail_next=[kind])
    failed = await api.post("/v1/customers", NEW)
    assert failed.status_code == status
    assert error_of(failed)["type"] == type_
    assert org.customers() == []  # an injected error writes nothing
    assert (await api.post("/v1/customers", NEW)).status_code == 201
    assert org.stats.injected[kind] == 1
    assert org.stats.writes_committed == 1


async def test_fail_next_is_a_queue(api: Api, org: Organisation) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(fail_next=["503", "429", "500"])
    statuses = [(await api.get("/v1/customers")).status_code for _ in range(4)]
    assert statuses == [503, 429, 500, 200]
    assert org.stats.rate_limited == 0  # an injected 429 is not the limiter's
    assert org.stats.responses[429] == 1


async def test_injected_429_with_retry_after(api: Api, org: Organisation) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(fail_next=["429"], retry_after=True)
    response = await api.get("/v1/customers")
    assert response.headers["Retry-After"] == "1"


async def test_error_rates_are_reproducible() -> None:
    async def outcomes() -> list[int]:
        sandbox = SeveraSandbox(seed=8, rate_limit=None)
        org = sandbox.add_organisation("Arvonta Oy")
        sandbox.add_credential(
            Credential(
                client_id="c", client_secret="s", organisation=org.id, scopes=ALL_TEST_SCOPES
            )
        )
        org.faults = SeveraFaults(error_rates={"500": 0.3, "503": 0.2})
        transport = httpx.ASGITransport(app=sandbox.mounted_at("/rest-api"))
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            api = Api(http, "c", "s")
            return [(await api.get("/v1/customers")).status_code for _ in range(40)]

    first = await outcomes()
    assert first == await outcomes()
    assert set(first) == {200, 500, 503}


def test_fault_values_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown error kind"):
        SeveraFaults(fail_next=["418"])
    with pytest.raises(ValueError, match="unknown error kind"):
        SeveraFaults(error_rates={"TECHNICAL_ERROR": 0.1})
    with pytest.raises(ValueError, match="more than 1"):
        SeveraFaults(error_rates={"500": 0.6, "503": 0.6})
    with pytest.raises(ValueError, match="between 0 and 1"):
        SeveraFaults(timeout_rate=2)
    with pytest.raises(ValueError, match="negative"):
        SeveraFaults(latency=-1)
    assert SeveraFaults(fail_next=[500]).fail_next == ["500"]  # type: ignore[list-item]


async def test_timeout_hangs_before_processing(
    api: Api, org: Organisation, sandbox: SeveraSandbox
) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(timeout_rate=1.0, hang_seconds=5)
    task = asyncio.create_task(api.post("/v1/customers", NEW))
    await asyncio.sleep(0.02)
    assert org.stats.in_flight == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert org.customers() == []
    assert org.stats.timeouts == 1
    assert org.stats.in_flight == sandbox.stats.in_flight == 0


async def test_timeout_answer_when_the_client_waits_longer(api: Api, org: Organisation) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(timeout_rate=1.0, hang_seconds=0.02)
    response = await api.post("/v1/customers", NEW)
    assert response.status_code == 504
    assert org.customers() == []


async def test_lost_response_commits_the_write(
    api: Api, org: Organisation, sandbox: SeveraSandbox
) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(lose_next_responses=1, hang_seconds=5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await api.post("/v1/customers", NEW)
    assert [c["number"] for c in org.customers()] == [900]
    assert org.stats.responses_lost == org.stats.writes_committed == 1
    assert org.stats.in_flight == sandbox.stats.in_flight == 0
    # The look-up a careful client makes finds the record.
    found = await api.get("/v1/customers", params={"numbers": 900})
    assert [c["name"] for c in found.json()] == ["Uusi Oy"]


async def test_a_lost_answer_leaves_the_in_flight_count_while_hanging(
    api: Api, org: Organisation, sandbox: SeveraSandbox
) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(lose_next_responses=1, hang_seconds=5)
    hanging = asyncio.create_task(api.post("/v1/customers", NEW))
    await asyncio.sleep(0.02)
    assert org.stats.in_flight == sandbox.stats.in_flight == 0  # the server is done with it
    assert (await api.get("/v1/customers")).status_code == 200
    assert org.stats.peak_in_flight == 1
    hanging.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hanging


async def test_lost_patch_answer(api: Api, org: Organisation) -> None:
    guid = org.put_customer("Vanha Oy", 1)
    await api.authenticate()
    org.faults = SeveraFaults(lose_next_responses=1, hang_seconds=5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await api.replace(f"/v1/customers/{guid}", name="Uusi Oy")
    assert org.customer(guid)["name"] == "Uusi Oy"  # type: ignore[index]


async def test_lost_responses_spare_reads_and_refused_writes(api: Api, org: Organisation) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(lose_next_responses=1, hang_seconds=5)
    assert (await api.get("/v1/customers")).status_code == 200
    assert (await api.post("/v1/customers", {"name": ""})).status_code == 400
    assert org.faults.lose_next_responses == 1
    assert org.stats.responses_lost == 0


async def test_lost_response_arrives_late_when_waited_for(api: Api, org: Organisation) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(lost_response_rate=1.0, hang_seconds=0.02)
    response = await api.post("/v1/customers", NEW)
    assert response.status_code == 201
    assert org.stats.responses_lost == 1


async def test_cancelled_requests_leave_the_store_consistent(
    api: Api, org: Organisation, sandbox: SeveraSandbox
) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(latency=0.5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await api.post("/v1/customers", NEW)
    # The sandbox does its work on arrival and answers when the latency is over, as a
    # service whose response time includes its work: the client gave up on an answer that
    # was on its way, and the write stands, whole, with nothing left in flight.
    (created,) = org.customers()
    assert created["name"] == NEW["name"]
    assert org.stats.writes_committed == sandbox.stats.writes_committed == 1
    assert org.stats.in_flight == sandbox.stats.in_flight == 0
    org.faults = SeveraFaults()
    assert (
        await api.post("/v1/customers", {"name": "Toinen Oy", "number": 901})
    ).status_code == 201
    # Many writes racing their own timeouts: each one is all or nothing.
    org.faults = SeveraFaults(latency=0.001, latency_jitter=0.01)

    async def create(n: int) -> None:
        try:
            async with asyncio.timeout(0.006):
                await api.post("/v1/customers", {"name": f"Kilpa {n} Oy", "number": 1000 + n})
        except TimeoutError:
            pass

    await asyncio.gather(*(create(n) for n in range(30)))
    numbers = sorted(c["number"] for c in org.customers())
    assert len(numbers) == len(set(numbers)) == len(org.customer_register.register)
    for record in org.customer_register.register:
        assert org.customer_by_number(record["number"]) is not None
    assert org.stats.in_flight == sandbox.stats.in_flight == 0


async def test_peak_in_flight(api: Api, org: Organisation, sandbox: SeveraSandbox) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(latency=0.03)
    results = await asyncio.gather(*(api.get("/v1/customers") for _ in range(4)))
    assert [r.status_code for r in results] == [200] * 4
    assert org.stats.peak_in_flight == sandbox.stats.peak_in_flight == 4
    assert org.stats.in_flight == 0


async def test_default_faults_apply_to_new_organisations(sandbox: SeveraSandbox) -> None:
    sandbox.default_faults = SeveraFaults(fail_next=["500"])
    new = sandbox.add_organisation("Uusi Oy")
    assert new.faults.fail_next == ["500"]
    assert new.faults is not sandbox.default_faults
    sandbox.set_faults(SeveraFaults(latency=0.2))
    assert all(o.faults.latency == 0.2 for o in sandbox.organisations.values())
