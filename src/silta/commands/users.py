"""``silta user add|grant|revoke|operator|list|password|token|tokens|token-revoke``: who may
use the web app and its API.

A password is never an argument (it would stay in the shell's history and show in the
process list): it is asked for twice without echo, or read as one line from standard input
with ``--password-stdin`` for scripts. An API token is printed once, on standard output
alone, so ``TOKEN=$(silta user token ...)`` keeps it; what to do with it goes to standard
error. Tokens have a scope (``read`` by default: a token that only reads cannot be turned
into a change), an expiry (``SILTA_API_TOKEN_DAYS``, 90 by default) and optionally one
tenant; ``silta user tokens`` lists them without the secret, ``token-revoke`` ends them.
"""

from __future__ import annotations

import contextlib
import getpass
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from silta.commands.report import make_console
from silta.commands.tenants import fail, open_store
from silta.config import Settings
from silta.store import Accounts, DuplicateUser, Role, StoreError, TokenScope, WeakPassword
from silta.store.accounts import MIN_PASSWORD_LENGTH, valid_email

__all__ = ["app"]

app = typer.Typer(help="Users of the web app and their roles.", no_args_is_help=True)
console = make_console()
notes = make_console(stderr=True)

_EMAIL = typer.Argument(help="The user's email address (letter case does not matter).")
_TENANT = typer.Argument(help="The tenant's name (or id).")
_PASSWORD_STDIN = typer.Option(
    "--password-stdin",
    help="Read the password as one line from standard input instead of asking for it.",
)


@contextlib.contextmanager
def open_accounts() -> Iterator[Accounts]:
    """The accounts of ``SILTA_DATABASE_URL``'s store; their errors exit 2 in one line."""
    with open_store() as store:
        try:
            yield Accounts(store)
        except (StoreError, ValueError) as exc:  # ValueError: a malformed email or name
            raise fail(str(exc)) from None


def read_password(from_stdin: bool) -> str:
    """A new password: one line of standard input, or asked twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not password:
            raise fail("no password on standard input (expected it as one line)")
    else:
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password again: ")
        except EOFError:
            raise fail("no password given") from None
        if password != again:
            raise fail("the two passwords differ; nothing was changed")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise fail(str(WeakPassword(MIN_PASSWORD_LENGTH)))
    return password


@app.command("add")
def add_user(
    email: Annotated[str, _EMAIL],
    password_stdin: Annotated[bool, _PASSWORD_STDIN] = False,
    operator: Annotated[
        bool, typer.Option("--operator", help="Make them an operator of the whole service.")
    ] = False,
) -> None:
    """Add a user; they hold no role with any tenant until granted one."""
    try:
        email = valid_email(email)
    except ValueError as exc:
        raise fail(str(exc)) from None
    with open_accounts() as accounts:
        if any(user.email == email for user in accounts.users()):
            raise fail(str(DuplicateUser(email)))  # before asking for a password in vain
        user = accounts.add_user(email, read_password(password_stdin), operator=operator)
    what = ", an operator" if user.operator else ""
    console.print(f"Added user [bold]{escape(user.email)}[/bold] (id {user.id}{what}).")
    if not user.operator:
        console.print("Give them a role with: silta user grant EMAIL TENANT kh|viewer")


@app.command("grant")
def grant(
    email: Annotated[str, _EMAIL],
    tenant: Annotated[str, _TENANT],
    role: Annotated[
        Role,
        typer.Argument(help="kh: runs and changes the tenant; viewer: only looks."),
    ],
) -> None:
    """Give a user a role with a tenant (replacing the one they held)."""
    with open_accounts() as accounts:
        membership = accounts.grant(email, tenant, role)
    console.print(
        f"{escape(membership.email)} is now [bold]{membership.role.value}[/bold] of "
        f"{escape(membership.tenant_name)}."
    )


@app.command("revoke")
def revoke(email: Annotated[str, _EMAIL], tenant: Annotated[str, _TENANT]) -> None:
    """Take away a user's role with a tenant."""
    with open_accounts() as accounts:
        had = accounts.revoke(email, tenant)
        user = accounts.user(email)
    if had:
        console.print(f"{escape(user.email)} no longer has a role with {escape(tenant)}.")
    else:
        console.print(f"{escape(user.email)} had no role with {escape(tenant)}; nothing changed.")


@app.command("operator")
def operator(
    email: Annotated[str, _EMAIL],
    off: Annotated[bool, typer.Option("--off", help="No longer an operator.")] = False,
) -> None:
    """Make a user an operator of the whole service (or, with --off, no longer one)."""
    with open_accounts() as accounts:
        user = accounts.set_operator(email, not off)
    state = "now an operator" if user.operator else "no longer an operator"
    console.print(f"{escape(user.email)} is {state}.")


