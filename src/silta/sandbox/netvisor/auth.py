"""Netvisor authentication (netvisor-api.md §2), verified by the sandbox's own implementation.

A request carries ten headers; the MAC is lower-case hex HMAC-SHA256 with the key
``customerKey&partnerKey`` over::

    url&sender&customerId&timestamp&language&organisationId&transactionId&timestampUnix
        &customerKey&partnerKey

each string encoded as ISO-8859-15 (the official page's rule; characters it cannot encode
become ``?``, as .NET's encoder would make them). ``url`` is the URL exactly as it went over
the wire: ``scheme://<Host header><raw path>?<raw query>``, the ``?`` omitted when there is no
query. The raw path includes any mount prefix, so a client must sign the URL it really
requests.

Refusals, all ``AUTHENTICATION_FAILED`` except the last:

* a header missing or empty; an interface language other than FI, EN, SE;
* ``MACHashCalculationAlgorithm`` other than ``HMACSHA256`` (the legacy ``MD5`` and ``SHA256``
  are refused: Netvisor announced their removal and Silta signs with HMAC only);
* an unknown partner id, an unknown customer id, or a customer id issued for another partner;
* a wrong MAC - the message imitates Netvisor's debugging aid (§2.4) and states the string the
  MAC should have been computed over, **with both keys replaced by placeholders**;
* ``TimestampUnix`` further than ``max_clock_skew`` from the sandbox clock;
* an organisation the customer id has no access to;
* ``REQUEST_NOT_UNIQUE``: a TransactionId this partner has used before (uniqueness is per
  PartnerId, as the reference's research note says). Only authenticated requests consume one.

Header values are read as UTF-8, falling back to ISO-8859-15 for bytes that are not UTF-8, so
a Sender with Ä/Ö works whichever of the two a client puts on the wire.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Final
from urllib.parse import quote

import attrs

from .errors import AUTHENTICATION_FAILED, REQUEST_NOT_UNIQUE, NetvisorFailure
from .values import Clock

__all__ = [
    "CUSTOMER_KEY_PLACEHOLDER",
    "PARTNER_KEY_PLACEHOLDER",
    "Authenticated",
    "Authenticator",
    "Integration",
    "compute_mac",
    "mac_input",
    "read_headers",
    "request_url",
]

SENDER: Final = "x-netvisor-authentication-sender"
CUSTOMER_ID: Final = "x-netvisor-authentication-customerid"
PARTNER_ID: Final = "x-netvisor-authentication-partnerid"
TIMESTAMP: Final = "x-netvisor-authentication-timestamp"
TIMESTAMP_UNIX: Final = "x-netvisor-authentication-timestampunix"
TRANSACTION_ID: Final = "x-netvisor-authentication-transactionid"
MAC: Final = "x-netvisor-authentication-mac"
ALGORITHM: Final = "x-netvisor-authentication-machashcalculationalgorithm"
LANGUAGE: Final = "x-netvisor-interface-language"
ORGANISATION_ID: Final = "x-netvisor-organisation-id"
USE_HTTP_STATUS: Final = "x-netvisor-authentication-usehttpresponsestatuscodes"

REQUIRED_HEADERS: Final = (
    SENDER,
    CUSTOMER_ID,
    PARTNER_ID,
    TIMESTAMP,
    TIMESTAMP_UNIX,
    TRANSACTION_ID,
    MAC,
    ALGORITHM,
    LANGUAGE,
    ORGANISATION_ID,
)
LANGUAGES: Final = frozenset({"FI", "EN", "SE"})

CUSTOMER_KEY_PLACEHOLDER: Final = "YOUR_CUSTOMER_KEY_HERE"
PARTNER_KEY_PLACEHOLDER: Final = "YOUR_PARTNER_KEY_HERE"


def _tuple_of_str(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class Integration:
    """One API user of one partner, and the organisations that user may reach.

    Netvisor issues the customer id and key to a user of the company for one integration
    partner; the partner id and key come from Netvisor to the partner.
    """

    partner_id: str
    partner_key: str = attrs.field(repr=False)
    customer_id: str
    customer_key: str = attrs.field(repr=False)
    organisation_ids: tuple[str, ...] = attrs.field(converter=_tuple_of_str, default=())


@attrs.frozen
class Authenticated:
    """A request that passed authentication."""

    integration: Integration
    organisation_id: str
    language: str
    transaction_id: str


def read_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI header pairs as ``{lower-case name: value}`` (see module docstring on encoding)."""
    headers: dict[str, str] = {}
    for name, value in raw:
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("iso-8859-15")
        headers.setdefault(name.decode("latin-1").lower(), text)
    return headers


