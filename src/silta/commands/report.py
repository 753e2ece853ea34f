"""How runs look on a terminal: a summary table per register, then the refusals with reasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table

from silta.domain import RunStatus, Status
from silta.store import Entry, RunRecord

__all__ = ["COLUMNS", "print_entries", "print_runs", "print_summary"]

COLUMNS = ("created", "updated", "renamed", "unchanged", "skipped", "refused", "failed")
_PLANNED = ("planned_create", "planned_update", "planned_rename")


def print_summary(console: Console, runs: Sequence[RunRecord]) -> None:
    """One row per register run, the counts in the article's words."""
    dry = any(run.dry_run for run in runs)
    table = Table(title="Esikatselu (ei kirjoituksia) / Preview (nothing written)" if dry else None)
    table.add_column("register")
    table.add_column("run", justify="right")
    table.add_column("status")
    columns = (*_PLANNED, *COLUMNS) if dry else COLUMNS
    for column in columns:
        table.add_column(column.replace("planned_", "would "), justify="right")
    for run in runs:
        style = "red" if run.status is RunStatus.FAILED else None
        table.add_row(
            run.register.value,
            str(run.id),
            run.status.value,
            *(str(run.counts.get(column, 0)) for column in columns),
            style=style,
        )
    console.print(table)
    for run in runs:
        if run.error:
            console.print(f"[red]{run.register.value}: {run.error}[/red]")


def print_entries(
    console: Console, entries: Iterable[Entry], *, language: str = "fi", title: str | None = None
) -> int:
    """Records with their reasons; returns how many were shown."""
    table = Table(title=title, show_lines=False)
    for column in ("register", "key", "name", "action", "status", "details"):
        table.add_column(column, overflow="fold")
    shown = 0
    for entry in entries:
        details: list[str] = []
        for refusal in entry.refusals:
            details.append(f"[{refusal.rule}] {refusal.message(language)}")
        for change in entry.changes:
            details.append(f"{change.field}: {change.old or '–'} → {change.new or '–'}")
        if entry.message:
            details.append(entry.message)
        style = {"refused": "yellow", "failed": "red"}.get(entry.status.value)
        table.add_row(
            entry.register.value,
            entry.natural_key or entry.source_key or "",
            entry.name or "",
            entry.action.value,
            entry.status.value,
            "\n".join(details),
            style=style,
        )
        shown += 1
    if shown:
        console.print(table)
    return shown


def print_runs(console: Console, runs: Iterable[RunRecord]) -> None:
    table = Table()
    for column in ("run", "tenant", "register", "kind", "trigger", "status", "started", "finished"):
        table.add_column(column)
    for column in COLUMNS:
        table.add_column(column, justify="right")
    for run in runs:
        table.add_row(
            str(run.id),
            run.tenant_name,
            run.register.value,
            run.kind.value + (" (dry)" if run.dry_run else ""),
            run.trigger,
            run.status.value,
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            run.finished_at.strftime("%H:%M:%S") if run.finished_at else "",
            *(str(run.counts.get(column, 0)) for column in COLUMNS),
        )
    console.print(table)


def refused_or_failed(entries: Iterable[Entry]) -> list[Entry]:
    return [e for e in entries if e.status in (Status.REFUSED, Status.FAILED)]
