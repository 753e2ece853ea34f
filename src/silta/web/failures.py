"""Why a run failed, in words an operator reads at a glance: one category per kind of trouble.

A failed run's ``error`` is Silta's own text (``NetvisorConnectError: productlist.nv: cannot
connect (...)``): exact, and what the run's page shows one click away, but not what a list
of 200 companies should say. :func:`failure_of` puts every failed or interrupted run in one
:class:`FailureCategory`, which the pages show in Finnish or English ("Netvisor ei vastaa").

**This is the one seam.** A run that failed since revision 0009 carries the engine's own
classification (:mod:`silta.failures`: the category and the service), which
:func:`failure_of` maps onto these categories. An older run's category is read from its
error text: from the exception type its text starts with (the engine writes
``Type: message``, see :func:`silta.sync.engine._message`) and from the engine's own
sentences.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Final

import attrs

from silta.domain import RunStatus
from silta.errors import SiltaError
from silta.netvisor.errors import (
    NetvisorError,
    NetvisorHttpRejected,
    NetvisorOutcomeUnknown,
    NetvisorTransportError,
    SystemMaintenance,
)
from silta.severa.errors import (
    RateLimited,
    SeveraError,
    SeveraOutcomeUnknown,
    SeveraServerError,
    SeveraTransportError,
)
from silta.store import RunRecord, StoreError
from silta.sync.engine import CREDENTIALS_REFUSED

__all__ = ["Failure", "FailureCategory", "category_of", "failure_of", "stored_category"]


class FailureCategory(enum.StrEnum):
    CREDENTIALS = "credentials"  # the credentials or access rights were refused
    NETVISOR_UNREACHABLE = "netvisor_unreachable"  # no connection, no answer in time
    NETVISOR_MAINTENANCE = "netvisor_maintenance"
    NETVISOR_ERROR = "netvisor_error"  # Netvisor answered, refusing or failing
    SEVERA_UNREACHABLE = "severa_unreachable"
    SEVERA_RATE_LIMITED = "severa_rate_limited"
    SEVERA_ERROR = "severa_error"
    RECORDS_FAILED = "records_failed"  # some records could not be written; the rest were
    CONFIGURATION = "configuration"  # the settings must change first (an address not allowed)
    INTERRUPTED = "interrupted"  # the process stopped or died while the run went on
    DATABASE = "database"  # Silta's own database was unavailable
    INTERNAL = "internal"  # a fault of Silta's own (details in the server log)
    UNKNOWN = "unknown"


@attrs.frozen
class Failure:
    """A failed run's category, and its error text for the details (Silta's own words)."""

    category: FailureCategory
    detail: str


def _subclasses(root: type[BaseException]) -> list[type[BaseException]]:
    found, todo = [], [root]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


# exception types, most specific first: the first row whose type is the error's or one of
# its bases decides
_BY_TYPE: Final[tuple[tuple[type[BaseException], FailureCategory], ...]] = (
    (SystemMaintenance, FailureCategory.NETVISOR_MAINTENANCE),
    (NetvisorHttpRejected, FailureCategory.NETVISOR_ERROR),
    (NetvisorTransportError, FailureCategory.NETVISOR_UNREACHABLE),
    (NetvisorOutcomeUnknown, FailureCategory.NETVISOR_UNREACHABLE),
    (NetvisorError, FailureCategory.NETVISOR_ERROR),
    (RateLimited, FailureCategory.SEVERA_RATE_LIMITED),
    (SeveraTransportError, FailureCategory.SEVERA_UNREACHABLE),
    (SeveraOutcomeUnknown, FailureCategory.SEVERA_UNREACHABLE),
    (SeveraServerError, FailureCategory.SEVERA_ERROR),
    (SeveraError, FailureCategory.SEVERA_ERROR),
    (StoreError, FailureCategory.DATABASE),
)


def _type_table() -> dict[str, FailureCategory]:
    """Every exception type Silta raises, by the name an error text starts with."""
    table: dict[str, FailureCategory] = {}
    for kind in _subclasses(SiltaError):
        for base, category in _BY_TYPE:
            if issubclass(kind, base):
                table.setdefault(kind.__name__, category)
                break
    return table


_TYPES: Final = _type_table()
_LEADING_TYPE = re.compile(r"^([A-Z]\w+): ")
# a transport failure's text when the engine quotes it without its type ("stopped after 5
# failures in a row (productlist.nv: cannot connect (...))"): which service, and whether
# it answered at all
_NO_ANSWER = re.compile(
    r"cannot connect|no answer within|connection failed|time limit|connection broke"
)
_NETVISOR_RESOURCE = re.compile(r"\b\w+\.nv\b")
_SEVERA_RESOURCE = re.compile(r"/v1/")

# the engine's and the store's own sentences (silta.sync.engine, silta.store), in order
_SENTENCES: Final[tuple[tuple[Callable[[str], bool], FailureCategory], ...]] = (
    (lambda text: text.startswith(CREDENTIALS_REFUSED), FailureCategory.CREDENTIALS),
    (lambda text: text.startswith("interrupted"), FailureCategory.INTERRUPTED),
    (lambda text: text.startswith("the run was stopped"), FailureCategory.INTERRUPTED),
    (lambda text: text.startswith("the run was given up"), FailureCategory.INTERRUPTED),
    (lambda text: "an unexpected fault in Silta" in text, FailureCategory.INTERNAL),
)


def _quoted(text: str) -> FailureCategory | None:
    """The category of a transport failure quoted without its type."""
    if not _NO_ANSWER.search(text):
        return None
    if _NETVISOR_RESOURCE.search(text):
        return FailureCategory.NETVISOR_UNREACHABLE
    if _SEVERA_RESOURCE.search(text):
        return FailureCategory.SEVERA_UNREACHABLE
    return None


def category_of(status: RunStatus, error: str | None) -> FailureCategory:
    """The category of a run that ended ``status`` with ``error`` (read from the text)."""
    text = (error or "").strip()
    for matches, category in _SENTENCES:
        if matches(text):
            return category
    leading = _LEADING_TYPE.match(text)
    if leading and leading.group(1) in _TYPES:
        return _TYPES[leading.group(1)]
    if text.startswith("stopped after"):  # the service failed again and again
        return _quoted(text) or FailureCategory.RECORDS_FAILED
    if "record(s) failed" in text:
        return FailureCategory.RECORDS_FAILED
    if status is RunStatus.INTERRUPTED:
        return FailureCategory.INTERRUPTED
    return _quoted(text) or FailureCategory.UNKNOWN


# silta.failures' category ids -> these, per service (None: the run named no service)
_UNREACHABLE: Final[dict[str | None, FailureCategory]] = {
    "netvisor": FailureCategory.NETVISOR_UNREACHABLE,
    "severa": FailureCategory.SEVERA_UNREACHABLE,
}
_ANSWERED: Final[dict[str | None, FailureCategory]] = {
    "netvisor": FailureCategory.NETVISOR_ERROR,
    "severa": FailureCategory.SEVERA_ERROR,
}
_STORED: Final[dict[str, dict[str | None, FailureCategory]]] = {
    "credentials": {None: FailureCategory.CREDENTIALS},
    "connect": _UNREACHABLE,
    "dns": _UNREACHABLE,
    "tls": _UNREACHABLE,
    "timeout": _UNREACHABLE,
    "network": _UNREACHABLE,
    "outcome_unknown": _UNREACHABLE,
    "maintenance": {
        "netvisor": FailureCategory.NETVISOR_MAINTENANCE,
        "severa": _ANSWERED["severa"],
    },
    "rate_limited": {
        "severa": FailureCategory.SEVERA_RATE_LIMITED,
        "netvisor": _ANSWERED["netvisor"],
    },
    "http_status": _ANSWERED,
    "service_error": _ANSWERED,
    "protocol": _ANSWERED,
    "records": {None: FailureCategory.RECORDS_FAILED},
    "configuration": {None: FailureCategory.CONFIGURATION},
    "database": {None: FailureCategory.DATABASE},
    "interrupted": {None: FailureCategory.INTERRUPTED},
    "internal": {None: FailureCategory.INTERNAL},
}


def stored_category(category: str | None, service: str | None) -> FailureCategory | None:
    """The engine's stored classification in these terms; ``None`` when there is none."""
    by_service = _STORED.get(category or "")
    if by_service is None:
        return None
    return by_service.get(service, by_service.get(None, FailureCategory.UNKNOWN))


def failure_of(run: RunRecord) -> Failure | None:
    """Why ``run`` failed, or ``None`` when it did not (completed, or still running)."""
    if run.status not in (RunStatus.FAILED, RunStatus.INTERRUPTED):
        return None
    category = stored_category(run.failure_category, run.failure_service)
    if category is None:  # a run from before the engine stored its classification
        category = category_of(run.status, run.error)
    return Failure(category, run.error or "")
