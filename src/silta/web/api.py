"""The JSON API under ``/api/v1``: what the pages do, for automation, with token auth.

Every route takes ``Authorization: Bearer <token>`` (``silta user token EMAIL``, or the
tenant's tokens page); the same grants apply as on the pages (404 for a tenant the user is
not a member of, 403 for a viewer's write), and a token's own limits on top: a ``read``
token gets 403 on every route that is not a read (one router-level dependency, so a new
route cannot forget it), and a token bound to one tenant sees no other. Secrets are
write-only here too: no response ever carries one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from silta.domain import SETTING_KINDS, Action, Register, RunStatus, SettingError, Status
from silta.notes import note_words
from silta.store import ConfirmationRefused, Entry, History, Holds, Page, RunFilter, RunRecord
from silta.store.history import BadCursor, OpenRefusal, Outcome, RecordRef, UnknownRecord
from silta.sync import previews
from silta.sync.jobs import Job, TenantBusy
from silta.sync.runner import adapter_for
from silta.sync.settings import change_settings
from silta.tenants import Tenant
from silta.triggers import TriggerKind, read_trigger
from silta.web.access import (
    BigId,
    Id,
    Principal,
    api_principal,
    read_only_token,
    require_tenant,
    tenant_run,
    visible_tenants,
)
from silta.web.app import WebState
from silta.web.failures import failure_of
from silta.web.forms import connections, fix_place
from silta.web.health import Health, tenant_health
from silta.web.live import test_connection
from silta.web.overview import FILTERS, company_rows, fleet_page

__all__ = ["router"]

Auth = Annotated[Principal, Depends(api_principal)]


def _scope_guard(request: Request, principal: Auth) -> None:
    read_only_token(request, principal)


router = APIRouter(prefix="/api/v1", tags=["v1"], dependencies=[Depends(_scope_guard)])


def _web(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


# -- shapes ---------------------------------------------------------------------------------


class _Out(BaseModel):
    # "register" is the natural name in this API but shadows BaseModel.register: the
    # attribute is ``register_``, the JSON name ``register``.
    model_config = ConfigDict(populate_by_name=True)


def _register_field() -> Any:
    return Field(alias="register")


class RegisterHealthOut(_Out):
    register_: Register = _register_field()
    health: str
    last_run_id: int | None
    last_started_at: datetime | None
    next_at: datetime | None
    # why the last run failed, as a category (silta.web.failures), when it did
    failure: str | None = None


class TenantOut(BaseModel):
    id: int
    name: str
    role: Literal["kh", "viewer"]
    paused: bool
    settings_version: int
    netvisor_url: str
    netvisor_organisation_id: str
    severa_url: str
    severa_client_id: str
    registers: list[RegisterHealthOut]


def _settings_body() -> dict[str, Any]:
    """The PATCH body's schema for the API document, from the settings table itself (the
    body is read by :meth:`TenantSettings.with_json`, not by pydantic, whose lax mode would
    take ``"false"`` or ``1`` for a boolean)."""
    schema = {
        "type": "object",
        "description": "Only the settings given change; the rest keep their value.",
        "properties": {
            name: {**kind.json_schema(), "description": f"allowed: {kind.allowed_en}"}
            for name, kind in SETTING_KINDS.items()
        },
        "additionalProperties": False,
    }
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


class SettingsOut(BaseModel):
    version: int
    settings: dict[str, Any]
    changed: list[str] = []
    full_next: list[Register] = []


class CredentialsIn(BaseModel):
    """Write-only. A field left out keeps its stored value."""

    model_config = ConfigDict(extra="forbid")

    netvisor_url: str | None = None
    sender: str | None = None
    customer_id: str | None = None
    customer_key: str | None = None
    partner_id: str | None = None
    partner_key: str | None = None
    organisation_id: str | None = None
    severa_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class ProbeOut(BaseModel):
    service: str
    ok: bool
    message: str | None


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registers: list[Register] = list(Register)
    full: bool = False


class ProgressOut(BaseModel):
    """How far a running run had got when its process last said (about once a second)."""

    read: int
    done: int
    written: int
    at: datetime


class RunOut(_Out):
    id: int
    register_: Register = _register_field()
    kind: str
    dry_run: bool
    trigger: str
    trigger_kind: TriggerKind  # who or what started it (silta.triggers)
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    error: str | None
    failure: str | None = None  # why it failed, as a category (silta.web.failures)
    progress: ProgressOut | None = None


class JobOut(BaseModel):
    id: int
    tenant_id: int
    registers: list[Register]
    dry_run: bool
    full: bool
    state: str
    current: Register | None
    run_ids: list[int]
    error: str | None


class ChangeOut(BaseModel):
    field: str
    old: str | None
    new: str | None


class RefusalOut(BaseModel):
    rule: str
    field: str | None
    message: str


class DetailOut(_Out):
    """A display fact of the outcome (an invoice's total …): ``key`` as stored, ``value`` text."""

    key: str
    value: str


class EntryOut(_Out):
    register_: Register = _register_field()
    source_key: str | None
    natural_key: str | None
    name: str | None
    action: Action
    status: Status
    target_key: str | None
    changes: list[ChangeOut]
    refusals: list[RefusalOut]
    message: str | None
    details: list[DetailOut] = []


class RecordOut(_Out):
    id: int
    register_: Register = _register_field()
    natural_key: str | None
    source_key: str | None
    name: str | None
    first_seen_at: datetime
    last_seen_at: datetime


class OutcomeOut(BaseModel):
    """What one run did with a record."""

    run_id: int
    started_at: datetime
    trigger: str
    dry_run: bool
    run_status: RunStatus
    entry: EntryOut


class OpenRefusalOut(BaseModel):
    run_id: int
    started_at: datetime
    entry: EntryOut


class RuleCountOut(_Out):
    rule: str
    register_: str = _register_field()
    count: int
    where: Literal["severa", "netvisor", "settings"]  # where the data is fixed
    text_fi: str  # the rule's message, "…" for what each record fills in
    text_en: str


class HoldOut(_Out):
    register_: Register = _register_field()
    since: datetime
    changed_by: str
    changes: list[ChangeOut]
    preview_run_id: int | None  # the newest preview since the hold (any status), if any


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    run_id: int  # the preview the caller has checked


class VersionOut(BaseModel):
    version: int
    changed_by: str
    changed_at: datetime
    changes: list[ChangeOut]


def _run_out(run: RunRecord) -> RunOut:
    failure = failure_of(run)
    progress = run.progress
    return RunOut(
        id=run.id,
        register_=run.register,
        kind=run.kind.value,
        dry_run=run.dry_run,
        trigger=run.trigger,
        trigger_kind=read_trigger(run.trigger).kind,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        counts=dict(run.counts),
        error=run.error,
        failure=failure.category.value if failure else None,
        progress=None
        if progress is None
        else ProgressOut(
            read=progress.read, done=progress.done, written=progress.written, at=progress.at
        ),
    )


def _record_out(record: RecordRef) -> RecordOut:
    return RecordOut(
        id=record.id,
        register_=record.register,
        natural_key=record.natural_key,
        source_key=record.source_key,
        name=record.name,
        first_seen_at=record.first_seen_at,
        last_seen_at=record.last_seen_at,
    )


def _outcome_out(outcome: Outcome, language: str) -> OutcomeOut:
    return OutcomeOut(
        run_id=outcome.run_id,
        started_at=outcome.started_at,
        trigger=outcome.trigger,
        dry_run=outcome.dry_run,
        run_status=outcome.run_status,
        entry=_entry_out(outcome.entry, language),
    )


def _paged(request: Request, response: Response, page: Page[Any]) -> None:
    """The next page's address in ``Link`` and its cursor in ``X-Next-Cursor``."""
    if page.next is None:
        return
    following = request.url.include_query_params(cursor=page.next)
    response.headers["Link"] = f'<{following}>; rel="next"'
    response.headers["X-Next-Cursor"] = page.next


def _limit(limit: int, *, most: int = 500) -> int:
    if not 1 <= limit <= most:
        raise HTTPException(status_code=422, detail=f"limit: 1 to {most}")
    return limit


def _bad_cursor(exc: BadCursor) -> HTTPException:
    return HTTPException(status_code=422, detail=f"cursor: {exc}")


def _job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        tenant_id=job.tenant_id,
        registers=list(job.registers),
        dry_run=job.dry_run,
        full=job.full,
        state=job.state,
        current=job.current,
        run_ids=job.run_ids,
        error=job.error,
    )


