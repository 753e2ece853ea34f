"""People: a company's KH invites viewers and other KH by a one-time link, and removes members.

A KH (or an operator) of a tenant lists its members and pending invitations on the people
page, invites an email as a viewer or a KH (never an operator: that flag is the operator's
CLI's), revokes an invitation and removes a member, but never the last KH
(:class:`silta.store.Invitations` keeps those rules whoever asks). The link is mailed through
``SILTA_SMTP_URL`` when mail is configured, and shown on the page to copy otherwise (or when
the mail could not be sent); its address is ``SILTA_PUBLIC_URL``'s, else this request's.

The invitee opens ``/invitations/<token>``, which needs no session: a new user sets a
password, someone with an account signs in with theirs (throttled like the login form); then
the invitation is used up and the browser is signed in. That form is guarded as the login
form is: its ``Origin`` must be this app's and it carries a token that must equal a cookie
set with the form (a double submit), so another site cannot make a browser accept.
"""

from __future__ import annotations

import asyncio
import secrets
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from silta.notify.smtp import send_messages
from silta.store import (
    DuplicateUser,
    Invitation,
    InvitationInvalid,
    Invitations,
    LastKh,
    LoginThrottled,
    Role,
    WeakPassword,
)
from silta.store.accounts import MIN_PASSWORD_LENGTH
from silta.store.invitations import AlreadyMember
from silta.web import forms
from silta.web.access import SESSION_COOKIE, Grant, Id, Principal, require_tenant
from silta.web.app import WebState
from silta.web.hardening import same_origin
from silta.web.i18n import translator
from silta.web.pages import _address, _guard, _principal, _secure, audit
from silta.web.render import language, render

__all__ = ["public_router", "router"]

INVITE_CSRF_COOKIE = "silta_invite_csrf"
_ROLES = (Role.VIEWER, Role.KH)  # what a KH may give; never the operator flag


def _web(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _invitations(request: Request) -> Invitations:
    web = _web(request)
    return Invitations(web.accounts, lifetime=web.invitation_lifetime)


router = APIRouter(dependencies=[Depends(_guard)], include_in_schema=False)


# -- the KH's page ----------------------------------------------------------------------------


async def _people_page(
    request: Request,
    principal: Principal,
    grant: Grant,
    *,
    messages: list[tuple[str, str]] | None = None,
    link: str | None = None,
    status: int = 200,
) -> Response:
    web = _web(request)
    members = web.accounts.members(grant.tenant.id)
    khs = sum(1 for member in members if member.role is Role.KH)
    context: dict[str, Any] = {
        "principal": principal,
        "grant": grant,
        "tenant": grant.tenant,
        "members": members,
        "last_kh": khs <= 1,
        "invitations": _invitations(request).pending(grant.tenant.id),
        "now": web.store._now(),
        "messages": messages or [],
        "link": link,
        "roles": _ROLES,
        "mail": web.notify.smtp is not None,
        "days": web.invitation_lifetime.days,
    }
    return render(request, "people.html", context, status=status)


@router.get("/tenants/{tenant_id}/people")
async def people(request: Request, tenant_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    t = translator(language(request))
    done = request.query_params.get("done")
    messages = [("ok", t(f"people.done_{done}"))] if done in ("revoked", "removed") else []
    return await _people_page(request, principal, grant, messages=messages)


def _link(request: Request, token: str) -> str:
    """The invitation's address: the operator's public URL, else the one this page was asked
    at (the KH's own request: it is them the link is shown or mailed for)."""
    path = f"/invitations/{token}"
    public = _web(request).notify.link(path)
    return public or f"{str(request.base_url).rstrip('/')}{path}"


def _mail(request: Request, invitation: Invitation, link: str, lang: str) -> EmailMessage:
    t = translator(lang)
    web = _web(request)
    message = EmailMessage()
    message["From"] = web.notify.sender
    message["To"] = invitation.email
    message["Subject"] = t("people.mail_subject", tenant=invitation.tenant_name)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="silta")
    role = t(f"role.{invitation.role.value}")
    message.set_content(
        t(
            "people.mail_body",
            who=invitation.invited_by,
            tenant=invitation.tenant_name,
            role=role,
            link=link,
            days=web.invitation_lifetime.days,
        )
    )
    return message


@router.post("/tenants/{tenant_id}/people/invite")
async def invite(request: Request, tenant_id: Id) -> Response:
    """A new invitation: mailed when mail is configured, else (or if mail fails) shown."""
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    web = _web(request)
    form = await request.form()
    lang = language(request)
    t = translator(lang)
    wanted = forms.text(form, "role") or Role.VIEWER.value
    error: str | None = None
    if wanted not in {role.value for role in _ROLES}:  # a forged form: operator, say
        error = t("people.invalid_role")
    else:
        try:
            token, made = _invitations(request).invite(
                tenant_id, forms.text(form, "email"), Role(wanted), by=principal.user.email
            )
        except AlreadyMember:
            error = t("people.already")
        except ValueError:
            error = t("people.invalid_email")
    if error is not None:
        return await _people_page(
            request, principal, grant, messages=[("error", error)], status=422
        )
    audit.info(
        "invitation %s of %s as %s to tenant %s made by %s from %s",
        made.id,
        made.email,
        made.role.value,
        tenant_id,
        principal.user.email,
        _address(request),
    )
    link = _link(request, token)
    if web.notify.smtp is not None:
        [outcome] = await asyncio.to_thread(
            send_messages, web.notify.smtp, [_mail(request, made, link, lang)]
        )
        if outcome.sent:
            message = ("ok", t("people.mailed", email=made.email))
            return await _people_page(request, principal, grant, messages=[message])
        audit.warning("invitation %s could not be mailed: %s", made.id, outcome.error)
        message = ("warn", t("people.mail_failed", email=made.email))
        return await _people_page(request, principal, grant, messages=[message], link=link)
    message = ("ok", t("people.created", email=made.email))
    return await _people_page(request, principal, grant, messages=[message], link=link)


@router.post("/tenants/{tenant_id}/people/invitations/{invitation_id}/revoke")
async def revoke_invitation(request: Request, tenant_id: Id, invitation_id: Id) -> Response:
    principal = _principal(request)
    require_tenant(request, principal, tenant_id, write=True)
    if not _invitations(request).revoke(tenant_id, invitation_id):
        raise HTTPException(status_code=404, detail="no such invitation")
    audit.info(
        "invitation %s to tenant %s revoked by %s from %s",
        invitation_id,
        tenant_id,
        principal.user.email,
        _address(request),
    )
    return RedirectResponse(f"/tenants/{tenant_id}/people?done=revoked", status_code=303)


@router.post("/tenants/{tenant_id}/people/members/{user_id}/remove")
async def remove_member(request: Request, tenant_id: Id, user_id: Id) -> Response:
    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id, write=True)
    try:
        removed = _invitations(request).remove_member(tenant_id, user_id)
    except LastKh:
        message = ("error", translator(language(request))("people.last_kh"))
        return await _people_page(request, principal, grant, messages=[message], status=409)
    if not removed:
        raise HTTPException(status_code=404, detail="no such member")
    audit.info(
        "member %s of tenant %s removed by %s from %s",
        user_id,
        tenant_id,
        principal.user.email,
        _address(request),
    )
    if user_id == principal.user.id and not principal.user.operator:
        return RedirectResponse("/", status_code=303)  # they left: the company is gone for them
    return RedirectResponse(f"/tenants/{tenant_id}/people?done=removed", status_code=303)


