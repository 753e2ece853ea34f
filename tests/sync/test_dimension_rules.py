"""Rules 13–16 of the article (projects, units and phases as dimensions)."""

from __future__ import annotations

from silta.domain import Action, Register

from .conftest import World, completed


def names(world: World, header: str) -> list[tuple[str, int, int]]:
    """(name, level, parent key) of every item under ``header``, in Netvisor's order."""
    return [(i.name, i.level, i.father_id) for i in world.nv.dimension_items(header)]


def project_world(world: World) -> dict[str, str]:
    sv = world.sv
    customer = sv.put_customer(name="Projektiasiakas Oy", number=1)
    unit = sv.put_business_unit(name="Helsinki", code="HKI")
    project = sv.put_project(name="Verkkokauppa", customer_guid=customer, number=3001,
                             business_unit_guid=unit)  # fmt: skip
    design = sv.put_phase(project, name="Suunnittelu", code="10")
    sketch = sv.put_phase(project, name="Luonnos", code="11", parent_guid=design)
    build = sv.put_phase(project, name="Toteutus", code="20")
    return {"unit": unit, "project": project, "design": design, "sketch": sketch, "build": build}


async def test_rule_13_headers_from_settings_and_nothing_for_an_empty_header(world: World) -> None:
    guids = project_world(world)
    world.settings(dimensions=True, project_header="Projekti", business_unit_header=None)
    completed(await world.sync(Register.DIMENSIONS))
    assert names(world, "Projekti") == [("3001 Verkkokauppa", 1, 0)]
    assert names(world, "Yksikkö") == []
    world.settings(business_unit_header="Yksikkö")
    completed(await world.sync(Register.DIMENSIONS))
    units = {i.name for i in world.nv.dimension_items("Yksikkö")}
    assert "HKI Helsinki" in units
    assert guids


async def test_rule_13_a_header_missing_in_netvisor_is_reported(world: World) -> None:
    project_world(world)
    world.settings(dimensions=True, project_header="Ei ole", business_unit_header="Yksikkö")
    result = await world.sync_one(Register.DIMENSIONS)
    assert world.refusals(result) == {"dimensions.header_missing": ["Ei ole"]}
    assert {i.name for i in world.nv.dimension_items("Yksikkö")} >= {"HKI Helsinki"}


async def test_rule_14_new_items_created_and_changed_names_renamed(world: World) -> None:
    guids = project_world(world)
    world.settings(dimensions=True, project_header="Projekti", business_unit_header="Yksikkö")
    completed(await world.sync(Register.DIMENSIONS))
    key = world.nv.dimension_items("Projekti")[0].key
    world.sv.rename("project", guids["project"], "Verkkokauppa 2.0")
    world.sv.rename("business_unit", guids["unit"], "Helsinki keskusta")
    result = await world.sync_one(Register.DIMENSIONS)
    completed([result])
    renamed = world.entries(result, action=Action.RENAME)
    assert sorted(e.name or "" for e in renamed) == [
        "3001 Verkkokauppa 2.0",
        "HKI Helsinki keskusta",
    ]
    assert world.nv.dimension_items("Projekti")[0].key == key  # the same item, renamed
    assert world.nv.dimension_items("Projekti")[0].name == "3001 Verkkokauppa 2.0"


async def test_rule_15_phases_as_code_and_name_under_their_project(world: World) -> None:
    guids = project_world(world)
    sv = world.sv
    sv.settings.is_identical_phase_codes_allowed = True
    nameless = sv.put_phase(guids["project"], name="Ilman koodia")
    twin_a = sv.put_phase(guids["project"], name="Testaus", code="30")
    twin_b = sv.put_phase(guids["project"], name="Käyttöönotto", code="30")
    world.settings(dimensions=True, project_header="Projekti", include_phases=True)
    result = await world.sync_one(Register.DIMENSIONS)
    completed([result])
    items = names(world, "Projekti")
    project_key = world.nv.dimension_items("Projekti")[0].key
    design_key = next(
        i.key for i in world.nv.dimension_items("Projekti") if i.name == "10 Suunnittelu"
    )
    assert items == [
        ("3001 Verkkokauppa", 1, 0),
        ("10 Suunnittelu", 2, project_key),
        ("11 Luonnos", 3, design_key),
        ("20 Toteutus", 2, project_key),
    ]
    refusals = world.refusals(result)
    assert refusals["dimensions.phase.code_missing"] == [nameless]
    assert sorted(refusals["dimensions.phase.code_not_unique"]) == sorted([twin_a, twin_b])


async def test_rule_15_phases_off_means_no_phase_items(world: World) -> None:
    project_world(world)
    world.settings(dimensions=True, project_header="Projekti", include_phases=False)
    completed(await world.sync(Register.DIMENSIONS))
    assert names(world, "Projekti") == [("3001 Verkkokauppa", 1, 0)]


async def test_rule_16_one_scheduled_run_creates_every_dimension(world: World) -> None:
    sv = world.sv
    customer = sv.put_customer(name="A", number=1)
    for n in range(12):
        project = sv.put_project(name=f"Projekti {n}", customer_guid=customer, number=4000 + n)
        for p in range(3):
            sv.put_phase(project, name=f"Vaihe {p}", code=str(10 * (p + 1)))
    for n in range(4):
        sv.put_business_unit(name=f"Yksikkö {n}", code=f"Y{n}")
    world.settings(dimensions=True, project_header="Projekti", business_unit_header="Yksikkö",
                   include_phases=True)  # fmt: skip
    result = await world.sync_one(Register.DIMENSIONS)
    completed([result])
    assert len(world.nv.dimension_items("Projekti")) == 12 * 4
    assert len(world.nv.dimension_items("Yksikkö")) >= 4
    assert result.counts["created"] >= 12 * 4 + 4
    again = await world.sync_one(Register.DIMENSIONS, full=True)
    assert again.counts.get("created", 0) == 0
