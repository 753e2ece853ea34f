"""The ``silta`` command.

Errors a user can fix (a bad option, a port in use) end with a one-line message and exit
status 2, never a traceback.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from silta.notify.config import NotifyConfig
    from silta.scheduler.chores import Chores
    from silta.store import Store
    from silta.sync.jobs import JobQueue

from silta import __version__
from silta.config import Settings

app = typer.Typer(
    name="silta",
    help="Keeps Netvisor and Visma Severa registers in step.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"silta {__version__}")
        raise typer.Exit


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Silta: Netvisor ⇄ Visma Severa register synchronization."""


def _fail(message: str) -> typer.Exit:
    typer.secho(f"silta: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


def _bind(host: str, port: int) -> socket.socket:
    """Bind before printing anything, so the printed address already accepts connections."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise _fail(f"cannot listen on {host}:{port}: {reason}") from None
    sock.listen(128)
    return sock


@app.command()
def sandbox(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port (0 picks a free one).")] = None,
    seed: Annotated[int, typer.Option(help="Seed for the demo data and fault draws.")] = 1,
    latency_ms: Annotated[float, typer.Option(help="Latency added to every call.")] = 0.0,
    error_rate: Annotated[
        list[str] | None,
        typer.Option(help="Netvisor: CATEGORY=RATE, e.g. TECHNICAL_ERROR=0.05; repeatable."),
    ] = None,
    severa_error_rate: Annotated[
        list[str] | None,
        typer.Option(help="Severa: STATUS=RATE, e.g. 429=0.1 or 503=0.02; repeatable."),
    ] = None,
    timeout_rate: Annotated[
        float, typer.Option(help="Share of calls that hang before doing anything.")
    ] = 0.0,
    lost_response_rate: Annotated[
        float, typer.Option(help="Share of writes committed whose answer is then lost.")
    ] = 0.0,
    hang_seconds: Annotated[float, typer.Option(help="How long a hanging call hangs.")] = 300.0,
    variance: Annotated[
        bool,
        typer.Option(
            "--variance",
            help="Answer in the services' alternative forms at random (seeded by --seed).",
        ),
    ] = False,
) -> None:
    """Serve the sandboxes (fake Netvisor and Severa) and print how to reach them.

    Latency, timeouts and lost responses apply to both; error rates are per service. With
    --variance both answer in the alternative forms the real services use (price types in
    Finnish, decimal points, times with 7 fraction digits ...), drawn from --seed.
    """
    from silta.sandbox.server import SandboxServer, faults_from_options, severa_faults_from_options

    settings = Settings()
    host = host or settings.sandbox_host
    port = settings.sandbox_port if port is None else port
    common = {
        "latency_ms": latency_ms,
        "timeout_rate": timeout_rate,
        "lost_response_rate": lost_response_rate,
        "hang_seconds": hang_seconds,
    }
    try:
        faults = faults_from_options(error_rates=error_rate or (), **common)
        severa_faults = severa_faults_from_options(error_rates=severa_error_rate or (), **common)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    server = SandboxServer(seed=seed)
    server.apply_faults(faults)
    server.apply_severa_faults(severa_faults)
    if variance:
        server.set_variance(seed)
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    base = f"http://{shown_host}:{bound_port}"
    typer.echo(server.describe(base))
    # Silta calls only the addresses its operator allows (silta.endpoints): these lines
    # allow the sandboxes (they replace the default list of the real services' addresses).
    typer.echo("Allow Silta to call these sandboxes:")
    typer.echo(f"  SILTA_NETVISOR_URLS={base}/netvisor")
    typer.echo(f"  SILTA_SEVERA_URLS={base}/severa")
    typer.echo("Press Ctrl+C to stop.", err=True)
    _serve(server.app, sock, settings.log_level)


def _serve(asgi_app: object, sock: socket.socket, log_level: str) -> None:
    import uvicorn

    from silta.logs import configure_logging
    from silta.web.hardening import uvicorn_config

    log_format = Settings().log_format
    configure_logging(log_level, log_format)
    # JSON: uvicorn's own lines go through the root handler too (no config of its own)
    options: dict[str, object] = {"log_config": None} if log_format == "json" else {}
    server = uvicorn.Server(uvicorn_config(asgi_app, log_level=log_level, **options))
    try:
        asyncio.run(server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).")] = 8000,
) -> None:
    """Serve the web app (settings tab, run history, JSON API) on SILTA_DATABASE_URL.

    With SILTA_SCHEDULER=embedded (the default) this process also runs every tenant's
    schedule; with "workers", `silta worker` processes do, and "sync now" is queued for them.
    Users come from `silta user add`.
    """
    from datetime import timedelta

    from silta.endpoints import Endpoints
    from silta.notify.config import NotifyConfig
    from silta.scheduler import EmbeddedScheduler, clock_from_env
    from silta.store import Accounts, Store, StoreError
    from silta.web import WebState, create_app
    from silta.web.hardening import ProxyTrust

    settings = Settings()
    try:
        endpoints = Endpoints.parse(settings.netvisor_urls, settings.severa_urls)
        proxies = ProxyTrust.parse(settings.trusted_proxies)
        notify = NotifyConfig.from_env()
    except ValueError as exc:
        raise _fail(str(exc)) from None
    try:
        clock = clock_from_env()
        store = Store.open()
        interrupted = store.interrupt_stale_runs()
    except ValueError as exc:
        raise _fail(f"SILTA_CLOCK_FACTOR / SILTA_CLOCK_ORIGIN: {exc}") from None
    except StoreError as exc:
        raise _fail(str(exc)) from None
    if interrupted:
        typer.echo(f"runs left running by a dead process marked interrupted: {interrupted}")
    for tenant in store.tenants():  # stored before the operator narrowed the list, say
        for service, url in (("netvisor", tenant.netvisor.base_url),
                             ("severa", tenant.severa.base_url)):  # fmt: skip
            if not endpoints.permits(service, url):  # type: ignore[arg-type]
                typer.echo(
                    f"warning: {tenant.name}: its {service} address {url} is not allowed "
                    f"(SILTA_{service.upper()}_URLS); the settings tab will not call it, "
                    "and its runs fail until it is allowed or the tenant is imported with --update",
                    err=True,
                )
    accounts = Accounts(store)
    if not accounts.users():
        typer.echo("no users yet: add one with `silta user add EMAIL --password-stdin`", err=True)
    scheduler = None
    if settings.scheduler == "embedded":
        scheduler = EmbeddedScheduler(
            store,
            clock=clock,
            tick=settings.scheduler_tick,
            concurrency=settings.scheduler_concurrency,
            chores=_chores(store, settings, notify),
        )
        mode = f"scheduler: embedded, a look every {settings.scheduler_tick:g} s"
    elif settings.scheduler == "workers":
        mode = "scheduler: `silta worker` processes (sync now is queued for them)"
    else:
        mode = "scheduler: off (runs only when asked)"
    try:
        jobs = _jobs(store, settings)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    web_app = create_app(
        WebState(
            store=store,
            accounts=accounts,
            jobs=jobs,
            scheduler=scheduler,
            endpoints=endpoints,
            proxies=proxies,
            token_lifetime=timedelta(days=settings.api_token_days),
            scheduler_clock=clock,
            metrics_token=(
                settings.metrics_token.get_secret_value() if settings.metrics_token else None
            ),
            notify=notify,
        )
    )
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    typer.echo(f"Silta on http://{shown_host}:{bound_port}/  (database {store.url}; {mode})")
    try:
        _serve(web_app, sock, settings.log_level)
    finally:
        store.close()


def _chores(store: Store, settings: Settings, notify: NotifyConfig) -> Chores:
    """Notifications and the nightly retention prune of a scheduling process."""
    from silta.notify.notifier import Notifier
    from silta.scheduler.chores import Chores
    from silta.store.schedule import new_owner

    return Chores(
        store,
        owner=new_owner(),
        notifier=Notifier(store, notify),
        retention_months=settings.retention_months,
        every=settings.notify_tick,
    )


def _jobs(store: Store, settings: Settings) -> JobQueue:
    """Where "sync now" runs: queued for the workers in "workers" mode, else in this process.

    Raises:
        StoreError: "workers" mode on a database without the job queue (or not PostgreSQL).
    """
    from silta.sync.jobs import Jobs

    if settings.scheduler != "workers":
        return Jobs(store)
    from silta.scheduler.queue import build_app, conninfo, schema_present
    from silta.scheduler.requests import QueuedJobs
    from silta.store import StoreError

    conninfo(settings.database_url)  # PostgreSQL, or a clear word why not
    if not schema_present(settings.database_url):
        raise StoreError("the database has no job queue yet: run `silta db upgrade` first")
    return QueuedJobs(store, build_app(settings.database_url, tick=settings.scheduler_tick))


# -- silta db: the state database (silta.store) ---------------------------------------------

db_app = typer.Typer(help="The state database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    database_url: Annotated[
        str | None, typer.Option(help="Default: SILTA_DATABASE_URL (sqlite:///silta.db).")
    ] = None,
) -> None:
    """Apply the schema migrations (Alembic upgrade head); print the revision applied."""
    from silta.store import Store, StoreError

    try:
        with Store.open(database_url, upgrade=False) as store:
            before = store.revision()
            store.upgrade()
            after = store.revision()
    except StoreError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"database: {store.url}")
    was = "unchanged" if before == after else f"was {before or 'empty'}"
    typer.echo(f"revision: {after} ({was})")
    if store.engine.dialect.name == "postgresql":
        from silta.scheduler.queue import ensure_schema

        applied = ensure_schema(database_url or Settings().database_url)
        typer.echo(f"job queue (procrastinate): {'applied' if applied else 'present'}")


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Jobs at once (default SILTA_SCHEDULER_CONCURRENCY).")
    ] = None,
) -> None:
    """Run scheduled syncs from the PostgreSQL queue (procrastinate); start as many as needed.

    Every worker also takes its turn at dispatching due slots and reaping the jobs of dead
    workers. SIGTERM stops it gracefully: running jobs finish (SILTA_WORKER_GRACEFUL seconds)
    or go back to the queue.
    """
    from silta.logs import configure_logging
    from silta.notify.config import NotifyConfig
    from silta.scheduler import clock_from_env
    from silta.scheduler.queue import (
        WorkerContext,
        build_app,
        conninfo,
        run_worker,
        schema_present,
    )
    from silta.store import Schedule, Store, StoreError

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    try:
        notify = NotifyConfig.from_env()
    except ValueError as exc:
        raise _fail(str(exc)) from None
    try:
        clock = clock_from_env()
        conninfo(settings.database_url)  # PostgreSQL, or a clear word why not
        store = Store.open(upgrade=False)
        if store.revision() is None or not schema_present(settings.database_url):
            raise StoreError("the database has no schema yet: run `silta db upgrade` first")
        store.close()
        store = Store.open()
        app_ = build_app(
            settings.database_url, tick=settings.scheduler_tick, chores_every=settings.notify_tick
        )
    except ValueError as exc:
        raise _fail(f"SILTA_CLOCK_FACTOR / SILTA_CLOCK_ORIGIN: {exc}") from None
    except StoreError as exc:
        raise _fail(str(exc)) from None
    context = WorkerContext(
        store=store,
        schedule=Schedule(store),
        clock=clock,
        stalled_after=3 * settings.worker_heartbeat,
        chores=_chores(store, settings, notify),
    )
    typer.echo(f"silta worker on {store.url}: {concurrency or settings.scheduler_concurrency} "
               f"at once, dispatching every {settings.scheduler_tick:g} s")  # fmt: skip
    metrics_server = None
    if settings.worker_metrics_port:
        from silta.metrics import PROCESS_METRICS
        from silta.web.metrics import serve_worker_metrics

        try:
            metrics_server = serve_worker_metrics(
                settings.worker_metrics_port,
                store=store,
                metrics=PROCESS_METRICS,
                metrics_token=(
                    settings.metrics_token.get_secret_value() if settings.metrics_token else None
                ),
                clock=clock,
            )
        except OSError as exc:
            raise _fail(f"cannot serve the metrics on port {settings.worker_metrics_port}: "
                        f"{exc.strerror}") from None  # fmt: skip
        typer.echo(f"metrics: http://127.0.0.1:{settings.worker_metrics_port}/metrics")
    try:
        asyncio.run(
            run_worker(
                app_,
                context,
                concurrency=concurrency or settings.scheduler_concurrency,
                graceful=settings.worker_graceful,
                heartbeat=settings.worker_heartbeat,
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
        store.close()


# -- end of silta db --------------------------------------------------------------------------


def _register_commands() -> None:
    """The commands that live in their own modules (tenants, sync, runs, demo)."""
    from silta.commands import confirm, demo, sync, tenants, travel, users

    confirm.register_commands(tenants.app)
    travel.register_commands(tenants.app)  # issue 19: held travel reports
    app.add_typer(tenants.app, name="tenant")
    app.add_typer(users.app, name="user")
    sync.register_commands(app)
    app.command("demo")(demo.demo)


_register_commands()


def main() -> None:
    """Entry point of the ``silta`` console script."""
    app()
