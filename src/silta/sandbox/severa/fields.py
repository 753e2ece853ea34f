"""The writable fields of Severa's input models, and how a JSON value becomes a stored value.

Each register describes its input model (``CustomerModel``, ``ProductInputModel`` ...) as a
tuple of :class:`Field` - name, type, ``nullable``, ``required``, ``minLength``/``maxLength``,
``enum`` - copied by hand from the document's schema of that name. :func:`convert` turns one
JSON value into the value the register stores, or raises :class:`FieldError`; POST bodies
(:mod:`.validation`) and PATCH operations (:mod:`.patch`) both go through it, so a field obeys
the same rules whichever way it is written.

Two modes, **settled**:

* **strict** (POST bodies): JSON types must be right - an ``int64`` is a JSON integer, a
  boolean is ``true``/``false``, a string is a string. ``"1001"`` for ``number`` is a 400.
* **lenient** (PATCH ``value``): the document types ``PatchOperation.value`` as a string, and
  clients also send native JSON. A string is converted to the field's type (``"false"`` →
  false, ``"1001"`` → 1001, ``"25.5"`` → 25.5, and a JSON text for an object field); a number or
  boolean given for a string field becomes its JSON text. What cannot be converted is a 400.

Stored values: ``str``, ``int``, ``float``, ``bool``, :class:`~datetime.date`, a GUID string
for a reference, :class:`Money`, :class:`Status`, or ``None``. Enum names are matched
case-insensitively (as .NET's enum converter does) and stored in the document's spelling;
numeric enum values are refused.
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any, Final

import attrs

from .times import parse_date

__all__ = [
    "Field",
    "FieldError",
    "Kind",
    "Money",
    "Status",
    "convert",
    "convert_member",
    "label",
]


class Kind(enum.Enum):
    """The shape of a field's JSON value."""

    STRING = "string"
    INT32 = "int32"
    INT64 = "int64"
    DOUBLE = "double"
    BOOL = "boolean"
    DATE = "date"
    ENUM = "enum"
    REF = "reference"  # {"guid": ...} (or a bare GUID string when Field.flat)
    MONEY = "money"  # MoneyInputModelWithNullableAmount {amount, currencyCode}
    STATUS = "status"  # {<status type guid>, description?}
    LIST = "list"  # a list of references the sandbox has none of (AddressModel.contacts)


@attrs.frozen
class Money:
    """A stored ``MoneyInputModelWithNullableAmount``: amount (may be null) and currency."""

    amount: float | None
    currency: str


@attrs.frozen
class Status:
    """A stored sales, project or phase status: the status type's GUID and a description.

    ``record`` is the GUID of the status entry itself (the output's read-only ``guid``); a
    new one is made whenever the status type changes.
    """

    type_guid: str | None
    description: str | None
    record: str | None = None


@attrs.frozen
class Field:
    """One writable property of an input model.

    Attributes:
        name: the JSON property name, spelled as in the document.
        kind: the JSON shape.
        nullable: ``null`` allowed (the schema's ``nullable``).
        required: must be present in a POST body (the schema's ``required``).
        min_length, max_length: string length bounds (``minLength``/``maxLength``).
        choices: the enum values (:attr:`Kind.ENUM`).
        target: what a reference points to (``language``, ``user``, ``customer`` ...).
        key: the id property inside a reference or status object.
        key_required: the reference object's id is required (``SimpleInputRequiredModel``,
            ``ModelBaseWithRequiredGuid``).
        flat: the reference is a bare GUID string (``BusinessUnitModel.parentGuid``).
        has_description: a status object carries a writable ``description``.
        default: the value when a POST body omits the field.
        patchable: ``False`` for fields fixed at creation (PATCH → 400).
    """

    name: str
    kind: Kind
    nullable: bool = True
    required: bool = False
    min_length: int = 0
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    target: str | None = None
    key: str = "guid"
    key_required: bool = False
    flat: bool = False
    has_description: bool = False
    default: Any = None
    patchable: bool = True


