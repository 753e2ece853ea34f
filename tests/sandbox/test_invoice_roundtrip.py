"""The two sandboxes together on the sample's invoices: every ready invoice that breaks no
rule goes into Netvisor as the settled design sends it (invoices.md §5.8: lines with their
VAT and line sums rounded to cents, the total as Severa's) and comes back equal to Severa's,
line by line and in total; and the Severa status PATCH then moves it on."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from silta.sandbox.netvisor import NetvisorSandbox
from silta.sandbox.netvisor.salesinvoices import InvoiceRequest, LineRequest
from silta.sandbox.sample import SampleSpec, populate
from silta.sandbox.severa import SeveraSandbox

from .helpers import FakeClock, must

CENT = Decimal("0.01")


def comma(value: Decimal) -> str:
    return f"{value:f}".replace(".", ",")


def request_of(invoice: dict[str, Any], rows: list[dict[str, Any]], code: str) -> InvoiceRequest:
    lines = []
    for row in rows:
        quantity = Decimal(str(row["quantity"]))
        price = Decimal(str(row["unitPrice"]["amount"]))
        rate = Decimal(str(row["vatRate"]))
        net = (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)
        vat = (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        (product,) = row["code"]
        lines.append(
            LineRequest(
                identifier=product,
                identifier_type="customer",
                name=row["description"],
                unit_price=comma(price),
                price_type="net",
                vat_percent=comma(rate),
                vat_code="KOMY",
                quantity=comma(quantity),
                vat_sum=comma(vat),
                line_sum=comma(net + vat),
            )
        )
    return InvoiceRequest(
        date=invoice["date"],
        amount=comma(Decimal(str(invoice["totalIncludingTax"]["amount"])).quantize(CENT)),
        status="unsent",
        customer=code,
        customer_type="customer",
        lines=tuple(lines),
        number=str(invoice["number"]),
        reference=invoice["referenceNumber"],
        payment_term_days=str(invoice["paymentTerm"]),
    )


@pytest.mark.parametrize("scenario", ["a", "b"])
def test_clean_ready_invoices_arrive_equal_line_by_line(scenario: str) -> None:
    clock = FakeClock()
    netvisor = NetvisorSandbox(clock=clock, seed=2).add_organisation("1967543-8")
    severa = SeveraSandbox(clock=clock, seed=2, rate_limit=None).add_organisation("Demo Oy")
    sample = populate(netvisor, severa, SampleSpec(seed=3, scenario=scenario))  # type: ignore[arg-type]
    invoices = must(sample.invoices)
    skipped = {c.key for c in (*invoices.planted, *invoices.showcases)}
    sent = 0
    for guid in invoices.ready_invoices:
        invoice = must(severa.invoicing.invoice(guid))
        rows = severa.invoicing.rows(guid)
        if guid in skipped or invoice["isCreditNote"]:
            continue
        customer = must(severa.customer(invoice["billingCustomer"]["guid"]))
        code = str(customer["number"])
        if netvisor.customer_by_code(code) is None:
            # Scenario a: the customer sync creates it first; here we create it as it would.
            netvisor.put_customer(internalidentifier=code, name=customer["name"])
        key = netvisor.put_sales_invoice(request_of(invoice, rows, code))
        stored = must(netvisor.sales_invoice(key))
        assert stored.amount == Decimal(str(invoice["totalIncludingTax"]["amount"])).quantize(CENT)
        assert len(stored.lines) == len(rows)
        for line, row in zip(stored.lines, rows, strict=True):
            assert line.product_code == row["code"][0]
            assert line.quantity == Decimal(str(row["quantity"]))
            assert line.unit_price == Decimal(str(row["unitPrice"]["amount"]))
            assert line.vat_percent == Decimal(str(row["vatRate"]))
        net = sum((line.net_sum for line in stored.lines), Decimal(0))
        assert net == Decimal(str(invoice["totalExcludingTax"]["amount"])).quantize(CENT)
        moved = severa.invoicing.set_status(guid, invoices.transferred)
        assert moved["status"]["guid"] == invoices.transferred
        sent += 1
    assert sent >= 3
