"""Who may do what: the authorization matrix, CSRF, sessions and login throttling.

The matrix covers every route the app answers, read routes, public ones and mounts
included: :func:`every_route` walks the app's route table, and each (method, path) found
must have a row in ``MATRIX`` (and every row must still be a route), so a new route cannot
be forgotten. Each route is then requested as anonymous, viewer of the tenant, KH of another
tenant only (a non-member), KH of the tenant and operator, and the status must be the one
the row gives for that role. Pages are signed in by the session cookie, the API by a bearer
token; each is also tried with the other's credential, which must not sign anyone in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from silta.domain import Register
from silta.registers.rules import RULES
from silta.store import History, Invitations, Role, Store
from silta.web.access import SESSION_COOKIE
from silta.web.throttle import AddressThrottle
from tests.store.conftest import KEY, POSTGRES_ENV, postgres_schema
from tests.web.conftest import APP, PASSWORD, WebWorld, build_web, csrf_of, login

ROLES = ("anonymous", "viewer", "other_kh", "kh", "operator")
Row = tuple[set[int], set[int], set[int], set[int], set[int]]  # statuses, in ROLES' order

PAGE_WRITTEN = {200, 303}  # a form answers with the page again, or redirects to it
API_WRITTEN = {200, 202, 204}
#                 anonymous viewer  other_kh  kh            operator
PUBLIC: Row = ({200}, {200}, {200}, {200}, {200})
SIGNED_IN: Row = ({303}, {200}, {200}, {200}, {200})  # any signed-in user, no tenant
PAGE_READ: Row = ({303}, {200}, {404}, {200}, {200})
PAGE_WRITE: Row = ({303}, {403}, {404}, PAGE_WRITTEN, PAGE_WRITTEN)
API_ANY: Row = ({401}, {200}, {200}, {200}, {200})  # any token, no tenant
API_READ: Row = ({401}, {200}, {404}, {200}, {200})
API_WRITE: Row = ({401}, {403}, {404}, API_WRITTEN, API_WRITTEN)
# anonymous tries a wrong password; the others their own
LOGIN: Row = ({401}, {303}, {303}, {303}, {303})
# redirects (anonymous to the login page, the others to it after being signed out)
LOGOUT: Row = ({303}, {303}, {303}, {303}, {303})
# /tenants/{id} only redirects to its settings tab, which does the checks; it reads nothing
TO_SETTINGS: Row = ({303}, {303}, {303}, {303}, {303})
# the tokens page: a KH's own tokens, an operator's everyone's; a viewer has none to manage
TOKENS_PAGE: Row = ({303}, {403}, {404}, {200}, {200})
# the question before pausing: for those who may pause (a viewer may not)
PAUSE_PAGE: Row = ({303}, {403}, {404}, {200}, {200})
# the operator's own switches: a tenant's KH may not waive what protects the tenant
OPERATOR_WRITE: Row = ({303}, {403}, {404}, {403}, PAGE_WRITTEN)
# /metrics names every company: the operator's scraper only, by bearer token (web/metrics.py)
METRICS: Row = ({401}, {403}, {403}, {403}, {200})
# the invitee's page: no session needed; a valid link opens it for anyone who holds it, and
# accepting signs the browser in (a signed-in browser too, as the invitee, like logging in)
INVITATION: Row = ({200}, {200}, {200}, {200}, {200})
ACCEPT: Row = ({303}, {303}, {303}, {303}, {303})
# 409: nothing is held in the matrix's world (test_confirmation.py confirms for real)
API_CONFIRM: Row = ({401}, {403}, {404}, {200, 409}, {200, 409})

# (method, path template) -> who gets what
MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/openapi.json"): PUBLIC,
    ("HEAD", "/api/openapi.json"): PUBLIC,
    ("GET", "/static/{path}"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): LOGIN,
    ("POST", "/logout"): LOGOUT,
    ("GET", "/"): SIGNED_IN,
    ("GET", "/tenants/{tenant_id}"): TO_SETTINGS,
    ("GET", "/tenants/{tenant_id}/settings"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/settings/lookups"): PAGE_READ,
    ("POST", "/tenants/{tenant_id}/settings"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/credentials"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/invoices"): PAGE_WRITE,  # the invoice transfer, KH only
    ("POST", "/tenants/{tenant_id}/test-connection"): PAGE_WRITE,
    ("GET", "/tenants/{tenant_id}/pause"): PAUSE_PAGE,
    ("POST", "/tenants/{tenant_id}/pause"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/sync"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/preview"): PAGE_WRITE,
    ("GET", "/tenants/{tenant_id}/preview"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/runs"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/runs/{run_id}"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/history"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/progress"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/runs/{run_id}/records.csv"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/records"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/records.csv"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/records/{record_id}"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/records/{record_id}/timeline.csv"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/refusals"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/refusals.csv"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/fix/{rule_id}"): PAGE_READ,
    ("GET", "/tenants/{tenant_id}/tokens"): TOKENS_PAGE,
    ("POST", "/tenants/{tenant_id}/tokens"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/tokens/{token_id}/revoke"): PAGE_WRITE,
    ("GET", "/tenants/{tenant_id}/confirm/{register}"): PAGE_READ,
    ("POST", "/tenants/{tenant_id}/confirm/{register}/preview"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/confirm/{register}"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/confirmations"): OPERATOR_WRITE,
    ("GET", "/api/v1/tenants"): API_ANY,
    ("GET", "/api/v1/tenants/{tenant_id}"): API_READ,
    ("GET", "/api/v1/tenants/{tenant_id}/settings"): API_READ,
    ("PATCH", "/api/v1/tenants/{tenant_id}/settings"): API_WRITE,
    ("GET", "/api/v1/tenants/{tenant_id}/settings/history"): API_READ,
    ("PUT", "/api/v1/tenants/{tenant_id}/credentials"): API_WRITE,
    ("POST", "/api/v1/tenants/{tenant_id}/test-connection"): API_WRITE,
    ("POST", "/api/v1/tenants/{tenant_id}/sync"): API_WRITE,
    ("POST", "/api/v1/tenants/{tenant_id}/preview"): API_WRITE,
    ("GET", "/api/v1/tenants/{tenant_id}/holds"): API_READ,
    ("POST", "/api/v1/tenants/{tenant_id}/holds/{register}/confirm"): API_CONFIRM,
    ("GET", "/api/v1/tenants/{tenant_id}/jobs/{job_id}"): API_READ,
    ("GET", "/api/v1/tenants/{tenant_id}/runs"): API_READ,
    ("GET", "/api/v1/tenants/{tenant_id}/runs/{run_id}"): API_READ,
    ("GET", "/api/v1/tenants/{tenant_id}/runs/{run_id}/entries"): API_READ,
    ("GET", "/tenants/{tenant_id}/notifications"): PAGE_READ,
    ("POST", "/tenants/{tenant_id}/notifications"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/notifications/secret"): PAGE_WRITE,
    ("GET", "/api/v1/tenants/{tenant_id}/notifications"): API_READ,
    ("PUT", "/api/v1/tenants/{tenant_id}/notifications"): API_WRITE,
    ("POST", "/api/v1/tenants/{tenant_id}/notifications/secret"): API_WRITE,
    ("GET", "/metrics"): METRICS,
    ("GET", "/api/v1/tenants/{tenant_id}/records"): API_READ,
    ("GET", "/api/v1/tenants/{tenant_id}/records/{record_id}"): API_READ,
    ("GET", "/api/v1/tenants/{tenant_id}/records/{record_id}/timeline"): API_READ,
    ("GET", "/api/v1/tenants/{tenant_id}/refusals"): API_READ,
    ("GET", "/api/v1/tenants/{tenant_id}/refusals/rules"): API_READ,
    ("GET", "/tenants/{tenant_id}/people"): TOKENS_PAGE,
    ("POST", "/tenants/{tenant_id}/people/invite"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/people/invitations/{invitation_id}/revoke"): PAGE_WRITE,
    ("POST", "/tenants/{tenant_id}/people/members/{user_id}/remove"): PAGE_WRITE,
    ("GET", "/invitations/{token}"): INVITATION,
    ("POST", "/invitations/{token}"): ACCEPT,
    # issue 19: the KH's answer for a held travel report (none is held here: a redirect)
    ("POST", "/tenants/{tenant_id}/travel-held/{guid}"): PAGE_WRITE,
}

# the form (pages) or JSON body (API) of a valid request, for the routes that take one
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/tenants/{tenant_id}/settings"): {
        "customers": "severa_to_netvisor",
        "products": "netvisor_to_severa",
        "register_interval_minutes": "45",
        "dimension_time": "02:00",
        "timezone": "Europe/Helsinki",
    },
    ("POST", "/tenants/{tenant_id}/credentials"): {"client_secret": ""},
    ("POST", "/tenants/{tenant_id}/invoices"): {"invoices_mode": "manual"},
    ("POST", "/tenants/{tenant_id}/pause"): {"paused": "0"},
    ("POST", "/tenants/{tenant_id}/sync"): {"register": "customers"},
    ("POST", "/tenants/{tenant_id}/preview"): {"register": "customers"},
    ("POST", "/tenants/{tenant_id}/tokens"): {"name": "matrix", "scope": "read", "days": "30"},
    ("POST", "/tenants/{tenant_id}/confirm/{register}"): {"run_id": "1"},
    ("POST", "/tenants/{tenant_id}/confirmations"): {"waived": "0"},
    ("POST", "/tenants/{tenant_id}/travel-held/{guid}"): {"answer": "send_again"},
    ("PATCH", "/api/v1/tenants/{tenant_id}/settings"): {"register_interval_minutes": 50},
    ("POST", "/api/v1/tenants/{tenant_id}/sync"): {"registers": ["customers"]},
    ("POST", "/api/v1/tenants/{tenant_id}/preview"): {"registers": ["customers"]},
    ("POST", "/api/v1/tenants/{tenant_id}/holds/{register}/confirm"): {"run_id": 1},
    ("POST", "/tenants/{tenant_id}/notifications"): {
        "recipients": "kh@demo.fi fi",
        "events": "run_failed",
        "period_minutes": "60",
        "webhook_url": "",
    },
    ("POST", "/tenants/{tenant_id}/people/invite"): {"email": "matrix@demo.fi", "role": "viewer"},
    ("POST", "/invitations/{token}"): {"password": PASSWORD, "password2": PASSWORD},
    ("PUT", "/api/v1/tenants/{tenant_id}/notifications"): {
        "recipients": [{"email": "kh@demo.fi", "language": "fi"}],
        "events": ["run_failed"],
        "period_minutes": 60,
    },
}


def _bearer(path: str) -> bool:
    """Routes that take a bearer token, never the session cookie: the API and /metrics."""
    return path.startswith("/api/v1/") or path == "/metrics"


def every_route(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the app answers: its own routes, plain routes and mounts.

    A kind of route this does not know (a websocket, say) is listed as ``("?", repr)``, so it
    fails the coverage test until the matrix learns about it.
    """
    found: list[tuple[str, str]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)  # an included router
            if inner is not None:
                walk(inner.routes)
            elif isinstance(route, Mount):
                found.append(("GET", f"{route.path}/{{path}}"))
            elif isinstance(route, APIRoute | Route):
                found.extend((method, route.path) for method in sorted(route.methods or ()))
            else:
                found.append(("?", repr(route)))

    walk(app.router.routes)
    return found


