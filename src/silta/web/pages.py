"""The HTML pages. Every POST here passes :func:`_guard` (its Origin is this app's, signed
in, valid CSRF token) before its handler runs; the handlers then ask :func:`require_tenant`
for a write grant. Every id in a path is an :data:`~silta.web.access.Id` (404 otherwise)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from silta.domain import (
    INVOICE_SETTINGS,
    Action,
    CustomerDirection,
    InvoiceTransferMode,
    NetvisorInvoiceStatus,
    ProductDirection,
    PurchaseCostMethod,
    PurchaseInvoiceStatus,
    Register,
    SettingError,
    TenantSettings,
)
from silta.endpoints import EndpointNotAllowed, Endpoints, Service
from silta.errors import SiltaError
from silta.failures import describe as describe_failure
from silta.registers.invoice_settings import InvoiceSettings, status_problems
from silta.registers.labels import field_label
from silta.registers.rules import RULES
from silta.store import ApiToken, ConfirmationRefused, History, Holds, LoginThrottled, TokenScope
from silta.store.accounts import valid_email
from silta.sync import previews
from silta.sync.jobs import TenantBusy
from silta.sync.runner import adapter_for
from silta.sync.settings import change_settings
from silta.sync.travel import held_reports, resolve_held
from silta.web import forms, live
from silta.web.access import (
    SESSION_COOKIE,
    Grant,
    Id,
    LoginRequired,
    Principal,
    page_principal,
    require_tenant,
    valid_csrf,
    visible_tenants,
)
from silta.web.app import WebState
from silta.web.changes import SETTING_LABELS, history_rows
from silta.web.hardening import same_origin
from silta.web.health import Health, tenant_health
from silta.web.history import job_id, progress_context
from silta.web.lookups import lookups_context
from silta.web.overview import FILTERS, Sort, company_rows, fleet_page
from silta.web.render import language, render
from silta.web.wording import article_rules, rule_title

__all__ = ["router"]

LOGIN_CSRF_COOKIE = "silta_login_csrf"

# Security events, one line each, for the operator's log: sign-ins (and failed ones, with
# the address counted), refused forms, tokens made and revoked. Typed text is logged with
# %r, so a newline in it cannot forge a line.
audit = logging.getLogger("silta.audit")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _loggable_email(typed: str) -> str:
    """What a failed sign-in logs of the email typed: the address, if it is one; people
    type their password into the email field, and a password must not reach the log."""
    try:
        return valid_email(typed)
    except ValueError:
        return "(not an email address)"


def _web(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


async def _guard(request: Request) -> None:
    """Every POST: from a page of this app, by a signed-in user whose form carries the
    session's CSRF token.

    The origin check comes first and needs no session: a post whose ``Origin`` (or, without
    one, ``Referer``) is another site's, or that has neither, is refused before its form is
    read. The CSRF token alone already stops a forged form; the origin check also stops
    one a same-site page (another app on a sibling subdomain) could build with a token it
    somehow read. The login form has no session yet: it carries a token that must equal a
    cookie set with the form (a double submit), so another site cannot log a browser in as
    someone else.
    """
    if request.method != "POST":
        return
    if not same_origin(
        request.url.scheme,
        request.headers.get("host"),
        request.headers.get("origin"),
        request.headers.get("referer"),
    ):
        audit.warning(
            "form refused: %s %s from %s came from another origin",
            request.method,
            request.url.path,
            _address(request),
        )
        raise HTTPException(status_code=403, detail="origin")
    form = await request.form()
    submitted = form.get("csrf_token")
    submitted = submitted if isinstance(submitted, str) else None
    if request.url.path == "/login":
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not (cookie and submitted and secrets.compare_digest(cookie, submitted)):
            audit.warning("sign-in form refused from %s: no valid CSRF token", _address(request))
            raise HTTPException(status_code=403, detail="csrf")
        return
    principal = page_principal(request)
    if principal is None:
        raise LoginRequired
    if not valid_csrf(principal, submitted):
        audit.warning(
            "form refused: %s by %s from %s: no valid CSRF token",
            request.url.path,
            principal.user.email,
            _address(request),
        )
        raise HTTPException(status_code=403, detail="csrf")


router = APIRouter(dependencies=[Depends(_guard)], include_in_schema=False)


def _principal(request: Request) -> Principal:
    principal = page_principal(request)
    if principal is None:
        raise LoginRequired
    return principal


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


# -- login ----------------------------------------------------------------------------------


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"next": _safe_next(next), "login_csrf": token})
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request)
    )
    return response


def _safe_next(target: str) -> str:
    """Only a path on this site (no open redirect to ``//evil.example``)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.post("/login")
async def login(request: Request) -> Response:
    web = _web(request)
    form = await request.form()
    email, password = _text(form, "email"), _text(form, "password")
    target = _safe_next(_text(form, "next") or "/")
    error: str | None = None
    address = _address(request)
    # the same answer whichever throttle holds: neither tells whether the account exists
    address_wait = web.address_throttle.wait(address)
    try:
        if address_wait is not None:
            raise LoginThrottled(timedelta(seconds=address_wait))
        user = web.accounts.authenticate(email, password)
    except LoginThrottled as exc:
        user = None
        error = "login.throttled"
        seconds = max(1, int(exc.retry_after.total_seconds() + 0.999))
    if user is None:
        audit.warning(
            "sign-in %s: %r from %s",
            "throttled" if error else "failed",
            _loggable_email(email),
            address,
        )
        if error is None:
            error, seconds = "login.failed", 0
            web.address_throttle.failed(address)
            await asyncio.sleep(web.failed_login_delay)
        token = secrets.token_urlsafe(24)
        response = render(
            request,
            "login.html",
            {"next": target, "login_csrf": token, "error": error, "seconds": seconds,
             "email": email},
            status=429 if error == "login.throttled" else 401,
        )  # fmt: skip
        response.set_cookie(
            LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request)
        )
        return response
    # A new session on every login (never the one the browser came with): no fixation.
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        web.accounts.close_session(old)
    token, _session = web.accounts.open_session(user.id)
    audit.info("signed in: %s from %s", user.email, address)
    redirect = RedirectResponse(target, status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=int(web.accounts.session_lifetime.total_seconds()),
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE)
    return redirect