# -- the invitee's page (no session yet) ------------------------------------------------------


async def _invitation_guard(request: Request) -> None:
    """A POST comes from this app's own page and carries the form's double-submit token."""
    if request.method != "POST":
        return
    if not same_origin(
        request.url.scheme,
        request.headers.get("host"),
        request.headers.get("origin"),
        request.headers.get("referer"),
    ):
        audit.warning("invitation form refused from %s: another origin", _address(request))
        raise HTTPException(status_code=403, detail="origin")
    form = await request.form()
    submitted = form.get("csrf_token")
    cookie = request.cookies.get(INVITE_CSRF_COOKIE)
    if not (cookie and isinstance(submitted, str) and secrets.compare_digest(cookie, submitted)):
        audit.warning("invitation form refused from %s: no valid CSRF token", _address(request))
        raise HTTPException(status_code=403, detail="csrf")


public_router = APIRouter(dependencies=[Depends(_invitation_guard)], include_in_schema=False)


def _invitation_page(
    request: Request,
    token: str,
    invitation: Invitation | None,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    csrf = secrets.token_urlsafe(24)
    context: dict[str, Any] = {
        "invitation": invitation,
        "existing": invitation is not None and _invitations(request).has_account(invitation),
        "token": token,
        "invite_csrf": csrf,
        "error": error,
        "min_length": MIN_PASSWORD_LENGTH,
    }
    if invitation is None:
        status = 404
    response = render(request, "invitation.html", context, status=status)
    response.set_cookie(
        INVITE_CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@public_router.get("/invitations/{token}")
async def invitation_form(request: Request, token: str) -> Response:
    return _invitation_page(request, token, _invitations(request).find(token))


@public_router.post("/invitations/{token}")
async def accept(request: Request, token: str) -> Response:
    """Use the invitation and sign the browser in; the form again, with why, otherwise."""
    web = _web(request)
    invitations = _invitations(request)
    invitation = invitations.find(token)
    if invitation is None:
        return _invitation_page(request, token, None)
    form = await request.form()
    password = forms.text(form, "password")
    address = _address(request)
    try:
        if invitations.has_account(invitation):
            if web.address_throttle.wait(address) is not None:
                return _invitation_page(
                    request, token, invitation, error="people.throttled", status=429
                )
            user = web.accounts.authenticate(invitation.email, password)
            if user is None:
                web.address_throttle.failed(address)
                await asyncio.sleep(web.failed_login_delay)
                return _invitation_page(
                    request, token, invitation, error="login.failed", status=401
                )
            membership = invitations.accept_existing(token, user)
        else:
            if password != forms.text(form, "password2"):
                return _invitation_page(
                    request, token, invitation, error="people.mismatch", status=422
                )
            user, membership = invitations.accept_new(token, password)
    except LoginThrottled:
        return _invitation_page(request, token, invitation, error="people.throttled", status=429)
    except WeakPassword:
        return _invitation_page(request, token, invitation, error="people.weak", status=422)
    except DuplicateUser:  # an account was made for the email meanwhile: sign in instead
        return _invitation_page(request, token, invitation, status=409)
    except InvitationInvalid:
        return _invitation_page(request, token, None)
    audit.info(
        "invitation %s accepted: %s is %s of tenant %s, from %s",
        invitation.id,
        user.email,
        membership.role.value,
        membership.tenant_id,
        address,
    )
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # a new session, never the one the browser came with (no fixation)
        web.accounts.close_session(old)
    session_token, _session = web.accounts.open_session(user.id)
    redirect = RedirectResponse(f"/tenants/{membership.tenant_id}/settings", status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        session_token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=int(web.accounts.session_lifetime.total_seconds()),
    )
    redirect.delete_cookie(INVITE_CSRF_COOKIE)
    return redirect
