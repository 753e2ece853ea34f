"""Purchase-invoice lines → Severa project fees, at the pure level: one test per rule of
reference/invoices.md §1.4 and settled point §5.12, and per refusal rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest

from silta import netvisor, severa
from silta.registers.dimensions import Kind
from silta.registers.purchase_lines import (
    FEE_NAME_MAX,
    PURCHASE_VAT_CODES,
    CostMethod,
    LineMapping,
    PurchaseLineSettings,
    PurchaseLookups,
    SiltaItem,
    changed_after_transfer,
    cost_basis,
    deleted_after_transfer,
    fee_amounts,
    fee_marker,
    fee_name,
    find_fee,
    line_fingerprint,
    map_invoice,
    map_line,
    marker_key,
    rekeyed,
    silta_items,
)
from silta.registers.rules import RULES

PILVI = "66666666-6666-4666-8666-666666666666"
TUULI = "77777777-7777-4777-8777-777777777777"
PILVI_PHASE = "66666666-6666-4666-8666-000000000010"
TUULI_PHASE = "77777777-7777-4777-8777-000000000010"
UNIT = "88888888-8888-4888-8888-888888888888"
PRODUCT = "12121212-1212-4212-8212-121212121212"
TRAVEL_PRODUCT = "13131313-1313-4313-8313-131313131313"

# The project header in Netvisor, as the dimension register left it: two projects, a phase
# under each, and an item a user made by hand, named like Silta's.
HEADER = netvisor.DimensionHeader(
    netvisor_key=5,
    name="Projekti",
    items=(
        netvisor.DimensionItem(netvisor_key=90, name="100 Pilvi"),
        netvisor.DimensionItem(netvisor_key=91, name="10 Määrittely", father_id=90, level=2),
        netvisor.DimensionItem(netvisor_key=95, name="200 Tuuli"),
        netvisor.DimensionItem(netvisor_key=96, name="10 Määrittely", father_id=95, level=2),
        netvisor.DimensionItem(netvisor_key=99, name="100 Pilvi (vanha)"),
        netvisor.DimensionItem(netvisor_key=98, name="Orpo vaihe", father_id=99, level=2),
    ),
)
LINKS = {90: PILVI, 91: PILVI_PHASE, 95: TUULI, 96: TUULI_PHASE, 98: "orphan-phase", 120: UNIT}
ITEMS = silta_items(LINKS, HEADER)
LOOKUPS = PurchaseLookups(items=ITEMS, project_header="Projekti", project_header_key=5)
SETTINGS = PurchaseLineSettings(enabled=True, product=PRODUCT)


def dim(
    item_key: int | None, item: str = "x", header: str = "Projekti", header_key: int | None = 5
) -> netvisor.PurchaseLineDimension:
    return netvisor.PurchaseLineDimension(
        header=header, header_key=header_key, item=item, item_key=item_key
    )


LINE = netvisor.PurchaseInvoiceLine(
    netvisor_key=7001,
    line_sum=Decimal("1255.00"),
    line_net_sum=Decimal("1000.00"),
    vat_percent=Decimal("25.5"),
    vat_code="KOOS",
    product_name="Kaapelit",
    description="Cat6 100 m",
    unit="kpl",
    delivered_amount=Decimal("10"),
    account="4000",
    account_name="Ostot",
    dimensions=(dim(90, "100 Pilvi"),),
)
INVOICE = netvisor.PurchaseInvoice(
    netvisor_key=2001,
    number="4711",
    date=date(2026, 3, 31),
    vendor_name="Rauta Oy",
    vendor_key=44,
    approval_status="accepted",
    lines=(LINE,),
)


def one(
    line: netvisor.PurchaseInvoiceLine = LINE,
    settings: PurchaseLineSettings = SETTINGS,
    lookups: PurchaseLookups = LOOKUPS,
    invoice: netvisor.PurchaseInvoice = INVOICE,
) -> LineMapping:
    return map_line(invoice, line, 1, settings, lookups)


# -- which items are Silta's --------------------------------------------------------------------


def test_silta_items_are_the_linked_keys_under_the_project_header_classified_by_the_tree() -> None:
    assert ITEMS[90] == SiltaItem(
        netvisor_key=90,
        severa_guid=PILVI,
        kind=Kind.PROJECT,
        project_guid=PILVI,
        name="100 Pilvi",
        project_name="100 Pilvi",
    )
    assert ITEMS[96].kind is Kind.PHASE and ITEMS[96].project_guid == TUULI
    assert ITEMS[96].project_name == "200 Tuuli"
    assert 120 not in ITEMS  # a business unit's item: another header
    assert 99 not in ITEMS  # a hand-made item: no link
    assert 98 not in ITEMS  # a linked phase under an item that is no Silta project


def test_severas_own_word_on_a_phases_project_wins_over_the_tree() -> None:
    items = silta_items(LINKS, HEADER, phase_projects={"orphan-phase": PILVI})
    assert items[98].project_guid == PILVI and items[98].project_name == "100 Pilvi"


# -- §5.12: which lines --------------------------------------------------------------------------


def test_point_12_a_line_with_a_silta_project_item_becomes_one_fee_on_that_project() -> None:
    mapping = one()
    assert mapping.key == "2001/7001" and not mapping.refusals and mapping.skip is None
    assert mapping.plan is not None
    fee = mapping.plan.fee
    assert fee.project == severa.GuidRef(guid=PILVI) and fee.phase is None
    assert fee.product == severa.GuidRef(guid=PRODUCT)
    assert fee.quantity == Decimal(10) and fee.measurement_unit == "kpl"
    assert fee.unit_cost == severa.MoneyInput(amount=Decimal("100.00"), currency_code="EUR")
    assert fee.event_date == date(2026, 3, 31)
    assert fee.name == "Rauta Oy 4711 Kaapelit Cat6 100 m [NV 2001/7001]"
    assert mapping.plan.marker == "[NV 2001/7001]" and mapping.plan.fingerprint
    assert "Rauta Oy" in mapping.label and "Kaapelit" in mapping.label


def test_a_phase_item_selects_the_phase_and_its_project() -> None:
    mapping = one(attrs.evolve(LINE, dimensions=(dim(96, "10 Määrittely"),)))
    assert mapping.plan is not None
    assert mapping.plan.fee.project == severa.GuidRef(guid=TUULI)
    assert mapping.plan.fee.phase == severa.GuidRef(guid=TUULI_PHASE)
    both = one(attrs.evolve(LINE, dimensions=(dim(90), dim(91))))
    assert both.plan is not None and both.plan.phase == PILVI_PHASE and not both.refusals


def test_lines_without_a_project_item_are_skipped_silently() -> None:
    for dimensions in [(), (dim(120, "HKI", header="Kustannuspaikka", header_key=6),)]:
        mapping = one(attrs.evolve(LINE, dimensions=dimensions))
        assert mapping.plan is None and mapping.refusals == ()
        assert mapping.skip == "no project item"


def test_an_item_silta_did_not_create_is_refused_even_with_a_silta_name() -> None:
    """Never by name: the hand-made item is called like Silta's own."""
    handmade = dim(99, "100 Pilvi")
    mapping = one(attrs.evolve(LINE, dimensions=(handmade,)))
    assert mapping.plan is None
    assert [r.rule for r in mapping.refusals] == ["purchase_lines.item_not_silta"]
    (refusal,) = mapping.refusals
    assert "100 Pilvi" in refusal.message_fi and "Projekti" in refusal.message_en
    assert "4711 (Rauta Oy)" in refusal.message_en
    keyless = one(attrs.evolve(LINE, dimensions=(dim(None, "100 Pilvi"),)))
    assert [r.rule for r in keyless.refusals] == ["purchase_lines.item_not_silta"]


