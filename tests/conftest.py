"""Fixtures for the whole suite."""

from __future__ import annotations

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
