"""How runs look on a terminal: a summary table per register, then the refusals with reasons."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from silta.domain import Register, RunStatus
from silta.notes import note_words
from silta.registers.labels import detail_label, field_label
from silta.store import Entry, RunRecord
from silta.triggers import plain_words

__all__ = [
    "COLUMNS",
    "make_console",
    "print_entries",
    "print_runs",
    "print_summary",
    "progress_bars",
]


def make_console(*, stderr: bool = False) -> Console:
    """A console that is wide enough for the tables when the output is not a terminal."""
    probe = Console(stderr=stderr)
    return Console(stderr=stderr, width=None if probe.is_terminal else 120)


COLUMNS = ("created", "updated", "renamed", "unchanged", "skipped", "refused", "failed")
_PLANNED = ("planned_create", "planned_update", "planned_rename")


def print_summary(console: Console, runs: Sequence[RunRecord]) -> None:
    """One row per register run, the counts in the article's words."""
    dry = any(run.dry_run for run in runs)
    table = Table(title="Esikatselu (ei kirjoituksia) / Preview (nothing written)" if dry else None)
    table.add_column("register")
    table.add_column("run", justify="right")
    table.add_column("status")
    # A dry run creates, updates and renames nothing: its columns say what it would do.
    columns = (*_PLANNED, *COLUMNS[3:]) if dry else COLUMNS
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
    """Records with their reasons, one block per record (readable at any width).

    Returns how many were shown.
    """
    shown = 0
    for entry in entries:
        if shown == 0 and title:
            console.print(f"\n[bold]{title}[/bold]")
        style = {"refused": "yellow", "failed": "red"}.get(entry.status.value, "")
        key = entry.natural_key or entry.source_key or ""
        outcome = f"{entry.action.value}, {entry.status.value}"
        head = f"{entry.register.value} {key} {entry.name or ''} — {outcome}"
        console.print(f"[{style}]{escape(head)}[/{style}]" if style else escape(head))
        for detail in entry.details:
            console.print(f"    {detail_label(detail.key, language)}: {detail.value}", markup=False)
        for refusal in entry.refusals:
            text = f"    [{refusal.rule}] {refusal.message(language)}"
            console.print(text, markup=False)
        for change in entry.changes:
            label = field_label(entry.register, change.field, language)
            console.print(f"    {label}: {change.old or '–'} → {change.new or '–'}", markup=False)
        if entry.message:  # an engine note in words (silta.notes); any other text as it is
            console.print(
                f"    {note_words(entry.message, language) or entry.message}", markup=False
            )
        shown += 1
    return shown


def print_runs(console: Console, runs: Sequence[RunRecord]) -> None:
    """The history: one row per run, its non-zero counts in one column to fit a terminal."""
    tenants = {run.tenant_name for run in runs}
    table = Table(title=next(iter(tenants)) if len(tenants) == 1 else None)
    columns = ("run", "register", "kind", "trigger", "status", "started (UTC)", "took", "records")
    for column in columns:
        table.add_column(column, justify="right" if column in ("run", "took") else "left")
    for run in runs:
        took = ""
        if run.finished_at:
            seconds = int((run.finished_at - run.started_at).total_seconds())
            took = f"{seconds // 60}:{seconds % 60:02d}"
        records = ", ".join(f"{run.counts[c]} {c}" for c in COLUMNS if run.counts.get(c))
        table.add_row(
            str(run.id),
            run.register.value,
            run.kind.value + (" (dry)" if run.dry_run else ""),
            plain_words(run.trigger),
            run.status.value,
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            took,
            records or "–",
            style="red" if run.status is RunStatus.FAILED else None,
        )
    console.print(table)


@contextlib.contextmanager
def progress_bars(
    console: Console,
) -> Iterator[Callable[[Register], Callable[[int, int], None]]]:
    """A progress bar per register; yields the factory :func:`silta.sync.sync_tenant` takes."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:

        def factory(register: Register) -> Callable[[int, int], None]:
            task = bar.add_task(register.value, total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None)

            return update

        yield factory
