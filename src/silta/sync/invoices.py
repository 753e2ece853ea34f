"""Severa sales invoices and credit notes into Netvisor: the ``invoices`` register (issue 18).

The status is the queue: every invoice in the company's *ready* status is read with its
rows, mapped by the pure rules (:func:`silta.registers.invoices.map_invoice`) and, unless
refused or waiting, looked up in Netvisor by its number before anything is sent
(:func:`~silta.registers.invoices.reconcile`: the same invoice is adopted, another one with
the number refuses it). The plan is the preview: per invoice its Netvisor customer, lines
(product, quantity, price, VAT, dimensions) and totals, as the changes of its entry.

Exactly once, per invoice (key: the Severa invoice GUID):

1. the intent (a pending link with the number, date, customer, total and fingerprint) is
   committed before ``salesinvoice.nv``;
2. an answer that never came is answered by a lookup by number and ``reconcile`` before
   anything is sent again;
3. the link (with the same facts) is committed before Severa's status is changed, so a
   crash between the two leaves an invoice that is linked yet still *ready*: the next run
   sees the link and only moves the status (:data:`Action.UPDATE`, nothing sent to
   Netvisor);
4. a credit note goes after its original has its link (in an earlier run, or earlier in
   this one), then ``matchcreditnote.nv``; a failed match is a warning, not a failure.

A transferred invoice is never edited: one seen again with another fingerprint is reported
(``invoices.changed_after_transfer``). One invoice's refusal or failure never stops the
others; credentials refused stop the run, and five failures in a row that say the service
is in trouble stop it as the other registers do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from silta import netvisor, severa
from silta.domain import Action, FieldChange, Refusal, Register, Status, System
from silta.errors import OutcomeUnknownError, SiltaError
from silta.failures import CREDENTIAL_ERRORS
from silta.notes import bilingual, joined
from silta.registers.dimensions import DimensionSource
from silta.registers.invoice_lines import money_text
from silta.registers.invoices import (
    InvoiceMapping,
    InvoicePlan,
    InvoiceSettings,
    InvoiceSource,
    Notice,
    OriginalInvoice,
    fingerprint,
    map_invoice,
    notice,
    reconcile,
    status_problems,
)
from silta.store import Detail, Link, LinkState
from silta.sync.context import SyncContext
from silta.sync.dimensions import create_items
from silta.sync.engine import ConfigurationProblem
from silta.sync.invoice_reads import invoice_links, read_lookups, read_source
from silta.sync.journal import Journal
from silta.sync.plan import Plan, PlanItem

__all__ = ["InvoicesToNetvisor", "invoice_settings"]

log = logging.getLogger("silta.sync")

_FATAL = CREDENTIAL_ERRORS  # no invoice can get past refused credentials
_WAITING_RULES = frozenset({"invoices.credit_note_before_original"})


def invoice_settings(ctx: SyncContext) -> InvoiceSettings:
    """The company's invoice settings, or why the transfer cannot run."""
    try:
        return InvoiceSettings.of_tenant(ctx.settings)
    except ValueError as exc:
        raise ConfigurationProblem(
            f"the invoice transfer's settings are incomplete: {exc}; choose the statuses on "
            "the settings tab"
        ) from None


@attrs.frozen
class _Send:
    """What an invoice's write needs: the plan to send (or the key found), its notices."""

    plan: InvoicePlan | None
    notices: tuple[Notice, ...] = ()
    found_key: int | None = None  # already in Netvisor: adopted, or linked earlier
    linked: bool = False  # the link is stored already: only the status is left


