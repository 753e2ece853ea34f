"""``changedSince``: greater or equal, offsets, ``Z``, bare dates, and malformed values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from silta.sandbox.severa import Organisation
from silta.sandbox.severa.times import parse_changed_since

from .helpers import Api, FakeClock, detail_names


@pytest.fixture
def timeline(org: Organisation, clock: FakeClock) -> dict[str, str]:
    """Customers written at 09:00, 10:00 and 11:00 UTC (with a product and an address too)."""
    made = {}
    for hour, name in ((9, "Yhdeksän Oy"), (10, "Kymmenen Oy"), (11, "Yksitoista Oy")):
        clock.now = datetime(2026, 3, 2, hour, tzinfo=UTC)
        made[name] = org.put_customer(name)
        org.put_address(made[name], city=name)
        org.put_product(name, name)
    return made


async def names(api: Api, route: str, since: str) -> list[str]:
    response = await api.get(route, params={"changedSince": since})
    assert response.status_code == 200, response.text
    return [r.get("name") or r.get("city") for r in response.json()]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2026-03-02T10:00:00+00:00", ["Kymmenen Oy", "Yksitoista Oy"]),  # inclusive boundary
        ("2026-03-02T10:00:00.000001+00:00", ["Yksitoista Oy"]),
        ("2026-03-02T12:00:00+02:00", ["Kymmenen Oy", "Yksitoista Oy"]),  # = 10:00 UTC
        ("2026-03-02T12:00:01+02:00", ["Yksitoista Oy"]),
        ("2026-03-02T10:00:00Z", ["Kymmenen Oy", "Yksitoista Oy"]),
        ("2026-03-02T10:00:00.0000000Z", ["Kymmenen Oy", "Yksitoista Oy"]),  # .NET's 7 digits
        ("2026-03-02T10:00:00", ["Kymmenen Oy", "Yksitoista Oy"]),  # no offset: UTC
        ("2026-03-02T05:00:00-05:00", ["Kymmenen Oy", "Yksitoista Oy"]),
        ("2026-03-02T10:00", ["Kymmenen Oy", "Yksitoista Oy"]),
        ("2026-03-02", ["Yhdeksän Oy", "Kymmenen Oy", "Yksitoista Oy"]),  # a bare date: midnight
        ("2026-03-03", []),
    ],
)
@pytest.mark.parametrize("route", ["/v1/customers", "/v1/products", "/v1/addresses"])
async def test_greater_or_equal(
    api: Api, timeline: dict[str, str], route: str, since: str, expected: list[str]
) -> None:
    assert await names(api, route, since) == expected


async def test_a_change_moves_a_record_into_the_window(
    api: Api, org: Organisation, clock: FakeClock, timeline: dict[str, str]
) -> None:
    clock.now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    org.update("customer", timeline["Yhdeksän Oy"], email="uusi@example.fi")
    assert await names(api, "/v1/customers", "2026-03-02T12:00:00Z") == ["Yhdeksän Oy"]
    # A PATCH that changes nothing moves nothing.
    clock.now = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
    same = await api.replace(f"/v1/customers/{timeline['Kymmenen Oy']}", name="Kymmenen Oy")
    assert same.status_code == 200
    assert same.json()[0]["lastUpdatedDateTime"] == "2026-03-02T10:00:00.000000+00:00"
    assert await names(api, "/v1/customers", "2026-03-02T12:30:00Z") == []
    assert org.stats.writes_committed == 1  # the request succeeded, although it changed nothing


@pytest.mark.parametrize(
    "since",
    [
        "2026-03-02T09:00:00 02:00",  # a raw '+' decoded to a space: the client forgot %2B
        "yesterday",
        "2026-13-01",
        "2026-02-30T00:00:00Z",
        "2026-03-02T25:00:00Z",
        "2026-03-02 09:00:00",
        "02.03.2026",
        "2026-03-02T09:00:00+15:00",
    ],
)
async def test_malformed_is_400(api: Api, since: str) -> None:
    response = await api.get("/v1/customers", params={"changedSince": since})
    assert response.status_code == 400
    assert detail_names(response) == ["changedSince"]


async def test_an_unencoded_plus_sign_is_caught(api: Api, timeline: dict[str, str]) -> None:
    await api.authenticate()
    raw = "/v1/customers?changedSince=2026-03-02T12:00:00+02:00"
    response = await api.client.get(raw, headers=api.headers())
    assert response.status_code == 400
    encoded = "/v1/customers?changedSince=2026-03-02T12%3A00%3A00%2B02%3A00"
    response = await api.client.get(encoded, headers=api.headers())
    assert [c["name"] for c in response.json()] == ["Kymmenen Oy", "Yksitoista Oy"]


@pytest.mark.parametrize(
    "route", ["/v1/projects", "/v1/phases", "/v1/businessunits", "/v1/addresses"]
)
async def test_every_incremental_route_takes_it(
    api: Api, org: Organisation, clock: FakeClock, route: str
) -> None:
    customer = org.put_customer("Asiakas Oy")
    org.put_address(customer, city="Oulu")
    org.put_project("Projekti", customer)
    org.put_business_unit("Yksikkö")
    clock.advance(hours=1)
    assert (await api.get(route, params={"changedSince": "2026-03-02T09:30:00Z"})).json() == []
    everything = await api.get(route, params={"changedSince": "2026-03-02T09:00:00Z"})
    assert everything.json()
    assert (await api.get(route, params={"changedSince": "x"})).status_code == 400


def test_parser() -> None:
    assert parse_changed_since("2026-03-02T09:00:00.5+02:30") == datetime(
        2026, 3, 2, 6, 30, 0, 500000, tzinfo=UTC
    )
    assert parse_changed_since("2026-03-02t09:00:00z") == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert parse_changed_since("2026-03-02T09:00:00+0200") == datetime(2026, 3, 2, 7, tzinfo=UTC)
    assert parse_changed_since("2026-03-02T09:00:00 02:00") is None