def test_every_route_is_in_the_matrix(web: WebWorld) -> None:
    routes = every_route(web.app)
    assert len(routes) >= len(MATRIX) > 30, "the route table changed shape"
    missing = [route for route in routes if route not in MATRIX]
    assert not missing, f"add these routes to MATRIX (and BODIES if they take one): {missing}"
    stale = [route for route in MATRIX if route not in routes]
    assert not stale, f"MATRIX names routes that no longer exist: {stale}"
    assert set(BODIES) <= set(MATRIX)


async def _settle(web: WebWorld) -> None:
    for tenant in (web.tenant, web.other):
        for job in web.jobs.for_tenant(tenant.id):
            await web.jobs.wait(job.id)


async def _fill(web: WebWorld) -> dict[str, str]:
    """Values for the path parameters: a preview job of the tenant and its run."""
    job = await web.jobs.start(
        web.tenant.id, registers=(Register.CUSTOMERS,), dry_run=True, trigger="matrix"
    )
    job = await web.jobs.wait(job.id)
    rule = next(rule_id for rule_id in RULES if rule_id.startswith("customers."))
    record = History(web.store).search(web.tenant.id, limit=1).items[0]
    return {
        "tenant_id": str(web.tenant.id),
        "run_id": str(job.run_ids[0]),
        "record_id": str(record.id),
        "job_id": str(job.id),
        "rule_id": rule,
        "register": "customers",
        "path": "silta.css",
        "guid": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",  # a travel report (none is held)
    }


