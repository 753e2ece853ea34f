"""A realistic Finnish company in both sandboxes, with a planted case for every refusal rule.

:func:`populate` fills one Netvisor sandbox organisation and one Severa sandbox organisation
with the registers of one company, so that the demo and the engine's tests run a real sync
and see every rule of the article at work::

    sample = populate(netvisor_org, severa_org, spec=SampleSpec(seed=1, scenario="a"))
    for case in sample.planted:           # every record a rule will refuse
        print(case.rule, case.key, case.description_en)

A tenant chooses one direction per register, so the sample has two scenarios (see
:data:`~.model.Scenario`), and a third whose customers and products are not transferred at
all (the article's TEMP choices). The first two put realistic data on both sides: records
only in the source, records the target already has (some identical, some with older values
that the first run updates), and records only the target has. What is planted for which rule
is the table in :mod:`.cases`; how each register is laid out is told in :mod:`.customers`,
:mod:`.products` and :mod:`.dimensions`.

Then Severa's invoices (:mod:`.invoices`, unless ``spec.invoices`` is off): every status, a
credit note, several projects on one invoice, reverse charge, 0 %, the 2025 rates, and an
invoice for each refusal rule of the invoice transfer (``sample.invoices.planted``, apart
from ``sample.planted`` because only the invoice transfer refuses them). Then the travel
reports (:mod:`.travel`) and the plan of the purchase invoices (:mod:`.purchases`), which are
placed in Netvisor once the dimension sync has made the items their lines carry
(``sample.purchases.place(nv)``).

The same seed gives the same data byte for byte: one :class:`random.Random` and one Faker
instance, both seeded from ``spec.seed``, make every choice (see :class:`.companies.Draw`),
and the sandboxes' own GUIDs are deterministic per sandbox seed. Time stamps follow the
sandboxes' clocks.
"""

from __future__ import annotations

from ..netvisor import Organisation as NetvisorOrganisation
from ..severa import Organisation as SeveraOrganisation
from .cases import Cases
from .companies import Draw
from .customers import populate_customers
from .dimensions import netvisor_headers, populate_dimensions
from .invoices import INVOICE_RULES, populate_invoices
from .model import InvoiceSample, PlantedCase, Sample, SampleSpec, Scenario
from .products import populate_products
from .purchases import PURCHASE_RULES, PlacedPurchases, PurchasePlan, plan_purchases
from .travel import TRAVEL_RULES, TravelSample, populate_travel

__all__ = [
    "INVOICE_RULES",
    "PURCHASE_RULES",
    "TRAVEL_RULES",
    "InvoiceSample",
    "PlacedPurchases",
    "PlantedCase",
    "PurchasePlan",
    "Sample",
    "SampleSpec",
    "Scenario",
    "TravelSample",
    "populate",
]


def populate(
    netvisor_org: NetvisorOrganisation,
    severa_org: SeveraOrganisation,
    spec: SampleSpec | None = None,
) -> Sample:
    """Fill two empty organisations with the sample of ``spec``; returns what was planted.

    Raises:
        ValueError: an organisation already has customers, products, projects or headers
            (the codes of the sample would collide with them).
    """
    spec = spec or SampleSpec()
    _require_empty(netvisor_org, severa_org)
    draw = Draw(spec.seed)
    cases = Cases()
    headers = netvisor_headers(netvisor_org)
    customers = populate_customers(netvisor_org, severa_org, draw, cases, spec)
    temp_product = populate_products(netvisor_org, severa_org, draw, cases, spec)
    populate_dimensions(severa_org, draw, cases, spec, customers.project_customers)
    invoices = None
    if spec.invoices:
        invoices = populate_invoices(
            netvisor_org, severa_org, draw, spec, cases, customers.project_customers
        )
    code_missing = {c.key for c in cases.planted if c.rule == "dimensions.phase.code_missing"}
    planted_phases = code_missing | {
        c.key for c in cases.planted if c.rule == "dimensions.phase.code_not_unique"
    }
    travel = None
    if spec.travel:
        travel = populate_travel(
            netvisor_org, severa_org, draw, spec, min(code_missing, default=None)
        )
    purchases = plan_purchases(severa_org, draw, spec, planted_phases) if spec.purchases else None
    return Sample(
        spec=spec,
        planted=tuple(cases.planted),
        showcases=tuple(cases.showcases),
        dimension_headers=headers,
        temp_customer_key=customers.temp_key,
        temp_product_key=temp_product,
        invoices=invoices,
        purchases=purchases,
        travel=travel,
    )


def _require_empty(netvisor_org: NetvisorOrganisation, severa_org: SeveraOrganisation) -> None:
    if netvisor_org.customers() or netvisor_org.products() or netvisor_org.dimension_headers():
        raise ValueError(f"Netvisor organisation {netvisor_org.id} is not empty")
    if severa_org.customers() or severa_org.products() or severa_org.projects():
        raise ValueError(f"Severa organisation {severa_org.id} is not empty")
