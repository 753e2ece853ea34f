"""The history pages: runs and a run's records paged and filtered, the record search and a
record's timeline, the open refusals, their CSV downloads, and the live progress of runs.

Every route here reads (GET) and takes the tenant's read grant: a viewer may read and
download everything a KH may. Lists are paged by cursor (:class:`silta.store.History`):
``after`` opens the page after a row, ``before`` the page before one, both as the store
made them (a cursor it did not make is a 422, like any bad filter). A CSV download takes
the filters of its page and streams every row they find (:mod:`silta.web.exports`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from silta.domain import Action, Register, RunStatus, Status
from silta.registers.labels import detail_label, field_label
from silta.registers.rules import RULES, Rule
from silta.store import History, RunFilter
from silta.store.history import BadCursor, OpenRefusal, RecordRef, UnknownRecord
from silta.sync.jobs import Job
from silta.sync.runner import adapter_for
from silta.triggers import TriggerKind
from silta.web import forms
from silta.web.access import (
    Grant,
    Id,
    LoginRequired,
    Principal,
    page_principal,
    require_tenant,
    tenant_run,
)
from silta.web.app import WebState
from silta.web.exports import csv_response
from silta.web.i18n import Translator, translator
from silta.web.render import language, render
from silta.web.wording import entry_note_text, progress_words, trigger_words

__all__ = ["RuleGroup", "job_id", "progress_context", "router", "rule_groups"]

router = APIRouter(include_in_schema=False)

RUNS_PAGE: Final = 50
ENTRIES_PAGE: Final = 100
RECORDS_PAGE: Final = 50
TIMELINE_PAGE: Final = 50
GROUP_SHOWN: Final = 20  # records listed under each rule on the open refusals page
PREVIEW_CHOICES: Final = {"": None, "real": False, "preview": True}


def _web(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _principal(request: Request) -> Principal:
    principal = page_principal(request)
    if principal is None:
        raise LoginRequired
    return principal


def _read(request: Request, tenant_id: int) -> tuple[Principal, Grant]:
    principal = _principal(request)
    return principal, require_tenant(request, principal, tenant_id)


def _choice(kind: type[Any], value: str | None) -> Any:
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"unknown filter value {value!r}") from None


def _preview(value: str | None) -> bool | None:
    if (value or "") not in PREVIEW_CHOICES:
        raise HTTPException(status_code=422, detail=f"unknown filter value {value!r}")
    return PREVIEW_CHOICES[value or ""]


def _day(value: str | None, zone: str, *, end: bool) -> datetime | None:
    """A date of the period filter as the start of that day in the tenant's time zone (the
    day after it for the end: the period includes its last day)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"not a date: {value!r}") from None
    if end:
        day = day + timedelta(days=1) if day < date.max else day
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _cursor_error(exc: BadCursor) -> HTTPException:
    return HTTPException(status_code=422, detail=str(exc))


def job_id(text: str | None) -> int | None:
    """``?job=`` as a job id, or ``None``: a link with a wrong one shows the page anyway."""
    if text and text.isascii() and text.isdigit() and 0 < int(text) < 2**63:
        return int(text)
    return None


def _job(request: Request, tenant_id: int, job: str | None) -> Job | None:
    wanted = job_id(job)
    found = _web(request).jobs.get(wanted) if wanted is not None else None
    return found if found is not None and found.tenant_id == tenant_id else None


def _link(request: Request, **changes: str | None) -> str:
    """This page's address with some parameters changed (``None`` drops one)."""
    params = {key: value for key, value in request.query_params.items() if key != "lang"}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    query = "&".join(f"{key}={_quote(value)}" for key, value in params.items() if value != "")
    return f"{request.url.path}?{query}" if query else request.url.path


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _pager(request: Request, next_cursor: str | None, previous: str | None) -> dict[str, Any]:
    return {
        "newer": _link(request, after=None, before=previous) if previous else None,
        "first": _link(request, after=None, before=None) if previous else None,
        "older": _link(request, before=None, after=next_cursor) if next_cursor else None,
    }


def progress_context(request: Request, tenant_id: int, job: Job | None) -> dict[str, Any]:
    """What a page needs to show the tenant's runs going now (``_progress.html``)."""
    running = History(_web(request).store).running(tenant_id)
    going = bool(running) or (job is not None and job.going)
    query = f"?job={job.id}" if job is not None else ""
    return {
        "running": running,
        "going": going,
        "progress_url": f"/tenants/{tenant_id}/progress{query}",
    }


# -- live progress ------------------------------------------------------------------------


