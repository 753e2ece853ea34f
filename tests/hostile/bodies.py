"""Hostile answers for both clients: the bodies, the strategies that bend them, and a check.

A hostile body is anything a broken proxy, a half-deployed service or an attacker in the
middle could send instead of the real answer. The clients must turn each into one of their
own errors (or, for a body that is still a valid answer, into the right records), never
into a raw parser exception, a hang, or a resolved entity.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from hypothesis import strategies as st

from silta.errors import SiltaError

# What /etc/passwd starts with on every Unix: if it shows anywhere, an entity was resolved.
PASSWD_MARKER = "root:"
# The replacement text of an internal entity: if it shows anywhere, an entity was expanded.
EXPANDED_MARKER = "ENTITY-WAS-EXPANDED"
DEPTH = 100_000

NAME = "Äijälä & Sons Oy"  # non-ASCII and an escaped character, to catch decoding slips

# -- Netvisor (XML) ------------------------------------------------------------------------

NETVISOR_OK = (
    '<?xml version="1.0" encoding="utf-8"?><Root><ResponseStatus><Status>OK</Status>'
    "<TimeStamp>1.10.2025 16:03:24</TimeStamp></ResponseStatus><Customerlist>"
    "<Customer><Netvisorkey>7</Netvisorkey><Name>Äijälä &amp; Sons Oy</Name>"
    "<Code>C7</Code><OrganisationIdentifier>1234567-8</OrganisationIdentifier></Customer>"
    "</Customerlist></Root>"
)

XXE_FILE = (
    b'<?xml version="1.0"?><!DOCTYPE Root [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<Root><ResponseStatus><Status>OK</Status></ResponseStatus><Customerlist><Customer>"
    b"<Netvisorkey>1</Netvisorkey><Name>&x;</Name></Customer></Customerlist></Root>"
)
XXE_HTTP_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE Root SYSTEM "http://127.0.0.1:9/evil.dtd">'
    b"<Root><ResponseStatus><Status>OK</Status></ResponseStatus></Root>"
)
XXE_PARAMETER = (
    b'<?xml version="1.0"?><!DOCTYPE Root [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
    b"<Root/>"
)
INTERNAL_ENTITY = (
    f'<?xml version="1.0"?><!DOCTYPE Root [<!ENTITY e "{EXPANDED_MARKER}">]>'
    "<Root><ResponseStatus><Status>OK</Status></ResponseStatus><Customerlist><Customer>"
    "<Netvisorkey>1</Netvisorkey><Name>&e;</Name></Customer></Customerlist></Root>"
).encode()


def billion_laughs(levels: int = 10) -> bytes:
    """The classic: ten entities, each ten of the one before (10**9 copies of "lol")."""
    entities = ['<!ENTITY l0 "lol">']
    entities += [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels)]
    return (
        f'<?xml version="1.0"?><!DOCTYPE Root [{"".join(entities)}]>'
        f"<Root><ResponseStatus><Status>OK</Status></ResponseStatus>"
        f"<Customerlist><Customer><Netvisorkey>1</Netvisorkey><Name>&l{levels - 1};</Name>"
        "</Customer></Customerlist></Root>"
    ).encode()


def deep_xml(depth: int = DEPTH, *, closed: bool = True) -> bytes:
    inner = b"<a>" * depth + (b"</a>" * depth if closed else b"")
    return b"<Root><ResponseStatus><Status>OK</Status></ResponseStatus>" + inner + b"</Root>"


HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Huoltokatko - Maintenance</title></head>"
    b"<body><h1>Service temporarily unavailable</h1></body></html>"
)
PLAIN_TEXT = b"Service Unavailable. Please try again later."

# -- Severa (JSON) -------------------------------------------------------------------------

SEVERA_CUSTOMER = {"guid": "c-1", "name": NAME, "number": 7, "isActive": True}
SEVERA_OK = json.dumps([SEVERA_CUSTOMER], ensure_ascii=False)


def deep_json(depth: int = DEPTH, *, closed: bool = True) -> bytes:
    return b"[" * depth + (b"]" * depth if closed else b"")


# -- mutations ------------------------------------------------------------------------------

HOSTILE_FRAGMENTS = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3\x28",  # an invalid UTF-8 sequence
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate
    b"\xe4",  # latin-1 "ä"
    b"&x;",
    b"&#0;",
    b"&#xD800;",
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b"<!ENTITY x 'y'>",
    b"]]>",
    b"<![CDATA[",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"\\ud800",
    b'"\\u0000"',
    b"NaN",
    b"1e99999",
    b"9" * 5000,
    b"[" * 5000,
    b"{" * 5000,
    b"<a>" * 5000,
    b"</Root>",
    b"<ResponseStatus><Status>FAILED</Status><Status>TECHNICAL_ERROR :: x</Status>",
]

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1"]


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@st.composite
def mutated(draw: st.DrawFn, valid: str) -> bytes:
    """``valid`` re-encoded, cut, spliced with hostile fragments and random bytes, or any
    combination of those; sometimes left whole (a valid answer must then read right)."""
    text = valid
    if draw(st.booleans()):
        # a declaration that may or may not match the encoding used below
        declared = draw(st.sampled_from([*ENCODINGS, "bogus-8", "rot13", "shift_jis"]))
        text = text.replace('encoding="utf-8"', f'encoding="{declared}"')
    body = _encode(text, draw(st.sampled_from(ENCODINGS)))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["cut", "splice", "noise", "flip"]))
        if not body:
            break
        at = draw(st.integers(0, len(body)))
        if kind == "cut":
            body = body[:at]
        elif kind == "splice":
            body = body[:at] + draw(st.sampled_from(HOSTILE_FRAGMENTS)) + body[at:]
        elif kind == "noise":
            body = body[:at] + draw(st.binary(min_size=1, max_size=16)) + body[at:]
        elif at < len(body):
            body = body[:at] + bytes([body[at] ^ (1 << draw(st.integers(0, 7)))]) + body[at + 1 :]
    return body


STATUSES = st.sampled_from([200, 200, 200, 400, 401, 403, 404, 500, 502, 503])
CONTENT_TYPES = st.sampled_from(
    [
        "text/xml; charset=utf-8",
        "application/xml",
        "application/json; charset=utf-8",
        "text/html; charset=iso-8859-1",
        "text/plain",
        "application/octet-stream",
        "",
    ]
)


# -- the check ------------------------------------------------------------------------------


def run_bounded(call: Callable[[], Awaitable[Any]], *, seconds: float = 10) -> Any:
    """``call()`` in a fresh event loop, failing the test if it takes longer than ``seconds``.

    Returns the result, or the exception the call raised (the caller judges it).
    """

    async def bounded() -> Any:
        limit = asyncio.timeout(seconds)
        try:
            async with limit:
                return await call()
        except Exception as exc:  # noqa: BLE001 - any exception is judged by the caller
            if limit.expired():
                raise AssertionError(f"the call did not end within {seconds} s") from None
            return exc

    return asyncio.run(bounded())


def assert_own_error(outcome: object, base: type[SiltaError]) -> None:
    """An exception ``outcome`` is the client's own, says something, and leaks nothing."""
    if not isinstance(outcome, BaseException):
        return
    assert isinstance(outcome, base), f"a raw {type(outcome).__name__} escaped: {outcome!r}"
    message = str(outcome)
    assert message.strip(), f"{type(outcome).__name__} without a message"
    assert isinstance(type(outcome).retryable, bool)
    assert_nothing_resolved(message)


def assert_nothing_resolved(text: str) -> None:
    assert PASSWD_MARKER not in text, "an external entity was resolved"
    assert EXPANDED_MARKER not in text, "an entity was expanded"
    assert "lollollol" not in text, "an entity was expanded"
