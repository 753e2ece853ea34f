"""The operator's fleet: every company's health, searched, filtered, sorted and paged.

The health of each register comes from :func:`silta.web.health.tenant_health` over the
company's newest runs, which :meth:`silta.store.History.latest_runs` reads for the whole
fleet in two queries (not one query per company). Searching, filtering and sorting are then
done here, in memory: a fleet is hundreds or a few thousand companies, and "worst health
first" is a property of each company's registers that no index holds.

A company is in a state when any of its registers is (a paused company is paused), and OK
when none is in any other; the totals count the companies in each state over the whole
fleet the user may see, so the filter a total links to finds exactly that many.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

import attrs

from silta.domain import Register
from silta.store import RunRecord
from silta.tenants import Tenant
from silta.web.failures import Failure, failure_of
from silta.web.health import Health, RegisterHealth, tenant_health

__all__ = [
    "FILTERS",
    "PAGE_SIZE",
    "CompanyRow",
    "FleetPage",
    "Sort",
    "company_rows",
    "fleet_page",
]

PAGE_SIZE: Final = 50

# worst first: what "sort by health" puts on top
SEVERITY: Final[tuple[Health, ...]] = (
    Health.CREDENTIALS,
    Health.FAILING,
    Health.HELD,
    Health.REFUSALS,
    Health.NEVER,
    Health.RUNNING,
    Health.PAUSED,
    Health.OK,
    Health.OFF,
)
# the states the overview filters by, in the order its totals are shown
FILTERS: Final[tuple[Health, ...]] = (
    Health.FAILING,
    Health.CREDENTIALS,
    Health.REFUSALS,
    Health.HELD,
    Health.PAUSED,
    Health.RUNNING,
    Health.NEVER,
    Health.OK,
)


class Sort(enum.StrEnum):
    HEALTH = "health"  # worst first, then by name
    NAME = "name"
    LAST_NEWEST = "last"  # the newest last run first
    LAST_OLDEST = "stale"  # the oldest last run first: companies whose runs stopped


@attrs.frozen
class CompanyRow:
    tenant: Tenant
    role: str
    health: tuple[RegisterHealth, ...]
    # each failing register's failure (the run, and why), for the words and the link
    failures: tuple[tuple[RegisterHealth, Failure], ...]

    @property
    def states(self) -> frozenset[Health]:
        """What the company is: each state a register of it is in, paused when it is, and
        OK only when nothing else is (every register switched on is fine)."""
        found = {row.health for row in self.health} - {Health.OK, Health.OFF}
        if self.tenant.paused:
            found.add(Health.PAUSED)
        return frozenset(found or {Health.OK})

    @property
    def worst(self) -> int:
        return min((SEVERITY.index(state) for state in self.states), default=len(SEVERITY))

    @property
    def last_run(self) -> datetime | None:
        times = [row.last.started_at for row in self.health if row.last is not None]
        return max(times, default=None)

    @property
    def next_run(self) -> datetime | None:
        times = [row.next_at for row in self.health if row.next_at is not None]
        return min(times, default=None)


def company_rows(
    visible: Sequence[tuple[Tenant, str]],
    latest: Mapping[int, Sequence[RunRecord]],
    held: Mapping[int, frozenset[Register]],
    *,
    now: datetime,
) -> list[CompanyRow]:
    rows = []
    for tenant, role in visible:
        health = tenant_health(
            tenant, latest.get(tenant.id, ()), now=now, held=held.get(tenant.id, ())
        )
        failures = []
        for row in health:
            if row.health in (Health.FAILING, Health.CREDENTIALS) and row.last is not None:
                failure = failure_of(row.last)
                if failure is not None:
                    failures.append((row, failure))
        rows.append(CompanyRow(tenant, role, tuple(health), tuple(failures)))
    return rows


@attrs.frozen
class FleetPage:
    rows: tuple[CompanyRow, ...]
    totals: dict[Health, int]  # companies in each state, over the whole fleet
    everyone: int  # companies the user may see
    matching: int  # companies the search and filter find
    page: int  # 1-based, within range
    pages: int


def fleet_page(
    rows: Sequence[CompanyRow],
    *,
    search: str = "",
    state: Health | None = None,
    sort: Sort = Sort.HEALTH,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> FleetPage:
    """The page of companies the operator asked for."""
    totals = {wanted: sum(1 for row in rows if wanted in row.states) for wanted in FILTERS}
    needle = search.strip().casefold()
    found = [
        row
        for row in rows
        if (not needle or needle in row.tenant.name.casefold())
        and (state is None or state in row.states)
    ]
    by_name = sorted(found, key=lambda row: (row.tenant.name.casefold(), row.tenant.id))
    if sort is Sort.HEALTH:
        ordered = sorted(by_name, key=lambda row: row.worst)
    elif sort is Sort.NAME:
        ordered = by_name
    else:
        never = [row for row in by_name if row.last_run is None]
        ran = [row for row in by_name if row.last_run is not None]
        ran.sort(key=lambda row: row.last_run or datetime.min, reverse=sort is Sort.LAST_NEWEST)
        # a company that never ran is the stalest of all
        ordered = [*never, *ran] if sort is Sort.LAST_OLDEST else [*ran, *never]
    pages = max(1, -(-len(ordered) // size))
    page = min(max(page, 1), pages)
    shown = ordered[(page - 1) * size : page * size]
    return FleetPage(tuple(shown), totals, len(rows), len(found), page, pages)
