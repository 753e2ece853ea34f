"""Severa's error answers: the ``ExceptionModel`` body, and the exception that carries one.

Every failure the document lets an operation answer goes through its ``default`` response,
an ``ExceptionModel``::

    {"error": {"httpStatusCode": 400, "type": "InvalidParameter",
               "details": [{"message": "Name is required.", "url": null,
                            "location": {"type": "RequestBody", "name": "name",
                                         "identifier": null}}],
               "stack": null}}

``type`` is one of the document's ``ExceptionTypeEnum`` values; ``location.type`` one of
``ExceptionLocationTypeEnum``. **Settled:** one detail per problem, in English, naming the
field; ``stack`` is always ``null`` (production does not leak stacks).

The one exception to the ``ExceptionModel`` rule is 404: the document declares
``404 "Resource not found"`` with no content, so :class:`NotFound` answers with an empty body
(an unknown route and an unknown GUID alike).

Status and type used by the sandbox:

=====  ==========================  ==================================================
 400   ``InvalidParameter``         malformed body, field, query parameter, page token
 400   ``InvalidOperation``         well-formed but refused: a duplicate number or code
 401   ``AuthenticationRequired``   token or ``Client_Id`` missing, wrong or expired
 403   ``InsufficientApiScope``     the token lacks the operation's scope
 405   ``InvalidRequest``           a method the route does not serve
 415   ``InvalidRequest``           a body that is not JSON by its content type
 429   ``InvalidRequest``           rate limit (the message real Severa sends)
 5xx   ``InternalSystemError``      injected faults
=====  ==========================  ==================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs

__all__ = [
    "AUTHENTICATION_REQUIRED",
    "INSUFFICIENT_API_SCOPE",
    "INTERNAL_SYSTEM_ERROR",
    "INVALID_OPERATION",
    "INVALID_PARAMETER",
    "INVALID_REQUEST",
    "Detail",
    "LocationType",
    "NotFound",
    "SeveraFailure",
    "exception_body",
    "invalid_operation",
    "invalid_parameters",
]

INTERNAL_SYSTEM_ERROR: Final = "InternalSystemError"
AUTHENTICATION_REQUIRED: Final = "AuthenticationRequired"
INVALID_PARAMETER: Final = "InvalidParameter"
INVALID_OPERATION: Final = "InvalidOperation"
INVALID_REQUEST: Final = "InvalidRequest"
INSUFFICIENT_API_SCOPE: Final = "InsufficientApiScope"

LocationType = Literal["PathParameter", "RequestBody", "RequestHeader", "UriParameter"]


@attrs.frozen
class Detail:
    """One ``ExceptionDetailModel``: a message and where the problem is.

    Attributes:
        message: an English sentence.
        name: the field, parameter or header (``None`` when the problem has no single place).
        location: where ``name`` is.
        identifier: the ``location.identifier`` (unused by the sandbox; kept for the shape).
    """

    message: str
    name: str | None = None
    location: LocationType | None = "RequestBody"
    identifier: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The ``ExceptionDetailModel`` JSON; ``location`` is left out when there is none
        (its schema is a ``$ref``, where ``null`` does not validate - see :mod:`.render`)."""
        shown: dict[str, Any] = {"message": self.message, "url": None}
        if self.location is not None:
            shown["location"] = {
                "type": self.location,
                "name": self.name,
                "identifier": self.identifier,
            }
        return shown


class SeveraFailure(Exception):
    """A refusal the sandbox answers with an ``ExceptionModel``.

    Raised by the registers (and by the test-setup helpers on the organisation, which apply
    the same rules as the API).

    Attributes:
        status: the HTTP status.
        type: the ``ExceptionTypeEnum`` value.
        details: one :class:`Detail` per problem.
        headers: extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        type_: str,
        details: Iterable[Detail],
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.type = type_
        self.details = tuple(details)
        self.headers = dict(headers or {})
        super().__init__(f"{status} {type_}: " + " ".join(d.message for d in self.details))

    def as_json(self) -> dict[str, Any]:
        """The ``ExceptionModel`` body."""
        return exception_body(self.status, self.type, self.details)


class NotFound(Exception):
    """Answered with an empty 404: the document declares "Resource not found" with no body."""


def exception_body(status: int, type_: str, details: Iterable[Detail]) -> dict[str, Any]:
    """An ``ExceptionModel`` JSON object."""
    return {
        "error": {
            "httpStatusCode": status,
            "type": type_,
            "details": [detail.as_json() for detail in details],
            "stack": None,
        }
    }


def invalid_parameters(details: Iterable[Detail]) -> SeveraFailure:
    """400 ``InvalidParameter`` with every problem found."""
    return SeveraFailure(400, INVALID_PARAMETER, details)


def invalid_operation(message: str, name: str | None = None) -> SeveraFailure:
    """400 ``InvalidOperation``: the request is well formed but the data refuses it."""
    return SeveraFailure(400, INVALID_OPERATION, [Detail(message, name)])
