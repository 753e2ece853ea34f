"""Accounts of the web app: users, their role per tenant, sign-in, sessions and API tokens.

:class:`Accounts` works on a :class:`~silta.store.Store`'s database, sessions and clock; like
the store, every method is one short transaction (at most two), and one instance may be
shared between threads. It decides who someone is and what role they hold; what a role or
the operator flag allows is the web app's policy.

No secret is kept as such, and none leaves here except the one-time return values of
:meth:`Accounts.open_session` and :meth:`Accounts.create_api_token`:

* a password is kept as its argon2 hash, and rehashed on sign-in when the hasher's
  parameters have moved on;
* a session or API token is kept as its SHA-256: a token is 256 random bits, so a fast
  hash is enough, and a stolen copy of the database signs no one in;
* an API token reads only or also writes (its scope), ends (90 days by default, a year at
  most), and reaches one tenant or all of its user's; a password change revokes all of a
  user's tokens, a membership taken away those bound to that tenant;
* nothing here logs.

Sign-in is throttled per email, whether or not a user has it, so the throttle tells nobody
which emails exist. After :data:`FREE_FAILURES` consecutive failures, an attempt within
``min(2 ** (failures - FREE_FAILURES), 900)`` seconds of the last failure is refused with
:class:`~silta.store.LoginThrottled` without looking at the password, and is not counted.
The count lives in one place, the ``login_failures`` table; a success deletes it, and a
count whose last failure is :data:`FORGET_FAILURES_AFTER` old no longer counts (rows that
old are swept, so guessed emails do not pile up).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, cast

import attrs
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, Select, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from silta.store.errors import DuplicateUser, LoginThrottled, UnknownUser, WeakPassword
from silta.store.models import (
    ApiTokenRow,
    LoginFailureRow,
    MembershipRow,
    TenantRow,
    UserRow,
    WebSessionRow,
)
from silta.store.records import ApiToken, Membership, Role, TokenScope, User, WebSession
from silta.store.store import Store

__all__ = [
    "API_TOKEN_PREFIX",
    "DEFAULT_TOKEN_LIFETIME",
    "FORGET_FAILURES_AFTER",
    "FREE_FAILURES",
    "MAX_THROTTLE",
    "MAX_TOKEN_LIFETIME",
    "MIN_PASSWORD_LENGTH",
    "Accounts",
    "ApiAccess",
    "ApiToken",
    "Membership",
    "Role",
    "TokenScope",
    "User",
    "WebSession",
    "valid_email",
]

MIN_PASSWORD_LENGTH = 10
FREE_FAILURES = 5  # consecutive failed sign-ins of an email before any wait
MAX_THROTTLE = timedelta(seconds=900)  # the longest wait the throttle imposes
# A failure this old no longer counts: a forgotten password months ago costs no wait today.
FORGET_FAILURES_AFTER = timedelta(days=1)
# tells a leaked token apart in logs and secret scanners
API_TOKEN_PREFIX = "silta_"  # noqa: S105 (a prefix, not a secret)
DEFAULT_TOKEN_LIFETIME = timedelta(days=90)
MAX_TOKEN_LIFETIME = timedelta(days=366)  # no token lives for ever, nor for years
# A token's last use is written at most this often: an API client polling a job must not
# turn every read into a write.
_LAST_USED_EVERY = timedelta(minutes=1)

_MAX_EXPONENT = 10  # 2 ** 10 seconds is past MAX_THROTTLE already
_EMAIL_LENGTH = 254  # the column's width (RFC 5321's longest address)
_NAME_LENGTH = 200
_TOKEN_BYTES = 32
_USER = (UserRow.id, UserRow.email, UserRow.operator, UserRow.created_at)


def _normal_email(email: str) -> str:
    """The form an email is stored and compared in."""
    return email.strip().lower()


def valid_email(email: str) -> str:
    """``email`` as it is stored (trimmed, lower-cased), if it looks like one address.

    Checked loosely on purpose (one ``@`` with text either side, no spaces, at most 254
    characters): the address is the operator's to get right, not a parser's.

    Raises:
        ValueError: it does not.
    """
    normal = _normal_email(email)
    local, _, domain = normal.partition("@")
    if not local or not domain or "@" in domain or any(char.isspace() for char in normal):
        raise ValueError(f"{email.strip()!r} is not an email address")
    if len(normal) > _EMAIL_LENGTH:
        raise ValueError(f"an email address must be at most {_EMAIL_LENGTH} characters")
    return normal


def _token_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValueError("a token's name must not be empty")
    if len(name) > _NAME_LENGTH:
        raise ValueError(f"a token's name must be at most {_NAME_LENGTH} characters")
    return name


def _digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256, as hex."""
    # surrogatepass: a malformed cookie must fail to match, not raise
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _wait(failures: int, last_failed_at: datetime, now: datetime) -> timedelta | None:
    """How long until this email may try again; ``None``: it may now."""
    if failures < FREE_FAILURES:
        return None
    # capped before the power: a long siege must not overflow a timedelta
    exponent = min(failures - FREE_FAILURES, _MAX_EXPONENT)
    wait = min(timedelta(seconds=2**exponent), MAX_THROTTLE)
    remaining = last_failed_at + wait - now
    return remaining if remaining > timedelta(0) else None


