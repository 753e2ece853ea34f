"""Severa errors: one type per kind of failure, each saying whether a retry can help.

::

    SeveraError (SiltaError)
     ├── SeveraRequestError          we refused to send (e.g. a naive changed_since)
     ├── SeveraTransportError        no usable answer: connection, non-JSON 5xx page   retryable
     │    ├── SeveraConnectError     the request never left: nothing was written       retryable
     │    ├── SeveraTimeout          no answer within the timeout                      retryable
     │    └── SeveraRedirected       a 3xx: never followed, never retried
     ├── SeveraOutcomeUnknown        a write got no usable answer: it may exist
     ├── SeveraProtocolError         an answer we cannot read (bad JSON, wrong shape)
     │    └── SeveraResponseTooLargeError  the body passed the configured size limit
     └── SeveraApiError              Severa answered with an error status and ExceptionModel
          ├── SeveraValidationError  400: the data was refused (Severa says what and where)
          ├── SeveraAuthenticationError  401: credentials rejected, token invalid
          ├── InsufficientScope      403 InsufficientApiScope: the credential lacks a scope
          ├── AddonMissing           403 AddonMissing / FeatureIsNotEnabled: REST API add-on off
          ├── SeveraPermissionDenied 403 otherwise
          ├── SeveraNotFound         404
          ├── RateLimited            429                                               retryable
          └── SeveraServerError      5xx                                               retryable

Severa's error body is ``{"error": {"httpStatusCode", "type", "details": [{"message",
"location": {"type", "name"}}]}}``. The message a user sees is Severa's own detail text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs

from silta.errors import OutcomeUnknownError, SiltaError

__all__ = [
    "AddonMissing",
    "ErrorDetail",
    "InsufficientScope",
    "RateLimited",
    "SeveraApiError",
    "SeveraAuthenticationError",
    "SeveraConnectError",
    "SeveraError",
    "SeveraNotFound",
    "SeveraOutcomeUnknown",
    "SeveraPermissionDenied",
    "SeveraProtocolError",
    "SeveraRedirected",
    "SeveraRequestError",
    "SeveraResponseTooLargeError",
    "SeveraServerError",
    "SeveraTimeout",
    "SeveraTransportError",
    "SeveraValidationError",
    "api_error",
]


class SeveraError(SiltaError):
    """Base of every error raised by :mod:`silta.severa`."""


class SeveraRequestError(SeveraError, ValueError):
    """The caller asked for something that cannot be sent; nothing was sent."""


class SeveraTransportError(SeveraError):
    """No usable answer: the connection failed, or a 5xx came without Severa's JSON."""

    retryable: ClassVar[bool] = True

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SeveraConnectError(SeveraTransportError):
    """No connection could be made, so the request was never sent."""


class SeveraTimeout(SeveraTransportError):
    """No answer within the timeout."""


class SeveraRedirected(SeveraTransportError):
    """A redirect, which Silta never follows: it would carry the token, or the client secret,
    to a host the operator has not allowed. Sent again, it would redirect again."""

    retryable: ClassVar[bool] = False


class SeveraOutcomeUnknown(SeveraError, OutcomeUnknownError):
    """A write was sent and no usable answer came: Severa may have committed it.

    Never re-send blindly: a repeated POST makes a duplicate. Look the record up by its
    natural key (customer number, product code) first.
    """

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.resource = f"{method} {path}"


class SeveraProtocolError(SeveraError):
    """The body could not be read as the answer the document promises."""


class SeveraResponseTooLargeError(SeveraProtocolError):
    """The body grew past the configured limit and was cut off."""


@attrs.frozen
class ErrorDetail:
    """One ``details[]`` entry of Severa's ExceptionModel."""

    message: str
    location_type: str | None = None
    location_name: str | None = None


class SeveraApiError(SeveraError):
    """Severa answered with an error status. ``details`` are its own words."""

    def __init__(
        self,
        *,
        status: int,
        error_type: str | None,
        details: Sequence[ErrorDetail] = (),
        method: str = "",
        path: str = "",
    ) -> None:
        self.status = status
        self.error_type = error_type
        self.details = tuple(details)
        self.method = method
        self.path = path
        super().__init__(self.user_message)

    @property
    def user_message(self) -> str:
        """Severa's detail texts, or the error type and status when it gave none."""
        texts = [d.message for d in self.details if d.message]
        if texts:
            return "; ".join(texts)
        return f"{self.error_type or 'HTTP error'} (HTTP {self.status})"


class SeveraValidationError(SeveraApiError):
    """400: Severa refused the data; ``details`` name the fields."""


