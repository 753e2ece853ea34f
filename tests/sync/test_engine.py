"""What every run guarantees, on a realistic company pair (silta.sandbox.sample)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from silta.domain import (
    CustomerDirection,
    ProductDirection,
    Register,
    RunKind,
    RunStatus,
    Status,
)
from silta.sandbox.sample import Sample, SampleSpec, populate

from .builders import severa_customer
from .conftest import World, completed, make_world


@contextlib.asynccontextmanager
async def sample_world(
    tmp_path: Path, scenario: str, seed: int = 1
) -> AsyncIterator[tuple[World, Sample]]:
    async with make_world(tmp_path, seed=seed) as world:
        sample = populate(
            world.nv,
            world.sv,
            spec=SampleSpec(
                seed=seed,
                customers=30,
                products=20,
                projects=4,
                phases_per_project=3,
                business_units=3,
                scenario=scenario,
            ),
        )
        project_header, unit_header = sample.dimension_headers
        a = scenario == "a"
        world.settings(
            customers=CustomerDirection.SEVERA_TO_NETVISOR
            if a
            else CustomerDirection.NETVISOR_TO_SEVERA,
            products=ProductDirection.NETVISOR_TO_SEVERA
            if a
            else ProductDirection.SEVERA_TO_NETVISOR,
            dimensions=True,
            project_header=project_header,
            business_unit_header=unit_header,
            include_phases=True,
        )
        yield world, sample


@pytest.mark.parametrize("scenario", ["a", "b"])
async def test_every_planted_case_is_refused_with_its_rule(tmp_path: Path, scenario: str) -> None:
    async with sample_world(tmp_path, scenario) as (world, sample):
        results = await world.sync()
        completed(results)
        refused: set[tuple[str, str]] = set()
        for result in results:
            for rule, keys in world.refusals(result).items():
                refused |= {(rule, key) for key in keys}
        planted = {(case.rule, case.key) for case in sample.planted}
        assert planted == refused


@pytest.mark.parametrize("scenario", ["a", "b"])
async def test_a_second_run_after_a_full_sync_writes_nothing(tmp_path: Path, scenario: str) -> None:
    async with sample_world(tmp_path, scenario) as (world, _):
        completed(await world.sync())
        before = world.writes()
        assert before > 0
        second = await world.sync(full=True)
        completed(second)
        assert world.writes() == before
        for result in second:
            assert not any(result.counts.get(key) for key in ("created", "updated", "renamed"))


async def test_a_dry_run_shows_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    async with sample_world(tmp_path, "a") as (world, _):
        dry = await world.sync(dry_run=True)
        assert world.writes() == 0
        for result in dry:
            run = world.store.run(result.run_id)
            assert run.dry_run
            assert all(e.status in (Status.PLANNED, Status.REFUSED) for e in world.entries(result))
        assert world.store.watermark(world.tenant.id, Register.CUSTOMERS) is None
        real = await world.sync()
        planned = {r.register: r.counts.get("planned_create", 0) for r in dry}
        created = {r.register: r.counts.get("created", 0) for r in real}
        assert planned == created


async def test_the_watermark_advances_only_when_a_run_completes(tmp_path: Path) -> None:
    async with sample_world(tmp_path, "a") as (world, _):
        broken = []

        async def first_add_fails(request: httpx.Request, writes: int) -> httpx.Response | None:
            if not broken and request.url.path.endswith("/customer.nv"):
                broken.append(request)  # the one add that fails, refused before processing
                return httpx.Response(400, text="Bad Request")
            return None

        world.transport.hook = first_add_fails
        failed = await world.sync_one(Register.CUSTOMERS)
        world.transport.hook = None
        assert failed.status is RunStatus.FAILED
        assert world.store.watermark(world.tenant.id, Register.CUSTOMERS) is None
        again = await world.sync_one(Register.CUSTOMERS)
        completed([again])
        assert world.store.run(again.run_id).kind is RunKind.FULL
        assert world.store.watermark(world.tenant.id, Register.CUSTOMERS) is not None
        assert again.counts.get("created") == 1  # only the one that failed before


async def test_an_incremental_run_reads_and_writes_only_what_changed(tmp_path: Path) -> None:
    async with make_world(tmp_path) as world:
        world.settings(customers=CustomerDirection.SEVERA_TO_NETVISOR)
        guids = [
            severa_customer(world.sv, f"Asiakas {n} Oy", 10_000 + n, vat="FI07375462")
            for n in range(1000)
        ]
        world.clock.advance(hours=1)
        completed(await world.sync(Register.CUSTOMERS))
        assert len(world.nv.customers()) == 1000
        world.clock.advance(hours=1)
        for guid in guids[:10]:
            world.sv.update("customer", guid, email="muuttunut@example.fi")
        world.clock.advance(minutes=5)
        world.nv.stats.reset()
        world.sv.stats.reset()
        result = await world.sync_one(Register.CUSTOMERS)
        completed([result])
        assert world.store.run(result.run_id).kind is RunKind.INCREMENTAL
        assert result.counts == {"updated": 10}
        assert dict(world.nv.stats.requests) == {
            ("GET", "customerlist.nv"): 1,
            ("GET", "getcustomer.nv"): 1,
            ("POST", "customer.nv"): 10,
        }
        severa_reads = dict(world.sv.stats.requests)
        assert severa_reads.pop(("GET", "/v1/customers")) == 1
        assert severa_reads.pop(("GET", "/v1/addresses")) == 1
        assert severa_reads.pop(("GET", "/v1/addresses/{guid}"), 0) <= 10
        # What is left is the token (the last run's, refreshed: it expired in the two hours
        # between) and reference data: nothing per record, nothing written.
        assert set(severa_reads) <= {
            ("POST", "/v1/token"),
            ("POST", "/v1/refreshtoken"),
            ("GET", "/v1/localization/countries"),
            ("GET", "/v1/localization/languages"),
        }


async def test_an_idle_incremental_run_reads_no_record(tmp_path: Path) -> None:
    async with sample_world(tmp_path, "a") as (world, _):
        world.clock.advance(hours=1)
        completed(await world.sync())
        world.clock.advance(hours=1)
        world.nv.stats.reset()
        world.sv.stats.reset()
        idle = await world.sync(Register.CUSTOMERS, Register.PRODUCTS)
        completed(idle)
        assert all(sum(r.counts.values()) == 0 for r in idle)
        assert world.nv.stats.total_requests <= 2
        assert world.writes() == 0


@pytest.mark.parametrize("scenario", ["a", "b"])
async def test_an_idle_run_makes_at_most_two_calls_per_register_and_service(
    tmp_path: Path, scenario: str
) -> None:
    """Issue 8's idle target: nothing changed, so a register of the 40-minute cycle may ask
    each service at most twice (the changes since the last run; Severa's customers need
    their addresses too). The token of the previous run is still valid and is not asked for
    again, and no reference data is read when there is nothing to map. The nightly
    dimensions read three Severa resources (projects, phases, business units: no endpoint
    lists them together), so three is their floor."""
    async with sample_world(tmp_path, scenario) as (world, _):
        world.clock.advance(hours=1)
        completed(await world.sync())
        completed(await world.sync())  # a pass that may still settle links and renames
        for register in Register:
            world.clock.advance(minutes=5)
            world.nv.stats.reset()
            world.sv.stats.reset()
            idle = await world.sync(register)
            completed(idle)
            assert all(sum(r.counts.values()) == 0 for r in idle), idle
            netvisor, severa = dict(world.nv.stats.requests), dict(world.sv.stats.requests)
            floor = 3 if register is Register.DIMENSIONS else 2
            assert sum(netvisor.values()) <= 2, (register, netvisor)
            assert sum(severa.values()) <= floor, (register, severa)
