"""What a run's trigger, failure and figures say in words, in the page's language.

Registered as template globals (:mod:`silta.web.render`) and used by the CSV exports, so a
page and its download say the same.
"""

from __future__ import annotations

from silta.store import RunProgress, RunRecord
from silta.triggers import TriggerKind, read_trigger
from silta.web.failures import failure_of
from silta.web.i18n import translator

__all__ = ["failure_words", "number", "progress_words", "trigger_words"]


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
