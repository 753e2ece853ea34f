"""Accounts: users, roles per tenant, throttled sign-in, browser sessions and API tokens.

Time is the test's (an injected clock), so every throttle window and expiry is checked at
its edges. The hasher is argon2 at its cheapest, to stay fast; a spy counts its checks to
show when the password is, and is not, looked at.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Literal

import attrs
import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete, func, select, update

from silta.store import (
    Accounts,
    ApiToken,
    DuplicateUser,
    LoginThrottled,
    Membership,
    Role,
    Store,
    TokenScope,
    UnknownTenant,
    UnknownUser,
    User,
    WeakPassword,
    WebSession,
)
from silta.store import accounts as accounts_module
from silta.store.models import (
    ApiTokenRow,
    Base,
    LoginFailureRow,
    MembershipRow,
    TenantRow,
    UserRow,
    WebSessionRow,
)

from .conftest import KEY, OTHER_KEY, Clock, config, run_together

PASSWORD = "correct horse battery"
OTHER_PASSWORD = "staple-and-more-words"
WRONG = "not the password"


class SpyHasher(PasswordHasher):
    """argon2 at its cheapest, counting how often a password is checked."""

    def __init__(self, time_cost: int = 1) -> None:
        super().__init__(time_cost=time_cost, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(store_url: str, clock: Clock) -> Iterator[Store]:
    with Store.open(store_url, secret_key=KEY, clock=clock) as opened:
        yield opened


@pytest.fixture
def hasher() -> SpyHasher:
    return SpyHasher()


@pytest.fixture
def accounts(store: Store, hasher: SpyHasher) -> Accounts:
    return Accounts(store, hasher=hasher)


def every_value(store: Store) -> list[str]:
    """Every value of every row of every table, as text: what a stolen database holds."""
    values: list[str] = []
    with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                values += [str(value) for value in row]
    return values


def failures(store: Store, email: str) -> int | None:
    with store.engine.connect() as connection:
        return connection.scalar(
            select(LoginFailureRow.failures).where(LoginFailureRow.email == email)
        )


def count(store: Store, model: type[Base]) -> int:
    with store.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model)) or 0


def fail_logins(accounts: Accounts, email: str, times: int) -> None:
    for _ in range(times):
        assert accounts.authenticate(email, WRONG) is None


# -- users -------------------------------------------------------------------------------


def test_add_user_returns_what_reading_it_back_returns(accounts: Accounts, clock: Clock) -> None:
    added = accounts.add_user("  Alice@Example.COM ", PASSWORD)
    assert added == User(
        id=added.id, email="alice@example.com", operator=False, created_at=clock.now
    )
    assert added.created_at.tzinfo is UTC
    assert accounts.user("ALICE@example.com") == added
    assert accounts.user(added.id) == added
    assert accounts.add_user("root@example.com", PASSWORD, operator=True).operator is True


def test_the_user_value_holds_no_secret(accounts: Accounts) -> None:
    user = accounts.add_user("alice@example.com", PASSWORD)
    assert [field.name for field in attrs.fields(User)] == ["id", "email", "operator", "created_at"]
    assert PASSWORD not in repr(user)
    assert "argon2" not in repr(user)


def test_users_are_listed_by_email(accounts: Accounts) -> None:
    assert accounts.users() == []
    for email in ("carol@example.com", "Alice@example.com", "bob@example.com"):
        accounts.add_user(email, PASSWORD)
    assert [user.email for user in accounts.users()] == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]


def test_an_email_is_taken_once_in_any_letter_case(accounts: Accounts, store: Store) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    with pytest.raises(DuplicateUser, match=r"a user with email 'alice@example\.com' exists"):
        accounts.add_user("ALICE@Example.com", OTHER_PASSWORD)
    assert count(store, UserRow) == 1
    assert accounts.authenticate("alice@example.com", PASSWORD) is not None


@pytest.mark.parametrize(
    "email",
    ["", "alice", "alice@", "@example.com", "a@b@example.com", "alice smith@example.com"],
)
def test_an_email_must_look_like_one(accounts: Accounts, store: Store, email: str) -> None:
    with pytest.raises(ValueError, match="is not an email address"):
        accounts.add_user(email, PASSWORD)
    assert count(store, UserRow) == 0


def test_an_email_is_bounded(accounts: Accounts) -> None:
    longest = "a" * 242 + "@example.com"
    assert len(longest) == 254
    assert accounts.add_user(longest, PASSWORD).email == longest
    with pytest.raises(ValueError, match="at most 254 characters"):
        accounts.add_user("a" + longest, PASSWORD)


def test_a_password_needs_ten_characters(accounts: Accounts, store: Store) -> None:
    with pytest.raises(WeakPassword, match="at least 10 characters") as caught:
        accounts.add_user("alice@example.com", "123456789")
    assert caught.value.minimum == 10
    assert not caught.value.retryable
    assert count(store, UserRow) == 0
    accounts.add_user("alice@example.com", "1234567890")
    assert accounts.authenticate("alice@example.com", "1234567890") is not None


def test_a_password_is_kept_only_as_an_argon2_hash(accounts: Accounts, store: Store) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    with store.engine.connect() as connection:
        stored = connection.scalar(select(UserRow.password_hash))
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert not any(PASSWORD in value for value in every_value(store))


def test_an_unknown_user_says_so(accounts: Accounts) -> None:
    with pytest.raises(UnknownUser, match=r"no user with email 'nobody@example\.com'"):
        accounts.user("Nobody@example.com")
    with pytest.raises(UnknownUser, match="no user with id 7"):
        accounts.user(7)


def test_set_operator_turns_the_flag_on_and_off(accounts: Accounts) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    assert accounts.set_operator("Alice@example.com").operator is True
    assert accounts.user("alice@example.com").operator is True
    assert accounts.set_operator("alice@example.com", False).operator is False
    assert accounts.user("alice@example.com").operator is False
    with pytest.raises(UnknownUser):
        accounts.set_operator("bob@example.com")


def test_set_password_replaces_it_and_closes_only_that_users_sessions(
    accounts: Accounts,
) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    bob = accounts.add_user("bob@example.com", PASSWORD)
    alice_tokens = [accounts.open_session(alice.id)[0] for _ in range(2)]
    bob_token, _ = accounts.open_session(bob.id)
    accounts.set_password("ALICE@example.com", OTHER_PASSWORD)
    assert accounts.authenticate("alice@example.com", PASSWORD) is None
    assert accounts.authenticate("alice@example.com", OTHER_PASSWORD) == alice
    assert [accounts.session(token) for token in alice_tokens] == [None, None]
    assert accounts.session(bob_token) is not None


def test_set_password_refuses_weak_ones_and_unknown_users(accounts: Accounts) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    token, _ = accounts.open_session(alice.id)
    with pytest.raises(WeakPassword):
        accounts.set_password("alice@example.com", "short")
    assert accounts.session(token) is not None  # nothing changed
    assert accounts.authenticate("alice@example.com", PASSWORD) == alice
    with pytest.raises(UnknownUser):
        accounts.set_password("bob@example.com", OTHER_PASSWORD)


def test_set_password_lets_a_throttled_user_in_at_once(accounts: Accounts) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    fail_logins(accounts, "alice@example.com", 5)
    with pytest.raises(LoginThrottled):
        accounts.authenticate("alice@example.com", PASSWORD)
    accounts.set_password("alice@example.com", OTHER_PASSWORD)
    assert accounts.authenticate("alice@example.com", OTHER_PASSWORD) == alice


# -- roles -------------------------------------------------------------------------------


def test_grant_by_name_or_id_and_read_the_role_back(accounts: Accounts, store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="test")
    beta = store.add_tenant(config("beta"), changed_by="test")
    alice = accounts.add_user("alice@example.com", PASSWORD)
    granted = accounts.grant("Alice@example.com", "acme", Role.KH)
    assert granted == Membership(alice.id, "alice@example.com", acme.id, "acme", Role.KH)
    assert accounts.grant("alice@example.com", beta.id, Role.VIEWER).tenant_name == "beta"
    assert accounts.role(alice.id, acme.id) is Role.KH
    assert accounts.role(alice.id, beta.id) is Role.VIEWER
    assert accounts.grant("alice@example.com", str(acme.id), Role.VIEWER).tenant_id == acme.id
    assert accounts.role(alice.id, acme.id) is Role.VIEWER


def test_a_new_grant_replaces_the_role(accounts: Accounts, store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="test")
    alice = accounts.add_user("alice@example.com", PASSWORD)
    accounts.grant("alice@example.com", "acme", Role.VIEWER)
    accounts.grant("alice@example.com", "acme", Role.KH)
    assert accounts.members(acme.id) == [
        Membership(alice.id, "alice@example.com", acme.id, "acme", Role.KH)
    ]
    assert count(store, MembershipRow) == 1


def test_grant_takes_the_role_as_text_too(accounts: Accounts, store: Store) -> None:
    store.add_tenant(config("acme"), changed_by="test")
    accounts.add_user("alice@example.com", PASSWORD)
    assert accounts.grant("alice@example.com", "acme", "kh").role is Role.KH  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'owner' is not a valid Role"):
        accounts.grant("alice@example.com", "acme", "owner")  # type: ignore[arg-type]


def test_grant_and_revoke_refuse_unknown_users_and_tenants(
    accounts: Accounts, store: Store
) -> None:
    store.add_tenant(config("acme"), changed_by="test")
    accounts.add_user("alice@example.com", PASSWORD)
    with pytest.raises(UnknownTenant, match="no tenant called 'nope'; known: acme"):
        accounts.grant("alice@example.com", "nope", Role.KH)
    with pytest.raises(UnknownTenant, match="no tenant with id 99"):
        accounts.grant("alice@example.com", 99, Role.KH)
    with pytest.raises(UnknownUser):
        accounts.grant("bob@example.com", "acme", Role.KH)
    with pytest.raises(UnknownTenant):
        accounts.revoke("alice@example.com", "nope")
    with pytest.raises(UnknownUser):
        accounts.revoke("bob@example.com", "acme")
    assert count(store, MembershipRow) == 0


def test_grant_needs_no_key_for_the_tenants_credentials(store_url: str, clock: Clock) -> None:
    """Roles only refer to a tenant: a key that cannot read its credentials is no matter."""
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        store.add_tenant(config("acme"), changed_by="test")
    with Store.open(store_url, secret_key=OTHER_KEY, clock=clock) as store:
        accounts = Accounts(store, hasher=SpyHasher())
        accounts.add_user("alice@example.com", PASSWORD)
        assert accounts.grant("alice@example.com", "acme", Role.KH).tenant_name == "acme"


def test_revoke_says_whether_there_was_a_role(accounts: Accounts, store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="test")
    beta = store.add_tenant(config("beta"), changed_by="test")
    alice = accounts.add_user("alice@example.com", PASSWORD)
    accounts.grant("alice@example.com", "acme", Role.KH)
    accounts.grant("alice@example.com", "beta", Role.KH)
    assert accounts.revoke("ALICE@example.com", "acme") is True
    assert accounts.role(alice.id, acme.id) is None
    assert accounts.role(alice.id, beta.id) is Role.KH
    assert accounts.revoke("alice@example.com", acme.id) is False


def test_memberships_by_tenant_name_and_members_by_email(accounts: Accounts, store: Store) -> None:
    zeta = store.add_tenant(config("zeta"), changed_by="test")
    acme = store.add_tenant(config("acme"), changed_by="test")
    store.add_tenant(config("idle"), changed_by="test")
    bob = accounts.add_user("bob@example.com", PASSWORD)
    alice = accounts.add_user("alice@example.com", PASSWORD)
    accounts.grant("bob@example.com", "zeta", Role.VIEWER)
    accounts.grant("bob@example.com", "acme", Role.KH)
    accounts.grant("alice@example.com", "zeta", Role.KH)
    assert accounts.memberships(bob.id) == [
        Membership(bob.id, "bob@example.com", acme.id, "acme", Role.KH),
        Membership(bob.id, "bob@example.com", zeta.id, "zeta", Role.VIEWER),
    ]
    assert accounts.members(zeta.id) == [
        Membership(alice.id, "alice@example.com", zeta.id, "zeta", Role.KH),
        Membership(bob.id, "bob@example.com", zeta.id, "zeta", Role.VIEWER),
    ]
    assert accounts.members(store.tenant("idle").id) == []
    assert accounts.memberships(accounts.add_user("carol@example.com", PASSWORD).id) == []
    with pytest.raises(UnknownUser, match="no user with id 99"):
        accounts.memberships(99)
    with pytest.raises(UnknownTenant, match="no tenant with id 99"):
        accounts.members(99)


def test_role_is_the_membership_only(accounts: Accounts, store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="test")
    root = accounts.add_user("root@example.com", PASSWORD, operator=True)
    assert accounts.role(root.id, acme.id) is None  # the operator policy is the web app's
    assert accounts.role(999, acme.id) is None


def test_a_deleted_tenant_takes_its_memberships_along(accounts: Accounts, store: Store) -> None:
    """The store cannot delete tenants yet; the database's cascade must still be in place."""
    acme = store.add_tenant(config("acme"), changed_by="test")
    store.add_tenant(config("beta"), changed_by="test")
    alice = accounts.add_user("alice@example.com", PASSWORD)
    accounts.grant("alice@example.com", "acme", Role.KH)
    accounts.grant("alice@example.com", "beta", Role.VIEWER)
    with store.engine.begin() as connection:
        connection.execute(delete(TenantRow).where(TenantRow.id == acme.id))
    assert [m.tenant_name for m in accounts.memberships(alice.id)] == ["beta"]
    assert count(store, MembershipRow) == 1


