"""Finnish validators, against the examples of reference/finnish-rules.md."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from silta.registers.finnish import (
    OPERATORS,
    BusinessId,
    CustomerNumberProblem,
    InvalidBusinessIdError,
    OperatorKind,
    business_id_check_digit,
    customer_number_problem,
    find_operator,
    is_valid_business_id,
    is_valid_postal_code,
    parse_business_id,
    suggest_operator,
)


def check_digit_by_hand(body: str) -> int | None:
    """The rule from Statistics Finland, written out independently of the module."""
    total = sum(int(d) * w for d, w in zip(body, [7, 9, 10, 5, 8, 4, 2], strict=True))
    remainder = total % 11
    return {0: 0, 1: None}.get(remainder, 11 - remainder)


@pytest.mark.parametrize(
    "valid", ["2077474-0", "1572860-0", "0737546-2", "2617416-4", "1967543-8", "2332748-7"]
)
def test_known_valid_business_ids(valid: str) -> None:
    assert is_valid_business_id(valid)
    assert parse_business_id(valid).ytunnus == valid


@pytest.mark.parametrize(
    "invalid",
    ["2077474-1", "0737546-1", "1234567-8", "1478523-8", "2069746-9", "0000000-0", "1000008-0"],
)
def test_known_invalid_business_ids(invalid: str) -> None:
    assert not is_valid_business_id(invalid)


def test_both_forms_are_read_and_written() -> None:
    from_vat = parse_business_id("FI07375462")
    from_ytunnus = parse_business_id("0737546-2")
    assert from_vat == from_ytunnus
    assert from_vat.ytunnus == "0737546-2"
    assert from_vat.vat_number == "FI07375462"
    assert str(from_vat) == "0737546-2"
    assert parse_business_id("fi 0737 5462").vat_number == "FI07375462"


def test_legacy_six_digit_form_is_padded() -> None:
    assert parse_business_id("737546-2").ytunnus == "0737546-2"


def test_unicode_dash_and_spaces_are_forgiven() -> None:
    assert parse_business_id(" 0737546\u20132 ").ytunnus == "0737546-2"


@pytest.mark.parametrize("text", ["", "1234567", "12345678-9", "SE07375462", "FI0737546", "abc"])
def test_malformed_business_ids_say_why_in_both_languages(text: str) -> None:
    with pytest.raises(InvalidBusinessIdError) as caught:
        parse_business_id(text)
    assert "1234567-8" in caught.value.message_fi
    assert "1234567-8" in caught.value.message_en


def test_wrong_check_digit_message() -> None:
    with pytest.raises(InvalidBusinessIdError) as caught:
        parse_business_id("2077474-1")
    assert "tarkistusmerkki" in caught.value.message_fi
    assert "check digit" in caught.value.message_en


def test_remainder_one_bodies_have_no_valid_id() -> None:
    for body in ("1000008", "1000016", "1000024"):
        assert business_id_check_digit(body) is None
        assert not any(is_valid_business_id(f"{body}-{d}") for d in range(10))


@given(st.integers(min_value=1, max_value=9_999_999))
def test_check_digit_agrees_with_the_rule_and_forms_round_trip(number: int) -> None:
    body = f"{number:07d}"
    digit = business_id_check_digit(body)
    assert digit == check_digit_by_hand(body)
    if digit is not None:
        bid = parse_business_id(f"{body}-{digit}")
        assert parse_business_id(bid.vat_number) == bid
        assert bid.digits == body + str(digit)


def test_business_id_value_refuses_a_bad_check_digit() -> None:
    with pytest.raises(ValueError, match="check digit"):
        BusinessId("20774741")


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("1001", None),
        ("9", None),
        ("0001", CustomerNumberProblem.LEADING_ZERO),
        ("0", CustomerNumberProblem.LEADING_ZERO),
        ("A100", CustomerNumberProblem.NOT_DIGITS),
        ("10-1", CustomerNumberProblem.NOT_DIGITS),
        (" 101", CustomerNumberProblem.NOT_DIGITS),
        ("１２", CustomerNumberProblem.NOT_DIGITS),  # full-width digits
        ("", CustomerNumberProblem.MISSING),
        ("   ", CustomerNumberProblem.MISSING),
        (None, CustomerNumberProblem.MISSING),
    ],
)
def test_severa_customer_number_rule(
    code: str | None, problem: CustomerNumberProblem | None
) -> None:
    assert customer_number_problem(code) is problem


@pytest.mark.parametrize(
    ("code", "country", "valid"),
    [
        ("00100", "FI", True),
        ("22100", "AX", True),
        ("123", "FI", False),
        ("0010", "FI", False),
        ("001000", "FI", False),
        ("00 100", "FI", False),
        ("SW1A 1AA", "GB", True),
        ("", "SE", False),
        ("x" * 51, "DE", False),
    ],
)
def test_postal_codes(code: str, country: str, valid: bool) -> None:
    assert is_valid_postal_code(code, country) is valid


def test_operator_list_holds_netvisors_own_and_the_banks() -> None:
    maventa = find_operator("003721291126")
    assert maventa is not None
    assert "Maventa" in maventa.name
    nordea = find_operator("NDEAFIHH")
    assert nordea is not None
    assert nordea.kind is OperatorKind.BANK
    assert find_operator("PEPPOL") is not None
    identifiers = [op.identifier for op in OPERATORS]
    assert len(identifiers) == len(set(identifiers))
    assert all(op.sources for op in OPERATORS)


@pytest.mark.parametrize("obsolete", ["PSPBFIHH", "NETBFI99", "00885060259470028"])
def test_obsolete_and_placeholder_identifiers_are_not_supported(obsolete: str) -> None:
    assert find_operator(obsolete) is None


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("ndeafihh", "NDEAFIHH"),
        ("0037 2132 7487", None),  # no such operator, even squashed
        ("003721-291126", "003721291126"),
        ("00885060259470028", "885060259470028"),
        ("Maventa", "003721291126"),
        ("Nordea", "NDEAFIHH"),
        ("Posti", None),  # two Posti identifiers: no single guess
        ("", None),
    ],
)
def test_mis_written_operators_get_a_suggestion(written: str, meant: str | None) -> None:
    suggestion = suggest_operator(written)
    assert (suggestion.identifier if suggestion else None) == meant
    assert find_operator(written) is None or written == meant  # never accepted as written
