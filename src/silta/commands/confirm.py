"""``silta tenant confirm`` and ``silta tenant confirmations``: a changed direction is
confirmed before it writes (:mod:`silta.confirmation`).

``confirm`` makes a fresh preview of the held register (a dry run: both systems are read,
nothing is written), prints what the next run would write, field by field in the article's
words, and asks before it lifts the hold; ``--yes`` answers for a script, after the preview
has been printed all the same. ``confirmations`` is the operator's waiver per tenant.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Annotated

import typer

from silta.commands.report import make_console, print_entries, print_summary, progress_bars
from silta.commands.tenants import fail, find_tenant, open_store, who
from silta.domain import Register, RunStatus
from silta.store import ConfirmationRefused, Hold, Holds, Store, TenantBusy
from silta.sync import sync_tenant
from silta.sync.previews import WRITING, writes_of
from silta.tenants import Tenant

__all__ = ["confirm", "confirmations", "register_commands"]

console = make_console()


class Language(enum.StrEnum):
    fi = "fi"
    en = "en"


def register_commands(tenant_app: typer.Typer) -> None:
    """Add ``confirm`` and ``confirmations`` to ``silta tenant``."""
    tenant_app.command("confirm")(confirm)
    tenant_app.command("confirmations")(confirmations)


def hold_line(hold: Hold) -> str:
    """One line saying what a hold waits for, and who made it when."""
    changes = "; ".join(f"{c.field}: {c.old or '–'} → {c.new or '–'}" for c in hold.changes)
    when = hold.since.strftime("%Y-%m-%d %H:%M UTC")
    return f"{hold.register.value}: {changes} ({hold.changed_by}, {when})"


def confirm(
    tenant: Annotated[str, typer.Argument(help="The tenant's name.")],
    register: Annotated[
        Register | None,
        typer.Option(help="The held register (default: every held register, one by one)."),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm without asking, once the preview is shown.")
    ] = False,
    language: Annotated[Language, typer.Option(help="Language of the labels.")] = Language.fi,
) -> None:
    """Preview what a held register's next run would write, and confirm it."""
    with open_store() as store:
        found = find_tenant(store, tenant)
        holds = Holds(store).of(found.id)
        if register is not None and register not in holds:
            raise fail(f"{found.name}: {register.value} is not waiting for a confirmation")
        chosen = [register] if register is not None else sorted(holds)
        if not chosen:
            console.print("Mikään ei odota vahvistusta. / Nothing is waiting for a confirmation.")
            return
        store.interrupt_stale_runs()
        for held in chosen:
            _confirm_one(store, found, holds[held], yes=yes, language=language.value)


def _confirm_one(store: Store, tenant: Tenant, hold: Hold, *, yes: bool, language: str) -> None:
    register = hold.register
    console.print("\n[bold]Odottaa vahvistusta / Waiting for a confirmation[/bold]")
    console.print(hold_line(hold), markup=False)
    try:
        with progress_bars(console) as progress:
            results = asyncio.run(
                sync_tenant(
                    store,
                    tenant,
                    registers=(register,),
                    dry_run=True,
                    trigger=f"preview to confirm: {who()}",
                    progress=progress,
                )
            )
    except TenantBusy as exc:
        raise fail(str(exc)) from None
    if not results:
        raise fail(f"{register.value} is switched off: nothing to preview")
    run = store.run(results[0].run_id)
    print_summary(console, [run])
    if run.status is not RunStatus.COMPLETED:
        raise fail(
            f"the preview (run {run.id}) did not complete: nothing confirmed; "
            "fix the cause and run this again",
            code=1,
        )
    entries = writes_of(store, run.id)
    shown = print_entries(
        console,
        entries,
        language=language,
        title="Seuraava ajo kirjoittaisi / The next run would write",
    )
    if not shown:
        console.print("Esikatselun mukaan seuraava ajo ei kirjoita mitään. / "
                      "According to the preview the next run writes nothing.")  # fmt: skip
    else:
        counts = ", ".join(
            f"{sum(entry.action is action for entry in entries)} {action.value}"
            for action in WRITING
        )
        console.print(f"\n{register.value}: {counts}")
    question = f"Vahvista / Confirm: may the next run of {register.value} write this?"
    if not yes and not typer.confirm(question, default=False):
        console.print(
            f"Ei vahvistettu: {register.value} odottaa yhä. / "
            f"Not confirmed: {register.value} is still held."
        )
        raise typer.Exit(code=1)
    try:
        Holds(store).confirm(tenant.id, register, run_id=run.id, by=who())
    except ConfirmationRefused as exc:
        raise fail(str(exc), code=1) from None
    console.print(
        f"{register.value}: vahvistettu esikatselulla {run.id}, seuraava ajo kirjoittaa. / "
        f"confirmed with preview run {run.id}; the next run writes."
    )


def confirmations(
    tenant: Annotated[str, typer.Argument(help="The tenant's name.")],
    waive: Annotated[
        bool,
        typer.Option(
            "--waive/--require",
            help="Waive confirming changes for this tenant (the operator's call), or "
            "require it again.",
        ),
    ],
) -> None:
    """Waive (or require again) the confirmation of direction changes for a tenant."""
    with open_store() as store:
        found = find_tenant(store, tenant)
        changed = Holds(store).waive(found.id, waive, by=who())
        state = "waived" if waive else "required"
        if changed:
            console.print(f"{found.name}: confirmations are {state} now.")
        else:
            console.print(f"{found.name}: confirmations were {state} already.")
