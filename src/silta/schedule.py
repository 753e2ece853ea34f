"""When a tenant's registers are due: the article's rhythm as one pure function.

Customers and products run every ``register_interval_minutes`` (the article: about every 40
minutes); dimensions once a night at ``dimension_time`` in the tenant's own time zone (the
article: "by the next night"). The web app shows these times; the scheduler runs by them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from silta.domain import Register, TenantSettings
from silta.store.records import aware_utc

__all__ = ["next_due"]


def next_due(
    register: Register, settings: TenantSettings, *, last_started: datetime | None, now: datetime
) -> datetime:
    """When ``register`` should next start (aware UTC; ``now`` or earlier means "due now").

    A register that has never run is due at once. A dimension run is due at the first
    ``dimension_time`` (tenant's local wall clock, so daylight saving is followed) after the
    last one started.
    """
    now = aware_utc(now)
    if register is Register.DIMENSIONS:
        after = aware_utc(last_started) if last_started is not None else None
        if after is None:
            return now
        zone = ZoneInfo(settings.timezone)
        day = after.astimezone(zone).date()
        candidate = aware_utc(datetime.combine(day, settings.dimension_time, tzinfo=zone))
        # Compared in UTC: two datetimes with the same tzinfo compare by wall clock alone,
        # which is wrong in the hour a DST change repeats (01:30 first pass < 01:10 second).
        if candidate <= after:
            candidate = aware_utc(
                datetime.combine(day + timedelta(days=1), settings.dimension_time, tzinfo=zone)
            )
        return candidate
    if last_started is None:
        return now
    return aware_utc(last_started) + timedelta(minutes=settings.register_interval_minutes)
