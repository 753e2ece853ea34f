"""The product registers of both systems, and the planted product cases.

As with customers, the source system gets ``spec.products`` products in a shuffled mix of
planted cases, showcases and ordinary products: **new** ones, **identical** ones the target
already has under the same code, and **differing** ones the target has with an older price
(skipped: the article never updates a product once transferred). The target has about a
tenth more of its own; Netvisor has the ``TEMP`` product.

Products come from the catalogue of :data:`.words.PRODUCT_FAMILIES`; codes are the family's
prefix and a running number (``KONS-001``), so they are unique in the sample.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import attrs

from ..netvisor import Organisation as NetvisorOrganisation
from ..severa import Organisation as SeveraOrganisation
from .cases import Cases
from .companies import Draw
from .model import SampleSpec
from .words import LONG_NETVISOR_NAME, LONG_SEVERA_NAME, PRODUCT_FAMILIES, ProductFamily

__all__ = ["Draft", "populate_products"]

_CENT: Final = Decimal("0.01")
_INACTIVE_SHARE: Final = 0.05
_GROSS_VAT: Final = Decimal("25.5")

_SCENARIO_A_CASES: Final = (
    "netvisor_product_code_missing",
    "netvisor_product_name_too_long",
    "netvisor_gross_price",
    "netvisor_product_exists",
)
_SCENARIO_B_CASES: Final = (
    "severa_product_code_missing",
    "severa_product_name_too_long",
    "severa_product_no_price",
    "severa_product_exists",
)


@attrs.frozen
class Draft:
    """A product of the catalogue, before either system has it."""

    code: str
    name: str
    unit: str
    price: Decimal
    vat: Decimal
    group: str
    kind: str
    cost: Decimal | None
    active: bool = True


def percent(rate: Decimal) -> str:
    """``25.5`` → ``"25,5"``, ``14`` → ``"14"``."""
    return f"{rate.normalize():f}".replace(".", ",")


def euros(amount: Decimal) -> str:
    """``1234.5`` → ``"1234,50"``: an amount as a Finnish price list writes it."""
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):f}".replace(".", ",")


class Catalogue:
    """Draws products from the families, one of each family in turn (in a shuffled order)
    so that even a small sample has every unit and VAT rate. A name drawn a second time (in a
    very large sample) gets a running number, as a second supplier's item would."""

    def __init__(self, draw: Draw) -> None:
        self._draw = draw
        families = list(PRODUCT_FAMILIES)
        draw.rng.shuffle(families)
        names: list[list[str]] = []
        for family in families:
            names.append(
                [f"{name}{variant}" for name in family.names for variant in family.variants]
            )
            draw.rng.shuffle(names[-1])
        self._names: list[tuple[ProductFamily, str]] = [
            (family, family_names[turn])
            for turn in range(max(len(n) for n in names))
            for family, family_names in zip(families, names, strict=True)
            if turn < len(family_names)
        ]
        self._drawn = 0
        self._numbers: Counter[str] = Counter()

    def next(self, *, active: bool = True) -> Draft:
        """The next product."""
        family, name = self._names[self._drawn % len(self._names)]
        repeat = self._drawn // len(self._names)
        self._drawn += 1
        if repeat:
            name = f"{name} ({repeat + 1})"
        self._numbers[family.prefix] += 1
        price = self._draw.price(*family.price)
        cost = None if family.cost is None else (price * family.cost).quantize(_CENT)
        return Draft(
            code=f"{family.prefix}-{self._numbers[family.prefix]:03d}",
            name=name,
            unit=family.unit,
            price=price,
            vat=family.vat,
            group=family.group,
            kind=family.kind,
            cost=cost,
            active=active,
        )


def netvisor_product(
    org: NetvisorOrganisation, draft: Draft, *, with_code: bool = True, gross: bool = False
) -> int:
    """Write ``draft`` into Netvisor (its price net, or gross); returns its NetvisorKey."""
    elements = {
        "name": draft.name,
        "unit": draft.unit,
        "productgroup": draft.group,
        "isactive": "1" if draft.active else "0",
    }
    if with_code:
        elements["productcode"] = draft.code
    if draft.cost is not None:
        elements["purchaseprice"] = euros(draft.cost)
    return org.put_product(
        unitprice=euros(draft.price),
        unitprice_type="gross" if gross else "net",
        defaultvatpercentage=draft.vat,
        **elements,
    )


def severa_product(
    org: SeveraOrganisation, draft: Draft, *, with_code: bool = True, priced: bool = True
) -> str:
    """Write ``draft`` into Severa; ``priced=False`` leaves out price, cost and VAT."""
    category = next(
        item.guid for item in org.reference_items("productCategory") if item.name == draft.group
    )
    fields: dict[str, object] = {
        "type": draft.kind,
        "measurementUnit": draft.unit,
        "productCategory": category,
        "isActive": draft.active,
    }
    if priced:
        fields["unitPrice"] = {"amount": float(draft.price), "currencyCode": "EUR"}
        fields["vatRate"] = float(draft.vat)
        if draft.cost is not None:
            fields["unitCost"] = {"amount": float(draft.cost), "currencyCode": "EUR"}
    return org.put_product(draft.name, draft.code if with_code else None, **fields)


def _roles(cases: tuple[str, ...], count: int) -> list[str]:
    regular = count - len(cases)
    identical = max(1, round(regular * 0.2))
    differing = round(regular * 0.1)
    return [
        *cases,
        *["identical"] * identical,
        *["differing"] * differing,
        *["new"] * (regular - identical - differing),
    ]


#: Planted products are active; a few of the new and the identical ones are not.
_MAY_BE_INACTIVE: Final = ("new", "identical")