class SeveraAuthenticationError(SeveraApiError):
    """401: the client id or secret was rejected, or a fresh token was refused again."""


class InsufficientScope(SeveraApiError):
    """403 InsufficientApiScope: tick the missing scope on the credential in Severa."""


class AddonMissing(SeveraApiError):
    """403: the organisation lacks the REST API add-on or the feature is off."""


class SeveraPermissionDenied(SeveraApiError):
    """403 for another reason (permissions, trial, terms of service)."""


class SeveraNotFound(SeveraApiError):
    """404: no such record."""


class RateLimited(SeveraApiError):
    """429: over Severa's request quota; waiting helps."""

    retryable: ClassVar[bool] = True

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class SeveraServerError(SeveraApiError):
    """5xx with Severa's error body."""

    retryable: ClassVar[bool] = True


_ADDON_TYPES = frozenset(
    {"AddonMissing", "FeatureIsNotEnabled", "AddonMissingTermsOfServiceApproval"}
)


# ExceptionTypeEnum of Severa's document (and ExcludedFromTrial, reference section 8.2).
EXCEPTION_TYPES = frozenset(
    {
        "InternalSystemError", "AuthenticationRequired", "AddonMissing", "FeatureIsNotEnabled",
        "InvalidParameter", "InvalidOperation", "InvalidRequest", "InsufficientApiScope",
        "InvalidApiVersion", "ConfigurationError", "UserLicenseType", "TermsOfServiceNotApproved",
        "HttpsRequired", "OrganizationNotActive", "PermissionDenied", "TrialExpired",
        "NotAvailableInTrial", "InvalidRecaptcha", "AddonMissingTermsOfServiceApproval",
        "ExcludedFromTrial",
    }
)  # fmt: skip


def _exception_model(body: object) -> Mapping[str, Any] | None:
    """The ``error`` of a body that parses as Severa's ExceptionModel; ``None`` otherwise.

    Only then are its texts Severa's words, fit to show: anything else at the base URL (a
    proxy's JSON, a hostile endpoint's) is described by Silta and never quoted. The shape
    is the document's: ``error`` an object with at least one of ``type``, ``details`` and
    ``httpStatusCode``, each of its type when present; keys the document does not name are
    tolerated.
    """
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if not isinstance(error, Mapping) or not ({"type", "details", "httpStatusCode"} & set(error)):
        return None
    status = error.get("httpStatusCode")
    listed = error.get("details")
    if not (
        isinstance(error.get("type"), str | None)
        and (status is None or (isinstance(status, int) and not isinstance(status, bool)))
        and isinstance(listed, list | None)
        and all(
            isinstance(item, Mapping)
            and isinstance(item.get("message"), str | None)
            and isinstance(item.get("location"), Mapping | None)
            for item in listed or ()
        )
    ):
        return None
    return error


def _details(body: object) -> tuple[str | None, list[ErrorDetail]]:
    """The error type and details of an ExceptionModel body; nothing from any other body.

    A type the document does not list is left out (a new one reads as "HTTP error" with
    Severa's detail texts), so that no string but a known name comes from ``type``.
    """
    error = _exception_model(body)
    if error is None:
        return None, []
    error_type = error.get("type") if error.get("type") in EXCEPTION_TYPES else None
    details = []
    for item in error.get("details") or ():
        location = item.get("location") or {}
        details.append(
            ErrorDetail(
                message=item.get("message") or "",
                location_type=_text(location.get("type")),
                location_name=_text(location.get("name")),
            )
        )
    return error_type, details


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def api_error(
    status: int,
    body: object,
    *,
    method: str = "",
    path: str = "",
    retry_after: float | None = None,
) -> SeveraApiError:
    """The exception for an error answer: by Severa's error type where it is telling, else
    by HTTP status."""
    error_type, details = _details(body)
    common: dict[str, Any] = {
        "status": status,
        "error_type": error_type,
        "details": details,
        "method": method,
        "path": path,
    }
    cls: type[SeveraApiError]
    if status == 429:
        return RateLimited(retry_after=retry_after, **common)
    if status == 401 or error_type == "AuthenticationRequired":
        cls = SeveraAuthenticationError
    elif error_type == "InsufficientApiScope":
        cls = InsufficientScope
    elif error_type in _ADDON_TYPES:
        cls = AddonMissing
    elif status == 403:
        cls = SeveraPermissionDenied
    elif status == 404:
        cls = SeveraNotFound
    elif status >= 500:
        cls = SeveraServerError
    else:
        cls = SeveraValidationError
    return cls(**common)
