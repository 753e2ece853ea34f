"""The vocabulary every layer shares: registers, directions, settings, actions and outcomes.

These are plain frozen values with no I/O, so the rules (:mod:`silta.registers`), the engine
(:mod:`silta.sync`), the state store (:mod:`silta.store`) and later the web app speak of the
same things without importing each other.
"""

from __future__ import annotations

import enum
import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import time
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

__all__ = [
    "HEADER_NAME_MAX",
    "INTERVAL_MAX",
    "INVOICE_SETTINGS",
    "SETTING_KINDS",
    "TEMP_CODE",
    "Action",
    "CustomerDirection",
    "FieldChange",
    "InvoiceTransferMode",
    "NetvisorInvoiceStatus",
    "ProductDirection",
    "PurchaseCostMethod",
    "PurchaseInvoiceStatus",
    "Refusal",
    "Register",
    "RunKind",
    "RunStatus",
    "SettingError",
    "Status",
    "System",
    "TenantSettings",
    "UnknownSetting",
    "code_map",
    "parse_setting",
    "parse_setting_text",
    "setting_pairs",
    "setting_text",
]


# The code of Netvisor's temporary customer and product (rules 7 and 12).
TEMP_CODE = "TEMP"


class Register(enum.StrEnum):
    """The registers of the article."""

    CUSTOMERS = "customers"
    PRODUCTS = "products"
    DIMENSIONS = "dimensions"
    INVOICES = "invoices"  # sales invoices and credit notes, Severa -> Netvisor (issue 18)
    PURCHASE_LINES = "purchase_lines"  # Netvisor purchase-invoice lines -> Severa project fees
    TRAVEL = "travel"  # Severa travel reimbursements -> Netvisor tripexpense.nv


class System(enum.StrEnum):
    NETVISOR = "netvisor"
    SEVERA = "severa"


class CustomerDirection(enum.StrEnum):
    """The article's three choices for the customer register."""

    NETVISOR_TO_SEVERA = "netvisor_to_severa"
    SEVERA_TO_NETVISOR = "severa_to_netvisor"
    TEMP_CUSTOMER = "temp_customer"  # "Ei siirretä – käytä tilapäisasiakasta"


class ProductDirection(enum.StrEnum):
    """The article's three choices for the product register."""

    NETVISOR_TO_SEVERA = "netvisor_to_severa"
    SEVERA_TO_NETVISOR = "severa_to_netvisor"
    TEMP_PRODUCT = "temp_product"  # "Ei siirretä – käytä tilapäistuotetta"


class NetvisorInvoiceStatus(enum.StrEnum):
    """The status a transferred sales invoice gets in Netvisor (the official integration's
    two choices)."""

    UNSENT = "unsent"  # "lähettämätön": Netvisor sends the invoice
    OPEN = "open"  # "avoin": already sent from Severa, into the ledger only


class InvoiceTransferMode(enum.StrEnum):
    """When invoices are transferred."""

    AUTOMATIC = "automatic"  # on the registers' interval, plus "transfer now"
    MANUAL = "manual"  # only on "transfer now", as Visma's own integration


class PurchaseInvoiceStatus(enum.StrEnum):
    """The purchase-invoice status whose lines become project costs (purchaseinvoicelist.nv's
    ``invoicestatus``: new or in content check, in approval, approved)."""

    OPEN = "open"
    APPROVED = "approved"
    ACCEPTED = "accepted"


class PurchaseCostMethod(enum.StrEnum):
    """The official integration's "expense transfer method" for purchase-invoice lines."""

    COST_ONLY = "cost_only"  # followed as a cost; not billed
    REBILL = "rebill"  # billed to the customer at cost plus the markup


# -- a company's settings: one row per field, one parser for every entry point ---------------
#
# The tenant file, ``silta tenant set``, the settings form and the API all read settings
# through :data:`SETTING_KINDS`, so a value is accepted or refused the same way everywhere:
# on/off fields take only booleans, names are always text, and every refusal names the
# field, the value and what is allowed. Two forms of input exist: JSON-like values (TOML,
# JSON: typed, so ``"false"`` is text and refused where a boolean is wanted) and text (a
# command line or a form field, parsed by the field's type, so ``project_header=2024`` is
# the name "2024").

HEADER_NAME_MAX = 50  # dimensionitem.nv: a header name is "text, max 50"
TEXT_MAX = 200  # the product group: no documented limit; the form's bound
INTERVAL_MAX = 24 * 60  # a register interval longer than a day is surely a typing error


def _shown(value: object) -> str:
    """A refused value as the message quotes it: JSON-like, so text shows in quotes and a
    boolean without, and cut short (a value may be a whole pasted paragraph)."""
    if isinstance(value, time):
        text = value.isoformat()
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


