"""Each refusal is reported once, keyed by register + record + rule; one that disappears
and comes back is new; only a completed full run may say a record is gone (both backends)."""

from __future__ import annotations

from silta.domain import Action, Refusal, Register, RunKind, RunStatus, Status
from silta.notify.settings import NotificationSettings, Recipient
from silta.store import Store
from silta.store.notifications import Notifications, refusal_changes
from tests.store.conftest import config, entry

RULE_A = "customers.severa.business_id_missing"
RULE_B = "customers.severa.number_missing"


def _refused(number: int, *rules: str) -> object:
    return entry(
        number,
        action=Action.REFUSE,
        status=Status.REFUSED,
        refusals=tuple(Refusal(rule, None, f"fi {rule}", f"en {rule}") for rule in rules),
    )


def _run(
    store: Store,
    tenant_id: int,
    entries: list[object],
    *,
    kind: RunKind,
    status: RunStatus = RunStatus.COMPLETED,
    dry_run: bool = False,
) -> int:
    run_id = store.start_run(
        tenant_id, Register.CUSTOMERS, kind=kind, dry_run=dry_run, trigger="test"
    )
    store.add_entries(run_id, entries)  # type: ignore[arg-type]
    store.finish_run(run_id, status, counts={}, error="x" if status is RunStatus.FAILED else None)
    return run_id


def _new_events(notifications: Notifications, tenant_id: int) -> list[tuple[str, str]]:
    digest = notifications.make_digest(tenant_id)
    if digest is None:
        return []
    (claimed,) = [d for d in notifications.claim_due() if d.id == digest]
    notifications.delivered(
        digest, pending_emails=[], pending_webhook=False, error=None, retry_at=None
    )
    return sorted((e["record"], e["rule"]) for e in claimed.payload["events"])


def test_a_refusal_is_told_once_and_again_after_it_went_away(store: Store) -> None:
    tenant = store.add_tenant(config(), changed_by="t")
    notifications = Notifications(store)
    before = _run(store, tenant.id, [_refused(9, RULE_A)], kind=RunKind.FULL)
    settings = NotificationSettings(
        recipients=(Recipient("kh@acme.fi"),),
        events=frozenset({"new_refusals"}),
        period_minutes=15,
    )
    notifications.save(tenant.id, settings, by="kh")
    assert before and notifications.notice(tenant.id) == 0  # what came before is not news

    _run(store, tenant.id, [_refused(1, RULE_A, RULE_B), _refused(2, RULE_A)], kind=RunKind.FULL)
    assert notifications.notice(tenant.id) == 1
    assert _new_events(notifications, tenant.id) == [("1", RULE_A), ("1", RULE_B), ("2", RULE_A)]

    # the same again, and an incremental run that did not read record 2: nothing new
    store._clock = _later(store, minutes=20)
    _run(store, tenant.id, [_refused(1, RULE_A, RULE_B), _refused(2, RULE_A)], kind=RunKind.FULL)
    _run(store, tenant.id, [_refused(1, RULE_A, RULE_B)], kind=RunKind.INCREMENTAL)
    notifications.notice(tenant.id)
    assert _new_events(notifications, tenant.id) == []

    # record 1 read without rule B (fixed), record 2 not read by a completed full run: gone
    _run(store, tenant.id, [_refused(1, RULE_A), entry(3)], kind=RunKind.FULL)
    notifications.notice(tenant.id)
    assert notifications.reported_refusals(tenant.id, Register.CUSTOMERS) == {("1", RULE_A)}
    # ... and when they come back they are new
    store._clock = _later(store, minutes=40)
    _run(
        store,
        tenant.id,
        [_refused(1, RULE_A, RULE_B), _refused(2, RULE_A)],
        kind=RunKind.INCREMENTAL,
    )
    notifications.notice(tenant.id)
    assert _new_events(notifications, tenant.id) == [("1", RULE_B), ("2", RULE_A)]


def test_a_preview_tells_nothing_and_a_failed_full_run_forgets_nothing(store: Store) -> None:
    tenant = store.add_tenant(config(), changed_by="t")
    notifications = Notifications(store)
    notifications.save(
        tenant.id,
        NotificationSettings(
            recipients=(Recipient("kh@acme.fi"),), events=frozenset({"new_refusals", "run_failed"})
        ),
        by="kh",
    )
    _run(store, tenant.id, [_refused(1, RULE_A)], kind=RunKind.FULL, dry_run=True)
    notifications.notice(tenant.id)
    assert notifications.pending_events(tenant.id) == 0
    _run(store, tenant.id, [_refused(1, RULE_A)], kind=RunKind.FULL)
    _run(store, tenant.id, [], kind=RunKind.FULL, status=RunStatus.FAILED)
    notifications.notice(tenant.id)
    assert notifications.reported_refusals(tenant.id, Register.CUSTOMERS) == {("1", RULE_A)}
    assert notifications.pending_events(tenant.id) == 2  # the refusal and the failure


def test_a_running_run_holds_the_cursor(store: Store) -> None:
    tenant = store.add_tenant(config(), changed_by="t")
    notifications = Notifications(store)
    notifications.save(tenant.id, NotificationSettings(events=frozenset({"run_failed"})), by="k")
    running = store.start_run(
        tenant.id, Register.CUSTOMERS, kind=RunKind.FULL, dry_run=False, trigger="t"
    )
    assert notifications.notice(tenant.id) == 0
    store.finish_run(running, RunStatus.FAILED, counts={}, error="boom")
    assert notifications.notice(tenant.id) == 1


def test_refusal_changes_as_a_function() -> None:
    reported = {("1", "a"), ("2", "a")}
    new, gone = refusal_changes(reported, [("1", frozenset({"a", "b"}))], complete=False)
    assert (new, gone) == ([("1", "b")], [])
    new, gone = refusal_changes(reported, [("1", frozenset())], complete=True)
    assert (new, gone) == ([], [("1", "a"), ("2", "a")])


def _later(store: Store, **delta: float):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    moment = store._now() + timedelta(**delta)
    return lambda: moment
