"""JSON Patch bodies for Severa's PATCH routes: ``Replace`` operations only.

Severa's document types a PATCH body as an array of ``PatchOperation``: ``op`` from the enum
``Add | Copy | Move | Remove | Replace`` and ``value`` a nullable *string*; its support text
says only Replace is supported. So every value is sent as text in the form .NET parses back
into the property's type: ``true``/``false`` for booleans, plain digits for numbers,
``null`` for "no value".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TypedDict

__all__ = ["Operation", "patch_value", "replace_all"]


class Operation(TypedDict):
    """One ``PatchOperation``."""

    op: str
    path: str
    value: str | None


def patch_value(value: object) -> str | None:
    """``value`` as the string the document's ``PatchOperation.value`` carries."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return format(Decimal(str(value)), "f")
    raise TypeError(f"cannot send {type(value).__name__} as a JSON Patch value")


def replace_all(changes: Mapping[str, object]) -> list[Operation]:
    """One ``Replace`` per entry; keys are paths with or without the leading ``/``."""
    return [
        {"op": "Replace", "path": "/" + path.lstrip("/"), "value": patch_value(value)}
        for path, value in changes.items()
    ]
