"""The scheduler's notification chore: new events, digests due, deliveries and retries.

:meth:`Notifier.tick` does one round: for every company that asked for anything, its
finished runs become events (:meth:`~silta.store.notifications.Notifications.notice`), and
its waiting events a digest once its period has passed; then every digest due is
delivered: one mail per recipient not yet reached, and the webhook. A transient failure (the
mail server or the receiver down, a 4xx from SMTP, a 5xx from the hook) is tried again
later with a growing wait, up to :data:`MAX_ATTEMPTS`; a permanent one (a refused
recipient, a webhook address no longer allowed, a 4xx from the hook) is recorded and shown
on the settings page. It runs as a task of its own (the embedded scheduler) or on a queue
of its own (the workers), so a slow mail server never holds up a sync.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs
import httpx

from silta.notify import digest as words
from silta.notify.config import NotifyConfig
from silta.notify.smtp import send_messages
from silta.notify.webhook import new_webhook_client, post
from silta.store import Store, StoreError, UnknownTenant
from silta.store.notifications import Digest, Notifications

__all__ = ["MAX_ATTEMPTS", "Notifier", "TickReport"]

log = logging.getLogger("silta.notify")

MAX_ATTEMPTS = 10  # about a day of retries with the waits below
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=4)


@attrs.frozen
class TickReport:
    runs_read: int = 0
    digests_made: int = 0
    deliveries: int = 0


class Notifier:
    """Notifications of every company, from the store, through ``config``'s channels.

    Args:
        http: makes the client of one webhook delivery (tests: a loopback receiver).
        tls: the TLS context of SMTP's STARTTLS or SMTPS (tests: one trusting their CA).
        first_wait: the wait after a first failed delivery; it doubles each time.
    """

    def __init__(
        self,
        store: Store,
        config: NotifyConfig,
        *,
        http: Callable[[], httpx.AsyncClient] = new_webhook_client,
        tls: Callable[[], ssl.SSLContext] = ssl.create_default_context,
        first_wait: timedelta = FIRST_WAIT,
    ) -> None:
        self._store = store
        self._notifications = Notifications(store)
        self._config = config
        self._http = http
        self._tls = tls
        self._first_wait = first_wait

    async def run(self, every: float) -> None:
        """Tick every ``every`` seconds until cancelled; a failed round is logged, not fatal."""
        while True:
            try:
                await self.tick()
            except StoreError as exc:  # the database may come back
                log.warning("notifications: the store is unavailable: %s", exc)
            except Exception:  # a fault of Silta's own: keep the traceback, keep going
                log.exception("notifications: a round failed")
            await asyncio.sleep(every)

    async def tick(self) -> TickReport:
        runs = made = delivered = 0
        for tenant_id in await asyncio.to_thread(self._notifications.tenants):
            runs += await asyncio.to_thread(self._notifications.notice, tenant_id)
            if await asyncio.to_thread(self._notifications.make_digest, tenant_id) is not None:
                made += 1
        for due in await asyncio.to_thread(self._notifications.claim_due):
            await self._deliver(due)
            delivered += 1
        return TickReport(runs, made, delivered)

    async def _deliver(self, due: Digest) -> None:
        try:
            tenant = await asyncio.to_thread(self._store.tenant, due.tenant_id)
        except UnknownTenant:  # removed meanwhile; its digests go with it
            return
        zone = tenant.settings.timezone
        link = self._config.link
        errors: list[str] = []
        pending_emails = list(due.pending_emails)
        if pending_emails and self._config.smtp is None:
            errors.append("mail is not configured (SILTA_SMTP_URL)")
            pending_emails = []
        elif pending_emails and self._config.smtp is not None:
            messages = [
                words.email_message(
                    due.payload,
                    recipient,
                    sender=self._config.sender,
                    link=link,
                    zone=zone,
                    digest_id=due.id,
                )
                for recipient in pending_emails
            ]
            outcomes = await asyncio.to_thread(
                send_messages, self._config.smtp, messages, tls=self._tls
            )
            still = []
            for recipient, outcome in zip(pending_emails, outcomes, strict=True):
                if outcome.sent:
                    continue
                errors.append(f"{recipient['email']}: {outcome.error}")
                if outcome.retry:
                    still.append(recipient)
            pending_emails = still
        pending_webhook = due.pending_webhook
        if pending_webhook:
            pending_webhook, error = await self._webhook(due)
            if error:
                errors.append(f"webhook: {error}")
        left = bool(pending_emails) or pending_webhook
        retry_at = None
        if left and due.attempts + 1 < MAX_ATTEMPTS:
            wait = min(self._first_wait * 2**due.attempts, LONGEST_WAIT)
            retry_at = self._store_now() + wait
        error = "; ".join(errors) or None
        state = await asyncio.to_thread(
            self._notifications.delivered,
            due.id,
            pending_emails=pending_emails,
            pending_webhook=pending_webhook and retry_at is not None,
            error=error,
            retry_at=retry_at,
        )
        if error is None:
            log.info(
                "notifications: digest %s of %s delivered",
                due.id,
                tenant.name,
                extra={"tenant": tenant.name},
            )
        else:
            log.warning(
                "notifications: digest %s of %s: %s (%s)",
                due.id,
                tenant.name,
                error,
                "will retry" if state == "pending" else state,
                extra={"tenant": tenant.name, "category": "notification"},
            )

    async def _webhook(self, due: Digest) -> tuple[bool, str | None]:
        """Send the webhook; (still to send later, what went wrong)."""
        stored = await asyncio.to_thread(self._notifications.get, due.tenant_id)
        url = stored.settings.webhook_url if stored is not None else None
        secret = await asyncio.to_thread(self._notifications.secret, due.tenant_id)
        if url is None or secret is None:
            return False, "no webhook address or secret any more"
        body = words.webhook_body(due.id, due.created_at, due.payload, link=self._config.link)
        async with self._http() as client:
            outcome = await post(client, self._config.webhooks, url, secret, body)
        if outcome.sent:
            return False, None
        return outcome.retry, outcome.error

    def _store_now(self) -> datetime:
        return self._store._now()  # the store's clock: tests move it by hand
