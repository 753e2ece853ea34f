"""The allowed base URLs: one canonical form, the defaults, and what is never a base URL."""

from __future__ import annotations

import pytest

from silta.endpoints import (
    DEFAULT_NETVISOR_URLS,
    DEFAULT_SEVERA_URLS,
    EndpointNotAllowed,
    Endpoints,
    canonical_url,
)


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("https://integration.netvisor.fi", "https://integration.netvisor.fi"),
        ("HTTPS://Integration.Netvisor.FI/", "https://integration.netvisor.fi"),
        ("https://integration.netvisor.fi:443", "https://integration.netvisor.fi"),
        ("http://127.0.0.1:8100/severa//", "http://127.0.0.1:8100/severa"),
        ("http://[::1]:8100/netvisor", "http://[::1]:8100/netvisor"),
        ("  https://api.severa.visma.com/rest-api  ", "https://api.severa.visma.com/rest-api"),
    ],
)
def test_addresses_are_compared_in_one_form(given: str, canonical: str) -> None:
    assert canonical_url(given) == canonical


@pytest.mark.parametrize(
    "given",
    [
        "https://integration.netvisor.fi@evil.example",  # the host is evil.example
        "https://user:pw@integration.netvisor.fi",
        "https://integration.netvisor.fi/?next=x",
        "https://integration.netvisor.fi/#x",
        "ftp://integration.netvisor.fi",
        "file:///etc/passwd",
        "integration.netvisor.fi",
        "https://",
        "https://integration.netvisor.fi:99999",
        "https://integration.netvisor.fi/a b",
        "https://integration.netvisor.fi/\x00",
    ],
)
def test_what_is_never_a_base_url(given: str) -> None:
    with pytest.raises(ValueError, match=r"base URL|http|address"):
        canonical_url(given)
    assert not Endpoints().adding().permits("netvisor", given)


def test_the_defaults_are_the_real_services_production_and_test_endpoints() -> None:
    endpoints = Endpoints.parse("", "")
    assert (
        endpoints.netvisor
        == DEFAULT_NETVISOR_URLS
        == (
            "https://integration.netvisor.fi",
            "https://isvapi.netvisor.fi",
        )
    )
    assert (
        endpoints.severa
        == DEFAULT_SEVERA_URLS
        == (
            "https://api.severa.visma.com/rest-api",
            "https://api.severa.stag.visma.com/rest-api",
        )
    )


def test_the_operators_list_replaces_the_defaults_and_a_bad_entry_names_its_variable() -> None:
    endpoints = Endpoints.parse("http://127.0.0.1:8100/netvisor/, ", "")
    assert endpoints.netvisor == ("http://127.0.0.1:8100/netvisor",)
    assert not endpoints.permits("netvisor", "https://integration.netvisor.fi")
    assert endpoints.permits("severa", "https://api.severa.visma.com/rest-api/")
    with pytest.raises(ValueError, match="SILTA_SEVERA_URLS: 'ftp://x' is not an http"):
        Endpoints.parse("", "https://ok.example, ftp://x")


def test_a_refusal_lists_the_allowed_addresses_and_never_echoes_the_input() -> None:
    endpoints = Endpoints().adding(severa=["http://sandbox.test/severa"])
    assert endpoints.check("severa", "HTTP://SANDBOX.TEST/severa/") == "http://sandbox.test/severa"
    with pytest.raises(EndpointNotAllowed) as refused:
        endpoints.check("severa", "http://127.0.0.1:9911/rest-api", field="severa_url")
    message = str(refused.value)
    assert message.startswith("severa_url: not an allowed Severa address; allowed: ")
    assert "http://sandbox.test/severa" in message and "SILTA_SEVERA_URLS" in message
    assert "9911" not in message
    assert not endpoints.permits("netvisor", "http://sandbox.test/severa")  # per service
