"""dimensionlist.nv and dimensionitem.nv (netvisor-api.md §7)."""

from __future__ import annotations

import httpx
import pytest
from lxml import etree

from silta.sandbox.netvisor import Organisation

from .helpers import Api, assert_ok, failure, status


def item_xml(**elements: str) -> str:
    order = [
        "name",
        "item",
        "olditem",
        "code",
        "label",
        "oldcode",
        "oldlabel",
        "fatherid",
        "fatheritem",
        "fathercode",
        "fatherlabel",
        "activityperiodstart",
        "activityperiodend",
        "ishidden",
    ]
    inner = "".join(f"<{e}>{elements[e]}</{e}>" for e in order if e in elements)
    return f"<root><dimensionitem>{inner}</dimensionitem></root>"


async def post_item(
    api: Api,
    method: str = "add",
    params: dict[str, str] | None = None,
    *,
    language: str = "FI",
    **elements: str,
) -> httpx.Response:
    query = {"method": method, **(params or {})}
    return await api.post("dimensionitem.nv", query, item_xml(**elements), language=language)


def tree(org: Organisation, header: str = "Projekti") -> list[tuple[str, int, int, int, int]]:
    """(name, level, sort, end_sort, father_id) of every item, in Sort order."""
    return [(i.name, i.level, i.sort, i.end_sort, i.father_id) for i in org.dimension_items(header)]


@pytest.fixture
def projekti(org: Organisation) -> int:
    return org.put_dimension_header("Projekti")


async def test_add_top_level_item_answers_only_status(
    api: Api, org: Organisation, projekti: int
) -> None:
    root = assert_ok(await post_item(api, name="Projekti", item="P-100"))
    assert [child.tag for child in root] == ["ResponseStatus"]
    assert tree(org) == [("P-100", 1, 0, 0, 0)]


async def test_header_name_is_case_insensitive_and_must_exist(
    api: Api, org: Organisation, projekti: int
) -> None:
    assert_ok(await post_item(api, name="projekti", item="P-1"))
    response = await post_item(api, name="Kustannuspaikka", item="K-1", language="EN")
    assert failure(response) == "INVALID_DATA"
    assert "The header must exist" in status(response)[1]
    assert org.dimension_headers()[0].name == "Projekti"
    assert len(org.dimension_headers()) == 1


async def test_child_by_fatherid_and_by_fatheritem(
    api: Api, org: Organisation, projekti: int
) -> None:
    parent = org.put_dimension_item("Projekti", "P-100")
    assert_ok(await post_item(api, name="Projekti", item="A", fatherid=str(parent)))
    assert_ok(await post_item(api, name="Projekti", item="B", fatheritem="P-100"))
    assert_ok(
        await post_item(api, name="Projekti", item="C", fatherid=str(parent), fatheritem="P-100")
    )
    assert tree(org) == [
        ("P-100", 1, 0, 3, 0),
        ("A", 2, 1, 1, parent),
        ("B", 2, 2, 2, parent),
        ("C", 2, 3, 3, parent),
    ]


@pytest.mark.parametrize(
    "elements",
    [
        {"fatherid": "9999"},
        {"fatheritem": "Ei ole"},
        {"fatherid": "PARENT", "fatheritem": "Toinen"},  # both given, naming different items
        {"fatherid": "abc"},
    ],
)
async def test_bad_parent_is_refused(
    api: Api, org: Organisation, projekti: int, elements: dict[str, str]
) -> None:
    parent = org.put_dimension_item("Projekti", "P-100")
    org.put_dimension_item("Projekti", "Toinen")
    resolved = {k: (str(parent) if v == "PARENT" else v) for k, v in elements.items()}
    body = item_xml(name="Projekti", item="X", **resolved)
    assert failure(await api.post("dimensionitem.nv", {"method": "add"}, body)) == "INVALID_DATA"
    assert [name for name, *_ in tree(org)] == ["P-100", "Toinen"]


async def test_parent_must_be_in_the_same_header(
    api: Api, org: Organisation, projekti: int
) -> None:
    org.put_dimension_header("Yksikkö")
    other = org.put_dimension_item("Yksikkö", "Helsinki")
    response = await post_item(api, name="Projekti", item="X", fatherid=str(other))
    assert failure(response) == "INVALID_DATA"


