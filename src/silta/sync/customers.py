"""The customer register in both directions (rules 1–6), reading each side in bulk.

Severa → Netvisor
    Source: customers (changed since the watermark, or all), their head-office addresses
    (an address change does not touch the customer's time stamp, so changed addresses are
    read too and their customers added). Target: Netvisor customers by code
    (``customercodelist``, 100 per call), then their details (``idlist``, 500 per call).
    Matching: the link first, then the code. A Netvisor customer with the same code that
    is not linked is adopted only when its business ID matches, or when it carries what an
    earlier create of this Severa customer sent (business ID and name, kept with the pending
    intent): that create may have arrived unconfirmed. Otherwise the Severa customer is
    refused: its number is in use by another customer (rule 5, settled point).

Netvisor → Severa
    Source: customers (``changedsince`` or all), details by ``idlist``. Target: Severa
    customers by number (repeated ``numbers``), and their addresses. A Severa customer with
    the same number is the same customer (rule 1). The head-office address is created and
    linked when missing, so a run interrupted between the steps of a create completes the
    customer next time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import attrs

from silta import netvisor, severa
from silta.domain import TEMP_CODE, Action, FieldChange, Register, System
from silta.notes import stored
from silta.registers import customers as rules
from silta.registers.lookups import Lookups
from silta.severa.models import AddressCountry
from silta.store import Link, LinkState
from silta.sync.context import SyncContext
from silta.sync.engine import apply_items
from silta.sync.journal import Journal
from silta.sync.plan import Plan, PlanItem
from silta.sync.unread import refuse_unread, unread_codes, unread_refusal

__all__ = ["BATCH_SIZE", "CustomersToNetvisor", "CustomersToSevera"]

# Customers planned and applied at a time: one details call (idlist ≤ 500) per batch, and a
# run's memory bounded by the batch rather than by the register.
BATCH_SIZE = 500

_KEY_MISSING = "customers.netvisor.key_missing"
_TEMP_SKIPPED = stored("customers.temp_skipped")  # a note (silta.notes)


def _made_by_our_create(link: Link | None, found: netvisor.CustomerSummary) -> bool:
    """Whether ``found`` (a Netvisor customer with the code, linked to nobody) may be the one
    a create of ours made that was never confirmed: the link is pending, and the customer
    carries what that create sent. A customer someone made with the code after a create that
    never arrived does not, and is not ours to overwrite (settled point "Number must not
    exist in Netvisor"). An intent recorded before revision 0007 says nothing: trusted."""
    if link is None or link.state is not LinkState.PENDING:
        return False
    if link.intent is None:
        return True
    return rules.carries_intent(link.intent, found.name, found.business_id)


def _links(ctx: SyncContext, source: System) -> dict[str, Link]:
    return {
        link.source_key: link
        for link in ctx.store.links(ctx.tenant.id, Register.CUSTOMERS)
        if link.source_system is source
    }


# -- Severa -> Netvisor -----------------------------------------------------------------------


@attrs.frozen
class _ToNetvisor:
    """What applying one S→N record needs."""

    data: netvisor.CustomerData


class CustomersToNetvisor:
    """Severa is the source, Netvisor the target, a batch of customers at a time.

    Severa's addresses cannot be asked for by customer in bulk, so a full run reads them
    all first, keeping only what a head office contributes (``_HeadOffice``, a tenth of
    the model), then pages through the customers: each batch is mapped, matched against
    Netvisor (by code, then details), planned and applied before the next is read. Memory
    is bounded by the batch plus the slim addresses, the calls are the same as reading
    everything at once (codes go 100 per call, details 500 per call either way).
    """

    register = Register.CUSTOMERS
    source_system = System.SEVERA

    def __init__(self, batch_size: int | None = None) -> None:
        self.batch_size = batch_size or BATCH_SIZE  # read here, so tests can make it small

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        items: list[PlanItem] = []
        state: dict[str, Any] = {}
        async for batch in self.batches(ctx, since):
            items.extend(batch.items)
            state.update(batch.state)
        return Plan(tuple(items), state)

    async def batches(self, ctx: SyncContext, since: datetime | None) -> AsyncGenerator[Plan, None]:
        customers, head_offices, state = await self._read_severa(ctx, since)
        seen = 0
        reading = contextlib.aclosing(_read_ahead(_chunked(customers, self.batch_size)))
        async with reading as chunks:
            async for chunk in chunks:
                # Countries only when there is a customer to map (an idle run reads no reference
                # data), languages only when one of them names a language by GUID alone.
                languages = any(c.language is not None and not c.language.code for c in chunk)
                lookups = await ctx.lookups(languages=languages)
                seen += len(chunk)
                if since is None:
                    state["customers"] = seen
                yield await self._plan_batch(ctx, chunk, head_offices, lookups, dict(state))
        if seen == 0:
            if since is None:
                state["customers"] = 0
            yield Plan((), state)

    async def _plan_batch(
        self,
        ctx: SyncContext,
        customers: Sequence[severa.Customer],
        head_offices: dict[str, _HeadOffice],
        lookups: Lookups,
        state: dict[str, Any],
    ) -> Plan:
        mapped = {
            customer.guid: rules.from_severa(
                customer, head_offices.get(_hq_guid(customer) or ""), lookups, ctx.settings
            )
            for customer in customers
        }
        codes = sorted({m.record.code for m in mapped.values() if m.record.code is not None})
        unread: list[netvisor.UnreadRecord] = []  # Netvisor's records without a key
        by_code = {
            row.code: row for row in await ctx.netvisor.list_customers(codes=codes, unread=unread)
        }
        found = ctx.store.links_of(
            ctx.tenant.id,
            Register.CUSTOMERS,
            source_keys=mapped,
            target_keys=[str(row.netvisor_key) for row in by_code.values()],
        )
        links: dict[str, Link] = {}
        linked_keys: dict[str, str] = {}  # Netvisor key -> the Severa customer it belongs to
        for known in found:
            if known.source_system is not System.SEVERA:
                continue
            if known.source_key in mapped:
                links[known.source_key] = known
            if known.target_key:
                linked_keys[known.target_key] = known.source_key
        wanted_keys = {row.netvisor_key for row in by_code.values()}
        wanted_keys |= {int(link.target_key) for link in links.values() if link.target_key}
        details = (
            {
                c.netvisor_key: c
                for c in await ctx.netvisor.get_customers(sorted(wanted_keys), unread=unread)
            }
            if wanted_keys
            else {}
        )

        unreadable = unread_codes(unread)
        items: list[PlanItem] = []
        for customer in customers:
            m = mapped[customer.guid]
            record = m.record
            base: dict[str, Any] = {
                "source_key": customer.guid,
                "natural_key": record.code,
                "name": record.name or customer.name,
            }
            if not m.refused and record.code in unreadable:
                # Netvisor answered this code without a key: it may be there, or be another's.
                refusal = unread_refusal(_KEY_MISSING, record.code, base["name"])
                m = attrs.evolve(m, refusals=(refusal,))
            if m.refused:
                items.append(PlanItem(action=Action.REFUSE, refusals=m.refusals, **base))
                continue
            desired = rules.to_netvisor(record, ctx.settings)
            link = links.get(customer.guid)
            target: netvisor.Customer | None = None
            if link is not None and link.target_key is not None:
                target = details.get(int(link.target_key))
            if target is None:
                summary = by_code.get(record.code)
                if summary is not None:
                    owner = linked_keys.get(str(summary.netvisor_key))
                    candidate = details.get(summary.netvisor_key)
                    ours = owner == customer.guid or (
                        owner is None
                        and (
                            _made_by_our_create(link, summary)
                            or rules.same_business_id(summary.business_id, record.business_id)
                        )
                    )
                    if not ours or candidate is None:
                        items.append(
                            PlanItem(
                                action=Action.REFUSE,
                                refusals=(
                                    rules.number_in_use(record, summary.name, summary.business_id),
                                ),
                                **base,
                            )
                        )
                        continue
                    target = candidate
            if target is None:
                create = _without_blanks(desired)
                items.append(
                    PlanItem(
                        action=Action.CREATE,
                        payload=_ToNetvisor(create),
                        intent=rules.create_intent(create),
                        **base,
                    )
                )
                continue
            edit, changes = rules.netvisor_changes(target.data(), desired)
            action = Action.UPDATE if changes else Action.UNCHANGED
            unlinked = link is None or link.target_key != str(target.netvisor_key)
            items.append(
                PlanItem(
                    action=action,
                    target_key=str(target.netvisor_key),
                    changes=changes,
                    # an unchanged record needs nothing to apply but its link, when missing
                    payload=_ToNetvisor(edit) if changes else (_LINK_ONLY if unlinked else None),
                    **base,
                )
            )
        return Plan(tuple(items), state)

    async def _read_severa(
        self, ctx: SyncContext, since: datetime | None
    ) -> tuple[AsyncIterator[severa.Customer], dict[str, _HeadOffice], dict[str, Any]]:
        client = ctx.severa
        if since is None:
            head_offices = await _head_offices(client.iter_addresses())
            return client.iter_customers(), head_offices, {"addresses": len(head_offices)}
        watermark = ctx.store.watermark(ctx.tenant.id, Register.CUSTOMERS)
        state = dict(watermark.state) if watermark else {}
        customers = [c async for c in client.iter_customers(changed_since=since)]
        changed_addresses = [a async for a in client.iter_addresses(changed_since=since)]
        known = {c.guid for c in customers}
        numbers = {
            a.customer.number
            for a in changed_addresses
            if a.customer is not None and a.customer.guid not in known and a.customer.number
        }
        if numbers:
            customers += [c async for c in client.iter_customers(numbers=sorted(numbers))]
        addresses = await _head_offices(_each(changed_addresses))
        missing = [g for c in customers if (g := _hq_guid(c)) is not None and g not in addresses]
        total = int(state.get("addresses", 0))
        pages = -(-total // 100) if total else None
        if missing and (pages is None or pages < len(missing)):
            # Fewer calls to page through every address than to fetch these one by one.
            addresses.update(await _head_offices(client.iter_addresses()))
        else:
            for guid in missing:
                addresses[guid] = _HeadOffice.of(await client.get_address(guid), {})
        return _each(customers), addresses, state

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        async def write(item: PlanItem) -> str | None:
            payload: _ToNetvisor = item.payload
            if item.action is Action.CREATE:
                return str(await ctx.netvisor.add_customer(payload.data))
            assert item.target_key is not None
            await ctx.netvisor.edit_customer(int(item.target_key), payload.data)
            return item.target_key

        async def lookup(item: PlanItem) -> str | None:
            if item.natural_key is None:
                return None
            found = await ctx.netvisor.list_customers(codes=[item.natural_key])
            return str(found[0].netvisor_key) if len(found) == 1 else None

        _link_found(plan, journal)
        await apply_items(plan.writes(), journal, write=write, lookup=lookup)


# The payload of an unchanged customer found by code or number without a link: the invoice
# transfer finds a billing customer's Netvisor card by the customer register's links.
_LINK_ONLY: Any = object()


def _link_found(plan: Plan, journal: Journal) -> None:
    for item in plan:
        if item.payload is _LINK_ONLY and item.source_key and item.target_key:
            journal.link(item.source_key, item.target_key, item.natural_key)


@attrs.frozen
class _HeadOffice:
    """What a Severa address contributes to a customer's Netvisor record (rules 2–3).

    A full run holds one per address of the company while it pages through customers:
    slots and shared country objects keep 100,000 of them in tens of megabytes, where the
    pydantic models took hundreds.
    """

    addressline: str | None
    postal_code: str | None
    city: str | None
    country: AddressCountry | None
    phone: str | None
    fax: str | None
    is_billing_address: bool
    is_postal_address: bool

    @classmethod
    def of(
        cls, address: severa.Address, countries: dict[str | None, AddressCountry]
    ) -> _HeadOffice:
        country = address.country
        if country is not None:
            country = countries.setdefault(country.guid, country)
        return cls(
            address.addressline,
            address.postal_code,
            address.city,
            country,
            address.phone,
            address.fax,
            address.is_billing_address,
            address.is_postal_address,
        )


async def _head_offices(addresses: AsyncIterator[severa.Address]) -> dict[str, _HeadOffice]:
    countries: dict[str | None, AddressCountry] = {}
    return {a.guid: _HeadOffice.of(a, countries) async for a in addresses}


async def _each(items: Sequence[severa.Customer] | Sequence[severa.Address]) -> AsyncIterator[Any]:
    for item in items:
        yield item


async def _read_ahead(
    chunks: AsyncGenerator[list[severa.Customer], None],
) -> AsyncGenerator[list[severa.Customer], None]:
    """Each chunk, with the next one read from Severa while this one is planned and written.

    Severa's reads then overlap Netvisor's one-at-a-time writes instead of adding to them.
    Closing this generator (a run that stops early) cancels the read in flight.
    """

    async def following() -> list[severa.Customer] | None:
        return await anext(chunks, None)

    pending = asyncio.ensure_future(following())
    try:
        while (chunk := await pending) is not None:
            pending = asyncio.ensure_future(following())
            yield chunk
    finally:
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pending  # its error, if any, belongs to a batch that will not be run
        await chunks.aclose()


async def _chunked(
    items: AsyncIterator[severa.Customer], size: int
) -> AsyncGenerator[list[severa.Customer], None]:
    chunk: list[severa.Customer] = []
    async for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _hq_guid(customer: severa.Customer) -> str | None:
    hq = customer.headquarter_address
    return hq.guid if hq is not None and hq.guid else None


def _without_blanks(data: netvisor.CustomerData) -> netvisor.CustomerData:
    """On an add, an empty field is simply not sent."""
    return attrs.evolve(
        data, **{name: None for name in data.set_fields() if getattr(data, name) == ""}
    )


# -- Netvisor -> Severa -----------------------------------------------------------------------


@attrs.frozen
class _ToSevera:
    """What applying one N→S record needs."""

    record: rules.CustomerRecord
    customer: dict[str, object]  # customer paths to write (all of them on a create)
    head_office: dict[str, object]
    head_office_guid: str | None = None  # an existing HQ address to patch
    delivery: dict[str, object] | None = None
    delivery_guid: str | None = None
    link_head_office: bool = True  # the customer's headquarterAddress must be (re)linked
    # the customer's addresses when the plan was made: on a retry, one not among them was
    # created by the attempt whose answer was lost
    known_addresses: tuple[str, ...] = ()


class CustomersToSevera:
    """Netvisor is the source, Severa the target."""

    register = Register.CUSTOMERS
    source_system = System.NETVISOR

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        unread: list[netvisor.UnreadRecord] = []  # records without a key: refused below
        rows = await ctx.netvisor.list_customers(changed_since=since, unread=unread)
        keys = [row.netvisor_key for row in rows]
        sources = await ctx.netvisor.get_customers(keys, unread=unread)
        # None needed when idle; languages only when a customer has an invoicing language.
        languages = any(source.invoicing_language for source in sources)
        lookups = await ctx.lookups(languages=languages) if sources else Lookups()
        links = _links(ctx, System.NETVISOR)
        mapped = {c.netvisor_key: rules.from_netvisor(c) for c in sources}
        numbers = sorted(
            {
                int(m.record.code)
                for m in mapped.values()
                if not m.refused and m.record.code and m.record.code != TEMP_CODE
            }
        )
        targets = (
            {c.number: c async for c in ctx.severa.iter_customers(numbers=numbers)}
            if numbers
            else {}
        )
        linked = {}
        for link in links.values():
            if link.target_key:
                linked[link.source_key] = link.target_key
        addresses = await self._addresses(ctx, list(targets.values()))

        read = {source.netvisor_key for source in sources}
        items = refuse_unread(_KEY_MISSING, unread, rows, read)
        for source in sources:
            m = mapped[source.netvisor_key]
            record = m.record
            base: dict[str, Any] = {
                "source_key": str(source.netvisor_key),
                "natural_key": record.code,
                "name": record.name,
            }
            if source.code == TEMP_CODE:
                items.append(PlanItem(action=Action.SKIP, message=_TEMP_SKIPPED, **base))
                continue
            if m.refused:
                items.append(PlanItem(action=Action.REFUSE, refusals=m.refusals, **base))
                continue
            wanted_customer = rules.to_severa_customer(record, lookups)
            wanted_hq = rules.to_severa_address(record, lookups)
            wanted_delivery = rules.to_severa_delivery(record, lookups)
            target = targets.get(int(record.code)) if record.code else None
            if target is None:
                items.append(
                    PlanItem(
                        action=Action.CREATE,
                        payload=_ToSevera(
                            record, wanted_customer, wanted_hq, None, wanted_delivery
                        ),
                        **base,
                    )
                )
                continue
            own = addresses.get(target.guid, [])
            linked_hq = _hq_guid(target)
            hq = next((a for a in own if a.guid == linked_hq), None)
            link_hq = hq is None
            if hq is None:
                # An interrupted run may have created the head office without linking it:
                # use an address with the same content before creating another one.
                hq = next((a for a in own if _same_place(a, wanted_hq)), None)
            others = [a for a in own if hq is None or a.guid != hq.guid]
            post = next((a for a in others if a.is_postal_address), None)
            if post is None and wanted_delivery is not None:
                post = next((a for a in others if _same_place(a, wanted_delivery)), None)
            customer_patch, changes = rules.severa_customer_changes(target, wanted_customer)
            hq_patch, hq_changes = rules.severa_address_changes(hq, wanted_hq, "headquarters.")
            if link_hq:
                link_change = FieldChange("headquarterAddress", None, "linked")
                hq_changes = (*hq_changes, link_change)
            delivery_patch: dict[str, object] | None = None
            delivery_changes: tuple[FieldChange, ...] = ()
            if wanted_delivery is not None:
                delivery_patch, delivery_changes = rules.severa_address_changes(
                    post, wanted_delivery, "delivery."
                )
            all_changes = changes + hq_changes + delivery_changes
            payload = _ToSevera(
                record,
                customer_patch,
                hq_patch if hq is not None else wanted_hq,
                hq.guid if hq is not None else None,
                (delivery_patch or None) if post is not None else wanted_delivery,
                post.guid if post is not None else None,
                link_head_office=link_hq,
                known_addresses=tuple(a.guid for a in own),
            )
            if not all_changes and linked.get(base["source_key"]) != target.guid:
                payload = _LINK_ONLY  # found by number: only its link is missing
            items.append(
                PlanItem(
                    action=Action.UPDATE if all_changes else Action.UNCHANGED,
                    target_key=target.guid,
                    changes=all_changes,
                    payload=payload,
                    **base,
                )
            )
        return Plan(tuple(items), {"customers": len(rows)})

    async def _addresses(
        self, ctx: SyncContext, customers: Sequence[severa.Customer]
    ) -> dict[str, list[severa.Address]]:
        by_customer: dict[str, list[severa.Address]] = {}
        if not customers:
            return by_customer
        wanted = {c.guid for c in customers}
        if len(customers) > 20:
            async for address in ctx.severa.iter_addresses():
                if address.customer and address.customer.guid in wanted:
                    by_customer.setdefault(address.customer.guid, []).append(address)
        else:
            for customer in customers:
                by_customer[customer.guid] = [
                    a async for a in ctx.severa.iter_customer_addresses(customer.guid)
                ]
        return by_customer

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        client = ctx.severa

        tried: set[int] = set()

        async def write(item: PlanItem) -> str | None:
            payload: _ToSevera = item.payload
            retry = id(item) in tried
            tried.add(id(item))
            delivery_guid = payload.delivery_guid
            if item.action is Action.CREATE:
                created = await client.create_customer(_customer_input(payload.customer))
                guid = created.guid
                hq_guid = None
            else:
                assert item.target_key is not None
                guid = item.target_key
                if payload.customer:
                    await client.patch_customer(guid, payload.customer)
                hq_guid = payload.head_office_guid
                if retry and (hq_guid is None or (payload.delivery and delivery_guid is None)):
                    # An update is sent again after a lost answer, but creating an address
                    # is not idempotent: adopt what the lost attempt created instead.
                    hq_guid, delivery_guid = await _adopt_created(
                        client, guid, payload, hq_guid, delivery_guid
                    )
            if hq_guid is None:
                address = await client.create_address(guid, _address_input(payload.head_office))
                await client.patch_customer(guid, {"headquarterAddress/guid": address.guid})
            else:
                if payload.head_office:
                    await client.patch_address(hq_guid, payload.head_office)
                if payload.link_head_office:
                    await client.patch_customer(guid, {"headquarterAddress/guid": hq_guid})
            if payload.delivery:
                if delivery_guid is None:
                    await client.create_address(guid, _address_input(payload.delivery))
                else:
                    await client.patch_address(delivery_guid, payload.delivery)
            return guid

        async def lookup(item: PlanItem) -> str | None:
            if not item.natural_key:
                return None
            found = [c async for c in client.iter_customers(numbers=[int(item.natural_key)])]
            return found[0].guid if len(found) == 1 else None

        _link_found(plan, journal)
        await apply_items(plan.writes(), journal, write=write, lookup=lookup)


async def _adopt_created(
    client: severa.SeveraClient,
    guid: str,
    payload: _ToSevera,
    hq_guid: str | None,
    delivery_guid: str | None,
) -> tuple[str | None, str | None]:
    """The head office and delivery addresses a lost attempt may have created.

    Addresses the customer has now but did not have when the plan was made are ours: the
    one flagged Billing (or already linked) is the head office, a Post-only one the delivery
    address. Returns the (head office, delivery) guids to use, ``None`` where none was made.
    """
    customer = await client.get_customer(guid)
    linked = _hq_guid(customer)
    new = [
        a
        async for a in client.iter_customer_addresses(guid)
        if a.guid not in payload.known_addresses
    ]
    if hq_guid is None:
        hq = next((a for a in new if a.guid == linked), None) or next(
            (a for a in new if a.is_billing_address), None
        )
        if hq is not None:
            hq_guid = hq.guid
            new = [a for a in new if a.guid != hq.guid]
    if payload.delivery and delivery_guid is None:
        post = next((a for a in new if a.is_postal_address and not a.is_billing_address), None)
        if post is not None:
            delivery_guid = post.guid
    return hq_guid, delivery_guid


def _same_place(address: severa.Address, wanted: dict[str, object]) -> bool:
    """Whether an existing address is the one ``wanted`` describes (street, code, town)."""
    current = rules.severa_address_values(address)
    keys = ("addressline", "postalCode", "city", "country/guid")
    return all(
        (str(current.get(k) or "").strip().lower()) == (str(wanted.get(k) or "").strip().lower())
        for k in keys
    )


def _customer_input(fields: dict[str, object]) -> severa.CustomerInput:
    language = fields.get("language/guid")
    values: dict[str, Any] = {
        "name": fields["name"],
        "number": fields.get("number"),
        "is_active": fields.get("isActive"),
        "notes": fields.get("notes"),
        "email": fields.get("email"),
        "website": fields.get("website"),
        "vat_number": fields.get("vatNumber"),
        "e_invoice_address": fields.get("eInvoiceAddress"),
        "e_invoice_operator": fields.get("eInvoiceOperator"),
        "language": severa.GuidRef(guid=str(language)) if language else None,
    }
    return severa.CustomerInput(**values)


def _address_input(fields: dict[str, object]) -> severa.AddressInput:
    country = fields.get("country/guid")
    return severa.AddressInput(
        addressline=_str(fields.get("addressline")),
        postal_code=_str(fields.get("postalCode")),
        city=_str(fields.get("city")),
        country=severa.GuidRef(guid=str(country)) if country else None,
        phone=_str(fields.get("phone")),
        fax=_str(fields.get("fax")),
        is_billing_address=bool(fields.get("isBillingAddress")),
        is_postal_address=bool(fields.get("isPostalAddress")),
        is_visit_address=False,
    )


def _str(value: object) -> str | None:
    return None if value is None else str(value)
