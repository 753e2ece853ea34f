"""The history in the JSON API: runs and records paged by cursor (``Link`` and
``X-Next-Cursor``), the record search and timeline, open refusals, the fleet's states, and
each run's trigger kind, failure category and progress."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import httpx
import pytest

from silta.domain import RunStatus
from silta.store import Detail, History

from .conftest import WebWorld
from .history_data import CONNECT_ERROR, customer, record_run, seed_fleet
from .test_api import Api, as_user, sync


@pytest.fixture
async def api_kh(web: WebWorld) -> AsyncIterator[Api]:
    async with web.client() as http:
        yield as_user(web, http, web.users.kh)


@pytest.fixture
async def api_operator(web: WebWorld) -> AsyncIterator[Api]:
    async with web.client() as http:
        yield as_user(web, http, web.users.operator)


def next_cursor(answer: httpx.Response) -> str | None:
    """The next page's cursor, checked against the ``Link`` header that names the page."""
    cursor = answer.headers.get("x-next-cursor")
    link = answer.headers.get("link")
    if cursor is None:
        assert link is None
        return None
    assert link is not None
    found = re.fullmatch(r'<(http://silta\.test/api/v1/[^>]+)>; rel="next"', link)
    assert found, link
    assert httpx.URL(found.group(1)).params["cursor"] == cursor
    return cursor


