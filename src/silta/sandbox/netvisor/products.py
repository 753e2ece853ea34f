"""The product register of one organisation: records, indexes, and the rules of product.nv.

Settled rules (netvisor-api.md §6 where it speaks, Silta's decisions where it does not):

* product.dtd makes ``productgroup``, ``name``, ``unitprice`` (with ``type`` net|gross),
  ``isactive`` and ``issalesproduct`` mandatory - on edit too, since the same DTD applies. They
  must not be empty ("Compulsory elements should not be given empty", §3).
* Product codes are unique per organisation (``DUPLICATE_DATA``), compared case-insensitively
  like customer codes; a product may have no code.
* Limits → ``INVALID_DATA_SIZE``: productcode ≤ 50, name ≤ 200, unit ≤ 50.
* Product groups and units are created on first use (§6.3); groups get keys.
* **Prices stay consistent.** The price is kept as given, with its type; the other one is
  derived with the product's VAT: ``net = gross / (1 + vat/100)``, ``gross = net * (1 +
  vat/100)``. So a gross price of 100,00 reads back as exactly 100 gross, and a VAT change
  later keeps the given price and moves the derived one. All arithmetic is :class:`Decimal`.
* ``defaultvatpercentage`` (decimal comma or dot) is 0-100. **A product added without
  ``productbookkeepingdetails`` has VAT 0** - no hidden company default, so a client that
  forgets the VAT shows in its tests.
* On edit, only the elements present change; an empty optional element blanks its field.
* Every add and edit sets the change time from the sandbox clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final, Literal

import attrs

from .dimensions import DimensionLink, DimensionStore, fold
from .errors import NetvisorFailure, invalid_data, invalid_size
from .records import CodedStore
from .values import parse_decimal, parse_flag

__all__ = [
    "PRODUCT_NUMBERS",
    "PRODUCT_TEXTS",
    "PriceType",
    "Product",
    "ProductChanges",
    "ProductStore",
    "write_product",
]

FIRST_PRODUCT_KEY: Final = 10

PriceType = Literal["net", "gross"]

#: Text elements of product.dtd the sandbox stores (besides price and VAT).
PRODUCT_TEXTS: Final = frozenset(
    {
        "productcode",
        "productgroup",
        "name",
        "description",
        "unit",
        "kaukevaproductcode",
        "tariffheading",
        "isactive",
        "issalesproduct",
        "inventoryenabled",
        "countryoforigin",
        "primaryeancode",
        "secondaryeancode",
        "defaultdomesticaccountnumber",
        "defaulteuaccountnumber",
        "defaultoutsideeuaccountnumber",
        "productweightunit",
    }
)
#: Numeric elements (decimal comma), besides ``unitprice`` and ``defaultvatpercentage``.
PRODUCT_NUMBERS: Final = frozenset(
    {
        "unitweight",
        "purchaseprice",
        "comissionpercentage",
        "productnetweight",
        "productgrossweight",
        "packagewidth",
        "packageheight",
        "packagelength",
    }
)
_MAX_LENGTH: Final = {"productcode": 50, "name": 200, "unit": 50}
_MANDATORY: Final = ("productgroup", "name", "isactive", "issalesproduct")
_HUNDRED: Final = Decimal(100)


@attrs.frozen
class Product:
    """One stored product (a snapshot: an edit stores a new one).

    Attributes:
        key: the NetvisorKey.
        fields: text element name → value.
        price: the unit price exactly as last given; ``price_type`` says net or gross.
        vat: ``defaultvatpercentage``.
        group_key: key of the product group named in ``fields["productgroup"]``.
        numbers: other numeric elements (``purchaseprice`` ...), absent when blank.
        changed_at: the last add/edit (or ``touch_product``).
        dimensions: one item per dimension header.
    """

    key: int
    fields: Mapping[str, str]
    price: Decimal
    price_type: PriceType
    vat: Decimal
    group_key: int
    changed_at: datetime
    numbers: Mapping[str, Decimal] = attrs.field(factory=dict)
    dimensions: tuple[DimensionLink, ...] = ()

    def get(self, element: str) -> str:
        """A text element, ``""`` when empty or never set."""
        return self.fields.get(element, "")

    @property
    def code(self) -> str:
        """The product code."""
        return self.get("productcode")

    @property
    def name(self) -> str:
        """The product name."""
        return self.get("name")

    @property
    def unit_price(self) -> Decimal:
        """Net unit price."""
        if self.price_type == "net":
            return self.price
        return self.price / (1 + self.vat / _HUNDRED)

    @property
    def unit_gross_price(self) -> Decimal:
        """Gross unit price."""
        if self.price_type == "gross":
            return self.price
        return self.price * (1 + self.vat / _HUNDRED)


@attrs.frozen
class ProductChanges:
    """What one product.nv request asks for.

    Attributes:
        values: text and numeric elements present ("" = blank it), as sent.
        unit_price: ``(text, type)`` of ``unitprice`` when present.
        vat: ``defaultvatpercentage`` text when present.
        dimensions: ``(header name, item name, fatherid attribute)`` per ``dimension``.
    """

    values: Mapping[str, str]
    unit_price: tuple[str, str] | None = None
    vat: str | None = None
    dimensions: tuple[tuple[str, str, int | None], ...] = ()


class ProductStore(CodedStore[Product]):
    """Products of one organisation: by key, by code, and their product groups."""

    def __init__(self) -> None:
        super().__init__(FIRST_PRODUCT_KEY, ("Tuotekoodi", "Product code"))
        self._groups: dict[str, tuple[int, str]] = {}

    def group(self, name: str) -> int:
        """The key of product group ``name``, created on first use."""
        folded = fold(name)
        if folded not in self._groups:
            self._groups[folded] = (len(self._groups) + 1, name)
        return self._groups[folded][0]

    def group_key(self, name: str) -> int | None:
        """The key of an existing product group, or ``None``."""
        group = self._groups.get(fold(name))
        return None if group is None else group[0]


def _normalise_text(element: str, value: str) -> str:
    if value == "":
        if element in _MANDATORY:
            raise invalid_data(
                f"Pakollinen elementti {element} on tyhjä",
                f"Mandatory element {element} is empty",
            )
        return ""
    limit = _MAX_LENGTH.get(element)
    if limit is not None and len(value) > limit:
        raise invalid_size(element, f"≤ {limit}", len(value))
    if element in {"isactive", "issalesproduct", "inventoryenabled"}:
        return parse_flag(value, element)
    if element == "countryoforigin":
        code = value.strip()
        if not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise invalid_data(
                f"Elementin {element} tulee olla ISO 3166 -maakoodi: {value}",
                f"Element {element} must be an ISO 3166 country code: {value}",
            )
        return code.upper()
    return value


def _vat(text: str) -> Decimal:
    vat = parse_decimal(text, "defaultvatpercentage")
    if not 0 <= vat <= _HUNDRED:
        raise invalid_data(f"Virheellinen ALV-prosentti: {text}", f"Invalid VAT percentage: {text}")
    return vat


def write_product(
    products: ProductStore,
    dimensions: DimensionStore,
    changes: ProductChanges,
    *,
    key: int | None,
    now: datetime,
    use_only_existing_dimensions: bool = False,
) -> Product:
    """Add (``key=None``) or edit a product by the rules in the module docstring.

    Everything is checked before anything is stored, so a refused write changes nothing.

    Raises:
        NetvisorFailure: the answer Netvisor would give.
    """
    current = None
    if key is not None:
        current = products.get(key)
        if current is None:
            raise product_not_found(key)
    unknown = set(changes.values) - PRODUCT_TEXTS - PRODUCT_NUMBERS
    if unknown:
        raise ValueError(f"not product elements: {', '.join(sorted(unknown))}")

    fields = dict(current.fields) if current is not None else {}
    numbers = dict(current.numbers) if current is not None else {}
    for element, value in changes.values.items():
        if element in PRODUCT_NUMBERS:
            if value.strip():
                numbers[element] = parse_decimal(value, element)
            else:
                numbers.pop(element, None)
        else:
            fields[element] = _normalise_text(element, value)
    for element in _MANDATORY:
        if not fields.get(element):
            raise invalid_data(
                f"Pakollinen elementti {element} puuttuu", f"Mandatory element {element} is missing"
            )
    vat = _vat(changes.vat) if changes.vat is not None else (current.vat if current else Decimal(0))
    if changes.unit_price is not None:
        text, price_type = changes.unit_price
        if not text.strip():
            raise invalid_data(
                "Pakollinen elementti unitprice on tyhjä", "Mandatory element unitprice is empty"
            )
        price = parse_decimal(text, "unitprice")
        if price_type not in ("net", "gross"):
            raise invalid_data(
                f"Virheellinen hintatyyppi: {price_type}", f"Invalid price type: {price_type}"
            )
        new_type: PriceType = "net" if price_type == "net" else "gross"
    elif current is not None:
        price, new_type = current.price, current.price_type
    else:
        raise invalid_data(
            "Pakollinen elementti unitprice puuttuu", "Mandatory element unitprice is missing"
        )
    products.check_code_free(fields.get("productcode", ""), exclude=key or 0)
    dimensions.check_links(changes.dimensions, use_only_existing=use_only_existing_dimensions)

    # Nothing below can fail: commit.
    links = dimensions.merge_links(
        current.dimensions if current is not None else (), changes.dimensions
    )
    new = Product(
        key=products.allocate_key() if current is None else current.key,
        fields=fields,
        price=price,
        price_type=new_type,
        vat=vat,
        group_key=products.group(fields["productgroup"]),
        changed_at=now,
        numbers=numbers,
        dimensions=links,
    )
    products.store(current, new)
    return new


def product_not_found(key: int | str) -> NetvisorFailure:
    """The answer for product.nv edit with an unknown key (§6.3: unknown id is INVALID_DATA)."""
    return invalid_data(
        f"Tuotetta ei löydy Netvisor-tunnisteella: {key}",
        f"Product not found with Netvisor identifier: {key}",
    )