class FieldError(Exception):
    """A value a field refuses; ``name`` is the field's path (``unitPrice.currencyCode``)."""

    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.message = message
        self.name = name


def label(name: str) -> str:
    """``name`` → ``Name``, for messages that start a sentence."""
    return name[:1].upper() + name[1:]


_INT_TEXT: Final = re.compile(r"^[+-]?\d+$")
_FLOAT_TEXT: Final = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RANGES: Final = {Kind.INT32: 2**31, Kind.INT64: 2**63}
_EXPECTED: Final = {
    Kind.STRING: "a string",
    Kind.INT32: "an integer (int32)",
    Kind.INT64: "an integer (int64)",
    Kind.DOUBLE: "a number",
    Kind.BOOL: "true or false",
    Kind.DATE: "a date (YYYY-MM-DD)",
    Kind.REF: 'an object with a "guid"',
    Kind.MONEY: 'an object with "amount" and "currencyCode"',
    Kind.STATUS: "an object",
    Kind.LIST: "a list",
}


def _wrong(field: Field, name: str) -> FieldError:
    if field.kind is Kind.ENUM:
        return FieldError(f"{name} must be one of {', '.join(field.choices)}.", name)
    if field.kind is Kind.REF and field.flat:
        return FieldError(f"{name} must be a GUID string.", name)
    return FieldError(f"{name} must be {_EXPECTED[field.kind]}.", name)


def convert(field: Field, value: object, *, lenient: bool = False, name: str = "") -> Any:
    """The stored value of ``field`` for the JSON ``value``.

    Raises:
        FieldError: the value does not fit the field.
    """
    name = name or field.name
    if value is None:
        if not field.nullable:
            if field.kind is Kind.STRING or field.kind is Kind.REF:
                raise FieldError(f"{label(name)} is required.", name)
            raise FieldError(f"{name} must not be null.", name)
        return None
    kind = field.kind
    if kind is Kind.STRING:
        return _string(field, value, lenient, name)
    if kind in (Kind.INT32, Kind.INT64):
        return _integer(field, value, lenient, name)
    if kind is Kind.DOUBLE:
        return _double(field, value, lenient, name)
    if kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        if lenient and isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise _wrong(field, name)
    if kind is Kind.DATE:
        day = parse_date(value) if isinstance(value, str) else None
        if day is None:
            raise _wrong(field, name)
        return day
    if kind is Kind.ENUM:
        if isinstance(value, str):
            for choice in field.choices:
                if choice.lower() == value.strip().lower():
                    return choice
        raise _wrong(field, name)
    if lenient and not field.flat:
        value = _decoded(value)
    if value is None:
        return convert(field, None, name=name)
    if kind is Kind.REF:
        return _reference(field, value, name)
    if kind is Kind.MONEY:
        return _money(value, name)
    if kind is Kind.STATUS:
        return _status(field, value, name)
    if isinstance(value, list) and not value:
        return ()
    if isinstance(value, list):
        raise FieldError(f"{name}: the sandbox has no records to link here.", name)
    raise _wrong(field, name)


def convert_member(
    field: Field, member: str, value: object, current: Any, default_currency: str
) -> Any:
    """The new stored value of ``field`` when only ``/field/member`` is replaced (PATCH).

    Raises:
        FieldError: an unknown or read-only member, or a value that does not fit.
    """
    name = f"{field.name}.{member}"
    lowered = member.lower()
    if field.kind is Kind.REF and not field.flat and lowered == field.key.lower():
        sub = Field(field.name, Kind.STRING, nullable=field.nullable and not field.key_required)
        guid = convert(sub, value, lenient=True, name=name)
        return guid or None
    if field.kind is Kind.MONEY and lowered in ("amount", "currencycode"):
        money = current if isinstance(current, Money) else Money(None, default_currency)
        if lowered == "amount":
            amount = convert(Field("amount", Kind.DOUBLE), value, lenient=True, name=name)
            return attrs.evolve(money, amount=amount)
        code = convert(Field("currencyCode", Kind.STRING, nullable=False), value, lenient=True)
        return attrs.evolve(money, currency=_currency_code(code, name))
    if field.kind is Kind.STATUS:
        status = current if isinstance(current, Status) else Status(None, None)
        if lowered == field.key.lower():
            guid = convert(Field(field.key, Kind.STRING), value, lenient=True, name=name)
            return attrs.evolve(status, type_guid=guid or None)
        if field.has_description and lowered == "description":
            text = convert(Field("description", Kind.STRING), value, lenient=True, name=name)
            return attrs.evolve(status, description=text)
    raise FieldError(f"{name} cannot be written: it is read-only or not a property.", name)


