"""What every resource module shares: the request a resource sees, and what it returns.

A resource is a plain synchronous function from a :class:`Call` to an :class:`Answer`. Being
synchronous is deliberate: an ASGI app is only cancelled at an ``await``, so a write either
happens completely or not at all, even when a client times out and cancels the request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import attrs
from lxml import etree

from ..dimensions import DimensionLink
from ..errors import invalid_data
from ..organisation import Organisation
from ..render import XmlWriter
from ..values import parse_key
from ..xmlio import children, text_of

__all__ = [
    "Answer",
    "Call",
    "Resource",
    "choose_one",
    "dimension_requests",
    "edit_key",
    "render_dimension_links",
    "write_answer",
    "write_method",
]


@attrs.frozen
class Call:
    """One authenticated request, as a resource sees it.

    Attributes:
        organisation: the organisation named in ``X-Netvisor-Organisation-ID``.
        params: query parameters with lower-case names (Netvisor's names are case-insensitive:
            clients send ``Keyword`` as well as ``keyword``).
        body: the raw request body.
        content_type: the ``Content-Type`` header, if any.
        base_url: where resources live, ending in ``/`` (for ``Uri`` elements).
        now: the sandbox clock when processing started.
        language: the ``X-Netvisor-Interface-Language`` header (localised answer texts).
    """

    organisation: Organisation
    params: Mapping[str, str]
    body: bytes
    content_type: str | None
    base_url: str
    now: datetime
    language: str | None = None


@attrs.frozen
class Answer:
    """A successful answer: the XML, and whether a write was committed."""

    xml: str
    committed: bool = False


@attrs.frozen
class Resource:
    """A served resource: its lower-case name, HTTP method and handler."""

    name: str
    method: str
    handle: Callable[[Call], Answer]


def write_method(call: Call) -> str:
    """The ``method`` parameter of a write (``add`` or ``edit``); ``INVALID_DATA`` otherwise."""
    method = call.params.get("method", "").strip().lower()
    if method not in {"add", "edit"}:
        raise invalid_data(
            f"Parametri method puuttuu tai on virheellinen: {call.params.get('method', '')}",
            f"Parameter method is missing or invalid: {call.params.get('method', '')}",
        )
    return method


def choose_one(call: Call, names: tuple[str, ...]) -> tuple[str, str]:
    """The one parameter of ``names`` that was given, with its value.

    **Settled:** exactly one selector is accepted (``id`` or ``idlist``, ...); none, or more than
    one, is ``INVALID_DATA`` - Netvisor documents no precedence, so the sandbox refuses to guess.
    """
    given = [(name, call.params[name]) for name in names if name in call.params]
    if len(given) != 1:
        choices = ", ".join(names)
        raise invalid_data(
            f"Anna täsmälleen yksi parametreista {choices}",
            f"Give exactly one of the parameters {choices}",
        )
    return given[0]


def edit_key(call: Call) -> int:
    """The ``id`` parameter, mandatory with ``method=edit``."""
    text = call.params.get("id", "").strip()
    if not text:
        raise invalid_data(
            "Parametri id on pakollinen, kun method=edit",
            "Parameter id is mandatory with method=edit",
        )
    return parse_key(text, "id")


def write_answer(now: datetime, inserted_key: int | None) -> Answer:
    """The answer to a committed customer.nv or product.nv write.

    An add answers ``Replies/InsertedDataIdentifier`` with the new key; an edit
    (``inserted_key`` ``None``) answers only ``ResponseStatus``.
    """
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(now)
    if inserted_key is not None:
        writer.open("Replies")
        writer.leaf("InsertedDataIdentifier", str(inserted_key))
        writer.close("Replies")
    writer.close("Root")
    return Answer(writer.document(), committed=True)


def dimension_requests(
    container: etree._Element | None,
) -> tuple[tuple[str, str, int | None], ...]:
    """``(header name, item name, fatherid attribute)`` of each ``dimension`` in ``container``.

    customer.nv carries them in ``customerdimensiondetails``, product.nv in
    ``productadditionalinformation``; the DTDs guarantee name then item in each.
    """
    requests = []
    for dimension in children(container, "dimension"):
        header, item = dimension[0], dimension[1]
        father = item.get("fatherid")
        requests.append(
            (
                text_of(header),
                text_of(item),
                None if father is None else parse_key(father, "fatherid"),
            )
        )
    return tuple(requests)


def render_dimension_links(writer: XmlWriter, wrapper: str, links: Sequence[DimensionLink]) -> None:
    """``<wrapper><Dimension>…</Dimension>…</wrapper>`` with keys as ``netvisorkey``
    attributes, as getcustomer.nv (``CustomerDimensions``) and getproduct.nv
    (``ProductDimensions``) answer them; nothing when there are no links."""
    if not links:
        return
    writer.open(wrapper)
    for link in links:
        writer.open("Dimension")
        writer.leaf("DimensionName", link.header_name, {"netvisorkey": str(link.header_key)})
        writer.leaf("DimensionItem", link.item_name, {"netvisorkey": str(link.item_key)})
        writer.close("Dimension")
    writer.close(wrapper)
