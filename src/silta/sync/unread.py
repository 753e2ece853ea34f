"""Records Netvisor answered without their key: each is refused on its own, never the batch.

A record of a list answer without ``NetvisorKey`` cannot be linked, and nothing says which
key it has. Netvisor as the source: that record is refused with the reason (its code and
name are known), and the others go on. Netvisor as the target: a record with that code may
exist there, so the source record with the same code is refused rather than created a
second time. Refusals let the watermark pass; the nightly full run reads the record again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from silta import netvisor
from silta.domain import Action, Refusal
from silta.registers.rules import refuse
from silta.sync.plan import PlanItem

__all__ = ["refuse_unread", "unread_codes", "unread_refusal"]


class _Row(Protocol):
    @property
    def netvisor_key(self) -> int: ...

    @property
    def code(self) -> str | None: ...


def refuse_unread(
    rule: str,
    unread: Sequence[netvisor.UnreadRecord],
    rows: Sequence[_Row],
    detailed: Collection[int],
) -> list[PlanItem]:
    """One refusal per record of ``unread``, Netvisor being the source.

    A record of the details answer keeps the key of its list row when exactly one listed
    row with its code got no details (the key asked for is then known); a list row without
    a key has only its code.
    """
    items = []
    for record in unread:
        source_key = None
        if record.resource.startswith("get"):
            waiting = [
                row.netvisor_key
                for row in rows
                if row.code == record.code and row.netvisor_key not in detailed
            ]
            if len(waiting) == 1:
                source_key = str(waiting[0])
        items.append(
            PlanItem(
                source_key=source_key,
                natural_key=record.code,
                name=record.name,
                action=Action.REFUSE,
                refusals=(unread_refusal(rule, record.code, record.name),),
            )
        )
    return items


def unread_codes(unread: Sequence[netvisor.UnreadRecord]) -> frozenset[str]:
    """The codes of records Netvisor answered without a key (Netvisor as the target)."""
    return frozenset(record.code for record in unread if record.code)


def unread_refusal(rule: str, code: str | None, name: str | None) -> Refusal:
    """The refusal of a record whose code is ``code``, for a record without a key."""
    return refuse(rule, code=code, name=name)
