"""No secret in any log line, exception, run error, journal entry or CLI output.

Syncs run against the served sandboxes with faults that put the credentials into play: the
Severa secret refused, access tokens expiring mid-run (401, a new token), Netvisor refusing a
MAC, both services failing and in maintenance, connections refused, and services that echo
the secrets they were sent back in their error texts. Logging is captured at DEBUG for every
logger, httpx's and httpcore's included. The planted secrets (the keys, the client secrets,
every access and refresh token Severa issued, every MAC sent, the Fernet key) must appear in
none of: the log lines and their tracebacks, the exceptions and results the syncs return,
the runs' errors, the journal, the tenant's history, and what the CLI prints about it all.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import attrs
import httpx
import pytest
from typer.testing import CliRunner

from silta.cli import app
from silta.netvisor.errors import NetvisorError
from silta.severa.errors import SeveraError
from silta.store import Store
from tests.security.conftest import SECRETS, SecureWorld, leaks, log_text
from tests.store.conftest import KEY

Step = Callable[[SecureWorld], Awaitable[None] | None]


def _wrong_severa_secret(world: SecureWorld) -> None:
    severa = world.store.tenant(world.tenant.id).severa
    credentials = attrs.evolve(
        severa.credentials, client_secret=SECRETS["wrong severa client secret"]
    )
    world.store.update_connections(
        world.tenant.id, severa=attrs.evolve(severa, credentials=credentials), changed_by="sec"
    )


def _wrong_netvisor_key(world: SecureWorld) -> None:
    netvisor = world.store.tenant(world.tenant.id).netvisor
    credentials = attrs.evolve(
        netvisor.credentials, customer_key=SECRETS["wrong netvisor customer key"]
    )
    world.store.update_connections(
        world.tenant.id, netvisor=attrs.evolve(netvisor, credentials=credentials), changed_by="sec"
    )


def _restore(world: SecureWorld) -> None:
    world.store.update_connections(
        world.tenant.id,
        netvisor=world.tenant.netvisor,
        severa=world.tenant.severa,
        changed_by="sec",
    )


async def _refuse_connections(request: httpx.Request, _writes: int) -> httpx.Response:
    # what httpx raises for a refused connection, with the URL in its text as it may be
    raise httpx.ConnectError(f"[Errno 111] Connection refused: {request.url}", request=request)


def _sent_secrets(request: httpx.Request) -> str:
    """What a careless service could quote back: the bearer token and the request body
    (the client secret of a token request, the refresh token of a refresh). A Netvisor MAC
    is not quoted: it is worthless once sent (each transaction id is accepted once), and
    Netvisor quotes the MAC's input instead, which the echo below adds with the keys."""
    return " ".join(
        (request.headers.get("Authorization", ""), request.content.decode("utf-8", "replace"))
    ).strip()


async def _echo_secrets(request: httpx.Request, _writes: int) -> httpx.Response:
    """A service that refuses every request and quotes what it was sent."""
    echoed = _sent_secrets(request) or "nothing"
    if "/severa/" in request.url.path:
        body = {
            "error": {
                "httpStatusCode": 400,
                "type": "InvalidRequest",
                "details": [{"message": f"Rejected credentials {echoed}", "location": None}],
            }
        }
        return httpx.Response(400, json=body, request=request)
    xml = (
        "<Root><ResponseStatus><Status>FAILED</Status>"
        f"<Status>AUTHENTICATION_FAILED :: MAC input {echoed} "
        f"{SECRETS['netvisor customer key']} {SECRETS['netvisor partner key']}</Status>"
        "<TimeStamp>2.3.2026 09:00:00</TimeStamp></ResponseStatus></Root>"
    )
    return httpx.Response(200, text=xml, request=request)


# name -> (before the sync, after it)
SCENARIOS: dict[str, tuple[Step | None, Step | None]] = {
    "clean": (None, None),
    "severa 5xx and 429": (
        lambda w: w.sv_faults(error_rates={"500": 0.2, "503": 0.1}, fail_next=["429", "502"]),
        lambda w: w.sv_faults(error_rates={}, fail_next=[]),
    ),
    "netvisor errors": (
        lambda w: w.nv_faults(fail_next=["TECHNICAL_ERROR", "AUTHENTICATION_FAILED"]),
        lambda w: w.nv_faults(fail_next=[]),
    ),
    "netvisor maintenance": (
        lambda w: w.nv_faults(maintenance=True),
        lambda w: w.nv_faults(maintenance=False),
    ),
    "severa tokens expire mid-run (401)": (
        lambda w: w.sv_faults(expire_tokens_after_requests=2),
        None,
    ),
    "severa refuses the secret": (_wrong_severa_secret, _restore),
    "netvisor refuses the MAC": (_wrong_netvisor_key, _restore),
    "connections refused": (
        lambda w: w.intercept(_refuse_connections),
        lambda w: w.intercept(None),
    ),
    "services echo the secrets sent": (
        lambda w: w.intercept(_echo_secrets),
        lambda w: w.intercept(None),
    ),
}


