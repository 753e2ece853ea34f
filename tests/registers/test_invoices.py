"""The invoice rules at the pure level: one test (or more) per refusal rule and per settled
point of reference/invoices.md §5 (5-11, 14; 3 as :func:`reconcile`)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from importlib import resources

import attrs
import pytest
from lxml import etree

from silta import netvisor, severa
from silta.domain import CustomerDirection, ProductDirection, Refusal
from silta.netvisor import schema
from silta.netvisor import xmlcodec as x
from silta.registers import dimensions
from silta.registers.invoices import (
    InvoiceSettings,
    NetvisorInvoiceStatus,
    OriginalInvoice,
    changed_after_transfer,
    entries_needed,
    fingerprint,
    needs_invoice_settings,
    private_comment,
    reconcile,
)
from silta.registers.rules import RULES

from .invoice_builders import (
    ALL_ITEMS,
    CUSTOMER,
    OTHER_PROJECT,
    PROJECT,
    SETTINGS,
    TENANT,
    fee,
    hour,
    invoice,
    lookups,
    projects,
    row,
    transfer,
)

INVOICE_RULES = {
    "invoices.customer_not_synchronised",
    "invoices.product_not_synchronised",
    "invoices.temp_missing",
    "invoices.dimension_item_missing",
    "invoices.total_mismatch",
    "invoices.reference_invalid",
    "invoices.currency_not_company",
    "invoices.vat_rate_not_valid",
    "invoices.reverse_charge_vat_id_missing",
    "invoices.zero_vat_unmapped",
    "invoices.number_in_use",
    "invoices.credit_note_before_original",
}


def rules_of(refusals: tuple[Refusal, ...]) -> list[str]:
    return [refusal.rule for refusal in refusals]


def test_the_invoice_rules_are_exactly_the_agreed_ids_with_both_languages() -> None:
    assert {rule for rule in RULES if rule.startswith("invoices.")} == INVOICE_RULES
    for rule_id in INVOICE_RULES:
        rule = RULES[rule_id]
        assert rule.fi and rule.en and rule.source
        if rule_id != "invoices.number_in_use":  # names the number, not the invoice
            assert "{invoice}" in rule.fi and "{invoice}" in rule.en


def test_a_plain_invoice_transfers_with_everything_netvisor_needs() -> None:
    mapping = transfer()
    assert mapping.refusals == () and mapping.plan is not None
    data = mapping.plan.data
    assert data.number == "1001" and data.reference_number == "10016"
    assert data.date == date(2026, 3, 31) and data.due_date == date(2026, 4, 14)
    assert data.payment_term_net_days == 14
    assert data.amount == Decimal("1255.00") and data.currency == "EUR"
    assert data.status == "unsent"
    assert data.customer_identifier == "5" and data.customer_identifier_type == "customer"
    assert data.customer_name is None  # Netvisor copies the card's name and address
    assert data.our_reference == "Matti" and data.order_number == "PO-7"
    (line,) = data.lines
    assert (line.product_identifier, line.name) == ("KONS", "Suunnittelu 3/2026")
    assert (line.quantity, line.unit_price) == (Decimal(10), Decimal(100))
    assert (line.vat_percent, line.vat_code) == (Decimal("25.5"), "KOMY")
    assert (line.vat_sum, line.line_sum) == (Decimal("255.00"), Decimal("1255.00"))
    assert line.account == "3000"


def test_the_planned_invoice_is_valid_against_netvisors_dtd() -> None:
    mapping = transfer(settings=attrs.evolve(SETTINGS, dimensions_on_lines=True),
                       hours=(hour("r-1", 10, phase="ph-1"),))  # fmt: skip
    assert mapping.plan is not None
    body = x.build(schema.SALES_INVOICE, mapping.plan.data)
    text = (resources.files("silta.sandbox.netvisor") / "dtd" / "salesinvoice.dtd").read_text(
        encoding="utf-8"
    )
    dtd = etree.DTD(io.StringIO(text[text.index("[") + 1 : text.rindex("]")]))
    assert dtd.validate(etree.fromstring(body)), dtd.error_log


# -- §5.14 -----------------------------------------------------------------------------------


def test_point_14_the_private_comment_names_the_severa_invoice() -> None:
    mapping = transfer()
    assert mapping.plan is not None
    assert mapping.plan.data.private_comment == "Severa inv-1" == private_comment("inv-1")


# -- §5.5: the customer ----------------------------------------------------------------------


def test_point_5_the_billing_customer_is_used_not_the_projects_customer() -> None:
    linked_project_customer = lookups(customers={"project-customer": attrs.evolve(
        lookups().customers[CUSTOMER], code="9")})  # fmt: skip
    refused = transfer(known=linked_project_customer)
    assert rules_of(refused.refusals) == ["invoices.customer_not_synchronised"]
    assert "Ääri Oy" in refused.refusals[0].message_fi


def test_customer_not_synchronised_quotes_the_customer_registers_own_refusal() -> None:
    reason = Refusal("customers.severa.business_id_missing", "vatNumber",
                     "Asiakkaalta puuttuu Y-tunnus", "The customer has no business ID")  # fmt: skip
    mapping = transfer(known=lookups(customers={}, customer_refusals={CUSTOMER: reason}))
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.customer_not_synchronised"
    assert "1001 (Ääri Oy)" in refusal.message_fi
    assert "Asiakkaalta puuttuu Y-tunnus" in refusal.message_fi
    assert "The customer has no business ID" in refusal.message_en
    assert mapping.plan is None


def test_point_5_a_customer_known_only_by_key_goes_by_netvisor_key() -> None:
    from silta.registers.invoices import CustomerTarget

    mapping = transfer(known=lookups(customers={CUSTOMER: CustomerTarget(netvisor_key=77)}))
    assert mapping.plan is not None
    assert mapping.plan.data.customer_identifier == "77"
    assert mapping.plan.data.customer_identifier_type == "netvisor"


def test_point_5_temp_customer_carries_the_real_name_and_address() -> None:
    tenant = attrs.evolve(TENANT, customers=CustomerDirection.TEMP_CUSTOMER)
    mapping = transfer(tenant=tenant, known=lookups(tenant, customers={}))
    assert mapping.plan is not None
    data = mapping.plan.data
    assert data.customer_identifier == "TEMP"
    assert data.customer_name == "Ääri Oy (laskutus)"
    assert (data.customer_address_line, data.customer_post_number, data.customer_town) == (
        "Katu 1", "00100", "Helsinki")  # fmt: skip
    assert data.customer_country == "FI"


def test_temp_missing_for_the_customer() -> None:
    tenant = attrs.evolve(TENANT, customers=CustomerDirection.TEMP_CUSTOMER)
    mapping = transfer(tenant=tenant, known=lookups(tenant, temp_customer_exists=False))
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.temp_missing"
    assert "tilapäisasiakasta" in refusal.message_fi and "temporary customer" in refusal.message_en


def test_temp_missing_for_the_product() -> None:
    tenant = attrs.evolve(TENANT, products=ProductDirection.TEMP_PRODUCT)
    known = lookups(tenant, temp_product_exists=False)
    mapping = transfer(rows=(row(code=["NOT-IN-NETVISOR"]),), tenant=tenant, known=known)
    assert rules_of(mapping.refusals) == ["invoices.temp_missing"]
    assert "tilapäistuotetta" in mapping.refusals[0].message_fi


def test_point_6_temp_product_mode_takes_a_code_netvisor_has_first() -> None:
    """§5.6: "Not found: TEMP when TEMP mode"; a code Netvisor has is found first."""
    tenant = attrs.evolve(TENANT, products=ProductDirection.TEMP_PRODUCT)
    mapping = transfer(tenant=tenant, known=lookups(tenant, temp_product_exists=False))
    assert mapping.plan is not None
    assert all(line.product_identifier != "TEMP" for line in mapping.plan.data.lines)


# -- §5.6: the product -----------------------------------------------------------------------


def test_point_6_temp_product_mode_sends_every_row_to_temp_with_severas_text() -> None:
    tenant = attrs.evolve(TENANT, products=ProductDirection.TEMP_PRODUCT)
    mapping = transfer(rows=(row(code=["NOT-IN-NETVISOR"]),), tenant=tenant)
    assert mapping.plan is not None
    (line,) = mapping.plan.data.lines
    assert (line.product_identifier, line.name) == ("TEMP", "Suunnittelu 3/2026")


def test_product_not_synchronised_names_the_code_and_the_fix() -> None:
    mapping = transfer(rows=(row(code=["SUUNN"]),))
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.product_not_synchronised"
    assert "SUUNN" in refusal.message_fi and "tuoterekisterissä" in refusal.message_fi


def test_point_6_a_work_type_code_goes_by_the_khs_mapping() -> None:
    settings = attrs.evolve(SETTINGS, product_codes={"SUUNN": "KONS"})
    mapping = transfer(rows=(row(code=["SUUNN"]),), settings=settings)
    assert mapping.plan is not None
    assert mapping.plan.data.lines[0].product_identifier == "KONS"


def test_point_6_several_codes_go_to_the_fallback_with_severas_description() -> None:
    several = row(code=["KONS", "TARV", "KONS"], description="Konsultointi ja tarvikkeet")
    refused = transfer(rows=(several,))
    assert rules_of(refused.refusals) == ["invoices.product_not_synchronised"]
    assert "useita koodeja" in refused.refusals[0].message_fi
    mapping = transfer(rows=(several,), settings=attrs.evolve(SETTINGS, fallback_product="YLEINEN"))
    assert mapping.plan is not None
    (line,) = mapping.plan.data.lines
    assert (line.product_identifier, line.name) == ("YLEINEN", "Konsultointi ja tarvikkeet")
    (warning,) = mapping.notices
    assert warning.rule == "invoices.several_codes" and "KONS, TARV" in warning.message_fi


def test_a_fallback_product_netvisor_lacks_is_no_fallback() -> None:
    settings = attrs.evolve(SETTINGS, fallback_product="EI-OLE")
    mapping = transfer(rows=(row(code=["KONS", "TARV"]),), settings=settings)
    assert rules_of(mapping.refusals) == ["invoices.product_not_synchronised"]


# -- §5.7: dimensions ------------------------------------------------------------------------

DIMS = attrs.evolve(SETTINGS, dimensions_on_lines=True)


def dims(line: netvisor.SalesInvoiceLineData) -> list[tuple[str, str]]:
    return [(d.header, d.item) for d in line.dimensions]


def test_point_7_a_line_gets_its_project_and_unit_as_the_dimension_register_names_them() -> None:
    mapping = transfer(settings=DIMS, hours=(hour("r-1", 10),))
    assert mapping.plan is not None
    (line,) = mapping.plan.data.lines
    project = projects()[0]
    assert dims(line) == [("Projekti", dimensions.project_item_name(project)),
                          ("Yksikkö", "HKI Helsinki")]  # fmt: skip


def test_point_7_with_phases_the_phase_item_stands_under_the_project_header() -> None:
    tenant = attrs.evolve(TENANT, include_phases=True)
    mapping = transfer(settings=DIMS, tenant=tenant, known=lookups(tenant),
                       hours=(hour("r-1", 10, phase="ph-1"),))  # fmt: skip
    assert mapping.plan is not None
    assert dims(mapping.plan.data.lines[0])[0] == ("Projekti", "10 Määrittely")
    # a phase the register refused (no code) falls back to its nearest transferred ancestor
    mapping = transfer(settings=DIMS, tenant=tenant, known=lookups(tenant),
                       hours=(hour("r-1", 10, phase="ph-2a"),))  # fmt: skip
    assert mapping.plan is not None
    assert dims(mapping.plan.data.lines[0])[0] == ("Projekti", "20 Toteutus")


def test_point_7_a_row_over_two_projects_is_split_when_the_parts_add_up() -> None:
    entries = (hour("r-1", 6), hour("r-1", 4, project=OTHER_PROJECT))
    mapping = transfer(settings=DIMS, hours=entries)
    assert mapping.plan is not None and mapping.notices == ()
    first, second = mapping.plan.data.lines
    assert (first.quantity, second.quantity) == (Decimal(6), Decimal(4))
    assert dims(first)[0] == ("Projekti", "100 Pilvi") and dims(second)[0] == (
        "Projekti",
        "200 Sade",
    )
    assert first.line_sum + second.line_sum == Decimal("1255.00") == mapping.plan.data.amount


def test_point_7_parts_that_do_not_add_up_keep_the_majoritys_project_with_a_notice() -> None:
    entries = (hour("r-1", 3), hour("r-1", 5, project=OTHER_PROJECT))  # 8 h billed as 10
    mapping = transfer(settings=DIMS, hours=entries)
    assert mapping.plan is not None
    (line,) = mapping.plan.data.lines
    assert line.quantity == Decimal(10) and dims(line)[0] == ("Projekti", "200 Sade")
    (warning,) = mapping.notices
    assert warning.rule == "invoices.dimension_majority" and "200 Sade" in warning.message_fi


def test_point_7_a_row_with_nothing_billed_takes_the_invoices_single_project() -> None:
    flat = row(rowType="FlatRate", flatRateGuid="fr-1")
    mapping = transfer(rows=(flat,), settings=DIMS)
    assert mapping.plan is not None
    assert dims(mapping.plan.data.lines[0])[0] == ("Projekti", "100 Pilvi")
    two = invoice(projects=[{"guid": PROJECT}, {"guid": OTHER_PROJECT}])
    mapping = transfer(two, (flat,), settings=DIMS)
    assert mapping.plan is not None and mapping.plan.data.lines[0].dimensions == ()
    assert [n.rule for n in mapping.notices] == ["invoices.dimension_unknown"]


def test_dimension_item_missing_refuses_when_creation_is_off() -> None:
    known = lookups(netvisor_items={**ALL_ITEMS, "Projekti": frozenset({"200 Sade"})})
    mapping = transfer(settings=DIMS, known=known, hours=(hour("r-1", 10),))
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.dimension_item_missing"
    assert "100 Pilvi" in refusal.message_fi and "Projekti" in refusal.message_fi


def test_point_7_missing_items_are_listed_to_create_first_parents_before_children() -> None:
    tenant = attrs.evolve(TENANT, include_phases=True)
    known = lookups(tenant, netvisor_items={**ALL_ITEMS, "Projekti": frozenset()})
    settings = attrs.evolve(DIMS, create_missing_items=True)
    mapping = transfer(settings=settings, tenant=tenant, known=known,
                       hours=(hour("r-1", 10, phase="ph-1"),))  # fmt: skip
    assert mapping.plan is not None and mapping.refusals == ()
    created = [(i.kind, i.name) for i in mapping.plan.missing_items]
    assert created == [(dimensions.Kind.PROJECT, "100 Pilvi"),
                       (dimensions.Kind.PHASE, "10 Määrittely")]  # fmt: skip


def test_a_missing_header_is_refused_even_with_creation_on() -> None:
    known = lookups(netvisor_items={"Projekti": ALL_ITEMS["Projekti"]})  # no "Yksikkö"
    settings = attrs.evolve(DIMS, create_missing_items=True)
    mapping = transfer(settings=settings, known=known, hours=(hour("r-1", 10),))
    assert rules_of(mapping.refusals) == ["invoices.dimension_item_missing"]
    assert "Yksikkö" in mapping.refusals[0].message_fi


def test_without_dimensions_on_lines_no_line_has_one() -> None:
    mapping = transfer(hours=(hour("r-1", 10),))
    assert mapping.plan is not None and mapping.plan.data.lines[0].dimensions == ()


ZERO = (row(vatRate=0.0),)
ZERO_TOTAL = {"amount": 1000.0}
REVERSE = severa.InvoiceSettings(is_reverse_charged=True, reverse_charge_description=None)
NOT_REVERSE = severa.InvoiceSettings(is_reverse_charged=False)


# -- §5.8: amounts ---------------------------------------------------------------------------


def test_point_8_amounts_are_decimal_rounded_per_line_and_must_meet_severas_total() -> None:
    # 3 x 33.333 = 99.999 -> 100.00; VAT 25.5 % of 100.00 = 25.50; 0.1 + 0.2 stays exact.
    rows = (row("a", quantity=3, unitPrice={"amount": 33.333}, sortOrder=1),
            row("b", quantity=1, unitPrice={"amount": 0.1}, sortOrder=2, vatRate=0.0),
            row("c", quantity=1, unitPrice={"amount": 0.2}, sortOrder=3, vatRate=0.0))  # fmt: skip
    the_invoice = invoice(totalIncludingTax={"amount": 125.8, "currencyCode": "EUR"},
                          receiverAddress={"country": "Suomi"})  # fmt: skip
    settings = attrs.evolve(SETTINGS, zero_vat_codes={"domestic_zero": "KOMY0"})
    mapping = transfer(the_invoice, rows, settings=settings, invoice_settings=NOT_REVERSE)
    assert mapping.plan is not None, mapping.refusals
    first, second, third = mapping.plan.data.lines
    assert (first.vat_sum, first.line_sum) == (Decimal("25.50"), Decimal("125.50"))
    assert second.line_sum + third.line_sum == Decimal("0.30")
    assert mapping.plan.data.amount == Decimal("125.80")


def test_total_mismatch_refuses_with_both_figures() -> None:
    mapping = transfer(invoice(totalIncludingTax={"amount": 1256.0, "currencyCode": "EUR"}))
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.total_mismatch"
    assert "1255,00" in refusal.message_fi and "1256,00" in refusal.message_fi
    assert "1255,00" in refusal.message_en and "1256,00" in refusal.message_en


def test_point_8_vat_rounded_once_per_rate_is_followed_with_a_notice() -> None:
    # Three lines of 0.10 net: per line 0.03 VAT each (0.0255 -> 0.03), 0.39 in all; on
    # the rate's total 0.30 x 25.5 % = 0.0765 -> 0.08, so Severa's total is 0.38.
    rows = tuple(row(f"r{i}", quantity=1, unitPrice={"amount": 0.1}, sortOrder=i)
                 for i in range(3))  # fmt: skip
    the_invoice = invoice(totalIncludingTax={"amount": 0.38, "currencyCode": "EUR"})
    mapping = transfer(the_invoice, rows)
    assert mapping.plan is not None
    assert mapping.plan.data.amount == Decimal("0.38")
    assert sorted(line.vat_sum for line in mapping.plan.data.lines if line.vat_sum) == [
        Decimal("0.02"), Decimal("0.03"), Decimal("0.03")]  # fmt: skip
    assert [n.rule for n in mapping.notices] == ["invoices.vat_rounded_per_rate"]


def test_point_8_a_negative_unit_price_puts_its_sign_in_the_quantity() -> None:
    rows = (row("a"), row("disc", quantity=1, unitPrice={"amount": -100}, sortOrder=2))
    mapping = transfer(invoice(totalIncludingTax={"amount": 1129.5}), rows)
    assert mapping.plan is not None
    discount = mapping.plan.data.lines[1]
    assert (discount.quantity, discount.unit_price) == (Decimal(-1), Decimal(100))
    assert discount.line_sum == Decimal("-125.50")


# -- reference, currency ---------------------------------------------------------------------


def test_reference_invalid_refuses_with_the_reason() -> None:
    mapping = transfer(invoice(referenceNumber="10017"))
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.reference_invalid"
    assert "10017" in refusal.message_fi and "check digit" in refusal.message_en


@pytest.mark.parametrize(("written", "sent"), [("RF11 1232", "RF111232"), ("1 0016", "10016")])
def test_valid_references_go_as_the_payer_writes_them(written: str, sent: str) -> None:
    mapping = transfer(invoice(referenceNumber=written))
    assert mapping.plan is not None and mapping.plan.data.reference_number == sent


def test_no_reference_goes_with_a_notice() -> None:
    mapping = transfer(invoice(referenceNumber=None))
    assert mapping.plan is not None and mapping.plan.data.reference_number is None
    assert [n.rule for n in mapping.notices] == ["invoices.reference_missing"]


def test_currency_not_company_refuses_a_foreign_currency_invoice() -> None:
    mapping = transfer(invoice(currency={"guid": "sek", "code": "SEK"}))
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.currency_not_company"
    assert "SEK" in refusal.message_fi and "EUR" in refusal.message_fi


# -- §5.9: VAT -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "day", "ok"),
    [(25.5, "2026-03-31", True), (24, "2026-03-31", False), (24, "2024-08-31", True),
     (13.5, "2026-01-01", True), (14, "2026-01-01", False), (14, "2025-12-31", True)],
)  # fmt: skip
def test_point_9_a_rate_above_zero_is_komy_in_force_on_the_invoice_date(
    rate: float, day: str, ok: bool
) -> None:
    total = float(Decimal(1000) + (Decimal(str(rate)) * 10))
    mapping = transfer(invoice(date=day, dueDate=day, totalIncludingTax={"amount": total}),
                       (row(vatRate=rate),))  # fmt: skip
    if ok:
        assert mapping.plan is not None and mapping.plan.data.lines[0].vat_code == "KOMY"
    else:
        (refusal,) = mapping.refusals
        assert refusal.rule == "invoices.vat_rate_not_valid"
        assert f"{rate:g}".replace(".", ",") in refusal.message_fi


def test_point_9_domestic_reverse_charge_is_ramy_with_the_legal_text() -> None:
    mapping = transfer(invoice(totalIncludingTax=ZERO_TOTAL), ZERO, invoice_settings=REVERSE)
    assert mapping.plan is not None
    assert mapping.plan.data.lines[0].vat_code == "RAMY"
    assert "Käännetty verovelvollisuus" in (mapping.plan.data.free_text_after_lines or "")


def test_reverse_charge_vat_id_missing_refuses() -> None:
    mapping = transfer(invoice(totalIncludingTax=ZERO_TOTAL, receiverVatNumber=None), ZERO,
                       invoice_settings=REVERSE)  # fmt: skip
    assert rules_of(mapping.refusals) == ["invoices.reverse_charge_vat_id_missing"]


@pytest.mark.parametrize(
    ("country", "entries", "code"),
    [("Ruotsi", {}, "EUUM"),
     ("Sweden", {"fees": (fee("r-1", 10, product_type="Materials"),)}, "EUMY"),
     ("SE", {"fees": (fee("r-1", 10, product_type="FixedFees"),)}, "EUUM")],
)  # fmt: skip
def test_point_9_eu_sales_take_the_services_or_goods_code(
    country: str, entries: dict[str, object], code: str
) -> None:
    the_row = row(vatRate=0.0, rowType="ProjectFees" if entries else "Hours")
    mapping = transfer(invoice(totalIncludingTax=ZERO_TOTAL,
                               receiverAddress={"country": country}),
                       (the_row,), invoice_settings=NOT_REVERSE, **entries)  # fmt: skip
    assert mapping.plan is not None, mapping.refusals
    assert mapping.plan.data.lines[0].vat_code == code


@pytest.mark.parametrize(
    ("country", "case"),
    [("Norja", "myynti EU:n ulkopuolelle"), ("Ahvenanmaa", "myynti EU:n ulkopuolelle"),
     ("Suomi", "0 % kotimaassa"), ("Atlantis", "ostajan maa ei ole tiedossa")],
)  # fmt: skip
def test_zero_vat_unmapped_refuses_naming_the_case(country: str, case: str) -> None:
    mapping = transfer(invoice(totalIncludingTax=ZERO_TOTAL, receiverAddress={"country": country}),
                       ZERO, invoice_settings=NOT_REVERSE)  # fmt: skip
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.zero_vat_unmapped" and case in refusal.message_fi


def test_point_9_a_mapped_export_code_is_used() -> None:
    settings = attrs.evolve(SETTINGS, zero_vat_codes={"outside_eu": "NONE"})
    mapping = transfer(invoice(totalIncludingTax=ZERO_TOTAL, receiverAddress={"country": "Norja"}),
                       ZERO, settings=settings, invoice_settings=NOT_REVERSE)  # fmt: skip
    assert mapping.plan is not None and mapping.plan.data.lines[0].vat_code == "NONE"


def test_a_zero_row_without_the_invoices_settings_is_a_programming_error() -> None:
    assert needs_invoice_settings(ZERO) and not needs_invoice_settings((row(),))
    with pytest.raises(ValueError, match="invoicesettings"):
        transfer(invoice(totalIncludingTax=ZERO_TOTAL), ZERO)


# -- §5.10: credit notes ---------------------------------------------------------------------

ORIGINAL = OriginalInvoice(guid="inv-0", netvisor_key=1802, number="990", date=date(2024, 6, 1))


def credit_note(**changes: object) -> severa.Invoice:
    values = {"guid": "cn-1", "number": 1002, "isCreditNote": True,
              "reimburseInvoice": {"guid": "inv-0", "number": 990},
              "totalIncludingTax": {"amount": -1240.0}, **changes}  # fmt: skip
    return invoice(**values)


CREDIT_ROWS = (row(quantity=-10, vatRate=24),)


def test_credit_note_before_original_waits_for_the_original() -> None:
    mapping = transfer(credit_note(), CREDIT_ROWS)
    (refusal,) = mapping.refusals
    assert refusal.rule == "invoices.credit_note_before_original"
    assert "990" in refusal.message_fi


def test_point_10_a_credit_note_is_negative_with_a_positive_price_and_its_originals_vat() -> None:
    # 24 % is no longer in force on 31.3.2026, but was on the original's date.
    mapping = transfer(credit_note(), CREDIT_ROWS, known=lookups(originals={"inv-0": ORIGINAL}))
    assert mapping.plan is not None, mapping.refusals
    plan = mapping.plan
    (line,) = plan.data.lines
    assert (line.quantity, line.unit_price) == (Decimal(-10), Decimal(100))
    assert (line.vat_sum, line.line_sum) == (Decimal("-240.00"), Decimal("-1240.00"))
    assert plan.data.amount == Decimal("-1240.00")
    assert plan.is_credit_note and plan.original == ORIGINAL  # for matchcreditnote.nv
    assert "990" in (plan.data.free_text_after_lines or "")


def test_point_10_the_credited_invoice_is_read_from_either_link() -> None:
    via_other = credit_note(reimburseInvoice=None,
                            creditNoteInvoice={"guid": "inv-0", "number": 990})  # fmt: skip
    mapping = transfer(via_other, CREDIT_ROWS, known=lookups(originals={"inv-0": ORIGINAL}))
    assert mapping.plan is not None and mapping.plan.original == ORIGINAL


# -- §5.3, §5.11 -----------------------------------------------------------------------------


def summary(**changes: object) -> netvisor.SalesInvoiceSummary:
    values: dict[str, object] = {"netvisor_key": 1802, "number": "1001", "customer_code": "5",
                                 "customer_name": "Ääri Oy",
                                 "amount": Decimal("1255.00")}  # fmt: skip
    values.update(changes)
    return netvisor.SalesInvoiceSummary(**values)  # type: ignore[arg-type]


def test_point_3_the_same_invoice_found_by_number_is_adopted_not_sent_again() -> None:
    plan = transfer().plan
    assert plan is not None
    assert reconcile(plan.data, []) is None
    assert reconcile(plan.data, [summary()]) == 1802
    assert reconcile(plan.data, [summary(private_comment="Severa inv-1")]) == 1802


@pytest.mark.parametrize(
    "other",
    [{"customer_code": "6"}, {"amount": Decimal("1255.01")}, {"private_comment": "Severa inv-9"}],
)
def test_number_in_use_refuses_when_another_invoice_has_the_number(
    other: dict[str, object],
) -> None:
    plan = transfer().plan
    assert plan is not None
    refusal = reconcile(plan.data, [summary(**other)])
    assert isinstance(refusal, Refusal) and refusal.rule == "invoices.number_in_use"
    assert "1001" in refusal.message_fi and "Ääri Oy" in refusal.message_fi


def test_point_11_a_change_in_severa_after_the_transfer_is_reported_never_sent() -> None:
    first = transfer()
    assert first.plan is not None
    stored = first.plan.fingerprint
    assert changed_after_transfer(stored, transfer()) is None
    renamed = transfer(known=lookups(netvisor_items=ALL_ITEMS))  # Netvisor side: no change
    assert changed_after_transfer(stored, renamed) is None
    edited = transfer(rows=(row(description="Suunnittelu, korjattu"),))
    warning = changed_after_transfer(stored, edited)
    assert warning is not None and warning.rule == "invoices.changed_after_transfer"
    assert fingerprint(invoice(), (row(),)) == stored


# -- point 4 and what is read ----------------------------------------------------------------


def test_point_4_the_netvisor_status_is_the_settings_choice() -> None:
    settings = attrs.evolve(SETTINGS, netvisor_status=NetvisorInvoiceStatus.OPEN)
    mapping = transfer(settings=settings)
    assert mapping.plan is not None and mapping.plan.data.status == "open"


def test_an_unnumbered_invoice_waits_with_a_reason() -> None:
    mapping = transfer(invoice(number=None))
    assert mapping.plan is None and mapping.refusals == ()
    assert mapping.waiting is not None and mapping.waiting.rule == "invoices.not_numbered"


def test_every_problem_of_an_invoice_is_listed_at_once() -> None:
    broken = invoice(referenceNumber="123", currency={"guid": "s", "code": "SEK"})
    mapping = transfer(broken, (row(code=["X"]),), known=lookups(customers={}))
    assert set(rules_of(mapping.refusals)) == {
        "invoices.reference_invalid", "invoices.currency_not_company",
        "invoices.customer_not_synchronised", "invoices.product_not_synchronised",
    }  # fmt: skip


def test_the_entry_lists_read_per_invoice_are_the_minimum() -> None:
    rows = (row("h", rowType="Hours"), row("f", rowType="ProjectFees", vatRate=0.0),
            row("t", rowType="TravelExpenses"), row("x", rowType="FlatRate"))  # fmt: skip
    assert entries_needed(rows, DIMS) == {"hours", "fees", "travel"}
    assert entries_needed(rows, SETTINGS) == {"fees"}  # only to tell goods from services
    assert entries_needed((row(),), SETTINGS) == frozenset()


def test_invoice_settings_round_trip_and_refuse_nonsense() -> None:
    settings = InvoiceSettings(
        enabled=True, ready_status="r", transferred_status="t", dimensions_on_lines=True,
        zero_vat_codes={"outside_eu": "none"}, product_codes={"SUUNN": "KONS"},
        fallback_product="YLEINEN", mode="manual", netvisor_status="open",
    )  # fmt: skip
    assert InvoiceSettings.from_json(settings.as_json()) == settings
    assert settings.zero_vat_code(InvoiceSettings().zero_vat_codes[0][0]) is None
    with pytest.raises(ValueError, match="unknown invoice settings"):
        InvoiceSettings.from_json({"colour": "red"})
    with pytest.raises(ValueError, match="not a Netvisor VAT code"):
        InvoiceSettings.from_json({"zero_vat_codes": {"eu_goods": "ALV0"}})
    with pytest.raises(ValueError, match="both"):
        InvoiceSettings.from_json({"enabled": True, "ready_status": "r"})
    with pytest.raises(ValueError, match="differ"):
        InvoiceSettings.from_json({"ready_status": "r", "transferred_status": "r"})
    with pytest.raises(ValueError, match="paid"):
        InvoiceSettings.from_json({"netvisor_status": "paid"})
