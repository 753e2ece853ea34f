"""The purchase-line transfer's settings, a value of their own (issue 19; §1.4, §5.12).

Kept apart from :class:`silta.domain.TenantSettings` for now, as
:class:`~.invoice_settings.InvoiceSettings` is: the lead integrates them. What the KH
chooses, and why each default:

* off until turned on, automatic or only on "transfer now";
* which Netvisor purchase-invoice status qualifies: ``accepted`` (approved) by default, so
  that only costs the company has approved reach its projects;
* the Severa cost product, and optionally a product per Netvisor accounting account (the
  official integration's per-line product choice, made once per account);
* "cost only" (default: followed, not billed) or "re-bill" with a markup percentage.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from silta import netvisor
from silta.registers.invoice_settings import TransferMode

__all__ = ["CostMethod", "PurchaseLineSettings"]

_ZERO = Decimal(0)


class CostMethod(enum.StrEnum):
    """The official integration's "expense transfer method" (N-PI, its ValueFrame twin)."""

    COST_ONLY = "cost_only"  # followed as a cost; not billed
    REBILL = "rebill"  # billed to the customer at cost plus the markup


def _pairs(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    found: dict[str, str] = {}
    for account, product in items:
        if not str(account).strip() or not str(product).strip():
            raise ValueError("an account-to-product mapping needs both the account and a product")
        found[str(account).strip()] = str(product).strip()
    return tuple(sorted(found.items()))


def _guid(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _markup(value: object) -> Decimal:
    try:
        markup = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"the markup {value!r} is not a number") from None
    if not markup.is_finite() or markup < 0:
        raise ValueError(f"the markup must be a percentage of 0 or more, not {value!r}")
    return markup


@attrs.frozen(kw_only=True)
class PurchaseLineSettings:
    """One company's choices for purchase-invoice lines → Severa project costs.

    Not part of :class:`silta.domain.TenantSettings` yet (the lead integrates them): the
    fields, defaults and JSON follow :class:`~.invoice_settings.InvoiceSettings`.

    * off until turned on; automatic or only on "transfer now" (``mode``);
    * ``invoice_status``: which Netvisor purchase-invoice status qualifies, ``accepted``
      (approved) by default, as ``purchaseinvoicelist.nv`` names them;
    * ``product``: the Severa cost product's GUID; ``account_products``: a product per
      Netvisor accounting account, which wins over ``product``;
    * ``method`` and ``markup_percent``: cost only, or re-billed at cost plus the markup.
    """

    enabled: bool = False
    invoice_status: str = attrs.field(
        default="accepted", validator=attrs.validators.in_(netvisor.PURCHASE_INVOICE_STATUSES)
    )
    product: str | None = attrs.field(default=None, converter=_guid)
    account_products: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    method: CostMethod = attrs.field(default=CostMethod.COST_ONLY, converter=CostMethod)
    markup_percent: Decimal = attrs.field(default=_ZERO, converter=_markup)
    mode: TransferMode = attrs.field(default=TransferMode.AUTOMATIC, converter=TransferMode)

    def product_for(self, account: str | None) -> str | None:
        """The Severa product of a line booked to ``account``: the account's, else the
        cost product, else ``None``."""
        if account is not None:
            mapped = dict(self.account_products).get(account.strip())
            if mapped is not None:
                return mapped
        return self.product

    def as_json(self) -> dict[str, Any]:
        """A JSON-able dict (enums and the markup as text, the mapping as an object)."""
        return {
            "enabled": self.enabled,
            "invoice_status": self.invoice_status,
            "product": self.product,
            "account_products": dict(self.account_products),
            "method": self.method.value,
            "markup_percent": format(self.markup_percent, "f"),
            "mode": self.mode.value,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PurchaseLineSettings:
        """The inverse of :meth:`as_json`; unknown keys are an error, missing ones default.

        Raises:
            ValueError: an unknown key or an invalid value (the message names it).
        """
        known = {field.name for field in attrs.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown purchase-line settings: {', '.join(sorted(unknown))}")
        try:
            return cls(**dict(data))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid purchase-line settings: {exc}") from None
