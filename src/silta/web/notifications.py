"""The notification settings of a company: a page for its KH (viewers read it) and the same
in the JSON API.

The page's POSTs pass the pages' own guard (:func:`silta.web.pages._guard`: origin, session,
CSRF token) before their handlers run; the API's routes the API's scope guard. Both ask
:func:`~silta.web.access.require_tenant` for a write grant to change anything. A webhook
address must be one the operator allows (``SILTA_WEBHOOK_URLS``; none by default): checked
here, where it is typed, and again before every send. The webhook's signing secret is
shown once, when it is made (saving a first webhook makes one), never again.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import attrs
from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.datastructures import FormData

from silta.notify.settings import (
    EVENTS,
    PERIODS,
    NotificationSettingError,
    NotificationSettings,
    Recipient,
)
from silta.store.notifications import Notifications
from silta.web.access import Grant, Id, Principal, require_tenant
from silta.web.api import Auth, _scope_guard
from silta.web.app import WebState
from silta.web.pages import _guard, _principal
from silta.web.render import language, render

__all__ = ["api_router", "router"]

audit = logging.getLogger("silta.audit")

router = APIRouter(dependencies=[Depends(_guard)], include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["v1"], dependencies=[Depends(_scope_guard)])


def _web(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _checked(web: WebState, settings: NotificationSettings) -> NotificationSettings:
    """The settings, if their webhook address is one the operator allows."""
    url = settings.webhook_url
    if url is not None and not web.notify.webhooks.permits(url):
        allowed = ", ".join(web.notify.webhooks.allowed)
        fi_allowed = f"sallitut: {allowed}" if allowed else "ylläpitäjä ei ole sallinut yhtään"
        en_allowed = f"allowed: {allowed}" if allowed else "the operator has allowed none"
        raise NotificationSettingError(
            "webhook_url",
            f"osoite ei ole ylläpitäjän sallima ({fi_allowed}; SILTA_WEBHOOK_URLS)",
            f"not an address the operator allows ({en_allowed}; SILTA_WEBHOOK_URLS)",
        )
    return settings


def _save(
    web: WebState, grant: Grant, principal: Principal, settings: NotificationSettings
) -> str | None:
    """Store the settings; a webhook's first secret, made now, to show once (else None)."""
    notifications = Notifications(web.store)
    notifications.save(grant.tenant.id, settings, by=principal.user.email)
    audit.info(
        "notification settings of tenant %s changed by %s: %d recipient(s), events %s, "
        "every %d min, webhook %s",
        grant.tenant.id,
        principal.user.email,
        len(settings.recipients),
        ",".join(sorted(settings.events)) or "none",
        settings.period_minutes,
        "set" if settings.webhook_url else "none",
    )
    stored = notifications.get(grant.tenant.id)
    if settings.webhook_url is not None and stored is not None and not stored.has_secret:
        return notifications.new_secret(grant.tenant.id, by=principal.user.email)
    return None


# -- the page -------------------------------------------------------------------------------


def _form_settings(form: FormData) -> NotificationSettings:
    """The form's fields as settings: recipients one a line (``address [fi|en]``)."""
    recipients = []
    text = form.get("recipients")
    for line in (text if isinstance(text, str) else "").splitlines():
        words = line.replace(",", " ").replace(";", " ").split()
        if not words:
            continue
        if len(words) > 2:
            raise NotificationSettingError(
                "recipients",
                f"rivillä {line.strip()!r} on liikaa sanoja: osoite ja kieli (fi tai en)",
                f"the line {line.strip()!r} has too many words: an address and a language "
                "(fi or en)",
            )
        recipients.append(Recipient(words[0], words[1].lower() if len(words) == 2 else "fi"))
    period = form.get("period_minutes")
    period_text = period if isinstance(period, str) else ""
    if not (period_text.isascii() and period_text.isdigit()):
        period_text = "0"  # refused below, with the allowed values
    webhook = form.get("webhook_url")
    webhook_url = webhook.strip() if isinstance(webhook, str) else ""
    return NotificationSettings(
        recipients=tuple(recipients),
        events=frozenset(value for value in form.getlist("events") if isinstance(value, str)),
        period_minutes=int(period_text),
        webhook_url=webhook_url or None,
    )


@attrs.frozen
class _Draft:
    """What a refused form held, shown again as typed: nothing the user entered is lost."""

    recipients: tuple[Recipient, ...]
    events: frozenset[str]
    period_minutes: int | None
    webhook_url: str | None


def _draft(form: FormData) -> _Draft:
    period = form.get("period_minutes")
    webhook = form.get("webhook_url")
    return _Draft(
        recipients=(),
        events=frozenset(value for value in form.getlist("events") if isinstance(value, str)),
        period_minutes=int(period) if isinstance(period, str) and period.isdigit() else None,
        webhook_url=webhook if isinstance(webhook, str) else None,
    )


def _page(
    request: Request,
    principal: Principal,
    grant: Grant,
    *,
    form: NotificationSettings | _Draft | None = None,
    recipients_text: str | None = None,
    messages: list[tuple[str, str]] | None = None,
    new_secret: str | None = None,
    status: int = 200,
) -> Response:
    web = _web(request)
    notifications = Notifications(web.store)
    stored = notifications.get(grant.tenant.id)
    settings = form or (stored.settings if stored else NotificationSettings())
    if recipients_text is None:
        recipients_text = "\n".join(
            f"{recipient.email} {recipient.language}" for recipient in settings.recipients
        )
    lang = language(request)
    context: dict[str, Any] = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "settings": settings,
        "stored": stored,
        "recipients_text": recipients_text,
        "events": [(key, texts[0] if lang == "fi" else texts[1]) for key, texts in EVENTS.items()],
        "periods": [
            (minutes, texts[0] if lang == "fi" else texts[1]) for minutes, texts in PERIODS.items()
        ],
        "mail_ready": web.notify.smtp is not None,
        "links_ready": web.notify.public_url is not None,
        "allowed_webhooks": web.notify.webhooks.allowed,
        "pending": notifications.pending_events(grant.tenant.id),
        "deliveries": notifications.deliveries(grant.tenant.id),
        "messages": messages or [],
        "new_secret": new_secret,
    }
    return render(request, "notifications.html", context, status=status)