def _activity(draw: Draw, roles: list[str]) -> Iterator[bool]:
    count = sum(role in _MAY_BE_INACTIVE for role in roles)
    return draw.deck(count, {False: _INACTIVE_SHARE}, True)


def _older_price(draft: Draft) -> Draft:
    """The same product at last year's price (about a tenth lower)."""
    old = (draft.price * Decimal("0.9")).quantize(_CENT, rounding=ROUND_HALF_UP)
    return attrs.evolve(draft, price=old if old != draft.price else draft.price + 1)


def _target_only_count(spec: SampleSpec) -> int:
    return max(2, round(spec.products * 0.1))


def _scenario_a(
    nv: NetvisorOrganisation,
    sv: SeveraOrganisation,
    draw: Draw,
    cases: Cases,
    spec: SampleSpec,
) -> None:
    catalogue = Catalogue(draw)
    roles = _roles(_SCENARIO_A_CASES, spec.products)
    draw.rng.shuffle(roles)
    active = _activity(draw, roles)
    for role in roles:
        draft = catalogue.next(active=next(active) if role in _MAY_BE_INACTIVE else True)
        if role == "netvisor_product_code_missing":
            key = netvisor_product(nv, draft, with_code=False)
            cases.add(role, key, draft.name)
        elif role == "netvisor_product_name_too_long":
            draft = attrs.evolve(draft, name=LONG_NETVISOR_NAME)
            key = netvisor_product(nv, draft)
            cases.add(role, key, draft.name, code=draft.code, length=len(draft.name))
        elif role == "netvisor_gross_price":
            draft = attrs.evolve(draft, vat=_GROSS_VAT)
            key = netvisor_product(nv, draft, gross=True)
            net = draft.price / (1 + draft.vat / 100)
            cases.add(
                role,
                key,
                draft.name,
                code=draft.code,
                gross=euros(draft.price),
                net=euros(net),
                vat=percent(draft.vat),
            )
        else:
            key = netvisor_product(nv, draft)
            if role == "identical":
                severa_product(sv, draft)
            elif role in ("differing", "netvisor_product_exists"):
                old = _older_price(draft)
                severa_product(sv, old)
                if role == "netvisor_product_exists":
                    cases.add(
                        role,
                        key,
                        draft.name,
                        code=draft.code,
                        price=euros(draft.price),
                        other_price=euros(old.price),
                    )
    for _ in range(_target_only_count(spec)):
        severa_product(sv, catalogue.next())


def _scenario_b(
    nv: NetvisorOrganisation,
    sv: SeveraOrganisation,
    draw: Draw,
    cases: Cases,
    spec: SampleSpec,
) -> None:
    catalogue = Catalogue(draw)
    roles = _roles(_SCENARIO_B_CASES, spec.products)
    draw.rng.shuffle(roles)
    active = _activity(draw, roles)
    for role in roles:
        draft = catalogue.next(active=next(active) if role in _MAY_BE_INACTIVE else True)
        if role == "severa_product_code_missing":
            guid = severa_product(sv, draft, with_code=False)
            cases.add(role, guid, draft.name)
        elif role == "severa_product_name_too_long":
            draft = attrs.evolve(draft, name=LONG_SEVERA_NAME)
            guid = severa_product(sv, draft)
            cases.add(role, guid, draft.name, code=draft.code, length=len(draft.name))
        elif role == "severa_product_no_price":
            guid = severa_product(sv, draft, priced=False)
            cases.add(role, guid, draft.name, code=draft.code)
        else:
            guid = severa_product(sv, draft)
            if role == "identical":
                netvisor_product(nv, draft)
            elif role in ("differing", "severa_product_exists"):
                old = _older_price(draft)
                netvisor_product(nv, old)
                if role == "severa_product_exists":
                    cases.add(
                        role,
                        guid,
                        draft.name,
                        code=draft.code,
                        price=euros(draft.price),
                        other_price=euros(old.price),
                    )
    for _ in range(_target_only_count(spec)):
        netvisor_product(nv, catalogue.next())


def _scenario_t(
    nv: NetvisorOrganisation,
    sv: SeveraOrganisation,
    draw: Draw,
    cases: Cases,
    spec: SampleSpec,
) -> None:
    """Products not transferred: the company keeps most of them by hand in both systems under
    the same code (invoice rows go to them), a tenth only in Severa (their rows would go to
    ``TEMP``). Nothing is planted here; the missing ``TEMP`` product is the invoices'."""
    catalogue = Catalogue(draw)
    severa_only = _target_only_count(spec)
    active = draw.deck(spec.products, {False: _INACTIVE_SHARE}, True)
    for index in range(spec.products):
        draft = catalogue.next(active=next(active))
        severa_product(sv, draft)
        if index >= severa_only:
            netvisor_product(nv, draft)


def populate_products(
    nv: NetvisorOrganisation,
    sv: SeveraOrganisation,
    draw: Draw,
    cases: Cases,
    spec: SampleSpec,
) -> int | None:
    """Fill both product registers for ``spec.scenario``; returns the TEMP product's key
    (``None`` in scenario ``"t"``, whose Netvisor has no TEMP product)."""
    scenario = {"a": _scenario_a, "b": _scenario_b, "t": _scenario_t}[spec.scenario]
    scenario(nv, sv, draw, cases, spec)
    if spec.scenario == "t":
        return None
    return nv.put_product(
        productcode="TEMP",
        name="Tilapäistuote",
        description="Laskurivien tilapäistuote, kun tuoterekisteriä ei siirretä",
        productgroup="Palvelut",
        unit="kpl",
        unitprice="0",
        defaultvatpercentage=_GROSS_VAT,
    )