def _membership_query() -> Select[int, str, int, str, Role]:
    return (
        select(
            MembershipRow.user_id,
            UserRow.email,
            MembershipRow.tenant_id,
            TenantRow.name,
            MembershipRow.role,
        )
        .join(UserRow, UserRow.id == MembershipRow.user_id)
        .join(TenantRow, TenantRow.id == MembershipRow.tenant_id)
    )


@attrs.frozen
class ApiAccess:
    """Who a live API token signs in, and the token itself as listed (scope, tenant)."""

    user: User
    token: ApiToken


def _token_query() -> Select[
    int, int, str, str, TokenScope, int | None, str, datetime, datetime, datetime | None
]:
    return (
        select(
            ApiTokenRow.id,
            ApiTokenRow.user_id,
            UserRow.email,
            ApiTokenRow.name,
            ApiTokenRow.scope,
            ApiTokenRow.tenant_id,
            TenantRow.name.label("tenant_name"),
            ApiTokenRow.created_at,
            ApiTokenRow.expires_at,
            ApiTokenRow.last_used_at,
        )
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .outerjoin(TenantRow, TenantRow.id == ApiTokenRow.tenant_id)
    )


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        email=row.email,
        name=row.name,
        scope=row.scope,
        tenant_id=row.tenant_id,
        tenant_name=row.tenant_name,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


def _rowcount(result: Any) -> int:
    """Rows a DELETE or UPDATE matched (``Session.execute`` is typed as any ``Result``)."""
    return cast(CursorResult[Any], result).rowcount