def test_a_deleted_user_takes_everything_of_theirs_along(accounts: Accounts, store: Store) -> None:
    store.add_tenant(config("acme"), changed_by="test")
    alice = accounts.add_user("alice@example.com", PASSWORD)
    bob = accounts.add_user("bob@example.com", PASSWORD)
    for email in ("alice@example.com", "bob@example.com"):
        accounts.grant(email, "acme", Role.KH)
        accounts.create_api_token(email, "ci")
    accounts.open_session(alice.id)
    bob_token, _ = accounts.open_session(bob.id)
    with store.engine.begin() as connection:
        connection.execute(delete(UserRow).where(UserRow.id == alice.id))
    assert (count(store, MembershipRow), count(store, ApiTokenRow)) == (1, 1)
    assert count(store, WebSessionRow) == 1
    assert accounts.session(bob_token) is not None


# -- sign-in -----------------------------------------------------------------------------


def test_authenticate_knows_the_right_password_only(accounts: Accounts) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    assert accounts.authenticate(" Alice@Example.com", PASSWORD) == alice
    assert accounts.authenticate("alice@example.com", WRONG) is None
    assert accounts.authenticate("alice@example.com", PASSWORD.upper()) is None
    assert accounts.authenticate("alice@example.com", "") is None
    assert accounts.authenticate("nobody@example.com", PASSWORD) is None