class SettingError(ValueError):
    """A setting was refused: the message names the field, the value and what is allowed.

    ``str()`` is English (the CLI, the API, the tenant file); :meth:`message` gives either
    language for the web app.
    """

    def __init__(self, field: str, value: object, allowed_en: str, allowed_fi: str) -> None:
        self.field = field
        self.value = value
        self.allowed_en = allowed_en
        self.allowed_fi = allowed_fi
        super().__init__(self.message("en"))

    def message(self, language: str = "fi", *, label: str | None = None) -> str:
        """The message in ``language``, naming the field by ``label`` (a form's own word
        for it) when given."""
        name, shown = label or self.field, _shown(self.value)
        if language == "en":
            return f"{name}: {shown} is not allowed; allowed: {self.allowed_en}"
        return f"{name}: {shown} ei kelpaa; sallitut: {self.allowed_fi}"


class UnknownSetting(SettingError):
    """A key that is no setting; "allowed" lists the settings there are."""

    def __init__(self, field: str, value: object = None) -> None:
        known = ", ".join(SETTING_KINDS)
        super().__init__(field, value, known, known)

    def message(self, language: str = "fi", *, label: str | None = None) -> str:
        name = label or self.field
        if language == "en":
            return f"{name}: no such setting; the settings are: {self.allowed_en}"
        return f"{name}: tällaista asetusta ei ole; asetukset ovat: {self.allowed_fi}"


class _Refused(Exception):
    """Raised by a kind; the table adds the field and the allowed values."""


@attrs.frozen
class _Kind:
    """How one type of setting is read and written.

    ``allowed_*`` describe the JSON form (tenant file, API); ``text_allowed_*`` the text
    form (command line, form field) when it differs.
    """

    allowed_en: str
    allowed_fi: str
    text_allowed_en: str = ""
    text_allowed_fi: str = ""

    def from_json(self, value: object) -> object:
        self.check(value)
        return value

    def from_text(self, text: str) -> object:
        return self.from_json(text)

    def to_json(self, value: Any) -> Any:
        return value

    def to_text(self, value: Any) -> str:
        return str(value)

    def check(self, value: object) -> None:
        """Whether ``value`` is a valid value of the field itself (the attrs validator)."""
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        """The JSON form as a JSON Schema (the API's document)."""
        return {"type": "string"}


@attrs.frozen
class _Choice(_Kind):
    values: tuple[str, ...] = ()
    enum_type: type[enum.StrEnum] | None = None

    def from_json(self, value: object) -> object:
        if not isinstance(value, str) or value not in self.values:
            raise _Refused
        assert self.enum_type is not None
        return self.enum_type(value)

    def to_json(self, value: Any) -> Any:
        return str(value.value)

    def to_text(self, value: Any) -> str:
        return str(value.value)

    def check(self, value: object) -> None:
        assert self.enum_type is not None
        if not isinstance(value, self.enum_type):
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


def _choice(kind: type[enum.StrEnum]) -> _Choice:
    values = tuple(str(member.value) for member in kind)
    listed = ", ".join(values)
    return _Choice(listed, listed, values=values, enum_type=kind)


_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})


@attrs.frozen
class _Flag(_Kind):
    def from_json(self, value: object) -> object:
        self.check(value)  # a boolean only: "false" in quotes is text, 0 and 1 are numbers
        return value

    def from_text(self, text: str) -> object:
        word = text.lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise _Refused

    def to_text(self, value: Any) -> str:
        return "true" if value else "false"

    def check(self, value: object) -> None:
        if not isinstance(value, bool):
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


@attrs.frozen
class _Name(_Kind):
    """Text as it is written: never a number or a boolean, no spaces at either end, no
    control characters, within ``limit``. ``empty`` is the meaning of "" when empty is
    allowed (a header left empty is not created: ``None``)."""

    limit: int = TEXT_MAX
    empty_allowed: bool = False

    def from_json(self, value: object) -> object:
        if value is None and self.empty_allowed:
            return None
        if not isinstance(value, str):
            raise _Refused
        if value == "" and self.empty_allowed:
            return None
        self.check(value)
        return value

    def to_text(self, value: Any) -> str:
        return "" if value is None else str(value)

    def check(self, value: object) -> None:
        if value is None and self.empty_allowed:
            return
        if (
            not isinstance(value, str)
            or not value
            or value != value.strip()
            or len(value) > self.limit
            or any(unicodedata.category(char) in ("Cc", "Cs") for char in value)
        ):
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        text = {"type": "string", "maxLength": self.limit}
        return {"anyOf": [text, {"type": "null"}]} if self.empty_allowed else text


