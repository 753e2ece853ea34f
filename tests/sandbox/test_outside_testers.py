"""``silta sandbox`` as a product for someone testing their own tools against it.

Everything here goes through the served app, as a tester's curl or client would: the admin
Severa client with every scope of the document, ``GET /v1/users``, DELETE of customers and
products with the document's status codes, and the control calls that prepare what neither
API can (Netvisor dimension headers, Severa business units, organisation settings, variance
mode). The README's sandbox section shows the same calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from silta.sandbox.server import SandboxServer
from silta.sandbox.severa import ALL_SCOPES

from ..severa_openapi import document, validate_response
from .helpers import FakeClock, assert_ok, signed_headers

BASE = "http://127.0.0.1:8100"


@pytest.fixture
def server() -> SandboxServer:
    served = SandboxServer(seed=1, clock=FakeClock())
    served.severa.limiter.limit = None  # the fake clock stands still: no rolling second passes
    return served


@pytest.fixture
async def http(server: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=server.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def admin_headers(http: httpx.AsyncClient, server: SandboxServer) -> dict[str, str]:
    admin = server.severa_admin
    token = await http.post(
        "/severa/v1/token",
        json={"client_id": admin.client_id, "client_secret": admin.client_secret},
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}", "Client_Id": admin.client_id}


def judged(response: httpx.Response) -> httpx.Response:
    """``response``, after Severa's document has judged it (when the document is at hand)."""
    validate_response(response.request, response, f"{BASE}/severa")
    return response


# -- the admin client -------------------------------------------------------------------------


def test_the_admin_client_has_every_scope_the_document_defines(server: SandboxServer) -> None:
    spec = document()
    if spec is not None:
        flows = spec["components"]["securitySchemes"]["OAuth2"]["flows"]
        assert set(flows["clientCredentials"]["scopes"]) == ALL_SCOPES
    assert server.severa_admin.scopes == ALL_SCOPES
    described = server.describe(BASE)
    assert server.severa_admin.client_id in described
    assert server.severa_admin.client_secret in described
    assert server.severa_admin.scope in described


