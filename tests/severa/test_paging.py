"""Paging and filters: token paging, offset paging, repeated keys, long filter lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from silta.severa import SeveraProtocolError, SeveraRequestError

from .conftest import FakeSevera, make_client


def query(request: httpx.Request) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(str(request.url)).query)


def token_pages(total: int, size: int = 100) -> Callable[[httpx.Request], httpx.Response]:
    """A route serving ``total`` customers 100 at a time with opaque page tokens."""

    def route(request: httpx.Request) -> httpx.Response:
        params = dict(query(request))
        assert params["rowCount"] == "100"
        start = int(params.get("pageToken", "tok-0").removeprefix("tok-"))
        rows = [
            {"guid": f"g{n}", "name": f"N{n}", "number": n}
            for n in range(start, min(total, start + size))
        ]
        headers = {"NextPageToken": f"tok-{start + size}"} if start + size < total else {}
        return httpx.Response(200, json=rows, headers=headers)

    return route


async def test_token_paging_follows_next_page_token_until_absent() -> None:
    fake = FakeSevera(token_pages(250))
    client = make_client(fake)
    numbers = [c.number async for c in client.iter_customers()]
    assert numbers == list(range(250))
    assert [dict(query(r)).get("pageToken") for r in fake.data_requests()] == [
        None,
        "tok-100",
        "tok-200",
    ]


async def test_an_exactly_full_last_page_ends_without_an_extra_call() -> None:
    fake = FakeSevera(token_pages(200))
    client = make_client(fake)
    assert len([c async for c in client.iter_customers()]) == 200
    assert len(fake.data_requests()) == 2


async def test_a_repeated_page_token_is_a_loop_not_an_endless_read() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=[{"guid": "g", "name": "n"}], headers={"NextPageToken": "same"}
        )

    client = make_client(FakeSevera(route))
    with pytest.raises(SeveraProtocolError, match="paging loops"):
        _ = [c async for c in client.iter_customers()]


async def test_offset_paging_stops_on_a_short_page() -> None:
    def route(request: httpx.Request) -> httpx.Response:
        params = dict(query(request))
        first, count = int(params["firstRow"]), int(params["rowCount"])
        rows = [{"guid": f"b{n}", "name": f"U{n}"} for n in range(first, min(230, first + count))]
        return httpx.Response(200, json=rows)

    fake = FakeSevera(route)
    client = make_client(fake)
    units = [u.guid async for u in client.iter_business_units(code="X")]
    assert len(units) == 230
    assert [dict(query(r))["firstRow"] for r in fake.data_requests()] == ["0", "100", "200"]
    assert all(dict(query(r))["code"] == "X" for r in fake.data_requests())


async def test_filters_use_repeated_keys_and_encoded_offsets() -> None:
    fake = FakeSevera(lambda r: httpx.Response(200, json=[]))
    client = make_client(fake)
    since = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    _ = [
        c
        async for c in client.iter_customers(
            numbers=[1001, 1002], changed_since=since, is_active=False
        )
    ]
    request = fake.data_requests()[0]
    assert "changedSince=2026-03-02T09%3A00%3A00%2B02%3A00" in str(request.url)
    assert [v for k, v in query(request) if k == "numbers"] == ["1001", "1002"]
    assert dict(query(request))["isActive"] == "false"
    with pytest.raises(SeveraRequestError, match="timezone-aware"):
        _ = [c async for c in client.iter_products(changed_since=datetime(2026, 1, 1))]


async def test_long_filter_lists_are_split_under_the_query_limit() -> None:
    fake = FakeSevera(lambda r: httpx.Response(200, json=[]))
    client = make_client(fake)
    guids = [f"{n:08d}-aaaa-bbbb-cccc-{n:012d}" for n in range(100)]
    _ = [p async for p in client.iter_phases(project_guids=guids, changed_since=datetime.now(UTC))]
    requests = fake.data_requests()
    assert len(requests) > 1
    sent = [v for r in requests for k, v in query(r) if k == "projectGuids"]
    assert sent == guids  # every guid once, in order
    assert all(len(urlsplit(str(r.url)).query) <= 2000 for r in requests)
    assert all("changedSince" in dict(query(r)) for r in requests)


async def test_an_empty_filter_list_asks_nothing() -> None:
    fake = FakeSevera(lambda r: httpx.Response(200, json=[]))
    client = make_client(fake)
    assert [c async for c in client.iter_customers(numbers=[])] == []
    assert fake.data_requests() == []


async def test_reference_data_is_read_once_per_client() -> None:
    fake = FakeSevera(
        lambda r: httpx.Response(200, json=[{"guid": "fi", "name": "suomi", "code": "fi"}])
    )
    client = make_client(fake)
    assert [lang.code for lang in await client.languages()] == ["fi"]
    await client.languages()
    assert len(fake.data_requests()) == 1


async def test_phases_with_hierarchy_is_one_flat_list() -> None:
    rows = [
        {"guid": "r", "name": "Projekti", "level": 0, "hasChildren": True},
        {"guid": "a", "name": "Suunnittelu", "code": "10", "level": 1, "hasChildren": False,
         "parentPhase": {"guid": "r"}},
    ]  # fmt: skip
    client = make_client(FakeSevera(lambda r: httpx.Response(200, json=rows)))
    phases = await client.phases_with_hierarchy("p1")
    assert [(p.guid, p.level, p.has_children) for p in phases] == [("r", 0, True), ("a", 1, False)]
    assert phases[1].parent_phase is not None
    assert phases[1].parent_phase.guid == "r"