def _fresh_token(web: WebWorld) -> int:
    """A KH's token bound to the tenant (one each time: revoking it is the route's work),
    listed on the tokens page of the KH and of the operator."""
    web.accounts.create_api_token(web.users.kh, "to revoke", tenant=web.tenant.id)
    return web.accounts.api_tokens(web.users.kh)[-1].id


def _fresh_people(web: WebWorld) -> dict[str, str]:
    """A fresh invitation (its id and link's token) and a fresh viewer of the tenant, one
    each time: revoking, accepting and removing them is the routes' work."""
    number = len(web.accounts.users())
    token, made = Invitations(web.accounts).invite(
        web.tenant.id, f"invited{number}@demo.fi", Role.VIEWER, by=web.users.kh
    )
    web.accounts.add_user(f"member{number}@demo.fi", PASSWORD)
    member = web.accounts.grant(f"member{number}@demo.fi", web.tenant.id, Role.VIEWER)
    return {"invitation_id": str(made.id), "token": token, "user_id": str(member.user_id)}


async def _request(
    web: WebWorld,
    client: httpx.AsyncClient,
    method: str,
    path: str,
    url: str,
    *,
    email: str | None,
    token: str | None,
) -> httpx.Response:
    """One request as the matrix makes it: pages signed in through the login form (when
    ``email`` is given) with the session's CSRF token, the API with ``token`` as bearer."""
    body = dict(BODIES.get((method, path), {}))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if path == "/login" and method == "POST":
        page = await client.get("/login")
        body = {
            "email": email or web.users.kh,
            "password": PASSWORD if email else "not the password",
            "csrf_token": csrf_of(page.text),
            "next": "/",
        }
    elif path == "/invitations/{token}" and method == "POST":
        if email is not None:
            await login(client, email)
        page = await client.get(url)  # the form's double-submit token, with its cookie
        body["csrf_token"] = csrf_of(page.text.split('action="/invitations/', 1)[1])
    elif email is not None:
        body["csrf_token"] = await login(client, email)
    if _bearer(path):
        json = None if method == "GET" else body
        return await client.request(method, url, json=json, headers=headers)
    return await client.request(method, url, data=body or None, headers=headers)


