"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no time zones: it keeps the text of a datetime and gives back a naive one.
:class:`UTCDateTime` therefore refuses naive datetimes on the way in, stores UTC, and hands
back aware UTC on both backends, so a comparison never mixes naive and aware values.

Enumerations are stored as their text (:class:`TextEnum`), not as database enum types:
adding a value is then a code change, not a migration on PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator

__all__ = ["TextEnum", "UTCDateTime"]

_E = TypeVar("_E", bound=enum.StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime, stored as ``timestamptz`` (PostgreSQL) or UTC text (SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing a naive datetime ({value.isoformat()}): use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TextEnum(TypeDecorator[_E]):
    """A :class:`enum.StrEnum` stored as its value in a ``VARCHAR(32)``."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_type: type[_E]) -> None:
        super().__init__(32)
        self.enum_type = enum_type

    def process_bind_param(self, value: _E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, self.enum_type):
            return value.value
        return self.enum_type(value).value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> _E | None:
        if value is None:
            return None
        return self.enum_type(value)

    def __repr__(self) -> str:
        return f"TextEnum({self.enum_type.__name__})"
