"""A run's trigger read back as its kind and who asked, from the texts the entry points
write (the scheduler, the pages, the API, the workers' queue, the CLI)."""

from __future__ import annotations

import pytest

from silta.scheduler.execute import SCHEDULE_TRIGGER
from silta.scheduler.queue import job_trigger
from silta.triggers import TRIGGER_KINDS, TriggerKind, plain_words, read_trigger
from silta.web.i18n import TEXTS
from silta.web.wording import trigger_words


@pytest.mark.parametrize(
    ("text", "kind", "who"),
    [
        (f"{SCHEDULE_TRIGGER} #12", TriggerKind.SCHEDULE, None),
        ("sync now: kh@yritys.fi", TriggerKind.SYNC_NOW, "kh@yritys.fi"),
        (job_trigger("sync now: kh@yritys.fi", 7), TriggerKind.SYNC_NOW, "kh@yritys.fi"),
        ("preview: kh@yritys.fi", TriggerKind.PREVIEW, "kh@yritys.fi"),
        ("preview to confirm: kh@yritys.fi", TriggerKind.CONFIRM_PREVIEW, "kh@yritys.fi"),
        ("sync now (api): bot@yritys.fi", TriggerKind.API, "bot@yritys.fi"),
        (job_trigger("preview (api): bot@yritys.fi", 3), TriggerKind.API, "bot@yritys.fi"),
        ("manual", TriggerKind.CLI, None),
        ("demo", TriggerKind.DEMO, None),
        ("matrix", TriggerKind.OTHER, None),
        ("manual run", TriggerKind.OTHER, None),  # "manual" only as the whole text
    ],
)
def test_a_trigger_is_read_as_its_kind_and_who_asked(
    text: str, kind: TriggerKind, who: str | None
) -> None:
    trigger = read_trigger(text)
    assert (trigger.kind, trigger.who, trigger.text) == (kind, who, text)


def test_every_kind_has_words_in_both_languages() -> None:
    for kind in TriggerKind:
        assert f"triggerkind.{kind.value}" in TEXTS
        if kind in TRIGGER_KINDS:
            assert f"trigger.{kind.value}" in TEXTS
    assert trigger_words("schedule #2", "fi") == "Ajastettu ajo"
    assert trigger_words("schedule #2", "en") == "Scheduled run"
    assert trigger_words("sync now: kh@yritys.fi (job 4)", "fi") == "Synkronoi nyt: kh@yritys.fi"
    assert trigger_words("manual", "en") == "Command line"
    assert trigger_words("something else", "fi") == "something else"


def test_the_command_line_says_a_trigger_in_plain_words() -> None:
    """``silta runs`` shows "scheduled", not "schedule #2"."""
    assert plain_words("schedule #2") == "scheduled"
    assert plain_words("sync now: kh@yritys.fi (job 4)") == "sync now by kh@yritys.fi"
    assert plain_words("manual") == "command line"
    assert plain_words("something else") == "something else"
    for kind, marks in TRIGGER_KINDS.items():
        words = plain_words(marks[0].text + ("x@y.fi" if not marks[0].whole else ""))
        assert "#" not in words and ":" not in words, (kind, words)
