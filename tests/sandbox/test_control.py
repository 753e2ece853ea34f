"""The JSON control API under /_sandbox/ (no MAC; for benches driving another process)."""

from __future__ import annotations

import httpx

from silta.sandbox.netvisor import Faults, NetvisorSandbox, Organisation

from .helpers import ORG_ID, Api, assert_ok, failure


async def test_organisation_stats(api: Api, client: httpx.AsyncClient) -> None:
    assert_ok(await api.get("customerlist.nv"))
    response = await client.get(f"/_sandbox/organisations/{ORG_ID}/stats")
    assert response.status_code == 200
    stats = response.json()
    assert stats["requests"] == {"GET customerlist.nv": 1}
    assert stats["total_requests"] == 1
    assert stats["overlaps"] == 0
    assert stats["in_flight"] == 0
    assert stats["peak_in_flight"] == 1


async def test_sandbox_stats(api: Api, client: httpx.AsyncClient) -> None:
    await api.get("customerlist.nv", partner_id="X")
    stats = (await client.get("/_sandbox/stats")).json()
    assert stats["requests"] == 1
    assert stats["unattributed_failures"] == {"AUTHENTICATION_FAILED": 1}


async def test_put_faults_changes_behaviour(
    api: Api, client: httpx.AsyncClient, org: Organisation
) -> None:
    response = await client.put(
        f"/_sandbox/organisations/{ORG_ID}/faults",
        json={"fail_next": ["PERIOD_LOCK"], "latency": 0.001, "denied_resources": ["product.nv"]},
    )
    assert response.status_code == 200
    assert response.json()["fail_next"] == ["PERIOD_LOCK"]
    assert org.faults == Faults(
        fail_next=["PERIOD_LOCK"], latency=0.001, denied_resources={"product.nv"}
    )
    assert failure(await api.get("customerlist.nv")) == "PERIOD_LOCK"
    current = (await client.get(f"/_sandbox/organisations/{ORG_ID}/faults")).json()
    assert current["fail_next"] == []
    assert current["hang_seconds"] == 300.0


async def test_bad_faults_body(client: httpx.AsyncClient, org: Organisation) -> None:
    url = f"/_sandbox/organisations/{ORG_ID}/faults"
    for body in (
        b"not json",
        b"[]",
        b'{"speed": 1}',
        b'{"error_rates": {"X": 0.1}}',
        b'{"fail_next": "A"}',
    ):
        response = await client.put(url, content=body)
        assert response.status_code == 400, body
        assert "error" in response.json()
    assert org.faults == Faults()


async def test_unknown_organisation_and_path(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_sandbox/organisations/0000000-0/stats")).status_code == 404
    assert (
        await client.put("/_sandbox/organisations/0000000-0/faults", json={})
    ).status_code == 404
    assert (await client.get("/_sandbox/nothing")).status_code == 404
    assert (await client.get("/_sandbox/reset-stats")).status_code == 404


async def test_reset_stats(
    api: Api, client: httpx.AsyncClient, sandbox: NetvisorSandbox, org: Organisation
) -> None:
    await api.get("customerlist.nv")
    response = await client.post("/_sandbox/reset-stats")
    assert response.status_code == 200
    assert org.stats.total_requests == 0
    assert sandbox.stats.requests == 0
    assert sandbox.stats.peak_in_flight == 0


async def test_control_requests_are_not_counted(
    client: httpx.AsyncClient, sandbox: NetvisorSandbox
) -> None:
    await client.get(f"/_sandbox/organisations/{ORG_ID}/stats")
    await client.get("/_sandbox/nothing")
    assert sandbox.stats.requests == 0
