"""Who or what started a run, read back from the run's ``trigger`` text.

Every entry point writes its run's trigger as text (``schedule #12``, ``sync now:
kh@yritys.fi``, ``preview (api): bot@yritys.fi (job 7)``, ``manual`` for the CLI); the
history shows it in words ("Ajastettu ajo", "Synkronoi nyt: kh@yritys.fi") and filters by
its kind. The table below is the one place that knows those texts: one row per kind, with
the prefixes (or whole texts) that mark it, so the words on a page and the filter of the
store's query cannot disagree. A text no row knows is kind ``other`` and is shown as it is.
"""

from __future__ import annotations

import enum
import re
from typing import Final

import attrs

__all__ = [
    "TRIGGER_KINDS",
    "Trigger",
    "TriggerKind",
    "TriggerMark",
    "plain_words",
    "read_trigger",
]


class TriggerKind(enum.StrEnum):
    SCHEDULE = "schedule"  # the scheduler's slot
    SYNC_NOW = "sync_now"  # "Synkronoi nyt" on the settings tab or the runs page
    PREVIEW = "preview"  # "Esikatsele seuraava ajo"
    CONFIRM_PREVIEW = "confirm_preview"  # the preview a held register's confirmation needs
    API = "api"  # a sync or preview through /api/v1
    CLI = "cli"  # `silta sync` on the command line
    DEMO = "demo"  # `silta demo`
    OTHER = "other"


@attrs.frozen
class TriggerMark:
    """A trigger text of a kind: one that starts with ``text`` (``whole``: is ``text``)."""

    text: str
    whole: bool = False


# kind -> the texts that mark it; the part after a prefix is who asked
TRIGGER_KINDS: Final[dict[TriggerKind, tuple[TriggerMark, ...]]] = {
    TriggerKind.SCHEDULE: (TriggerMark("schedule #"), TriggerMark("schedule", whole=True)),
    TriggerKind.SYNC_NOW: (TriggerMark("sync now: "),),
    TriggerKind.PREVIEW: (TriggerMark("preview: "),),
    TriggerKind.CONFIRM_PREVIEW: (TriggerMark("preview to confirm: "),),
    TriggerKind.API: (TriggerMark("sync now (api): "), TriggerMark("preview (api): ")),
    TriggerKind.CLI: (TriggerMark("manual", whole=True),),
    TriggerKind.DEMO: (TriggerMark("demo", whole=True),),
}

# a run the workers made for a request carries the job's id (silta.scheduler.queue)
_JOB = re.compile(r" \(job \d+\)$")


@attrs.frozen
class Trigger:
    kind: TriggerKind
    who: str | None  # the user who asked, when the text names one
    text: str  # the trigger as recorded


def read_trigger(text: str) -> Trigger:
    """The kind of a trigger text and who it names."""
    plain = _JOB.sub("", text)
    for kind, marks in TRIGGER_KINDS.items():
        for mark in marks:
            if mark.whole and plain == mark.text:
                return Trigger(kind, None, text)
            if not mark.whole and plain.startswith(mark.text):
                rest = plain[len(mark.text) :].strip()
                named = rest if kind is not TriggerKind.SCHEDULE and rest else None
                return Trigger(kind, named, text)
    return Trigger(TriggerKind.OTHER, None, text)


# the command line's words for each kind (the web app's, in both languages, are its catalog's)
_PLAIN: Final[dict[TriggerKind, str]] = {
    TriggerKind.SCHEDULE: "scheduled",
    TriggerKind.SYNC_NOW: "sync now by {who}",
    TriggerKind.PREVIEW: "preview by {who}",
    TriggerKind.CONFIRM_PREVIEW: "preview to confirm, by {who}",
    TriggerKind.API: "through the API by {who}",
    TriggerKind.CLI: "command line",
    TriggerKind.DEMO: "demo",
}


def plain_words(text: str) -> str:
    """A trigger as ``silta runs`` says it: "scheduled", "sync now by kh@yritys.fi"; a text
    no row knows as it is."""
    trigger = read_trigger(text)
    words = _PLAIN.get(trigger.kind)
    if words is None:
        return text
    return words.format(who=trigger.who or "–")
