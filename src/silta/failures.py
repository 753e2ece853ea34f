"""Why a run failed, as a category a person can read: "Netvisor ei vastaa (yhteysvirhe)".

A failed run keeps its error text (the detail, in Silta's words) and, since revision 0009,
its category and the service it concerns. The category is what the fleet view, the
notifications, the metrics and the log line say first; the text is one click away. Both
come from the exception's *type*, never from its message: a message can say anything, a
type says what happened.

``CATEGORIES`` is the table, one row per category: whether it is an expected failure of
the world outside (a service down, a network fault: logged as one line, never a traceback)
or a fault of Silta's own, and its Finnish and English text. :func:`classify` maps an
exception to a :class:`Failure`; :func:`describe` renders one in either language.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from typing import Final

import attrs

from silta.errors import OutcomeUnknownError, SiltaError
from silta.netvisor import (
    AuthenticationFailed,
    NetvisorConnectError,
    NetvisorError,
    NetvisorProtocolError,
    NetvisorStatusError,
    NetvisorTimeout,
    NetvisorTransportError,
    ServiceAccessError,
    SystemMaintenance,
)
from silta.severa import (
    AddonMissing,
    InsufficientScope,
    RateLimited,
    SeveraApiError,
    SeveraAuthenticationError,
    SeveraConnectError,
    SeveraError,
    SeveraProtocolError,
    SeveraServerError,
    SeveraTimeout,
    SeveraTransportError,
)

__all__ = [
    "CATEGORIES",
    "CREDENTIAL_ERRORS",
    "Category",
    "Failure",
    "classify",
    "describe",
    "service_of",
]

# The errors no record can get past: the service refused the credentials or access rights.
CREDENTIAL_ERRORS: Final = (
    AuthenticationFailed,
    ServiceAccessError,
    SeveraAuthenticationError,
    InsufficientScope,
    AddonMissing,
)


@attrs.frozen
class Category:
    """One kind of failure. ``expected``: the world outside failed (a service, the network),
    not Silta; such a failure is logged as one classified line, never with a traceback."""

    id: str
    expected: bool
    fi: str
    en: str


# The service's name in the Finnish cases the texts need: nominative, genitive, illative.
_SERVICES: Final[dict[str, tuple[str, str, str]]] = {
    "netvisor": ("Netvisor", "Netvisorin", "Netvisoriin"),
    "severa": ("Severa", "Severan", "Severaan"),
}

_ROWS: Final = (
    # id, expected, Finnish, English ({service}, {gen}, {ill}: the service's name)
    Category("credentials", True,
             "{service} hylkäsi tunnukset tai käyttöoikeudet",
             "{service} refused the credentials or access rights"),
    Category("connect", True,
             "{service} ei vastaa (yhteysvirhe)",
             "{service} does not answer (connection error)"),
    Category("dns", True,
             "{gen} palvelinta ei löydy (nimipalveluvirhe)",
             "{service}'s server cannot be found (DNS error)"),
    Category("tls", True,
             "Suojattu yhteys {ill} epäonnistui (TLS)",
             "The secure connection to {service} failed (TLS)"),
    Category("timeout", True,
             "{service} ei vastannut ajoissa (aikakatkaisu)",
             "{service} did not answer in time (timeout)"),
    Category("network", True,
             "Yhteys {ill} katkesi kesken",
             "The connection to {service} broke off"),
    Category("http_status", True,
             "{service} vastasi virhetilalla (HTTP)",
             "{service} answered with an error status (HTTP)"),
    Category("maintenance", True,
             "{service} on huoltokatkolla",
             "{service} is down for maintenance"),
    Category("rate_limited", True,
             "{service} rajoitti kutsuja (liian monta pyyntöä)",
             "{service} limited the calls (too many requests)"),
    Category("service_error", True,
             "{service} ilmoitti virheestä",
             "{service} reported an error"),
    Category("protocol", True,
             "{gen} vastausta ei voitu lukea",
             "{service}'s answer could not be read"),
    Category("outcome_unknown", True,
             "{gen} vastaus kirjoitukseen jäi saamatta",
             "{service}'s answer to a write never came"),
    Category("records", True,
             "Osa tietueista epäonnistui",
             "Some records failed"),
    Category("configuration", True,
             "Asetukset on korjattava ennen seuraavaa ajoa",
             "The settings must be fixed before the next run"),
    Category("database", True,
             "Siltan tietokanta ei ollut käytettävissä",
             "Silta's database was unavailable"),
    Category("interrupted", True,
             "Ajo keskeytyi ennen kuin se valmistui",
             "The run was stopped before it finished"),
    Category("internal", False,
             "Odottamaton virhe Siltassa (tiedot palvelimen lokissa)",
             "An unexpected fault in Silta (details in the server log)"),
)  # fmt: skip

CATEGORIES: Final[dict[str, Category]] = {row.id: row for row in _ROWS}


@attrs.frozen
class Failure:
    """Why a run (or a call) failed: the category, the service and call when known."""

    category: str = attrs.field(validator=attrs.validators.in_(CATEGORIES))
    service: str | None = None  # "netvisor" / "severa"
    resource: str | None = None  # "customerlist.nv", "GET /v1/customers"
    status: int | None = None  # the HTTP status, when an answer came

    @property
    def expected(self) -> bool:
        return CATEGORIES[self.category].expected

    def describe(self, lang: str = "fi") -> str:
        return describe(self.category, self.service, lang)

    def label(self) -> str:
        """The line a log shows in brackets: ``connect; netvisor productlist.nv``."""
        where = " ".join(part for part in (self.service, self.resource) if part)
        status = f" HTTP {self.status}" if self.status is not None else ""
        return f"{self.category}{status}; {where}" if where else f"{self.category}{status}"


def describe(category: str | None, service: str | None, lang: str = "fi") -> str:
    """The category in plain Finnish (``lang="fi"``) or English; ``""`` for no category.

    An unknown category (a newer version wrote it) reads as the internal fault's text
    rather than failing the page that shows it.
    """
    if not category:
        return ""
    row = CATEGORIES.get(category, CATEGORIES["internal"])
    names = _SERVICES.get(service or "")
    if names is None:  # no service: the texts that need one say "the service"
        names = ("Palvelu", "Palvelun", "palveluun") if lang == "fi" else ("The service",) * 3
    template = row.fi if lang == "fi" else row.en
    text = template.format(service=names[0], gen=names[1], ill=names[2])
    return text[:1].upper() + text[1:]


def service_of(exc: BaseException) -> str | None:
    if isinstance(exc, NetvisorError):
        return "netvisor"
    if isinstance(exc, SeveraError):
        return "severa"
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what it came from. The clients raise their transport errors
    ``from None`` (so a traceback cannot print the other end's words), which hides the cause
    from tracebacks but keeps it as ``__context__``: its type is all that is read here."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _connect_kind(exc: BaseException) -> str:
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLError):
            return "tls"
        if isinstance(cause, socket.gaierror):
            return "dns"
    return "connect"


def _status(exc: BaseException) -> int | None:
    for name in ("status", "http_status"):
        value = getattr(exc, name, None)
        if isinstance(value, int):
            return value
    return None


def _category(exc: BaseException) -> str:
    if isinstance(exc, CREDENTIAL_ERRORS):
        return "credentials"
    if isinstance(exc, OutcomeUnknownError):
        cause = exc.__cause__
        # "no answer to a write" says less than why no answer came (a timeout, a 503)
        if isinstance(cause, SiltaError) and not isinstance(cause, OutcomeUnknownError):
            return _category(cause)
        return "outcome_unknown"
    if isinstance(exc, SystemMaintenance):
        return "maintenance"
    if isinstance(exc, RateLimited) or _status(exc) == 429:
        return "rate_limited"
    if isinstance(exc, NetvisorConnectError | SeveraConnectError):
        return _connect_kind(exc)
    if isinstance(exc, NetvisorTimeout | SeveraTimeout):
        return "timeout"
    if isinstance(exc, NetvisorTransportError | SeveraTransportError | SeveraServerError):
        return "http_status" if _status(exc) is not None else "network"
    if isinstance(exc, NetvisorProtocolError | SeveraProtocolError):
        return "protocol"
    if isinstance(exc, NetvisorStatusError | SeveraApiError):
        return "service_error"
    if _is_store_error(exc):
        return "database"
    return "internal"


def _is_store_error(exc: BaseException) -> bool:
    from silta.store import StoreError  # the store imports nothing of this module

    return isinstance(exc, StoreError)


def classify(exc: BaseException) -> Failure:
    """The failure ``exc`` stands for; anything Silta does not know is ``internal``."""
    origin = exc.__cause__ if isinstance(exc, OutcomeUnknownError) else None
    status = _status(exc)
    if status is None and origin is not None:
        status = _status(origin)
    resource = getattr(exc, "resource", None)
    return Failure(
        category=_category(exc),
        service=service_of(exc),
        resource=resource if isinstance(resource, str) else None,
        status=status,
    )