def request_url(scope: Mapping[str, object], headers: Mapping[str, str]) -> str:
    """The URL exactly as the client sent it: ``scheme://host/raw/path?raw-query``."""
    scheme = str(scope.get("scheme", "http"))
    host = headers.get("host")
    if not host:
        server = scope.get("server")
        host = f"{server[0]}:{server[1]}" if isinstance(server, tuple) else "localhost"
    raw_path = scope.get("raw_path")
    if isinstance(raw_path, bytes) and raw_path:
        # ASGI says raw_path has no query string; split anyway in case a server keeps it.
        path = raw_path.split(b"?", 1)[0].decode("latin-1")
    else:
        path = quote(str(scope.get("path", "/")))
    query = scope.get("query_string", b"")
    query_text = query.decode("latin-1") if isinstance(query, bytes) else ""
    return f"{scheme}://{host}{path}" + (f"?{query_text}" if query_text else "")


def mac_input(
    *,
    url: str,
    sender: str,
    customer_id: str,
    timestamp: str,
    language: str,
    organisation_id: str,
    transaction_id: str,
    timestamp_unix: str,
    customer_key: str,
    partner_key: str,
) -> str:
    """The string the HMACSHA256 MAC is computed over (§2.3)."""
    return "&".join(
        (
            url,
            sender,
            customer_id,
            timestamp,
            language,
            organisation_id,
            transaction_id,
            timestamp_unix,
            customer_key,
            partner_key,
        )
    )


def _encode(text: str) -> bytes:
    return text.encode("iso-8859-15", errors="replace")