async def every_page(api: Api, path: str, **params: Any) -> list[list[Any]]:
    pages: list[list[Any]] = []
    cursor: str | None = None
    while True:
        answer = await api.get(path, **params, **({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        cursor = next_cursor(answer)
        if cursor is None:
            return pages


async def test_runs_page_past_500_with_filters(web: WebWorld, api_kh: Api) -> None:
    tenant = web.tenant.id
    ids = [record_run(web.store, tenant, trigger=f"schedule #{n}") for n in range(520)]
    failed = record_run(web.store, tenant, status=RunStatus.FAILED, error=CONNECT_ERROR,
                        trigger="sync now (api): bot@demo.fi")  # fmt: skip
    pages = await every_page(api_kh, f"/tenants/{tenant}/runs", limit=200)
    assert [len(p) for p in pages] == [200, 200, 121]
    assert [run["id"] for p in pages for run in p] == [failed, *reversed(ids)]
    newest = pages[0][0]
    assert (newest["trigger_kind"], newest["failure"]) == ("api", "netvisor_unreachable")
    assert newest["error"] == CONNECT_ERROR and newest["progress"] is None
    assert (pages[0][1]["trigger_kind"], pages[0][1]["failure"]) == ("schedule", None)
    assert [r["id"] for r in await api_kh.ok(f"/tenants/{tenant}/runs", status="failed")] == [
        failed
    ]
    assert [r["id"] for r in await api_kh.ok(f"/tenants/{tenant}/runs", trigger="api")] == [failed]
    assert await api_kh.ok(f"/tenants/{tenant}/runs", preview="true") == []
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert await api_kh.ok(f"/tenants/{tenant}/runs", since=later) == []
    assert len(await api_kh.ok(f"/tenants/{tenant}/runs", until=later, limit=500)) == 500
    for bad in ({"cursor": "nonsense"}, {"trigger": "x"}, {"since": "2026-12-01T00:00:00"},
                {"limit": 0}, {"limit": 501}):  # fmt: skip
        assert (await api_kh.get(f"/tenants/{tenant}/runs", **bad)).status_code == 422, bad


async def test_a_running_runs_progress_is_in_the_api(web: WebWorld, api_kh: Api) -> None:
    run_id = record_run(web.store, web.tenant.id, status=RunStatus.RUNNING)
    web.store.report_progress(run_id, read=10, done=4, written=2)
    run = await api_kh.ok(f"/tenants/{web.tenant.id}/runs/{run_id}")
    assert {k: v for k, v in run["progress"].items() if k != "at"} == {
        "read": 10, "done": 4, "written": 2,
    }  # fmt: skip
    assert run["status"] == "running" and run["failure"] is None


async def test_a_runs_entries_page_by_cursor(web: WebWorld, api_kh: Api) -> None:
    entries = [customer(n) for n in range(1, 121)]
    run_id = record_run(web.store, web.tenant.id, entries)
    path = f"/tenants/{web.tenant.id}/runs/{run_id}/entries"
    pages = await every_page(api_kh, path, limit=50)
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [e["natural_key"] for p in pages for e in p] == [str(n) for n in range(1, 121)]
    assert len(await api_kh.ok(path)) == 120  # one page by default, as before
    assert (await api_kh.get(path, cursor="1.2")).status_code == 422


async def test_a_record_is_searched_and_its_timeline_read(web: WebWorld, api_kh: Api) -> None:
    job = await sync(api_kh, web.tenant.id)
    case = next(c for c in web.world.samples["a"].planted if c.register == "customers")
    found = await api_kh.ok(f"/tenants/{web.tenant.id}/records", q=case.key)
    assert [r["source_key"] for r in found] == [case.key]
    record = found[0]
    assert await api_kh.ok(f"/tenants/{web.tenant.id}/records/{record['id']}") == record
    timeline = await api_kh.ok(
        f"/tenants/{web.tenant.id}/records/{record['id']}/timeline", lang="en"
    )
    assert [o["run_id"] for o in timeline] == [job["run_ids"][0]]
    [outcome] = timeline
    assert outcome["entry"]["status"] == "refused" and not outcome["dry_run"]
    assert [r["rule"] for r in outcome["entry"]["refusals"]] == [case.rule]
    assert outcome["entry"]["refusals"][0]["message"].isascii()  # English
    other = History(web.store)
    record_run(web.store, web.other.id, [customer(55)])
    theirs = other.search(web.other.id, "55").items[0].id
    assert (await api_kh.get(f"/tenants/{web.tenant.id}/records/{theirs}")).status_code == 404
    pages = await every_page(api_kh, f"/tenants/{web.tenant.id}/records", limit=5)
    assert sum(len(p) for p in pages) == len(
        History(web.store).search(web.tenant.id, limit=500).items
    )


async def test_open_refusals_page_and_count_by_rule(web: WebWorld, api_kh: Api) -> None:
    await sync(api_kh, web.tenant.id)
    planted = web.world.samples["a"].planted
    pages = await every_page(api_kh, f"/tenants/{web.tenant.id}/refusals", limit=3)
    found = [r for p in pages for r in p]
    assert len(found) == len(planted)
    assert {(r["entry"]["refusals"][0]["rule"], r["entry"]["source_key"]) for r in found} == {
        (case.rule, case.key) for case in planted
    }
    rules = await api_kh.ok(f"/tenants/{web.tenant.id}/refusals/rules")
    assert sum(rule["count"] for rule in rules) == len(planted)
    assert [rule["count"] for rule in rules] == sorted((r["count"] for r in rules), reverse=True)
    assert all(rule["where"] in ("severa", "netvisor", "settings") for rule in rules)
    assert all("…" in rule["text_fi"] or rule["text_fi"] for rule in rules)
    one_rule = rules[0]["rule"]
    only = await api_kh.ok(f"/tenants/{web.tenant.id}/refusals", rule=one_rule)
    assert len(only) == rules[0]["count"]
    assert (await api_kh.get(f"/tenants/{web.tenant.id}/refusals", cursor="x")).status_code == 422


async def test_the_operator_lists_failing_companies_with_why(
    web: WebWorld, api_operator: Api
) -> None:
    fleet = seed_fleet(web.store, 24)
    failing = await api_operator.ok("/tenants", state="failing")
    assert [t["id"] for t in failing] == sorted(fleet.ids["failing"], key=lambda i: fleet.names[i])
    for tenant in failing:
        customers = next(r for r in tenant["registers"] if r["register"] == "customers")
        assert (customers["health"], customers["failure"]) == ("failing", "netvisor_unreachable")
    named = await api_operator.ok("/tenants", q="laivasto 001")
    assert [t["name"] for t in named] == ["Laivasto 001 Oy"]
    assert len(await api_operator.ok("/tenants")) == 26
    assert (await api_operator.get("/tenants", state="off")).status_code == 422


async def test_a_records_details_come_with_it(web: WebWorld, api_kh: Api) -> None:
    facts = (Detail("customer", "Asiakas 1 Oy"), Detail("total", "1240.00"))
    run_id = record_run(web.store, web.tenant.id, [attrs.evolve(customer(1), details=facts)])
    [record] = await api_kh.ok(f"/tenants/{web.tenant.id}/runs/{run_id}/entries")
    assert record["details"] == [
        {"key": "customer", "value": "Asiakas 1 Oy"},
        {"key": "total", "value": "1240.00"},
    ]
