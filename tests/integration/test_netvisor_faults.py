"""Client ↔ sandbox under faults: error categories, overlaps, lost answers, auth failures."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest

from silta.netvisor import (
    AuthenticationFailed,
    CustomerData,
    DuplicateData,
    InvalidData,
    InvalidDataSize,
    NetvisorAuth,
    NetvisorClient,
    NetvisorOutcomeUnknown,
    NetvisorStatusError,
    NetvisorTimeout,
    OrganisationGate,
    PeriodLock,
    RequestNotUnique,
    ServiceAccessError,
    SystemMaintenance,
    TechnicalError,
)
from silta.sandbox.netvisor import Faults, NetvisorSandbox

from .conftest import ORG, OTHER_ORG, Clock, MakeClient, NoSleep, credentials

CATEGORIES: list[tuple[str, type[NetvisorStatusError], int]] = [
    ("AUTHENTICATION_FAILED", AuthenticationFailed, 401),
    ("INVALID_DATA", InvalidData, 400),
    ("INVALID_DATA_SIZE", InvalidDataSize, 400),
    ("DUPLICATE_DATA", DuplicateData, 400),
    ("REQUEST_NOT_UNIQUE", RequestNotUnique, 400),
    ("PERIOD_LOCK", PeriodLock, 400),
    ("SERVICE_ACCESS_ERROR", ServiceAccessError, 403),
    ("SYSTEM_MAINTENANCE", SystemMaintenance, 500),
    ("TECHNICAL_ERROR", TechnicalError, 500),
]


@pytest.mark.parametrize(("category", "cls", "status"), CATEGORIES)
async def test_every_category_from_the_sandbox_maps_to_its_exception(
    category: str,
    cls: type[NetvisorStatusError],
    status: int,
    make_client: MakeClient,
    sandbox: NetvisorSandbox,
) -> None:
    client = make_client(attempts=1)
    sandbox.organisation(ORG).faults = Faults(fail_next=[category])
    with pytest.raises(cls) as caught:
        await client.list_customers()
    assert type(caught.value) is cls
    assert caught.value.http_status == status  # the client asks for real status codes


async def test_failures_inside_http_200_are_caught(
    make_client: MakeClient, sandbox: NetvisorSandbox, clock: Clock
) -> None:
    class Http200Auth(NetvisorAuth):
        """The client's signing, minus the opt-in to HTTP status codes."""

        def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
            for signed in super().auth_flow(request):
                del signed.headers["X-Netvisor-Authentication-UseHTTPResponseStatusCodes"]
                yield signed

    creds = credentials()
    client = make_client(attempts=1, auth=Http200Auth(creds, clock=clock))
    sandbox.organisation(ORG).faults = Faults(fail_next=["INVALID_DATA"])
    with pytest.raises(InvalidData) as caught:
        await client.list_customers()
    assert caught.value.http_status == 200


async def test_reads_are_retried_through_transient_failures(
    make_client: MakeClient, sandbox: NetvisorSandbox, sleeps: NoSleep
) -> None:
    sandbox.organisation(ORG).faults = Faults(
        fail_next=["TECHNICAL_ERROR", "SYSTEM_MAINTENANCE", "REQUEST_NOT_UNIQUE"]
    )
    client = make_client(attempts=4)
    assert await client.list_customers() == []
    assert len(sleeps.delays) == 3


async def test_wrong_keys_are_refused_and_never_echoed(
    make_client: MakeClient, clock: Clock
) -> None:
    creds = credentials(customer_key="wrong-customer-key")
    client = make_client(creds=creds, auth=NetvisorAuth(creds, clock=clock))
    with pytest.raises(AuthenticationFailed) as caught:
        await client.list_customers()
    assert "wrong-customer-key" not in str(caught.value)
    assert "test-partner-key" not in str(caught.value)


async def test_a_clock_far_from_netvisors_is_refused(make_client: MakeClient, clock: Clock) -> None:
    creds = credentials()
    late = NetvisorAuth(creds, clock=lambda: clock() - timedelta(hours=1))
    client = make_client(auth=late)
    with pytest.raises(AuthenticationFailed):
        await client.list_customers()


async def test_a_reused_transaction_id_is_refused(make_client: MakeClient, clock: Clock) -> None:
    creds = credentials()
    same = NetvisorAuth(creds, clock=clock, new_transaction_id=lambda: "always-the-same")
    client = make_client(auth=same, attempts=2)
    await client.list_customers()
    with pytest.raises(RequestNotUnique):
        await client.list_customers()