def test_an_unknown_email_is_checked_against_a_hash_too(
    accounts: Accounts, hasher: SpyHasher
) -> None:
    """The same work for an unknown email as for a wrong password: timing tells nothing."""
    accounts.add_user("alice@example.com", PASSWORD)
    assert accounts.authenticate("nobody@example.com", PASSWORD) is None
    assert hasher.verified == 1
    assert accounts.authenticate("alice@example.com", WRONG) is None
    assert hasher.verified == 2


def test_five_failures_then_a_wait_and_the_password_is_not_even_checked(
    accounts: Accounts, hasher: SpyHasher, store: Store, clock: Clock
) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    fail_logins(accounts, "alice@example.com", 4)
    clock.advance(seconds=0.1)
    assert accounts.authenticate("alice@example.com", WRONG) is None  # the fifth: no wait yet
    checked = hasher.verified
    with pytest.raises(LoginThrottled, match=r"try again in 1 second$") as caught:
        accounts.authenticate("alice@example.com", PASSWORD)  # even the right one
    assert caught.value.retry_after == timedelta(seconds=1)
    assert not caught.value.retryable
    assert hasher.verified == checked
    assert failures(store, "alice@example.com") == 5  # a refused attempt is not counted


@pytest.mark.parametrize("known", [True, False], ids=["known email", "unknown email"])
def test_the_wait_doubles_up_to_fifteen_minutes(
    accounts: Accounts, store: Store, clock: Clock, *, known: bool
) -> None:
    """Unknown emails are throttled exactly like known ones, so throttling reveals nothing."""
    if known:
        accounts.add_user("alice@example.com", PASSWORD)
    fail_logins(accounts, "alice@example.com", 5)
    waits = []
    for _ in range(12):
        with pytest.raises(LoginThrottled) as caught:
            accounts.authenticate("alice@example.com", WRONG)
        waits.append(caught.value.retry_after)
        clock.advance(seconds=caught.value.retry_after.total_seconds() - 0.5)
        with pytest.raises(LoginThrottled):  # still inside the window
            accounts.authenticate("alice@example.com", WRONG)
        clock.advance(seconds=0.5)  # at its end exactly: checked, and counted
        assert accounts.authenticate("alice@example.com", WRONG) is None
    assert [wait.total_seconds() for wait in waits] == [
        1,
        2,
        4,
        8,
        16,
        32,
        64,
        128,
        256,
        512,
        900,
        900,
    ]
    assert failures(store, "alice@example.com") == 17


