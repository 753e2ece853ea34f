"""Routes of projects and phases (scopes ``projects:read`` / ``projects:write``).

``GET /v1/projects`` (``Projects_GetProjects``) honours ``numbers``, ``projectGuids``,
``customerGuids``, ``businessUnitGuids``, ``projectOwnerGuids``, ``salesPersonGuids``,
``customerOwnerGuids``, ``salesStatusTypeGuids``, ``projectStatusTypeGuids``,
``currencyGuid``, ``isClosed``, ``internal`` and ``changedSince`` (≥). The document's other
filters need data the sandbox does not keep (invoices, fees, keywords, market segments,
project members); **settled:** they are refused with 400 naming the parameter rather than
silently ignored, so a client that relies on one learns it here and not in production.

``GET /v1/phases`` (``Phases_GetPhases``): ``projectGuids`` (repeated), ``code`` (exact) and
``changedSince``. Root phases are listed too.

``GET /v1/projects/{guid}/phaseswithhierarchy``: every phase of the project in tree pre-order,
no paging (see :mod:`..phases`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ..fields import Status
from ..store import Stored
from .base import Answer, Call, Handler, Predicates, created, found, patched, token_list

__all__ = ["HANDLERS"]

_UNSUPPORTED: Final = (
    "isBillable",
    "minimumBillableAmount",
    "invoiceableDate",
    "hasRecurringFees",
    "projectKeywordGuids",
    "marketSegmentationGuids",
    "companyCurrencyGuids",
    "projectMemberUserGuids",
)


def _field_in(field: str, wanted: set[str]) -> Callable[[Stored], bool]:
    return lambda record: record[field] in wanted


def _status_type(status: object) -> str | None:
    return status.type_guid if isinstance(status, Status) else None


def list_projects(call: Call) -> Answer:
    query = call.query
    org = call.org
    projects = org.project_register
    register = projects.register
    for name in _UNSUPPORTED:
        query.refuse(name, "is not supported by the Severa sandbox (it keeps no such data).")
    filters = Predicates()
    numbers = query.integers("numbers")
    seqs = [r.seq for n in numbers if (r := projects.by_number(n)) is not None]
    filters.narrow("numbers", numbers, seqs)
    guids = query.texts("projectGuids")
    filters.narrow("projectGuids", guids, [r.seq for g in guids if (r := projects.get(g))])
    customers = query.texts("customerGuids")
    filters.narrow(
        "customerGuids", customers, [s for g in customers for s in register.seqs("customer", g)]
    )
    units = query.texts("businessUnitGuids")
    filters.narrow(
        "businessUnitGuids", units, [s for g in units for s in register.seqs("businessUnit", g)]
    )
    for name, field in (("projectOwnerGuids", "projectOwner"), ("salesPersonGuids", "salesPerson")):
        wanted = set(query.texts(name))
        filters.add(name, wanted, _field_in(field, wanted))
    owners = set(query.texts("customerOwnerGuids"))
    filters.add("customerOwnerGuids", owners, lambda r: _customer_owner(call, r) in owners)
    sales = set(query.texts("salesStatusTypeGuids"))
    filters.add("salesStatusTypeGuids", sales, lambda r: _status_type(r["salesStatus"]) in sales)
    states = set(query.texts("projectStatusTypeGuids"))
    filters.add(
        "projectStatusTypeGuids", states, lambda r: _status_type(r["projectStatus"]) in states
    )
    currency = query.text("currencyGuid")
    filters.add("currencyGuid", currency, lambda r: r["currency"] == currency)
    closed = query.boolean("isClosed")
    filters.add("isClosed", closed, lambda r: r["isClosed"] == closed)
    internal = query.boolean("internal")
    filters.add("internal", internal, lambda r: r["isInternal"] == internal)
    filters.changed_since(query.changed_since())
    return token_list(call, projects, filters)


def _customer_owner(call: Call, project: Stored) -> str | None:
    customer = call.org.customer_register.get(project["customer"])
    owner: str | None = None if customer is None else customer["owner"]
    return owner


def create_project(call: Call) -> Answer:
    projects = call.org.project_register
    return created(projects, projects.create(call.body))


def get_project(call: Call) -> Answer:
    projects = call.org.project_register
    return Answer(200, projects.render(found(projects, call.params["guid"])))


def patch_project(call: Call) -> Answer:
    projects = call.org.project_register
    record = found(projects, call.params["guid"])
    return patched(projects, projects.patch(record, call.body))


def project_phases(call: Call) -> Answer:
    project = found(call.org.project_register, call.params["guid"])
    phases = call.org.phase_register
    tree = phases.hierarchy(project.guid)
    return Answer(200, [phases.render_in_hierarchy(phase, level) for phase, level in tree])


def list_phases(call: Call) -> Answer:
    query = call.query
    phases = call.org.phase_register
    register = phases.register
    filters = Predicates()
    projects = query.texts("projectGuids")
    filters.narrow(
        "projectGuids", projects, [s for g in projects for s in register.seqs("project", g)]
    )
    code = query.text("code")
    filters.add("code", code, lambda r: r["code"] == code)
    filters.changed_since(query.changed_since())
    return token_list(call, phases, filters)


def create_phase(call: Call) -> Answer:
    phases = call.org.phase_register
    return created(phases, phases.create(call.body))


def get_phase(call: Call) -> Answer:
    phases = call.org.phase_register
    return Answer(200, phases.render(found(phases, call.params["guid"])))


def patch_phase(call: Call) -> Answer:
    phases = call.org.phase_register
    record = found(phases, call.params["guid"])
    return patched(phases, phases.patch(record, call.body))


HANDLERS: dict[str, Handler] = {
    "Projects_GetProjects": list_projects,
    "Projects_PostProject": create_project,
    "Projects_GetProject": get_project,
    "Projects_PatchProject": patch_project,
    "Phases_GetProjectPhases": project_phases,
    "Phases_GetPhases": list_phases,
    "Phases_PostPhase": create_phase,
    "Phases_GetPhase": get_phase,
    "Phases_PatchPhase": patch_phase,
}
