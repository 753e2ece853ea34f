"""What a company's KH chooses: who is told, of what, how often, and an optional webhook.

One value, :class:`NotificationSettings`, checked at construction like
:class:`~silta.domain.TenantSettings`, so the form, the API and the store cannot hold
settings another reader would take for something else. A refusal is a
:class:`NotificationSettingError` naming the field, in Finnish and English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

__all__ = [
    "EVENTS",
    "MAX_RECIPIENTS",
    "PERIODS",
    "NotificationSettingError",
    "NotificationSettings",
    "Recipient",
]

# event id -> (Finnish, English): what a KH may ask to be told of
EVENTS: Final[dict[str, tuple[str, str]]] = {
    "run_failed": ("Ajo epäonnistui", "A run failed"),
    "credentials_rejected": ("Tunnukset hylättiin", "Credentials were rejected"),
    "new_refusals": ("Uusia hylättyjä tietueita", "New refused records"),
}
# period in minutes -> (Finnish, English): at most one digest per period
PERIODS: Final[dict[int, tuple[str, str]]] = {
    15: ("Enintään kerran 15 minuutissa", "At most every 15 minutes"),
    60: ("Enintään kerran tunnissa", "At most hourly"),
    240: ("Enintään kerran neljässä tunnissa", "At most every four hours"),
    1440: ("Enintään kerran päivässä", "At most daily"),
}
LANGUAGES: Final = ("fi", "en")
MAX_RECIPIENTS: Final = 20
_EMAIL_LENGTH: Final = 254  # the longest address SMTP carries (RFC 5321)


def valid_email(email: str) -> str:
    """``email`` trimmed and lower-cased, if it looks like one address (one ``@`` with text
    either side, no spaces or control characters, so no header can be smuggled in).

    The store's own check of a user's email is the same rule; this module stays pure so the
    store may hold its values.

    Raises:
        ValueError: it does not.
    """
    normal = email.strip().lower()
    local, _, domain = normal.partition("@")
    if (
        not local
        or not domain
        or "@" in domain
        or any(char.isspace() or ord(char) < 32 for char in normal)
        or len(normal) > _EMAIL_LENGTH
    ):
        raise ValueError(f"{email.strip()!r} is not an email address")
    return normal


class NotificationSettingError(ValueError):
    """A value the settings cannot take; ``field`` names it, the texts say why."""

    def __init__(self, field: str, fi: str, en: str) -> None:
        super().__init__(f"{field}: {en}")
        self.field = field
        self.fi = fi
        self.en = en

    def message(self, lang: str) -> str:
        return self.fi if lang == "fi" else self.en


@attrs.frozen
class Recipient:
    email: str
    language: str = "fi"

    def as_json(self) -> dict[str, str]:
        return {"email": self.email, "language": self.language}


def _recipients(value: Iterable[Recipient]) -> tuple[Recipient, ...]:
    found: dict[str, Recipient] = {}
    for recipient in value:
        try:
            email = valid_email(recipient.email)
        except ValueError:
            raise NotificationSettingError(
                "recipients",
                f"{recipient.email!r} ei ole sähköpostiosoite",
                f"{recipient.email!r} is not an email address",
            ) from None
        if recipient.language not in LANGUAGES:
            raise NotificationSettingError(
                "recipients", "kieli on fi tai en", "the language is fi or en"
            )
        found.setdefault(email, Recipient(email, recipient.language))
    if len(found) > MAX_RECIPIENTS:
        raise NotificationSettingError(
            "recipients",
            f"enintään {MAX_RECIPIENTS} vastaanottajaa",
            f"at most {MAX_RECIPIENTS} recipients",
        )
    return tuple(found.values())


def _events(value: Iterable[str]) -> frozenset[str]:
    events = frozenset(value)
    unknown = sorted(events - set(EVENTS))
    if unknown:
        allowed = ", ".join(EVENTS)
        raise NotificationSettingError(
            "events",
            f"tuntematon tapahtuma {unknown[0]!r} (sallitut: {allowed})",
            f"unknown event {unknown[0]!r} (allowed: {allowed})",
        )
    return events


def _period(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in PERIODS:
        allowed = ", ".join(map(str, PERIODS))
        raise NotificationSettingError(
            "period_minutes",
            f"jakso minuutteina on yksi näistä: {allowed}",
            f"the period in minutes is one of: {allowed}",
        )
    return value


@attrs.frozen
class NotificationSettings:
    """A company's notification settings. Nothing chosen (the default) sends nothing."""

    recipients: tuple[Recipient, ...] = attrs.field(default=(), converter=_recipients)
    events: frozenset[str] = attrs.field(default=frozenset(), converter=_events)
    period_minutes: int = attrs.field(default=60, converter=_period)
    # checked against the operator's allow-list where it is entered (silta.notify.webhook)
    webhook_url: str | None = None

    @property
    def active(self) -> bool:
        """Whether anything would be sent: an event, and somebody or something to tell."""
        return bool(self.events) and (bool(self.recipients) or self.webhook_url is not None)

    def as_json(self) -> dict[str, Any]:
        return {
            "recipients": [recipient.as_json() for recipient in self.recipients],
            "events": sorted(self.events),
            "period_minutes": self.period_minutes,
            "webhook_url": self.webhook_url,
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> NotificationSettings:
        """From the API's JSON (typed: a string is not a number) or the store's.

        Raises:
            NotificationSettingError: a field is missing its shape or value.
        """
        unknown = sorted(set(document) - {"recipients", "events", "period_minutes", "webhook_url"})
        if unknown:
            raise NotificationSettingError(unknown[0], "tuntematon kenttä", "an unknown field")
        recipients = document.get("recipients", [])
        if not isinstance(recipients, list) or not all(
            isinstance(item, dict)
            and isinstance(item.get("email"), str)
            and isinstance(item.get("language", "fi"), str)
            and set(item) <= {"email", "language"}
            for item in recipients
        ):
            raise NotificationSettingError(
                "recipients",
                'luettelo muotoa {"email": "...", "language": "fi"}',
                'a list of {"email": "...", "language": "fi"}',
            )
        events = document.get("events", [])
        if not isinstance(events, list) or not all(isinstance(item, str) for item in events):
            raise NotificationSettingError(
                "events", "luettelo tapahtumien tunnuksia", "a list of event ids"
            )
        webhook = document.get("webhook_url")
        if webhook is not None and not isinstance(webhook, str):
            raise NotificationSettingError("webhook_url", "osoite tai null", "an address or null")
        return cls(
            recipients=tuple(
                Recipient(item["email"], item.get("language", "fi")) for item in recipients
            ),
            events=frozenset(events),
            period_minutes=document.get("period_minutes", 60),
            webhook_url=webhook or None,
        )
