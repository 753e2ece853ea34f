"""JSON Patch: replace only, string and native values, nested paths, read-only paths."""

from __future__ import annotations

import pytest

from silta.sandbox.severa import Organisation

from .helpers import Api, FakeClock, detail_names, error_of


@pytest.fixture
def customer(org: Organisation) -> str:
    return org.put_customer("Paikattava Oy", 100)


async def patch(api: Api, guid: str, *operations: dict[str, object]) -> dict[str, object]:
    response = await api.patch(f"/v1/customers/{guid}", list(operations))
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1  # "List of updated customers"
    return dict(body[0])


def replace(path: str, value: object, op: str = "replace") -> dict[str, object]:
    return {"op": op, "path": path, "value": value}


@pytest.mark.parametrize(
    ("path", "value", "field", "stored"),
    [
        ("/name", "Uusi Nimi Oy", "name", "Uusi Nimi Oy"),
        ("/isActive", "false", "isActive", False),
        ("/isActive", "False", "isActive", False),
        ("/isActive", False, "isActive", False),
        ("/number", "1001", "number", 1001),
        ("/number", 1001, "number", 1001),
        ("/number", None, "number", None),
        ("/overdueInterest", "25.5", "overdueInterest", 25.5),
        ("/overdueInterest", 7, "overdueInterest", 7.0),
        ("/paymentTerm", "30", "paymentTerm", 30),
        ("/email", None, "email", None),
        ("/notes", 42, "notes", "42"),  # a number for a string field: its JSON text
        ("/NAME", "Isot Kirjaimet Oy", "name", "Isot Kirjaimet Oy"),
    ],
)
async def test_values_are_converted(
    api: Api, customer: str, path: str, value: object, field: str, stored: object
) -> None:
    updated = await patch(api, customer, replace(path, value))
    assert updated[field] == stored


async def test_op_is_case_insensitive(api: Api, customer: str) -> None:
    for op in ("replace", "Replace", "REPLACE"):
        assert (await patch(api, customer, replace("/notes", op, op=op)))["notes"] == op


async def test_reference_paths(api: Api, org: Organisation, customer: str) -> None:
    swedish = org.language("sv").guid
    updated = await patch(api, customer, replace("/language/guid", swedish))
    assert updated["language"]["name"] == "ruotsi"  # type: ignore[index]
    updated = await patch(api, customer, replace("/language", {"guid": org.language("en").guid}))
    assert updated["language"]["code"] == "en"  # type: ignore[index]
    updated = await patch(api, customer, replace("/language", f'{{"guid": "{swedish}"}}'))
    assert updated["language"]["code"] == "sv"  # type: ignore[index]
    updated = await patch(api, customer, replace("/language/guid", None))
    assert "language" not in updated
    owner = org.users[1]
    updated = await patch(api, customer, replace("/owner/guid", owner.guid))
    assert updated["owner"]["firstName"] == "Aino"  # type: ignore[index]


async def test_several_operations_apply_in_order(api: Api, customer: str) -> None:
    updated = await patch(
        api,
        customer,
        replace("/name", "Ensin Oy"),
        replace("/email", "a@b.fi"),
        replace("/name", "Sitten Oy"),
    )
    assert (updated["name"], updated["email"]) == ("Sitten Oy", "a@b.fi")


async def test_nothing_is_written_unless_every_operation_is_valid(
    api: Api, org: Organisation, customer: str
) -> None:
    response = await api.patch(
        f"/v1/customers/{customer}",
        [replace("/name", "Ei tallennu Oy"), replace("/number", "abc"), replace("/isActive", 3)],
    )
    assert response.status_code == 400
    assert detail_names(response) == ["number", "isActive"]
    assert org.customer(customer)["name"] == "Paikattava Oy"  # type: ignore[index]


@pytest.mark.parametrize(
    ("operation", "name", "fragment"),
    [
        ({"op": "add", "path": "/name", "value": "x"}, "op", "only Replace"),
        ({"op": "remove", "path": "/email"}, "op", "only Replace"),
        ({"op": "move", "from": "/name", "path": "/notes"}, "op", "only Replace"),
        ({"op": "upsert", "path": "/name", "value": "x"}, "op", "unknown"),
        ({"path": "/name", "value": "x"}, "op", "op is required"),
        ({"op": "replace", "value": "x"}, "path", "JSON Pointer"),
        ({"op": "replace", "path": "name", "value": "x"}, "path", "JSON Pointer"),
        (replace("/nosuch", "x"), "/nosuch", "not a property"),
        (replace("/guid", "x"), "/guid", "read-only"),
        (replace("/createdDateTime", "2020-01-01"), "/createdDateTime", "read-only"),
        (replace("/isInternal", True), "/isInternal", "read-only"),
        (replace("/headquarterAddress/city", "x"), "headquarterAddress.city", "read-only"),
        (replace("/language/code", "fi"), "language.code", "read-only"),
        (replace("/name", None), "name", "Name is required"),
        (replace("/name", ""), "name", "Name is required"),
        (replace("/isActive", "yes"), "isActive", "true or false"),
        (replace("/number", "10.5"), "number", "integer"),
        (replace("/number", True), "number", "integer"),
        (replace("/overdueInterest", "25,5"), "overdueInterest", "number"),
        (replace("/language", "fi"), "language", "guid"),
        (replace("/language/guid", "nope"), "language.guid", "no language"),
        (replace("/kvkNumber", "x" * 26), "kvkNumber", "at most 25"),
        (replace("/name/first", "x"), "name.first", "read-only"),
    ],
)
async def test_refused_operations(
    api: Api, customer: str, operation: dict[str, object], name: str, fragment: str
) -> None:
    response = await api.patch(f"/v1/customers/{customer}", [operation])
    assert response.status_code == 400
    error = error_of(response)
    assert error["type"] == "InvalidParameter"
    assert detail_names(response) == [name]
    assert fragment in error["details"][0]["message"]