@app.command("list")
def list_users() -> None:
    """The users, whether each is an operator, and their roles per tenant."""
    with open_accounts() as accounts:
        rows = [(user, accounts.memberships(user.id)) for user in accounts.users()]
    if not rows:
        console.print("No users yet; add one with: silta user add EMAIL")
        return
    table = Table()
    for column in ("email", "operator", "memberships"):
        table.add_column(column)
    for user, memberships in rows:
        table.add_row(
            escape(user.email),
            "yes" if user.operator else "",
            ", ".join(f"{escape(m.tenant_name)} ({m.role.value})" for m in memberships),
        )
    console.print(table)


@app.command("password")
def password(
    email: Annotated[str, _EMAIL],
    password_stdin: Annotated[bool, _PASSWORD_STDIN] = False,
) -> None:
    """Set a user's password; their browser sessions and API tokens end."""
    with open_accounts() as accounts:
        user = accounts.user(email)  # before asking for a password in vain
        tokens = len(accounts.api_tokens(user.email))
        accounts.set_password(user.email, read_password(password_stdin))
    console.print(
        f"Password of {escape(user.email)} changed; their browser sessions are closed and "
        f"their API tokens ({tokens}) revoked."
    )


@app.command("token")
def token(
    email: Annotated[str, _EMAIL],
    name: Annotated[str, typer.Option(help="What the token is for, as listed.")] = "cli",
    scope: Annotated[
        TokenScope,
        typer.Option(help="read: it can only read; write: it may also change and start runs."),
    ] = TokenScope.READ,
    days: Annotated[
        int | None,
        typer.Option(
            help="How many days it lives (1-366; default SILTA_API_TOKEN_DAYS, 90).",
            min=1,
            max=366,
        ),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option(help="Bind it to this tenant (name or id); default: all of the user's."),
    ] = None,
) -> None:
    """Make an API token for a user and print it, once."""
    lifetime = timedelta(days=days if days is not None else _default_days())
    with open_accounts() as accounts:
        secret = accounts.create_api_token(
            email, name, scope=scope, lifetime=lifetime, tenant=tenant
        )
        made = accounts.api_tokens(email)[-1]
    typer.echo(secret)
    reach = made.tenant_name or "every tenant of the user"
    notes.print(
        f"Token {made.id} ({made.scope.value}, {escape(reach)}) expires {_when(made.expires_at)}. "
        "It will not be shown again: keep it now. Send it as 'Authorization: Bearer <token>'."
    )


def _default_days() -> int:
    try:
        return Settings().api_token_days
    except ValueError:  # pydantic's ValidationError, which quotes the value
        raise fail("SILTA_API_TOKEN_DAYS: a whole number of days from 1 to 366") from None


def _when(moment: datetime | None) -> str:
    return "–" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@app.command("tokens")
def tokens(
    email: Annotated[
        str | None, typer.Argument(help="Whose tokens (default: everyone's).", show_default=False)
    ] = None,
) -> None:
    """API tokens: who, name, scope, tenant, expiry and last use (never the token itself)."""
    with open_accounts() as accounts:
        listed = accounts.api_tokens(email)
    if not listed:
        console.print("No API tokens; make one with: silta user token EMAIL")
        return
    now = datetime.now(UTC)
    table = Table()
    for column in ("id", "user", "name", "scope", "tenant", "created", "expires", "last used"):
        table.add_column(column)
    for item in listed:
        table.add_row(
            str(item.id),
            escape(item.email),
            escape(item.name),
            item.scope.value,
            escape(item.tenant_name) if item.tenant_name else "(all)",
            _when(item.created_at),
            "expired" if item.expired(now) else _when(item.expires_at),
            _when(item.last_used_at),
        )
    console.print(table)


@app.command("token-revoke")
def token_revoke(
    email: Annotated[str, _EMAIL],
    token_id: Annotated[
        int | None, typer.Argument(help="The token's id (silta user tokens).", show_default=False)
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Revoke every token of the user.")] = False,
) -> None:
    """Revoke one of a user's API tokens (by id), or all of them with --all."""
    if (token_id is None) == (not every):
        raise fail("give a token id or --all (not both)")
    with open_accounts() as accounts:
        user = accounts.user(email)
        if every:
            count = accounts.revoke_api_tokens(user.email)
            console.print(f"Revoked {count} API token(s) of {escape(user.email)}.")
            return
        assert token_id is not None
        if not accounts.revoke_api_token(user.email, token_id):
            raise fail(f"{user.email} has no API token {token_id} (see: silta user tokens)")
    console.print(f"Revoked API token {token_id} of {escape(user.email)}.")
