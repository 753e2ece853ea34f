"""Query parameters as ASP.NET binds them: names in any case, arrays by repeating the key.

* Names match case-insensitively (``rowcount`` = ``rowCount``); unknown parameters are
  ignored. A repeated scalar parameter takes its first value.
* Array parameters (``numbers``, ``projectGuids`` ...) repeat the key
  (``?numbers=1001&numbers=1002``, the document's ``style: form, explode: true``).
  ``numbers=1001,1002`` is not split: it is not an integer, so it is a 400.
* Booleans are ``true``/``false`` in any case; an empty value means "not given".
* Every malformed parameter is reported (400 ``InvalidParameter``, location
  ``UriParameter``), not just the first.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final
from urllib.parse import parse_qsl

from .errors import Detail, invalid_parameters
from .times import parse_changed_since

__all__ = ["Query"]

_INT: Final = re.compile(r"^[+-]?\d+$")


class Query:
    """The parsed query string of one request."""

    def __init__(self, raw: bytes) -> None:
        self._values: dict[str, list[str]] = {}
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
        for name, value in pairs:
            self._values.setdefault(name.lower(), []).append(value)
        self.problems: list[Detail] = []

    def _problem(self, name: str, message: str) -> None:
        self.problems.append(Detail(message, name, "UriParameter"))

    def check(self) -> None:
        """Raise 400 ``InvalidParameter`` with every problem found so far."""
        if self.problems:
            raise invalid_parameters(self.problems)

    def given(self, name: str) -> bool:
        """Whether the parameter is present with a non-empty value."""
        return any(value != "" for value in self._values.get(name.lower(), []))

    def text(self, name: str) -> str | None:
        """The first non-empty value, or ``None``."""
        for value in self._values.get(name.lower(), []):
            if value != "":
                return value
        return None

    def texts(self, name: str) -> list[str]:
        """Every non-empty value of an array parameter."""
        return [value for value in self._values.get(name.lower(), []) if value != ""]

    def boolean(self, name: str) -> bool | None:
        """A boolean parameter."""
        value = self.text(name)
        if value is None:
            return None
        if value.strip().lower() not in ("true", "false"):
            self._problem(name, f"{name} must be true or false, got '{value}'.")
            return None
        return value.strip().lower() == "true"

    def integer(self, name: str, bits: int = 32) -> int | None:
        """An integer parameter (``int32`` unless told)."""
        value = self.text(name)
        if value is None:
            return None
        number = self._int(name, value, bits)
        return number

    def integers(self, name: str, bits: int = 64) -> list[int]:
        """An array of integers (``int64`` unless told)."""
        numbers = [self._int(name, value, bits) for value in self.texts(name)]
        return [number for number in numbers if number is not None]

    def _int(self, name: str, value: str, bits: int) -> int | None:
        bound = 2 ** (bits - 1)
        if not _INT.match(value.strip()) or not -bound <= int(value) < bound:
            self._problem(name, f"{name} must be an integer (int{bits}), got '{value}'.")
            return None
        return int(value)

    def changed_since(self, name: str = "changedSince") -> datetime | None:
        """A ``changedSince`` date-time (see :func:`~.times.parse_changed_since`)."""
        value = self.text(name)
        if value is None:
            return None
        moment = parse_changed_since(value)
        if moment is None:
            self._problem(
                name,
                f"{name} must be an ISO 8601 date-time such as 2026-03-02T09:00:00+02:00 "
                f"(encode '+' as %2B), got '{value}'.",
            )
        return moment

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        """An enum parameter, matched case-insensitively."""
        value = self.text(name)
        if value is None:
            return None
        for choice in choices:
            if choice.lower() == value.strip().lower():
                return choice
        self._problem(name, f"{name} must be one of {', '.join(choices)}, got '{value}'.")
        return None

    def refuse(self, name: str, reason: str) -> None:
        """Report a parameter the sandbox cannot honour, when it is given."""
        if self.given(name):
            self._problem(name, f"{name} {reason}")