@attrs.frozen
class _Minutes(_Kind):
    low: int = 1
    high: int = INTERVAL_MAX

    def from_text(self, text: str) -> object:
        # ASCII digits only: "²".isdigit() is true, yet int("²") fails
        if not (text.isascii() and text.isdigit() and len(text) <= 6):
            raise _Refused
        return self.from_json(int(text))

    def check(self, value: object) -> None:
        if type(value) is not int or not self.low <= value <= self.high:
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}


_HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


@attrs.frozen
class _TimeOfDay(_Kind):
    def from_json(self, value: object) -> object:
        if isinstance(value, time):  # a TOML local time, 02:00:00
            self.check(value)
            return value
        if not isinstance(value, str) or not _HH_MM.fullmatch(value):
            raise _Refused
        return time.fromisoformat(value)

    def to_json(self, value: Any) -> Any:
        return value.strftime("%H:%M")

    def to_text(self, value: Any) -> str:
        return str(value.strftime("%H:%M"))

    def check(self, value: object) -> None:
        if (
            not isinstance(value, time)
            or value.tzinfo is not None
            or value.second
            or value.microsecond
        ):
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{_HH_MM.pattern}$"}


@attrs.frozen
class _Zone(_Kind):
    def check(self, value: object) -> None:
        if not isinstance(value, str) or not value or value != value.strip():
            raise _Refused
        try:
            ZoneInfo(value)
        # "Europe" is a directory of the zone database (IsADirectoryError), a very long name
        # an OSError too: both are unknown zones to the user
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise _Refused from None


_CURRENCY = re.compile(r"[A-Z]{3}")


@attrs.frozen
class _Currency(_Kind):
    def check(self, value: object) -> None:
        if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{_CURRENCY.pattern}$"}


# -- the money transfers' settings (issue 19): GUIDs, a percentage and mappings as text ------
#
# Mappings are text in one canonical form ("<key>=<value>; ..."), stored exactly as given,
# so that every entry point (file, command line, form, API) reads and writes the same thing
# and the strict round trip holds; the adapters parse them (:func:`setting_pairs`).

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PERCENT = re.compile(r"(0|[1-9][0-9]{0,2})(\.[0-9]{1,2})?")
#: Netvisor's travel types and compensation types (tripexpense.nv, invoices.md §2.4); the
#: client's lists (silta.netvisor.tripexpenses), repeated because the domain imports nothing.
NETVISOR_TRAVEL_TYPES: Final = (
    "car", "car_with_trailer", "car_with_caravan", "car_with_heavy_cargo",
    "car_with_big_machinery", "car_with_dog", "car_travel_in_rough_terrain",
    "motorboat_max_50hp", "motorboat_over_50hp", "snowmobile", "atv", "motorbike", "moped",
    "other", "carbenefit",
)  # fmt: skip
NETVISOR_COMPENSATION_TYPES: Final = ("domesticfull", "domestichalf", "foreign")
_LANGUAGES = ("FI", "EN", "SE")


@attrs.frozen
class _Guid(_Kind):
    """A Severa GUID, or empty for none (``None``)."""

    def from_json(self, value: object) -> object:
        if value is None or value == "":
            return None
        self.check(value)
        return value

    def to_text(self, value: Any) -> str:
        return "" if value is None else str(value)

    def check(self, value: object) -> None:
        if value is not None and not (isinstance(value, str) and _GUID.fullmatch(value)):
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "pattern": f"^{_GUID.pattern}$"}, {"type": "null"}]}


def _vat_codes() -> frozenset[str]:
    # imported here: the vocabulary stays importable without the client's modules loaded
    from silta.netvisor.models import VAT_CODES

    return VAT_CODES


@attrs.frozen
class _VatCode(_Name):
    """A Netvisor VAT code (``salesinvoice.dtd``'s list) for one kind of 0 % line, or none
    (unmapped: such invoices are refused). ``KOMY`` is domestic sales with VAT: it stands
    for no 0 % case but domestic 0 %."""

    empty_allowed: bool = True
    domestic: bool = False

    def check(self, value: object) -> None:
        if value is None:
            return
        if not isinstance(value, str) or value not in _vat_codes():
            raise _Refused
        if value == "KOMY" and not self.domestic:
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        codes = sorted(_vat_codes() - (set() if self.domestic else {"KOMY"}))
        return {"anyOf": [{"type": "string", "enum": codes}, {"type": "null"}]}


def code_map(text: str | None) -> tuple[tuple[str, str], ...]:
    """``"TYO=T100; MATKA=M1"`` as pairs (Severa code, Netvisor product code).

    Raises:
        ValueError: a part is not ``code=code`` or a Severa code is given twice.
    """
    if not text:
        return ()
    pairs: dict[str, str] = {}
    for part in text.split(";"):
        severa_code, equals, netvisor_code = part.partition("=")
        severa_code, netvisor_code = severa_code.strip(), netvisor_code.strip()
        if not equals or not severa_code or not netvisor_code or "=" in netvisor_code:
            raise ValueError(f"not code=code: {part!r}")
        if severa_code in pairs:
            raise ValueError(f"{severa_code} is mapped twice")
        pairs[severa_code] = netvisor_code
    return tuple(pairs.items())


