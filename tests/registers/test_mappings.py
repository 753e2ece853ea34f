"""The article's mappings as pure functions (the rules end to end are in tests/sync)."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from silta import netvisor, severa
from silta.domain import TenantSettings
from silta.registers import customers, dimensions, products
from silta.registers.lookups import Lookups
from silta.registers.rules import RULES, refuse

LOOKUPS = Lookups.of(
    [
        severa.Country(guid="fi-guid", code2="FI", name="Suomi"),
        severa.Country(guid="se-guid", code2="SE", name="Ruotsi"),
    ],
    [
        severa.Language(guid="lang-fi", code="fi"),
        severa.Language(guid="lang-sv", code="sv"),
        severa.Language(guid="lang-en", code="en"),
    ],
)
SETTINGS = TenantSettings()


def severa_customer(**fields: object) -> severa.Customer:
    values: dict[str, object] = {
        "guid": "c1",
        "name": "Äijälä Oy",
        "number": 1001,
        "vatNumber": "FI07375462",
        "headquarterAddress": {"guid": "a1"},
        "isActive": True,
    }
    values.update(fields)
    return severa.Customer.model_validate(values)


def hq(**fields: object) -> severa.Address:
    values: dict[str, object] = {
        "guid": "a1",
        "addressline": "Katu 1",
        "postalCode": "00100",
        "city": "Helsinki",
        "country": {"guid": "fi-guid"},
        "phone": "+358 9 1",
        "fax": "+358 9 2",
        "isBillingAddress": True,
        "isPostalAddress": True,
    }
    values.update(fields)
    return severa.Address.model_validate(values)


def test_every_rule_has_both_languages_and_a_source() -> None:
    for rule in RULES.values():
        assert rule.fi
        assert rule.en
        assert rule.source
        filled = refuse(
            rule.id,
            name="X",
            number="1",
            code="C",
            value="v",
            header="H",
            project="P",
            length=101,
            other="O",
            other_business_id="B",
        )
        assert "{" not in filled.message_fi
        assert "{" not in filled.message_en


def test_refusal_message_example_from_the_issue() -> None:
    refusal = refuse("customers.netvisor.code_leading_zero", code="0001", name="X")
    assert refusal.message_fi == "Asiakasnumero 0001 alkaa nollalla: Severa ei hyväksy sitä"
    assert refusal.message_en == "Customer code 0001 starts with zero; Severa does not accept it"


def test_customer_field_table_every_row_travels_severa_to_netvisor() -> None:
    customer = severa_customer(
        eInvoiceAddress="003707375462",
        eInvoiceOperator="003721291126",
        notes="muistio",
        email="a@b.fi",
        website="b.fi",
        language={"guid": "lang-sv", "code": "sv"},
    )
    mapped = customers.from_severa(customer, hq(), LOOKUPS, SETTINGS)
    assert not mapped.refused
    data = customers.to_netvisor(mapped.record, SETTINGS)
    sent = set(data.set_fields())
    for row in customers.FIELDS:
        assert row.netvisor in sent, row
    assert data.business_id == "0737546-2"  # Netvisor's own form
    assert data.invoicing_language == "SE"  # Swedish is SE in Netvisor
    assert (data.delivery_name, data.delivery_street_address) == ("Äijälä Oy", "Katu 1")


def test_customer_field_table_every_row_travels_netvisor_to_severa() -> None:
    nv = netvisor.Customer(
        netvisor_key=5,
        code="1001",
        name="Oy",
        business_id="0737546-2",
        street_address="K 1",
        city="Turku",
        post_number="20100",
        country="FI",
        phone_number="1",
        fax_number="2",
        email="e@x.fi",
        home_page_uri="x.fi",
        finvoice_address="0037",
        finvoice_router_code="NDEAFIHH",
        comment="c",
        invoicing_language="EN",
        is_active=False,
        delivery_street_address="V 2",
        delivery_city="Vantaa",
        delivery_post_number="01510",
        delivery_country="FI",
    )
    record = customers.from_netvisor(nv).record
    fields = customers.to_severa_customer(record, LOOKUPS)
    address = customers.to_severa_address(record, LOOKUPS)
    delivery = customers.to_severa_delivery(record, LOOKUPS)
    assert delivery is not None
    written = set(fields) | {f"hq.{k.split('/')[0]}" for k in address} | {"name"}
    for row in customers.FIELDS:
        root = (
            row.severa.split(".")[0]
            if not row.severa.startswith("hq.")
            else ".".join(row.severa.split(".")[:2])
        )
        assert (
            root in written or row.severa.startswith("language") or row.canonical == "delivery_name"
        ), row
    assert fields["vatNumber"] == "FI07375462"  # Severa's own form
    assert fields["language/guid"] == "lang-en"
    assert fields["isActive"] is False
    assert address["isPostalAddress"] is False  # the delivery address is a different one
    assert delivery["city"] == "Vantaa"


def test_billing_only_and_post_only_head_offices() -> None:
    billing = customers.from_severa(severa_customer(), hq(isPostalAddress=False), LOOKUPS, SETTINGS)
    assert "street" in billing.record.scope
    assert "delivery_street" not in billing.record.scope
    post = customers.from_severa(severa_customer(), hq(isBillingAddress=False), LOOKUPS, SETTINGS)
    assert "street" not in post.record.scope
    data = customers.to_netvisor(post.record, SETTINGS)
    assert data.street_address is None  # not transferred: left as it is in Netvisor
    assert data.delivery_street_address == "Katu 1"


def test_email_goes_to_both_fields_only_with_the_channel_on() -> None:
    mapped = customers.from_severa(severa_customer(email="l@x.fi"), hq(), LOOKUPS, SETTINGS)
    assert customers.to_netvisor(mapped.record, SETTINGS).email_invoicing_address is None
    on = attrs.evolve(SETTINGS, email_invoicing_channel=True)
    data = customers.to_netvisor(mapped.record, on)
    assert (data.email, data.email_invoicing_address) == ("l@x.fi", "l@x.fi")


def test_business_ids_compare_across_forms() -> None:
    assert customers.same_business_id("0737546-2", "FI07375462")
    assert not customers.same_business_id("0737546-2", "2077474-0")
    assert not customers.same_business_id(None, "FI07375462")


@pytest.mark.parametrize(("operator", "hint"), [("ndeafihh", "NDEAFIHH"), ("OPERAATTORI OY", None)])
def test_operator_refusal_suggests_the_likely_fix(operator: str, hint: str | None) -> None:
    mapped = customers.from_severa(
        severa_customer(eInvoiceOperator=operator), hq(), LOOKUPS, SETTINGS
    )
    (refusal,) = mapped.refusals
    assert refusal.rule == "customers.severa.operator_unsupported"
    assert (hint in refusal.message_en) if hint else ("did you mean" not in refusal.message_en)


def test_private_customer_identity_code_never_leaves_netvisor() -> None:
    nv = netvisor.Customer(
        netvisor_key=1, code="7", name="Matti", business_id="010594Y9021", is_private_customer=True
    )
    fields = customers.to_severa_customer(customers.from_netvisor(nv).record, LOOKUPS)
    assert "vatNumber" not in fields


def test_products_missing_prices_and_vat_become_zero_net_sales_product() -> None:
    mapped = products.from_severa(severa.Product(guid="p", name="Työ", code="T1"))
    data = products.to_netvisor(mapped.record, SETTINGS)
    assert (data.unit_price, data.purchase_price, data.vat_percent) == (0, 0, 0)
    assert data.unit_price_type == "net"
    assert data.is_sales_product is True
    assert data.group == SETTINGS.product_group


def test_a_gross_only_netvisor_price_is_made_net() -> None:
    product = netvisor.Product(
        netvisor_key=1,
        code="G",
        name="Kirja",
        unit_gross_price=Decimal("125.5"),
        vat_percent=Decimal("25.5"),
    )
    assert products.from_netvisor(product).record.unit_price == Decimal("100")


def test_product_name_limits_refuse_instead_of_truncating() -> None:
    long_nv = netvisor.Product(netvisor_key=1, code="L", name="n" * 101)
    assert products.from_netvisor(long_nv).refusals[0].rule == "products.netvisor.name_too_long"
    assert not products.from_netvisor(attrs.evolve(long_nv, name="n" * 100)).refused
    long_sv = severa.Product(guid="p", code="L", name="n" * 201)
    assert products.from_severa(long_sv).refusals[0].rule == "products.severa.name_too_long"


def test_dimension_names_and_phase_placement() -> None:
    settings = TenantSettings(
        dimensions=True,
        project_header="Projekti",
        business_unit_header="Yksikkö",
        include_phases=True,
    )
    project = severa.Project(guid="p", name="Verkkokauppa", number=3001, root_phase={"guid": "r"})
    unit = severa.BusinessUnit(guid="u", name="Helsinki", code="HKI")
    project_ref = {"guid": "p"}
    phases = [
        severa.Phase(guid="r", name="Verkkokauppa", project=project_ref),
        severa.Phase(
            guid="a", name="Suunnittelu", code="10", project=project_ref, parent_phase={"guid": "r"}
        ),
        severa.Phase(
            guid="b", name="Luonnos", code="11", project=project_ref, parent_phase={"guid": "a"}
        ),
        severa.Phase(
            guid="c", name="Ilman koodia", project=project_ref, parent_phase={"guid": "r"}
        ),
    ]
    wanted, refused = dimensions.sources(
        settings, projects=[project], business_units=[unit], phases=phases
    )
    names = {(s.guid, s.name, s.parent, s.depth) for s in wanted}
    assert ("p", "3001 Verkkokauppa", None, 0) in names
    assert ("u", "HKI Helsinki", None, 0) in names
    assert ("a", "10 Suunnittelu", "p", 1) in names
    assert ("b", "11 Luonnos", "a", 2) in names
    assert [r.refusals[0].rule for r in refused] == ["dimensions.phase.code_missing"]
    assert [s.depth for s in wanted] == sorted(s.depth for s in wanted)


def test_an_empty_header_creates_nothing_of_that_kind() -> None:
    settings = TenantSettings(dimensions=True, project_header="", business_unit_header="Yksikkö")
    project = severa.Project(guid="p", name="P", number=1)
    unit = severa.BusinessUnit(guid="u", name="U")
    wanted, _ = dimensions.sources(settings, projects=[project], business_units=[unit])
    assert [s.kind for s in wanted] == [dimensions.Kind.BUSINESS_UNIT]
