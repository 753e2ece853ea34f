"""The backends: URL rules, SQLite's connection set-up, aware UTC times, cascades."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import StatementError

from silta.domain import Register, RunKind, System
from silta.store import Link, LinkState, Store, StoreError, Watermark
from silta.store.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    normalise_url,
    redacted,
    sqlite_file,
    sqlite_memory,
)
from silta.store.models import LinkRow, RunEntryRow, RunRow, TenantRow, WatermarkRow

from .conftest import KEY, config, entry


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@db/silta", "postgresql+psycopg://u@db/silta"),
        ("postgres://u@db/silta", "postgresql+psycopg://u@db/silta"),
        ("postgresql+psycopg://u@db/silta", "postgresql+psycopg://u@db/silta"),
        ("sqlite:///silta.db", "sqlite:///silta.db"),
        ("sqlite+pysqlite:////var/lib/silta.db", "sqlite+pysqlite:////var/lib/silta.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_urls_are_normalised(given: str, used: str) -> None:
    assert normalise_url(given).render_as_string(hide_password=False) == used


@pytest.mark.parametrize(
    "url", ["mysql://u:pw@db/silta", "postgresql+asyncpg://u:pw@db/x", "not a url"]
)
def test_other_databases_are_refused_without_showing_a_password(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        normalise_url(url)
    assert ":pw@" not in str(caught.value)


def test_redaction_covers_the_password_in_the_query_too() -> None:
    url = normalise_url("postgresql://u:secret1@db/silta?password=secret2&sslmode=require")
    shown = redacted(url)
    assert "secret" not in shown
    assert shown == "postgresql+psycopg://u:***@db/silta?sslmode=require"


def test_sqlite_connections_are_set_up_for_several_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'silta.db'}"
    with Store.open(url, secret_key=KEY) as store, store.engine.connect() as connection:

        def pragma(name: str) -> object:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == SQLITE_BUSY_TIMEOUT_MS


@pytest.mark.parametrize(
    ("url", "file", "memory"),
    [
        ("sqlite:///silta.db", Path("silta.db"), False),
        ("sqlite:////var/lib/silta/silta.db", Path("/var/lib/silta/silta.db"), False),
        ("sqlite:///file:state.db?uri=true", Path("state.db"), False),
        ("sqlite://", None, True),
        ("sqlite:///:memory:", None, True),
        ("sqlite:///file:x?mode=memory&cache=shared&uri=true", None, True),
        ("postgresql://u@db/silta", None, False),
    ],
)
def test_where_a_sqlite_database_lives(url: str, file: Path | None, memory: bool) -> None:
    parsed = normalise_url(url)
    assert (sqlite_file(parsed), sqlite_memory(parsed)) == (file, memory)


def test_a_memory_database_needs_no_key_and_leaves_no_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SILTA_SECRET_KEY", raising=False)
    monkeypatch.delenv("SILTA_SECRET_KEY_FILE", raising=False)
    with Store.open("sqlite://") as store:
        store.add_tenant(config(), changed_by="alice")
        assert store.tenant("acme").name == "acme"
    assert list(tmp_path.iterdir()) == []


def test_a_memory_database_is_shared_by_threads() -> None:
    with Store.open("sqlite://", secret_key=KEY) as store:
        store.add_tenant(config(), changed_by="alice")
        seen: list[str] = []
        thread = threading.Thread(target=lambda: seen.extend(t.name for t in store.tenants()))
        thread.start()
        thread.join(10)
        assert seen == ["acme"]


def test_times_read_back_are_aware_utc(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    run_id = store.start_run(
        acme.id, Register.CUSTOMERS, kind=RunKind.FULL, dry_run=False, trigger="t"
    )
    with store.engine.connect() as connection:
        started = connection.execute(select(RunRow.started_at)).scalar_one()
        if connection.dialect.name == "sqlite":  # stored as UTC text, without a zone
            raw = connection.exec_driver_sql("SELECT started_at FROM runs").scalar_one()
            assert isinstance(raw, str) and "+" not in raw
    assert started.tzinfo is UTC
    assert store.run(run_id).started_at == started
    assert store.tenant(acme.id).created_at.tzinfo is UTC


def test_a_naive_time_is_never_written(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    with store.engine.begin() as connection, pytest.raises(StatementError, match="naive"):
        connection.execute(
            insert(WatermarkRow).values(
                tenant_id=acme.id,
                register=Register.CUSTOMERS,
                changed_since=datetime(2026, 1, 1),  # naive: the point of the test
                state={},
                updated_at=datetime.now(UTC),
            )
        )


def test_deleting_a_tenant_takes_its_rows_with_it(store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="alice")
    other = store.add_tenant(config("other"), changed_by="alice")
    for tenant in (acme, other):
        store.save_links(
            tenant.id,
            [Link(Register.CUSTOMERS, System.NETVISOR, "1", "g", None, LinkState.LINKED)],
        )
        store.save_watermark(
            tenant.id, Register.CUSTOMERS, Watermark(datetime(2026, 1, 1, tzinfo=UTC))
        )
        run_id = store.start_run(
            tenant.id, Register.CUSTOMERS, kind=RunKind.FULL, dry_run=False, trigger="t"
        )
        store.add_entries(run_id, [entry(1), entry(2)])
    with store.engine.begin() as connection:
        connection.execute(delete(TenantRow).where(TenantRow.id == acme.id))
    with store.engine.connect() as connection:
        for model in (LinkRow, WatermarkRow, RunRow):
            count = connection.execute(select(func.count()).select_from(model)).scalar_one()
            assert count == 1, model.__tablename__
        entries = connection.execute(select(func.count()).select_from(RunEntryRow)).scalar()
        assert entries == 2
    assert [t.name for t in store.tenants()] == ["other"]
