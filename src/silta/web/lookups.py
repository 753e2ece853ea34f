"""The settings tab's live lookups, answered at once from the last known answer.

The tab shows what Netvisor says now: the dimension headers for the two selects, and
whether the TEMP customer or product exists when a register is not transferred; and what
Severa says: the company's invoice statuses, for the invoice transfer's two selects. Netvisor
may take seconds to answer (20 at most: :data:`silta.web.live.TIMEOUT`), and the tab used
to wait for it. Now the tab renders at once from :class:`LookupCache`, the last answer
per tenant kept in this process's memory, with the time it was got; a static script
(``silta.js``: the CSP allows no inline script) then asks ``/tenants/<id>/settings/lookups``,
which asks Netvisor and answers with the same pieces of the page, rendered fresh, to put in
place. Without the script the last known answer stays (the next view shows the newer one).

One lookup per tenant at a time: a view while one is going joins it rather than asking
Netvisor again, so reloading the tab does not pile up requests on a slow service. The
lookup runs shielded: a browser that leaves does not cancel it for the others.

The cache is memory, per process: a restarted process (or another worker) starts empty
and shows "being checked" until its first answer. What it keeps is what the page shows
anyway (header names, TEMP's name, failures in Silta's words: :func:`silta.web.live.describe`),
never a credential nor a service's own text beyond what the tab already showed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import attrs
from fastapi import APIRouter, Request
from fastapi.responses import Response

from silta import severa
from silta.domain import CustomerDirection, ProductDirection, Register, TenantSettings
from silta.errors import SiltaError
from silta.registers.invoice_settings import default_statuses
from silta.tenants import Tenant
from silta.web import live
from silta.web.access import Id, require_tenant
from silta.web.render import render

__all__ = ["LookupCache", "Lookups", "lookups_context", "router", "temp_keys"]


@attrs.frozen
class Lookups:
    """One answer of the tab's lookups, and when it was got."""

    at: datetime
    headers: tuple[str, ...] | None = None  # None: Netvisor could not be asked
    headers_error: str | None = None  # Silta's own text of the failure (the detail)
    headers_failure: str | None = None  # its category (silta.failures), said in words
    temp: dict[str, live.TempStatus] = attrs.field(factory=dict)  # "customer", "product"
    # Severa's invoice statuses; None with a failure category (silta.failures) and Silta's
    # own text of it when Severa could not be asked
    invoice_statuses: tuple[severa.InvoiceStatus, ...] | None = None
    invoice_statuses_failure: str | None = None
    invoice_statuses_detail: str | None = None


def temp_keys(settings: TenantSettings) -> list[tuple[Register, str]]:
    """The TEMP checks these settings need: a register not transferred uses TEMP."""
    wanted = []
    if settings.customers is CustomerDirection.TEMP_CUSTOMER:
        wanted.append((Register.CUSTOMERS, "customer"))
    if settings.products is ProductDirection.TEMP_PRODUCT:
        wanted.append((Register.PRODUCTS, "product"))
    return wanted


class LookupCache:
    """The last answer per tenant, and the lookup going now, if any (one event loop's)."""

    def __init__(self) -> None:
        self._last: dict[int, Lookups] = {}
        self._going: dict[int, asyncio.Task[Lookups]] = {}

    def last(self, tenant_id: int) -> Lookups | None:
        return self._last.get(tenant_id)

    async def refresh(self, tenant_id: int, ask: Callable[[], Awaitable[Lookups]]) -> Lookups:
        """A fresh answer: the lookup going now, or a new one (``ask``); kept as the last."""
        task = self._going.get(tenant_id)
        if task is None or task.done():
            task = asyncio.ensure_future(self._keep(tenant_id, ask))
            self._going[tenant_id] = task
        return await asyncio.shield(task)

    async def _keep(self, tenant_id: int, ask: Callable[[], Awaitable[Lookups]]) -> Lookups:
        try:
            answer = await ask()
            self._last[tenant_id] = answer
            return answer
        finally:
            self._going.pop(tenant_id, None)


