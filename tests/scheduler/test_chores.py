"""The scheduler's chores in both modes: notifications delivered and the nightly retention
prune done by the embedded scheduler of ``silta serve`` and by ``silta worker`` processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from silta.domain import Register, RunKind, RunStatus
from silta.notify.notifier import Notifier
from silta.notify.settings import NotificationSettings, Recipient
from silta.scheduler import EmbeddedScheduler
from silta.scheduler.chores import Chores
from silta.scheduler.queue import ensure_schema
from silta.store import Store
from silta.store.notifications import Notifications
from tests.notify.conftest import Mailbox, SmtpServer, free_port, notify_config
from tests.store.conftest import POSTGRES_ENV, config, postgres_schema

KEY = Fernet.generate_key().decode("ascii")
LONG_AGO = datetime.now(UTC) - timedelta(days=800)


def _plant(url: str) -> tuple[int, int, int]:
    """A tenant told of failures, a run from long ago, and a failed run now: their ids."""
    with Store.open(url, secret_key=KEY, clock=lambda: LONG_AGO) as past:
        tenant = past.add_tenant(config(), changed_by="t")
        old = past.start_run(
            tenant.id, Register.CUSTOMERS, kind=RunKind.FULL, dry_run=False, trigger="t"
        )
        past.finish_run(old, RunStatus.COMPLETED, counts={})
    with Store.open(url, secret_key=KEY) as store:
        # paused: the scheduler claims no slot of it (its addresses are the real services')
        store.set_paused(tenant.id, True, changed_by="t")
        settings = NotificationSettings(
            recipients=(Recipient("kh@acme.fi", "en"),), events=frozenset({"run_failed"})
        )
        Notifications(store).save(tenant.id, settings, by="kh@acme.fi")
        failed = store.start_run(
            tenant.id, Register.PRODUCTS, kind=RunKind.FULL, dry_run=False, trigger="t"
        )
        store.finish_run(
            failed, RunStatus.FAILED, counts={}, error="down", failure_category="timeout",
            failure_service="severa",
        )  # fmt: skip
    return tenant.id, old, failed


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), Mailbox())
    server.start()
    yield server
    server.stop()


def _runs(url: str, tenant_id: int) -> set[int]:
    with Store.open(url, secret_key=KEY) as store:
        return {run.id for run in store.runs(tenant_id, limit=100)}


async def test_the_embedded_scheduler_notifies_and_prunes(tmp_path: Path, smtp: SmtpServer) -> None:
    url = f"sqlite:///{tmp_path / 'chores.db'}"
    tenant_id, old, failed = _plant(url)
    with Store.open(url, secret_key=KEY) as store:
        chores = Chores(
            store,
            owner="test",
            notifier=Notifier(store, notify_config(smtp, None)),
            retention_months=13,
            every=0.05,
        )
        scheduler = EmbeddedScheduler(store, tick=3600, chores=chores)
        scheduler.start()
        try:
            for _ in range(200):
                if smtp.mailbox.messages and old not in _runs(url, tenant_id):
                    break
                await asyncio.sleep(0.05)
        finally:
            await scheduler.stop()
    (message,) = smtp.mailbox.messages
    assert "1 failed run" in message["Subject"]
    assert "Severa did not answer in time (timeout)" in message.get_content()
    assert _runs(url, tenant_id) == {failed}


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: the workers' PostgreSQL path is not tested")
    with postgres_schema() as url:
        yield url


@pytest.mark.postgres
@pytest.mark.usefixtures("database_channels_alone")
def test_a_worker_notifies_and_prunes(pg_url: str, smtp: SmtpServer, tmp_path: Path) -> None:
    Store.open(pg_url, secret_key=KEY).close()
    ensure_schema(pg_url)
    tenant_id, old, failed = _plant(pg_url)
    env = {
        **os.environ,
        "SILTA_DATABASE_URL": pg_url,
        "SILTA_SECRET_KEY": KEY,
        "SILTA_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}?timeout=5",
        "SILTA_SMTP_FROM": "silta@operator.test",
        "SILTA_NOTIFY_TICK": "1",
        "SILTA_SCHEDULER_TICK": "1",
        "SILTA_WORKER_HEARTBEAT": "1",
        "SILTA_LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "silta", "worker"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 45
        while not (smtp.mailbox.messages and old not in _runs(pg_url, tenant_id)):
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    (message,) = smtp.mailbox.messages
    assert message["From"] == "silta@operator.test"
    assert "Severa did not answer in time (timeout)" in message.get_content()
    assert _runs(pg_url, tenant_id) == {failed}
