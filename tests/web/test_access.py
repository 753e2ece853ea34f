"""Who may do what: the authorization matrix, CSRF, sessions and login throttling.

The matrix is generated from the app's route table: every route that changes something
(POST, PUT, PATCH, DELETE) must have a request in ``REQUESTS`` below, so a new route
cannot be forgotten; each is tried as anonymous, viewer, KH of another tenant, KH and
operator, and the status must be the one the role calls for.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from silta.store import Role
from silta.web.app import route_table
from tests.web.conftest import PASSWORD, WebWorld, csrf_of, login

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC = {("POST", "/login")}  # anyone may try to log in (CSRF-checked, throttled)

# (method, path template) -> the form (pages) or JSON body (API) of a valid request.
REQUESTS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/logout"): {},
    ("POST", "/tenants/{tenant_id}/settings"): {
        "customers": "severa_to_netvisor",
        "products": "netvisor_to_severa",
        "register_interval_minutes": "45",
        "dimension_time": "02:00",
        "timezone": "Europe/Helsinki",
    },
    ("POST", "/tenants/{tenant_id}/credentials"): {"client_secret": ""},
    ("POST", "/tenants/{tenant_id}/test-connection"): {},
    ("POST", "/tenants/{tenant_id}/pause"): {"paused": "0"},
    ("POST", "/tenants/{tenant_id}/sync"): {"register": "customers"},
    ("POST", "/tenants/{tenant_id}/preview"): {"register": "customers"},
    ("PATCH", "/api/v1/tenants/{tenant_id}/settings"): {"register_interval_minutes": 50},
    ("PUT", "/api/v1/tenants/{tenant_id}/credentials"): {},
    ("POST", "/api/v1/tenants/{tenant_id}/test-connection"): {},
    ("POST", "/api/v1/tenants/{tenant_id}/sync"): {"registers": ["customers"]},
    ("POST", "/api/v1/tenants/{tenant_id}/preview"): {"registers": ["customers"]},
}

ROLES = ("anonymous", "viewer", "other_kh", "kh", "operator")


def mutating_routes(app: Any) -> list[tuple[str, str]]:
    return [
        (method, path)
        for method, path in route_table(app)
        if method in MUTATING and (method, path) not in PUBLIC
    ]


def test_every_mutating_route_is_in_the_matrix(web: WebWorld) -> None:
    routes = mutating_routes(web.app)
    assert routes, "no mutating routes found: the route table changed shape"
    missing = [route for route in routes if route not in REQUESTS]
    assert not missing, f"add these routes to REQUESTS (and so to the matrix): {missing}"
    stale = [route for route in REQUESTS if route not in routes]
    assert not stale, f"REQUESTS names routes that no longer exist: {stale}"


def expected(role: str, path: str) -> set[int]:
    api = path.startswith("/api/")
    if path == "/logout":  # not tenant-bound: any signed-in user may log out
        return {303}
    return {
        "anonymous": {401} if api else {303},
        "viewer": {403},
        "other_kh": {404},
        "kh": {200, 202, 204} if api else {200, 303},
        "operator": {200, 202, 204} if api else {200, 303},
    }[role]


async def _settle(web: WebWorld) -> None:
    for tenant in (web.tenant, web.other):
        for job in web.jobs.for_tenant(tenant.id):
            await web.jobs.wait(job.id)


async def test_authorization_matrix(web: WebWorld) -> None:
    tokens = {
        role: web.accounts.create_api_token(getattr(web.users, role), "matrix")
        for role in ROLES[1:]
    }
    results: dict[tuple[str, str, str], int] = {}
    for method, path in mutating_routes(web.app):
        url = path.format(tenant_id=web.tenant.id)
        for role in ROLES:
            async with web.client() as client:
                headers: dict[str, str] = {}
                body = dict(REQUESTS[(method, path)])
                if role != "anonymous":
                    email = getattr(web.users, role)
                    if path.startswith("/api/"):
                        headers["Authorization"] = f"Bearer {tokens[role]}"
                    else:
                        body["csrf_token"] = await login(client, email)
                if path.startswith("/api/"):
                    answer = await client.request(method, url, json=body, headers=headers)
                else:
                    answer = await client.request(method, url, data=body, headers=headers)
                results[(method, path, role)] = answer.status_code
                if role == "anonymous" and not path.startswith("/api/"):
                    assert answer.headers["location"].startswith("/login")
            await _settle(web)
    wrong = {
        key: status for key, status in results.items() if status not in expected(key[2], key[1])
    }
    assert not wrong, f"unexpected statuses (method, path, role): {wrong}"


async def test_a_viewers_pages_have_no_mutating_forms(web: WebWorld) -> None:
    async with web.client() as client:
        await login(client, web.users.viewer)
        base = f"/tenants/{web.tenant.id}"
        for page in ("/", f"{base}/settings", f"{base}/runs", f"{base}/preview", f"{base}/history"):
            html = (await client.get(page)).text
            assert 'method="post" action="/tenants/' not in html, page
            assert 'method="post" action="/logout"' in html  # the one form a viewer has


async def test_a_non_member_gets_404_for_pages_and_api(web: WebWorld) -> None:
    token = web.accounts.create_api_token(web.users.other_kh, "t")
    async with web.client() as client:
        await login(client, web.users.other_kh)
        for page in ("settings", "runs", "preview", "history"):
            assert (await client.get(f"/tenants/{web.tenant.id}/{page}")).status_code == 404
        answer = await client.get(
            f"/api/v1/tenants/{web.tenant.id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 404
        # ... and the tenant it is a member of is there
        assert (await client.get(f"/tenants/{web.other.id}/settings")).status_code == 200


# -- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_a_form_post_without_a_valid_csrf_token_is_refused(
    web: WebWorld, token: str | None
) -> None:
    before = web.store.settings_history(web.tenant.id)
    async with web.client() as client:
        await login(client, web.users.kh)
        form = dict(REQUESTS[("POST", "/tenants/{tenant_id}/settings")])
        form["customers"] = "netvisor_to_severa"
        if token is not None:
            form["csrf_token"] = token
        answer = await client.post(f"/tenants/{web.tenant.id}/settings", data=form)
    assert answer.status_code == 403
    assert "Lomake oli vanhentunut" in answer.text
    assert web.store.settings_history(web.tenant.id) == before


async def test_another_sessions_csrf_token_is_refused(web: WebWorld) -> None:
    async with web.client() as first, web.client() as second:
        first_token = await login(first, web.users.kh)
        await login(second, web.users.kh)
        answer = await second.post(
            f"/tenants/{web.tenant.id}/pause", data={"paused": "1", "csrf_token": first_token}
        )
    assert answer.status_code == 403
    assert not web.store.tenant(web.tenant.id).paused


async def test_the_login_form_needs_its_csrf_cookie(web: WebWorld) -> None:
    async with web.client() as client:
        answer = await client.post(
            "/login",
            data={"email": web.users.kh, "password": PASSWORD, "csrf_token": "x", "next": "/"},
        )
    assert answer.status_code == 403
    assert "silta_session" not in answer.cookies


# -- sessions and login ---------------------------------------------------------------------


async def test_the_session_cookie_is_httponly_and_samesite_lax(web: WebWorld) -> None:
    async with web.client() as client:
        token = csrf_of((await client.get("/login")).text)
        answer = await client.post(
            "/login",
            data={"email": web.users.kh, "password": PASSWORD, "csrf_token": token, "next": "/"},
        )
    cookie = next(h for h in answer.headers.get_list("set-cookie") if "silta_session=" in h)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http here; see the https test below


async def test_the_session_cookie_is_secure_over_https(web: WebWorld) -> None:
    transport = httpx.ASGITransport(app=web.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://silta.test") as client:
        token = csrf_of((await client.get("/login")).text)
        answer = await client.post(
            "/login",
            data={"email": web.users.kh, "password": PASSWORD, "csrf_token": token, "next": "/"},
        )
    cookie = next(h for h in answer.headers.get_list("set-cookie") if "silta_session=" in h)
    assert "Secure" in cookie


async def test_login_makes_a_new_session_and_logout_ends_it(web: WebWorld) -> None:
    async with web.client() as client:
        planted_token, _ = web.accounts.open_session(web.accounts.user(web.users.viewer).id)
        client.cookies.set("silta_session", planted_token, domain="silta.test")  # fixed
        await login(client, web.users.kh)
        new = client.cookies.get("silta_session")
        assert new and new != planted_token
        assert web.accounts.session(planted_token) is None  # the fixed one is gone
        csrf = csrf_of((await client.get("/")).text)
        answer = await client.post("/logout", data={"csrf_token": csrf})
        assert answer.status_code == 303
        assert web.accounts.session(new) is None
        assert (await client.get("/")).status_code == 303  # back to the login page


async def test_repeated_failed_logins_are_slowed_down(web: WebWorld) -> None:
    async with web.client() as client:
        statuses = []
        for _ in range(6):
            token = csrf_of((await client.get("/login")).text)
            answer = await client.post(
                "/login",
                data={"email": web.users.kh, "password": "wrong", "csrf_token": token},
            )
            statuses.append(answer.status_code)
        token = csrf_of((await client.get("/login")).text)
        right = await client.post(
            "/login", data={"email": web.users.kh, "password": PASSWORD, "csrf_token": token}
        )
    assert statuses[:5] == [401] * 5, statuses
    assert statuses[5] == 429, statuses
    assert right.status_code == 429  # even the right password waits out the throttle
    assert "Liian monta" in right.text


async def test_a_revoked_membership_takes_effect_at_once(web: WebWorld) -> None:
    async with web.client() as client:
        await login(client, web.users.kh)
        assert (await client.get(f"/tenants/{web.tenant.id}/settings")).status_code == 200
        web.accounts.revoke(web.users.kh, web.tenant.id)
        assert (await client.get(f"/tenants/{web.tenant.id}/settings")).status_code == 404
        web.accounts.grant(web.users.kh, web.tenant.id, Role.VIEWER)
        html = (await client.get(f"/tenants/{web.tenant.id}/settings")).text
        assert 'data-testid="save-settings"' not in html