@attrs.frozen
class _CodeMap(_Name):
    """Severa codes mapped to Netvisor product codes, as text ``A=B; C=D``, or none."""

    empty_allowed: bool = True

    def check(self, value: object) -> None:
        super().check(value)
        try:
            code_map(value)  # type: ignore[arg-type]
        except ValueError:
            raise _Refused from None


@attrs.frozen
class _Percent(_Kind):
    """A percentage of 0 to 999.99 written as text ("12.5"), stored as written."""

    def check(self, value: object) -> None:
        if not isinstance(value, str) or not _PERCENT.fullmatch(value):
            raise _Refused

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": f"^{_PERCENT.pattern}$"}


def setting_pairs(text: str) -> list[tuple[str, str]]:
    """``"a=b; c=d"`` as pairs; empty text is none.

    Raises:
        ValueError: a part without ``=``, or with an empty side, or a key given twice.
    """
    pairs: list[tuple[str, str]] = []
    if text == "":
        return pairs
    for part in text.split(";"):
        key, equals, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key or not value:
            raise ValueError(part)
        if any(key == seen for seen, _ in pairs):
            raise ValueError(key)
        pairs.append((key, value))
    return pairs


@attrs.frozen
class _Pairs(_Kind):
    """A mapping as text, ``"<key>=<value>; ..."``; empty for none. ``key`` and ``values``
    say what each side may be: ``"guid"``, ``"text"``, ``"ratio"`` (``<GUID>/<FI|EN|SE>``)
    or a tuple of the allowed values."""

    key: str = "text"
    values: str | tuple[str, ...] = "text"

    def check(self, value: object) -> None:
        if not isinstance(value, str) or value != value.strip() or len(value) > 4000:
            raise _Refused
        if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
            raise _Refused
        try:
            pairs = setting_pairs(value)
        except ValueError:
            raise _Refused from None
        for key, target in pairs:
            if not _fits(key, self.key) or not _fits(target, self.values):
                raise _Refused


def _fits(value: str, what: str | tuple[str, ...]) -> bool:
    if isinstance(what, tuple):
        return value in what
    if what == "guid":
        return bool(_GUID.fullmatch(value))
    if what == "ratio":
        guid, slash, language = value.partition("/")
        return bool(slash and _GUID.fullmatch(guid) and language in _LANGUAGES)
    return len(value) <= TEXT_MAX


@attrs.frozen
class _GuidList(_Kind):
    """Severa GUIDs separated by ", "; empty for none."""

    def check(self, value: object) -> None:
        if not isinstance(value, str):
            raise _Refused
        if value == "":
            return
        parts = value.split(",")
        if any(not _GUID.fullmatch(part.strip()) for part in parts) or value != value.strip():
            raise _Refused


_FLAG = _Flag(
    "true or false (a boolean, not in quotes)",
    "true tai false (totuusarvo ilman lainausmerkkejä)",
    "true, false, yes, no, on, off (any case)",
    "true, false, yes, no, on, off (isoin tai pienin kirjaimin)",
)
_HEADER = _Name(
    f"text in quotes: the name of a Netvisor dimension header, at most {HEADER_NAME_MAX} "
    'characters, no spaces at either end; "" for none',
    f"teksti lainausmerkeissä: Netvisorin laskentakohdeotsikon nimi, enintään {HEADER_NAME_MAX} "
    'merkkiä, ei välilyöntejä alussa tai lopussa; "" jos ei luoda',
    f"the name of a Netvisor dimension header, at most {HEADER_NAME_MAX} characters, "
    "no spaces at either end; empty for none",
    f"Netvisorin laskentakohdeotsikon nimi, enintään {HEADER_NAME_MAX} merkkiä, "
    "ei välilyöntejä alussa tai lopussa; tyhjä jos ei luoda",
    limit=HEADER_NAME_MAX,
    empty_allowed=True,
)

_STATUS = _Guid(
    'text in quotes: the GUID of a Severa invoice status; "" for none',
    'teksti lainausmerkeissä: Severan laskun tilan GUID; "" jos ei valittu',
    "the GUID of a Severa invoice status; empty for none",
    "Severan laskun tilan GUID; tyhjä jos ei valittu",
)
_ZERO_VAT = _VatCode(
    'text in quotes: a Netvisor VAT code of salesinvoice.dtd, e.g. "EUUM", not KOMY; '
    '"" for unmapped',
    'teksti lainausmerkeissä: Netvisorin ALV-koodi (salesinvoice.dtd), esim. "EUUM", ei KOMY; '
    '"" jos ei kohdistettu',
    'a Netvisor VAT code of salesinvoice.dtd, e.g. "EUUM", not KOMY; empty for unmapped',
    'Netvisorin ALV-koodi (salesinvoice.dtd), esim. "EUUM", ei KOMY; tyhjä jos ei kohdistettu',
)

