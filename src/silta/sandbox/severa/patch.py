"""PATCH bodies: JSON Patch documents of ``PatchOperation`` ``{op, path, value, from}``.

Severa's support article says "Only Replace is supported"; the document's ``PatchOperation``
types ``value`` as a nullable string. Settled decisions, as implemented here:

* The body is a JSON array of objects. ``op`` is required and compared case-insensitively;
  anything but ``replace`` (``add``, ``remove``, ``copy``, ``move``, or an unknown word) is a
  400 ``InvalidParameter``. ``from`` is ignored.
* ``path`` is a JSON Pointer to a property of the input model: ``/name``, ``/isActive``, or
  one level into an object field: ``/language/guid``, ``/headquarterAddress/guid``,
  ``/unitPrice/amount``, ``/salesStatus/salesStatusTypeGuid``. Names match
  case-insensitively (ASP.NET's JsonPatch does, so ``/useWorkTypesFromSetting`` reaches the
  input model's ``useWorktypesFromSetting``). ``/language`` itself takes an object
  ``{"guid": ...}`` or ``null``.
* An unknown path, a read-only property (``/guid``, ``/createdDateTime``,
  ``/headquarterAddress/city``, ``/language/code`` ...), a field fixed at creation, or a path
  into a list → 400 naming the path.
* ``value`` may be a JSON string (the document's type) or any JSON value; it is converted to
  the field's type (:func:`~.fields.convert`, lenient mode); what cannot be converted → 400.
* All operations are checked before anything is applied; every problem is reported. They are
  applied in order, so a later operation on the same path wins. Nothing is written unless all
  are valid, and the register's rules (uniqueness, a customer's own HQ address ...) are
  checked on the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

from .errors import Detail
from .fields import Field

__all__ = ["Change", "parse_patch"]

_UNSUPPORTED: Final = frozenset({"add", "remove", "copy", "move", "test"})


@attrs.frozen
class Change:
    """One replace operation, resolved to a field.

    Attributes:
        field: the input-model field the path names.
        member: the property inside it (``guid``, ``amount`` ...), or ``None`` for the field.
        value: the operation's JSON value, not yet converted.
        path: the path as sent (for messages).
    """

    field: Field
    member: str | None
    value: object
    path: str


def _segments(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def parse_patch(
    fields: Iterable[Field], read_only: Iterable[str], body: object, model: str
) -> tuple[list[Change], list[Detail]]:
    """The replace operations of a PATCH body, and every problem with them."""
    if not isinstance(body, list):
        return [], [Detail(f"The body must be a JSON Patch array of {model}.", None)]
    by_name = {field.name.lower(): field for field in fields}
    fixed = {name.lower() for name in read_only}
    changes: list[Change] = []
    problems: list[Detail] = []
    for operation in body:
        if not isinstance(operation, dict):
            problems.append(Detail("Each patch operation must be a JSON object.", None))
            continue
        members = {str(k).lower(): v for k, v in operation.items()}
        op = members.get("op")
        path = members.get("path")
        if not isinstance(op, str) or not op:
            problems.append(Detail("op is required.", "op"))
            continue
        if op.lower() != "replace":
            kind = "not supported" if op.lower() in _UNSUPPORTED else "unknown"
            problems.append(
                Detail(f"Patch operation '{op}' is {kind}: only Replace is supported.", "op")
            )
            continue
        if not isinstance(path, str) or not path.startswith("/") or len(path) < 2:
            problems.append(Detail("path must be a JSON Pointer such as /name.", "path"))
            continue
        parts = _segments(path)
        field = by_name.get(parts[0].lower())
        if field is None or len(parts) > 2:
            if parts[0].lower() in fixed or (field is not None and parts[-1].isdigit()):
                problems.append(Detail(f"The path {path} is read-only.", path))
            else:
                problems.append(Detail(f"The path {path} is not a property of {model}.", path))
            continue
        if not field.patchable:
            problems.append(Detail(f"{path} cannot be changed once the record exists.", path))
            continue
        member = parts[1] if len(parts) == 2 else None
        changes.append(Change(field, member, members.get("value"), path))
    return changes, problems
