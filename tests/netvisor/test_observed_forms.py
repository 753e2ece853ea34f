"""Every documented and observed form of Netvisor's answers, one test per form.

The fixtures are written here from the shapes in ``shared/reference/netvisor-api.md``
(§3 general rules, §4 customers, §6 products): the element names and attributes Netvisor's
own pages, Visma's sample client and the public clients' fixtures show, in the variants
they show. Each form is read through the client, as the sync reads it.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from silta import netvisor
from silta.netvisor import NetvisorProtocolError, UnreadRecord
from silta.registers import products as product_rules
from silta.sandbox.netvisor import Integration, NetvisorSandbox

from ..sandbox.helpers import FakeClock, assert_ok, signed_headers
from .conftest import make_client as _make_client
from .conftest import ok


def make_client(payload: str) -> netvisor.NetvisorClient:
    return _make_client(lambda request: ok(payload))


def product(prices: str, vat: str = "22", key: str = "<NetvisorKey>7</NetvisorKey>") -> str:
    """A getproduct.nv answer (Root/Product, §6.2) with the given price elements."""
    return (
        f"<Product><ProductBaseInformation>{key}<ProductCode>K-1</ProductCode>"
        f"<ProductGroup>Kirjat</ProductGroup><Name>Kirja</Name>{prices}"
        "<IsActive>1</IsActive><IsSalesProduct>1</IsSalesProduct></ProductBaseInformation>"
        f"<ProductBookKeepingDetails><DefaultVatPercent>{vat}</DefaultVatPercent>"
        "</ProductBookKeepingDetails></Product>"
    )


def customer(key: int | None, code: str, name: str = "Asiakas Oy") -> str:
    """One ``<Customer>`` of getcustomer.nv (§4.2), its key left out when ``None``."""
    netvisor_key = "" if key is None else f"<NetvisorKey>{key}</NetvisorKey>"
    return (
        f"<Customer><CustomerBaseInformation>{netvisor_key}"
        f"<InternalIdentifier>{code}</InternalIdentifier><Name>{name}</Name>"
        "<IsActive>1</IsActive></CustomerBaseInformation></Customer>"
    )


# -- prices: the type attribute in both languages and any case ---------------------------------


async def test_a_unit_price_typed_brutto_is_the_gross_price_and_becomes_net_for_severa() -> None:
    """The issue's case: 42,5 gross with 22 % VAT is 34,84 net, never 42,5."""
    client = make_client(product('<UnitPrice type="brutto">42,5</UnitPrice>'))
    read = await client.get_product(7)
    assert (read.unit_price, read.unit_gross_price) == (None, Decimal("42.5"))
    assert product_rules.from_netvisor(read).record.unit_price == Decimal("34.84")


@pytest.mark.parametrize("spelling", ["gross", "Gross", "GROSS", "brutto", "Brutto", "BRUTTO"])
async def test_every_spelling_of_gross_is_gross(spelling: str) -> None:
    client = make_client(product(f'<UnitPrice type="{spelling}">124</UnitPrice>', vat="24"))
    read = await client.get_product(7)
    assert (read.unit_price, read.unit_gross_price) == (None, Decimal("124"))
    assert product_rules.from_netvisor(read).record.unit_price == Decimal("100.00")


@pytest.mark.parametrize("spelling", ["net", "Net", "NET", "netto", "Netto", "NETTO", ""])
async def test_every_spelling_of_net_is_net(spelling: str) -> None:
    attribute = f' type="{spelling}"' if spelling else ""
    client = make_client(product(f"<UnitPrice{attribute}>100,00</UnitPrice>"))
    read = await client.get_product(7)
    assert (read.unit_price, read.unit_gross_price) == (Decimal("100.00"), None)


