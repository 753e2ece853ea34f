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
from silta.netvisor.schema import Group, Leaf

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
    positions = {name: index for index, (name, _) in enumerate(expected)}
    ours = [node.tag for node in group.children]
    unknown = [tag for tag in ours if tag not in positions]
    assert not unknown, f"<{group.tag}> has no children {unknown} in the DTD"
    order = [positions[tag] for tag in ours]
    assert order == sorted(order), f"<{group.tag}> children out of DTD order: {ours}"
    required_by_dtd = {name for name, occurrence in expected if occurrence in ("", "+")}
    required_here = {
        node.tag
        for node in group.children
        if (isinstance(node, Leaf) and node.required) or (isinstance(node, Group) and node.required)
    }
    assert required_by_dtd <= required_here, (
        f"<{group.tag}> misses {required_by_dtd - required_here}"
    )
    for node in group.children:
        if isinstance(node, Group):
            check(node, models)


def test_customer_rows_follow_customer_dtd() -> None:
    check(schema.CUSTOMER, content_models("customer.dtd"))


def test_product_rows_follow_product_dtd() -> None:
    check(schema.PRODUCT, content_models("product.dtd"))


def test_dimension_item_rows_follow_the_reconstructed_dtd() -> None:
    check(schema.DIMENSION_ITEM, content_models("dimensionitem.dtd"))


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
