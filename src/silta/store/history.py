"""The history as people read it: runs and records paged, one record across runs, what is
refused now, and the fleet's latest runs.

**Keyset paging.** A list is read in a fixed order (runs newest first by ``(started_at,
id)``; a run's records by ``id``; a record's timeline newest first by entry ``id``) and a
page starts after (or ends before) the last row the previous page showed, named by an
opaque cursor. Unlike ``OFFSET``, the database walks straight to the page through an index
that ends in the same columns (migration 0010), so a page a year back costs what the first
one does, and rows added meanwhile do not shift the pages.

**The record catalogue.** ``records`` holds one row per record a tenant's runs have met,
with its newest name and a case-folded search text; :meth:`Store.add_entries` keeps it with
one upsert per batch (:func:`record_rows`). A search reads it, then the chosen record's
timeline reads the entries by its keys (``tenant_id`` on the entries keeps that to one
company's).

**Open refusals.** A refused record is not read again by the incremental runs after it
(the watermark passes it) but by the register's next full run. So "what needs fixing now"
is every record whose newest outcome, among the real runs since (and including) the
register's latest completed full run, is a refusal: a record fixed since has a newer
outcome, and a record deleted since is not in the full run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

import attrs
from sqlalchemy import ColumnElement, false, not_, or_, select, true, tuple_
from sqlalchemy.orm import Session

from silta.domain import Action, FieldChange, Refusal, Register, RunKind, RunStatus, Status
from silta.store.errors import StoreError
from silta.store.models import RecordRow, RunEntryRow, RunRow, TenantRow
from silta.store.records import Entry, RunRecord, details_from_json
from silta.triggers import TRIGGER_KINDS, TriggerKind

if TYPE_CHECKING:  # the store imports record_rows from here
    from silta.store.store import Store

__all__ = [
    "BadCursor",
    "History",
    "OpenRefusal",
    "Outcome",
    "Page",
    "RecordRef",
    "RunFilter",
    "UnknownRecord",
    "record_rows",
    "search_text",
]

T = TypeVar("T")

MAX_PAGE: Final = 500  # rows a page may ask for
_CHUNK = MAX_PAGE  # rows per transaction when a whole list is streamed (exports)
_IDS_PER_QUERY = 500  # ids per IN list (SQLite's bound-parameter limit is the lowest)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"^\d{1,19}(?:\.\d{1,19}){0,3}$")
# a record's natural key names it alone in these registers (a customer number, a product
# code, an invoice number); a dimension item's is its name, which phases share
_UNIQUE_NATURAL_KEYS: Final = frozenset({"customers", "products", "invoices"})
# without a completed full run, the open refusals of a register come from this many runs
_NO_FULL_RUN_WINDOW = 100


class BadCursor(StoreError, ValueError):
    """A page cursor that this history did not make (or made for another list)."""

    def __init__(self, cursor: str) -> None:
        self.cursor = cursor
        super().__init__(f"not a page cursor: {cursor[:40]!r}")


class UnknownRecord(StoreError):
    """No record of this tenant has this id."""

    def __init__(self, record_id: int) -> None:
        self.record_id = record_id
        super().__init__(f"no record with id {record_id}")


@attrs.frozen
class Page(Generic[T]):
    """One page of a list: its rows, and the cursors of the pages after and before it
    (``None``: there is none; ``previous`` is ``None`` on the first page)."""

    items: tuple[T, ...]
    next: str | None = None
    previous: str | None = None


@attrs.frozen
class RunFilter:
    """Which runs a history page shows. ``preview``: only previews (``True``), only real
    runs (``False``), both (``None``). ``since``/``until``: the start time, from (inclusive)
    and to (exclusive)."""

    register: Register | None = None
    status: RunStatus | None = None
    trigger: TriggerKind | None = None
    preview: bool | None = None
    since: datetime | None = None
    until: datetime | None = None


@attrs.frozen
class RecordRef:
    """A record of a tenant, as the catalogue knows it (keys are ``None`` when unknown)."""

    id: int
    tenant_id: int
    register: Register
    source_key: str | None
    natural_key: str | None
    name: str | None
    first_seen_at: datetime
    last_seen_at: datetime

    @property
    def key(self) -> str:
        """What the record is called by: its natural key, else its source key."""
        return self.natural_key or self.source_key or ""


@attrs.frozen
class Outcome:
    """One line of a record's timeline: what one run did with it."""

    entry_id: int
    run_id: int
    started_at: datetime
    trigger: str
    dry_run: bool
    kind: RunKind
    run_status: RunStatus
    entry: Entry


