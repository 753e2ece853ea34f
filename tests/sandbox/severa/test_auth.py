"""Tokens, refresh with rotation, expiry, Client_Id, and the scope of every route."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
import pytest

from silta.sandbox.severa import Credential, Organisation, SeveraFaults, SeveraSandbox
from silta.sandbox.severa.routes import OPERATIONS

from ...severa_openapi import required_document
from .helpers import CLIENT_ID, CLIENT_SECRET, Api, FakeClock, error_of


async def token(client: httpx.AsyncClient, **body: object) -> httpx.Response:
    return await client.post("/v1/token", json=body)


# -- /v1/token ----------------------------------------------------------------------------


async def test_token_answer_has_every_field(client: httpx.AsyncClient, clock: FakeClock) -> None:
    response = await token(client, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "access_token_type",
        "access_token_expires_in",
        "access_token_expires_utc",
        "refresh_token",
        "refresh_token_expires_in",
        "refresh_token_expires_utc",
        "scope",
    }
    assert body["access_token_type"] == "Bearer"
    assert body["access_token_expires_in"] == 3600
    assert body["refresh_token_expires_in"] == 86400
    assert datetime.fromisoformat(body["access_token_expires_utc"]) == clock() + timedelta(hours=1)
    assert datetime.fromisoformat(body["refresh_token_expires_utc"]) == clock() + timedelta(days=1)
    # No scope asked: every scope of the credential, sorted, space-separated.
    assert body["scope"] == (
        "customers:read customers:write projects:read projects:write settings:read settings:write"
    )
    assert body["access_token"] != body["refresh_token"]


@pytest.mark.parametrize(
    "scope",
    [
        "customers:read settings:read",
        "customers:read,settings:read",
        "settings:read, customers:read",
    ],
)
async def test_scope_separators(client: httpx.AsyncClient, scope: str) -> None:
    response = await token(client, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, scope=scope)
    assert response.json()["scope"] == "customers:read settings:read"


async def test_property_names_are_case_insensitive(client: httpx.AsyncClient) -> None:
    response = await token(
        client,
        client_Id=CLIENT_ID,
        Client_Secret=CLIENT_SECRET,
        Scope="customers:read",
        grant_type="client_credentials",
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "customers:read"


@pytest.mark.parametrize(
    "body",
    [
        {"client_id": CLIENT_ID, "client_secret": "wrong"},
        {"client_id": "nobody", "client_secret": CLIENT_SECRET},
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scope": "users:read"},
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scope": "customers:read x:y"},
    ],
)
async def test_refused_credentials_are_401(
    client: httpx.AsyncClient, sandbox: SeveraSandbox, body: dict[str, str]
) -> None:
    response = await client.post("/v1/token", json=body)
    assert response.status_code == 401
    assert error_of(response)["type"] == "AuthenticationRequired"
    assert sandbox.stats.tokens_issued == 0


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"client_secret": CLIENT_SECRET}, ["client_id"]),
        ({}, ["client_id", "client_secret"]),
        ({"client_id": 5, "client_secret": CLIENT_SECRET, "scope": 3}, ["client_id", "scope"]),
        (["not", "an", "object"], [None]),
    ],
)
async def test_malformed_token_bodies_are_400(
    client: httpx.AsyncClient, body: object, names: list[str | None]
) -> None:
    response = await client.post("/v1/token", json=body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["type"] == "InvalidParameter"
    assert [d.get("location", {}).get("name") for d in error["details"]] == names


async def test_token_body_must_be_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/token",
        content=b"client_id=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    response = await client.post(
        "/v1/token", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_client_id_header_on_token_must_match(client: httpx.AsyncClient) -> None:
    body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    ok = await client.post("/v1/token", json=body, headers={"Client_Id": CLIENT_ID})
    assert ok.status_code == 200
    other = await client.post("/v1/token", json=body, headers={"Client_Id": "someone-else"})
    assert other.status_code == 401


# -- using the token ------------------------------------------------------------------------


async def test_bearer_token_and_client_id_are_required(api: Api) -> None:
    await api.authenticate()
    access = api.headers()["Authorization"]
    client = api.client
    cases = [
        ({}, "Authorization"),
        ({"Client_Id": CLIENT_ID}, "Authorization"),
        ({"Authorization": access}, "Client_Id"),
        ({"Authorization": access, "Client_Id": "someone-else"}, "Client_Id"),
        ({"Authorization": "Bearer nonsense", "Client_Id": CLIENT_ID}, "Authorization"),
        (
            {"Authorization": access.replace("Bearer", "Basic"), "Client_Id": CLIENT_ID},
            "Authorization",
        ),
    ]
    for headers, blamed in cases:
        response = await client.get("/v1/customers", headers=headers)
        assert response.status_code == 401, headers
        error = error_of(response)
        assert error["type"] == "AuthenticationRequired"
        assert error["details"][0]["location"] == {
            "type": "RequestHeader",
            "name": blamed,
            "identifier": None,
        }
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_header_names_and_scheme_any_case(api: Api) -> None:
    await api.authenticate()
    token_value = api.headers()["Authorization"].split()[1]
    response = await api.client.get(
        "/v1/customers", headers={"authorization": f"bearer {token_value}", "CLIENT_ID": CLIENT_ID}
    )
    assert response.status_code == 200


async def test_access_token_expires(api: Api, clock: FakeClock) -> None:
    await api.authenticate()
    clock.advance(minutes=59, seconds=59)
    assert (await api.get("/v1/customers")).status_code == 200
    clock.advance(seconds=1)
    assert (await api.get("/v1/customers")).status_code == 401


async def test_expire_tokens_now(api: Api, org: Organisation, sandbox: SeveraSandbox) -> None:
    await api.authenticate()
    assert org.expire_tokens() == 1
    assert (await api.get("/v1/customers")).status_code == 401
    await api.authenticate()
    assert sandbox.expire_tokens(CLIENT_ID) == 1
    assert (await api.get("/v1/customers")).status_code == 401
    await api.authenticate()
    assert sandbox.expire_tokens("someone-else") == 0
    assert (await api.get("/v1/customers")).status_code == 200


# -- /v1/refreshtoken -----------------------------------------------------------------------


async def refresh(
    client: httpx.AsyncClient, refresh_token: object, client_id: str | None = CLIENT_ID
) -> httpx.Response:
    headers = {} if client_id is None else {"Client_Id": client_id}
    return await client.post("/v1/refreshtoken", json=refresh_token, headers=headers)


async def test_refresh_rotates_the_refresh_token(
    api: Api, clock: FakeClock, org: Organisation, sandbox: SeveraSandbox
) -> None:
    first = await api.authenticate(scope="customers:read")
    clock.advance(minutes=30)
    response = await refresh(api.client, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == "customers:read"  # the original grant's scopes
    assert datetime.fromisoformat(second["access_token_expires_utc"]) == clock() + timedelta(
        hours=1
    )
    # The old refresh token is used up; the new one works once.
    assert (await refresh(api.client, first["refresh_token"])).status_code == 401
    assert (await refresh(api.client, second["refresh_token"])).status_code == 200
    assert (await refresh(api.client, second["refresh_token"])).status_code == 401
    # Both the old and the new access token work until they expire.
    api.token = second
    assert (await api.get("/v1/customers")).status_code == 200
    api.token = first
    assert (await api.get("/v1/customers")).status_code == 200
    assert org.stats.refreshes == sandbox.stats.refreshes == 2
    assert org.stats.tokens_issued == 1


async def test_refresh_token_expires(api: Api, clock: FakeClock) -> None:
    first = await api.authenticate()
    clock.advance(days=1)
    response = await refresh(api.client, first["refresh_token"])
    assert response.status_code == 401
    assert error_of(response)["type"] == "AuthenticationRequired"


async def test_refresh_survives_expire_tokens(api: Api, org: Organisation) -> None:
    first = await api.authenticate()
    org.expire_tokens()
    response = await refresh(api.client, first["refresh_token"])
    assert response.status_code == 200
    api.token = response.json()
    assert (await api.get("/v1/customers")).status_code == 200


async def test_refresh_needs_the_tokens_client_id(
    api: Api, sandbox: SeveraSandbox, org: Organisation
) -> None:
    sandbox.add_credential(
        Credential(
            client_id="other", client_secret="x", organisation=org.id, scopes={"customers:read"}
        )
    )
    first = await api.authenticate()
    assert (await refresh(api.client, first["refresh_token"], client_id=None)).status_code == 401
    assert (await refresh(api.client, first["refresh_token"], client_id="other")).status_code == 401
    # A refused attempt does not use the token up.
    assert (await refresh(api.client, first["refresh_token"])).status_code == 200


@pytest.mark.parametrize("body", [{"refresh_token": "x"}, 42, None])
async def test_refresh_body_is_a_json_string(api: Api, body: object) -> None:
    await api.authenticate()
    response = await api.client.post(
        "/v1/refreshtoken",
        content=b"null" if body is None else None,
        json=None if body is None else body,
        headers={"Client_Id": CLIENT_ID, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_of(response)["type"] == "InvalidParameter"


async def test_unknown_refresh_token(api: Api) -> None:
    assert (await refresh(api.client, "not-a-token")).status_code == 401


# -- scopes ---------------------------------------------------------------------------------


SCOPED = [op for op in OPERATIONS if op.scope is not None]


def concrete(template: str, guid: str) -> str:
    return re.sub(r"\{[A-Za-z]+\}", guid, template)


@pytest.mark.parametrize("operation", SCOPED, ids=lambda op: f"{op.method} {op.template}")
async def test_every_route_needs_its_scope(
    sandbox: SeveraSandbox, org: Organisation, client: httpx.AsyncClient, operation: object
) -> None:
    from silta.sandbox.severa.routes import Operation

    assert isinstance(operation, Operation)
    scope = operation.scope
    assert scope is not None
    others = {s for op in SCOPED if (s := op.scope) is not None and s != scope}
    sandbox.add_credential(
        Credential(client_id="narrow", client_secret="n", organisation=org.id, scopes=others)
    )
    narrow = Api(client, "narrow", "n")
    path = concrete(operation.template, "00000000-0000-0000-0000-000000000000")
    body = [] if operation.method == "PATCH" else {}
    response = await narrow.call(
        operation.method, path, json=body if operation.method != "GET" else None
    )
    assert response.status_code == 403
    error = error_of(response)
    assert error["type"] == "InsufficientApiScope"
    assert scope in error["details"][0]["message"]
    # With the scope, the same call gets past the scope check (404, 400 or 200).
    sandbox.add_credential(
        Credential(client_id="wide", client_secret="w", organisation=org.id, scopes={scope})
    )
    wide = Api(client, "wide", "w")
    response = await wide.call(
        operation.method, path, json=body if operation.method != "GET" else None
    )
    assert response.status_code in (200, 400, 404)


def test_scope_table_follows_the_document() -> None:
    """The hand-written route → scope table agrees with every operation's security block."""
    spec = required_document()
    for op in OPERATIONS:
        declared = spec["paths"][op.template][op.method.lower()]
        assert declared["operationId"] == op.operation_id
        scopes = {s for block in declared.get("security", []) for s in block.get("OAuth2", [])}
        assert scopes == ({op.scope} if op.scope else set()), op