def test_the_project_header_is_known_by_name_when_its_key_is_not() -> None:
    by_name = PurchaseLookups(items=ITEMS, project_header="Projekti")
    line = attrs.evolve(LINE, dimensions=(dim(90, header_key=None),))
    assert one(line, lookups=by_name).plan is not None
    other = attrs.evolve(LINE, dimensions=(dim(90, header="Projektit", header_key=None),))
    assert one(other, lookups=by_name).skip == "no project item"


def test_a_phase_of_another_project_is_refused() -> None:
    mapping = one(attrs.evolve(LINE, dimensions=(dim(90, "100 Pilvi"), dim(96))))
    assert mapping.plan is None
    assert [r.rule for r in mapping.refusals] == ["purchase_lines.phase_not_in_project"]
    assert "10 Määrittely" in mapping.refusals[0].message_fi
    assert "100 Pilvi" in mapping.refusals[0].message_en
    two_phases = one(attrs.evolve(LINE, dimensions=(dim(91), dim(96))))
    assert [r.rule for r in two_phases.refusals] == ["purchase_lines.phase_not_in_project"]


def test_every_rule_is_checked_so_a_refusal_lists_everything_to_fix() -> None:
    line = attrs.evolve(LINE, dimensions=(dim(99), dim(90), dim(96)))
    mapping = one(line, settings=PurchaseLineSettings(enabled=True))
    assert sorted(r.rule for r in mapping.refusals) == [
        "purchase_lines.item_not_silta",
        "purchase_lines.phase_not_in_project",
        "purchase_lines.product_missing",
    ]


