"""What the invoice transfer reads before it decides anything: the queue, each invoice's
rows and billed entries, and what the registers already know (one read of each per run).

Calls, as ``docs/architecture.md`` counts them: Severa's statuses and the *ready* list once
per run; per invoice its rows, one entry list per kind :func:`entries_needed` names and its
``invoicesettings`` only with a 0 % row; the invoices' projects (and phases) in batches only
with dimensions on lines; Severa's countries once when a 0 % row or TEMP customers need
them. Netvisor: ``productlist.nv`` (or the TEMP product), the TEMP customer in TEMP mode,
``dimensionlist.nv`` with dimensions on lines. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from silta import netvisor, severa
from silta.domain import TEMP_CODE, CustomerDirection, ProductDirection, Refusal, Register, System
from silta.registers.invoices import (
    CustomerTarget,
    InvoiceLookups,
    InvoiceSettings,
    InvoiceSource,
    OriginalInvoice,
    country_index,
    dimension_index,
    entries_needed,
    needs_invoice_settings,
)
from silta.store import History, Link, LinkState
from silta.sync.context import SyncContext

__all__ = ["Reads", "invoice_links", "originals", "read_lookups", "read_source"]

_ZERO_RATE = 0


async def read_source(
    ctx: SyncContext, invoice: severa.Invoice, settings: InvoiceSettings
) -> InvoiceSource:
    """One invoice with its rows, and the entries and settings its rules need."""
    client = ctx.severa
    rows = tuple([row async for row in client.iter_invoice_rows(invoice.guid)])
    kinds = entries_needed(rows, settings)
    fees: tuple[severa.ProjectFee, ...] = ()
    hours: tuple[severa.WorkHour, ...] = ()
    travel: tuple[severa.ProjectTravelExpense, ...] = ()
    if "fees" in kinds:
        fees = tuple([fee async for fee in client.iter_invoice_project_fees(invoice.guid)])
    if "hours" in kinds:
        hours = tuple([hour async for hour in client.iter_invoice_work_hours(invoice.guid)])
    if "travel" in kinds:
        travel = tuple([t async for t in client.iter_invoice_travel_expenses(invoice.guid)])
    invoice_settings = None
    if needs_invoice_settings(rows):
        invoice_settings = await client.invoice_settings(invoice.guid)
    return InvoiceSource(
        invoice=invoice,
        rows=rows,
        fees=fees,
        hours=hours,
        travel=travel,
        settings=invoice_settings,
    )


def invoice_links(ctx: SyncContext) -> dict[str, Link]:
    """The invoice register's links by Severa invoice GUID."""
    return {
        link.source_key: link
        for link in ctx.store.links(ctx.tenant.id, Register.INVOICES)
        if link.source_system is System.SEVERA
    }


def originals(links: Iterable[Link]) -> dict[str, OriginalInvoice]:
    """The transferred invoices a credit note may credit, from their links: the link keeps
    the number and date it was sent with, so a credit note costs no call for them."""
    found: dict[str, OriginalInvoice] = {}
    for link in links:
        intent = link.intent or {}
        if link.state is not LinkState.LINKED or not link.target_key or "date" not in intent:
            continue
        found[link.source_key] = OriginalInvoice(
            guid=link.source_key,
            netvisor_key=int(link.target_key),
            number=intent.get("number"),
            date=date.fromisoformat(str(intent["date"])),
        )
    return found


def _customer_targets(ctx: SyncContext) -> dict[str, CustomerTarget]:
    """Severa customer GUID -> its Netvisor customer, from the customer register's links
    (whichever way it runs: Severa → Netvisor keys the link by the Severa GUID, Netvisor →
    Severa by the Netvisor key with the GUID as the target)."""
    targets: dict[str, CustomerTarget] = {}
    for link in ctx.store.links(ctx.tenant.id, Register.CUSTOMERS):
        if link.state is not LinkState.LINKED or not link.target_key:
            continue
        if link.source_system is System.SEVERA:
            key = int(link.target_key) if link.target_key.isdigit() else None
            targets[link.source_key] = CustomerTarget(code=link.natural_key, netvisor_key=key)
        elif link.source_key.isdigit():
            targets[link.target_key] = CustomerTarget(
                code=link.natural_key, netvisor_key=int(link.source_key)
            )
    return targets


