"""The JSON control API under /_sandbox/, and what the stats count."""

from __future__ import annotations

import httpx

from silta.sandbox.severa import Organisation, SeveraFaults, SeveraSandbox

from .helpers import Api


async def test_stats(api: Api, client: httpx.AsyncClient, org: Organisation) -> None:
    await api.authenticate()
    await api.get("/v1/customers")
    await api.post("/v1/customers", {"name": "Tilasto Oy", "guid": "ignored"})
    await api.get("/v1/customers/nope")
    await client.get("/v1/customers")  # no token, no Client_Id: unattributed
    stats = (await client.get(f"/_sandbox/organisations/{org.id}/stats")).json()
    assert stats["requests"] == {
        "POST /v1/token": 1,
        "GET /v1/customers": 1,
        "POST /v1/customers": 1,
        "GET /v1/customers/{guid}": 1,
    }
    assert stats["total_requests"] == 4
    assert stats["responses"] == {"200": 2, "201": 1, "404": 1}
    assert stats["tokens_issued"] == 1
    assert stats["writes_committed"] == 1
    assert stats["ignored_properties"] == {"/v1/customers guid": 1}
    assert stats["in_flight"] == 0 and stats["peak_in_flight"] == 1
    overall = (await client.get("/_sandbox/stats")).json()
    assert overall["requests"] == 5
    assert overall["unattributed"] == {"401": 1}
    assert overall["tokens_issued"] == 1


async def test_faults_round_trip(client: httpx.AsyncClient, org: Organisation) -> None:
    url = f"/_sandbox/organisations/{org.id}/faults"
    assert (await client.get(url)).json() == {
        "latency": 0.0,
        "latency_jitter": 0.0,
        "error_rates": {},
        "fail_next": [],
        "timeout_rate": 0.0,
        "hang_seconds": 300.0,
        "lost_response_rate": 0.0,
        "lose_next_responses": 0,
        "expire_tokens_after_requests": None,
        "retry_after": False,
    }
    put = await client.put(url, json={"fail_next": ["503"], "error_rates": {"500": 0.1}})
    assert put.status_code == 200
    assert put.json()["fail_next"] == ["503"]
    assert org.faults == SeveraFaults(fail_next=["503"], error_rates={"500": 0.1})
    for bad in (
        b"[]",
        b"{nope",
        b'{"colour": 1}',
        b'{"fail_next": ["418"]}',
        b'{"error_rates": 1}',
    ):
        response = await client.put(url, content=bad)
        assert response.status_code == 400, bad
        assert "error" in response.json()


async def test_reset_and_expire(
    api: Api, client: httpx.AsyncClient, org: Organisation, sandbox: SeveraSandbox
) -> None:
    await api.get("/v1/customers")
    expired = await client.post(f"/_sandbox/organisations/{org.id}/expire-tokens")
    assert expired.json() == {"expired": 1}
    assert (await api.get("/v1/customers")).status_code == 401
    assert (await client.post("/_sandbox/reset-stats")).json() == {"reset": True}
    assert org.stats.total_requests == 0
    assert sandbox.stats.requests == 0


async def test_listing_and_unknowns(client: httpx.AsyncClient, org: Organisation) -> None:
    org.put_customer("Yksi Oy")
    listing = (await client.get("/_sandbox/organisations")).json()
    assert listing == [
        {
            "id": "testi-oy",
            "name": "Testi Oy",
            "customers": 1,
            "addresses": 0,
            "products": 0,
            "projects": 0,
            "phases": 0,
            "business_units": 1,
        }
    ]
    for path in ("stats", "faults"):
        response = await client.get(f"/_sandbox/organisations/nobody/{path}")
        assert response.status_code == 404
    assert (await client.post("/_sandbox/organisations/nobody/expire-tokens")).status_code == 404
    assert (await client.get("/_sandbox/nothing")).status_code == 404


def test_organisation_ids_are_slugs(sandbox: SeveraSandbox) -> None:
    assert sandbox.add_organisation("Äänekosken Sähkö Oy").id == "aanekosken-sahko-oy"
    assert sandbox.add_organisation("Testi Oy").id == "testi-oy-2"
    assert sandbox.add_organisation("Mikä tahansa", "oma-id").id == "oma-id"
    assert sandbox.organisation("oma-id").name == "Mikä tahansa"
