"""The web app: the settings tab, run history record by record, and the JSON API.

:func:`create_app` builds it from a :class:`WebState` (the store, the accounts, the jobs and
how to reach the services), so tests give it sandboxes over ``httpx.ASGITransport`` and the
demo gives it the sandboxes mounted beside it. Pages are server-rendered Jinja2 with no
front-end build step; a few lines of plain JavaScript (a static file: the CSP allows no
inline script) reveal the dimension selects and keep a running run's progress up to date.
Every answer passes :mod:`silta.web.hardening`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from pathlib import Path

import attrs
import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp

from silta import __version__
from silta.endpoints import Endpoints
from silta.metrics import PROCESS_METRICS, Metrics
from silta.notify.config import NotifyConfig
from silta.scheduler import Clock, EmbeddedScheduler, wall_clock
from silta.store import Accounts, Store
from silta.store.accounts import DEFAULT_TOKEN_LIFETIME
from silta.store.invitations import INVITATION_LIFETIME
from silta.sync.jobs import JobQueue
from silta.transport import new_http_client
from silta.web.access import LoginRequired
from silta.web.hardening import Hardened, ProxyTrust
from silta.web.lookups import LookupCache
from silta.web.render import render
from silta.web.throttle import AddressThrottle

__all__ = ["WebState", "create_app", "route_table"]

HttpFactory = Callable[[], httpx.AsyncClient]
HERE = Path(__file__).parent


@attrs.define
class WebState:
    """Everything the app's routes reach through ``request.app.state.web``."""

    store: Store
    accounts: Accounts
    jobs: JobQueue
    http: HttpFactory = attrs.field(factory=lambda: new_http_client)
    failed_login_delay: float = 0.5  # seconds added to a failed login, on top of throttling
    # failed sign-ins per client address (the store throttles per email)
    address_throttle: AddressThrottle = attrs.field(factory=AddressThrottle)
    # the embedded scheduler, started and stopped with the app (None: nothing runs by itself)
    scheduler: EmbeddedScheduler | None = None
    # the base URLs a tenant may use (the operator's SILTA_NETVISOR_URLS / SILTA_SEVERA_URLS)
    endpoints: Endpoints = attrs.field(factory=Endpoints)
    # whose X-Forwarded-* headers are believed (SILTA_TRUSTED_PROXIES); default: no one's
    proxies: ProxyTrust = attrs.field(factory=ProxyTrust)
    # how long a token made on the tokens page lives unless its maker says otherwise
    token_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME
    # /metrics: the process's counters; the scheduler's clock (the slots' due times follow
    # it); SILTA_METRICS_TOKEN, the scraper's bearer token (None: operators' API tokens only)
    metrics: Metrics = PROCESS_METRICS
    scheduler_clock: Clock = wall_clock
    metrics_token: str | None = None
    # notifications: mail, the webhook allow-list, the app's public address
    notify: NotifyConfig = attrs.field(factory=NotifyConfig)
    # how often the overview refreshes its companies by itself (seconds; a fifth of it, at
    # least a second, while a company has a run going)
    overview_refresh: int = 30
    # how long a KH's invitation link opens the door (silta.store.invitations)
    invitation_lifetime: timedelta = INVITATION_LIFETIME
    # the settings tab's last Netvisor answers per tenant (silta.web.lookups)
    lookups: LookupCache = attrs.field(factory=LookupCache)


class _HardenedApp(FastAPI):
    """FastAPI whose whole middleware stack, error handling included, sits inside
    :class:`~silta.web.hardening.Hardened`, so a 500 gets the headers too."""

    proxies: ProxyTrust = ProxyTrust()

    def build_middleware_stack(self) -> ASGIApp:
        return Hardened(super().build_middleware_stack(), self.proxies)


def create_app(state: WebState, *, mounts: Sequence[BaseRoute] = ()) -> FastAPI:
    """The ASGI app. ``mounts`` go first (the demo mounts the sandboxes there)."""
    from silta.web import api, history, lookups, metrics, notifications, pages, people

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if state.scheduler is not None:
            state.scheduler.start()
        try:
            yield
        finally:
            if state.scheduler is not None:
                await state.scheduler.stop()
            await state.jobs.close()

    app = _HardenedApp(
        title="Silta",
        version=__version__,
        summary="Netvisor ⇄ Visma Severa register synchronization",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = state
    app.proxies = state.proxies
    for mount in mounts:
        app.router.routes.append(mount)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(notifications.api_router)
    app.include_router(history.router)
    app.include_router(pages.router)
    app.include_router(notifications.router)
    app.include_router(metrics.router)
    app.include_router(people.router)
    app.include_router(people.public_router)
    app.include_router(lookups.router)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += f"?{request.url.query}"
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's own (an address no route has: 404, a method it does not take: 405)
        # come here too: a browser gets a page in its language, never {"detail": ...}
        if _is_api(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        context = {"status": exc.status_code, "detail": exc.detail}
        return render(request, "error.html", context, status=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _crash(request: Request, _exc: Exception) -> Response:
        """A fault of Silta's own: the page says so in the user's language, the API in
        one word; neither says what the exception said (it may quote anything). Starlette
        logs the traceback after this answer is sent."""
        if _is_api(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return render(request, "error.html", {"status": 500, "detail": ""}, status=500)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if any(tuple(error.get("loc", ()))[:1] == ("path",) for error in exc.errors()):
            # An id that cannot be one (0, negative, not a number, past the column's range)
            # names nothing: 404, as for an id that names nothing, never 422 or a 500.
            return await _http_error(request, HTTPException(status_code=404, detail="not found"))
        errors = [
            {"loc": list(error.get("loc", ())), "msg": error.get("msg", "")}
            for error in exc.errors()
        ]  # the input itself is not echoed: it may hold a secret
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        return render(request, "error.html", {"status": 422, "detail": ""}, status=422)

    return app


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers with a handler of its own (mounts excluded).

    The authorization matrix test is generated from this, so a new route cannot be left
    out of it. FastAPI keeps included routers as wrappers around the original router
    (``original_router``); our routers carry their prefix themselves, so their paths are
    the full paths.
    """
    found: list[tuple[str, str]] = []

    def walk(routes: Sequence[BaseRoute]) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif isinstance(route, APIRoute):
                found.extend((method, route.path) for method in sorted(route.methods or ()))

    walk(app.router.routes)
    return found


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def mounted(path: str, app: object) -> Mount:
    """A sub-application under ``path`` (for :func:`create_app`'s ``mounts``)."""
    return Mount(path, app=app)  # type: ignore[arg-type]