def _entry_out(entry: Entry, language: str) -> EntryOut:
    return EntryOut(
        register_=entry.register,
        source_key=entry.source_key,
        natural_key=entry.natural_key,
        name=entry.name,
        action=entry.action,
        status=entry.status,
        target_key=entry.target_key,
        changes=[ChangeOut(field=c.field, old=c.old, new=c.new) for c in entry.changes],
        refusals=[
            RefusalOut(rule=r.rule, field=r.field, message=r.message(language))
            for r in entry.refusals
        ],
        # an engine note in the asked language (silta.notes); any other text as stored
        message=note_words(entry.message, language) or entry.message,
        details=[DetailOut(key=d.key, value=d.value) for d in entry.details],
    )


def _tenant_out(
    request: Request, tenant: Tenant, role: str, runs: list[RunRecord] | None = None
) -> TenantOut:
    """``runs``: the tenant's newest runs per register (:meth:`History.latest_runs`), when
    the caller read them for many tenants at once."""
    web = _web(request)
    held = Holds(web.store).of(tenant.id)
    if runs is None:
        runs = History(web.store).latest_runs([tenant.id])[tenant.id]
    health = tenant_health(tenant, runs, now=_now(), held=held)
    return TenantOut(
        id=tenant.id,
        name=tenant.name,
        role="kh" if role in ("kh", "operator") else "viewer",
        paused=tenant.paused,
        settings_version=tenant.settings_version,
        netvisor_url=tenant.netvisor.base_url,
        netvisor_organisation_id=tenant.netvisor.credentials.organisation_id,
        severa_url=tenant.severa.base_url,
        severa_client_id=tenant.severa.credentials.client_id,
        registers=[
            RegisterHealthOut(
                register_=row.register,
                health=row.health.value,
                last_run_id=row.last.id if row.last else None,
                last_started_at=row.last.started_at if row.last else None,
                next_at=row.next_at,
                failure=_failure(row.last) if row.health in _FAILING else None,
            )
            for row in health
        ],
    )


