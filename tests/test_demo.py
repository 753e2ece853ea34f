"""``silta demo --once``: the product on its embedded default, as ``make demo`` runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from silta.commands.demo import COMPANIES, TEMP_COMPANY, demo_world

SEED, SIZE = 3, 6


def test_demo_once_exits_0_and_shows_every_planted_refusal_with_rule_and_reason(
    tmp_path: Path,
) -> None:
    """One demo run (a minute and more: the whole product twice over three companies) for
    what it shows and for the commands it prints, which are run after."""
    # the plain environment, as a user's: no key configured; a database URL set for other
    # work, which the demo must not follow (it keeps to its own database)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SILTA_")}
    home = tmp_path / "demo"
    home.mkdir()
    database = home / "nested" / "silta-demo.db"  # the demo makes the folder it needs
    done = subprocess.run(
        [sys.executable, "-m", "silta", "demo", "--once", "--port", "0",
         "--seed", str(SEED), "--size", str(SIZE), "--database", "nested/silta-demo.db"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=home,
        env={**env, "SILTA_DATABASE_URL": "sqlite:///not-this-one.db"},
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
        # the KH turns the invoice transfer on: invoices go, the planted ones are refused
        assert re.search(r"\d+ invoices transferred; every planted invoice \(\d+\) was", section)
        assert "invoices: transferred to Netvisor" in section
        # issue 19: the purchase lines' and travel reports' planted cases count too
        sample = world.samples[company.scenario]
        assert sample.purchases is not None and sample.travel is not None
        nv = world.netvisor.organisation(company.organisation_id)
        placed = sample.purchases.place(nv, create_items=True)
        money = [*placed.planted, *sample.travel.planted]
        for case in money:
            assert re.search(rf"\[{re.escape(case.rule)}\] \S", section), case.rule
        assert f"Every planted case ({len(planted) + len(money)}) was refused" in section
        assert "Writes at the sandboxes during the second run: 0" in section
    # the TEMP company: nothing of its registers moves, its invoices go to the TEMP customer
    temp = next(s for s in sections if s.startswith(f"{TEMP_COMPANY.name}:"))
    assert re.search(r"[1-9]\d* invoices transferred; every planted invoice", temp), temp
    assert "[invoices.temp_missing]" in temp
    assert database.exists() and not (home / "not-this-one.db").exists()
    _the_printed_commands_run(tmp_path, home, env, done)


def _the_printed_commands_run(
    tmp_path: Path, home: Path, env: dict[str, str], done: subprocess.CompletedProcess[str]
) -> None:
    """Every ``silta`` command the demo tells the user to run finds the demo's database and
    its key, run as the user would: a shell line, from another folder, the plain
    environment (no key configured). It used to fail with SecretKeyError: the demo wrote
    ``silta-demo.key`` and the commands looked for ``silta.key``."""
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Web app: +http://127\.0\.0\.1:\d+/", done.stdout)
    assert re.search(r"log in as kh@demo\.example / \S{8,}", done.stdout)
    assert re.search(r"log in as viewer@demo\.example / \S{8,}", done.stdout)
    assert "/sandbox/netvisor/" in done.stdout
    keys = home / "nested"
    assert (keys / "silta-demo.key").exists() and not (keys / "silta.key").exists()

    commands = re.findall(r"^  (SILTA_DATABASE_URL=\S+ silta .+)$", done.stdout, re.MULTILINE)
    assert len(commands) == 3, done.stdout
    assert any(" runs 'Demo Oy'" in c for c in commands)
    shims = tmp_path / "bin"  # `silta` on the PATH, as after an install
    shims.mkdir()
    shim = shims / "silta"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m silta "$@"\n')
    shim.chmod(0o755)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for command in commands:
        ran = subprocess.run(
            ["/bin/sh", "-c", command],
            capture_output=True, text=True, timeout=120, cwd=elsewhere,
            env={**env, "PATH": f"{shims}:{env.get('PATH', '')}"},
        )  # fmt: skip
        assert ran.returncode == 0, f"{command}\n{ran.stdout}{ran.stderr}"
        assert "Traceback" not in ran.stdout + ran.stderr
        assert "Demo Oy" in ran.stdout, command
    assert list(elsewhere.iterdir()) == []  # no database or key of its own made there
