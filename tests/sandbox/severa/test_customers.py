"""Customers and addresses: shapes, validation, numbers, the head-office link, filters."""

from __future__ import annotations

from datetime import datetime

import pytest

from silta.sandbox.severa import Organisation, SeveraFailure

from .helpers import Api, FakeClock, detail_names, error_of


async def test_create_and_read_a_customer(api: Api, org: Organisation, clock: FakeClock) -> None:
    finnish = org.language("fi")
    body = {
        "name": "Esimerkki Oy",
        "number": 1001,
        "vatNumber": "FI12345678",
        "email": "laskut@esimerkki.fi",
        "website": "https://esimerkki.fi",
        "eInvoiceAddress": "003712345678",
        "eInvoiceOperator": "003723327487",
        "language": {"guid": finnish.guid, "name": "ignored"},
        "paymentTerm": 14,
        "overdueInterest": 8,
        "invoicingVat": {"guid": org.vat_rate(25.5).guid},
        "owner": {"guid": org.users[1].guid},
        "kvkNumber": "x" * 25,
    }
    created = await api.post("/v1/customers", body)
    assert created.status_code == 201
    customer = created.json()
    assert customer["name"] == "Esimerkki Oy"
    assert customer["number"] == 1001
    assert customer["isActive"] is True
    assert customer["isInternal"] is False
    assert customer["notes"] is None
    assert customer["language"] == {
        "guid": finnish.guid,
        "name": "suomi",
        "englishName": "Finnish",
        "code": "fi",
    }
    assert customer["currency"]["code"] == "EUR"  # the organisation's currency by default
    assert customer["invoicingVat"]["percentage"] == 25.5
    assert customer["owner"]["name"] == "Aino Korhonen"
    assert customer["overdueInterest"] == 8.0
    assert "headquarterAddress" not in customer  # an empty sub-model is left out
    assert customer["createdDateTime"] == "2026-03-02T09:00:00.000000+00:00"
    assert customer["lastUpdatedDateTime"] == customer["createdDateTime"]
    assert customer["createdBy"]["name"] == "Matti Virtanen"
    assert datetime.fromisoformat(customer["createdDateTime"]) == clock()
    read = await api.get(f"/v1/customers/{customer['guid']}")
    assert read.json() == customer
    assert org.customer(customer["guid"]) is not None
    assert org.customer_by_number(1001)["name"] == "Esimerkki Oy"  # type: ignore[index]


async def test_read_only_and_unknown_properties_are_ignored(api: Api, org: Organisation) -> None:
    response = await api.post(
        "/v1/customers",
        {
            "name": "Vain Luku Oy",
            "guid": "11111111-1111-1111-1111-111111111111",
            "isInternal": True,
            "createdDateTime": "2020-01-01T00:00:00Z",
            "organizationUnitNumber": "x",
        },
    )
    assert response.status_code == 201
    assert response.json()["guid"] != "11111111-1111-1111-1111-111111111111"
    assert response.json()["isInternal"] is False
    assert org.stats.ignored_properties == {
        ("/v1/customers", "guid"): 1,
        ("/v1/customers", "isInternal"): 1,
        ("/v1/customers", "createdDateTime"): 1,
        ("/v1/customers", "organizationUnitNumber"): 1,
    }


async def test_body_property_names_are_case_insensitive(api: Api) -> None:
    response = await api.post("/v1/customers", {"Name": "Isolla Oy", "NUMBER": 7})
    assert response.status_code == 201
    assert (response.json()["name"], response.json()["number"]) == ("Isolla Oy", 7)
    twice = await api.post("/v1/customers", {"name": "A", "Name": "B"})
    assert twice.status_code == 400


