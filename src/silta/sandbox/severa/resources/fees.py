"""Routes of project fees (scopes ``fees:read`` / ``fees:write`` / ``fees:delete``; the rules
are in :mod:`..projectfees`).

* ``GET /v1/projectfees``: token paging, ``changedSince`` (≥) - the document's only filter:
  a client finds a fee again by reading the fees changed since a moment, or a project's fees.
* ``GET /v1/projects/{projectGuid}/projectfees``: token paging, ``productType``,
  ``isBillable``, ``isBilled`` (no API fee is billed: true lists none), ``invoiceableDate``
  (fees invoiceable on or before it), ``isBillablePeriodInFuture`` (a planned billing date
  after today), ``includeRecurringRules`` (accepted; the sandbox has no recurring fees). An
  unknown project is an empty 404.
* ``GET|PATCH|DELETE /v1/projectfees/{guid}`` (PATCH: one GUID or a comma-separated list).
* ``GET /v1/deletedprojectfees``: token paging, ``deletedSince`` (≥), ``projectGuids``,
  ``userGuids``; ``rowCount`` at most 100 as the document says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import NotFound
from ..paging import TokenPage, max_rows, read_token_page, token_rows
from ..products import PRODUCT_TYPES
from ..store import Register, Stored
from ..variance import shorter_page
from .base import Answer, Call, Handler, Predicates, created, found, token_list

__all__ = ["HANDLERS"]


def list_fees(call: Call) -> Answer:
    fees = call.org.project_fees
    filters = Predicates()
    filters.changed_since(call.query.changed_since())
    return token_list(call, fees, filters)


def list_project_fees(call: Call) -> Answer:
    org, query = call.org, call.query
    fees = org.project_fees
    project = call.params["projectGuid"]
    if org.project_register.get(project) is None:
        raise NotFound
    filters = Predicates()
    filters.narrow("project", project, fees.register.seqs("project", project))
    kind = query.choice("productType", PRODUCT_TYPES)
    filters.add("productType", kind, lambda r: r["productType"] == kind)
    billable = query.boolean("isBillable")
    filters.add("isBillable", billable, lambda r: bool(r["isBillable"]) == billable)
    billed = query.boolean("isBilled")
    filters.add("isBilled", billed, lambda r: billed is False)
    moment = query.changed_since("invoiceableDate")
    invoiceable = None if moment is None else fees.moment_date(moment)
    filters.add(
        "invoiceableDate",
        invoiceable,
        lambda r: invoiceable is not None and fees.invoiceable(r, invoiceable),
    )
    today = fees.moment_date(org.now())

    def in_future(record: Stored) -> bool:
        planned = record["plannedBillingDate"]
        return planned is not None and planned > today

    future = query.boolean("isBillablePeriodInFuture")
    filters.add("isBillablePeriodInFuture", future, lambda r: in_future(r) == future)
    query.boolean("includeRecurringRules")
    return token_list(call, fees, filters)


def create_fee(call: Call) -> Answer:
    fees = call.org.project_fees
    written = fees.create(call.body)
    answer = created(fees, written)
    # "Created project fees": an array, as the document's 201 says.
    return Answer(201, [answer.body], ignored=answer.ignored)


def get_fee(call: Call) -> Answer:
    fees = call.org.project_fees
    return Answer(200, fees.render(found(fees, call.params["guid"])))


def patch_fees(call: Call) -> Answer:
    fees = call.org.project_fees
    guids = [guid.strip() for guid in call.params["guid"].split(",") if guid.strip()]
    records = [found(fees, guid) for guid in guids]
    if not records:
        raise NotFound
    patched = [fees.patch(record, call.body).record for record in records]
    return Answer(200, fees.render_many(patched))


def delete_fee(call: Call) -> Answer:
    fees = call.org.project_fees
    fees.delete(found(fees, call.params["guid"]))
    return Answer(204, None)


def list_deleted_fees(call: Call) -> Answer:
    query = call.query
    fees = call.org.project_fees
    deleted = fees.deleted
    filters = Predicates()
    projects = query.texts("projectGuids")
    filters.narrow("projectGuids", projects,
                   [s for g in projects for s in deleted.seqs("project", g)])  # fmt: skip
    users = query.texts("userGuids")
    filters.narrow("userGuids", users, [s for g in users for s in deleted.seqs("user", g)])
    since = query.changed_since("deletedSince")
    filters.add("deletedSince", since, lambda r: since is not None and r.created_at >= since)
    return token_page(call, deleted, fees.render_deleted, filters)


def token_page(
    call: Call, register: Register, render: Callable[[Stored], Any], filters: Predicates
) -> Answer:
    """A token-paged answer over a register that is not a collection's (see
    :func:`~.base.token_list`)."""
    scope = f"{call.org.id}:{call.operation.template}"
    maximum = max_rows(call.operation.template)
    page = read_token_page(call.query, call.tokens, scope, filters.fingerprint(), maximum)
    page = TokenPage(shorter_page(page.row_count, call.variance), page.after)
    rows, after = token_rows(register, page, filters.keep, filters.candidates())
    headers = {}
    if after is not None:
        headers["NextPageToken"] = call.tokens.encode(scope, after, filters.fingerprint())
    return Answer(200, [render(row) for row in rows], headers)


HANDLERS: dict[str, Handler] = {
    "ProjectFees_GetProjectFeesByToken": list_fees,
    "ProjectFees_GetProjectFeesForProject": list_project_fees,
    "ProjectFees_PostProjectFee": create_fee,
    "ProjectFees_GetProjectFee": get_fee,
    "ProjectFees_PatchProjectFee": patch_fees,
    "ProjectFees_DeleteProjectFree": delete_fee,
    "ProjectFees_GetDeletedProjectFees": list_deleted_fees,
}