def test_the_retry_after_counts_down_from_the_last_failure(
    accounts: Accounts, clock: Clock
) -> None:
    fail_logins(accounts, "alice@example.com", 5)
    for wait in (1, 2, 4):
        clock.advance(seconds=wait)
        fail_logins(accounts, "alice@example.com", 1)
    clock.advance(seconds=3)  # eight failures: the wait is 8 s, ...
    with pytest.raises(LoginThrottled, match=r"try again in 5 seconds$") as caught:
        accounts.authenticate("alice@example.com", WRONG)  # ... 3 s of it gone
    assert caught.value.retry_after == timedelta(seconds=5)


def test_a_success_resets_the_count(accounts: Accounts, store: Store, clock: Clock) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    fail_logins(accounts, "alice@example.com", 5)
    clock.advance(seconds=1)
    assert accounts.authenticate("alice@example.com", PASSWORD) == alice
    assert failures(store, "alice@example.com") is None
    fail_logins(accounts, "alice@example.com", 4)  # four free failures again, not one
    assert accounts.authenticate("alice@example.com", PASSWORD) == alice


def test_failures_are_counted_per_email_in_any_letter_case(
    accounts: Accounts, store: Store
) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    bob = accounts.add_user("bob@example.com", PASSWORD)
    fail_logins(accounts, "Alice@Example.com", 3)
    fail_logins(accounts, "alice@example.com", 2)
    assert failures(store, "alice@example.com") == 5
    with pytest.raises(LoginThrottled):
        accounts.authenticate("ALICE@example.com", PASSWORD)
    assert accounts.authenticate("bob@example.com", PASSWORD) == bob


