"""Invitations: a tenant's KH brings a colleague in by a one-time link.

A KH invites an email address to their tenant as a viewer or another KH (never an operator:
that is a flag on the user, given only by the operator's CLI). The link carries a random
token of 256 bits, returned once by :meth:`Invitations.invite`; the database keeps only its
SHA-256 hex, as for sessions and API tokens, so a stolen copy of the database opens no
invitation. An invitation

* lasts :data:`INVITATION_LIFETIME` (7 days) unless made with another lifetime;
* is used once: accepting it deletes its row in the same transaction that makes the user
  and grants the role, so two browsers racing with one link make one member, and a link
  that has been used, revoked or has expired opens nothing (:class:`InvitationInvalid`,
  one error for all four, so a link's holder learns nothing from which);
* is for one email: the user made or signed in is that email's, whoever holds the link.
  Someone who already has an account proves it with their password first (the web app
  calls :meth:`~silta.store.Accounts.authenticate`, throttled as any sign-in), so a leaked
  link alone signs nobody into an existing account;
* never lowers a role: accepting a viewer invitation as the tenant's KH leaves them KH,
  and a KH cannot be invited as a viewer (:meth:`invite` refuses), so an invitation can
  never leave a tenant without a KH. Nor can removing a member (:class:`LastKh`).

A new invitation of the same email to the same tenant replaces the one before (whose link
then opens nothing).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

import attrs
from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from silta.store.accounts import Accounts, valid_email
from silta.store.errors import DuplicateUser, InvitationInvalid, LastKh, UnknownUser
from silta.store.models import InvitationRow, MembershipRow, TenantRow, UserRow
from silta.store.records import Membership, Role, User, aware_utc

__all__ = ["INVITATION_LIFETIME", "AlreadyMember", "Invitation", "Invitations"]

INVITATION_LIFETIME = timedelta(days=7)
MAX_INVITATION_LIFETIME = timedelta(days=30)
_TOKEN_BYTES = 32


class AlreadyMember(ValueError):
    """The email is a member of the tenant already, with the role invited or a higher one."""

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"{email} is already a member of this company")


def _digest(token: str) -> str:
    # surrogatepass: a malformed link must fail to match, not raise
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@attrs.frozen(kw_only=True)
class Invitation:
    """An invitation as listed: to whom, as what, by whom and until when (never its token)."""

    id: int
    tenant_id: int
    tenant_name: str
    email: str
    role: Role
    invited_by: str
    created_at: datetime = attrs.field(converter=aware_utc)
    expires_at: datetime = attrs.field(converter=aware_utc)

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= now


_COLUMNS = (
    InvitationRow.id,
    InvitationRow.tenant_id,
    TenantRow.name.label("tenant_name"),
    InvitationRow.email,
    InvitationRow.role,
    InvitationRow.invited_by,
    InvitationRow.created_at,
    InvitationRow.expires_at,
)


def _invitation(row: Any) -> Invitation:
    return Invitation(**row._asdict())


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


class Invitations:
    """A tenant's invitations and members, on an :class:`~silta.store.Accounts`' store.

    What a KH may do is the web app's policy; this keeps the rules that hold whoever asks:
    single use, expiry, no operator by invitation, never fewer than one KH.
    """

    def __init__(self, accounts: Accounts, *, lifetime: timedelta = INVITATION_LIFETIME) -> None:
        if not timedelta(minutes=1) <= lifetime <= MAX_INVITATION_LIFETIME:
            raise ValueError("an invitation lives from a minute to 30 days")
        self._accounts = accounts
        self._store = accounts._store
        self._lifetime = lifetime

    @property
    def lifetime(self) -> timedelta:
        return self._lifetime

    # -- the KH's side -------------------------------------------------------------------

    def invite(self, tenant_id: int, email: str, role: Role, *, by: str) -> tuple[str, Invitation]:
        """A new invitation and its token, returned this once (only its hash is kept).

        Raises:
            ValueError: ``email`` is not an address, or ``role`` not a :class:`Role`.
            AlreadyMember: the email is a member with this role or a higher one.
            UnknownTenant: no tenant has this id.
        """
        email = valid_email(email)
        role = Role(role)
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        now = self._store._now()
        with self._store._writing() as session:
            self._store._require_tenant(session, tenant_id)
            held = session.scalar(
                select(MembershipRow.role)
                .join(UserRow, UserRow.id == MembershipRow.user_id)
                .where(MembershipRow.tenant_id == tenant_id, UserRow.email == email)
            )
            if held is not None and (held is Role.KH or held is role):
                raise AlreadyMember(email)
            session.execute(
                delete(InvitationRow).where(
                    InvitationRow.tenant_id == tenant_id, InvitationRow.email == email
                )
            )
            row = InvitationRow(
                tenant_id=tenant_id,
                email=email,
                role=role,
                token_hash=_digest(token),
                invited_by=by,
                created_at=now,
                expires_at=now + self._lifetime,
            )
            session.add(row)
            session.flush()
            made = session.execute(
                select(*_COLUMNS).join(TenantRow).where(InvitationRow.id == row.id)
            ).one()
        return token, _invitation(made)

    def pending(self, tenant_id: int) -> list[Invitation]:
        """The tenant's invitations not yet accepted nor revoked, oldest first; expired ones
        too (until revoked), so the KH sees which to send again."""
        with self._store._reading() as session:
            rows = session.execute(
                select(*_COLUMNS)
                .join(TenantRow)
                .where(InvitationRow.tenant_id == tenant_id)
                .order_by(InvitationRow.id)
            )
            return [_invitation(row) for row in rows]

    def revoke(self, tenant_id: int, invitation_id: int) -> bool:
        """Delete one of the tenant's invitations (its link opens nothing after); whether
        there was one."""
        with self._store._writing() as session:
            done = session.execute(
                delete(InvitationRow).where(
                    InvitationRow.id == invitation_id, InvitationRow.tenant_id == tenant_id
                )
            )
            return _rowcount(done) > 0

    def remove_member(self, tenant_id: int, user_id: int) -> bool:
        """Take away a user's role with the tenant (and their API tokens bound to it);
        whether they had one.

        Raises:
            LastKh: they are the tenant's only KH.
        """
        with self._store._writing() as session:
            # The tenant's row locked (PostgreSQL; SQLite has one writer anyway): two KHs
            # removing each other at once cannot both see the other one still there.
            session.execute(select(TenantRow.id).where(TenantRow.id == tenant_id).with_for_update())
            found = session.execute(
                select(MembershipRow.role, UserRow.email)
                .join(UserRow, UserRow.id == MembershipRow.user_id)
                .where(MembershipRow.tenant_id == tenant_id, MembershipRow.user_id == user_id)
            ).first()
            if found is None:
                return False
            if found.role is Role.KH:
                khs = session.scalar(
                    select(func.count()).where(
                        MembershipRow.tenant_id == tenant_id, MembershipRow.role == Role.KH
                    )
                )
                if (khs or 0) <= 1:
                    raise LastKh(found.email)
        self._accounts.revoke(found.email, tenant_id)
        return True

    # -- the invitee's side --------------------------------------------------------------

    def find(self, token: str) -> Invitation | None:
        """The live invitation of a link's token; ``None`` for an unknown, used, revoked or
        expired one."""
        with self._store._reading() as session:
            found = session.execute(
                select(*_COLUMNS).join(TenantRow).where(InvitationRow.token_hash == _digest(token))
            ).first()
        if found is None:
            return None
        invitation = _invitation(found)
        return None if invitation.expired(self._store._now()) else invitation

    def has_account(self, invitation: Invitation) -> bool:
        """Whether the invited email has a user already (who then accepts with a password)."""
        try:
            self._accounts.user(invitation.email)
        except UnknownUser:
            return False
        return True

    def accept_new(self, token: str, password: str) -> tuple[User, Membership]:
        """Use the invitation: a new user with its email and this password, and the role.

        Raises:
            InvitationInvalid: the link opens nothing (nothing was made).
            WeakPassword: the password is too short (the invitation is still there).
            DuplicateUser: the email has a user already: accept with :meth:`accept_existing`.
        """
        password_hash = self._accounts._hash(password)  # slow: outside the transaction
        now = self._store._now()
        try:
            with self._store._writing() as session:
                invitation = self._use(session, token, now)
                if session.scalar(select(UserRow.id).where(UserRow.email == invitation.email)):
                    raise DuplicateUser(invitation.email)
                row = UserRow(
                    email=invitation.email,
                    password_hash=password_hash,
                    operator=False,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                user = User(row.id, row.email, row.operator, row.created_at)
                membership = self._grant(session, user, invitation, now)
        except IntegrityError:  # the same email made a user meanwhile: nothing was used
            raise DuplicateUser(self._email_of(token)) from None
        return user, membership

    def accept_existing(self, token: str, user: User) -> Membership:
        """Use the invitation for the user who has its email (signed in by their password
        first): they get its role unless they hold a higher one.

        Raises:
            InvitationInvalid: the link opens nothing, or is for another email.
        """
        now = self._store._now()
        with self._store._writing() as session:
            invitation = self._use(session, token, now)
            if invitation.email != user.email:
                raise InvitationInvalid  # rolls the use back: it stays the invitee's
            return self._grant(session, user, invitation, now)

    # -- plumbing ------------------------------------------------------------------------

    def _use(self, session: Session, token: str, now: datetime) -> Invitation:
        """Delete the live invitation of ``token`` and return it, in the caller's
        transaction: the delete is what makes it single use (a second use deletes nothing)."""
        digest = _digest(token)
        found = session.execute(
            select(*_COLUMNS).join(TenantRow).where(InvitationRow.token_hash == digest)
        ).first()
        if found is None:
            raise InvitationInvalid
        done = session.execute(
            delete(InvitationRow).where(
                InvitationRow.token_hash == digest, InvitationRow.expires_at > now
            )
        )
        if _rowcount(done) != 1:  # expired, or used by another transaction just now
            raise InvitationInvalid
        return _invitation(found)

    def _grant(
        self, session: Session, user: User, invitation: Invitation, now: datetime
    ) -> Membership:
        held = session.get(MembershipRow, (user.id, invitation.tenant_id))
        if held is None:
            session.add(
                MembershipRow(
                    user_id=user.id,
                    tenant_id=invitation.tenant_id,
                    role=invitation.role,
                    created_at=now,
                )
            )
            role = invitation.role
        elif held.role is Role.VIEWER and invitation.role is Role.KH:
            held.role = Role.KH
            role = Role.KH
        else:  # never lowered
            role = held.role
        return Membership(user.id, user.email, invitation.tenant_id, invitation.tenant_name, role)

    def _email_of(self, token: str) -> str:
        found = self.find(token)
        return found.email if found else ""
