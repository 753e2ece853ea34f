"""A failed run's category, read from the error text the engine wrote: one row per kind.

The texts are made by the engine's own :func:`silta.sync.engine._message` from the clients'
own exception types, so a change of how either writes an error shows up here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from silta.domain import Register, RunKind, RunStatus
from silta.failures import CATEGORIES
from silta.netvisor.errors import (
    AuthenticationFailed,
    InvalidData,
    NetvisorConnectError,
    NetvisorHttpRejected,
    NetvisorOutcomeUnknown,
    NetvisorTimeout,
    SystemMaintenance,
    TechnicalError,
)
from silta.severa.errors import (
    RateLimited,
    SeveraConnectError,
    SeveraServerError,
    SeveraTimeout,
    SeveraValidationError,
)
from silta.store import RunRecord, StoreUnavailable
from silta.sync.engine import CREDENTIALS_REFUSED, _message
from silta.web.failures import FailureCategory as C
from silta.web.failures import category_of, failure_of, stored_category
from silta.web.i18n import TEXTS

SERVICES = ("netvisor", "severa", None)
SERVICE_FREE = {"credentials", "records", "configuration", "database", "interrupted", "internal"}

CASES: list[tuple[str, C]] = [
    (_message(NetvisorConnectError("productlist.nv: cannot connect (ConnectError: x)")),
     C.NETVISOR_UNREACHABLE),
    (_message(NetvisorTimeout("customerlist.nv: no answer within 30 s")), C.NETVISOR_UNREACHABLE),
    (_message(NetvisorOutcomeUnknown("customer.nv: no answer", resource="customer.nv")),
     C.NETVISOR_UNREACHABLE),
    (_message(SystemMaintenance("down")), C.NETVISOR_MAINTENANCE),
    (_message(TechnicalError("boom")), C.NETVISOR_ERROR),
    (_message(InvalidData("no such customer")), C.NETVISOR_ERROR),
    (_message(NetvisorHttpRejected("a 403 page", status=403)), C.NETVISOR_ERROR),
    (_message(SeveraConnectError("GET /v1/customers: cannot connect")), C.SEVERA_UNREACHABLE),
    (_message(SeveraTimeout("GET /v1/customers: no answer within 30 s")), C.SEVERA_UNREACHABLE),
    (_message(RateLimited(status=429, error_type=None)), C.SEVERA_RATE_LIMITED),
    (_message(SeveraServerError(status=503, error_type=None)), C.SEVERA_ERROR),
    (_message(SeveraValidationError(status=400, error_type="Validation")), C.SEVERA_ERROR),
    (f"{CREDENTIALS_REFUSED}: {_message(AuthenticationFailed('key'))}", C.CREDENTIALS),
    (_message(StoreUnavailable("the database is unavailable")), C.DATABASE),
    (_message(RuntimeError("a value read from an answer")), C.INTERNAL),
    ("3 record(s) failed; see the entries", C.RECORDS_FAILED),
    ("stopped after 5 failures in a row (productlist.nv: cannot connect (ConnectError: x)); "
     "5 record(s) failed and later records were not read; see the entries",
     C.NETVISOR_UNREACHABLE),
    ("stopped after 5 failures in a row (POST /v1/customers: no answer within 30 s); "
     "5 record(s) failed", C.SEVERA_UNREACHABLE),
    ("stopped after 5 failures in a row (invalid data); 5 record(s) failed", C.RECORDS_FAILED),
    ("interrupted: the process that ran it (host:12) is gone", C.INTERRUPTED),
    ("the run was stopped before it finished", C.INTERRUPTED),
    ("the run was given up as stale while it ran", C.INTERRUPTED),
    ("something nobody wrote yet", C.UNKNOWN),
]  # fmt: skip


@pytest.mark.parametrize(("error", "category"), CASES)
def test_every_kind_of_failure_has_its_category(error: str, category: C) -> None:
    assert category_of(RunStatus.FAILED, error) is category


def test_the_cases_cover_every_category_and_each_has_words_in_both_languages() -> None:
    stored = {stored_category(row, service) for row in CATEGORIES for service in SERVICES}
    assert {category for _, category in CASES} | stored == set(C)
    for category in C:
        fi, en = TEXTS[f"failure.{category.value}"]
        assert fi and en and fi != en


def _run(status: RunStatus, error: str | None) -> RunRecord:
    now = datetime.now(UTC)
    return RunRecord(
        id=1, tenant_id=1, tenant_name="t", register=Register.CUSTOMERS,
        kind=RunKind.FULL, dry_run=False, trigger="schedule #1", status=status,
        started_at=now, finished_at=now, counts={}, error=error, owner="h:1",
    )  # fmt: skip


def test_only_failed_and_interrupted_runs_have_a_failure() -> None:
    assert failure_of(_run(RunStatus.COMPLETED, None)) is None
    assert failure_of(_run(RunStatus.RUNNING, None)) is None
    interrupted = failure_of(_run(RunStatus.INTERRUPTED, None))
    assert interrupted is not None and interrupted.category is C.INTERRUPTED
    failed = failure_of(_run(RunStatus.FAILED, CASES[0][0]))
    assert failed is not None
    assert (failed.category, failed.detail) == (C.NETVISOR_UNREACHABLE, CASES[0][0])


@pytest.mark.parametrize("category", sorted(CATEGORIES))
@pytest.mark.parametrize("service", SERVICES)
def test_every_stored_category_reads_as_a_known_one_for_either_service(
    category: str, service: str | None
) -> None:
    """(A failure of a service always names it: classify() takes it from the error's type;
    without one, only the categories that concern no service have a reading.)"""
    found = stored_category(category, service)
    service_free = category in SERVICE_FREE
    if service is None and not service_free:
        assert found is C.UNKNOWN
        return
    assert found is not None and found is not C.UNKNOWN, (category, service)
    if service_free:
        assert stored_category(category, "netvisor") is found is stored_category(category, None)
    if service is not None and category in ("connect", "timeout", "service_error"):
        assert found.value.startswith(service), found


def test_a_run_that_carries_its_category_is_read_by_it_not_by_its_text() -> None:
    run = attrs.evolve(
        _run(
            RunStatus.FAILED, "the Netvisor address of this company is not one the operator allows"
        ),
        failure_category="configuration",
        failure_service=None,
    )
    failed = failure_of(run)
    assert failed is not None and failed.category is C.CONFIGURATION
    assert failure_of(attrs.evolve(run, failure_category=None)).category is C.UNKNOWN  # type: ignore[union-attr]
    timed_out = attrs.evolve(run, failure_category="timeout", failure_service="severa")
    assert failure_of(timed_out).category is C.SEVERA_UNREACHABLE  # type: ignore[union-attr]
