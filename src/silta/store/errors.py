"""What can go wrong with the state, as types the caller can act on.

Most are the caller's mistake or the operator's configuration (a name that does not exist, a
changed key): retrying cannot help, so they are not retryable. Only
:class:`StoreUnavailable` (the database cannot be reached, or stayed locked) may pass by
itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from silta.errors import SiltaError

__all__ = [
    "ConfirmationRefused",
    "DuplicateTenant",
    "DuplicateUser",
    "InvitationInvalid",
    "LastKh",
    "LoginThrottled",
    "RunNotRunning",
    "SecretKeyError",
    "StoreError",
    "StoreUnavailable",
    "UnknownRun",
    "UnknownTenant",
    "UnknownUser",
    "WeakPassword",
]

_SHOWN = 10  # names listed in an UnknownTenant message before "… (N in all)"


class StoreError(SiltaError):
    """Base of the state store's errors."""


class StoreUnavailable(StoreError):
    """The database could not be reached, or stayed locked past the busy timeout."""

    retryable: ClassVar[bool] = True


class UnknownTenant(StoreError):
    """No tenant has this name or id. The message lists the names that do exist."""

    def __init__(self, wanted: str | int, known: Sequence[str]) -> None:
        self.wanted = wanted
        self.known = tuple(known)
        what = (
            f"no tenant with id {wanted}"
            if isinstance(wanted, int)
            else f"no tenant called {wanted!r}"
        )
        if not known:
            listed = "there are no tenants yet"
        elif len(known) <= _SHOWN:
            listed = "known: " + ", ".join(known)
        else:
            listed = f"known: {', '.join(known[:_SHOWN])}, … ({len(known)} in all)"
        super().__init__(f"{what}; {listed}")


class DuplicateTenant(StoreError):
    """A tenant with this name exists already (names are unique)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"a tenant called {name!r} exists already")


class UnknownRun(StoreError):
    """No run has this id."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        super().__init__(f"no run with id {run_id}")


class RunNotRunning(StoreError):
    """The run has ended (finished, or declared interrupted by a stale-run check).

    Raised by :meth:`~silta.store.Store.heartbeat` and :meth:`~silta.store.Store.finish_run`
    so that a process whose run was given up for dead stops instead of writing on beside a
    newer run of the same tenant.
    """

    def __init__(self, run_id: int, status: str, error: str | None) -> None:
        self.run_id = run_id
        self.status = status
        reason = f" ({error})" if error else ""
        super().__init__(f"run {run_id} is no longer running: it is {status}{reason}")


class SecretKeyError(StoreError):
    """The secret key is missing, malformed, or does not decrypt what the database holds."""


class UnknownUser(StoreError):
    """No user has this email or id (the message lists no others: emails are personal)."""

    def __init__(self, wanted: str | int) -> None:
        self.wanted = wanted
        what = f"id {wanted}" if isinstance(wanted, int) else f"email {wanted!r}"
        super().__init__(f"no user with {what}")


class DuplicateUser(StoreError):
    """A user with this email exists already (emails are unique, compared lower-cased)."""

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"a user with email {email!r} exists already")


class LoginThrottled(StoreError):
    """Too many failed sign-ins for this email: the password was not even checked.

    ``retry_after`` is how long until the next attempt will be checked. A retry after that
    may succeed, but not a blind retry loop, so the error is not ``retryable``.
    """

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = retry_after
        seconds = max(1, math.ceil(retry_after.total_seconds()))
        unit = "second" if seconds == 1 else "seconds"
        super().__init__(f"too many failed sign-ins; try again in {seconds} {unit}")


class WeakPassword(StoreError):
    """The password is too short to be stored."""

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum
        super().__init__(f"a password must be at least {minimum} characters long")


class TenantBusy(StoreError):
    """Another run of the tenant is going (one company, one run at a time); try later."""

    retryable = True

    def __init__(
        self, tenant_id: int, owner: str, purpose: str, since: datetime, name: str | None = None
    ) -> None:
        self.tenant_id = tenant_id
        self.owner = owner
        self.purpose = purpose
        self.since = since
        who = name or f"tenant {tenant_id}"
        super().__init__(
            f"{who} has a run going ({purpose}, by {owner} since "
            f"{since:%Y-%m-%d %H:%M:%S} UTC); try again when it has finished"
        )


class ConfirmationRefused(StoreError):
    """A held register cannot be confirmed with this preview (or is not held): the message
    says what to do instead, e.g. make a new preview because the settings changed since.

    ``reason`` is one of :data:`REASONS`, for a page to say it in the user's language.
    """

    REASONS: ClassVar[tuple[str, ...]] = ("not_held", "not_preview", "incomplete", "stale")

    def __init__(self, reason: str, message: str) -> None:
        assert reason in self.REASONS, reason
        self.reason = reason
        super().__init__(message)


class InvitationInvalid(StoreError):
    """The invitation link opens nothing: unknown, already used, revoked or expired.

    The four are not told apart (the link's holder learns nothing from which), and the
    error is not worth a retry: only a new invitation helps.
    """

    def __init__(self) -> None:
        super().__init__("this invitation is not valid (used, revoked or expired)")


class LastKh(StoreError):
    """The member is the tenant's last KH: someone must be left to run the company."""

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"{email} is the company's last KH and cannot be removed")
