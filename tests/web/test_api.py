"""The JSON API under ``/api/v1``, over ASGI with bearer tokens, against both sandboxes.

Each test reads what the API says and checks it against the store and the sandboxes
themselves: a watermark cleared, a secret stored (and never returned), writes counted at
the services, the planted refusals of the sample.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from silta.domain import Register, Status
from silta.sandbox.netvisor import Faults
from silta.web import api

from .conftest import PASSWORD, WebWorld, login

V1 = "/api/v1"
SECRETS = (  # every secret the demo tenants hold: no response may carry one
    "silta-demo-a-secret",
    "silta-demo-b-secret",
    "silta-demo-customer-key",
    "silta-demo-partner-key",
)


class Api:
    """A client signed in with one user's API token."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(V1 + path, params=params, headers=self.headers)

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.client.patch(V1 + path, json=body, headers=self.headers)

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.client.put(V1 + path, json=body, headers=self.headers)

    async def post(self, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return await self.client.post(
            V1 + path, json=body if body is not None else {}, params=params, headers=self.headers
        )

    async def ok(self, path: str, **params: Any) -> Any:
        answer = await self.get(path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
async def client(web: WebWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with web.client() as http:
        yield http


def as_user(web: WebWorld, client: httpx.AsyncClient, email: str) -> Api:
    return Api(client, web.accounts.create_api_token(email, "tests"))


@pytest.fixture
def kh(web: WebWorld, client: httpx.AsyncClient) -> Api:
    return as_user(web, client, web.users.kh)


@pytest.fixture
def operator(web: WebWorld, client: httpx.AsyncClient) -> Api:
    return as_user(web, client, web.users.operator)


def writes(web: WebWorld) -> dict[str, int]:
    """Writes committed so far at each organisation of both sandboxes."""
    found = {
        f"netvisor {key}": org.stats.writes_committed
        for key, org in web.world.netvisor.organisations.items()
    }
    found |= {
        f"severa {key}": org.stats.writes_committed
        for key, org in web.world.severa.organisations.items()
    }
    return found


async def sync(api_: Api, tenant_id: int, **body: Any) -> dict[str, Any]:
    answer = await api_.post(f"/tenants/{tenant_id}/sync", body, wait="true")
    assert answer.status_code == 202, answer.text
    job: dict[str, Any] = answer.json()
    assert job["state"] == "done", job
    return job


# The registers the demo companies run; the invoice transfer is off until a KH turns it on.
SYNCED = (Register.CUSTOMERS, Register.PRODUCTS, Register.DIMENSIONS)


def planted(web: WebWorld, register: Register) -> set[tuple[str, str]]:
    return {
        (case.rule, case.key)
        for case in web.world.samples["a"].planted
        if case.register == register.value
    }


# -- tenants --------------------------------------------------------------------------------


async def test_the_tenant_list_shows_only_the_callers_tenants(
    web: WebWorld, client: httpx.AsyncClient
) -> None:
    async def names(email: str) -> list[tuple[str, str]]:
        tenants = await as_user(web, client, email).ok("/tenants")
        return [(tenant["name"], tenant["role"]) for tenant in tenants]

    assert await names(web.users.kh) == [("Demo Oy", "kh")]
    assert await names(web.users.viewer) == [("Demo Oy", "viewer")]
    assert await names(web.users.other_kh) == [("Demo Ab", "kh")]
    assert sorted(await names(web.users.operator)) == [("Demo Ab", "kh"), ("Demo Oy", "kh")]
    web.accounts.add_user("nobody@demo.fi", PASSWORD)
    assert await names("nobody@demo.fi") == []


async def test_a_tenant_of_which_the_caller_is_not_a_member_does_not_exist(
    web: WebWorld, kh: Api, operator: Api
) -> None:
    for path in ("", "/settings", "/settings/history", "/runs"):
        answer = await kh.get(f"/tenants/{web.other.id}{path}")
        assert answer.status_code == 404, path
        assert answer.json() == {"detail": "no such tenant"}
    assert (await kh.get("/tenants/999")).status_code == 404
    assert (await operator.get(f"/tenants/{web.other.id}")).status_code == 200


async def test_the_tenant_detail_shows_each_registers_health(
    web: WebWorld, kh: Api, operator: Api
) -> None:
    detail = await kh.ok(f"/tenants/{web.tenant.id}")
    assert detail["name"] == "Demo Oy"
    assert detail["paused"] is False
    assert detail["settings_version"] == 1
    assert detail["netvisor_organisation_id"] == "1967543-8"
    assert detail["severa_client_id"] == "silta-demo-a"
    assert [(r["register"], r["health"], r["last_run_id"]) for r in detail["registers"]] == [
        ("customers", "never", None),
        ("products", "never", None),
        ("dimensions", "never", None),
        ("invoices", "off", None),  # the invoice transfer is off until a KH turns it on
        ("purchase_lines", "off", None),  # issue 19: off until turned on
        ("travel", "off", None),
    ]

    job = await sync(kh, web.tenant.id)
    detail = await kh.ok(f"/tenants/{web.tenant.id}")
    # The sample plants refusals in every register of Demo Oy.
    assert [(r["register"], r["health"], r["last_run_id"]) for r in detail["registers"]] == [
        ("customers", "refusals", job["run_ids"][0]),
        ("products", "refusals", job["run_ids"][1]),
        ("dimensions", "refusals", job["run_ids"][2]),
        ("invoices", "off", None),
        ("purchase_lines", "off", None),
        ("travel", "off", None),
    ]
    for row in detail["registers"][: len(SYNCED)]:
        assert row["last_started_at"] is not None
        assert row["next_at"] > row["last_started_at"]

    changed = await kh.patch(f"/tenants/{web.tenant.id}/settings", {"dimensions": False})
    assert changed.status_code == 200, changed.text
    web.store.set_paused(web.tenant.id, True, changed_by="test")
    detail = await kh.ok(f"/tenants/{web.tenant.id}")
    assert detail["paused"] is True
    assert [(r["register"], r["health"], r["next_at"]) for r in detail["registers"]] == [
        ("customers", "paused", None),
        ("products", "paused", None),
        ("dimensions", "off", None),
        ("invoices", "off", None),
        ("purchase_lines", "off", None),
        ("travel", "off", None),
    ]
    listed = await operator.ok("/tenants")
    assert next(t for t in listed if t["id"] == web.tenant.id) == detail | {"role": "kh"}


# -- settings -------------------------------------------------------------------------------


async def test_settings_are_read_as_stored(web: WebWorld, kh: Api) -> None:
    answer = await kh.ok(f"/tenants/{web.tenant.id}/settings")
    assert answer["version"] == 1
    assert answer["settings"] == web.tenant.settings.as_json()
    assert answer["settings"]["customers"] == "severa_to_netvisor"
    assert answer["settings"]["dimension_time"] == "02:00"


async def test_a_direction_change_makes_that_registers_next_run_full(
    web: WebWorld, kh: Api
) -> None:
    await sync(kh, web.tenant.id)
    for register in SYNCED:
        assert web.store.watermark(web.tenant.id, register) is not None, register

    answer = await kh.patch(f"/tenants/{web.tenant.id}/settings", {"customers": "temp_customer"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["version"] == 2
    assert body["changed"] == ["customers"]
    assert body["full_next"] == ["customers"]
    assert body["settings"]["customers"] == "temp_customer"
    assert web.store.watermark(web.tenant.id, Register.CUSTOMERS) is None
    assert web.store.watermark(web.tenant.id, Register.PRODUCTS) is not None
    assert web.store.watermark(web.tenant.id, Register.DIMENSIONS) is not None
    assert web.store.tenant(web.tenant.id).settings.customers.value == "temp_customer"

    # A setting that belongs to no register's data leaves every watermark alone.
    answer = await kh.patch(f"/tenants/{web.tenant.id}/settings", {"register_interval_minutes": 15})
    assert answer.json()["full_next"] == []
    assert answer.json()["changed"] == ["register_interval_minutes"]
    assert web.store.watermark(web.tenant.id, Register.PRODUCTS) is not None

    # A dimension choice clears the dimensions' watermark; the same value again is no change.
    answer = await kh.patch(f"/tenants/{web.tenant.id}/settings", {"include_phases": False})
    assert answer.json()["full_next"] == ["dimensions"]
    assert web.store.watermark(web.tenant.id, Register.DIMENSIONS) is None
    again = await kh.patch(f"/tenants/{web.tenant.id}/settings", {"include_phases": False})
    assert again.json()["version"] == answer.json()["version"] == 4
    assert again.json()["changed"] == []

    job = await sync(kh, web.tenant.id)
    kinds = [(await kh.ok(f"/tenants/{web.tenant.id}/runs/{i}"))["kind"] for i in job["run_ids"]]
    assert kinds == ["full", "incremental", "full"]


@pytest.mark.parametrize(
    ("change", "shown", "allowed"),
    [
        ({"customers": "sideways"}, '"sideways"', "temp_customer"),
        ({"products": "temp_customer"}, '"temp_customer"', "temp_product"),
        ({"dimension_time": "25:00"}, '"25:00"', "HH:MM"),
        ({"timezone": "Mars/Olympus"}, '"Mars/Olympus"', "Europe/Helsinki"),
        ({"timezone": "Europe"}, '"Europe"', "IANA"),  # a folder of the zone database
        ({"dimension_time": "02:00+03:00"}, '"02:00+03:00"', "HH:MM"),
        # nothing half-applied
        ({"customers": "temp_customer", "dimension_time": "noon"}, '"noon"', "HH:MM"),
        ({"register_interval_minutes": 0}, "0", "from 1 to 1440"),
        ({"register_interval_minutes": 24 * 60 + 1}, "1441", "from 1 to 1440"),
        ({"register_interval_minutes": "often"}, '"often"', "from 1 to 1440"),
        ({"register_interval_minutes": 40.0}, "40.0", "whole number"),
        ({"dimensions": "maybe"}, '"maybe"', "true or false"),
        # what pydantic's lax mode took for booleans: never a silent coercion here
        ({"dimensions": "false"}, '"false"', "true or false"),
        ({"include_phases": 1}, "1", "true or false"),
        ({"project_header": 2024}, "2024", "text in quotes"),
        ({"project_header": True}, "true", "text in quotes"),
        ({"colour": "blue"}, "no such setting;", "customers, products"),
    ],
)
async def test_an_invalid_value_is_422_naming_field_value_and_allowed_and_changes_nothing(
    web: WebWorld, kh: Api, change: dict[str, Any], shown: str, allowed: str
) -> None:
    answer = await kh.patch(f"/tenants/{web.tenant.id}/settings", change)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert isinstance(detail, str)
    field = list(change)[-1]
    assert detail.startswith(f"{field}: {shown}"), detail  # the field and the value
    assert allowed in detail, detail  # and what is allowed
    assert web.store.tenant(web.tenant.id).settings_version == 1
    assert web.store.settings(web.tenant.id) == web.tenant.settings
    # and every page still works (an unknown zone once broke the next-run times)
    assert (await kh.get(f"/tenants/{web.tenant.id}")).status_code == 200


async def test_a_settings_body_that_is_no_object_is_422(web: WebWorld, kh: Api) -> None:
    for body in ([{"dimensions": True}], "dimensions=true", None):
        answer = await kh.patch(f"/tenants/{web.tenant.id}/settings", body)
        assert answer.status_code == 422, answer.text
    assert web.store.tenant(web.tenant.id).settings_version == 1


async def test_a_viewer_may_read_the_settings_but_not_change_them(
    web: WebWorld, client: httpx.AsyncClient
) -> None:
    viewer = as_user(web, client, web.users.viewer)
    assert (await viewer.get(f"/tenants/{web.tenant.id}/settings")).status_code == 200
    answer = await viewer.patch(f"/tenants/{web.tenant.id}/settings", {"dimensions": False})
    assert answer.status_code == 403
    for path in ("/sync", "/preview", "/test-connection"):
        assert (await viewer.post(f"/tenants/{web.tenant.id}{path}")).status_code == 403, path
    secret = {"client_secret": "viewer-was-here"}
    assert (await viewer.put(f"/tenants/{web.tenant.id}/credentials", secret)).status_code == 403
    assert web.store.tenant(web.tenant.id).settings_version == 1
    assert web.store.tenant(web.tenant.id).severa.credentials.client_secret != "viewer-was-here"
    assert web.store.runs(web.tenant.id) == []


async def test_the_settings_history_shows_who_changed_what(
    web: WebWorld, kh: Api, client: httpx.AsyncClient
) -> None:
    await kh.patch(f"/tenants/{web.tenant.id}/settings", {"customers": "netvisor_to_severa"})
    ops = as_user(web, client, web.users.operator)
    await ops.patch(
        f"/tenants/{web.tenant.id}/settings", {"register_interval_minutes": 20, "dimensions": False}
    )
    history = await kh.ok(f"/tenants/{web.tenant.id}/settings/history")
    assert [(v["version"], v["changed_by"]) for v in history] == [
        (3, web.users.operator),
        (2, web.users.kh),
        (1, "test"),
    ]  # newest first
    assert history[1]["changes"] == [
        {"field": "customers", "old": "severa_to_netvisor", "new": "netvisor_to_severa"}
    ]
    assert history[0]["changes"] == [
        {"field": "dimensions", "old": "true", "new": "false"},
        {"field": "register_interval_minutes", "old": "40", "new": "20"},
    ]
    assert history[2]["changes"] == []
    assert history[0]["changed_at"] >= history[1]["changed_at"] >= history[2]["changed_at"]


# -- credentials ----------------------------------------------------------------------------


async def all_gets(api_: Api, tenant_id: int) -> str:
    """The text of every GET the API has for the tenant."""
    texts = []
    base = f"/tenants/{tenant_id}"
    for path in ("/tenants", base, f"{base}/settings", f"{base}/settings/history", f"{base}/runs"):
        answer = await api_.get(path)
        assert answer.status_code == 200, path
        texts.append(answer.text)
    texts.append((await api_.client.get("/api/openapi.json")).text)
    return "\n".join(texts)


async def test_credentials_are_written_and_never_read_back(web: WebWorld, kh: Api) -> None:
    before = web.store.tenant(web.tenant.id)
    answer = await kh.put(
        f"/tenants/{web.tenant.id}/credentials",
        {"client_secret": "new-severa-secret-8d1f", "customer_key": ""},  # "" keeps the key
    )
    assert answer.status_code == 204
    assert answer.content == b""
    after = web.store.tenant(web.tenant.id)
    assert after.severa.credentials.client_secret == "new-severa-secret-8d1f"
    assert after.severa.credentials.client_id == before.severa.credentials.client_id
    assert after.netvisor.credentials == before.netvisor.credentials
    assert after.netvisor.base_url == before.netvisor.base_url
    events = web.store.tenant_events(web.tenant.id)
    assert events[0].changed_by == web.users.kh
    assert [(c.field, c.old, c.new) for c in events[0].changes] == [
        ("severa.credentials", "[hidden]", "[replaced]")
    ]

    text = await all_gets(kh, web.tenant.id)
    for secret in (*SECRETS, "new-severa-secret-8d1f"):
        assert secret not in text


async def test_a_credentials_change_is_validated_and_then_used(web: WebWorld, kh: Api) -> None:
    bad = await kh.put(f"/tenants/{web.tenant.id}/credentials", {"severa_url": "ftp://x"})
    assert bad.status_code == 422
    assert "severa_url" in bad.json()["detail"]
    unknown = await kh.put(f"/tenants/{web.tenant.id}/credentials", {"password": "x"})
    assert unknown.status_code == 422
    assert "'x'" not in unknown.text  # the input is not echoed: it may be a secret
    assert len(web.store.tenant_events(web.tenant.id)) == 1  # only "created"

    wrong = await kh.put(f"/tenants/{web.tenant.id}/credentials", {"client_secret": "wrong"})
    assert wrong.status_code == 204
    probes = (await kh.post(f"/tenants/{web.tenant.id}/test-connection")).json()
    assert [(p["service"], p["ok"]) for p in probes] == [("Netvisor", True), ("Severa", False)]
    assert probes[1]["message"]
    assert "wrong" not in probes[1]["message"]


# -- runs -----------------------------------------------------------------------------------


async def test_sync_with_wait_answers_with_the_finished_job_and_its_runs(
    web: WebWorld, kh: Api
) -> None:
    before = writes(web)
    job = await sync(kh, web.tenant.id)
    assert job["tenant_id"] == web.tenant.id
    assert job["registers"] == [register.value for register in Register]  # asked: all
    assert (job["dry_run"], job["full"], job["error"], job["current"]) == (False, False, None, None)
    assert len(job["run_ids"]) == 3
    for run_id, register in zip(job["run_ids"], SYNCED, strict=True):
        run = await kh.ok(f"/tenants/{web.tenant.id}/runs/{run_id}")
        assert (run["id"], run["register"], run["status"]) == (run_id, register.value, "completed")
        assert run["dry_run"] is False
        assert run["kind"] == "full"  # the first run: no watermark yet
        assert run["finished_at"] is not None
        assert run["trigger"] == f"sync now (api): {web.users.kh}"
        assert web.store.run(run_id).status.value == "completed"
    assert writes(web) != before
    assert (await kh.ok(f"/tenants/{web.tenant.id}/jobs/{job['id']}")) == job


async def test_a_sync_of_chosen_registers_runs_only_those(web: WebWorld, kh: Api) -> None:
    job = await sync(kh, web.tenant.id, registers=["products"], full=True)
    assert job["registers"] == ["products"]
    [run_id] = job["run_ids"]
    run = await kh.ok(f"/tenants/{web.tenant.id}/runs/{run_id}")
    assert (run["register"], run["kind"]) == ("products", "full")
    unknown = await kh.post(f"/tenants/{web.tenant.id}/sync", {"registers": ["payroll"]})
    assert unknown.status_code == 422


async def test_a_preview_records_dry_runs_and_writes_nothing(web: WebWorld, kh: Api) -> None:
    before = writes(web)
    answer = await kh.post(f"/tenants/{web.tenant.id}/preview", wait="true")
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert (job["state"], job["dry_run"]) == ("done", True)
    assert len(job["run_ids"]) == 3
    assert writes(web) == before
    for run_id in job["run_ids"]:
        run = await kh.ok(f"/tenants/{web.tenant.id}/runs/{run_id}")
        assert (run["dry_run"], run["status"]) == (True, "completed")
        entries = await kh.ok(f"/tenants/{web.tenant.id}/runs/{run_id}/entries")
        assert entries
        assert {e["status"] for e in entries} <= {"planned", "refused"}
        counts = run["counts"]
        assert not any(counts.get(key) for key in ("created", "updated", "renamed"))
    customers = await kh.ok(f"/tenants/{web.tenant.id}/runs/{job['run_ids'][0]}")
    assert customers["counts"].get("planned_create", 0) > 0  # there was something to write
    for register in SYNCED:
        assert web.store.watermark(web.tenant.id, register) is None  # still a first run
    detail = await kh.ok(f"/tenants/{web.tenant.id}")
    synced = [r for r in detail["registers"] if r["register"] in SYNCED]
    assert {r["health"] for r in synced} == {"never"}  # a preview is no run


def slow_netvisor(web: WebWorld) -> None:
    """Demo Oy's Netvisor answers each request after a while, so a job is seen running.

    (In process, the sandboxes answer without ever suspending: a job would end at once.)
    """
    org = web.world.netvisor.organisation(web.tenant.netvisor.credentials.organisation_id)
    org.faults = Faults(latency=0.01)


async def test_a_second_run_while_one_is_going_is_409(web: WebWorld, kh: Api) -> None:
    slow_netvisor(web)
    first = await kh.post(f"/tenants/{web.tenant.id}/sync")
    assert first.status_code == 202
    assert first.json()["state"] == "running"
    try:
        await asyncio.sleep(0.05)
        polled = await kh.ok(f"/tenants/{web.tenant.id}/jobs/{first.json()['id']}")
        assert (polled["state"], polled["current"]) == ("running", "customers")
        detail = await kh.ok(f"/tenants/{web.tenant.id}")
        assert detail["registers"][0]["health"] == "running"
        again = await kh.post(f"/tenants/{web.tenant.id}/sync", wait="true")
        assert again.status_code == 409
        assert "Demo Oy has a run going" in again.json()["detail"]
        preview = await kh.post(f"/tenants/{web.tenant.id}/preview")
        assert preview.status_code == 409
        # another tenant is not held up by it
        ops = as_user(web, kh.client, web.users.operator)
        other = await ops.post(f"/tenants/{web.other.id}/sync", wait="true")
        assert other.status_code == 202
        assert other.json()["state"] == "done"
    finally:
        done = await web.jobs.wait(first.json()["id"])
    assert done.state == "done"
    polled = await kh.ok(f"/tenants/{web.tenant.id}/jobs/{done.id}")
    assert (polled["state"], polled["run_ids"]) == ("done", done.run_ids)
    after = await kh.post(f"/tenants/{web.tenant.id}/sync", wait="true")
    assert after.status_code == 202  # free again


async def test_waiting_for_a_job_can_be_cancelled_without_stopping_the_job(
    web: WebWorld,
) -> None:
    slow_netvisor(web)
    job = await web.jobs.start(web.tenant.id, trigger="test")
    waiter = asyncio.ensure_future(web.jobs.wait(job.id))
    await asyncio.sleep(0.02)
    assert job.state == "running"
    waiter.cancel()  # e.g. the API client of ?wait=true went away
    with pytest.raises(asyncio.CancelledError):
        await waiter
    finished = await web.jobs.wait(job.id)
    assert finished.state == "done"
    assert len(finished.run_ids) == 3


async def test_runs_are_listed_newest_first_and_filtered_by_register(
    web: WebWorld, kh: Api
) -> None:
    first = await sync(kh, web.tenant.id)
    second = await sync(kh, web.tenant.id, registers=["customers"])
    runs = await kh.ok(f"/tenants/{web.tenant.id}/runs")
    assert [run["id"] for run in runs] == [*second["run_ids"], *reversed(first["run_ids"])]
    customers = await kh.ok(f"/tenants/{web.tenant.id}/runs", register="customers")
    assert [run["id"] for run in customers] == [second["run_ids"][0], first["run_ids"][0]]
    assert [run["kind"] for run in customers] == ["incremental", "full"]
    assert [r["id"] for r in await kh.ok(f"/tenants/{web.tenant.id}/runs", limit=1)] == [
        second["run_ids"][0]
    ]
    for limit in (0, 501):
        answer = await kh.get(f"/tenants/{web.tenant.id}/runs", limit=limit)
        assert answer.status_code == 422
    assert (await kh.get(f"/tenants/{web.tenant.id}/runs", register="x")).status_code == 422


async def test_entries_filter_by_status_action_and_register(web: WebWorld, kh: Api) -> None:
    job = await sync(kh, web.tenant.id)
    customers_run = job["run_ids"][0]
    path = f"/tenants/{web.tenant.id}/runs/{customers_run}/entries"
    every = await kh.ok(path)
    assert {e["register"] for e in every} == {"customers"}
    assert {e["status"] for e in every} > {"refused"}  # there is more than refusals

    refused = await kh.ok(path, status="refused")
    assert refused
    assert {e["status"] for e in refused} == {"refused"}
    assert {e["action"] for e in refused} == {"refuse"}
    found = {(r["rule"], e["source_key"]) for e in refused for r in e["refusals"]}
    assert found == planted(web, Register.CUSTOMERS)
    assert len(refused) == len([e for e in every if e["status"] == "refused"])

    assert await kh.ok(path, action="refuse") == refused
    done = await kh.ok(path, status="done", action="create")
    assert done
    assert all((e["status"], e["action"]) == ("done", "create") for e in done)
    assert all(e["target_key"] for e in done)
    assert await kh.ok(path, register="customers") == every
    assert await kh.ok(path, register="products") == []
    assert (await kh.get(path, status="lost")).status_code == 422
    assert (await kh.get(path, lang="sv")).status_code == 422

    products_run = job["run_ids"][1]
    products = await kh.ok(
        f"/tenants/{web.tenant.id}/runs/{products_run}/entries", status="refused"
    )
    found = {(r["rule"], e["source_key"]) for e in products for r in e["refusals"]}
    assert found == planted(web, Register.PRODUCTS)


async def test_refusal_messages_come_in_finnish_or_english(web: WebWorld, kh: Api) -> None:
    job = await sync(kh, web.tenant.id)
    for run_id in job["run_ids"]:
        path = f"/tenants/{web.tenant.id}/runs/{run_id}/entries"
        stored = web.store.entries(run_id, status=Status.REFUSED)
        assert stored
        default = await kh.ok(path, status="refused")
        finnish = await kh.ok(path, status="refused", lang="fi")
        english = await kh.ok(path, status="refused", lang="en")
        assert default == finnish
        for entry, fi, en in zip(stored, finnish, english, strict=True):
            assert [r["message"] for r in fi["refusals"]] == [r.message_fi for r in entry.refusals]
            assert [r["message"] for r in en["refusals"]] == [r.message_en for r in entry.refusals]
            assert [r["rule"] for r in fi["refusals"]] == [r["rule"] for r in en["refusals"]]
            for a, b in zip(fi["refusals"], en["refusals"], strict=True):
                assert a["message"] != b["message"]


async def test_a_run_of_another_tenant_is_404(web: WebWorld, kh: Api, operator: Api) -> None:
    theirs = (await sync(operator, web.other.id))["run_ids"][0]
    ours = (await sync(kh, web.tenant.id))["run_ids"][0]
    for path in (f"/runs/{theirs}", f"/runs/{theirs}/entries"):
        answer = await kh.get(f"/tenants/{web.tenant.id}{path}")
        assert answer.status_code == 404, path
        assert answer.json() == {"detail": "no such run"}
        # not even the operator, who may see both: the run is not Demo Oy's
        assert (await operator.get(f"/tenants/{web.tenant.id}{path}")).status_code == 404
        assert (await kh.get(f"/tenants/{web.other.id}{path}")).status_code == 404
    assert (await kh.get(f"/tenants/{web.tenant.id}/runs/{ours}")).status_code == 200
    assert (await kh.get(f"/tenants/{web.tenant.id}/runs/99999")).status_code == 404
    assert (await kh.get(f"/tenants/{web.tenant.id}/jobs/99999")).status_code == 404


# -- the API itself -------------------------------------------------------------------------


def app_routes(routes: Sequence[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path) of every handler of the app (into included routers too)."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)  # how FastAPI keeps an included router
        if inner is not None:
            found |= app_routes(inner.routes)
        elif isinstance(route, APIRoute):
            found |= {(method.lower(), route.path) for method in route.methods or ()}
    return found


async def test_the_openapi_document_lists_every_v1_route(
    web: WebWorld, client: httpx.AsyncClient
) -> None:
    answer = await client.get("/api/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["info"]["title"] == "Silta"
    paths = document["paths"]
    app = web.app
    assert isinstance(app, FastAPI)
    served = {(m, p) for m, p in app_routes(app.router.routes) if p.startswith(f"{V1}/")}
    own = {
        (method.lower(), route.path)
        for route in api.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert own <= served  # the API's router is in the app
    routes = served
    assert len(routes) >= 13
    listed = {(method, path) for path, item in paths.items() for method in item}
    assert routes <= listed, routes - listed  # every route of the API is documented
    assert listed == routes  # and nothing else: the pages stay out of it
    for method, path in routes:
        assert paths[path][method]["responses"], (method, path)


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ", "Bearer not-a-token", "Basic a2g6cGFzc3dvcmQ=", "bearer"],
)
async def test_no_or_an_invalid_token_is_401_with_www_authenticate(
    web: WebWorld, client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    for method, path in (("GET", "/tenants"), ("GET", f"/tenants/{web.tenant.id}/runs"),
                         ("PATCH", f"/tenants/{web.tenant.id}/settings"),
                         ("POST", f"/tenants/{web.tenant.id}/sync")):  # fmt: skip
        answer = await client.request(method, V1 + path, headers=headers, json={})
        assert answer.status_code == 401, (method, path)
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "API token" in answer.json()["detail"]
    assert web.store.runs(web.tenant.id) == []


async def test_the_session_cookie_does_not_sign_in_to_the_api(
    web: WebWorld, client: httpx.AsyncClient
) -> None:
    await login(client, web.users.kh)  # the browser's session cookie is in the client now
    answer = await client.get(f"{V1}/tenants")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


async def test_a_revoked_token_is_401(web: WebWorld, client: httpx.AsyncClient) -> None:
    kh = as_user(web, client, web.users.kh)
    assert (await kh.get("/tenants")).status_code == 200
    [token] = web.accounts.api_tokens(web.users.kh)
    assert web.accounts.revoke_api_token(web.users.kh, token.id)
    answer = await kh.get("/tenants")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