async def test_unit_gross_price_beside_unit_price_gives_both() -> None:
    """getproduct.nv's documented pair, ``UnitPrice type="net"`` and ``UnitGrossPrice
    type="gross"``; the net price goes to Severa as it is."""
    client = make_client(
        product(
            '<UnitPrice type="net">34,840000000000</UnitPrice>'
            '<UnitGrossPrice type="gross">42,504800000000</UnitGrossPrice>'
        )
    )
    read = await client.get_product(7)
    assert (read.unit_price, read.unit_gross_price) == (Decimal("34.84"), Decimal("42.5048"))
    assert product_rules.from_netvisor(read).record.unit_price == Decimal("34.84")


async def test_unit_gross_price_beside_unit_price_in_finnish_words() -> None:
    client = make_client(
        product(
            '<UnitGrossPrice type="Brutto">62,00</UnitGrossPrice>'
            '<UnitPrice type="Netto">50,00</UnitPrice>'
        )
    )
    read = await client.get_product(7)
    assert (read.unit_price, read.unit_gross_price) == (Decimal("50.00"), Decimal("62.00"))


async def test_a_gross_unit_price_beside_unit_gross_price_leaves_the_net_price_unknown() -> None:
    client = make_client(
        product('<UnitPrice type="brutto">62</UnitPrice><UnitGrossPrice>62</UnitGrossPrice>', "24")
    )
    read = await client.get_product(7)
    assert (read.unit_price, read.unit_gross_price) == (None, Decimal("62"))
    assert product_rules.from_netvisor(read).record.unit_price == Decimal("50.00")


async def test_productlist_rows_carry_unit_gross_price_beside_unit_price() -> None:
    """Visma's own Postman example of productlist.nv (§6.1), prices without a type."""
    client = make_client(
        "<ProductList><Product><NetvisorKey>10</NetvisorKey><ProductCode>TP2</ProductCode>"
        "<Name>Test Product 2</Name><UnitPrice>50,00</UnitPrice>"
        "<UnitGrossPrice>62,00</UnitGrossPrice><ProductGroupID /><ProductGroupDescription />"
        "<Uri>https://isvapi.netvisor.fi/getproduct.nv?id=10</Uri></Product></ProductList>"
    )
    (row,) = await client.list_products()
    assert (row.unit_price, row.unit_gross_price) == (Decimal("50.00"), Decimal("62.00"))


async def test_a_productlist_price_typed_brutto_is_gross() -> None:
    client = make_client(
        "<ProductList><Product><NetvisorKey>10</NetvisorKey><ProductCode>TP2</ProductCode>"
        '<Name>T</Name><UnitPrice type="BRUTTO">62,00</UnitPrice></Product></ProductList>'
    )
    (row,) = await client.list_products()
    assert (row.unit_price, row.unit_gross_price) == (None, Decimal("62.00"))


async def test_an_unknown_price_type_is_refused_rather_than_guessed() -> None:
    client = make_client(product('<UnitPrice type="alv0">42,5</UnitPrice>'))
    with pytest.raises(NetvisorProtocolError, match="price type 'alv0'"):
        await client.get_product(7)


# -- a record without its NetvisorKey ---------------------------------------------------------


async def test_getcustomer_by_id_without_netvisorkey_takes_the_requested_key() -> None:
    """Older and minimal answers leave the key out; the customer asked for is known."""
    client = make_client(customer(None, "1001"))
    read = await client.get_customer(1234)
    assert (read.netvisor_key, read.code, read.name) == (1234, "1001", "Asiakas Oy")


async def test_getcustomer_by_id_with_the_key_under_customer_reads_it() -> None:
    client = make_client(
        "<Customer><NetvisorKey>55</NetvisorKey><CustomerBaseInformation>"
        "<InternalIdentifier>1001</InternalIdentifier></CustomerBaseInformation></Customer>"
    )
    assert (await client.get_customer(55)).netvisor_key == 55


async def test_an_idlist_record_without_netvisorkey_is_reported_and_the_others_are_read() -> None:
    client = make_client(
        f"<Customers>{customer(1, '1001')}{customer(None, '1002', 'Avaimeton Oy')}"
        f"{customer(3, '1003')}</Customers>"
    )
    unread: list[UnreadRecord] = []
    read = await client.get_customers([1, 2, 3], unread=unread)
    assert [c.netvisor_key for c in read] == [1, 3]
    assert unread == [
        UnreadRecord(
            resource="getcustomer.nv",
            code="1002",
            name="Avaimeton Oy",
            reason="getcustomer.nv answered a record without its NetvisorKey",
        )
    ]


