"""Severa travel reports → Netvisor travel invoices, at the pure level: one test per rule of
reference/invoices.md §1.3 and settled point §5.13, and per refusal rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from silta import netvisor, severa
from silta.domain import TenantSettings
from silta.registers.invoice_lines import dimension_index
from silta.registers.rules import RULES
from silta.registers.travel import (
    TravelLookups,
    TravelMapping,
    TravelSettings,
    TravelSource,
    changed_after_transfer,
    employee_refused,
    fingerprint,
    map_report,
    with_attachments,
)

APPROVED = "st-approved"
LOCKED_APPROVED = "st-paid"
WAITING = "st-waiting"
USER = "u-1"
PROJECT = "p-1"
UNIT = "bu-1"
HOTEL, TAXI, KM, DAILY = "t-hotel", "t-taxi", "t-km", "t-daily"

STATUSES = [
    severa.TravelReimbursementStatus(guid=WAITING, name="Odottaa hyväksyntää"),
    severa.TravelReimbursementStatus(guid=APPROVED, name="Hyväksytty", is_approved=True),
    severa.TravelReimbursementStatus(
        guid=LOCKED_APPROVED, name="Maksettu", is_approved=True, is_locked=True
    ),
]
SETTINGS = TravelSettings(
    enabled=True,
    ratios=[
        (HOTEL, "FI", "Majoituskulut"),
        (HOTEL, "EN", "Accommodation"),
        (TAXI, "FI", "Taksikulut"),
    ],
    compensation_types={DAILY: "domesticfull"},
    dimensions=True,
)
TENANT = TenantSettings(dimensions=True, project_header="Projekti", business_unit_header="Yksikkö")
INDEX = dimension_index(
    TENANT,
    projects=[
        severa.Project(
            guid=PROJECT,
            name="Pilvi",
            number=100,
            business_unit={"guid": UNIT, "name": "Helsinki", "code": "HKI"},
        )  # type: ignore[arg-type]
    ],
)
LOOKUPS = TravelLookups(
    eligible_statuses=SETTINGS.eligible(STATUSES),
    users={USER: severa.User(guid=USER, first_name="Maija", last_name="Meikäläinen", code="1001")},
    dimensions=INDEX,
    netvisor_items={"Projekti": frozenset({"100 Pilvi"}), "Yksikkö": frozenset({"HKI Helsinki"})},
)


def report(**changes: Any) -> severa.TravelReimbursement:
    data: dict[str, Any] = {
        "guid": "r-1",
        "number": 42,
        "title": "Asiakaskäynti Tampere",
        "date": "2026-03-11T00:00:00Z",
        "user": {"guid": USER, "name": "Maija Meikäläinen"},
        "travelReimbursementStatus": {"guid": APPROVED, "name": "Hyväksytty"},
        "total": {"amount": 512.5, "currencyCode": "EUR"},
    }
    data.update(changes)
    return severa.TravelReimbursement.model_validate(data)


def expense(
    guid: str, kind: str, type_guid: str, quantity: float, cost: float, **changes: Any
) -> severa.ProjectTravelExpense:
    data: dict[str, Any] = {
        "guid": guid,
        "travelExpense": {
            "guid": type_guid,
            "name": type_guid.removeprefix("t-").title(),
            "expenseClass": kind,
        },
        "project": {"guid": PROJECT, "name": "Pilvi", "number": 100},
        "user": {"guid": USER, "name": "Maija Meikäläinen", "code": "1001"},
        "quantity": quantity,
        "unitCost": {"amount": cost, "currencyCode": "EUR"},
        "purchaseVatRate": 13.5 if kind == "OtherTravelExpense" else 0,
        "travelReimbursementRequired": True,
        "eventDate": "2026-03-09",
        "description": f"{type_guid} Tampere",
        "attachmentCount": 0,
    }
    data.update(changes)
    return severa.ProjectTravelExpense.model_validate(data)


HOTEL_LINE = expense(
    "e-hotel",
    "OtherTravelExpense",
    HOTEL,
    2,
    150,
    travelStartTime="2026-03-09T05:00:00Z",
    travelEndTime="2026-03-10T16:30:00Z",
    attachmentCount=1,
)
TAXI_LINE = expense(
    "e-taxi", "OtherTravelExpense", TAXI, 1, 23.4, travelReimbursementRequired=False
)
KM_LINE = expense("e-km", "Mileage", KM, 172.5, 0.59, description="Helsinki - Tampere")
DAILY_LINE = expense(
    "e-daily",
    "DailyAllowance",
    DAILY,
    1,
    54,
    travelStartTime="2026-03-09T05:00:00Z",
    travelEndTime="2026-03-10T16:30:00Z",
)
RECEIPT = severa.TravelExpenseFile(
    guid="f-1",
    file_guid="data-1",
    travel_expense_guid="e-hotel",
    name="hotelli.pdf",
    size=Decimal(18432),
    content_type="application/pdf",
)
SOURCE = TravelSource(
    report=report(), expenses=(HOTEL_LINE, TAXI_LINE, KM_LINE, DAILY_LINE), files=(RECEIPT,)
)


def copy(model: Any, **changes: Any) -> Any:
    """A pydantic model with fields changed (the Severa models are pydantic, not attrs)."""
    return model.model_copy(update=changes)


def mapped(
    source: TravelSource = SOURCE,
    settings: TravelSettings = SETTINGS,
    lookups: TravelLookups = LOOKUPS,
    tenant: TenantSettings = TENANT,
) -> TravelMapping:
    return map_report(source, tenant, settings, lookups)


def rules_of(mapping: TravelMapping) -> list[str]:
    return [refusal.rule for refusal in mapping.refusals]


# -- which reports --------------------------------------------------------------------------------


def test_approved_statuses_are_eligible_and_the_kh_may_only_narrow_them() -> None:
    assert TravelSettings().eligible(STATUSES) == {APPROVED, LOCKED_APPROVED}
    assert TravelSettings(statuses=[APPROVED]).eligible(STATUSES) == {APPROVED}
    assert TravelSettings(statuses=[WAITING]).eligible(STATUSES) == frozenset()


def test_a_report_not_in_an_eligible_status_is_skipped() -> None:
    waiting = attrs.evolve(
        SOURCE, report=report(travelReimbursementStatus={"guid": WAITING, "name": "Odottaa"})
    )
    mapping = mapped(waiting)
    assert mapping.plan is None and not mapping.refusals
    assert mapping.skipped is not None and mapping.skipped.rule == "travel.not_eligible"


def test_a_report_of_only_non_reimbursable_lines_is_skipped() -> None:
    card_only = attrs.evolve(SOURCE, expenses=(TAXI_LINE,), files=())
    mapping = mapped(card_only)
    assert mapping.plan is None and not mapping.refusals
    assert mapping.skipped is not None and mapping.skipped.rule == "travel.nothing_to_reimburse"
    assert "42 Asiakaskäynti Tampere (Maija Meikäläinen)" in mapping.skipped.message_fi


def test_a_zero_sum_report_is_skipped() -> None:
    nothing = attrs.evolve(SOURCE, expenses=(copy(KM_LINE, quantity=Decimal(0)),))
    for source in [nothing, attrs.evolve(SOURCE, expenses=(), files=())]:
        mapping = mapped(source)
        assert mapping.plan is None and not mapping.refusals
        assert mapping.skipped is not None and mapping.skipped.rule == "travel.zero_sum"


# -- the travel invoice ------------------------------------------------------------------------


def test_point_13_a_report_becomes_one_travel_invoice_with_every_kind_of_line() -> None:
    mapping = mapped()
    assert not mapping.refusals and mapping.plan is not None
    data = mapping.plan.data
    assert data.header == "Severa 42: Asiakaskäynti Tampere"
    assert data.description == "Severa r-1"
    hotel, taxi = data.custom_lines
    assert hotel.employee_identifier == "1001" and hotel.employee_identifier_type == "number"
    assert hotel.ratio == "Majoituskulut" and hotel.amount == Decimal(2)
    assert hotel.unit_price == Decimal(150) and hotel.currency == "EUR"
    assert hotel.vat_percent == Decimal("13.5")
    assert (hotel.begin_date, hotel.end_date) == (date(2026, 3, 9), date(2026, 3, 10))
    assert hotel.dimensions == (
        netvisor.InvoiceDimension(header="Projekti", item="100 Pilvi"),
        netvisor.InvoiceDimension(header="Yksikkö", item="HKI Helsinki"),
    )
    assert taxi.ratio == "Taksikulut"
    (kilometres,) = data.travel_lines
    assert kilometres.travel_type == "car" and kilometres.kilometer_amount == Decimal("172.5")
    assert kilometres.unit_price == Decimal("0.59")
    assert kilometres.route_description == "Helsinki - Tampere"
    assert kilometres.travel_date == date(2026, 3, 9)
    (daily,) = data.daily_lines
    assert daily.compensation_type == "domesticfull" and daily.amount == Decimal(1)
    assert daily.departure == datetime(2026, 3, 9, 5, 0, tzinfo=UTC)
    assert daily.departure_text == "2026-03-09 07:00"


def test_non_reimbursable_lines_go_as_paid_and_only_they() -> None:
    mapping = mapped()
    assert mapping.plan is not None
    data = mapping.plan.data
    statuses = [
        line.line_status for line in (*data.custom_lines, *data.travel_lines, *data.daily_lines)
    ]
    assert statuses == [None, "PAID", None, None]


def test_the_ratio_is_the_name_in_the_requests_interface_language() -> None:
    english = mapped(
        lookups=attrs.evolve(LOOKUPS, language="EN"),
        source=attrs.evolve(SOURCE, expenses=(HOTEL_LINE,)),
    )
    assert english.plan is not None
    assert english.plan.data.custom_lines[0].ratio == "Accommodation"


def test_dimensions_are_left_off_unless_the_kh_turns_them_on() -> None:
    mapping = mapped(settings=attrs.evolve(SETTINGS, dimensions=False))
    assert mapping.plan is not None
    assert all(not line.dimensions for line in mapping.plan.data.custom_lines)


def test_receipts_go_on_their_expenses_line_with_their_bytes() -> None:
    mapping = mapped()
    assert mapping.plan is not None
    (planned,) = mapping.plan.files
    assert (planned.line_kind, planned.line_index) == ("custom", 0)
    assert planned.mime_type == "application/pdf" and planned.size == 18432
    data = with_attachments(mapping.plan, {"data-1": b"%PDF kuitti"})
    assert isinstance(data, netvisor.TripExpenseData)
    (attachment,) = data.custom_lines[0].attachments
    assert attachment.file_name == "hotelli.pdf" and attachment.data == b"%PDF kuitti"
    assert data.custom_lines[1].attachments == () and data.travel_lines[0].attachments == ()


# -- refusals -------------------------------------------------------------------------------------


def test_a_person_without_an_employee_number_is_refused_naming_them() -> None:
    nobody = {USER: severa.User(guid=USER, first_name="Maija", last_name="Meikäläinen")}
    no_code = attrs.evolve(SOURCE, expenses=tuple(copy(e, user=None) for e in SOURCE.expenses))
    mapping = mapped(no_code, lookups=attrs.evolve(LOOKUPS, users=nobody))
    assert rules_of(mapping) == ["travel.employee_not_matched"]
    (refusal,) = mapping.refusals
    assert "Maija Meikäläinen" in refusal.message_fi and "no code" in refusal.message_en
    # the expenses' user sub-model carries the code when the user list does not
    assert mapped(lookups=attrs.evolve(LOOKUPS, users={})).plan is not None


def test_a_number_netvisor_does_not_have_is_refused_when_the_numbers_are_known() -> None:
    known = attrs.evolve(LOOKUPS, netvisor_employees=frozenset({"1002"}))
    assert rules_of(mapped(lookups=known)) == ["travel.employee_not_matched"]
    assert mapped(lookups=attrs.evolve(known, netvisor_employees=frozenset({"1001"}))).plan
    told = employee_refused("42 Matka", "Maija", "1001", "Employee not found")
    assert told.rule == "travel.employee_not_matched" and "Employee not found" in told.message_en


def test_an_unmapped_expense_type_is_refused_naming_the_type_and_what_it_needs() -> None:
    unmapped = attrs.evolve(
        SETTINGS, ratios=[(HOTEL, "FI", "Majoituskulut")], compensation_types={}
    )
    mapping = mapped(settings=unmapped)
    assert rules_of(mapping) == ["travel.expense_type_unmapped"] * 2
    taxi, daily = mapping.refusals
    assert "Taxi" in taxi.message_fi and "(FI)" in taxi.message_en
    assert "daily allowance type" in daily.message_en
    in_english = mapped(lookups=attrs.evolve(LOOKUPS, language="EN"))
    assert rules_of(in_english) == ["travel.expense_type_unmapped"]  # the taxi has no EN name
    no_default = mapped(settings=attrs.evolve(SETTINGS, default_travel_type=None))
    assert rules_of(no_default) == ["travel.expense_type_unmapped"]
    assert "travel type" in no_default.refusals[0].message_en
    trailer = attrs.evolve(SETTINGS, travel_types={KM: "car_with_trailer"})
    mapping = mapped(settings=trailer)
    assert mapping.plan is not None
    assert mapping.plan.data.travel_lines[0].travel_type == "car_with_trailer"


def test_attachments_over_4_mb_together_are_refused() -> None:
    second = copy(RECEIPT, guid="f-2", file_guid="data-2", size=Decimal(4_000_000 - 18432 + 1))
    mapping = mapped(attrs.evolve(SOURCE, files=(RECEIPT, second)))
    assert rules_of(mapping) == ["travel.attachments_too_large"]
    assert "4.0 MB" in mapping.refusals[0].message_en
    exactly = copy(second, size=Decimal(4_000_000 - 18432))
    plan = mapped(attrs.evolve(SOURCE, files=(RECEIPT, exactly))).plan
    assert plan is not None
    # the bytes are what counts: Severa's size said less than the content is
    too_big = with_attachments(plan, {"data-1": b"x" * 18432, "data-2": b"x" * 4_000_000})
    assert isinstance(too_big, type(mapping.refusals[0]))
    assert too_big.rule == "travel.attachments_too_large"


def test_an_attachment_name_over_100_characters_is_refused() -> None:
    long_name = copy(RECEIPT, name="kuitti-" + "x" * 90 + ".pdf")
    mapping = mapped(attrs.evolve(SOURCE, files=(long_name,)))
    assert rules_of(mapping) == ["travel.attachment_name_too_long"]
    assert "101" in mapping.refusals[0].message_fi
    assert mapped(attrs.evolve(SOURCE, files=(copy(RECEIPT, name="k" * 100),))).plan


def test_a_missing_dimension_item_is_refused_or_created_first() -> None:
    without_unit = attrs.evolve(
        LOOKUPS, netvisor_items={"Projekti": frozenset({"100 Pilvi"}), "Yksikkö": frozenset()}
    )
    mapping = mapped(lookups=without_unit)
    assert rules_of(mapping) == ["travel.dimension_item_missing"]  # once, not per line
    assert "HKI Helsinki" in mapping.refusals[0].message_fi
    creating = mapped(
        lookups=without_unit, settings=attrs.evolve(SETTINGS, create_missing_items=True)
    )
    assert creating.plan is not None
    assert [item.name for item in creating.plan.missing_items] == ["HKI Helsinki"]
    no_header = attrs.evolve(LOOKUPS, netvisor_items={"Projekti": frozenset({"100 Pilvi"})})
    headless = mapped(lookups=no_header, settings=attrs.evolve(SETTINGS, create_missing_items=True))
    assert rules_of(headless) == ["travel.dimension_item_missing"]


def test_every_rule_is_checked_so_a_refusal_lists_everything_to_fix() -> None:
    bare = TravelSettings(enabled=True, compensation_types={DAILY: "foreign"})
    long_name = copy(RECEIPT, name="x" * 101)
    mapping = mapped(
        attrs.evolve(SOURCE, files=(long_name,)),
        settings=bare,
        lookups=attrs.evolve(LOOKUPS, users={}, netvisor_employees=frozenset()),
    )
    assert sorted(set(rules_of(mapping))) == [
        "travel.attachment_name_too_long",
        "travel.employee_not_matched",
        "travel.expense_type_unmapped",
    ]


def test_the_rules_are_in_the_table_in_both_languages() -> None:
    for rule_id in [
        "travel.employee_not_matched",
        "travel.expense_type_unmapped",
        "travel.attachments_too_large",
        "travel.attachment_name_too_long",
        "travel.dimension_item_missing",
    ]:
        rule = RULES[rule_id]
        assert rule.fi and rule.en and rule.source and rule.fi != rule.en


# -- once -----------------------------------------------------------------------------------------


def test_a_change_after_transfer_is_reported_but_a_status_change_is_not_a_change() -> None:
    stored = fingerprint(SOURCE)
    moved = attrs.evolve(SOURCE, report=report(travelReimbursementStatus={"guid": "st-sent"}))
    assert changed_after_transfer(stored, moved, "42") is None
    dearer = attrs.evolve(
        SOURCE, expenses=(copy(HOTEL_LINE, quantity=Decimal(3)), *SOURCE.expenses[1:])
    )
    found = changed_after_transfer(stored, dearer, "42 Asiakaskäynti")
    assert found is not None and found.rule == "travel.changed_after_transfer"


# -- settings -------------------------------------------------------------------------------------


def test_settings_round_trip_and_refuse_what_they_cannot_mean() -> None:
    settings = TravelSettings(
        enabled=True,
        statuses=[APPROVED],
        transferred_status="st-sent",
        ratios=[(HOTEL, "fi", "Majoituskulut"), (HOTEL, "EN", "Accommodation")],
        travel_types={KM: "car_with_trailer"},
        compensation_types={DAILY: "Foreign"},
        dimensions=True,
        create_missing_items=True,
        mode="manual",
    )
    assert TravelSettings.from_json(settings.as_json()) == settings
    assert settings.ratio(HOTEL, "fi") == "Majoituskulut"
    assert settings.compensation_type(DAILY) == "foreign"
    assert settings.as_json()["ratios"] == {HOTEL: {"EN": "Accommodation", "FI": "Majoituskulut"}}
    with pytest.raises(ValueError, match="unknown"):
        TravelSettings.from_json({"ratio": {}})
    for bad in [
        {"travel_types": {KM: "bicycle"}},
        {"compensation_types": {DAILY: "weekend"}},
        {"ratios": {HOTEL: {"DE": "Unterkunft"}}},
        {"ratios": {HOTEL: {"FI": " Majoitus"}}},
        {"statuses": [APPROVED], "transferred_status": APPROVED},
        {"default_travel_type": "rocket"},
    ]:
        with pytest.raises(ValueError, match="invalid travel settings"):
            TravelSettings.from_json(bad)


def test_point_14_the_key_is_the_reports_guid_and_netvisor_gets_it_only_as_text() -> None:
    """The link is Silta's (report GUID -> travel invoice); Netvisor's description names
    the report for the people reading it, and after an unknown outcome for finding it."""
    mapping = mapped()
    assert mapping.guid == "r-1" and mapping.plan is not None
    assert mapping.plan.data.description == "Severa r-1"
    assert mapping.plan.data.header.startswith("Severa 42")
