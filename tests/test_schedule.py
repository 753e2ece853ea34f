"""``next_due``: the article's rhythm. Customers and products every interval after the last
start; dimensions nightly at the tenant's local time, through daylight saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from silta.domain import Register, TenantSettings
from silta.schedule import next_due

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
DEFAULTS = TenantSettings()  # every 40 minutes; dimensions at 02:00 Europe/Helsinki


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize("register", [Register.CUSTOMERS, Register.PRODUCTS])
def test_a_register_is_due_its_interval_after_the_last_start(register: Register) -> None:
    last = utc(2025, 6, 10, 11, 50)
    assert next_due(register, DEFAULTS, last_started=last, now=NOW) == utc(2025, 6, 10, 12, 30)
    every_5 = TenantSettings(register_interval_minutes=5)
    assert next_due(register, every_5, last_started=last, now=NOW) == utc(2025, 6, 10, 11, 55)


def test_an_overdue_register_gets_a_time_in_the_past_which_means_now() -> None:
    last = utc(2025, 6, 9, 8, 0)  # a day ago: the interval is not added again and again
    due = next_due(Register.CUSTOMERS, DEFAULTS, last_started=last, now=NOW)
    assert due == last + timedelta(minutes=40)
    assert due <= NOW


@pytest.mark.parametrize("register", list(Register))
def test_a_register_never_run_is_due_now(register: Register) -> None:
    assert next_due(register, DEFAULTS, last_started=None, now=NOW) == NOW


def test_the_answer_is_utc_whatever_zone_the_inputs_are_in() -> None:
    helsinki_summer = timezone(timedelta(hours=3))
    last = datetime(2025, 6, 10, 14, 50, tzinfo=helsinki_summer)  # 11:50 UTC
    due = next_due(
        Register.CUSTOMERS, DEFAULTS, last_started=last, now=NOW.astimezone(helsinki_summer)
    )
    assert due == utc(2025, 6, 10, 12, 30)
    assert due.utcoffset() == timedelta(0)
    never = next_due(
        Register.PRODUCTS, DEFAULTS, last_started=None, now=NOW.astimezone(helsinki_summer)
    )
    assert never == NOW
    assert never.tzinfo is UTC


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_due(Register.CUSTOMERS, DEFAULTS, last_started=None, now=datetime(2025, 6, 10))


@pytest.mark.parametrize(
    ("last", "due"),
    [
        # summer (EEST, UTC+3): 02:00 local is 23:00 UTC the day before
        (utc(2025, 6, 10, 9, 0), utc(2025, 6, 10, 23, 0)),  # 12:00 local: tonight
        (utc(2025, 6, 9, 23, 0), utc(2025, 6, 10, 23, 0)),  # exactly 02:00: the next night
        (utc(2025, 6, 9, 23, 5), utc(2025, 6, 10, 23, 0)),  # just after: the next night
        # winter (EET, UTC+2): 02:00 local is 00:00 UTC
        (utc(2025, 1, 15, 10, 0), utc(2025, 1, 16, 0, 0)),
        (utc(2025, 1, 15, 23, 59), utc(2025, 1, 16, 0, 0)),  # 01:59 local: a minute later
        (utc(2025, 12, 31, 12, 0), utc(2026, 1, 1, 0, 0)),  # across the year's end
    ],
)
def test_dimensions_are_due_at_the_next_0200_helsinki(last: datetime, due: datetime) -> None:
    assert next_due(Register.DIMENSIONS, DEFAULTS, last_started=last, now=last) == due


def test_the_case_of_0130_local_is_due_the_same_night() -> None:
    last = utc(2025, 6, 9, 22, 30)  # 01:30 EEST on 10 June: 02:00 comes half an hour later
    due = next_due(Register.DIMENSIONS, DEFAULTS, last_started=last, now=last)
    assert due == utc(2025, 6, 9, 23, 0)


def test_dimensions_follow_the_spring_dst_change_in_helsinki() -> None:
    # 30 March 2025: at 03:00 EET the clocks go to 04:00 EEST. 02:00 on the 30th is still
    # winter time (00:00 UTC); 02:00 on the 31st is summer time (23:00 UTC on the 30th).
    before = utc(2025, 3, 29, 0, 10)  # 02:10 EET on the 29th
    first = next_due(Register.DIMENSIONS, DEFAULTS, last_started=before, now=before)
    assert first == utc(2025, 3, 30, 0, 0)
    second = next_due(Register.DIMENSIONS, DEFAULTS, last_started=first, now=first)
    assert second == utc(2025, 3, 30, 23, 0)
    assert second - first == timedelta(hours=23)  # the night the clocks go forward


def test_dimensions_follow_the_autumn_dst_change_in_helsinki() -> None:
    # 26 October 2025: at 04:00 EEST the clocks go back to 03:00 EET.
    start = utc(2025, 10, 24, 23, 0)  # 02:00 EEST on the 25th
    first = next_due(Register.DIMENSIONS, DEFAULTS, last_started=start, now=start)
    assert first == utc(2025, 10, 25, 23, 0)  # 02:00 EEST on the 26th, before the change
    second = next_due(Register.DIMENSIONS, DEFAULTS, last_started=first, now=first)
    assert second == utc(2025, 10, 27, 0, 0)  # 02:00 EET on the 27th
    assert second - first == timedelta(hours=25)


def test_a_custom_time_and_zone() -> None:
    settings = TenantSettings(dimension_time=time(23, 30), timezone="America/New_York")
    last = utc(2025, 6, 10, 12, 0)  # 08:00 EDT (UTC-4)
    assert next_due(Register.DIMENSIONS, settings, last_started=last, now=last) == utc(
        2025, 6, 11, 3, 30
    )
    after = utc(2025, 6, 11, 3, 45)  # 23:45 EDT: the next night
    assert next_due(Register.DIMENSIONS, settings, last_started=after, now=after) == utc(
        2025, 6, 12, 3, 30
    )
    winter = utc(2025, 1, 10, 12, 0)  # EST (UTC-5)
    assert next_due(Register.DIMENSIONS, settings, last_started=winter, now=winter) == utc(
        2025, 1, 11, 4, 30
    )


def test_the_interval_ignores_the_dimension_time_and_zone() -> None:
    settings = TenantSettings(
        register_interval_minutes=90, dimension_time=time(4, 15), timezone="Asia/Tokyo"
    )
    last = utc(2025, 6, 10, 11, 0)
    assert next_due(Register.PRODUCTS, settings, last_started=last, now=NOW) == utc(
        2025, 6, 10, 12, 30
    )
    assert next_due(Register.DIMENSIONS, settings, last_started=last, now=NOW) == utc(
        2025,
        6,
        10,
        19,
        15,  # 04:15 JST on the 11th
    )


def test_a_time_in_the_repeated_hour_is_not_put_before_the_last_start() -> None:
    # New York, 2 November 2025: at 02:00 EDT the clocks go back to 01:00 EST, so 01:00-02:00
    # happens twice. A run at 01:10 EST (the second pass, 06:10 UTC) came after 01:30 EDT
    # (05:30 UTC): the next 01:30 is the next night's, never one before the run itself.
    settings = TenantSettings(dimension_time=time(1, 30), timezone="America/New_York")
    last = utc(2025, 11, 2, 6, 10)
    due = next_due(Register.DIMENSIONS, settings, last_started=last, now=last)
    assert due > last
    assert due == utc(2025, 11, 3, 6, 30)  # 01:30 EST on the 3rd
    first_pass = utc(2025, 11, 2, 5, 10)  # 01:10 EDT: the first 01:30 is still ahead
    assert next_due(Register.DIMENSIONS, settings, last_started=first_pass, now=first_pass) == (
        utc(2025, 11, 2, 5, 30)
    )


def test_a_time_that_does_not_exist_on_the_spring_night_still_gives_one_run() -> None:
    # Helsinki, 30 March 2025: 03:30 local does not exist (03:00 EET -> 04:00 EEST).
    settings = TenantSettings(dimension_time=time(3, 30))
    last = utc(2025, 3, 29, 2, 0)  # 04:00 EET on the 29th
    due = next_due(Register.DIMENSIONS, settings, last_started=last, now=last)
    assert last < due < last + timedelta(hours=25)
    again = next_due(Register.DIMENSIONS, settings, last_started=due, now=due)
    assert again == utc(2025, 3, 31, 0, 30)  # 03:30 EEST on the 31st