@attrs.frozen
class OpenRefusal:
    """A record refused by its newest outcome: the run that refused it, and the entry."""

    run: RunRecord
    entry_id: int
    entry: Entry


def search_text(*parts: str | None) -> str:
    """What a record is found by: its keys and name, case-folded (so "ÄÄNI" finds "ääni",
    on SQLite too, whose ``lower()`` knows only ASCII)."""
    return " ".join(part.casefold() for part in parts if part)


def record_rows(tenant_id: int, entries: Iterable[Entry], now: datetime) -> list[dict[str, Any]]:
    """The catalogue rows a batch of entries makes or refreshes (one per record; the last
    entry of a record in the batch wins, as in the run)."""
    rows: dict[tuple[Register, str, str], dict[str, Any]] = {}
    for entry in entries:
        source, natural = entry.source_key or "", entry.natural_key or ""
        if not (source or natural):
            continue
        rows[(entry.register, source, natural)] = {
            "tenant_id": tenant_id,
            "register": entry.register,
            "source_key": source,
            "natural_key": natural,
            "name": entry.name,
            "search": search_text(natural, source, entry.name),
            "first_seen_at": now,
            "last_seen_at": now,
        }
    return list(rows.values())


# -- cursors ----------------------------------------------------------------------------------


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


def _from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _encode(*parts: int) -> str:
    return ".".join(str(part) for part in parts)


def _decode(cursor: str, count: int) -> tuple[int, ...]:
    if not _CURSOR.match(cursor):
        raise BadCursor(cursor)
    parts = tuple(int(part) for part in cursor.split("."))
    if len(parts) != count or any(part >= 2**63 for part in parts):
        raise BadCursor(cursor)
    return parts


@attrs.frozen
class _Order:
    """A list's order: its key columns, and how a row and a cursor give their values."""

    columns: tuple[ColumnElement[Any], ...]
    descending: bool
    key_of: Callable[[Any], tuple[Any, ...]]  # a row -> its key values
    to_cursor: Callable[[tuple[Any, ...]], str]
    from_cursor: Callable[[str], tuple[Any, ...]]


def _compare(columns: Sequence[Any], values: tuple[Any, ...], *, less: bool) -> Any:
    if len(columns) == 1:
        return columns[0] < values[0] if less else columns[0] > values[0]
    left = tuple_(*columns)
    return left < tuple_(*values) if less else left > tuple_(*values)


