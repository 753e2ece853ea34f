"""Where a register keeps its records: by GUID, in creation order, and by the filter keys.

The benchmarks hold 10,000 customers, 10,000 products and 2,000 projects with 5 phases each
in one organisation and page through them 100 at a time, so every read must cost what the page
costs, not what the register holds:

* records sit in **creation order** (``seq`` = position). That is the order every list
  answers in: stable while a client pages, even when records are added (they go to the end)
  or changed (they keep their place). A deleted record (customers and products can be
  deleted, as the document allows) leaves a tombstone at its position, so positions and
  page tokens stay valid; every reader skips it.
* **unique indexes** (customer number, product code, project number) map a key to one GUID;
* **multi indexes** (a project's phases, a customer's addresses, projects by customer ...) map
  a key to the sorted ``seq`` list of its records, so a filtered page starts with a bisect.

Records are immutable :class:`Stored` values; a write replaces one with a new one and moves
the indexes. Nothing here validates: the register modules check their rules first, then call
:meth:`Register.add` / :meth:`Register.replace` with no ``await`` in between, so a cancelled
request never leaves half a write.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["KeyFn", "Register", "Stored"]

#: An index key of a record's values; ``None`` leaves the record out of that index.
KeyFn = Callable[[Mapping[str, Any]], Hashable | None]


@attrs.frozen
class Stored:
    """One stored record.

    Attributes:
        guid: its GUID.
        seq: its position in creation order.
        values: the input-model fields, by JSON name (see :mod:`.fields` for the value types).
        created_at, updated_at: ``createdDateTime`` and ``lastUpdatedDateTime``.
        created_by, updated_by: GUIDs of the users who wrote it (``createdBy``...).
    """

    guid: str
    seq: int
    values: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    updated_by: str | None = None
    deleted: bool = False

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


class Register:
    """The records of one kind in one organisation.

    Args:
        kind: the register's name (``customer``, ``phase`` ...).
        unique: index name → key function; one record per key.
        multi: index name → key function; many records per key.
    """

    def __init__(
        self,
        kind: str,
        *,
        unique: Mapping[str, KeyFn] | None = None,
        multi: Mapping[str, KeyFn] | None = None,
    ) -> None:
        self.kind = kind
        self.version = 0
        self._records: list[Stored] = []
        self._by_guid: dict[str, int] = {}
        self._unique_keys = dict(unique or {})
        self._multi_keys = dict(multi or {})
        self._unique: dict[str, dict[Hashable, str]] = {name: {} for name in self._unique_keys}
        self._multi: dict[str, dict[Hashable, list[int]]] = {name: {} for name in self._multi_keys}
        self._cache: dict[Hashable, tuple[int, list[int]]] = {}
        self._deleted = 0

    def __len__(self) -> int:
        return len(self._records) - self._deleted

    def __iter__(self) -> Iterator[Stored]:
        return iter([record for record in self._records if not record.deleted])

    def positions(self) -> Sequence[int]:
        """The positions of the records not deleted, ascending."""
        if not self._deleted:
            return range(len(self._records))
        return self.matching(("positions",), lambda record: True)

    def get(self, guid: str) -> Stored | None:
        """The record with ``guid``, or ``None``."""
        seq = self._by_guid.get(guid)
        return None if seq is None else self._records[seq]

    def at(self, seq: int) -> Stored:
        """The record at position ``seq``."""
        return self._records[seq]

    def owner(self, index: str, key: Hashable) -> Stored | None:
        """The record a unique index maps ``key`` to, or ``None``."""
        guid = self._unique[index].get(key)
        return None if guid is None else self.get(guid)

    def seqs(self, index: str, key: Hashable) -> Sequence[int]:
        """Positions of the records a multi index maps ``key`` to, ascending."""
        return self._multi[index].get(key, ())

    # -- writing ---------------------------------------------------------------------------

    def add(self, guid: str, values: Mapping[str, Any], now: datetime, user: str | None) -> Stored:
        """Store a new record at the end of the creation order."""
        if guid in self._by_guid:
            raise ValueError(f"{self.kind} {guid} exists")
        record = Stored(
            guid=guid,
            seq=len(self._records),
            values=MappingProxyType(dict(values)),
            created_at=now,
            updated_at=now,
            created_by=user,
            updated_by=user,
        )
        self._records.append(record)
        self._by_guid[guid] = record.seq
        self._index(None, record)
        return record

    def replace(
        self,
        old: Stored,
        values: Mapping[str, Any],
        now: datetime,
        user: str | None,
    ) -> Stored:
        """Store changed values of ``old``; bumps ``updated_at`` to ``now``."""
        new = attrs.evolve(
            old, values=MappingProxyType(dict(values)), updated_at=now, updated_by=user
        )
        self._records[old.seq] = new
        self._index(old, new)
        return new

    def remove(self, old: Stored) -> None:
        """Delete ``old``: out of every index, a tombstone at its position."""
        tombstone = attrs.evolve(old, deleted=True)
        self._records[old.seq] = tombstone
        del self._by_guid[old.guid]
        self._deleted += 1
        self.version += 1
        for name, key_of in self._unique_keys.items():
            key = key_of(old.values)
            if key is not None and self._unique[name].get(key) == old.guid:
                del self._unique[name][key]
        for name, key_of in self._multi_keys.items():
            key = key_of(old.values)
            if key is not None:
                seqs = self._multi[name][key]
                del seqs[bisect.bisect_left(seqs, old.seq)]
                if not seqs:
                    del self._multi[name][key]

    def touch(self, old: Stored, at: datetime) -> Stored:
        """Set ``updated_at`` (test helper: watermarks at chosen times)."""
        new = attrs.evolve(old, updated_at=at)
        self._records[old.seq] = new
        self.version += 1
        return new

    def _index(self, old: Stored | None, new: Stored) -> None:
        self.version += 1
        for name, key_of in self._unique_keys.items():
            index = self._unique[name]
            before = None if old is None else key_of(old.values)
            after = key_of(new.values)
            if before == after:
                continue
            if before is not None and index.get(before) == new.guid:
                del index[before]
            if after is not None:
                owner = index.get(after)
                if owner is not None and owner != new.guid:
                    raise ValueError(f"{self.kind} {name} {after!r} is taken by {owner}")
                index[after] = new.guid
        for name, key_of in self._multi_keys.items():
            multi = self._multi[name]
            before = None if old is None else key_of(old.values)
            after = key_of(new.values)
            if old is not None and before == after:
                continue
            if before is not None:
                seqs = multi[before]
                del seqs[bisect.bisect_left(seqs, new.seq)]
                if not seqs:
                    del multi[before]
            if after is not None:
                bisect.insort(multi.setdefault(after, []), new.seq)

    # -- reading ---------------------------------------------------------------------------

    def scan(self, after: int, candidates: Sequence[int] | None = None) -> Iterator[Stored]:
        """Records after position ``after`` in creation order, among ``candidates`` if given.

        Lazy: a page stops pulling as soon as it is full, so a page costs its own length plus
        the records its filters skip.
        """
        if candidates is None:
            for seq in range(after + 1, len(self._records)):
                record = self._records[seq]
                if not record.deleted:
                    yield record
            return
        start = bisect.bisect_right(candidates, after)
        for index in range(start, len(candidates)):
            yield self._records[candidates[index]]  # indexes hold no deleted record

    def matching(
        self,
        cache_key: Hashable,
        predicate: Callable[[Stored], bool],
        candidates: Sequence[int] | None = None,
    ) -> Sequence[int]:
        """Positions of every record ``predicate`` accepts, cached until the next write.

        For offset paging with a filter: a client reading page after page of the same query
        pays for the filter once, not once per page.
        """
        cached = self._cache.get(cache_key)
        if cached is not None and cached[0] == self.version:
            return cached[1]
        found = [record.seq for record in self.scan(-1, candidates) if predicate(record)]
        if len(self._cache) > 16:
            self._cache.clear()
        self._cache[cache_key] = (self.version, found)
        return found