class InvoicesToNetvisor:
    """Severa is the source, Netvisor the target (the only direction)."""

    register = Register.INVOICES
    source_system = System.SEVERA

    def __init__(self) -> None:
        # Netvisor's dimensions as the plan read them: missing items are created under them
        self._headers: list[netvisor.DimensionHeader] | None = None

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        settings = invoice_settings(ctx)
        if not settings.enabled:
            return Plan()
        statuses = [status async for status in ctx.severa.iter_invoice_statuses()]
        problems = status_problems(settings, statuses)
        if problems:
            raise ConfigurationProblem(
                "the invoice transfer's statuses cannot serve: "
                + "; ".join(problem.message_en for problem in problems)
            )
        assert settings.ready_status is not None
        names = {status.guid: status.name for status in statuses}
        invoices = [
            invoice
            async for invoice in ctx.severa.iter_invoices(status_guids=[settings.ready_status])
        ]
        # Originals before credit notes: a credit note in the same queue goes after them.
        invoices.sort(key=lambda invoice: (invoice.is_credit_note, invoice.number or 0))
        sources = [await read_source(ctx, invoice, settings) for invoice in invoices]
        links = invoice_links(ctx)
        reads = await read_lookups(ctx, sources, settings, links)
        lookups = reads.lookups
        known = dict(lookups.originals)
        items: list[PlanItem] = []
        for source in sources:
            invoice = source.invoice
            link = links.get(invoice.guid)
            if link is not None and link.state is LinkState.LINKED and link.target_key:
                items.append(_moved_only(source, link, names, settings))
                continue
            mapping = map_invoice(
                source, ctx.settings, settings, attrs.evolve(lookups, originals=known)
            )
            item = await self._planned(ctx, source, mapping, names, settings)
            if item.action in (Action.CREATE, Action.UPDATE) and mapping.plan is not None:
                plan = mapping.plan
                # A credit note later in the queue may credit it: known, its key filled in
                # when it is sent (0 until then).
                known[invoice.guid] = OriginalInvoice(
                    guid=invoice.guid,
                    netvisor_key=int(item.target_key) if item.target_key else 0,
                    number=plan.number,
                    date=plan.data.date,
                )
            items.append(item)
        self._headers = reads.headers
        return Plan(tuple(items), {"ready": len(invoices)})

    async def _planned(
        self,
        ctx: SyncContext,
        source: InvoiceSource,
        mapping: InvoiceMapping,
        names: dict[str, str],
        settings: InvoiceSettings,
    ) -> PlanItem:
        invoice = source.invoice
        base = _base(invoice, mapping.label)
        if mapping.waiting is not None:
            waiting = bilingual(mapping.waiting.message_fi, mapping.waiting.message_en)
            return PlanItem(action=Action.SKIP, message=waiting, **base)
        if mapping.refused:
            rules = {refusal.rule for refusal in mapping.refusals}
            if rules <= _WAITING_RULES:  # a credit note before its original: it waits
                # the refusal says why, in the reader's language
                return PlanItem(action=Action.SKIP, refusals=mapping.refusals, **base)
            return PlanItem(action=Action.REFUSE, refusals=mapping.refusals, **base)
        plan = mapping.plan
        assert plan is not None
        details = _details(plan, invoice)
        changes = _preview(plan, names, settings)
        found = await ctx.netvisor.list_sales_invoices(number=plan.number)
        judged = reconcile(plan.data, found)
        if isinstance(judged, Refusal):
            return PlanItem(action=Action.REFUSE, refusals=(judged,), details=details, **base)
        if judged is not None:
            return PlanItem(
                action=Action.UPDATE,
                target_key=str(judged),
                changes=changes,
                message=_joined(
                    bilingual(
                        "on jo Netvisorissa (aiempi siirto, jonka vastaus katosi): otettiin "
                        "omaksi, ei lähetetty uudelleen",
                        "already in Netvisor (an earlier transfer whose answer was lost): "
                        "adopted, not sent again",
                    ),
                    mapping.notices,
                ),
                payload=_Send(plan, mapping.notices, found_key=judged),
                intent=_facts(plan),
                details=details,
                **base,
            )
        return PlanItem(
            action=Action.CREATE,
            changes=changes,
            message=_joined(None, mapping.notices),
            payload=_Send(plan, mapping.notices),
            intent=_facts(plan),
            details=details,
            **base,
        )

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        settings = invoice_settings(ctx)
        writes = plan.writes()
        if not writes:
            return
        await _create_items(ctx, writes, journal, self._headers)
        keys: dict[str, int] = {}  # Severa GUID -> NetvisorKey, of invoices linked this run
        for index, item in enumerate(writes):
            try:
                await _transfer(ctx, item, settings, journal, keys)
            except _FATAL:
                raise
            except SiltaError as exc:
                if journal.write_failed(item, exc, _message(exc), writes[index + 1 :]):
                    return
                continue
            journal.failing = 0


# -- planning --------------------------------------------------------------------------------


def _base(invoice: severa.Invoice, label: str) -> dict[str, Any]:
    return {
        "source_key": invoice.guid,
        "natural_key": str(invoice.number) if invoice.number is not None else None,
        "name": label,
    }


def _customer_name(invoice: severa.Invoice) -> str | None:
    billing = invoice.billing_customer
    return (billing.name if billing else None) or invoice.receiver_customer_name


