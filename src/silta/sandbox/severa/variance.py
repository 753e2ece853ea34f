"""The alternative forms of Severa's answers, one row per form (variance mode).

Each row names where ``shared/reference/severa-api.md`` or the document allows the form, and
rewrites an answer's JSON (or its headers) into it. Every form stays inside Severa's OpenAPI
document (the conformance tests judge variance answers too), so a correct client reads the
same records either way:

* date-times are RFC 3339 in every form (7 fraction digits, ``Z``, a Finnish offset);
* no property is required by the output schemas the sandbox renders except ``name`` and
  ``guid``, which are never ``null``, so ``null`` properties may be left out;
* ``double`` properties accept a whole number written without a fraction;
* a property the document gives a ``default`` may be left out when it has that value
  (``travelReimbursementRequired: true``);
* a token-paged list may answer fewer rows than ``rowCount`` (a service's own maximum) and
  still send ``NextPageToken``: the header decides, not the length
  (:func:`shorter_page`, used by the paging itself).

What is deliberately not a form here: a date-time without an offset (.NET writes one, but it
is not an RFC 3339 ``date-time``, so it is outside the document; the client's own tests feed
it), and a 429 body that is not an ``ExceptionModel`` (likewise).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from ..variance import Form, Variance, apply_forms

__all__ = ["FORMS", "TRAVEL_DEFAULT", "Answer", "Context", "shorter_page", "vary"]

HELSINKI: Final = ZoneInfo("Europe/Helsinki")


@attrs.frozen
class Context:
    """What a form may depend on: which kind of answer it is."""

    kind: str  # "data", "token" or "failure"
    status: int


@attrs.frozen
class Answer:
    """An answer's JSON body and headers, as the forms rewrite them."""

    body: Any
    headers: Mapping[str, str] = attrs.field(factory=dict)


JsonForm = Form[Answer, Context]

#: The form only travel expenses take (the register answers have nothing for it to change).
TRAVEL_DEFAULT: Final = "travelReimbursementRequired left out at its default"

# The sandbox writes every date-time as times.format_datetime does: UTC, microseconds.
_STAMP: Final = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})\+00:00$")


