"""Netvisor purchase-invoice lines as Severa project fees (register ``purchase_lines``).

The rules are :mod:`silta.registers.purchase_lines`; this adapter reads, decides per line
from the links, and writes. One run:

1. ``purchaseinvoicelist.nv`` with the KH's status, since the watermark (the engine's
   overlap); nothing listed and nothing transferred yet: that is all (an idle run).
2. The listed invoices by ``getpurchaseinvoice.nv`` (500 a call, version 2) and the
   dimension list once: the project header's items Silta made are the dimension register's
   links (Netvisor item key → Severa GUID), never names.
3. Per line, by its key ``"<invoice key>/<line key>"`` in this register's links:
   * confirmed: the line was transferred. Its fingerprint moved → a notice, reported once
     per change; never a second fee. A line gone from a re-read invoice, or an invoice in
     ``deletedpurchaseinvoices.nv``, is reported the same way. A new line whose fingerprint
     is a transferred line now gone is that line under a new key (posting re-keys).
   * pending (an earlier run committed the intent and may have posted): the project's fees
     are read once and the fee whose name carries the line's marker is adopted; only when
     none does is the fee created.
   * none: the rules map it to a fee (CREATE), a refusal, or a quiet skip (a line without a
     project item is an ordinary purchase: no entry at all).
4. Writes one fee per line, the intent committed first; after an unknown outcome the
   project's fees are read and the marker looked for before anything is sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from silta import netvisor
from silta.domain import Action, Refusal, Register, System, TenantSettings, setting_pairs
from silta.notes import bilingual
from silta.registers import purchase_lines as rules
from silta.registers.invoice_notices import Notice
from silta.registers.purchase_line_settings import CostMethod, PurchaseLineSettings
from silta.registers.rules import refuse
from silta.store import Detail, Link, LinkState
from silta.sync.context import SyncContext
from silta.sync.engine import ConfigurationProblem, apply_items
from silta.sync.journal import Journal
from silta.sync.plan import Plan, PlanItem
from silta.sync.unread import refuse_unread

__all__ = ["PurchaseLinesToSevera", "notice_refusal", "purchase_line_settings"]

log = logging.getLogger("silta.sync")

# deletedpurchaseinvoices.nv keeps seven days; a watermark older than that is read whole
_DELETIONS_KEPT = timedelta(days=7)


def purchase_line_settings(settings: TenantSettings) -> PurchaseLineSettings:
    """The KH's purchase-line choices as the rules' value (the tenant's settings table holds
    them flat, under ``purchase_lines_…``)."""
    return PurchaseLineSettings(
        enabled=settings.purchase_lines_enabled,
        invoice_status=settings.purchase_lines_invoice_status.value,
        product=settings.purchase_lines_product,
        account_products=setting_pairs(settings.purchase_lines_account_products),
        method=CostMethod(settings.purchase_lines_method.value),
        markup_percent=Decimal(settings.purchase_lines_markup_percent),
        mode="automatic" if settings.purchase_lines_automatic else "manual",
    )


def _reported_deleted(key: str, name: str, link: Link, notice: Notice) -> PlanItem:
    """A transferred line deleted in Netvisor since: reported once (a skip with its notice),
    and its link marked so that the next runs say nothing more."""
    return PlanItem(
        source_key=key,
        natural_key=key,
        name=name,
        action=Action.SKIP,
        target_key=link.target_key,
        refusals=(notice_refusal(notice),),
        payload=_Relink(link.target_key or "", {**(link.intent or {}), "deleted": True}),
    )


def notice_refusal(notice: Notice) -> Refusal:
    """A notice as an entry shows it, in both languages, on a record that is not refused
    (a skip): the run history and the refusal pages read the same two texts."""
    return Refusal(
        rule=notice.rule, field=None, message_fi=notice.message_fi, message_en=notice.message_en
    )


@attrs.frozen
class _Fee:
    """What a CREATE carries: the fee to post and where to look for it again."""

    plan: rules.FeePlan


@attrs.frozen
class _Relink:
    """A confirmed link to write again: a fingerprint moved, or a line came back re-keyed."""

    target_key: str
    intent: Mapping[str, Any]


class PurchaseLinesToSevera:
    register = Register.PURCHASE_LINES
    source_system = System.NETVISOR

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        settings = ctx.settings
        header_name = settings.project_header
        if not header_name:
            raise ConfigurationProblem(
                "purchase-invoice lines go to the projects of their dimension items: set the "
                "project header (and the dimension sync) first"
            )
        chosen = purchase_line_settings(settings)
        stored = {
            link.source_key: link
            for link in ctx.store.links(ctx.tenant.id, Register.PURCHASE_LINES)
            if link.source_system is System.NETVISOR
        }
        unread: list[netvisor.UnreadRecord] = []
        summaries = await ctx.netvisor.list_purchase_invoices(
            status=chosen.invoice_status, modified_since=since, unread=unread
        )
        items: list[PlanItem] = []
        if stored:
            # a full run reads the deletions Netvisor still keeps (seven days): a line whose
            # fee an interrupted run may have made can be deleted before the next run
            items += await self._deletions(ctx, since or ctx.clock() - _DELETIONS_KEPT, stored)
        if not summaries and not unread:
            return Plan(tuple(items))
        invoices = await ctx.netvisor.get_purchase_invoices(
            [row.netvisor_key for row in summaries], unread=unread
        )
        items += refuse_unread(
            "purchase_lines.netvisor.key_missing",
            unread,
            [_Row(row.netvisor_key, row.number) for row in summaries],
            {invoice.netvisor_key for invoice in invoices},
        )
        lookups = await self._lookups(ctx, header_name)
        pending_projects: dict[str, list[str]] = {}
        for invoice in invoices:
            items += self._invoice(invoice, chosen, lookups, stored, pending_projects)
        if pending_projects:
            items = await self._adopt(ctx, items, pending_projects)
        items = await self._closed_projects(ctx, items)
        return Plan(tuple(items))

    async def _closed_projects(self, ctx: SyncContext, items: list[PlanItem]) -> list[PlanItem]:
        """Lines whose project is closed in Severa are refused, not failed on every run:
        Severa takes no fee on a closed project (one read of the creates' projects)."""
        wanted = sorted({i.payload.plan.project for i in items if isinstance(i.payload, _Fee)})
        if not wanted:
            return items
        closed = {
            p.guid: p.name
            async for p in ctx.severa.iter_projects(project_guids=wanted)
            if p.is_closed
        }
        if not closed:
            return items
        kept = []
        for item in items:
            plan = item.payload.plan if isinstance(item.payload, _Fee) else None
            if plan is None or plan.project not in closed:
                kept.append(item)
                continue
            invoice, _sep, line = (item.name or "").partition(" / ")
            refusal = refuse("purchase_lines.project_closed", invoice=invoice, line=line,
                             project=closed[plan.project])  # fmt: skip
            kept.append(attrs.evolve(item, action=Action.REFUSE, refusals=(refusal,),
                                     payload=None, intent=None, details=()))  # fmt: skip
        return kept

    # -- reading ---------------------------------------------------------------------------

    async def _lookups(self, ctx: SyncContext, header_name: str) -> rules.PurchaseLookups:
        headers = await ctx.netvisor.list_dimensions(show_hidden=True)
        header = next((h for h in headers if h.name == header_name), None)
        if header is None:
            return rules.PurchaseLookups(project_header=header_name, currency=ctx.settings.currency)
        links = {
            int(link.target_key): link.source_key
            for link in ctx.store.links(ctx.tenant.id, Register.DIMENSIONS)
            if link.source_system is System.SEVERA
            and link.state is LinkState.LINKED
            and link.target_key
            and link.target_key.isdigit()
        }
        return rules.PurchaseLookups(
            items=rules.silta_items(links, header),
            project_header=header_name,
            project_header_key=header.netvisor_key,
            currency=ctx.settings.currency,
        )

    async def _deletions(
        self, ctx: SyncContext, since: datetime, stored: Mapping[str, Link]
    ) -> list[PlanItem]:
        """Transferred lines of invoices deleted in Netvisor since the watermark: reported."""
        if ctx.clock() - since > _DELETIONS_KEPT:
            log.warning("purchase lines: deletions older than seven days cannot be read")
        deleted = await ctx.netvisor.list_deleted_purchase_invoices(since)
        gone = {str(row.netvisor_key) for row in deleted}
        items = []
        pending = [
            (key, link)
            for key, link in stored.items()
            if key.partition("/")[0] in gone and link.state is LinkState.PENDING
        ]
        found = await self._made_before(ctx, pending)
        for key, link in stored.items():
            invoice_key = key.partition("/")[0]
            if invoice_key not in gone:
                continue
            if link.state is LinkState.PENDING and key in found:
                # an interrupted run made its fee: it is the line's, and the line is gone
                link = attrs.evolve(link, state=LinkState.LINKED, target_key=found[key])
            if link.state is not LinkState.LINKED:
                continue
            if (link.intent or {}).get("deleted"):
                continue  # reported already
            label = (link.intent or {}).get("invoice", invoice_key)
            fee = (link.intent or {}).get("fee")
            notice = rules.deleted_after_transfer(label, (link.intent or {}).get("line"), fee)
            items.append(_reported_deleted(key, f"{label} / {key}", link, notice))
        return items

    async def _made_before(
        self, ctx: SyncContext, pending: list[tuple[str, Link]]
    ) -> dict[str, str]:
        """Line key -> the fee an interrupted run made for it, found by its marker."""
        by_project: dict[str, list[str]] = {}
        for key, link in pending:
            project = (link.intent or {}).get("project")
            if isinstance(project, str):
                by_project.setdefault(project, []).append(key)
        found: dict[str, str] = {}
        for project, keys in by_project.items():
            fees = [fee async for fee in ctx.severa.iter_fees_of_project(project)]
            for key in keys:
                fee = rules.find_fee(fees, key)
                if fee is not None:
                    found[key] = fee.guid
        return found

    # -- deciding ----------------------------------------------------------------------------

    def _invoice(
        self,
        invoice: netvisor.PurchaseInvoice,
        chosen: PurchaseLineSettings,
        lookups: rules.PurchaseLookups,
        stored: Mapping[str, Link],
        pending_projects: dict[str, list[str]],
    ) -> list[PlanItem]:
        prefix = f"{invoice.netvisor_key}/"
        transferred = {
            int(key.partition("/")[2]): str((link.intent or {}).get("fingerprint", ""))
            for key, link in stored.items()
            if key.startswith(prefix) and link.state is LinkState.LINKED
        }
        moved = rules.rekeyed(invoice, transferred)
        present = set()
        items: list[PlanItem] = []
        for position, line in enumerate(invoice.lines, 1):
            key = rules.line_key(invoice.netvisor_key, line.netvisor_key)
            present.add(line.netvisor_key)
            link = stored.get(key)
            if line.netvisor_key in moved:
                old = stored[rules.line_key(invoice.netvisor_key, moved[line.netvisor_key])]
                items.append(self._rekeyed(invoice, line, key, old))
                continue
            if link is not None and link.state is LinkState.LINKED:
                items.append(self._transferred(invoice, line, position, key, link))
                continue
            mapped = rules.map_line(invoice, line, position, chosen, lookups)
            if mapped.skip is not None:
                continue  # an ordinary purchase, or an invoice not in the chosen status
            if mapped.refused or mapped.plan is None:
                items.append(
                    PlanItem(
                        source_key=key,
                        natural_key=key,
                        name=mapped.label,
                        action=Action.REFUSE,
                        refusals=mapped.refusals,
                    )
                )
                continue
            plan = mapped.plan
            if link is not None:  # pending: the create may have landed; look first
                pending_projects.setdefault(plan.project, []).append(key)
            items.append(
                PlanItem(
                    source_key=key,
                    natural_key=key,
                    name=mapped.label,
                    action=Action.CREATE,
                    payload=_Fee(plan),
                    intent=_intent(plan, invoice, mapped.label),
                    details=_details(plan, invoice, lookups),
                )
            )
        for old_line, _fingerprint in transferred.items():
            if old_line in present or old_line in moved.values():
                continue
            key = rules.line_key(invoice.netvisor_key, old_line)
            link = stored[key]
            if (link.intent or {}).get("deleted"):
                continue
            label = rules.invoice_label(invoice)
            notice = rules.deleted_after_transfer(
                label, str(old_line), (link.intent or {}).get("fee")
            )
            items.append(_reported_deleted(key, f"{label} / {old_line}", link, notice))
        return items

    @staticmethod
    def _transferred(
        invoice: netvisor.PurchaseInvoice,
        line: netvisor.PurchaseInvoiceLine,
        position: int,
        key: str,
        link: Link,
    ) -> PlanItem:
        intent = dict(link.intent or {})
        label = f"{rules.invoice_label(invoice)} / {position}"
        notice = rules.changed_after_transfer(
            str(intent.get("fingerprint", "")), invoice, line, position=position,
            fee=intent.get("fee"),
        )  # fmt: skip
        if notice is None:
            return PlanItem(
                source_key=key,
                natural_key=key,
                name=label,
                action=Action.UNCHANGED,
                target_key=link.target_key,
            )
        # Reported once per change: the new fingerprint is kept, the fee is not touched.
        intent["fingerprint"] = rules.line_fingerprint(invoice, line)
        return PlanItem(
            source_key=key,
            natural_key=key,
            name=label,
            action=Action.SKIP,
            target_key=link.target_key,
            refusals=(notice_refusal(notice),),
            payload=_Relink(link.target_key or "", intent),
        )

    @staticmethod
    def _rekeyed(
        invoice: netvisor.PurchaseInvoice, line: netvisor.PurchaseInvoiceLine, key: str, old: Link
    ) -> PlanItem:
        intent = {**(old.intent or {}), "rekeyed_from": old.source_key}
        return PlanItem(
            source_key=key,
            natural_key=key,
            name=f"{rules.invoice_label(invoice)} / {line.netvisor_key}",
            action=Action.UNCHANGED,
            target_key=old.target_key,
            message=bilingual(
                f"siirretty rivi {old.source_key} uudella tunnisteella; ei lähetetty uudelleen",
                f"the transferred line {old.source_key} under a new key; not sent again",
            ),
            payload=_Relink(old.target_key or "", intent),
        )

    async def _adopt(
        self, ctx: SyncContext, items: list[PlanItem], pending: Mapping[str, list[str]]
    ) -> list[PlanItem]:
        """Creates an earlier run may have sent: the fee carrying the marker is adopted."""
        found: dict[str, str] = {}
        for project, keys in pending.items():
            fees = [fee async for fee in ctx.severa.iter_fees_of_project(project)]
            for key in keys:
                fee = rules.find_fee(fees, key)
                if fee is not None:
                    found[key] = fee.guid
        adopted = []
        for item in items:
            if item.action is Action.CREATE and item.source_key in found:
                fee_plan: rules.FeePlan = item.payload.plan
                intent = dict(item.intent or {})
                adopted.append(
                    attrs.evolve(
                        item,
                        action=Action.UNCHANGED,
                        target_key=found[item.source_key],
                        message=bilingual(
                            f"keskeytynyt ajo loi tämän; löytyi merkinnällä {fee_plan.marker}",
                            f"made by an interrupted run; found by {fee_plan.marker}",
                        ),
                        payload=_Relink(found[item.source_key], intent),
                    )
                )
            else:
                adopted.append(item)
        return adopted

    # -- writing -----------------------------------------------------------------------------

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        for item in plan:
            if isinstance(item.payload, _Relink) and item.source_key is not None:
                journal.link(
                    item.source_key, item.payload.target_key, item.natural_key,
                    intent=item.payload.intent,
                )  # fmt: skip
        writes = plan.writes()
        if not writes:
            return

        async def write(item: PlanItem) -> str | None:
            fee_plan: rules.FeePlan = item.payload.plan
            made = await ctx.severa.create_project_fee(fee_plan.fee)
            return made.guid

        async def lookup(item: PlanItem) -> str | None:
            fee_plan: rules.FeePlan = item.payload.plan
            fees = [fee async for fee in ctx.severa.iter_fees_of_project(fee_plan.project)]
            found = rules.find_fee(fees, fee_plan.key)
            return found.guid if found is not None else None

        done = await apply_items(writes, journal, write=write, lookup=lookup)
        for item, target in done:
            if target is not None and item.source_key is not None:
                # written again with what the line was: a later change is reported
                journal.link(item.source_key, target, item.natural_key, intent=item.intent)


def _intent(plan: rules.FeePlan, invoice: netvisor.PurchaseInvoice, label: str) -> dict[str, Any]:
    """Kept with the link: where to look for the fee, and what the line was."""
    return {
        "project": plan.project,
        "fee": plan.fee.name,
        "fingerprint": plan.fingerprint,
        "invoice": rules.invoice_label(invoice),
        "line": label,
        "amount": format(plan.fee.quantity * plan.fee.unit_cost.amount, "f")
        if plan.fee.quantity is not None
        and plan.fee.unit_cost is not None
        and plan.fee.unit_cost.amount is not None
        else None,
    }


def _details(
    plan: rules.FeePlan, invoice: netvisor.PurchaseInvoice, lookups: rules.PurchaseLookups
) -> tuple[Detail, ...]:
    """What the run history shows of a fee: its project, cost, invoice number and vendor."""
    project = next(
        (item.project_name for item in lookups.items.values() if item.project_guid == plan.project),
        plan.project,
    )
    fee = plan.fee
    facts = [Detail("project", project)]
    if fee.quantity is not None and fee.unit_cost is not None and fee.unit_cost.amount is not None:
        amount = (Decimal(fee.quantity) * Decimal(fee.unit_cost.amount)).quantize(Decimal("0.01"))
        facts.append(Detail("amount", format(amount, "f")))
    if invoice.number:
        facts.append(Detail("invoice", invoice.number))
    if invoice.vendor_name:
        facts.append(Detail("vendor", invoice.vendor_name))
    return tuple(facts)


@attrs.frozen
class _Row:
    """A list row as :func:`refuse_unread` reads it."""

    netvisor_key: int
    code: str | None
