"""The two paging styles of Severa's API.

**Token paging** (customers, products, projects, phases):

* ``rowCount``: default 20, at most :func:`max_rows` of the route (100 where the document
  says "maximum 100"; 1,000 on ``/v1/customers``, ``/v1/products`` and ``/v1/users``, whose
  descriptions give no maximum, 1,000 being the older support article's figure); outside
  that, or below 1 → 400 ``InvalidParameter``. In variance mode a page may hold fewer rows
  than asked, with ``NextPageToken`` (:func:`..variance.shorter_page`).
* The body is a plain JSON array (no envelope, no total).
* The ``NextPageToken`` response header is sent **only when more rows exist**: the sandbox
  looks one row ahead, so a last page that is exactly full has no header either.
* ``pageToken`` is opaque to the client. The sandbox's token says "after the record at
  creation position *n*" and carries a fingerprint of the query's filters and a MAC: rows are
  answered in creation order, so the token stays valid while the client pages even when
  records are added (they appear at the end) or changed meanwhile. **Settled:** the token is
  valid only with the same filters (``rowCount`` may change): a token that was not issued by
  the sandbox, was altered, or comes back with other filters → 400 ``InvalidParameter``.
* A page costs its length plus the rows its filters skip; indexes narrow the candidates when
  a filter allows (numbers, codes, project or customer GUIDs).

**Offset paging** (business units, addresses): ``firstRow`` (default 0, not negative) and
``rowCount`` (default 20, at most :func:`max_rows`); a plain array and no header - the client
stops on a short page. ``calculateRowCount`` is accepted and ignored (the document does not
say where a count would go).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

import attrs

from .errors import Detail
from .query import Query
from .store import Register, Stored

__all__ = [
    "DEFAULT_ROWS",
    "MAX_ROWS",
    "OffsetPage",
    "PageTokens",
    "TokenPage",
    "fingerprint",
    "max_rows",
    "offset_page",
    "read_token_page",
    "token_rows",
]

DEFAULT_ROWS: Final = 20
MAX_ROWS: Final = 100
#: Routes whose ``rowCount`` the document describes without a maximum ("How many rows to
#: fetch"), and the older support article's maximum for them.
UNSTATED_MAXIMUM: Final = frozenset({"/v1/customers", "/v1/products", "/v1/users"})
OLDER_MAXIMUM: Final = 1000


def max_rows(template: str) -> int:
    """The largest ``rowCount`` the route serves."""
    return OLDER_MAXIMUM if template in UNSTATED_MAXIMUM else MAX_ROWS


def _row_count(query: Query, maximum: int) -> int:
    rows = query.integer("rowCount")
    if rows is None:
        return DEFAULT_ROWS
    if not 1 <= rows <= maximum:
        query.problems.append(
            Detail(
                f"rowCount must be between 1 and {maximum}, got {rows}.",
                "rowCount",
                "UriParameter",
            )
        )
        return DEFAULT_ROWS
    return rows


@attrs.frozen
class TokenPage:
    """A token-paged read: how many rows, after which creation position."""

    row_count: int
    after: int


class PageTokens:
    """Makes and checks page tokens; ``secret`` keeps them opaque and unforgeable."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, scope: str, after: int, fingerprint: str) -> str:
        message = f"{scope}|{after}|{fingerprint}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:20]

    def encode(self, scope: str, after: int, fingerprint: str) -> str:
        """The token for "the rows after position ``after``" of this query."""
        text = f"{after}.{self._mac(scope, after, fingerprint)}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, token: str, scope: str, fingerprint: str) -> int | None:
        """The position a token continues after, or ``None`` when it is not valid here."""
        try:
            padded = token + "=" * (-len(token) % 4)
            text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        except (ValueError, binascii.Error, UnicodeError):
            return None
        after_text, _, mac = text.partition(".")
        if not after_text.isdigit():
            return None
        after = int(after_text)
        if not hmac.compare_digest(mac, self._mac(scope, after, fingerprint)):
            return None
        return after


def fingerprint(filters: Iterable[object]) -> str:
    """A short digest of a query's normalised filters."""
    return hashlib.sha256(repr(tuple(filters)).encode()).hexdigest()[:16]


def read_token_page(
    query: Query, tokens: PageTokens, scope: str, filters: str, maximum: int = MAX_ROWS
) -> TokenPage:
    """``rowCount`` and ``pageToken`` of a token-paged read (problems go to ``query``)."""
    rows = _row_count(query, maximum)
    token = query.text("pageToken")
    after = -1
    if token is not None:
        decoded = tokens.decode(token, scope, filters)
        if decoded is None:
            query.problems.append(
                Detail(
                    "pageToken is not a token this query issued (a token is only valid with "
                    "the filters it was issued for).",
                    "pageToken",
                    "UriParameter",
                )
            )
        else:
            after = decoded
    query.check()
    return TokenPage(rows, after)


def token_rows(
    register: Register,
    page: TokenPage,
    keep: Callable[[Stored], bool],
    candidates: Sequence[int] | None = None,
) -> tuple[list[Stored], int | None]:
    """A page of records and the position to continue after (``None``: that was the last).

    Pulls one row beyond the page to know whether another page exists.
    """
    found: list[Stored] = []
    records: Iterator[Stored] = register.scan(page.after, candidates)
    for record in records:
        if keep(record):
            if len(found) == page.row_count:
                return found, found[-1].seq
            found.append(record)
    return found, None


@attrs.frozen
class OffsetPage:
    """An offset-paged read."""

    first_row: int
    row_count: int

    def slice(self, seqs: Sequence[int]) -> Sequence[int]:
        """The positions of this page among ``seqs``."""
        return seqs[self.first_row : self.first_row + self.row_count]


def offset_page(query: Query, maximum: int = MAX_ROWS) -> OffsetPage:
    """``firstRow``/``rowCount`` of an offset-paged read (problems go to ``query``)."""
    rows = _row_count(query, maximum)
    first = query.integer("firstRow")
    if first is not None and first < 0:
        query.problems.append(
            Detail(f"firstRow must not be negative, got {first}.", "firstRow", "UriParameter")
        )
        first = 0
    query.boolean("calculateRowCount")
    return OffsetPage(first or 0, rows)
