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
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from silta.metrics import CONTENT_TYPE, Metrics
from silta.scheduler import Clock
from silta.store import Accounts, Store
from silta.web.app import WebState

__all__ = ["Refused", "authorized", "check", "router", "serve_worker_metrics"]

router = APIRouter(include_in_schema=False)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class Refused(Exception):
    """The request may not read the metrics: ``status`` 401 (no token, or nobody's) or 403."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def check(authorization: str, *, metrics_token: str | None, accounts: Accounts) -> None:
    """Pass the metrics token or an operator's API token; raise :class:`Refused` otherwise."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Refused(401, "a bearer token is required")
    if metrics_token and hmac.compare_digest(token.encode("utf-8"), metrics_token.encode("utf-8")):
        return
    access = accounts.api_access(token)
    if access is None:
        raise Refused(401, "a valid token is required")
    if not access.user.operator:
        raise Refused(403, "the metrics are the operator's")


def authorized(request: Request, web: WebState) -> None:
    """401 or 403 unless the request carries the metrics token or an operator's API token."""
    try:
        check(
            request.headers.get("authorization", ""),
            metrics_token=web.metrics_token,
            accounts=web.accounts,
        )
    except Refused as exc:
        headers = _CHALLENGE if exc.status == 401 else None
        raise HTTPException(status_code=exc.status, detail=exc.detail, headers=headers) from None


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    web: WebState = request.app.state.web
    authorized(request, web)
    # the schedule's gauges are read from the store: off the event loop
    body = await asyncio.to_thread(web.metrics.exposition, web.store, web.scheduler_clock())
    return Response(body, media_type=CONTENT_TYPE)


# -- a worker's own /metrics ----------------------------------------------------------------


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a scrape every 15 s is not news


def serve_worker_metrics(
    port: int,
    *,
    store: Store,
    metrics: Metrics,
    metrics_token: str | None,
    clock: Clock,
    host: str = "127.0.0.1",
) -> WSGIServer:
    """Serve ``GET /metrics`` of a ``silta worker`` on ``host:port`` in a daemon thread
    (``SILTA_WORKER_METRICS_PORT``); the same tokens as the web app's route. The server
    (``shutdown()`` then ``server_close()`` stop it)."""
    accounts = Accounts(store)

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") != "GET":
            start("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        try:
            check(
                environ.get("HTTP_AUTHORIZATION", ""),
                metrics_token=metrics_token,
                accounts=accounts,
            )
        except Refused as exc:
            reason = "401 Unauthorized" if exc.status == 401 else "403 Forbidden"
            start(reason, [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")])
            return [exc.detail.encode() + b"\n"]
        body = metrics.exposition(store, clock())
        start("200 OK", [("Content-Type", CONTENT_TYPE), ("Cache-Control", "no-store")])
        return [body]

    server = make_server(host, port, app, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="silta-metrics", daemon=True).start()
    return server
