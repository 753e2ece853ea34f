"""The product register (tuoterekisteri): the article's field table and rules 8–12.

Products are matched by code and only ever created: "existing products are never updated"
(rule 8), so a product found in the target is skipped with that reason, whatever differs.

``FIELDS`` is the article's table "Tuoterekisterin kenttien vastaavuudet", one row per row.

Settled here, where the article is silent:

* N→S, a Netvisor price entered as gross is converted to net with the product's VAT, to the
  cent (Severa's unit price is net); Severa's product ``type`` is left to Severa's default.
* S→N, Netvisor requires a product group; the company's ``product_group`` setting names it.
* The 100-character limit (rule 10) is the import into Severa. S→N the limit is Netvisor's
  own 200 characters; both refuse rather than truncate.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import attrs

from silta import netvisor, severa
from silta.domain import Refusal, TenantSettings
from silta.registers.rules import refuse
from silta.registers.values import Mapped, clean

__all__ = [
    "FIELDS",
    "NETVISOR_NAME_LIMIT",
    "SEVERA_NAME_LIMIT",
    "FieldRow",
    "Mapped",
    "ProductRecord",
    "from_netvisor",
    "from_severa",
    "to_netvisor",
    "to_severa",
]

SEVERA_NAME_LIMIT = 100  # rule 10: "Vain 100 merkkiä voidaan siirtää"
NETVISOR_NAME_LIMIT = 200  # product.nv: name max 200
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


@attrs.frozen
class FieldRow:
    """One row of the article's product table (``-``: the system has no such field)."""

    canonical: str
    netvisor: str
    severa: str
    note: str = ""


FIELDS: tuple[FieldRow, ...] = (
    FieldRow("code", "productcode", "code", "required in Netvisor for N→S"),
    FieldRow("name", "name", "name", "at most 100 characters to Severa"),
    FieldRow("purchase_price", "purchaseprice", "unitCost", "zero in Netvisor if Severa has none"),
    FieldRow("unit_price", "unitprice", "unitPrice", "zero if none; always net"),
    FieldRow("vat_percent", "defaultvatpercentage", "vatRate", "zero if none"),
    FieldRow("unit", "unit", "measurementUnit"),
    FieldRow("description", "description", "-", "not transferred"),
    FieldRow("active", "isactive", "isActive"),
    FieldRow("sales_product", "issalesproduct", "-", "always on in Netvisor"),
)


@attrs.frozen(kw_only=True)
class ProductRecord:
    """A product in the article's terms. Prices are net."""

    code: str | None
    name: str | None
    purchase_price: Decimal | None = None
    unit_price: Decimal | None = None
    vat_percent: Decimal | None = None
    unit: str | None = None
    active: bool = True


# -- Severa -> Netvisor -----------------------------------------------------------------------


def from_severa(product: severa.Product) -> Mapped[ProductRecord]:
    """A Severa product; missing prices and VAT become zero (rule 11)."""
    code = clean(product.code)
    name = clean(product.name)
    refusals: list[Refusal] = []
    if code is None:
        refusals.append(refuse("products.severa.code_missing", name=name or product.guid))
    if name is not None and len(name) > NETVISOR_NAME_LIMIT:
        refusals.append(refuse("products.severa.name_too_long", code=code, length=len(name)))
    record = ProductRecord(
        code=code,
        name=name,
        purchase_price=_amount(product.unit_cost),
        unit_price=_amount(product.unit_price),
        vat_percent=product.vat_rate if product.vat_rate is not None else _ZERO,
        unit=clean(product.measurement_unit),
        active=product.is_active if product.is_active is not None else True,
    )
    return Mapped(record, tuple(refusals))


def _amount(money: severa.Money | None) -> Decimal:
    return money.amount if money is not None and money.amount is not None else _ZERO


def to_netvisor(record: ProductRecord, settings: TenantSettings) -> netvisor.ProductData:
    """``product.nv`` for a new product: net price, always a sales product (rule 11)."""
    return netvisor.ProductData(
        code=record.code,
        group=settings.product_group,
        name=record.name or "",
        unit_price=record.unit_price or _ZERO,
        unit_price_type="net",
        purchase_price=record.purchase_price or _ZERO,
        vat_percent=record.vat_percent or _ZERO,
        unit=record.unit,
        is_active=record.active,
        is_sales_product=True,
    )


# -- Netvisor -> Severa -----------------------------------------------------------------------


def from_netvisor(product: netvisor.Product) -> Mapped[ProductRecord]:
    """A Netvisor product, checked against rules 9 and 10."""
    code = clean(product.code)
    name = clean(product.name)
    refusals: list[Refusal] = []
    if code is None:
        refusals.append(
            refuse("products.netvisor.code_missing", name=name or str(product.netvisor_key))
        )
    if name is not None and len(name) > SEVERA_NAME_LIMIT:
        refusals.append(refuse("products.netvisor.name_too_long", code=code, length=len(name)))
    vat = product.vat_percent if product.vat_percent is not None else _ZERO
    net = product.unit_price
    if net is None and product.unit_gross_price is not None:
        # A price known only as gross is made net for Severa with the product's VAT, to the
        # cent: the gross price is what the user entered, and 42,50 with 22 % is 34,84 net
        # in a price list, not 34,836066.
        net = (product.unit_gross_price / (1 + vat / _HUNDRED)).quantize(
            _CENT, rounding=ROUND_HALF_UP
        )
    record = ProductRecord(
        code=code,
        name=name,
        purchase_price=product.purchase_price,
        unit_price=net,
        vat_percent=vat,
        unit=clean(product.unit),
        active=product.is_active if product.is_active is not None else True,
    )
    return Mapped(record, tuple(refusals))


def to_severa(record: ProductRecord, currency: str) -> severa.ProductInput:
    """``POST /v1/products`` for a new product."""
    return severa.ProductInput(
        name=record.name or "",
        code=record.code,
        unit_price=severa.MoneyInput(amount=record.unit_price, currency_code=currency)
        if record.unit_price is not None
        else None,
        unit_cost=severa.MoneyInput(amount=record.purchase_price, currency_code=currency)
        if record.purchase_price is not None
        else None,
        vat_rate=record.vat_percent,
        measurement_unit=record.unit,
        is_active=record.active,
    )
