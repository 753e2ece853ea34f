"""Helpers for the browser tests: Debian's Chromium driven by Playwright's sync API.

The browser is never downloaded: the tests use ``/usr/bin/chromium`` (``apt-get install
chromium``). Without it they skip with the reason, unless ``SILTA_REQUIRE_BROWSER=1`` (CI)
turns the skip into a failure, so a CI machine never passes by not running them.

Every step writes a screenshot under ``tests/artifacts/browser/<test>/`` (ignored by git), and
a step that fails writes ``failed.png`` beside them, so a red run can be looked at.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "JOB_TIMEOUT",
    "Steps",
    "chromium_or_skip",
    "log_in",
    "wait_for_job",
]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "browser"
JOB_TIMEOUT = 30_000  # ms: a background job's page, refreshing itself every 2 s
REQUIRE = "SILTA_REQUIRE_BROWSER"


def chromium_or_skip() -> Path:
    """The browser's path; a skip (or, with ``SILTA_REQUIRE_BROWSER=1``, a failure) without it."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = (
        f"browser tests need Debian's Chromium at {CHROMIUM} "
        "(sudo apt-get install -y chromium); Playwright's own browsers are never downloaded"
    )
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


class Steps:
    """Numbered screenshots of one test's steps: ``steps("settings saved")``."""

    def __init__(self, page: Page, test_name: str) -> None:
        self.page = page
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._count = 0

    def __call__(self, name: str) -> Path:
        self._count += 1
        slug = re.sub(r"[^\w.-]+", "-", name)
        path = self.folder / f"{self._count:02d}-{slug}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    @contextlib.contextmanager
    def recording_failure(self) -> Iterator[None]:
        """On an exception, a screenshot of the page as it was (``failed.png``), then re-raise."""
        try:
            yield
        except BaseException:
            with contextlib.suppress(Exception):
                self.page.screenshot(path=self.folder / "failed.png", full_page=True)
            raise


def log_in(
    page: Page,
    base: str,
    email: str,
    password: str,
    *,
    path: str = "/login",
    who: str | None = None,
) -> None:
    """Fill the login form as a person would, and land on the page it leads to (whose
    header then names ``who``: the email, and for an operator their role too)."""
    page.goto(base + path)
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('form[action="/login"] button[type="submit"]').click()
    expect(page.get_by_test_id("who")).to_have_text(who or email)


def wait_for_job(page: Page) -> None:
    """Wait until a job page (preview or runs) has stopped refreshing itself.

    While the job runs the page shows ``job-running`` and reloads every 2 s; the first load
    without it has no refresh either, so the page is still from then on.
    """
    expect(page.get_by_test_id("job-running")).to_have_count(0, timeout=JOB_TIMEOUT)
    page.wait_for_load_state("load")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
