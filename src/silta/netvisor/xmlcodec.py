"""Netvisor XML: strict when writing, tolerant when reading, never expanding entities.

Reading
    A document type declaration can only come before the root element, so expat first reads
    the body only up to its root element's start tag, with a handler that refuses a
    ``<!DOCTYPE`` the moment expat reports one, before any entity declared in it can be
    expanded or fetched: an XXE or "billion laughs" body fails at once with
    :class:`UnsafeXmlError`. Expat decodes the body as it declares itself (UTF-16, a BOM, an
    ``encoding=`` in the prolog), so no byte pattern can hide a DTD from it. Only then is the
    whole body parsed, by ElementTree's C parser and C tree builder, with no Python called
    per element. Without a DTD, an undefined entity reference is a plain parse error, and
    nothing is ever fetched from the network.

    Netvisor's element names are inconsistent in case (``Netvisorkey``/``NetvisorKey``,
    ``FatherId``/``FatherID``), so every tag and attribute name is lower-cased once after
    parsing, and readers look names up in lower case. Numbers may use a decimal comma;
    booleans come as ``1``/``0``, ``True``/``False`` or localized words; empty and missing
    elements both read as ``None``; unknown elements are ignored.

Writing
    Requests are built from the rows of :mod:`silta.netvisor.schema`, in DTD order, with text
    escaped for XML. Values that Netvisor could not store as sent (too long, characters XML 1.0
    cannot carry, a missing required element) raise :class:`NetvisorRequestError` before
    anything is sent.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn
from xml.parsers import expat

from silta.netvisor.errors import NetvisorProtocolError, NetvisorRequestError, UnsafeXmlError
from silta.netvisor.schema import Each, Group, Leaf, Node

__all__ = [
    "build",
    "child",
    "children",
    "descendants",
    "format_decimal",
    "parse",
    "read_bool",
    "read_decimal",
    "read_int",
    "read_text",
]

Element = ET.Element


class _RootReached(Exception):
    """Expat got to the root element's start tag: the prolog held no DTD."""


def _root_reached(name: str, attributes: object) -> NoReturn:
    raise _RootReached


def _refuse_dtd(name: str, system: str | None, public: str | None, internal: bool) -> NoReturn:
    raise UnsafeXmlError(
        "the response declares a document type; DTDs and entity "
        "declarations are refused so that nothing is expanded or fetched"
    )


def _refuse_dtds(body: bytes) -> None:
    """Read ``body`` up to its root element and raise if a DTD comes first.

    A Python tree builder with a ``doctype`` method would do the same in one pass, but it
    makes expat call into Python for every element; this pass stops at the root's start tag,
    so it costs microseconds whatever the body's size. It is the very expat ElementTree's C
    parser uses (through pyexpat's C API), set up as ElementTree sets it up (no encoding
    forced, ``}`` as the namespace separator), so both passes read the prolog alike.
    """
    prolog = expat.ParserCreate(None, "}")
    prolog.StartDoctypeDeclHandler = _refuse_dtd
    prolog.StartElementHandler = _root_reached
    try:
        prolog.Parse(body, True)
    except _RootReached:
        return
    except expat.ExpatError as exc:
        raise NetvisorProtocolError(f"the response is not well-formed XML: {exc}") from exc
    except (ValueError, LookupError):  # e.g. an encoding expat does not know
        # not quoted, nor chained: "unknown encoding: <the declaration's own text>"
        raise NetvisorProtocolError("the response's declared encoding cannot be read") from None
    # Not reached: with no element at all expat reports "no element found". Fail closed.
    raise NetvisorProtocolError("the response is not well-formed XML: no element found")


def parse(body: bytes) -> Element:
    """The root element of ``body``, with every tag and attribute name in lower case.

    Raises:
        UnsafeXmlError: the body declares a DTD (XXE, entity expansion).
        NetvisorProtocolError: the body is not well-formed XML.
    """
    _refuse_dtds(body)
    parser = ET.XMLParser()  # noqa: S314 - DTDs refused above, before anything is expanded
    try:
        parser.feed(body)
        root = parser.close()
    except ET.ParseError as exc:
        raise NetvisorProtocolError(f"the response is not well-formed XML: {exc}") from exc
    except (ValueError, LookupError):  # e.g. an encoding expat does not know
        # not quoted, nor chained: "unknown encoding: <the declaration's own text>"
        raise NetvisorProtocolError("the response's declared encoding cannot be read") from None
    _lower_names(root)
    return root


def _lower_names(root: Element) -> None:
    """Lower-case every tag and attribute name below and including ``root``, in place."""
    # ElementTree hands every element of one name the same string, and a response repeats a
    # few dozen names thousands of times: lower each distinct name once.
    lowered: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag
        try:
            element.tag = lowered[tag]
        except KeyError:
            element.tag = lowered[tag] = tag.lower()
        # items() is an empty list for most elements, where .attrib would create a dict.
        attributes = element.items()
        if attributes and any(key != key.lower() for key, _ in attributes):
            element.attrib = {key.lower(): value for key, value in attributes}


# -- reading ---------------------------------------------------------------------------------


def child(element: Element | None, name: str) -> Element | None:
    """The first direct child called ``name`` (lower case), or ``None``."""
    if element is None:
        return None
    return element.find(name)


def children(element: Element | None, name: str) -> list[Element]:
    """All direct children called ``name`` (lower case)."""
    if element is None:
        return []
    return element.findall(name)