def _details(plan: InvoicePlan, invoice: severa.Invoice) -> tuple[Detail, ...]:
    """The run history's facts of an invoice: number, customer, total."""
    details = [Detail("number", plan.number)]
    customer = _customer_name(invoice)
    if customer:
        details.append(Detail("customer", customer))
    details.append(Detail("total", _plain(plan.data.amount)))
    return tuple(details)


def _plain(amount: Decimal) -> str:
    return format(amount.quantize(Decimal("0.01")), "f")


def _facts(plan: InvoicePlan) -> dict[str, Any]:
    """What the intent and the link keep: enough to recognise the invoice in Netvisor, to
    name a credit note's original without a call, and to tell a later change (§5.11)."""
    data = plan.data
    return {
        "number": plan.number,
        "date": data.date.isoformat(),
        "customer": data.customer_identifier,
        "total": _plain(data.amount),
        "fingerprint": plan.fingerprint,
        "credit_note": plan.is_credit_note,
    }


def _preview(
    plan: InvoicePlan, names: dict[str, str], settings: InvoiceSettings
) -> tuple[FieldChange, ...]:
    """What the invoice would be in Netvisor, one change per fact (the preview shows them)."""
    data = plan.data
    customer = data.customer_identifier
    if data.customer_name:
        customer = f"{customer} ({data.customer_name})"
    changes = [FieldChange("invoice.customer", None, customer)]
    for position, line in enumerate(data.lines, 1):
        dimensions = ", ".join(f"{d.header}: {d.item}" for d in line.dimensions)
        text = (
            f"{line.product_identifier} {line.name} — {line.quantity} × "
            f"{money_text(line.unit_price)}, {line.vat_code} {line.vat_percent} % "
            f"(ALV {money_text(line.vat_sum or Decimal(0))}) = "
            f"{money_text(line.line_sum or Decimal(0))}"
        )
        if dimensions:
            text += f" [{dimensions}]"
        changes.append(FieldChange(f"invoice.line.{position}", None, text))
    vat = sum((line.vat_sum or Decimal(0) for line in data.lines), Decimal(0))
    changes.append(FieldChange("invoice.vat", None, money_text(vat)))
    changes.append(FieldChange("invoice.total", None, money_text(data.amount)))
    if plan.is_credit_note and plan.original is not None:
        changes.append(FieldChange("invoice.credits", None, plan.original.number))
    after = names.get(settings.transferred_status or "", settings.transferred_status)
    before = names.get(settings.ready_status or "", settings.ready_status)
    changes.append(FieldChange("invoice.severa_status", before, after))
    return tuple(changes)


def _moved_only(
    source: InvoiceSource, link: Link, names: dict[str, str], settings: InvoiceSettings
) -> PlanItem:
    """An invoice already linked but still *ready*: a crash came between the link and the
    status change. Only the status is moved; a change since the transfer is reported."""
    invoice = source.invoice
    label = _label(invoice)
    stored = (link.intent or {}).get("fingerprint")
    notices: tuple[Notice, ...] = ()
    if stored and stored != fingerprint(invoice, source.rows):
        notices = (notice("invoices.changed_after_transfer", invoice=label),)
    before = names.get(settings.ready_status or "", settings.ready_status)
    after = names.get(settings.transferred_status or "", settings.transferred_status)
    assert link.target_key is not None
    return PlanItem(
        action=Action.UPDATE,
        target_key=link.target_key,
        changes=(FieldChange("invoice.severa_status", before, after),),
        message=_joined(
            bilingual(
                "siirretty Netvisoriin aiemmin; vain sen tila Severassa vaihdetaan",
                "transferred to Netvisor earlier; only its Severa status is moved",
            ),
            notices,
        ),
        payload=_Send(None, notices, found_key=int(link.target_key), linked=True),
        intent=link.intent,
        **_base(invoice, label),
    )


def _label(invoice: severa.Invoice) -> str:
    who = _customer_name(invoice)
    number = str(invoice.number) if invoice.number is not None else invoice.guid
    return f"{number} ({who})" if who else number


def _joined(first: str | None, notices: Sequence[Notice]) -> str | None:
    """The entry's message: ``first`` and the notices, each language kept (silta.notes)."""
    return joined(first, *(bilingual(n.message_fi, n.message_en) for n in notices))


# -- applying --------------------------------------------------------------------------------


