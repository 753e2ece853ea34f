"""Every field a run's diff can name has the article's label in both languages."""

from __future__ import annotations

import attrs
import pytest

from silta import netvisor, severa
from silta.domain import Register
from silta.registers import customers
from silta.registers.labels import ADDRESS_LABELS, FIELD_LABELS, PREFIX_LABELS, field_label


def _diff_fields() -> set[str]:
    """What the diffs of silta.registers.customers and the engine can name."""
    netvisor_side = {field.name for field in attrs.fields(netvisor.CustomerData)}
    customer = severa.Customer(guid="g", name="n")
    severa_side = set(customers.severa_customer_values(customer))
    address = severa.Address(guid="a")
    addresses = {
        prefix + path
        for prefix in PREFIX_LABELS
        for path in customers.severa_address_values(address)
    }
    return netvisor_side | severa_side | addresses | {"headquarterAddress"}


@pytest.mark.parametrize("language", ["fi", "en"])
def test_every_field_a_customer_diff_names_has_a_label(language: str) -> None:
    unlabelled = {
        field
        for field in _diff_fields()
        if field_label(Register.CUSTOMERS, field, language) == field
    }
    assert unlabelled == set()


def test_labels_are_the_articles_words() -> None:
    assert field_label(Register.CUSTOMERS, "post_number") == "Postinumero"
    assert field_label(Register.CUSTOMERS, "finvoice_router_code") == "Operaattoritunnus"
    assert field_label(Register.CUSTOMERS, "eInvoiceOperator") == "Välittäjän tunnus"
    assert field_label(Register.CUSTOMERS, "headquarters.city") == "Pääkonttori: Kaupunki"
    assert field_label(Register.CUSTOMERS, "city") == "Postitoimipaikka"  # Netvisor's card
    assert field_label(Register.CUSTOMERS, "delivery.isPostalAddress", "en") == (
        "Postal address: Post flag"
    )
    assert field_label(Register.DIMENSIONS, "name") == "Laskentakohteen nimi"
    assert field_label(Register.CUSTOMERS, "something_new") == "something_new"  # as it is
    for words in (*FIELD_LABELS.values(), *ADDRESS_LABELS.values(), *PREFIX_LABELS.values()):
        assert all(words) and len(words) == 2
