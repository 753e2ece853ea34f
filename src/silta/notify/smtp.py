"""Mail through the operator's server: ``SILTA_SMTP_URL``, and sending a digest's messages.

``smtp://user:pass@host:587?starttls=1`` (STARTTLS; 587 by default then), ``smtps://...``
(TLS from the first byte; 465 by default), ``smtp://host:25`` (a local relay, no login).
The password is a secret: it is kept out of every ``repr``, message and log line, and an
address that cannot be read is refused without being quoted (it may hold the password).

Each message is sent on its own (a recipient does not see the others' addresses) in one
session. What failed is told as retry-or-not: a connection, TLS or login failure and a 4xx
answer are worth another try later; a 5xx refusal of a recipient is not.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

__all__ = ["SendOutcome", "SmtpConfig", "send_messages"]

Security = Literal["plain", "starttls", "tls"]
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@attrs.frozen(repr=False)
class SmtpConfig:
    host: str
    port: int
    security: Security = "plain"
    username: str | None = None
    password: str | None = attrs.field(default=None, eq=False)
    timeout: float = 30.0

    def __repr__(self) -> str:
        login = f", user {self.username!r}" if self.username else ""
        return f"SmtpConfig({self.host}:{self.port}, {self.security}{login})"

    __str__ = __repr__

    @classmethod
    def parse(cls, url: str) -> SmtpConfig:
        """From ``SILTA_SMTP_URL``.

        Raises:
            ValueError: not such an address; the message never quotes it.
        """
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise ValueError("SILTA_SMTP_URL is not an smtp:// or smtps:// address") from None
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SILTA_SMTP_URL is not an smtp:// or smtps:// address with a host")
        if parts.path not in ("", "/") or parts.fragment:
            raise ValueError("SILTA_SMTP_URL takes no path or fragment")
        query = parse_qs(parts.query, keep_blank_values=True)
        unknown = sorted(set(query) - {"starttls", "timeout"})
        if unknown:
            raise ValueError(f"SILTA_SMTP_URL: unknown option {unknown[0]!r} (starttls, timeout)")
        starttls = query.get("starttls", ["0"])[-1].lower()
        if starttls not in _TRUE | _FALSE:
            raise ValueError("SILTA_SMTP_URL: starttls is 1 or 0")
        security: Security = (
            "tls" if scheme == "smtps" else ("starttls" if starttls in _TRUE else "plain")
        )
        try:
            timeout = float(query.get("timeout", ["30"])[-1])
        except ValueError:
            raise ValueError("SILTA_SMTP_URL: timeout is seconds") from None
        default_port = {"tls": 465, "starttls": 587, "plain": 25}[security]
        return cls(
            host=parts.hostname,
            port=port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            timeout=timeout,
        )


@attrs.frozen
class SendOutcome:
    """One message's fate: sent, or why not and whether to try again later."""

    sent: bool
    retry: bool = False
    error: str | None = None


ContextFactory = Callable[[], ssl.SSLContext]


def _describe(exc: BaseException) -> tuple[bool, str]:
    """(worth a retry, what happened in Silta's words): the server's own text is not
    quoted, as no other service's is."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return True, f"the mail server refused the login (SMTP {exc.smtp_code})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        retry = all(400 <= code < 500 for code in codes)
        return retry, f"the mail server refused the recipient (SMTP {codes[0] if codes else '?'})"
    if isinstance(exc, smtplib.SMTPResponseException):
        retry = 400 <= exc.smtp_code < 500
        return retry, f"the mail server answered SMTP {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True, "the mail server closed the connection"
    if isinstance(exc, ssl.SSLError):
        return True, "the TLS connection to the mail server failed"
    if isinstance(exc, socket.timeout | TimeoutError):
        return True, "the mail server did not answer in time"
    if isinstance(exc, OSError):
        return True, "the mail server cannot be reached"
    if isinstance(exc, smtplib.SMTPException):
        return True, f"mail could not be sent ({type(exc).__name__})"
    return False, f"mail could not be sent ({type(exc).__name__})"


def send_messages(
    config: SmtpConfig,
    messages: Sequence[EmailMessage],
    *,
    tls: ContextFactory = ssl.create_default_context,
) -> list[SendOutcome]:
    """Send each message in one session (blocking: call it in a thread). One outcome per
    message, in order; a failure of the session fails the messages not yet sent."""
    outcomes: list[SendOutcome] = []
    try:
        client: smtplib.SMTP
        if config.security == "tls":
            client = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=tls()
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            if config.security == "starttls":
                client.starttls(context=tls())
            if config.username:
                client.login(config.username, config.password or "")
            for message in messages:
                try:
                    client.send_message(message)
                except (
                    smtplib.SMTPRecipientsRefused,
                    smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused,
                ) as exc:
                    retry, why = _describe(exc)
                    outcomes.append(SendOutcome(False, retry, why))
                else:
                    outcomes.append(SendOutcome(True))
    except (smtplib.SMTPException, OSError) as exc:
        retry, why = _describe(exc)
        outcomes.extend(SendOutcome(False, retry, why) for _ in messages[len(outcomes) :])
    return outcomes
