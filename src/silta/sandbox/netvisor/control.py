"""The control API: plain JSON for tests and benchmarks that drive a sandbox in another process.

Under the Netvisor mount, outside Netvisor's name space (no ``.nv``, no MAC)::

    GET  /_sandbox/stats                            sandbox-wide counters
    GET  /_sandbox/organisations/{org}/stats        one organisation's counters
    PUT  /_sandbox/organisations/{org}/faults       replace its Faults (JSON object of the
                                                    Faults fields; missing fields = defaults)
    GET  /_sandbox/organisations/{org}/faults       its current Faults
    GET  /_sandbox/organisations/{org}/dimension-headers   its headers (with hidden ones)
    POST /_sandbox/organisations/{org}/dimension-headers   create one: {"name": "Projekti",
                                                    "hidden": false} -> 201 {"key", "name",
                                                    "hidden"}; a name in use is 409
    GET  /_sandbox/organisations/{org}/settings     {"unique_codes": true}
    PUT  /_sandbox/organisations/{org}/settings     change them (fields not given stay)
    GET  /_sandbox/variance                         {"seed": null|int, "forms": {org: {form: n}}}
    PUT  /_sandbox/variance                         {"seed": 5} turns variance mode on with
                                                    that seed, {"seed": null} off
    GET  /_sandbox/organisations/{org}/salesinvoices its sales invoices as stored (JSON)
    GET  /_sandbox/organisations/{org}/purchaseinvoices  its purchase invoices (JSON)
    GET  /_sandbox/organisations/{org}/tripexpenses the travel invoices tripexpense.nv made
    POST /_sandbox/reset-stats                      zero every counter

Netvisor's API cannot create a dimension header (netvisor-api.md §7.2: the header "must
exist"), so a tester prepares them here, as a Netvisor user would in the UI. ``unique_codes``
is whether customer and product codes must be unique (``DUPLICATE_DATA``), a setting a real
company's Netvisor may or may not enforce (§5.4).

An unknown organisation is 404, a bad body 400, both as ``{"error": "..."}``.
It has no authentication: the sandbox is a test double and must never face the internet.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import faults_from_json, faults_to_json

if TYPE_CHECKING:
    from .app import NetvisorSandbox
    from .dimensions import DimensionHeader
    from .organisation import Organisation

__all__ = ["CONTROL_PREFIX", "control_not_found", "control_routes"]

CONTROL_PREFIX: Final = "_sandbox"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def control_not_found(request: Request) -> Response:
    """404 for a path under ``/_sandbox/`` that is not one of the routes above."""
    return _error(404, f"no control endpoint {request.method} {request.url.path}")


def control_routes(sandbox: NetvisorSandbox) -> list[Route]:
    """The routes of the control API, bound to ``sandbox``."""

    def lookup(request: Request) -> Organisation | Response:
        organisation = sandbox.organisations.get(request.path_params["org"])
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        return organisation

    async def sandbox_stats(_request: Request) -> Response:
        return JSONResponse(sandbox.stats.as_json())

    async def organisation_stats(request: Request) -> Response:
        organisation = lookup(request)
        if isinstance(organisation, Response):
            return organisation
        return JSONResponse(organisation.stats.as_json())

    async def organisation_faults(request: Request) -> Response:
        organisation = lookup(request)
        if isinstance(organisation, Response):
            return organisation
        if request.method == "PUT":
            try:
                organisation.faults = faults_from_json(json.loads(await request.body()))
            except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
                return _error(400, str(error))
        return JSONResponse(faults_to_json(organisation.faults))

    async def dimension_headers(request: Request) -> Response:
        organisation = lookup(request)
        if isinstance(organisation, Response):
            return organisation
        if request.method == "POST":
            try:
                body = _object(await request.body(), {"name": (str,), "hidden": (bool,)})
                name = body.get("name")
                if not isinstance(name, str):
                    raise ValueError("name is required")
                key = organisation.put_dimension_header(name, bool(body.get("hidden", False)))
            except ValueError as error:
                status = 409 if "exists already" in str(error) else 400
                return _error(status, str(error))
            header = organisation.dimension_register.header(key)
            return JSONResponse(_header_json(header), status_code=201)
        return JSONResponse([_header_json(h) for h in organisation.dimension_headers()])

    async def settings(request: Request) -> Response:
        organisation = lookup(request)
        if isinstance(organisation, Response):
            return organisation
        if request.method == "PUT":
            try:
                body = _object(await request.body(), {"unique_codes": (bool,)})
            except ValueError as error:
                return _error(400, str(error))
            if "unique_codes" in body:
                organisation.unique_codes = bool(body["unique_codes"])
        return JSONResponse({"unique_codes": organisation.unique_codes})

    async def variance(request: Request) -> Response:
        if request.method == "PUT":
            try:
                seed = _object(await request.body(), {"seed": (int, type(None))}).get("seed")
            except ValueError as error:
                return _error(400, str(error))
            sandbox.set_variance(seed if isinstance(seed, int) else None)
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

    async def organisation_sales_invoices(request: Request) -> Response:
        organisation = lookup(request)
        if isinstance(organisation, Response):
            return organisation
        return JSONResponse([invoice.as_json() for invoice in organisation.sales_invoices()])

    async def organisation_purchase_invoices(request: Request) -> Response:
        organisation = lookup(request)
        if isinstance(organisation, Response):
            return organisation
        register = organisation.purchase_invoices
        dimensions = organisation.dimension_register
        return JSONResponse([invoice.as_json(dimensions) for invoice in register.all()])

    async def organisation_trip_expenses(request: Request) -> Response:
        organisation = lookup(request)
        if isinstance(organisation, Response):
            return organisation
        return JSONResponse([trip.as_json() for trip in organisation.travel.trip_expenses()])

    async def reset_stats(_request: Request) -> Response:
        sandbox.reset_stats()
        return JSONResponse({"reset": True})

    prefix = f"/{CONTROL_PREFIX}"
    org = f"{prefix}/organisations/{{org}}"
    return [
        Route(f"{prefix}/stats", sandbox_stats, methods=["GET"]),
        Route(f"{org}/stats", organisation_stats, methods=["GET"]),
        Route(f"{org}/faults", organisation_faults, methods=["GET", "PUT"]),
        Route(f"{org}/dimension-headers", dimension_headers, methods=["GET", "POST"]),
        Route(f"{org}/settings", settings, methods=["GET", "PUT"]),
        Route(f"{prefix}/variance", variance, methods=["GET", "PUT"]),
        Route(f"{org}/salesinvoices", organisation_sales_invoices, methods=["GET"]),
        Route(f"{org}/purchaseinvoices", organisation_purchase_invoices, methods=["GET"]),
        Route(f"{org}/tripexpenses", organisation_trip_expenses, methods=["GET"]),
        Route(f"{prefix}/reset-stats", reset_stats, methods=["POST"]),
    ]


def _object(raw: bytes, fields: Mapping[str, tuple[type, ...]]) -> dict[str, object]:
    """A JSON object of known fields with the right types; ``ValueError`` names what is wrong."""
    body = json.loads(raw or b"{}")  # json.JSONDecodeError is a ValueError
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    for name, value in body.items():
        if name not in fields:
            raise ValueError(f"unknown field {name!r}; known: {', '.join(sorted(fields))}")
        wanted = fields[name]
        # bool is an int in Python: a seed of true is refused, not read as 1
        if (isinstance(value, bool) and bool not in wanted) or not isinstance(value, wanted):
            raise ValueError(f"{name} has the wrong type")
    return body


def _header_json(header: DimensionHeader) -> dict[str, object]:
    return {"key": header.key, "name": header.name, "hidden": header.hidden}