_FAILING = (Health.FAILING, Health.CREDENTIALS)


def _failure(run: RunRecord | None) -> str | None:
    failure = failure_of(run) if run is not None else None
    return failure.category.value if failure else None


def _now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


# -- routes ---------------------------------------------------------------------------------


@router.get("/tenants")
async def list_tenants(
    request: Request,
    principal: Auth,
    q: str = "",
    state: Health | None = None,
) -> list[TenantOut]:
    """The tenants the caller may see, with each register's health; ``q`` finds them by
    name, ``state`` keeps those with a register in that state (a paused tenant is
    ``paused``), as on the overview page."""
    if state is not None and state not in FILTERS:
        raise HTTPException(status_code=422, detail=f"state: one of {[h.value for h in FILTERS]}")
    web = _web(request)
    visible = visible_tenants(request, principal)
    latest = History(web.store).latest_runs([tenant.id for tenant, _ in visible])
    if q or state:
        rows = company_rows(visible, latest, Holds(web.store).held(), now=_now())
        found = fleet_page(rows, search=q, state=state, page=1, size=max(1, len(rows))).rows
        kept = {row.tenant.id for row in found}
        visible = [(tenant, role) for tenant, role in visible if tenant.id in kept]
    return [_tenant_out(request, t, role, latest[t.id]) for t, role in visible]


@router.get("/tenants/{tenant_id}")
async def get_tenant(request: Request, principal: Auth, tenant_id: Id) -> TenantOut:
    grant = require_tenant(request, principal, tenant_id)
    return _tenant_out(request, grant.tenant, grant.role.value)


@router.get("/tenants/{tenant_id}/settings")
async def get_settings(request: Request, principal: Auth, tenant_id: Id) -> SettingsOut:
    grant = require_tenant(request, principal, tenant_id)
    return SettingsOut(
        version=grant.tenant.settings_version, settings=grant.tenant.settings.as_json()
    )


