"""POST bodies checked against an input model, by the sandbox's own field tables.

The document is not read at run time; each register lists its input model's writable fields
(:class:`~.fields.Field`) and :func:`read_body` applies them. Settled decisions:

* The body must be a JSON object; property names match **case-insensitively** (ASP.NET binds
  ``Name`` to ``name``). A property given twice in different letter case is a 400.
* Required fields (``name``, a project's ``customer``/``projectOwner``, a phase's
  ``parentPhase``) must be present; ``minLength: 1`` makes an empty string count as missing
  ("Name is required.").
* JSON types are checked strictly (see :mod:`.fields`), ``maxLength`` and enums too.
* **Read-only properties** (``guid``, ``createdDateTime``, ``isInternal`` ...) **and unknown
  properties are ignored, not refused** - ASP.NET drops what it cannot bind. They are listed
  in the result so the sandbox can count them (``org.stats.ignored_properties``): a test can
  assert that a client sends nothing the server throws away.
* Every problem found is reported, one :class:`~.errors.Detail` each, in field order.

Whether a reference names an existing record, and the register's own rules, are checked by
the register after this (:mod:`.collection`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import Detail
from .fields import Field, FieldError, convert, label

__all__ = ["read_body"]


def read_body(
    fields: Iterable[Field], body: object, model: str
) -> tuple[dict[str, Any], list[Detail], list[str]]:
    """``(values, problems, ignored property names)`` of a POST body.

    ``values`` holds every field: the body's value, or the field's default.
    """
    if not isinstance(body, dict):
        return {}, [Detail(f"The body must be a JSON object ({model}).", None)], []
    given: dict[str, tuple[str, object]] = {}
    problems: list[Detail] = []
    for name, value in body.items():
        key = str(name).lower()
        if key in given:
            problems.append(Detail(f"{name} is given more than once.", str(name)))
        given[key] = (str(name), value)
    values: dict[str, Any] = {}
    for field in fields:
        found = given.pop(field.name.lower(), None)
        if found is None:
            if field.required:
                problems.append(Detail(f"{label(field.name)} is required.", field.name))
            values[field.name] = field.default
            continue
        try:
            values[field.name] = convert(field, found[1])
        except FieldError as error:
            problems.append(Detail(error.message, error.name))
    return values, problems, sorted(name for name, _ in given.values())
