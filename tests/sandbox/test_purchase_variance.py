"""Variance mode on the purchase-invoice answers: each form that can touch them changes real
answers and keeps their meaning.

Silta's purchase-invoice reader is written apart from the sandbox (and not by this branch),
so the meaning is judged here by a tolerant reading of the XML written for this test alone:
element names in any case, the item key under either name the reference gives, numbers with
a comma or a point, True/False in any case, an empty element the same as a missing one, the
response time stamp ignored. A form that made the answers mean other records would fail it.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest
from lxml import etree

from silta.sandbox.netvisor import Organisation
from silta.sandbox.netvisor import variance as netvisor_variance
from silta.sandbox.netvisor.purchaseinvoices import LinePlan
from silta.sandbox.variance import Form, Variance, apply_forms

from .helpers import Api

D = Decimal
_ALIASES = {"dimensiondetailnamenetvisorkey": "dimensiondetailnetvisorkey"}


def tolerant(node: etree._Element) -> Any:
    """The meaning of an answer: see the module docstring."""
    tag = _ALIASES.get(str(node.tag).lower(), str(node.tag).lower())
    if len(node) == 0:
        text = (node.text or "").strip()
        return (tag, _value(text)) if text else None
    if tag == "responsestatus":
        return (tag, [child.text for child in node if str(child.tag).lower() == "status"])
    parts = [tolerant(child) for child in node]
    return (tag, [part for part in parts if part is not None])


def _value(text: str) -> Any:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    candidate = text.replace(",", ".")
    if candidate.count(".") <= 1 and candidate.replace(".", "").lstrip("-").isdigit():
        try:
            return D(candidate).normalize()
        except InvalidOperation:
            return text
    return text


def meaning(xml: str) -> Any:
    return tolerant(etree.fromstring(xml.encode()))


def always() -> Variance:
    return Variance(1, random.Random(1), share=1.0)


CALLS = (
    ("purchaseinvoicelist.nv", {}),
    ("getpurchaseinvoice.nv", {"version": "2", "omitattachments": "true"}),
    ("getpurchaseinvoice.nv", {}),
)


def _applies(form: Form[str, Any]) -> bool:
    return any(
        form.applies(netvisor_variance.Context(resource, params)) for resource, params in CALLS
    )


PURCHASE_FORMS = [form for form in netvisor_variance.FORMS if _applies(form)]
#: The forms only purchase answers take (the others are rewrites of every answer, some with
#: nothing to rewrite here).
OWN_FORMS = {
    form.name
    for form in PURCHASE_FORMS
    if not form.applies(netvisor_variance.Context("customerlist.nv", {}))
}


@pytest.fixture
async def answers(api: Api, org: Organisation) -> list[tuple[str, dict[str, str], str]]:
    org.put_dimension_header("Projekti")
    project = org.put_dimension_item("Projekti", "2001 Sähköasennukset")
    phase = org.put_dimension_item("Projekti", "10 Suunnittelu", project)
    purchases = org.purchase_invoices
    vendor = purchases.put_vendor("Sähkötukku Virta Oy", business_id="2345678-1")
    other = purchases.put_vendor("Kahvila Oy")  # no business id: an empty element
    lines = [
        LinePlan("Kaapeli", D(2), D(50), D("25.5"), "KOOS", ("4000", "Ostot"), (project,)),
        LinePlan("Suunnittelu", D("1.5"), D("80.25"), D("25.5"), "KOOS", ("4000", "Ostot"),
                 (phase,)),
        LinePlan("Kahvi", D(1), D("12.40"), D(0), "NONE", ("7690", "Muut kulut")),
    ]  # fmt: skip
    first = purchases.put(number="1", vendor=vendor, invoice_date=date(2026, 2, 1), lines=lines)
    purchases.put(number="2", vendor=other, invoice_date=date(2026, 2, 2), lines=lines[2:])
    purchases.pay(first, D(100))
    found: list[tuple[str, dict[str, str], str]] = []
    keys = ",".join(str(invoice.key) for invoice in purchases.all())
    for resource, params in CALLS:
        asked = dict(params)
        if resource == "getpurchaseinvoice.nv":
            asked["netvisorkeylist"] = keys
        response = await api.get(resource, asked)
        found.append((resource, asked, response.text))
    return found


@pytest.mark.parametrize("form", PURCHASE_FORMS, ids=lambda form: form.name)
async def test_each_form_keeps_the_purchase_answers_meaning(
    answers: list[tuple[str, dict[str, str], str]], form: Form[str, Any]
) -> None:
    changed = 0
    for resource, params, xml in answers:
        context = netvisor_variance.Context(resource, {k.lower(): v for k, v in params.items()})
        varied = apply_forms(xml, (form,), context, always())
        changed += varied != xml
        assert meaning(varied) == meaning(xml), (form.name, resource)
    if form.name in OWN_FORMS:
        assert changed > 0, f"{form.name} changed no purchase answer"


def test_the_purchase_forms_are_there() -> None:
    assert {
        "DimensionDetailNameNetvisorKey",
        "whole sums without decimals",
        "decimal point in purchase sums",
        "True/False flags in another case",
    } == OWN_FORMS


async def test_variance_mode_draws_purchase_forms(
    api: Api, org: Organisation, answers: list[tuple[str, dict[str, str], str]]
) -> None:
    """Through the sandbox itself: the answers still mean the same, and forms were used."""
    org.variance = Variance(3, random.Random(3), share=1.0)
    for resource, params, xml in answers:
        response = await api.get(resource, params)
        assert meaning(response.text) == meaning(xml)
    assert org.variance.used["DimensionDetailNameNetvisorKey"] >= 1
    assert org.variance.used["whole sums without decimals"] >= 1


def test_a_changed_number_would_be_caught() -> None:
    """The reading above is strict where it must be: another sum is another meaning."""
    plain = "<Root><Sum>12,50</Sum></Root>"
    assert meaning(plain) == meaning("<root><SUM>12.5</SUM></root>")
    assert meaning(plain) != meaning("<Root><Sum>12,05</Sum></Root>")
