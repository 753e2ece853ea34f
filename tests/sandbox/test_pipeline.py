"""The request pipeline: resource routing, the overlap rule, in-flight counting, every fault."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

import silta.sandbox.netvisor.app as app_module
from silta.sandbox.netvisor import Faults, NetvisorSandbox, Organisation

from .helpers import OTHER_ORG_ID, Api, assert_ok, failure, status

NEW_CUSTOMER = (
    "<root><customer><customerbaseinformation><internalidentifier>900</internalidentifier>"
    "<name>Uusi Oy</name></customerbaseinformation></customer></root>"
)


async def add_customer(api: Api, **kw: str) -> httpx.Response:
    return await api.post("customer.nv", {"method": "add"}, NEW_CUSTOMER, **kw)


# -- routing -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["CustomerList.nv", "CUSTOMERLIST.NV", "customerlist.nv"])
async def test_resource_names_are_case_insensitive(api: Api, org: Organisation, name: str) -> None:
    assert_ok(await api.get(name))
    assert org.stats.requests == {("GET", "customerlist.nv"): 1}


async def test_unknown_resource(api: Api) -> None:
    response = await api.get("accountingledger.nv", language="EN")
    assert failure(response) == "SERVICE_ACCESS_ERROR"
    assert "accountingledger.nv" in status(response)[1]


@pytest.mark.parametrize(
    ("method", "resource"), [("GET", "customer.nv"), ("POST", "customerlist.nv")]
)
async def test_wrong_http_method(api: Api, org: Organisation, method: str, resource: str) -> None:
    response = await api.call(
        method, resource, {"method": "add"}, NEW_CUSTOMER if method == "POST" else None
    )
    assert failure(response) == "SERVICE_ACCESS_ERROR"
    assert org.customers() == []


# -- overlap rule and in-flight counting ---------------------------------------------------


async def test_overlapping_requests_to_one_organisation(api: Api, org: Organisation) -> None:
    org.faults = Faults(latency=0.05)
    first, second = await asyncio.gather(api.get("customerlist.nv"), api.get("productlist.nv"))
    assert status(first) == ["OK"]
    assert failure(second) == "TECHNICAL_ERROR"
    assert "Päällekkäisiä" in status(second)[1]
    assert org.stats.overlaps == 1
    assert org.stats.peak_in_flight == 2
    assert org.stats.failures == {"TECHNICAL_ERROR": 1}
    assert org.stats.in_flight == 0


async def test_serial_requests_do_not_overlap(
    api: Api, org: Organisation, sandbox: NetvisorSandbox
) -> None:
    org.faults = Faults(latency=0.01)
    for _ in range(3):
        assert_ok(await api.get("customerlist.nv"))
    assert org.stats.overlaps == 0
    assert org.stats.peak_in_flight == 1
    assert sandbox.stats.peak_in_flight == 1


async def test_two_organisations_in_parallel(
    api: Api, sandbox: NetvisorSandbox, org: Organisation
) -> None:
    other = sandbox.organisation(OTHER_ORG_ID)
    org.faults = Faults(latency=0.05)
    other.faults = Faults(latency=0.05)
    results = await asyncio.gather(
        api.get("customerlist.nv"), api.get("customerlist.nv", organisation_id=OTHER_ORG_ID)
    )
    assert [status(r) for r in results] == [["OK"], ["OK"]]
    assert org.stats.overlaps == other.stats.overlaps == 0
    assert sandbox.stats.peak_in_flight == 2
    assert sandbox.stats.in_flight == 0


async def test_client_cancellation_keeps_counts_and_store_right(
    api: Api, org: Organisation, sandbox: NetvisorSandbox
) -> None:
    org.faults = Faults(latency=0.5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await add_customer(api)
    assert org.stats.in_flight == 0
    assert sandbox.stats.in_flight == 0
    # The work is done on arrival and the answer leaves when the latency is over (see
    # test_latency_counts_from_arrival): the client gave up on an answer on its way, and the
    # write stands, whole.
    (created,) = org.customers()
    assert created.name == "Uusi Oy"
    assert org.stats.writes_committed == 1
    org.faults = Faults()
    assert_ok(await api.get("customerlist.nv"))  # the organisation is free again


# -- faults --------------------------------------------------------------------------------


async def test_latency(api: Api, org: Organisation) -> None:
    org.faults = Faults(latency=0.05)
    started = time.perf_counter()
    assert_ok(await api.get("customerlist.nv"))
    assert time.perf_counter() - started >= 0.05


async def test_latency_counts_from_arrival(
    api: Api, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer leaves ``latency`` after the request arrived: the sandbox's own work
    (here made 30 ms slow) is inside it, as a real service's is inside its response time,
    so that a bench's "20 ms per call" is 20 ms as the client sees it."""
    loop = asyncio.get_running_loop()
    work_started: list[float] = []
    answer_at: list[float] = []
    real_lookup, real_until = app_module.lookup, app_module.until

    class Slow:
        def __init__(self, resource: Any) -> None:
            self.resource, self.method = resource, resource.method

        def handle(self, call: Any) -> Any:
            work_started.append(loop.time())
            time.sleep(0.03)
            return self.resource.handle(call)

    async def recording_until(moment: float) -> None:
        answer_at.append(moment)
        await real_until(moment)

    monkeypatch.setattr(app_module, "lookup", lambda name: Slow(real_lookup(name)))
    monkeypatch.setattr(app_module, "until", recording_until)
    org.faults = Faults(latency=0.05)
    sent = loop.time()
    assert_ok(await api.get("customerlist.nv"))
    assert loop.time() - sent >= 0.05
    (arrived,) = (moment - 0.05 for moment in answer_at)
    assert sent <= arrived <= work_started[0]


