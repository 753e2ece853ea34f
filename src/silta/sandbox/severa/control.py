"""The control API: plain JSON for tests and benchmarks that drive a sandbox in another process.

Under the Severa mount, outside Severa's name space (no ``/v1``, no token)::

    GET  /_sandbox/stats                               sandbox-wide counters
    GET  /_sandbox/organisations                       every organisation: id, name, counts
    GET  /_sandbox/organisations/{org}/stats           one organisation's counters
    GET  /_sandbox/organisations/{org}/faults          its current SeveraFaults
    PUT  /_sandbox/organisations/{org}/faults          replace them (JSON object of the
                                                       SeveraFaults fields; missing = default)
    POST /_sandbox/organisations/{org}/expire-tokens   every access token of it expires now
    POST /_sandbox/organisations/{org}/business-units  create one: {"name": "Oulu",
                                                       "code": "OUL", "parentGuid": null,
                                                       "isActive": true} -> 201 with the
                                                       BusinessUnitModel (parent: the root)
    GET  /_sandbox/organisations/{org}/settings        the organisation settings the sandbox
                                                       honours, by Severa's names
    PUT  /_sandbox/organisations/{org}/settings        change them, e.g.
                                                       {"isIdenticalPhaseCodesAllowed": true}
    GET  /_sandbox/variance                            {"seed": null|int, "forms": {org: ...}}
    PUT  /_sandbox/variance                            {"seed": 5} variance mode on, null off
    GET  /_sandbox/organisations/{org}/invoices        its invoices (InvoiceOutputModel) with
                                                       their rows, without a token
    GET  /_sandbox/organisations/{org}/projectfees     its project fees (ProjectFeeOutputModel)
    GET  /_sandbox/organisations/{org}/travelreimbursements  its reimbursements with their
                                                       expenses
    POST /_sandbox/reset-stats                         zero every counter

Severa's document has no ``POST /v1/businessunits`` (units are made in Severa's UI), so a
tester makes them here; the organisation settings are those of ``/v1/organizationsettings``
that change what the sandbox accepts (identical phase codes, the next numbers).

An unknown organisation is 404, a bad body 400 (a unit Severa would refuse: its own 400
answer), all but the last as ``{"error": "..."}``. It has no authentication: the sandbox is
a test double and must never face the internet.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import SeveraFailure
from .faults import faults_from_json, faults_to_json

if TYPE_CHECKING:
    from .app import SeveraSandbox
    from .organisation import Organisation, OrganisationSettings

__all__ = ["CONTROL_PREFIX", "control_not_found", "control_routes"]

CONTROL_PREFIX: Final = "_sandbox"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def control_not_found(request: Request) -> Response:
    """404 for a path under ``/_sandbox/`` that is not one of the routes above."""
    return _error(404, f"no control endpoint {request.method} {request.url.path}")


def control_routes(sandbox: SeveraSandbox) -> list[Route]:
    """The routes of the control API, bound to ``sandbox``."""

    def lookup(request: Request) -> Organisation | None:
        return sandbox.organisations.get(request.path_params["org"])

    async def sandbox_stats(_request: Request) -> Response:
        return JSONResponse(sandbox.stats.as_json())

    async def organisations(_request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "id": org.id,
                    "name": org.name,
                    "customers": len(org.customer_register.register),
                    "addresses": len(org.address_register.register),
                    "products": len(org.product_register.register),
                    "projects": len(org.project_register.register),
                    "phases": len(org.phase_register.register),
                    "business_units": len(org.business_unit_register.register),
                }
                for org in sandbox.organisations.values()
            ]
        )

    async def organisation_stats(request: Request) -> Response:
        organisation = lookup(request)
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        return JSONResponse(organisation.stats.as_json())

    async def organisation_faults(request: Request) -> Response:
        organisation = lookup(request)
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        if request.method == "PUT":
            try:
                organisation.faults = faults_from_json(json.loads(await request.body()))
            except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
                return _error(400, str(error))
        return JSONResponse(faults_to_json(organisation.faults))

    async def expire_tokens(request: Request) -> Response:
        organisation = lookup(request)
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        return JSONResponse({"expired": organisation.expire_tokens()})

    async def business_units(request: Request) -> Response:
        organisation = lookup(request)
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        try:
            body = _object(await request.body())
        except ValueError as error:
            return _error(400, str(error))
        name = body.pop("name", None)
        if not isinstance(name, str):
            return _error(400, "name is required (text)")
        code, parent = body.pop("code", None), body.pop("parentGuid", None)
        try:
            guid = organisation.put_business_unit(name, code, parent, **body)
        except TypeError as error:  # a property the input model does not have
            return _error(400, str(error))
        except SeveraFailure as failure:
            return JSONResponse(failure.as_json(), status_code=failure.status)
        units = organisation.business_unit_register
        record = units.get(guid)
        assert record is not None
        return JSONResponse(units.render(record), status_code=201)

    async def settings(request: Request) -> Response:
        organisation = lookup(request)
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        if request.method == "PUT":
            try:
                _change_settings(organisation.settings, _object(await request.body()))
            except ValueError as error:
                return _error(400, str(error))
        return JSONResponse(_settings_json(organisation.settings))

    async def variance(request: Request) -> Response:
        if request.method == "PUT":
            try:
                body = _object(await request.body())
                unknown = set(body) - {"seed"}
                seed = body.get("seed")
                if unknown or isinstance(seed, bool) or not isinstance(seed, int | None):
                    raise ValueError('the body is {"seed": <integer>} or {"seed": null}')
            except ValueError as error:
                return _error(400, str(error))
            sandbox.set_variance(seed)
        return JSONResponse(
            {
                "seed": sandbox.variance_seed,
                "forms": {
                    org.id: dict(org.variance.used)
                    for org in sandbox.organisations.values()
                    if org.variance is not None
                },
            }
        )

    async def invoices(request: Request) -> Response:
        organisation = lookup(request)
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        invoicing = organisation.invoicing
        return JSONResponse(
            [
                {**invoice, "rows": invoicing.rows(invoice["guid"])}
                for invoice in invoicing.all_invoices()
            ]
        )

    async def project_fees(request: Request) -> Response:
        organisation = lookup(request)
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        return JSONResponse(organisation.project_fees.fees())

    async def travel_reimbursements(request: Request) -> Response:
        organisation = lookup(request)
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        travel = organisation.travel
        return JSONResponse(
            [
                {**report, "expenses": travel.expenses_json(report["guid"])}
                for report in travel.all_reimbursements()
            ]
        )

    async def reset_stats(_request: Request) -> Response:
        sandbox.reset_stats()
        return JSONResponse({"reset": True})

    prefix = f"/{CONTROL_PREFIX}"
    org = f"{prefix}/organisations/{{org}}"
    return [
        Route(f"{prefix}/stats", sandbox_stats, methods=["GET"]),
        Route(f"{prefix}/organisations", organisations, methods=["GET"]),
        Route(f"{org}/stats", organisation_stats, methods=["GET"]),
        Route(f"{org}/faults", organisation_faults, methods=["GET", "PUT"]),
        Route(f"{org}/expire-tokens", expire_tokens, methods=["POST"]),
        Route(f"{org}/business-units", business_units, methods=["POST"]),
        Route(f"{org}/settings", settings, methods=["GET", "PUT"]),
        Route(f"{prefix}/variance", variance, methods=["GET", "PUT"]),
        Route(f"{org}/invoices", invoices, methods=["GET"]),
        Route(f"{org}/projectfees", project_fees, methods=["GET"]),
        Route(f"{org}/travelreimbursements", travel_reimbursements, methods=["GET"]),
        Route(f"{prefix}/reset-stats", reset_stats, methods=["POST"]),
    ]


# Severa's name in /v1/organizationsettings -> (attribute, type)
_SETTINGS: Final[dict[str, tuple[str, type]]] = {
    "isIdenticalPhaseCodesAllowed": ("is_identical_phase_codes_allowed", bool),
    "nextCustomerNumber": ("next_customer_number", int),
    "nextProjectNumber": ("next_project_number", int),
}


def _object(raw: bytes) -> dict[str, Any]:
    body = json.loads(raw or b"{}")  # json.JSONDecodeError is a ValueError
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _settings_json(settings: OrganisationSettings) -> dict[str, Any]:
    return {name: getattr(settings, attribute) for name, (attribute, _) in _SETTINGS.items()}


def _change_settings(settings: OrganisationSettings, body: dict[str, Any]) -> None:
    """Every field checked before any is changed: a bad body changes nothing."""
    changes = {}
    for name, value in body.items():
        if name not in _SETTINGS:
            raise ValueError(f"unknown setting {name!r}; known: {', '.join(_SETTINGS)}")
        attribute, kind = _SETTINGS[name]
        if kind is bool and not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} must be a whole number, at least 1")
        changes[attribute] = value
    for attribute, value in changes.items():
        setattr(settings, attribute, value)