@router.post("/logout")
async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        _web(request).accounts.close_session(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# -- tenants --------------------------------------------------------------------------------


@router.get("/")
async def overview(
    request: Request, q: str = "", state: str | None = None, sort: str | None = None, page: int = 1
) -> Response:
    """The companies the user may see: for an operator the fleet, searched by name, filtered
    by state, sorted by health or last run, paged, with the totals of each state."""
    principal = _principal(request)
    web = _web(request)
    visible = visible_tenants(request, principal)
    latest = History(web.store).latest_runs([tenant.id for tenant, _ in visible])
    rows = company_rows(visible, latest, Holds(web.store).held(), now=_now())
    try:
        wanted = Health(state) if state else None
        order = Sort(sort) if sort else Sort.HEALTH
    except ValueError:
        raise HTTPException(status_code=422, detail="unknown filter or sort") from None
    if wanted is not None and wanted not in FILTERS:
        raise HTTPException(status_code=422, detail="unknown filter")
    fleet = fleet_page(rows, search=q, state=wanted, sort=order, page=page)
    every = web.overview_refresh
    context = {
        # the page fetches its companies again by itself (static/silta.js), sooner while a
        # run goes; <noscript>'s refresh does it without script
        "refresh": max(1, every // 5) if fleet.totals.get(Health.RUNNING) else every,
        "principal": principal,
        "fleet": fleet,
        "q": q,
        "state": state or "",
        "sort": order.value,
        "filters": FILTERS,
        "sorts": list(Sort),
    }
    return render(request, "tenants.html", context)


@router.get("/tenants/{tenant_id}")
async def tenant_home(tenant_id: Id) -> Response:
    return RedirectResponse(f"/tenants/{tenant_id}/settings", status_code=303)


async def _settings_page(
    request: Request,
    principal: Principal,
    grant: Grant,
    *,
    messages: Sequence[tuple[str, ...]] | None = None,
    settings: TenantSettings | None = None,
    status: int = 200,
) -> Response:
    """The tab; ``settings``, when given, is shown instead of the stored settings."""
    web = _web(request)
    tenant = web.store.tenant(grant.tenant.id)
    holds = Holds(web.store).of(tenant.id)
    shown = settings or tenant.settings
    # Severa's invoice statuses, for a KH only (not yet through the lookup cache)
    invoices = _invoice_section() if grant.can_write else {}
    context: dict[str, Any] = {
        **invoices,
        "principal": principal,
        "grant": grant,
        "tenant": tenant,
        "settings": shown,
        # Netvisor's answers as last known, at once; silta.js asks for fresh ones
        # (silta.web.lookups): the tab no longer waits for a slow Netvisor.
        **lookups_context(web.lookups, tenant.id, shown),
        "messages": messages or [],
        "customer_directions": list(CustomerDirection),
        "purchase_statuses": list(PurchaseInvoiceStatus),  # issue 19
        "held_travel": held_reports(web.store, tenant.id),
        "cost_methods": list(PurchaseCostMethod),
        "product_directions": list(ProductDirection),
        "health": tenant_health(
            tenant, web.store.runs(tenant.id, limit=30), now=_now(), held=holds
        ),
        "holds": [holds[register] for register in Register if register in holds],
        "jobs": web.jobs.for_tenant(tenant.id)[:3],
        "registers": list(Register),
        "endpoints": web.endpoints,
        **progress_context(
            request, tenant.id, next((j for j in web.jobs.for_tenant(tenant.id) if j.going), None)
        ),
    }
    return render(request, "settings.html", context, status=status)


def _now() -> datetime:
    return datetime.now(UTC)


def _invoice_section() -> dict[str, Any]:
    """The invoice transfer's section (KH only); Severa's statuses to choose from come with
    the tab's lookups (silta.web.lookups), so the tab never waits for Severa."""
    return {
        "invoice_modes": list(InvoiceTransferMode),
        "invoice_netvisor_statuses": list(NetvisorInvoiceStatus),
        "invoice_vat_fields": [name for name in INVOICE_SETTINGS if "_vat_" in name],
    }


@router.get("/tenants/{tenant_id}/settings")
async def settings_tab(request: Request, tenant_id: Id, confirmed: str | None = None) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id)
    messages = []
    if confirmed in {register.value for register in Register}:
        t_lang = language(request)
        name = _fmt(t_lang, f"register.{confirmed}")
        messages.append(("ok", _fmt(t_lang, "confirm.done", register=name)))
    return await _settings_page(request, principal, grant, messages=messages)


# The tab's own words for the settings, to name a refused one as the form does.
_SETTING_LABELS = SETTING_LABELS


def _setting_error(exc: SettingError, lang: str) -> str:
    """A refused setting in the page's language: the tab's label, the value, and what is
    allowed in the tab's words (the options' texts, not their stored values)."""
    label = _fmt(lang, _SETTING_LABELS[exc.field]) if exc.field in _SETTING_LABELS else None
    if label is None:
        return _fmt(lang, "settings.unknown_field")
    choices = {"customers": CustomerDirection, "products": ProductDirection}.get(exc.field)
    if choices is not None:
        allowed = ", ".join(_fmt(lang, f"dir.{choice.value}") for choice in choices)
    elif isinstance(exc.value, str) and exc.field in forms.CHECKBOXES:
        allowed = _fmt(lang, "settings.checkbox_allowed")
    else:
        allowed = exc.allowed_en if lang == "en" else exc.allowed_fi
    value = exc.value if isinstance(exc.value, str) else str(exc.value)
    return _fmt(lang, "settings.refused", field=label, value=value[:100], allowed=allowed)


@router.post("/tenants/{tenant_id}/settings")
async def save_settings(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    web = _web(request)
    form = await request.form()
    t_lang = language(request)
    try:
        settings = forms.settings_from_form(form, grant.tenant.settings)
    except SettingError as exc:
        error = _fmt(t_lang, "settings.invalid", error=_setting_error(exc, t_lang))
        return await _settings_page(
            request, principal, grant, messages=[("error", error)], status=422
        )
    change = change_settings(web.store, tenant_id, settings, changed_by=principal.user.email)
    if not change.changed:
        messages = [("ok", _fmt(t_lang, "settings.unchanged"))]
    else:
        messages = [("ok", _fmt(t_lang, "settings.saved", version=change.version.version))]
        if change.full_next:
            names = ", ".join(
                _fmt(t_lang, f"register.{register.value}")
                for register in Register
                if register in change.full_next
            )
            messages.append(("info", _fmt(t_lang, "settings.full_next", registers=names)))
        if change.held:
            names = ", ".join(
                _fmt(t_lang, f"register.{register.value}")
                for register in Register
                if register in change.held
            )
            messages.append(("warn", _fmt(t_lang, "settings.held", registers=names)))
    return await _settings_page(request, principal, grant, messages=messages)


@router.post("/tenants/{tenant_id}/invoices")
async def save_invoice_settings(request: Request, tenant_id: Id) -> Response:
    """The invoice transfer's section (KH only). Turning it on needs both statuses, and a
    *ready* status that numbers invoices and keeps them read-only (invoices.md §5.1);
    turning it on or changing a status holds the transfer until a preview is confirmed."""
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    web = _web(request)
    form = await request.form()
    t_lang = language(request)

    async def refused(error: str) -> Response:
        return await _settings_page(request, principal, grant, messages=[("error", error)],
                                    status=422)  # fmt: skip

    try:
        settings = forms.invoice_settings_from_form(form, grant.tenant.settings)
    except SettingError as exc:
        label = _fmt(t_lang, "invoices." + exc.field.removeprefix("invoices_"))
        return await refused(
            _fmt(t_lang, "settings.invalid", error=exc.message(t_lang, label=label))
        )
    if settings.invoices_enabled:
        try:
            chosen = InvoiceSettings.of_tenant(settings)
        except ValueError:
            return await refused(_fmt(t_lang, "invoices.statuses_needed"))
        try:
            statuses = await live.invoice_statuses(web.store, grant.tenant, web.http,
                                                   web.endpoints)  # fmt: skip
        except (SiltaError, TimeoutError) as exc:  # said by its category, never echoed
            error = describe_failure(live.failure_category(exc), "severa", t_lang)
            return await refused(_fmt(t_lang, "invoices.statuses_unavailable", error=error))
        problems = status_problems(chosen, statuses)
        if problems:
            texts = "; ".join(p.message_en if t_lang == "en" else p.message_fi for p in problems)
            return await refused(_fmt(t_lang, "invoices.status_refused", problems=texts))
    change = change_settings(web.store, tenant_id, settings, changed_by=principal.user.email)
    messages = [("ok", _fmt(t_lang, "settings.unchanged"))]
    if change.changed:
        messages = [("ok", _fmt(t_lang, "settings.saved", version=change.version.version))]
        if Register.INVOICES in change.held:
            names = _fmt(t_lang, "register.invoices")
            messages.append(("warn", _fmt(t_lang, "settings.held", registers=names)))
    return await _settings_page(request, principal, grant, messages=messages)


@router.post("/tenants/{tenant_id}/credentials")
async def save_credentials(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    web = _web(request)
    form = await request.form()
    t_lang = language(request)
    try:
        netvisor, severa = forms.connections(
            forms.connection_values(form), grant.tenant, web.endpoints
        )
    except ValueError as exc:
        error = _connection_error(exc, t_lang, web.endpoints)
        message = ("error", _fmt(t_lang, "cred.invalid", error=error))
        return await _settings_page(request, principal, grant, messages=[message], status=422)
    before = web.store.tenant_events(tenant_id)
    web.store.update_connections(
        tenant_id, netvisor=netvisor, severa=severa, changed_by=principal.user.email
    )
    changed = len(web.store.tenant_events(tenant_id)) > len(before)
    if changed:
        audit.info(
            "connections of tenant %s changed by %s from %s",
            tenant_id,
            principal.user.email,
            _address(request),
        )
    key = "cred.saved" if changed else "cred.unchanged"
    return await _settings_page(request, principal, grant, messages=[("ok", _fmt(t_lang, key))])


def _connection_error(exc: ValueError, lang: str, endpoints: Endpoints) -> str:
    """Why the credentials form was refused, in the page's language, fields by their labels."""

    def label(field: str | None) -> str:
        return _fmt(lang, f"cred.{field}") if field else "–"

    if isinstance(exc, EndpointNotAllowed):
        field = exc.field or ""
        service: Service = "netvisor" if field.startswith("netvisor") else "severa"
        return _fmt(
            lang,
            "cred.address_refused",
            field=label(field),
            service=service.capitalize(),
            allowed=", ".join(endpoints.allowed(service)),
        )
    if isinstance(exc, forms.ConnectionRefused) and exc.reason == "needs_secrets":
        names = _fmt(lang, "cred.and").join(label(name) for name in exc.names)
        return _fmt(lang, "cred.needs_secrets", field=label(exc.field), secrets=names)
    if isinstance(exc, forms.ConnectionRefused) and exc.field:
        return _fmt(lang, "cred.field_invalid", field=label(exc.field))
    return _fmt(lang, "cred.form_invalid")


def _probe_words(probe: live.Probe, lang: str) -> str:
    if probe.category == "configuration":  # the stored address is no longer allowed
        return _fmt(lang, "cred.address_stale", service=probe.service)
    return describe_failure(probe.category, probe.service.lower(), lang)


@router.post("/tenants/{tenant_id}/test-connection")
async def test_connection(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    web = _web(request)
    t_lang = language(request)
    probes = await live.test_connection(web.store, grant.tenant, web.http, web.endpoints)
    # a failure in words (its category); the client's own text is the technical detail
    messages = [
        ("ok", _fmt(t_lang, "cred.test_ok", service=probe.service))
        if probe.ok
        else ("error", _fmt(t_lang, "cred.test_failed", service=probe.service,
                            error=_probe_words(probe, t_lang)), probe.message or "")
        for probe in probes
    ]  # fmt: skip
    return await _settings_page(request, principal, grant, messages=messages)


@router.get("/tenants/{tenant_id}/pause")
async def pause_page(request: Request, tenant_id: Id) -> Response:
    """The question before pausing: what pausing stops, and the button that does it. The
    tab's "Keskeytä ajot" leads here (a plain GET form: no script needed to be asked)."""
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    context = {"principal": principal, "grant": grant, "tenant": grant.tenant}
    return render(request, "pause.html", context)


@router.post("/tenants/{tenant_id}/pause")
async def pause(request: Request, tenant_id: Id) -> Response:
    """Pause (only when the form says the user confirmed it) or resume the tenant's runs."""
    principal = _principal(request)
    require_tenant(request, principal, tenant_id, write=True)
    form = await request.form()
    paused = _text(form, "paused") == "1"
    if paused and _text(form, "confirmed") != "1":  # not asked yet: ask first
        return RedirectResponse(f"/tenants/{tenant_id}/pause", status_code=303)
    _web(request).store.set_paused(tenant_id, paused, changed_by=principal.user.email)
    return RedirectResponse(f"/tenants/{tenant_id}/settings", status_code=303)


def _registers(form: FormData) -> tuple[Register, ...]:
    chosen = _text(form, "register") or "all"
    if chosen == "all":
        return tuple(Register)
    try:
        return (Register(chosen),)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"unknown register {chosen!r}") from None


@router.post("/tenants/{tenant_id}/sync")
async def sync_now(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    require_tenant(request, principal, tenant_id, write=True)
    form = await request.form()
    registers = _registers(form)
    held = Holds(_web(request).store).of(tenant_id)
    waiting = next((register for register in registers if register in held), None)
    if waiting is not None:  # the same confirmation as the scheduler's, then the sync
        chosen = _text(form, "register") or "all"
        return RedirectResponse(
            f"/tenants/{tenant_id}/confirm/{waiting.value}?sync={chosen}", status_code=303
        )
    try:
        job = await _web(request).jobs.start(
            tenant_id, registers=registers, trigger=f"sync now: {principal.user.email}"
        )
    except TenantBusy:
        return RedirectResponse(f"/tenants/{tenant_id}/runs?busy=1", status_code=303)
    return RedirectResponse(f"/tenants/{tenant_id}/runs?job={job.id}", status_code=303)


@router.post("/tenants/{tenant_id}/preview")
async def start_preview(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    require_tenant(request, principal, tenant_id, write=True)
    form = await request.form()
    try:
        job = await _web(request).jobs.start(
            tenant_id,
            registers=_registers(form),
            dry_run=True,
            trigger=f"preview: {principal.user.email}",
        )
    except TenantBusy:
        return RedirectResponse(f"/tenants/{tenant_id}/preview?busy=1", status_code=303)
    return RedirectResponse(f"/tenants/{tenant_id}/preview?job={job.id}", status_code=303)


@router.get("/tenants/{tenant_id}/preview")
async def preview(request: Request, tenant_id: Id, job: str | None = None) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id)
    web = _web(request)
    wanted = job_id(job)
    current = web.jobs.get(wanted) if wanted is not None else None
    if current is not None and current.tenant_id != tenant_id:
        current = None
    if current is not None:
        run_ids = current.run_ids
    else:  # the newest preview of each register
        latest: dict[Register, int] = {}
        for run in web.store.runs(tenant_id, limit=50):
            if run.dry_run and run.register not in latest:
                latest[run.register] = run.id
        run_ids = [latest[r] for r in Register if r in latest]
    runs = [web.store.run(run_id) for run_id in run_ids]
    sections = [
        {
            "run": run,
            "entries": [
                entry for entry in web.store.entries(run.id) if entry.action is not Action.UNCHANGED
            ],
        }
        for run in runs
    ]
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "job": current,
        "sections": sections,
        "busy": request.query_params.get("busy") == "1",
        "registers": list(Register),
        **progress_context(request, tenant_id, current),
    }
    return render(request, "preview.html", context)


# -- confirming a held register (silta.confirmation) ------------------------------------------


def _sync_choice(value: str | None) -> str | None:
    """The "sync now" choice carried through a confirmation: ``all`` or a register."""
    if value in ("all", *(register.value for register in Register)):
        return value
    return None


@router.get("/tenants/{tenant_id}/confirm/{register}")
async def confirm_page(
    request: Request,
    tenant_id: Id,
    register: Register,
    job: int | None = None,
    refused: str | None = None,
    sync: str | None = None,
) -> Response:
    """What the next run of a held register would write, and the button that allows it."""
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id)
    web = _web(request)
    hold = Holds(web.store).of(tenant_id).get(register)
    current = web.jobs.get(job) if job is not None else None
    if current is not None and current.tenant_id != tenant_id:
        current = None
    preview = previews.preview_for(web.store, hold) if hold is not None else None
    entries = previews.writes_of(web.store, preview.id) if preview is not None else []
    counts = {action.value: 0 for action in previews.WRITING}
    for entry in entries:
        counts[entry.action.value] += 1
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "register": register,
        "hold": hold,
        "job": current,
        "preview": preview,
        "entries": entries,
        "counts": counts,
        "refused": refused if refused in ConfirmationRefused.REASONS else None,
        "sync": _sync_choice(sync),
        "busy": request.query_params.get("busy") == "1",
    }
    return render(request, "confirm.html", context)


@router.post("/tenants/{tenant_id}/confirm/{register}/preview")
async def confirm_preview(request: Request, tenant_id: Id, register: Register) -> Response:
    """A dry run of the held register, to be confirmed on the page it returns to."""
    principal = _principal(request)
    require_tenant(request, principal, tenant_id, write=True)
    form = await request.form()
    sync = _sync_choice(_text(form, "sync"))
    back = f"/tenants/{tenant_id}/confirm/{register.value}"
    carry = f"&sync={sync}" if sync else ""
    try:
        job = await _web(request).jobs.start(
            tenant_id,
            registers=(register,),
            dry_run=True,
            trigger=f"preview to confirm: {principal.user.email}",
        )
    except TenantBusy:
        return RedirectResponse(f"{back}?busy=1{carry}", status_code=303)
    return RedirectResponse(f"{back}?job={job.id}{carry}", status_code=303)


@router.post("/tenants/{tenant_id}/confirm/{register}")
async def confirm(request: Request, tenant_id: Id, register: Register) -> Response:
    """The KH has seen preview ``run_id``: the register may write again."""
    principal = _principal(request)
    require_tenant(request, principal, tenant_id, write=True)
    web = _web(request)
    form = await request.form()
    sync = _sync_choice(_text(form, "sync"))
    carry = f"&sync={sync}" if sync else ""
    run_id = _text(form, "run_id")
    try:
        if not (run_id.isascii() and run_id.isdigit()):
            raise ConfirmationRefused("not_preview", f"{run_id!r} is no run")
        Holds(web.store).confirm(tenant_id, register, run_id=int(run_id), by=principal.user.email)
    except ConfirmationRefused as exc:
        return RedirectResponse(
            f"/tenants/{tenant_id}/confirm/{register.value}?refused={exc.reason}{carry}",
            status_code=303,
        )
    if sync is None:
        return RedirectResponse(
            f"/tenants/{tenant_id}/settings?confirmed={register.value}", status_code=303
        )
    chosen = tuple(Register) if sync == "all" else (Register(sync),)
    held = Holds(web.store).of(tenant_id)
    waiting = next((other for other in chosen if other in held), None)
    if waiting is not None:  # another register of the sync waits too
        return RedirectResponse(
            f"/tenants/{tenant_id}/confirm/{waiting.value}?sync={sync}", status_code=303
        )
    try:
        job = await web.jobs.start(
            tenant_id, registers=chosen, trigger=f"sync now: {principal.user.email}"
        )
    except TenantBusy:
        return RedirectResponse(f"/tenants/{tenant_id}/runs?busy=1", status_code=303)
    return RedirectResponse(f"/tenants/{tenant_id}/runs?job={job.id}", status_code=303)


@router.post("/tenants/{tenant_id}/confirmations")
async def confirmations(request: Request, tenant_id: Id) -> Response:
    """The operator waives (or requires again) confirmations for the tenant."""
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    if not grant.operator:
        raise HTTPException(status_code=403, detail="only an operator may waive confirmations")
    form = await request.form()
    waived = _text(form, "waived")
    if waived not in ("0", "1"):
        raise HTTPException(status_code=422, detail="waived: 0 or 1")
    Holds(_web(request).store).waive(tenant_id, waived == "1", by=principal.user.email)
    return RedirectResponse(f"/tenants/{tenant_id}/settings", status_code=303)


@router.get("/tenants/{tenant_id}/history")
async def history(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id)
    web = _web(request)
    versions = web.store.settings_history(tenant_id)
    events = web.store.tenant_events(tenant_id)
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        # settings versions and tenant events in one list, newest first, in words
        "rows": history_rows(versions, events, language(request)),
    }
    return render(request, "history.html", context)


