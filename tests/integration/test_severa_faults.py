"""Severa client ↔ sandbox under load and faults: 429s, token expiry, lost answers, scopes."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest

from silta.sandbox.severa import Credential, SeveraFaults, SeveraSandbox
from silta.severa import (
    CustomerInput,
    InsufficientScope,
    RateLimits,
    SeveraClient,
    SeveraCredentials,
    SeveraOutcomeUnknown,
    SeveraServerError,
    SeveraTimeout,
)

from .severa_fixtures import BASE, SCOPES, MakeSevera, SeveraClock, mounted


def org(sandbox: SeveraSandbox):  # type: ignore[no-untyped-def]
    return sandbox.organisation_of("silta-test")


@pytest.fixture
def real_time_severa() -> SeveraSandbox:
    """A sandbox on the real clock, so its 10-per-second window is real."""
    sandbox = SeveraSandbox(seed=3, rate_limit=10)
    organisation = sandbox.add_organisation("Kuormitus Oy")
    sandbox.add_credential(
        Credential(client_id="silta-test", client_secret="s3cret", organisation=organisation.id,
                   scopes=SCOPES)
    )  # fmt: skip
    for n in range(5):
        organisation.put_customer(name=f"Asiakas {n}", number=100 + n)
    return sandbox


async def _concurrent_calls(
    sandbox: SeveraSandbox, rate: int, count: int = 100
) -> tuple[SeveraClient, float]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=mounted(sandbox))) as http:
        client = SeveraClient(
            http, SeveraCredentials("silta-test", "s3cret"), base_url=BASE, rate=rate,
            limits=RateLimits(),
        )  # fmt: skip
        guid = org(sandbox).customers()[0].guid
        started = time.perf_counter()
        results = await asyncio.gather(*(client.get_customer(guid) for _ in range(count)))
        elapsed = time.perf_counter() - started
    assert len(results) == count
    assert all(r.guid == guid for r in results)
    return client, elapsed


async def test_100_concurrent_calls_at_our_own_pace_meet_almost_no_429(
    real_time_severa: SeveraSandbox,
) -> None:
    client, elapsed = await _concurrent_calls(real_time_severa, rate=8)
    refused = org(real_time_severa).stats.rate_limited
    assert client.rate_limited == refused
    assert refused <= 2  # the pace keeps 429s rare; none surfaces as an error
    assert client.calls == 101 + refused  # 100 reads and one token, plus any resends
    assert elapsed >= 100 / 8 - 1.5


async def test_a_client_that_pushes_too_hard_is_slowed_by_429s_without_errors(
    real_time_severa: SeveraSandbox,
) -> None:
    client, _ = await _concurrent_calls(real_time_severa, rate=40, count=40)
    assert org(real_time_severa).stats.rate_limited > 0  # the sandbox did refuse
    assert client.rate_limited == org(real_time_severa).stats.rate_limited


async def test_token_expiry_in_the_middle_of_a_paged_read_is_invisible(
    severa: SeveraSandbox, make_severa: MakeSevera, severa_clock: SeveraClock
) -> None:
    organisation = org(severa)
    for n in range(250):
        organisation.put_customer(name=f"Sivu {n}", number=2000 + n)
    client = make_severa()
    seen = []
    async for customer in client.iter_customers():
        seen.append(customer.number)
        if len(seen) == 100:
            severa_clock.advance(hours=2)  # past the token's hour: refreshed before the next page
    assert sorted(n or 0 for n in seen) == list(range(2000, 2250))
    assert client.tokens.refreshed == 1


async def test_a_token_revoked_in_the_middle_of_a_paged_read_is_replaced(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    organisation = org(severa)
    for n in range(250):
        organisation.put_customer(name=f"Sivu {n}", number=3000 + n)
    client = make_severa()
    seen = []
    async for customer in client.iter_customers():
        seen.append(customer.number)
        if len(seen) == 150:
            organisation.expire_tokens()  # Severa forgets the token before its announced expiry
    assert len(seen) == 250
    assert organisation.stats.responses.get(401, 0) == 1
    assert client.tokens.issued + client.tokens.refreshed == 2


async def test_a_lost_answer_after_a_committed_create_is_outcome_unknown(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    organisation = org(severa)
    organisation.faults = SeveraFaults(lose_next_responses=1, hang_seconds=30)
    client = make_severa(timeout=0.2)
    with pytest.raises(SeveraOutcomeUnknown) as caught:
        await client.create_customer(CustomerInput(name="Kadonnut Oy", number=7001))
    assert isinstance(caught.value.__cause__, SeveraTimeout)
    assert [c["number"] for c in organisation.customers()] == [7001]  # stored once, sent once
    (found,) = [c async for c in client.iter_customers(numbers=[7001])]
    assert found.name == "Kadonnut Oy"


async def test_server_errors_on_reads_are_retried_and_on_writes_are_outcome_unknown(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    organisation = org(severa)
    guid = organisation.put_customer(name="Luettava Oy", number=8001)
    client = make_severa()
    organisation.faults = SeveraFaults(fail_next=["500", "503"])
    assert (await client.get_customer(guid)).number == 8001
    organisation.faults = SeveraFaults(fail_next=["500"])
    with pytest.raises(SeveraOutcomeUnknown) as caught:
        await client.patch_customer(guid, {"name": "Ei ehkä muuttunut"})
    assert isinstance(caught.value.__cause__, SeveraServerError)


async def test_an_injected_hang_on_a_read_times_out_and_is_retried(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    organisation = org(severa)
    organisation.faults = SeveraFaults(timeout_rate=1.0, hang_seconds=30)
    client = make_severa(timeout=0.1, attempts=2)
    with pytest.raises(SeveraTimeout):
        await client.get_customer(organisation.put_customer(name="x", number=1))


async def test_a_missing_scope_is_insufficient_scope(
    severa: SeveraSandbox, make_severa: MakeSevera
) -> None:
    severa.add_credential(
        Credential(client_id="only-customers", client_secret="s", organisation=org(severa).id,
                   scopes=frozenset({"customers:read"}))
    )  # fmt: skip
    client = make_severa(
        credentials=SeveraCredentials("only-customers", "s", scopes=("customers:read",))
    )
    assert [c async for c in client.iter_customers()] == []
    with pytest.raises(InsufficientScope):
        _ = [p async for p in client.iter_products()]


def test_token_lifetime_is_what_the_sandbox_announces(severa: SeveraSandbox) -> None:
    assert severa.access_token_lifetime == timedelta(hours=1)
