"""Times and dates as Severa writes and reads them.

* Output date-times are ISO 8601 with microseconds and an explicit offset, always UTC
  (``2026-03-02T09:00:00.000000+00:00``): the document types them ``format: date-time``
  (RFC 3339), which requires the offset. Dates are ``YYYY-MM-DD`` (``format: date``).
* ``changedSince`` (:func:`parse_changed_since`) takes ISO 8601 with an offset
  (``2026-03-02T09:00:00+02:00``), ``Z``, fractional seconds (up to 7 digits, as .NET writes
  them) or a bare date ``YYYY-MM-DD`` (midnight). **Settled:** a time without an offset is read
  as UTC. A raw ``+`` in a query string decodes to a space, so ``…T09:00:00 02:00`` arrives
  here; it is malformed on purpose (400), which catches a client that forgets to encode ``+``.

The sandbox clock is injectable (``SeveraSandbox(clock=...)``) and must return an aware
datetime; it is the same :data:`Clock` the Netvisor sandbox uses.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Final

from ..netvisor.values import Clock, utc_now

__all__ = [
    "Clock",
    "format_date",
    "format_datetime",
    "parse_changed_since",
    "parse_date",
    "utc_now",
]


def format_datetime(moment: datetime) -> str:
    """``2026-03-02T09:00:00.000000+00:00``: UTC, microseconds, explicit offset."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def format_date(day: date | None) -> str | None:
    """``YYYY-MM-DD`` or ``None``."""
    return None if day is None else day.isoformat()


_DATETIME: Final = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?$",
    re.IGNORECASE,
)


def parse_changed_since(text: str) -> datetime | None:
    """An aware UTC datetime from a ``changedSince`` value, or ``None`` when malformed.

    See the module docstring for the accepted forms.
    """
    match = _DATETIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(7, "0")[:6])
    zone: timezone = UTC
    if offset is not None and offset.upper() != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 14 or minutes > 59:
            return None
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=zone,
        )
    except ValueError:
        return None
    return moment.astimezone(UTC)


_DATE: Final = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?$")


def parse_date(text: str) -> date | None:
    """A ``format: date`` value, or ``None`` when malformed.

    ``YYYY-MM-DD`` is the form; a date-time (``2026-03-02T00:00:00``, as .NET clients often
    send for a date) is accepted too and only its date part is kept.
    """
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
