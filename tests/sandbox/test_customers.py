"""customerlist.nv, getcustomer.nv and customer.nv (netvisor-api.md §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from silta.sandbox.netvisor import Organisation

from .helpers import Api, FakeClock, assert_ok, failure, must, status


def customer_xml(base: str = "", *, sections: str = "") -> str:
    return (
        "<root><customer><customerbaseinformation>"
        f"{base}</customerbaseinformation>{sections}</customer></root>"
    )


async def add(api: Api, base: str, sections: str = "", **params: str) -> int:
    root = assert_ok(
        await api.post(
            "customer.nv", {"method": "add", **params}, customer_xml(base, sections=sections)
        )
    )
    return int(root.findtext("Replies/InsertedDataIdentifier") or "0")


# -- customer.nv: add ----------------------------------------------------------------------


async def test_add_returns_the_new_key_and_stores_every_element(
    api: Api, org: Organisation
) -> None:
    key = await add(
        api,
        "<internalidentifier>101</internalidentifier>"
        "<externalidentifier>1234567-1</externalidentifier>"
        "<name>Esimerkki Oy</name><streetaddress>Esimerkkikatu 1</streetaddress>"
        "<city>Helsinki</city><postnumber>00100</postnumber>"
        '<country type="ISO-3166">fi</country><isactive>1</isactive>',
        "<customerfinvoicedetails><finvoiceaddress>003712345671</finvoiceaddress>"
        "<finvoiceroutercode>003721291126</finvoiceroutercode></customerfinvoicedetails>"
        "<customeradditionalinformation><comment>Synced</comment>"
        '<invoicinglanguage type="ISO-3166">en</invoicinglanguage>'
        "</customeradditionalinformation>",
    )
    customer = org.customer(key)
    assert customer is not None
    assert customer.key == key
    assert dict(customer.fields) == {
        "internalidentifier": "101",
        "externalidentifier": "1234567-1",
        "name": "Esimerkki Oy",
        "streetaddress": "Esimerkkikatu 1",
        "city": "Helsinki",
        "postnumber": "00100",
        "country": "FI",
        "isactive": "1",
        "isprivatecustomer": "0",
        "finvoiceaddress": "003712345671",
        "finvoiceroutercode": "003721291126",
        "comment": "Synced",
        "invoicinglanguage": "EN",
    }


async def test_add_defaults(api: Api, org: Organisation, clock: FakeClock) -> None:
    key = await add(api, "<name>Pelkkä nimi</name>")
    customer = org.customer(key)
    assert customer is not None
    assert customer.get("isactive") == "1"
    assert customer.get("isprivatecustomer") == "0"
    assert customer.code == ""
    assert customer.changed_at == clock.now


async def test_add_without_name_is_refused(api: Api, org: Organisation) -> None:
    body = customer_xml("<internalidentifier>5</internalidentifier>")
    assert failure(await api.post("customer.nv", {"method": "add"}, body)) == "INVALID_DATA"
    assert org.customers() == []


async def test_duplicate_code_on_add(api: Api, org: Organisation) -> None:
    org.put_customer(internalidentifier="A-1", name="First")
    body = customer_xml("<internalidentifier>a-1</internalidentifier><name>Second</name>")
    assert failure(await api.post("customer.nv", {"method": "add"}, body)) == "DUPLICATE_DATA"
    assert [c.name for c in org.customers()] == ["First"]


async def test_automatic_code_takes_the_next_free_number(api: Api, org: Organisation) -> None:
    org.put_customer(internalidentifier="0041", name="A")
    org.put_customer(internalidentifier="107", name="B")
    org.put_customer(internalidentifier="X-900", name="C")
    key = await add(api, '<internalidentifier type="automatic"></internalidentifier><name>D</name>')
    customer = org.customer(key)
    assert customer is not None
    assert customer.code == "108"
    key = await add(api, '<internalidentifier type="automatic" /><name>E</name>')
    assert must(org.customer(key)).code == "109"


async def test_automatic_attribute_with_a_value_keeps_the_value(
    api: Api, org: Organisation
) -> None:
    key = await add(
        api, '<internalidentifier type="automatic">555</internalidentifier><name>D</name>'
    )
    assert must(org.customer(key)).code == "555"


async def test_unknown_operator_is_refused_by_name(api: Api, org: Organisation) -> None:
    body = customer_xml(
        "<name>Oy</name>",
        sections="<customerfinvoicedetails><finvoiceaddress>FI123</finvoiceaddress>"
        "<finvoiceroutercode>MAVENTA</finvoiceroutercode></customerfinvoicedetails>",
    )
    response = await api.post("customer.nv", {"method": "add"}, body, language="EN")
    assert failure(response) == "INVALID_DATA"
    assert "MAVENTA" in status(response)[1]
    assert org.customers() == []


async def test_operator_must_match_exactly(api: Api) -> None:
    body = customer_xml(
        "<name>Oy</name>",
        sections="<customerfinvoicedetails><finvoiceroutercode>ndeafihh</finvoiceroutercode>"
        "</customerfinvoicedetails>",
    )
    assert failure(await api.post("customer.nv", {"method": "add"}, body)) == "INVALID_DATA"


@pytest.mark.parametrize(
    ("element", "length"),
    [
        ("internalidentifier", 51),
        ("name", 251),
        ("nameextension", 251),
        ("streetaddress", 81),
        ("additionaladdressline", 81),
        ("city", 81),
        ("postnumber", 51),
    ],
)
async def test_length_limits(api: Api, org: Organisation, element: str, length: int) -> None:
    order = [
        "internalidentifier",
        "name",
        "nameextension",
        "streetaddress",
        "additionaladdressline",
        "city",
        "postnumber",
    ]
    at_limit = dict.fromkeys(order, "x") | {element: "x" * (length - 1)}
    over = at_limit | {element: "x" * length}
    at_limit["internalidentifier"] = at_limit["internalidentifier"] or "1"

    def body(values: dict[str, str]) -> str:
        return customer_xml("".join(f"<{e}>{values[e]}</{e}>" for e in order))

    assert (
        failure(await api.post("customer.nv", {"method": "add"}, body(over))) == "INVALID_DATA_SIZE"
    )
    assert org.customers() == []
    assert_ok(await api.post("customer.nv", {"method": "add"}, body(at_limit)))


@pytest.mark.parametrize(
    ("value", "category"),
    [
        ("00371234567", "INVALID_DATA_SIZE"),
        ("003712345678901234", "INVALID_DATA_SIZE"),
        ("0037ABC45678", "INVALID_DATA"),
        ("003712345678", None),
        ("00371234567890123", None),
    ],
)
async def test_organization_unit_number(api: Api, value: str, category: str | None) -> None:
    body = customer_xml(f"<organizationunitnumber>{value}</organizationunitnumber><name>Oy</name>")
    response = await api.post("customer.nv", {"method": "add"}, body)
    if category is None:
        assert_ok(response)
    else:
        assert failure(response) == category


@pytest.mark.parametrize(
    "base",
    [
        "<name>Oy</name><isactive>yes</isactive>",
        "<name>Oy</name><isprivatecustomer>2</isprivatecustomer>",
        "<name>Oy</name><country>FIN</country>",
    ],
)
async def test_invalid_values(api: Api, base: str) -> None:
    assert (
        failure(await api.post("customer.nv", {"method": "add"}, customer_xml(base)))
        == "INVALID_DATA"
    )


async def test_invalid_invoicing_language(api: Api) -> None:
    body = customer_xml(
        "<name>Oy</name>",
        sections="<customeradditionalinformation><invoicinglanguage>DE</invoicinglanguage>"
        "</customeradditionalinformation>",
    )
    assert failure(await api.post("customer.nv", {"method": "add"}, body)) == "INVALID_DATA"


async def test_missing_or_bad_method(api: Api) -> None:
    body = customer_xml("<name>Oy</name>")
    assert failure(await api.post("customer.nv", {}, body)) == "INVALID_DATA"
    assert failure(await api.post("customer.nv", {"method": "upsert"}, body)) == "INVALID_DATA"


# -- customer.nv: edit ---------------------------------------------------------------------


async def test_edit_changes_present_blanks_empty_keeps_absent(
    api: Api, org: Organisation, clock: FakeClock
) -> None:
    key = org.put_customer(
        internalidentifier="201",
        name="Vanha Oy",
        city="Turku",
        phonenumber="02 123",
        email="a@b.fi",
        comment="keep",
    )
    clock.advance(minutes=3)
    body = customer_xml(
        "<name>Uusi Oy</name><city></city><phonenumber />",
        sections="<customerdeliverydetails />",
    )
    response = await api.post("customer.nv", {"method": "edit", "id": str(key)}, body)
    root = assert_ok(response)
    assert root.find("Replies") is None
    customer = org.customer(key)
    assert customer is not None
    assert customer.name == "Uusi Oy"
    assert customer.get("city") == ""
    assert customer.get("phonenumber") == ""
    assert customer.get("email") == "a@b.fi"
    assert customer.get("comment") == "keep"
    assert customer.code == "201"
    assert customer.changed_at == clock.now


async def test_edit_cannot_blank_the_name(api: Api, org: Organisation) -> None:
    key = org.put_customer(name="Nimi Oy")
    body = customer_xml("<name></name>")
    response = await api.post("customer.nv", {"method": "edit", "id": str(key)}, body)
    assert failure(response) == "INVALID_DATA"
    assert must(org.customer(key)).name == "Nimi Oy"


async def test_edit_unknown_id(api: Api) -> None:
    body = customer_xml("<name>X</name>")
    response = await api.post("customer.nv", {"method": "edit", "id": "999"}, body, language="EN")
    assert status(response) == [
        "FAILED",
        "INVALID_DATA :: Data form incorrect:. Customer not found with Netvisor identifier: 999",
    ]


async def test_edit_without_id(api: Api) -> None:
    body = customer_xml("<name>X</name>")
    assert failure(await api.post("customer.nv", {"method": "edit"}, body)) == "INVALID_DATA"


async def test_edit_into_a_taken_code_is_duplicate(api: Api, org: Organisation) -> None:
    org.put_customer(internalidentifier="301", name="A")
    key = org.put_customer(internalidentifier="302", name="B")
    body = customer_xml("<internalidentifier>301</internalidentifier>")
    response = await api.post("customer.nv", {"method": "edit", "id": str(key)}, body)
    assert failure(response) == "DUPLICATE_DATA"
    assert must(org.customer(key)).code == "302"
    # Keeping its own code is not a collision, and a freed code can be taken.
    assert_ok(
        await api.post(
            "customer.nv",
            {"method": "edit", "id": str(key)},
            customer_xml("<internalidentifier>302</internalidentifier>"),
        )
    )


async def test_edit_can_take_a_freed_code(api: Api, org: Organisation) -> None:
    first = org.put_customer(internalidentifier="401", name="A")
    second = org.put_customer(internalidentifier="402", name="B")
    edit = {"method": "edit", "id": str(first)}
    assert_ok(
        await api.post(
            "customer.nv", edit, customer_xml("<internalidentifier>499</internalidentifier>")
        )
    )
    edit = {"method": "edit", "id": str(second)}
    assert_ok(
        await api.post(
            "customer.nv", edit, customer_xml("<internalidentifier>401</internalidentifier>")
        )
    )
    assert must(org.customer_by_code("401")).key == second
    assert org.customer_by_code("402") is None


# -- getcustomer.nv ------------------------------------------------------------------------


async def test_getcustomer_single(api: Api, org: Organisation) -> None:
    key = org.put_customer(
        internalidentifier="501",
        name='Smith & Sons <Oy> "ÅÄÖ"',
        additionaladdressline="B 2",
        country="FI",
        finvoiceaddress="003712345671",
        finvoiceroutercode="003721291126",
        invoicinglanguage="SE",
        isprivatecustomer="0",
    )
    root = assert_ok(await api.get("getcustomer.nv", {"id": str(key)}))
    customer = root.find("Customer")
    assert customer is not None
    base = customer.find("CustomerBaseInformation")
    assert base is not None
    assert base.findtext("NetvisorKey") == str(key)
    assert base.findtext("InternalIdentifier") == "501"
    assert base.findtext("Name") == 'Smith & Sons <Oy> "ÅÄÖ"'
    assert base.findtext("AdditionalStreetAddress") == "B 2"
    country = base.find("Country")
    assert country is not None
    assert (country.text, country.get("type")) == ("FI", "ISO-3166")
    assert base.findtext("IsActive") == "1"
    assert base.findtext("IsPrivateCustomer") == "0"
    assert base.find("OrganizationUnitNumber") is None
    assert customer.findtext("CustomerFinvoiceDetails/FinvoiceRouterCode") == "003721291126"
    language = customer.find("CustomerAdditionalInformation/InvoicingLanguage")
    assert language is not None
    assert (language.text, language.get("type")) == ("SE", "ISO-3166")
    assert [child.tag for child in customer] == [
        "CustomerBaseInformation",
        "CustomerFinvoiceDetails",
        "CustomerDeliveryDetails",
        "CustomerContactDetails",
        "CustomerAdditionalInformation",
    ]


async def test_getcustomer_unknown_id(api: Api) -> None:
    response = await api.get("getcustomer.nv", {"id": "123"}, language="EN")
    assert status(response)[1] == (
        "INVALID_DATA :: Data form incorrect:. Customer not found with Netvisor identifier: 123"
    )


async def test_getcustomer_idlist_skips_unknown_keeps_order(api: Api, org: Organisation) -> None:
    a = org.put_customer(name="A")
    b = org.put_customer(name="B")
    root = assert_ok(await api.get("getcustomer.nv", {"idlist": f"{b},999,{a},{b}"}))
    assert root.find("Customer") is None
    keys = [
        c.findtext("CustomerBaseInformation/NetvisorKey")
        for c in root.findall("Customers/Customer")
    ]
    assert keys == [str(b), str(a)]


async def test_getcustomer_idlist_limit(api: Api) -> None:
    ids = ",".join(str(n) for n in range(1, 502))
    assert failure(await api.get("getcustomer.nv", {"idlist": ids})) == "INVALID_DATA_SIZE"
    assert status(await api.get("getcustomer.nv", {"idlist": ids.rsplit(",", 1)[0]})) == ["OK"]


@pytest.mark.parametrize("params", [{}, {"id": "1", "idlist": "1"}, {"id": "x"}])
async def test_getcustomer_bad_parameters(api: Api, params: dict[str, str]) -> None:
    assert failure(await api.get("getcustomer.nv", params)) == "INVALID_DATA"


async def test_getcustomer_dimensions_after_write(api: Api, org: Organisation) -> None:
    org.put_dimension_header("Projekti")
    sections = (
        "<customerdimensiondetails><dimension><dimensionname>Projekti</dimensionname>"
        "<dimensionitem>P-1</dimensionitem></dimension></customerdimensiondetails>"
    )
    key = await add(api, "<name>Dim Oy</name>", sections)
    root = assert_ok(await api.get("getcustomer.nv", {"id": str(key)}))
    dimension = root.find("Customer/CustomerAdditionalInformation/CustomerDimensions/Dimension")
    assert dimension is not None
    item = org.dimension_items("Projekti")[0]
    assert dimension.findtext("DimensionItem") == "P-1"
    assert must(dimension.find("DimensionItem")).get("netvisorkey") == str(item.key)

    # With useonlyexistingdimensions=1 an unknown item is refused; an unknown header always is.
    body = customer_xml("<name>X</name>", sections=sections.replace("P-1", "P-2"))
    strict = {"method": "add", "useonlyexistingdimensions": "1"}
    assert failure(await api.post("customer.nv", strict, body)) == "INVALID_DATA"
    body = customer_xml("<name>X</name>", sections=sections.replace("Projekti", "Kustannus"))
    assert failure(await api.post("customer.nv", {"method": "add"}, body)) == "INVALID_DATA"
    assert len(org.customers()) == 1


# -- customerlist.nv -----------------------------------------------------------------------


async def test_customerlist_shape(api: Api, org: Organisation) -> None:
    key = org.put_customer(
        internalidentifier="601",
        name="Lista Oy",
        externalidentifier="1234567-1",
        customergroupname="Tukku",
    )
    org.put_customer(name="Henkilö", externalidentifier="010190-123A", isprivatecustomer="1")
    root = assert_ok(await api.get("customerlist.nv"))
    entries = root.findall("Customerlist/Customer")
    assert len(entries) == 2
    first = entries[0]
    assert [child.tag for child in first] == [
        "Netvisorkey",
        "Name",
        "Code",
        "OrganisationIdentifier",
        "CustomerGroupID",
        "CustomerGroupName",
        "Uri",
    ]
    assert first.findtext("Netvisorkey") == str(key)
    assert first.findtext("OrganisationIdentifier") == "1234567-1"
    assert first.findtext("CustomerGroupID") == "1"
    assert first.findtext("CustomerGroupName") == "Tukku"
    assert first.findtext("Uri") == f"https://isvapi.netvisor.fi/getcustomer.nv?id={key}"
    assert entries[1].findtext("OrganisationIdentifier") == ""


async def test_customerlist_empty(api: Api) -> None:
    response = await api.get("customerlist.nv")
    root = assert_ok(response)
    customer_list = root.find("Customerlist")
    assert customer_list is not None
    assert len(customer_list) == 0


async def test_customerlist_keyword(api: Api, org: Organisation) -> None:
    org.put_customer(internalidentifier="701", name="Alfa Oy")
    org.put_customer(internalidentifier="702", name="Beta", nameextension="ALFAN tytär")
    org.put_customer(internalidentifier="alf-3", name="Gamma")
    org.put_customer(internalidentifier="704", name="Delta", externalidentifier="7777777-7")
    org.put_customer(internalidentifier="705", name="Epsilon", city="Alfala")

    async def names(keyword: str) -> list[str]:
        root = assert_ok(await api.get("customerlist.nv", {"keyword": keyword}))
        return [c.findtext("Name") or "" for c in root.findall("Customerlist/Customer")]

    assert await names("alf") == ["Alfa Oy", "Beta", "Gamma"]
    assert await names("7777") == ["Delta"]
    assert await names("zzz") == []


async def test_customerlist_changedsince_uses_helsinki_time(
    api: Api, org: Organisation, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 6, 1, 9, 0, 0, tzinfo=UTC)  # 12:00 in Helsinki (summer time)
    old = org.put_customer(name="Old")
    clock.advance(hours=1)  # 13:00 Helsinki
    new = org.put_customer(name="New")

    async def keys(since: str) -> list[int]:
        root = assert_ok(await api.get("customerlist.nv", {"changedsince": since}))
        return [int(c.findtext("Netvisorkey") or 0) for c in root.findall("Customerlist/Customer")]

    assert await keys("2026-06-01T12:30:00") == [new]
    assert await keys("2026-06-01 11:59:59") == [old, new]
    assert await keys("2026-06-01T12:00:00") == [new]  # strictly after
    assert await keys("2026-06-01") == [old, new]
    assert await keys("2026-06-01T13:00:00") == []

    org.touch_customer(old, clock.now + timedelta(minutes=5))
    assert await keys("2026-06-01T13:00:00") == [old]


async def test_customerlist_keyword_ignores_changedsince(api: Api, org: Organisation) -> None:
    org.put_customer(name="Vanha Alfa")
    root = assert_ok(
        await api.get("customerlist.nv", {"keyword": "alfa", "changedsince": "2099-01-01T00:00:00"})
    )
    assert len(root.findall("Customerlist/Customer")) == 1


@pytest.mark.parametrize("since", ["2026-13-01", "yesterday", "2026-01-01T25:00:00", "1.1.2026"])
async def test_customerlist_bad_changedsince(api: Api, since: str) -> None:
    assert failure(await api.get("customerlist.nv", {"changedsince": since})) == "INVALID_DATA"


async def test_customerlist_codelist(api: Api, org: Organisation) -> None:
    a = org.put_customer(internalidentifier="801", name="Alfa")
    org.put_customer(internalidentifier="802", name="Beta")
    c = org.put_customer(internalidentifier="803", name="Alfred")

    async def keys(params: dict[str, str]) -> list[int]:
        root = assert_ok(await api.get("customerlist.nv", params))
        return [int(c.findtext("Netvisorkey") or 0) for c in root.findall("Customerlist/Customer")]

    assert await keys({"customercodelist": "803, 801,999"}) == [a, c]
    assert await keys({"customercodelist": "801,802,803", "keyword": "alf"}) == [a, c]
    too_many = ",".join(str(n) for n in range(101))
    assert (
        failure(await api.get("customerlist.nv", {"customercodelist": too_many}))
        == "INVALID_DATA_SIZE"
    )


async def test_query_parameter_names_are_case_insensitive(api: Api, org: Organisation) -> None:
    org.put_customer(name="Alfa")
    org.put_customer(name="Beta")
    root = assert_ok(await api.get("customerlist.nv", {"Keyword": "bet"}))
    assert [c.findtext("Name") for c in root.findall("Customerlist/Customer")] == ["Beta"]


async def test_put_customer_rejects_unknown_elements(org: Organisation) -> None:
    with pytest.raises(TypeError):
        org.put_customer(name="X", nickname="Y")


FULL_CUSTOMER = """<root><customer>
  <customerbaseinformation>
    <internalidentifier>990</internalidentifier><externalidentifier>1234567-1</externalidentifier>
    <organizationunitnumber>003712345671</organizationunitnumber><name>Täysi Oy</name>
    <nameextension>Konserni</nameextension><streetaddress>Katu 1</streetaddress>
    <additionaladdressline>PL 5</additionaladdressline><city>Oulu</city>
    <postnumber>90100</postnumber><country type="ISO-3166">FI</country>
    <customergroupname>Tukku</customergroupname><phonenumber>08 123</phonenumber>
    <faxnumber>08 124</faxnumber><email>a@b.fi</email><homepageuri>www.b.fi</homepageuri>
    <isactive>1</isactive><isprivatecustomer>0</isprivatecustomer>
    <emailinvoicingaddress>laskut@b.fi</emailinvoicingaddress>
  </customerbaseinformation>
  <customerfinvoicedetails><finvoiceaddress>003712345671</finvoiceaddress>
    <finvoiceroutercode>003721291126</finvoiceroutercode></customerfinvoicedetails>
  <customermaventaedidetails><maventaedichannel>1</maventaedichannel>
    <maventaedicustomeridentifier>X</maventaedicustomeridentifier></customermaventaedidetails>
  <customerdeliverydetails><deliveryname>Varasto</deliveryname>
    <deliverystreetaddress>Tie 2</deliverystreetaddress><deliverycity>Kempele</deliverycity>
    <deliverypostnumber>90440</deliverypostnumber><deliverycountry>FI</deliverycountry>
  </customerdeliverydetails>
  <customercontactdetails><contactname>Myynti</contactname><contactperson>Aino</contactperson>
    <contactpersonemail>aino@b.fi</contactpersonemail>
    <contactpersonphone>040 1</contactpersonphone></customercontactdetails>
  <customeradditionalinformation><comment>C</comment>
    <customeragreementidentifier>SOP-1</customeragreementidentifier>
    <customerreferencenumber>1232</customerreferencenumber>
    <directdebitbankaccount>FI00</directdebitbankaccount><invoicinglanguage>FI</invoicinglanguage>
    <invoiceprintchannelformat type="netvisor">1</invoiceprintchannelformat>
    <yourdefaultreference>Ref</yourdefaultreference>
    <defaulttextbeforeinvoicelines>Alku</defaulttextbeforeinvoicelines>
    <defaulttextafterinvoicelines>Loppu</defaulttextafterinvoicelines>
    <defaultpaymentterm type="netvisor">14</defaultpaymentterm>
    <defaultsalesperson><salespersonid type="netvisor">3</salespersonid></defaultsalesperson>
  </customeradditionalinformation>
  <customerdimensiondetails />