def test_a_day_old_count_is_forgotten(accounts: Accounts, store: Store, clock: Clock) -> None:
    for email in ("alice@example.com", "bob@example.com"):
        fail_logins(accounts, email, 5)
    fail_logins(accounts, "stranger@example.com", 1)
    clock.advance(days=1, microseconds=-1)
    fail_logins(accounts, "alice@example.com", 1)
    assert failures(store, "alice@example.com") == 6  # not quite a day: the count stands
    assert failures(store, "stranger@example.com") == 1
    clock.advance(microseconds=1)
    fail_logins(accounts, "bob@example.com", 1)
    assert failures(store, "bob@example.com") == 1  # a day: counting starts over
    assert failures(store, "stranger@example.com") is None  # swept: guesses do not pile up


def test_concurrent_failures_are_all_counted(accounts: Accounts, store: Store) -> None:
    def fail_once(_: int) -> None:
        assert accounts.authenticate("alice@example.com", WRONG) is None

    run_together(fail_once, workers=4)
    assert failures(store, "alice@example.com") == 4


def test_an_email_too_long_for_the_table_still_fails_cleanly(
    accounts: Accounts, store: Store
) -> None:
    assert accounts.authenticate("a" * 400 + "@example.com", WRONG) is None
    assert failures(store, "a" * 254) == 1


