"""Projects, business units and phases as Netvisor dimension items (rules 13–16).

The target is read whole (``dimensionlist.nv`` has no filter, and hidden items count too:
a hidden item must not be created again). Items are written level by level: projects and
business units first, then phases under them, deeper phases after their parents, because
``dimensionitem.nv`` does not return the new item's key: after each level the list is read
once more to learn the keys the next level needs as ``fatherid``.

Incremental runs read the projects, business units and phases changed since the watermark;
for a project with a changed phase, all its phases are read, because a code is unique only
if no other phase of the project has it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from silta import netvisor, severa
from silta.domain import Action, FieldChange, Register, System
from silta.errors import SiltaError
from silta.notes import stored
from silta.registers import dimensions as rules
from silta.registers.rules import refuse
from silta.store import LinkState
from silta.sync.context import SyncContext
from silta.sync.engine import apply_items
from silta.sync.journal import Journal
from silta.sync.plan import Plan, PlanItem

__all__ = ["DimensionsToNetvisor", "create_items"]


@attrs.frozen
class _Write:
    source: rules.DimensionSource
    old_name: str | None = None  # a rename's current name
    father_id: int | None = None  # the parent item's key, when it is already known


@attrs.frozen
class _Target:
    """Netvisor's items, indexed for matching."""

    headers: dict[str, netvisor.DimensionHeader]
    by_key: dict[int, tuple[str, netvisor.DimensionItem]]

    @classmethod
    def of(cls, headers: list[netvisor.DimensionHeader]) -> _Target:
        by_name = {h.name: h for h in headers}
        by_key = {item.netvisor_key: (h.name, item) for h in headers for item in h.items}
        return cls(by_name, by_key)

    def find(self, header: str, name: str, father_id: int) -> netvisor.DimensionItem | None:
        found = self.headers.get(header)
        if found is None:
            return None
        matches = found.find(name, father_id=father_id)
        return matches[0] if len(matches) == 1 else None