@pytest.mark.parametrize(
    ("body", "names", "fragment"),
    [
        ({}, ["name"], "Name is required."),
        ({"name": ""}, ["name"], "Name is required."),
        ({"name": None}, ["name"], "Name is required."),
        ({"name": 5}, ["name"], "must be a string"),
        ({"name": "X", "number": "1001"}, ["number"], "integer (int64)"),
        ({"name": "X", "number": 10.5}, ["number"], "integer"),
        ({"name": "X", "number": 2**63}, ["number"], "integer"),
        ({"name": "X", "paymentTerm": 2**31}, ["paymentTerm"], "int32"),
        ({"name": "X", "isActive": "false"}, ["isActive"], "true or false"),
        ({"name": "X", "isActive": None}, ["isActive"], "must not be null"),
        ({"name": "X", "overdueInterest": "8"}, ["overdueInterest"], "a number"),
        ({"name": "X", "kvkNumber": "x" * 26}, ["kvkNumber"], "at most 25"),
        ({"name": "X", "language": "fi"}, ["language"], "guid"),
        ({"name": "X", "language": {"guid": "nope"}}, ["language.guid"], "no language"),
        ({"name": "X", "owner": {"guid": "nope"}}, ["owner.guid"], "no user"),
        ({"name": "X", "invoicingVat": {"guid": 5}}, ["invoicingVat.guid"], "string"),
        ({"name": "", "number": "x", "email": 3}, ["name", "number", "email"], "required"),
    ],
)
async def test_validation_errors(
    api: Api, org: Organisation, body: dict[str, object], names: list[str], fragment: str
) -> None:
    response = await api.post("/v1/customers", body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["type"] == "InvalidParameter"
    assert detail_names(response) == names
    assert all(d["location"]["type"] == "RequestBody" for d in error["details"])
    assert fragment in " ".join(d["message"] for d in error["details"])
    assert org.customers() == []


@pytest.mark.parametrize("body", [[], "Esimerkki Oy", None])
async def test_body_must_be_an_object(api: Api, body: object) -> None:
    response = await api.post("/v1/customers", body)
    assert response.status_code == 400


async def test_numbers_are_unique_and_assigned(api: Api, org: Organisation) -> None:
    org.settings.next_customer_number = 5
    org.put_customer("Viisi Oy", 5)
    first = await api.post("/v1/customers", {"name": "Ilman numeroa Oy"})
    assert first.json()["number"] == 6  # 5 is taken, so the counter skips it
    second = await api.post("/v1/customers", {"name": "Toinen Oy", "number": None})
    assert second.json()["number"] == 7
    assert org.settings.next_customer_number == 8
    duplicate = await api.post("/v1/customers", {"name": "Kaksoisolento Oy", "number": 6})
    assert duplicate.status_code == 400
    error = error_of(duplicate)
    assert error["type"] == "InvalidOperation"
    assert "6" in error["details"][0]["message"]
    assert detail_names(duplicate) == ["number"]
    with pytest.raises(SeveraFailure) as caught:
        org.put_customer("Apurin kaksoisolento Oy", 7)
    assert caught.value.type == "InvalidOperation"
    assert len(org.customers()) == 3


async def test_head_office_link(api: Api, org: Organisation) -> None:
    customer = org.put_customer("Pääkonttori Oy", 10)
    other = org.put_customer("Muu Oy", 11)
    finland = org.country("FI")
    created = await api.post(
        f"/v1/customers/{customer}/addresses",
        {
            "addressline": "Katu 1",
            "postalCode": "00100",
            "city": "Helsinki",
            "country": {"guid": finland.guid},
            "isBillingAddress": True,
            "isPostalAddress": True,
        },
    )
    assert created.status_code == 201
    address = created.json()
    assert address["customer"] == {"guid": customer, "name": "Pääkonttori Oy", "number": 10}
    assert address["country"] == {
        "guid": finland.guid,
        "name": "Suomi",
        "englishName": "Finland",
        "hasRegions": "NoRegion",
    }
    assert (address["isBillingAddress"], address["isVisitAddress"]) == (True, False)
    assert address["contacts"] == []
    # POST /v1/customers does not create an address.
    assert org.customer(customer).get("headquarterAddress") is None  # type: ignore[union-attr]
    linked = await api.replace(
        f"/v1/customers/{customer}", headquarterAddress__guid=address["guid"]
    )
    assert linked.status_code == 200
    assert linked.json()[0]["headquarterAddress"] == {
        "guid": address["guid"],
        "addressline": "Katu 1",
        "postalCode": "00100",
        "city": "Helsinki",
        "country": "Suomi",
    }
    # Another customer's address, or no address at all, cannot be linked.
    foreign = await api.replace(f"/v1/customers/{other}", headquarterAddress__guid=address["guid"])
    assert foreign.status_code == 400
    assert detail_names(foreign) == ["headquarterAddress.guid"]
    missing = await api.replace(f"/v1/customers/{other}", headquarterAddress__guid="nope")
    assert missing.status_code == 400
    on_create = await api.post(
        "/v1/customers", {"name": "Uusi Oy", "headquarterAddress": {"guid": address["guid"]}}
    )
    assert on_create.status_code == 400
    # The link can be dropped again with an object (or null) for the whole property.
    dropped = await api.replace(f"/v1/customers/{customer}", headquarterAddress=None)
    assert "headquarterAddress" not in dropped.json()[0]
    relinked = await api.replace(
        f"/v1/customers/{customer}", headquarterAddress={"guid": address["guid"]}
    )
    assert relinked.json()[0]["headquarterAddress"]["guid"] == address["guid"]


async def test_changing_the_head_office_does_not_bump_the_customer(
    api: Api, org: Organisation, clock: FakeClock
) -> None:
    customer = org.put_customer("Leima Oy", 20)
    address = org.put_address(customer, addressline="Vanha 1", city="Oulu")
    org.update("customer", customer, headquarterAddress=address)
    stamp = org.customer(customer).updated_at  # type: ignore[union-attr]
    clock.advance(hours=1)
    response = await api.replace(f"/v1/addresses/{address}", city="Kemi")
    assert response.status_code == 200
    assert response.json()[0]["lastUpdatedDateTime"] == "2026-03-02T10:00:00.000000+00:00"
    shown = (await api.get(f"/v1/customers/{customer}")).json()
    assert shown["headquarterAddress"]["city"] == "Kemi"
    assert datetime.fromisoformat(shown["lastUpdatedDateTime"]) == stamp


async def test_address_rules(api: Api, org: Organisation) -> None:
    customer = org.put_customer("Osoite Oy", 30)
    other = org.put_customer("Toinen Oy", 31)
    wrong_customer = await api.post(
        f"/v1/customers/{customer}/addresses", {"city": "Oulu", "customer": {"guid": other}}
    )
    assert wrong_customer.status_code == 400
    same_customer = await api.post(
        f"/v1/customers/{customer}/addresses", {"city": "Oulu", "customer": {"guid": customer}}
    )
    assert same_customer.status_code == 201
    guid = same_customer.json()["guid"]
    for body in (
        {"country": {"guid": "nope"}},
        {"countryRegion": {"guid": "nope"}},
        {"contacts": [{"guid": "nope"}]},
        {"isBillingAddress": None},
    ):
        response = await api.post(f"/v1/customers/{customer}/addresses", body)
        assert response.status_code == 400, body
    move = await api.replace(f"/v1/addresses/{guid}", customer__guid=other)
    assert move.status_code == 400
    assert "cannot be changed" in error_of(move)["details"][0]["message"]
    assert [a["city"] for a in org.addresses(customer)] == ["Oulu"]
    assert org.addresses(other) == []


async def test_customer_filters(api: Api, org: Organisation) -> None:
    owner = org.users[1].guid
    org.put_customer("Alfa Oy", 1, email="Laskut@Alfa.fi", owner=owner)
    org.put_customer("Beta Oy", 2, isActive=False)
    org.put_customer("Gamma Oy", 3, email="gamma@example.fi")

    async def names(params: object) -> list[str]:
        response = await api.get("/v1/customers", params=params)
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()]

    assert await names({}) == ["Alfa Oy", "Beta Oy", "Gamma Oy"]
    assert await names([("numbers", 3), ("numbers", 1), ("numbers", 99)]) == ["Alfa Oy", "Gamma Oy"]
    assert await names({"isActive": "false"}) == ["Beta Oy"]
    assert await names({"isActive": "True"}) == ["Alfa Oy", "Gamma Oy"]
    assert await names({"isInternal": "true"}) == []
    assert await names({"customerOwnerGuids": owner}) == ["Alfa Oy"]
    assert await names({"emailAddresses": "laskut@alfa.fi"}) == ["Alfa Oy"]
    assert await names([("customerNames", "gamma oy"), ("customerNames", "Beta Oy")]) == [
        "Beta Oy",
        "Gamma Oy",
    ]
    assert await names([("numbers", 1), ("isActive", "false")]) == []
    bad = await api.get("/v1/customers", params=[("numbers", "1,2"), ("isActive", "yes")])
    assert bad.status_code == 400
    assert detail_names(bad) == ["numbers", "isActive"]
    assert all(d["location"]["type"] == "UriParameter" for d in error_of(bad)["details"])


