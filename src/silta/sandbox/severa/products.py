"""Products (``ProductInputModel`` in, ``ProductOutputModel`` out).

Rules (settled):

* ``code`` is unique in the organisation when given (``null`` and ``""`` are "no code");
  compared **case-sensitively** - nothing in the document or the notes says otherwise, and
  the ``code`` filter is an exact match. A duplicate is 400 ``InvalidOperation`` naming it.
* ``type`` is the ``ProductType`` enum ``FixedFees``/``Materials``/``Subcontracting`` (the UI's
  own work/products/subcontracting); a product without one shows ``null``.
* ``unitPrice``/``unitCost`` are ``MoneyInputModelWithNullableAmount``: ``currencyCode`` is
  required inside and must be a currency the organisation knows; the output is a
  ``MoneyOutputModel`` (``null`` when never set). PATCH ``/unitPrice/amount`` on a product
  without a price gives it one in the organisation's currency.
* ``vatRate`` is a percentage between 0 and 100 (any such number; products do not link a
  VAT-rate record).
* ``isActive`` defaults to true; ``null`` means the default (the schema's ``default: true``).
* Hourly work is not a product in Severa (it is a work type); the sandbox has no work-type
  routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

from .collection import Collection
from .errors import Detail, invalid_operation
from .fields import Field, Kind
from .render import money_json, named, shaped, stamps
from .store import Register, Stored

__all__ = ["PRODUCT_FIELDS", "PRODUCT_TYPES", "Products"]

PRODUCT_TYPES: Final = ("FixedFees", "Materials", "Subcontracting")

S, D, B, R, M = Kind.STRING, Kind.DOUBLE, Kind.BOOL, Kind.REF, Kind.MONEY

#: ``ProductInputModel``'s properties.
PRODUCT_FIELDS: Final = (
    Field("name", S, nullable=False, required=True, min_length=1),
    Field("code", S),
    Field("isActive", B, default=True),
    Field("measurementUnit", S),
    Field("proposalDescription", S),
    Field("productCategory", R, target="productCategory"),
    Field("salesAccount", R, target="salesAccount"),
    Field("type", Kind.ENUM, choices=PRODUCT_TYPES),
    Field("unitCost", M),
    Field("unitPrice", M),
    Field("vatRate", D),
)


def _code_key(values: Mapping[str, Any]) -> str | None:
    code = values["code"]
    return code if code else None


class Products(Collection):
    """The product register of one organisation."""

    kind: ClassVar[str] = "product"
    model: ClassVar[str] = "ProductInputModel"
    fields: ClassVar[tuple[Field, ...]] = PRODUCT_FIELDS

    def make_register(self) -> Register:
        return Register(self.kind, unique={"code": _code_key})

    def by_code(self, code: str) -> Stored | None:
        """The product with ``code`` (exact match)."""
        return self.register.owner("code", code) if code else None

    def rules(self, values: dict[str, Any], old: Stored | None) -> list[Detail]:
        if values["isActive"] is None:
            values["isActive"] = True
        vat = values["vatRate"]
        if vat is not None and not 0.0 <= vat <= 100.0:
            return [Detail("vatRate must be a percentage between 0 and 100.", "vatRate")]
        return []

    def unique(self, values: Mapping[str, Any], old: Stored | None) -> None:
        code = _code_key(values)
        if code is None:
            return
        owner = self.by_code(code)
        if owner is not None and (old is None or owner.guid != old.guid):
            raise invalid_operation(f"Product code '{code}' is already in use.", "code")

    def render(self, record: Stored) -> dict[str, Any]:
        v = record.values
        ref = self.org.reference
        account = ref.item("salesAccount", v["salesAccount"])
        return shaped(
            "ProductOutputModel",
            {
                "guid": record.guid,
                "name": v["name"],
                "code": v["code"],
                "type": v["type"],
                "unitPrice": money_json(v["unitPrice"]),
                "unitCost": money_json(v["unitCost"]),
                "vatRate": v["vatRate"],
                "measurementUnit": v["measurementUnit"],
                "isActive": v["isActive"],
                "productCategory": named(ref.item("productCategory", v["productCategory"])),
                "salesAccount": None
                if account is None
                else {"guid": account.guid, "name": account.name, "number": account.code},
                "proposalDescription": v["proposalDescription"],
                **stamps(ref, record),
            },
        )
