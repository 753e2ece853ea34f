"""A large register is planned and applied a batch at a time (memory bounded by the batch).

The customers S→N adapter streams: each batch is read, matched, planned and written before
the next batch is read. These tests make the batch small so that a handful of records spans
several batches.
"""

from __future__ import annotations

import re

import httpx
import pytest

from silta.domain import CustomerDirection, Register, RunKind, RunStatus, Status, System
from silta.store import Link, LinkState

from .builders import netvisor_customer, severa_customer
from .conftest import World, completed


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("silta.sync.customers.BATCH_SIZE", 3)


def _severa_to_netvisor(world: World, count: int) -> list[str]:
    world.settings(customers=CustomerDirection.SEVERA_TO_NETVISOR)
    return [severa_customer(world.sv, f"Asiakas {n} Oy", 2_000 + n) for n in range(count)]


def _netvisor_calls(world: World) -> list[str]:
    calls: list[str] = []

    async def note(request: httpx.Request, writes: int) -> httpx.Response | None:
        resource = request.url.path.rsplit("/", 1)[-1]
        if resource in ("customerlist.nv", "customer.nv", "getcustomer.nv"):
            calls.append(resource)
        return None

    world.transport.hook = note
    return calls


async def test_each_batch_is_written_before_the_next_is_read(world: World) -> None:
    _severa_to_netvisor(world, 7)
    calls = _netvisor_calls(world)
    result = await world.sync_one(Register.CUSTOMERS)
    completed([result])
    assert result.counts == {"created": 7}
    # 3 + 3 + 1: a batch's codes looked up, then its creates, then the next batch.
    batch = ["customerlist.nv"]
    assert calls == [
        *batch,
        *["customer.nv"] * 3,
        *batch,
        *["customer.nv"] * 3,
        *batch,
        "customer.nv",
    ]
    assert sorted(int(c.code) for c in world.nv.customers()) == list(range(2_000, 2_007))
    state = world.store.watermark(world.tenant.id, Register.CUSTOMERS)
    assert state is not None
    assert state.state == {"addresses": 7, "customers": 7}  # the whole run's, not a batch's


async def test_a_target_owned_by_a_record_of_a_later_batch_is_not_adopted(world: World) -> None:
    """Links are read per batch by source key *and* by the targets the batch found by code:
    a Netvisor customer linked to a Severa customer of a later batch is that one's."""
    guids = _severa_to_netvisor(world, 5)
    # Netvisor customer 2000, same business ID as every Severa customer here, is linked to
    # the last Severa customer (batch 2), not to the first one, whose number is 2000.
    key = netvisor_customer(world.nv, "2000", "Vanha Oy", externalidentifier="0737546-2")
    link = Link(Register.CUSTOMERS, System.SEVERA, guids[4], str(key), "2004", LinkState.LINKED)
    world.store.save_links(world.tenant.id, [link])
    result = await world.sync_one(Register.CUSTOMERS)
    assert world.refusals(result) == {"customers.severa.number_in_use": [guids[0]]}
    assert result.counts == {"refused": 1, "created": 3, "updated": 1}
    customer = world.nv.customer(key)
    assert customer is not None
    assert customer.code == "2004"  # the linked one's number, written in batch 2


async def test_an_empty_source_completes_and_records_its_size(world: World) -> None:
    world.settings(customers=CustomerDirection.SEVERA_TO_NETVISOR)
    result = await world.sync_one(Register.CUSTOMERS)
    completed([result])
    assert result.counts == {}
    watermark = world.store.watermark(world.tenant.id, Register.CUSTOMERS)
    assert watermark is not None
    assert watermark.state == {"addresses": 0, "customers": 0}


async def test_a_failing_service_stops_the_run_and_later_batches_are_not_read(
    world: World,
) -> None:
    """Five retryable failures in a row: the rest of the batch is not attempted, and the
    records of later batches are not even read (each would fail the same way)."""
    _severa_to_netvisor(world, 12)
    netvisor_customer(world.nv, None, "Jo Netvisorissa Oy")  # not one of ours
    lists = 0

    async def down(request: httpx.Request, writes: int) -> httpx.Response | None:
        nonlocal lists
        resource = request.url.path.rsplit("/", 1)[-1]
        if resource == "customerlist.nv":
            lists += 1
        if resource == "customer.nv":
            return httpx.Response(503, text="Service Unavailable")
        return None

    world.transport.hook = down
    result = await world.sync_one(Register.CUSTOMERS)
    assert result.status is RunStatus.FAILED
    assert result.error is not None, [e.message for e in world.entries(result)]
    assert result.error.startswith("stopped after 5 failures in a row"), result.error
    assert "later records were not read" in result.error
    # Batches of 3: two batches fail (3 + 2 attempted, the sixth not attempted), then stop:
    # two batch reads, and a lookup by code after each of the five lost creates.
    assert lists == 2 + 5
    failed = world.entries(result, status=Status.FAILED)
    assert len(failed) == 6
    assert sum("not attempted" in (e.message or "") for e in failed) == 1
    assert world.nv.stats.writes_committed == 0
    assert world.store.watermark(world.tenant.id, Register.CUSTOMERS) is None
    assert world.store.run(result.run_id).kind is RunKind.FULL


async def test_no_create_is_sent_before_its_intent_is_committed(world: World) -> None:
    """The next create's intent is committed while the current write is in flight: each
    create, when it reaches Netvisor, already has its pending link in the store."""
    _severa_to_netvisor(world, 7)
    seen: list[tuple[str, bool]] = []

    async def check(request: httpx.Request, writes: int) -> httpx.Response | None:
        if request.url.path.endswith("/customer.nv"):
            found = re.search(rb"<internalidentifier>(\d+)<", request.content, re.IGNORECASE)
            assert found is not None
            code = found.group(1).decode()
            links = world.store.links(world.tenant.id, Register.CUSTOMERS)
            seen.append((code, any(link.natural_key == code for link in links)))
        return None

    world.transport.hook = check
    completed([await world.sync_one(Register.CUSTOMERS)])
    assert [code for code, _ in seen] == [str(2_000 + n) for n in range(7)]
    assert all(intended for _, intended in seen), seen


# It counts Severa's pages, and variance mode serves shorter ones: plain sandboxes only.
@pytest.mark.parametrize("variance", [None], ids=["plain"])
async def test_the_next_batch_is_read_from_severa_while_this_one_is_written(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Severa's pages of the next batch overlap Netvisor's one-at-a-time writes."""
    monkeypatch.setattr("silta.severa.client.PAGE_SIZE", 3)  # a page per batch
    _severa_to_netvisor(world, 9)
    calls: list[str] = []

    async def note(request: httpx.Request, writes: int) -> httpx.Response | None:
        path = request.url.path
        if path.endswith("/v1/customers") and request.method == "GET":
            calls.append("severa page")
        elif path.endswith("/customer.nv"):
            calls.append("netvisor write")
        return None

    world.transport.hook = note
    result = await world.sync_one(Register.CUSTOMERS)
    completed([result])
    assert result.counts == {"created": 9}
    assert calls.count("severa page") == 3, calls
    # The second page is asked for while the first batch is being written, not after
    # its three writes.
    writes = [n for n, call in enumerate(calls) if call == "netvisor write"]
    assert calls.index("severa page", 1) < writes[2], calls
