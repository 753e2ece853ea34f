"""The slot grid: the article's rhythm. Customers and products every interval, on a phase
of their own per tenant; dimensions nightly at the tenant's local time, through daylight
saving changes; one full reconciliation of each register per night."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from silta.domain import Register, TenantSettings
from silta.schedule import NIGHT_SPREAD, current_slot, jitter, next_slot

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
DEFAULTS = TenantSettings()  # every 40 minutes; dimensions at 02:00 Europe/Helsinki
HELSINKI = ZoneInfo("Europe/Helsinki")


def walk(register: Register, tenant: int, settings: TenantSettings, start: datetime, end: datetime):
    """Every slot in (start, end], by repeated next_slot."""
    at = start
    while True:
        due = next_slot(register, tenant, settings, at)
        if due.at > end:
            return
        yield due
        at = due.at


@pytest.mark.parametrize("register", [Register.CUSTOMERS, Register.PRODUCTS])
@pytest.mark.parametrize("minutes", [40, 5, 90])
def test_register_slots_are_one_interval_apart_and_the_current_one_is_not_in_the_future(
    register: Register, minutes: int
) -> None:
    settings = TenantSettings(register_interval_minutes=minutes)
    interval = timedelta(minutes=minutes)
    for tenant in (1, 2, 77):
        current = current_slot(register, tenant, settings, NOW)
        assert current.at <= NOW < current.at + interval
        following = next_slot(register, tenant, settings, NOW)
        assert following.at - current.at == interval
        # the grid is a property of the clock alone: any moment in the slot gives the same one
        assert current_slot(register, tenant, settings, current.at) == current
        assert current_slot(register, tenant, settings, following.at - timedelta(seconds=1)) == (
            current
        )


def test_customers_and_products_of_a_tenant_share_the_grid() -> None:
    for tenant in range(1, 20):
        customers = current_slot(Register.CUSTOMERS, tenant, DEFAULTS, NOW).at
        assert current_slot(Register.PRODUCTS, tenant, DEFAULTS, NOW).at == customers


def test_jitter_spreads_a_thousand_tenants_evenly_over_the_interval() -> None:
    interval = timedelta(minutes=40)
    buckets = Counter(jitter(tenant, interval) // timedelta(minutes=4) for tenant in range(1000))
    assert sorted(buckets) == list(range(10))
    assert all(60 <= count <= 140 for count in buckets.values()), buckets
    assert all(timedelta(0) <= jitter(t, interval) < interval for t in range(1000))
    # stable: every process computes the same phase for a tenant
    assert [jitter(t, interval) for t in range(50)] == [jitter(t, interval) for t in range(50)]
    starts = {current_slot(Register.CUSTOMERS, t, DEFAULTS, NOW).at for t in range(100)}
    assert len(starts) > 80  # not all at one moment


@pytest.mark.parametrize(
    ("day", "two_am"),
    [(date(2025, 6, 10), datetime(2025, 6, 9, 23, 0, tzinfo=UTC)),  # summer: UTC+3
     (date(2025, 1, 15), datetime(2025, 1, 15, 0, 0, tzinfo=UTC))],  # winter: UTC+2
)  # fmt: skip
def test_dimensions_run_nightly_at_the_local_time_plus_the_tenants_jitter(
    day: date, two_am: datetime
) -> None:
    for tenant in (1, 5, 99):
        spread = jitter(tenant, NIGHT_SPREAD)
        assert timedelta(0) <= spread < NIGHT_SPREAD
        noon = datetime.combine(day, time(12), tzinfo=HELSINKI)
        due = current_slot(Register.DIMENSIONS, tenant, DEFAULTS, noon)
        assert due.at == two_am + spread
        assert due.full
        assert next_slot(Register.DIMENSIONS, tenant, DEFAULTS, noon).at == (
            two_am + timedelta(days=1) + spread
        )
        # just before tonight's time the current slot is still last night's
        before = two_am + spread - timedelta(seconds=1)
        assert current_slot(Register.DIMENSIONS, tenant, DEFAULTS, before).at == (
            two_am - timedelta(days=1) + spread
        )


@pytest.mark.parametrize("local_time", [time(3, 30), time(3, 0), time(2, 0), time(0, 0)])
def test_one_dimension_slot_per_local_night_across_both_daylight_saving_changes(
    local_time: time,
) -> None:
    # 30 March 2025: 03:00 → 04:00 in Helsinki; 26 October 2025: 04:00 → 03:00 (03:xx twice)
    settings = TenantSettings(dimension_time=local_time)
    for start in (datetime(2025, 3, 25, 12, tzinfo=UTC), datetime(2025, 10, 21, 12, tzinfo=UTC)):
        slots = list(walk(Register.DIMENSIONS, 3, settings, start, start + timedelta(days=10)))
        nights = [due.at.astimezone(HELSINKI).date() for due in slots]
        assert len(nights) == len(set(nights)) == 10, slots
        for due in slots:
            local = (due.at - jitter(3, NIGHT_SPREAD)).astimezone(HELSINKI)
            if local.date() != date(2025, 3, 30) or local_time.hour != 3:
                assert local.time() == local_time  # 03:xx does not exist on 30 March


@pytest.mark.parametrize("register", [Register.CUSTOMERS, Register.PRODUCTS])
def test_one_register_slot_per_night_is_the_full_reconciliation_the_first_after_the_time(
    register: Register,
) -> None:
    for tenant in (4, 8, 15):
        start = datetime(2025, 6, 1, 12, tzinfo=UTC)
        slots = list(walk(register, tenant, DEFAULTS, start, start + timedelta(days=5)))
        full = [due for due in slots if due.full]
        assert len(full) == 5
        for due in full:
            night = current_slot(Register.DIMENSIONS, tenant, DEFAULTS, due.at).at
            assert timedelta(0) <= due.at - night < timedelta(minutes=40)
        assert all(slot.full == (slot in full) for slot in slots)
        # current_slot agrees with next_slot on which ones are full
        for due in slots[:80]:
            assert current_slot(register, tenant, DEFAULTS, due.at) == due


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        current_slot(Register.CUSTOMERS, 1, DEFAULTS, datetime(2025, 6, 10))
