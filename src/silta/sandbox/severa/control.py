"""The control API: plain JSON for tests and benchmarks that drive a sandbox in another process.

Under the Severa mount, outside Severa's name space (no ``/v1``, no token)::

    GET  /_sandbox/stats                               sandbox-wide counters
    GET  /_sandbox/organisations                       every organisation: id, name, counts
    GET  /_sandbox/organisations/{org}/stats           one organisation's counters
    GET  /_sandbox/organisations/{org}/faults          its current SeveraFaults
    PUT  /_sandbox/organisations/{org}/faults          replace them (JSON object of the
                                                       SeveraFaults fields; missing = default)
    POST /_sandbox/organisations/{org}/expire-tokens   every access token of it expires now
    GET  /_sandbox/organisations/{org}/invoices        its invoices (InvoiceOutputModel) with
                                                       their rows, without a token
    POST /_sandbox/reset-stats                         zero every counter

An unknown organisation is 404, a bad faults body 400, both as ``{"error": "..."}``. It has
no authentication: the sandbox is a test double and must never face the internet.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import faults_from_json, faults_to_json

if TYPE_CHECKING:
    from .app import SeveraSandbox
    from .organisation import Organisation

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
        Route(f"{org}/invoices", invoices, methods=["GET"]),
        Route(f"{prefix}/reset-stats", reset_stats, methods=["POST"]),
    ]