async def test_authorization_matrix(web: WebWorld) -> None:
    values = await _fill(web)
    tokens = {
        role: web.accounts.create_api_token(getattr(web.users, role), "matrix")
        for role in ROLES[1:]
    }
    wrong: dict[tuple[str, str, str], int] = {}
    for method, path in every_route(web.app):
        api = _bearer(path)
        for role, allowed in zip(ROLES, MATRIX[(method, path)], strict=True):
            url = path.format(**values, token_id=_fresh_token(web), **_fresh_people(web))
            email = None if role == "anonymous" else getattr(web.users, role)
            async with web.client() as client:
                answer = await _request(
                    web, client, method, path, url,
                    email=None if api else email,
                    token=tokens.get(role) if api else None,
                )  # fmt: skip
            if answer.status_code not in allowed:
                wrong[(method, path, role)] = answer.status_code
            if (
                answer.status_code == 303
                and role == "anonymous"
                and path not in ("/tenants/{tenant_id}", "/invitations/{token}")
            ):
                assert answer.headers["location"].startswith("/login"), (method, path)
            await _settle(web)
    assert not wrong, f"unexpected statuses (method, path, role): {wrong}"


async def test_a_session_cookie_never_opens_the_api_nor_a_token_a_page(web: WebWorld) -> None:
    """The API takes only bearer tokens (a browser cannot be made to call it: no CSRF), and
    the pages only the session cookie."""
    values = await _fill(web)
    token = web.accounts.create_api_token(web.users.kh, "crossed")
    async with web.client() as browser:
        csrf = await login(browser, web.users.kh)
        for method, path in every_route(web.app):
            expected = MATRIX[(method, path)][0]  # what anonymous gets
            if expected == {200} or path in (
                "/login",
                "/logout",
                "/tenants/{tenant_id}",
                "/invitations/{token}",  # no session needed: its own double-submit token
            ):
                continue  # public, or not signed-in at all
            url = path.format(**values, token_id=_fresh_token(web), **_fresh_people(web))
            body = dict(BODIES.get((method, path), {}))
            if _bearer(path):  # the browser's cookie (and CSRF), no bearer
                json = None if method == "GET" else {**body, "csrf_token": csrf}
                answer = await browser.request(method, url, json=json)
                assert answer.status_code == 401, (method, path, answer.status_code)
            else:  # a bearer token, no cookie
                async with web.client() as bare:
                    headers = {"Authorization": f"Bearer {token}"}
                    body["csrf_token"] = csrf
                    answer = await bare.request(
                        method, url, data=body if method != "GET" else None, headers=headers
                    )
                assert answer.status_code == 303, (method, path, answer.status_code)
                assert answer.headers["location"].startswith("/login")
            await _settle(web)