def _each_value(value: Any, change: Callable[[Any], Any]) -> Any:
    """``value`` rebuilt with ``change`` applied to every scalar in it (never in place: the
    body may share objects with the store)."""
    if isinstance(value, dict):
        return {key: _each_value(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_each_value(item, change) for item in value]
    return change(value)


def _stamps(answer: Answer, variance: Variance, change: Callable[[re.Match[str]], str]) -> Answer:
    """Every other date-time of the answer (drawn one by one) rewritten: the date-time forms
    mix in one answer, as the forms of one service's different fields would."""

    def rewrite(value: Any) -> Any:
        if isinstance(value, str) and (match := _STAMP.match(value)) is not None:
            return change(match) if variance.rng.random() < 0.5 else value
        return value

    return attrs.evolve(answer, body=_each_value(answer.body, rewrite))


def _ticks(answer: Answer, variance: Variance) -> Answer:
    return _stamps(answer, variance, lambda m: f"{m[1]}.{m[2]}0+00:00")


def _zulu(answer: Answer, variance: Variance) -> Answer:
    return _stamps(answer, variance, lambda m: f"{m[1]}.{m[2]}Z")


def _finnish_offset(answer: Answer, variance: Variance) -> Answer:
    def local(match: re.Match[str]) -> str:
        moment = datetime.fromisoformat(match[0]).astimezone(HELSINKI)
        return moment.isoformat(timespec="microseconds")

    return _stamps(answer, variance, local)


def _no_fraction(answer: Answer, variance: Variance) -> Answer:
    return _stamps(answer, variance, lambda m: f"{m[1]}+00:00" if m[2] == "000000" else m[0])


def _nulls_left_out(answer: Answer, variance: Variance) -> Answer:
    def drop(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: drop(item) for key, item in value.items() if item is not None}
        if isinstance(value, list):
            return [drop(item) for item in value]
        return value

    return attrs.evolve(answer, body=drop(answer.body))


def _shuffled(answer: Answer, variance: Variance) -> Answer:
    def shuffle(value: Any) -> Any:
        if isinstance(value, dict):
            keys = list(value)
            variance.rng.shuffle(keys)
            return {key: shuffle(value[key]) for key in keys}
        if isinstance(value, list):
            return [shuffle(item) for item in value]
        return value

    return attrs.evolve(answer, body=shuffle(answer.body))


def _whole_numbers(answer: Answer, variance: Variance) -> Answer:
    def whole(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value

    return attrs.evolve(answer, body=_each_value(answer.body, whole))


def _token_without_lifetimes(answer: Answer, variance: Variance) -> Answer:
    if not isinstance(answer.body, dict):
        return answer
    body = {
        key: value
        for key, value in answer.body.items()
        if key not in ("access_token_expires_in", "refresh_token_expires_in")
    }
    return attrs.evolve(answer, body=body)


def _no_retry_after(answer: Answer, variance: Variance) -> Answer:
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "retry-after"}
    return attrs.evolve(answer, headers=headers)


def _default_left_out(answer: Answer, variance: Variance) -> Answer:
    # ProjectTravelExpenseOutputModel declares travelReimbursementRequired "default: true": a
    # serializer that omits defaults leaves it out, and a reader must then read true - reading
    # false would pay a traveller's expenses as company-card receipts.
    def drop(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: drop(item)
                for key, item in value.items()
                if not (key == "travelReimbursementRequired" and item is True)
            }
        if isinstance(value, list):
            return [drop(item) for item in value]
        return value

    return attrs.evolve(answer, body=drop(answer.body))


def _is_token(context: Context) -> bool:
    return context.kind == "token"


def _is_rate_limited(context: Context) -> bool:
    return context.status == 429


#: Every alternative form, in the order they are applied.
FORMS: Final[tuple[JsonForm, ...]] = (
    Form("date-time with 7 fraction digits", "§12.2; .NET writes ticks", _ticks),
    Form("date-time in Z", "RFC 3339 (format: date-time)", _zulu),
    Form("date-time in Finnish time", "§3.2 (an offset, +02:00)", _finnish_offset),
    Form("date-time without a fraction", "§12.2 (2024-05-01T09:00:00+03:00)", _no_fraction),
    Form("null properties left out", "the document: none of them is required", _nulls_left_out),
    Form("properties in another order", "JSON objects are unordered", _shuffled),
    Form("whole numbers without a fraction", "§12.2 (paymentTerm 14, amount 120.0)",
         _whole_numbers),
    Form("token answer with expiry times only", "§2.2 (read expires_in or expires_utc)",
         _token_without_lifetimes, _is_token),
    Form("429 without Retry-After", "§4 (whether it is ever sent is unknown)", _no_retry_after,
         _is_rate_limited),
    Form(TRAVEL_DEFAULT, "the document: travelReimbursementRequired has default true",
         _default_left_out),
)  # fmt: skip

SHORTER_PAGE: Final = "page shorter than rowCount"


def _same(one: Answer, other: Answer) -> bool:
    # As sent: key order and 1 against 1.0 count (== on the values ignores both).
    return one.headers == other.headers and json.dumps(one.body) == json.dumps(other.body)


def vary(answer: Answer, variance: Variance, kind: str, status: int) -> Answer:
    """``answer`` in some of :data:`FORMS`, drawn from ``variance``."""
    return apply_forms(answer, FORMS, Context(kind, status), variance, _same)


def shorter_page(rows: int, variance: Variance | None) -> int:
    """How many rows a token-paged answer gives when ``rows`` were asked for."""
    if variance is None or rows <= 1 or not variance.draw():
        return rows
    variance.used[SHORTER_PAGE] += 1
    return variance.rng.randint(1, rows - 1)
