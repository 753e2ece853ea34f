"""A world for the money transfers of issue 19: the sample with purchases and travel, the
dimension sync run first (so the purchase lines' items exist and are Silta's), and the
tenant's purchase-line and travel settings as the demo gives them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from silta.domain import Register
from silta.sandbox.sample import PlacedPurchases, Sample, SampleSpec, populate

from .conftest import World, completed, make_world

__all__ = ["money_world", "purchase_settings", "travel_settings"]


def purchase_settings(sample: Sample) -> dict[str, Any]:
    assert sample.purchases is not None
    pairs = "; ".join(f"{a}={p}" for a, p in sorted(sample.purchases.account_products.items()))
    return {"purchase_lines_enabled": True, "purchase_lines_account_products": pairs}


def travel_settings(world: World, sample: Sample, **extra: Any) -> dict[str, Any]:
    """The demo's mapping of the sample's expense types (by code) to Netvisor's."""
    assert sample.travel is not None
    types = {t.code: t for t in world.sv.travel.travel_types()}
    ratios, travel_types, compensations = [], [], []
    for code, target in sorted(sample.travel.expense_types.items()):
        kind = types[code]
        if kind.expense_class == "Mileage":
            travel_types.append(f"{kind.guid}={target}")
        elif kind.expense_class == "DailyAllowance":
            compensations.append(f"{kind.guid}={target}")
        else:
            ratios.append(f"{kind.guid}/FI={target}")
    return {
        "travel_enabled": True,
        "travel_ratios": "; ".join(ratios),
        "travel_travel_types": "; ".join(travel_types),
        "travel_compensation_types": "; ".join(compensations),
        "travel_transferred_status": sample.travel.transferred,
        **extra,
    }


@contextlib.asynccontextmanager
async def money_world(
    tmp_path: Path, seed: int = 1, *, place: bool = True, **settings: Any
) -> AsyncIterator[tuple[World, Sample, PlacedPurchases | None]]:
    async with make_world(tmp_path, seed=seed) as world:
        sample = populate(
            world.nv,
            world.sv,
            spec=SampleSpec(seed=seed, customers=12, products=12, projects=4,
                            phases_per_project=2, business_units=2, invoices=False),
        )  # fmt: skip
        project_header, unit_header = sample.dimension_headers
        world.settings(dimensions=True, project_header=project_header,
                       business_unit_header=unit_header, include_phases=True)  # fmt: skip
        completed([await world.sync_one(Register.DIMENSIONS)])
        placed = None
        if place:
            assert sample.purchases is not None
            placed = sample.purchases.place(world.nv)
        world.settings(**purchase_settings(sample), **settings)
        yield world, sample, placed