def _keyset(
    session: Session,
    query: Any,  # a Select of any columns
    order: _Order,
    *,
    after: str | None,
    before: str | None,
    limit: int,
    alternatives: Sequence[ColumnElement[bool]] = (),
) -> Page[Any]:
    """The page of ``query`` after ``after`` or before ``before`` (at most one of them).

    ``alternatives``: conditions of which a row must meet one. Each is read as a query of
    its own, down its own index, and the pages merged: a plan for ``a OR b`` reads one
    index whole, or both and sorts (seen on SQLite).
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"a page holds 1 to {MAX_PAGE} rows")
    if after is not None and before is not None:
        raise ValueError("a page is after one cursor or before one, not both")
    backwards = before is not None
    cursor = before if backwards else after
    if cursor is not None:
        values = order.from_cursor(cursor)
        # forward in a descending list means smaller keys
        query = query.where(_compare(order.columns, values, less=order.descending != backwards))
    descending = order.descending != backwards
    query = query.order_by(*(c.desc() if descending else c.asc() for c in order.columns))
    if not alternatives:
        rows = list(session.execute(query.limit(limit + 1)).all())
    else:
        merged = {}
        for condition in alternatives:
            for row in session.execute(query.where(condition).limit(limit + 1)):
                merged[order.key_of(row)] = row
        ordered = sorted(merged, reverse=descending)
        rows = [merged[key] for key in ordered[: limit + 1]]
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    first = order.to_cursor(order.key_of(rows[0])) if rows else None
    last = order.to_cursor(order.key_of(rows[-1])) if rows else None
    if backwards:
        previous, following = (first if more else None), (last or cursor)
    else:
        previous = (first or cursor) if cursor is not None else None
        following = last if more else None
    return Page(tuple(rows), following, previous)


def _time_id_order(
    time_column: Any, id_column: Any, key_of: Callable[[Any], tuple[Any, ...]]
) -> _Order:
    def to_cursor(key: tuple[Any, ...]) -> str:
        return _encode(_micros(key[0]), key[1])

    def from_cursor(cursor: str) -> tuple[Any, ...]:
        micros, ident = _decode(cursor, 2)
        try:
            return (_from_micros(micros), ident)
        except OverflowError:
            raise BadCursor(cursor) from None

    return _Order((time_column, id_column), True, key_of, to_cursor, from_cursor)


def _id_order(column: Any, *, descending: bool, key_of: Callable[[Any], tuple[Any, ...]]) -> _Order:
    return _Order(
        (column,),
        descending,
        key_of,
        lambda key: _encode(key[0]),
        lambda cursor: _decode(cursor, 1),
    )


# -- rows to values ---------------------------------------------------------------------------

_ENTRY_COLUMNS = (
    RunEntryRow.id,
    RunEntryRow.register,
    RunEntryRow.source_key,
    RunEntryRow.natural_key,
    RunEntryRow.name,
    RunEntryRow.action,
    RunEntryRow.status,
    RunEntryRow.target_key,
    RunEntryRow.changes,
    RunEntryRow.refusals,
    RunEntryRow.message,
    RunEntryRow.details,
)
# the columns of an entry row that _ENTRY_COLUMNS reads; what a query adds comes after
_ENTRY_WIDTH: Final = len(_ENTRY_COLUMNS)


def _entry(row: Any) -> Entry:
    """An :class:`Entry` from the row of ``_ENTRY_COLUMNS`` (the id first)."""
    (
        _id,
        register,
        source_key,
        natural_key,
        name,
        action,
        status,
        target,
        changes,
        refusals,
        message,
        details,
    ) = row[:_ENTRY_WIDTH]
    return Entry(
        register=register,
        source_key=source_key,
        natural_key=natural_key,
        name=name,
        action=action,
        status=status,
        target_key=target,
        changes=tuple(FieldChange(**change) for change in changes),
        refusals=tuple(Refusal(**refusal) for refusal in refusals),
        message=message,
        details=details_from_json(details),
    )


def _record(row: RecordRow) -> RecordRef:
    return RecordRef(
        id=row.id,
        tenant_id=row.tenant_id,
        register=row.register,
        source_key=row.source_key or None,
        natural_key=row.natural_key or None,
        name=row.name,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
    )


def _trigger_condition(kind: TriggerKind) -> ColumnElement[bool]:
    def marks(wanted: Iterable[TriggerKind]) -> list[ColumnElement[bool]]:
        return [
            RunRow.trigger == mark.text
            if mark.whole
            else RunRow.trigger.startswith(mark.text, autoescape=True)
            for k in wanted
            for mark in TRIGGER_KINDS[k]
        ]

    if kind is TriggerKind.OTHER:
        return not_(or_(false(), *marks(TRIGGER_KINDS)))
    return or_(false(), *marks((kind,)))


def _run_conditions(wanted: RunFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.register is not None:
        conditions.append(RunRow.register == wanted.register)
    if wanted.status is not None:
        conditions.append(RunRow.status == wanted.status)
    if wanted.trigger is not None:
        conditions.append(_trigger_condition(wanted.trigger))
    if wanted.preview is not None:
        conditions.append(RunRow.dry_run.is_(true() if wanted.preview else false()))
    if wanted.since is not None:
        conditions.append(RunRow.started_at >= wanted.since)
    if wanted.until is not None:
        conditions.append(RunRow.started_at < wanted.until)
    return conditions


def _entry_conditions(
    register: Register | None, action: Action | None, status: Status | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if register is not None:
        conditions.append(RunEntryRow.register == register)
    if action is not None:
        conditions.append(RunEntryRow.action == action)
    if status is not None:
        conditions.append(RunEntryRow.status == status)
    return conditions


def _identity(entry: Entry) -> tuple[str, str]:
    """Which record an entry is about, for "its newest outcome": the source key names it
    even when its natural key changes (a number added to fix a refusal)."""
    if entry.source_key:
        return ("s", entry.source_key)
    return ("n", entry.natural_key or "")


# -- the history ------------------------------------------------------------------------------


class History:
    """Reading the runs, records and timelines of a :class:`Store`'s database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __repr__(self) -> str:
        return f"History({self._store!r})"

    # -- runs ---------------------------------------------------------------------------------

    def runs(
        self,
        tenant_id: int,
        wanted: RunFilter = RunFilter(),
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> Page[RunRecord]:
        """A page of the tenant's runs, newest first.

        Raises:
            BadCursor: a cursor this list did not make.
            UnknownTenant: no such tenant.
        """
        from silta.store.store import _run_query, _run_record

        query = _run_query().where(RunRow.tenant_id == tenant_id, *_run_conditions(wanted))
        order = _time_id_order(
            RunRow.started_at, RunRow.id, lambda row: (row[0].started_at, row[0].id)
        )
        with self._store._reading() as session:
            self._store._require_tenant(session, tenant_id)
            page = _keyset(session, query, order, after=after, before=before, limit=limit)
            return Page(tuple(_run_record(*row) for row in page.items), page.next, page.previous)

    def running(self, tenant_id: int) -> list[RunRecord]:
        """The tenant's runs going now (with their progress), newest first."""
        from silta.store.store import _run_query, _run_record

        query = (
            _run_query()
            .where(RunRow.tenant_id == tenant_id, RunRow.status == RunStatus.RUNNING)
            .order_by(RunRow.started_at.desc(), RunRow.id.desc())
            .limit(10)
        )
        with self._store._reading() as session:
            return [_run_record(*row) for row in session.execute(query)]

    def latest_runs(self, tenant_ids: Collection[int] | None = None) -> dict[int, list[RunRecord]]:
        """For each tenant, the newest run and the newest real run of each register, newest
        first: what a register's health needs (:func:`silta.web.health.tenant_health`).

        Two queries for the whole fleet: one walk down an index per tenant and register
        finds the ids, then the runs are read by id.
        """
        from silta.store.store import _run_query, _run_record

        columns: list[Any] = []
        for register in Register:
            for real in (False, True):
                newest = select(RunRow.id).where(
                    RunRow.tenant_id == TenantRow.id, RunRow.register == register
                )
                if real:
                    newest = newest.where(RunRow.dry_run.is_(false()))
                columns.append(
                    newest.order_by(RunRow.started_at.desc(), RunRow.id.desc())
                    .limit(1)
                    .correlate(TenantRow)
                    .scalar_subquery()
                )
        query = select(TenantRow.id, *columns)
        if tenant_ids is not None:
            query = query.where(TenantRow.id.in_(list(tenant_ids)))
        found: dict[int, list[RunRecord]] = {}
        with self._store._reading() as session:
            ids = {
                int(run_id)
                for row in session.execute(query)
                for run_id in row[1:]
                if run_id is not None
            }
            ordered = sorted(ids)
            for start in range(0, len(ordered), _IDS_PER_QUERY):
                chunk = ordered[start : start + _IDS_PER_QUERY]
                for row in session.execute(_run_query().where(RunRow.id.in_(chunk))):
                    record = _run_record(*row)
                    found.setdefault(record.tenant_id, []).append(record)
        for runs in found.values():
            runs.sort(key=lambda run: (run.started_at, run.id), reverse=True)
        if tenant_ids is not None:
            for tenant_id in tenant_ids:
                found.setdefault(tenant_id, [])
        return found

    # -- a run's records ----------------------------------------------------------------------

    def entries(
        self,
        run_id: int,
        *,
        register: Register | None = None,
        action: Action | None = None,
        status: Status | None = None,
        after: str | None = None,
        before: str | None = None,
        limit: int = 100,
    ) -> Page[Entry]:
        """A page of a run's records in the order they were recorded.

        Raises:
            UnknownRun: no such run.
            BadCursor: a cursor this list did not make.
        """
        query = select(*_ENTRY_COLUMNS).where(
            RunEntryRow.run_id == run_id, *_entry_conditions(register, action, status)
        )
        order = _id_order(RunEntryRow.id, descending=False, key_of=lambda row: (row[0],))
        with self._store._reading() as session:
            self._store._require_run(session, run_id)
            page = _keyset(session, query, order, after=after, before=before, limit=limit)
        return Page(tuple(_entry(row) for row in page.items), page.next, page.previous)

    def iter_entries(
        self,
        run_id: int,
        *,
        register: Register | None = None,
        action: Action | None = None,
        status: Status | None = None,
    ) -> Iterator[Entry]:
        """Every record of the run, read 500 at a time (an export of 10,000 records
        never holds them all), each thousand in a short transaction of its own."""
        after: str | None = None
        while True:
            page = self.entries(
                run_id, register=register, action=action, status=status, after=after, limit=_CHUNK
            )
            yield from page.items
            if page.next is None:
                return
            after = page.next

    # -- records ------------------------------------------------------------------------------

    def search(
        self,
        tenant_id: int,
        text: str = "",
        *,
        register: Register | None = None,
        after: str | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> Page[RecordRef]:
        """The tenant's records whose customer number, product code, invoice number, key or
        name contains ``text`` (any letter case), the most recently seen first."""
        query = select(RecordRow).where(RecordRow.tenant_id == tenant_id)
        needle = search_text(text.strip())
        if needle:
            query = query.where(RecordRow.search.contains(needle, autoescape=True))
        if register is not None:
            query = query.where(RecordRow.register == register)
        order = _time_id_order(
            RecordRow.last_seen_at, RecordRow.id, lambda row: (row[0].last_seen_at, row[0].id)
        )
        with self._store._reading() as session:
            self._store._require_tenant(session, tenant_id)
            page = _keyset(session, query, order, after=after, before=before, limit=limit)
            return Page(tuple(_record(row[0]) for row in page.items), page.next, page.previous)

    def iter_search(
        self, tenant_id: int, text: str = "", *, register: Register | None = None
    ) -> Iterator[RecordRef]:
        after: str | None = None
        while True:
            page = self.search(tenant_id, text, register=register, after=after, limit=_CHUNK)
            yield from page.items
            if page.next is None:
                return
            after = page.next

    def record(self, tenant_id: int, record_id: int) -> RecordRef:
        """One of the tenant's records.

        Raises:
            UnknownRecord: the tenant has no record with this id.
        """
        with self._store._reading() as session:
            row = session.get(RecordRow, record_id)
            if row is None or row.tenant_id != tenant_id:
                raise UnknownRecord(record_id)
            return _record(row)

    def timeline(
        self,
        record: RecordRef,
        *,
        action: Action | None = None,
        status: Status | None = None,
        preview: bool | None = None,
        after: str | None = None,
        before: str | None = None,
        limit: int = 50,
    ) -> Page[Outcome]:
        """What every run did with the record, newest first: by its source key, and by its
        natural key where that names one record alone (a customer number, a product code),
        so the record's history reads on through a change of direction."""
        match = []
        if record.source_key:
            match.append(RunEntryRow.source_key == record.source_key)
        if record.natural_key and (
            record.register.value in _UNIQUE_NATURAL_KEYS or not record.source_key
        ):
            match.append(RunEntryRow.natural_key == record.natural_key)
        query = (
            select(
                *_ENTRY_COLUMNS,
                RunRow.id,
                RunRow.started_at,
                RunRow.trigger,
                RunRow.dry_run,
                RunRow.kind,
                RunRow.status,
            )
            .join(RunRow, RunRow.id == RunEntryRow.run_id)
            .where(
                RunEntryRow.tenant_id == record.tenant_id,
                RunEntryRow.register == record.register,
                *_entry_conditions(None, action, status),
            )
        )
        if preview is not None:
            query = query.where(RunRow.dry_run.is_(true() if preview else false()))
        order = _id_order(RunEntryRow.id, descending=True, key_of=lambda row: (row[0],))
        with self._store._reading() as session:
            page = _keyset(
                session,
                query,
                order,
                after=after,
                before=before,
                limit=limit,
                alternatives=match or [false()],
            )
        outcomes = tuple(
            Outcome(
                entry_id=row[0],
                run_id=row[_ENTRY_WIDTH + 0],
                started_at=row[_ENTRY_WIDTH + 1],
                trigger=row[_ENTRY_WIDTH + 2],
                dry_run=row[_ENTRY_WIDTH + 3],
                kind=row[_ENTRY_WIDTH + 4],
                run_status=row[_ENTRY_WIDTH + 5],
                entry=_entry(row),
            )
            for row in page.items
        )
        return Page(outcomes, page.next, page.previous)

    def iter_timeline(
        self,
        record: RecordRef,
        *,
        action: Action | None = None,
        status: Status | None = None,
        preview: bool | None = None,
    ) -> Iterator[Outcome]:
        after: str | None = None
        while True:
            page = self.timeline(
                record, action=action, status=status, preview=preview, after=after, limit=_CHUNK
            )
            yield from page.items
            if page.next is None:
                return
            after = page.next

    # -- open refusals ------------------------------------------------------------------------

    def open_refusals(
        self, tenant_id: int, registers: Iterable[Register] = tuple(Register)
    ) -> list[OpenRefusal]:
        """Every record of the tenant whose newest real outcome refused it (see the module's
        docstring), by register, then in the order they were recorded."""
        found: list[OpenRefusal] = []
        for register in registers:
            found += self._open_refusals(tenant_id, register)
        return found

    def _open_refusals(self, tenant_id: int, register: Register) -> list[OpenRefusal]:
        from silta.store.store import _run_query, _run_record

        with self._store._reading() as session:
            self._store._require_tenant(session, tenant_id)
            real = (
                _run_query()
                .where(
                    RunRow.tenant_id == tenant_id,
                    RunRow.register == register,
                    RunRow.dry_run.is_(false()),
                    RunRow.status != RunStatus.RUNNING,
                )
                .order_by(RunRow.started_at.desc(), RunRow.id.desc())
            )
            base = session.execute(
                real.where(RunRow.kind == RunKind.FULL, RunRow.status == RunStatus.COMPLETED).limit(
                    1
                )
            ).first()
            if base is not None:
                base_run = base[0]
                window_query = real.where(
                    _compare(
                        (RunRow.started_at, RunRow.id),
                        (base_run.started_at, base_run.id),
                        less=False,
                    )
                )
                runs = [_run_record(*row) for row in session.execute(window_query)]
                runs.append(_run_record(*base))
            else:
                runs = [
                    _run_record(*row) for row in session.execute(real.limit(_NO_FULL_RUN_WINDOW))
                ]
            if not runs:
                return []
            by_id = {run.id: run for run in runs}
            oldest, later = runs[-1], [run.id for run in runs[:-1]]
            rows: list[Any] = []
            for start in range(0, len(later), _IDS_PER_QUERY):
                rows += session.execute(
                    select(*_ENTRY_COLUMNS, RunEntryRow.run_id).where(
                        RunEntryRow.run_id.in_(later[start : start + _IDS_PER_QUERY])
                    )
                ).all()
            # of the oldest run (the full one) only its refusals matter: whatever else it
            # recorded cannot be a record's newest refusal
            rows += session.execute(
                select(*_ENTRY_COLUMNS, RunEntryRow.run_id).where(
                    RunEntryRow.run_id == oldest.id, RunEntryRow.status == Status.REFUSED
                )
            ).all()
        rows.sort(key=lambda row: row[0], reverse=True)  # newest outcome first
        seen: set[tuple[str, str]] = set()
        found: list[OpenRefusal] = []
        for row in rows:
            entry = _entry(row)
            identity = _identity(entry)
            if identity in seen:
                continue
            seen.add(identity)
            if entry.status is Status.REFUSED:
                found.append(OpenRefusal(by_id[row[_ENTRY_WIDTH]], row[0], entry))
        found.sort(key=lambda refusal: refusal.entry_id)
        return found