def _customer_refusals(ctx: SyncContext) -> dict[str, Refusal]:
    """Severa customer GUID -> the customer register's standing refusal of it."""
    refusals: dict[str, Refusal] = {}
    for found in History(ctx.store).open_refusals(ctx.tenant.id, [Register.CUSTOMERS]):
        entry = found.entry
        if entry.source_key and entry.refusals:
            refusals.setdefault(entry.source_key, entry.refusals[0])
    return refusals


def _project_guids(sources: Sequence[InvoiceSource]) -> list[str]:
    guids: dict[str, None] = {}
    for source in sources:
        for project in source.invoice.projects or ():
            if project.guid:
                guids[project.guid] = None
        for entries in (source.fees, source.hours, source.travel):
            for entry in entries:
                if entry.project is not None and entry.project.guid:
                    guids[entry.project.guid] = None
    return list(guids)


@attrs.frozen
class Reads:
    """The lookups, and Netvisor's dimensions as read (to create missing items under)."""

    lookups: InvoiceLookups
    headers: list[netvisor.DimensionHeader] | None = None


async def read_lookups(
    ctx: SyncContext,
    sources: Sequence[InvoiceSource],
    settings: InvoiceSettings,
    links: Mapping[str, Link],
) -> Reads:
    """What the registers know that the run's invoices need, each read once."""
    tenant = ctx.settings
    customers = _customer_targets(ctx)
    temp_customers = tenant.customers is CustomerDirection.TEMP_CUSTOMER
    billing = {
        source.invoice.billing_customer.guid
        for source in sources
        if source.invoice.billing_customer and source.invoice.billing_customer.guid
    }
    refusals: dict[str, Refusal] = {}
    if not temp_customers and billing - set(customers):
        refusals = _customer_refusals(ctx)
    temp_customer_exists = True
    if temp_customers and sources:
        found = await ctx.netvisor.list_customers(codes=[TEMP_CODE])
        temp_customer_exists = any(row.code == TEMP_CODE for row in found)
    products: frozenset[str] = frozenset()
    temp_product_exists = True
    if sources:
        # one list either way: in TEMP product mode a code Netvisor has still goes to it
        listed = await ctx.netvisor.list_products(include_deleted=False)
        products = frozenset(row.code for row in listed if row.code)
        if tenant.products is ProductDirection.TEMP_PRODUCT:
            temp_product_exists = TEMP_CODE in products
    zero_rated = any(
        row.vat_rate is not None and row.vat_rate == _ZERO_RATE
        for source in sources
        for row in source.rows
    )
    countries: dict[str, str] = {}
    eu: frozenset[str] | None = None
    if sources and (temp_customers or zero_rated):
        known = await ctx.lookups(languages=False)
        countries, eu = country_index(known.countries)
    index = None
    headers = None
    items: dict[str, frozenset[str]] = {}
    if settings.dimensions_on_lines and sources:
        guids = _project_guids(sources)
        projects: list[severa.Project] = []
        phases: list[severa.Phase] = []
        if guids and (tenant.project_header or tenant.business_unit_header):
            projects = [p async for p in ctx.severa.iter_projects(project_guids=guids)]
        if guids and tenant.project_header and tenant.include_phases:
            phases = [p async for p in ctx.severa.iter_phases(project_guids=guids)]
        index = dimension_index(tenant, projects=projects, phases=phases)
        headers = await ctx.netvisor.list_dimensions(show_hidden=True)
        items = _items(headers)
    extra: dict[str, Any] = {}
    if index is not None:
        extra["dimensions"] = index
    if eu:
        extra["eu_countries"] = eu
    lookups = InvoiceLookups(
        **extra,
        customers=customers,
        customer_refusals=refusals,
        netvisor_products=products,
        temp_customer_exists=temp_customer_exists,
        temp_product_exists=temp_product_exists,
        netvisor_items=items,
        countries=countries,
        originals=originals(links.values()),
    )
    return Reads(lookups, headers)


def _items(headers: Iterable[netvisor.DimensionHeader]) -> dict[str, frozenset[str]]:
    return {header.name: frozenset(item.name for item in header.items) for header in headers}
