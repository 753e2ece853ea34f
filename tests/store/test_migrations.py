"""The schema comes from the migrations alone, and they agree with the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from silta.store import Store, StoreError
from silta.store.database import make_engine, normalise_url
from silta.store.migrate import downgrade, head_revision, upgrade
from silta.store.models import Base

from .conftest import KEY, config, run_together

ACCOUNT_TABLES = {"users", "memberships", "web_sessions", "api_tokens", "login_failures"}
SCHEDULE_TABLES = {"schedule_slots", "tenant_locks", "tenant_halts"}
TABLES = (
    {
        "tenants",
        "settings_versions",
        "tenant_events",
        "links",
        "watermarks",
        "runs",
        "run_entries",
    }
    | ACCOUNT_TABLES
    | SCHEDULE_TABLES
)


def test_the_migrations_make_exactly_the_models(store_url: str) -> None:
    engine = make_engine(normalise_url(store_url))
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert differences == []
    assert tables == TABLES | {"alembic_version"}


def test_open_upgrades_to_head_and_again_is_a_no_op(store_url: str) -> None:
    with Store.open(store_url, secret_key=KEY) as store:
        assert store.revision() == head_revision() == "0007"
        store.add_tenant(config(), changed_by="alice")
        store.upgrade()
    with Store.open(store_url, secret_key=KEY) as store:
        assert [tenant.name for tenant in store.tenants()] == ["acme"]


def test_downgrade_to_base_and_back(store_url: str) -> None:
    with Store.open(store_url, secret_key=KEY) as store:
        downgrade(store.engine, "base")
        assert store.revision() is None
        with store.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
        store.upgrade()
        assert store.revision() == "0007"


def test_without_migrations_the_store_says_what_to_do(store_url: str) -> None:
    with Store.open(store_url, secret_key=KEY, upgrade=False) as store:
        assert store.revision() is None
        with pytest.raises(StoreError, match=r"has no Silta schema .*run `silta db upgrade`"):
            store.tenants()


def test_two_stores_opening_at_once_both_succeed(store_url: str) -> None:
    """The migration lock makes the second wait for the first, then find nothing to do."""
    run_together(lambda _: Store.open(store_url, secret_key=KEY).close(), workers=4)
    engine = create_engine(normalise_url(store_url))
    try:
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == "0007"
    finally:
        engine.dispose()


def test_the_accounts_migration_keeps_the_tenants_both_ways(store_url: str) -> None:
    """0001 -> 0002 adds the account tables beside existing data; 0002 -> 0001 drops them."""
    engine = make_engine(normalise_url(store_url))
    try:
        upgrade(engine, "0001")
    finally:
        engine.dispose()
    with Store.open(store_url, secret_key=KEY, upgrade=False) as store:
        assert store.revision() == "0001"
        store.add_tenant(config(), changed_by="alice")
        store.upgrade()
        assert store.revision() == "0007"
        with store.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == TABLES | {"alembic_version"}
        downgrade(store.engine, "0001")
        with store.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == (
                TABLES - ACCOUNT_TABLES - SCHEDULE_TABLES
            ) | {"alembic_version"}
        assert [tenant.name for tenant in store.tenants()] == ["acme"]
