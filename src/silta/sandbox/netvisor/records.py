"""What the customer and product registers share: records kept by key and by unique code.

Netvisor keeps customer codes and product codes unique within a company. Both registers
index their records by NetvisorKey and by code (compared case-insensitively, see
:func:`~.dimensions.fold`), hand out keys from their own counter, and refuse a code that
another record holds with ``DUPLICATE_DATA``.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from .dimensions import fold
from .errors import DUPLICATE_DATA, NetvisorFailure

__all__ = ["CodedRecord", "CodedStore"]


class CodedRecord(Protocol):
    """A stored record: its NetvisorKey and its code (``""`` when it has none)."""

    @property
    def key(self) -> int: ...

    @property
    def code(self) -> str: ...


R = TypeVar("R", bound=CodedRecord)


class CodedStore(Generic[R]):
    """Records of one organisation, indexed by key and by (folded) code.

    Args:
        first_key: the first NetvisorKey handed out.
        code_label: how the code is named in the duplicate message, Finnish and English.
    """

    def __init__(self, first_key: int, code_label: tuple[str, str]) -> None:
        self._by_key: dict[int, R] = {}
        self._by_code: dict[str, int] = {}
        self._next_key = first_key
        self._code_label = code_label
        # Whether Netvisor refuses a duplicate code was never confirmed (netvisor-api.md
        # §5.4: "do not rely on it"). Tests switch this off to prove that Silta itself never
        # makes a duplicate, rather than being saved by the target's refusal.
        self.unique_codes = True

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: int) -> R | None:
        """The record with ``key``, or ``None``."""
        return self._by_key.get(key)

    def by_code(self, code: str) -> R | None:
        """The record whose code is ``code`` (case-insensitively), or ``None``."""
        key = self._by_code.get(fold(code))
        return None if key is None else self._by_key[key]

    def holders(self, code: str) -> list[R]:
        """Every record with ``code``: one at most, unless duplicates are allowed."""
        if self.unique_codes:
            found = self.by_code(code)
            return [] if found is None else [found]
        folded = fold(code)
        return [r for r in self._by_key.values() if r.code and fold(r.code) == folded]

    def all(self) -> list[R]:
        """All records in key order (keys only grow, so insertion order is key order)."""
        return list(self._by_key.values())

    def check_code_free(self, code: str, *, exclude: int = 0) -> None:
        """``DUPLICATE_DATA`` when a record other than ``exclude`` has ``code``."""
        if not code or not self.unique_codes:
            return
        owner = self._by_code.get(fold(code))
        if owner is not None and owner != exclude:
            label_fi, label_en = self._code_label
            raise NetvisorFailure(
                DUPLICATE_DATA,
                f"{label_fi} {code} on jo käytössä",
                f"{label_en} {code} is already in use",
            )

    def store(self, old: R | None, new: R) -> None:
        """Put ``new`` in place of ``old`` (``None`` for an add), keeping the indexes."""
        self.check_code_free(new.code, exclude=new.key)
        if old is not None and old.code and self._by_code.get(fold(old.code)) == old.key:
            del self._by_code[fold(old.code)]
        if new.code:
            # With duplicates allowed, the code keeps pointing at its first holder.
            self._by_code.setdefault(fold(new.code), new.key)
        self._by_key[new.key] = new

    def remove(self, key: int) -> R | None:
        """Take a record out (what deletecustomer.nv does); returns it, or ``None``."""
        record = self._by_key.pop(key, None)
        if record is not None and record.code and self._by_code.get(fold(record.code)) == key:
            del self._by_code[fold(record.code)]
        return record

    def allocate_key(self) -> int:
        """A fresh NetvisorKey."""
        key = self._next_key
        self._next_key += 1
        return key
