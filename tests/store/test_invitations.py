"""Invitations: one-time links of a KH to a colleague, their expiry, and the last KH.

Every test runs on SQLite and, with ``SILTA_TEST_POSTGRES_URL``, on PostgreSQL; time is the
test's clock, so expiry is checked at its edge.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from silta.store import (
    Accounts,
    DuplicateUser,
    InvitationInvalid,
    Invitations,
    LastKh,
    Role,
    Store,
    WeakPassword,
)
from silta.store.models import InvitationRow

from .conftest import KEY, Clock, config, run_together

PASSWORD = "correct horse battery"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(store_url: str, clock: Clock) -> Iterator[Store]:
    with Store.open(store_url, secret_key=KEY, clock=clock) as opened:
        yield opened


@pytest.fixture
def accounts(store: Store) -> Accounts:
    return Accounts(store, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def world(store: Store, accounts: Accounts) -> tuple[Invitations, int]:
    tenant = store.add_tenant(config("acme"), changed_by="test")
    accounts.add_user("kh@acme.fi", PASSWORD)
    accounts.grant("kh@acme.fi", tenant.id, Role.KH)
    return Invitations(accounts), tenant.id


def test_an_invitation_keeps_only_the_hash_of_its_token(
    world: tuple[Invitations, int], store: Store
) -> None:
    invitations, tenant_id = world
    token, made = invitations.invite(tenant_id, " New@Acme.fi ", Role.VIEWER, by="kh@acme.fi")
    assert len(token) >= 43  # 256 bits, url-safe
    assert made.email == "new@acme.fi" and made.role is Role.VIEWER
    assert made.expires_at - made.created_at == timedelta(days=7)
    with store.engine.connect() as connection:
        stored = connection.scalar(select(InvitationRow.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest() != token
    assert invitations.pending(tenant_id) == [made]
    assert invitations.find(token) == made
    assert invitations.find(token + "x") is None


def test_an_invitation_is_used_once(world: tuple[Invitations, int], accounts: Accounts) -> None:
    invitations, tenant_id = world
    token, _ = invitations.invite(tenant_id, "new@acme.fi", Role.VIEWER, by="kh@acme.fi")
    user, membership = invitations.accept_new(token, PASSWORD)
    assert membership.role is Role.VIEWER and membership.tenant_id == tenant_id
    assert accounts.role(user.id, tenant_id) is Role.VIEWER
    assert not user.operator  # an invitation never makes an operator
    assert accounts.authenticate("new@acme.fi", PASSWORD) == user
    assert invitations.find(token) is None
    assert invitations.pending(tenant_id) == []
    with pytest.raises(InvitationInvalid):
        invitations.accept_new(token, "another long password")
    with pytest.raises(InvitationInvalid):
        invitations.accept_existing(token, user)


def test_an_invitation_expires(world: tuple[Invitations, int], clock: Clock) -> None:
    invitations, tenant_id = world
    token, made = invitations.invite(tenant_id, "new@acme.fi", Role.KH, by="kh@acme.fi")
    clock.advance(days=7, seconds=-1)
    assert invitations.find(token) == made
    clock.advance(seconds=1)
    assert invitations.find(token) is None
    with pytest.raises(InvitationInvalid):
        invitations.accept_new(token, PASSWORD)
    # still listed (as expired), so the KH sees it must be sent again
    [listed] = invitations.pending(tenant_id)
    assert listed.expired(clock())


def test_a_weak_password_or_a_taken_email_leaves_the_invitation_usable(
    world: tuple[Invitations, int], accounts: Accounts
) -> None:
    invitations, tenant_id = world
    token, _ = invitations.invite(tenant_id, "new@acme.fi", Role.VIEWER, by="kh@acme.fi")
    with pytest.raises(WeakPassword):
        invitations.accept_new(token, "short")
    accounts.add_user("new@acme.fi", "an existing password")
    with pytest.raises(DuplicateUser):
        invitations.accept_new(token, PASSWORD)
    assert invitations.find(token) is not None
    user = accounts.user("new@acme.fi")
    assert invitations.accept_existing(token, user).role is Role.VIEWER
    assert invitations.find(token) is None


def test_an_invitation_is_for_its_email_only(
    world: tuple[Invitations, int], accounts: Accounts
) -> None:
    invitations, tenant_id = world
    token, _ = invitations.invite(tenant_id, "new@acme.fi", Role.KH, by="kh@acme.fi")
    someone = accounts.add_user("someone@acme.fi", PASSWORD)
    with pytest.raises(InvitationInvalid):
        invitations.accept_existing(token, someone)
    assert accounts.role(someone.id, tenant_id) is None
    assert invitations.find(token) is not None  # not used up by the wrong account


def test_a_new_invitation_replaces_the_last_and_revoking_ends_it(
    world: tuple[Invitations, int],
) -> None:
    invitations, tenant_id = world
    first, _ = invitations.invite(tenant_id, "new@acme.fi", Role.VIEWER, by="kh@acme.fi")
    second, made = invitations.invite(tenant_id, "new@acme.fi", Role.KH, by="kh@acme.fi")
    assert invitations.find(first) is None
    assert invitations.pending(tenant_id) == [made]
    assert invitations.revoke(tenant_id + 1, made.id) is False  # another tenant's: not there
    assert invitations.revoke(tenant_id, made.id) is True
    assert invitations.find(second) is None
    with pytest.raises(InvitationInvalid):
        invitations.accept_new(second, PASSWORD)


def test_a_role_is_never_lowered_by_an_invitation(
    world: tuple[Invitations, int], accounts: Accounts
) -> None:
    invitations, tenant_id = world
    with pytest.raises(ValueError, match="already a member"):
        invitations.invite(tenant_id, "kh@acme.fi", Role.VIEWER, by="kh@acme.fi")
    viewer = accounts.add_user("viewer@acme.fi", PASSWORD)
    accounts.grant("viewer@acme.fi", tenant_id, Role.VIEWER)
    with pytest.raises(ValueError, match="already a member"):
        invitations.invite(tenant_id, "viewer@acme.fi", Role.VIEWER, by="kh@acme.fi")
    token, _ = invitations.invite(tenant_id, "viewer@acme.fi", Role.KH, by="kh@acme.fi")
    assert invitations.accept_existing(token, viewer).role is Role.KH


def test_the_last_kh_cannot_be_removed(world: tuple[Invitations, int], accounts: Accounts) -> None:
    invitations, tenant_id = world
    kh = accounts.user("kh@acme.fi")
    with pytest.raises(LastKh):
        invitations.remove_member(tenant_id, kh.id)
    second = accounts.add_user("second@acme.fi", PASSWORD)
    accounts.grant("second@acme.fi", tenant_id, Role.KH)
    assert invitations.remove_member(tenant_id, kh.id) is True
    assert accounts.role(kh.id, tenant_id) is None
    assert invitations.remove_member(tenant_id, kh.id) is False
    with pytest.raises(LastKh):
        invitations.remove_member(tenant_id, second.id)


def test_two_browsers_with_one_link_make_one_member(
    world: tuple[Invitations, int], accounts: Accounts
) -> None:
    invitations, tenant_id = world
    token, _ = invitations.invite(tenant_id, "new@acme.fi", Role.VIEWER, by="kh@acme.fi")
    outcomes: list[str] = []

    def accept(_worker: int) -> None:
        try:
            invitations.accept_new(token, PASSWORD)
            outcomes.append("accepted")
        except (InvitationInvalid, DuplicateUser):
            outcomes.append("refused")

    run_together(accept, 4)
    assert sorted(outcomes) == ["accepted", "refused", "refused", "refused"]
    assert [m.email for m in accounts.members(tenant_id)] == ["kh@acme.fi", "new@acme.fi"]
