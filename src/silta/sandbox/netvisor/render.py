"""Response XML, built as strings: fast for 10,000-record lists, escaped correctly.

Netvisor's responses are PascalCase with its own inconsistencies (``Customerlist`` and
``Netvisorkey`` in customerlist.nv, ``NetvisorKey`` in getcustomer.nv), so element names are
written out literally by each resource, never derived from request names.

Every response starts with the declaration ``<?xml version="1.0" encoding="utf-8"?>`` and has
``Root/ResponseStatus`` first (§3).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from .errors import NetvisorFailure
from .values import response_timestamp

__all__ = ["XML_CONTENT_TYPE", "XmlWriter", "failure_document", "ok_document"]

XML_CONTENT_TYPE: Final = "text/xml; charset=utf-8"

# A carriage return would be normalised away by the reader's XML parser; the character
# reference keeps it, so values round-trip exactly.
_TEXT_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES: Final = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;"}
)


class XmlWriter:
    """Appends XML fragments to a list; :meth:`document` joins them once."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']

    def open(self, tag: str, attributes: Mapping[str, str] | None = None) -> None:
        """Write a start tag."""
        self._parts.append(f"<{tag}{_attributes(attributes)}>")

    def close(self, tag: str) -> None:
        """Write an end tag."""
        self._parts.append(f"</{tag}>")

    def leaf(self, tag: str, text: str | None, attributes: Mapping[str, str] | None = None) -> None:
        """Write ``<tag>text</tag>``, or ``<tag />`` when ``text`` is empty or ``None``."""
        attrs = _attributes(attributes)
        if text:
            self._parts.append(f"<{tag}{attrs}>{text.translate(_TEXT_ESCAPES)}</{tag}>")
        else:
            self._parts.append(f"<{tag}{attrs} />")

    def raw(self, fragment: str) -> None:
        """Write a fragment that is already XML (used for Netvisor's literal quirks)."""
        self._parts.append(fragment)

    def status_ok(self, now: datetime) -> None:
        """``<ResponseStatus>`` of a success."""
        self._parts.append(
            f"<ResponseStatus><Status>OK</Status>"
            f"<TimeStamp>{response_timestamp(now)}</TimeStamp></ResponseStatus>"
        )

    def document(self) -> str:
        """The whole document."""
        return "".join(self._parts)


def _attributes(attributes: Mapping[str, str] | None) -> str:
    if not attributes:
        return ""
    return "".join(
        f' {name}="{value.translate(_ATTRIBUTE_ESCAPES)}"' for name, value in attributes.items()
    )


def ok_document(now: datetime) -> str:
    """``Root`` with only an OK ``ResponseStatus``: the answer to edits and dimension writes."""
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(now)
    writer.close("Root")
    return writer.document()


def failure_document(failure: NetvisorFailure, language: str | None, now: datetime) -> str:
    """The FAILED answer of §5.1: two ``Status`` elements, then ``TimeStamp``."""
    writer = XmlWriter()
    writer.open("Root")
    writer.open("ResponseStatus")
    writer.leaf("Status", "FAILED")
    writer.leaf("Status", failure.status_text(language))
    writer.leaf("TimeStamp", response_timestamp(now))
    writer.close("ResponseStatus")
    writer.close("Root")
    return writer.document()
