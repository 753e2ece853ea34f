"""Accounting dimensions (laskentakohteet): headers, and a tree of items under each header.

Settled rules (netvisor-api.md §7 where it speaks, Silta's decisions where it does not):

* Headers are never created through the API (§7.2: "the header must already exist"); tests
  and the demo create them with :meth:`DimensionStore.add_header`.
* Item names are unique **among siblings** (same header, same parent): the same name may sit
  under different parents. Names compare case-insensitively, like codes (see
  :mod:`.customers`).
* Children keep the order in which they were added (or moved in); the listing is pre-order,
  ``Sort`` counts from 0 within each header, ``Level`` is the depth (1 = top), ``EndSort`` is the
  ``Sort`` of the item's last descendant (its own when it has none), ``FatherId`` is the parent's
  key or 0.
* A hidden item hides its whole subtree from the default listing (a visible child under a
  missing parent would break ``FatherId``); ``Sort``/``EndSort`` are numbered over the items
  actually listed, so they stay contiguous in both listings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Final

import attrs

from .errors import DUPLICATE_DATA, NetvisorFailure, invalid_data

__all__ = ["DimensionHeader", "DimensionItem", "DimensionLink", "DimensionStore", "LinkRequest"]

#: A ``dimension`` element of customer.nv or product.nv: header name, item name, and the
#: optional ``fatherid`` attribute of ``dimensionitem``.
LinkRequest = tuple[str, str, int | None]

FIRST_HEADER_KEY: Final = 1
FIRST_ITEM_KEY: Final = 100


def fold(name: str) -> str:
    """The comparison form of a name or code (case-insensitive)."""
    return name.casefold()


@attrs.frozen
class DimensionHeader:
    """A dimension header (laskentakohdeotsikko) such as "Projekti"."""

    key: int
    name: str
    hidden: bool
    link_type: int = 0


@attrs.frozen
class DimensionItem:
    """One item as dimensionlist.nv would list it (positions computed for that listing)."""

    key: int
    header_key: int
    name: str
    father_id: int
    level: int
    sort: int
    end_sort: int
    hidden: bool
    code: str = ""
    label: str = ""


@attrs.frozen
class DimensionLink:
    """A customer's or product's dimension: one item under one header."""

    header_key: int
    header_name: str
    item_key: int
    item_name: str


@attrs.define(eq=False)
class _Header:
    key: int
    name: str
    hidden: bool
    top: list[int] = attrs.field(factory=list)


@attrs.define(eq=False)
class _Item:
    key: int
    header_key: int
    name: str
    parent: int
    hidden: bool = False
    code: str = ""
    label: str = ""
    activity_start: date | None = None
    activity_end: date | None = None
    children: list[int] = attrs.field(factory=list)


class DimensionStore:
    """Headers and item trees of one organisation, indexed for name lookups."""

    def __init__(self) -> None:
        self._headers: dict[int, _Header] = {}
        self._header_by_name: dict[str, int] = {}
        self._items: dict[int, _Item] = {}
        # (header, parent, folded name) -> item: sibling uniqueness.
        self._siblings: dict[tuple[int, int, str], int] = {}
        # (header, folded name) -> items with that name anywhere under the header.
        self._by_name: dict[tuple[int, str], set[int]] = {}
        self._next_header = FIRST_HEADER_KEY
        self._next_item = FIRST_ITEM_KEY

    # -- headers ---------------------------------------------------------------------------

    def add_header(self, name: str, *, hidden: bool = False) -> int:
        """Create a header (setup only; Netvisor's API cannot)."""
        if not name.strip():
            raise ValueError("a dimension header needs a name")
        if fold(name) in self._header_by_name:
            raise ValueError(f"dimension header {name!r} exists already")
        key = self._next_header
        self._next_header += 1
        self._headers[key] = _Header(key, name, hidden)
        self._header_by_name[fold(name)] = key
        return key

    def header(self, key: int) -> DimensionHeader:
        """The header with ``key`` (KeyError when unknown)."""
        header = self._headers[key]
        return DimensionHeader(header.key, header.name, header.hidden)

    def header_key(self, name: str) -> int | None:
        """The key of the header called ``name``, or ``None``."""
        return self._header_by_name.get(fold(name))

    def headers(self, *, show_hidden: bool = True) -> list[DimensionHeader]:
        """Headers in key order."""
        return [
            DimensionHeader(h.key, h.name, h.hidden)
            for h in self._headers.values()
            if show_hidden or not h.hidden
        ]

    def require_header(self, name: str) -> int:
        """The header's key; ``INVALID_DATA`` when no header has that name."""
        key = self.header_key(name)
        if key is None:
            raise invalid_data(
                f"Laskentakohdeotsikkoa ei löydy: {name}. Otsikon tulee olla olemassa.",
                f"Dimension header not found: {name}. The header must exist.",
            )
        return key

    # -- items: lookups --------------------------------------------------------------------

    def item_name(self, key: int) -> str:
        """The name of item ``key`` (KeyError when unknown)."""
        return self._items[key].name

    def find(self, header_key: int, name: str, parent: int | None = None) -> list[int]:
        """Keys of the items called ``name`` in a header, optionally only under ``parent``."""
        if parent is not None:
            key = self._siblings.get((header_key, parent, fold(name)))
            return [] if key is None else [key]
        return sorted(self._by_name.get((header_key, fold(name)), ()))

    def resolve_parent(
        self, header_key: int, father_id: int | None, father_item: str | None
    ) -> int | None:
        """The parent named by ``fatherid`` and/or ``fatheritem``; ``None`` when neither is
        given, 0 for ``fatherid`` 0 (top level).

        Both given must name the same item; an unknown or ambiguous parent is
        ``INVALID_DATA``.
        """
        by_id: int | None = None
        if father_id is not None and father_id != 0:
            item = self._items.get(father_id)
            if item is None or item.header_key != header_key:
                raise invalid_data(
                    f"Isälaskentakohdetta ei löydy tunnisteella {father_id}",
                    f"Parent dimension item not found with identifier {father_id}",
                )
            by_id = father_id
        elif father_id == 0:
            by_id = 0
        if father_item is None:
            return by_id
        if by_id is not None:
            if by_id == 0 or fold(self._items[by_id].name) != fold(father_item):
                raise invalid_data(
                    f"fatherid {father_id} ja fatheritem {father_item} eivät vastaa toisiaan",
                    f"fatherid {father_id} and fatheritem {father_item} do not match",
                )
            return by_id
        matches = self.find(header_key, father_item)
        if not matches:
            raise invalid_data(
                f"Isälaskentakohdetta ei löydy: {father_item}",
                f"Parent dimension item not found: {father_item}",
            )
        if len(matches) > 1:
            raise invalid_data(
                f"Isälaskentakohteen nimi {father_item} ei ole yksiselitteinen; anna fatherid",
                f"Parent dimension item name {father_item} is ambiguous; give fatherid",
            )
        return matches[0]

    def is_in_subtree(self, candidate: int, root: int) -> bool:
        """Whether ``candidate`` is ``root`` or one of its descendants."""
        key = candidate
        while key != 0:
            if key == root:
                return True
            key = self._items[key].parent
        return False

    # -- items: writes ---------------------------------------------------------------------

    def check_sibling_free(
        self, header_key: int, parent: int, name: str, *, exclude: int = 0
    ) -> None:
        """``DUPLICATE_DATA`` when a sibling under ``parent`` already has ``name``."""
        existing = self._siblings.get((header_key, parent, fold(name)))
        if existing is not None and existing != exclude:
            raise NetvisorFailure(
                DUPLICATE_DATA,
                f"Samanniminen laskentakohde on jo olemassa samalla tasolla: {name}",
                f"A dimension item with the same name exists already at this level: {name}",
            )

    def add_item(
        self,
        header_key: int,
        name: str,
        *,
        parent: int = 0,
        hidden: bool = False,
        code: str = "",
        label: str = "",
        activity_start: date | None = None,
        activity_end: date | None = None,
    ) -> int:
        """Add an item; the caller has checked the parent. ``DUPLICATE_DATA`` on a sibling
        with the same name."""
        header = self._headers[header_key]
        if parent != 0 and self._items[parent].header_key != header_key:
            raise ValueError(f"item {parent} is not under header {header.name!r}")
        self.check_sibling_free(header_key, parent, name)
        key = self._next_item
        self._next_item += 1
        item = _Item(
            key, header_key, name, parent, hidden, code, label, activity_start, activity_end
        )
        self._items[key] = item
        self._siblings_of(header, parent).append(key)
        self._index(item)
        return key

    def update_item(
        self,
        key: int,
        *,
        name: str | None = None,
        parent: int | None = None,
        hidden: bool | None = None,
        code: str | None = None,
        label: str | None = None,
        activity_start: date | None = None,
        activity_end: date | None = None,
    ) -> None:
        """Rename, move, hide or re-code an item (``None`` = unchanged); the caller has
        checked the rules, so this only keeps the indexes right."""
        item = self._items[key]
        header = self._headers[item.header_key]
        new_parent = item.parent if parent is None else parent
        new_name = item.name if name is None else name
        if new_parent != item.parent and new_parent != 0 and self.is_in_subtree(new_parent, key):
            raise ValueError("an item cannot move under itself")
        self.check_sibling_free(item.header_key, new_parent, new_name, exclude=key)
        self._unindex(item)
        if new_parent != item.parent:
            self._siblings_of(header, item.parent).remove(key)
            self._siblings_of(header, new_parent).append(key)
            item.parent = new_parent
        item.name = new_name
        if hidden is not None:
            item.hidden = hidden
        if code is not None:
            item.code = code
        if label is not None:
            item.label = label
        if activity_start is not None:
            item.activity_start = activity_start
        if activity_end is not None:
            item.activity_end = activity_end
        self._index(item)

    def _siblings_of(self, header: _Header, parent: int) -> list[int]:
        return header.top if parent == 0 else self._items[parent].children

    def _index(self, item: _Item) -> None:
        self._siblings[(item.header_key, item.parent, fold(item.name))] = item.key
        self._by_name.setdefault((item.header_key, fold(item.name)), set()).add(item.key)

    def _unindex(self, item: _Item) -> None:
        del self._siblings[(item.header_key, item.parent, fold(item.name))]
        named = self._by_name[(item.header_key, fold(item.name))]
        named.discard(item.key)
        if not named:
            del self._by_name[(item.header_key, fold(item.name))]

    # -- links from customers and products -----------------------------------------------

    def check_links(self, wanted: Iterable[LinkRequest], *, use_only_existing: bool) -> None:
        """Check the ``dimension`` elements of a customer or product write, changing nothing.

        The header must exist; ``fatherid`` must name an item of it; an item name that matches
        several items is ambiguous; a missing item is ``INVALID_DATA`` only with
        ``useonlyexistingdimensions=1`` (otherwise :meth:`merge_links` creates it).
        """
        for header_name, item_name, father_id in wanted:
            header_key = self.require_header(header_name)
            parent = self.resolve_parent(header_key, father_id, None)
            if not item_name.strip():
                raise invalid_data("Laskentakohteen nimi puuttuu", "Dimension item name is missing")
            matches = self.find(header_key, item_name, parent)
            if len(matches) > 1:
                raise invalid_data(
                    f"Laskentakohteen nimi {item_name} ei ole yksiselitteinen; anna fatherid",
                    f"Dimension item name {item_name} is ambiguous; give fatherid",
                )
            if not matches and use_only_existing:
                raise invalid_data(
                    f"Laskentakohdetta ei löydy: {header_name} / {item_name}",
                    f"Dimension item not found: {header_name} / {item_name}",
                )

    def merge_links(
        self, current: Iterable[DimensionLink], wanted: Iterable[LinkRequest]
    ) -> tuple[DimensionLink, ...]:
        """Resolve ``wanted`` (creating missing items) over ``current``: one item per header.

        Call only after :meth:`check_links` passed, so nothing here fails half-way.
        """
        links = {link.header_key: link for link in current}
        for header_name, item_name, father_id in wanted:
            header_key = self.require_header(header_name)
            parent = self.resolve_parent(header_key, father_id, None) or 0
            matches = self.find(header_key, item_name, parent if father_id is not None else None)
            item_key = (
                matches[0] if matches else self.add_item(header_key, item_name, parent=parent)
            )
            links[header_key] = DimensionLink(
                header_key, self._headers[header_key].name, item_key, self._items[item_key].name
            )
        return tuple(links[key] for key in sorted(links))

    # -- listing ---------------------------------------------------------------------------

    def listing(self, header_key: int, *, show_hidden: bool = True) -> list[DimensionItem]:
        """The header's items in pre-order with Level, Sort, EndSort, as dimensionlist.nv."""
        visited = list(self._preorder(self._headers[header_key], show_hidden=show_hidden))
        end_sorts = list(range(len(visited)))
        open_items: list[int] = []  # indexes of items whose subtree is still being listed
        for index, (_item, level) in enumerate(visited):
            while open_items and visited[open_items[-1]][1] >= level:
                end_sorts[open_items.pop()] = index - 1
            open_items.append(index)
        for index in open_items:
            end_sorts[index] = len(visited) - 1
        return [
            DimensionItem(
                key=item.key,
                header_key=item.header_key,
                name=item.name,
                father_id=item.parent,
                level=level,
                sort=index,
                end_sort=end_sorts[index],
                hidden=item.hidden,
                code=item.code,
                label=item.label,
            )
            for index, (item, level) in enumerate(visited)
        ]

    def _preorder(self, header: _Header, *, show_hidden: bool) -> Iterator[tuple[_Item, int]]:
        # An explicit stack: a deep chain of items must not hit the recursion limit.
        stack = [(key, 1) for key in reversed(header.top)]
        while stack:
            key, level = stack.pop()
            item = self._items[key]
            if item.hidden and not show_hidden:
                continue
            yield item, level
            stack.extend((child, level + 1) for child in reversed(item.children))