def test_latency_jitter_is_reproducible_per_seed() -> None:
    from silta.sandbox.netvisor.faults import draw_latency

    def draws(seed: int) -> list[float]:
        sandbox = NetvisorSandbox(seed=seed)
        organisation = sandbox.add_organisation("1967543-8")
        faults = Faults(latency=0.1, latency_jitter=0.05)
        return [draw_latency(faults, organisation.rng) for _ in range(5)]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)
    assert all(0.1 <= d <= 0.15 for d in draws(3))


async def test_fail_next_queue(api: Api, org: Organisation) -> None:
    org.faults = Faults(fail_next=["DUPLICATE_DATA", "period_lock"])
    assert failure(await add_customer(api)) == "DUPLICATE_DATA"
    assert failure(await api.get("customerlist.nv")) == "PERIOD_LOCK"
    assert org.customers() == []
    assert_ok(await add_customer(api))
    assert org.faults.fail_next == []
    assert org.stats.injected["fail_next"] == 2
    assert org.stats.writes_committed == 1


async def test_injected_failure_has_a_debug_header(api: Api, org: Organisation) -> None:
    org.faults = Faults(fail_next=["TECHNICAL_ERROR"])
    response = await api.get("customerlist.nv")
    assert "injected" in response.headers["x-sandbox-detail"]


async def test_maintenance(api: Api, org: Organisation) -> None:
    org.faults = Faults(maintenance=True)
    assert failure(await api.get("customerlist.nv")) == "SYSTEM_MAINTENANCE"
    assert failure(await add_customer(api)) == "SYSTEM_MAINTENANCE"
    assert org.customers() == []
    assert org.stats.injected["maintenance"] == 2


async def test_denied_resources(api: Api, org: Organisation) -> None:
    org.faults = Faults(denied_resources={"Customer.nv"})
    assert failure(await add_customer(api)) == "SERVICE_ACCESS_ERROR"
    assert_ok(await api.get("customerlist.nv"))
    assert org.customers() == []


async def test_error_rate_all(api: Api, org: Organisation) -> None:
    org.faults = Faults(error_rates={"TECHNICAL_ERROR": 1.0})
    for _ in range(3):
        assert failure(await add_customer(api)) == "TECHNICAL_ERROR"
    assert org.customers() == []
    assert org.stats.injected["error_rate"] == 3


async def test_error_rates_are_reproducible(clock: object) -> None:
    from .helpers import CUSTOMER_ID, CUSTOMER_KEY, PARTNER_ID, PARTNER_KEY, FakeClock

    async def outcomes(seed: int) -> list[str]:
        fake = FakeClock()
        sandbox = NetvisorSandbox(clock=fake, seed=seed)
        from silta.sandbox.netvisor import Integration

        sandbox.add_integration(
            Integration(PARTNER_ID, PARTNER_KEY, CUSTOMER_ID, CUSTOMER_KEY, ("1967543-8",))
        )
        sandbox.organisation("1967543-8").faults = Faults(
            error_rates={"TECHNICAL_ERROR": 0.3, "INVALID_DATA": 0.2}
        )
        transport = httpx.ASGITransport(app=sandbox.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="https://isvapi.netvisor.fi"
        ) as client:
            api = Api(client, fake)
            return [
                status(await api.get("customerlist.nv"))[-1].split(" :: ")[0] for _ in range(40)
            ]

    first = await outcomes(11)
    assert first == await outcomes(11)
    assert first != await outcomes(12)
    assert {"OK", "TECHNICAL_ERROR", "INVALID_DATA"} == set(first)


