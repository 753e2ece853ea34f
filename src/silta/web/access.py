"""Who is asking, and what they may do: enforced here, on the server, for pages and API alike.

* A page request is signed in by the session cookie: a random 256-bit token whose SHA-256
  is the session's row id (:class:`silta.store.Accounts`). It is unforgeable without
  signing, and logging out deletes it, which a signed cookie alone cannot do.
* An API request is signed in by ``Authorization: Bearer <token>`` only, never the cookie,
  so a browser can never be tricked into calling the API (no CSRF surface there). A live
  token only: a revoked or expired one is 401. A ``read`` token gets 403 on every method
  that is not a read, whatever its user may do; a token bound to one tenant sees no other.
* Per tenant: a membership gives ``kh`` (change settings and credentials, start runs) or
  ``viewer`` (read only); an operator may do everything everywhere. A user who is not a
  member gets 404 for the tenant, as if it did not exist; a viewer asking to change
  something gets 403.
* Every page form carries the session's CSRF token, and its ``Origin`` (or ``Referer``)
  must be this app's own; a POST without both is refused (403).
* An id in a path is a positive number within the columns' range (:data:`Id`); anything
  else names nothing and is 404, like an id that names nothing.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

import attrs
from fastapi import HTTPException, Path, Request

from silta.store import (
    Accounts,
    ApiToken,
    Role,
    RunRecord,
    TokenScope,
    UnknownRun,
    User,
    WebSession,
)
from silta.tenants import Tenant

__all__ = [
    "MAX_ID",
    "SESSION_COOKIE",
    "BigId",
    "Grant",
    "Id",
    "LoginRequired",
    "Principal",
    "api_principal",
    "page_principal",
    "read_only_token",
    "require_tenant",
    "tenant_run",
    "valid_csrf",
    "visible_tenants",
]

SESSION_COOKIE = "silta_session"
MAX_ID = 2**31 - 1  # the id columns are INTEGER (PostgreSQL's int4)
# A path id: a positive number a column can hold. Out-of-range ids used to reach SQLite as
# an OverflowError (a 500); now they are refused before any handler runs (404).
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
BigId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # job ids: procrastinate's are BIGINT


class LoginRequired(Exception):
    """A page needs a signed-in user: the app answers with a redirect to the login page."""


@attrs.frozen
class Principal:
    user: User
    via: Literal["session", "token"]
    session: WebSession | None = None
    token: ApiToken | None = None  # the API token it came with (its scope and reach)

    @property
    def read_only(self) -> bool:
        return self.token is not None and self.token.scope is TokenScope.READ

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""


@attrs.frozen
class Grant:
    """What a principal may do with one tenant."""

    tenant: Tenant
    role: Role
    operator: bool

    @property
    def can_write(self) -> bool:
        return self.role is Role.KH


def _accounts(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.web.accounts
    return accounts


def page_principal(request: Request) -> Principal | None:
    """The user of the session cookie, if it names a live session."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = _accounts(request).session(token)
    return None if session is None else Principal(session.user, "session", session)


def api_principal(request: Request) -> Principal:
    """The user of the bearer token; 401 without a live one (unknown, revoked, expired)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    access = _accounts(request).api_access(token.strip()) if scheme.lower() == "bearer" else None
    if access is None:
        raise HTTPException(
            status_code=401,
            detail="a valid API token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Principal(access.user, "token", token=access.token)


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def read_only_token(request: Request, principal: Principal) -> None:
    """403 for anything but a read with a ``read`` token: one rule for every API route, so a
    new route that changes something cannot forget it."""
    if principal.read_only and request.method not in _READS:
        raise HTTPException(
            status_code=403,
            detail="this API token may only read (make one with scope write to change things)",
        )


def require_tenant(
    request: Request, principal: Principal, tenant_id: int, *, write: bool = False
) -> Grant:
    """The principal's grant on the tenant: 404 for a non-member, 403 for a viewer's write."""
    from silta.store import UnknownTenant

    web = request.app.state.web
    bound = principal.token.tenant_id if principal.token else None
    if bound is not None and bound != tenant_id:  # a token bound elsewhere sees nothing here
        raise HTTPException(status_code=404, detail="no such tenant")
    try:
        tenant = web.store.tenant(tenant_id)
    except UnknownTenant:
        raise HTTPException(status_code=404, detail="no such tenant") from None
    if principal.user.operator:
        grant = Grant(tenant, Role.KH, operator=True)
    else:
        role = web.accounts.role(principal.user.id, tenant.id)
        if role is None:
            raise HTTPException(status_code=404, detail="no such tenant")
        grant = Grant(tenant, role, operator=False)
    if write and not grant.can_write:
        raise HTTPException(status_code=403, detail="read-only access to this tenant")
    if write and principal.read_only:
        raise HTTPException(status_code=403, detail="this API token may only read")
    return grant


def visible_tenants(request: Request, principal: Principal) -> list[tuple[Tenant, str]]:
    """The tenants the principal may see, each with its role (``operator`` for operators)."""
    web = request.app.state.web
    tenants: list[Tenant] = web.store.tenants()
    bound = principal.token.tenant_id if principal.token else None
    if bound is not None:
        tenants = [tenant for tenant in tenants if tenant.id == bound]
    if principal.user.operator:
        return [(tenant, "operator") for tenant in tenants]
    roles = {m.tenant_id: m.role.value for m in web.accounts.memberships(principal.user.id)}
    return [(tenant, roles[tenant.id]) for tenant in tenants if tenant.id in roles]


def tenant_run(request: Request, tenant_id: int, run_id: int) -> RunRecord:
    """The run, if it is this tenant's; 404 otherwise (another tenant's run does not exist)."""
    try:
        run: RunRecord = request.app.state.web.store.run(run_id)
    except UnknownRun:
        raise HTTPException(status_code=404, detail="no such run") from None
    if run.tenant_id != tenant_id:
        raise HTTPException(status_code=404, detail="no such run")
    return run


def valid_csrf(principal: Principal | None, submitted: str | None) -> bool:
    """The form's token equals the session's (compared in constant time)."""
    if principal is None or principal.session is None or not submitted:
        return False
    return hmac.compare_digest(principal.session.csrf_token, submitted)