async def test_sibling_duplicate_vs_same_name_elsewhere(
    api: Api, org: Organisation, projekti: int
) -> None:
    first = org.put_dimension_item("Projekti", "P-1")
    second = org.put_dimension_item("Projekti", "P-2")
    assert_ok(await post_item(api, name="Projekti", item="Suunnittelu", fatherid=str(first)))
    assert_ok(await post_item(api, name="Projekti", item="Suunnittelu", fatherid=str(second)))
    response = await post_item(api, name="Projekti", item="suunnittelu", fatherid=str(first))
    assert failure(response) == "DUPLICATE_DATA"
    assert failure(await post_item(api, name="Projekti", item="P-1")) == "DUPLICATE_DATA"
    assert len(org.dimension_items("Projekti")) == 4


async def test_same_name_under_another_header(api: Api, org: Organisation, projekti: int) -> None:
    org.put_dimension_header("Yksikkö")
    assert_ok(await post_item(api, name="Projekti", item="Helsinki"))
    assert_ok(await post_item(api, name="Yksikkö", item="Helsinki"))


async def test_item_limits(api: Api, projekti: int) -> None:
    assert failure(await post_item(api, name="Projekti", item="x" * 201)) == "INVALID_DATA_SIZE"
    assert failure(await post_item(api, name="Projekti", item="  ")) == "INVALID_DATA"
    assert (
        failure(await post_item(api, name="Projekti", item="X", code="c" * 51))
        == "INVALID_DATA_SIZE"
    )
    assert_ok(await post_item(api, name="Projekti", item="x" * 200))


async def test_rename(api: Api, org: Organisation, projekti: int) -> None:
    key = org.put_dimension_item("Projekti", "P-100-A")
    root = assert_ok(
        await post_item(api, "edit", name="Projekti", item="P-100-B", olditem="P-100-A")
    )
    assert [child.tag for child in root] == ["ResponseStatus"]
    assert [(i.key, i.name) for i in org.dimension_items("Projekti")] == [(key, "P-100-B")]


async def test_rename_needs_olditem_that_exists(api: Api, org: Organisation, projekti: int) -> None:
    org.put_dimension_item("Projekti", "P-1")
    assert failure(await post_item(api, "edit", name="Projekti", item="P-2")) == "INVALID_DATA"
    response = await post_item(api, "edit", name="Projekti", item="P-2", olditem="P-9")
    assert failure(response) == "INVALID_DATA"
    assert tree(org) == [("P-1", 1, 0, 0, 0)]


async def test_rename_into_a_sibling_name_is_duplicate(
    api: Api, org: Organisation, projekti: int
) -> None:
    org.put_dimension_item("Projekti", "P-1")
    org.put_dimension_item("Projekti", "P-2")
    response = await post_item(api, "edit", name="Projekti", item="P-1", olditem="P-2")
    assert failure(response) == "DUPLICATE_DATA"
    # Changing only the letter case of its own name is not a collision.
    assert_ok(await post_item(api, "edit", name="Projekti", item="p-2", olditem="P-2"))
    assert [name for name, *_ in tree(org)] == ["P-1", "p-2"]


async def test_ambiguous_rename_and_its_resolution(
    api: Api, org: Organisation, projekti: int
) -> None:
    first = org.put_dimension_item("Projekti", "P-1")
    second = org.put_dimension_item("Projekti", "P-2")
    org.put_dimension_item("Projekti", "Suunnittelu", father_id=first)
    org.put_dimension_item("Projekti", "Suunnittelu", father_id=second)
    response = await post_item(
        api, "edit", name="Projekti", item="Design", olditem="Suunnittelu", language="EN"
    )
    assert failure(response) == "INVALID_DATA"
    assert "ambiguous" in status(response)[1]
    assert_ok(
        await post_item(
            api, "edit", name="Projekti", item="Design", olditem="Suunnittelu", fatheritem="P-2"
        )
    )
    assert [name for name, *_ in tree(org)] == ["P-1", "Suunnittelu", "P-2", "Design"]