def test_a_damaged_hash_fails_the_sign_in(accounts: Accounts, store: Store) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    with store.engine.begin() as connection:
        connection.execute(update(UserRow).values(password_hash="not-argon2"))
    assert accounts.authenticate("alice@example.com", PASSWORD) is None
    assert failures(store, "alice@example.com") == 1


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(store: Store) -> None:
    old, new = SpyHasher(time_cost=1), SpyHasher(time_cost=2)
    Accounts(store, hasher=old).add_user("alice@example.com", PASSWORD)

    def stored() -> str:
        with store.engine.connect() as connection:
            return connection.scalar(select(UserRow.password_hash)) or ""

    before = stored()
    accounts = Accounts(store, hasher=new)
    assert accounts.authenticate("alice@example.com", WRONG) is None
    assert stored() == before  # a failed sign-in changes nothing
    assert accounts.authenticate("alice@example.com", PASSWORD) is not None
    after = stored()
    assert after != before
    assert old.check_needs_rehash(before) is False
    assert new.check_needs_rehash(before) is True
    assert new.check_needs_rehash(after) is False
    assert accounts.authenticate("alice@example.com", PASSWORD) is not None
    assert stored() == after  # current already: not hashed again


# -- browser sessions --------------------------------------------------------------------


def test_a_session_is_found_by_its_token_until_it_expires(store: Store, clock: Clock) -> None:
    accounts = Accounts(store, hasher=SpyHasher(), session_lifetime=timedelta(hours=2))
    assert accounts.session_lifetime == timedelta(hours=2)
    alice = accounts.add_user("alice@example.com", PASSWORD)
    started = clock.now
    token, opened = accounts.open_session(alice.id)
    assert opened == WebSession(alice, opened.csrf_token, started, started + timedelta(hours=2))
    assert len(token) >= 43
    assert len(opened.csrf_token) >= 43
    assert opened.csrf_token != token
    clock.advance(hours=2, microseconds=-1)
    assert accounts.session(token) == opened
    clock.advance(microseconds=1)
    assert accounts.session(token) is None
    assert count(store, WebSessionRow) == 0  # the expired row is gone


def test_every_session_has_its_own_tokens(accounts: Accounts) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    first_token, first = accounts.open_session(alice.id)
    second_token, second = accounts.open_session(alice.id)
    assert first_token != second_token
    assert first.csrf_token != second.csrf_token
    assert accounts.session(first_token) == first
    assert accounts.session(second_token) == second


def test_the_database_holds_a_session_tokens_hash_not_the_token(
    accounts: Accounts, store: Store
) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    token, _ = accounts.open_session(alice.id)
    assert not any(token in value for value in every_value(store))
    with store.engine.connect() as connection:
        stored = connection.scalar(select(WebSessionRow.id))
    assert stored == hashlib.sha256(token.encode()).hexdigest()


def test_a_session_shows_the_user_as_stored_now(accounts: Accounts) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    token, _ = accounts.open_session(alice.id)
    accounts.set_operator("alice@example.com")
    found = accounts.session(token)
    assert found is not None
    assert found.user.operator is True


def test_a_sessions_repr_keeps_its_csrf_token_out(accounts: Accounts) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    token, opened = accounts.open_session(alice.id)
    assert opened.csrf_token not in repr(opened)
    assert token not in repr(opened)
    assert "alice@example.com" in repr(opened)


def test_unknown_tokens_find_no_session(accounts: Accounts) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    token, _ = accounts.open_session(alice.id)
    assert accounts.session("") is None
    assert accounts.session(token + "x") is None
    assert accounts.session("\udcff") is None  # a malformed cookie fails, it does not raise
    assert accounts.session(hashlib.sha256(token.encode()).hexdigest()) is None


def test_close_session_and_close_sessions(accounts: Accounts) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    bob = accounts.add_user("bob@example.com", PASSWORD)
    first, _ = accounts.open_session(alice.id)
    second, _ = accounts.open_session(alice.id)
    third, _ = accounts.open_session(alice.id)
    bobs, _ = accounts.open_session(bob.id)
    accounts.close_session(first)
    accounts.close_session(first)  # again: no error
    accounts.close_session("never-issued")
    assert accounts.session(first) is None
    assert accounts.session(second) is not None
    assert accounts.close_sessions(alice.id) == 2
    assert accounts.session(third) is None
    assert accounts.close_sessions(alice.id) == 0
    assert accounts.session(bobs) is not None


def test_open_session_needs_a_user_and_sweeps_expired_ones(
    accounts: Accounts, store: Store, clock: Clock
) -> None:
    with pytest.raises(UnknownUser, match="no user with id 5"):
        accounts.open_session(5)
    alice = accounts.add_user("alice@example.com", PASSWORD)
    bob = accounts.add_user("bob@example.com", PASSWORD)
    accounts.open_session(alice.id)
    clock.advance(hours=12)
    accounts.open_session(bob.id)
    with store.engine.connect() as connection:
        assert connection.scalars(select(WebSessionRow.user_id)).all() == [bob.id]


