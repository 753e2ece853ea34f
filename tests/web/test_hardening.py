"""A console hardened like a bank's: headers on every answer, ids that cannot break it,
form posts only from its own pages, and client addresses only from trusted proxies.

Every route of the route table is walked (the authorization matrix's walk, so a new route
is covered the day it is added): each answer, whoever asks and whatever the status, carries
the security headers; and each id in a path answers 404 for 0, negative, non-numeric and
out-of-range values, never a 422 or a 500.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from starlette.routing import Mount

from silta.store import History
from silta.web import create_app
from silta.web.hardening import CSP, ProxyTrust
from silta.web.throttle import AddressThrottle
from tests.web.conftest import APP, PASSWORD, WebWorld, csrf_of, login
from tests.web.test_access import (
    BODIES,
    MATRIX,
    _fill,
    _fresh_people,
    _fresh_token,
    _settle,
    every_route,
)

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def assert_hardened(answer: httpx.Response, where: object) -> None:
    headers = answer.headers
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, where
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, where
    assert "default-src 'none'" in csp, where
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, (where, name, headers.get(name))
    if not answer.request.url.path.startswith("/static/"):
        assert headers.get("cache-control") == "no-store", where
    assert "server" not in headers, where
    assert "strict-transport-security" not in headers, where  # plain http here


async def test_every_route_answers_with_the_security_headers(web: WebWorld) -> None:
    values = await _fill(web)
    token = web.accounts.create_api_token(web.users.operator, "headers")
    checked = 0
    for method, path in every_route(web.app):
        for who in ("anonymous", "operator"):
            async with web.client() as client:
                body = dict(BODIES.get((method, path), {}))
                headers = {}
                if who == "operator":
                    if path.startswith("/api/"):
                        headers["Authorization"] = f"Bearer {token}"
                    elif path != "/login":
                        body["csrf_token"] = await login(client, web.users.operator)
                url = path.format(**values, token_id=_fresh_token(web), **_fresh_people(web))
                if path.startswith("/api/v1/"):
                    answer = await client.request(
                        method, url, json=None if method == "GET" else body, headers=headers
                    )
                else:
                    answer = await client.request(method, url, data=body or None, headers=headers)
            assert answer.status_code < 500, (method, path, who, answer.status_code)
            assert_hardened(answer, (method, path, who, answer.status_code))
            checked += 1
            await _settle(web)
    assert checked == 2 * len(MATRIX)


async def test_errors_static_files_mounts_and_a_crash_are_hardened_too(web: WebWorld) -> None:
    async def crash(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("a fault")

    app = create_app(web.state, mounts=[Mount("/boom", app=crash)])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=APP) as client:
        answers = {
            "crash": await client.get("/boom/x"),
            "unknown": await client.get("/no/such/page"),
            "method": await client.delete("/login"),
            "static": await client.get("/static/silta.js"),
            "validation": await client.get("/api/v1/tenants/1/runs?limit=nope"),
            "unauthorised": await client.get("/api/v1/tenants"),
        }
    assert [a.status_code for a in answers.values()] == [500, 404, 405, 200, 401, 401]
    for name, answer in answers.items():
        assert_hardened(answer, name)
    assert "cache-control" not in answers["static"].headers or "no-store" not in answers[
        "static"
    ].headers.get("cache-control", "")


async def test_pages_carry_no_inline_script_or_style(web: WebWorld) -> None:
    """The CSP allows scripts and styles from the app's own files only, so a page with an
    inline one would break; none has one."""
    async with web.client() as client:
        await login(client, web.users.kh)
        base = f"/tenants/{web.tenant.id}"
        await _fill(web)  # a run, its records and a record to show
        record = History(web.store).search(web.tenant.id, limit=1).items[0].id
        run = web.store.runs(web.tenant.id, limit=1)[0].id
        for path in ("/", f"{base}/settings", f"{base}/runs", f"{base}/tokens", "/login",
                     f"{base}/runs/{run}", f"{base}/records?q=a", f"{base}/records/{record}",
                     f"{base}/refusals", f"{base}/preview"):  # fmt: skip
            html = (await client.get(path)).text
            for tag in re.findall(r"<script\b[^>]*>", html):
                assert 'src="/static/' in tag, (path, tag)
            assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), path
            assert "<style" not in html and " style=" not in html, path
            assert not re.search(r"\son[a-z]+=", html), path  # no inline event handlers
    assert "style-src 'self'" in CSP


# -- form posts come from the app's own pages -------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"Origin": APP}, True),
        ({"Origin": "http://silta.test:80"}, True),  # the default port, said out loud
        ({"Referer": f"{APP}/tenants/1/settings"}, True),  # no Origin: the Referer decides
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "http://evil.silta.test"}, False),  # same site, another origin
        ({"Origin": "http://silta.test:8443"}, False),
        ({"Origin": "https://silta.test"}, False),  # another scheme
        ({"Origin": "null"}, False),  # a sandboxed frame, a data: page
        ({"Origin": "https://evil.example", "Referer": f"{APP}/"}, False),  # Origin decides
        ({}, False),  # a browser always sends Origin with a POST
    ],
)
async def test_a_form_post_must_come_from_the_apps_own_origin(
    web: WebWorld, headers: dict[str, str], allowed: bool
) -> None:
    async with web.client() as client:
        csrf = await login(client, web.users.kh)
        client.headers.pop("Origin")
        answer = await client.post(
            f"/tenants/{web.tenant.id}/pause",
            data={"paused": "1", "confirmed": "1", "csrf_token": csrf},
            headers=headers,
        )
    assert web.store.tenant(web.tenant.id).paused is allowed
    if not allowed:
        assert answer.status_code == 403
        assert "toiselta sivulta" in answer.text


async def test_the_login_form_checks_the_origin_too(web: WebWorld) -> None:
    async with web.client() as client:
        token = csrf_of((await client.get("/login")).text)
        answer = await client.post(
            "/login",
            data={"email": web.users.kh, "password": PASSWORD, "csrf_token": token},
            headers={"Origin": "https://evil.example"},
        )
    assert answer.status_code == 403
    assert "silta_session" not in answer.cookies


# -- ids ----------------------------------------------------------------------------------

BAD_IDS = ["0", "-1", "abc", "1.5", "1e3", "%20", "99999999999999999999999", "2147483648"]


def _id_params(path: str) -> list[str]:
    return re.findall(r"\{(\w+_id)\}", path)


def _id_routes(web: WebWorld) -> list[tuple[str, str]]:
    return [(m, p) for m, p in every_route(web.app) if _id_params(p)]


def test_the_id_matrix_covers_every_route_with_an_id(web: WebWorld) -> None:
    routes = _id_routes(web)
    assert len(routes) >= 20
    assert {param for _, path in routes for param in _id_params(path)} == {
        "tenant_id",
        "run_id",
        "job_id",
        "token_id",
        "record_id",
        "invitation_id",
        "user_id",
        "rule_id",  # a name, not a number: those values name no rule either
    }


async def test_every_id_that_cannot_be_one_is_404(web: WebWorld) -> None:
    """0, negative, non-numeric and out-of-range ids, in every id of every route: 404.
    (An id past the column's range used to reach SQLite as an OverflowError: a 500.)"""
    values = await _fill(web)
    token = web.accounts.create_api_token(web.users.operator, "ids")
    wrong: dict[tuple[str, str, str, str], int] = {}
    async with web.client() as client:
        csrf = await login(client, web.users.operator)
        for method, path in _id_routes(web):
            for param in _id_params(path):
                for bad in BAD_IDS:
                    good = {
                        **values,
                        "token_id": str(_fresh_token(web)),
                        **_fresh_people(web),
                    }
                    url = path.format(**{**good, param: bad})
                    body = {**BODIES.get((method, path), {}), "csrf_token": csrf}
                    if path.startswith("/api/"):
                        answer = await client.request(
                            method,
                            url,
                            json=None if method == "GET" else BODIES.get((method, path), {}),
                            headers={"Authorization": f"Bearer {token}"},
                        )
                    else:
                        answer = await client.request(
                            method, url, data=body if method == "POST" else None
                        )
                    if answer.status_code != 404:
                        wrong[(method, path, param, bad)] = answer.status_code
                    assert_hardened(answer, (method, path, param, bad))
    await _settle(web)
    assert not wrong, wrong


# -- trusted proxies ----------------------------------------------------------------------


def test_forwarded_addresses_are_believed_only_from_trusted_proxies() -> None:
    trust = ProxyTrust.parse("10.0.0.0/8, ::1")
    assert trust.client("198.51.100.7", ["203.0.113.9"]) == "198.51.100.7"  # not a proxy
    assert trust.client("10.0.0.5", ["203.0.113.9"]) == "203.0.113.9"
    # the client wrote the first entry itself; the proxies appended the rest
    assert trust.client("10.0.0.5", ["1.2.3.4, 203.0.113.9, 10.0.0.7"]) == "203.0.113.9"
    assert trust.client("::1", ["203.0.113.9"]) == "203.0.113.9"
    assert trust.client("10.0.0.5", ["not-an-address"]) == "10.0.0.5"
    assert trust.client("10.0.0.5", []) == "10.0.0.5"
    assert ProxyTrust().client("127.0.0.1", ["203.0.113.9"]) == "127.0.0.1"  # default: none
    with pytest.raises(ValueError, match=r"SILTA_TRUSTED_PROXIES: 'proxy\.example'"):
        ProxyTrust.parse("10.0.0.1, proxy.example")


def _app(web: WebWorld, proxies: ProxyTrust) -> Any:
    web.state.proxies = proxies
    return create_app(web.state)


async def _fail_login_from(app: Any, peer: str, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(peer, 40_000))
    async with httpx.AsyncClient(
        transport=transport, base_url=APP, headers={"Origin": APP, **headers}
    ) as client:
        token = csrf_of((await client.get("/login")).text)
        return await client.post(
            "/login", data={"email": "nobody@demo.fi", "password": "x", "csrf_token": token}
        )


async def test_login_throttling_counts_the_forwarded_address_only_behind_a_trusted_proxy(
    web: WebWorld,
) -> None:
    web.state.address_throttle = throttle = AddressThrottle(limit=100, window=60)
    spoof = {"X-Forwarded-For": "203.0.113.99"}
    # nobody trusted (the default): loopback's forwarded header is ignored
    await _fail_login_from(_app(web, ProxyTrust()), "127.0.0.1", spoof)
    assert set(throttle._failures) == {"127.0.0.1"}
    # the operator's proxy: its forwarded address is the one counted
    proxied = _app(web, ProxyTrust.parse("10.0.0.5"))
    await _fail_login_from(proxied, "10.0.0.5", spoof)
    assert set(throttle._failures) == {"127.0.0.1", "203.0.113.99"}
    # anyone else sending the same header is counted as themselves
    await _fail_login_from(proxied, "198.51.100.3", {"X-Forwarded-For": "203.0.113.42"})
    assert "203.0.113.42" not in throttle._failures and "198.51.100.3" in throttle._failures


async def test_https_behind_a_trusted_proxy_gets_hsts_and_secure_cookies(web: WebWorld) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "silta.example.fi"}
    for peer, trusted in (("10.0.0.5", True), ("198.51.100.3", False)):
        app = _app(web, ProxyTrust.parse("10.0.0.5"))
        transport = httpx.ASGITransport(app=app, client=(peer, 40_000))
        origin = "https://silta.example.fi" if trusted else APP
        async with httpx.AsyncClient(
            transport=transport, base_url=APP, headers={**forwarded, "Origin": origin}
        ) as client:
            form = await client.get("/login")
            # the login form's cookie is Secure over https: httpx (on http) would not send it
            cookie = form.headers["set-cookie"].split(";", 1)[0]
            answer = await client.post(
                "/login",
                data={
                    "email": web.users.kh,
                    "password": PASSWORD,
                    "csrf_token": csrf_of(form.text),
                },
                headers={"Cookie": cookie},
            )
        hsts = form.headers.get("strict-transport-security")
        cookie = answer.headers.get("set-cookie", "")
        assert answer.status_code == 303, (peer, answer.status_code)
        if trusted:
            assert hsts == "max-age=31536000; includeSubDomains"
            assert "Secure" in cookie
        else:
            assert hsts is None
            assert "Secure" not in cookie


