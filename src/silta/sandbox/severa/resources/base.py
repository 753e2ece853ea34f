"""What a route handler gets and gives back, and the helpers every register's routes share.

A handler is a plain function (never a coroutine): it runs between two ``await`` points of the
request pipeline, so a cancelled request either wrote everything or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from ..collection import Collection, Written
from ..errors import NotFound
from ..paging import (
    PageTokens,
    TokenPage,
    fingerprint,
    max_rows,
    offset_page,
    read_token_page,
    token_rows,
)
from ..query import Query
from ..routes import Operation
from ..store import Stored
from ..variance import shorter_page

if TYPE_CHECKING:
    from ...variance import Variance
    from ..organisation import Organisation

__all__ = [
    "NO_BODY",
    "Answer",
    "Call",
    "Handler",
    "Predicates",
    "created",
    "found",
    "offset_list",
    "patched",
    "token_list",
]

#: The body of a request that has none (GET).
NO_BODY: Final = object()


@attrs.frozen
class Call:
    """One authenticated request, ready for its handler.

    Attributes:
        org: the credential's organisation.
        operation: the matched operation.
        params: path parameters.
        query: the query string.
        body: the parsed JSON body, or :data:`NO_BODY`.
        tokens: the sandbox's page-token maker.
        variance: the organisation's variance mode (shorter pages), ``None`` when off.
    """

    org: Organisation
    operation: Operation
    params: Mapping[str, str]
    query: Query
    body: object
    tokens: PageTokens
    variance: Variance | None = None


@attrs.frozen
class Answer:
    """A handler's answer.

    Attributes:
        status: HTTP status.
        body: JSON to send, or ``None`` for an empty body (204).
        headers: extra headers (``NextPageToken``).
        ignored: body properties the write ignored (counted in stats).
    """

    status: int
    body: Any
    headers: Mapping[str, str] = attrs.field(factory=dict)
    ignored: tuple[str, ...] = ()


Handler = Callable[[Call], Answer]


def found(collection: Collection, guid: str) -> Stored:
    """The record the path names; an unknown GUID is an empty 404."""
    record = collection.get(guid)
    if record is None:
        raise NotFound
    return record


def created(collection: Collection, written: Written) -> Answer:
    """201 with the new record."""
    return Answer(201, collection.render(written.record), ignored=written.ignored)


def patched(collection: Collection, written: Written) -> Answer:
    """200 with a one-element array of the updated record ("List of updated ...")."""
    return Answer(200, [collection.render(written.record)])


class Predicates:
    """A query's filters: the checks each row must pass, and a fingerprint for page tokens."""

    def __init__(self) -> None:
        self.checks: list[Callable[[Stored], bool]] = []
        self.keys: list[object] = []
        self.candidate_sets: list[set[int]] = []

    def add(self, name: str, value: object, check: Callable[[Stored], bool]) -> None:
        """A filter given as ``value`` (skipped when ``None`` or an empty list)."""
        if value is None or (isinstance(value, list | set | tuple) and not value):
            return
        self.keys.append((name, _normal(value)))
        self.checks.append(check)

    def narrow(self, name: str, value: object, seqs: Iterable[int]) -> None:
        """A filter answered by an index: only these positions can match."""
        if value is None or (isinstance(value, list | set | tuple) and not value):
            return
        self.keys.append((name, _normal(value)))
        self.candidate_sets.append(set(seqs))

    def changed_since(self, since: datetime | None) -> None:
        """``changedSince``: ``lastUpdatedDateTime`` greater than or equal (inclusive)."""
        self.add("changedSince", since, lambda r: since is not None and r.updated_at >= since)

    def keep(self, record: Stored) -> bool:
        """Whether ``record`` passes every check."""
        return all(check(record) for check in self.checks)

    def candidates(self) -> Sequence[int] | None:
        """The positions the index filters allow, ascending; ``None`` when unrestricted."""
        if not self.candidate_sets:
            return None
        return sorted(set.intersection(*self.candidate_sets))

    def fingerprint(self) -> str:
        """A digest of the filters, so a page token is valid only for its own query."""
        return fingerprint(sorted(self.keys, key=repr))


def _normal(value: object) -> object:
    if isinstance(value, list | set | tuple):
        return tuple(sorted(repr(v) for v in value))
    return repr(value)


def token_list(call: Call, collection: Collection, filters: Predicates) -> Answer:
    """A token-paged list answer (see :mod:`..paging`)."""
    scope = f"{call.org.id}:{call.operation.template}"
    maximum = max_rows(call.operation.template)
    page = read_token_page(call.query, call.tokens, scope, filters.fingerprint(), maximum)
    page = TokenPage(shorter_page(page.row_count, call.variance), page.after)
    rows, after = token_rows(collection.register, page, filters.keep, filters.candidates())
    headers = {}
    if after is not None:
        headers["NextPageToken"] = call.tokens.encode(scope, after, filters.fingerprint())
    return Answer(200, collection.render_many(rows), headers)


def offset_list(
    call: Call,
    collection: Collection,
    filters: Predicates,
    within: Sequence[int] | None = None,
    cache_key: object = None,
) -> Answer:
    """An offset-paged list answer, optionally within given positions (one customer's)."""
    page = offset_page(call.query, max_rows(call.operation.template))
    call.query.check()
    register = collection.register
    candidates = filters.candidates()
    if within is not None:
        candidates = within if candidates is None else sorted(set(within) & set(candidates))
    if not filters.checks:
        seqs: Sequence[int] = register.positions() if candidates is None else candidates
    else:
        key = (cache_key, filters.fingerprint())
        seqs = register.matching(key, filters.keep, candidates)
    rows = [register.at(seq) for seq in page.slice(seqs)]
    return Answer(200, collection.render_many(rows))


def fold(text: str) -> str:
    """Case-insensitive comparison form (names, e-mail addresses)."""
    return text.casefold().strip()
