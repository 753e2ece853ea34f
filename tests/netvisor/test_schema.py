"""The client's element rows against Netvisor's DTD files: order and required elements.

The DTDs are read as plain text here (not through the sandbox's validator), so this test
checks the schema rows directly against the published formats.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from silta.netvisor import schema
from silta.netvisor.schema import Each, Group, Leaf

DTD_DIR = resources.files("silta.sandbox.netvisor") / "dtd"
SHARED_SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs" / "netvisor"

_ELEMENT = re.compile(r"<!ELEMENT\s+(\w+)\s+\(([^)]*)\)\s*>")


def content_models(dtd_name: str) -> dict[str, list[tuple[str, str]]]:
    """element -> [(child, occurrence)] for every sequence content model in the DTD."""
    text = (DTD_DIR / dtd_name).read_text(encoding="utf-8")
    models: dict[str, list[tuple[str, str]]] = {}
    for name, model in _ELEMENT.findall(text):
        if "#PCDATA" in model:
            continue
        if "|" in model:  # a choice: exactly one of the alternatives
            models[name] = [(part.strip(), "|") for part in model.split("|")]
            continue
        models[name] = [
            (part.strip().rstrip("?*+"), part.strip()[-1] if part.strip()[-1] in "?*+" else "")
            for part in model.split(",")
        ]
    return models


def check(group: Group, models: dict[str, list[tuple[str, str]]]) -> None:
    if group.tag == "root":
        (inner,) = group.children
        assert isinstance(inner, Group)
        assert models["root"] == [(inner.tag, "")]
        check(inner, models)
        return
    expected = models[group.tag]
    ours = [node.tag for node in group.children]
    if expected[0][1] == "|":
        alternatives = {name for name, _ in expected}
        assert len(ours) == 1 and ours[0] in alternatives, f"<{group.tag}> is a choice: {ours}"
        assert _required(group.children[0]), f"<{group.tag}> must write its one alternative"
        for node in group.children:
            _check_below(node, models)
        return
    positions = {name: index for index, (name, _) in enumerate(expected)}
    unknown = [tag for tag in ours if tag not in positions]
    assert not unknown, f"<{group.tag}> has no children {unknown} in the DTD"
    order = [positions[tag] for tag in ours]
    assert order == sorted(order), f"<{group.tag}> children out of DTD order: {ours}"
    required_by_dtd = {name for name, occurrence in expected if occurrence in ("", "+")}
    required_here = {node.tag for node in group.children if _required(node)}
    assert required_by_dtd <= required_here, (
        f"<{group.tag}> misses {required_by_dtd - required_here}"
    )
    repeatable = {name for name, occurrence in expected if occurrence in ("*", "+")}
    for node in group.children:
        if isinstance(node, Each):
            assert node.tag in repeatable, f"<{node.tag}> may occur only once in <{group.tag}>"
        else:
            assert node.tag not in repeatable or node.tag == "root", (
                f"<{node.tag}> repeats in <{group.tag}>: write it as an Each row"
            )
        _check_below(node, models)


def _required(node: Leaf | Group | Each) -> bool:
    return node.required


def _check_below(node: Leaf | Group | Each, models: dict[str, list[tuple[str, str]]]) -> None:
    if isinstance(node, Group):
        check(node, models)
    elif isinstance(node, Each):
        check(node.item, models)


def test_customer_rows_follow_customer_dtd() -> None:
    check(schema.CUSTOMER, content_models("customer.dtd"))


def test_product_rows_follow_product_dtd() -> None:
    check(schema.PRODUCT, content_models("product.dtd"))


def test_dimension_item_rows_follow_the_reconstructed_dtd() -> None:
    check(schema.DIMENSION_ITEM, content_models("dimensionitem.dtd"))


def test_sales_invoice_rows_follow_salesinvoice_dtd() -> None:
    check(schema.SALES_INVOICE, content_models("salesinvoice.dtd"))


def test_sales_invoice_sends_the_elements_netvisors_page_requires() -> None:
    """The DTD leaves vatcode optional; the page requires it, and a VAT code with it."""
    found: dict[str, Leaf] = {}

    def walk(node: Leaf | Group | Each) -> None:
        if isinstance(node, Leaf):
            found[node.tag] = node
        elif isinstance(node, Group):
            for item in node.children:
                walk(item)
        else:
            walk(node.item)

    walk(schema.SALES_INVOICE)
    vat = found["productvatpercentage"]
    assert vat.required and vat.attribute_field == ("vatcode", "vat_code")
    assert found["productunitprice"].attributes == (("type", "net"),)
    assert found["salesinvoicestatus"].attributes == (("type", "netvisor"),)
    assert found["invoicingcustomeridentifier"].attribute_field is not None


def test_match_credit_note_rows_follow_its_dtd() -> None:
    # xi-netvisor's matchcreditnote.dtd: (creditnotenetvisorkey, invoicenetvisorkey)
    models = {
        "root": [("matchcreditnote", "")],
        "matchcreditnote": [("creditnotenetvisorkey", ""), ("invoicenetvisorkey", "")],
    }
    check(schema.MATCH_CREDIT_NOTE, models)


def test_the_check_catches_a_repeated_element_written_once_and_a_wrong_choice() -> None:
    models = content_models("salesinvoice.dtd")
    invoice = schema.SALES_INVOICE.children[0]
    assert isinstance(invoice, Group)
    lines = next(n for n in invoice.children if n.tag == "invoicelines")
    assert isinstance(lines, Group)
    (each,) = lines.children
    assert isinstance(each, Each)
    once = Group("invoicelines", (each.item,), required=True)
    with pytest.raises(AssertionError, match="Each row"):
        check(once, models)
    product_line = each.item.children[0]
    assert isinstance(product_line, Group)
    both = Group("invoiceline", (product_line, product_line), required=True)
    with pytest.raises(AssertionError, match="is a choice"):
        check(both, models)


def test_the_check_catches_a_reordering() -> None:
    base = schema.CUSTOMER.children[0]
    assert isinstance(base, Group)
    info = base.children[0]
    assert isinstance(info, Group)
    swapped = Group(
        info.tag, (info.children[3], info.children[0], *info.children[4:]), required=True
    )
    broken = Group("root", (Group("customer", (swapped,), required=True),), required=True)
    with pytest.raises(AssertionError, match="out of DTD order"):
        check(broken, content_models("customer.dtd"))


@pytest.mark.skipif(not SHARED_SPECS.is_dir(), reason="../shared/specs is not beside the checkout")
@pytest.mark.parametrize(
    "name", ["customer.dtd", "product.dtd", "salesinvoice.dtd", "purchaseinvoice.dtd"]
)
def test_shipped_dtds_are_netvisors_files_unchanged(name: str) -> None:
    assert (DTD_DIR / name).read_bytes() == (SHARED_SPECS / name).read_bytes()