# One row per setting, in the order of TenantSettings' fields.
SETTING_KINDS: Final[dict[str, _Kind]] = {
    "customers": _choice(CustomerDirection),
    "products": _choice(ProductDirection),
    "dimensions": _FLAG,
    "project_header": _HEADER,
    "business_unit_header": _HEADER,
    "include_phases": _FLAG,
    "email_invoicing_channel": _FLAG,
    "persons_without_business_id": _FLAG,
    "register_interval_minutes": _Minutes(
        f"a whole number of minutes from 1 to {INTERVAL_MAX}",
        f"minuutteja kokonaislukuna 1–{INTERVAL_MAX}",
    ),
    "dimension_time": _TimeOfDay(
        'a time of day as "HH:MM", e.g. "02:00"', 'kellonaika muodossa "HH:MM", esim. "02:00"'
    ),
    "timezone": _Zone(
        'a time zone of the IANA database, e.g. "Europe/Helsinki"',
        'IANA-tietokannan aikavyöhyke, esim. "Europe/Helsinki"',
    ),
    "product_group": _Name(
        f"text in quotes: the name of a Netvisor product group, 1 to {TEXT_MAX} characters, "
        "no spaces at either end",
        f"teksti lainausmerkeissä: Netvisorin tuoteryhmän nimi, 1–{TEXT_MAX} merkkiä, "
        "ei välilyöntejä alussa tai lopussa",
        f"the name of a Netvisor product group, 1 to {TEXT_MAX} characters, "
        "no spaces at either end",
        f"Netvisorin tuoteryhmän nimi, 1–{TEXT_MAX} merkkiä, ei välilyöntejä alussa tai lopussa",
    ),
    "currency": _Currency(
        'a currency code of three capital letters, e.g. "EUR"',
        'kolmen ison kirjaimen valuuttakoodi, esim. "EUR"',
    ),
    # -- the sales-invoice transfer (issue 18; registers/invoice_settings.py says why) --
    "invoices_enabled": _FLAG,
    "invoices_mode": _choice(InvoiceTransferMode),
    "invoices_ready_status": _STATUS,
    "invoices_transferred_status": _STATUS,
    "invoices_netvisor_status": _choice(NetvisorInvoiceStatus),
    "invoices_dimensions_on_lines": _FLAG,
    "invoices_create_missing_items": _FLAG,
    "invoices_vat_domestic_reverse_charge": _ZERO_VAT,
    "invoices_vat_eu_services": _ZERO_VAT,
    "invoices_vat_eu_goods": _ZERO_VAT,
    "invoices_vat_outside_eu": _ZERO_VAT,
    "invoices_vat_domestic_zero": _VatCode(
        _ZERO_VAT.allowed_en.replace(", not KOMY", ""),
        _ZERO_VAT.allowed_fi.replace(", ei KOMY", ""),
        _ZERO_VAT.text_allowed_en.replace(", not KOMY", ""),
        _ZERO_VAT.text_allowed_fi.replace(", ei KOMY", ""),
        domestic=True,
    ),
    "invoices_product_codes": _CodeMap(
        'text in quotes: Severa codes and Netvisor product codes as "CODE=PRODUCT; CODE=PRODUCT"; '
        '"" for none',
        "teksti lainausmerkeissä: Severan koodit ja Netvisorin tuotekoodit muodossa "
        '"KOODI=TUOTE; KOODI=TUOTE"; "" jos ei ole',
        'Severa codes and Netvisor product codes as "CODE=PRODUCT; CODE=PRODUCT"; empty for none',
        'Severan koodit ja Netvisorin tuotekoodit muodossa "KOODI=TUOTE; KOODI=TUOTE"; '
        "tyhjä jos ei ole",
    ),
    "invoices_fallback_product": _Name(
        'text in quotes: the code of a Netvisor product, no spaces at either end; "" for none',
        "teksti lainausmerkeissä: Netvisorin tuotteen koodi, ei välilyöntejä alussa tai "
        'lopussa; "" jos ei ole',
        "the code of a Netvisor product, no spaces at either end; empty for none",
        "Netvisorin tuotteen koodi, ei välilyöntejä alussa tai lopussa; tyhjä jos ei ole",
        limit=50,
        empty_allowed=True,
    ),
    # -- purchase-invoice lines -> Severa project fees (issue 19) -------------------------
    "purchase_lines_enabled": _FLAG,
    "purchase_lines_automatic": _FLAG,
    "purchase_lines_invoice_status": _choice(PurchaseInvoiceStatus),
    "purchase_lines_product": _Guid(
        'a Severa product GUID in quotes, or "" for none',
        'Severan tuotteen GUID lainausmerkeissä, tai "" jos ei valita',
        "a Severa product GUID, or empty for none",
        "Severan tuotteen GUID, tai tyhjä jos ei valita",
    ),
    "purchase_lines_account_products": _Pairs(
        'text in quotes, "<account>=<Severa product GUID>; ...", or "" for none',
        'teksti lainausmerkeissä, "<tili>=<Severan tuotteen GUID>; ...", tai "" jos ei ole',
        '"<account>=<Severa product GUID>; ...", or empty for none',
        '"<tili>=<Severan tuotteen GUID>; ...", tai tyhjä jos ei ole',
        key="text",
        values="guid",
    ),
    "purchase_lines_method": _choice(PurchaseCostMethod),
    "purchase_lines_markup_percent": _Percent(
        'a percentage in quotes from "0" to "999.99", e.g. "15" or "12.5"',
        'prosentti lainausmerkeissä "0"–"999.99", esim. "15" tai "12.5"',
        "a percentage from 0 to 999.99 with a point, e.g. 15 or 12.5",
        "prosentti 0–999.99 pisteellä, esim. 15 tai 12.5",
    ),
    # -- travel reimbursements -> Netvisor travel invoices (issue 19) ----------------------
    "travel_enabled": _FLAG,
    "travel_automatic": _FLAG,
    "travel_statuses": _GuidList(
        'Severa travel status GUIDs in quotes separated by ", ", or "" for every approved one',
        'Severan matkalaskutilojen GUIDit lainausmerkeissä pilkuin eroteltuina, tai "" = '
        "kaikki hyväksytyt",
        'Severa travel status GUIDs separated by ", ", or empty for every approved one',
        "Severan matkalaskutilojen GUIDit pilkuin eroteltuina, tai tyhjä = kaikki hyväksytyt",
    ),
    "travel_transferred_status": _Guid(
        'a Severa travel status GUID in quotes, or "" to leave the status as it is',
        'Severan matkalaskutilan GUID lainausmerkeissä, tai "" jos tilaa ei muuteta',
        "a Severa travel status GUID, or empty to leave the status as it is",
        "Severan matkalaskutilan GUID, tai tyhjä jos tilaa ei muuteta",
    ),
    "travel_ratios": _Pairs(
        'text in quotes, "<Severa expense type GUID>/<FI|EN|SE>=<Netvisor expense type>; ..."',
        'teksti lainausmerkeissä, "<Severan kululajin GUID>/<FI|EN|SE>=<Netvisorin kululaji>; ..."',
        '"<Severa expense type GUID>/<FI|EN|SE>=<Netvisor expense type>; ...", or empty',
        '"<Severan kululajin GUID>/<FI|EN|SE>=<Netvisorin kululaji>; ...", tai tyhjä',
        key="ratio",
        values="text",
    ),
    "travel_travel_types": _Pairs(
        'text in quotes, "<Severa mileage type GUID>=<'
        + "|".join(NETVISOR_TRAVEL_TYPES[:3])
        + '|...>; ...", or "" (car)',
        'teksti lainausmerkeissä, "<Severan kilometrilajin GUID>=<car|...>; ...", tai "" (car)',
        '"<Severa mileage type GUID>=<car|...>; ...", or empty (car)',
        '"<Severan kilometrilajin GUID>=<car|...>; ...", tai tyhjä (car)',
        key="guid",
        values=NETVISOR_TRAVEL_TYPES,
    ),
    "travel_compensation_types": _Pairs(
        'text in quotes, "<Severa daily allowance type GUID>=<domesticfull|domestichalf|'
        'foreign>; ...", or ""',
        'teksti lainausmerkeissä, "<Severan päivärahalajin GUID>=<domesticfull|domestichalf|'
        'foreign>; ...", tai ""',
        '"<Severa daily allowance type GUID>=<domesticfull|domestichalf|foreign>; ...", or empty',
        '"<Severan päivärahalajin GUID>=<domesticfull|domestichalf|foreign>; ...", tai tyhjä',
        key="guid",
        values=NETVISOR_COMPENSATION_TYPES,
    ),
    "travel_dimensions": _FLAG,
    "travel_create_missing_items": _FLAG,
}