@router.get("/tenants/{tenant_id}/notifications")
async def notifications_page(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id)
    saved = request.query_params.get("saved") == "1"
    messages = [("ok", _t(request, "notify.saved"))] if saved else []
    return _page(request, principal, grant, messages=messages)


@router.post("/tenants/{tenant_id}/notifications")
async def save_notifications(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    form = await request.form()
    text = form.get("recipients")
    recipients_text = text if isinstance(text, str) else ""
    web = _web(request)
    try:
        settings = _checked(web, _form_settings(form))
    except NotificationSettingError as exc:
        message = ("error", exc.message(language(request)))
        return _page(
            request,
            principal,
            grant,
            form=_draft(form),
            recipients_text=recipients_text,
            messages=[message],
            status=422,
        )
    secret = _save(web, grant, principal, settings)
    messages = [("ok", _t(request, "notify.saved"))]
    return _page(request, principal, grant, messages=messages, new_secret=secret)


@router.post("/tenants/{tenant_id}/notifications/secret")
async def new_webhook_secret(request: Request, tenant_id: Id) -> Response:
    """A new signing secret for the webhook (the old one stops working at once)."""
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    secret = Notifications(_web(request).store).new_secret(tenant_id, by=principal.user.email)
    audit.info("webhook secret of tenant %s replaced by %s", tenant_id, principal.user.email)
    messages = [("ok", _t(request, "notify.secret_made"))]
    return _page(request, principal, grant, messages=messages, new_secret=secret)


def _t(request: Request, key: str) -> str:
    from silta.web.i18n import translator

    return translator(language(request))(key)


# -- the API --------------------------------------------------------------------------------


class RecipientOut(BaseModel):
    email: str
    language: str


class DeliveryOut(BaseModel):
    id: int
    created_at: str
    events: int
    state: str
    attempts: int
    sent_at: str | None
    last_error: str | None


class NotificationsOut(BaseModel):
    recipients: list[RecipientOut]
    events: list[str]
    period_minutes: int
    webhook_url: str | None
    webhook_secret_set: bool
    mail_configured: bool
    pending_events: int
    deliveries: list[DeliveryOut]


class SecretOut(BaseModel):
    webhook_secret: str  # shown once


def _out(web: WebState, tenant_id: int) -> NotificationsOut:
    notifications = Notifications(web.store)
    stored = notifications.get(tenant_id)
    settings = stored.settings if stored else NotificationSettings()
    return NotificationsOut(
        recipients=[RecipientOut(**r.as_json()) for r in settings.recipients],
        events=sorted(settings.events),
        period_minutes=settings.period_minutes,
        webhook_url=settings.webhook_url,
        webhook_secret_set=bool(stored and stored.has_secret),
        mail_configured=web.notify.smtp is not None,
        pending_events=notifications.pending_events(tenant_id),
        deliveries=[
            DeliveryOut(
                id=d.id,
                created_at=d.created_at.isoformat(),
                events=d.events,
                state=d.state,
                attempts=d.attempts,
                sent_at=d.sent_at.isoformat() if d.sent_at else None,
                last_error=d.last_error,
            )
            for d in notifications.deliveries(tenant_id)
        ],
    )


_BODY_SCHEMA = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "recipients": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "email": {"type": "string"},
                                    "language": {"type": "string", "enum": ["fi", "en"]},
                                },
                                "required": ["email"],
                            },
                        },
                        "events": {"type": "array", "items": {"enum": list(EVENTS)}},
                        "period_minutes": {"type": "integer", "enum": list(PERIODS)},
                        "webhook_url": {"type": ["string", "null"]},
                    },
                }
            }
        }
    }
}


@api_router.get("/tenants/{tenant_id}/notifications")
async def get_notifications(request: Request, principal: Auth, tenant_id: Id) -> NotificationsOut:
    require_tenant(request, principal, tenant_id)
    return _out(_web(request), tenant_id)


@api_router.put("/tenants/{tenant_id}/notifications", openapi_extra=_BODY_SCHEMA)
async def put_notifications(
    request: Request,
    principal: Auth,
    tenant_id: Id,
    body: Annotated[dict[str, Any], Body()],
) -> NotificationsOut:
    """Replace the settings (a field left out takes its default); a first webhook makes its
    secret, which ``POST .../notifications/secret`` replaces and shows once."""
    grant = require_tenant(request, principal, tenant_id, write=True)
    web = _web(request)
    try:
        settings = _checked(web, NotificationSettings.from_json(body))
    except NotificationSettingError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    _save(web, grant, principal, settings)
    return _out(web, tenant_id)


@api_router.post("/tenants/{tenant_id}/notifications/secret")
async def post_webhook_secret(request: Request, principal: Auth, tenant_id: Id) -> SecretOut:
    require_tenant(request, principal, tenant_id, write=True)
    secret = Notifications(_web(request).store).new_secret(tenant_id, by=principal.user.email)
    audit.info("webhook secret of tenant %s replaced by %s (API)", tenant_id, principal.user.email)
    return SecretOut(webhook_secret=secret)
