"""Netvisor errors, one type per category, each saying whether a retry can help.

::

    NetvisorError (SiltaError)
     ├── NetvisorRequestError        we refused to send: the data cannot be written as asked
     ├── NetvisorTransportError      no usable answer (connection, HTML error page)  retryable
     │    ├── NetvisorConnectError   the request never left: nothing was written    retryable
     │    ├── NetvisorTimeout        a read took longer than the timeout            retryable
     │    └── NetvisorHttpRejected   a non-XML 4xx, or any redirect (never followed)
     ├── NetvisorOutcomeUnknown      a write got no answer: it may exist (also OutcomeUnknownError)
     ├── NetvisorProtocolError       an answer we cannot read: malformed XML, no ResponseStatus
     │    ├── UnsafeXmlError         a DTD or entity declaration: refused, never expanded
     │    └── ResponseTooLargeError  the body passed the configured size limit
     └── NetvisorStatusError         Netvisor answered FAILED with ``CATEGORY :: message``
          ├── AuthenticationFailed, InvalidData (└── NotFound), InvalidDataSize,
          │   DuplicateData, PeriodLock, ServiceAccessError
          ├── RequestNotUnique, SystemMaintenance, TechnicalError            retryable
          └── UnknownNetvisorError   a category this client does not know

``retryable`` says whether the same request, sent again later, may succeed. A category this
client has never heard of is not retryable: Netvisor has no idempotency key, so guessing wrong
the other way could repeat a write.
"""

from __future__ import annotations

from typing import ClassVar

from silta.errors import OutcomeUnknownError, SiltaError

__all__ = [
    "CATEGORIES",
    "AuthenticationFailed",
    "DuplicateData",
    "InvalidData",
    "InvalidDataSize",
    "NetvisorConnectError",
    "NetvisorError",
    "NetvisorHttpRejected",
    "NetvisorOutcomeUnknown",
    "NetvisorProtocolError",
    "NetvisorRequestError",
    "NetvisorStatusError",
    "NetvisorTimeout",
    "NetvisorTransportError",
    "NotFound",
    "PeriodLock",
    "RequestNotUnique",
    "ResponseTooLargeError",
    "ServiceAccessError",
    "SystemMaintenance",
    "TechnicalError",
    "UnknownNetvisorError",
    "UnsafeXmlError",
    "status_error",
]


class NetvisorError(SiltaError):
    """Base of every error raised by :mod:`silta.netvisor`."""


class NetvisorRequestError(NetvisorError, ValueError):
    """The caller asked for something the API cannot take; nothing was sent.

    Examples: a name longer than the element allows, a character XML 1.0 cannot carry, a
    customer code containing the comma that separates ``customercodelist`` entries.
    """


class NetvisorTransportError(NetvisorError):
    """No usable answer: the connection failed, or the body was not Netvisor's XML.

    ``status`` is the HTTP status when there was a response. The message describes a body
    that was not Netvisor's XML (an HTML page, XML without ResponseStatus) and never quotes
    it: whatever answered may be a proxy, or an endpoint that wants its words on our pages.
    """

    retryable: ClassVar[bool] = True

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NetvisorConnectError(NetvisorTransportError):
    """No connection could be made, so the request was never sent."""


class NetvisorTimeout(NetvisorTransportError):
    """A read got no answer within the timeout."""


class NetvisorHttpRejected(NetvisorTransportError):
    """A 4xx answer that is not Netvisor's XML (something in between refused the request),
    or a redirect, which Silta never follows: it would carry the request to another host.

    The same request would be refused again, so a retry does not help.
    """

    retryable: ClassVar[bool] = False


class NetvisorOutcomeUnknown(NetvisorError, OutcomeUnknownError):
    """A write was sent and no answer came: Netvisor may have committed it.

    Never re-send blindly: a repeated ``method=add`` makes a duplicate. Look the record up by
    its natural key first (customer code, product code, dimension item name).
    """

    def __init__(self, message: str, *, resource: str) -> None:
        super().__init__(message)
        self.resource = resource