def _string(field: Field, value: object, lenient: bool, name: str) -> str:
    if isinstance(value, str):
        text = value
    elif lenient and isinstance(value, bool | int | float):
        text = json.dumps(value)
    else:
        raise _wrong(field, name)
    if len(text) < field.min_length:
        raise FieldError(f"{label(name)} is required.", name)
    if field.max_length is not None and len(text) > field.max_length:
        raise FieldError(f"{name} must be at most {field.max_length} characters long.", name)
    return text


def _integer(field: Field, value: object, lenient: bool, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif lenient and isinstance(value, str) and _INT_TEXT.match(value.strip()):
        number = int(value.strip())
    else:
        raise _wrong(field, name)
    bound = _RANGES[field.kind]
    if not -bound <= number < bound:
        raise _wrong(field, name)
    return number


def _double(field: Field, value: object, lenient: bool, name: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if lenient and isinstance(value, str) and _FLOAT_TEXT.match(value.strip()):
        return float(value.strip())
    raise _wrong(field, name)


def _decoded(value: object) -> object:
    """A PATCH value for an object field may come as JSON text (the document's ``string``)."""
    if isinstance(value, str):
        try:
            parsed: object = json.loads(value)
        except ValueError:
            return value
        return parsed
    return value


def _reference(field: Field, value: object, name: str) -> str | None:
    if field.flat:
        if not isinstance(value, str):
            raise _wrong(field, name)
        return value or None
    if not isinstance(value, dict):
        raise _wrong(field, name)
    members = {str(k).lower(): v for k, v in value.items()}
    guid = members.get(field.key.lower())
    key_name = f"{name}.{field.key}"
    if guid is None or guid == "":
        if field.key_required:
            raise FieldError(f"{label(key_name)} is required.", key_name)
        return None
    if not isinstance(guid, str):
        raise FieldError(f"{key_name} must be a string.", key_name)
    return guid


def _money(value: object, name: str) -> Money:
    if not isinstance(value, dict):
        raise FieldError(f"{name} must be {_EXPECTED[Kind.MONEY]}.", name)
    members = {str(k).lower(): v for k, v in value.items()}
    amount = convert(Field("amount", Kind.DOUBLE), members.get("amount"), name=f"{name}.amount")
    code_name = f"{name}.currencyCode"
    code = convert(
        Field("currencyCode", Kind.STRING, nullable=False, min_length=1),
        members.get("currencycode"),
        name=code_name,
    )
    return Money(amount, _currency_code(code, code_name))


def _currency_code(code: str, name: str) -> str:
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise FieldError(f"{name} must be a three-letter ISO 4217 code.", name)
    return code


def _status(field: Field, value: object, name: str) -> Status:
    if not isinstance(value, dict):
        raise FieldError(f"{name} must be {_EXPECTED[Kind.STATUS]}.", name)
    members = {str(k).lower(): v for k, v in value.items()}
    key_name = f"{name}.{field.key}"
    guid = convert(Field(field.key, Kind.STRING), members.get(field.key.lower()), name=key_name)
    description = None
    if field.has_description:
        description = convert(
            Field("description", Kind.STRING),
            members.get("description"),
            name=f"{name}.description",
        )
    return Status(guid or None, description)