def test_an_invoice_no_longer_in_the_chosen_status_waits() -> None:
    moved = attrs.evolve(INVOICE, approval_status="approved")
    mapping = map_line(moved, LINE, 1, SETTINGS, LOOKUPS)
    assert mapping.plan is None and not mapping.refusals and mapping.skip
    # codes the filter does not know (in factual verification...) are not second-guessed
    other = attrs.evolve(INVOICE, approval_status="infactualverification")
    assert map_line(other, LINE, 1, SETTINGS, LOOKUPS).plan is not None


def test_every_line_of_an_invoice_in_order() -> None:
    plain = attrs.evolve(LINE, netvisor_key=7002, dimensions=())
    invoice = attrs.evolve(INVOICE, lines=(LINE, plain))
    first, second = map_invoice(invoice, SETTINGS, LOOKUPS)
    assert (first.key, second.key) == ("2001/7001", "2001/7002")
    assert first.plan is not None and second.skip == "no project item"
    assert second.label.endswith("2 (Kaapelit Cat6 100 m)")


# -- the product ---------------------------------------------------------------------------------


def test_without_a_product_the_line_is_refused_naming_its_account() -> None:
    mapping = one(settings=PurchaseLineSettings(enabled=True))
    (refusal,) = mapping.refusals
    assert refusal.rule == "purchase_lines.product_missing"
    assert "4000 Ostot" in refusal.message_fi and "4000 Ostot" in refusal.message_en


def test_the_accounts_product_wins_over_the_cost_product() -> None:
    settings = PurchaseLineSettings(
        enabled=True, product=PRODUCT, account_products={"4000": TRAVEL_PRODUCT}
    )
    mapping = one(settings=settings)
    assert mapping.plan is not None
    assert mapping.plan.fee.product == severa.GuidRef(guid=TRAVEL_PRODUCT)
    other = one(attrs.evolve(LINE, account="4010"), settings=settings)
    assert other.plan is not None and other.plan.fee.product == severa.GuidRef(guid=PRODUCT)
    only_map = PurchaseLineSettings(enabled=True, account_products={"4000": TRAVEL_PRODUCT})
    assert one(attrs.evolve(LINE, account="4010"), settings=only_map).refusals


def test_a_product_severa_does_not_have_is_refused_when_the_products_are_known() -> None:
    lookups = attrs.evolve(LOOKUPS, severa_products=frozenset({TRAVEL_PRODUCT}))
    (refusal,) = one(lookups=lookups).refusals
    assert refusal.rule == "purchase_lines.product_missing"
    assert "not in Severa" in refusal.message_en


# -- the amounts (N-PI) --------------------------------------------------------------------------


def test_a_deductible_vat_code_goes_net_no_vat_handling_goes_gross() -> None:
    assert cost_basis("KOOS") == "net" and cost_basis("koos") == "net"
    for code in ["NONE", "–", "-", "", None]:
        assert cost_basis(code) == "gross", code
    assert cost_basis("EVTO") == "gross"  # not known to be deductible: what was paid
    net = one()
    assert net.plan is not None and net.plan.fee.unit_cost is not None
    assert net.plan.fee.unit_cost.amount == Decimal("100.00")
    gross = one(attrs.evolve(LINE, vat_code="NONE"))
    assert gross.plan is not None and gross.plan.fee.unit_cost is not None
    assert gross.plan.fee.unit_cost.amount == Decimal("125.50")


