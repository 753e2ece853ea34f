"""``silta user …`` end to end, in-process (typer's runner), on a store in a temporary file.

What each command did is read back through :class:`silta.store.Accounts`, not from the
output; the output is checked for what the operator is told, and that no password or
token shows where it should not.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner, Result

from silta.cli import app
from silta.netvisor import NetvisorCredentials
from silta.severa import SeveraCredentials
from silta.store import Accounts, Role, Store, TokenScope
from silta.tenants import NetvisorConnection, SeveraConnection, TenantConfig

PASSWORD = "correct horse battery"
OTHER_PASSWORD = "staple-and-more-words"

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILTA_DATABASE_URL", f"sqlite:///{tmp_path / 'silta.db'}")
    monkeypatch.delenv("SILTA_SECRET_KEY", raising=False)
    monkeypatch.setenv("SILTA_SECRET_KEY_FILE", str(tmp_path / "silta.key"))


@pytest.fixture
def accounts() -> Iterator[Accounts]:
    """The accounts the commands wrote, read back (a cheap hasher: it only verifies)."""
    with Store.open() as store:
        yield Accounts(store, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def silta(*args: str, stdin: str | None = None) -> Result:
    result = runner.invoke(app, list(args), input=stdin)
    # an error a user can fix ends in an exit, never in an exception
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def add(email: str, password: str = PASSWORD, *options: str) -> Result:
    result = silta("user", "add", email, "--password-stdin", *options, stdin=password + "\n")
    assert result.exit_code == 0, result.output
    return result


def add_tenant(name: str) -> None:
    with Store.open() as store:
        store.add_tenant(
            TenantConfig(
                name=name,
                netvisor=NetvisorConnection(
                    NetvisorCredentials(
                        sender="Silta tests",
                        customer_id="c",
                        customer_key="k",
                        partner_id="p",
                        partner_key="pk",
                        organisation_id="1967543-8",
                    ),
                    base_url="https://isvapi.netvisor.fi",
                ),
                severa=SeveraConnection(
                    SeveraCredentials(client_id="id", client_secret="secret"),
                    base_url="https://api.severa.visma.com/rest-api",
                ),
            ),
            changed_by="test",
        )


def one_error_line(result: Result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("silta: ")
    for text in expected:
        assert text in lines[0]


# -- add ---------------------------------------------------------------------------------


def test_add_reads_one_line_of_stdin_as_the_password(accounts: Accounts) -> None:
    result = silta(
        "user", "add", "Alice@Example.com", "--password-stdin", stdin=" spaced pass  \nnext\n"
    )
    assert result.exit_code == 0, result.output
    assert "Added user alice@example.com (id 1)" in result.output
    assert "silta user grant" in result.output
    assert " spaced pass " not in result.output
    alice = accounts.user("alice@example.com")
    assert alice.operator is False
    assert accounts.authenticate("alice@example.com", " spaced pass  ") == alice
    assert accounts.authenticate("alice@example.com", " spaced pass  \n") is None


def test_add_an_operator(accounts: Accounts) -> None:
    result = add("root@example.com", PASSWORD, "--operator")
    assert "an operator" in result.output
    assert accounts.user("root@example.com").operator is True


def test_add_asks_twice_without_echo(monkeypatch: pytest.MonkeyPatch, accounts: Accounts) -> None:
    asked: list[str] = []

    def fake_getpass(prompt: str) -> str:
        asked.append(prompt)
        return PASSWORD

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    result = silta("user", "add", "alice@example.com")
    assert result.exit_code == 0, result.output
    assert asked == ["Password: ", "Password again: "]
    assert accounts.authenticate("alice@example.com", PASSWORD) is not None


def test_add_refuses_two_different_passwords(
    monkeypatch: pytest.MonkeyPatch, accounts: Accounts
) -> None:
    answers = iter([PASSWORD, OTHER_PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda _prompt: next(answers))
    one_error_line(silta("user", "add", "alice@example.com"), "the two passwords differ")
    assert accounts.users() == []


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "no password on standard input"),
        ("\n", "no password on standard input"),
        ("123456789\n", "a password must be at least 10 characters long"),
    ],
    ids=["nothing", "an empty line", "too short"],
)
def test_add_refuses_a_missing_or_weak_password(
    accounts: Accounts, stdin: str, message: str
) -> None:
    result = silta("user", "add", "alice@example.com", "--password-stdin", stdin=stdin)
    one_error_line(result, message)
    assert accounts.users() == []


def test_add_refuses_a_taken_email_before_asking_for_a_password(accounts: Accounts) -> None:
    add("alice@example.com")
    result = silta("user", "add", "ALICE@example.com", "--password-stdin", stdin="")
    one_error_line(result, "a user with email 'alice@example.com' exists already")
    assert accounts.authenticate("alice@example.com", PASSWORD) is not None


def test_add_refuses_what_is_not_an_email(accounts: Accounts) -> None:
    result = silta("user", "add", "alice", "--password-stdin", stdin=PASSWORD + "\n")
    one_error_line(result, "'alice' is not an email address")
    assert accounts.users() == []


# -- roles -------------------------------------------------------------------------------


def test_grant_and_revoke(accounts: Accounts) -> None:
    add_tenant("acme")
    add("alice@example.com")
    alice = accounts.user("alice@example.com")
    granted = silta("user", "grant", "Alice@example.com", "acme", "kh")
    assert granted.exit_code == 0, granted.output
    assert "alice@example.com is now kh of acme." in granted.output
    tenant_id = accounts.memberships(alice.id)[0].tenant_id
    assert accounts.role(alice.id, tenant_id) is Role.KH
    assert silta("user", "grant", "alice@example.com", "acme", "viewer").exit_code == 0
    assert accounts.role(alice.id, tenant_id) is Role.VIEWER
    assert len(accounts.members(tenant_id)) == 1

    revoked = silta("user", "revoke", "alice@example.com", "acme")
    assert revoked.exit_code == 0, revoked.output
    assert "no longer has a role with acme" in revoked.output
    assert accounts.role(alice.id, tenant_id) is None
    again = silta("user", "revoke", "alice@example.com", "acme")
    assert again.exit_code == 0, again.output
    assert "had no role with acme; nothing changed" in again.output


def test_grant_refuses_unknown_roles_tenants_and_users(accounts: Accounts) -> None:
    add_tenant("acme")
    add("alice@example.com")
    bad_role = silta("user", "grant", "alice@example.com", "acme", "owner")
    assert bad_role.exit_code == 2
    assert "'owner' is not one of" in bad_role.output
    one_error_line(
        silta("user", "grant", "alice@example.com", "nope", "kh"),
        "no tenant called 'nope'; known: acme",
    )
    one_error_line(
        silta("user", "grant", "bob@example.com", "acme", "kh"),
        "no user with email 'bob@example.com'",
    )
    one_error_line(silta("user", "revoke", "bob@example.com", "acme"), "no user with email")
    assert accounts.memberships(accounts.user("alice@example.com").id) == []


def test_operator_on_and_off(accounts: Accounts) -> None:
    add("alice@example.com")
    on = silta("user", "operator", "alice@example.com")
    assert on.exit_code == 0, on.output
    assert "alice@example.com is now an operator." in on.output
    assert accounts.user("alice@example.com").operator is True
    off = silta("user", "operator", "alice@example.com", "--off")
    assert off.exit_code == 0, off.output
    assert "alice@example.com is no longer an operator." in off.output
    assert accounts.user("alice@example.com").operator is False
    one_error_line(silta("user", "operator", "bob@example.com"), "no user with email")


def test_list_shows_operators_and_memberships() -> None:
    empty = silta("user", "list")
    assert empty.exit_code == 0, empty.output
    assert "No users yet" in empty.output
    add_tenant("acme")
    add_tenant("beta")
    add("bob@example.com")
    add("alice@example.com", PASSWORD, "--operator")
    for tenant, role in (("beta", "viewer"), ("acme", "kh")):
        assert silta("user", "grant", "bob@example.com", tenant, role).exit_code == 0
    result = silta("user", "list")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "@example.com" in line]
    assert len(rows) == 2
    assert "alice@example.com" in rows[0]
    assert "yes" in rows[0]
    assert "(" not in rows[0]
    assert "bob@example.com" in rows[1]
    assert "yes" not in rows[1]
    assert "acme (kh), beta (viewer)" in rows[1]


# -- password and token ------------------------------------------------------------------


def test_password_replaces_it_and_closes_sessions(accounts: Accounts) -> None:
    add("alice@example.com")
    alice = accounts.user("alice@example.com")
    token, _ = accounts.open_session(alice.id)
    result = silta(
        "user", "password", "ALICE@example.com", "--password-stdin", stdin=OTHER_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password of alice@example.com changed" in result.output
    assert OTHER_PASSWORD not in result.output
    assert accounts.authenticate("alice@example.com", PASSWORD) is None
    assert accounts.authenticate("alice@example.com", OTHER_PASSWORD) == alice
    assert accounts.session(token) is None


def test_password_change_revokes_the_users_api_tokens(accounts: Accounts) -> None:
    add("alice@example.com")
    api_token = accounts.create_api_token("alice@example.com", "ci")
    result = silta(
        "user", "password", "alice@example.com", "--password-stdin", stdin=OTHER_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "API tokens (1) revoked" in result.output
    assert accounts.api_user(api_token) is None


def test_password_refuses_weak_ones_and_unknown_users(accounts: Accounts) -> None:
    add("alice@example.com")
    weak = silta("user", "password", "alice@example.com", "--password-stdin", stdin="short\n")
    one_error_line(weak, "at least 10 characters")
    assert accounts.authenticate("alice@example.com", PASSWORD) is not None
    unknown = silta(
        "user", "password", "bob@example.com", "--password-stdin", stdin=OTHER_PASSWORD + "\n"
    )
    one_error_line(unknown, "no user with email 'bob@example.com'")


def test_token_is_printed_once_on_stdout_alone(accounts: Accounts) -> None:
    add("alice@example.com")
    result = silta("user", "token", "alice@example.com", "--name", "nightly export")
    assert result.exit_code == 0, result.output
    [token] = result.stdout.splitlines()
    assert token.startswith("silta_")
    assert "will not be shown again" in result.stderr
    assert accounts.api_user(token) == accounts.user("alice@example.com")
    [made] = accounts.api_tokens("alice@example.com")
    assert made.name == "nightly export"
    # safe defaults: it only reads, reaches every tenant of hers, and ends in 90 days
    assert (made.scope, made.tenant_id) == (TokenScope.READ, None)
    assert made.expires_at - made.created_at == timedelta(days=90)
    assert f"Token {made.id} (read, every tenant of the user) expires" in result.stderr
    listed = silta("user", "list")
    assert token not in listed.output


def test_token_has_a_default_name_and_needs_a_user(accounts: Accounts) -> None:
    add("alice@example.com")
    assert silta("user", "token", "alice@example.com").exit_code == 0
    assert [t.name for t in accounts.api_tokens("alice@example.com")] == ["cli"]
    one_error_line(silta("user", "token", "bob@example.com"), "no user with email")
    one_error_line(
        silta("user", "token", "alice@example.com", "--name", " "), "name must not be empty"
    )


def test_token_with_a_scope_a_lifetime_and_a_tenant(
    accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    add("alice@example.com")
    add_tenant("acme")
    # a token for a tenant needs a role there
    one_error_line(
        silta("user", "token", "alice@example.com", "--tenant", "acme"), "holds no role with acme"
    )
    assert silta("user", "grant", "alice@example.com", "acme", "kh").exit_code == 0
    result = silta(
        "user", "token", "alice@example.com", "--scope", "write", "--days", "7", "--tenant", "acme"
    )
    assert result.exit_code == 0, result.output
    [made] = accounts.api_tokens("alice@example.com")
    assert (made.scope, made.tenant_name) == (TokenScope.WRITE, "acme")
    assert made.expires_at - made.created_at == timedelta(days=7)
    monkeypatch.setenv("SILTA_API_TOKEN_DAYS", "30")  # the operator's default lifetime
    assert silta("user", "token", "alice@example.com").exit_code == 0
    latest = accounts.api_tokens("alice@example.com")[-1]
    assert latest.expires_at - latest.created_at == timedelta(days=30)
    for days in ("0", "367"):
        refused = silta("user", "token", "alice@example.com", "--days", days)
        assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert silta("user", "token", "alice@example.com", "--scope", "admin").exit_code == 2
    assert len(accounts.api_tokens("alice@example.com")) == 2


def test_tokens_lists_everyones_or_ones_without_the_secret(accounts: Accounts) -> None:
    add("alice@example.com")
    add("bob@example.com")
    alices = silta("user", "token", "alice@example.com", "--name", "export").stdout.strip()
    bobs = silta("user", "token", "bob@example.com", "--name", "monitor").stdout.strip()
    everyone = silta("user", "tokens")
    assert everyone.exit_code == 0, everyone.output
    assert "export" in everyone.output and "monitor" in everyone.output
    assert alices not in everyone.output and bobs not in everyone.output
    only_bob = silta("user", "tokens", "bob@example.com")
    assert "monitor" in only_bob.output and "export" not in only_bob.output
    assert "read" in only_bob.output and "(all)" in only_bob.output


def test_token_revoke_by_id_or_all(accounts: Accounts) -> None:
    add("alice@example.com")
    add("bob@example.com")
    first = silta("user", "token", "alice@example.com").stdout.strip()
    second = silta("user", "token", "alice@example.com").stdout.strip()
    bobs = silta("user", "token", "bob@example.com").stdout.strip()
    first_id = accounts.api_tokens("alice@example.com")[0].id
    bobs_id = accounts.api_tokens("bob@example.com")[0].id
    one_error_line(silta("user", "token-revoke", "alice@example.com", str(bobs_id)), "has no API")
    revoked = silta("user", "token-revoke", "alice@example.com", str(first_id))
    assert revoked.exit_code == 0 and f"Revoked API token {first_id}" in revoked.output
    assert accounts.api_user(first) is None and accounts.api_user(second) is not None
    one_error_line(silta("user", "token-revoke", "alice@example.com"), "a token id or --all")
    every = silta("user", "token-revoke", "alice@example.com", "--all")
    assert "Revoked 1 API token(s)" in every.output
    assert accounts.api_user(second) is None
    assert accounts.api_user(bobs) is not None


def test_user_without_a_command_shows_the_commands() -> None:
    result = silta("user")
    for command in (
        "add", "grant", "revoke", "operator", "list", "password", "token", "tokens",
        "token-revoke",
    ):  # fmt: skip
        assert command in result.output
