"""Authentication: client credentials, access tokens, refresh tokens, and request checks.

``POST /v1/token`` (body ``ClientCredentials``) and ``POST /v1/refreshtoken`` (body: the
refresh token as a bare JSON string) answer a ``PublicAuthenticationOutputModel``. Every other
operation needs ``Authorization: Bearer <access token>`` and a ``Client_Id`` header.

Settled decisions, as implemented here:

* ``ClientCredentials`` property names are matched case-insensitively (``client_Id``,
  ``Client_Secret``), as ASP.NET model binding does; other properties (``grant_type``) are
  ignored. ``client_id`` and ``client_secret`` missing or not strings → 400
  ``InvalidParameter`` (model validation, before any authentication).
* ``scope`` is split on spaces and/or commas (working clients use both). No scope, or an
  empty one → every scope of the credential. A scope the credential does not have, a wrong
  secret or an unknown client → 401 ``AuthenticationRequired``. The answer's ``scope`` is the
  granted scopes, sorted, space-separated.
* A ``Client_Id`` header on ``/v1/token`` is optional (the document lists ``ClientIdAuth`` on
  it, real clients omit it); when sent it must name the body's client (401 otherwise).
* Refresh needs the ``Client_Id`` header of the token's client. It answers a new access token
  **and a new refresh token; the old refresh token stops working (rotation)**. A used,
  unknown or expired refresh token → 401. The new pair keeps the original grant's scopes.
  The access token issued before the refresh stays valid until it expires.
* Data calls: a missing, unknown or expired access token, a missing ``Client_Id`` header or
  one naming another client → 401 (with ``WWW-Authenticate: Bearer``). Header names are
  case-insensitive (HTTP); the ``Bearer`` scheme word too.
* :meth:`TokenStore.expire` makes access tokens invalid at once (tests of re-authentication);
  refresh tokens survive it, so a client can recover by refreshing.

Token strings are random and opaque. Lifetimes are the sandbox's ``access_token_lifetime``
and ``refresh_token_lifetime`` (real values are undocumented).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from .errors import (
    AUTHENTICATION_REQUIRED,
    Detail,
    SeveraFailure,
    invalid_parameters,
)
from .times import format_datetime

__all__ = [
    "ALL_SCOPES",
    "Credential",
    "Grant",
    "TokenStore",
    "authentication_required",
    "parse_client_credentials",
    "parse_scopes",
]

#: Every scope of the document's ``OAuth2`` security scheme.
ALL_SCOPES: Final = frozenset(
    f"{area}:{access}"
    for area in (
        "activities",
        "customers",
        "fees",
        "files",
        "hours",
        "invoices",
        "projects",
        "resourceallocations",
        "settings",
        "travels",
        "users",
    )
    for access in ("read", "write", "delete")
) | frozenset({"organization:read", "organization:write"})


def _to_scopes(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _known_scopes(_instance: object, _attribute: object, value: frozenset[str]) -> None:
    unknown = value - ALL_SCOPES
    if unknown:
        raise ValueError(f"not scopes of Severa's API: {', '.join(sorted(unknown))}")


@attrs.frozen
class Credential:
    """API client credentials, as created in Severa's UI (Settings → REST API).

    Attributes:
        client_id: the ``client_id`` and the ``Client_Id`` header value.
        client_secret: the ``client_secret``.
        organisation: the id of the organisation the credential reaches.
        scopes: the scopes ticked for the credential.
    """

    client_id: str
    client_secret: str = attrs.field(repr=False)
    organisation: str
    scopes: frozenset[str] = attrs.field(converter=_to_scopes, validator=_known_scopes)


@attrs.frozen
class Grant:
    """What a valid access token stands for."""

    client_id: str
    organisation: str
    scopes: frozenset[str]


@attrs.frozen
class _Issued:
    grant: Grant
    expires_at: datetime


_SEPARATORS: Final = re.compile(r"[\s,]+")


def parse_scopes(text: str | None) -> list[str]:
    """Scope names from a ``scope`` string separated by spaces and/or commas."""
    if not text:
        return []
    return [scope for scope in _SEPARATORS.split(text) if scope]


def authentication_required(message: str, header: str | None = "Authorization") -> SeveraFailure:
    """401 ``AuthenticationRequired`` pointing at the header at fault."""
    return SeveraFailure(
        401,
        AUTHENTICATION_REQUIRED,
        [Detail(message, header, "RequestHeader")],
        headers={"WWW-Authenticate": "Bearer"},
    )


def parse_client_credentials(body: object) -> tuple[str, str, str | None]:
    """``(client_id, client_secret, scope)`` from a parsed ``ClientCredentials`` body.

    Raises:
        SeveraFailure: 400 when the body is not an object or a required string is missing.
    """
    if not isinstance(body, dict):
        raise invalid_parameters([Detail("The body must be a ClientCredentials object.", None)])
    fields: dict[str, Any] = {str(name).lower(): value for name, value in body.items()}
    problems = []
    values: dict[str, str] = {}
    for name in ("client_id", "client_secret"):
        value = fields.get(name)
        if not isinstance(value, str) or not value:
            problems.append(Detail(f"{name} is required.", name))
        else:
            values[name] = value
    scope = fields.get("scope")
    if scope is not None and not isinstance(scope, str):
        problems.append(Detail("scope must be a string.", "scope"))
    if problems:
        raise invalid_parameters(problems)
    return values["client_id"], values["client_secret"], scope


class TokenStore:
    """Credentials and the tokens issued for them.

    Args:
        access_lifetime: how long an access token is valid.
        refresh_lifetime: how long a refresh token is valid (if not used first).
    """

    def __init__(self, access_lifetime: timedelta, refresh_lifetime: timedelta) -> None:
        self.access_lifetime = access_lifetime
        self.refresh_lifetime = refresh_lifetime
        self._credentials: dict[str, Credential] = {}
        self._access: dict[str, _Issued] = {}
        self._refresh: dict[str, _Issued] = {}

    def add(self, credential: Credential) -> None:
        """Register (or replace) a credential."""
        self._credentials[credential.client_id] = credential

    def credential(self, client_id: str) -> Credential | None:
        """The credential with this client id, or ``None``."""
        return self._credentials.get(client_id)

    @property
    def credentials(self) -> Mapping[str, Credential]:
        """Every credential by client id."""
        return dict(self._credentials)

    # -- issuing ---------------------------------------------------------------------------

    def issue(
        self, client_id: str, secret: str, scope: str | None, now: datetime
    ) -> dict[str, Any]:
        """A ``PublicAuthenticationOutputModel`` for a ``/v1/token`` call.

        Raises:
            SeveraFailure: 401 for an unknown client, a wrong secret or a scope not allowed.
        """
        credential = self._credentials.get(client_id)
        if credential is None or not secrets.compare_digest(
            credential.client_secret.encode(), secret.encode()
        ):
            raise authentication_required("Invalid client credentials.", "client_id")
        requested = parse_scopes(scope)
        denied = sorted(set(requested) - credential.scopes)
        if denied:
            raise authentication_required(
                f"Scopes not allowed for the client: {', '.join(denied)}.", "scope"
            )
        scopes = frozenset(requested) if requested else credential.scopes
        return self._pair(Grant(client_id, credential.organisation, scopes), now)

    def refresh(self, refresh_token: str, client_id: str | None, now: datetime) -> dict[str, Any]:
        """A new token pair for a refresh token, which is used up (rotation).

        Raises:
            SeveraFailure: 401 for an unknown, used or expired refresh token, or a
                ``Client_Id`` that is missing or names another client.
        """
        if not client_id:
            raise authentication_required("The Client_Id header is required.", "Client_Id")
        issued = self._refresh.get(refresh_token)
        if issued is None or issued.expires_at <= now:
            self._refresh.pop(refresh_token, None)
            raise authentication_required("Invalid or expired refresh token.", None)
        if issued.grant.client_id != client_id:
            raise authentication_required(
                "The refresh token was not issued to this Client_Id.", "Client_Id"
            )
        if self._credentials.get(client_id) is None:
            raise authentication_required("Unknown client.", "Client_Id")
        del self._refresh[refresh_token]
        return self._pair(issued.grant, now)

    def _pair(self, grant: Grant, now: datetime) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        refresh = secrets.token_urlsafe(32)
        access_expires = now + self.access_lifetime
        refresh_expires = now + self.refresh_lifetime
        self._access[access] = _Issued(grant, access_expires)
        self._refresh[refresh] = _Issued(grant, refresh_expires)
        self._forget_expired(now)
        return {
            "access_token": access,
            "access_token_type": "Bearer",
            "access_token_expires_in": int(self.access_lifetime.total_seconds()),
            "access_token_expires_utc": format_datetime(access_expires),
            "refresh_token": refresh,
            "refresh_token_expires_in": int(self.refresh_lifetime.total_seconds()),
            "refresh_token_expires_utc": format_datetime(refresh_expires),
            "scope": " ".join(sorted(grant.scopes)),
        }

    def _forget_expired(self, now: datetime) -> None:
        """Drop expired tokens now and then, so a long demo does not grow without bound."""
        if len(self._access) + len(self._refresh) < 4096:
            return
        self._access = {t: i for t, i in self._access.items() if i.expires_at > now}
        self._refresh = {t: i for t, i in self._refresh.items() if i.expires_at > now}

    # -- checking --------------------------------------------------------------------------

    def grant_of(self, access_token: str | None, now: datetime) -> Grant | None:
        """The grant of a valid access token, or ``None``."""
        if not access_token:
            return None
        issued = self._access.get(access_token)
        if issued is None or issued.expires_at <= now:
            return None
        return issued.grant

    def check(self, authorization: str | None, client_id: str | None, now: datetime) -> Grant:
        """The grant of a data call's headers.

        Raises:
            SeveraFailure: 401 as described in the module docstring.
        """
        grant = self.grant_of(bearer_token(authorization), now)
        if grant is None:
            raise authentication_required("The access token is missing, invalid or expired.")
        if not client_id:
            raise authentication_required("The Client_Id header is required.", "Client_Id")
        if client_id != grant.client_id:
            raise authentication_required(
                "The Client_Id header does not match the access token.", "Client_Id"
            )
        return grant

    def expire(self, *, client_id: str | None = None, organisation: str | None = None) -> int:
        """Make access tokens invalid now: all, a client's, or an organisation's.

        Returns how many were dropped.
        """
        doomed = [
            token
            for token, issued in self._access.items()
            if (client_id is None or issued.grant.client_id == client_id)
            and (organisation is None or issued.grant.organisation == organisation)
        ]
        for token in doomed:
            del self._access[token]
        return len(doomed)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or ``None``."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