def test_a_session_lifetime_must_be_positive(store: Store) -> None:
    with pytest.raises(ValueError, match="session_lifetime must be positive"):
        Accounts(store, session_lifetime=timedelta(0))


# -- API tokens --------------------------------------------------------------------------


def test_an_api_token_finds_its_user_and_records_its_use(accounts: Accounts, clock: Clock) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    created = clock.now
    token = accounts.create_api_token("ALICE@example.com", " ci ")
    assert token.startswith("silta_")
    assert len(token) >= len("silta_") + 43
    [listed] = accounts.api_tokens("alice@example.com")
    assert listed == ApiToken(
        id=listed.id,
        user_id=alice.id,
        email="alice@example.com",
        name="ci",
        scope=TokenScope.WRITE,
        created_at=created,
        expires_at=created + timedelta(days=90),
    )
    used = clock.advance(minutes=5)
    assert accounts.api_user(token) == alice
    assert accounts.api_tokens("alice@example.com")[0].last_used_at == used
    clock.advance(seconds=30)  # used again within the minute: not written again
    assert accounts.api_user(token) == alice
    assert accounts.api_tokens("alice@example.com")[0].last_used_at == used


def test_the_database_holds_an_api_tokens_hash_not_the_token(
    accounts: Accounts, store: Store
) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    token = accounts.create_api_token("alice@example.com", "ci")
    secret_part = token.removeprefix("silta_")
    assert not any(secret_part in value for value in every_value(store))
    with store.engine.connect() as connection:
        stored = connection.scalar(select(ApiTokenRow.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(accounts.api_tokens("alice@example.com"))


def test_unknown_api_tokens_find_no_user(accounts: Accounts) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    token = accounts.create_api_token("alice@example.com", "ci")
    assert accounts.api_user("") is None
    assert accounts.api_user(token.removeprefix("silta_")) is None
    assert accounts.api_user(token + "x") is None
    assert accounts.api_user("silta_" + "A" * 43) is None


def test_api_tokens_are_listed_oldest_first_and_revoked_one_by_one(
    accounts: Accounts,
) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    accounts.add_user("bob@example.com", PASSWORD)
    first = accounts.create_api_token("alice@example.com", "first")
    second = accounts.create_api_token("alice@example.com", "second")
    bobs = accounts.create_api_token("bob@example.com", "bob's")
    assert first != second
    first_id, second_id = (token.id for token in accounts.api_tokens("alice@example.com"))
    assert [token.name for token in accounts.api_tokens("alice@example.com")] == [
        "first",
        "second",
    ]
    bobs_id = accounts.api_tokens("bob@example.com")[0].id
    assert accounts.revoke_api_token("alice@example.com", bobs_id) is False  # not hers
    assert accounts.api_user(bobs) is not None
    assert accounts.revoke_api_token("alice@example.com", first_id) is True
    assert accounts.revoke_api_token("alice@example.com", first_id) is False
    assert accounts.api_user(first) is None
    assert accounts.api_user(second) == alice
    assert [token.id for token in accounts.api_tokens("alice@example.com")] == [second_id]


def test_api_tokens_need_a_user_and_a_name(accounts: Accounts) -> None:
    with pytest.raises(UnknownUser):
        accounts.create_api_token("nobody@example.com", "ci")
    with pytest.raises(UnknownUser):
        accounts.api_tokens("nobody@example.com")
    with pytest.raises(UnknownUser):
        accounts.revoke_api_token("nobody@example.com", 1)
    accounts.add_user("alice@example.com", PASSWORD)
    with pytest.raises(ValueError, match="must not be empty"):
        accounts.create_api_token("alice@example.com", "  ")
    with pytest.raises(ValueError, match="at most 200 characters"):
        accounts.create_api_token("alice@example.com", "x" * 201)
    assert accounts.api_tokens("alice@example.com") == []


def test_no_secret_of_any_kind_is_stored_in_the_clear(accounts: Accounts, store: Store) -> None:
    alice = accounts.add_user("alice@example.com", PASSWORD)
    accounts.set_password("alice@example.com", OTHER_PASSWORD)
    session_token, _ = accounts.open_session(alice.id)
    api_token = accounts.create_api_token("alice@example.com", "ci")
    accounts.api_user(api_token)
    fail_logins(accounts, "alice@example.com", 1)
    stored = every_value(store)
    for secret in (PASSWORD, OTHER_PASSWORD, WRONG, session_token, api_token):
        assert not any(secret in value for value in stored), secret


def test_the_module_reexports_the_values() -> None:
    assert accounts_module.Role is Role
    assert accounts_module.User is User
    assert [role.value for role in Role] == ["kh", "viewer"]


# -- API tokens' life cycle -------------------------------------------------------------------


def test_an_api_token_ends_at_its_expiry(accounts: Accounts, clock: Clock) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    default = accounts.create_api_token("alice@example.com", "default")
    short = accounts.create_api_token("alice@example.com", "short", lifetime=timedelta(days=1))
    clock.advance(hours=23, minutes=59)
    assert accounts.api_user(short) is not None
    clock.advance(minutes=1)
    assert accounts.api_user(short) is None  # at its expiry, not a second later
    assert accounts.api_user(default) is not None
    clock.advance(days=89)
    assert accounts.api_user(default) is None
    # still listed, as expired, so their owner sees why they fail
    listed = accounts.api_tokens("alice@example.com")
    assert [token.expired(clock.now) for token in listed] == [True, True]


@pytest.mark.parametrize("lifetime", [timedelta(0), timedelta(seconds=59), timedelta(days=367)])
def test_a_token_lives_from_a_minute_to_a_year(accounts: Accounts, lifetime: timedelta) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    with pytest.raises(ValueError, match="from a minute to 366 days"):
        accounts.create_api_token("alice@example.com", "ci", lifetime=lifetime)
    assert accounts.api_tokens("alice@example.com") == []


def test_a_password_change_ends_every_api_token_of_the_user(accounts: Accounts) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    accounts.add_user("bob@example.com", PASSWORD)
    mine = accounts.create_api_token("alice@example.com", "ci")
    bobs = accounts.create_api_token("bob@example.com", "ci")
    accounts.set_password("alice@example.com", OTHER_PASSWORD)
    assert accounts.api_user(mine) is None
    assert accounts.api_tokens("alice@example.com") == []
    assert accounts.api_user(bobs) is not None


def test_a_token_bound_to_a_tenant_needs_a_role_there_and_ends_with_it(
    accounts: Accounts, store: Store
) -> None:
    tenant = store.add_tenant(config(), changed_by="test")
    accounts.add_user("alice@example.com", PASSWORD)
    accounts.add_user("ops@example.com", PASSWORD, operator=True)
    with pytest.raises(ValueError, match="holds no role with acme"):
        accounts.create_api_token("alice@example.com", "ci", tenant=tenant.id)
    accounts.grant("alice@example.com", tenant.id, Role.KH)
    bound = accounts.create_api_token(
        "alice@example.com", "bound", tenant="acme", scope=TokenScope.READ
    )
    free = accounts.create_api_token("alice@example.com", "free")
    ops = accounts.create_api_token("ops@example.com", "ops", tenant=tenant.id)  # no role needed
    access = accounts.api_access(bound)
    assert access is not None
    assert (access.token.tenant_id, access.token.tenant_name) == (tenant.id, "acme")
    assert access.token.scope is TokenScope.READ
    assert [t.name for t in accounts.api_tokens(tenant_id=tenant.id)] == ["bound", "ops"]
    accounts.revoke("alice@example.com", tenant.id)
    assert accounts.api_user(bound) is None  # the membership's token went with it
    assert accounts.api_user(free) is not None  # it simply no longer reaches the tenant
    assert accounts.api_user(ops) is not None


def test_every_token_of_a_user_can_be_revoked_at_once(accounts: Accounts) -> None:
    accounts.add_user("alice@example.com", PASSWORD)
    tokens = [accounts.create_api_token("alice@example.com", f"t{n}") for n in range(3)]
    assert accounts.revoke_api_tokens("alice@example.com") == 3
    assert all(accounts.api_user(token) is None for token in tokens)
    assert accounts.api_tokens("alice@example.com") == []