class DimensionsToNetvisor:
    """Severa is the source, Netvisor the target (the only direction, rule 13)."""

    register = Register.DIMENSIONS
    source_system = System.SEVERA

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        settings = ctx.settings
        if not settings.dimensions or not (
            settings.project_header or settings.business_unit_header
        ):
            return Plan()
        projects, units, phases = await self._read_severa(ctx, since)
        target = _Target.of(await ctx.netvisor.list_dimensions(show_hidden=True))
        wanted, refused = rules.sources(
            settings, projects=projects, business_units=units, phases=phases
        )
        items: list[PlanItem] = []
        missing_headers = sorted({s.header for s in wanted if s.header not in target.headers})
        for header in missing_headers:
            items.append(
                PlanItem(
                    source_key=None,
                    natural_key=header,
                    name=header,
                    action=Action.REFUSE,
                    refusals=(refuse("dimensions.header_missing", header=header),),
                )
            )
        for r in refused:
            items.append(
                PlanItem(
                    source_key=r.guid,
                    natural_key=r.name,
                    name=r.name,
                    action=Action.REFUSE,
                    refusals=r.refusals,
                )
            )
        stored = [
            link
            for link in ctx.store.links(ctx.tenant.id, Register.DIMENSIONS)
            if link.source_system is System.SEVERA
        ]
        links = {link.source_key: int(link.target_key) for link in stored if link.target_key}
        # Items whose create was sent but never confirmed, by the name it was sent with: a
        # source renamed since is still found under its old name (and renamed), not made twice.
        names = {(s.header, s.name) for s in wanted}
        sent_as = {
            link.source_key: link.natural_key
            for link in stored
            if link.state is LinkState.PENDING and link.natural_key
        }
        keys: dict[str, int] = {}  # source guid -> item key, as far as known before writing
        for source in wanted:
            if source.header in missing_headers:
                continue
            old_name = sent_as.get(source.guid)
            if old_name == source.name or (source.header, old_name) in names:
                old_name = None  # the same name, or another source's now: nothing to adopt
            items.append(self._match(source, target, links, keys, old_name))
        return Plan(tuple(items), {"items": len(wanted)})

    @staticmethod
    def _match(
        source: rules.DimensionSource,
        target: _Target,
        links: dict[str, int],
        keys: dict[str, int],
        sent_as: str | None = None,
    ) -> PlanItem:
        base: dict[str, Any] = {
            "source_key": source.guid,
            "natural_key": source.name,
            "name": source.name,
        }
        father_id = 0 if source.parent is None else keys.get(source.parent)
        linked = links.get(source.guid)
        if linked is not None and linked in target.by_key:
            _header, item = target.by_key[linked]
            keys[source.guid] = linked
            if item.name == source.name:
                return PlanItem(action=Action.UNCHANGED, target_key=str(linked), **base)
            return PlanItem(
                action=Action.RENAME,
                target_key=str(linked),
                changes=(_rename(item.name, source.name),),
                payload=_Write(source, old_name=item.name, father_id=item.father_id or None),
                **base,
            )
        if father_id is not None:
            found = target.find(source.header, source.name, father_id)
            if found is not None:
                keys[source.guid] = found.netvisor_key
                return PlanItem(
                    action=Action.UNCHANGED,
                    target_key=str(found.netvisor_key),
                    message=stored("dimensions.linked"),
                    payload=_Write(source),
                    **base,
                )
            if sent_as is not None:
                made = target.find(source.header, sent_as, father_id)
                if made is not None:
                    keys[source.guid] = made.netvisor_key
                    return PlanItem(
                        action=Action.RENAME,
                        target_key=str(made.netvisor_key),
                        changes=(_rename(made.name, source.name),),
                        payload=_Write(source, old_name=made.name, father_id=father_id or None),
                        message=stored("dimensions.made_interrupted"),
                        **base,
                    )
        return PlanItem(
            action=Action.CREATE, payload=_Write(source, father_id=father_id or None), **base
        )

    async def _read_severa(
        self, ctx: SyncContext, since: datetime | None
    ) -> tuple[list[severa.Project], list[severa.BusinessUnit], list[severa.Phase]]:
        settings, client = ctx.settings, ctx.severa
        units: list[severa.BusinessUnit] = []
        if settings.business_unit_header:
            units = [u async for u in client.iter_business_units(changed_since=since)]
        if not settings.project_header:
            return [], units, []
        projects = [p async for p in client.iter_projects(changed_since=since)]
        if not settings.include_phases:
            return projects, units, []
        if since is None:
            return projects, units, [p async for p in client.iter_phases()]
        changed = [p async for p in client.iter_phases(changed_since=since)]
        project_guids = sorted({p.project.guid for p in changed if p.project and p.project.guid})
        if not project_guids:
            return projects, units, []
        known = {p.guid for p in projects}
        missing = [g for g in project_guids if g not in known]
        if missing:
            projects += [p async for p in client.iter_projects(project_guids=missing)]
        phases = [p async for p in client.iter_phases(project_guids=project_guids)]
        return projects, units, phases

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        client = ctx.netvisor
        keys: dict[str, int] = {
            link.source_key: int(link.target_key)
            for link in ctx.store.links(ctx.tenant.id, Register.DIMENSIONS)
            if link.source_system is System.SEVERA and link.target_key
        }
        for item in plan:
            if item.target_key is not None and item.source_key is not None:
                keys[item.source_key] = int(item.target_key)
                if item.action is Action.UNCHANGED and item.payload is not None:
                    journal.link(item.source_key, item.target_key, item.natural_key)

        async def refreshed() -> _Target:
            return _Target.of(await client.list_dimensions(show_hidden=True))

        def father(write: _Write) -> int | None:
            if write.source.parent is None:
                return None
            return keys.get(write.source.parent, write.father_id or 0) or None

        async def write(item: PlanItem) -> str | None:
            payload: _Write = item.payload
            source = payload.source
            if item.action is Action.RENAME:
                assert payload.old_name is not None
                await client.rename_dimension_item(
                    source.header, payload.old_name, source.name, father_id=payload.father_id
                )
                return item.target_key
            father_id = father(payload)
            if source.parent is not None and father_id is None:
                raise _ParentMissing(f"the parent item of {source.name} is not in Netvisor")
            await client.add_dimension_item(source.header, source.name, father_id=father_id)
            return None  # learnt from the next read of the list

        async def lookup(item: PlanItem) -> str | None:
            payload: _Write = item.payload
            target = await refreshed()
            parent = father(payload) if item.action is Action.CREATE else payload.father_id
            found = target.find(payload.source.header, payload.source.name, parent or 0)
            return str(found.netvisor_key) if found is not None else None

        by_depth: dict[int, list[PlanItem]] = defaultdict(list)
        for item in plan.writes():
            by_depth[item.payload.source.depth].append(item)
        for depth in sorted(by_depth):
            batch = by_depth[depth]
            done = await apply_items(batch, journal, write=write, lookup=lookup)
            created = [item for item, key in done if key is None and item.action is Action.CREATE]
            if not created:
                continue
            target = await refreshed()
            for item in created:
                payload = item.payload
                found = target.find(
                    payload.source.header, payload.source.name, father(payload) or 0
                )
                if found is not None and item.source_key is not None:
                    keys[item.source_key] = found.netvisor_key
                    journal.link(item.source_key, str(found.netvisor_key), item.natural_key)


class _ParentMissing(SiltaError):
    """A phase whose parent item could not be created or found; the next run retries it."""


def _rename(old: str, new: str) -> FieldChange:
    return FieldChange("name", old, new)


async def create_items(
    ctx: SyncContext,
    sources: Sequence[rules.DimensionSource],
    known: Mapping[str, rules.DimensionSource],
    journal: Journal,
    *,
    headers: list[netvisor.DimensionHeader] | None = None,
) -> None:
    """Create ``sources``'s items in Netvisor as this register does (its matching, writes,
    re-reads and links), for the invoice transfer's "create missing items" (§5.7).

    ``known``: every item the caller can name, by Severa GUID, so that a parent Netvisor
    already has (made by hand, or by a register that ran before links were kept) is found by
    its name and the child placed under it. ``headers``: Netvisor's dimensions as just read
    (saves a call). ``journal`` is a dimension register's journal: the items made are
    recorded and linked as the register's own.
    """
    if not sources:
        return
    if headers is None:
        headers = await ctx.netvisor.list_dimensions(show_hidden=True)
    target = _Target.of(headers)
    stored = ctx.store.links(ctx.tenant.id, Register.DIMENSIONS)
    links = {
        link.source_key: int(link.target_key)
        for link in stored
        if link.source_system is System.SEVERA and link.target_key
    }
    keys: dict[str, int] = {}
    for source in sources:
        parent = known.get(source.parent) if source.parent else None
        if parent is None or parent.guid in keys or parent.guid in links:
            continue
        header = target.headers.get(parent.header)
        found = header.find(parent.name) if header is not None else []
        if len(found) == 1:
            keys[parent.guid] = found[0].netvisor_key
    ordered = sorted(sources, key=lambda source: source.depth)
    items = tuple(DimensionsToNetvisor._match(source, target, links, keys) for source in ordered)
    await DimensionsToNetvisor().apply(ctx, Plan(items), journal)
