"""Severa authentication: client credentials, bearer tokens, refresh before expiry.

The document (``info.description``, ``securitySchemes``): request a token from ``/token``
with ``client_id``, ``client_secret`` and ``scope``; call with ``Authorization: Bearer`` and a
``Client_Id`` header; refresh through ``/refreshtoken`` with the refresh token (the body is a
bare JSON string). Token lifetimes are not documented, so they are read from every answer
(``access_token_expires_in``), and the token is renewed when less than a margin remains:
a paged read that outlives a token carries on with a fresh one without the caller noticing.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta

import attrs

from silta.severa.errors import SeveraApiError, SeveraAuthenticationError
from silta.severa.models import TokenResponse

__all__ = [
    "DEFAULT_SCOPES",
    "FEE_SCOPES",
    "INVOICE_SCOPES",
    "PROCESS_TOKENS",
    "TRAVEL_SCOPES",
    "SeveraCredentials",
    "Token",
    "TokenCache",
    "TokenSource",
]

# What the register sync needs (the document's security blocks): customers and their
# addresses, projects and phases, products and business units (settings), organisation data.
DEFAULT_SCOPES: tuple[str, ...] = (
    "customers:read",
    "customers:write",
    "projects:read",
    "settings:read",
    "settings:write",
    "organization:read",
)

# What the invoice transfer adds (the document's security blocks): invoices, their rows and
# the entries billed on them (invoices:read), the status change (invoices:write). Invoice
# statuses and VAT rates need settings:read, already in the default.
INVOICE_SCOPES: tuple[str, ...] = ("invoices:read", "invoices:write")

# What the purchase-line transfer adds: project fees, read (the lookup by marker, deleted
# fees) and written. Like INVOICE_SCOPES, asked only when the transfer is turned on.
FEE_SCOPES: tuple[str, ...] = ("fees:read", "fees:write")

# What the travel transfer adds: reports and their expenses (travels:read), the status
# after transfer (travels:write), users' codes (users:read) and the receipts, which the
# document puts under files:read. Travel statuses and expense types need settings:read,
# already in the default.
TRAVEL_SCOPES: tuple[str, ...] = ("travels:read", "travels:write", "users:read", "files:read")


def _scopes(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _non_empty(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


@attrs.frozen
class SeveraCredentials:
    """A Severa REST API client credential (Settings → Integrations → REST API).

    ``client_secret`` is kept out of ``repr`` so that a logged object cannot leak it.
    """

    client_id: str = attrs.field(validator=_non_empty)
    client_secret: str = attrs.field(validator=_non_empty, repr=False)
    scopes: tuple[str, ...] = attrs.field(default=DEFAULT_SCOPES, converter=_scopes)

    @property
    def scope(self) -> str:
        """The scopes as the token request carries them: space-separated, OAuth's form."""
        return " ".join(self.scopes)


@attrs.frozen
class Token:
    """An access token and when it stops working, by our clock."""

    access_token: str = attrs.field(repr=False)
    token_type: str
    expires_at: datetime
    refresh_token: str | None = attrs.field(default=None, repr=False)
    refresh_expires_at: datetime | None = None
    lifetime: timedelta = timedelta(hours=1)

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value."""
        return f"{self.token_type or 'Bearer'} {self.access_token}"


class TokenCache:
    """Tokens kept between the clients of one process, per service URL and credential.

    Every run makes a fresh client (silta.transport.new_http_client), and without this each
    would start by asking for a token: one call of the two or three an idle run needs. A
    token is handed to the next run of the same credential while it stays valid; a refused
    one (401) is forgotten. The key holds a digest of the secret, never the secret, so that
    a changed secret never reuses a token got with the old one.
    """

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], Token] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(base_url: str, credentials: SeveraCredentials) -> tuple[str, str, str]:
        digest = hashlib.sha256(
            f"{credentials.client_secret}\0{credentials.scope}".encode()
        ).hexdigest()
        return (base_url.rstrip("/"), credentials.client_id, digest)

    def get(self, key: tuple[str, str, str]) -> Token | None:
        with self._lock:
            return self._tokens.get(key)

    def put(self, key: tuple[str, str, str], token: Token) -> None:
        with self._lock:
            self._tokens[key] = token

    def forget(self, key: tuple[str, str, str], token: Token | None = None) -> None:
        """Drop the key's token (only if it is still ``token``, when given)."""
        with self._lock:
            held = self._tokens.get(key)
            if held is not None and (token is None or held.access_token == token.access_token):
                del self._tokens[key]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


