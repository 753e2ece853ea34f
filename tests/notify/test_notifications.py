"""Notifications end to end: real syncs against the sandboxes, a real SMTP server and a real
webhook receiver on loopback, the notifier as the scheduler runs it.

What must hold (issue 20): at most one digest per period, each refusal reported once,
failure and credentials events, messages in the recipient's language with links to the
run, a webhook whose signature verifies, and no request at all to an address the operator
has not allowed (nor to where a redirect points).
"""

from __future__ import annotations

from email.message import EmailMessage, Message

import attrs

from silta.backoff import RetryPolicy
from silta.commands.demo import COMPANIES
from silta.domain import Register, RunStatus, Status
from silta.notify.notifier import Notifier
from silta.notify.settings import EVENTS, NotificationSettings, Recipient
from silta.notify.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from silta.sandbox.netvisor.faults import Faults
from silta.store.notifications import Notifications
from silta.sync import sync_tenant
from silta.sync.engine import RunResult
from tests.notify.conftest import NotifyWorld, Receiver, SmtpServer, notify_config
from tests.web.conftest import sandbox_http

ONE_TRY = RetryPolicy(attempts=1)
KH = Recipient("kh@demo.fi", "fi")
CFO = Recipient("cfo@demo.fi", "en")


async def sync(world: NotifyWorld, *registers: Register, full: bool = False) -> list[RunResult]:
    async with sandbox_http(world.web.world) as http:
        return await sync_tenant(
            world.store,
            world.web.tenant,
            registers=registers or tuple(Register),
            full=full,
            http=http,
            retry=ONE_TRY,
            severa_rate=1000,
        )


def refused_records(world: NotifyWorld, results: list[RunResult]) -> set[tuple[str, str]]:
    """(record name, rule) of every refusal of these runs."""
    return {
        (entry.name or "", refusal.rule)
        for result in results
        for entry in world.store.entries(result.run_id, status=Status.REFUSED)
        for refusal in entry.refusals
    }


def subscribe(world: NotifyWorld, receiver: Receiver | None, **changes: object) -> str | None:
    """KH and CFO (in English) told of everything hourly, and the receiver's hook."""
    notifications = Notifications(world.store)
    settings = NotificationSettings(
        recipients=(KH, CFO),
        events=frozenset(EVENTS),
        period_minutes=60,
        webhook_url=receiver.url("/hooks/silta") if receiver else None,
    )
    settings = attrs.evolve(settings, **changes)  # type: ignore[misc]
    notifications.save(world.web.tenant.id, settings, by="kh@demo.fi")
    return notifications.new_secret(world.web.tenant.id, by="kh@demo.fi") if receiver else None