class Accounts:
    """Users of the web app, their roles, sign-in, browser sessions and API tokens.

    Args:
        store: whose database, sessions and clock to use.
        hasher: the argon2 parameters for new hashes (default: argon2-cffi's, RFC 9106's
            low-memory profile). Hashes made with other parameters still verify, and are
            replaced at the next sign-in.
        session_lifetime: how long a browser session lasts from sign-in.
    """

    def __init__(
        self,
        store: Store,
        *,
        hasher: PasswordHasher | None = None,
        session_lifetime: timedelta = timedelta(hours=12),
    ) -> None:
        if session_lifetime <= timedelta(0):
            raise ValueError("session_lifetime must be positive")
        self._store = store
        self._hasher = hasher if hasher is not None else PasswordHasher()
        self._session_lifetime = session_lifetime

    def __repr__(self) -> str:
        return f"Accounts({self._store!r})"

    @property
    def session_lifetime(self) -> timedelta:
        """How long a browser session lasts from sign-in (e.g. for the cookie's max-age)."""
        return self._session_lifetime

    # -- users ---------------------------------------------------------------------------

    def add_user(self, email: str, password: str, *, operator: bool = False) -> User:
        """A new user, who holds no role with any tenant yet.

        Raises:
            ValueError: ``email`` does not look like one email address.
            WeakPassword: the password is shorter than :data:`MIN_PASSWORD_LENGTH`.
            DuplicateUser: the email is taken (in any letter case).
        """
        email = valid_email(email)
        password_hash = self._hash(password)
        now = self._store._now()
        try:
            with self._store._writing() as session:
                if session.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
                    raise DuplicateUser(email)
                row = UserRow(
                    email=email,
                    password_hash=password_hash,
                    operator=operator,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
        except IntegrityError:  # another process added the same email in the meantime
            raise DuplicateUser(email) from None
        return User(row.id, row.email, row.operator, row.created_at)

    def set_password(self, email: str, password: str) -> None:
        """Replace a user's password; every browser session and API token of theirs ends.

        A password is changed because it may be known to someone else, who may have made
        sessions and tokens with it: they go too. The email's failed sign-ins are forgotten,
        so the new password can be used at once.

        Raises:
            WeakPassword: the password is shorter than :data:`MIN_PASSWORD_LENGTH`.
            UnknownUser: no user has this email.
        """
        email = _normal_email(email)
        password_hash = self._hash(password)
        now = self._store._now()
        with self._store._writing() as session:
            user_id = self._user_id(session, email)
            session.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(password_hash=password_hash, updated_at=now)
            )
            session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
            session.execute(delete(ApiTokenRow).where(ApiTokenRow.user_id == user_id))
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.email == email))

    def user(self, email_or_id: str | int) -> User:
        """A user by email (``str``, any letter case) or id (``int``).

        Raises:
            UnknownUser: no such user.
        """
        if isinstance(email_or_id, int):
            condition = UserRow.id == email_or_id
            wanted: str | int = email_or_id
        else:
            wanted = _normal_email(email_or_id)
            condition = UserRow.email == wanted
        with self._store._reading() as session:
            found = session.execute(select(*_USER).where(condition)).first()
        if found is None:
            raise UnknownUser(wanted)
        return User(*found)

    def users(self) -> list[User]:
        """Every user, by email."""
        with self._store._reading() as session:
            rows = session.execute(select(*_USER).order_by(UserRow.email))
            return [User(*row) for row in rows]

    def set_operator(self, email: str, operator: bool = True) -> User:
        """Make a user an operator, or (``operator=False``) no longer one.

        Raises:
            UnknownUser: no user has this email.
        """
        email = _normal_email(email)
        now = self._store._now()
        with self._store._writing() as session:
            user_id = self._user_id(session, email)
            session.execute(
                update(UserRow)
                .where(UserRow.id == user_id, UserRow.operator != operator)
                .values(operator=operator, updated_at=now)
            )
            found = session.execute(select(*_USER).where(UserRow.id == user_id)).one()
        return User(*found)

    # -- roles ---------------------------------------------------------------------------

    def grant(self, email: str, tenant: str | int, role: Role) -> Membership:
        """Give a user ``role`` with a tenant (by name or id), replacing the role they held.

        Raises:
            UnknownUser: no user has this email.
            UnknownTenant: no such tenant (the message lists the known names).
            ValueError: ``role`` is not a :class:`Role` value.
        """
        role = Role(role)
        email = _normal_email(email)
        now = self._store._now()
        with self._store._writing() as session:
            user_id = self._user_id(session, email)
            tenant_id, tenant_name = self._store._tenant_ref(session, tenant)
            upsert = self._store._upsert(
                MembershipRow, keys=("user_id", "tenant_id"), updates=("role",)
            )
            session.execute(
                upsert,
                [{"user_id": user_id, "tenant_id": tenant_id, "role": role, "created_at": now}],
            )
        return Membership(user_id, email, tenant_id, tenant_name, role)

    def revoke(self, email: str, tenant: str | int) -> bool:
        """Take away a user's role with a tenant; whether they had one.

        The user's API tokens bound to that tenant go too (a token for all their tenants
        simply stops reaching it).

        Raises:
            UnknownUser: no user has this email.
            UnknownTenant: no such tenant.
        """
        email = _normal_email(email)
        with self._store._writing() as session:
            user_id = self._user_id(session, email)
            tenant_id, _ = self._store._tenant_ref(session, tenant)
            done = session.execute(
                delete(MembershipRow).where(
                    MembershipRow.user_id == user_id, MembershipRow.tenant_id == tenant_id
                )
            )
            session.execute(
                delete(ApiTokenRow).where(
                    ApiTokenRow.user_id == user_id, ApiTokenRow.tenant_id == tenant_id
                )
            )
            return _rowcount(done) > 0

    def role(self, user_id: int, tenant_id: int) -> Role | None:
        """The user's role with the tenant; ``None`` when they hold none.

        Only the membership counts: whether an operator may act anyway is the web app's call.
        """
        with self._store._reading() as session:
            return session.scalar(
                select(MembershipRow.role).where(
                    MembershipRow.user_id == user_id, MembershipRow.tenant_id == tenant_id
                )
            )

    def memberships(self, user_id: int) -> list[Membership]:
        """A user's roles, by tenant name.

        Raises:
            UnknownUser: no user has this id.
        """
        with self._store._reading() as session:
            if session.get(UserRow, user_id) is None:
                raise UnknownUser(user_id)
            rows = session.execute(
                _membership_query().where(MembershipRow.user_id == user_id).order_by(TenantRow.name)
            )
            return [Membership(*row) for row in rows]

    def members(self, tenant_id: int) -> list[Membership]:
        """A tenant's users and their roles, by email.

        Raises:
            UnknownTenant: no tenant has this id.
        """
        with self._store._reading() as session:
            self._store._require_tenant(session, tenant_id)
            rows = session.execute(
                _membership_query()
                .where(MembershipRow.tenant_id == tenant_id)
                .order_by(UserRow.email)
            )
            return [Membership(*row) for row in rows]

    # -- sign-in -------------------------------------------------------------------------

    def authenticate(self, email: str, password: str) -> User | None:
        """The user whose email and password these are; ``None`` when they are not.

        A wrong password and an unknown email are told apart neither by the answer nor by
        the time it takes (an unknown email is checked against a dummy hash), and both
        count as a failure of that email. See the module docstring for the throttle.

        Raises:
            LoginThrottled: too many recent failures of this email; the password was not
                checked, and this attempt is not counted.
        """
        key = _normal_email(email)[:_EMAIL_LENGTH]  # longer ones match no user anyway
        with self._store._reading() as session:
            failed = session.execute(
                select(LoginFailureRow.failures, LoginFailureRow.last_failed_at).where(
                    LoginFailureRow.email == key
                )
            ).first()
            found = session.execute(
                select(UserRow.id, UserRow.password_hash).where(UserRow.email == key)
            ).first()
        if failed is not None:
            wait = _wait(failed.failures, failed.last_failed_at, self._store._now())
            if wait is not None:
                raise LoginThrottled(wait)
        # the (slow) check runs outside any transaction: no lock is held while it runs
        if found is None:
            self._verify(self._dummy_hash, password)
            self._count_failure(key)
            return None
        if not self._verify(found.password_hash, password):
            self._count_failure(key)
            return None
        new_hash = (
            self._hasher.hash(password)
            if self._hasher.check_needs_rehash(found.password_hash)
            else None
        )
        with self._store._writing() as session:
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.email == key))
            if new_hash is not None:
                # only if unchanged meanwhile: a password set since must not be undone
                session.execute(
                    update(UserRow)
                    .where(UserRow.id == found.id, UserRow.password_hash == found.password_hash)
                    .values(password_hash=new_hash)
                )
            user = session.execute(select(*_USER).where(UserRow.id == found.id)).first()
        return None if user is None else User(*user)

    # -- browser sessions ----------------------------------------------------------------

    def open_session(self, user_id: int) -> tuple[str, WebSession]:
        """A new browser session: the token for its cookie (shown only now), and the session.

        Sessions past their expiry, anyone's, are swept on the way.

        Raises:
            UnknownUser: no user has this id.
        """
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        csrf_token = secrets.token_urlsafe(_TOKEN_BYTES)
        now = self._store._now()
        expires_at = now + self._session_lifetime
        with self._store._writing() as session:
            found = session.execute(select(*_USER).where(UserRow.id == user_id)).first()
            if found is None:
                raise UnknownUser(user_id)
            session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
            session.add(
                WebSessionRow(
                    id=_digest(token),
                    user_id=user_id,
                    csrf_token=csrf_token,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return token, WebSession(User(*found), csrf_token, now, expires_at)

    def session(self, token: str) -> WebSession | None:
        """The session of a cookie's token, with its user as stored now.

        ``None`` when no session has this token, or when it has expired (its row is then
        deleted).
        """
        digest = _digest(token)
        with self._store._reading() as session:
            found = session.execute(
                select(
                    WebSessionRow.csrf_token,
                    WebSessionRow.created_at,
                    WebSessionRow.expires_at,
                    *_USER,
                )
                .join(UserRow, UserRow.id == WebSessionRow.user_id)
                .where(WebSessionRow.id == digest)
            ).first()
        if found is None:
            return None
        csrf_token, created_at, expires_at, user_id, email, operator, user_created_at = found
        if expires_at <= self._store._now():
            with self._store._writing() as session:
                session.execute(delete(WebSessionRow).where(WebSessionRow.id == digest))
            return None
        user = User(user_id, email, operator, user_created_at)
        return WebSession(user, csrf_token, created_at, expires_at)

    def close_session(self, token: str) -> None:
        """Sign a browser out (nothing happens for an unknown token)."""
        with self._store._writing() as session:
            session.execute(delete(WebSessionRow).where(WebSessionRow.id == _digest(token)))

    def close_sessions(self, user_id: int) -> int:
        """Sign a user out of every browser; how many sessions were open."""
        with self._store._writing() as session:
            done = session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
            return _rowcount(done)

    # -- API tokens ----------------------------------------------------------------------

    def create_api_token(
        self,
        email: str,
        name: str,
        *,
        scope: TokenScope = TokenScope.WRITE,
        lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
        tenant: str | int | None = None,
    ) -> str:
        """A new API token for a user, returned this once (only its hash is kept).

        ``tenant`` binds it to one tenant (by name or id), which the user must be a member
        of unless they are an operator; ``None`` lets it reach every tenant the user may.

        Raises:
            UnknownUser: no user has this email.
            UnknownTenant: no such tenant.
            ValueError: ``name`` is empty or longer than 200 characters, ``lifetime`` is not
                between a minute and a year, or the user holds no role with ``tenant``.
        """
        name = _token_name(name)
        scope = TokenScope(scope)
        if not timedelta(minutes=1) <= lifetime <= MAX_TOKEN_LIFETIME:
            raise ValueError("a token lives from a minute to 366 days")
        token = API_TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
        now = self._store._now()
        with self._store._writing() as session:
            found = session.execute(
                select(UserRow.id, UserRow.operator).where(UserRow.email == _normal_email(email))
            ).first()
            if found is None:
                raise UnknownUser(_normal_email(email))
            tenant_id: int | None = None
            if tenant is not None:
                tenant_id, tenant_name = self._store._tenant_ref(session, tenant)
                member = session.get(MembershipRow, (found.id, tenant_id)) is not None
                if not (member or found.operator):
                    raise ValueError(f"{_normal_email(email)} holds no role with {tenant_name}")
            session.add(
                ApiTokenRow(
                    user_id=found.id,
                    name=name,
                    token_hash=_digest(token),
                    created_at=now,
                    last_used_at=None,
                    scope=scope,
                    expires_at=now + lifetime,
                    tenant_id=tenant_id,
                )
            )
        return token

    def api_access(self, token: str) -> ApiAccess | None:
        """The user an API token belongs to, with the token as listed; ``None`` when no
        live token matches (unknown, revoked or expired). Its use is recorded."""
        if not token.startswith(API_TOKEN_PREFIX):
            return None  # not even the shape of one: no need to ask the database
        digest = _digest(token)
        now = self._store._now()
        with self._store._reading() as session:
            found = session.execute(_token_query().where(ApiTokenRow.token_hash == digest)).first()
            user = None
            if found is not None:
                user = session.execute(select(*_USER).where(UserRow.id == found.user_id)).one()
        if found is None or user is None:
            return None
        listed = _token(found)
        if listed.expired(now):
            return None
        if listed.last_used_at is None or now - listed.last_used_at >= _LAST_USED_EVERY:
            with self._store._writing() as session:
                session.execute(
                    update(ApiTokenRow).where(ApiTokenRow.id == listed.id).values(last_used_at=now)
                )
            listed = attrs.evolve(listed, last_used_at=now)
        return ApiAccess(User(*user), listed)

    def api_user(self, token: str) -> User | None:
        """The user a live API token belongs to (its use is recorded); ``None`` otherwise."""
        access = self.api_access(token)
        return None if access is None else access.user

    def api_tokens(
        self, email: str | None = None, *, tenant_id: int | None = None
    ) -> list[ApiToken]:
        """API tokens (names, reach and use, never the tokens), oldest first: a user's, or
        everyone's when ``email`` is ``None``; with ``tenant_id``, only those bound to it.
        Expired ones are listed too (until revoked), so their owner sees why they fail.

        Raises:
            UnknownUser: no user has this email.
        """
        query = _token_query()
        with self._store._reading() as session:
            if email is not None:
                query = query.where(
                    ApiTokenRow.user_id == self._user_id(session, _normal_email(email))
                )
            if tenant_id is not None:
                query = query.where(ApiTokenRow.tenant_id == tenant_id)
            rows = session.execute(query.order_by(ApiTokenRow.id))
            return [_token(row) for row in rows]

    def api_token(self, token_id: int) -> ApiToken | None:
        """One token as listed, by id; ``None`` when there is none."""
        with self._store._reading() as session:
            found = session.execute(_token_query().where(ApiTokenRow.id == token_id)).first()
        return None if found is None else _token(found)

    def revoke_api_token(self, email: str, token_id: int) -> bool:
        """Delete one of a user's API tokens; whether it was theirs and existed.

        Raises:
            UnknownUser: no user has this email.
        """
        with self._store._writing() as session:
            user_id = self._user_id(session, _normal_email(email))
            done = session.execute(
                delete(ApiTokenRow).where(
                    ApiTokenRow.id == token_id, ApiTokenRow.user_id == user_id
                )
            )
            return _rowcount(done) > 0

    def revoke_api_tokens(self, email: str) -> int:
        """Delete every API token of a user; how many there were.

        Raises:
            UnknownUser: no user has this email.
        """
        with self._store._writing() as session:
            user_id = self._user_id(session, _normal_email(email))
            done = session.execute(delete(ApiTokenRow).where(ApiTokenRow.user_id == user_id))
            return _rowcount(done)

    # -- plumbing ------------------------------------------------------------------------

    @cached_property
    def _dummy_hash(self) -> str:
        """A hash no password matches, made by this hasher so checking it costs the same."""
        return self._hasher.hash(secrets.token_urlsafe(_TOKEN_BYTES))

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword(MIN_PASSWORD_LENGTH)
        return self._hasher.hash(password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):  # a mismatch, or a damaged hash
            return False

    def _count_failure(self, email: str) -> None:
        """One more failure of ``email``, in one statement that cannot lose a count."""
        now = self._store._now()
        values = {"email": email, "failures": 1, "last_failed_at": now}
        counted = {"failures": LoginFailureRow.failures + 1, "last_failed_at": now}
        statement: Any
        if self._store.engine.dialect.name == "postgresql":
            statement = postgresql.insert(LoginFailureRow).values(values)
        else:
            statement = sqlite.insert(LoginFailureRow).values(values)
        statement = statement.on_conflict_do_update(index_elements=["email"], set_=counted)
        with self._store._writing() as session:
            # stale counts go first, so a returning email starts again from one
            session.execute(
                delete(LoginFailureRow).where(
                    LoginFailureRow.last_failed_at <= now - FORGET_FAILURES_AFTER
                )
            )
            session.execute(statement)

    def _user_id(self, session: Session, email: str) -> int:
        user_id = session.scalar(select(UserRow.id).where(UserRow.email == email))
        if user_id is None:
            raise UnknownUser(email)
        return user_id