async def look_up(request: Request, tenant: Tenant) -> Lookups:
    """Ask Netvisor now: the headers and the TEMP checks at once (each bounded in time)."""
    web = request.app.state.web

    async def headers() -> tuple[tuple[str, ...] | None, str | None, str | None]:
        try:
            found = await live.dimension_headers(web.store, tenant, web.http, web.endpoints)
        except (SiltaError, TimeoutError) as exc:  # shown; the tab still works with free text
            return None, live.describe(exc), live.failure_category(exc)
        return tuple(found), None, None

    async def statuses() -> tuple[tuple[severa.InvoiceStatus, ...] | None, str | None, str | None]:
        try:
            found = await live.invoice_statuses(web.store, tenant, web.http, web.endpoints)
        except (SiltaError, TimeoutError) as exc:  # said by its category on the tab
            return None, live.failure_category(exc), live.describe(exc)
        return tuple(found), None, None

    wanted = temp_keys(tenant.settings)
    asking = asyncio.ensure_future(headers())  # alongside the TEMP checks, not after them
    severa_asked = asyncio.ensure_future(statuses())  # and Severa alongside Netvisor
    temps = await asyncio.gather(
        *(
            live.temp_status(web.store, tenant, register, web.http, web.endpoints)
            for register, _ in wanted
        )
    )
    names, error, failure = await asking
    invoice_statuses, statuses_failure, detail = await severa_asked
    temp = {key: status for (_, key), status in zip(wanted, temps, strict=True)}
    return Lookups(
        datetime.now(UTC),
        names,
        error,
        failure,
        temp,
        invoice_statuses,
        statuses_failure,
        detail,
    )


def lookups_context(
    cache: LookupCache, tenant_id: int, shown: TenantSettings, answer: Lookups | None = None
) -> dict[str, Any]:
    """What the settings template needs of the lookups: the answer given, else the last."""
    fresh = answer is not None
    answer = answer if answer is not None else cache.last(tenant_id)
    statuses = answer.invoice_statuses if answer else None
    ready, transferred = default_statuses(list(statuses or ()))
    return {
        "lookups": answer,
        "headers": list(answer.headers) if answer and answer.headers is not None else None,
        "headers_error": answer.headers_error if answer else None,
        "headers_failure": answer.headers_failure if answer else None,
        "temp": answer.temp if answer else {},
        "temp_wanted": [key for _, key in temp_keys(shown)],
        "lookups_url": f"/tenants/{tenant_id}/settings/lookups",
        "fresh": fresh,  # asked just now (the fragment), not the last known (the page)
        # the invoice transfer's statuses: Visma's names proposed while none is chosen
        "invoice_statuses": list(statuses) if statuses is not None else None,
        "invoice_statuses_failure": answer.invoice_statuses_failure if answer else None,
        "invoice_statuses_detail": answer.invoice_statuses_detail if answer else None,
        "invoice_ready": shown.invoices_ready_status or ready,
        "invoice_transferred": shown.invoices_transferred_status or transferred,
    }


router = APIRouter(include_in_schema=False)  # reads only: no form, nothing to guard


@router.get("/tenants/{tenant_id}/settings/lookups")
async def settings_lookups(request: Request, tenant_id: Id) -> Response:
    """The tab's lookup pieces, asked of Netvisor now (an HTML fragment for ``silta.js``)."""
    from silta.web.pages import _principal

    principal = _principal(request)
    grant = require_tenant(request, principal, tenant_id)
    web = request.app.state.web
    tenant = web.store.tenant(grant.tenant.id)
    answer = await web.lookups.refresh(tenant.id, lambda: look_up(request, tenant))
    context = {
        "principal": principal,
        "grant": grant,
        "settings": tenant.settings,
        **lookups_context(web.lookups, tenant.id, tenant.settings, answer),
    }
    return render(request, "lookups.html", context)
