"""Projects, their root phases, phase trees, phase codes, and business units."""

from __future__ import annotations

import pytest

from silta.sandbox.severa import Organisation, SeveraFailure

from .helpers import Api, FakeClock, detail_names, error_of


@pytest.fixture
def customer(org: Organisation) -> str:
    return org.put_customer("Projektiasiakas Oy", 500)


def project_body(org: Organisation, customer: str, **extra: object) -> dict[str, object]:
    return {
        "name": "Verkkokauppa",
        "customer": {"guid": customer},
        "projectOwner": {"guid": org.users[0].guid},
        **extra,
    }


async def test_creating_a_project_creates_its_root_phase(
    api: Api, org: Organisation, customer: str
) -> None:
    unit = org.put_business_unit("Helsinki", "HKI")
    response = await api.post(
        "/v1/projects",
        project_body(
            org, customer, number=3001, businessUnit={"guid": unit}, deadline="2026-06-30"
        ),
    )
    assert response.status_code == 201
    project = response.json()
    assert project["number"] == 3001
    assert project["customer"] == {"guid": customer, "name": "Projektiasiakas Oy", "number": 500}
    assert project["projectOwner"]["name"] == "Matti Virtanen"
    assert project["businessUnit"]["guid"] == unit
    assert project["businessUnit"]["companyBusinessUnitGuid"] == org.company.root_business_unit
    assert project["currency"]["code"] == "EUR"
    assert project["pricelist"]["name"] == "Oletushinnasto"
    assert project["deadline"] == "2026-06-30"
    assert project["isClosed"] is False and project["closedDate"] is None
    assert project["keywords"] == []
    root = project["rootPhase"]
    assert root["name"] == "Verkkokauppa"
    phase = (await api.get(f"/v1/phases/{root['guid']}")).json()
    assert "parentPhase" not in phase
    assert phase["code"] is None
    assert phase["project"] == {
        "guid": project["guid"],
        "name": "Verkkokauppa",
        "number": 3001,
        "isInternal": False,
        "isClosed": False,
    }
    assert phase["currencyCode"]["code"] == "EUR"
    listed = (await api.get("/v1/phases", params={"projectGuids": project["guid"]})).json()
    assert [p["guid"] for p in listed] == [root["guid"]]  # root phases are real phases
    assert org.root_phase(project["guid"]).guid == root["guid"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"customer": None}, ["customer"]),
        ({"customer": {"guid": None}}, ["customer.guid"]),
        ({"customer": {"guid": "nope"}}, ["customer.guid"]),
        ({"projectOwner": None}, ["projectOwner"]),
        ({"projectOwner": {"guid": "nope"}}, ["projectOwner.guid"]),
        ({"name": ""}, ["name"]),
        ({"businessUnit": {"guid": "nope"}}, ["businessUnit.guid"]),
        ({"customerContact": {"guid": "nope"}}, ["customerContact.guid"]),
        ({"deadline": "30.6.2026"}, ["deadline"]),
        ({"salesStatus": {"salesStatusTypeGuid": "nope"}}, ["salesStatus.salesStatusTypeGuid"]),
        ({"expectedValue": {"amount": 5, "currencyCode": "XXX"}}, ["expectedValue.currencyCode"]),
        ({"probability": 1.5}, ["probability"]),
    ],
)
async def test_project_validation(
    api: Api, org: Organisation, customer: str, change: dict[str, object], names: list[str]
) -> None:
    body = project_body(org, customer)
    body.update(change)
    response = await api.post("/v1/projects", body)
    assert response.status_code == 400, response.text
    assert detail_names(response) == names
    assert org.projects() == []
    assert org.phases() == []


async def test_required_project_fields(api: Api) -> None:
    response = await api.post("/v1/projects", {})
    assert detail_names(response) == ["name", "customer", "projectOwner"]


async def test_project_numbers(api: Api, org: Organisation, customer: str) -> None:
    org.put_project("Ensimmäinen", customer, number=1)
    assigned = (await api.post("/v1/projects", project_body(org, customer))).json()
    assert assigned["number"] == 2
    duplicate = await api.post("/v1/projects", project_body(org, customer, number=2))
    assert duplicate.status_code == 400
    assert error_of(duplicate)["type"] == "InvalidOperation"