@router.get("/tenants/{tenant_id}/fix/{rule_id}")
async def fix(request: Request, tenant_id: Id, rule_id: str) -> Response:
    """What a refusal rule asks to be fixed, and the records it refuses now: those whose
    newest real outcome it refused (:meth:`silta.store.History.open_refusals`)."""
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id)
    rule = RULES.get(rule_id)
    if rule is None:
        raise HTTPException(status_code=404, detail="no such rule")
    web = _web(request)
    try:
        register: Register | None = Register(rule_id.split(".", 1)[0])
    except ValueError:  # a rule of a register this version does not sync yet
        register = None
    refused = []
    if register is not None:
        refused = [
            (found.run, found.entry, refusal)
            for found in History(web.store).open_refusals(tenant_id, [register])
            for refusal in found.entry.refusals
            if refusal.rule == rule_id
        ]
    system = forms.fix_place(rule_id)
    lang = language(request)
    # the rule's message without a record: its placeholders read as "…"
    rule_text = re.sub(r"\{[^}]*\}", "…", rule.fi if lang == "fi" else rule.en)
    label = field_label(register, rule.field, lang) if register and rule.field else None
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "rule": rule,
        "rule_text": rule_text,
        "rule_title": rule_title(rule_text, lang),
        "article_rules": article_rules(rule.source, lang),
        # the field in the article's words, when there are words for it
        "rule_field": label if label != rule.field else None,
        "system": system,
        "refused": refused,
        "switched_on": register is not None
        and adapter_for(register, grant.tenant.settings) is not None,
    }
    return render(request, "fix.html", context)


