"""productlist.nv, getproduct.nv and product.nv (netvisor-api.md §6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from silta.sandbox.netvisor import NetvisorFailure, Organisation

from .helpers import Api, FakeClock, assert_ok, failure


def product_xml(
    *,
    code: str = "SKU-1",
    name: str = "Konsultointi",
    group: str = "Palvelut",
    price: str = "120,00",
    price_type: str = "net",
    vat: str | None = "25,5",
    extra_base: str = "",
    description: str | None = None,
) -> str:
    bookkeeping = (
        f"<productbookkeepingdetails><defaultvatpercentage>{vat}</defaultvatpercentage>"
        "</productbookkeepingdetails>"
        if vat is not None
        else ""
    )
    code_element = f"<productcode>{code}</productcode>" if code else ""
    description_element = "" if description is None else f"<description>{description}</description>"
    return (
        "<root><product><productbaseinformation>"
        f"{code_element}<productgroup>{group}</productgroup><name>{name}</name>{description_element}"
        f'<unitprice type="{price_type}">{price}</unitprice>{extra_base}'
        "<isactive>1</isactive><issalesproduct>1</issalesproduct>"
        f"</productbaseinformation>{bookkeeping}</product></root>"
    )


async def add(api: Api, body: str) -> int:
    root = assert_ok(await api.post("product.nv", {"method": "add"}, body))
    return int(root.findtext("Replies/InsertedDataIdentifier") or "0")


async def test_add_and_read_back(api: Api, org: Organisation) -> None:
    key = await add(
        api, product_xml(extra_base="<unit>h</unit><purchaseprice>40,5</purchaseprice>")
    )
    product = org.product(key)
    assert product is not None
    assert product.code == "SKU-1"
    assert product.unit_price == Decimal("120.00")
    assert product.vat == Decimal("25.5")

    root = assert_ok(await api.get("getproduct.nv", {"id": str(key)}))
    base = root.find("Product/ProductBaseInformation")
    assert base is not None
    assert base.findtext("NetvisorKey") == str(key)
    assert base.findtext("ProductGroup") == "Palvelut"
    unit_price = base.find("UnitPrice")
    assert unit_price is not None
    assert (unit_price.text, unit_price.get("type")) == ("120,000000000000", "net")
    assert base.findtext("UnitGrossPrice") == "150,600000000000"
    assert base.findtext("Unit") == "h"
    assert base.findtext("PurchasePrice") == "40,500000000000"
    assert base.findtext("IsActive") == "1"
    assert base.findtext("IsSalesProduct") == "1"
    assert root.findtext("Product/ProductBookKeepingDetails/DefaultVatPercent") == "25,5"


async def test_gross_price_is_converted_with_the_vat(api: Api, org: Organisation) -> None:
    key = await add(api, product_xml(price="62", price_type="gross", vat="24"))
    product = org.product(key)
    assert product is not None
    assert product.unit_price == Decimal(50)
    assert product.unit_gross_price == Decimal(62)
    root = assert_ok(await api.get("productlist.nv"))
    entry = root.find("ProductList/Product")
    assert entry is not None
    assert entry.findtext("UnitPrice") == "50,000000000000"
    assert entry.findtext("UnitGrossPrice") == "62,000000000000"


async def test_gross_price_reads_back_exactly_when_the_net_is_not_round(
    api: Api, org: Organisation
) -> None:
    key = await add(api, product_xml(price="100", price_type="gross", vat="25,5"))
    root = assert_ok(await api.get("getproduct.nv", {"id": str(key)}))
    assert root.findtext("Product/ProductBaseInformation/UnitGrossPrice") == "100,000000000000"
    assert root.findtext("Product/ProductBaseInformation/UnitPrice") == "79,681274900398"


async def test_vat_change_keeps_the_given_price(api: Api, org: Organisation) -> None:
    key = await add(api, product_xml(price="100", vat="24"))
    body = product_xml(price="100", vat="25,5")
    assert_ok(await api.post("product.nv", {"method": "edit", "id": str(key)}, body))
    product = org.product(key)
    assert product is not None
    assert product.unit_price == Decimal(100)
    assert product.unit_gross_price == Decimal("125.500")


async def test_no_bookkeeping_means_zero_vat(api: Api, org: Organisation) -> None:
    key = await add(api, product_xml(vat=None))
    product = org.product(key)
    assert product is not None
    assert product.vat == 0
    assert product.unit_gross_price == product.unit_price


async def test_duplicate_code(api: Api, org: Organisation) -> None:
    await add(api, product_xml(code="DUP"))
    response = await api.post(
        "product.nv", {"method": "add"}, product_xml(code="dup", name="Toinen")
    )
    assert failure(response) == "DUPLICATE_DATA"
    assert [p.name for p in org.products()] == ["Konsultointi"]


async def test_product_without_code_is_allowed(api: Api, org: Organisation) -> None:
    await add(api, product_xml(code=""))
    await add(api, product_xml(code=""))
    assert [p.code for p in org.products()] == ["", ""]


@pytest.mark.parametrize(
    ("body", "category"),
    [
        (product_xml(name="x" * 201), "INVALID_DATA_SIZE"),
        (product_xml(code="x" * 51), "INVALID_DATA_SIZE"),
        (product_xml(extra_base="<unit>" + "u" * 51 + "</unit>"), "INVALID_DATA_SIZE"),
        (product_xml(name=""), "INVALID_DATA"),
        (product_xml(group=""), "INVALID_DATA"),
        (product_xml(price="12,3,4"), "INVALID_DATA"),
        (product_xml(price="abc"), "INVALID_DATA"),
        (product_xml(price=""), "INVALID_DATA"),
        (product_xml(vat="101"), "INVALID_DATA"),
        (product_xml(vat="-1"), "INVALID_DATA"),
        (product_xml(price_type="both"), "INVALID_DATA"),  # the DTD's net|gross
        (product_xml().replace("<issalesproduct>1</issalesproduct>", ""), "INVALID_DATA"),
        (
            product_xml().replace("<isactive>1</isactive>", "<isactive>true</isactive>"),
            "INVALID_DATA",
        ),
    ],
)
async def test_refused_products(api: Api, org: Organisation, body: str, category: str) -> None:
    assert failure(await api.post("product.nv", {"method": "add"}, body)) == category
    assert org.products() == []


async def test_name_at_the_limit_is_accepted(api: Api) -> None:
    await add(api, product_xml(name="x" * 200))


async def test_decimal_dot_is_accepted(api: Api, org: Organisation) -> None:
    key = await add(api, product_xml(price="12.5", vat="14.0"))
    product = org.product(key)
    assert product is not None
    assert (product.unit_price, product.vat) == (Decimal("12.5"), Decimal(14))


async def test_edit_changes_only_given_elements(
    api: Api, org: Organisation, clock: FakeClock
) -> None:
    key = await add(api, product_xml(description="Kuvaus"))
    clock.advance(minutes=1)
    body = product_xml(name="Uusi nimi", price="130", description="")
    root = assert_ok(await api.post("product.nv", {"method": "edit", "id": str(key)}, body))
    assert root.find("Replies") is None
    product = org.product(key)
    assert product is not None
    assert (product.name, product.get("description"), product.unit_price) == (
        "Uusi nimi",
        "",
        Decimal(130),
    )
    assert product.vat == Decimal("25.5")
    assert product.changed_at == clock.now


async def test_edit_unknown_id(api: Api) -> None:
    assert failure(await api.post("product.nv", {"method": "edit", "id": "4"}, product_xml())) == (
        "INVALID_DATA"
    )


async def test_product_groups_get_ids(api: Api, org: Organisation) -> None:
    await add(api, product_xml(code="A", group="Palvelut"))
    await add(api, product_xml(code="B", group="Tarvikkeet"))
    await add(api, product_xml(code="C", group="palvelut"))
    root = assert_ok(await api.get("productlist.nv"))
    groups = [
        (p.findtext("ProductGroupID"), p.findtext("ProductGroupDescription"))
        for p in root.findall("ProductList/Product")
    ]
    assert groups == [("1", "Palvelut"), ("2", "Tarvikkeet"), ("1", "palvelut")]


# -- getproduct.nv -------------------------------------------------------------------------


async def test_getproduct_unknown_id_is_an_empty_product(api: Api) -> None:
    response = await api.get("getproduct.nv", {"id": "999"})
    root = assert_ok(response)
    product = root.find("Product")
    assert product is not None
    assert len(product) == 0
    assert b"<Product></Product>" in response.content
    assert_ok(await api.get("getproduct.nv", {"code": "NOPE"}))


async def test_getproduct_by_code_and_lists(api: Api, org: Organisation) -> None:
    a = org.put_product(productcode="A-1", name="A", unitprice="1")
    b = org.put_product(productcode="B-2", name="B", unitprice="2")

    root = assert_ok(await api.get("getproduct.nv", {"code": "b-2"}))
    assert root.findtext("Product/ProductBaseInformation/NetvisorKey") == str(b)

    def keys(root_element: etree._Element) -> list[str]:
        return [
            p.findtext("ProductBaseInformation/NetvisorKey") or ""
            for p in root_element.findall("Products/Product")
        ]

    assert keys(assert_ok(await api.get("getproduct.nv", {"codelist": "B-2,ZZZ,A-1"}))) == [
        str(b),
        str(a),
    ]
    assert keys(assert_ok(await api.get("getproduct.nv", {"idlist": f"{a},{b},7"}))) == [
        str(a),
        str(b),
    ]
    too_many = ",".join(str(n) for n in range(401))
    assert failure(await api.get("getproduct.nv", {"idlist": too_many})) == "INVALID_DATA_SIZE"
    assert failure(await api.get("getproduct.nv", {"codelist": too_many})) == "INVALID_DATA_SIZE"


async def test_getproduct_needs_exactly_one_selector(api: Api) -> None:
    assert failure(await api.get("getproduct.nv")) == "INVALID_DATA"
    assert failure(await api.get("getproduct.nv", {"id": "1", "code": "A"})) == "INVALID_DATA"


# -- productlist.nv ------------------------------------------------------------------------


async def test_productlist_filters(api: Api, org: Organisation, clock: FakeClock) -> None:
    org.put_product(productcode="KONS-1", name="Konsultointi", unitprice="100")
    clock.advance(hours=2)
    second = org.put_product(productcode="X-2", name="Asennus", unitprice="50")

    async def codes(params: dict[str, str]) -> list[str]:
        root = assert_ok(await api.get("productlist.nv", params))
        return [p.findtext("ProductCode") or "" for p in root.findall("ProductList/Product")]

    assert await codes({}) == ["KONS-1", "X-2"]
    assert await codes({"keyword": "kons"}) == ["KONS-1"]
    assert await codes({"keyword": "x-"}) == ["X-2"]
    assert await codes({"published": "1", "deleted": "0"}) == ["KONS-1", "X-2"]
    since = "2026-03-02T13:00:00"  # 11:00 UTC: after the first, before the second
    assert await codes({"changedsince": since}) == ["X-2"]
    assert await codes({"changedsince": since, "keyword": "kons"}) == []
    root = assert_ok(await api.get("productlist.nv", {"keyword": "asennus"}))
    assert root.findtext("ProductList/Product/Uri") == (
        f"https://isvapi.netvisor.fi/getproduct.nv?id={second}"
    )


async def test_productlist_empty(api: Api) -> None:
    root = assert_ok(await api.get("productlist.nv"))
    product_list = root.find("ProductList")
    assert product_list is not None
    assert len(product_list) == 0


async def test_put_product_validates_like_the_api(org: Organisation) -> None:
    org.put_product(productcode="T", name="T")
    with pytest.raises(NetvisorFailure) as raised:
        org.put_product(productcode="t", name="T2")
    assert raised.value.category == "DUPLICATE_DATA"


FULL_PRODUCT = """<root><product>
  <productbaseinformation>
    <productcode>FULL-1</productcode><productgroup>Palvelut</productgroup><name>Täysi</name>
    <description>Kuvaus</description><unitprice type="gross">124</unitprice><unit>kpl</unit>
    <unitweight>1,5</unitweight><kaukevaproductcode>K1</kaukevaproductcode>
    <purchaseprice>40</purchaseprice><tariffheading>8471</tariffheading>
    <comissionpercentage>2,5</comissionpercentage><isactive>1</isactive>
    <issalesproduct>0</issalesproduct><inventoryenabled>1</inventoryenabled>
    <countryoforigin type="ISO-3166">se</countryoforigin>
    <primaryeancode>6400000000001</primaryeancode>
    <secondaryeancode>6400000000002</secondaryeancode>
  </productbaseinformation>
  <productbookkeepingdetails><defaultvatpercentage>24</defaultvatpercentage>
    <defaultdomesticaccountnumber>3000</defaultdomesticaccountnumber>
    <defaulteuaccountnumber>3100</defaulteuaccountnumber>
    <defaultoutsideeuaccountnumber>3200</defaultoutsideeuaccountnumber>
  </productbookkeepingdetails>
  <productadditionalinformation><productnetweight>2</productnetweight>
    <productgrossweight>2,25</productgrossweight><productweightunit>kg</productweightunit>
    <productpackageinformation><packagewidth>10</packagewidth><packageheight>20</packageheight>
      <packagelength>30</packagelength></productpackageinformation>
  </productadditionalinformation>
