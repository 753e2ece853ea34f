"""Request XML: safe parsing, Netvisor's case-insensitive element names, DTD validation.

What Netvisor does, and so what the sandbox does (netvisor-api.md §3):

* Element names are matched case-insensitively: ``CustomerBaseInformation``,
  ``customerBaseInformation`` and ``customerbaseinformation`` are all in production use. The
  sandbox lower-cases every element and attribute name, then validates against the published
  DTD, whose names are lower case.
* Elements must come in DTD order, mandatory elements must be there. Any failure is
  ``INVALID_DATA :: Data form incorrect:. XML message validation failed: Could not validate
  xml`` - Netvisor says no more than that, so neither does the body. lxml's reason goes into
  the ``X-Sandbox-Detail`` response header instead.
* Bodies are UTF-8 unless the Content-Type charset (or, failing that, the XML declaration)
  says otherwise; ISO-8859-15, Netvisor's recommended encoding, works.

Safety: the parser resolves no entities, loads no DTD and touches no network; a body with a
DOCTYPE is refused outright (a client never needs one, and an internal subset is how XXE and
entity-expansion attacks arrive).

The DTD files in ``dtd/`` are kept byte for byte as published, wrapped in
``<!DOCTYPE root [ ... ]>``; :func:`load_dtd` takes the declarations from between the brackets.
"""

from __future__ import annotations

import functools
import re
from email.message import Message
from importlib import resources
from io import StringIO
from typing import Final, cast

from lxml import etree

from .errors import INVALID_DATA, VALIDATION_FAILED_EN, NetvisorFailure

__all__ = [
    "MAX_BODY_BYTES",
    "children",
    "find",
    "load_dtd",
    "parse_request",
    "text_of",
]

#: Far above any register write; a guard against a runaway body, not a Netvisor limit.
MAX_BODY_BYTES: Final = 5 * 1024 * 1024

_VALIDATION_FAILED_FI: Final = (
    "Tiedon muoto virheellinen:. XML-sanoman validointi epäonnistui: Could not validate xml"
)
_INTERNAL_SUBSET = re.compile(r"^\s*<!DOCTYPE\s+root\s*\[(?P<body>.*)\]>\s*$", re.DOTALL)


@functools.cache
def load_dtd(name: str) -> etree.DTD:
    """The DTD ``dtd/<name>.dtd`` of this package, parsed once."""
    text = resources.files(__package__).joinpath("dtd", f"{name}.dtd").read_text("utf-8")
    match = _INTERNAL_SUBSET.match(text)
    if match is None:
        raise ValueError(f"{name}.dtd is not a <!DOCTYPE root [...]> internal subset")
    return etree.DTD(StringIO(match.group("body")))


def _validation_failed(detail: str) -> NetvisorFailure:
    return NetvisorFailure(INVALID_DATA, _VALIDATION_FAILED_FI, VALIDATION_FAILED_EN, detail=detail)


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset if isinstance(charset, str) and charset else None


def parse_request(
    body: bytes, content_type: str | None, dtd_name: str, *, max_bytes: int = MAX_BODY_BYTES
) -> etree._Element:
    """Parse and validate a request body; return the element under ``root``.

    ``max_bytes`` is raised for the one request that carries files (tripexpense.nv: 4 MB of
    attachments are 5.4 MB in base64).

    Raises:
        NetvisorFailure: ``INVALID_DATA`` with Netvisor's validation text, on any problem.
    """
    if not body.strip():
        raise _validation_failed("empty body")
    if len(body) > max_bytes:
        raise _validation_failed(f"body larger than {max_bytes} bytes")
    try:
        parser = etree.XMLParser(
            encoding=_charset(content_type),
            resolve_entities=False,
            load_dtd=False,
            dtd_validation=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
    except LookupError:
        raise _validation_failed(f"unknown charset in Content-Type {content_type!r}") from None
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as error:
        raise _validation_failed(f"not well-formed: {error}") from None
    # lxml reports any DOCTYPE, with or without an internal subset, as an internalDTD.
    if cast("etree.DTD | None", root.getroottree().docinfo.internalDTD) is not None:
        raise _validation_failed("a DOCTYPE is not accepted")
    for element in root.iter():
        if not isinstance(element.tag, str):
            # Entity references survive as nodes when entities are not resolved; with the
            # DOCTYPE refused above none can be declared, but refuse them rather than guess.
            raise _validation_failed("entity references are not accepted")
        element.tag = element.tag.lower()
        for attribute in list(element.attrib):
            lowered = attribute.lower()
            if lowered != attribute:
                element.attrib[lowered] = element.attrib.pop(attribute)
    if root.tag != "root":
        raise _validation_failed(f"the document element is <{root.tag}>, expected <root>")
    dtd = load_dtd(dtd_name)
    if not dtd.validate(root):
        reason = str(dtd.error_log).strip().splitlines() or ["does not follow the DTD"]
        raise _validation_failed(f"{dtd_name}.dtd: {reason[0]}")
    return root[0]


def find(parent: etree._Element | None, tag: str) -> etree._Element | None:
    """The child element ``tag`` (lower-case name), or ``None``."""
    if parent is None:
        return None
    for child in parent:
        if child.tag == tag:
            return child
    return None


def children(parent: etree._Element | None, tag: str) -> list[etree._Element]:
    """All child elements named ``tag`` (lower-case name), in document order."""
    if parent is None:
        return []
    return [child for child in parent if child.tag == tag]


def text_of(element: etree._Element) -> str:
    """The text of a leaf element exactly as sent (an empty element gives ``""``)."""
    # The parser drops comments and merges CDATA, so .text is all of a #PCDATA element.
    return element.text or ""