# The process's tokens, shared by every run's client (silta.sync.runner passes it).
PROCESS_TOKENS = TokenCache()


# posts a JSON body to a path (``/v1/token`` or ``/v1/refreshtoken``) and returns the answer
Exchange = Callable[[str, object], Awaitable[TokenResponse]]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TokenSource:
    """Hands out a valid token, getting or refreshing one when needed.

    Args:
        credentials: the client credential.
        exchange: sends a token request (the client supplies it, with its pacing and errors).
        clock: aware UTC now.
        margin: renew this long before expiry, or at 10 % of the lifetime when that is longer.
        cache: where tokens are kept between clients (``None``: only in this source), and
        cache_key: this credential's key in it (:meth:`TokenCache.key`).
    """

    def __init__(
        self,
        credentials: SeveraCredentials,
        exchange: Exchange,
        *,
        clock: Callable[[], datetime] = _utc_now,
        margin: timedelta = timedelta(seconds=30),
        cache: TokenCache | None = None,
        cache_key: tuple[str, str, str] | None = None,
    ) -> None:
        if cache is not None and cache_key is None:
            raise ValueError("a token cache needs the credential's cache_key")
        self._cache = cache
        self._cache_key = cache_key
        self._credentials = credentials
        self._exchange = exchange
        self._clock = clock
        self._margin = margin
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.issued = 0  # tokens obtained with the client secret
        self.refreshed = 0  # tokens obtained with a refresh token

    async def get(self) -> Token:
        """A token that will still be valid for at least the margin."""
        async with self._lock:
            if self._token is None and self._cache is not None:
                assert self._cache_key is not None
                self._token = self._cache.get(self._cache_key)
            if self._token is None or self._expiring(self._token):
                self._token = self._kept(await self._renew(self._token))
            return self._token

    async def rejected(self, token: Token) -> Token:
        """Severa refused ``token`` (401): get another, unless a task already did."""
        async with self._lock:
            if self._cache is not None:
                assert self._cache_key is not None
                self._cache.forget(self._cache_key, token)
            if self._token is None or self._token.access_token == token.access_token:
                self._token = self._kept(await self._renew(self._token))
            return self._token

    def _kept(self, token: Token) -> Token:
        if self._cache is not None:
            assert self._cache_key is not None
            self._cache.put(self._cache_key, token)
        return token

    def secrets(self) -> tuple[str, ...]:
        """The tokens held now, for masking them in any text that might echo them."""
        token = self._token
        if token is None:
            return ()
        return tuple(t for t in (token.access_token, token.refresh_token) if t)

    def _expiring(self, token: Token) -> bool:
        margin = max(self._margin, token.lifetime / 10)
        return self._clock() >= token.expires_at - margin

    async def _renew(self, old: Token | None) -> Token:
        """A new token: by the refresh token while it lasts, else by the client secret."""
        now = self._clock()
        if (
            old is not None
            and old.refresh_token
            and (old.refresh_expires_at is None or now < old.refresh_expires_at)
        ):
            try:
                answer = await self._exchange("/v1/refreshtoken", old.refresh_token)
            except SeveraApiError as exc:
                if not isinstance(exc, SeveraAuthenticationError) and exc.status != 400:
                    raise
                # The refresh token was refused: fall back to the client secret.
            else:
                self.refreshed += 1
                return self._token_from(answer, now)
        answer = await self._exchange(
            "/v1/token",
            {
                "client_id": self._credentials.client_id,
                "client_secret": self._credentials.client_secret,
                "scope": self._credentials.scope,
            },
        )
        self.issued += 1
        return self._token_from(answer, now)

    @staticmethod
    def _token_from(answer: TokenResponse, now: datetime) -> Token:
        if answer.access_token_expires_in is not None:
            lifetime = timedelta(seconds=answer.access_token_expires_in)
        elif answer.access_token_expires_utc is not None:
            lifetime = answer.access_token_expires_utc - now
        else:
            lifetime = timedelta(minutes=10)  # unknown: assume short, renew early
        refresh_expires_at = answer.refresh_token_expires_utc
        if answer.refresh_token_expires_in is not None:
            refresh_expires_at = now + timedelta(seconds=answer.refresh_token_expires_in)
        return Token(
            access_token=answer.access_token,
            token_type=answer.access_token_type,
            expires_at=now + lifetime,
            refresh_token=answer.refresh_token,
            refresh_expires_at=refresh_expires_at,
            lifetime=lifetime,
        )