async def _run_step(step: Step | None, world: SecureWorld) -> None:
    if step is not None:
        done = step(world)
        if done is not None:
            await done


def _journal(store: Store, tenant_id: int) -> str:
    """Everything the store recorded about the tenant's runs and history, as text."""
    shown: list[str] = []
    for run in store.runs(tenant_id, limit=500):
        shown.append(repr(run))
        shown.extend(repr(entry) for entry in store.entries(run.id))
    shown.extend(repr(event) for event in store.tenant_events(tenant_id))
    shown.extend(repr(version) for version in store.settings_history(tenant_id))
    return "\n".join(shown)


def _exception_text(exc: BaseException) -> str:
    """An exception as a log handler or a traceback shows it, causes included."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts.extend((repr(seen), str(seen)))
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


async def test_no_secret_in_logs_errors_or_the_journal_under_faults(
    secure: SecureWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root: every logger, httpx and httpcore included
    # Through caplog, so that the levels come back after the test: httpx and httpcore left
    # at DEBUG would log the foreign answers of every later test in this process.
    for name in ("httpx", "httpcore", "silta"):
        caplog.set_level(logging.DEBUG, logger=name)
    found: dict[str, list[str]] = {}
    failures = 0
    for name, (before, after) in SCENARIOS.items():
        caplog.clear()
        await _run_step(before, secure)
        outcome: list[str] = []
        try:
            results = await secure.sync(full=True)
            outcome.extend(repr(result) for result in results)
            failures += sum(1 for result in results if result.error)
        except (NetvisorError, SeveraError, httpx.HTTPError) as exc:
            outcome.append(_exception_text(exc))
            failures += 1
        await _run_step(after, secure)
        text = "\n".join([log_text(caplog), *outcome, _journal(secure.store, secure.tenant.id)])
        leaked = leaks(text, secure.secrets())
        if leaked:
            found[name] = leaked
    assert secure.tokens and secure.macs, "no token or MAC was issued: nothing was tested"
    assert len(secure.tokens) >= 4, "the tokens never expired: the 401 path did not run"
    assert failures >= 6, "the faults did not make runs fail"
    assert not found, f"secrets leaked, by scenario: {found}"


def test_the_cli_shows_no_secret(secure: SecureWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """``silta tenant show``, ``silta runs``, ``silta run show`` and ``silta sync`` (a failing
    one) over the same store print no secret."""
    monkeypatch.setenv("SILTA_DATABASE_URL", secure.store.url)
    monkeypatch.setenv("SILTA_SECRET_KEY", KEY)
    runner = CliRunner()
    outputs: list[str] = []
    name = secure.tenant.name

    def silta(*args: str) -> str:
        result = runner.invoke(app, list(args))
        outputs.append(result.output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            outputs.append(_exception_text(result.exception))
        return result.output

    silta("sync", name)
    _wrong_severa_secret(secure)
    _wrong_netvisor_key(secure)
    failed = silta("sync", name)
    assert failed.strip(), "the failing sync printed nothing"
    silta("tenant", "show", name)
    silta("tenant", "list")
    silta("runs", name, "--limit", "50")
    for run in secure.store.runs(secure.tenant.id, limit=50):
        silta("run", "show", str(run.id))
    everything = "\n".join(outputs)
    assert "set" in everything  # tenant show did show the connections
    assert not leaks(everything, secure.secrets())


def test_a_database_password_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PostgreSQL URL's password: not in the store's errors, nor in what the CLI prints."""
    password = "PLANTEDdbPassword64b1"
    url = f"postgresql://silta:{password}@127.0.0.1:1/silta"
    monkeypatch.setenv("SILTA_DATABASE_URL", url)
    monkeypatch.setenv("SILTA_SECRET_KEY", KEY)
    result = CliRunner().invoke(app, ["tenant", "list"])
    assert result.exit_code != 0
    shown = result.output + (_exception_text(result.exception) if result.exception else "")
    assert "127.0.0.1" in shown or result.exit_code == 2
    assert password not in shown