# The sales-invoice transfer's settings (the tab's own section, KH only).
INVOICE_SETTINGS: Final = tuple(name for name in SETTING_KINDS if name.startswith("invoices_"))


def _refusal(name: str, value: object, *, text: bool) -> SettingError:
    kind = SETTING_KINDS[name]
    if text and kind.text_allowed_en:
        return SettingError(name, value, kind.text_allowed_en, kind.text_allowed_fi)
    return SettingError(name, value, kind.allowed_en, kind.allowed_fi)


def parse_setting(name: str, value: object) -> Any:
    """A JSON-like value (tenant file, API) of setting ``name``, as the field holds it.

    Raises:
        SettingError: unknown ``name``, or the value is refused (the message says why).
    """
    kind = SETTING_KINDS.get(name)
    if kind is None:
        raise UnknownSetting(name, value)
    try:
        return kind.from_json(value)
    except _Refused:
        raise _refusal(name, value, text=False) from None


def parse_setting_text(name: str, text: str) -> Any:
    """A text value (command line, form field) of setting ``name``, parsed by its type.

    Raises:
        SettingError: unknown ``name``, or the value is refused (the message says why).
    """
    kind = SETTING_KINDS.get(name)
    if kind is None:
        raise UnknownSetting(name, text)
    try:
        return kind.from_text(text)
    except _Refused:
        raise _refusal(name, text, text=True) from None


