"""What every register's mapping shares: a mapped record with its refusals, and text cleanup."""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

from silta.domain import Refusal

__all__ = ["Mapped", "clean"]

R = TypeVar("R")


@attrs.frozen
class Mapped(Generic[R]):
    """A source record read into canonical form, with the rules it breaks."""

    record: R
    refusals: tuple[Refusal, ...] = ()

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


def clean(value: str | None) -> str | None:
    """Surrounding blanks removed; an empty text is no value (both services return "")."""
    if not value:  # None or "": no call to strip() (this runs dozens of times a record)
        return None
    value = value.strip()
    return value or None
