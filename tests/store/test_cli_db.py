"""``silta db upgrade``: migrates, and says where and to which revision, without a password."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from silta.cli import app

runner = CliRunner()


def test_db_upgrade_applies_the_migrations_once(store_url: str) -> None:
    first = runner.invoke(app, ["db", "upgrade", "--database-url", store_url])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0].startswith("database: ")
    assert lines[1] == "revision: 0013 (was empty)"
    again = runner.invoke(app, ["db", "upgrade", "--database-url", store_url])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[1] == "revision: 0013 (unchanged)"
    if store_url.startswith("postgresql"):  # the workers' job queue comes with it, once
        assert lines[2] == "job queue (procrastinate): applied"
        assert again.output.splitlines()[2] == "job queue (procrastinate): present"
    else:
        assert len(lines) == 2


def test_db_upgrade_reads_the_url_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("SILTA_DATABASE_URL", url)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"database: {url}", "revision: 0013 (was empty)"]


def test_db_upgrade_failure_is_one_line_without_the_password() -> None:
    result = runner.invoke(
        app, ["db", "upgrade", "--database-url", "postgresql://silta:hunter2@127.0.0.1:1/x"]
    )
    assert result.exit_code == 2
    assert "hunter2" not in result.output
    assert "silta: the database postgresql+psycopg://silta:***@127.0.0.1:1/x is unavailable" in (
        result.output
    )
    assert "Traceback" not in result.output
