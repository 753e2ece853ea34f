"""The client over MockTransport: chunking, write safety, timeouts, limits, serialization."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import attrs
import httpx
import pytest

from silta.netvisor import (
    CustomerData,
    NetvisorOutcomeUnknown,
    NetvisorRequestError,
    NetvisorTimeout,
    NotFound,
    OrganisationGate,
    ResponseTooLargeError,
    TechnicalError,
)

from .conftest import CREDENTIALS, Sleeps, failed, make_client, ok


def query(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(str(request.url)).query).items()}


def customers_xml(keys: list[str]) -> str:
    rows = "".join(
        f"<Customer><CustomerBaseInformation><NetvisorKey>{k}</NetvisorKey>"
        f"<InternalIdentifier>C{k}</InternalIdentifier><Name>N{k}</Name>"
        f"<IsActive>1</IsActive></CustomerBaseInformation></Customer>"
        for k in keys
    )
    return f"<Customers>{rows}</Customers>"


async def test_idlist_is_sent_in_chunks_of_500_and_duplicates_once() -> None:
    seen: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys = query(request)["idlist"].split(",")
        seen.append(keys)
        return ok(customers_xml(keys))

    client = make_client(handler)
    wanted = [*range(1, 1201), 5, 6]
    customers = await client.get_customers(wanted)
    assert [len(chunk) for chunk in seen] == [500, 500, 200]
    assert [c.netvisor_key for c in customers] == list(range(1, 1201))
    assert customers[0].code == "C1" and customers[0].is_active is True


async def test_customercodelist_is_sent_in_chunks_of_100() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(query(request))
        return ok("<Customerlist/>")

    client = make_client(handler)
    await client.list_customers(codes=[str(n) for n in range(1, 251)], keyword="Oy")
    assert [len(q["customercodelist"].split(",")) for q in seen] == [100, 100, 50]
    assert all(q["keyword"] == "Oy" for q in seen)
    assert await client.list_customers(codes=[]) == []
    assert len(seen) == 3  # an empty code list asks nothing


async def test_codes_that_cannot_travel_in_a_comma_list_are_refused() -> None:
    client = make_client(lambda request: ok("<Customerlist/>"))
    with pytest.raises(NetvisorRequestError, match="comma"):
        await client.list_customers(codes=["1,2"])


async def test_product_idlist_and_codelist_are_chunked_by_400() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(query(request))
        return ok("<Products/>")

    client = make_client(handler)
    await client.get_products(netvisor_keys=range(900), codes=[f"P{n}" for n in range(401)])
    sizes = [(next(iter(q)), len(next(iter(q.values())).split(","))) for q in seen]
    assert sizes == [("idlist", 400), ("idlist", 400), ("idlist", 100), ("codelist", 400),
                     ("codelist", 1)]  # fmt: skip


async def test_changed_since_is_sent_in_finnish_time() -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(query(request))
        return ok("<Customerlist/>")

    client = make_client(handler)
    await client.list_customers(changed_since=datetime(2025, 1, 15, 10, 0, 5, tzinfo=UTC))
    await client.list_customers(changed_since=datetime(2025, 7, 15, 10, 0, tzinfo=UTC))
    other = timezone(timedelta(hours=-5))
    await client.list_products(changed_since=datetime(2025, 7, 15, 5, 0, tzinfo=other))
    assert [q["changedsince"] for q in seen] == [
        "2025-01-15T12:00:05",  # EET, UTC+2
        "2025-07-15T13:00:00",  # EEST, UTC+3
        "2025-07-15T13:00:00",
    ]
    with pytest.raises(NetvisorRequestError, match="timezone-aware"):
        await client.list_customers(changed_since=datetime(2025, 1, 1))
    with pytest.raises(NetvisorRequestError, match="ignores changedsince"):
        await client.list_customers(keyword="x", changed_since=datetime.now(UTC))


async def test_add_returns_the_inserted_key_and_sends_xml() -> None:
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        assert query(request) == {"method": "add"}
        assert request.headers["Content-Type"].startswith("text/xml")
        return ok("<Replies><InsertedDataIdentifier>1802</InsertedDataIdentifier></Replies>")

    client = make_client(handler)
    assert await client.add_customer(CustomerData(code="1001", name="Oy Esimerkki Ab")) == 1802
    assert b"<internalidentifier>1001</internalidentifier>" in bodies[0]
    with pytest.raises(NetvisorRequestError, match="name"):
        await client.add_customer(CustomerData(code="1002"))


async def test_add_without_inserted_key_is_outcome_unknown() -> None:
    client = make_client(lambda request: ok())
    with pytest.raises(NetvisorOutcomeUnknown, match="look the record up"):
        await client.add_customer(CustomerData(name="x"))


async def test_edit_sends_only_changed_fields_and_blanks_cleared_ones() -> None:
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        assert query(request) == {"method": "edit", "id": "42"}
        return ok()

    client = make_client(handler)
    old = CustomerData(name="Vanha Oy", city="Turku", phone_number="1", is_active=True)
    new = CustomerData(name="Uusi Oy", city="Turku", phone_number=None, is_active=None)
    await client.edit_customer(42, old.changes_to(new))
    assert bodies == [
        b"<root><customer><customerbaseinformation><name>Uusi Oy</name>"
        b"<phonenumber></phonenumber></customerbaseinformation></customer></root>"
    ]
    await client.edit_customer(42, old.changes_to(old))
    assert len(bodies) == 1  # nothing changed, nothing sent


async def test_write_timeout_is_outcome_unknown_and_never_resent(sleeps: Sleeps) -> None:
    calls: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        await asyncio.sleep(10)
        return ok()

    client = make_client(handler, sleeps, timeout=0.05)
    with pytest.raises(NetvisorOutcomeUnknown) as caught:
        await client.add_customer(CustomerData(name="x"))
    assert calls == [1]
    assert caught.value.resource == "customer.nv"
    assert isinstance(caught.value.__cause__, NetvisorTimeout)


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadError("connection reset"), httpx.RemoteProtocolError("closed"),
     httpx.ReadTimeout("slow")],
)  # fmt: skip
async def test_lost_connection_after_sending_a_write_is_outcome_unknown(
    failure: Exception, sleeps: Sleeps
) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise failure

    client = make_client(handler, sleeps)
    with pytest.raises(NetvisorOutcomeUnknown):
        await client.add_customer(CustomerData(name="x"))
    assert calls == [1]


async def test_write_with_garbled_answer_is_outcome_unknown() -> None:
    client = make_client(lambda request: httpx.Response(200, content=b"<Root><Resp"))
    with pytest.raises(NetvisorOutcomeUnknown):
        await client.add_customer(CustomerData(name="x"))


async def test_write_behind_a_gateway_timeout_page_is_outcome_unknown() -> None:
    client = make_client(lambda request: httpx.Response(504, text="<html>Gateway Timeout</html>"))
    with pytest.raises(NetvisorOutcomeUnknown, match="HTTP 504"):
        await client.add_customer(CustomerData(name="x"))


async def test_write_that_never_connected_is_resent(sleeps: Sleeps) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        return ok("<Replies><InsertedDataIdentifier>5</InsertedDataIdentifier></Replies>")

    client = make_client(handler, sleeps)
    assert await client.add_customer(CustomerData(name="x")) == 5
    assert len(calls) == 2


async def test_write_refused_as_not_unique_or_maintenance_is_resent(sleeps: Sleeps) -> None:
    answers = iter(
        [failed("REQUEST_NOT_UNIQUE :: used"), failed("SYSTEM_MAINTENANCE :: later"),
         ok("<Replies><InsertedDataIdentifier>9</InsertedDataIdentifier></Replies>")]
    )  # fmt: skip
    client = make_client(lambda request: next(answers), sleeps)
    assert await client.add_customer(CustomerData(name="x")) == 9
    assert len(sleeps.delays) == 2


async def test_write_with_technical_error_is_left_to_the_caller(sleeps: Sleeps) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return failed("TECHNICAL_ERROR :: oops")

    client = make_client(handler, sleeps)
    with pytest.raises(TechnicalError) as caught:
        await client.add_customer(CustomerData(name="x"))
    assert caught.value.retryable  # the caller may retry, after looking the record up
    assert calls == [1]


async def test_read_timeout_is_retried_then_raised(sleeps: Sleeps) -> None:
    calls: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        await asyncio.sleep(10)
        return ok()

    client = make_client(handler, sleeps, timeout=0.02, attempts=2)
    with pytest.raises(NetvisorTimeout, match="no answer within"):
        await client.list_customers()
    assert len(calls) == 2


async def test_oversized_answer_is_cut_off() -> None:
    huge = ok("<Customerlist>" + "<Customer><Name>x</Name></Customer>" * 2000 + "</Customerlist>")
    client = make_client(lambda request: huge, max_response_bytes=10_000)
    with pytest.raises(ResponseTooLargeError, match="10000 bytes"):
        await client.list_customers()


async def test_get_product_empty_answer_is_not_found() -> None:
    client = make_client(lambda request: ok("<Product></Product>"))
    with pytest.raises(NotFound):
        await client.get_product(404)
    assert await client.find_product("NOPE") is None


async def test_get_customer_without_a_customer_is_not_found() -> None:
    client = make_client(lambda request: ok())
    with pytest.raises(NotFound):
        await client.get_customer(1)


async def test_reads_tolerate_netvisors_spellings_and_unknown_elements() -> None:
    customer = (
        "<Customer><CustomerBaseInformation><NetvisorKey>5</NetvisorKey>"
        "<InternalIdentifier>101</InternalIdentifier><ExternalIdentifier>1572860-0"
        '</ExternalIdentifier><Name>Smith &amp; Sons &lt;Oy&gt; "ÅÄÖ"</Name>'
        '<AdditionalStreetAddress>PL 5</AdditionalStreetAddress><Country type="ISO-3166">FI'
        "</Country><IsActive>0</IsActive><IsPrivateCustomer>0</IsPrivateCustomer>"
        "<BrandNewElement>ignored</BrandNewElement><Email/></CustomerBaseInformation>"
        "<CustomerFinvoiceDetails><FinvoiceAddress>003715728600</FinvoiceAddress>"
        "<FinvoiceRouterCode>003721291126</FinvoiceRouterCode></CustomerFinvoiceDetails>"
        "<customeradditionalinformation><comment>c</comment><InvoicingLanguage "
        'type="ISO-3166">SE</InvoicingLanguage></customeradditionalinformation></Customer>'
    )
    client = make_client(lambda request: ok(customer))
    c = await client.get_customer(5)
    assert c.netvisor_key == 5
    assert c.name == 'Smith & Sons <Oy> "ÅÄÖ"'
    assert c.additional_address_line == "PL 5"
    assert c.is_active is False and c.email is None
    assert c.finvoice_router_code == "003721291126"
    assert (c.comment, c.invoicing_language, c.country) == ("c", "SE", "FI")


async def test_product_and_dimension_lists_are_read() -> None:
    products = (
        "<ProductList><Product><NetvisorKey>10</NetvisorKey><ProductCode>TP2</ProductCode>"
        "<Name>Test Product 2</Name><UnitPrice>50,00</UnitPrice><UnitGrossPrice>62,00"
        "</UnitGrossPrice><ProductGroupID /><ProductGroupDescription /></Product></ProductList>"
    )
    dimensions = (
        "<DimensionNameList><DimensionName><Netvisorkey>14</Netvisorkey><Name>Projekti</Name>"
        "<IsHidden>False</IsHidden><LinkType>0</LinkType><DimensionDetails>"
        "<DimensionDetail><Netvisorkey>23</Netvisorkey><Name>P-100-A</Name><IsHidden>True"
        "</IsHidden><Level>2</Level><Sort>1</Sort><EndSort>1</EndSort><FatherID>17</FatherID>"
        "</DimensionDetail><DimensionDetail><Netvisorkey>17</Netvisorkey><Name>P-100</Name>"
        "<IsHidden>False</IsHidden><Level>1</Level><Sort>0</Sort><EndSort>1</EndSort>"
        "<FatherId>0</FatherId></DimensionDetail></DimensionDetails></DimensionName>"
        "</DimensionNameList>"
    )
    answers = iter([ok(products), ok(dimensions)])
    client = make_client(lambda request: next(answers))
    (product,) = await client.list_products()
    assert (product.code, product.unit_price, product.unit_gross_price) == (
        "TP2", Decimal("50.00"), Decimal("62.00"))  # fmt: skip
    assert product.group_id is None
    (header,) = await client.list_dimensions()
    assert [i.name for i in header.items] == ["P-100", "P-100-A"]  # in Sort order
    child = header.find("P-100-A")[0]
    assert (child.father_id, child.level, child.is_hidden) == (17, 2, True)
    assert header.children(17) == [child]


async def test_one_request_at_a_time_per_organisation_across_clients() -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}
    overall = {"now": 0, "peak": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        org = request.headers["X-Netvisor-Organisation-ID"]
        in_flight[org] = in_flight.get(org, 0) + 1
        overall["now"] += 1
        peak[org] = max(peak.get(org, 0), in_flight[org])
        overall["peak"] = max(overall["peak"], overall["now"])
        await asyncio.sleep(0.01)
        in_flight[org] -= 1
        overall["now"] -= 1
        return ok("<Customerlist/>")

    gate = OrganisationGate()
    other = attrs.evolve(CREDENTIALS, organisation_id="2617416-4")
    a1 = make_client(handler, gate=gate)
    a2 = make_client(handler, gate=gate)
    b = make_client(handler, gate=gate, credentials=other)  # a second company, same gate
    calls = [a1.list_customers() for _ in range(10)] + [a2.list_customers() for _ in range(10)]
    calls += [b.list_customers() for _ in range(10)]
    await asyncio.gather(*calls)
    assert peak == {"1967543-8": 1, "2617416-4": 1}
    assert overall["peak"] == 2  # the two companies did run side by side