@pytest.mark.parametrize("body", [{"op": "replace", "path": "/name", "value": "x"}, "x", [1]])
async def test_body_must_be_an_array_of_operations(api: Api, customer: str, body: object) -> None:
    assert (await api.patch(f"/v1/customers/{customer}", body)).status_code == 400


async def test_an_empty_patch_changes_nothing(
    api: Api, org: Organisation, customer: str, clock: FakeClock
) -> None:
    before = org.customer(customer)
    clock.advance(minutes=5)
    updated = await patch(api, customer)
    assert updated["lastUpdatedDateTime"] == before["lastUpdatedDateTime"]  # type: ignore[index]


async def test_a_change_bumps_the_stamp_and_the_user(
    api: Api, org: Organisation, customer: str, clock: FakeClock
) -> None:
    clock.advance(minutes=5)
    updated = await patch(api, customer, replace("/name", "Muutettu Oy"))
    assert updated["lastUpdatedDateTime"] == "2026-03-02T09:05:00.000000+00:00"
    assert updated["createdDateTime"] == "2026-03-02T09:00:00.000000+00:00"
    assert updated["lastUpdatedBy"]["name"] == "Matti Virtanen"  # type: ignore[index]


async def test_uniqueness_on_patch(api: Api, org: Organisation, customer: str) -> None:
    org.put_customer("Toinen Oy", 200)
    response = await api.patch(f"/v1/customers/{customer}", [replace("/number", 200)])
    assert response.status_code == 400
    assert error_of(response)["type"] == "InvalidOperation"
    assert (await patch(api, customer, replace("/number", 100)))["number"] == 100  # its own


async def test_money_paths(api: Api, org: Organisation) -> None:
    product = org.put_product("Hinnaton", "H1")
    path = f"/v1/products/{product}"
    response = await api.patch(path, [replace("/unitPrice/amount", "12.5")])
    assert response.json()[0]["unitPrice"] == {
        "amount": 12.5,
        "currencyCode": "EUR",
        "multiCurrencyInfo": [],
    }
    response = await api.patch(path, [replace("/unitPrice/currencyCode", "sek")])
    assert response.json()[0]["unitPrice"]["currencyCode"] == "SEK"
    response = await api.patch(path, [replace("/unitPrice", {"amount": 3, "currencyCode": "EUR"})])
    assert response.json()[0]["unitPrice"]["amount"] == 3.0
    response = await api.patch(path, [replace("/unitPrice/amount", None)])
    assert response.json()[0]["unitPrice"] == {
        "amount": None,
        "currencyCode": "EUR",
        "multiCurrencyInfo": [],
    }
    for bad in (
        replace("/unitPrice/currencyCode", "XYZ"),
        replace("/unitPrice/currencyCode", "euro"),
        replace("/unitPrice/amount", "kymmenen"),
        replace("/unitPrice", {"amount": 1}),
        replace("/unitPrice/multiCurrencyInfo", []),
    ):
        assert (await api.patch(path, [bad])).status_code == 400, bad


async def test_update_helper_applies_the_same_rules(org: Organisation, clock: FakeClock) -> None:
    from silta.sandbox.severa import SeveraFailure

    guid = org.put_customer("Apuri Oy", 1)
    clock.advance(minutes=1)
    record = org.update("customer", guid, name="Apurin Uusi Nimi Oy", isActive="false")
    assert (record["name"], record["isActive"]) == ("Apurin Uusi Nimi Oy", False)
    assert record.updated_at == clock()
    with pytest.raises(SeveraFailure):
        org.update("customer", guid, name="")
    with pytest.raises(TypeError):
        org.update("customer", guid, nmae="typo")
    with pytest.raises(KeyError):
        org.update("customer", "nope", name="x")
    with pytest.raises(ValueError, match="unknown kind"):
        org.update("customers", guid, name="x")  # type: ignore[arg-type]
    touched = org.touch("customer", guid, at=clock.advance(days=1))
    assert touched.updated_at == clock()
