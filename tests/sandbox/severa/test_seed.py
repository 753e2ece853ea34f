"""The deterministic demo organisation, and the reference data every organisation has."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from silta.registers.finnish import find_operator, is_valid_business_id
from silta.sandbox.severa import SeveraSandbox
from silta.sandbox.severa.seed import DEMO_CREDENTIALS, seed_demo

from ...severa_openapi import Judge
from .helpers import BASE_URL, Api, FakeClock


def demo(seed: int) -> SeveraSandbox:
    sandbox = SeveraSandbox(clock=FakeClock(), seed=seed, rate_limit=None)
    seed_demo(sandbox, seed)
    return sandbox


def fingerprint(sandbox: SeveraSandbox) -> list[Any]:
    org = sandbox.organisation(DEMO_CREDENTIALS.organisation_id)
    return [
        [dict(r.json) for r in records]
        for records in (org.customers(), org.addresses(), org.products(), org.phases())
    ]


def test_the_seed_is_deterministic() -> None:
    assert fingerprint(demo(3)) == fingerprint(demo(3))
    assert fingerprint(demo(3)) != fingerprint(demo(4))


def test_demo_data_has_what_the_demo_needs() -> None:
    org = demo(1).organisation("silta-demo")
    customers = org.customers()
    assert 35 <= len(customers) <= 45
    assert [c["number"] for c in customers] == list(range(1001, 1001 + len(customers)))
    vat_numbers = [c["vatNumber"] for c in customers if c["vatNumber"]]
    assert 0 < len(vat_numbers) < len(customers)  # some have none
    assert all(v.startswith("FI") and len(v) == 10 for v in vat_numbers)
    assert all(is_valid_business_id(f"{v[2:9]}-{v[9]}") for v in vat_numbers)
    assert len(set(vat_numbers)) == len(vat_numbers)
    assert 2 <= sum(1 for c in customers if not c["isActive"]) <= 5
    operators = [c["eInvoiceOperator"] for c in customers if c["eInvoiceOperator"]]
    assert len(operators) >= 10
    wrong = [op for op in operators if find_operator(op) is None]
    assert "ndeafihh" in wrong and len(wrong) == 2
    assert all(c["eInvoiceAddress"] for c in customers if c["eInvoiceOperator"])
    without_address = [c for c in customers if not org.addresses(c.guid)]
    assert len(without_address) == 1
    assert "headquarterAddress" not in without_address[0].json
    with_address = [c for c in customers if org.addresses(c.guid)]
    for customer in with_address:
        head_office = customer["headquarterAddress"]
        address = org.address(head_office["guid"])
        assert address is not None and address["customer"]["guid"] == customer.guid
        assert address["isBillingAddress"] or address["isPostalAddress"]
        assert len(head_office["postalCode"]) == 5
    assert any(len(org.addresses(c.guid)) == 2 for c in with_address)

    products = org.products()
    assert 18 <= len(products) <= 25
    assert sum(1 for p in products if p["code"] is None) == 1
    assert {p["type"] for p in products} == {"FixedFees", "Materials", "Subcontracting"}
    assert {p["vatRate"] for p in products} == {25.5, 14.0, 0.0}
    assert any(not p["isActive"] for p in products)
    assert all(p["unitPrice"]["currencyCode"] == "EUR" for p in products)

    projects = org.projects()
    assert len(projects) == 6
    assert sum(1 for p in projects if p["isClosed"]) == 1
    for project in projects:
        phases = org.phases(project.guid)
        codes = [p["code"] for p in phases if p["code"]]
        assert len(codes) == len(set(codes))  # unique within the project
        assert phases[0].guid == project["rootPhase"]["guid"]
    all_phases = [p for project in projects for p in org.phases(project.guid)[1:]]
    assert any(p["code"] is None for p in all_phases)
    assert any(p["code"] == "10" for p in all_phases) and any(p["code"] == "20" for p in all_phases)
    shared = Counter((p["project"]["guid"], p["name"]) for p in all_phases)
    assert max(shared.values()) == 2  # one project has two phases sharing a name
    assert any(p["parentPhase"]["guid"] != p_root(org, p) for p in all_phases)  # a nested one

    units = org.business_units()
    assert len(units) == 6
    assert units[0]["parentGuid"] is None
    assert all(u["parentGuid"] for u in units[1:])
    assert any(not u["isActive"] for u in units)


def p_root(org: Any, phase: Any) -> str:
    root = org.root_phase(phase["project"]["guid"])
    return str(root.guid)


async def test_the_demo_credential_reaches_everything_the_sync_reads() -> None:
    sandbox = demo(2)
    transport = Judge(httpx.ASGITransport(app=sandbox.mounted_at("/rest-api")))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        api = Api(client, DEMO_CREDENTIALS.client_id, DEMO_CREDENTIALS.client_secret)
        token = await api.authenticate(scope=DEMO_CREDENTIALS.scope)
        assert token["scope"] == DEMO_CREDENTIALS.scope
        for route in ("/v1/customers", "/v1/products", "/v1/projects", "/v1/phases"):
            rows, _ = await api.all_pages(route, {"rowCount": 100})
            assert rows, route
        for route in (
            "/v1/addresses",
            "/v1/businessunits",
            "/v1/localization/languages",
            "/v1/localization/countries",
            "/v1/vatrates",
        ):
            response = await api.get(route)
            assert response.status_code == 200 and response.json(), route
        project = (await api.get("/v1/projects")).json()[0]
        tree = await api.get(f"/v1/projects/{project['guid']}/phaseswithhierarchy")
        assert tree.status_code == 200 and len(tree.json()) >= 3
        # The sync only reads projects: no write scope for them.
        body = {"name": "x", "customer": {"guid": "x"}, "projectOwner": {"guid": "x"}}
        assert (await api.post("/v1/projects", body)).status_code == 403


async def test_reference_routes(api: Api) -> None:
    languages = (await api.get("/v1/localization/languages")).json()
    assert [(x["code"], x["name"], x["englishName"]) for x in languages] == [
        ("fi", "suomi", "Finnish"),
        ("en", "englanti", "English"),
        ("sv", "ruotsi", "Swedish"),
    ]
    assert (
        await api.get("/v1/localization/languages", params={"isInvoiceLanguage": "false"})
    ).json() == []
    countries = (await api.get("/v1/localization/countries")).json()
    assert [c["code2"] for c in countries][:5] == ["FI", "SE", "EE", "DE", "NO"]
    finland = countries[0]
    assert (finland["name"], finland["englishName"], finland["code3"]) == (
        "Suomi",
        "Finland",
        "FIN",
    )
    assert finland["currency"]["code"] == "EUR" and finland["isInEU"] is True
    rates = (await api.get("/v1/vatrates")).json()
    assert [r["percentage"] for r in rates] == [25.5, 14.0, 13.5, 10.0, 0.0, 24.0]
    assert [r["percentage"] for r in rates if r["isDefault"]] == [25.5]
    active = (await api.get("/v1/vatrates", params={"active": "true"})).json()
    assert 24.0 not in [r["percentage"] for r in active]
    sweden = countries[1]["guid"]
    swedish = (await api.get("/v1/vatrates", params={"countryGuid": sweden})).json()
    assert [r["percentage"] for r in swedish] == [25.0, 12.0, 6.0, 0.0]
    assert (await api.get("/v1/vatrates", params={"active": "maybe"})).status_code == 400