async def test_timeout_hangs_before_processing(
    api: Api, org: Organisation, sandbox: NetvisorSandbox
) -> None:
    org.faults = Faults(timeout_rate=1.0, hang_seconds=5)
    task = asyncio.create_task(add_customer(api))
    await asyncio.sleep(0.02)
    # While it hangs, the organisation is still busy: another request overlaps at once.
    assert failure(await api.get("customerlist.nv")) == "TECHNICAL_ERROR"
    assert org.stats.overlaps == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert org.customers() == []
    assert org.stats.timeouts == 1
    assert org.stats.in_flight == 0
    assert sandbox.stats.in_flight == 0


async def test_timeout_answer_when_the_client_waits_longer(api: Api, org: Organisation) -> None:
    org.faults = Faults(timeout_rate=1.0, hang_seconds=0.02)
    response = await add_customer(api)
    assert failure(response) == "TECHNICAL_ERROR"
    assert org.customers() == []


async def test_lost_response_commits_the_write(
    api: Api, org: Organisation, sandbox: NetvisorSandbox
) -> None:
    org.faults = Faults(lose_next_responses=1, hang_seconds=5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await add_customer(api)
    assert [c.code for c in org.customers()] == ["900"]
    assert org.stats.responses_lost == 1
    assert org.stats.writes_committed == 1
    assert org.stats.in_flight == 0
    assert sandbox.stats.in_flight == 0
    # The organisation is free at once, and the retry's look-up finds the record.
    root = assert_ok(await api.get("customerlist.nv", {"customercodelist": "900"}))
    assert len(root.findall("Customerlist/Customer")) == 1
    assert org.stats.overlaps == 0


async def test_lost_response_leaves_the_org_free_while_hanging(api: Api, org: Organisation) -> None:
    org.faults = Faults(lose_next_responses=1, hang_seconds=5)
    hanging = asyncio.create_task(add_customer(api))
    await asyncio.sleep(0.02)
    assert org.stats.in_flight == 0
    assert_ok(await api.get("customerlist.nv"))
    assert org.stats.overlaps == 0
    hanging.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hanging


async def test_lost_response_arrives_late_when_waited_for(api: Api, org: Organisation) -> None:
    org.faults = Faults(lost_response_rate=1.0, hang_seconds=0.02)
    root = assert_ok(await add_customer(api))
    assert root.findtext("Replies/InsertedDataIdentifier") == str(org.customers()[0].key)
    assert org.stats.responses_lost == 1


async def test_lost_responses_spare_reads_and_refused_writes(api: Api, org: Organisation) -> None:
    org.faults = Faults(lose_next_responses=1, hang_seconds=5)
    assert_ok(await api.get("customerlist.nv"))
    bad = NEW_CUSTOMER.replace("<name>Uusi Oy</name>", "")
    assert failure(await api.post("customer.nv", {"method": "add"}, bad)) == "INVALID_DATA"
    assert org.faults.lose_next_responses == 1
    assert org.stats.responses_lost == 0


async def test_default_faults_apply_to_new_organisations(
    sandbox: NetvisorSandbox, org: Organisation
) -> None:
    sandbox.default_faults = Faults(fail_next=["TECHNICAL_ERROR"])
    new = sandbox.add_organisation("2345678-0")
    assert new.faults.fail_next == ["TECHNICAL_ERROR"]
    assert org.faults == Faults()
    # Each organisation gets its own queue.
    new.faults.fail_next.pop()
    assert sandbox.default_faults.fail_next == ["TECHNICAL_ERROR"]


def test_set_faults_reaches_every_organisation(sandbox: NetvisorSandbox) -> None:
    sandbox.set_faults(Faults(maintenance=True))
    assert all(o.faults.maintenance for o in sandbox.organisations.values())
    assert sandbox.add_organisation("2345678-0").faults.maintenance


@pytest.mark.parametrize(
    "kwargs",
    [
        {"error_rates": {"NO_SUCH": 0.1}},
        {"error_rates": {"TECHNICAL_ERROR": 0.7, "INVALID_DATA": 0.7}},
        {"fail_next": ["NOPE"]},
        {"timeout_rate": 1.5},
        {"latency": -1},
        {"lose_next_responses": -1},
    ],
)
def test_faults_validate(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the messages are checked elsewhere
        Faults(**kwargs)  # type: ignore[arg-type]


async def test_stats_count_requests_and_failures(
    api: Api, org: Organisation, sandbox: NetvisorSandbox
) -> None:
    await api.get("customerlist.nv")
    await add_customer(api)
    await add_customer(api)  # duplicate code
    assert org.stats.requests == {("GET", "customerlist.nv"): 1, ("POST", "customer.nv"): 2}
    assert org.stats.failures == {"DUPLICATE_DATA": 1}
    assert org.stats.writes_committed == 1
    assert sandbox.stats.requests == 3
    sandbox.reset_stats()
    assert org.stats.total_requests == 0
    assert sandbox.stats.requests == 0
