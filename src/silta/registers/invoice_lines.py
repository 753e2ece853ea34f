"""How one Severa invoice row becomes Netvisor invoice lines: dimensions, amounts and VAT.

Pure functions over plain values, used by :func:`silta.registers.invoices.map_invoice`;
each is one settled point of ``reference/invoices.md`` §5 (7, 8 and 9), tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

import attrs

from silta import severa
from silta.domain import TenantSettings
from silta.registers.dimensions import DimensionSource, Kind, sources
from silta.registers.finnish import round_cents, vat_rate_valid_on
from silta.registers.invoice_settings import InvoiceSettings, ZeroVatCase

__all__ = [
    "EU_COUNTRIES",
    "HOME_COUNTRY",
    "DimensionIndex",
    "Entry",
    "LineAmounts",
    "Part",
    "ancestors",
    "day_text",
    "dimension_index",
    "line_amounts",
    "line_dimensions",
    "line_vat",
    "majority",
    "money_text",
    "needs_vat_id",
    "percent_text",
    "row_parts",
    "settle_per_rate",
    "split_row",
    "zero_vat_case",
]

HOME_COUNTRY = "FI"
# The EU's VAT area by ISO 3166 code (Greece is GR here, EL only in VAT numbers). Åland
# (AX) is outside it: a sale there is an export for VAT.
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905
)
_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


# -- §5.7: dimensions per line ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DimensionIndex:
    """The dimension register's items for the invoice's projects, by Severa GUID.

    ``sources`` holds projects, business units and phases as the register names them;
    ``phase_parents`` lets a phase the register refused fall back to its nearest transferred
    ancestor (as the register places sub-phases); ``project_units`` gives a project's
    business unit.
    """

    sources: Mapping[str, DimensionSource] = attrs.field(factory=dict)
    phase_parents: Mapping[str, str | None] = attrs.field(factory=dict)
    project_units: Mapping[str, str] = attrs.field(factory=dict)
    projects: Mapping[str, str] = attrs.field(factory=dict)  # phase guid -> project guid


def dimension_index(
    tenant: TenantSettings,
    *,
    projects: Iterable[severa.Project] = (),
    business_units: Iterable[severa.BusinessUnit] = (),
    phases: Iterable[severa.Phase] = (),
) -> DimensionIndex:
    """Name the invoice's projects, units and phases exactly as the dimension register does.

    The register's own :func:`.dimensions.sources` does the naming, with the tenant's headers
    and phase choice, whether or not the nightly dimension sync is on.
    """
    project_list = list(projects)
    phase_list = list(phases)
    unit_list = list(business_units)
    # A project's unit may be known only from the project's own sub-model.
    known_units = {unit.guid for unit in unit_list}
    for project in project_list:
        unit = project.business_unit
        if unit is not None and unit.guid and unit.guid not in known_units:
            known_units.add(unit.guid)
            unit_list.append(
                severa.BusinessUnit(guid=unit.guid, name=unit.name or unit.guid, code=unit.code)
            )
    wanted, _refused = sources(
        attrs.evolve(tenant, dimensions=True),
        projects=project_list,
        business_units=unit_list,
        phases=phase_list,
    )
    return DimensionIndex(
        sources={source.guid: source for source in wanted},
        phase_parents={
            phase.guid: phase.parent_phase.guid if phase.parent_phase else None
            for phase in phase_list
        },
        project_units={
            project.guid: project.business_unit.guid
            for project in project_list
            if project.business_unit is not None and project.business_unit.guid
        },
        projects={
            phase.guid: phase.project.guid
            for phase in phase_list
            if phase.project is not None and phase.project.guid
        },
    )


@attrs.frozen
class Part:
    """The entries of one row that share a project and phase."""

    project: str | None
    phase: str | None
    quantity: Decimal
    amount: Decimal


def _entry_quantity(quantity: Decimal | None, invoice_quantity: Decimal | None) -> Decimal:
    return invoice_quantity if invoice_quantity is not None else quantity or _ZERO


Entry = severa.ProjectFee | severa.WorkHour | severa.ProjectTravelExpense


def row_parts(row_guid: str, entries: Iterable[Entry]) -> list[Part]:
    """The entries billed on row ``row_guid`` grouped by (project, phase), in the order first
    seen. An entry's quantity is its invoice quantity when Severa has one."""
    groups: dict[tuple[str | None, str | None], list[Decimal]] = {}
    for entry in entries:
        if entry.invoice_row_guid != row_guid:
            continue
        quantity = _entry_quantity(entry.quantity, entry.invoice_quantity)
        project = entry.project.guid if entry.project else None
        phase = entry.phase.guid if entry.phase else None
        price = entry.unit_price.amount if entry.unit_price and entry.unit_price.amount else _ZERO
        totals = groups.setdefault((project, phase), [_ZERO, _ZERO])
        totals[0] += quantity
        totals[1] += quantity * price
    return [Part(project, phase, q, a) for (project, phase), (q, a) in groups.items()]


