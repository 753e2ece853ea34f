"""Connections cannot be turned against their owner, and nothing foreign is echoed.

* A KH who points either service at an address of their own, through the form or the API,
  without entering that service's secrets again, or at an address the operator has not
  allowed even with them, is refused, and a real loopback listener at that address
  receives nothing: not on save, not on "test connection", not from the settings tab's
  live lookups. (A control case shows the listener does hear a permitted change.)
* An endpoint the operator did allow, which answers with hostile bodies (HTML, someone's
  JSON, XML that is not Netvisor's, a redirect, an unknown encoding, values that are not
  numbers...), each carrying a planted marker: the marker appears in no page, no API
  answer, no stored run error and no log line, while the settings tab, "test connection"
  and runs of every register go through it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable

import attrs
import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from silta.backoff import RetryPolicy
from silta.domain import CustomerDirection, ProductDirection, Register
from silta.endpoints import Endpoints
from silta.sync import sync_tenant
from silta.tenants import NetvisorConnection, SeveraConnection
from tests.web.conftest import (
    NETVISOR_URL,
    SANDBOX,
    SEVERA_URL,
    WebWorld,
    login,
)

# -- a listener that only counts ----------------------------------------------------------


@attrs.define
class Listener:
    """A TCP listener on loopback that records every connection made to it."""

    url: str
    connections: list[bytes] = attrs.field(factory=list)


async def _listen() -> AsyncIterator[Listener]:
    listener = Listener("")

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            listener.connections.append(await asyncio.wait_for(reader.read(65536), 5))
        except TimeoutError:
            listener.connections.append(b"")
        writer.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(accepted, "127.0.0.1", 0)
    listener.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield listener
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def allowed_listener() -> AsyncIterator[Listener]:
    async for listener in _listen():
        yield listener


@pytest.fixture
async def foreign_listener() -> AsyncIterator[Listener]:
    async for listener in _listen():
        yield listener


def _routed(web: WebWorld) -> Callable[[], httpx.AsyncClient]:
    """The app's HTTP clients: the sandboxes in process, every other address over the real
    network (as in production), so a listener on loopback would hear any call."""
    sandboxes = Starlette(
        routes=[
            Mount("/netvisor", app=web.world.netvisor.app),
            Mount("/severa", app=web.world.severa.app),
        ]
    )

    def http() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            mounts={
                SANDBOX: httpx.ASGITransport(app=sandboxes),
                "all://": httpx.AsyncHTTPTransport(),
            }
        )

    return http


async def _try_everything(
    web: WebWorld, client: httpx.AsyncClient, csrf: str, bearer: dict[str, str]
) -> None:
    """What makes the app call the tenant's services: the tab, and test connection on the
    page and through the API."""
    tenant_id = web.tenant.id
    assert (await client.get(f"/tenants/{tenant_id}/settings")).status_code == 200
    # the tab's lookups (silta.web.lookups): what silta.js asks for once the tab is shown
    assert (await client.get(f"/tenants/{tenant_id}/settings/lookups")).status_code == 200
    tested = await client.post(f"/tenants/{tenant_id}/test-connection", data={"csrf_token": csrf})
    assert tested.status_code == 200
    api = await client.post(f"/api/v1/tenants/{tenant_id}/test-connection", headers=bearer)
    assert api.status_code == 200


CHANGES = {
    "netvisor": {"netvisor_url": "{url}/netvisor"},
    "severa": {"severa_url": "{url}/rest-api"},
}
SECRETS = {
    "netvisor": {"customer_key": "a-customer-key-of-theirs", "partner_key": "a-partner-key"},
    "severa": {"client_secret": "a-client-secret-of-theirs"},
}


@pytest.mark.parametrize("service", ["netvisor", "severa"])
async def test_a_kh_cannot_point_a_service_at_their_own_listener(
    web: WebWorld, allowed_listener: Listener, foreign_listener: Listener, service: str
) -> None:
    # The operator allows the sandboxes and (so that only the secret rule stands in the
    # way) the first listener too; the second is allowed by no one.
    web.state.endpoints = Endpoints().adding(
        netvisor=[NETVISOR_URL, f"{allowed_listener.url}/netvisor"],
        severa=[SEVERA_URL, f"{allowed_listener.url}/rest-api"],
    )
    web.state.http = _routed(web)
    token = web.accounts.create_api_token(web.users.kh, "kh")
    bearer = {"Authorization": f"Bearer {token}"}
    before = web.store.tenant(web.tenant.id)
    async with web.client() as client:
        csrf = await login(client, web.users.kh)
        cases = [
            (allowed_listener, {}),  # allowed address, secrets not entered again
            (foreign_listener, SECRETS[service]),  # secrets entered, address not allowed
        ]
        for listener, secrets in cases:
            change = {k: v.format(url=listener.url) for k, v in CHANGES[service].items()}
            form = await client.post(
                f"/tenants/{web.tenant.id}/credentials",
                data={**change, **secrets, "csrf_token": csrf},
            )
            assert form.status_code == 422, form.text[:300]
            put = await client.put(
                f"/api/v1/tenants/{web.tenant.id}/credentials",
                json={**change, **secrets},
                headers=bearer,
            )
            assert put.status_code == 422, put.text
            detail = put.json()["detail"]
            assert detail.startswith(f"{service}_url: ")
            if secrets:
                assert "not an allowed" in detail and "SILTA_" in detail
            else:
                assert "entered again in the same request" in detail
            await _try_everything(web, client, csrf, bearer)
        assert web.store.tenant(web.tenant.id).netvisor == before.netvisor
        assert web.store.tenant(web.tenant.id).severa == before.severa
        assert allowed_listener.connections == []
        assert foreign_listener.connections == []

        # The control: with the secrets entered again, the allowed address is taken, and
        # the listener hears the very next test (so silence above was not deafness).
        change = {k: v.format(url=allowed_listener.url) for k, v in CHANGES[service].items()}
        put = await client.put(
            f"/api/v1/tenants/{web.tenant.id}/credentials",
            json={**change, **SECRETS[service]},
            headers=bearer,
        )
        assert put.status_code == 204, put.text
        await client.post(f"/tenants/{web.tenant.id}/test-connection", data={"csrf_token": csrf})
    assert allowed_listener.connections, "the control call never reached the listener"
    assert foreign_listener.connections == []


async def test_a_stored_address_no_longer_allowed_is_not_called(
    web: WebWorld, allowed_listener: Listener
) -> None:
    """A tenant stored before the operator narrowed the list: the tab and test connection
    say so, and send nothing."""
    tenant = web.tenant
    web.store.update_connections(
        tenant.id,
        severa=SeveraConnection(tenant.severa.credentials, base_url=f"{allowed_listener.url}/x"),
        changed_by="before the list was narrowed",
    )
    web.state.http = _routed(web)
    async with web.client() as client:
        csrf = await login(client, web.users.kh)
        answer = await client.post(
            f"/tenants/{tenant.id}/test-connection", data={"csrf_token": csrf}
        )
        tab = await client.get(f"/tenants/{tenant.id}/settings")
    assert (
        "Severa: tallennettu Severa-osoite ei ole ylläpitäjän sallimien osoitteiden joukossa"
        in answer.text
    )
    assert "(ei sallittu)" in tab.text  # the form shows it as not allowed
    assert allowed_listener.connections == []


async def test_runs_of_a_stored_address_no_longer_allowed_fail_and_send_nothing(
    web: WebWorld, allowed_listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run with its own HTTP client (scheduler, worker, silta sync, sync now) calls only
    the addresses the operator allows: a stored address outside them fails every register's
    run with the reason, and the listener there hears nothing. (The control: allowed, the
    same run reaches the listener.)"""
    monkeypatch.setenv("SILTA_NETVISOR_URLS", NETVISOR_URL)
    monkeypatch.setenv("SILTA_SEVERA_URLS", SEVERA_URL)
    tenant = web.store.update_connections(
        web.tenant.id,
        netvisor=NetvisorConnection(
            web.tenant.netvisor.credentials, base_url=f"{allowed_listener.url}/netvisor"
        ),
        severa=SeveraConnection(
            web.tenant.severa.credentials, base_url=f"{allowed_listener.url}/severa"
        ),
        changed_by="before the list was narrowed",
    )
    results = await sync_tenant(web.store, tenant, registers=(Register.CUSTOMERS,))
    assert [result.status.value for result in results] == ["failed"]
    assert "not one the operator allows (SILTA_NETVISOR_URLS)" in (results[0].error or "")
    assert allowed_listener.connections == []

    monkeypatch.setenv("SILTA_NETVISOR_URLS", f"{allowed_listener.url}/netvisor")
    results = await sync_tenant(web.store, tenant, registers=(Register.CUSTOMERS,))
    assert "not one the operator allows (SILTA_SEVERA_URLS)" in (results[0].error or "")
    assert allowed_listener.connections == []

    monkeypatch.setenv("SILTA_SEVERA_URLS", f"{allowed_listener.url}/severa")
    await sync_tenant(
        web.store, tenant, registers=(Register.CUSTOMERS,), retry=RetryPolicy(attempts=1)
    )
    assert allowed_listener.connections, "the control run never reached the listener"


