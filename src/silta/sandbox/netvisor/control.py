"""The control API: plain JSON for tests and benchmarks that drive a sandbox in another process.

Under the Netvisor mount, outside Netvisor's name space (no ``.nv``, no MAC)::

    GET  /_sandbox/stats                            sandbox-wide counters
    GET  /_sandbox/organisations/{org}/stats        one organisation's counters
    PUT  /_sandbox/organisations/{org}/faults       replace its Faults (JSON object of the
                                                    Faults fields; missing fields = defaults)
    GET  /_sandbox/organisations/{org}/faults       its current Faults
    GET  /_sandbox/organisations/{org}/salesinvoices its sales invoices as stored (JSON)
    POST /_sandbox/reset-stats                      zero every counter

An unknown organisation is 404, a bad faults body 400, both as ``{"error": "..."}``.
It has no authentication: the sandbox is a test double and must never face the internet.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import faults_from_json, faults_to_json

if TYPE_CHECKING:
    from .app import NetvisorSandbox

__all__ = ["CONTROL_PREFIX", "control_not_found", "control_routes"]

CONTROL_PREFIX: Final = "_sandbox"


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def control_not_found(request: Request) -> Response:
    """404 for a path under ``/_sandbox/`` that is not one of the routes above."""
    return _error(404, f"no control endpoint {request.method} {request.url.path}")


def control_routes(sandbox: NetvisorSandbox) -> list[Route]:
    """The routes of the control API, bound to ``sandbox``."""

    async def sandbox_stats(_request: Request) -> Response:
        return JSONResponse(sandbox.stats.as_json())

    async def organisation_stats(request: Request) -> Response:
        organisation = sandbox.organisations.get(request.path_params["org"])
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        return JSONResponse(organisation.stats.as_json())

    async def organisation_faults(request: Request) -> Response:
        organisation = sandbox.organisations.get(request.path_params["org"])
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        if request.method == "PUT":
            try:
                organisation.faults = faults_from_json(json.loads(await request.body()))
            except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
                return _error(400, str(error))
        return JSONResponse(faults_to_json(organisation.faults))

    async def organisation_sales_invoices(request: Request) -> Response:
        organisation = sandbox.organisations.get(request.path_params["org"])
        if organisation is None:
            return _error(404, f"unknown organisation {request.path_params['org']}")
        return JSONResponse([invoice.as_json() for invoice in organisation.sales_invoices()])

    async def reset_stats(_request: Request) -> Response:
        sandbox.reset_stats()
        return JSONResponse({"reset": True})

    prefix = f"/{CONTROL_PREFIX}"
    return [
        Route(f"{prefix}/stats", sandbox_stats, methods=["GET"]),
        Route(f"{prefix}/organisations/{{org}}/stats", organisation_stats, methods=["GET"]),
        Route(
            f"{prefix}/organisations/{{org}}/faults", organisation_faults, methods=["GET", "PUT"]
        ),
        Route(
            f"{prefix}/organisations/{{org}}/salesinvoices",
            organisation_sales_invoices,
            methods=["GET"],
        ),
        Route(f"{prefix}/reset-stats", reset_stats, methods=["POST"]),
    ]
