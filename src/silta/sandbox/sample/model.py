"""What a caller asks of the sample (:class:`SampleSpec`) and what it gets (:class:`Sample`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final, Literal

import attrs

from .words import DEPARTMENT_UNITS, REGION_UNITS

if TYPE_CHECKING:
    from .purchases import PurchasePlan
    from .travel import TravelSample

__all__ = ["MINIMUM", "InvoiceSample", "PlantedCase", "Sample", "SampleSpec", "Scenario"]

#: ``"a"``: customers Severa → Netvisor, products Netvisor → Severa.
#: ``"b"``: customers Netvisor → Severa, products Severa → Netvisor.
#: ``"t"``: customers and products not transferred (the article's TEMP choices): invoices go
#: to Netvisor's ``TEMP`` customer, and rows to products of the same code or ``TEMP``.
#: Dimensions (projects, units, phases) go Severa → Netvisor in all three.
Scenario = Literal["a", "b", "t"]

#: The least of each count that leaves room for every planted case and some ordinary
#: records besides them.
MINIMUM: Final = {
    "customers": 12,
    "products": 8,
    "projects": 2,
    "phases_per_project": 2,
    "business_units": 1,
}
_MAX_UNITS: Final = len(REGION_UNITS) * (1 + len(DEPARTMENT_UNITS))


def _at_least(instance: SampleSpec, attribute: attrs.Attribute[int], value: int) -> None:
    if value < MINIMUM[attribute.name]:
        raise ValueError(f"{attribute.name} must be at least {MINIMUM[attribute.name]}")


def _units(instance: SampleSpec, attribute: attrs.Attribute[int], value: int) -> None:
    _at_least(instance, attribute, value)
    if value > _MAX_UNITS:
        raise ValueError(f"business_units must be at most {_MAX_UNITS}")


def _scenario(instance: SampleSpec, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("a", "b", "t"):
        raise ValueError(f"scenario must be 'a', 'b' or 't', not {value!r}")


@attrs.frozen(kw_only=True)
class SampleSpec:
    """How much data, for which scenario, from which seed.

    Attributes:
        seed: the same seed gives the same data, byte for byte.
        customers: customers of the customer register's **source** system (Severa in
            scenario a, Netvisor in b), planted ones included. The target system gets about
            a third of them as already-matching customers, plus about a tenth more of its
            own. Netvisor's ``TEMP`` customer comes on top.
        products: products of the product register's source system (Netvisor in a, Severa
            in b), planted ones included; the target gets matches and its own as above.
            Netvisor's ``TEMP`` product comes on top.
        projects: Severa projects.
        phases_per_project: phases of each project below its root phase, sub-phases
            included.
        business_units: Severa business units below the company's root unit.
        scenario: ``"a"``, ``"b"`` or ``"t"``, see :data:`Scenario`.
        invoices: Severa invoices in every status, a planted case for every invoice rule,
            and the Netvisor invoices they meet (:mod:`~silta.sandbox.sample.invoices`).
        today: the day the invoices are made around (a fixed date, so that a seed gives
            the same data whenever it runs).
        purchases: Netvisor purchase invoices whose lines go to Severa as project costs,
            placed once the dimension sync has made the items
            (:mod:`~silta.sandbox.sample.purchases`).
        travel: Severa travel reimbursements of every kind and the Netvisor employees they
            meet (:mod:`~silta.sandbox.sample.travel`).
    """

    seed: int = 0
    customers: int = attrs.field(default=40, validator=_at_least)
    products: int = attrs.field(default=25, validator=_at_least)
    projects: int = attrs.field(default=8, validator=_at_least)
    phases_per_project: int = attrs.field(default=4, validator=_at_least)
    business_units: int = attrs.field(default=5, validator=_units)
    scenario: Scenario = attrs.field(default="a", validator=_scenario)
    invoices: bool = True
    today: date = date(2026, 12, 1)
    purchases: bool = True
    travel: bool = True


@attrs.frozen
class PlantedCase:
    """One deliberate edge case, and how the sync engine will name its record.

    Attributes:
        rule: for a refusal, the stable rule id the engine reports
            (``customers.severa.business_id_missing``); for a showcase, an id of the same
            shape naming what the demo shows (``customers.severa.adopted``).
        register: ``customers``, ``products``, ``dimensions`` or ``invoices``.
        system: where the record lives: ``severa`` or ``netvisor``.
        key: the Severa GUID of a Severa record (an invoice's for the invoice cases), the
            NetvisorKey (as text) of a Netvisor one.
        name: the record's name, as a person would look for it.
        description_fi, description_en: what was planted and what the sync should do.
    """

    rule: str
    register: str
    system: str
    key: str
    name: str
    description_fi: str
    description_en: str


@attrs.frozen
class Sample:
    """What :func:`~silta.sandbox.sample.populate` made.

    Attributes:
        spec: what was asked.
        planted: every record a rule refuses, one case each (a record never breaks two).
        showcases: records the demo points at that are not refused: a customer adopted by
            its business ID, inactive records, a gross price, a product that is skipped
            because it exists already, and so on.
        dimension_headers: the Netvisor headers for projects and for business units.
        temp_customer_key, temp_product_key: NetvisorKeys of the ``TEMP`` customer and
            product (rules 7 and 12); scenario ``"t"`` has no ``TEMP`` product (``None``),
            for its planted ``invoices.temp_missing``.
        invoices: the invoice cases and statuses (``None`` when ``spec.invoices`` is off).
            They are kept apart from ``planted``, which the register sync refuses: invoice
            cases are refused only by the invoice transfer.
        purchases: the purchase invoices' plan, to place in Netvisor after the dimension
            sync (``None`` when ``spec.purchases`` is off); its cases come with the placing.
        travel: the travel reports and their cases (``None`` when ``spec.travel`` is off).
    """

    spec: SampleSpec
    planted: tuple[PlantedCase, ...]
    showcases: tuple[PlantedCase, ...]
    dimension_headers: tuple[str, str]
    temp_customer_key: int
    temp_product_key: int | None
    invoices: InvoiceSample | None = None
    purchases: PurchasePlan | None = None
    travel: TravelSample | None = None

    def cases(self, rule: str) -> tuple[PlantedCase, ...]:
        """The planted cases and showcases with ``rule`` (invoice and travel ones included;
        the purchase cases come with :meth:`~.purchases.PurchasePlan.place`)."""
        everything = (*self.planted, *self.showcases)
        if self.invoices is not None:
            everything += (*self.invoices.planted, *self.invoices.showcases)
        if self.travel is not None:
            everything += (*self.travel.planted, *self.travel.showcases)
        return tuple(case for case in everything if case.rule == rule)

    @property
    def rules(self) -> frozenset[str]:
        """The refusal rules planted."""
        return frozenset(case.rule for case in self.planted)


@attrs.frozen
class InvoiceSample:
    """The invoices of a sample.

    Attributes:
        draft, ready, transferred: GUIDs of the Netvisor integration's Severa statuses
            ("Vedos", "Valmis lähetettäväksi Netvisoriin", "Lasku lähetetty Netvisoriin").
        planted: one invoice per refusal rule of the invoice transfer that the scenario can
            have, with its rule id (``invoices.total_mismatch`` ...).
        showcases: invoices the transfer takes, each showing something (a credit note, a
            reverse-charged invoice, several projects on one invoice ...), and invoices it
            leaves alone (drafts, invoices already transferred or paid).
        ready_invoices: every invoice in the *ready* status, planted ones included.
        netvisor_invoice_keys: the sales invoices Netvisor already has.
    """

    draft: str
    ready: str
    transferred: str
    planted: tuple[PlantedCase, ...]
    showcases: tuple[PlantedCase, ...]
    ready_invoices: tuple[str, ...]
    netvisor_invoice_keys: tuple[int, ...]

    @property
    def rules(self) -> frozenset[str]:
        """The invoice refusal rules planted."""
        return frozenset(case.rule for case in self.planted)
