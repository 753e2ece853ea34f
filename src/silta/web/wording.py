"""What a run's trigger, failure and figures say in words, in the page's language.

Registered as template globals (:mod:`silta.web.render`) and used by the CSV exports, so a
page and its download say the same.
"""

from __future__ import annotations

import re

import attrs

from silta.domain import RunStatus, Status
from silta.notes import NOT_ATTEMPTED, note_words
from silta.store import Entry, RunProgress, RunRecord
from silta.triggers import TriggerKind, read_trigger
from silta.web.failures import FailureCategory, category_of, failure_of
from silta.web.i18n import translator

__all__ = [
    "EntryNote",
    "article_rules",
    "entry_note",
    "entry_note_text",
    "failure_words",
    "number",
    "progress_words",
    "rule_title",
    "trigger_words",
]


def number(value: int, lang: str) -> str:
    """A count as the language writes it: ``12 345`` (a no-break space) or ``12,345``."""
    grouped = f"{value:,}"
    return grouped.replace(",", "\u00a0") if lang == "fi" else grouped


def trigger_words(text: str, lang: str) -> str:
    """ "Ajastettu ajo", "Synkronoi nyt: kh@yritys.fi": who or what started a run."""
    trigger = read_trigger(text)
    if trigger.kind is TriggerKind.OTHER:
        return text
    t = translator(lang)
    return t(f"trigger.{trigger.kind.value}", who=trigger.who or "–")


def failure_words(run: RunRecord, lang: str) -> str | None:
    """Why the run failed, in a few plain words (``None``: it did not fail)."""
    failure = failure_of(run)
    if failure is None:
        return None
    return translator(lang)(f"failure.{failure.category.value}")


def progress_words(register_label: str, progress: RunProgress | None, lang: str) -> str:
    """How far a running run has got, as one line."""
    t = translator(lang)
    if progress is None:
        return t("progress.starting", register=register_label)
    return t(
        "progress.text",
        register=register_label,
        read=number(progress.read, lang),
        done=number(progress.done, lang),
        written=number(progress.written, lang),
    )


@attrs.frozen
class EntryNote:
    """What a record's message says: words in the page's language, and the technical text
    (Silta's own diagnostic, shown one click away) when there is one."""

    words: str | None
    detail: str | None


def entry_note(entry: Entry, lang: str) -> EntryNote:
    """A record's message as a page shows it: an engine note in words (:mod:`silta.notes`);
    a failure by its category in words, its text as the detail."""
    message = entry.message
    if not message:
        return EntryNote(None, None)
    words = note_words(message, lang)
    if words is not None:
        detail = message.removeprefix(NOT_ATTEMPTED) if message.startswith(NOT_ATTEMPTED) else None
        return EntryNote(words, detail)
    category = category_of(RunStatus.FAILED, message)
    t = translator(lang)
    if category is FailureCategory.UNKNOWN or entry.status is not Status.FAILED:
        return EntryNote(t("entry.failed") if entry.status is Status.FAILED else None, message)
    return EntryNote(t(f"failure.{category.value}"), message)


def entry_note_text(entry: Entry, lang: str) -> str:
    """The note as one line (CSV): the words, then the detail in brackets."""
    note = entry_note(entry, lang)
    return " ".join(
        part
        for part in (note.words, f"({note.detail})" if note.detail and note.words else note.detail)
        if part
    )


def rule_title(rule_text: str, lang: str) -> str:
    """A refusal rule's title: its message up to where the fix begins (the Finnish texts
    say the fix after a colon, the English after a semicolon), or the whole message."""
    head = rule_text.split(": " if lang == "fi" else "; ", 1)[0]
    return head if len(head) >= 12 else rule_text


_ARTICLE_RULES = re.compile(r"\brules? (\d+)(?:( and |-)(\d+))?")


def article_rules(source: str, lang: str) -> str | None:
    """The article's rules a refusal rule comes from, in words ("Artikkelin kohdat 7 ja
    12"); ``None`` when it comes from elsewhere (invoices.md, Netvisor's limits)."""
    found = _ARTICLE_RULES.search(source)
    if found is None:
        return None
    first, joint, last = found.groups()
    t = translator(lang)
    if last is None:
        return t("fix.article_rule", rules=first)
    joined = f"{first}–{last}" if joint == "-" else t("fix.rules_and", first=first, last=last)
    return t("fix.article_rules", rules=joined)