async def test_offset_paging_of_addresses(api: Api, org: Organisation) -> None:
    first = org.put_customer("Monta Osoitetta Oy", 40)
    second = org.put_customer("Yksi Osoite Oy", 41)
    for n in range(45):
        org.put_address(first, addressline=f"Katu {n}")
    org.put_address(second, addressline="Toinen 1")
    pages = []
    for first_row in (0, 20, 40):
        response = await api.get(f"/v1/customers/{first}/addresses", params={"firstRow": first_row})
        assert "NextPageToken" not in response.headers
        pages.append([a["addressline"] for a in response.json()])
    assert [len(page) for page in pages] == [20, 20, 5]
    assert pages[0][0] == "Katu 0" and pages[2][-1] == "Katu 44"
    everything = await api.get("/v1/addresses", params={"firstRow": 40, "rowCount": 100})
    assert [a["addressline"] for a in everything.json()] == [f"Katu {n}" for n in range(40, 45)] + [
        "Toinen 1"
    ]
    for params in (
        {"rowCount": 101},
        {"rowCount": 0},
        {"firstRow": -1},
        {"calculateRowCount": "x"},
    ):
        assert (await api.get("/v1/addresses", params=params)).status_code == 400, params
    assert (await api.get("/v1/addresses", params={"calculateRowCount": "true"})).status_code == 200
