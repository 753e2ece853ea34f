"""A failed run's category comes from the exception's type, and reads in plain Finnish and
English: "Netvisor ei vastaa (yhteysvirhe)"."""

from __future__ import annotations

import socket
import ssl

import pytest

from silta.failures import CATEGORIES, Failure, classify, describe
from silta.netvisor import (
    AuthenticationFailed,
    NetvisorConnectError,
    NetvisorHttpRejected,
    NetvisorOutcomeUnknown,
    NetvisorProtocolError,
    NetvisorTimeout,
    NetvisorTransportError,
    SystemMaintenance,
    TechnicalError,
)
from silta.severa import RateLimited, SeveraConnectError, SeveraServerError, SeveraTimeout
from silta.store import StoreUnavailable


def _from(cause: BaseException, exc: BaseException) -> BaseException:
    """``exc`` raised ``from None`` while handling ``cause``, as the clients raise them."""
    try:
        try:
            raise cause
        except type(cause):
            raise exc from None
    except type(exc) as raised:
        return raised


@pytest.mark.parametrize(
    ("exc", "category", "service"),
    [
        (NetvisorConnectError("x: cannot connect"), "connect", "netvisor"),
        (_from(ssl.SSLCertVerificationError("bad"), SeveraConnectError("x")), "tls", "severa"),
        (_from(socket.gaierror("no"), NetvisorConnectError("x")), "dns", "netvisor"),
        (NetvisorTimeout("x"), "timeout", "netvisor"),
        (SeveraTimeout("x"), "timeout", "severa"),
        (NetvisorTransportError("x", status=502), "http_status", "netvisor"),
        (NetvisorTransportError("x"), "network", "netvisor"),
        (NetvisorHttpRejected("x", status=403), "http_status", "netvisor"),
        (NetvisorTransportError("x", status=429), "rate_limited", "netvisor"),
        (RateLimited(status=429, error_type=None), "rate_limited", "severa"),
        (SeveraServerError(status=500, error_type=None), "http_status", "severa"),
        (SystemMaintenance("down"), "maintenance", "netvisor"),
        (TechnicalError("oops"), "service_error", "netvisor"),
        (AuthenticationFailed("no"), "credentials", "netvisor"),
        (NetvisorProtocolError("x"), "protocol", "netvisor"),
        (StoreUnavailable("db"), "database", None),
        (KeyError("x"), "internal", None),
    ],
)
def test_exceptions_are_classified_by_type(
    exc: BaseException, category: str, service: str | None
) -> None:
    failure = classify(exc)
    assert (failure.category, failure.service) == (category, service)
    assert failure.expected is (category != "internal")


def test_an_unknown_outcome_says_why_the_answer_never_came() -> None:
    try:
        try:
            raise NetvisorTimeout("customer.nv: no answer within 120 s")
        except NetvisorTimeout as cause:
            raise NetvisorOutcomeUnknown("lost", resource="customer.nv") from cause
    except NetvisorOutcomeUnknown as exc:
        failure = classify(exc)
    assert failure == Failure("timeout", "netvisor", "customer.nv", None)


def test_every_category_reads_in_both_languages() -> None:
    for category in CATEGORIES:
        for service in ("netvisor", "severa", None):
            fi, en = describe(category, service, "fi"), describe(category, service, "en")
            assert fi and en and fi != en and "{" not in fi + en
            assert fi[0].isupper() and en[0].isupper()
    assert describe("connect", "netvisor", "fi") == "Netvisor ei vastaa (yhteysvirhe)"
    assert describe("connect", "netvisor", "en") == "Netvisor does not answer (connection error)"
    assert describe("tls", "severa", "fi") == "Suojattu yhteys Severaan epäonnistui (TLS)"
    assert describe(None, None) == ""
    assert describe("from a newer version", "netvisor", "en") == describe("internal", None, "en")