async def test_move_with_updateparentreference(api: Api, org: Organisation, projekti: int) -> None:
    first = org.put_dimension_item("Projekti", "P-1")
    second = org.put_dimension_item("Projekti", "P-2")
    child = org.put_dimension_item("Projekti", "Vaihe", father_id=first)
    move = {"updateparentreference": "true"}
    assert_ok(
        await post_item(
            api, "edit", move, name="Projekti", item="Vaihe", olditem="Vaihe", fatherid=str(second)
        )
    )
    assert tree(org) == [("P-1", 1, 0, 0, 0), ("P-2", 1, 1, 2, 0), ("Vaihe", 2, 2, 2, second)]
    # Without fatherid/fatheritem the item moves to the top level.
    assert_ok(await post_item(api, "edit", move, name="Projekti", item="Vaihe", olditem="Vaihe"))
    assert [(name, father) for name, _, _, _, father in tree(org)] == [
        ("P-1", 0),
        ("P-2", 0),
        ("Vaihe", 0),
    ]
    assert org.dimension_items("Projekti")[2].key == child


async def test_move_under_own_descendant_is_refused(
    api: Api, org: Organisation, projekti: int
) -> None:
    top = org.put_dimension_item("Projekti", "P-1")
    child = org.put_dimension_item("Projekti", "A", father_id=top)
    move = {"updateparentreference": "true"}
    response = await post_item(
        api, "edit", move, name="Projekti", item="P-1", olditem="P-1", fatherid=str(child)
    )
    assert failure(response) == "INVALID_DATA"
    response = await post_item(
        api, "edit", move, name="Projekti", item="P-1", olditem="P-1", fatherid=str(top)
    )
    assert failure(response) == "INVALID_DATA"
    assert tree(org) == [("P-1", 1, 0, 1, 0), ("A", 2, 1, 1, top)]


async def test_move_into_a_name_clash_is_duplicate(
    api: Api, org: Organisation, projekti: int
) -> None:
    first = org.put_dimension_item("Projekti", "P-1")
    second = org.put_dimension_item("Projekti", "P-2")
    org.put_dimension_item("Projekti", "Vaihe", father_id=first)
    org.put_dimension_item("Projekti", "Vaihe", father_id=second)
    move = {"updateparentreference": "true"}
    response = await post_item(
        api, "edit", move, name="Projekti", item="Vaihe", olditem="Vaihe", fatherid=str(second)
    )
    # Under updateparentreference fatherid names the new parent, so olditem is looked up in
    # the whole header - and "Vaihe" is there twice.
    assert failure(response) == "INVALID_DATA"


@pytest.mark.parametrize(("method", "value"), [("add", "true"), ("edit", "yes")])
async def test_updateparentreference_rules(
    api: Api, org: Organisation, projekti: int, method: str, value: str
) -> None:
    org.put_dimension_item("Projekti", "P-1")
    params = {"updateparentreference": value}
    response = await post_item(api, method, params, name="Projekti", item="P-1", olditem="P-1")
    assert failure(response) == "INVALID_DATA"


async def test_hidden_items_and_headers(api: Api, org: Organisation, projekti: int) -> None:
    top = org.put_dimension_item("Projekti", "P-1")
    org.put_dimension_item("Projekti", "A", father_id=top)
    org.put_dimension_item("Projekti", "P-2")
    org.put_dimension_header("Vanha", hidden=True)
    org.put_dimension_item("Vanha", "V-1")
    assert_ok(
        await post_item(api, "edit", name="Projekti", item="P-1", olditem="P-1", ishidden="TRUE")
    )

    def listing(root: etree._Element) -> list[tuple[str | None, ...]]:
        return [
            (
                header.findtext("Name"),
                detail.findtext("Name"),
                detail.findtext("IsHidden"),
                detail.findtext("Sort"),
                detail.findtext("EndSort"),
            )
            for header in root.findall("DimensionNameList/DimensionName")
            for detail in header.findall("DimensionDetails/DimensionDetail")
        ]

    visible = assert_ok(await api.get("dimensionlist.nv"))
    assert listing(visible) == [("Projekti", "P-2", "False", "0", "0")]
    everything = assert_ok(await api.get("dimensionlist.nv", {"showhidden": "1"}))
    assert listing(everything) == [
        ("Projekti", "P-1", "True", "0", "1"),
        ("Projekti", "A", "False", "1", "1"),
        ("Projekti", "P-2", "False", "2", "2"),
        ("Vanha", "V-1", "False", "0", "0"),
    ]
    assert [
        h.findtext("IsHidden") for h in everything.findall("DimensionNameList/DimensionName")
    ] == ["False", "True"]
    assert_ok(
        await post_item(api, "edit", name="Projekti", item="P-1", olditem="P-1", ishidden="false")
    )
    assert len(listing(assert_ok(await api.get("dimensionlist.nv")))) == 3
    assert failure(
        await post_item(api, "edit", name="Projekti", item="P-1", olditem="P-1", ishidden="1")
    ) == ("INVALID_DATA")