def split_row(quantity: Decimal, unit_price: Decimal, parts: Sequence[Part]) -> list[Part] | None:
    """The parts to split a row into, or ``None`` when they do not add up exactly.

    Exactly: the parts' quantities sum to the row's, and each part's line sum (its quantity
    at the row's price, rounded) sums to the row's line sum, so splitting changes no cent.
    """
    if len(parts) < 2:
        return None
    if sum((part.quantity for part in parts), _ZERO) != quantity:
        return None
    whole = round_cents(quantity * unit_price)
    pieces = sum((round_cents(part.quantity * unit_price) for part in parts), _ZERO)
    return list(parts) if pieces == whole else None


def majority(parts: Sequence[Part]) -> Part:
    """The part with the largest amount (by quantity when the entries carry no prices, as
    hours billed at the row's price may not); the first of a tie."""
    return max(parts, key=lambda part: (abs(part.amount), abs(part.quantity)))


def _phase_source(phase: str | None, index: DimensionIndex) -> DimensionSource | None:
    """The phase's item, or its nearest transferred ancestor phase's (none: the project)."""
    seen: set[str] = set()
    while phase is not None and phase not in seen:
        seen.add(phase)
        found = index.sources.get(phase)
        if found is not None and found.kind is Kind.PHASE:
            return found
        phase = index.phase_parents.get(phase)
    return None


def line_dimensions(
    project: str | None, phase: str | None, tenant: TenantSettings, index: DimensionIndex
) -> list[DimensionSource]:
    """§5.7: the items of one line, one per header, named as the dimension register names
    them: under the project header the phase's item when phases are transferred (it sits
    under its project's item), else the project's; under the unit header the project's
    business unit."""
    if project is None and phase is not None:
        project = index.projects.get(phase)
    found: list[DimensionSource] = []
    if tenant.project_header and project is not None:
        item = _phase_source(phase, index) if tenant.include_phases else None
        item = item or index.sources.get(project)
        if item is not None:
            found.append(item)
    if tenant.business_unit_header and project is not None:
        unit = index.project_units.get(project)
        item = index.sources.get(unit) if unit else None
        if item is not None:
            found.append(item)
    return found


def ancestors(item: DimensionSource, index: DimensionIndex) -> list[DimensionSource]:
    """``item`` and the items above it, top first (a phase under its project, ...)."""
    chain = [item]
    seen = {item.guid}
    while chain[0].parent is not None and chain[0].parent not in seen:
        parent = index.sources.get(chain[0].parent)
        if parent is None:
            break
        seen.add(parent.guid)
        chain.insert(0, parent)
    return chain


# -- §5.8: amounts ------------------------------------------------------------------------------


@attrs.frozen
class LineAmounts:
    """A line's figures as Netvisor gets them: the price positive, the sign in the quantity,
    net and VAT each rounded half-up to cents, the line sum gross."""

    quantity: Decimal
    unit_price: Decimal
    vat_percent: Decimal
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_percent: Decimal) -> LineAmounts:
    """§5.8 and §5.10: one line's amounts, computed in ``Decimal`` and rounded per line.

    Netvisor wants a positive unit price (a credit note is negative quantities and total),
    so a negative price puts its sign in the quantity; the product is unchanged.
    """
    if unit_price < 0:
        quantity, unit_price = -quantity, -unit_price
    net = round_cents(quantity * unit_price)
    vat = round_cents(net * vat_percent / _HUNDRED)
    return LineAmounts(quantity, unit_price, vat_percent, net, vat)


