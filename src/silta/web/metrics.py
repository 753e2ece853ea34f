"""``GET /metrics``: the Prometheus text format, for the operator's scraper only.

The labels name companies (``tenant="Demo Oy"``) and what fails for them, which is the
operator's business and no KH's: a tenant's KH must not learn which other companies Silta
serves. So the route takes a bearer token, never the session cookie (a scraper has none,
and a browser cannot be made to send a header): ``SILTA_METRICS_TOKEN`` (compared in
constant time; a secret of its own, because a scraper's configuration is kept in places an
operator's own API token should not be), or an API token of an operator. Anyone else gets
401 without a token and 403 with one. Not "loopback only": behind a reverse proxy on the
same host every request comes from loopback. docs/security.md says the same.
"""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from silta.metrics import CONTENT_TYPE
from silta.web.app import WebState

__all__ = ["authorized", "router"]

router = APIRouter(include_in_schema=False)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def authorized(request: Request, web: WebState) -> None:
    """Raise 401 (no token, or one that is nobody's) or 403 (a token of someone who is not
    an operator) unless the request carries the metrics token or an operator's API token."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            status_code=401, detail="a bearer token is required", headers=_CHALLENGE
        )
    if web.metrics_token and hmac.compare_digest(
        token.encode("utf-8"), web.metrics_token.encode("utf-8")
    ):
        return
    access = web.accounts.api_access(token)
    if access is None:
        raise HTTPException(status_code=401, detail="a valid token is required", headers=_CHALLENGE)
    if not access.user.operator:
        raise HTTPException(status_code=403, detail="the metrics are the operator's")


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    web: WebState = request.app.state.web
    authorized(request, web)
    # the schedule's gauges are read from the store: off the event loop
    body = await asyncio.to_thread(web.metrics.exposition, web.store, web.scheduler_clock())
    return Response(body, media_type=CONTENT_TYPE)