async def test_an_idlist_record_without_netvisorkey_is_an_error_for_a_caller_without_a_list() -> (
    None
):
    """Only the caller knows whether a keyless record is one to refuse or one that may
    exist (a lookup before a create): without saying so, it gets the error."""
    client = make_client(f"<Customers>{customer(1, '1001')}{customer(None, '1002')}</Customers>")
    with pytest.raises(NetvisorProtocolError, match="without its NetvisorKey"):
        await client.get_customers([1, 2])


async def test_a_customerlist_row_without_netvisorkey_is_reported_and_the_others_are_read() -> None:
    client = make_client(
        "<Customerlist><Customer><Netvisorkey>1000</Netvisorkey><Name>Example Customer</Name>"
        "<Code>101</Code><OrganisationIdentifier>1234567-8</OrganisationIdentifier>"
        "</Customer><Customer><Name>Ilman avainta Oy</Name><Code>102</Code></Customer>"
        "</Customerlist>"
    )
    unread: list[UnreadRecord] = []
    (row,) = await client.list_customers(unread=unread)
    assert (row.netvisor_key, row.code) == (1000, "101")
    assert [(u.resource, u.code, u.name) for u in unread] == [
        ("customerlist.nv", "102", "Ilman avainta Oy")
    ]


async def test_getproduct_by_id_without_netvisorkey_takes_the_requested_key() -> None:
    client = make_client(product("<UnitPrice>10</UnitPrice>", key=""))
    assert (await client.get_product(77)).netvisor_key == 77


async def test_product_lists_report_records_without_their_key() -> None:
    listed = (
        "<ProductList><Product><ProductCode>A</ProductCode><Name>A</Name></Product>"
        "<Product><NetvisorKey>2</NetvisorKey><ProductCode>B</ProductCode></Product>"
        "</ProductList>"
    )
    details = f"<Products>{product('<UnitPrice>1</UnitPrice>', key='')}</Products>"
    answers = iter([ok(listed), ok(details)])
    client = _make_client(lambda request: next(answers))
    unread: list[UnreadRecord] = []
    assert [row.code for row in await client.list_products(unread=unread)] == ["B"]
    assert await client.get_products(netvisor_keys=[7], unread=unread) == []
    assert [(u.resource, u.code) for u in unread] == [
        ("productlist.nv", "A"),
        ("getproduct.nv", "K-1"),
    ]


async def test_find_product_refuses_a_record_without_its_key_rather_than_calling_it_absent() -> (
    None
):
    """A lookup before a create that read such a record as "not there" would duplicate it."""
    client = make_client(product("<UnitPrice>1</UnitPrice>", key=""))
    with pytest.raises(NetvisorProtocolError):
        await client.find_product("K-1")


# -- empty elements, numbers, booleans, encodings ---------------------------------------------


@pytest.mark.parametrize("email", ["<Email />", "<Email></Email>", "<Email>  </Email>", ""])
async def test_an_empty_or_missing_element_reads_as_no_value(email: str) -> None:
    client = make_client(
        "<Customer><CustomerBaseInformation><NetvisorKey>5</NetvisorKey>"
        f"<InternalIdentifier>101</InternalIdentifier>{email}<IsActive />"
        "<CustomerGroupNetvisorKey />"
        "</CustomerBaseInformation><CustomerFinvoiceDetails /></Customer>"
    )
    read = await client.get_customer(5)
    assert (read.email, read.is_active, read.group_key, read.finvoice_address) == (
        None,
        None,
        None,
        None,
    )