def setting_text(name: str, value: object) -> str:
    """The text form of a setting's value, as ``silta tenant set`` takes it back."""
    return SETTING_KINDS[name].to_text(value)


def _valid(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    try:
        SETTING_KINDS[attribute.name].check(value)
    except _Refused:
        raise _refusal(attribute.name, value, text=False) from None


def _header(value: str | None) -> str | None:
    """An empty header means "not created" (article): spell it ``None`` only."""
    return None if value == "" else value


@attrs.frozen(kw_only=True)
class TenantSettings:
    """One company's choices on the "Netvisor-Severa liittymän asetukset" tab.

    The defaults write nothing: both registers start as "not transferred" and dimensions off,
    so a company is synchronized only after its KH admin has chosen the directions. Every
    field is checked by its row of :data:`SETTING_KINDS`, so no entry point can make one
    that a later reader would take for something else (``"false"`` for on).
    """

    customers: CustomerDirection = attrs.field(
        default=CustomerDirection.TEMP_CUSTOMER, validator=_valid
    )
    products: ProductDirection = attrs.field(
        default=ProductDirection.TEMP_PRODUCT, validator=_valid
    )
    # "Siirretään Severan projektit laskentakohteiksi Netvisoriin"
    dimensions: bool = attrs.field(default=False, validator=_valid)
    project_header: str | None = attrs.field(default=None, converter=_header, validator=_valid)
    business_unit_header: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    include_phases: bool = attrs.field(default=False, validator=_valid)  # "Tuo myös töiden vaiheet"
    # Netvisor's e-mail delivery channel is on
    email_invoicing_channel: bool = attrs.field(default=False, validator=_valid)
    # such Severa customers are person customers
    persons_without_business_id: bool = attrs.field(default=False, validator=_valid)
    register_interval_minutes: int = attrs.field(default=40, validator=_valid)
    dimension_time: time = attrs.field(default=time(2, 0), validator=_valid)
    timezone: str = attrs.field(default="Europe/Helsinki", validator=_valid)
    # Not on the article's tab, but Netvisor needs them when Silta creates products:
    product_group: str = attrs.field(default="Severa", validator=_valid)  # product.nv requires one
    currency: str = attrs.field(default="EUR", validator=_valid)  # of Severa money amounts
    # The sales-invoice transfer (issue 18): off until a KH turns it on; the statuses are
    # chosen from the company's own (the form proposes Visma's names); the 0 % codes are
    # invoices.md §5.9's examples; registers.invoice_settings.InvoiceSettings reads them.
    invoices_enabled: bool = attrs.field(default=False, validator=_valid)
    invoices_mode: InvoiceTransferMode = attrs.field(
        default=InvoiceTransferMode.AUTOMATIC, validator=_valid
    )
    invoices_ready_status: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    invoices_transferred_status: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    invoices_netvisor_status: NetvisorInvoiceStatus = attrs.field(
        default=NetvisorInvoiceStatus.UNSENT, validator=_valid
    )
    invoices_dimensions_on_lines: bool = attrs.field(default=False, validator=_valid)
    invoices_create_missing_items: bool = attrs.field(default=False, validator=_valid)
    invoices_vat_domestic_reverse_charge: str | None = attrs.field(
        default="RAMY", converter=_header, validator=_valid
    )
    invoices_vat_eu_services: str | None = attrs.field(
        default="EUUM", converter=_header, validator=_valid
    )
    invoices_vat_eu_goods: str | None = attrs.field(
        default="EUMY", converter=_header, validator=_valid
    )
    invoices_vat_outside_eu: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    invoices_vat_domestic_zero: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    invoices_product_codes: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    invoices_fallback_product: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    # Purchase-invoice lines -> Severa project fees (issue 19; invoices.md §1.4, §5.12):
    # off until turned on; automatic, or only on "transfer now" when not automatic.
    purchase_lines_enabled: bool = attrs.field(default=False, validator=_valid)
    purchase_lines_automatic: bool = attrs.field(default=True, validator=_valid)
    purchase_lines_invoice_status: PurchaseInvoiceStatus = attrs.field(
        default=PurchaseInvoiceStatus.ACCEPTED, validator=_valid
    )
    purchase_lines_product: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    purchase_lines_account_products: str = attrs.field(default="", validator=_valid)
    purchase_lines_method: PurchaseCostMethod = attrs.field(
        default=PurchaseCostMethod.COST_ONLY, validator=_valid
    )
    purchase_lines_markup_percent: str = attrs.field(default="0", validator=_valid)
    # Travel reimbursements -> Netvisor travel invoices (issue 19; invoices.md §1.3, §5.13).
    travel_enabled: bool = attrs.field(default=False, validator=_valid)
    travel_automatic: bool = attrs.field(default=True, validator=_valid)
    travel_statuses: str = attrs.field(default="", validator=_valid)
    travel_transferred_status: str | None = attrs.field(
        default=None, converter=_header, validator=_valid
    )
    travel_ratios: str = attrs.field(default="", validator=_valid)
    travel_travel_types: str = attrs.field(default="", validator=_valid)
    travel_compensation_types: str = attrs.field(default="", validator=_valid)
    travel_dimensions: bool = attrs.field(default=False, validator=_valid)
    travel_create_missing_items: bool = attrs.field(default=False, validator=_valid)

    def as_json(self) -> dict[str, Any]:
        """A JSON-able dict (enum values as text, the time as ``HH:MM``)."""
        return {name: kind.to_json(getattr(self, name)) for name, kind in SETTING_KINDS.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TenantSettings:
        """The inverse of :meth:`as_json` (and a tenant file's ``[settings]``): every value
        of its field's JSON type, unknown keys an error, missing ones default.

        Raises:
            SettingError: the first key or value refused (the message names the field, the
                value and what is allowed).
        """
        return cls(**{name: parse_setting(name, value) for name, value in data.items()})

    def with_json(self, changes: Mapping[str, Any]) -> TenantSettings:
        """These settings with ``changes`` (JSON-like values, as from the API) applied.

        Raises:
            SettingError: as :meth:`from_json`; nothing is applied then.
        """
        parsed = {name: parse_setting(name, value) for name, value in changes.items()}
        return attrs.evolve(self, **parsed)

    def with_text(self, changes: Mapping[str, str]) -> TenantSettings:
        """These settings with ``changes`` given as text (command line, form) applied, each
        value parsed by its field's type.

        Raises:
            SettingError: as :meth:`from_json`; nothing is applied then.
        """
        parsed = {name: parse_setting_text(name, text) for name, text in changes.items()}
        return attrs.evolve(self, **parsed)

    def as_text(self) -> dict[str, str]:
        """Every setting as the text ``silta tenant set`` takes."""
        return {name: setting_text(name, getattr(self, name)) for name in SETTING_KINDS}


class RunKind(enum.StrEnum):
    """Incremental reads changes since the watermark; full reads everything."""

    INCREMENTAL = "incremental"
    FULL = "full"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"  # every record has an outcome (refusals included)
    FAILED = "failed"  # the run stopped, or some records failed to be written
    INTERRUPTED = "interrupted"  # the process died while the run was going on


class Action(enum.StrEnum):
    """What the plan says to do with one record."""

    CREATE = "create"
    UPDATE = "update"
    RENAME = "rename"
    UNCHANGED = "unchanged"
    SKIP = "skip"  # e.g. the product exists: products are never updated
    REFUSE = "refuse"


class Status(enum.StrEnum):
    """How one record ended."""

    PLANNED = "planned"  # a dry run: nothing was written
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"


@attrs.frozen
class Refusal:
    """Why a record was not transferred, and what the user should fix.

    ``rule`` is a stable id (``customers.business_id_missing``) that reports, filters and
    links can rely on; the messages name the record and the fix in Finnish and English.
    """

    rule: str
    field: str | None
    message_fi: str
    message_en: str

    def message(self, language: str = "fi") -> str:
        return self.message_en if language == "en" else self.message_fi

    def as_json(self) -> dict[str, str | None]:
        return attrs.asdict(self)


@attrs.frozen
class FieldChange:
    """One field's value before and after (as text, for the run history)."""

    field: str
    old: str | None
    new: str | None

    def as_json(self) -> dict[str, str | None]:
        return attrs.asdict(self)
