"""``register_health``: what the overview's badge says for one register, from recorded runs.

The runs are :class:`silta.store.RunRecord` values built here, newest first as the store
gives them, so every state and every precedence between states is reached directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta

import attrs
import pytest

from silta.domain import (
    CustomerDirection,
    ProductDirection,
    Register,
    RunKind,
    RunStatus,
    TenantSettings,
)
from silta.netvisor import NetvisorCredentials
from silta.schedule import next_slot
from silta.severa import SeveraCredentials
from silta.store import RunRecord
from silta.sync.engine import CREDENTIALS_REFUSED
from silta.tenants import NetvisorConnection, SeveraConnection, Tenant
from silta.web.health import Health, RegisterHealth, register_health, tenant_health

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
SETTINGS = TenantSettings(
    customers=CustomerDirection.SEVERA_TO_NETVISOR,
    products=ProductDirection.NETVISOR_TO_SEVERA,
    dimensions=True,
    project_header="Projekti",
    register_interval_minutes=40,
    dimension_time=time(2, 0),
)
_ids = itertools.count(1)


def tenant(*, paused: bool = False, settings: TenantSettings = SETTINGS) -> Tenant:
    return Tenant(
        id=7,
        name="Demo Oy",
        netvisor=NetvisorConnection(
            NetvisorCredentials(
                sender="tests",
                customer_id="c",
                customer_key="ck",
                partner_id="p",
                partner_key="pk",
                organisation_id="1967543-8",
            )
        ),
        severa=SeveraConnection(SeveraCredentials("client", "secret")),
        settings=settings,
        settings_version=1,
        paused=paused,
        created_at=NOW - timedelta(days=30),
    )


def run(
    register: Register = Register.CUSTOMERS,
    *,
    ago: timedelta = timedelta(minutes=10),
    status: RunStatus = RunStatus.COMPLETED,
    counts: Mapping[str, int] | None = None,
    error: str | None = None,
    dry_run: bool = False,
) -> RunRecord:
    started = NOW - ago
    return RunRecord(
        id=next(_ids),
        tenant_id=7,
        tenant_name="Demo Oy",
        register=register,
        kind=RunKind.INCREMENTAL,
        dry_run=dry_run,
        trigger="test",
        status=status,
        started_at=started,
        finished_at=None if status is RunStatus.RUNNING else started + timedelta(seconds=5),
        counts=counts if counts is not None else {"unchanged": 3},
        error=error,
        owner="host:1",
    )


def health(
    runs: list[RunRecord],
    register: Register = Register.CUSTOMERS,
    *,
    paused: bool = False,
    settings: TenantSettings = SETTINGS,
) -> RegisterHealth:
    return register_health(tenant(paused=paused, settings=settings), register, runs, now=NOW)


def next_on_grid(register: Register = Register.CUSTOMERS) -> datetime:
    """The tenant's next slot after NOW, checked to lie where the article's rhythm puts it."""
    due = next_slot(register, 7, SETTINGS, NOW).at
    if register is Register.DIMENSIONS:
        assert due - datetime(2025, 6, 10, 23, 0, tzinfo=UTC) < timedelta(minutes=30)
    else:
        assert NOW < due <= NOW + timedelta(minutes=40)
    return due


def test_ok_after_a_clean_run_and_due_at_the_next_slot() -> None:
    last = run(ago=timedelta(minutes=10))
    row = health([last])
    assert row == RegisterHealth(Register.CUSTOMERS, Health.OK, last, next_on_grid())


def test_never_when_the_register_has_no_run_and_due_now() -> None:
    other_register = run(Register.PRODUCTS)
    row = health([other_register])
    assert (row.health, row.last, row.next_at) == (Health.NEVER, None, NOW)


def test_a_preview_alone_is_not_a_run() -> None:
    row = health([run(dry_run=True, counts={"refused": 2})])
    assert (row.health, row.last, row.next_at) == (Health.NEVER, None, NOW)


def test_refusals_when_the_last_run_refused_records() -> None:
    last = run(counts={"unchanged": 5, "refused": 2})
    row = health([last])
    assert (row.health, row.last) == (Health.REFUSALS, last)
    assert health([run(counts={"refused": 0, "created": 1})]).health is Health.OK


@pytest.mark.parametrize("status", [RunStatus.FAILED, RunStatus.INTERRUPTED])
def test_failing_when_the_last_run_failed_or_was_interrupted(status: RunStatus) -> None:
    last = run(status=status, error="2 record(s) failed; see the entries", counts={"refused": 3})
    row = health([last])
    assert (row.health, row.last) == (Health.FAILING, last)  # failing outranks refusals
    assert row.next_at == next_on_grid()


def test_credentials_when_the_last_run_error_says_they_were_refused() -> None:
    last = run(
        status=RunStatus.FAILED,
        error=f"{CREDENTIALS_REFUSED}: SeveraAuthenticationError: Invalid client credentials.",
    )
    row = health([last])
    assert (row.health, row.last) == (Health.CREDENTIALS, last)


def test_an_error_that_only_mentions_credentials_elsewhere_is_failing() -> None:
    last = run(status=RunStatus.FAILED, error=f"OutcomeUnknownError: {CREDENTIALS_REFUSED}")
    assert health([last]).health is Health.FAILING


def test_the_newest_real_run_decides_not_an_older_one_nor_a_newer_preview() -> None:
    failed = run(ago=timedelta(hours=2), status=RunStatus.FAILED, error="boom")
    clean = run(ago=timedelta(hours=1))
    preview = run(ago=timedelta(minutes=5), dry_run=True, status=RunStatus.FAILED, error="x")
    row = health([preview, clean, failed])  # newest first
    assert (row.health, row.last) == (Health.OK, clean)
    recovered_then_broke = health([run(status=RunStatus.FAILED, error="boom"), clean])
    assert recovered_then_broke.health is Health.FAILING


def test_running_while_a_run_of_the_register_is_going() -> None:
    going = run(ago=timedelta(minutes=1), status=RunStatus.RUNNING, counts={})
    older = run(ago=timedelta(hours=1), status=RunStatus.FAILED, error="boom")
    row = health([going, older])
    assert (row.health, row.last) == (Health.RUNNING, going)
    assert row.next_at == next_on_grid()
    preview_going = run(ago=timedelta(minutes=1), status=RunStatus.RUNNING, dry_run=True)
    assert health([preview_going, older]).health is Health.RUNNING
    other_register_going = run(Register.PRODUCTS, status=RunStatus.RUNNING)
    assert health([other_register_going, older]).health is Health.FAILING


def test_paused_wins_over_every_run_state_and_schedules_nothing() -> None:
    cases = [
        [],
        [run()],
        [run(status=RunStatus.RUNNING)],
        [run(status=RunStatus.FAILED, error=f"{CREDENTIALS_REFUSED}: x")],
        [run(counts={"refused": 1})],
    ]
    for runs in cases:
        row = health(runs, paused=True)
        assert (row.health, row.next_at) == (Health.PAUSED, None), runs
        assert row.last == (runs[0] if runs else None)


def test_off_when_dimensions_are_switched_off() -> None:
    off = attrs.evolve(SETTINGS, dimensions=False)
    last = run(Register.DIMENSIONS, counts={"refused": 1})
    row = health([last], Register.DIMENSIONS, settings=off)
    assert (row.health, row.last, row.next_at) == (Health.OFF, last, None)
    assert health([], Register.DIMENSIONS, settings=off, paused=True).health is Health.OFF
    # customers and products are never off: their third choice still runs the TEMP check
    temp = attrs.evolve(
        off,
        customers=CustomerDirection.TEMP_CUSTOMER,
        products=ProductDirection.TEMP_PRODUCT,
    )
    assert health([], Register.CUSTOMERS, settings=temp).health is Health.NEVER
    assert health([], Register.PRODUCTS, settings=temp).health is Health.NEVER


def test_dimensions_are_due_at_the_next_night() -> None:
    last = run(Register.DIMENSIONS, ago=timedelta(hours=3))  # 09:00 UTC, 12:00 in Helsinki
    row = health([last], Register.DIMENSIONS)
    assert (row.health, row.next_at) == (Health.OK, next_on_grid(Register.DIMENSIONS))


def test_tenant_health_is_one_row_per_register_in_order() -> None:
    runs = [
        run(Register.DIMENSIONS, status=RunStatus.RUNNING),
        run(Register.PRODUCTS, counts={"refused": 4}),
        run(Register.CUSTOMERS, status=RunStatus.FAILED, error="boom"),
    ]
    rows = tenant_health(tenant(), runs, now=NOW)
    assert [(row.register, row.health) for row in rows] == [
        (Register.CUSTOMERS, Health.FAILING),
        (Register.PRODUCTS, Health.REFUSALS),
        (Register.DIMENSIONS, Health.RUNNING),
        (Register.INVOICES, Health.OFF),  # off until a KH turns it on
        (Register.PURCHASE_LINES, Health.OFF),
        (Register.TRAVEL, Health.OFF),
    ]
    every_state = {
        Health.OK,
        Health.REFUSALS,
        Health.FAILING,
        Health.CREDENTIALS,
        Health.PAUSED,
        Health.RUNNING,
        Health.NEVER,
        Health.OFF,
        Health.HELD,
    }
    assert every_state == set(Health)  # a new state must get a test here


def test_held_when_a_change_waits_for_its_confirmation_and_nothing_is_due() -> None:
    """A held register gets no slots (the dispatcher skips it), so no next run is shown;
    its last real run is still the one shown."""
    last = run(ago=timedelta(minutes=10), counts={"refused": 1})
    row = register_health(tenant(), Register.CUSTOMERS, [last], now=NOW, held=True)
    assert row == RegisterHealth(Register.CUSTOMERS, Health.HELD, last, None)
    paused = register_health(tenant(paused=True), Register.CUSTOMERS, [last], now=NOW, held=True)
    assert paused.health is Health.PAUSED  # nothing runs at all: paused says more
    rows = tenant_health(tenant(), [last], now=NOW, held={Register.PRODUCTS})
    # (the money transfers of issue 19 are off)
    assert [row.health for row in rows] == [
        Health.REFUSALS, Health.HELD, Health.NEVER, Health.OFF, Health.OFF, Health.OFF,
    ]  # fmt: skip