# -- API tokens -----------------------------------------------------------------------------
#
# A KH manages their own tokens for the tenant here; an operator sees and revokes everyone's
# bound to it. A token made here reaches this tenant only. Viewers have no tokens page: the
# issue gives token management to the KH.

TOKEN_DAYS = (7, 30, 90, 180, 366)  # the lifetimes offered; the default is WebState's


def _tokens_of(request: Request, principal: Principal, tenant_id: int) -> list[ApiToken]:
    """The tokens this principal may manage on the tenant's page: an operator's are everyone's
    bound to the tenant plus their own; a KH's their own bound to it or to all their
    tenants."""
    accounts = _web(request).accounts
    own = [
        token
        for token in accounts.api_tokens(principal.user.email)
        if token.tenant_id in (None, tenant_id)
    ]
    if not principal.user.operator:
        return own
    bound = accounts.api_tokens(tenant_id=tenant_id)
    return sorted({token.id: token for token in (*bound, *own)}.values(), key=lambda t: t.id)


async def _tokens_page(
    request: Request,
    principal: Principal,
    grant: Grant,
    *,
    messages: list[tuple[str, str]] | None = None,
    new_token: str | None = None,
    status: int = 200,
) -> Response:
    web = _web(request)
    context = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "tokens": _tokens_of(request, principal, grant.tenant.id),
        "now": _now(),
        "messages": messages or [],
        "new_token": new_token,
        "days": TOKEN_DAYS,
        "default_days": web.token_lifetime.days,
        "scopes": list(TokenScope),
    }
    return render(request, "tokens.html", context, status=status)