def descendants(element: Element, name: str) -> Iterator[Element]:
    """Every element called ``name`` below ``element``, in document order."""
    return element.iter(name)


def read_text(element: Element | None, name: str) -> str | None:
    """Text of the child ``name``; ``None`` when missing, empty or only whitespace."""
    found = child(element, name)
    if found is None:
        return None
    text = found.text or ""
    return text if text.strip() else None


def read_int(element: Element | None, name: str) -> int | None:
    """An integer child; ``None`` when missing or empty."""
    text = read_text(element, name)
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise NetvisorProtocolError(
            f"<{name}> is not an integer ({len(text)} characters)"
        ) from None


_TRUE = frozenset({"1", "true", "yes", "kyllä", "ja", "on"})
_FALSE = frozenset({"0", "false", "no", "ei", "nej", "off"})


def read_bool(element: Element | None, name: str) -> bool | None:
    """A boolean child: ``1``/``0``, ``True``/``False``, or the word in FI, EN or SE."""
    text = read_text(element, name)
    if text is None:
        return None
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise NetvisorProtocolError(f"<{name}> is not a boolean ({len(text)} characters)")


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def read_decimal(element: Element | None, name: str) -> Decimal | None:
    """A decimal child written with a comma or a point, grouping spaces allowed."""
    text = read_text(element, name)
    if text is None:
        return None
    compact = _SPACES.sub("", text)
    if "," in compact and "." in compact:
        # Both present: the last one is the decimal separator, the other groups thousands.
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    else:
        compact = compact.replace(",", ".")
    try:
        value = Decimal(compact)
    except InvalidOperation:
        raise NetvisorProtocolError(f"<{name}> is not a number ({len(text)} characters)") from None
    if not value.is_finite():
        raise NetvisorProtocolError(f"<{name}> is not a finite number")
    return value


# -- writing ---------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all (not even escaped).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})


def format_decimal(value: Decimal) -> str:
    """A decimal in Netvisor's form: plain notation with a decimal comma (``42,5``)."""
    if not value.is_finite():
        raise NetvisorRequestError(f"{value} is not a number Netvisor can store")
    return format(value, "f").replace(".", ",")


def _format(leaf: Leaf, value: Any) -> str:
    if leaf.kind == "text":
        if not isinstance(value, str):
            raise NetvisorRequestError(f"{leaf.field} must be text, got {type(value).__name__}")
        return value
    if leaf.kind == "flag":
        return "1" if value else "0"
    if leaf.kind == "boolean":
        return "True" if value else "False"
    if leaf.kind == "decimal":
        return format_decimal(value if isinstance(value, Decimal) else Decimal(value))
    if leaf.kind == "date":
        if not isinstance(value, date):
            raise NetvisorRequestError(f"{leaf.field} must be a date, got {type(value).__name__}")
        return value.isoformat()[:10]  # a datetime is a date too: keep the day only
    return str(int(value))


def _check(leaf: Leaf, text: str) -> None:
    bad = _NOT_XML.search(text)
    if bad:
        raise NetvisorRequestError(
            f"{leaf.field} contains the character U+{ord(bad.group()):04X}, "
            "which XML cannot carry; Netvisor cannot store it"
        )
    if leaf.max_length is not None and len(text) > leaf.max_length:
        raise NetvisorRequestError(
            f"{leaf.field} is {len(text)} characters; Netvisor's <{leaf.tag}> takes at most "
            f"{leaf.max_length}"
        )


def _render(node: Node, data: object, out: list[str]) -> bool:
    """Append ``node`` for ``data`` to ``out``; return whether anything was written."""
    if isinstance(node, Each):
        items: Sequence[object] = getattr(data, node.field) or ()
        if node.required and not items:
            raise NetvisorRequestError(f"{node.field} needs at least one <{node.tag}>")
        for item in items:
            _render(node.item, item, out)
        return bool(items)
    if isinstance(node, Leaf):
        value = getattr(data, node.field)
        if value is None:
            if node.required:
                raise NetvisorRequestError(f"{node.field} is required by <{node.tag}>")
            return False
        text = _format(node, value)
        _check(node, text)
        attributes = list(node.attributes)
        if node.attribute_field is not None:
            attributes.append(
                (node.attribute_field[0], str(getattr(data, node.attribute_field[1])))
            )
        rendered = "".join(f' {name}="{val.translate(_ESCAPE)}"' for name, val in attributes)
        out.append(f"<{node.tag}{rendered}>{text.translate(_ESCAPE)}</{node.tag}>")
        return True
    if not node.required and not _has_value(node, data):
        return False
    out.append(f"<{node.tag}>")
    for item in node.children:
        _render(item, data, out)
    out.append(f"</{node.tag}>")
    return True


def _has_value(node: Node, data: object) -> bool:
    """Whether anything under ``node`` is set: an optional group is written only then, and
    then its required children must be there too (the DTD's ``(a, b?)`` inside ``c?``)."""
    if isinstance(node, Leaf):
        return getattr(data, node.field) is not None
    if isinstance(node, Each):
        return bool(getattr(data, node.field))
    return any(_has_value(item, data) for item in node.children)


def build(layout: Group, data: object) -> bytes:
    """The UTF-8 request body for ``data``: set fields only, in the layout's (DTD's) order.

    ``None`` fields are left out; ``""`` is written as an empty element, which on an edit
    tells Netvisor to blank that field.
    """
    out: list[str] = []
    _render(layout, data, out)
    return "".join(out).encode("utf-8")
