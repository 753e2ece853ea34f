"""Routing: the mount prefix, unknown routes and methods, heartbeats, body content types."""

from __future__ import annotations

import httpx
import pytest

from silta.sandbox.severa import Organisation, SeveraSandbox

from .helpers import CLIENT_ID, CLIENT_SECRET, Api, error_of


async def test_unknown_route_is_an_empty_404(api: Api, sandbox: SeveraSandbox) -> None:
    for path in ("/v1/nothing", "/v2/customers", "/v1/customers/a/b/c"):
        response = await api.get(path)
        assert response.status_code == 404
        assert response.content == b""
    assert sandbox.stats.responses[404] == 3


async def test_unknown_guid_is_an_empty_404(api: Api) -> None:
    for path in (
        "/v1/customers/0b5d4e7e-0000-4000-8000-000000000000",
        "/v1/customers/not-even-a-guid",
        "/v1/addresses/x",
        "/v1/products/x",
        "/v1/projects/x",
        "/v1/projects/x/phaseswithhierarchy",
        "/v1/phases/x",
        "/v1/businessunits/x",
        "/v1/customers/x/addresses",
    ):
        response = await api.get(path)
        assert (response.status_code, response.content) == (404, b""), path
    response = await api.patch("/v1/customers/x", [])
    assert (response.status_code, response.content) == (404, b"")
    response = await api.post("/v1/customers/x/addresses", {"city": "Oulu"})
    assert (response.status_code, response.content) == (404, b"")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v1/customers", "GET, POST"),
        ("PUT", "/v1/customers/x", "DELETE, GET, PATCH"),
        ("DELETE", "/v1/addresses/x", "GET, PATCH"),  # declared by the document, not served
        ("POST", "/v1/vatrates", "GET"),
        ("POST", "/v1/businessunits", "GET"),  # the document has no such operation
        ("GET", "/v1/token", "POST"),
    ],
)
async def test_wrong_method_is_405(api: Api, method: str, path: str, allowed: str) -> None:
    response = await api.call(method, path, json={} if method in ("POST", "PUT") else None)
    assert response.status_code == 405
    assert error_of(response)["type"] == "InvalidRequest"
    assert response.headers["Allow"] == allowed


async def test_paths_match_in_any_case_and_with_a_trailing_slash(
    api: Api, org: Organisation, sandbox: SeveraSandbox
) -> None:
    org.put_customer("Iso Kirjain Oy", 1)
    await api.authenticate()
    # Not through the judge: by the document's templates alone, "/v1/customers/" would be
    # GET /v1/customers/{guid} with an empty GUID; ASP.NET routing ignores the slash.
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bare") as client:
        for path in ("/v1/Customers", "/V1/CUSTOMERS/", "/v1/customers/"):
            response = await client.get(path, headers=api.headers())
            assert response.status_code == 200, path
            assert [c["name"] for c in response.json()] == ["Iso Kirjain Oy"]
    assert org.stats.requests[("GET", "/v1/customers")] == 3


async def test_the_app_serves_wherever_it_is_mounted(sandbox: SeveraSandbox) -> None:
    for prefix, base in (("/severa", "http://localhost/severa"), ("/a/b", "http://x/a/b")):
        transport = httpx.ASGITransport(app=sandbox.mounted_at(prefix))
        async with httpx.AsyncClient(transport=transport, base_url=base) as client:
            body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
            assert (await client.post("/v1/token", json=body)).status_code == 200
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bare") as client:
        body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        assert (await client.post("/v1/token", json=body)).status_code == 200


async def test_heartbeats(api: Api, client: httpx.AsyncClient) -> None:
    server = await client.get("/heartbeat/server")
    assert (server.status_code, server.text) == (200, "Server is alive.")
    assert (await client.get("/heartbeat/authorized")).status_code == 401
    authorized = await api.get("/heartbeat/authorized")
    assert (authorized.status_code, authorized.content) == (204, b"")


async def test_bodies_must_be_json(api: Api, org: Organisation) -> None:
    await api.authenticate()
    headers = api.headers()
    client = api.client
    text = await client.post(
        "/v1/customers",
        content=b'{"name": "X"}',
        headers={**headers, "Content-Type": "text/plain"},
    )
    assert text.status_code == 415
    assert error_of(text)["details"][0]["location"]["name"] == "Content-Type"
    broken = await client.post(
        "/v1/customers",
        content=b'{"name": ',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert "not valid JSON" in error_of(broken)["details"][0]["message"]
    nan = await client.post(
        "/v1/customers",
        content=b'{"name": "X", "overdueInterest": NaN}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert nan.status_code == 400
    empty = await client.post("/v1/customers", headers=headers)
    assert empty.status_code == 400
    patch_type = await client.patch(
        "/v1/customers/x",
        content=b"[]",
        headers={**headers, "Content-Type": "application/json-patch+json"},
    )
    assert patch_type.status_code == 404  # the content type is fine; the customer is not there
    assert org.customers() == []


async def test_oversized_body(api: Api) -> None:
    response = await api.post("/v1/customers", {"name": "x" * (1024 * 1024)})
    assert response.status_code == 413
