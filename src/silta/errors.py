"""The root of Silta's exceptions, and what every one of them says: can a retry help?

Recovery intent lives in the exception type, never in message text::

    SiltaError                   retryable: ClassVar[bool]
     ├── OutcomeUnknownError     a write may or may not have happened: look it up first
     ├── netvisor.NetvisorError  (see silta.netvisor.errors)
     └── ...

``retryable`` means "the same request, sent again later, may succeed". It is ``False`` for an
:class:`OutcomeUnknownError`: sending a create again blindly could make a duplicate, so the
caller must find out what happened (look the record up by its natural key) before anything
is re-sent.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["OutcomeUnknownError", "SiltaError"]


class SiltaError(Exception):
    """Base of all Silta errors."""

    retryable: ClassVar[bool] = False
    # The call that failed, in the client's words ("customerlist.nv", "GET /v1/customers"),
    # set by a client as the error leaves it: the log line and the run's failure name it.
    resource: str | None = None


class OutcomeUnknownError(SiltaError):
    """A write was sent but no answer came back: it may have been committed, or not."""

    retryable: ClassVar[bool] = False