</product></root>"""


async def test_every_dtd_element_is_accepted_and_rendered(api: Api, org: Organisation) -> None:
    key = await add(api, FULL_PRODUCT)
    product = org.product(key)
    assert product is not None
    assert product.unit_price == Decimal(100)
    detail = assert_ok(await api.get("getproduct.nv", {"id": str(key)}))
    expected = {
        "ProductBaseInformation/UnitPrice": "100,000000000000",
        "ProductBaseInformation/UnitGrossPrice": "124,000000000000",
        "ProductBaseInformation/UnitWeight": "1,5",
        "ProductBaseInformation/ComissionPercentage": "2,5",
        "ProductBaseInformation/IsSalesProduct": "0",
        "ProductBaseInformation/CountryOfOrigin": "SE",
        "ProductBookKeepingDetails/DefaultVatPercent": "24",
        "ProductBookKeepingDetails/DefaultOutsideEUAccountNumber": "3200",
        "ProductAdditionalInformation/ProductGrossWeight": "2,25",
        "ProductAdditionalInformation/ProductPackageInformation/PackageLength": "30",
        "ProductAdditionalInformation/PrimaryEanCode": "6400000000001",
    }
    for path, value in expected.items():
        assert detail.findtext(f"Product/{path}") == value, path
    by_ean = assert_ok(await api.get("getproduct.nv", {"eancode": "6400000000002"}))
    assert by_ean.findtext("Product/ProductBaseInformation/NetvisorKey") == str(key)
