"""``silta sync``, ``silta runs`` and ``silta run show``: running registers and their history.

Exit status of ``silta sync``: 0 when nothing failed (refusals are the data's problem, not
a failure of the run), 1 when a record or a run failed, 2 on bad usage or configuration.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Annotated

import typer

from silta.commands.report import (
    make_console,
    print_entries,
    print_runs,
    print_summary,
    progress_bars,
)
from silta.commands.tenants import fail, find_tenant, open_store
from silta.domain import Action, Register, RunStatus, Status
from silta.store import Holds, UnknownRun
from silta.sync import sync_tenant

__all__ = ["register_commands"]

console = make_console()


class Language(enum.StrEnum):
    fi = "fi"
    en = "en"


def register_commands(app: typer.Typer) -> None:
    """Add ``sync``, ``runs`` and ``run`` to the ``silta`` command."""
    app.command("sync")(sync)
    app.command("runs")(runs)
    run_app = typer.Typer(help="One run's records.", no_args_is_help=True)
    run_app.command("show")(show_run)
    app.add_typer(run_app, name="run")


def sync(
    tenant: Annotated[str, typer.Argument(help="The tenant's name.")],
    register: Annotated[
        Register | None, typer.Option(help="Only this register (default: every register on).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan only: show what would happen, write nothing.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="Read everything, not only changes since the last run.")
    ] = False,
    language: Annotated[Language, typer.Option(help="Language of the reasons.")] = Language.fi,
) -> None:
    """Synchronize a tenant's registers now, with a progress bar and a report."""
    with open_store() as store:
        found = find_tenant(store, tenant)
        # A run whose process died (Ctrl+C, kill, crash) stays "running" until someone
        # looks; the history should say "interrupted" before a new run starts.
        store.interrupt_stale_runs()
        registers = [register] if register else list(Register)
        if not dry_run:  # a held register waits for its confirmation; a preview does not
            held = Holds(store).of(found.id)
            for waiting in (r for r in registers if r in held):
                advice = f'silta tenant confirm "{found.name}" --register {waiting.value}'
                if register is not None:
                    raise fail(f"{waiting.value} waits for a confirmation of changed settings: "
                               f"{advice} (or --dry-run to preview)")  # fmt: skip
                note = (f"{waiting.value}: odottaa vahvistusta, ei ajettu / waits for a "
                        f"confirmation, not run: {advice}")  # fmt: skip
                console.print(note, markup=False, soft_wrap=True)
            registers = [r for r in registers if r not in held]
        with progress_bars(console) as progress:
            results = asyncio.run(
                sync_tenant(
                    store, found, registers=registers, full=full, dry_run=dry_run, progress=progress
                )
            )
        if not results:
            console.print("Nothing to do: every chosen register is switched off for this tenant.")
            return
        records = [store.run(result.run_id) for result in results]
        print_summary(console, records)
        for record in records:
            entries = store.entries(record.id, status=Status.REFUSED)
            entries += store.entries(record.id, status=Status.FAILED)
            print_entries(console, entries, language=language.value,
                          title=f"{record.register.value}: refused and failed")  # fmt: skip
        if any(r.status is not RunStatus.COMPLETED for r in records):
            raise typer.Exit(code=1)


def runs(
    tenant: Annotated[str, typer.Argument(help="The tenant's name.")],
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
) -> None:
    """A tenant's run history."""
    with open_store() as store:
        found = find_tenant(store, tenant)
        print_runs(console, store.runs(found.id, limit=limit))


def show_run(
    run_id: Annotated[int, typer.Argument(help="The run's number.")],
    status: Annotated[Status | None, typer.Option(help="Only records with this status.")] = None,
    action: Annotated[Action | None, typer.Option(help="Only records with this action.")] = None,
    language: Annotated[Language, typer.Option(help="Language of the reasons.")] = Language.fi,
) -> None:
    """One run, record by record: what was done to each, and why."""
    with open_store() as store:
        try:
            record = store.run(run_id)
        except UnknownRun as exc:
            raise fail(str(exc)) from None
        print_runs(console, [record])
        if record.error:
            console.print(f"[red]{record.error}[/red]")
        shown = print_entries(
            console,
            store.entries(run_id, status=status, action=action),
            language=language.value,
        )
        if not shown:
            console.print("No records match.")
