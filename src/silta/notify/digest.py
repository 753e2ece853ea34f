"""A digest's words: one e-mail per recipient in their language, one JSON body for the hook.

The digest's payload (the events, made once when the digest was made) is rendered at each
delivery attempt: the links follow ``SILTA_PUBLIC_URL``, the times the company's time zone.
A mail lists at most :data:`MAX_LISTED` refusals and says how many more; the run's page
has them all. Every text is Silta's own or a refusal rule's (bilingual by construction).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Final
from zoneinfo import ZoneInfo

from silta.failures import describe

__all__ = ["MAX_LISTED", "email_message", "subject", "text_body", "webhook_body"]

MAX_LISTED: Final = 50  # refusals named in one mail; the rest are counted and linked
MAX_WEBHOOK_EVENTS: Final = 1000

Link = Callable[[str], "str | None"]

_REGISTER: Final = {
    "customers": ("Asiakkaat", "Customers"),
    "products": ("Tuotteet", "Products"),
    "dimensions": ("Laskentakohteet", "Dimensions"),
}
_T: Final[dict[str, tuple[str, str]]] = {
    "failed": ("Epäonnistuneet ajot", "Failed runs"),
    "credentials": ("Tunnukset hylätty", "Credentials rejected"),
    "refusals": ("Uudet hylätyt tietueet", "New refused records"),
    "more": ("… ja {n} muuta: katso ajon sivulta", "… and {n} more: see the run's page"),
    "run": ("Ajo", "Run"),
    "fix": ("Korjausohje", "How to fix"),
    "settings": ("Ilmoitusasetukset", "Notification settings"),
    "why": (
        "Tämä viesti tulee Siltasta, koska yrityksen Käyttäjähallitsija on tilannut nämä "
        "ilmoitukset. Samasta hylkäyksestä ilmoitetaan vain kerran.",
        "This message comes from Silta because the company's KH admin asked for these "
        "notifications. Each refusal is reported once.",
    ),
    "credentials_text": (
        "Ajastetut ajot on pysäytetty, kunnes yhteystiedot tai asetukset muuttuvat.",
        "Scheduled runs are stopped until the connections or settings change.",
    ),
}


def _t(key: str, lang: str, **values: object) -> str:
    fi, en = _T[key]
    return (fi if lang == "fi" else en).format(**values)


def _register(name: str | None, lang: str) -> str:
    if name is None:
        return ""
    fi, en = _REGISTER.get(name, (name, name))
    return fi if lang == "fi" else en


def _local(iso: str | None, zone: str) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M")


def _of(events: Sequence[dict[str, Any]], *kinds: str) -> list[dict[str, Any]]:
    return [event for event in events if event.get("kind") in kinds]


def subject(payload: dict[str, Any], lang: str) -> str:
    events = payload.get("events", [])
    failed = len(_of(events, "run_failed"))
    credentials = len(_of(events, "credentials_rejected"))
    refusals = len(_of(events, "new_refusal"))
    parts = []
    if lang == "fi":
        if credentials:
            parts.append("tunnukset hylätty")
        if failed:
            parts.append(
                f"{failed} epäonnistunut ajo" if failed == 1 else f"{failed} epäonnistunutta ajoa"
            )
        if refusals:
            parts.append(
                f"{refusals} uusi hylkäys" if refusals == 1 else f"{refusals} uutta hylkäystä"
            )
    else:
        if credentials:
            parts.append("credentials rejected")
        if failed:
            parts.append(f"{failed} failed run" + ("" if failed == 1 else "s"))
        if refusals:
            parts.append(f"{refusals} new refusal" + ("" if refusals == 1 else "s"))
    return f"Silta: {payload.get('tenant', '')} – {', '.join(parts)}"


def text_body(payload: dict[str, Any], lang: str, *, link: Link, zone: str) -> str:
    tenant_id = payload.get("tenant_id")
    events = payload.get("events", [])
    lines = [f"Silta – {payload.get('tenant', '')}", ""]
    base = f"/tenants/{tenant_id}"

    def add_link(label: str, path: str) -> None:
        url = link(path)
        if url:
            lines.append(f"  {label}: {url}")

    credentials = _of(events, "credentials_rejected")
    if credentials:
        lines.append(f"{_t('credentials', lang)} ({len(credentials)})")
        for event in credentials:
            what = describe("credentials", event.get("service"), lang)
            lines.append(
                f"- {_register(event.get('register'), lang)} "
                f"{_local(event.get('at'), zone)}: {what}"
            )
            add_link(_t("run", lang), f"{base}/runs/{event.get('run_id')}")
        lines.extend([_t("credentials_text", lang), ""])
    failed = _of(events, "run_failed")
    if failed:
        lines.append(f"{_t('failed', lang)} ({len(failed)})")
        for event in failed:
            what = describe(event.get("category") or "internal", event.get("service"), lang)
            lines.append(
                f"- {_register(event.get('register'), lang)} "
                f"{_local(event.get('at'), zone)}: {what}"
            )
            add_link(_t("run", lang), f"{base}/runs/{event.get('run_id')}")
        lines.append("")
    refusals = _of(events, "new_refusal")
    if refusals:
        lines.append(f"{_t('refusals', lang)} ({len(refusals)})")
        for event in refusals[:MAX_LISTED]:
            message = event.get("message_fi" if lang == "fi" else "message_en") or event.get(
                "rule", ""
            )
            who = " ".join(
                part for part in (event.get("number"), event.get("name")) if part
            ) or event.get("record", "")
            lines.append(f"- {_register(event.get('register'), lang)}: {who}: {message}")
            add_link(_t("run", lang), f"{base}/runs/{event.get('run_id')}?status=refused")
            add_link(_t("fix", lang), f"{base}/fix/{event.get('rule')}")
        if len(refusals) > MAX_LISTED:
            lines.append(_t("more", lang, n=len(refusals) - MAX_LISTED))
        lines.append("")
    add_link(_t("settings", lang), f"{base}/notifications")
    lines.extend(["", _t("why", lang)])
    return "\n".join(lines) + "\n"


def email_message(
    payload: dict[str, Any],
    recipient: dict[str, str],
    *,
    sender: str,
    link: Link,
    zone: str,
    digest_id: int,
) -> EmailMessage:
    lang = recipient.get("language", "fi")
    message = EmailMessage()
    message["Subject"] = subject(payload, lang)
    message["From"] = sender
    message["To"] = recipient["email"]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"silta-digest-{digest_id}")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    message.set_content(text_body(payload, lang, link=link, zone=zone))
    return message


def webhook_body(
    digest_id: int, created_at: datetime, payload: dict[str, Any], *, link: Link
) -> bytes:
    """The JSON a webhook receives: every event with both languages' texts and links."""
    tenant_id = payload.get("tenant_id")
    base = f"/tenants/{tenant_id}"
    events = []
    for event in payload.get("events", [])[:MAX_WEBHOOK_EVENTS]:
        kind = event.get("kind")
        item: dict[str, Any] = {
            "kind": kind,
            "register": event.get("register"),
            "run_id": event.get("run_id"),
            "at": event.get("at"),
            "run_url": link(f"{base}/runs/{event.get('run_id')}"),
        }
        if kind == "new_refusal":
            item.update(
                record={
                    "key": event.get("record"),
                    "number": event.get("number"),
                    "name": event.get("name"),
                },
                rule=event.get("rule"),
                message={"fi": event.get("message_fi"), "en": event.get("message_en")},
                fix_url=link(f"{base}/fix/{event.get('rule')}"),
            )
        else:
            category = "credentials" if kind == "credentials_rejected" else event.get("category")
            item.update(
                category=category,
                service=event.get("service"),
                description={
                    "fi": describe(category or "internal", event.get("service"), "fi"),
                    "en": describe(category or "internal", event.get("service"), "en"),
                },
                error=event.get("error"),
            )
        events.append(item)
    document = {
        "type": "silta.digest",
        "digest_id": digest_id,
        "created_at": created_at.isoformat(),
        "tenant": {"id": tenant_id, "name": payload.get("tenant")},
        "events": events,
        "truncated": max(0, len(payload.get("events", [])) - MAX_WEBHOOK_EVENTS),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
