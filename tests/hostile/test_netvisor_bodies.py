"""Netvisor's client against hostile answers: each one a NetvisorError with the right
``retryable``, or (for a body that is still a valid answer) the right records; never a raw
parser error, a hang, or an entity resolved."""

from __future__ import annotations

import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from silta.netvisor import (
    CustomerData,
    NetvisorClient,
    NetvisorError,
    NetvisorHttpRejected,
    NetvisorOutcomeUnknown,
    NetvisorProtocolError,
    NetvisorTransportError,
    UnsafeXmlError,
)
from silta.netvisor import xmlcodec as x
from silta.netvisor.gate import OrganisationGate
from tests.netvisor.conftest import make_client

from .bodies import (
    CONTENT_TYPES,
    HTML_PAGE,
    INTERNAL_ENTITY,
    NAME,
    NETVISOR_OK,
    PLAIN_TEXT,
    SEVERA_OK,
    STATUSES,
    XXE_FILE,
    XXE_HTTP_DTD,
    XXE_PARAMETER,
    assert_nothing_resolved,
    assert_own_error,
    billion_laughs,
    deep_xml,
    mutated,
    run_bounded,
)


def answering(body: bytes, status: int = 200, content_type: str = "text/xml") -> NetvisorClient:
    """A client whose every request is answered with ``body``."""

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": content_type} if content_type else {}
        return httpx.Response(status, content=body, headers=headers)

    return make_client(handler, attempts=2, gate=OrganisationGate())


def list_customers(body: bytes, status: int = 200, content_type: str = "text/xml") -> object:
    return run_bounded(answering(body, status, content_type).list_customers)