async def test_a_tenant_that_exists_and_one_that_does_not_look_alike(web: WebWorld) -> None:
    """A non-member cannot tell another tenant from a missing one, on pages or the API."""
    token = web.accounts.create_api_token(web.users.other_kh, "t")
    bearer = {"Authorization": f"Bearer {token}"}
    async with web.client() as client:
        await login(client, web.users.other_kh)
        for tenant_id in (web.tenant.id, 987_654):
            page = await client.get(f"/tenants/{tenant_id}/settings")
            api = await client.get(f"/api/v1/tenants/{tenant_id}", headers=bearer)
            assert (page.status_code, api.status_code) == (404, 404)
            assert api.json() == {"detail": "no such tenant"}
        listed = await client.get("/api/v1/tenants", headers=bearer)
        assert [t["id"] for t in listed.json()] == [web.other.id]
        assert web.tenant.name not in (await client.get("/")).text


async def test_a_viewers_pages_have_no_mutating_forms(web: WebWorld) -> None:
    async with web.client() as client:
        await login(client, web.users.viewer)
        base = f"/tenants/{web.tenant.id}"
        pages = ("/", f"{base}/settings", f"{base}/runs", f"{base}/preview", f"{base}/history",
                 f"{base}/confirm/customers", f"{base}/notifications")  # fmt: skip
        for page in pages:
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
        form = dict(BODIES[("POST", "/tenants/{tenant_id}/settings")])
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
    async with httpx.AsyncClient(
        transport=transport, base_url="https://silta.test", headers={"Origin": "https://silta.test"}
    ) as client:
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


# -- session fixation, on every backend that keeps sessions ----------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_web(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WebWorld]:
    """The web world over SQLite and, when ``SILTA_TEST_POSTGRES_URL`` is set, PostgreSQL:
    sessions are rows of the store, so fixation is a property of both."""
    if request.param == "sqlite":
        store = Store.open(f"sqlite:///{tmp_path / 'web.db'}", secret_key=KEY)
        yield build_web(store)
        store.close()
        return
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: the PostgreSQL path is not tested")
    with postgres_schema() as url:
        store = Store.open(url, secret_key=KEY)
        yield build_web(store)
        store.close()


