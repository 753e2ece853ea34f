"""API tokens with a life cycle, as the API and the tokens page see them.

Expired, revoked, password-changed and membership-removed tokens are each refused (401);
a ``read`` token reads everything its user may and gets 403 on every route that is not a
read (all of them, from the route table); a token bound to a tenant sees no other. A KH
makes, sees and revokes their own tokens on the tenant's tokens page; the operator sees
and revokes anyone's there; nobody else can.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from silta.store import Role, TokenScope
from silta.store.models import ApiTokenRow
from silta.web.app import route_table
from tests.web.conftest import PASSWORD, WebWorld, csrf_of, login
from tests.web.test_access import BODIES, _fill, _settle


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _status(web: WebWorld, token: str, path: str = "") -> int:
    async with web.client() as client:
        answer = await client.get(f"/api/v1/tenants{path}", headers=_bearer(token))
    return answer.status_code


async def test_an_expired_token_is_refused(web: WebWorld) -> None:
    token = web.accounts.create_api_token(web.users.kh, "short")
    assert await _status(web, token) == 200
    with web.store.engine.begin() as connection:  # its time has come
        connection.execute(
            update(ApiTokenRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert await _status(web, token) == 401


async def test_a_revoked_token_is_refused(web: WebWorld) -> None:
    token = web.accounts.create_api_token(web.users.kh, "revoked")
    [listed] = web.accounts.api_tokens(web.users.kh)
    assert web.accounts.revoke_api_token(web.users.kh, listed.id)
    assert await _status(web, token) == 401


async def test_a_password_change_ends_the_users_tokens(web: WebWorld) -> None:
    token = web.accounts.create_api_token(web.users.kh, "before")
    other = web.accounts.create_api_token(web.users.viewer, "someone else's")
    web.accounts.set_password(web.users.kh, "a new password entirely")
    assert await _status(web, token) == 401
    assert await _status(web, other) == 200


async def test_a_removed_membership_ends_the_tokens_bound_to_that_tenant(web: WebWorld) -> None:
    bound = web.accounts.create_api_token(web.users.kh, "bound", tenant=web.tenant.id)
    free = web.accounts.create_api_token(web.users.kh, "free")
    web.accounts.revoke(web.users.kh, web.tenant.id)
    assert await _status(web, bound) == 401
    assert await _status(web, free) == 200  # still a token, but for nothing of this tenant
    assert await _status(web, free, f"/{web.tenant.id}") == 404


async def test_a_token_bound_to_a_tenant_sees_no_other(web: WebWorld) -> None:
    token = web.accounts.create_api_token(web.users.operator, "one tenant", tenant=web.tenant.id)
    async with web.client() as client:
        listed = await client.get("/api/v1/tenants", headers=_bearer(token))
        other = await client.get(f"/api/v1/tenants/{web.other.id}", headers=_bearer(token))
        own = await client.get(f"/api/v1/tenants/{web.tenant.id}", headers=_bearer(token))
    assert [t["id"] for t in listed.json()] == [web.tenant.id]
    assert (other.status_code, own.status_code) == (404, 200)


async def test_a_read_token_reads_and_gets_403_on_every_mutating_route(web: WebWorld) -> None:
    values = await _fill(web)
    read = web.accounts.create_api_token(web.users.kh, "reader", scope=TokenScope.READ)
    before = web.store.tenant(web.tenant.id)
    routes = [(m, p) for m, p in route_table(web.app) if p.startswith("/api/v1/")]
    mutating = [(m, p) for m, p in routes if m not in ("GET", "HEAD")]
    assert len(mutating) >= 5
    async with web.client() as client:
        for method, path in routes:
            url = path.format(**values)
            body = BODIES.get((method, path), {})
            answer = await client.request(
                method, url, json=None if method == "GET" else body, headers=_bearer(read)
            )
            expected = 200 if method in ("GET", "HEAD") else 403
            assert answer.status_code == expected, (method, path, answer.status_code)
            if expected == 403:
                assert "only read" in answer.json()["detail"]
            await _settle(web)
    after = web.store.tenant(web.tenant.id)
    assert (after.settings, after.netvisor, after.severa) == (
        before.settings, before.netvisor, before.severa,
    )  # fmt: skip


# -- the tokens page --------------------------------------------------------------------------


async def test_a_kh_makes_sees_and_revokes_their_own_token(web: WebWorld) -> None:
    base = f"/tenants/{web.tenant.id}/tokens"
    async with web.client() as client:
        csrf = await login(client, web.users.kh)
        made = await client.post(
            base, data={"name": "reporting", "scope": "write", "days": "30", "csrf_token": csrf}
        )
        assert made.status_code == 200
        [secret] = re.findall(r'data-testid="token-secret">(silta_[^<]+)<', made.text)
        listed = await client.get(base)
        assert "reporting" in listed.text and secret not in listed.text  # shown once only
        [token] = web.accounts.api_tokens(web.users.kh)
        assert (token.scope, token.tenant_id) == (TokenScope.WRITE, web.tenant.id)
        assert token.expires_at - token.created_at == timedelta(days=30)
        assert made.headers["cache-control"] == "no-store"
        async with web.client() as api:
            assert (await api.get("/api/v1/tenants", headers=_bearer(secret))).status_code == 200
        revoked = await client.post(f"{base}/{token.id}/revoke", data={"csrf_token": csrf})
        assert revoked.status_code == 303
        assert "Avain mitätöity" in (await client.get(revoked.headers["location"])).text
    assert web.accounts.api_tokens(web.users.kh) == []
    assert await _status(web, secret) == 401


async def test_a_new_token_reads_only_by_default_and_bad_input_makes_none(
    web: WebWorld,
) -> None:
    base = f"/tenants/{web.tenant.id}/tokens"
    async with web.client() as client:
        csrf = await login(client, web.users.kh)
        page = await client.get(base)
        assert re.search(r'value="read"\s+checked', page.text)
        assert re.search(r'<option value="90" selected>', page.text)  # SILTA_API_TOKEN_DAYS
        for bad in ({"name": ""}, {"name": "x", "days": "0"}, {"name": "x", "days": "400"},
                    {"name": "x", "scope": "admin"}):  # fmt: skip
            answer = await client.post(base, data={**bad, "csrf_token": csrf})
            assert answer.status_code == 422, bad
            assert "Avainta ei luotu" in answer.text
        assert (await client.post(base, data={"name": "x", "csrf_token": csrf})).status_code == 200
    [token] = web.accounts.api_tokens(web.users.kh)
    assert token.scope is TokenScope.READ
    assert token.expires_at - token.created_at == timedelta(days=90)


async def test_the_operator_revokes_anyones_token_and_nobody_else_can(web: WebWorld) -> None:
    kh_token = web.accounts.create_api_token(web.users.kh, "kh-reporting", tenant=web.tenant.id)
    token_id = web.accounts.api_tokens(web.users.kh)[0].id
    web.accounts.grant(web.users.other_kh, web.tenant.id, Role.KH)  # a second KH of the tenant
    async with web.client() as other:
        csrf = await login(other, web.users.other_kh)
        page = await other.get(f"/tenants/{web.tenant.id}/tokens")
        assert "kh-reporting" not in page.text  # another KH's tokens are theirs alone
        answer = await other.post(
            f"/tenants/{web.tenant.id}/tokens/{token_id}/revoke", data={"csrf_token": csrf}
        )
        assert answer.status_code == 404
    async with web.client() as viewer:
        await login(viewer, web.users.viewer)
        assert (await viewer.get(f"/tenants/{web.tenant.id}/tokens")).status_code == 403
    assert await _status(web, kh_token) == 200
    async with web.client() as operator:
        csrf = await login(operator, web.users.operator)
        page = await operator.get(f"/tenants/{web.tenant.id}/tokens")
        assert "kh-reporting" in page.text and web.users.kh in page.text
        answer = await operator.post(
            f"/tenants/{web.tenant.id}/tokens/{token_id}/revoke", data={"csrf_token": csrf}
        )
        assert answer.status_code == 303
    assert await _status(web, kh_token) == 401


async def test_a_password_change_ends_sessions_and_tokens_together(
    web: WebWorld,
) -> None:
    """Sessions and tokens end together: nothing made with the old password survives it."""
    async with web.client() as client:
        await login(client, web.users.kh)
        token = web.accounts.create_api_token(web.users.kh, "old")
        web.accounts.set_password(web.users.kh, "another long password")
        assert (await client.get("/")).status_code == 303
    assert await _status(web, token) == 401
    async with web.client() as client:
        page = await client.get("/login")
        answer = await client.post(
            "/login",
            data={"email": web.users.kh, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert answer.status_code == 401  # the old password is gone as well