# -- a hostile endpoint the operator allowed ------------------------------------------------

MARKER = "PLANTED-foreign-3d9f"
HOSTILE = "http://hostile.test"

_OK_TOKEN = {
    "access_token": "hostile-access-token-1234",
    "access_token_type": "Bearer",
    "access_token_expires_in": 3600,
}


def _answer(mode: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """What the hostile endpoint says to ``path``, in ``mode``; every answer carries the
    marker somewhere no honest answer would."""
    netvisor = path.startswith("/netvisor")
    html = f"<!DOCTYPE html><html><title>{MARKER}</title><p>{MARKER}</p></html>".encode()
    if mode == "html":
        return 200, {"content-type": "text/html"}, html
    if mode == "html-502":
        return 502, {"content-type": "text/html"}, html
    if mode == "text-401":
        return 401, {"content-type": "text/plain", "www-authenticate": MARKER}, MARKER.encode()
    if mode == "json":
        return (
            400,
            {"content-type": "application/json"},
            json.dumps({"message": MARKER, "error": MARKER, "detail": [MARKER]}).encode(),
        )
    if mode == "redirect":
        return 302, {"location": f"http://{MARKER}.example/{MARKER}"}, html
    if mode == "encoding":
        return 200, {}, f'<?xml version="1.0" encoding="{MARKER}"?><Root/>'.encode()
    if mode == "xml":
        return 200, {"content-type": "text/xml"}, f"<Root><Error>{MARKER}</Error></Root>".encode()
    if mode == "values":  # well-formed answers whose values are not what they claim
        if netvisor:
            body = (
                "<Root><ResponseStatus><Status>OK</Status></ResponseStatus>"
                "<DimensionNameList><DimensionName>"
                f"<NetvisorKey>{MARKER}</NetvisorKey><Name>Projekti</Name>"
                f"<IsHidden>{MARKER}</IsHidden>"
                "</DimensionName></DimensionNameList>"
                f"<Customerlist><Customer><Netvisorkey>{MARKER}</Netvisorkey></Customer>"
                "</Customerlist>"
                f"<Products><Product><Netvisorkey>{MARKER}</Netvisorkey></Product></Products>"
                "</Root>"
            )
            return 200, {"content-type": "text/xml"}, body.encode()
        if path.endswith("/token"):
            return 200, {"content-type": "application/json"}, json.dumps(_OK_TOKEN).encode()
        record = {"guid": [MARKER], "name": {"x": MARKER}, "number": MARKER, "code": [MARKER]}
        return 200, {"content-type": "application/json"}, json.dumps([record]).encode()
    raise AssertionError(mode)


MODES = ["html", "html-502", "text-401", "json", "redirect", "encoding", "xml", "values"]


def _hostile(mode: str) -> Callable[[Scope, Receive, Send], object]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        status, headers, body = _answer(mode, scope["path"])
        raw = [(k.encode(), v.encode()) for k, v in headers.items()]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.mark.parametrize("mode", MODES)
async def test_no_page_api_answer_run_or_log_line_echoes_a_foreign_answer(
    web: WebWorld, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    caplog.set_level(logging.DEBUG)
    hostile = _hostile(mode)

    def http() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=hostile))  # type: ignore[arg-type]

    # The operator allowed this endpoint (a proxy in front of the real service, say).
    web.state.endpoints = Endpoints().adding(
        netvisor=[f"{HOSTILE}/netvisor"], severa=[f"{HOSTILE}/severa"]
    )
    web.state.http = http
    tenant = web.tenant
    web.store.update_connections(
        tenant.id,
        netvisor=NetvisorConnection(tenant.netvisor.credentials, base_url=f"{HOSTILE}/netvisor"),
        severa=SeveraConnection(tenant.severa.credentials, base_url=f"{HOSTILE}/severa"),
        changed_by="test",
    )
    settings = attrs.evolve(
        tenant.settings,
        customers=CustomerDirection.TEMP_CUSTOMER,  # the tab then asks whether TEMP exists
        products=ProductDirection.TEMP_PRODUCT,
        dimensions=True,
    )
    web.store.change_settings(tenant.id, settings, changed_by="test")
    tenant = web.store.tenant(tenant.id)

    # runs of every register (and a preview), their errors stored
    for direction in (
        (CustomerDirection.SEVERA_TO_NETVISOR, ProductDirection.NETVISOR_TO_SEVERA),
        (CustomerDirection.NETVISOR_TO_SEVERA, ProductDirection.SEVERA_TO_NETVISOR),
    ):
        changed = attrs.evolve(settings, customers=direction[0], products=direction[1])
        web.store.change_settings(tenant.id, changed, changed_by="test")
        async with http() as client:
            for dry_run in (False, True):
                await sync_tenant(
                    web.store,
                    web.store.tenant(tenant.id),
                    http=client,
                    retry=RetryPolicy(attempts=1),
                    dry_run=dry_run,
                    registers=tuple(Register),
                )
    web.store.change_settings(tenant.id, settings, changed_by="test")
    runs = web.store.runs(tenant.id)
    assert any(run.error for run in runs), [r.error for r in runs]  # failures were recorded

    seen: list[str] = [run.error or "" for run in runs]
    seen += [entry.message or "" for run in runs for entry in web.store.entries(run.id)]
    token = web.accounts.create_api_token(web.users.kh, "foreign")
    bearer = {"Authorization": f"Bearer {token}"}
    async with web.client() as client:
        csrf = await login(client, web.users.kh)
        base = f"/tenants/{tenant.id}"
        seen.append((await client.post(f"{base}/test-connection", data={"csrf_token": csrf})).text)
        # the tab's lookups ask Netvisor (the fragment), then the tab shows their answer
        for path in ("settings/lookups", "settings", "runs", "preview", "history"):
            seen.append((await client.get(f"{base}/{path}")).text)
        for run in runs:
            seen.append((await client.get(f"{base}/runs/{run.id}")).text)
            seen.append((await client.get(f"/api/v1{base}/runs/{run.id}", headers=bearer)).text)
            entries = await client.get(f"/api/v1{base}/runs/{run.id}/entries", headers=bearer)
            seen.append(entries.text)
        seen.append((await client.get(f"/api/v1{base}/runs", headers=bearer)).text)
        probes = await client.post(f"/api/v1{base}/test-connection", headers=bearer)
        seen.append(probes.text)
        job = await client.post(f"/api/v1{base}/preview?wait=true", json={}, headers=bearer)
        seen.append(job.text)
    assert all(probe["ok"] is False for probe in probes.json()), probes.text
    assert job.status_code == 202 and job.json()["state"] == "done", job.text
    for text in seen:
        assert MARKER not in text, text[:2000]
    assert MARKER not in caplog.text