def test_the_vat_table_is_data_with_its_sources() -> None:
    by_code = {vat.code: vat for vat in PURCHASE_VAT_CODES}
    assert by_code["KOOS"].deductible and by_code["KOOS"].source == "N-PI"
    assert not by_code["NONE"].deductible
    assert all(vat.fi and vat.en and vat.source for vat in PURCHASE_VAT_CODES)
    assert {vat.code for vat in PURCHASE_VAT_CODES} <= netvisor.VAT_CODES


def test_a_missing_sum_is_derived_from_the_other_and_the_rate() -> None:
    only_gross = attrs.evolve(LINE, line_net_sum=None, delivered_amount=None)
    assert fee_amounts(only_gross) == (Decimal(1), Decimal("1000.00"), Decimal("1000.00"))
    only_net = attrs.evolve(LINE, line_sum=None, vat_code="NONE", delivered_amount=None)
    assert fee_amounts(only_net)[2] == Decimal("1255.00")
    fixture = attrs.evolve(LINE, line_net_sum=Decimal("102.6639"))  # four decimals (H)
    assert fee_amounts(fixture)[2] == Decimal("102.66")


def test_quantity_is_delivered_amount_or_one_and_adds_back_to_the_line() -> None:
    assert fee_amounts(attrs.evolve(LINE, delivered_amount=None))[:2] == (
        Decimal(1),
        Decimal("1000.00"),
    )
    assert fee_amounts(attrs.evolve(LINE, delivered_amount=Decimal(0)))[0] == Decimal(1)
    thirds = attrs.evolve(LINE, delivered_amount=Decimal(3))
    quantity, unit, total = fee_amounts(thirds)
    assert unit == Decimal("333.333333") and abs(quantity * unit - total) < Decimal("0.005")


def test_cost_only_is_not_billable_and_carries_no_price() -> None:
    mapping = one()
    assert mapping.plan is not None
    assert mapping.plan.fee.is_billable is False and mapping.plan.fee.unit_price is None


def test_rebilling_bills_at_cost_plus_the_markup() -> None:
    settings = PurchaseLineSettings(
        enabled=True, product=PRODUCT, method=CostMethod.REBILL, markup_percent="15"
    )
    mapping = one(settings=settings)
    assert mapping.plan is not None
    fee = mapping.plan.fee
    assert fee.is_billable is True
    assert fee.unit_price == severa.MoneyInput(amount=Decimal("115.00"), currency_code="EUR")
    body = fee.body()
    assert body["unitPrice"] == {"amount": 115.0, "currencyCode": "EUR"}
    assert body["isBillable"] is True


# -- names, markers, the lookup --------------------------------------------------------------


def test_the_marker_survives_any_name_length_and_is_read_back() -> None:
    name = fee_name("Rauta Oy", "4711", "x" * 500, "2001/7001")
    assert len(name) == FEE_NAME_MAX and name.endswith(" [NV 2001/7001]") and "4711" in name
    huge = fee_name("V" * 400, "4711", "teksti", "2001/7001")
    assert len(huge) <= FEE_NAME_MAX and huge.endswith("[NV 2001/7001]")
    assert marker_key(name) == "2001/7001" and marker_key("Rauta Oy 4711") is None
    assert fee_marker("1/2") == "[NV 1/2]"
    assert fee_name(None, None, "\nRivi\n  kaksi ", "1/2") == "Rivi kaksi [NV 1/2]"


def test_a_fee_is_found_again_by_its_marker_only() -> None:
    def fee(guid: str, name: str) -> severa.ProjectFee:
        return severa.ProjectFee(guid=guid, name=name)

    fees = [
        fee("a", "Rauta Oy 4711 [NV 2001/70011]"),
        fee("b", None),  # type: ignore[arg-type]
        fee("c", "Rauta Oy 4711 Kaapelit [NV 2001/7001]"),
    ]
    found = find_fee(fees, "2001/7001")
    assert found is not None and found.guid == "c"
    assert find_fee(fees, "2001/7002") is None


