"""How Netvisor writes values: times, decimal commas, 1/0 flags, True/False words, id lists.

Every parser here raises :class:`~.errors.NetvisorFailure` with the category Netvisor would
use, so resource code can call them without checking anything itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final
from zoneinfo import ZoneInfo

from .errors import INVALID_DATA_SIZE, NetvisorFailure, invalid_data

__all__ = [
    "HELSINKI",
    "Clock",
    "format_amount",
    "format_percent",
    "parse_changedsince",
    "parse_date",
    "parse_decimal",
    "parse_flag",
    "parse_key",
    "parse_list",
    "parse_true_false",
    "response_timestamp",
    "utc_now",
]

#: Netvisor is a Finnish service: response time stamps and ``changedsince`` are local time.
HELSINKI: Final = ZoneInfo("Europe/Helsinki")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: real time, aware, UTC."""
    return datetime.now(UTC)


def response_timestamp(now: datetime) -> str:
    """``ResponseStatus/TimeStamp``: Helsinki local time as ``d.M.yyyy HH:mm:ss`` (§3)."""
    local = now.astimezone(HELSINKI)
    return f"{local.day}.{local.month}.{local.year} {local:%H:%M:%S}"


_CHANGEDSINCE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2}))?$")


def parse_changedsince(text: str) -> datetime:
    """Read a ``changedsince`` filter into an aware datetime.

    **Settled:** the value is Europe/Helsinki local time (Netvisor shows its users local
    times and documents no zone). Accepted forms: ``YYYY-MM-DDThh:mm:ss`` (documented),
    ``YYYY-MM-DD hh:mm:ss`` (an older page version) and ``YYYY-MM-DD`` (midnight; the doc's
    example). Anything else is ``INVALID_DATA``.
    """
    match = _CHANGEDSINCE.match(text.strip())
    if match is None:
        raise _bad_changedsince(text)
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise _bad_changedsince(text) from None
    # fold=0: an ambiguous autumn hour reads as its first (summer-time) occurrence.
    return naive.replace(tzinfo=HELSINKI)


def _bad_changedsince(text: str) -> NetvisorFailure:
    return invalid_data(
        f"Virheellinen changedsince-arvo: {text}",
        f"Invalid changedsince value: {text}",
        detail="changedsince must be YYYY-MM-DDThh:mm:ss (Europe/Helsinki)",
    )


def parse_date(text: str, element: str) -> date:
    """An ANSI date ``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise invalid_data(
            f"Virheellinen päivämäärä elementissä {element}: {text}",
            f"Invalid date in element {element}: {text}",
        ) from None


def parse_decimal(text: str, element: str) -> Decimal:
    """A number written with a decimal comma (Netvisor's form) or a dot (tolerated)."""
    cleaned = text.strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or cleaned.count(".") > 1:
        raise invalid_data(
            f"Virheellinen numero elementissä {element}: {text}",
            f"Invalid number in element {element}: {text}",
        )
    return value


_TWELVE_PLACES: Final = Decimal("0.000000000001")


def format_amount(value: Decimal) -> str:
    """A price as Netvisor lists it: 12 decimals, decimal comma (``50,000000000000``)."""
    return f"{value.quantize(_TWELVE_PLACES, rounding=ROUND_HALF_UP):f}".replace(".", ",")


def format_percent(value: Decimal) -> str:
    """A percentage without trailing zeros, decimal comma (``25,5``, ``24``)."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def parse_flag(text: str, element: str) -> str:
    """A ``1``/``0`` flag (``isactive``, ``issalesproduct``, ...), returned as ``"1"``/``"0"``."""
    value = text.strip()
    if value not in {"1", "0"}:
        raise invalid_data(
            f"Elementin {element} arvon tulee olla 1 tai 0: {text}",
            f"Element {element} must be 1 or 0: {text}",
        )
    return value


def parse_true_false(text: str, element: str) -> bool:
    """A ``True``/``False`` word (``ishidden``), in any letter case."""
    value = text.strip().lower()
    if value not in {"true", "false"}:
        raise invalid_data(
            f"Elementin {element} arvon tulee olla True tai False: {text}",
            f"Element {element} must be True or False: {text}",
        )
    return value == "true"


def parse_key(text: str, what: str) -> int:
    """A NetvisorKey given as a parameter or element: a non-negative integer."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        raise invalid_data(
            f"Virheellinen tunniste {what}: {text}",
            f"Invalid identifier {what}: {text}",
        )
    return int(value)


def parse_list(text: str, limit: int, parameter: str) -> list[str]:
    """A comma-separated list parameter, blanks dropped; more than ``limit`` items is
    ``INVALID_DATA_SIZE`` (the documented caps: idlist 500/400, codelist 400, customercodelist
    100)."""
    items = [item.strip() for item in text.split(",")]
    items = [item for item in items if item]
    if len(items) > limit:
        raise NetvisorFailure(
            INVALID_DATA_SIZE,
            f"Parametrissa {parameter} saa olla enintään {limit} arvoa, annettiin {len(items)}",
            f"Parameter {parameter} takes at most {limit} values, got {len(items)}",
        )
    return items