@router.get("/tenants/{tenant_id}/progress")
async def progress(request: Request, tenant_id: Id, job: str | None = None) -> Response:
    """How far the tenant's runs going now have got, as JSON for the pages' script
    (``static/silta.js``), with each line in the page's language."""
    _read(request, tenant_id)
    lang = language(request)
    t = translator(lang)
    current = _job(request, tenant_id, job)
    running = History(_web(request).store).running(tenant_id)
    runs = [
        {
            "id": run.id,
            "register": run.register.value,
            "read": run.progress.read if run.progress else 0,
            "done": run.progress.done if run.progress else 0,
            "written": run.progress.written if run.progress else 0,
            "text": progress_words(t(f"register.{run.register.value}"), run.progress, lang),
        }
        for run in running
    ]
    return JSONResponse(
        {
            "going": bool(running) or (current is not None and current.going),
            "job": None if current is None else {"id": current.id, "state": current.state},
            "runs": runs,
        }
    )


# -- runs ---------------------------------------------------------------------------------


@router.get("/tenants/{tenant_id}/runs")
async def runs(
    request: Request,
    tenant_id: Id,
    job: str | None = None,
    register: str | None = None,
    status: str | None = None,
    trigger: str | None = None,
    preview: str | None = None,
    since: str | None = None,
    until: str | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Response:
    principal, grant = _read(request, tenant_id)
    zone = grant.tenant.settings.timezone
    wanted = RunFilter(
        register=_choice(Register, register),
        status=_choice(RunStatus, status),
        trigger=_choice(TriggerKind, trigger),
        preview=_preview(preview),
        since=_day(since, zone, end=False),
        until=_day(until, zone, end=True),
    )
    try:
        page = History(_web(request).store).runs(
            tenant_id, wanted, after=after, before=before, limit=RUNS_PAGE
        )
    except BadCursor as exc:
        raise _cursor_error(exc) from None
    current = _job(request, tenant_id, job)
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "runs": page.items,
        "pager": _pager(request, page.next, page.previous),
        "job": current,
        "busy": request.query_params.get("busy") == "1",
        "filters": {
            "register": register or "",
            "status": status or "",
            "trigger": trigger or "",
            "preview": preview or "",
            "since": since or "",
            "until": until or "",
        },
        "filtered": any((register, status, trigger, preview, since, until)),
        "statuses": list(RunStatus),
        "triggers": list(TriggerKind),
        **progress_context(request, tenant_id, current),
    }
    return render(request, "runs.html", context)


def _entry_filters(register: str | None, action: str | None, status: str | None) -> dict[str, Any]:
    return {
        "register": _choice(Register, register),
        "action": _choice(Action, action),
        "status": _choice(Status, status),
    }


@router.get("/tenants/{tenant_id}/runs/{run_id}")
async def run_detail(
    request: Request,
    tenant_id: Id,
    run_id: Id,
    register: str | None = None,
    action: str | None = None,
    status: str | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Response:
    principal, grant = _read(request, tenant_id)
    run = tenant_run(request, tenant_id, run_id)
    filters = _entry_filters(register, action, status)
    try:
        page = History(_web(request).store).entries(
            run.id, **filters, after=after, before=before, limit=ENTRIES_PAGE
        )
    except BadCursor as exc:
        raise _cursor_error(exc) from None
    shown = {key: (value.value if value else "") for key, value in filters.items()}
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "run": run,
        "entries": page.items,
        "pager": _pager(request, page.next, page.previous),
        "filters": shown,
        "csv": _csv_link(f"/tenants/{tenant_id}/runs/{run.id}/records.csv", shown),
        "actions": list(Action),
        "statuses": list(Status),
        **progress_context(request, tenant_id, None),
    }
    return render(request, "run.html", context)


def _csv_link(path: str, params: dict[str, str]) -> str:
    query = "&".join(f"{key}={_quote(value)}" for key, value in params.items() if value)
    return f"{path}?{query}" if query else path


# -- CSV: the columns of an entry, as on the pages ------------------------------------------


def _entry_header(t: Translator) -> list[str]:
    return [
        t("runs.register"),
        t("entry.key"),
        t("entry.source_key"),
        t("entry.name"),
        t("entry.action"),
        t("entry.status"),
        t("entry.target_key"),
        t("entry.changes"),
        t("entry.reason"),
        t("entry.rules"),
        t("entry.message"),
        t("entry.details"),
    ]


def _entry_cells(entry: Any, t: Translator, lang: str) -> list[object]:
    changes = "; ".join(
        f"{field_label(entry.register, c.field, lang)}: {c.old or '–'} → {c.new or '–'}"
        for c in entry.changes
    )
    return [
        t(f"register.{entry.register.value}"),
        entry.natural_key,
        entry.source_key,
        entry.name,
        t(f"action.{entry.action.value}"),
        t(f"status.{entry.status.value}"),
        entry.target_key,
        changes,
        " | ".join(refusal.message(lang) for refusal in entry.refusals),
        " ".join(refusal.rule for refusal in entry.refusals),
        entry_note_text(entry, lang),
        "; ".join(f"{detail_label(d.key, lang)}: {d.value}" for d in entry.details),
    ]