async def test_twenty_concurrent_calls_for_one_company_never_overlap(
    make_client: MakeClient, sandbox: NetvisorSandbox
) -> None:
    for org in (ORG, OTHER_ORG):
        sandbox.organisation(org).faults = Faults(latency=0.01)
    gate = OrganisationGate()
    clients = [make_client(ORG, gate=gate) for _ in range(4)]
    started = time.perf_counter()
    await asyncio.gather(*(clients[n % 4].list_customers() for n in range(20)))
    elapsed = time.perf_counter() - started
    org = sandbox.organisation(ORG)
    assert org.stats.overlaps == 0
    assert org.stats.peak_in_flight == 1
    assert org.stats.requests[("GET", "customerlist.nv")] == 20
    assert elapsed >= 20 * 0.01  # really one after the other

    sandbox.reset_stats()
    both = [make_client(ORG, gate=gate), make_client(OTHER_ORG, gate=gate)]
    await asyncio.gather(*(c.list_customers() for c in both for _ in range(10)))
    assert sandbox.organisation(ORG).stats.overlaps == 0
    assert sandbox.organisation(OTHER_ORG).stats.overlaps == 0
    assert sandbox.stats.peak_in_flight == 2  # the two companies ran side by side


async def test_without_a_shared_gate_the_sandbox_sees_overlaps(
    make_client: MakeClient, sandbox: NetvisorSandbox
) -> None:
    """The negative control: the overlap counter does detect what the gate prevents."""
    sandbox.organisation(ORG).faults = Faults(latency=0.01)
    loners = [make_client(ORG, gate=OrganisationGate(), attempts=1) for _ in range(5)]
    results = await asyncio.gather(*(c.list_customers() for c in loners), return_exceptions=True)
    assert sandbox.organisation(ORG).stats.overlaps >= 1
    assert any(isinstance(result, TechnicalError) for result in results)


async def test_a_lost_answer_after_a_committed_add_is_outcome_unknown_and_not_resent(
    make_client: MakeClient, sandbox: NetvisorSandbox
) -> None:
    org = sandbox.organisation(ORG)
    org.faults = Faults(lose_next_responses=1, hang_seconds=30)
    client = make_client(timeout=0.2)
    with pytest.raises(NetvisorOutcomeUnknown) as caught:
        await client.add_customer(CustomerData(code="7001", name="Kadonnut vastaus Oy"))
    assert isinstance(caught.value.__cause__, NetvisorTimeout)
    assert org.stats.requests[("POST", "customer.nv")] == 1  # sent once, never again
    assert [c.code for c in org.customers()] == ["7001"]  # committed exactly once
    # What the sync engine does next: look the record up by its code, never add again.
    (found,) = await client.list_customers(codes=["7001"])
    assert found.name == "Kadonnut vastaus Oy"


async def test_a_hanging_read_times_out_and_is_retried(
    make_client: MakeClient, sandbox: NetvisorSandbox
) -> None:
    org = sandbox.organisation(ORG)
    org.faults = Faults(timeout_rate=1.0, hang_seconds=30)
    client = make_client(timeout=0.1, attempts=2)
    with pytest.raises(NetvisorTimeout):
        await client.list_customers()
    assert org.stats.requests[("GET", "customerlist.nv")] == 2
    assert org.stats.in_flight == 0  # the cancelled requests left the sandbox consistent


async def test_maintenance_window_is_retried_then_reported(
    make_client: MakeClient, sandbox: NetvisorSandbox, sleeps: NoSleep
) -> None:
    sandbox.organisation(ORG).faults = Faults(maintenance=True)
    client = make_client(attempts=3)
    with pytest.raises(SystemMaintenance):
        await client.add_customer(CustomerData(name="Huoltokatko"))
    assert len(sleeps.delays) == 2  # maintenance refuses before writing: safe to resend
    assert sandbox.organisation(ORG).customers() == []


async def test_denied_resource_is_a_service_access_error(
    client: NetvisorClient, sandbox: NetvisorSandbox
) -> None:
    sandbox.organisation(ORG).faults = Faults(denied_resources=frozenset({"dimensionlist.nv"}))
    with pytest.raises(ServiceAccessError):
        await client.list_dimensions()
    assert await client.list_customers() == []
