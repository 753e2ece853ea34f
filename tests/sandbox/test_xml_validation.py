"""Request XML: DTD validation, element-name case, encodings, and hostile bodies (§3)."""

from __future__ import annotations

import pytest

from silta.sandbox.netvisor import Organisation

from .helpers import Api, assert_ok, failure, status

VALIDATION_FAILED = (
    "INVALID_DATA :: Data form incorrect:. XML message validation failed: Could not validate xml"
)


def customer_body(base: str) -> str:
    inner = f"<customerbaseinformation>{base}</customerbaseinformation>"
    return f"<root><customer>{inner}</customer></root>"


async def test_wrong_element_order_is_refused(api: Api, org: Organisation) -> None:
    body = customer_body("<name>Oy Ab</name><internalidentifier>7</internalidentifier>")
    response = await api.post("customer.nv", {"method": "add"}, body, language="EN")
    assert status(response) == ["FAILED", VALIDATION_FAILED]
    assert "content does not follow the DTD" in response.headers["x-sandbox-detail"]
    assert org.customers() == []


async def test_finnish_text_of_validation_failure(api: Api) -> None:
    body = customer_body("<name>Oy Ab</name><internalidentifier>7</internalidentifier>")
    response = await api.post("customer.nv", {"method": "add"}, body)
    assert failure(response) == "INVALID_DATA"
    assert "Could not validate xml" in status(response)[1]


@pytest.mark.parametrize(
    "body",
    [
        "<Root><Customer><CustomerBaseInformation><InternalIdentifier>7</InternalIdentifier>"
        "<Name>Pascal Oy</Name></CustomerBaseInformation></Customer></Root>",
        "<root><customer><customerBaseInformation><internalIdentifier>7</internalIdentifier>"
        "<name>Pascal Oy</name></customerBaseInformation></customer></root>",
        "<ROOT><CUSTOMER><CUSTOMERBASEINFORMATION><INTERNALIDENTIFIER TYPE='automatic'>7"
        "</INTERNALIDENTIFIER><NAME>Pascal Oy</NAME></CUSTOMERBASEINFORMATION></CUSTOMER></ROOT>",
    ],
)
async def test_element_names_are_case_insensitive(api: Api, org: Organisation, body: str) -> None:
    assert_ok(await api.post("customer.nv", {"method": "add"}, body))
    customer = org.customer_by_code("7")
    assert customer is not None
    assert customer.name == "Pascal Oy"


async def test_unknown_element_is_refused(api: Api) -> None:
    body = customer_body("<name>Oy</name><nickname>x</nickname>")
    assert failure(await api.post("customer.nv", {"method": "add"}, body)) == "INVALID_DATA"


async def test_missing_mandatory_element_is_refused(api: Api) -> None:
    body = "<root><customer></customer></root>"
    response = await api.post("customer.nv", {"method": "add"}, body, language="EN")
    assert status(response)[1] == VALIDATION_FAILED


async def test_wrong_document_element_is_refused(api: Api) -> None:
    body = "<customer><customerbaseinformation><name>x</name></customerbaseinformation></customer>"
    response = await api.post("customer.nv", {"method": "add"}, body, language="EN")
    assert status(response)[1] == VALIDATION_FAILED


async def test_malformed_xml_is_refused(api: Api) -> None:
    response = await api.post("customer.nv", {"method": "add"}, "<root><customer>", language="EN")
    assert status(response)[1] == VALIDATION_FAILED
    assert "not well-formed" in response.headers["x-sandbox-detail"]


async def test_empty_body_is_refused(api: Api) -> None:
    response = await api.post("customer.nv", {"method": "add"}, "", language="EN")
    assert status(response)[1] == VALIDATION_FAILED


async def test_xxe_body_is_refused_and_never_resolved(api: Api, org: Organisation) -> None:
    body = (
        '<?xml version="1.0"?><!DOCTYPE root [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<root><customer><customerbaseinformation><name>&x;</name>"
        "</customerbaseinformation></customer></root>"
    )
    response = await api.post("customer.nv", {"method": "add"}, body, language="EN")
    assert status(response)[1] == VALIDATION_FAILED
    assert "root:" not in response.text
    assert org.customers() == []


async def test_any_doctype_is_refused(api: Api) -> None:
    body = "<!DOCTYPE root><root><customer><customerbaseinformation><name>x</name>" + (
        "</customerbaseinformation></customer></root>"
    )
    response = await api.post("customer.nv", {"method": "add"}, body, language="EN")
    assert status(response)[1] == VALIDATION_FAILED
    assert "DOCTYPE" in response.headers["x-sandbox-detail"]


async def test_iso_8859_15_body(api: Api, org: Organisation) -> None:
    body = customer_body("<name>Äänekosken Euro€ Oy</name>").encode("iso-8859-15")
    response = await api.post(
        "customer.nv", {"method": "add"}, body, content_type="text/xml; charset=ISO-8859-15"
    )
    assert_ok(response)
    assert [c.name for c in org.customers()] == ["Äänekosken Euro€ Oy"]


async def test_encoding_from_xml_declaration(api: Api, org: Organisation) -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-15"?>' + customer_body("<name>Öljy Oy</name>")
    response = await api.post(
        "customer.nv", {"method": "add"}, body.encode("iso-8859-15"), content_type="text/xml"
    )
    assert_ok(response)
    assert [c.name for c in org.customers()] == ["Öljy Oy"]


async def test_utf8_is_the_default(api: Api, org: Organisation) -> None:
    body = customer_body("<name>Åland Öy</name>").encode("utf-8")
    assert_ok(await api.post("customer.nv", {"method": "add"}, body, content_type="text/plain"))
    assert [c.name for c in org.customers()] == ["Åland Öy"]


async def test_comments_and_cdata_are_read_as_text(api: Api, org: Organisation) -> None:
    body = customer_body("<name>A<!-- note --><![CDATA[ & <B>]]></name>")
    assert_ok(await api.post("customer.nv", {"method": "add"}, body))
    assert [c.name for c in org.customers()] == ["A & <B>"]
