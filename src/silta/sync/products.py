"""The product register in both directions (rules 8–11): create only, matched by code.

A product already in the target, whether Silta created it or found it there by code, is
skipped: "existing products are never updated", even when it has changed at the source.

Severa → Netvisor
    Source: Severa products (changed since, or all). Target: Netvisor products by code
    (``getproduct.nv?codelist``, 400 per call).
Netvisor → Severa
    Source: ``productlist.nv`` (changed since, or all), then details by ``idlist`` (400 per
    call) for VAT, purchase price and the active flag. Target: Severa has no list filter for
    many codes, so the codes are looked up one by one when that is fewer calls than paging
    through every product, else every product is read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from silta import netvisor, severa
from silta.domain import TEMP_CODE, Action, Register, System
from silta.notes import stored
from silta.registers import products as rules
from silta.sync.context import SyncContext
from silta.sync.engine import apply_items
from silta.sync.journal import Journal
from silta.sync.plan import Plan, PlanItem
from silta.sync.unread import refuse_unread, unread_codes, unread_refusal

__all__ = ["ProductsToNetvisor", "ProductsToSevera"]

_KEY_MISSING = "products.netvisor.key_missing"
# notes, stored as ids and shown in the reader's language (silta.notes)
_TEMP_SKIPPED = stored("products.temp_skipped")
_EXISTS = stored("products.exists")


def _linked(ctx: SyncContext, source: System) -> dict[str, str]:
    return {
        link.source_key: link.target_key
        for link in ctx.store.links(ctx.tenant.id, Register.PRODUCTS)
        if link.source_system is source and link.target_key is not None
    }


class ProductsToNetvisor:
    """Severa is the source, Netvisor the target."""

    register = Register.PRODUCTS
    source_system = System.SEVERA

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        products = [p async for p in ctx.severa.iter_products(changed_since=since)]
        linked = _linked(ctx, System.SEVERA)
        mapped = {p.guid: rules.from_severa(p) for p in products}
        codes = sorted(
            {
                m.record.code
                for guid, m in mapped.items()
                if not m.refused and m.record.code and guid not in linked
            }
        )
        unread: list[netvisor.UnreadRecord] = []  # Netvisor's products without a key
        existing = (
            {
                p.code: p
                for p in await ctx.netvisor.get_products(codes=codes, unread=unread)
                if p.code
            }
            if codes
            else {}
        )
        unreadable = unread_codes(unread)
        items: list[PlanItem] = []
        for product in products:
            m = mapped[product.guid]
            base: dict[str, Any] = {
                "source_key": product.guid,
                "natural_key": m.record.code,
                "name": m.record.name or product.name,
            }
            if m.refused:
                items.append(PlanItem(action=Action.REFUSE, refusals=m.refusals, **base))
            elif m.record.code in unreadable and product.guid not in linked:
                # Netvisor answered this code without a key: it may exist there already.
                refusal = unread_refusal(_KEY_MISSING, m.record.code, base["name"])
                items.append(PlanItem(action=Action.REFUSE, refusals=(refusal,), **base))
            elif product.guid in linked:
                items.append(
                    PlanItem(
                        action=Action.SKIP, target_key=linked[product.guid], message=_EXISTS, **base
                    )
                )
            elif (found := existing.get(m.record.code or "")) is not None:
                items.append(
                    PlanItem(
                        action=Action.SKIP,
                        target_key=str(found.netvisor_key),
                        message=_EXISTS,
                        payload=found,
                        **base,
                    )
                )
            else:
                data = rules.to_netvisor(m.record, ctx.settings)
                items.append(PlanItem(action=Action.CREATE, payload=data, **base))
        return Plan(tuple(items), {"products": len(products)})

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        _link_found(plan, journal)

        async def write(item: PlanItem) -> str | None:
            data: netvisor.ProductData = item.payload
            return str(await ctx.netvisor.add_product(data))

        async def lookup(item: PlanItem) -> str | None:
            if item.natural_key is None:
                return None
            found = await ctx.netvisor.find_product(item.natural_key)
            return str(found.netvisor_key) if found is not None else None

        await apply_items(plan.writes(), journal, write=write, lookup=lookup)


class ProductsToSevera:
    """Netvisor is the source, Severa the target."""

    register = Register.PRODUCTS
    source_system = System.NETVISOR

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        unread: list[netvisor.UnreadRecord] = []  # records without a key: refused below
        rows = await ctx.netvisor.list_products(
            changed_since=since, include_deleted=False, unread=unread
        )
        with_code = [row.netvisor_key for row in rows]
        details = {
            p.netvisor_key: p
            for p in await ctx.netvisor.get_products(netvisor_keys=with_code, unread=unread)
        }
        linked = _linked(ctx, System.NETVISOR)
        mapped = {key: rules.from_netvisor(product) for key, product in details.items()}
        codes = sorted(
            {
                m.record.code
                for key, m in mapped.items()
                if not m.refused
                and m.record.code
                and m.record.code != TEMP_CODE
                and str(key) not in linked
            }
        )
        watermark = ctx.store.watermark(ctx.tenant.id, Register.PRODUCTS)
        total = int(watermark.state.get("severa_products", 0)) if watermark else 0
        existing, seen = await _severa_products_by_code(ctx.severa, codes, total)
        items = refuse_unread(_KEY_MISSING, unread, rows, details)
        for row in rows:
            product = details.get(row.netvisor_key)
            if product is None:
                continue  # deleted between the list and the details
            m = mapped[row.netvisor_key]
            key = str(row.netvisor_key)
            base: dict[str, Any] = {
                "source_key": key,
                "natural_key": m.record.code,
                "name": m.record.name,
            }
            if m.record.code == TEMP_CODE:
                items.append(PlanItem(action=Action.SKIP, message=_TEMP_SKIPPED, **base))
            elif m.refused:
                items.append(PlanItem(action=Action.REFUSE, refusals=m.refusals, **base))
            elif key in linked:
                items.append(
                    PlanItem(action=Action.SKIP, target_key=linked[key], message=_EXISTS, **base)
                )
            elif (found := existing.get(m.record.code)) is not None:
                items.append(
                    PlanItem(
                        action=Action.SKIP,
                        target_key=found.guid,
                        message=_EXISTS,
                        payload=found,
                        **base,
                    )
                )
            else:
                payload = rules.to_severa(m.record, ctx.settings.currency)
                items.append(PlanItem(action=Action.CREATE, payload=payload, **base))
        state = {"products": len(rows), "severa_products": seen if seen is not None else total}
        return Plan(tuple(items), state)

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        _link_found(plan, journal)

        async def write(item: PlanItem) -> str | None:
            data: severa.ProductInput = item.payload
            return (await ctx.severa.create_product(data)).guid

        async def lookup(item: PlanItem) -> str | None:
            if item.natural_key is None:
                return None
            found = [p async for p in ctx.severa.iter_products(code=item.natural_key)]
            return found[0].guid if len(found) == 1 else None

        await apply_items(plan.writes(), journal, write=write, lookup=lookup)


async def _severa_products_by_code(
    client: severa.SeveraClient, codes: list[str], total: int
) -> tuple[dict[str | None, severa.Product], int | None]:
    """Severa's products with these codes, by the cheaper of per-code reads and a full list.

    Returns the products by code and, when the whole list was read, how many there are (so
    the next run can choose better).
    """
    if not codes:
        return {}, None
    pages = -(-total // 100) if total else None
    if pages is not None and len(codes) <= pages:
        found: dict[str | None, severa.Product] = {}
        for code in codes:
            async for product in client.iter_products(code=code):
                found.setdefault(product.code, product)
        return found, None
    everything = [p async for p in client.iter_products()]
    wanted = set(codes)
    return {p.code: p for p in everything if p.code in wanted}, len(everything)


def _link_found(plan: Plan, journal: Journal) -> None:
    """A product found in the target by code becomes linked, so later runs skip it at once."""
    for item in plan:
        if (
            item.action is Action.SKIP
            and item.payload is not None
            and item.source_key
            and item.target_key
        ):
            journal.link(item.source_key, item.target_key, item.natural_key)