async def _signed_in_as(web: WebWorld, token: str) -> int:
    """What a fresh browser carrying only this session cookie gets for the front page."""
    async with web.client() as browser:
        browser.cookies.set(SESSION_COOKIE, token, domain="silta.test")
        return (await browser.get("/")).status_code


@pytest.mark.parametrize("planted", ["unknown", "attackers-own"])
async def test_a_planted_session_id_is_never_the_one_signed_in(
    any_web: WebWorld, planted: str
) -> None:
    """Session fixation: an attacker sets the victim's session cookie before the victim
    signs in (an id made up, or a live session of the attacker's own account); after the
    sign-in the browser holds a new id, and the planted one signs no one in, neither as the
    victim nor as the attacker."""
    web = any_web
    if planted == "unknown":
        fixed = "attacker-chosen-session-id-0123456789abcdef"
    else:
        fixed, _ = web.accounts.open_session(web.accounts.user(web.users.viewer).id)
        assert await _signed_in_as(web, fixed) == 200  # it was live
    async with web.client() as victim:
        victim.cookies.set(SESSION_COOKIE, fixed, domain="silta.test")
        await login(victim, web.users.kh)
        current = victim.cookies.get(SESSION_COOKIE)
        assert current and current != fixed
        session = web.accounts.session(current)
        assert session is not None and session.user.email == web.users.kh
        assert web.accounts.session(fixed) is None
        assert await _signed_in_as(web, fixed) == 303  # replayed: the login page
        # signing in again in the same browser replaces the session once more
        await login(victim, web.users.kh)
        again = victim.cookies.get(SESSION_COOKIE)
        assert again and again != current
        assert web.accounts.session(current) is None
        assert await _signed_in_as(web, current) == 303
        # logging out kills the id the browser had, wherever it is replayed from
        csrf = csrf_of((await victim.get("/")).text)
        assert (await victim.post("/logout", data={"csrf_token": csrf})).status_code == 303
        assert web.accounts.session(again) is None
        assert await _signed_in_as(web, again) == 303
        assert (await victim.get("/")).status_code == 303


async def test_a_failed_login_leaves_a_planted_session_unused(web: WebWorld) -> None:
    """A failed sign-in makes no session, so there is nothing for a planted id to become."""
    async with web.client() as victim:
        victim.cookies.set(SESSION_COOKIE, "planted", domain="silta.test")
        token = csrf_of((await victim.get("/login")).text)
        answer = await victim.post(
            "/login", data={"email": web.users.kh, "password": "wrong", "csrf_token": token}
        )
    assert answer.status_code == 401
    assert SESSION_COOKIE not in answer.cookies
    assert web.accounts.session("planted") is None


# -- login throttling -------------------------------------------------------------------------


def _from(web: WebWorld, address: str) -> httpx.AsyncClient:
    """A browser at this client address."""
    transport = httpx.ASGITransport(app=web.app, client=(address, 40_000))  # type: ignore[arg-type]
    return httpx.AsyncClient(
        transport=transport, base_url=APP, follow_redirects=False, headers={"Origin": APP}
    )


async def _try(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = csrf_of((await client.get("/login")).text)
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )


async def test_repeated_failed_logins_are_slowed_down(web: WebWorld) -> None:
    async with web.client() as client:
        statuses = [(await _try(client, web.users.kh, "wrong")).status_code for _ in range(6)]
        right = await _try(client, web.users.kh, PASSWORD)
    assert statuses[:5] == [401] * 5, statuses
    assert statuses[5] == 429, statuses
    assert right.status_code == 429  # even the right password waits out the throttle
    assert "Liian monta" in right.text


async def test_an_account_is_throttled_whichever_address_the_guesses_come_from(
    web: WebWorld,
) -> None:
    for number in range(5):
        async with _from(web, f"198.51.100.{number + 1}") as client:
            assert (await _try(client, web.users.kh, "wrong")).status_code == 401
    async with _from(web, "198.51.100.99") as fresh:
        assert (await _try(fresh, web.users.kh, PASSWORD)).status_code == 429
        # another account from the same fresh address is not held up
        assert (await _try(fresh, web.users.viewer, PASSWORD)).status_code == 303


