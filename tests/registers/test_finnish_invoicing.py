"""Reference numbers, VAT rates by date and rounding, against reference/invoices.md §4 and
finnish-rules.md §3.1 (the examples there were checked by their author with python-stdnum)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from silta.registers.finnish import (
    VAT_RATES,
    InvalidReferenceError,
    creditor_reference,
    finnish_reference,
    is_valid_reference,
    parse_reference,
    reference_check_digit,
    round_cents,
    vat_rate_valid_on,
    vat_rates_on,
)

# -- Finnish reference (viitenumero) ---------------------------------------------------------


@pytest.mark.parametrize(("base", "reference"), [("123", "1232"), ("12345", "123453")])
def test_the_references_checked_examples(base: str, reference: str) -> None:
    assert finnish_reference(base) == reference
    assert parse_reference(reference).text == reference
    assert parse_reference(reference).kind == "finnish"


def by_hand(base: str) -> int:
    """7, 3, 1 from the right, written out again without the module."""
    weights = [7, 3, 1] * 7
    total = sum(int(d) * w for d, w in zip(reversed(base), weights, strict=False))
    return -total % 10


@given(st.text("0123456789", min_size=3, max_size=19).filter(lambda b: not b.startswith("0")))
def test_every_generated_reference_is_valid_and_every_single_digit_slip_is_caught(
    base: str,
) -> None:
    assert reference_check_digit(base) == by_hand(base)
    reference = finnish_reference(base)
    assert is_valid_reference(reference)
    # 7, 3 and 1 are all coprime with 10: changing any one digit changes the sum mod 10.
    for position in range(1, len(reference)):
        for digit in "0123456789":
            if digit != reference[position]:
                slip = reference[:position] + digit + reference[position + 1 :]
                assert not is_valid_reference(slip)


def test_printed_groups_of_five_are_read() -> None:
    reference = finnish_reference("1234567890123")
    printed = " ".join(reference[max(0, i - 5) : i] for i in range(len(reference), 0, -5)[::-1])
    assert " " in printed
    assert parse_reference(printed).text == reference


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1233", "check digit"),  # 123 -> 1232
        ("233", "3 digits"),  # a valid 7-3-1 check, but shorter than the guide allows
        ("0001232", "starts with zero"),
        (finnish_reference("1" * 20), "21 digits"),
        ("12-32", "neither digits"),
        ("", "neither digits"),
    ],
)
def test_invalid_finnish_references_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidReferenceError) as refused:
        parse_reference(text)
    assert reason in refused.value.message_en
    assert refused.value.message_fi
    assert not is_valid_reference(text)


def test_the_length_limits_are_four_and_twenty_digits() -> None:
    assert is_valid_reference(finnish_reference("100"))  # 4 digits
    assert is_valid_reference(finnish_reference("1" * 19))  # 20 digits
    assert by_hand("23") == 3 and not is_valid_reference("233")


# -- RF creditor reference (ISO 11649) -------------------------------------------------------


@pytest.mark.parametrize(("finnish", "rf"), [("1232", "RF111232"), ("123453", "RF81123453")])
def test_the_references_rf_examples(finnish: str, rf: str) -> None:
    assert creditor_reference(finnish) == rf
    assert parse_reference(rf) == parse_reference(rf.lower())
    assert parse_reference(rf).kind == "rf"
    assert parse_reference(f"{rf[:4]} {rf[4:]}").text == rf


def test_the_iso_11649_standards_own_example() -> None:
    # ISO 11649's example reference: RF18 5390 0754 7034 (letters allowed too, RF... A-Z).
    assert is_valid_reference("RF18 5390 0754 7034")
    assert not is_valid_reference("RF17 5390 0754 7034")
    assert is_valid_reference("RF18539007547034")


@given(st.text("0123456789", min_size=3, max_size=19).filter(lambda b: not b.startswith("0")))
def test_rf_of_any_finnish_reference_is_valid(base: str) -> None:
    rf = creditor_reference(finnish_reference(base))
    assert is_valid_reference(rf)
    wrong = rf[:2] + f"{(int(rf[2:4]) + 1) % 100:02d}" + rf[4:]
    assert not is_valid_reference(wrong)


@pytest.mark.parametrize("text", ["RF1", "RF11", "RF1X1232", "RF11" + "1" * 22, "RF11 12_32"])
def test_malformed_rf_references_are_refused(text: str) -> None:
    with pytest.raises(InvalidReferenceError, match="RF"):
        parse_reference(text)


# -- VAT rates by date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "day", "valid"),
    [
        ("25.5", date(2024, 9, 1), True),
        ("25.5", date(2024, 8, 31), False),
        ("24", date(2024, 8, 31), True),
        ("24", date(2024, 9, 1), False),
        ("13.5", date(2026, 1, 1), True),
        ("13.5", date(2025, 12, 31), False),
        ("14", date(2025, 12, 31), True),
        ("14", date(2026, 1, 1), False),
        ("10", date(2026, 6, 1), True),
        ("0", date(2026, 6, 1), True),
        ("0", date(2001, 1, 1), True),
        ("22", date(2026, 6, 1), False),
        ("24", date(2012, 12, 31), False),  # before the table: 23 % then, not listed
        ("25.50", date(2025, 1, 1), True),  # the scale does not matter
    ],
)
def test_vat_rates_are_valid_only_in_their_period(rate: str, day: date, valid: bool) -> None:
    assert vat_rate_valid_on(Decimal(rate), day) is valid


def test_the_rates_in_force_on_the_change_days() -> None:
    assert vat_rates_on(date(2026, 1, 1)) == {Decimal(r) for r in ("25.5", "13.5", "10", "0")}
    assert vat_rates_on(date(2024, 8, 31)) == {Decimal(r) for r in ("24", "14", "10", "0")}
    assert vat_rates_on(date(2025, 6, 1)) == {Decimal(r) for r in ("25.5", "14", "10", "0")}


def test_the_table_has_one_row_per_rate_period_without_overlaps() -> None:
    for row in VAT_RATES:
        for other in VAT_RATES:
            if row is other or row.kind != other.kind or row.kind == "zero":
                continue
            if row.rate == other.rate:
                pytest.fail(f"{row.rate} % appears twice")
        if row.valid_from and row.valid_until:
            assert row.valid_from <= row.valid_until


# -- rounding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("2.675", "2.68"),  # a float would make this 2.67
        ("-0.005", "-0.01"),
        ("-2.675", "-2.68"),
        ("12.3", "12.30"),
        ("255.00000", "255.00"),
    ],
)
def test_rounding_is_half_up_to_cents(value: str, rounded: str) -> None:
    result = round_cents(Decimal(value))
    assert result == Decimal(rounded)
    assert str(result) == rounded


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False))
def test_a_negated_amount_rounds_to_the_negated_cents(value: Decimal) -> None:
    assert round_cents(-value) == -round_cents(value)
