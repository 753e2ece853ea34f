"""The compressed clock, and what `silta worker` says when it cannot run."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from silta.cli import app
from silta.scheduler.clock import ScaledClock, clock_from_env, wall_clock
from silta.scheduler.queue import conninfo, cron_every
from silta.store import StoreError

runner = CliRunner()


def test_the_wall_clock_unless_a_factor_is_given() -> None:
    assert clock_from_env({}) is wall_clock
    assert clock_from_env({"SILTA_CLOCK_FACTOR": "1"}) is wall_clock
    clock = clock_from_env({"SILTA_CLOCK_FACTOR": "600", "SILTA_CLOCK_ORIGIN": "1000"})
    assert clock == ScaledClock(600.0, 1000.0)


def test_a_scaled_clock_runs_factor_times_faster_from_its_origin() -> None:
    origin = time.time() - 10  # ten real seconds ago
    now = ScaledClock(60.0, origin)()
    expected = origin + 10 * 60  # ten minutes of the clock
    assert abs(now.timestamp() - expected) < 60  # within a real second
    assert now.tzinfo is UTC
    assert abs(ScaledClock(1.0)().timestamp() - datetime.now(UTC).timestamp()) < 1


@pytest.mark.parametrize("bad", ["0", "-2", "fast"])
def test_a_bad_factor_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is float()'s or ours
        clock_from_env({"SILTA_CLOCK_FACTOR": bad})


def test_cron_lines_for_ticks() -> None:
    assert cron_every(1) == "* * * * * */1"
    assert cron_every(7) == "* * * * * */10"
    assert cron_every(10) == "* * * * * */10"
    assert cron_every(120) == "*/2 * * * *"


def test_the_queue_needs_postgresql_and_keeps_the_password_for_libpq() -> None:
    with pytest.raises(StoreError, match="need PostgreSQL"):
        conninfo("sqlite:///silta.db")
    assert conninfo("postgresql+psycopg://u:p@h:5432/d?options=-csearch_path%3Ds") == (
        "postgresql://u:p@h:5432/d?options=-csearch_path%3Ds"
    )


def test_worker_on_sqlite_says_what_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILTA_DATABASE_URL", f"sqlite:///{tmp_path / 's.db'}")
    monkeypatch.setenv("SILTA_SECRET_KEY_FILE", str(tmp_path / "s.key"))
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 2
    assert "need PostgreSQL" in result.output
