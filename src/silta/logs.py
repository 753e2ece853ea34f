"""The process log: plain lines for a person, or one JSON object per line for a collector.

``SILTA_LOG_FORMAT=json`` makes every line a JSON object with ``time`` (UTC, ISO 8601),
``level``, ``logger`` and ``message``, plus what is known of where it happened: ``tenant``,
``run`` and ``register`` (from :func:`log_context`, which a run sets around itself, so a
client's retry line deep inside it says whose it was) and ``category``, ``service``,
``resource`` and ``status`` when the line is about a failure (:mod:`silta.failures`).
A traceback, when a line has one, is the ``exception`` field of the same object, so a
collector never sees it as lines of its own.

The plain format is the one the CLI always had (``LEVEL logger: message``), with the
context in brackets when there is one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Literal, TextIO

__all__ = [
    "FIELDS",
    "ContextFilter",
    "JsonFormatter",
    "TextFormatter",
    "configure_logging",
    "log_context",
]

LogFormat = Literal["text", "json"]

# The fields a line may carry beyond the four every line has, in the order they are written.
FIELDS = ("tenant", "run", "register", "category", "service", "resource", "status")

# an immutable default: a mutable one would be shared by every context that never set one
_CONTEXT: ContextVar[Mapping[str, object]] = ContextVar(
    "silta_log_context", default=MappingProxyType({})
)


@contextlib.contextmanager
def log_context(**values: object) -> Iterator[None]:
    """Lines logged inside (in this task, and tasks it starts) carry ``values``."""
    merged = {**_CONTEXT.get(), **{k: v for k, v in values.items() if v is not None}}
    token = _CONTEXT.set(merged)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class ContextFilter(logging.Filter):
    """Puts the current :func:`log_context` on each record (a line's own ``extra`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _CONTEXT.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in FIELDS:
        value = getattr(record, key, None)
        if value is not None:
            found[key] = value if isinstance(value, int | float | bool) else str(value)
    return found


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a newline in a message cannot start a line of its own."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            document["exception"] = record.exc_text
        return json.dumps(document, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``LEVEL logger [tenant run register]: message``."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s%(where)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [
            str(getattr(record, key))
            for key in ("tenant", "register")
            if getattr(record, key, None) is not None
        ]
        run = getattr(record, "run", None)
        if run is not None:
            parts.append(f"run {run}")
        record.where = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)


def configure_logging(
    level: str = "INFO", fmt: LogFormat = "text", *, stream: TextIO | None = None
) -> logging.Handler | None:
    """Give the root logger its handler in ``fmt``, as :func:`logging.basicConfig` would:
    only when it has none yet (a host that set up logging, or a test runner capturing it,
    keeps its own). The handler, or ``None`` when there was one already."""
    root = logging.getLogger()
    if root.handlers:
        return None
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler
