"""Every request the Severa client sends and every answer the sandbox gives, checked against
Severa's own OpenAPI document by openapi-core (issue: Severa protocol, §3)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from openapi_core.validation.request.exceptions import InvalidRequestBody
from openapi_core.validation.response.exceptions import InvalidData

from silta.sandbox.severa import ALL_SCOPES, Credential, SeveraFaults, SeveraSandbox
from silta.severa import (
    AddressInput,
    CustomerInput,
    GuidRef,
    InsufficientScope,
    MoneyInput,
    ProductInput,
    RateLimits,
    SeveraClient,
    SeveraCredentials,
    SeveraNotFound,
    SeveraValidationError,
)

from ..integration.severa_fixtures import BASE, SCOPES, SeveraClock, mounted
from ..severa_openapi import Recorder, required_document, validate_request, validate_response

SANDBOX_BASE = BASE  # the sandbox is mounted where the document's server URL points


@pytest.fixture(autouse=True)
def _document() -> None:
    required_document()  # skip without the document; fail in CI


@pytest.fixture
def clock() -> SeveraClock:
    return SeveraClock()


# Variance mode too: every alternative form the sandbox answers in must stay inside the
# document (0.9: nearly every answer takes every form it can).
@pytest.fixture(params=[None, 31], ids=["plain", "variance"])
def sandbox(clock: SeveraClock, request: pytest.FixtureRequest) -> SeveraSandbox:
    box = SeveraSandbox(clock=clock, seed=5, rate_limit=1000)
    box.set_variance(request.param, share=0.9)
    organisation = box.add_organisation("Vaatimus Oy")
    box.add_credential(Credential(client_id="conf", client_secret="s", organisation=organisation.id,
                                  scopes=SCOPES))  # fmt: skip
    box.add_credential(Credential(client_id="admin", client_secret="s",
                                  organisation=organisation.id, scopes=ALL_SCOPES))  # fmt: skip
    box.add_credential(Credential(client_id="narrow", client_secret="s",
                                  organisation=organisation.id,
                                  scopes=frozenset({"customers:read"})))  # fmt: skip
    return box


@pytest.fixture
def recorder(sandbox: SeveraSandbox) -> Recorder:
    return Recorder(httpx.ASGITransport(app=mounted(sandbox)))


def client_for(
    http: httpx.AsyncClient, clock: SeveraClock, client_id: str = "conf"
) -> SeveraClient:
    scopes = SCOPES if client_id == "conf" else frozenset({"customers:read"})
    return SeveraClient(
        http, SeveraCredentials(client_id, "s", scopes=sorted(scopes)), base_url=BASE,
        limits=RateLimits(), clock=clock, rate=1000,
    )  # fmt: skip


async def drive_the_client(sandbox: SeveraSandbox, recorder: Recorder, clock: SeveraClock) -> None:
    """Every operation of the client, success and error paths."""
    organisation = sandbox.organisation_of("conf")
    customer_guid = organisation.put_customer(name="Projektiasiakas Oy", number=10)
    unit = organisation.put_business_unit(name="Tampere", code="TRE")
    project = organisation.put_project(name="Pilvi", customer_guid=customer_guid, number=77,
                                       business_unit_guid=unit)  # fmt: skip
    organisation.put_phase(project, name="Määrittely", code="10")
    async with httpx.AsyncClient(transport=recorder) as http:
        client = client_for(http, clock)
        finnish = next(x for x in await client.languages() if x.code == "fi")
        finland = next(x for x in await client.countries() if x.code2 == "FI")
        await client.vat_rates()
        created = await client.create_customer(
            CustomerInput(name="Öljynpuhdistus Ääri Oy", number=11, vat_number="FI07375462",
                          language=GuidRef(guid=finnish.guid), e_invoice_address="003707375462",
                          e_invoice_operator="NDEAFIHH", is_active=True, email="a@b.fi")
        )  # fmt: skip
        address = await client.create_address(
            created.guid,
            AddressInput(addressline="Katu 1", postal_code="00100", city="Helsinki",
                         country=GuidRef(guid=finland.guid), is_billing_address=True,
                         is_postal_address=True, is_visit_address=False, phone="+358 9 1"),
        )  # fmt: skip
        await client.patch_customer(
            created.guid, {"headquarterAddress/guid": address.guid, "isActive": False}
        )
        await client.get_customer(created.guid)
        since = clock.now - timedelta(minutes=1)
        _ = [c async for c in client.iter_customers(numbers=[10, 11], is_active=False)]
        _ = [c async for c in client.iter_customers(changed_since=since)]
        _ = [a async for a in client.iter_customer_addresses(created.guid)]
        _ = [a async for a in client.iter_addresses(changed_since=since)]
        await client.patch_address(address.guid, {"city": "Espoo", "postalCode": "02100"})
        product = await client.create_product(
            ProductInput(name="Tuote", code="T-1", type="Materials", vat_rate=Decimal("25.5"),
                         unit_price=MoneyInput(amount=Decimal("10.5"), currency_code="EUR"),
                         unit_cost=MoneyInput(amount=None, currency_code="EUR"),
                         measurement_unit="kpl", is_active=True)
        )  # fmt: skip
        await client.get_product(product.guid)
        _ = [p async for p in client.iter_products(code="T-1", changed_since=since, is_active=True)]
        _ = [p async for p in client.iter_projects(numbers=[77], is_closed=False)]
        _ = [p async for p in client.iter_projects(project_guids=[project], changed_since=since)]
        _ = [p async for p in client.iter_phases(project_guids=[project], code="10")]
        await client.phases_with_hierarchy(project)
        _ = [u async for u in client.iter_business_units(code="TRE", changed_since=since)]
        clock.advance(hours=2)  # the next call refreshes the token first
        await client.get_customer(created.guid)
        with pytest.raises(SeveraNotFound):
            await client.get_customer("00000000-0000-4000-8000-000000000000")
        with pytest.raises(SeveraValidationError):
            await client.create_customer(CustomerInput(name="Toinen", number=11))
        organisation.faults = SeveraFaults(fail_next=["429"])
        await client.get_customer(created.guid)
        narrow = client_for(http, clock, "narrow")
        with pytest.raises(InsufficientScope):
            _ = [p async for p in narrow.iter_products()]


async def test_every_client_request_and_sandbox_answer_follows_the_document(
    sandbox: SeveraSandbox, recorder: Recorder, clock: SeveraClock
) -> None:
    await drive_the_client(sandbox, recorder, clock)
    statuses = {response.status_code for _, response in recorder}
    assert {200, 201, 400, 403, 404, 429} <= statuses  # the error paths were exercised
    paths = {request.url.path for request, _ in recorder}
    assert "/rest-api/v1/refreshtoken" in paths
    for request, response in recorder:
        validate_request(request, SANDBOX_BASE)
        validate_response(request, response, SANDBOX_BASE)
    variance = sandbox.organisation_of("conf").variance
    if variance is not None:  # the alternative forms were judged, not merely switched on
        judged = {
            "date-time with 7 fraction digits",
            "date-time in Finnish time",
            "null properties left out",
            "properties in another order",
            "whole numbers without a fraction",
            "token answer with expiry times only",
        }
        assert judged <= set(variance.used), variance.used


async def test_sandbox_routes_the_client_does_not_use_follow_the_document(
    sandbox: SeveraSandbox, recorder: Recorder, clock: SeveraClock
) -> None:
    organisation = sandbox.organisation_of("admin")
    customer = organisation.put_customer(name="Raaka Oy", number=5)
    owner = organisation.users[0].guid
    async with httpx.AsyncClient(transport=recorder, base_url=BASE) as http:
        token = (await http.post("/v1/token", json={"client_id": "admin", "client_secret": "s",
                                                     "scope": None},
                                 headers={"Client_Id": "admin"})).json()  # fmt: skip
        headers = {"Authorization": f"Bearer {token['access_token']}", "Client_Id": "admin"}
        project = (await http.post("/v1/projects", headers=headers, json={
            "name": "Raakaprojekti", "customer": {"guid": customer},
            "projectOwner": {"guid": owner},
        })).json()  # fmt: skip
        root = project["rootPhase"]["guid"]
        phase = (await http.post("/v1/phases", headers=headers, json={
            "name": "Vaihe", "code": "1", "parentPhase": {"guid": root},
            "project": {"guid": project["guid"]},
        })).json()  # fmt: skip
        unit = {"guid": organisation.put_business_unit(name="Oulu", code="OUL")}
        patch = [{"op": "Replace", "path": "/name", "value": "Uusi"}]
        await http.patch(f"/v1/projects/{project['guid']}", headers=headers, json=patch)
        await http.patch(f"/v1/phases/{phase['guid']}", headers=headers, json=patch)
        await http.patch(f"/v1/businessunits/{unit['guid']}", headers=headers, json=patch)
        await http.patch(f"/v1/products/{organisation.put_product(name='P', code='P')}",
                         headers=headers, json=patch)  # fmt: skip
        for path in (
            f"/v1/projects/{project['guid']}",
            f"/v1/phases/{phase['guid']}",
            f"/v1/businessunits/{unit['guid']}",
            "/v1/phases",
            "/v1/businessunits",
        ):
            await http.get(path, headers=headers)  # fmt: skip
        await http.get("/v1/projects", headers=headers, params={"rowCount": "101"})  # 400
        await http.post("/v1/customers", headers=headers, json={"number": 5})  # 400: no name
        await http.get("/v1/customers", headers={**headers, "Authorization": "Bearer nope"})  # 401
        await http.post("/v1/token", json={"client_id": "admin", "client_secret": "wrong"},
                        headers={"Client_Id": "admin"})  # fmt: skip
    statuses = {response.status_code for _, response in recorder}
    assert {200, 201, 400, 401} <= statuses
    for request, response in recorder:
        validate_response(request, response, SANDBOX_BASE)


async def test_a_wrong_field_in_an_answer_is_caught(
    sandbox: SeveraSandbox, recorder: Recorder, clock: SeveraClock
) -> None:
    """The check can fail: a customer number rendered as text breaks the contract."""
    sandbox.organisation_of("conf").put_customer(name="Tarkistettava Oy", number=42)
    async with httpx.AsyncClient(transport=recorder) as http:
        _ = [c async for c in client_for(http, clock).iter_customers()]
    request, response = next((q, r) for q, r in recorder if q.url.path.endswith("/v1/customers"))
    validate_response(request, response, SANDBOX_BASE)  # as sent: valid
    body = json.loads(response.content)
    body[0]["number"] = str(body[0]["number"])
    broken = httpx.Response(200, headers=response.headers, content=json.dumps(body).encode())
    with pytest.raises(InvalidData, match="is not of type 'integer'"):
        validate_response(request, broken, SANDBOX_BASE)


def test_a_read_only_field_in_a_request_is_caught() -> None:
    """And for requests: a client that sent a read-only property would fail the check."""
    request = httpx.Request(
        "POST", f"{BASE}/v1/customers",
        json={"name": "x", "guid": "not-writable"},
        headers={"Client_Id": "conf", "Authorization": "Bearer t"},
    )  # fmt: skip
    with pytest.raises(InvalidRequestBody, match="read-only"):
        validate_request(request, SANDBOX_BASE)
