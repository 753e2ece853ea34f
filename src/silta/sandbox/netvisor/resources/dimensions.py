"""dimensionlist.nv and dimensionitem.nv (netvisor-api.md §7).

Settled where the reference is silent (tree rules are in :mod:`..dimensions`):

* dimensionlist.nv lists headers in key order; ``showhidden=1`` includes hidden headers and
  items, anything else excludes them. ``Code`` and ``Label`` appear only when set; ``LinkType``
  is always 0 (its meaning is undocumented).
* dimensionitem.nv answers only ``ResponseStatus`` on add and on edit (no
  ``InsertedDataIdentifier``; the client re-reads dimensionlist.nv for the key).
* ``name`` must be an existing header (``INVALID_DATA``: "the header must exist"). ``item`` must
  not be empty and is at most 200 characters (``INVALID_DATA_SIZE``); ``code`` at most 50.
* add: ``fatherid`` and/or ``fatheritem`` place the item under a parent; given both, they must
  name the same item. An unknown parent is ``INVALID_DATA``; a sibling with the same name is
  ``DUPLICATE_DATA``. ``olditem`` is ignored on add.
* edit: ``olditem`` is required. The item is looked up by that name within the header - only
  under the parent given by ``fatherid``/``fatheritem`` when they are given and
  ``updateparentreference`` is not ``true``. No match is ``INVALID_DATA``, several are
  ``INVALID_DATA`` ("ambiguous"). ``item`` is the new name and must not collide with a sibling.
  Elements present change (``ishidden``, ``code``, ``label``, activity period); absent ones stay.
* ``updateparentreference=true`` (any letter case; only with edit, other values are
  ``INVALID_DATA``) moves the item: ``fatherid``/``fatheritem`` name the new parent, neither
  means the top level. Moving an item under itself or its descendant is ``INVALID_DATA``.
* ``oldcode``, ``oldlabel``, ``fathercode`` and ``fatherlabel`` pass validation, but the rules
  behind them were not readable in the reference, so a request that gives one with a value is
  refused (``INVALID_DATA``, saying so) rather than silently misread.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from ..dimensions import DimensionStore
from ..errors import invalid_data, invalid_size
from ..render import XmlWriter, ok_document
from ..values import parse_date, parse_key, parse_true_false
from ..xmlio import parse_request, text_of
from .base import Answer, Call, Resource, write_method

__all__ = ["RESOURCES"]

MAX_ITEM_NAME: Final = 200
MAX_CODE: Final = 50
_UNSUPPORTED: Final = ("oldcode", "oldlabel", "fathercode", "fatherlabel")


def _bool_word(value: bool) -> str:
    return "True" if value else "False"


# -- dimensionlist.nv ----------------------------------------------------------------------


def dimension_list(call: Call) -> Answer:
    """``GET dimensionlist.nv[?showhidden=1]``."""
    register = call.organisation.dimension_register
    show_hidden = call.params.get("showhidden", "").strip() == "1"
    headers = register.headers(show_hidden=show_hidden)
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if not headers:
        writer.raw("<DimensionNameList />")
    else:
        writer.open("DimensionNameList")
        for header in headers:
            writer.open("DimensionName")
            writer.leaf("Netvisorkey", str(header.key))
            writer.leaf("Name", header.name)
            writer.leaf("IsHidden", _bool_word(header.hidden))
            writer.leaf("LinkType", str(header.link_type))
            items = register.listing(header.key, show_hidden=show_hidden)
            if not items:
                writer.raw("<DimensionDetails />")
                writer.close("DimensionName")
                continue
            writer.open("DimensionDetails")
            for item in items:
                writer.open("DimensionDetail")
                writer.leaf("Netvisorkey", str(item.key))
                writer.leaf("Name", item.name)
                if item.code:
                    writer.leaf("Code", item.code)
                if item.label:
                    writer.leaf("Label", item.label)
                writer.leaf("IsHidden", _bool_word(item.hidden))
                writer.leaf("Level", str(item.level))
                writer.leaf("Sort", str(item.sort))
                writer.leaf("EndSort", str(item.end_sort))
                writer.leaf("FatherId", str(item.father_id))
                writer.close("DimensionDetail")
            writer.close("DimensionDetails")
            writer.close("DimensionName")
        writer.close("DimensionNameList")
    writer.close("Root")
    return Answer(writer.document())


# -- dimensionitem.nv ----------------------------------------------------------------------


def dimension_item(call: Call) -> Answer:
    """``POST dimensionitem.nv?method=add|edit[&updateparentreference=true]``."""
    method = write_method(call)
    move = _update_parent_reference(call, method)
    document = parse_request(call.body, call.content_type, "dimensionitem")
    values = {element.tag: text_of(element) for element in document if isinstance(element.tag, str)}
    register = call.organisation.dimension_register

    for element in _UNSUPPORTED:
        if values.get(element, "").strip():
            raise invalid_data(
                f"Elementtiä {element} ei tueta Silta-hiekkalaatikossa",
                f"Element {element} is not supported by the Silta sandbox",
            )
    header_key = register.require_header(values["name"])
    name = values["item"]
    if not name.strip():
        raise invalid_data("Laskentakohteen nimi puuttuu", "Dimension item name is missing")
    _check_length("item", name, MAX_ITEM_NAME)
    if "code" in values:
        _check_length("code", values["code"], MAX_CODE)
    hidden = parse_true_false(values["ishidden"], "ishidden") if "ishidden" in values else None
    start = _optional_date(values, "activityperiodstart")
    end = _optional_date(values, "activityperiodend")
    father_id = (
        parse_key(values["fatherid"], "fatherid") if values.get("fatherid", "").strip() else None
    )
    father_item = values.get("fatheritem") or None
    parent = register.resolve_parent(header_key, father_id, father_item)

    if method == "add":
        register.add_item(
            header_key,
            name,
            parent=parent or 0,
            hidden=bool(hidden),
            code=values.get("code", ""),
            label=values.get("label", ""),
            activity_start=start,
            activity_end=end,
        )
    else:
        key = _item_to_edit(register, header_key, values, None if move else parent)
        new_parent = (parent or 0) if move else None
        if new_parent and register.is_in_subtree(new_parent, key):
            raise invalid_data(
                "Laskentakohdetta ei voi siirtää itsensä tai alakohteensa alle",
                "A dimension item cannot be moved under itself or its descendant",
            )
        register.update_item(
            key,
            name=name,
            parent=new_parent,
            hidden=hidden,
            code=values.get("code"),
            label=values.get("label"),
            activity_start=start,
            activity_end=end,
        )
    return Answer(ok_document(call.now), committed=True)


def _update_parent_reference(call: Call, method: str) -> bool:
    value = call.params.get("updateparentreference")
    if value is None:
        return False
    if value.strip().lower() != "true" or method != "edit":
        raise invalid_data(
            f"updateparentreference sallitaan vain arvolla true ja method=edit: {value}",
            f"updateparentreference is only allowed as true with method=edit: {value}",
        )
    return True


def _item_to_edit(
    register: DimensionStore, header_key: int, values: dict[str, str], parent: int | None
) -> int:
    old_name = values.get("olditem", "")
    if not old_name.strip():
        raise invalid_data(
            "Elementti olditem on pakollinen muokattaessa",
            "Element olditem is mandatory when editing",
        )
    matches = register.find(header_key, old_name, parent)
    if not matches:
        raise invalid_data(
            f"Muokattavaa laskentakohdetta ei löydy: {old_name}",
            f"Dimension item to edit not found: {old_name}",
        )
    if len(matches) > 1:
        raise invalid_data(
            f"Laskentakohteen nimi {old_name} ei ole yksiselitteinen; anna fatherid tai fatheritem",
            f"Dimension item name {old_name} is ambiguous; give fatherid or fatheritem",
        )
    return matches[0]


def _check_length(element: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise invalid_size(element, f"≤ {limit}", len(value))


def _optional_date(values: dict[str, str], element: str) -> date | None:
    text = values.get(element, "")
    return parse_date(text, element) if text.strip() else None


RESOURCES: Final = (
    Resource("dimensionlist.nv", "GET", dimension_list),
    Resource("dimensionitem.nv", "POST", dimension_item),
)
