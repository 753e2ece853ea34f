"""The pieces one row becomes lines with (reference/invoices.md §5.7-5.9), and the settings'
status checks (§5.1), each on its own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from silta import severa
from silta.registers.invoice_lines import (
    EU_COUNTRIES,
    LineAmounts,
    Part,
    line_amounts,
    row_parts,
    settle_per_rate,
    split_row,
    zero_vat_case,
)
from silta.registers.invoice_settings import (
    InvoiceSettings,
    ZeroVatCase,
    default_statuses,
    status_problems,
)

from .invoice_builders import fee, hour

D = Decimal


def test_entries_are_grouped_by_project_and_phase_with_invoice_quantities_first() -> None:
    entries = [
        hour("r", 2, phase="a"),
        hour("r", 3, phase="a"),
        hour("r", 1, phase="b"),
        hour("other-row", 9, phase="a"),
        severa.WorkHour.model_validate(
            {
                "guid": "h",
                "invoiceRowGuid": "r",
                "eventDate": "2026-01-01",
                "project": {"guid": "p-1"},
                "phase": {"guid": "b"},
                "quantity": 7,
                "invoiceQuantity": 4,
                "unitPrice": {"amount": 50},
            }
        ),
        fee("r", 1, price=10),
    ]
    parts = row_parts("r", entries)
    assert parts == [
        Part("p-1", "a", D(5), D(500)),
        Part("p-1", "b", D(5), D(300)),
        Part("p-1", None, D(1), D(10)),
    ]


def test_a_split_must_keep_every_cent() -> None:
    two = [Part("p", None, D(1), D(0)), Part("q", None, D(2), D(0))]
    assert split_row(D(3), D(10), two) == two
    assert split_row(D(4), D(10), two) is None  # quantities do not add up
    # Quantities add up, cents do not: 3 x 33.333 = 100.00 but 3 x round(33.333) = 99.99.
    thirds = [Part(p, None, D(1), D(0)) for p in "abc"]
    assert split_row(D(3), D("33.333"), thirds) is None
    assert split_row(D(3), D(10), [Part("a", None, D(3), D(30))]) is None  # nothing to split


@given(
    st.decimals(min_value=-1000, max_value=1000, places=3),
    st.decimals(min_value=-5000, max_value=5000, places=4),
    st.sampled_from([D(0), D(10), D("13.5"), D(14), D(24), D("25.5")]),
)
def test_line_amounts_keep_the_product_and_carry_the_sign_in_the_quantity(
    quantity: Decimal, price: Decimal, rate: Decimal
) -> None:
    line = line_amounts(quantity, price, rate)
    assert line.unit_price >= 0
    assert line.quantity * line.unit_price == quantity * price
    assert line.net == (quantity * price).quantize(D("0.01"), "ROUND_HALF_UP")
    assert line.vat.as_tuple().exponent == -2 and line.net.as_tuple().exponent == -2
    assert line.gross == line.net + line.vat
    mirrored = line_amounts(-quantity, price, rate)  # a credit note's line
    assert (mirrored.net, mirrored.vat) == (-line.net, -line.vat)


def test_vat_per_rate_goes_on_the_rates_largest_line_only_when_it_meets_the_total() -> None:
    lines = [line_amounts(D(1), D("0.10"), D("25.5")) for _ in range(3)]
    lines.append(line_amounts(D(1), D(10), D(24)))
    assert sum(line.gross for line in lines) == D("12.79")
    settled = settle_per_rate(lines, D("12.78"))
    assert settled is not None
    changed = [i for i, (a, b) in enumerate(zip(lines, settled, strict=True)) if a != b]
    assert changed == [0] and settled[0].vat == D("0.02")
    assert settle_per_rate(lines, D("12.77")) is None  # no rounding explains that
    assert settle_per_rate(lines, D("12.79")) is None  # nothing to settle


def test_line_amounts_is_a_plain_value() -> None:
    assert LineAmounts(D(1), D(2), D(0), D(2), D(0)).gross == D(2)


@pytest.mark.parametrize(
    ("reverse", "country", "goods", "case"),
    [
        (True, "FI", False, ZeroVatCase.DOMESTIC_REVERSE_CHARGE),
        (False, "FI", False, ZeroVatCase.DOMESTIC_ZERO),
        (True, "SE", False, ZeroVatCase.EU_SERVICES),
        (False, "DE", True, ZeroVatCase.EU_GOODS),
        (False, "NO", False, ZeroVatCase.OUTSIDE_EU),
        (False, "AX", True, ZeroVatCase.OUTSIDE_EU),  # Åland: outside the EU VAT area
        (True, None, False, None),
    ],
)
def test_zero_vat_cases(
    reverse: bool, country: str | None, goods: bool, case: ZeroVatCase | None
) -> None:
    found = zero_vat_case(reverse_charged=reverse, country=country, goods=goods, eu=EU_COUNTRIES)
    assert found is case


def status(guid: str, name: str, *, numbered: bool = True, read_only: bool = True,
           active: bool = True) -> severa.InvoiceStatus:  # fmt: skip
    return severa.InvoiceStatus(guid=guid, name=name, has_invoice_number=numbered,
                                is_read_only=read_only, is_active=active)  # fmt: skip


STATUSES = [
    status("draft", "Luonnos", numbered=False, read_only=False),
    status("ready", " valmis lähetettäväksi  NETVISORIIN "),
    status("sent", "Lasku lähetetty Netvisoriin"),
]


def test_point_1_the_default_statuses_are_found_by_visma_integrations_names() -> None:
    assert default_statuses(STATUSES) == ("ready", "sent")
    assert default_statuses(STATUSES[:1]) == (None, None)


def test_point_1_ready_must_number_and_lock_the_invoice() -> None:
    good = InvoiceSettings(enabled=True, ready_status="ready", transferred_status="sent")
    assert status_problems(good, STATUSES) == []
    draft = InvoiceSettings(ready_status="draft", transferred_status="sent")
    problems = status_problems(draft, STATUSES)
    assert [p.field for p in problems] == ["ready_status", "ready_status"]
    assert "Laskunumero" in problems[0].message_fi and "Not editable" in problems[1].message_en
    gone = InvoiceSettings(ready_status="nope", transferred_status="old")
    assert [p.field for p in status_problems(gone, STATUSES)] == ["ready_status",
                                                                  "transferred_status"]  # fmt: skip
    inactive = [*STATUSES, status("old", "Vanha", active=False)]
    retired = InvoiceSettings(ready_status="ready", transferred_status="old")
    assert "not active" in status_problems(retired, inactive)[0].message_en


def test_the_majority_goes_by_amount_then_by_quantity_when_entries_have_no_price() -> None:
    from silta.registers.invoice_lines import majority

    priced = [Part("a", None, D(5), D(50)), Part("b", None, D(1), D(100))]
    assert majority(priced).project == "b"
    unpriced = [Part("a", None, D(2), D(0)), Part("b", None, D(3), D(0))]
    assert majority(unpriced).project == "b"