def _local(value: datetime, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M")


@router.get("/tenants/{tenant_id}/runs/{run_id}/records.csv")
async def run_csv(
    request: Request,
    tenant_id: Id,
    run_id: Id,
    register: str | None = None,
    action: str | None = None,
    status: str | None = None,
) -> Response:
    """The run's records (with the page's filters) as CSV."""
    _read(request, tenant_id)
    run = tenant_run(request, tenant_id, run_id)
    filters = _entry_filters(register, action, status)
    lang = language(request)
    t = translator(lang)
    entries = History(_web(request).store).iter_entries(run.id, **filters)
    rows = (_entry_cells(entry, t, lang) for entry in entries)
    return csv_response(f"silta-run-{run.id}.csv", _entry_header(t), rows)


# -- the record search and a record's timeline ----------------------------------------------


@router.get("/tenants/{tenant_id}/records")
async def records(
    request: Request,
    tenant_id: Id,
    q: str = "",
    register: str | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Response:
    """The search: a customer number or name, a product code, a project, an invoice number."""
    principal, grant = _read(request, tenant_id)
    chosen = _choice(Register, register)
    searched = bool(q.strip()) or chosen is not None or after is not None or before is not None
    found: tuple[RecordRef, ...] = ()
    pager: dict[str, Any] = {}
    if searched:
        try:
            page = History(_web(request).store).search(
                tenant_id, q, register=chosen, after=after, before=before, limit=RECORDS_PAGE
            )
        except BadCursor as exc:
            raise _cursor_error(exc) from None
        found, pager = page.items, _pager(request, page.next, page.previous)
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "q": q,
        "register": register or "",
        "searched": searched,
        "found": found,
        "pager": pager,
        "csv": _csv_link(f"/tenants/{tenant_id}/records.csv", {"q": q, "register": register or ""}),
    }
    return render(request, "records.html", context)


@router.get("/tenants/{tenant_id}/records.csv")
async def records_csv(
    request: Request, tenant_id: Id, q: str = "", register: str | None = None
) -> Response:
    """The records a search finds, as CSV."""
    _, grant = _read(request, tenant_id)
    zone = grant.tenant.settings.timezone
    t = translator(language(request))
    found = History(_web(request).store).iter_search(
        tenant_id, q, register=_choice(Register, register)
    )
    header = [
        t("runs.register"),
        t("entry.key"),
        t("entry.source_key"),
        t("entry.name"),
        t("records.first_seen"),
        t("records.last_seen"),
    ]
    rows = (
        [
            t(f"register.{record.register.value}"),
            record.natural_key,
            record.source_key,
            record.name,
            _local(record.first_seen_at, zone),
            _local(record.last_seen_at, zone),
        ]
        for record in found
    )
    return csv_response(f"silta-records-{tenant_id}.csv", header, rows)


def _record(request: Request, tenant_id: int, record_id: int) -> RecordRef:
    try:
        return History(_web(request).store).record(tenant_id, record_id)
    except UnknownRecord:
        raise HTTPException(status_code=404, detail="no such record") from None


def _timeline_filters(
    action: str | None, status: str | None, preview: str | None
) -> dict[str, Any]:
    return {
        "action": _choice(Action, action),
        "status": _choice(Status, status),
        "preview": _preview(preview),
    }


@router.get("/tenants/{tenant_id}/records/{record_id}")
async def record_timeline(
    request: Request,
    tenant_id: Id,
    record_id: Id,
    action: str | None = None,
    status: str | None = None,
    preview: str | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Response:
    """One record across runs, newest first: every outcome, reason and change."""
    principal, grant = _read(request, tenant_id)
    record = _record(request, tenant_id, record_id)
    try:
        page = History(_web(request).store).timeline(
            record,
            **_timeline_filters(action, status, preview),
            after=after,
            before=before,
            limit=TIMELINE_PAGE,
        )
    except BadCursor as exc:
        raise _cursor_error(exc) from None
    shown = {"action": action or "", "status": status or "", "preview": preview or ""}
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "record": record,
        "outcomes": page.items,
        "pager": _pager(request, page.next, page.previous),
        "filters": shown,
        "csv": _csv_link(f"/tenants/{tenant_id}/records/{record.id}/timeline.csv", shown),
        "actions": list(Action),
        "statuses": list(Status),
    }
    return render(request, "record.html", context)


@router.get("/tenants/{tenant_id}/records/{record_id}/timeline.csv")
async def timeline_csv(
    request: Request,
    tenant_id: Id,
    record_id: Id,
    action: str | None = None,
    status: str | None = None,
    preview: str | None = None,
) -> Response:
    """A record's timeline (with the page's filters) as CSV."""
    _, grant = _read(request, tenant_id)
    record = _record(request, tenant_id, record_id)
    zone = grant.tenant.settings.timezone
    lang = language(request)
    t = translator(lang)
    outcomes = History(_web(request).store).iter_timeline(
        record, **_timeline_filters(action, status, preview)
    )
    header = [t("timeline.run"), t("runs.started"), t("runs.trigger"), t("timeline.preview"),
              *_entry_header(t)]  # fmt: skip

    def rows() -> Iterator[list[object]]:
        for outcome in outcomes:
            yield [
                outcome.run_id,
                _local(outcome.started_at, zone),
                trigger_words(outcome.trigger, lang),
                t("timeline.yes") if outcome.dry_run else t("timeline.no"),
                *_entry_cells(outcome.entry, t, lang),
            ]

    return csv_response(f"silta-record-{record.id}.csv", header, rows())


# -- open refusals ------------------------------------------------------------------------


def _open_refusals(request: Request, grant: Grant) -> list[OpenRefusal]:
    """What needs fixing now, in the registers the settings switch on."""
    switched_on = [r for r in Register if adapter_for(r, grant.tenant.settings) is not None]
    return History(_web(request).store).open_refusals(grant.tenant.id, switched_on)


@attrs.frozen
class RuleGroup:
    """The open refusals of one rule: its words, where it is fixed, and its records."""

    rule_id: str
    rule: Rule | None
    text: str  # the rule's message with "…" for what each record fills in
    system: str  # where it is fixed: "severa", "netvisor" or "settings"
    members: tuple[OpenRefusal, ...]

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def register(self) -> str:
        """The register the rule belongs to (its id's first part)."""
        return self.rule_id.split(".", 1)[0]


def rule_groups(refusals: list[OpenRefusal], lang: str) -> list[RuleGroup]:
    """The open refusals by rule, the rule with most records first."""
    groups: dict[str, list[OpenRefusal]] = {}
    for refusal in refusals:
        for rule in dict.fromkeys(r.rule for r in refusal.entry.refusals):
            groups.setdefault(rule, []).append(refusal)
    out = [
        RuleGroup(
            rule_id=rule_id,
            rule=RULES.get(rule_id),
            text=_rule_text(rule_id, lang),
            system=forms.fix_place(rule_id),
            members=tuple(members),
        )
        for rule_id, members in groups.items()
    ]
    out.sort(key=lambda group: (-group.count, group.rule_id))
    return out


def _rule_text(rule_id: str, lang: str) -> str:
    """A rule's message without a record: its placeholders read as "…"."""
    import re

    rule = RULES.get(rule_id)
    if rule is None:
        return rule_id
    return re.sub(r"\{[^}]*\}", "…", rule.fi if lang == "fi" else rule.en)


@router.get("/tenants/{tenant_id}/refusals")
async def refusals(request: Request, tenant_id: Id, rule: str | None = None) -> Response:
    """Every record refused by its newest outcome, grouped by rule with what to fix."""
    principal, grant = _read(request, tenant_id)
    lang = language(request)
    found = _open_refusals(request, grant)
    groups = rule_groups(found, lang)
    if rule is not None:
        groups = [group for group in groups if group.rule_id == rule]
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "groups": groups,
        "total": len(found),
        "rule": rule,
        "shown": None if rule else GROUP_SHOWN,
    }
    return render(request, "refusals.html", context)


@router.get("/tenants/{tenant_id}/refusals.csv")
async def refusals_csv(request: Request, tenant_id: Id) -> Response:
    """The open refusals as CSV: one row per record and rule."""
    _, grant = _read(request, tenant_id)
    zone = grant.tenant.settings.timezone
    lang = language(request)
    t = translator(lang)
    found = _open_refusals(request, grant)
    header = [
        t("runs.register"),
        t("refusals.rule"),
        t("refusals.where"),
        t("entry.key"),
        t("entry.source_key"),
        t("entry.name"),
        t("entry.reason"),
        t("timeline.run"),
        t("runs.started"),
    ]

    def rows() -> Iterator[list[object]]:
        for refusal in found:
            entry = refusal.entry
            for reason in entry.refusals:
                yield [
                    t(f"register.{entry.register.value}"),
                    reason.rule,
                    t(f"refusals.where_{forms.fix_place(reason.rule)}"),
                    entry.natural_key,
                    entry.source_key,
                    entry.name,
                    reason.message(lang),
                    refusal.run.id,
                    _local(refusal.run.started_at, zone),
                ]

    return csv_response(f"silta-refusals-{tenant_id}.csv", header, rows())
