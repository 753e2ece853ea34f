"""The plan of one run: what will happen to each record, and why. A dry run stops here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from silta.domain import Action, FieldChange, Refusal
from silta.store import Detail

__all__ = ["WRITES", "Plan", "PlanItem"]

WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.RENAME})


@attrs.frozen
class PlanItem:
    """One record's planned action.

    ``payload`` is what the register's adapter needs to carry the action out (the record to
    write, the current target); it is not part of the plan's identity. ``intent``, on a
    create: what the create carries that tells its record from another with the same
    natural key, kept with the pending link (:class:`silta.store.Link`).
    """

    source_key: str | None
    natural_key: str | None
    name: str | None
    action: Action
    target_key: str | None = None
    changes: tuple[FieldChange, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    message: str | None = None
    payload: Any = attrs.field(default=None, eq=False, repr=False)
    intent: Mapping[str, Any] | None = attrs.field(default=None, eq=False, repr=False)
    # display facts of the record's outcome for the run history (Entry.details)
    details: tuple[Detail, ...] = ()

    @property
    def writes(self) -> bool:
        return self.action in WRITES


@attrs.frozen
class Plan:
    """Every record of a run in the order it will be applied.

    ``state`` is carried to the watermark when the run completes (e.g. register sizes that
    let the next incremental run choose between per-record and list reads).
    """

    items: tuple[PlanItem, ...] = ()
    state: Mapping[str, Any] = attrs.field(factory=dict)

    def __iter__(self) -> Iterator[PlanItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def counts(self) -> Counter[str]:
        """Records per planned action."""
        return Counter(item.action.value for item in self.items)

    def writes(self) -> list[PlanItem]:
        return [item for item in self.items if item.writes]