async def test_credentials_must_name_known_scopes_and_organisations(sandbox: SeveraSandbox) -> None:
    with pytest.raises(ValueError, match="not scopes"):
        Credential(
            client_id="x",
            client_secret="y",
            organisation="testi-oy",
            scopes={"customers:everything"},
        )
    with pytest.raises(KeyError):
        sandbox.add_credential(
            Credential(client_id="x", client_secret="y", organisation="nowhere", scopes=set())
        )


async def test_tokens_are_not_shared_between_lifetimes() -> None:
    clock = FakeClock()
    sandbox = SeveraSandbox(
        clock=clock,
        rate_limit=None,
        access_token_lifetime=timedelta(minutes=5),
        refresh_token_lifetime=timedelta(hours=2),
    )
    org = sandbox.add_organisation("Lyhyt Oy")
    sandbox.add_credential(
        Credential(client_id="c", client_secret="s", organisation=org.id, scopes={"customers:read"})
    )
    assert sandbox.access_token_lifetime == timedelta(minutes=5)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app), base_url="http://sandbox"
    ) as client:
        body = (await token(client, client_id="c", client_secret="s")).json()
    assert body["access_token_expires_in"] == 300
    assert body["refresh_token_expires_in"] == 7200


async def test_token_expiry_knob_counts_requests(api: Api, org: Organisation) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(expire_tokens_after_requests=2)
    assert (await api.get("/v1/customers")).status_code == 200
    assert (await api.get("/v1/customers")).status_code == 200
    assert (await api.get("/v1/customers")).status_code == 401
    assert org.faults.expire_tokens_after_requests is None
    await api.authenticate()
    assert (await api.get("/v1/customers")).status_code == 200
    org.faults = SeveraFaults(expire_tokens_after_requests=0)
    assert (await api.get("/v1/customers")).status_code == 401
    assert org.stats.injected["token_expiry"] == 2
