"""The store sits below the engine: it knows the shared vocabulary, never sync, web or jobs."""

from __future__ import annotations

from tests.test_architecture import offenders


def test_the_store_imports_only_the_vocabulary_below_it() -> None:
    allowed = (
        "silta.domain",  # registers, actions, settings
        "silta.confirmation",  # which settings changes hold a register: pure rules
        "silta.tenants",  # Tenant and its connections
        "silta.netvisor",  # the credential types inside a connection
        "silta.severa",
        "silta.errors",
        "silta.config",
        "silta.notify.settings",  # what a KH chose to be told of: a pure value, like domain
        "silta.triggers",  # the kinds of run trigger, which the history filters by: pure
    )
    assert offenders("store", allowed) == {}