async def test_dimensionlist_shape_for_a_small_tree(
    api: Api, org: Organisation, projekti: int
) -> None:
    # P-1 ─┬─ A ── A1
    #      └─ B
    # P-2
    p1 = org.put_dimension_item("Projekti", "P-1")
    a = org.put_dimension_item("Projekti", "A", father_id=p1)
    a1 = org.put_dimension_item("Projekti", "A1", father_id=a)
    b = org.put_dimension_item("Projekti", "B", father_id=p1)
    p2 = org.put_dimension_item("Projekti", "P-2", code="P002", label="Toinen")
    root = assert_ok(await api.get("dimensionlist.nv"))
    header = root.find("DimensionNameList/DimensionName")
    assert header is not None
    assert [child.tag for child in header] == [
        "Netvisorkey",
        "Name",
        "IsHidden",
        "LinkType",
        "DimensionDetails",
    ]
    assert (
        header.findtext("Netvisorkey"),
        header.findtext("Name"),
        header.findtext("LinkType"),
    ) == (str(projekti), "Projekti", "0")
    details = header.findall("DimensionDetails/DimensionDetail")
    rows = [
        tuple(
            d.findtext(t) for t in ("Netvisorkey", "Name", "Level", "Sort", "EndSort", "FatherId")
        )
        for d in details
    ]
    assert rows == [
        (str(p1), "P-1", "1", "0", "3", "0"),
        (str(a), "A", "2", "1", "2", str(p1)),
        (str(a1), "A1", "3", "2", "2", str(a)),
        (str(b), "B", "2", "3", "3", str(p1)),
        (str(p2), "P-2", "1", "4", "4", "0"),
    ]
    assert [c.tag for c in details[4]] == [
        "Netvisorkey",
        "Name",
        "Code",
        "Label",
        "IsHidden",
        "Level",
        "Sort",
        "EndSort",
        "FatherId",
    ]
    assert (details[4].findtext("Code"), details[4].findtext("Label")) == ("P002", "Toinen")


async def test_dimensionlist_empty(api: Api) -> None:
    response = await api.get("dimensionlist.nv")
    root = assert_ok(response)
    name_list = root.find("DimensionNameList")
    assert name_list is not None
    assert len(name_list) == 0


async def test_code_label_and_period_are_stored(api: Api, org: Organisation, projekti: int) -> None:
    assert_ok(
        await post_item(
            api,
            name="Projekti",
            item="P-5",
            code="P005",
            label="Viisi",
            activityperiodstart="2026-01-01",
            activityperiodend="2026-12-31",
        )
    )
    item = org.dimension_items("Projekti")[0]
    assert (item.code, item.label) == ("P005", "Viisi")
    assert failure(
        await post_item(api, name="Projekti", item="P-6", activityperiodstart="1.1.2026")
    ) == ("INVALID_DATA")


async def test_unsupported_newest_fields_are_refused_loudly(api: Api, projekti: int) -> None:
    response = await post_item(api, name="Projekti", item="X", fathercode="P001", language="EN")
    assert failure(response) == "INVALID_DATA"
    assert "not supported by the Silta sandbox" in status(response)[1]


async def test_element_order_is_enforced(api: Api, projekti: int) -> None:
    body = "<root><dimensionitem><item>X</item><name>Projekti</name></dimensionitem></root>"
    assert failure(await api.post("dimensionitem.nv", {"method": "add"}, body)) == "INVALID_DATA"


async def test_deep_tree_does_not_recurse(org: Organisation, projekti: int) -> None:
    parent = 0
    for depth in range(3000):
        parent = org.put_dimension_item("Projekti", f"L{depth}", father_id=parent)
    items = org.dimension_items("Projekti")
    assert (items[0].end_sort, items[-1].level) == (2999, 3000)
