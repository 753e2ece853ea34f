"""Every store test runs on SQLite and, when ``SILTA_TEST_POSTGRES_URL`` is set, on PostgreSQL.

Each PostgreSQL test gets a fresh schema of its own, reached by pointing the connection's
``search_path`` at it through the URL (``options=-csearch_path=...``), and dropped after:
tests never see each other's rows and never create databases.

Figures worth reading (the 10,000-entry insert) are printed in the terminal summary.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

from silta.domain import Action, Register, Status
from silta.netvisor import NetvisorCredentials
from silta.severa import SeveraCredentials
from silta.store import Entry, Store
from silta.tenants import NetvisorConnection, SeveraConnection, TenantConfig
from tests.conftest import summary_line

POSTGRES_ENV = "SILTA_TEST_POSTGRES_URL"
KEY = "lVgUqzfjrrrb3c0n1Cwl9TR7rLKjM1_3BMqS6ZBDo0E="
OTHER_KEY = "dJ0bzbOYMqX4ZslQbG2-1dL1mQjxxmmvJ3rIhZ2TTRM="

# Planted in credentials; none of them may appear in the database file.
PLANTED = {
    "customer_id": "PLANTED-nv-customer-id-4b1e",
    "customer_key": "PLANTED-nv-customer-key-7f3a",
    "partner_key": "PLANTED-nv-partner-key-91c2",
    "client_id": "PLANTED-sv-client-id-0c77",
    "client_secret": "PLANTED-sv-client-secret-55d0",
}


def netvisor(suffix: str = "") -> NetvisorConnection:
    return NetvisorConnection(
        NetvisorCredentials(
            sender="Silta tests",
            customer_id=PLANTED["customer_id"] + suffix,
            customer_key=PLANTED["customer_key"] + suffix,
            partner_id="SILTA",
            partner_key=PLANTED["partner_key"] + suffix,
            organisation_id="1967543-8",
        ),
        base_url="https://isvapi.netvisor.fi",
    )


def severa(suffix: str = "") -> SeveraConnection:
    return SeveraConnection(
        SeveraCredentials(
            client_id=PLANTED["client_id"] + suffix,
            client_secret=PLANTED["client_secret"] + suffix,
        ),
        base_url="https://api.severa.visma.com/rest-api",
    )


def config(name: str = "acme") -> TenantConfig:
    return TenantConfig(name=name, netvisor=netvisor(), severa=severa())


def entry(number: int, **overrides: object) -> Entry:
    values: dict[str, object] = {
        "register": Register.CUSTOMERS,
        "source_key": str(number),
        "natural_key": f"FI{number:07d}",
        "name": f"Asiakas {number} Oy",
        "action": Action.CREATE,
        "status": Status.DONE,
    }
    values.update(overrides)
    return Entry(**values)  # type: ignore[arg-type]


def run_together(work: Callable[[int], None], workers: int, *, timeout: float = 30) -> None:
    """Run ``work(0) ... work(workers - 1)`` in threads at once; fail on an error or a hang."""
    errors: list[BaseException] = []

    def guarded(worker: int) -> None:
        try:
            work(worker)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,), daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), f"still running after {timeout} s"
    assert errors == []


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgres" and not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: the PostgreSQL path is not tested")
    return name


@pytest.fixture
def store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'silta.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url, secret_key=KEY) as opened:
        yield opened


@pytest.fixture
def timings(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Lines for the terminal summary (:func:`tests.conftest.summary_line`)."""
    lines: list[str] = []
    yield lines
    for line in lines:
        summary_line(request.node, "silta.store timings", line)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the test database, and a URL that leads into it; dropped after."""
    base = make_url(os.environ[POSTGRES_ENV])
    name = f"silta_test_{uuid.uuid4().hex[:12]}"
    schema = sql.Identifier(name)
    admin_url = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(schema))
