"""``silta tenant import|list|show|set``: the companies Silta serves and their settings."""

from __future__ import annotations

import contextlib
import getpass
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from silta.commands.report import make_console
from silta.domain import SettingError, TenantSettings
from silta.endpoints import Endpoints
from silta.store import DuplicateTenant, Holds, Store, StoreError, UnknownTenant
from silta.sync.settings import change_settings
from silta.tenantfile import TenantFileError, load_tenant_file
from silta.tenants import Tenant

__all__ = ["app", "fail", "open_store", "who"]

app = typer.Typer(help="The companies (tenants) Silta serves.", no_args_is_help=True)
console = make_console()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error (no traceback) and return the exit to raise."""
    # soft_wrap: a path or URL in the message stays whole (copyable) at any width.
    # no emoji codes or highlighting: a value quoted in the message is shown as given
    Console(stderr=True, soft_wrap=True, emoji=False, highlight=False).print(
        f"[red]silta: {escape(message)}[/red]"
    )
    return typer.Exit(code=code)


@contextlib.contextmanager
def open_store() -> Iterator[Store]:
    """The store of ``SILTA_DATABASE_URL``, with migrations applied; errors exit 2."""
    try:
        store = Store.open()
    except StoreError as exc:
        raise fail(str(exc)) from None
    try:
        yield store
    finally:
        store.close()


def who() -> str:
    """Who is changing settings from the command line, for the settings history."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def find_tenant(store: Store, name: str) -> Tenant:
    try:
        return store.tenant(name)
    except UnknownTenant as exc:
        raise fail(str(exc)) from None


@app.command("import")
def import_tenant(
    file: Annotated[Path, typer.Argument(help="A tenant file (TOML); see docs/tenants.md.")],
    update: Annotated[
        bool, typer.Option("--update", help="Replace the connections and settings if it exists.")
    ] = False,
) -> None:
    """Add a tenant from a TOML file (or update it with --update).

    Its base URLs must be among those the operator allows (SILTA_NETVISOR_URLS,
    SILTA_SEVERA_URLS; by default the real services' production and test addresses).
    """
    try:
        config = load_tenant_file(file, Endpoints.from_env())
    except (TenantFileError, ValueError) as exc:  # ValueError: a malformed SILTA_*_URLS
        raise fail(str(exc)) from None
    with open_store() as store:
        try:
            tenant = store.add_tenant(config, changed_by=who())
            console.print(f"Added tenant [bold]{tenant.name}[/bold] (id {tenant.id}).")
        except DuplicateTenant as exc:
            if not update:
                raise fail(f"{exc}; use --update to replace its connections and settings") from None
            tenant = store.tenant(config.name)
            store.update_connections(
                tenant.id, netvisor=config.netvisor, severa=config.severa, changed_by=who()
            )
            _apply_settings(store, tenant, config.settings)
            console.print(f"Updated tenant [bold]{tenant.name}[/bold].")


@app.command("list")
def list_tenants() -> None:
    """The tenants, their directions and whether they are paused."""
    with open_store() as store:
        table = Table()
        for column in ("id", "name", "customers", "products", "dimensions", "paused"):
            table.add_column(column)
        for tenant in store.tenants():
            s = tenant.settings
            table.add_row(
                str(tenant.id),
                tenant.name,
                s.customers.value,
                s.products.value,
                "on" if s.dimensions else "off",
                "yes" if tenant.paused else "",
            )
        console.print(table)


@app.command("show")
def show_tenant(name: Annotated[str, typer.Argument(help="The tenant's name.")]) -> None:
    """A tenant's connections (secrets never shown) and settings."""
    with open_store() as store:
        tenant = find_tenant(store, name)
        nv, sv = tenant.netvisor, tenant.severa
        console.print(
            f"[bold]{tenant.name}[/bold] (id {tenant.id})" + (" — paused" if tenant.paused else "")
        )
        console.print(f"Netvisor: {nv.base_url}  organisation {nv.credentials.organisation_id}, "
                      f"customer id {nv.credentials.customer_id}, partner id "
                      f"{nv.credentials.partner_id}, keys set")  # fmt: skip
        console.print(f"Severa:   {sv.base_url}  client id {sv.credentials.client_id}, secret set, "
                      f"scopes {sv.credentials.scope}")  # fmt: skip
        table = Table(title=f"Settings (version {tenant.settings_version})")
        table.add_column("setting")
        table.add_column("value")
        for key, value in tenant.settings.as_text().items():
            table.add_row(key, value)
        console.print(table)
        if tenant.confirmations_waived:
            console.print("Confirmations of changes are waived for this tenant (operator).")
        for hold in Holds(store).of(tenant.id).values():
            changes = "; ".join(f"{c.field}: {c.old or '–'} → {c.new or '–'}" for c in hold.changes)
            console.print(
                f"{hold.register.value} waits for a confirmation ({changes}): "
                f'silta tenant confirm "{tenant.name}" --register {hold.register.value}',
                markup=False,
                soft_wrap=True,
            )


@app.command("set")
def set_settings(
    name: Annotated[str, typer.Argument(help="The tenant's name.")],
    assignments: Annotated[
        list[str],
        typer.Argument(
            help="key=value, e.g. customers=severa_to_netvisor; each value is read by its "
            "setting's type (on/off: true/false/yes/no/on/off; a name is always text)."
        ),
    ],
) -> None:
    """Change settings; a changed direction makes that register's next run a full one."""
    changes: dict[str, str] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise fail(f"{assignment!r} is not key=value")
        changes[key.strip()] = value
    with open_store() as store:
        tenant = find_tenant(store, name)
        try:
            settings = tenant.settings.with_text(changes)
        except SettingError as exc:
            raise fail(str(exc)) from None
        _apply_settings(store, tenant, settings)


def _apply_settings(store: Store, tenant: Tenant, settings: TenantSettings) -> None:
    change = change_settings(store, tenant.id, settings, changed_by=who())
    if change.changed:
        console.print(
            f"Settings version {change.version.version}: " + ", ".join(change.changed) + " changed."
        )
    else:
        console.print("Nothing changed.")
    for register in sorted(change.held):
        console.print(
            f"{register.value}: odottaa vahvistusta / waits for a confirmation before its next "
            f'run writes: silta tenant confirm "{tenant.name}" --register {register.value}',
            markup=False,
            soft_wrap=True,
        )
