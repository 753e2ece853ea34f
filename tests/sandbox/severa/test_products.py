"""Products: ProductInputModel in, ProductOutputModel out, codes, enums, money, filters."""

from __future__ import annotations

import pytest

from silta.sandbox.severa import Organisation

from .helpers import Api, detail_names, error_of


async def test_create_a_product(api: Api, org: Organisation) -> None:
    category = org.reference_items("productCategory")[0]
    account = org.reference_items("salesAccount")[0]
    response = await api.post(
        "/v1/products",
        {
            "name": "Konsultointi, kiinteä",
            "code": "KONS-01",
            "type": "fixedfees",  # enum names match in any case
            "unitPrice": {"amount": 120.0, "currencyCode": "EUR"},
            "unitCost": {"amount": None, "currencyCode": "EUR"},
            "vatRate": 25.5,
            "measurementUnit": "kpl",
            "productCategory": {"guid": category.guid},
            "salesAccount": {"guid": account.guid},
        },
    )
    assert response.status_code == 201
    product = response.json()
    assert product["type"] == "FixedFees"
    assert product["unitPrice"] == {"amount": 120.0, "currencyCode": "EUR", "multiCurrencyInfo": []}
    assert product["unitCost"]["amount"] is None
    assert product["isActive"] is True
    assert product["productCategory"] == {"guid": category.guid, "name": "Palvelut"}
    assert product["salesAccount"] == {"guid": account.guid, "name": account.name, "number": "3000"}
    assert product["proposalDescription"] is None
    assert (await api.get(f"/v1/products/{product['guid']}")).json() == product


async def test_a_bare_product(api: Api) -> None:
    product = (await api.post("/v1/products", {"name": "Pelkkä nimi", "isActive": None})).json()
    assert product["code"] is None
    assert product["isActive"] is True  # null means the default
    for absent in ("type", "unitPrice", "unitCost", "productCategory", "salesAccount"):
        assert absent not in product


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"code": "X"}, ["name"]),
        ({"name": "X", "type": "Service"}, ["type"]),
        ({"name": "X", "type": 0}, ["type"]),
        ({"name": "X", "unitPrice": {"amount": 5}}, ["unitPrice.currencyCode"]),
        ({"name": "X", "unitPrice": {"amount": 5, "currencyCode": ""}}, ["unitPrice.currencyCode"]),
        (
            {"name": "X", "unitPrice": {"amount": 5, "currencyCode": "ABC"}},
            ["unitPrice.currencyCode"],
        ),
        ({"name": "X", "unitPrice": 5}, ["unitPrice"]),
        ({"name": "X", "vatRate": "25.5"}, ["vatRate"]),
        ({"name": "X", "vatRate": 125}, ["vatRate"]),
        ({"name": "X", "productCategory": {"guid": "nope"}}, ["productCategory.guid"]),
        ({"name": "X", "isActive": "true"}, ["isActive"]),
    ],
)
async def test_validation(api: Api, org: Organisation, body: object, names: list[str]) -> None:
    response = await api.post("/v1/products", body)
    assert response.status_code == 400, response.text
    assert detail_names(response) == names
    assert org.products() == []


async def test_codes_are_unique_when_given(api: Api, org: Organisation) -> None:
    org.put_product("Ensimmäinen", "P1")
    duplicate = await api.post("/v1/products", {"name": "Toinen", "code": "P1"})
    assert duplicate.status_code == 400
    error = error_of(duplicate)
    assert error["type"] == "InvalidOperation"
    assert "P1" in error["details"][0]["message"]
    assert (await api.post("/v1/products", {"name": "Pieni", "code": "p1"})).status_code == 201
    for _ in range(2):  # no code, or an empty one, is never a duplicate
        assert (await api.post("/v1/products", {"name": "Koodaton"})).status_code == 201
        assert (await api.post("/v1/products", {"name": "Tyhjä", "code": ""})).status_code == 201
    assert org.product_by_code("P1")["name"] == "Ensimmäinen"  # type: ignore[index]
    # Freeing a code lets another product take it.
    first = org.product_by_code("P1")
    assert first is not None
    await api.replace(f"/v1/products/{first.guid}", code="P1-OLD")
    assert (await api.post("/v1/products", {"name": "Uusi", "code": "P1"})).status_code == 201


async def test_product_filters(api: Api, org: Organisation) -> None:
    org.put_product("Työ", "T", type="FixedFees")
    org.put_product("Tavara", "M", type="Materials", isActive=False)
    org.put_product("Alihankinta", "S", type="Subcontracting")

    async def codes(params: dict[str, str]) -> list[str]:
        response = await api.get("/v1/products", params=params)
        assert response.status_code == 200, response.text
        return [p["code"] for p in response.json()]

    assert await codes({"code": "M"}) == ["M"]
    assert await codes({"code": "m"}) == []  # exact
    assert await codes({"code": "nope"}) == []
    assert await codes({"isActive": "true"}) == ["T", "S"]
    assert await codes({"type": "Subcontracting"}) == ["S"]
    assert await codes({"type": "materials", "isActive": "false"}) == ["M"]
    assert (await api.get("/v1/products", params={"type": "Service"})).status_code == 400
