"""Project fees (invoices.md §3.3): POST validated against ProjectFeeInputModel, what the
server fills in, phases of the project, GET/PATCH/DELETE, the lists and the deleted fees,
scopes and a lost answer. Every answer is judged against Severa's OpenAPI document by the
client fixture (tests/severa_openapi.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import attrs
import httpx
import pytest

from silta.sandbox.severa import Credential, Organisation, SeveraFaults, SeveraSandbox
from silta.sandbox.severa.fields import Kind
from silta.sandbox.severa.projectfees import DELETED_FEE_SUB_MODELS, PROJECT_FEE_FIELDS

from ...severa_openapi import required_document
from .helpers import ALL_TEST_SCOPES, Api, FakeClock, detail_names, error_of

FEE_SCOPES = ALL_TEST_SCOPES | {"fees:read", "fees:write", "fees:delete", "users:read"}


@attrs.frozen
class World:
    project: str
    phase: str
    other_project: str
    other_phase: str
    closed_project: str
    product: str
    inactive_product: str


@pytest.fixture
def api(client: httpx.AsyncClient, sandbox: SeveraSandbox, org: Organisation) -> Api:
    sandbox.add_credential(
        Credential(
            client_id="fees", client_secret="fees-secret", organisation=org.id, scopes=FEE_SCOPES
        )
    )
    return Api(client, "fees", "fees-secret")


@pytest.fixture
def world(org: Organisation) -> World:
    customer = org.put_customer("Esimerkki Oy", 1001)
    project = org.put_project("Sähköasennukset, Esimerkki", customer, 2001)
    phase = org.put_phase(project, "Suunnittelu", "10")
    other = org.put_project("Pilvisiirto, Esimerkki", customer, 2002)
    other_phase = org.put_phase(other, "Suunnittelu", "10")
    closed = org.put_project("Vanha hanke", customer, 2003, isClosed=True)
    euro = {"currencyCode": "EUR"}
    product = org.put_product(
        "Ostot projektille", "OSTO", type="Materials", measurementUnit="kpl", vatRate=25.5,
        unitPrice={**euro, "amount": 12.0}, unitCost={**euro, "amount": 10.0},
    )  # fmt: skip
    inactive = org.put_product("Vanha tuote", "VANHA", isActive=False)
    return World(project, phase, other, other_phase, closed, product, inactive)


def money(amount: float | None, currency: str = "EUR") -> dict[str, Any]:
    return {"amount": amount, "currencyCode": currency}


async def created(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post("/v1/projectfees", body)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert isinstance(answer, list)
    assert len(answer) == 1
    return dict(answer[0])


# -- the document's input model ------------------------------------------------------------------


def test_the_field_table_is_the_documents_input_model() -> None:
    schema = required_document()["components"]["schemas"]["ProjectFeeInputModel"]
    declared = schema["properties"]
    assert {field.name for field in PROJECT_FEE_FIELDS} == set(declared)
    assert {field.name for field in PROJECT_FEE_FIELDS if field.required} == set(schema["required"])
    kinds = {"string": Kind.STRING, "number": Kind.DOUBLE, "boolean": Kind.BOOL}
    for field in PROJECT_FEE_FIELDS:
        prop = declared[field.name]
        ref = prop.get("$ref", "")
        if ref.endswith("MoneyInputModelWithNullableAmount"):
            assert field.kind is Kind.MONEY, field.name
        elif ref.endswith(("SimpleInputModel", "SimpleInputRequiredModel")):
            assert field.kind is Kind.REF, field.name
            assert field.key_required == ref.endswith("RequiredModel"), field.name
        elif ref:
            assert field.kind is Kind.ENUM, field.name
            enum = required_document()["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"]
            assert set(field.choices) == set(enum), field.name
        elif prop.get("format") == "date":
            assert field.kind is Kind.DATE, field.name
        else:
            assert field.kind is kinds[prop["type"]], field.name
        if not ref:
            assert field.nullable == bool(prop.get("nullable")), field.name


def test_the_deleted_model_table() -> None:
    schema = required_document()["components"]["schemas"]["DeletedProjectFeeModel"]
    refs = {name for name, prop in schema["properties"].items() if "$ref" in prop}
    assert refs == DELETED_FEE_SUB_MODELS


# -- POST -----------------------------------------------------------------------------------------


async def test_only_the_project_is_required_and_the_server_fills_in_the_rest(
    api: Api, org: Organisation, world: World, clock: FakeClock
) -> None:
    fee = await created(api, {"project": {"guid": world.project}})
    root = org.root_phase(world.project)
    assert root is not None
    assert fee["project"]["guid"] == world.project
    assert fee["phase"]["guid"] == root.guid  # the root phase [INFERRED]
    assert fee["isBillable"] is True
    assert fee["billingSchedule"] == "Immediately"
    assert fee["quantity"] == 0.0
    assert fee["vatRate"] == 25.5
    assert fee["eventDate"] == clock().date().isoformat()
    assert fee["user"]["guid"] == org.users[0].guid
    assert fee["customer"]["number"] == 1001
    assert "product" not in fee  # an empty sub-model is left out


async def test_a_purchase_line_as_a_fee(api: Api, org: Organisation, world: World) -> None:
    """What the purchase-lines transfer sends: product, phase, quantity, cost and price."""
    body = {
        "project": {"guid": world.project},
        "phase": {"guid": world.phase},
        "product": {"guid": world.product},
        "name": "Sähkötukku Virta Oy 88123: Kaapeli MMJ 3x2,5 [nv:1000/10000]",
        "quantity": 2.0,
        "unitCost": money(50.0),
        "unitPrice": money(57.5),
        "isBillable": True,
        "eventDate": "2026-02-20",
    }
    fee = await created(api, body)
    assert fee["phase"]["guid"] == world.phase
    assert fee["product"] == {"guid": world.product, "code": "OSTO", "name": "Ostot projektille"}
    assert fee["productType"] == "Materials"  # from the product
    assert fee["measurementUnit"] == "kpl"
    assert fee["unitCost"]["amount"] == 50.0
    assert fee["unitPrice"]["amount"] == 57.5
    assert fee["eventDate"] == "2026-02-20"
    assert fee["name"] == body["name"]
    shown = org.project_fees.fee(fee["guid"])
    assert shown == fee
    cost_only = await created(
        api, {"project": {"guid": world.project}, "product": {"guid": world.product},
              "unitCost": money(None), "isBillable": False},
    )  # fmt: skip
    assert cost_only["isBillable"] is False
    assert cost_only["unitPrice"]["amount"] == 12.0  # the product's price
    assert cost_only["unitCost"] == {"amount": None, "currencyCode": "EUR",
                                     "multiCurrencyInfo": []}  # fmt: skip


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({}, ["project"]),
        ({"project": {}}, ["project.guid"]),
        ({"project": "P"}, ["project"]),
        ({"quantity": "2"}, ["quantity"]),
        ({"unitCost": {"amount": 5}}, ["unitCost.currencyCode"]),
        ({"unitPrice": money(5, "SEK")}, ["unitPrice.currencyCode"]),
        ({"unitCost": money(5, "XYZ")}, ["unitCost.currencyCode"]),
        ({"vatRate": 22}, ["vatRate"]),
        ({"billingSchedule": "Weekly"}, ["billingSchedule"]),
        ({"isBillable": "yes"}, ["isBillable"]),
        ({"product": {"guid": "no-such"}}, ["product.guid"]),
        ({"user": {"guid": "no-such"}}, ["user.guid"]),
        ({"invoice": {"guid": "x"}}, ["invoice.guid"]),
    ],
)
async def test_bad_bodies_are_refused_with_every_problem_named(
    api: Api, org: Organisation, world: World, body: dict[str, Any], names: list[str]
) -> None:
    if body and "project" not in body:
        body = {"project": {"guid": world.project}, **body}
    response = await api.post("/v1/projectfees", body)
    assert response.status_code == 400, response.text
    assert error_of(response)["type"] == "InvalidParameter"
    assert detail_names(response) == names
    assert org.project_fees.fees() == []


async def test_the_phase_must_belong_to_the_project(
    api: Api, org: Organisation, world: World
) -> None:
    body = {"project": {"guid": world.project}, "phase": {"guid": world.other_phase}}
    response = await api.post("/v1/projectfees", body)
    assert response.status_code == 400
    assert detail_names(response) == ["phase.guid"]
    body = {
        "project": {"guid": world.project},
        "billingDependencyPhase": {"guid": world.other_phase},
    }
    assert detail_names(await api.post("/v1/projectfees", body)) == ["billingDependencyPhase.guid"]
    assert org.project_fees.fees() == []


async def test_a_closed_project_and_an_inactive_product_are_refused(
    api: Api, org: Organisation, world: World
) -> None:
    closed = await api.post("/v1/projectfees", {"project": {"guid": world.closed_project}})
    assert closed.status_code == 400
    assert error_of(closed)["type"] == "InvalidOperation"
    inactive = {"project": {"guid": world.project}, "product": {"guid": world.inactive_product}}
    assert detail_names(await api.post("/v1/projectfees", inactive)) == ["product.guid"]
    assert org.project_fees.fees() == []


async def test_unknown_and_read_only_properties_are_ignored_and_counted(
    api: Api, org: Organisation, world: World
) -> None:
    await created(api, {"project": {"guid": world.project}, "guid": "mine", "marker": "x"})
    assert org.stats.ignored_properties == {
        ("/v1/projectfees", "guid"): 1,
        ("/v1/projectfees", "marker"): 1,
    }


# -- reading --------------------------------------------------------------------------------------


async def test_get_one_and_an_unknown_one(api: Api, world: World) -> None:
    fee = await created(api, {"project": {"guid": world.project}, "name": "Yksi"})
    found = await api.get(f"/v1/projectfees/{fee['guid']}")
    assert found.json() == fee
    missing = await api.get("/v1/projectfees/no-such-fee")
    assert missing.status_code == 404
    assert missing.content == b""


async def test_changed_since_and_token_paging(api: Api, world: World, clock: FakeClock) -> None:
    first = await created(api, {"project": {"guid": world.project}, "name": "1"})
    clock.advance(minutes=5)
    since = clock().isoformat()
    names = []
    for n in range(2, 6):
        names.append(
            (await created(api, {"project": {"guid": world.project}, "name": str(n)}))["name"]
        )
    rows, pages = await api.all_pages("/v1/projectfees", {"rowCount": 2, "changedSince": since})
    assert [row["name"] for row in rows] == names
    assert pages == 2
    every, _ = await api.all_pages("/v1/projectfees")
    assert every[0]["guid"] == first["guid"]
    clock.advance(minutes=5)
    await api.replace(f"/v1/projectfees/{first['guid']}", name="1 muutettu")
    changed, _ = await api.all_pages("/v1/projectfees", {"changedSince": clock().isoformat()})
    assert [row["name"] for row in changed] == ["1 muutettu"]


async def test_a_projects_fees_and_their_filters(api: Api, world: World) -> None:
    product = {"guid": world.product}
    await created(api, {"project": {"guid": world.project}, "product": product, "name": "a"})
    later = {"plannedBillingDate": "2030-01-01", "billingSchedule": "OnDate"}
    await created(
        api, {"project": {"guid": world.project}, "isBillable": False, "name": "b", **later}
    )
    await created(api, {"project": {"guid": world.other_project}, "name": "c"})
    path = f"/v1/projects/{world.project}/projectfees"

    async def names(params: dict[str, Any]) -> list[str]:
        rows, _ = await api.all_pages(path, params)
        return [row["name"] for row in rows]

    assert await names({}) == ["a", "b"]
    assert await names({"isBillable": "false"}) == ["b"]
    assert await names({"productType": "materials"}) == ["a"]
    assert await names({"isBilled": "true"}) == []
    assert await names({"isBilled": "false"}) == ["a", "b"]
    assert await names({"isBillablePeriodInFuture": "true"}) == ["b"]
    assert await names({"invoiceableDate": "2026-03-02T12:00:00+02:00"}) == ["a"]
    assert (await api.get("/v1/projects/no-such/projectfees")).status_code == 404
    bad = await api.get(path, params={"productType": "Work"})
    assert bad.status_code == 400


# -- PATCH and DELETE -----------------------------------------------------------------------------


async def test_patch_one_and_several(api: Api, org: Organisation, world: World) -> None:
    one = await created(api, {"project": {"guid": world.project}, "name": "1"})
    two = await created(api, {"project": {"guid": world.project}, "name": "2"})
    response = await api.patch(
        f"/v1/projectfees/{one['guid']}",
        [{"op": "replace", "path": "/quantity", "value": "3"},
         {"op": "replace", "path": "/unitCost/amount", "value": "9.5"}],
    )  # fmt: skip
    assert response.status_code == 200
    [patched] = response.json()
    assert (patched["quantity"], patched["unitCost"]["amount"]) == (3.0, 9.5)
    both = await api.replace(f"/v1/projectfees/{one['guid']},{two['guid']}", isBillable="false")
    assert [fee["isBillable"] for fee in both.json()] == [False, False]
    missing = await api.replace(f"/v1/projectfees/{one['guid']},no-such", name="x")
    assert missing.status_code == 404
    assert org.project_fees.fee(one["guid"])["name"] == "1"  # type: ignore[index]


async def test_patch_keeps_the_project_and_its_phases(
    api: Api, org: Organisation, world: World
) -> None:
    fee = await created(api, {"project": {"guid": world.project}})
    moved = await api.replace(f"/v1/projectfees/{fee['guid']}", project__guid=world.other_project)
    assert moved.status_code == 400
    foreign = await api.replace(f"/v1/projectfees/{fee['guid']}", phase__guid=world.other_phase)
    assert detail_names(foreign) == ["phase.guid"]
    own = await api.replace(f"/v1/projectfees/{fee['guid']}", phase__guid=world.phase)
    assert own.json()[0]["phase"]["guid"] == world.phase


async def test_a_patch_that_changes_nothing_moves_no_time(
    api: Api, world: World, clock: FakeClock
) -> None:
    fee = await created(api, {"project": {"guid": world.project}, "name": "Sama"})
    clock.advance(minutes=1)
    same = await api.replace(f"/v1/projectfees/{fee['guid']}", name="Sama")
    assert same.json()[0]["lastUpdatedDateTime"] == fee["lastUpdatedDateTime"]


async def test_delete_and_the_deleted_fees(
    api: Api, org: Organisation, world: World, clock: FakeClock
) -> None:
    empty = await api.get("/v1/deletedprojectfees")
    assert empty.json() == []
    fee = await created(api, {"project": {"guid": world.project}, "name": "Poistuva",
                              "product": {"guid": world.product}, "quantity": 2.0})  # fmt: skip
    other = await created(api, {"project": {"guid": world.other_project}, "name": "Toinen"})
    clock.advance(minutes=3)
    assert (await api.call("DELETE", f"/v1/projectfees/{fee['guid']}")).status_code == 204
    assert (await api.get(f"/v1/projectfees/{fee['guid']}")).status_code == 404
    assert (await api.call("DELETE", f"/v1/projectfees/{fee['guid']}")).status_code == 404
    deleted = (await api.get("/v1/deletedprojectfees")).json()
    assert len(deleted) == 1
    shown = deleted[0]
    assert shown["guid"] == fee["guid"]
    assert shown["name"] == "Poistuva"
    assert shown["project"] == {"guid": world.project}
    assert shown["product"] == {"guid": world.product}
    assert shown["quantity"] == 2.0
    assert shown["deletedDateTime"] > fee["lastUpdatedDateTime"]
    later = {"deletedSince": clock.advance(seconds=1).isoformat()}
    assert (await api.get("/v1/deletedprojectfees", params=later)).json() == []
    by_project = {"projectGuids": world.other_project}
    assert (await api.get("/v1/deletedprojectfees", params=by_project)).json() == []
    listed, _ = await api.all_pages("/v1/projectfees")
    assert [row["guid"] for row in listed] == [other["guid"]]


# -- scopes and faults -----------------------------------------------------------------------


async def test_scopes_come_from_the_documents_security_blocks(
    client: httpx.AsyncClient, sandbox: SeveraSandbox, org: Organisation, world: World
) -> None:
    sandbox.add_credential(
        Credential(
            client_id="reader",
            client_secret="r",
            organisation=org.id,
            scopes=frozenset({"fees:read"}),
        )
    )
    reader = Api(client, "reader", "r")
    assert (await reader.get("/v1/projectfees")).status_code == 200
    refused = await reader.post("/v1/projectfees", {"project": {"guid": world.project}})
    assert refused.status_code == 403
    assert error_of(refused)["type"] == "InsufficientApiScope"
    guid = org.project_fees.put(project=world.project)
    assert (await reader.call("DELETE", f"/v1/projectfees/{guid}")).status_code == 403


async def test_a_lost_answer_leaves_the_fee_standing(
    api: Api, org: Organisation, world: World
) -> None:
    await api.authenticate()
    org.faults = SeveraFaults(lose_next_responses=1, hang_seconds=5)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await api.post("/v1/projectfees", {"project": {"guid": world.project}, "name": "M"})
    assert [fee["name"] for fee in org.project_fees.fees()] == ["M"]
    # The look-up a careful client makes: the project's fees.
    rows, _ = await api.all_pages(f"/v1/projects/{world.project}/projectfees")
    assert [row["name"] for row in rows] == ["M"]


def test_the_helper_takes_bare_guids(org: Organisation, world: World) -> None:
    guid = org.project_fees.put(project=world.project, phase=world.phase, quantity=1.0)
    assert org.project_fees.fee(guid)["phase"]["guid"] == world.phase  # type: ignore[index]


def test_outputs_have_every_property_of_their_schema(org: Organisation, world: World) -> None:
    schemas = required_document()["components"]["schemas"]
    fees = org.project_fees
    guid = fees.put(
        project=world.project,
        product=world.product,
        billingDependencyPhase=world.phase,
        costCenter=org.reference_items("costCenter")[0].guid,
        salesAccount=org.reference_items("salesAccount")[0].guid,
    )
    shown = fees.fee(guid)
    assert shown is not None
    never = {"invoice"}  # no API fee is on an invoice
    declared = set(schemas["ProjectFeeOutputModel"]["properties"])
    assert declared - set(shown) == never
    fees.delete(must(fees.get(guid)))
    deleted = fees.render_deleted(next(iter(fees.deleted)))
    assert set(deleted) == set(schemas["DeletedProjectFeeModel"]["properties"])


def must(value: Any) -> Any:
    assert value is not None
    return value


async def test_empty_answers(api: Api, world: World) -> None:
    assert (await api.get("/v1/projectfees")).json() == []
    assert (await api.get(f"/v1/projects/{world.project}/projectfees")).json() == []
    assert (await api.get("/v1/deletedprojectfees")).json() == []