@router.patch("/tenants/{tenant_id}/settings", openapi_extra=_settings_body())
async def patch_settings(
    request: Request,
    principal: Auth,
    tenant_id: Id,
    body: Annotated[dict[str, Any], Body()],
) -> SettingsOut:
    """Change the settings given; a changed direction makes that register's next run full.

    A value of the wrong type or outside what is allowed is a 422 whose ``detail`` names
    the setting, the value and the allowed values; nothing is changed then.
    """
    grant = require_tenant(request, principal, tenant_id, write=True)
    try:
        settings = grant.tenant.settings.with_json(body)
    except SettingError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    change = change_settings(
        _web(request).store, tenant_id, settings, changed_by=principal.user.email
    )
    return SettingsOut(
        version=change.version.version,
        settings=settings.as_json(),
        changed=list(change.changed),
        full_next=sorted(change.full_next),
    )


@router.get("/tenants/{tenant_id}/settings/history")
async def settings_history(request: Request, principal: Auth, tenant_id: Id) -> list[VersionOut]:
    """Who changed what and when, newest first."""
    require_tenant(request, principal, tenant_id)
    versions = _web(request).store.settings_history(tenant_id)  # newest first already
    return [
        VersionOut(
            version=v.version,
            changed_by=v.changed_by,
            changed_at=v.changed_at,
            changes=[ChangeOut(field=c.field, old=c.old, new=c.new) for c in v.changes],
        )
        for v in versions
    ]


@router.put("/tenants/{tenant_id}/credentials", status_code=204)
async def put_credentials(
    request: Request, principal: Auth, tenant_id: Id, body: CredentialsIn
) -> None:
    """Replace connection details; secrets are write-only and never returned."""
    grant = require_tenant(request, principal, tenant_id, write=True)
    try:
        netvisor, severa = connections(
            body.model_dump(exclude_none=True), grant.tenant, _web(request).endpoints
        )
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    _web(request).store.update_connections(
        tenant_id, netvisor=netvisor, severa=severa, changed_by=principal.user.email
    )


@router.post("/tenants/{tenant_id}/test-connection")
async def post_test_connection(request: Request, principal: Auth, tenant_id: Id) -> list[ProbeOut]:
    """Call each service once with the stored credentials."""
    grant = require_tenant(request, principal, tenant_id, write=True)
    web = _web(request)
    probes = await test_connection(web.store, grant.tenant, web.http, web.endpoints)
    return [ProbeOut(service=p.service, ok=p.ok, message=p.message) for p in probes]


async def _start(
    request: Request, principal: Principal, tenant_id: int, body: RunIn, *, dry: bool
) -> Job:
    require_tenant(request, principal, tenant_id, write=True)
    what = "preview" if dry else "sync now"
    if not dry:
        held = Holds(_web(request).store).of(tenant_id)
        waiting = [register.value for register in body.registers if register in held]
        if waiting:
            raise HTTPException(
                status_code=409,
                detail=f"waiting for a confirmation of changed settings: {', '.join(waiting)}; "
                "make a preview, check it, and POST its run_id to holds/{register}/confirm",
            )
    try:
        return await _web(request).jobs.start(
            tenant_id,
            registers=body.registers,
            dry_run=dry,
            full=body.full,
            trigger=f"{what} (api): {principal.user.email}",
        )
    except TenantBusy as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None


@router.post("/tenants/{tenant_id}/sync", status_code=202)
async def post_sync(
    request: Request, principal: Auth, tenant_id: Id, body: RunIn, wait: bool = False
) -> JobOut:
    """Start a run of the registers now (409 when the tenant has one going).

    ``wait=true`` answers when the job has ended; otherwise at once, to be polled.
    """
    job = await _start(request, principal, tenant_id, body, dry=False)
    if wait:
        job = await _web(request).jobs.wait(job.id)
    return _job_out(job)


@router.post("/tenants/{tenant_id}/preview", status_code=202)
async def post_preview(
    request: Request, principal: Auth, tenant_id: Id, body: RunIn, wait: bool = False
) -> JobOut:
    """A dry run: the plan is recorded (as a preview run), nothing is written."""
    job = await _start(request, principal, tenant_id, body, dry=True)
    if wait:
        job = await _web(request).jobs.wait(job.id)
    return _job_out(job)


