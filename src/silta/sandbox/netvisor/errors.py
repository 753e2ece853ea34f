"""Netvisor's failure categories, and the exception the sandbox raises to answer with one.

Netvisor answers every failure in the same XML shape (netvisor-api.md §5.1)::

    <Root><ResponseStatus>
      <Status>FAILED</Status>
      <Status>CATEGORY :: message</Status>
      <TimeStamp>d.M.yyyy HH:mm:ss</TimeStamp>
    </ResponseStatus></Root>

The message is in the language of ``X-Netvisor-Interface-Language``. The sandbox carries a
Finnish and an English text for every failure. **Settled:** Swedish (``SE``) falls back to the
English text, and a request whose language header is missing or unknown gets the Finnish text
(Netvisor is a Finnish service; such a request fails authentication anyway).

HTTP status (§5.2): 200 for everything unless the request sends
``X-Netvisor-Authentication-UseHTTPResponseStatusCodes: 1``; then :data:`HTTP_STATUS` applies.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AUTHENTICATION_FAILED",
    "CATEGORIES",
    "DUPLICATE_DATA",
    "HTTP_STATUS",
    "INVALID_DATA",
    "INVALID_DATA_SIZE",
    "PERIOD_LOCK",
    "REQUEST_NOT_UNIQUE",
    "SERVICE_ACCESS_ERROR",
    "SYSTEM_MAINTENANCE",
    "TECHNICAL_ERROR",
    "VALIDATION_FAILED_EN",
    "NetvisorFailure",
    "generic_failure",
    "http_status",
    "invalid_data",
    "invalid_size",
]

AUTHENTICATION_FAILED: Final = "AUTHENTICATION_FAILED"
INVALID_DATA: Final = "INVALID_DATA"
INVALID_DATA_SIZE: Final = "INVALID_DATA_SIZE"
DUPLICATE_DATA: Final = "DUPLICATE_DATA"
REQUEST_NOT_UNIQUE: Final = "REQUEST_NOT_UNIQUE"
PERIOD_LOCK: Final = "PERIOD_LOCK"
SERVICE_ACCESS_ERROR: Final = "SERVICE_ACCESS_ERROR"
SYSTEM_MAINTENANCE: Final = "SYSTEM_MAINTENANCE"
TECHNICAL_ERROR: Final = "TECHNICAL_ERROR"

#: Every category Netvisor documents ("Controlling errors", §5.1), spelled as documented.
CATEGORIES: Final = frozenset(
    {
        AUTHENTICATION_FAILED,
        INVALID_DATA,
        INVALID_DATA_SIZE,
        DUPLICATE_DATA,
        REQUEST_NOT_UNIQUE,
        PERIOD_LOCK,
        SERVICE_ACCESS_ERROR,
        SYSTEM_MAINTENANCE,
        TECHNICAL_ERROR,
    }
)

#: Status codes when the client opts in with UseHTTPResponseStatusCodes (§5.2). The doc names
#: 400 invalid data, 401 authentication, 403 access and 500 internal error; the sandbox puts
#: maintenance with the server-side failures and every other category with invalid data.
HTTP_STATUS: Final = {
    AUTHENTICATION_FAILED: 401,
    SERVICE_ACCESS_ERROR: 403,
    TECHNICAL_ERROR: 500,
    SYSTEM_MAINTENANCE: 500,
}

#: Netvisor's own text for a body that does not validate against the DTD (§3, §5.1).
VALIDATION_FAILED_EN: Final = (
    "Data form incorrect:. XML message validation failed: Could not validate xml"
)


def http_status(category: str) -> int:
    """The opt-in HTTP status for a failure category: 400 unless :data:`HTTP_STATUS` says else."""
    return HTTP_STATUS.get(category, 400)


class NetvisorFailure(Exception):
    """Raised anywhere in request handling to answer with a FAILED response.

    Args:
        category: one of :data:`CATEGORIES`.
        message_fi: the Finnish text after ``CATEGORY :: ``.
        message_en: the English text (also used for Swedish).
        detail: optional debugging text for the ``X-Sandbox-Detail`` response header; never
            part of the Netvisor body, so a client cannot come to depend on it.
    """

    def __init__(
        self, category: str, message_fi: str, message_en: str, *, detail: str | None = None
    ) -> None:
        if category not in CATEGORIES:
            raise ValueError(f"unknown Netvisor failure category {category!r}")
        super().__init__(f"{category} :: {message_en}")
        self.category = category
        self.message_fi = message_fi
        self.message_en = message_en
        self.detail = detail

    def message(self, language: str | None) -> str:
        """The message for an ``X-Netvisor-Interface-Language`` value (see module docstring)."""
        if language is not None and language.upper() in {"EN", "SE"}:
            return self.message_en
        return self.message_fi

    def status_text(self, language: str | None) -> str:
        """The second ``Status`` element: ``CATEGORY :: message``."""
        return f"{self.category} :: {self.message(language)}"


def invalid_data(message_fi: str, message_en: str, *, detail: str | None = None) -> NetvisorFailure:
    """An ``INVALID_DATA`` failure in Netvisor's ``Data form incorrect:.`` phrasing."""
    return NetvisorFailure(
        INVALID_DATA,
        f"Tiedon muoto virheellinen:. {message_fi}",
        f"Data form incorrect:. {message_en}",
        detail=detail,
    )


def invalid_size(element: str, allowed: str, length: int) -> NetvisorFailure:
    """``INVALID_DATA_SIZE`` for a value of the wrong length; ``allowed`` reads like ``≤ 50``."""
    return NetvisorFailure(
        INVALID_DATA_SIZE,
        f"Elementin {element} pituus on virheellinen ({length} merkkiä, sallittu {allowed})",
        f"Element {element} has an invalid length ({length} characters, allowed {allowed})",
    )


_GENERIC: Final = {
    AUTHENTICATION_FAILED: (
        "Integraatioavaimet eivät kelpaa. Tarkista käyttäjä- ja kumppanikohtaiset avaimet.",
        "Integration keys are not valid. Please check the keys specific to the user and partner.",
    ),
    INVALID_DATA: ("Tiedon muoto virheellinen:.", "Data form incorrect:."),
    INVALID_DATA_SIZE: ("Tiedon koko virheellinen", "Data size incorrect"),
    DUPLICATE_DATA: (
        "Lähetetty tieto on jo olemassa Netvisorissa",
        "The sent data already exists in Netvisor",
    ),
    REQUEST_NOT_UNIQUE: (
        "Tapahtumatunnus on jo käytetty. Tunnuksen tulee vaihtua jokaisessa pyynnössä.",
        "The transaction ID has already been used. The ID must change in every request.",
    ),
    PERIOD_LOCK: ("Kirjanpitokausi on lukittu", "The accounting period is locked"),
    SERVICE_ACCESS_ERROR: (
        "Ei käyttöoikeutta rajapintaresurssiin",
        "No access rights to the interface resource",
    ),
    SYSTEM_MAINTENANCE: (
        "Järjestelmä on huoltotilassa, yritä myöhemmin uudelleen",
        "The system is under maintenance, please try again later",
    ),
    TECHNICAL_ERROR: (
        "Tekninen virhe, yritä myöhemmin uudelleen",
        "Technical error, please try again later",
    ),
}


def generic_failure(category: str, *, detail: str | None = None) -> NetvisorFailure:
    """The category's plain failure, as injected by :class:`~.faults.Faults`."""
    message_fi, message_en = _GENERIC[category]
    return NetvisorFailure(category, message_fi, message_en, detail=detail)
