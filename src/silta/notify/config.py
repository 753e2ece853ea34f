"""What the operator configures for notifications, read once from the environment.

* ``SILTA_SMTP_URL``: the mail server (:mod:`silta.notify.smtp`); unset, no mail is sent
  and the page says so. ``SILTA_SMTP_FROM``: the sender (default ``silta@<this host>``).
* ``SILTA_WEBHOOK_URLS``: the webhook addresses a KH may use; unset, none
  (:mod:`silta.notify.webhook`).
* ``SILTA_PUBLIC_URL``: the web app's address as its users reach it, for the links in
  messages; unset, messages carry no links (and the page says so).
"""

from __future__ import annotations

import socket

import attrs

from silta.endpoints import canonical_url
from silta.notify.smtp import SmtpConfig
from silta.notify.webhook import WebhookPolicy

__all__ = ["NotifyConfig"]


@attrs.frozen
class NotifyConfig:
    smtp: SmtpConfig | None = None
    sender: str = "silta@localhost"
    webhooks: WebhookPolicy = attrs.field(factory=WebhookPolicy)
    public_url: str | None = None

    def link(self, path: str) -> str | None:
        """An absolute link to ``path`` in the web app, or ``None`` without a public URL."""
        return f"{self.public_url}{path}" if self.public_url else None

    @classmethod
    def from_env(cls) -> NotifyConfig:
        """Raises ValueError naming the variable that cannot be read (never its value)."""
        from silta.config import Settings

        settings = Settings()
        smtp = None
        if settings.smtp_url is not None and settings.smtp_url.get_secret_value().strip():
            smtp = SmtpConfig.parse(settings.smtp_url.get_secret_value())
        public = None
        if settings.public_url.strip():
            try:
                public = canonical_url(settings.public_url)
            except ValueError as exc:
                raise ValueError(f"SILTA_PUBLIC_URL is {exc}") from None
        sender = settings.smtp_from.strip() or f"silta@{socket.getfqdn()}"
        return cls(
            smtp=smtp,
            sender=sender,
            webhooks=WebhookPolicy.parse(settings.webhook_urls),
            public_url=public,
        )