</customer></root>"""


async def test_every_dtd_element_is_accepted_and_rendered(api: Api, org: Organisation) -> None:
    root = assert_ok(await api.post("customer.nv", {"method": "add"}, FULL_CUSTOMER))
    key = root.findtext("Replies/InsertedDataIdentifier") or ""
    customer = must(org.customer(int(key)))
    assert customer.get("salespersonid") == "3"
    assert customer.get("maventaedichannel") == "1"
    detail = assert_ok(await api.get("getcustomer.nv", {"id": key}))
    expected = {
        "CustomerBaseInformation/OrganizationUnitNumber": "003712345671",
        "CustomerBaseInformation/CustomerGroupName": "Tukku",
        "CustomerBaseInformation/CustomerGroupNetvisorKey": "1",
        "CustomerBaseInformation/EmailInvoicingAddress": "laskut@b.fi",
        "CustomerDeliveryDetails/DeliveryCity": "Kempele",
        "CustomerDeliveryDetails/DeliveryCountry": "FI",
        "CustomerContactDetails/ContactPerson": "Aino",
        "CustomerAdditionalInformation/ReferenceNumber": "1232",
        "CustomerAdditionalInformation/DefaultTextAfterInvoiceLines": "Loppu",
    }
    for path, value in expected.items():
        assert detail.findtext(f"Customer/{path}") == value, path
