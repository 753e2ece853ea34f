"""Token paging (customers, products, projects, phases) and offset paging (business units)."""

from __future__ import annotations

import time

import pytest

from silta.sandbox.severa import Organisation

from .helpers import Api, FakeClock, detail_names, error_of


def customers(org: Organisation, count: int, start: int = 1) -> None:
    for n in range(start, start + count):
        org.put_customer(f"Asiakas {n:04d} Oy", n)


async def test_250_customers_in_pages_of_100(api: Api, org: Organisation) -> None:
    customers(org, 250)
    seen: list[int] = []
    tokens = []
    params: dict[str, object] = {"rowCount": 100}
    for expected in (100, 100, 50):
        response = await api.get("/v1/customers", params=params)
        assert response.status_code == 200
        page = response.json()
        assert isinstance(page, list)  # a plain array, no envelope
        assert len(page) == expected
        seen += [c["number"] for c in page]
        token = response.headers.get("NextPageToken")
        tokens.append(token)
        params["pageToken"] = token
    assert tokens[-1] is None  # no header after the last page
    assert tokens[0] != tokens[1]
    assert seen == list(range(1, 251))  # creation order, no gaps, no repeats


async def test_exactly_full_last_page_has_no_token(api: Api, org: Organisation) -> None:
    customers(org, 200)
    rows, pages = await api.all_pages("/v1/customers", {"rowCount": 100})
    assert (len(rows), pages) == (200, 2)
    customers(org, 20, start=201)
    default = await api.get("/v1/customers")
    assert len(default.json()) == 20  # default rowCount
    assert "NextPageToken" in default.headers


async def test_empty_register(api: Api) -> None:
    response = await api.get("/v1/customers")
    assert response.json() == []
    assert "NextPageToken" not in response.headers


async def test_records_added_while_paging_appear_at_the_end(api: Api, org: Organisation) -> None:
    customers(org, 30)
    first = await api.get("/v1/customers", params={"rowCount": 20})
    org.put_customer("Myöhäinen Oy", 999)
    org.rename("customer", org.customers()[0].guid, "Muutettu Oy")  # changed: keeps its place
    rest = await api.get(
        "/v1/customers", params={"rowCount": 20, "pageToken": first.headers["NextPageToken"]}
    )
    numbers = [c["number"] for c in first.json() + rest.json()]
    assert numbers == [*range(1, 31), 999]


async def test_page_size_limits(api: Api, org: Organisation) -> None:
    """Each route's own maximum: the document's "maximum 100" where it gives one; 1,000 (the
    older support article's figure) on /v1/customers, /v1/products and /v1/users, whose
    descriptions give none."""
    customers(org, 3)
    for path, rows in [("/v1/customers", 1001), ("/v1/customers", 0), ("/v1/customers", -1),
                       ("/v1/projects", 101), ("/v1/addresses", 101)]:  # fmt: skip
        response = await api.get(path, params={"rowCount": rows})
        assert response.status_code == 400, (path, rows)
        assert error_of(response)["type"] == "InvalidParameter"
        assert detail_names(response) == ["rowCount"]
    assert len((await api.get("/v1/customers", params={"rowCount": 1000})).json()) == 3
    assert (await api.get("/v1/products", params={"rowCount": 1000})).status_code == 200
    assert (await api.get("/v1/projects", params={"rowCount": 100})).status_code == 200
    assert (await api.get("/v1/customers", params={"rowCount": "x"})).status_code == 400


async def test_invalid_page_tokens(api: Api, org: Organisation) -> None:
    customers(org, 30)
    first = await api.get("/v1/customers", params={"rowCount": 10, "isActive": "true"})
    token = first.headers["NextPageToken"]
    for bad in ("garbage", token[:-2] + "xx", "MTAuYWJj", "LTEuMA"):
        response = await api.get("/v1/customers", params={"pageToken": bad, "isActive": "true"})
        assert response.status_code == 400, bad
        assert detail_names(response) == ["pageToken"]
    # A token is only valid with the filters it was issued for (rowCount may change).
    other = await api.get("/v1/customers", params={"pageToken": token})
    assert other.status_code == 400
    again = await api.get(
        "/v1/customers", params={"pageToken": token, "isActive": "true", "rowCount": 25}
    )
    assert [c["number"] for c in again.json()] == list(range(11, 31))
    # ... and only for the route it was issued by.
    products = await api.get("/v1/products", params={"pageToken": token, "isActive": "true"})
    assert products.status_code == 400