def body_of(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    text = message.get_content()
    assert isinstance(text, str)
    return text


async def test_one_digest_per_period_each_refusal_once_and_failures_wait_their_turn(
    world: NotifyWorld, smtp: SmtpServer, receiver: Receiver
) -> None:
    secret = subscribe(world, receiver)
    assert secret is not None
    notifier = Notifier(world.store, notify_config(smtp, receiver))
    tenant = world.web.tenant

    first = await sync(world)
    refused = refused_records(world, first)
    assert refused, "the demo company plants refusals"
    await notifier.tick()

    # one message per recipient, each in its language; one webhook
    assert len(smtp.mailbox.messages) == 2
    (fi,) = smtp.mailbox.to("kh@demo.fi")
    (en,) = smtp.mailbox.to("cfo@demo.fi")
    assert f"{len(refused)} uutta hylkäystä" in fi["Subject"]
    assert "new refusal" in en["Subject"]
    fi_text, en_text = body_of(fi), body_of(en)
    assert "Uudet hylätyt tietueet" in fi_text and "New refused records" in en_text
    for name, rule in refused:
        assert name in fi_text and f"/fix/{rule}" in fi_text
    refused_run = next(r for r in first if r.counts.get("refused"))
    link = f"https://silta.example.fi/tenants/{tenant.id}/runs/{refused_run.run_id}?status=refused"
    assert link in fi_text
    assert len(receiver.received) == 1
    hook = receiver.received[0]
    assert verify(
        secret, hook.body, hook.headers.get(TIMESTAMP_HEADER), hook.headers.get(SIGNATURE_HEADER)
    )
    assert not verify(
        "another secret",
        hook.body,
        hook.headers.get(TIMESTAMP_HEADER),
        hook.headers.get(SIGNATURE_HEADER),
    )
    sent = hook.json()
    assert sent["tenant"] == {"id": tenant.id, "name": tenant.name}
    assert {(e["record"]["name"], e["rule"]) for e in sent["events"]} == refused

    # the same refusals in the next (full) run are not news: nothing is sent
    world.clock.advance(minutes=10)
    again = await sync(world, full=True)
    assert refused_records(world, again) == refused
    await notifier.tick()
    assert len(smtp.mailbox.messages) == 2 and len(receiver.received) == 1
    assert Notifications(world.store).pending_events(tenant.id) == 0

    # a failure within the period waits for the period to pass
    org = world.web.world.netvisor.organisation(COMPANIES[0].organisation_id)
    org.faults = Faults(maintenance=True)
    world.clock.advance(minutes=10)
    (failed,) = await sync(world, Register.PRODUCTS)
    assert failed.status is RunStatus.FAILED
    assert world.store.run(failed.run_id).failure_category == "maintenance"
    await notifier.tick()
    assert len(smtp.mailbox.messages) == 2, "a second digest within the hour"
    assert Notifications(world.store).pending_events(tenant.id) == 1
    world.clock.advance(minutes=41)  # 61 minutes after the first digest
    await notifier.tick()
    assert len(smtp.mailbox.messages) == 4 and len(receiver.received) == 2
    (_, fi2) = smtp.mailbox.to("kh@demo.fi")
    (_, en2) = smtp.mailbox.to("cfo@demo.fi")
    assert "1 epäonnistunut ajo" in fi2["Subject"]
    assert "Netvisor on huoltokatkolla" in body_of(fi2)
    assert "Netvisor is down for maintenance" in body_of(en2)
    assert f"/tenants/{tenant.id}/runs/{failed.run_id}" in body_of(fi2)
    (event,) = receiver.received[1].json()["events"]
    assert (event["kind"], event["category"], event["service"]) == (
        "run_failed",
        "maintenance",
        "netvisor",
    )
    # nothing more to tell, however often the notifier looks
    world.clock.advance(hours=3)
    await notifier.tick()
    assert len(smtp.mailbox.messages) == 4 and len(receiver.received) == 2


async def test_rejected_credentials_are_their_own_event(
    world: NotifyWorld, smtp: SmtpServer
) -> None:
    subscribe(world, None, events=frozenset({"credentials_rejected"}))
    notifier = Notifier(world.store, notify_config(smtp, None))
    org = world.web.world.netvisor.organisation(COMPANIES[0].organisation_id)
    org.faults = Faults(denied_resources=frozenset({"productlist.nv"}))
    (result,) = await sync(world, Register.PRODUCTS)
    assert result.failure is not None and result.failure.category == "credentials"
    await notifier.tick()
    (fi,) = smtp.mailbox.to("kh@demo.fi")
    assert "tunnukset hylätty" in fi["Subject"]
    assert "Netvisor hylkäsi tunnukset tai käyttöoikeudet" in body_of(fi)
    (en,) = smtp.mailbox.to("cfo@demo.fi")
    assert "Netvisor refused the credentials or access rights" in body_of(en)


async def test_events_not_asked_for_are_not_sent(world: NotifyWorld, smtp: SmtpServer) -> None:
    subscribe(world, None, events=frozenset({"credentials_rejected"}))
    notifier = Notifier(world.store, notify_config(smtp, None))
    await sync(world)  # refusals, no failure
    await notifier.tick()
    assert smtp.mailbox.messages == []


async def test_a_mail_server_that_is_down_is_tried_again_and_nobody_gets_two(
    world: NotifyWorld, smtp: SmtpServer
) -> None:
    subscribe(world, None)
    notifier = Notifier(world.store, notify_config(smtp, None))
    smtp.stop()
    await sync(world, Register.CUSTOMERS)
    await notifier.tick()
    (delivery,) = Notifications(world.store).deliveries(world.web.tenant.id)
    assert delivery.state == "pending" and delivery.attempts == 1
    assert "cannot be reached" in (delivery.last_error or "")
    smtp.start()
    await notifier.tick()  # not yet: the wait has not passed
    assert smtp.mailbox.messages == []
    world.clock.advance(minutes=2)
    await notifier.tick()
    world.clock.advance(hours=5)
    await notifier.tick()
    assert sorted(m["To"] for m in smtp.mailbox.messages) == ["cfo@demo.fi", "kh@demo.fi"]
    (delivery,) = Notifications(world.store).deliveries(world.web.tenant.id)
    assert delivery.state == "sent" and delivery.last_error is None


async def test_a_webhook_address_the_operator_does_not_allow_receives_nothing(
    world: NotifyWorld, receiver: Receiver
) -> None:
    # stored before the operator narrowed the list (or written past the form): the
    # notifier checks again before every send
    subscribe(world, receiver, recipients=(), webhook_url=receiver.url("/elsewhere"))
    notifier = Notifier(world.store, notify_config(None, receiver))  # allows /hooks only
    await sync(world, Register.CUSTOMERS)
    await notifier.tick()
    assert receiver.received == []
    (delivery,) = Notifications(world.store).deliveries(world.web.tenant.id)
    assert delivery.state == "failed"
    assert "not among those the operator allows" in (delivery.last_error or "")


async def test_a_redirect_is_not_followed(world: NotifyWorld, receiver: Receiver) -> None:
    subscribe(world, receiver, recipients=())
    receiver.status = 307
    receiver.location = receiver.url("/hooks/moved")
    notifier = Notifier(world.store, notify_config(None, receiver))
    await sync(world, Register.CUSTOMERS)
    await notifier.tick()
    assert [hit.path for hit in receiver.received] == ["/hooks/silta"]
    (delivery,) = Notifications(world.store).deliveries(world.web.tenant.id)
    assert delivery.state == "failed" and "redirect" in (delivery.last_error or "")


async def test_a_receiver_that_fails_is_tried_again(world: NotifyWorld, receiver: Receiver) -> None:
    subscribe(world, receiver, recipients=())
    receiver.status = 503
    notifier = Notifier(world.store, notify_config(None, receiver))
    await sync(world, Register.CUSTOMERS)
    await notifier.tick()
    receiver.status = 204
    world.clock.advance(minutes=2)
    await notifier.tick()
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body  # the same digest again
    (delivery,) = Notifications(world.store).deliveries(world.web.tenant.id)
    assert (delivery.state, delivery.attempts) == ("sent", 2)


# -- the page and the API -------------------------------------------------------------------


async def test_a_kh_sets_notifications_on_the_page_and_sees_the_secret_once(
    world: NotifyWorld, receiver: Receiver
) -> None:
    from tests.web.conftest import login

    world.web.state.notify = notify_config(None, receiver)
    base = f"/tenants/{world.web.tenant.id}/notifications"
    async with world.web.client() as client:
        csrf = await login(client, world.web.users.kh)
        form = {
            "csrf_token": csrf,
            "recipients": "kh@demo.fi\ncfo@demo.fi en",
            "events": ["run_failed", "new_refusals"],
            "period_minutes": "1440",
            "webhook_url": receiver.url("/hooks/silta"),
        }
        answer = await client.post(base, data=form)
        assert answer.status_code == 200
        assert 'data-testid="webhook-secret"' in answer.text
        assert "Sähköpostia ei ole otettu käyttöön" in answer.text  # no SILTA_SMTP_URL
        stored = Notifications(world.store).get(world.web.tenant.id)
        assert stored is not None and stored.has_secret
        assert stored.settings.recipients == (Recipient("kh@demo.fi", "fi"), CFO)
        assert stored.settings.events == {"run_failed", "new_refusals"}
        assert stored.settings.period_minutes == 1440
        again = await client.get(base)
        assert 'data-testid="webhook-secret"' not in again.text  # shown once
        # an address the operator does not allow is refused, and nothing changes
        bad = {**form, "webhook_url": "http://169.254.169.254/latest"}
        refused = await client.post(base, data=bad)
        assert refused.status_code == 422
        assert "ei ole ylläpitäjän sallima" in refused.text
        # nothing typed is lost: the page shows the form as it was sent
        assert 'value="http://169.254.169.254/latest"' in refused.text
        assert "cfo@demo.fi en" in refused.text
        assert 'value="1440" selected' in refused.text
        assert Notifications(world.store).get(world.web.tenant.id) == stored
        wrong = await client.post(base, data={**form, "recipients": "not-an-address"})
        assert wrong.status_code == 422 and "ei ole sähköpostiosoite" in wrong.text


async def test_a_viewer_reads_the_settings_without_a_form(world: NotifyWorld) -> None:
    from tests.web.conftest import login

    subscribe(world, None)
    async with world.web.client() as client:
        await login(client, world.web.users.viewer)
        page = await client.get(f"/tenants/{world.web.tenant.id}/notifications")
        assert page.status_code == 200
        assert 'data-testid="notifications-readonly"' in page.text
        assert "notifications-form" not in page.text
        assert "cfo@demo.fi (en)" in page.text


async def test_the_api_reads_and_replaces_the_settings(
    world: NotifyWorld, receiver: Receiver
) -> None:
    world.web.state.notify = notify_config(None, receiver)
    token = world.web.accounts.create_api_token(world.web.users.kh, "t", scope="write")  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/tenants/{world.web.tenant.id}/notifications"
    async with world.web.client() as client:
        empty = (await client.get(url, headers=headers)).json()
        assert empty["events"] == [] and empty["recipients"] == []
        body = {
            "recipients": [{"email": "kh@demo.fi", "language": "en"}],
            "events": ["credentials_rejected"],
            "period_minutes": 15,
            "webhook_url": receiver.url("/hooks/x"),
        }
        put = await client.put(url, json=body, headers=headers)
        assert put.status_code == 200, put.text
        assert put.json()["webhook_secret_set"] is True
        for wrong in (
            {**body, "webhook_url": "https://attacker.example/hook"},
            {**body, "period_minutes": "15"},
            {**body, "events": ["everything"]},
        ):
            answer = await client.put(url, json=wrong, headers=headers)
            assert answer.status_code == 422, wrong
        secret = await client.post(f"{url}/secret", headers=headers)
        assert secret.status_code == 200
        assert secret.json()["webhook_secret"].startswith("whsec_")
        assert (
            Notifications(world.store).secret(world.web.tenant.id)
            == secret.json()["webhook_secret"]
        )


def test_the_webhook_secret_is_ciphertext_at_rest(world: NotifyWorld) -> None:
    secret = Notifications(world.store).new_secret(world.web.tenant.id, by="kh@demo.fi")
    with world.store.engine.connect() as connection:
        from sqlalchemy import text

        stored = connection.execute(text("SELECT webhook_secret FROM notification_settings"))
        assert secret not in str(stored.all())