def settle_per_rate(lines: Sequence[LineAmounts], total: Decimal) -> list[LineAmounts] | None:
    """The lines with each rate's VAT rounded once on that rate's net total, when that is
    what makes them add up to ``total``; ``None`` when it does not help.

    An invoice's VAT is often computed per rate on the total rather than per line, which can
    differ by a cent or so from the sum of rounded lines. The difference goes on the rate's
    largest line, so each line still carries its own VAT and sum (Netvisor then adds them up
    exactly as Severa did).
    """
    settled = list(lines)
    for rate in dict.fromkeys(line.vat_percent for line in settled):
        members = [i for i, line in enumerate(settled) if line.vat_percent == rate]
        net = sum((settled[i].net for i in members), _ZERO)
        vat = sum((settled[i].vat for i in members), _ZERO)
        difference = round_cents(net * rate / _HUNDRED) - vat
        if difference:
            largest = max(members, key=lambda i: abs(settled[i].net))
            settled[largest] = attrs.evolve(settled[largest], vat=settled[largest].vat + difference)
    if settled == list(lines) or sum((line.gross for line in settled), _ZERO) != total:
        return None
    return settled


# -- §5.9: VAT ----------------------------------------------------------------------------------


def zero_vat_case(
    *, reverse_charged: bool, country: str | None, goods: bool, eu: frozenset[str]
) -> ZeroVatCase | None:
    """Why a line has 0 % VAT, from the invoice's reverse charge flag, the buyer's country
    and whether the row sells goods; ``None`` when the country is unknown."""
    if country is None:
        return None
    if country != HOME_COUNTRY and country in eu:
        return ZeroVatCase.EU_GOODS if goods else ZeroVatCase.EU_SERVICES
    if country != HOME_COUNTRY:
        return ZeroVatCase.OUTSIDE_EU
    return ZeroVatCase.DOMESTIC_REVERSE_CHARGE if reverse_charged else ZeroVatCase.DOMESTIC_ZERO


_CASE_TEXT = {
    ZeroVatCase.DOMESTIC_REVERSE_CHARGE: ("käännetty verovelvollisuus kotimaassa",
                                          "domestic reverse charge"),
    ZeroVatCase.EU_SERVICES: ("palvelumyynti EU:hun", "services sold to the EU"),
    ZeroVatCase.EU_GOODS: ("tavaramyynti EU:hun", "goods sold to the EU"),
    ZeroVatCase.OUTSIDE_EU: ("myynti EU:n ulkopuolelle", "sales outside the EU"),
    ZeroVatCase.DOMESTIC_ZERO: ("0 % kotimaassa", "0 % in Finland"),
}  # fmt: skip
_NEEDS_VAT_ID = frozenset(
    {ZeroVatCase.DOMESTIC_REVERSE_CHARGE, ZeroVatCase.EU_SERVICES, ZeroVatCase.EU_GOODS}
)


def line_vat(
    rate: Decimal,
    *,
    day: date | None,
    case: ZeroVatCase | None,
    settings: InvoiceSettings,
) -> str | tuple[str, dict[str, object]]:
    """§5.9: the Netvisor VAT code of a line, or the rule it breaks with its values.

    Above 0: ``KOMY`` (domestic sales), the rate in force on ``day`` (``None``: not checked,
    for a credit note that waits for its original anyway). At 0: the KH's code for the
    line's case.
    """
    if rate > 0:
        if day is not None and not vat_rate_valid_on(rate, day):
            return "invoices.vat_rate_not_valid", {"rate": percent_text(rate), "day": day_text(day)}
        return "KOMY"
    if case is None:
        return "invoices.zero_vat_unmapped", {
            "case_fi": "ostajan maa ei ole tiedossa", "case_en": "the buyer's country is unknown"
        }  # fmt: skip
    code = settings.zero_vat_code(case)
    if code is None:
        case_fi, case_en = _CASE_TEXT[case]
        return "invoices.zero_vat_unmapped", {"case_fi": case_fi, "case_en": case_en}
    return code


def needs_vat_id(case: ZeroVatCase | None) -> bool:
    """Whether a 0 % line of ``case`` needs the buyer's VAT ID on the invoice (AVL 209 e §:
    reverse charge and intra-EU sales)."""
    return case in _NEEDS_VAT_ID


def percent_text(rate: Decimal) -> str:
    """A rate as a Finnish reader writes it: ``25,5``."""
    return format(rate.normalize(), "f").replace(".", ",")


def day_text(day: date) -> str:
    """A date as a Finnish reader writes it: ``31.3.2026``."""
    return f"{day.day}.{day.month}.{day.year}"


def money_text(amount: Decimal) -> str:
    """An amount in cents with a decimal comma: ``1255,00``."""
    return format(round_cents(amount), "f").replace(".", ",")
