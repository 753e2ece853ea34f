"""Severa travel reimbursements as Netvisor travel invoices (register ``travel``).

The rules are :mod:`silta.registers.travel`; this adapter reads, decides by the links, and
writes ``tripexpense.nv``. One run:

1. Severa's travel statuses, and the reports in the eligible ones changed since the
   watermark: an idle run is these two calls and nothing in Netvisor.
2. Per report, by its GUID in this register's links:
   * confirmed: transferred. A changed fingerprint is reported once; a status after
     transfer that did not take is set again; nothing is sent again.
   * pending: an earlier run committed the intent and may have sent it. Netvisor has no
     resource that reads travel invoices back, so it cannot be looked up: the report is
     **held** with the notice ``travel.outcome_unknown`` until the KH marks it transferred
     or to be sent again (:func:`resolve_held`). At most once, never twice.
   * none: its expenses, receipts' descriptions, the person and (with dimensions) the
     projects are read and the rules give the travel invoice, refusals, or a skip.
3. Writes: missing dimension items first (parents first, as the sales invoices do), then
   per report its receipts' bytes, the intent, ``tripexpense.nv``, and the KH's status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from silta import netvisor, severa
from silta.domain import Action, Refusal, Register, Status, System, TenantSettings, setting_pairs
from silta.errors import OutcomeUnknownError, SiltaError
from silta.failures import CREDENTIAL_ERRORS
from silta.notes import bilingual
from silta.registers import travel as rules
from silta.registers.dimensions import DimensionSource
from silta.registers.invoice_lines import dimension_index
from silta.store import Detail, Link, LinkState, Store
from silta.sync.context import SyncContext
from silta.sync.journal import MAX_CONSECUTIVE_FAILURES, Journal
from silta.sync.plan import Plan, PlanItem
from silta.sync.purchase_lines import notice_refusal

__all__ = ["TravelToNetvisor", "held_reports", "resolve_held", "travel_settings"]

log = logging.getLogger("silta.sync")

_RELEASED = "released"  # a pending link's intent: the KH said "send again"


def travel_settings(settings: TenantSettings) -> rules.TravelSettings:
    """The KH's travel choices as the rules' value (flat ``travel_…`` settings)."""
    ratios = []
    for key, name in setting_pairs(settings.travel_ratios):
        guid, _slash, language = key.partition("/")
        ratios.append((guid, language, name))
    statuses = [part.strip() for part in settings.travel_statuses.split(",") if part.strip()]
    return rules.TravelSettings(
        enabled=settings.travel_enabled,
        statuses=statuses,
        transferred_status=settings.travel_transferred_status,
        ratios=ratios,
        travel_types=setting_pairs(settings.travel_travel_types),
        compensation_types=setting_pairs(settings.travel_compensation_types),
        dimensions=settings.travel_dimensions,
        create_missing_items=settings.travel_create_missing_items,
        mode="automatic" if settings.travel_automatic else "manual",
    )


def held_reports(store: Store, tenant_id: int) -> list[Link]:
    """The travel reports held after an unknown outcome (pending, not released)."""
    return [
        link
        for link in store.links(tenant_id, Register.TRAVEL)
        if link.state is LinkState.PENDING and not (link.intent or {}).get(_RELEASED)
    ]


def resolve_held(store: Store, tenant_id: int, guid: str, *, transferred: bool) -> None:
    """The KH's answer for a held report (its outcome was unknown): it is in Netvisor
    (``transferred``: linked, never sent again) or it is not (sent on the next run)."""
    link = next((link for link in held_reports(store, tenant_id) if link.source_key == guid), None)
    if link is None:
        raise KeyError(guid)
    intent = dict(link.intent or {})
    if transferred:
        changed = attrs.evolve(link, target_key="unknown", state=LinkState.LINKED, intent=intent)
    else:
        changed = attrs.evolve(link, intent={**intent, _RELEASED: True})
    store.save_links(tenant_id, [changed])


@attrs.frozen
class _Send:
    plan: rules.TripPlan


@attrs.frozen
class _Relink:
    target_key: str
    intent: Mapping[str, Any]


@attrs.frozen
class _SetStatus:
    """A transferred report whose status after transfer is still to be set."""

    status: str


class TravelToNetvisor:
    register = Register.TRAVEL
    source_system = System.SEVERA

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        chosen = travel_settings(ctx.settings)
        client = ctx.severa
        statuses = [s async for s in client.iter_travel_reimbursement_statuses()]
        eligible = chosen.eligible(statuses)
        if chosen.transferred_status:
            # Reports moved there by Silta are read again only to see a change
            eligible = eligible | {chosen.transferred_status}
        reports = [
            r
            async for r in client.iter_travel_reimbursements(
                status_guids=sorted(eligible), changed_since=since
            )
        ]
        if not reports:
            return Plan()
        stored = {
            link.source_key: link
            for link in ctx.store.links(ctx.tenant.id, Register.TRAVEL)
            if link.source_system is System.SEVERA
        }
        sources = [await self._source(ctx, report) for report in reports]
        lookups = await self._lookups(ctx, chosen, sources, eligible)
        items = [self._decide(ctx, source, chosen, lookups, stored) for source in sources]
        return Plan(tuple(items))

    # -- reading ---------------------------------------------------------------------------

    async def _source(
        self, ctx: SyncContext, report: severa.TravelReimbursement
    ) -> rules.TravelSource:
        client = ctx.severa
        expenses = [e async for e in client.iter_travel_reimbursement_expenses(report.guid)]
        files: list[severa.TravelExpenseFile] = []
        for expense in expenses:
            if expense.attachment_count > 0:
                async for file in client.iter_travel_expense_files(expense.guid):
                    if file.travel_expense_guid is None:
                        file = file.model_copy(update={"travel_expense_guid": expense.guid})
                    files.append(file)
        return rules.TravelSource(report=report, expenses=tuple(expenses), files=tuple(files))

    async def _lookups(
        self,
        ctx: SyncContext,
        chosen: rules.TravelSettings,
        sources: list[rules.TravelSource],
        eligible: Iterable[str],
    ) -> rules.TravelLookups:
        users: dict[str, severa.User] = {}
        for source in sources:
            user = source.report.user
            if user is not None and user.guid and user.guid not in users:
                users[user.guid] = await ctx.severa.get_user(user.guid)
        language = str(ctx.tenant.netvisor.credentials.language).upper()
        values: dict[str, Any] = {
            "eligible_statuses": frozenset(eligible),
            "users": users,
            "language": language,
            "currency": ctx.settings.currency,
        }
        if chosen.dimensions:
            guids = sorted(
                {
                    e.project.guid
                    for source in sources
                    for e in source.expenses
                    if e.project is not None and e.project.guid
                }
            )
            projects = (
                [p async for p in ctx.severa.iter_projects(project_guids=guids)] if guids else []
            )
            phases = (
                [p async for p in ctx.severa.iter_phases(project_guids=guids)]
                if guids and ctx.settings.include_phases
                else []
            )
            values["dimensions"] = dimension_index(ctx.settings, projects=projects, phases=phases)
            headers = await ctx.netvisor.list_dimensions(show_hidden=True)
            values["netvisor_items"] = {
                h.name: frozenset(item.name for item in h.items) for h in headers
            }
        return rules.TravelLookups(**values)

    # -- deciding ----------------------------------------------------------------------------

    def _decide(
        self,
        ctx: SyncContext,
        source: rules.TravelSource,
        chosen: rules.TravelSettings,
        lookups: rules.TravelLookups,
        stored: Mapping[str, Link],
    ) -> PlanItem:
        report = source.report
        guid = report.guid
        label = rules.report_label(source, lookups)
        link = stored.get(guid)
        base: dict[str, Any] = {"source_key": guid, "natural_key": guid, "name": label}
        if link is not None and link.state is LinkState.LINKED:
            intent = dict(link.intent or {})
            changed = rules.changed_after_transfer(
                str(intent.get("fingerprint", "")), source, label
            )
            if changed is not None:
                intent["fingerprint"] = rules.fingerprint(source)
                return PlanItem(action=Action.SKIP, target_key=link.target_key,
                                refusals=(notice_refusal(changed),),
                                payload=_Relink(link.target_key or "", intent), **base)  # fmt: skip
            status = report.travel_reimbursement_status
            wanted = chosen.transferred_status
            if wanted and (status is None or status.guid != wanted):
                return PlanItem(action=Action.UPDATE, target_key=link.target_key,
                                message=bilingual(
                                    "siirron jälkeinen tila asetetaan",
                                    "the status after transfer is set",
                                ),
                                payload=_SetStatus(wanted), **base)  # fmt: skip
            return PlanItem(action=Action.UNCHANGED, target_key=link.target_key, **base)
        if link is not None and not (link.intent or {}).get(_RELEASED):
            header = (link.intent or {}).get("header") or f"Severa {report.number}"
            held = rules.notice("travel.outcome_unknown", report=label, header=header)
            return PlanItem(action=Action.SKIP, refusals=(notice_refusal(held),), **base)
        status = report.travel_reimbursement_status
        if (
            chosen.transferred_status
            and status is not None
            and status.guid == chosen.transferred_status
        ):
            return PlanItem(
                action=Action.SKIP,
                message=bilingual(
                    "on jo siirron jälkeisessä tilassa", "in the status after transfer"
                ),
                **base,
            )
        mapped = rules.map_report(source, ctx.settings, chosen, lookups)
        if mapped.skipped is not None:
            return PlanItem(action=Action.SKIP, refusals=(notice_refusal(mapped.skipped),), **base)
        if mapped.refused or mapped.plan is None:
            return PlanItem(action=Action.REFUSE, refusals=mapped.refusals, **base)
        plan = mapped.plan
        total = sum(
            (
                (e.quantity if e.quantity is not None else 1)
                * (e.unit_cost.amount if e.unit_cost and e.unit_cost.amount is not None else 0)
                for e in source.expenses
            ),
            start=0,
        )
        person = lookups.users.get(report.user.guid) if report.user and report.user.guid else None
        intent = {
            "header": plan.data.header,
            "fingerprint": plan.fingerprint,
            "person": person.name
            if person is not None
            else (report.user.name if report.user else None),
            "total": format(total, "f") if not isinstance(total, int) else str(total),
        }
        details = tuple(
            Detail(key, str(intent[key])) for key in ("person", "total") if intent.get(key)
        )
        return PlanItem(
            action=Action.CREATE, payload=_Send(plan), intent=intent, details=details, **base
        )

    # -- writing -----------------------------------------------------------------------------

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        for item in plan:
            if isinstance(item.payload, _Relink) and item.source_key is not None:
                journal.link(item.source_key, item.payload.target_key, item.natural_key,
                             intent=item.payload.intent)  # fmt: skip
        sends = [item for item in plan.writes() if isinstance(item.payload, _Send)]
        updates = [item for item in plan.writes() if isinstance(item.payload, _SetStatus)]
        for item in updates:
            await self._guarded(journal, item, self._set_status(ctx, item))
        if not sends:
            return
        missing: dict[str, DimensionSource] = {}
        for item in sends:
            for needed in item.payload.plan.missing_items:
                missing.setdefault(needed.guid, needed)
        if missing:
            await _create_items(ctx, list(missing.values()))
        for item in sends:
            await self._send(ctx, item, journal)
            if journal.gave_up is not None:
                rest = sends[sends.index(item) + 1 :]
                for other in rest:
                    journal.record(
                        other, Status.FAILED, message=f"not attempted: {journal.gave_up}"
                    )
                return

    async def _set_status(self, ctx: SyncContext, item: PlanItem) -> None:
        assert item.source_key is not None
        await ctx.severa.set_travel_reimbursement_status(item.source_key, item.payload.status)

    async def _guarded(self, journal: Journal, item: PlanItem, work: Any) -> bool:
        try:
            await work
        except CREDENTIAL_ERRORS:
            raise
        except SiltaError as exc:
            journal.record(item, Status.FAILED, message=f"{type(exc).__name__}: {exc}")
            return False
        journal.record(item, Status.DONE)
        return True

    async def _send(self, ctx: SyncContext, item: PlanItem, journal: Journal) -> None:
        trip: rules.TripPlan = item.payload.plan
        try:
            contents = {f.file_guid: await ctx.severa.file_content(f.file_guid) for f in trip.files}
        except CREDENTIAL_ERRORS:
            raise
        except SiltaError as exc:
            journal.record(item, Status.FAILED, message=f"{type(exc).__name__}: {exc}")
            return
        data = rules.with_attachments(trip, contents)
        if not isinstance(data, netvisor.TripExpenseData):
            journal.record(
                attrs.evolve(item, action=Action.REFUSE, refusals=(data,)), Status.REFUSED
            )
            return
        journal.intend(item)
        try:
            key = await ctx.netvisor.add_trip_expense(data)
        except CREDENTIAL_ERRORS:
            raise
        except OutcomeUnknownError as exc:
            # No read of travel invoices exists: held, never sent again by itself.
            journal.record(item, Status.FAILED, message=f"{type(exc).__name__}: {exc}; held "
                           "until marked transferred or to be sent again")  # fmt: skip
            journal.failing += 1
            self._maybe_give_up(journal, exc)
            return
        except netvisor.InvalidData as exc:
            # Refused before anything was stored: the intent is released, and a refusal of
            # the employee number is the rule's (Netvisor has no employee list to ask first).
            _release(journal, item)
            refusal = self._refusal(item, exc)
            journal.record(
                attrs.evolve(item, action=Action.REFUSE, refusals=(refusal,)), Status.REFUSED
            )
            journal.failing = 0
            return
        except SiltaError as exc:
            if not isinstance(exc, OutcomeUnknownError):
                _release(journal, item)
            journal.record(item, Status.FAILED, message=f"{type(exc).__name__}: {exc}")
            journal.failing = journal.failing + 1 if exc.retryable else 0
            self._maybe_give_up(journal, exc)
            return
        journal.failing = 0
        target = str(key) if key is not None else "sent"
        assert item.source_key is not None
        journal.link(item.source_key, target, item.natural_key, intent=item.intent)
        message = None
        chosen = ctx.settings.travel_transferred_status
        if chosen:
            try:
                await ctx.severa.set_travel_reimbursement_status(item.source_key, chosen)
            except CREDENTIAL_ERRORS:
                raise
            except SiltaError as exc:  # the next run sets it: the report is transferred
                # the client's own words about what failed stay as they are (a diagnosis)
                message = bilingual(
                    f"siirretty; siirron jälkeistä tilaa ei asetettu ({exc})",
                    f"transferred; the status after transfer was not set ({exc})",
                )
        journal.record(item, Status.DONE, target_key=target, message=message)

    @staticmethod
    def _maybe_give_up(journal: Journal, exc: Exception) -> None:
        if journal.failing >= MAX_CONSECUTIVE_FAILURES:
            journal.gave_up = f"{journal.failing} failures in a row ({exc})"

    @staticmethod
    def _refusal(item: PlanItem, exc: netvisor.InvalidData) -> Refusal:
        """Netvisor's refusal of a travel invoice, as the rule of the employee number: the
        one thing the rules cannot check before sending (the reference has no employee
        list). Its text is Silta's client's description of the answer."""
        data: netvisor.TripExpenseData = item.payload.plan.data
        lines = (*data.custom_lines, *data.travel_lines, *data.daily_lines)
        code = lines[0].employee_identifier if lines else "–"
        person = (item.intent or {}).get("person")
        return rules.employee_refused(item.name or "", person, code, str(exc))


def _release(journal: Journal, item: PlanItem) -> None:
    """A write refused before anything was stored: the pending intent says "not sent"."""
    journal.intend(attrs.evolve(item, intent={**(item.intent or {}), _RELEASED: True}))


async def _create_items(ctx: SyncContext, missing: list[DimensionSource]) -> None:
    """Missing dimension items, parents first, each level's keys read back before the next
    (``dimensionitem.nv`` does not answer the new key), as the sales invoices do."""
    by_guid = {source.guid: source for source in missing}
    headers = await ctx.netvisor.list_dimensions(show_hidden=True)
    for depth in sorted({source.depth for source in missing}):
        for source in (s for s in missing if s.depth == depth):
            father_id = None
            if source.parent is not None:
                parent = by_guid.get(source.parent)
                parent_name = parent.name if parent is not None else None
                header = next((h for h in headers if h.name == source.header), None)
                if header is not None and parent_name is not None:
                    found = header.find(parent_name)
                    father_id = found[0].netvisor_key if found else None
            try:
                await ctx.netvisor.add_dimension_item(
                    source.header, source.name, father_id=father_id
                )
            except CREDENTIAL_ERRORS:
                raise
            except SiltaError as exc:  # the report's send then says what is missing
                log.warning("travel: could not create the item %s: %s", source.name, exc)
        headers = await ctx.netvisor.list_dimensions(show_hidden=True)
