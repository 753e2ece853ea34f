"""When a tenant's registers are due: the article's rhythm as pure functions of the clock.

The article: customers and products about every 40 minutes, dimensions "by the next night".
So each tenant has a fixed grid of *slots*:

* customers and products every ``register_interval_minutes``, at ``epoch + phase + k ×
  interval``. The phase is the tenant's jitter, a stable hash of its id within one interval,
  so a thousand tenants are spread evenly over the interval instead of all firing at :00,
  and every process computes the same grid without asking anyone;
* dimensions once a night at ``dimension_time`` on the tenant's own wall clock (daylight
  saving followed), plus the tenant's jitter within :data:`NIGHT_SPREAD`;
* the nightly full reconciliation: the customers or products slot that comes first after
  the night's time runs in full (every record read again), the others incrementally.

A slot is identified by its due time, so "has this slot run?" is a lookup, and a process
that restarts finds the same slots again: it runs the current slot if nobody has, and never
the missed ones before it (one catch-up run, not a pile).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

from silta.domain import Register, TenantSettings
from silta.store.records import aware_utc

__all__ = ["NIGHT_SPREAD", "Due", "current_slot", "jitter", "next_slot"]

NIGHT_SPREAD = timedelta(minutes=30)  # nightly runs spread over the half hour after the time
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@attrs.frozen
class Due:
    """A slot: due at ``at`` (aware UTC), run in full or incrementally."""

    at: datetime = attrs.field(converter=aware_utc)
    full: bool


def jitter(tenant_id: int, span: timedelta) -> timedelta:
    """The tenant's stable offset within ``span`` (whole seconds; the same in every process)."""
    seconds = max(1, int(span.total_seconds()))
    digest = hashlib.sha256(f"silta-tenant:{tenant_id}".encode()).digest()
    return timedelta(seconds=int.from_bytes(digest[:8], "big") % seconds)


def _nightly(tenant_id: int, settings: TenantSettings, day: date) -> datetime:
    zone = ZoneInfo(settings.timezone)
    local = datetime.combine(day, settings.dimension_time, tzinfo=zone)
    # Compared in UTC from here on: two datetimes with the same tzinfo compare by wall clock
    # alone, which is wrong in the hour a DST change repeats.
    return aware_utc(local) + jitter(tenant_id, NIGHT_SPREAD)


def _nightly_at_or_before(tenant_id: int, settings: TenantSettings, when: datetime) -> datetime:
    day = when.astimezone(ZoneInfo(settings.timezone)).date()
    for back in range(3):
        candidate = _nightly(tenant_id, settings, day - timedelta(days=back))
        if candidate <= when:
            return candidate
    raise AssertionError("a night within three days always exists")  # pragma: no cover


def _nightly_after(tenant_id: int, settings: TenantSettings, when: datetime) -> datetime:
    day = when.astimezone(ZoneInfo(settings.timezone)).date()
    for ahead in range(-1, 3):
        candidate = _nightly(tenant_id, settings, day + timedelta(days=ahead))
        if candidate > when:
            return candidate
    raise AssertionError("a night within three days always exists")  # pragma: no cover


def _interval(settings: TenantSettings) -> timedelta:
    return timedelta(minutes=settings.register_interval_minutes)


def current_slot(
    register: Register, tenant_id: int, settings: TenantSettings, now: datetime
) -> Due:
    """The register's latest slot at or before ``now``: the one that should have run."""
    now = aware_utc(now)
    if register is Register.DIMENSIONS:
        return Due(_nightly_at_or_before(tenant_id, settings, now), full=True)
    interval = _interval(settings)
    phase = jitter(tenant_id, interval)
    at = _EPOCH + phase + ((now - _EPOCH - phase) // interval) * interval
    night = _nightly_at_or_before(tenant_id, settings, at)
    return Due(at, full=night > at - interval)


def next_slot(register: Register, tenant_id: int, settings: TenantSettings, now: datetime) -> Due:
    """The register's first slot after ``now``."""
    now = aware_utc(now)
    if register is Register.DIMENSIONS:
        return Due(_nightly_after(tenant_id, settings, now), full=True)
    current = current_slot(register, tenant_id, settings, now)
    at = current.at + _interval(settings)
    night = _nightly_at_or_before(tenant_id, settings, at)
    return Due(at, full=night > current.at)