async def test_the_admin_token_grants_every_scope(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    admin = server.severa_admin
    token = judged(
        await http.post(
            "/severa/v1/token",
            json={"client_id": admin.client_id, "client_secret": admin.client_secret},
        )
    )
    assert set(token.json()["scope"].split()) == ALL_SCOPES
    # the demo client keeps to what Silta needs: users:read is not among them
    demo = server.severa_credentials
    narrow = await http.post(
        "/severa/v1/token",
        json={"client_id": demo.client_id, "client_secret": demo.client_secret},
    )
    headers = {"Authorization": f"Bearer {narrow.json()['access_token']}",
               "Client_Id": demo.client_id}  # fmt: skip
    refused = judged(await http.get("/severa/v1/users", headers=headers))
    assert refused.status_code == 403


async def test_users_are_listed_and_own_a_project_made_with_the_admin_client(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    headers = await admin_headers(http, server)
    users = judged(await http.get("/severa/v1/users", headers=headers))
    assert users.status_code == 200
    owner = users.json()[0]
    assert owner["firstName"] and owner["lastName"] and owner["isActive"] is True
    by_code = judged(await http.get("/severa/v1/users", headers=headers,
                                    params={"code": owner["code"], "rowCount": 1}))  # fmt: skip
    assert [u["guid"] for u in by_code.json()] == [owner["guid"]]
    first = judged(await http.get("/severa/v1/users", headers=headers, params={"rowCount": 1}))
    assert first.headers.get("NextPageToken")  # the seeded users take two pages of one
    customer = (await http.get("/severa/v1/customers", headers=headers)).json()[0]
    project = judged(
        await http.post(
            "/severa/v1/projects",
            headers=headers,
            json={
                "name": "Testaajan projekti",
                "customer": {"guid": customer["guid"]},
                "projectOwner": {"guid": owner["guid"]},
            },
        )
    )
    assert project.status_code == 201
    assert project.json()["projectOwner"]["guid"] == owner["guid"]


async def test_customers_and_products_are_deleted_as_the_document_says(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    headers = await admin_headers(http, server)
    made = judged(await http.post("/severa/v1/customers", headers=headers,
                                  json={"name": "Poistettava Oy", "number": 9901}))  # fmt: skip
    guid = made.json()["guid"]
    address = await http.post(f"/severa/v1/customers/{guid}/addresses", headers=headers,
                              json={"addressline": "Katu 1", "city": "Oulu"})  # fmt: skip
    assert address.status_code == 201
    deleted = judged(await http.delete(f"/severa/v1/customers/{guid}", headers=headers))
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert (
        judged(await http.get(f"/severa/v1/customers/{guid}", headers=headers)).status_code == 404
    )
    again = judged(await http.delete(f"/severa/v1/customers/{guid}", headers=headers))
    assert again.status_code == 404
    gone = await http.get(f"/severa/v1/addresses/{address.json()['guid']}", headers=headers)
    assert gone.status_code == 404  # its addresses went with it
    numbers = [c["number"] async for c in _all_customers(http, headers)]
    assert 9901 not in numbers
    # the number is free again
    remade = await http.post("/severa/v1/customers", headers=headers,
                             json={"name": "Uusi Oy", "number": 9901})  # fmt: skip
    assert remade.status_code == 201

    product = judged(await http.post("/severa/v1/products", headers=headers,
                                     json={"name": "Poistuva", "code": "DEL-1"}))  # fmt: skip
    removed = judged(
        await http.delete(f"/severa/v1/products/{product.json()['guid']}", headers=headers)
    )
    assert removed.status_code == 204
    listed = await http.get("/severa/v1/products", headers=headers, params={"code": "DEL-1"})
    assert listed.json() == []


async def test_a_customer_with_projects_is_not_deleted(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    headers = await admin_headers(http, server)
    project = (await http.get("/severa/v1/projects", headers=headers)).json()[0]
    refused = judged(
        await http.delete(f"/severa/v1/customers/{project['customer']['guid']}", headers=headers)
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["type"] == "InvalidOperation"


async def test_the_narrow_demo_client_cannot_delete(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    demo = server.severa_credentials
    token = await http.post(
        "/severa/v1/token", json={"client_id": demo.client_id, "client_secret": demo.client_secret}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}",
               "Client_Id": demo.client_id}  # fmt: skip
    customer = (await http.get("/severa/v1/customers", headers=headers)).json()[0]
    refused = judged(await http.delete(f"/severa/v1/customers/{customer['guid']}", headers=headers))
    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "InsufficientApiScope"


async def _all_customers(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> AsyncIterator[dict[str, object]]:
    token = None
    while True:
        params = {"rowCount": "100", **({"pageToken": token} if token else {})}
        page = await http.get("/severa/v1/customers", headers=headers, params=params)
        for customer in page.json():
            yield customer
        token = page.headers.get("NextPageToken")
        if not token:
            return


# -- the control calls ------------------------------------------------------------------------


async def test_a_netvisor_dimension_header_is_created_by_the_control_api(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    c = server.credentials
    control = f"/netvisor/_sandbox/organisations/{c.organisation_id}/dimension-headers"
    made = await http.post(control, json={"name": "Kustannuspaikka"})
    assert made.status_code == 201
    assert made.json()["name"] == "Kustannuspaikka" and made.json()["hidden"] is False
    assert (await http.post(control, json={"name": "kustannuspaikka"})).status_code == 409
    assert (await http.post(control, json={"name": 5})).status_code == 400
    assert (await http.post(control, json={"nimi": "x"})).status_code == 400
    listed = await http.get(control)
    assert "Kustannuspaikka" in [h["name"] for h in listed.json()]

    # and Netvisor's own API now takes items under it
    clock = server.netvisor.clock
    credentials = {"organisation_id": c.organisation_id, "customer_id": c.customer_id,
                   "customer_key": c.customer_key, "partner_id": c.partner_id,
                   "partner_key": c.partner_key}  # fmt: skip
    url = f"{BASE}/netvisor/dimensionitem.nv?method=add"
    body = "<root><dimensionitem><name>Kustannuspaikka</name><item>100 Hallinto</item>"
    body += "</dimensionitem></root>"
    added = await http.post(url, content=body.encode(), headers={
        **signed_headers(url, now=clock(), **credentials), "Content-Type": "text/xml"})  # fmt: skip
    assert_ok(added)
    items = server.netvisor.organisation(c.organisation_id).dimension_items("Kustannuspaikka")
    assert [i.name for i in items] == ["100 Hallinto"]


async def test_netvisor_settings_toggle_unique_codes(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    c = server.credentials
    control = f"/netvisor/_sandbox/organisations/{c.organisation_id}/settings"
    assert (await http.get(control)).json() == {"unique_codes": True}
    assert (await http.put(control, json={"unique_codes": False})).json() == {"unique_codes": False}
    assert server.netvisor.organisation(c.organisation_id).unique_codes is False
    assert (await http.put(control, json={"unique_codes": "no"})).status_code == 400
    assert (await http.get("/netvisor/_sandbox/organisations/0000000-0/settings")).status_code == (
        404
    )


async def test_a_severa_business_unit_is_created_by_the_control_api(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    org = server.severa_credentials.organisation_id
    control = f"/severa/_sandbox/organisations/{org}/business-units"
    made = await http.post(control, json={"name": "Oulu", "code": "TST"})
    assert made.status_code == 201
    unit = made.json()
    child = await http.post(control, json={"name": "Oulu, huolto", "parentGuid": unit["guid"]})
    assert child.status_code == 201 and child.json()["parentGuid"] == unit["guid"]
    assert (await http.post(control, json={"code": "X"})).status_code == 400
    assert (await http.post(control, json={"name": "X", "colour": "red"})).status_code == 400
    headers = await admin_headers(http, server)
    listed = judged(await http.get("/severa/v1/businessunits", headers=headers,
                                   params={"code": "TST"}))  # fmt: skip
    assert [u["guid"] for u in listed.json()] == [unit["guid"]]
    validate_response_body = judged(
        await http.get(f"/severa/v1/businessunits/{unit['guid']}", headers=headers)
    )
    assert validate_response_body.json()["name"] == "Oulu"


async def test_severa_settings_allow_identical_phase_codes(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    org = server.severa_credentials.organisation_id
    control = f"/severa/_sandbox/organisations/{org}/settings"
    settings = (await http.get(control)).json()
    assert settings["isIdenticalPhaseCodesAllowed"] is False
    headers = await admin_headers(http, server)
    project = (await http.get("/severa/v1/projects", headers=headers)).json()[0]
    phase = {"name": "Kaksoiskoodi", "code": "77", "parentPhase": project["rootPhase"],
             "project": {"guid": project["guid"]}}  # fmt: skip
    assert (await http.post("/severa/v1/phases", headers=headers, json=phase)).status_code == 201
    twin = await http.post("/severa/v1/phases", headers=headers, json=phase)
    assert twin.status_code == 400  # the default: phase codes are unique in a project

    changed = await http.put(control, json={"isIdenticalPhaseCodesAllowed": True})
    assert changed.json()["isIdenticalPhaseCodesAllowed"] is True
    allowed = judged(await http.post("/severa/v1/phases", headers=headers, json=phase))
    assert allowed.status_code == 201
    assert (await http.put(control, json={"isIdenticalPhaseCodesAllowed": 1})).status_code == 400
    assert (await http.put(control, json={"nextCustomerNumber": 0})).status_code == 400
    assert (await http.put(control, json={"unknown": True})).status_code == 400
    assert (await http.put(control, json={"nextCustomerNumber": 5000})).status_code == 200
    made = await http.post("/severa/v1/customers", headers=headers, json={"name": "Numeroton"})
    assert made.json()["number"] == 5000


@pytest.mark.parametrize("service", ["netvisor", "severa"])
async def test_variance_mode_is_switched_by_the_control_api(
    http: httpx.AsyncClient, server: SandboxServer, service: str
) -> None:
    control = f"/{service}/_sandbox/variance"
    assert (await http.get(control)).json() == {"seed": None, "forms": {}}
    on = await http.put(control, json={"seed": 5})
    assert on.json()["seed"] == 5
    sandbox = server.netvisor if service == "netvisor" else server.severa
    assert all(org.variance is not None for org in sandbox.organisations.values())
    assert (await http.put(control, json={"seed": "5"})).status_code == 400
    assert (await http.put(control, json={"seed": True})).status_code == 400
    off = await http.put(control, json={"seed": None})
    assert off.json()["seed"] is None
    assert all(org.variance is None for org in sandbox.organisations.values())


async def test_variance_answers_are_counted_per_form(
    http: httpx.AsyncClient, server: SandboxServer
) -> None:
    await http.put("/netvisor/_sandbox/variance", json={"seed": 2})
    c = server.credentials
    credentials = {"organisation_id": c.organisation_id, "customer_id": c.customer_id,
                   "customer_key": c.customer_key, "partner_id": c.partner_id,
                   "partner_key": c.partner_key}  # fmt: skip
    clock = server.netvisor.clock
    for _ in range(6):
        url = f"{BASE}/netvisor/productlist.nv"
        answer = await http.get(url, headers=signed_headers(url, now=clock(), **credentials))
        assert b"<Status>OK</Status>" in answer.content  # in whatever form
    forms = (await http.get("/netvisor/_sandbox/variance")).json()["forms"][c.organisation_id]
    assert sum(forms.values()) >= 6
