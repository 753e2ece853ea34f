"""Watermarks: saved, read back as aware UTC to the microsecond, replaced, cleared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from silta.domain import Register
from silta.store import Store, UnknownTenant, Watermark

from .conftest import config

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_no_watermark_means_a_full_run(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    assert store.watermark(acme.id, Register.CUSTOMERS) is None


def test_a_watermark_round_trips_as_aware_utc(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    local = datetime(2026, 7, 1, 12, 30, 45, 123456, tzinfo=HELSINKI)  # +03:00 in summer
    store.save_watermark(
        acme.id, Register.CUSTOMERS, Watermark(local, {"records": 1234, "full": True})
    )
    read = store.watermark(acme.id, Register.CUSTOMERS)
    assert read is not None
    assert read.changed_since == datetime(2026, 7, 1, 9, 30, 45, 123456, tzinfo=UTC)
    assert read.changed_since.tzinfo is UTC
    assert dict(read.state) == {"records": 1234, "full": True}


def test_saving_again_replaces_it(store: Store) -> None:
    acme = store.add_tenant(config(), changed_by="alice")
    first = datetime(2026, 1, 1, tzinfo=UTC)
    store.save_watermark(acme.id, Register.PRODUCTS, Watermark(first, {"n": 1}))
    store.save_watermark(acme.id, Register.PRODUCTS, Watermark(first + timedelta(hours=1)))
    assert store.watermark(acme.id, Register.PRODUCTS) == Watermark(first + timedelta(hours=1))


def test_clearing_makes_the_next_run_full_for_that_register_only(store: Store) -> None:
    acme = store.add_tenant(config("acme"), changed_by="alice")
    other = store.add_tenant(config("other"), changed_by="alice")
    mark = Watermark(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))))
    for tenant in (acme, other):
        for register in (Register.CUSTOMERS, Register.PRODUCTS):
            store.save_watermark(tenant.id, register, mark)
    store.clear_watermark(acme.id, Register.CUSTOMERS)
    store.clear_watermark(acme.id, Register.CUSTOMERS)  # clearing twice is fine
    assert store.watermark(acme.id, Register.CUSTOMERS) is None
    assert store.watermark(acme.id, Register.PRODUCTS) == mark
    assert store.watermark(other.id, Register.CUSTOMERS) == mark


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        Watermark(datetime(2026, 1, 1))


def test_the_state_is_frozen_with_the_value() -> None:
    state = {"n": 1}
    mark = Watermark(datetime(2026, 1, 1, tzinfo=UTC), state)
    state["n"] = 2
    assert mark.state == {"n": 1}
    with pytest.raises(TypeError):
        mark.state["n"] = 3  # type: ignore[index]


def test_watermarks_of_an_unknown_tenant(store: Store) -> None:
    mark = Watermark(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(UnknownTenant):
        store.save_watermark(9, Register.CUSTOMERS, mark)
    with pytest.raises(UnknownTenant):
        store.watermark(9, Register.CUSTOMERS)
    with pytest.raises(UnknownTenant):
        store.clear_watermark(9, Register.CUSTOMERS)