async def test_filtered_pages(api: Api, org: Organisation) -> None:
    for n in range(1, 61):
        org.put_customer(f"Asiakas {n} Oy", n, isActive=n % 3 != 0)
    rows, pages = await api.all_pages("/v1/customers", {"isActive": "false", "rowCount": 7})
    assert [c["number"] for c in rows] == list(range(3, 61, 3))
    assert pages == 3
    numbers = [("numbers", n) for n in range(1, 61, 2)]
    response = await api.get("/v1/customers", params=[*numbers, ("rowCount", 10)])
    assert [c["number"] for c in response.json()] == list(range(1, 21, 2))
    assert "NextPageToken" in response.headers


async def test_business_units_are_offset_paged(
    api: Api, org: Organisation, clock: FakeClock
) -> None:
    root = org.company.root_business_unit
    for n in range(30):
        org.put_business_unit(f"Yksikkö {n:02d}", f"Y{n:02d}", isActive=n != 5)
    first = await api.get("/v1/businessunits")
    assert len(first.json()) == 20
    assert first.json()[0]["guid"] == root  # the company's root unit comes first
    assert "NextPageToken" not in first.headers
    second = await api.get("/v1/businessunits", params={"firstRow": 20})
    assert len(second.json()) == 11  # a short page: the client stops
    assert second.json()[-1]["name"] == "Yksikkö 29"
    assert (await api.get("/v1/businessunits", params={"firstRow": 31})).json() == []
    inactive = await api.get("/v1/businessunits", params={"active": "false"})
    assert [u["code"] for u in inactive.json()] == ["Y05"]
    found = await api.get("/v1/businessunits", params={"code": "Y07"})
    assert [u["name"] for u in found.json()] == ["Yksikkö 07"]
    named = await api.get("/v1/businessunits", params={"name": "YKSIKKÖ 08"})
    assert [u["code"] for u in named.json()] == ["Y08"]
    searched = await api.get("/v1/businessunits", params={"textToSearch": "kkö 1", "rowCount": 100})
    assert [u["code"] for u in searched.json()] == [f"Y1{n}" for n in range(10)]
    company = org.company
    assert (
        len(
            (
                await api.get(
                    "/v1/businessunits", params={"companyGuid": company.guid, "rowCount": 100}
                )
            ).json()
        )
        == 31
    )
    assert (await api.get("/v1/businessunits", params={"companyGuid": "x"})).json() == []
    assert (
        len(
            (
                await api.get(
                    "/v1/businessunits",
                    params={"companyCountryGuid": company.country_guid, "rowCount": 100},
                )
            ).json()
        )
        == 31
    )
    assert (await api.get("/v1/businessunits", params={"rowCount": 101})).status_code == 400


@pytest.mark.parametrize("route", ["/v1/products", "/v1/projects", "/v1/phases"])
async def test_other_token_paged_routes(api: Api, org: Organisation, route: str) -> None:
    customer = org.put_customer("Projektit Oy", 1)
    for n in range(25):
        org.put_product(f"Tuote {n}", f"T{n}")
        org.put_project(f"Projekti {n}", customer, number=n + 1)  # each adds its root phase
    rows, pages = await api.all_pages(route, {"rowCount": 10})
    assert (len(rows), pages) == (25, 3)
    assert len({r["guid"] for r in rows}) == 25


def test_paging_cost_does_not_grow_with_the_register() -> None:
    """A page of 100 out of 10,000 costs about what a page out of 1,000 costs."""
    from silta.sandbox.severa.paging import TokenPage, token_rows

    def page_time(count: int) -> float:
        from silta.sandbox.severa import SeveraSandbox

        org = SeveraSandbox(rate_limit=None).add_organisation("Iso Oy")
        for n in range(count):
            org.put_customer(f"Asiakas {n}", n + 1)
        register = org.customer_register.register
        started = time.perf_counter()
        for _ in range(20):
            rows, after = token_rows(register, TokenPage(100, count - 500), lambda r: True)
            assert len(rows) == 100 and after is not None
        return time.perf_counter() - started

    small, large = page_time(1_000), page_time(10_000)
    assert large < small * 5 + 0.01