@router.get("/tenants/{tenant_id}/tokens")
async def tokens(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    revoked = request.query_params.get("revoked") == "1"
    messages = [("ok", _fmt(language(request), "tokens.revoked"))] if revoked else []
    return await _tokens_page(request, principal, grant, messages=messages)


@router.post("/tenants/{tenant_id}/tokens")
async def create_token(request: Request, tenant_id: Id) -> Response:
    """A new token of the signed-in user, bound to this tenant, shown once on the page."""
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    form = await request.form()
    t_lang = language(request)
    days_text = _text(form, "days") or str(_web(request).token_lifetime.days)
    try:
        # the page's own checks first, so that each says why in the page's language
        name = _text(form, "name")
        if not name or len(name) > 200:
            raise ValueError(_fmt(t_lang, "tokens.name_invalid"))
        if _text(form, "scope") not in ("", *(scope.value for scope in TokenScope)):
            raise ValueError(_fmt(t_lang, "tokens.scope_invalid"))
        scope = TokenScope(_text(form, "scope") or TokenScope.READ.value)
        if not (days_text.isascii() and days_text.isdigit() and 1 <= int(days_text) <= 366):
            raise ValueError(_fmt(t_lang, "tokens.days_invalid"))
        secret = _web(request).accounts.create_api_token(
            principal.user.email,
            _text(form, "name"),
            scope=scope,
            lifetime=timedelta(days=int(days_text)),
            tenant=tenant_id,
        )
    except ValueError as exc:
        message = ("error", _fmt(t_lang, "tokens.invalid", error=str(exc)))
        return await _tokens_page(request, principal, grant, messages=[message], status=422)
    made = _web(request).accounts.api_tokens(principal.user.email)[-1]
    audit.info(
        "API token %s made by %s from %s: %s, tenant %s, until %s",
        made.id,
        principal.user.email,
        _address(request),
        made.scope.value,
        tenant_id,
        made.expires_at.isoformat(),
    )
    message = ("ok", _fmt(t_lang, "tokens.created_ok"))
    return await _tokens_page(request, principal, grant, messages=[message], new_token=secret)


@router.post("/tenants/{tenant_id}/tokens/{token_id}/revoke")
async def revoke_token(request: Request, tenant_id: Id, token_id: Id) -> Response:
    """Revoke a token listed on this tenant's page (404 for any other: it is not there)."""
    principal = _principal(request)
    require_tenant(request, principal, tenant_id, write=True)
    token = next((t for t in _tokens_of(request, principal, tenant_id) if t.id == token_id), None)
    if token is None:
        raise HTTPException(status_code=404, detail="no such token")
    _web(request).accounts.revoke_api_token(token.email, token.id)
    audit.info(
        "API token %s of %s revoked by %s from %s",
        token.id,
        token.email,
        principal.user.email,
        _address(request),
    )
    return RedirectResponse(f"/tenants/{tenant_id}/tokens?revoked=1", status_code=303)


# -- helpers --------------------------------------------------------------------------------


_text = forms.text


def _fmt(lang: str, key: str, **values: object) -> str:
    from silta.web.i18n import translator

    return translator(lang)(key, **values)


# -- issue 19: the KH's answer for a travel report held after an unknown outcome ----------


@router.post("/tenants/{tenant_id}/travel-held/{guid}")
async def answer_held_travel(request: Request, tenant_id: Id, guid: str) -> Response:
    """Netvisor has no read of travel invoices: the KH looks and says whether the report is
    there (never sent again) or not (sent on the next run). A report no longer held, or an
    answer that is neither, changes nothing."""
    principal = _principal(request)
    require_tenant(request, principal, tenant_id, write=True)
    form = await request.form()
    answer = _text(form, "answer")
    if answer in ("transferred", "send_again"):
        with contextlib.suppress(KeyError):
            resolve_held(_web(request).store, tenant_id, guid, transferred=answer == "transferred")
    return RedirectResponse(f"/tenants/{tenant_id}/settings", status_code=303)