async def test_renaming_a_project_renames_its_root_phase(
    api: Api, org: Organisation, customer: str, clock: FakeClock
) -> None:
    project = org.put_project("Vanha nimi", customer)
    clock.advance(minutes=1)
    renamed = await api.replace(f"/v1/projects/{project}", name="Uusi nimi")
    assert renamed.json()[0]["rootPhase"]["name"] == "Uusi nimi"
    root = org.root_phase(project)
    assert root is not None and root["name"] == "Uusi nimi"
    assert root.updated_at == clock()


async def test_closing_a_project(
    api: Api, org: Organisation, customer: str, clock: FakeClock
) -> None:
    project = org.put_project("Suljettava", customer)
    closed = (await api.replace(f"/v1/projects/{project}", isClosed="true")).json()[0]
    assert (closed["isClosed"], closed["closedDate"]) == (True, "2026-03-02")
    clock.advance(days=3)
    await api.authenticate()
    still = (await api.replace(f"/v1/projects/{project}", name="Suljettu")).json()[0]
    assert still["closedDate"] == "2026-03-02"
    reopened = (await api.replace(f"/v1/projects/{project}", isClosed=False)).json()[0]
    assert reopened["closedDate"] is None


async def test_project_statuses(api: Api, org: Organisation, customer: str) -> None:
    running, done = org.reference_items("projectStatusType")[:2]
    body = project_body(
        org, customer, projectStatus={"projectStatusTypeGuid": running.guid, "description": "ok"}
    )
    project = (await api.post("/v1/projects", body)).json()
    status = project["projectStatus"]
    assert (status["name"], status["description"]) == ("Käynnissä", "ok")
    assert status["projectStatusTypeGuid"] == running.guid
    same = (
        await api.replace(f"/v1/projects/{project['guid']}", projectStatus__description="ok")
    ).json()[0]
    assert same["projectStatus"]["guid"] == status["guid"]
    assert same["lastUpdatedDateTime"] == project["lastUpdatedDateTime"]  # nothing changed
    moved = (
        await api.replace(
            f"/v1/projects/{project['guid']}", projectStatus__projectStatusTypeGuid=done.guid
        )
    ).json()[0]
    assert moved["projectStatus"]["name"] == "Valmis"
    assert moved["projectStatus"]["guid"] != status["guid"]  # a new status entry


async def test_project_filters(api: Api, org: Organisation, customer: str) -> None:
    other = org.put_customer("Toinen Oy", 501, owner=org.users[1].guid)
    unit = org.put_business_unit("Tampere", "TRE")
    first = org.put_project("Yksi", customer, number=11)
    second = org.put_project("Kaksi", other, number=12, business_unit_guid=unit, isClosed=True)
    third = org.put_project(
        "Kolme", customer, number=13, isInternal=True, salesPerson=org.users[1].guid
    )

    async def numbers(params: object) -> list[int]:
        response = await api.get("/v1/projects", params=params)
        assert response.status_code == 200, response.text
        return [p["number"] for p in response.json()]

    assert await numbers({}) == [11, 12, 13]
    assert await numbers([("numbers", 13), ("numbers", 11)]) == [11, 13]
    assert await numbers([("projectGuids", second), ("projectGuids", third)]) == [12, 13]
    assert await numbers({"customerGuids": customer}) == [11, 13]
    assert await numbers({"businessUnitGuids": unit}) == [12]
    assert await numbers({"isClosed": "true"}) == [12]
    assert await numbers({"internal": "true"}) == [13]
    assert await numbers({"salesPersonGuids": org.users[1].guid}) == [13]
    assert await numbers({"projectOwnerGuids": org.users[0].guid}) == [11, 12, 13]
    assert await numbers({"customerOwnerGuids": org.users[1].guid}) == [12]
    assert await numbers({"currencyGuid": org.default_currency.guid}) == [11, 12, 13]
    assert await numbers([("customerGuids", customer), ("numbers", 13)]) == [13]
    assert first
    refused = await api.get(
        "/v1/projects", params={"isBillable": "true", "hasRecurringFees": "false"}
    )
    assert refused.status_code == 400
    assert detail_names(refused) == ["isBillable", "hasRecurringFees"]


