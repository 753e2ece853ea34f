"""Models: tolerant reading, strict writing, JSON Patch values as the document types them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from silta.severa import (
    AddressInput,
    Customer,
    CustomerInput,
    GuidRef,
    MoneyInput,
    Product,
    ProductInput,
)
from silta.severa.patch import patch_value, replace_all


def test_reading_ignores_unknown_and_coerces_loose_values() -> None:
    customer = Customer.model_validate(
        {
            "guid": "c1",
            "name": "Äyräs Oy",
            "number": "1001",
            "brandNewField": {"x": 1},
            "headquarterAddress": {"guid": "a1", "postalCode": "00100", "country": "Suomi"},
            "eInvoiceOperator": "003721291126",
            "lastUpdatedDateTime": "2026-03-02T09:00:00+02:00",
        }
    )
    assert customer.number == 1001
    assert customer.headquarter_address is not None
    assert customer.headquarter_address.postal_code == "00100"
    assert customer.e_invoice_operator == "003721291126"
    assert customer.last_updated_date_time is not None
    assert customer.last_updated_date_time.utcoffset() is not None


def test_money_and_vat_read_exactly() -> None:
    product = Product.model_validate(
        {"guid": "p", "name": "n", "unitPrice": {"amount": 120.5, "currencyCode": "EUR"},
         "vatRate": 25.5, "type": "SomethingNew"}
    )  # fmt: skip
    assert product.unit_price is not None
    assert product.unit_price.amount == Decimal("120.5")
    assert product.vat_rate == Decimal("25.5")
    assert product.type == "SomethingNew"


def test_input_bodies_carry_only_set_writable_fields() -> None:
    body = CustomerInput(
        name="Oy Ab", number=1001, vat_number="FI07375462", language=GuidRef(guid="fi")
    ).body()
    assert body == {
        "name": "Oy Ab",
        "number": 1001,
        "vatNumber": "FI07375462",
        "language": {"guid": "fi"},
    }
    with pytest.raises(ValueError, match="guid"):
        CustomerInput(name="x", guid="not writable")  # type: ignore[call-arg]


def test_money_goes_out_as_json_numbers() -> None:
    body = ProductInput(
        name="Työ", unit_price=MoneyInput(amount=Decimal("120.50"), currency_code="EUR"),
        vat_rate=Decimal("25.5"),
    ).body()  # fmt: skip
    assert body == {
        "name": "Työ",
        "unitPrice": {"amount": 120.5, "currencyCode": "EUR"},
        "vatRate": 25.5,
    }


def test_address_flags() -> None:
    body = AddressInput(
        addressline="Katu 1", is_billing_address=True, is_postal_address=False
    ).body()
    assert body == {"addressline": "Katu 1", "isBillingAddress": True, "isPostalAddress": False}


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, None), ("x", "x"), (True, "true"), (False, "false"), (1001, "1001"),
     (Decimal("25.50"), "25.50"), (0.1, "0.1"), (Decimal("1E+3"), "1000")],
)  # fmt: skip
def test_patch_values_are_strings_as_the_document_types_them(
    value: object, text: str | None
) -> None:
    assert patch_value(value) == text


def test_patch_refuses_what_it_cannot_write() -> None:
    with pytest.raises(TypeError):
        patch_value(["a"])
    assert replace_all({"/name": "x"}) == [{"op": "Replace", "path": "/name", "value": "x"}]


def test_explicit_nulls_read_like_missing_properties() -> None:
    """The sandbox leaves empty sub-models out; real Severa (ASP.NET) may send null."""
    with_nulls = Customer.model_validate(
        {"guid": "c", "name": "n", "language": None, "headquarterAddress": None,
         "number": None, "isActive": True, "eInvoiceOperator": None}
    )  # fmt: skip
    without = Customer.model_validate({"guid": "c", "name": "n", "isActive": True})
    assert with_nulls == without
