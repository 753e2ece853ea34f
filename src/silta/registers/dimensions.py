"""Projects, business units and phases as Netvisor dimension items (rules 13–16).

Severa → Netvisor only. Projects go under the header chosen for projects, business units
under the header chosen for units; a header left empty means those items are not created
(rule 13). New items are created and renamed items get their new name (rule 14); nothing is
deleted. With "also import phases" (rule 15) each phase becomes the item ``"<code> <name>"``
under its project's item; phases without a code, or whose code another phase of the same
project also has, are refused, because Netvisor could not tell them apart.

Settled here, where the article is silent:

* Item names: a project is ``"<number> <name>"`` and a business unit ``"<code> <name>"``
  (just the name when there is no number or code), so that items stay unique among their
  siblings even when names repeat, and an accountant recognises them.
* A project's root phase (Severa's container for the top-level phases) is not an item; a
  sub-phase goes under its parent phase's item, or under the nearest transferred ancestor
  when its parent was refused.
* Business units form a flat list under their header; closed projects stay (never delete).
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

import attrs

from silta import severa
from silta.domain import Refusal, TenantSettings
from silta.registers.rules import refuse

__all__ = [
    "ITEM_NAME_LIMIT",
    "DimensionSource",
    "Kind",
    "Refused",
    "business_unit_item_name",
    "phase_item_name",
    "project_item_name",
    "sources",
]

ITEM_NAME_LIMIT = 200  # dimensionitem.nv: item max 200


class Kind(enum.StrEnum):
    PROJECT = "project"
    BUSINESS_UNIT = "business_unit"
    PHASE = "phase"


@attrs.frozen
class DimensionSource:
    """One Netvisor item as Severa says it should be.

    ``parent`` is the Severa GUID of the source whose item this one goes under (a project or
    a phase); ``None`` for top-level items.
    """

    kind: Kind
    guid: str
    header: str
    name: str
    parent: str | None = None
    depth: int = 0  # 0 = top level; phases 1, 2, ...


@attrs.frozen
class Refused:
    """A source that will not become an item, and why."""

    kind: Kind
    guid: str
    name: str
    refusals: tuple[Refusal, ...]


def _joined(prefix: object, name: str) -> str:
    return f"{prefix} {name}" if prefix not in (None, "") else name


def project_item_name(project: severa.Project) -> str:
    return _joined(project.number, project.name.strip())


def business_unit_item_name(unit: severa.BusinessUnit) -> str:
    return _joined((unit.code or "").strip(), unit.name.strip())


def phase_item_name(phase: severa.Phase) -> str:
    return _joined((phase.code or "").strip(), phase.name.strip())


def sources(
    settings: TenantSettings,
    *,
    projects: Iterable[severa.Project] = (),
    business_units: Iterable[severa.BusinessUnit] = (),
    phases: Iterable[severa.Phase] = (),
) -> tuple[list[DimensionSource], list[Refused]]:
    """The items the settings ask for, parents before children, and the refused sources."""
    if not settings.dimensions:
        return [], []
    wanted: list[DimensionSource] = []
    refused: list[Refused] = []

    def add(source: DimensionSource) -> None:
        if len(source.name) > ITEM_NAME_LIMIT:
            reason = refuse(
                "dimensions.name_too_long", name=source.name[:40], length=len(source.name)
            )
            refused.append(Refused(source.kind, source.guid, source.name, (reason,)))
        else:
            wanted.append(source)

    project_list = list(projects)
    if settings.project_header:
        for project in project_list:
            add(DimensionSource(Kind.PROJECT, project.guid, settings.project_header,
                                project_item_name(project)))  # fmt: skip
    if settings.business_unit_header:
        for unit in business_units:
            add(DimensionSource(Kind.BUSINESS_UNIT, unit.guid, settings.business_unit_header,
                                business_unit_item_name(unit)))  # fmt: skip
    if settings.include_phases and settings.project_header:
        phase_sources, phase_refused = _phases(settings.project_header, project_list, phases)
        for source in phase_sources:
            add(source)
        refused.extend(phase_refused)
    wanted.sort(key=lambda source: source.depth)
    return wanted, refused


def _phases(
    header: str, projects: list[severa.Project], phases: Iterable[severa.Phase]
) -> tuple[list[DimensionSource], list[Refused]]:
    names = {p.guid: project_item_name(p) for p in projects}
    roots = {p.root_phase.guid for p in projects if p.root_phase and p.root_phase.guid}
    by_project: dict[str, list[severa.Phase]] = defaultdict(list)
    for phase in phases:
        project = phase.project.guid if phase.project else None
        if project is None or project not in names:
            continue  # a phase of a project that is not transferred
        if phase.guid in roots or phase.parent_phase is None:
            continue  # the root phase is the project itself
        by_project[project].append(phase)

    accepted: list[DimensionSource] = []
    refused: list[Refused] = []
    for project_guid, members in by_project.items():
        project_name = names[project_guid]
        codes = Counter((p.code or "").strip() for p in members if (p.code or "").strip())
        parents = {p.guid: p.parent_phase.guid if p.parent_phase else None for p in members}
        ok: set[str] = set()
        for phase in members:
            code = (phase.code or "").strip()
            shown = {"project": project_name, "name": phase.name, "code": code}
            if not code:
                reason = refuse("dimensions.phase.code_missing", **shown)
            elif codes[code] > 1:
                reason = refuse("dimensions.phase.code_not_unique", **shown)
            else:
                ok.add(phase.guid)
                continue
            refused.append(Refused(Kind.PHASE, phase.guid, phase.name, (reason,)))
        for phase in members:
            if phase.guid not in ok:
                continue
            parent, depth = _placement(phase.guid, parents, ok, project_guid)
            accepted.append(
                DimensionSource(
                    Kind.PHASE, phase.guid, header, phase_item_name(phase), parent, depth
                )
            )
    return accepted, refused


def _placement(
    guid: str, parents: Mapping[str, str | None], ok: set[str], project: str
) -> tuple[str, int]:
    """The nearest transferred ancestor's GUID (the project when none) and the depth."""
    chain: list[str] = []
    parent = parents.get(guid)
    seen = {guid}
    while parent is not None and parent in parents and parent not in seen:
        seen.add(parent)
        if parent in ok:
            chain.append(parent)
        parent = parents.get(parent)
    if not chain:
        return project, 1
    return chain[0], len(chain) + 1