class NetvisorProtocolError(NetvisorError):
    """The body could not be read as a Netvisor answer."""


class UnsafeXmlError(NetvisorProtocolError):
    """The body declared a DTD or entities; they are refused before anything is expanded."""


class ResponseTooLargeError(NetvisorProtocolError):
    """The body grew past the configured limit and was cut off."""


class NetvisorStatusError(NetvisorError):
    """Netvisor answered ``FAILED``. ``category`` and ``detail`` are its own words."""

    category: ClassVar[str] = ""

    def __init__(
        self, detail: str, *, category: str | None = None, http_status: int | None = None
    ) -> None:
        self.detail = detail
        self.reported_category = category or type(self).category
        self.http_status = http_status
        super().__init__(
            f"{self.reported_category} :: {detail}" if detail else self.reported_category
        )


class AuthenticationFailed(NetvisorStatusError):
    """Credentials, headers or MAC were wrong (also a clock too far from Netvisor's)."""

    category = "AUTHENTICATION_FAILED"


class InvalidData(NetvisorStatusError):
    """The data was refused: XML not valid against the DTD, unknown id, unknown operator."""

    category = "INVALID_DATA"


class NotFound(InvalidData):
    """The record asked for does not exist (Netvisor reports this as INVALID_DATA)."""


class InvalidDataSize(NetvisorStatusError):
    """A value or a list was too long."""

    category = "INVALID_DATA_SIZE"


class DuplicateData(NetvisorStatusError):
    """The data already exists in Netvisor."""

    category = "DUPLICATE_DATA"


class RequestNotUnique(NetvisorStatusError):
    """The TransactionId was used before. Nothing was done; a new request may succeed."""

    category = "REQUEST_NOT_UNIQUE"
    retryable = True


class PeriodLock(NetvisorStatusError):
    """The accounting period is locked."""

    category = "PERIOD_LOCK"


class ServiceAccessError(NetvisorStatusError):
    """The resource is not allowed for this API user, or the function is not in use."""

    category = "SERVICE_ACCESS_ERROR"


class SystemMaintenance(NetvisorStatusError):
    """Netvisor is in maintenance and serves no requests."""

    category = "SYSTEM_MAINTENANCE"
    retryable = True


class TechnicalError(NetvisorStatusError):
    """A fault on Netvisor's side, including its answer to overlapping requests."""

    category = "TECHNICAL_ERROR"
    retryable = True


class UnknownNetvisorError(NetvisorStatusError):
    """A category this client does not know; kept verbatim in ``reported_category``."""


CATEGORIES: dict[str, type[NetvisorStatusError]] = {
    cls.category: cls
    for cls in (
        AuthenticationFailed,
        InvalidData,
        InvalidDataSize,
        DuplicateData,
        RequestNotUnique,
        PeriodLock,
        ServiceAccessError,
        SystemMaintenance,
        TechnicalError,
    )
}
# The misspelling both Python clients carry; harmless to understand if Netvisor ever sends it.
CATEGORIES["SYSTEM_MAINTANANCE"] = SystemMaintenance


# "not found" in the interface languages EN, FI and SE.
_NOT_FOUND_MARKERS = ("not found", "ei löydy", "ei löytynyt", "hittades inte")


def status_error(text: str, *, http_status: int | None = None) -> NetvisorStatusError:
    """The exception for a ``Status`` text such as ``INVALID_DATA :: Customer not found …``.

    Only the first ``" :: "`` separates the category: Netvisor's messages may contain more.
    """
    category, sep, detail = text.partition("::")
    category = category.strip()
    if not sep:
        # No category at all: keep the whole text as the detail.
        return UnknownNetvisorError(text.strip(), category="UNKNOWN", http_status=http_status)
    detail = detail.strip()
    cls = CATEGORIES.get(category.upper())
    if cls is InvalidData and any(marker in detail.lower() for marker in _NOT_FOUND_MARKERS):
        cls = NotFound
    if cls is None:
        return UnknownNetvisorError(detail, category=category, http_status=http_status)
    return cls(detail, category=category, http_status=http_status)