# -- the audit log ------------------------------------------------------------------------


async def test_security_events_are_logged_one_line_each(
    web: WebWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="silta.audit")
    async with web.client() as client:
        page = await client.get("/login")
        await client.post(
            "/login",
            data={
                "email": "correct horse battery",
                "password": "x",
                "csrf_token": csrf_of(page.text),
            },
        )
        csrf = await login(client, web.users.kh)
        await client.post(
            f"/tenants/{web.tenant.id}/tokens",
            data={"name": "audited", "csrf_token": csrf},
        )
        token = web.accounts.api_tokens(web.users.kh)[-1]
        await client.post(
            f"/tenants/{web.tenant.id}/tokens/{token.id}/revoke", data={"csrf_token": csrf}
        )
        await client.post(
            f"/tenants/{web.tenant.id}/pause",
            data={"paused": "1", "csrf_token": csrf},
            headers={"Origin": "https://evil.example"},
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "silta.audit"]
    assert lines == [
        "sign-in failed: '(not an email address)' from 127.0.0.1",  # a password, maybe
        "signed in: kh@demo.fi from 127.0.0.1",
        f"API token {token.id} made by kh@demo.fi from 127.0.0.1: read, tenant "
        f"{web.tenant.id}, until {token.expires_at.isoformat()}",
        f"API token {token.id} of kh@demo.fi revoked by kh@demo.fi from 127.0.0.1",
        f"form refused: POST /tenants/{web.tenant.id}/pause from 127.0.0.1 came from another "
        "origin",
    ]
    assert PASSWORD not in caplog.text
