"""``silta demo --once``: the product on its embedded default, as ``make demo`` runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from silta.commands.demo import COMPANIES, demo_world

SEED, SIZE = 3, 6


def test_demo_once_exits_0_and_shows_every_planted_refusal_with_rule_and_reason(
    tmp_path: Path,
) -> None:
    database = tmp_path / "nested" / "demo.db"  # the demo makes the folder it needs
    done = subprocess.run(
        [sys.executable, "-m", "silta", "demo", "--once", "--port", "0",
         "--seed", str(SEED), "--size", str(SIZE), "--database", str(database)],
        capture_output=True,
        text=True,
        timeout=300,
        # The demo keeps to its own database whatever the environment says.
        env={**os.environ, "SILTA_DATABASE_URL": "sqlite:///not-this-one.db"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout
    assert "Traceback" not in output + done.stderr

    # The same seed and size give the same sample, so the planted cases are known here
    # independently of what the demo itself checks.
    world = demo_world(SEED, SIZE)
    sections = re.split(r"^─+ ", output, flags=re.MULTILINE)
    for company in COMPANIES:
        section = next(s for s in sections if s.startswith(f"{company.name}:"))
        planted = world.samples[company.scenario].planted
        assert planted
        for case in planted:
            name = r"\s+".join(map(re.escape, case.name.split()))  # a long name wraps
            block = re.search(
                rf"{name}\s+— refuse, refused\n\s+\[{re.escape(case.rule)}\] (\S.+)", section
            )
            assert block, f"{company.name}: {case.rule} for {case.name!r} not shown\n{section}"
            assert len(block.group(1)) > 20  # a reason, not only the rule id
        assert f"Every planted case ({len(planted)}) was refused" in section
        assert "Writes at the sandboxes during the second run: 0" in section
    assert database.exists()


def test_demo_prints_the_web_app_and_its_logins(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "silta", "demo", "--once", "--port", "0",
         "--seed", str(SEED), "--size", str(SIZE), "--database", str(tmp_path / "d.db")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Web app: +http://127\.0\.0\.1:\d+/", done.stdout)
    assert re.search(r"log in as kh@demo\.example / \S{8,}", done.stdout)
    assert re.search(r"log in as viewer@demo\.example / \S{8,}", done.stdout)
    assert "/sandbox/netvisor/" in done.stdout
