"""Severa's client against hostile answers: each one a SeveraError with the right
``retryable``, or (for a body that is still a valid answer) the right records; never a raw
``json``/``pydantic``/``RecursionError``/``UnicodeError``, never a hang."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from silta.severa import (
    CustomerInput,
    SeveraClient,
    SeveraError,
    SeveraNotFound,
    SeveraOutcomeUnknown,
    SeveraProtocolError,
    SeveraServerError,
    SeveraTransportError,
    SeveraValidationError,
)
from tests.severa.conftest import FakeSevera, make_client, token_answer

from .bodies import (
    CONTENT_TYPES,
    HTML_PAGE,
    NAME,
    NETVISOR_OK,
    PLAIN_TEXT,
    SEVERA_CUSTOMER,
    SEVERA_OK,
    STATUSES,
    XXE_FILE,
    assert_own_error,
    deep_json,
    mutated,
    run_bounded,
)

JSON = "application/json; charset=utf-8"


def answering(body: bytes, status: int = 200, content_type: str = JSON) -> SeveraClient:
    """A client whose every request but the token's is answered with ``body``."""

    def route(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": content_type} if content_type else {}
        return httpx.Response(status, content=body, headers=headers)

    return make_client(FakeSevera(route), attempts=2)


async def _collect(client: SeveraClient) -> list[object]:
    return [customer async for customer in client.iter_customers()]


def customers(body: bytes, status: int = 200, content_type: str = JSON) -> object:
    client = answering(body, status, content_type)
    return run_bounded(lambda: _collect(client))


def error_body(details: object) -> bytes:
    return json.dumps({"error": {"httpStatusCode": 400, "type": "X", "details": details}}).encode()


# (body, HTTP status, the error expected, whether a retry may help)
CASES = {
    "truncated": (SEVERA_OK.encode()[:20], 200, SeveraProtocolError, False),
    "100,000 levels deep": (deep_json(), 200, SeveraProtocolError, False),
    "100,000 levels, never closed": (deep_json(closed=False), 200, SeveraProtocolError, False),
    "100,000 levels inside a record": (
        b'[{"guid": "c-1", "name": ' + deep_json() + b"}]",
        200,
        SeveraProtocolError,
        False,
    ),
    "deep objects": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, 200, SeveraProtocolError, False),
    "latin-1": (SEVERA_OK.encode("latin-1"), 200, SeveraProtocolError, False),
    "invalid UTF-8": (
        SEVERA_OK.encode().replace(b"\xc3\x84", b"\xc3\x28"),
        200,
        SeveraProtocolError,
        False,
    ),
    "a raw NUL in a string": (
        SEVERA_OK.encode().replace(b"Sons", b"So\x00ns"),
        200,
        SeveraProtocolError,
        False,
    ),
    "a lone surrogate": (
        SEVERA_OK.encode().replace(b"Sons", b"So\\ud800ns"),
        200,
        SeveraProtocolError,
        False,
    ),
    "a lone surrogate in a key": (
        b'[{"guid": "c-1", "name": "n", "\\udfff": 1}]',
        200,
        SeveraProtocolError,
        False,
    ),
    "NaN where a number goes": (
        b'[{"guid": "c-1", "name": "n", "number": NaN}]',
        200,
        SeveraProtocolError,
        False,
    ),
    "a 5,000-digit number": (
        b'[{"guid": "c-1", "name": "n", "number": ' + b"9" * 5000 + b"}]",
        200,
        SeveraProtocolError,
        False,
    ),
    "an object where a list goes": (
        json.dumps(SEVERA_CUSTOMER).encode(),
        200,
        SeveraProtocolError,
        False,
    ),
    "a record of the wrong shape": (b'[{"guid": 5, "name": []}]', 200, SeveraProtocolError, False),
    "null": (b"null", 200, SeveraProtocolError, False),
    "empty body": (b"", 200, SeveraProtocolError, False),
    "HTML maintenance page, 200": (HTML_PAGE, 200, SeveraProtocolError, False),
    "HTML maintenance page, 503": (HTML_PAGE, 503, SeveraTransportError, True),
    "text/plain, 502": (PLAIN_TEXT, 502, SeveraTransportError, True),
    "XML where JSON is expected": (NETVISOR_OK.encode(), 200, SeveraProtocolError, False),
    "XXE where JSON is expected": (XXE_FILE, 200, SeveraProtocolError, False),
    # error answers: whatever the body, the status decides, and the body never escapes raw
    "a 400 nested 100,000 deep": (deep_json(), 400, SeveraValidationError, False),
    "a 404 with an error nested deep": (
        b'{"error": ' + deep_json() + b"}",
        404,
        SeveraNotFound,
        False,
    ),
    "a 500 nested deep": (deep_json(), 500, SeveraTransportError, True),
    "a 500 with a lone surrogate": (
        b'{"error": {"type": "\\ud800"}}',
        500,
        SeveraTransportError,
        True,
    ),
    "details that are a number": (error_body(5), 400, SeveraValidationError, False),
    "details that are text": (error_body("oops"), 400, SeveraValidationError, False),
    "a location of the wrong kinds": (
        error_body([{"message": "bad", "location": {"type": [1], "name": {"x": 1}}}]),
        400,
        SeveraValidationError,
        False,
    ),
    "a 500 with Severa's body": (error_body([]), 500, SeveraServerError, True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_answer_is_a_severa_error_of_the_right_kind(case: str) -> None:
    body, status, expected, retryable = CASES[case]
    started = time.perf_counter()
    outcome = customers(body, status)
    assert time.perf_counter() - started < 5
    assert type(outcome) is expected, f"{case}: {outcome!r}"
    assert_own_error(outcome, SeveraError)
    assert outcome.retryable is retryable, f"{case}: {outcome!r}"


def test_the_error_for_a_maintenance_page_says_what_came_without_quoting_it() -> None:
    outcome = customers(HTML_PAGE, 200, "text/html")
    assert isinstance(outcome, SeveraProtocolError)
    assert "not JSON (an HTML page" in str(outcome)
    assert "<!DOCTYPE" not in str(outcome) and "Huoltokatko" not in str(outcome)


def test_wrong_kinds_in_error_details_are_dropped_not_kept() -> None:
    body = error_body([{"message": "bad", "location": {"type": [1], "name": "name"}}])
    outcome = customers(body, 400)
    assert isinstance(outcome, SeveraValidationError)
    assert str(outcome) == "bad"
    (detail,) = outcome.details
    assert (detail.location_type, detail.location_name) == (None, "name")


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_valid_answer_in_a_json_encoding_reads_right(codec: str) -> None:
    """JSON may come in any UTF (RFC 8259 allows detecting it); each reads the same."""
    rows = customers(SEVERA_OK.encode(codec))
    assert isinstance(rows, list), rows
    assert [row.name for row in rows] == [NAME]  # type: ignore[attr-defined]


def test_a_valid_answer_with_escaped_surrogate_pairs_reads_right() -> None:
    """Severa (.NET) escapes non-ASCII; a proper pair is an emoji, not a lone surrogate."""
    rows = customers(b'[{"guid": "c-1", "name": "Caf\\u00e9 \\ud83d\\ude00"}]')
    assert isinstance(rows, list), rows
    assert [row.name for row in rows] == ["Café \U0001f600"]  # type: ignore[attr-defined]


def test_an_unreadable_answer_to_a_write_is_an_unknown_outcome() -> None:
    client = answering(deep_json())
    outcome = run_bounded(lambda: client.create_customer(CustomerInput(name="Oy Ab")))
    assert isinstance(outcome, SeveraOutcomeUnknown), outcome
    assert "nested too deeply" in str(outcome)


def test_a_cut_off_token_answer_never_quotes_the_token() -> None:
    """Run errors are shown in the web app: a token must never be part of one."""
    whole = token_answer(1).content.replace(b"access-1", b"SECRET-ACCESS-TOKEN-0123456789")

    for body in (whole[:60], whole.replace(b'"access_token"', b'"other"')):
        client = make_client(lambda request, body=body: httpx.Response(200, content=body))
        outcome = run_bounded(lambda client=client: _collect(client))
        assert isinstance(outcome, SeveraProtocolError), outcome
        assert "SECRET" not in str(outcome)


# -- fuzzing ---------------------------------------------------------------------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,  # each example has its own bound (run_bounded)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(body=mutated(SEVERA_OK), status=STATUSES, content_type=CONTENT_TYPES)
def test_fuzzed_answers_give_severa_errors_or_records(
    body: bytes, status: int, content_type: str
) -> None:
    outcome = customers(body, status, content_type)
    if isinstance(outcome, BaseException):
        assert_own_error(outcome, SeveraError)
        return
    assert isinstance(outcome, list)
    for row in outcome:
        row.name.encode("utf-8")  # type: ignore[attr-defined]  # no lone surrogate got through


@FUZZ
@given(body=mutated(SEVERA_OK), method=st.sampled_from(["get", "create"]))
def test_fuzzed_answers_to_reads_and_writes_never_escape_as_raw_errors(
    body: bytes, method: str
) -> None:
    client = answering(body)
    if method == "get":
        outcome = run_bounded(lambda: client.get_customer("c-1"))
    else:
        outcome = run_bounded(lambda: client.create_customer(CustomerInput(name="Oy Ab")))
    assert_own_error(outcome, SeveraError)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(
    records=st.lists(
        JSON_VALUES
        | st.fixed_dictionaries(
            {"guid": JSON_VALUES, "name": JSON_VALUES},
            optional={
                "number": JSON_VALUES,
                "language": JSON_VALUES,
                "headquarterAddress": JSON_VALUES,
            },
        ),
        max_size=3,
    )
)
def test_well_formed_json_of_any_shape_gives_records_or_a_protocol_error(
    records: list[object],
) -> None:
    outcome = customers(json.dumps(records).encode())
    if isinstance(outcome, BaseException):
        assert type(outcome) is SeveraProtocolError, outcome
        assert_own_error(outcome, SeveraError)
    else:
        assert isinstance(outcome, list) and len(outcome) == len(records)


# Severa's ExceptionModel, every part optional and any part possibly of the wrong kind
# (scalars drawn on their own as often as containers: a number where a list goes is the
# kind of slip a server makes).
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
ANY = SCALARS | JSON_VALUES
LOCATIONS = ANY | st.fixed_dictionaries({}, optional={"type": ANY, "name": ANY})
DETAILS = st.fixed_dictionaries({}, optional={"message": ANY, "location": LOCATIONS})
ERRORS = ANY | st.fixed_dictionaries(
    {}, optional={"type": ANY, "details": ANY | st.lists(DETAILS | SCALARS, max_size=3)}
)


@FUZZ
@given(error=ERRORS, status=st.sampled_from([400, 403, 404, 409, 500]))
def test_error_bodies_of_any_shape_give_the_status_error(error: object, status: int) -> None:
    outcome = customers(json.dumps({"error": error}).encode(), status)
    assert isinstance(outcome, SeveraError), outcome
    assert_own_error(outcome, SeveraError)