async def test_phase_tree(api: Api, org: Organisation, customer: str) -> None:
    project = org.put_project("Puu", customer)
    root = org.root_phase(project)
    assert root is not None
    design = (
        await api.post(
            "/v1/phases", {"name": "Suunnittelu", "code": "10", "parentPhase": {"guid": root.guid}}
        )
    ).json()
    build = (
        await api.post(
            "/v1/phases",
            {
                "name": "Toteutus",
                "code": "20",
                "parentPhase": {"guid": root.guid},
                "project": {"guid": project},
                "sortOrder": 1,
            },
        )
    ).json()
    sketch = (
        await api.post(
            "/v1/phases", {"name": "Luonnos", "code": "11", "parentPhase": {"guid": design["guid"]}}
        )
    ).json()
    nocode = (
        await api.post("/v1/phases", {"name": "Koodaton", "parentPhase": {"guid": design["guid"]}})
    ).json()
    assert design["project"]["guid"] == project
    assert sketch["parentPhase"] == {"guid": design["guid"], "name": "Suunnittelu"}
    assert nocode["code"] is None
    tree = (await api.get(f"/v1/projects/{project}/phaseswithhierarchy")).json()
    # Pre-order; "Toteutus" has sortOrder 1, so it comes before "Suunnittelu" (none).
    assert [(p["name"], p["level"], p["hasChildren"]) for p in tree] == [
        ("Puu", 0, True),
        ("Toteutus", 1, False),
        ("Suunnittelu", 1, True),
        ("Luonnos", 2, False),
        ("Koodaton", 2, False),
    ]
    assert "parentPhase" not in tree[0]
    assert tree[3]["parentPhase"]["guid"] == design["guid"]
    assert tree[0]["customer"] == {
        "guid": customer,
        "name": "Projektiasiakas Oy",
        "number": 500,
        "isInternal": False,
    }
    assert build["sortOrder"] == 1


async def test_phase_rules(api: Api, org: Organisation, customer: str) -> None:
    project = org.put_project("Yksi", customer)
    other = org.put_project("Toinen", customer)
    root = org.root_phase(project)
    other_root = org.root_phase(other)
    assert root is not None and other_root is not None
    child = org.put_phase(project, "Lapsi", "10")
    grandchild = org.put_phase(project, "Lapsenlapsi", "11", parent_guid=child)

    async def post(body: dict[str, object]) -> list[str | None]:
        response = await api.post("/v1/phases", body)
        assert response.status_code == 400, response.text
        return detail_names(response)

    assert await post({"name": "X"}) == ["parentPhase"]
    assert await post({"name": "X", "parentPhase": {"guid": None}}) == ["parentPhase.guid"]
    assert await post({"name": "X", "parentPhase": {"guid": "nope"}}) == ["parentPhase.guid"]
    mismatch = {"name": "X", "parentPhase": {"guid": child}, "project": {"guid": other}}
    assert await post(mismatch) == ["project.guid"]

    async def move(phase: str, parent: str) -> int:
        response = await api.replace(f"/v1/phases/{phase}", parentPhase__guid=parent)
        return response.status_code

    assert await move(child, other_root.guid) == 400  # another project
    assert await move(child, grandchild) == 400  # under its own descendant
    assert await move(child, child) == 400
    assert await move(root.guid, child) == 400  # a root phase has no parent
    assert await move(grandchild, root.guid) == 200
    assert (await api.replace(f"/v1/phases/{child}", project__guid=other)).status_code == 400
    assert (await api.replace(f"/v1/phases/{child}", parentPhase__guid=None)).status_code == 400


async def test_phase_codes_are_unique_per_project(
    api: Api, org: Organisation, customer: str
) -> None:
    project = org.put_project("Koodit", customer)
    other = org.put_project("Muut koodit", customer)
    org.put_phase(project, "Asennus", "20")
    org.put_phase(project, "Asennus", "30")  # the same name, another code: fine
    org.put_phase(other, "Asennus", "20")  # the same code in another project: fine
    with pytest.raises(SeveraFailure) as caught:
        org.put_phase(project, "Kopio", "20")
    assert caught.value.type == "InvalidParameter"
    root = org.root_phase(project)
    assert root is not None
    response = await api.post(
        "/v1/phases", {"name": "Kopio", "code": "20", "parentPhase": {"guid": root.guid}}
    )
    assert response.status_code == 400
    assert error_of(response)["type"] == "InvalidParameter"
    assert detail_names(response) == ["code"]
    third = org.phases(project)[-1]
    clash = await api.replace(f"/v1/phases/{third.guid}", code="20")
    assert clash.status_code == 400
    assert (await api.replace(f"/v1/phases/{third.guid}", code="30")).status_code == 200  # its own
    # Phases without a code are many; identical codes pass once the setting allows them.
    for _ in range(2):
        org.put_phase(project, "Ilman koodia")
    org.settings.is_identical_phase_codes_allowed = True
    assert (
        await api.post(
            "/v1/phases", {"name": "Kopio", "code": "20", "parentPhase": {"guid": root.guid}}
        )
    ).status_code == 201
    found = await api.get("/v1/phases", params={"code": "20", "projectGuids": project})
    assert len(found.json()) == 2


