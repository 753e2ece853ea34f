"""The schema comes from the migrations alone, and they agree with the models."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from silta.domain import TenantSettings
from silta.store import Store, StoreError
from silta.store.database import make_engine, normalise_url
from silta.store.migrate import downgrade, head_revision, upgrade
from silta.store.models import Base

from .conftest import KEY, config, run_together

ACCOUNT_TABLES = {"users", "memberships", "web_sessions", "api_tokens", "login_failures"}
SCHEDULE_TABLES = {"schedule_slots", "tenant_locks", "tenant_halts", "register_holds"}
OPERATION_TABLES = {  # revision 0009
    "notification_settings",
    "notification_events",
    "notification_digests",
    "notification_refusals",
    "housekeeping",
}
HISTORY_TABLES = {"records"}  # 0010
INVITATION_TABLES = {"invitations"}  # 0013
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
    | HISTORY_TABLES
    | INVITATION_TABLES
    | SCHEDULE_TABLES
    | OPERATION_TABLES
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
        assert store.revision() == head_revision() == "0013"
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
        assert store.revision() == head_revision()


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
            current = MigrationContext.configure(connection).get_current_revision()
            assert current == head_revision()
    finally:
        engine.dispose()


def test_the_migrations_keep_the_tenants_both_ways(store_url: str) -> None:
    """Down to 0001 (before accounts and the schedule) and back up: the tenants stay."""
    with Store.open(store_url, secret_key=KEY) as store:
        store.add_tenant(config(), changed_by="alice")
        downgrade(store.engine, "0001")
        with store.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == (
                TABLES
                - ACCOUNT_TABLES
                - SCHEDULE_TABLES
                - OPERATION_TABLES
                - HISTORY_TABLES
                - INVITATION_TABLES
            ) | {"alembic_version"}
            names = connection.execute(text("SELECT name FROM tenants")).scalars().all()
        assert names == ["acme"]
        store.upgrade()
        assert store.revision() == head_revision()
        with store.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == TABLES | {"alembic_version"}
        assert [tenant.name for tenant in store.tenants()] == ["acme"]


def test_tokens_made_before_0005_keep_their_reach_and_expire_in_90_days(store_url: str) -> None:
    """0005 gives old tokens ``write`` (what they could do) and an end 90 days on."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import text

    from silta.store import Accounts, TokenScope
    from silta.store.accounts import _digest

    engine = make_engine(normalise_url(store_url))
    try:
        upgrade(engine, "0004")
        old = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
        sqlite = engine.dialect.name == "sqlite"
        when = old.replace(tzinfo=None) if sqlite else old
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (email, password_hash, operator, created_at, updated_at)"
                    " VALUES ('old@example.com', 'x', false, :t, :t)"
                ),
                {"t": when},
            )
            connection.execute(
                text(
                    "INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                    "SELECT id, 'legacy', :h, :t FROM users"
                ),
                {"h": _digest("silta_legacy-token"), "t": when},
            )
    finally:
        engine.dispose()
    with Store.open(store_url, secret_key=KEY) as store:
        [token] = Accounts(store).api_tokens("old@example.com")
        assert token.scope is TokenScope.WRITE and token.tenant_id is None
        left = token.expires_at - datetime.now(UTC)
        assert timedelta(days=89) < left <= timedelta(days=90)
        assert Accounts(store).api_user("silta_legacy-token") is not None


def test_0006_repairs_settings_the_strict_reader_would_refuse(store_url: str) -> None:
    """Before strict settings a tenant file's ``dimensions = "false"`` was stored as text (and
    read as on), ``include_phases=2`` as a number; after 0006 every version reads back."""
    with Store.open(store_url, secret_key=KEY) as store:
        acme = store.add_tenant(config(), changed_by="alice")
        store.change_settings(acme.id, TenantSettings(dimensions=True), changed_by="bob")
        downgrade(store.engine, "0005")
        loose = {
            **TenantSettings().as_json(),
            "dimensions": "false",
            "include_phases": 2,
            "email_invoicing_channel": "yes",
            "persons_without_business_id": "off",
            "project_header": " Projekti ",
            "register_interval_minutes": 5000,
            "currency": "eur",
            "timezone": "Mars/Olympus",
        }
        with store.engine.begin() as connection:
            connection.execute(
                text("UPDATE settings_versions SET settings = :settings"),
                {"settings": json.dumps(loose)},
            )
        store.upgrade()
        repaired = store.settings(acme.id)
        assert [version.settings for version in store.settings_history(acme.id)] == [repaired] * 2
    assert repaired == TenantSettings(
        dimensions=False,
        include_phases=True,
        email_invoicing_channel=True,
        project_header="Projekti",
        register_interval_minutes=24 * 60,
        currency="EUR",
    )