async def test_one_address_guessing_many_accounts_is_throttled(web: WebWorld) -> None:
    """Password spraying: one wrong password each on many emails never trips the per-email
    throttle, so the address itself is counted."""
    web.state.address_throttle = AddressThrottle(limit=4, window=60)
    async with _from(web, "203.0.113.7") as sprayer:
        statuses = [
            (await _try(sprayer, f"guess{number}@demo.fi", "Summer2026!")).status_code
            for number in range(5)
        ]
        own = await _try(sprayer, web.users.viewer, PASSWORD)  # even a right password waits
    assert statuses == [401, 401, 401, 401, 429], statuses
    assert own.status_code == 429 and "Liian monta" in own.text
    async with _from(web, "203.0.113.8") as neighbour:  # other addresses are not held up
        assert (await _try(neighbour, web.users.viewer, PASSWORD)).status_code == 303


def test_the_address_throttle_forgets_old_failures_and_not_on_success() -> None:
    now = [1000.0]
    throttle = AddressThrottle(limit=3, window=60, max_addresses=2, clock=lambda: now[0])
    for _ in range(3):
        throttle.failed("a")
        now[0] += 10
    assert throttle.wait("a") == pytest.approx(30)  # the first failure leaves at 1060
    now[0] = 1060.5
    assert throttle.wait("a") is None
    throttle.failed("b")
    throttle.failed("c")  # a third address: the least recently failed ("a") is forgotten
    assert set(throttle._failures) == {"b", "c"}


def _shape(answer: httpx.Response) -> tuple[int, str]:
    """The answer with what differs per request (the form token, the typed email) blanked."""
    text = answer.text
    text = text.replace(csrf_of(text), "TOKEN") if 'name="csrf_token"' in text else text
    for email in ("kh@demo.fi", "nobody@demo.fi"):
        text = text.replace(email, "EMAIL")
    return answer.status_code, text


async def test_a_locked_out_account_looks_like_an_unknown_email(
    web: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Throttling is per email, whether or not an account has it: an existing account and
    an email nobody has get the same answers, word for word, through the lockout, and the
    same work (one password hash check per attempt, none once throttled), so neither the
    answer nor its time tells whether the account exists."""
    checks: list[str] = []
    verify = web.accounts._verify

    def counted(password_hash: str, password: str) -> bool:
        checks.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(web.accounts, "_verify", counted)
    answers: dict[str, list[tuple[int, str]]] = {}
    work: dict[str, list[int]] = {}
    for number, email in enumerate(("kh@demo.fi", "nobody@demo.fi")):
        async with _from(web, f"192.0.2.{number + 1}") as client:
            answers[email], work[email] = [], []
            for _ in range(7):
                before = len(checks)
                answers[email].append(_shape(await _try(client, email, "wrong")))
                work[email].append(len(checks) - before)
    assert answers["kh@demo.fi"] == answers["nobody@demo.fi"]
    assert [status for status, _ in answers["kh@demo.fi"]] == [401] * 5 + [429] * 2
    assert work["kh@demo.fi"] == work["nobody@demo.fi"] == [1] * 5 + [0] * 2


async def test_a_revoked_membership_takes_effect_at_once(web: WebWorld) -> None:
    async with web.client() as client:
        await login(client, web.users.kh)
        assert (await client.get(f"/tenants/{web.tenant.id}/settings")).status_code == 200
        web.accounts.revoke(web.users.kh, web.tenant.id)
        assert (await client.get(f"/tenants/{web.tenant.id}/settings")).status_code == 404
        web.accounts.grant(web.users.kh, web.tenant.id, Role.VIEWER)
        html = (await client.get(f"/tenants/{web.tenant.id}/settings")).text
        assert 'data-testid="save-settings"' not in html