@router.get("/tenants/{tenant_id}/holds")
async def list_holds(request: Request, principal: Auth, tenant_id: Id) -> list[HoldOut]:
    """The registers waiting for a confirmation before their next run writes."""
    require_tenant(request, principal, tenant_id)
    store = _web(request).store
    out = []
    for register, hold in sorted(Holds(store).of(tenant_id).items()):
        preview = previews.preview_for(store, hold)
        out.append(
            HoldOut(
                register_=register,
                since=hold.since,
                changed_by=hold.changed_by,
                changes=[ChangeOut(field=c.field, old=c.old, new=c.new) for c in hold.changes],
                preview_run_id=preview.id if preview else None,
            )
        )
    return out


@router.post("/tenants/{tenant_id}/holds/{register}/confirm")
async def confirm_hold(
    request: Request, principal: Auth, tenant_id: Id, register: Register, body: ConfirmIn
) -> HoldOut:
    """Confirm a held register with the preview the caller checked (its ``run_id``): 409
    when the register is not held or the preview does not count (the detail says why)."""
    require_tenant(request, principal, tenant_id, write=True)
    try:
        hold = Holds(_web(request).store).confirm(
            tenant_id, register, run_id=body.run_id, by=principal.user.email
        )
    except ConfirmationRefused as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return HoldOut(
        register_=register,
        since=hold.since,
        changed_by=hold.changed_by,
        changes=[ChangeOut(field=c.field, old=c.old, new=c.new) for c in hold.changes],
        preview_run_id=body.run_id,
    )


@router.get("/tenants/{tenant_id}/jobs/{job_id}")
async def get_job(request: Request, principal: Auth, tenant_id: Id, job_id: BigId) -> JobOut:
    require_tenant(request, principal, tenant_id)
    job = _web(request).jobs.get(job_id)
    if job is None or job.tenant_id != tenant_id:
        raise HTTPException(status_code=404, detail="no such job")
    return _job_out(job)