def compute_mac(message: str, customer_key: str, partner_key: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` with key ``customerKey&partnerKey``."""
    key = _encode(f"{customer_key}&{partner_key}")
    return hmac.new(key, _encode(message), hashlib.sha256).hexdigest()


def _failed(message_fi: str, message_en: str, detail: str | None = None) -> NetvisorFailure:
    return NetvisorFailure(AUTHENTICATION_FAILED, message_fi, message_en, detail=detail)


class Authenticator:
    """Knows the integrations; checks a request's headers and remembers TransactionIds."""

    def __init__(self, clock: Clock, max_clock_skew: timedelta) -> None:
        self._clock = clock
        self._max_skew = max_clock_skew
        self._partner_keys: dict[str, str] = {}
        self._integrations: dict[str, Integration] = {}  # by customer id
        self._transactions: dict[str, set[str]] = {}  # by partner id

    def register(self, integration: Integration) -> None:
        """Add an integration; a partner id keeps one key, a customer id one integration."""
        known_partner_key = self._partner_keys.get(integration.partner_id)
        if known_partner_key is not None and known_partner_key != integration.partner_key:
            raise ValueError(f"partner {integration.partner_id!r} is known with another key")
        known = self._integrations.get(integration.customer_id)
        if known is not None:
            if attrs.evolve(known, organisation_ids=()) != attrs.evolve(
                integration, organisation_ids=()
            ):
                raise ValueError(f"customer id {integration.customer_id!r} is known otherwise")
            merged = (*known.organisation_ids, *integration.organisation_ids)
            integration = attrs.evolve(integration, organisation_ids=tuple(dict.fromkeys(merged)))
        self._partner_keys[integration.partner_id] = integration.partner_key
        self._integrations[integration.customer_id] = integration

    def forget_transactions(self) -> None:
        """Forget every TransactionId seen (a test convenience; Netvisor never forgets)."""
        self._transactions.clear()

    def authenticate(self, headers: Mapping[str, str], url: str) -> Authenticated:
        """Check every rule in the module docstring, in that order.

        Raises:
            NetvisorFailure: ``AUTHENTICATION_FAILED`` or ``REQUEST_NOT_UNIQUE``.
        """
        for name in REQUIRED_HEADERS:
            if not headers.get(name, "").strip():
                raise _failed(
                    f"Pakollinen HTTP-otsikko puuttuu: {name}",
                    f"Required HTTP header is missing: {name}",
                )
        language = headers[LANGUAGE].strip().upper()
        if language not in LANGUAGES:
            raise _failed(
                f"Tuntematon rajapinnan kieli: {headers[LANGUAGE]} (FI, EN tai SE)",
                f"Unknown interface language: {headers[LANGUAGE]} (FI, EN or SE)",
            )
        algorithm = headers[ALGORITHM].strip()
        if algorithm.upper() != "HMACSHA256":
            raise _failed(
                f"MAC-laskentatapaa {algorithm} ei tueta; käytä HMACSHA256-laskentaa",
                f"MAC calculation algorithm {algorithm} is not supported; use HMACSHA256",
            )
        partner_id = headers[PARTNER_ID]
        partner_key = self._partner_keys.get(partner_id)
        if partner_key is None:
            raise _failed(
                "Integraatiokumppania ei löydy, katso dokumentaatio",
                "Integration partner not found, see the documentation",
            )
        integration = self._integrations.get(headers[CUSTOMER_ID])
        if integration is None or integration.partner_id != partner_id:
            raise _failed(
                "Integraatioavaimet eivät kelpaa. Tarkista käyttäjä- ja kumppanikohtaiset avaimet.",
                "Integration keys are not valid. Please check the keys specific to the user "
                "and partner.",
            )
        fields = {
            "url": url,
            "sender": headers[SENDER],
            "customer_id": headers[CUSTOMER_ID],
            "timestamp": headers[TIMESTAMP],
            "language": headers[LANGUAGE],
            "organisation_id": headers[ORGANISATION_ID],
            "transaction_id": headers[TRANSACTION_ID],
            "timestamp_unix": headers[TIMESTAMP_UNIX],
        }
        expected = compute_mac(
            mac_input(**fields, customer_key=integration.customer_key, partner_key=partner_key),
            integration.customer_key,
            partner_key,
        )
        if not hmac.compare_digest(expected, headers[MAC].strip().lower()):
            shown = mac_input(
                **fields,
                customer_key=CUSTOMER_KEY_PLACEHOLDER,
                partner_key=PARTNER_KEY_PLACEHOLDER,
            )
            raise _failed(
                "URI-metodi ei kelpaa, katso dokumentaatio. Käytä MAC-tiivisteen laskentaan "
                f"merkkijonoa: {shown}",
                f"URI or MAC is not valid, see the documentation. Use this string to calculate "
                f"the MAC: {shown}",
            )
        self._check_skew(headers[TIMESTAMP_UNIX])
        organisation_id = headers[ORGANISATION_ID].strip()
        if organisation_id not in integration.organisation_ids:
            raise _failed(
                f"Käyttäjällä ei ole oikeutta organisaatioon {organisation_id}",
                f"The user has no access to organisation {organisation_id}",
            )
        transaction_id = headers[TRANSACTION_ID]
        seen = self._transactions.setdefault(partner_id, set())
        if transaction_id in seen:
            raise NetvisorFailure(
                REQUEST_NOT_UNIQUE,
                "Tapahtumatunnus on jo käytetty. Tunnuksen tulee vaihtua jokaisessa pyynnössä.",
                "The transaction ID has already been used. The ID must change in every request.",
            )
        seen.add(transaction_id)
        return Authenticated(integration, organisation_id, language, transaction_id)

    def _check_skew(self, timestamp_unix: str) -> None:
        text = timestamp_unix.strip()
        if not (text.isascii() and text.lstrip("-").isdigit()):
            raise _failed(
                f"TimestampUnix ei ole kokonaisluku: {timestamp_unix}",
                f"TimestampUnix is not an integer: {timestamp_unix}",
            )
        skew = abs(self._clock().timestamp() - int(text))
        if skew > self._max_skew.total_seconds():
            allowed = int(self._max_skew.total_seconds())
            raise _failed(
                f"Aikaleima TimestampUnix poikkeaa palvelimen ajasta yli {allowed} sekuntia",
                f"TimestampUnix differs from the server time by more than {allowed} seconds",
                detail=f"skew {skew:.0f} s",
            )
