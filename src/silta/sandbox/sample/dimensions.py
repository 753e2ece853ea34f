"""Severa's business units, projects and phases, and Netvisor's dimension headers.

Dimensions go Severa → Netvisor in both scenarios, and the sync never creates headers, so
Netvisor gets the two headers the tenant's settings name ("Projekti", "Liiketoimintayksikkö")
and no items under them, plus one header of the company's own with items the sync must leave
alone. Severa gets units (regions, and departments under them), projects of real customers
and phases coded ``10``, ``20``, ... - every third project with a sub-phase (``21`` under
``20``). Two phase cases are planted: a phase without a code in the first project, and in
the second two phases sharing a code (which Severa accepts only with its organisation setting
``isIdenticalPhaseCodesAllowed``, so the sample turns it on).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs

from ..netvisor import Organisation as NetvisorOrganisation
from ..severa import Organisation as SeveraOrganisation
from .cases import Cases
from .companies import Draw
from .model import SampleSpec
from .words import (
    BUSINESS_UNIT_HEADER,
    DEPARTMENT_UNITS,
    EXTRA_PHASES,
    FORM_WORDS,
    OTHER_HEADER,
    PROJECT_HEADER,
    PROJECT_TYPES,
    REGION_UNITS,
)

__all__ = ["netvisor_headers", "populate_dimensions"]

FIRST_PROJECT_NUMBER: Final = 2001


@attrs.frozen
class PhasePlan:
    """One phase of a project: its name, code, and the position of its parent phase."""

    name: str
    code: str | None
    parent: int | None = None


def netvisor_headers(nv: NetvisorOrganisation) -> tuple[str, str]:
    """Create the headers; returns the project and business-unit header names."""
    nv.put_dimension_header(PROJECT_HEADER)
    nv.put_dimension_header(BUSINESS_UNIT_HEADER)
    other, items = OTHER_HEADER
    nv.put_dimension_header(other)
    for item in items:
        nv.put_dimension_item(other, item)
    return PROJECT_HEADER, BUSINESS_UNIT_HEADER


def unit_layout(count: int) -> list[tuple[str, str, str | None]]:
    """``count`` units as (name, code, parent code): two regions, then a department under
    an existing region, and so on; departments only once the regions run out."""
    regions = list(REGION_UNITS)
    departments = [
        (name, f"{region_code}-{code}", region_code)
        for name, code in DEPARTMENT_UNITS
        for _, region_code in REGION_UNITS
    ]
    made: list[tuple[str, str, str | None]] = []
    created: set[str] = set()
    for position in range(count):
        department = position % 3 == 2 or not regions
        if department and departments and departments[0][2] in created:
            made.append(departments.pop(0))
        else:
            name, code = regions.pop(0)
            created.add(code)
            made.append((name, code, None))
    return made


def _business_units(sv: SeveraOrganisation, count: int) -> list[str]:
    guids: dict[str, str] = {}
    for name, code, parent in unit_layout(count):
        guids[code] = sv.put_business_unit(name, code, guids[parent] if parent else None)
    return list(guids.values())


def phase_plan(names: Sequence[str], count: int, *, sub_phase: bool) -> list[PhasePlan]:
    """``count`` phases coded 10, 20, ...; with ``sub_phase`` the third is a sub-phase of
    the second, coded like it with a final 1 (``21`` under ``20``)."""
    pool = [*names, *EXTRA_PHASES]
    pool += [f"Vaihe {n}" for n in range(len(pool) + 1, count + 1)]
    plans: list[PhasePlan] = []
    top = 0
    for position in range(count):
        if sub_phase and position == 2:
            parent_code = plans[1].code or ""
            plans.append(PhasePlan(pool[position], parent_code[:-1] + "1", parent=1))
        else:
            top += 1
            plans.append(PhasePlan(pool[position], str(top * 10)))
    return plans


def _short_name(customer_name: str) -> str:
    """The customer's name without its legal form, as a project name carries it."""
    words = [w for w in customer_name.split() if w.lower() not in FORM_WORDS]
    return " ".join(words) or customer_name


def _projects(
    sv: SeveraOrganisation,
    draw: Draw,
    cases: Cases,
    spec: SampleSpec,
    customers: Sequence[str],
    units: Sequence[str],
) -> None:
    rng = draw.rng
    sv.settings.is_identical_phase_codes_allowed = True
    if len(customers) >= spec.projects:
        chosen = rng.sample(list(customers), spec.projects)
    else:
        chosen = [customers[i % len(customers)] for i in range(spec.projects)]
    names: set[str] = set()
    for index, customer in enumerate(chosen):
        kind, phase_names = rng.choice(PROJECT_TYPES)
        customer_record = sv.customer(customer)
        assert customer_record is not None
        name = f"{kind}, {_short_name(customer_record['name'])}"
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base} {n}"
        names.add(name)
        project = sv.put_project(
            name,
            customer,
            number=FIRST_PROJECT_NUMBER + index,
            business_unit_guid=rng.choice(list(units)),
            projectOwner=sv.users[index % len(sv.users)].guid,
            isClosed=spec.projects >= 4 and index == spec.projects - 1,
        )
        plans = phase_plan(phase_names, spec.phases_per_project, sub_phase=index % 3 == 2)
        if index == 0:  # planted: the last phase has no code
            plans[-1] = attrs.evolve(plans[-1], code=None)
        if index == 1:  # planted: the last phase repeats the code of the one before
            plans[-1] = attrs.evolve(plans[-1], code=plans[-2].code)
        guids: list[str] = []
        for order, plan in enumerate(plans, start=1):
            parent = guids[plan.parent] if plan.parent is not None else None
            guids.append(sv.put_phase(project, plan.name, plan.code, parent, sortOrder=order))
        if index == 0:
            cases.add("phase_code_missing", guids[-1], plans[-1].name, project=name)
        if index == 1:
            for mine, other in ((-2, -1), (-1, -2)):
                cases.add(
                    "phase_code_not_unique",
                    guids[mine],
                    plans[mine].name,
                    project=name,
                    other=plans[other].name,
                    code=plans[mine].code,
                )
    sv.settings.next_project_number = FIRST_PROJECT_NUMBER + spec.projects


def populate_dimensions(
    sv: SeveraOrganisation,
    draw: Draw,
    cases: Cases,
    spec: SampleSpec,
    customers: Sequence[str],
) -> None:
    """Create business units, then projects of ``customers`` with their phases."""
    units = _business_units(sv, spec.business_units)
    _projects(sv, draw, cases, spec, customers, units)