async def test_the_hostile_harness_would_see_an_echo(web: WebWorld) -> None:
    """The control: the marker test can fail. A Netvisor ``FAILED`` status is Netvisor's own
    text, which is shown; planted there, the marker does appear on the tab."""
    status = (
        "<Root><ResponseStatus><Status>FAILED</Status>"
        f"<Status>TECHNICAL_ERROR :: {MARKER}</Status></ResponseStatus></Root>"
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        body = status.encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    web.state.endpoints = Endpoints().adding(netvisor=[f"{HOSTILE}/netvisor"])
    web.state.http = lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    web.store.update_connections(
        web.tenant.id,
        netvisor=NetvisorConnection(
            web.tenant.netvisor.credentials, base_url=f"{HOSTILE}/netvisor"
        ),
        changed_by="test",
    )
    async with web.client() as client:
        csrf = await login(client, web.users.kh)
        answer = await client.post(
            f"/tenants/{web.tenant.id}/test-connection", data={"csrf_token": csrf}
        )
    assert f"TECHNICAL_ERROR :: {MARKER}" in answer.text
    async with web.client() as client:  # and the tab's lookups show it too, then the tab
        await login(client, web.users.kh)
        lookups = await client.get(f"/tenants/{web.tenant.id}/settings/lookups")
        tab = await client.get(f"/tenants/{web.tenant.id}/settings")
    assert f"TECHNICAL_ERROR :: {MARKER}" in lookups.text
    assert f"TECHNICAL_ERROR :: {MARKER}" in tab.text
