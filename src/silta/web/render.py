"""Rendering a page: the template, the user's language, and what every page needs to know."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined

from silta.domain import Register
from silta.failures import describe
from silta.registers.labels import detail_label, field_label
from silta.web.changes import change_words
from silta.web.i18n import LANGUAGES, translator
from silta.web.wording import entry_note, failure_words, number, progress_words, trigger_words

__all__ = ["LANG_COOKIE", "language", "render"]

LANG_COOKIE = "silta_lang"
HELSINKI = ZoneInfo("Europe/Helsinki")

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
# A misspelt name in a template is an error at once, not a blank on the accountant's page.
templates.env.undefined = StrictUndefined


def _local(value: datetime | None, zone: str = "Europe/Helsinki") -> str:
    """A time as the accountant reads it: the tenant's local wall clock."""
    if value is None:
        return "–"
    return value.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M")


templates.env.filters["local"] = _local
# a record's changed field in the article's words (previews, run pages)
templates.env.globals["field_label"] = field_label
templates.env.globals["detail_label"] = detail_label
# a failed run's category in plain words: describe_failure(run.failure_category,
# run.failure_service, lang) -> "Netvisor ei vastaa (yhteysvirhe)" (silta.failures)
templates.env.globals["describe_failure"] = describe
# a run's trigger, failure and progress, and counts, in words (silta.web.wording)
templates.env.globals["trigger_words"] = trigger_words
templates.env.globals["failure_words"] = failure_words
templates.env.globals["progress_words"] = progress_words
templates.env.globals["number"] = number
# a record's message: an engine note in words, a failure by category (silta.notes)
templates.env.globals["entry_note"] = entry_note
# a settings or tenant change with the tab's labels and values (silta.web.changes)
templates.env.globals["change_words"] = change_words


def language(request: Request) -> str:
    """``?lang=`` (the switch), else the cookie, else Finnish."""
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return wanted if wanted in LANGUAGES else "fi"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    lang = language(request)
    principal = context.get("principal")
    if principal is None:
        from silta.web.access import page_principal

        principal = page_principal(request)
    values = {
        "t": translator(lang),
        "lang": lang,
        "other_lang": "en" if lang == "fi" else "fi",
        "principal": principal,
        "csrf_token": principal.csrf_token if principal else "",
        "registers": list(Register),
        **context,
    }
    response = templates.TemplateResponse(
        request, template, values, status_code=status, headers=headers
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
    return response
