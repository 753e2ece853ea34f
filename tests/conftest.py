"""Fixtures for the whole suite, and the figures it prints at the end.

A test that measures something worth reading (``tests/store``' 10,000-entry insert) hands
its lines to :func:`summary_line`; they travel in the test's report, so they are printed in
the terminal summary whether the suite runs in one process or on ``pytest-xdist`` workers
(``make test``), whose own terminal summaries nobody sees.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from silta.severa.auth import PROCESS_TOKENS


@pytest.fixture(autouse=True)
def _no_tokens_from_another_test() -> Iterator[None]:
    """Each test starts with no Severa token kept in the process: the sandboxes of two
    tests share URLs and client ids, and a token one test's sandbox issued would be
    refused by the next one's (correctly, with a 401 and a fresh token), changing the
    calls a test counts."""
    PROCESS_TOKENS.clear()
    yield
    PROCESS_TOKENS.clear()


_SUMMARY = "silta.summary:"  # user property keys: the prefix, then the section's title
_summary: dict[str, list[str]] = {}


def summary_line(node: pytest.Item, section: str, line: str) -> None:
    """Print ``line`` under ``section`` at the end of the run."""
    node.user_properties.append((_SUMMARY + section, line))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "teardown":  # every phase's report carries them: take one
        return
    for key, value in report.user_properties:
        if isinstance(key, str) and key.startswith(_SUMMARY):
            _summary.setdefault(key.removeprefix(_SUMMARY), []).append(str(value))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for section, lines in _summary.items():
        terminalreporter.section(section)
        for line in sorted(lines):
            terminalreporter.write_line(line)


# The tests that take most of a minute or more (longest first). On pytest-xdist workers
# (``make test``) they start first: begun last, one of them would keep a worker busy long
# after the other had run out of tests (longest-first scheduling evens the two out).
LONG_FIRST = (
    "tests/crash/test_sigkill.py",
    "tests/chaos/test_state_machine.py",
    "tests/scheduler/test_workers.py",
    "tests/scheduler/test_serve_restart.py",
    "tests/test_demo.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if "PYTEST_XDIST_WORKER" not in os.environ:  # one process: keep the files' order
        return

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONG_FIRST.index(path) if path in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)  # stable: every worker gets the same order, as xdist requires