# -- once: changed or deleted after transfer -------------------------------------------------


def test_point_12_a_line_changed_after_transfer_is_reported_never_repeated() -> None:
    stored = line_fingerprint(INVOICE, LINE)
    renamed_item = attrs.evolve(LINE, dimensions=(dim(90, "100 Pilvi 2.0"),))
    assert changed_after_transfer(stored, INVOICE, renamed_item, position=1, fee="f") is None
    more = attrs.evolve(LINE, line_sum=Decimal("1500.00"))
    found = changed_after_transfer(stored, INVOICE, more, position=1, fee="Rauta Oy 4711")
    assert found is not None and found.rule == "purchase_lines.changed_after_transfer"
    assert "4711 (Rauta Oy)" in found.message_fi and "Rauta Oy 4711" in found.message_en
    moved = attrs.evolve(LINE, dimensions=(dim(95),))
    assert changed_after_transfer(stored, INVOICE, moved, position=1, fee=None) is not None
    gone = deleted_after_transfer("4711 (Rauta Oy)", "1 (Kaapelit)", "Rauta Oy 4711 …")
    assert gone.rule == "purchase_lines.deleted_after_transfer" and "4711" in gone.message_en


# -- settings ------------------------------------------------------------------------------------


def test_settings_round_trip_and_refuse_what_they_cannot_mean() -> None:
    settings = PurchaseLineSettings(
        enabled=True,
        invoice_status="approved",
        product=PRODUCT,
        account_products={"4000": TRAVEL_PRODUCT},
        method="rebill",
        markup_percent="12.5",
        mode="manual",
    )
    assert PurchaseLineSettings.from_json(settings.as_json()) == settings
    assert settings.as_json()["markup_percent"] == "12.5"
    assert PurchaseLineSettings().invoice_status == "accepted"  # the default: approved
    assert PurchaseLineSettings().method is CostMethod.COST_ONLY
    with pytest.raises(ValueError, match="unknown"):
        PurchaseLineSettings.from_json({"produkt": PRODUCT})
    for bad in [
        {"invoice_status": "paid"},
        {"markup_percent": "-1"},
        {"markup_percent": "lots"},
        {"account_products": {"4000": " "}},
    ]:
        with pytest.raises(ValueError, match="invalid purchase-line settings"):
            PurchaseLineSettings.from_json(bad)


def test_the_rules_are_in_the_table_in_both_languages() -> None:
    for rule_id in [
        "purchase_lines.item_not_silta",
        "purchase_lines.product_missing",
        "purchase_lines.phase_not_in_project",
        "purchase_lines.netvisor.key_missing",
    ]:
        rule = RULES[rule_id]
        assert rule.fi and rule.en and rule.source and rule.fi != rule.en


def test_point_14_the_key_is_silta_s_and_severa_sees_only_the_marker() -> None:
    """Severa has no field for an outside key: the link (invoice key, line key) is Silta's,
    and the fee carries the key only as the marker in its name, to be found again."""
    mapping = one()
    assert mapping.plan is not None
    body = mapping.plan.fee.body()
    assert set(body) == {
        "project",
        "product",
        "name",
        "description",
        "quantity",
        "measurementUnit",
        "unitCost",
        "eventDate",
        "isBillable",
    }
    assert mapping.key == "2001/7001" and marker_key(body["name"]) == mapping.key


def test_a_transferred_line_under_a_new_key_is_the_same_line_not_a_new_cost() -> None:
    """Posting replaces an invoice's lines, so their keys may change: same content, same
    line."""
    stored = {7001: line_fingerprint(INVOICE, LINE)}
    reposted = attrs.evolve(
        INVOICE,
        lines=(attrs.evolve(LINE, netvisor_key=8001), attrs.evolve(LINE, netvisor_key=8002)),
    )
    assert rekeyed(reposted, stored) == {8001: 7001}  # the second copy is a new line
    assert rekeyed(INVOICE, stored) == {}  # the old key is still there
    changed = attrs.evolve(
        INVOICE, lines=(attrs.evolve(LINE, netvisor_key=8001, line_sum=Decimal("9.99")),)
    )
    assert rekeyed(changed, stored) == {}