async def _create_items(
    ctx: SyncContext,
    writes: Sequence[PlanItem],
    journal: Journal,
    headers: list[netvisor.DimensionHeader] | None,
) -> None:
    """The dimension items the invoices need and Netvisor lacks, created first through the
    dimension register's own code and links (its entries are recorded in this run)."""
    missing: dict[str, DimensionSource] = {}
    for item in writes:
        send: _Send = item.payload
        if item.action is Action.CREATE and send.plan is not None:
            for source in send.plan.missing_items:
                missing.setdefault(source.guid, source)
    if not missing:
        return
    items = Journal(
        ctx.store,
        tenant_id=ctx.tenant.id,
        run_id=journal.run_id,
        register=Register.DIMENSIONS,
        source_system=System.SEVERA,
        dry_run=False,
    )
    try:
        await create_items(ctx, list(missing.values()), missing, items, headers=headers)
    finally:
        items.flush()


async def _transfer(
    ctx: SyncContext,
    item: PlanItem,
    settings: InvoiceSettings,
    journal: Journal,
    keys: dict[str, int],
) -> None:
    send: _Send = item.payload
    guid = item.source_key
    assert guid is not None
    assert settings.transferred_status is not None
    messages: list[str] = []
    if send.found_key is not None:
        key = send.found_key
    else:
        assert send.plan is not None
        data = send.plan.data
        original = send.plan.original
        if original is not None and not original.netvisor_key:
            found = keys.get(original.guid)
            if found is None:  # its original was planned but not transferred in this run
                waiting = bilingual(
                    f"odottaa alkuperäistä laskuaan {original.number}, jota ei siirretty "
                    "tässä ajossa",
                    f"waits for its original {original.number}, which was not transferred "
                    "in this run",
                )
                journal.record(item, Status.DONE, action=Action.SKIP, message=waiting)
                return
            original = attrs.evolve(original, netvisor_key=found)
        journal.intend(item)
        sent = await _send(ctx, data)
        if isinstance(sent, Refusal):  # the number was taken meanwhile by another invoice
            refused = attrs.evolve(item, refusals=(sent,))
            journal.record(refused, Status.REFUSED, action=Action.REFUSE)
            return
        key = sent
        if original is not None:
            warning = await _match(ctx, key, original, item.name or guid)
            if warning is not None:
                messages.append(bilingual(warning.message_fi, warning.message_en))
    if not send.linked:
        _link(ctx, item, key)
    keys[guid] = key
    await _move(ctx, guid, settings.transferred_status)
    message = joined(item.message, *messages)
    journal.record(item, Status.DONE, target_key=str(key), message=message)


async def _send(ctx: SyncContext, data: netvisor.SalesInvoiceData) -> int | Refusal:
    """``salesinvoice.nv``; after an answer that never came, the lookup by number decides."""
    try:
        return await ctx.netvisor.add_sales_invoice(data)
    except OutcomeUnknownError as first:
        log.warning("outcome of invoice %s unknown (%s); looking it up", data.number, first)
        found = reconcile(data, await ctx.netvisor.list_sales_invoices(number=data.number))
        if found is not None:
            return found
        return await ctx.netvisor.add_sales_invoice(data)


def _link(ctx: SyncContext, item: PlanItem, key: int) -> None:
    """Commit the link now, before Severa's status moves (a crash between them is healed)."""
    assert item.source_key is not None
    ctx.store.save_links(
        ctx.tenant.id,
        [
            Link(
                register=Register.INVOICES,
                source_system=System.SEVERA,
                source_key=item.source_key,
                target_key=str(key),
                natural_key=item.natural_key,
                state=LinkState.LINKED,
                intent=item.intent,  # kept: a credit note's original, the fingerprint
            )
        ],
    )


async def _match(
    ctx: SyncContext, key: int, original: OriginalInvoice, label: str
) -> Notice | None:
    """``matchcreditnote.nv``; a refusal is a warning (the credit note is in Netvisor)."""
    try:
        await ctx.netvisor.match_credit_note(key, original.netvisor_key)
    except _FATAL:
        raise
    except SiltaError as exc:
        reason = type(exc).__name__
        return notice("invoices.credit_match_failed", invoice=label,
                      original=original.number or original.guid, reason=reason)  # fmt: skip
    return None


async def _move(ctx: SyncContext, guid: str, status: str) -> None:
    """Severa's status to *after-transfer*; an answer lost is read back before a resend."""
    try:
        await ctx.severa.set_invoice_status(guid, status)
    except OutcomeUnknownError:
        now = await ctx.severa.get_invoice(guid)
        if now.status is not None and now.status.guid == status:
            return
        await ctx.severa.set_invoice_status(guid, status)


def _message(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc) or type(exc).__name__}"