async def test_an_empty_unit_price_beside_a_gross_price_is_no_net_price() -> None:
    client = make_client(
        product('<UnitPrice type="net" /><UnitGrossPrice type="gross">124</UnitGrossPrice>', "24")
    )
    read = await client.get_product(7)
    assert (read.unit_price, read.unit_gross_price) == (None, Decimal("124"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42,5", "42.5"),  # Netvisor's decimal comma
        ("42.5", "42.5"),  # a point, as some clients and pages write it
        ("1,960000000000", "1.96"),  # productlist.nv's 12 decimals
        ("1 234,50", "1234.50"),  # a grouping space
        ("1\u00a0234,50", "1234.50"),  # a no-break space, as Finnish number formats write it
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("-5,25", "-5.25"),
    ],
)
async def test_decimal_comma_and_point_read_alike(text: str, value: str) -> None:
    client = make_client(product(f'<UnitPrice type="net">{text}</UnitPrice>'))
    assert (await client.get_product(7)).unit_price == Decimal(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", True), ("0", False), ("True", True), ("false", False), ("Kyllä", True), ("Ei", False)],
)
async def test_booleans_in_every_documented_form(text: str, value: bool) -> None:
    client = make_client(
        "<Customer><CustomerBaseInformation><NetvisorKey>5</NetvisorKey>"
        f"<IsActive>{text}</IsActive></CustomerBaseInformation></Customer>"
    )
    assert (await client.get_customer(5)).is_active is value


@pytest.mark.parametrize("tag", ["NetvisorKey", "Netvisorkey", "NETVISORKEY", "netvisorkey"])
async def test_element_names_in_any_case(tag: str) -> None:
    client = make_client(
        f"<Customerlist><Customer><{tag}>9</{tag}><Code>1</Code></Customer></Customerlist>"
    )
    (row,) = await client.list_customers()
    assert row.netvisor_key == 9


async def test_an_answer_in_iso_8859_15_reads_like_utf_8() -> None:
    """Netvisor's pages say Ä/Ö travel as ISO-8859-15; an answer may declare it."""
    body = (
        '<?xml version="1.0" encoding="ISO-8859-15"?><Root><ResponseStatus><Status>OK</Status>'
        "</ResponseStatus><Customer><CustomerBaseInformation><NetvisorKey>5</NetvisorKey>"
        "<Name>Hämeen Öljy € Oy</Name></CustomerBaseInformation></Customer></Root>"
    ).encode("iso-8859-15")
    client = _make_client(lambda request: httpx.Response(200, content=body))
    assert (await client.get_customer(5)).name == "Hämeen Öljy € Oy"


async def test_an_answer_with_a_byte_order_mark_and_no_declaration_reads() -> None:
    body = (
        b"\xef\xbb\xbf"
        + (
            "<Root><ResponseStatus><Status>OK</Status></ResponseStatus><Customer>"
            "<CustomerBaseInformation><NetvisorKey>5</NetvisorKey><Name>Åbo Ab</Name>"
            "</CustomerBaseInformation></Customer></Root>"
        ).encode()
    )
    client = _make_client(lambda request: httpx.Response(200, content=body))
    assert (await client.get_customer(5)).name == "Åbo Ab"


@pytest.mark.parametrize(
    "header",
    ["X-Netvisor-Organisation-ID", "X-Netvisor-Organisation-Id", "x-netvisor-organisation-id"],
)
async def test_the_organisation_header_is_read_in_any_casing(header: str) -> None:
    """Heltti's client sends ``X-Netvisor-Organisation-Id``: header names are not case
    sensitive, and the sandbox Silta is tested against must not be either."""
    clock = FakeClock()
    sandbox = NetvisorSandbox(clock=clock)
    sandbox.add_integration(
        Integration(partner_id="P", partner_key="pk", customer_id="C", customer_key="ck",
                    organisation_ids=("1967543-8",))
    )  # fmt: skip
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://isvapi.netvisor.fi"
    ) as http:
        request = http.build_request("GET", "/customerlist.nv")
        headers = signed_headers(
            str(request.url), now=clock(), customer_id="C", customer_key="ck",
            partner_id="P", partner_key="pk", organisation_id="1967543-8",
        )  # fmt: skip
        value = headers.pop("X-Netvisor-Organisation-ID")
        request.headers.update({**headers, header: value})
        assert_ok(await http.send(request))