# (body, HTTP status, the error expected, whether a retry may help)
CASES = {
    "truncated": (NETVISOR_OK.encode()[:120], 200, NetvisorProtocolError, False),
    "cut inside a tag": (NETVISOR_OK.encode()[:-9], 200, NetvisorProtocolError, False),
    "100,000 levels deep": (deep_xml(), 200, None, None),  # reads: nesting is not refused
    "100,000 levels, never closed": (deep_xml(closed=False), 200, NetvisorProtocolError, False),
    "XXE to /etc/passwd": (XXE_FILE, 200, UnsafeXmlError, False),
    "external DTD over http": (XXE_HTTP_DTD, 200, UnsafeXmlError, False),
    "parameter entity over http": (XXE_PARAMETER, 200, UnsafeXmlError, False),
    "internal entity": (INTERNAL_ENTITY, 200, UnsafeXmlError, False),
    "billion laughs": (billion_laughs(), 200, UnsafeXmlError, False),
    "latin-1 declared as UTF-8": (NETVISOR_OK.encode("latin-1"), 200, NetvisorProtocolError, False),
    "invalid UTF-8": (
        NETVISOR_OK.encode().replace(b"\xc3\x84", b"\xc3\x28"),
        200,
        NetvisorProtocolError,
        False,
    ),
    "a NUL byte": (
        NETVISOR_OK.encode().replace(b"C7", b"C\x007"),
        200,
        NetvisorProtocolError,
        False,
    ),
    "declares UTF-32, is UTF-8": (
        NETVISOR_OK.replace("utf-8", "utf-32").encode(),
        200,
        NetvisorProtocolError,
        False,
    ),
    # expat knows UTF-16LE, not Python's spelling; one bad name is refused like any other
    "declares utf-16-le": (
        NETVISOR_OK.replace("utf-8", "utf-16-le").encode("utf-16-le"),
        200,
        NetvisorProtocolError,
        False,
    ),
    "declares an unknown encoding": (
        NETVISOR_OK.replace("utf-8", "x-silta-bogus").encode(),
        200,
        NetvisorProtocolError,
        False,
    ),
    "declares a codec that is no text encoding": (
        NETVISOR_OK.replace("utf-8", "rot13").encode(),
        200,
        NetvisorProtocolError,
        False,
    ),
    "HTML maintenance page, 200": (HTML_PAGE, 200, NetvisorTransportError, True),
    "HTML maintenance page, 503": (HTML_PAGE, 503, NetvisorTransportError, True),
    "HTML page from a proxy, 403": (HTML_PAGE, 403, NetvisorHttpRejected, False),
    "text/plain, 200": (PLAIN_TEXT, 200, NetvisorTransportError, True),
    "JSON where XML is expected": (SEVERA_OK.encode(), 200, NetvisorTransportError, True),
    "empty body": (b"", 200, NetvisorTransportError, True),
    "XML that is not Netvisor's": (b"<rss><channel/></rss>", 200, NetvisorTransportError, True),
    "only binary noise": (bytes(range(256)) * 4, 200, NetvisorTransportError, True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_answer_is_a_netvisor_error_of_the_right_kind(case: str) -> None:
    body, status, expected, retryable = CASES[case]
    started = time.perf_counter()
    outcome = list_customers(body, status)
    assert time.perf_counter() - started < 5, "too slow: was something expanded or fetched?"
    if expected is None:
        assert isinstance(outcome, list), outcome
        return
    assert type(outcome) is expected, f"{case}: {outcome!r}"
    assert_own_error(outcome, NetvisorError)
    assert outcome.retryable is retryable, f"{case}: {outcome!r}"


@pytest.mark.parametrize(
    ("declared", "codec"),
    [
        ("UTF-16", "utf-16"),  # with a BOM
        ("UTF-16LE", "utf-16-le"),  # the IANA names, without a BOM
        ("UTF-16BE", "utf-16-be"),
        ("ISO-8859-1", "latin-1"),
        ("windows-1252", "cp1252"),
    ],
)
def test_a_valid_answer_in_another_declared_encoding_reads_right(declared: str, codec: str) -> None:
    """What the declaration (or the BOM) says is honoured; nothing is guessed."""
    body = NETVISOR_OK.replace("utf-8", declared).encode(codec)
    rows = list_customers(body)
    assert isinstance(rows, list), rows
    assert [row.name for row in rows] == [NAME]


def test_utf16_without_a_declaration_or_bom_still_reads() -> None:
    body = NETVISOR_OK.split("?>", 1)[1].encode("utf-16-le")
    rows = list_customers(body)
    assert isinstance(rows, list), rows
    assert [row.name for row in rows] == [NAME]


def test_an_xxe_answer_to_a_write_is_refused_and_treated_as_unknown_outcome() -> None:
    """A write answered with a DTD may have happened: OutcomeUnknown, with the cause named."""
    client = answering(XXE_FILE)
    outcome = run_bounded(lambda: client.add_customer(CustomerData(name="Oy Ab")))
    assert isinstance(outcome, NetvisorOutcomeUnknown), outcome
    assert isinstance(outcome.__cause__, UnsafeXmlError)
    assert "document type" in str(outcome)
    assert_nothing_resolved(str(outcome))


def test_the_parser_never_resolves_an_entity_even_past_the_dtd() -> None:
    """Straight at the codec: each entity body is refused, and the error names no content."""
    for body in (XXE_FILE, XXE_HTTP_DTD, XXE_PARAMETER, INTERNAL_ENTITY, billion_laughs()):
        with pytest.raises(UnsafeXmlError) as caught:
            x.parse(body)
        assert_nothing_resolved(str(caught.value))


# -- fuzzing ---------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,  # each example has its own bound (run_bounded); CI machines vary
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(body=mutated(NETVISOR_OK), status=STATUSES, content_type=CONTENT_TYPES)
def test_fuzzed_answers_give_netvisor_errors_or_records(
    body: bytes, status: int, content_type: str
) -> None:
    outcome = list_customers(body, status, content_type)
    if isinstance(outcome, BaseException):
        assert_own_error(outcome, NetvisorError)
        return
    assert isinstance(outcome, list)
    for row in outcome:
        assert isinstance(row.netvisor_key, int)
        assert_nothing_resolved(repr(row))


@FUZZ
@given(body=mutated(NETVISOR_OK), method=st.sampled_from(["get", "add"]))
def test_fuzzed_answers_to_reads_and_writes_never_escape_as_raw_errors(
    body: bytes, method: str
) -> None:
    client = answering(body)
    if method == "get":
        outcome = run_bounded(lambda: client.get_customer(7))
    else:
        outcome = run_bounded(lambda: client.add_customer(CustomerData(name="Oy Ab")))
    assert_own_error(outcome, NetvisorError)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_at_all_parse_or_fail_as_netvisor_errors(body: bytes) -> None:
    try:
        root = x.parse(body)
    except NetvisorProtocolError as exc:
        message = str(exc)
        root = None
    if root is None:
        assert message
    else:
        assert root.tag == root.tag.lower()