async def test_phase_filters_and_paging(api: Api, org: Organisation, customer: str) -> None:
    projects = [org.put_project(f"P{n}", customer) for n in range(3)]
    for project in projects:
        for code in ("10", "20", "30", "40", "50"):
            org.put_phase(project, f"Vaihe {code}", code)
    rows, pages = await api.all_pages("/v1/phases", {"rowCount": 7})
    assert (len(rows), pages) == (18, 3)
    rows, _ = await api.all_pages("/v1/phases", {"projectGuids": projects[1], "code": "30"})
    assert [(r["project"]["guid"], r["code"]) for r in rows] == [(projects[1], "30")]
    both = await api.get(
        "/v1/phases", params=[("projectGuids", projects[0]), ("projectGuids", projects[2])]
    )
    assert len(both.json()) == 12


async def test_business_units(api: Api, org: Organisation, clock: FakeClock) -> None:
    root = org.company.root_business_unit
    helsinki = org.put_business_unit("Helsinki", "HKI")
    consulting = org.put_business_unit("Konsultointi", "KONS", parent_guid=helsinki)
    unit = (await api.get(f"/v1/businessunits/{consulting}")).json()
    assert unit["parentGuid"] == helsinki
    assert unit["companyName"] == "Testi Oy"
    assert unit["companyBusinessUnitGuid"] == root
    assert unit["isActive"] is True
    top = (await api.get(f"/v1/businessunits/{root}")).json()
    assert (top["name"], top["parentGuid"]) == ("Testi Oy", None)
    clock.advance(minutes=1)
    patched = await api.replace(
        f"/v1/businessunits/{consulting}", name="Konsultit", isActive="false"
    )
    assert (patched.json()[0]["name"], patched.json()[0]["isActive"]) == ("Konsultit", False)
    assert patched.json()[0]["lastUpdatedDateTime"] == "2026-03-02T09:01:00.000000+00:00"
    for change in (
        {"parentGuid": consulting},  # under its own descendant (for Helsinki)
        {"parentGuid": "nope"},
        {"parentGuid": None},
        {"companyName": "x"},
        {"costCenter__guid": "x"},
    ):
        assert (await api.replace(f"/v1/businessunits/{helsinki}", **change)).status_code == 400, (
            change
        )
    assert (await api.replace(f"/v1/businessunits/{root}", parentGuid=helsinki)).status_code == 400
    assert (
        await api.replace(f"/v1/businessunits/{consulting}", parentGuid=root)
    ).status_code == 200
    with pytest.raises(SeveraFailure):
        org.put_business_unit("", "X")


async def test_patching_a_project_moves_it_between_filters(
    api: Api, org: Organisation, customer: str
) -> None:
    other = org.put_customer("Uusi asiakas Oy", 502)
    north = org.put_business_unit("Oulu", "OUL")
    project = org.put_project("Siirtyvä", customer, number=21)
    response = await api.patch(
        f"/v1/projects/{project}",
        [
            {"op": "replace", "path": "/businessUnit/guid", "value": north},
            {"op": "replace", "path": "/customer/guid", "value": other},
        ],
    )
    assert response.status_code == 200
    moved = response.json()[0]
    assert (moved["businessUnit"]["name"], moved["customer"]["number"]) == ("Oulu", 502)
    by_unit = await api.get("/v1/projects", params={"businessUnitGuids": north})
    assert [p["number"] for p in by_unit.json()] == [21]
    assert (await api.get("/v1/projects", params={"customerGuids": customer})).json() == []
    by_customer = await api.get("/v1/projects", params={"customerGuids": other})
    assert [p["number"] for p in by_customer.json()] == [21]
    tree = (await api.get(f"/v1/projects/{project}/phaseswithhierarchy")).json()
    assert tree[0]["customer"]["number"] == 502
    refused = await api.replace(f"/v1/projects/{project}", businessUnit__guid=None)
    assert refused.status_code == 400  # SimpleInputRequiredModel: the guid is required
