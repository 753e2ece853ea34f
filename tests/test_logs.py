"""Logs an operator can live with: ordinary network failures are one classified line each,
never a traceback (the issue counted 727 in 20 minutes); ``SILTA_LOG_FORMAT=json`` makes
every line one JSON object with the run's tenant, run and register."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from silta.backoff import RetryPolicy
from silta.commands.demo import COMPANIES, demo_world, tenant_config
from silta.domain import RunStatus
from silta.logs import ContextFilter, JsonFormatter, TextFormatter, log_context
from silta.sandbox.netvisor.faults import Faults
from silta.sandbox.severa.faults import SeveraFaults
from silta.store import Store
from silta.sync import sync_tenant
from tests.web.conftest import SANDBOX, sandbox_http

RETRY = RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002)


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Everything logged at INFO and above, as JSON lines (the root logger's level and
    handlers come back after the test)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _refusing(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("All connection attempts failed")


async def test_failing_services_log_one_classified_line_per_run_and_no_traceback(
    tmp_path: Path, lines: io.StringIO
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'l.db'}", key_file=tmp_path / "l.key")
    world = demo_world(seed=3, size=6, severa_rate_limit=None)
    tenants = [
        store.add_tenant(tenant_config(c, SANDBOX, world.samples[c.scenario]), changed_by="t")
        for c in COMPANIES
    ]
    failed = []
    # 1. nothing answers at all (the ConnectError)
    async with httpx.AsyncClient(transport=httpx.MockTransport(_refusing)) as http:
        for tenant in tenants:
            failed += await sync_tenant(store, tenant, http=http, retry=RETRY)
    # 2. Netvisor down for maintenance, Severa answering 503 and timing out
    world.netvisor.set_faults(Faults(maintenance=True))
    world.severa.set_faults(
        SeveraFaults(error_rates={"503": 0.5}, timeout_rate=0.2, hang_seconds=0.05)
    )
    for _ in range(3):
        for tenant in tenants:
            async with sandbox_http(world) as http:
                failed += await sync_tenant(store, tenant, http=http, retry=RETRY, severa_rate=1000)
    store.close()
    assert len(failed) >= 20 and all(r.status is RunStatus.FAILED for r in failed)

    records = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert "Traceback" not in lines.getvalue()
    assert not [r for r in records if "exception" in r]
    run_lines = [r for r in records if r["logger"] == "silta.sync" and r["level"] == "ERROR"]
    assert sorted(r["run"] for r in run_lines) == sorted(result.run_id for result in failed)
    for record in run_lines:
        assert record["category"] in {
            "connect",
            "maintenance",
            "http_status",
            "timeout",
            "records",
            "network",
        }, record
        assert {"time", "level", "logger", "message", "tenant", "register"} <= set(record)
    connect = [r for r in run_lines if r["category"] == "connect"]
    assert connect and all(r["service"] in ("netvisor", "severa") for r in connect)
    assert all(r.get("resource") for r in connect)
    # retries are INFO lines that still say whose run they were in
    retries = [r for r in records if r["logger"] in ("silta.netvisor", "silta.severa")]
    assert retries and all(r["level"] == "INFO" and "run" in r for r in retries)
    # at most a few lines per run: the run's line and its retries, not a page each
    assert len(records) <= 8 * len(failed)


def test_a_json_line_is_one_line_whatever_the_message_holds() -> None:
    record = logging.LogRecord(
        "silta.x", logging.ERROR, __file__, 1, "two\nlines %s", ("and\r\nmore",), None
    )
    with log_context(tenant="Demo Oy", run=7, register="customers"):
        ContextFilter().filter(record)
    text = JsonFormatter().format(record)
    assert "\n" not in text
    parsed = json.loads(text)
    assert parsed["message"] == "two\nlines and\r\nmore"
    assert (parsed["tenant"], parsed["run"], parsed["register"]) == ("Demo Oy", 7, "customers")
    assert parsed["time"].endswith("+00:00")


def test_the_text_format_names_the_run() -> None:
    record = logging.LogRecord("silta.netvisor", logging.INFO, __file__, 1, "retrying", (), None)
    with log_context(tenant="Demo Oy", run=7, register="customers"):
        ContextFilter().filter(record)
    assert TextFormatter().format(record) == (
        "INFO silta.netvisor [Demo Oy customers run 7]: retrying"
    )


def test_serve_and_worker_take_the_log_format(monkeypatch: pytest.MonkeyPatch) -> None:
    from silta.config import Settings

    monkeypatch.setenv("SILTA_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    monkeypatch.setenv("SILTA_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log_format"):
        Settings()


def test_a_process_logs_json_lines_and_a_host_keeps_its_own_handlers() -> None:
    import subprocess
    import sys

    from silta.logs import configure_logging

    script = (
        "import logging; from silta.logs import configure_logging, log_context\n"
        "configure_logging('INFO', 'json')\n"
        "with log_context(tenant='Demo Oy', run=3):\n"
        "    logging.getLogger('silta.sync').warning('hello')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    (line,) = done.stderr.splitlines()
    parsed = json.loads(line)
    assert (parsed["level"], parsed["logger"], parsed["message"]) == (
        "WARNING",
        "silta.sync",
        "hello",
    )
    assert (parsed["tenant"], parsed["run"]) == ("Demo Oy", 3)
    # here pytest holds the root logger: it is left as it is
    before = list(logging.getLogger().handlers)
    assert configure_logging("DEBUG", "json") is None
    assert logging.getLogger().handlers == before