@router.get("/tenants/{tenant_id}/runs")
async def list_runs(
    request: Request,
    response: Response,
    principal: Auth,
    tenant_id: Id,
    register: Register | None = None,
    status: RunStatus | None = None,
    trigger: TriggerKind | None = None,
    preview: bool | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> list[RunOut]:
    """The tenant's runs, newest first, a page at a time (see *Paging* above).

    Filters: ``register``, ``status``, ``trigger`` (its kind), ``preview`` (``true``:
    previews only, ``false``: real runs only), ``since``/``until`` (the start time, from
    and before; with a time zone).
    """
    require_tenant(request, principal, tenant_id)
    wanted = RunFilter(register, status, trigger, preview, since, until)
    try:
        page = History(_web(request).store).runs(
            tenant_id, wanted, after=cursor, limit=_limit(limit)
        )
    except BadCursor as exc:
        raise _bad_cursor(exc) from None
    _paged(request, response, page)
    return [_run_out(run) for run in page.items]


@router.get("/tenants/{tenant_id}/runs/{run_id}")
async def get_run(request: Request, principal: Auth, tenant_id: Id, run_id: Id) -> RunOut:
    require_tenant(request, principal, tenant_id)
    return _run_out(tenant_run(request, tenant_id, run_id))


@router.get("/tenants/{tenant_id}/runs/{run_id}/entries")
async def get_entries(
    request: Request,
    response: Response,
    principal: Auth,
    tenant_id: Id,
    run_id: Id,
    register: Register | None = None,
    action: Action | None = None,
    status: Status | None = None,
    lang: Literal["fi", "en"] = "fi",
    cursor: str | None = None,
    limit: int = 500,
) -> list[EntryOut]:
    """The run's records in the order they were recorded, filterable, a page at a time;
    refusal messages in ``lang``."""
    require_tenant(request, principal, tenant_id)
    run = tenant_run(request, tenant_id, run_id)
    try:
        page = History(_web(request).store).entries(
            run.id, register=register, action=action, status=status, after=cursor,
            limit=_limit(limit),
        )  # fmt: skip
    except BadCursor as exc:
        raise _bad_cursor(exc) from None
    _paged(request, response, page)
    return [_entry_out(entry, lang) for entry in page.items]


@router.get("/tenants/{tenant_id}/records")
async def search_records(
    request: Request,
    response: Response,
    principal: Auth,
    tenant_id: Id,
    q: str = "",
    register: Register | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> list[RecordOut]:
    """The tenant's records whose customer number or name, product code, project, invoice
    number or key contains ``q`` (any letter case), the most recently seen first."""
    require_tenant(request, principal, tenant_id)
    try:
        page = History(_web(request).store).search(
            tenant_id, q, register=register, after=cursor, limit=_limit(limit)
        )
    except BadCursor as exc:
        raise _bad_cursor(exc) from None
    _paged(request, response, page)
    return [_record_out(record) for record in page.items]


def _record(request: Request, tenant_id: int, record_id: int) -> RecordRef:
    try:
        return History(_web(request).store).record(tenant_id, record_id)
    except UnknownRecord:
        raise HTTPException(status_code=404, detail="no such record") from None


@router.get("/tenants/{tenant_id}/records/{record_id}")
async def get_record(request: Request, principal: Auth, tenant_id: Id, record_id: Id) -> RecordOut:
    require_tenant(request, principal, tenant_id)
    return _record_out(_record(request, tenant_id, record_id))


@router.get("/tenants/{tenant_id}/records/{record_id}/timeline")
async def get_timeline(
    request: Request,
    response: Response,
    principal: Auth,
    tenant_id: Id,
    record_id: Id,
    action: Action | None = None,
    status: Status | None = None,
    preview: bool | None = None,
    lang: Literal["fi", "en"] = "fi",
    cursor: str | None = None,
    limit: int = 50,
) -> list[OutcomeOut]:
    """What every run did with the record, newest first: outcome, reason and changes."""
    require_tenant(request, principal, tenant_id)
    record = _record(request, tenant_id, record_id)
    try:
        page = History(_web(request).store).timeline(
            record, action=action, status=status, preview=preview, after=cursor,
            limit=_limit(limit),
        )  # fmt: skip
    except BadCursor as exc:
        raise _bad_cursor(exc) from None
    _paged(request, response, page)
    return [_outcome_out(outcome, lang) for outcome in page.items]


def _open_refusals(request: Request, tenant: Tenant) -> list[OpenRefusal]:
    switched_on = [r for r in Register if adapter_for(r, tenant.settings) is not None]
    found = History(_web(request).store).open_refusals(tenant.id, switched_on)
    return sorted(found, key=lambda refusal: refusal.entry_id)


@router.get("/tenants/{tenant_id}/refusals")
async def list_refusals(
    request: Request,
    response: Response,
    principal: Auth,
    tenant_id: Id,
    rule: str | None = None,
    lang: Literal["fi", "en"] = "fi",
    cursor: str | None = None,
    limit: int = 500,
) -> list[OpenRefusalOut]:
    """What needs fixing now: every record whose newest real outcome refused it (``rule``:
    only those refused by that rule), a page at a time."""
    grant = require_tenant(request, principal, tenant_id)
    after = 0
    if cursor is not None:
        if not (cursor.isascii() and cursor.isdigit() and len(cursor) < 19):
            raise HTTPException(status_code=422, detail="cursor: not a cursor of this list")
        after = int(cursor)
    found = [
        refusal
        for refusal in _open_refusals(request, grant.tenant)
        if refusal.entry_id > after
        and (rule is None or any(r.rule == rule for r in refusal.entry.refusals))
    ]
    shown = found[: _limit(limit)]
    if len(found) > len(shown):
        _paged(request, response, Page(tuple(shown), str(shown[-1].entry_id)))
    return [
        OpenRefusalOut(
            run_id=refusal.run.id,
            started_at=refusal.run.started_at,
            entry=_entry_out(refusal.entry, lang),
        )
        for refusal in shown
    ]


@router.get("/tenants/{tenant_id}/refusals/rules")
async def refusal_rules(request: Request, principal: Auth, tenant_id: Id) -> list[RuleCountOut]:
    """The open refusals counted by rule, the rule with most records first, with where the
    data is fixed and the rule's words."""
    from silta.web.history import rule_groups

    grant = require_tenant(request, principal, tenant_id)
    found = _open_refusals(request, grant.tenant)
    fi = {group.rule_id: group for group in rule_groups(found, "fi")}
    return [
        RuleCountOut(
            rule=group.rule_id,
            register_=group.rule_id.split(".", 1)[0],
            count=group.count,
            where=fix_place(group.rule_id),  # type: ignore[arg-type]
            text_fi=fi[group.rule_id].text,
            text_en=group.text,
        )
        for group in rule_groups(found, "en")
    ]
