"""Finnish identifiers and codes: business IDs, customer numbers, postal codes, e-invoice
operators, invoice reference numbers, VAT rates by date and rounding to cents.

These are pure functions and data with no I/O. They are the only code the sandboxes share with
the sync rules: both must agree on what a valid business ID or a supported operator is, and
neither the XML codec nor the models are shared, so a bug in one cannot hide in the other.

Sources (see ``../shared/reference/finnish-rules.md`` and ``netvisor-api.md`` §8):

* Business ID (Y-tunnus): seven digits, a hyphen and a check digit. Weights 7, 9, 10, 5, 8, 4, 2
  over the seven digits; remainder 0 gives check digit 0, remainder 1 means no valid ID exists
  for that body, otherwise the check digit is 11 - remainder (Statistics Finland, YTJ;
  OpenPeppol scheme 0037). The VAT form is ``FI`` followed by the same eight digits.
* Old LY numbers whose leading zero was dropped (``737546-2``) are padded to seven digits, as
  is common practice; the ID is always emitted in the seven-digit form.
* Postal codes in Finland and Åland are five digits, kept as strings (``00100``).
* Severa customer numbers synchronized from Netvisor contain only digits and do not start
  with zero (the article: "Asiakasnumero ei saa alkaa nollalla ja se saa sisältää ainoastaan
  numeroita").
* E-invoice operators: Netvisor's own list ("Sallitut verkkolaskuoperaattorit") was not
  available. ``OPERATORS`` is the union of the two most complete public lists (OCA
  ``l10n_fi_edicode`` and the Sprintit Odoo module, as merged in ``netvisor-api.md`` §8) and
  the newer list ``laskuhari_operators()`` (2024-08, ``finnish-rules.md`` §2.4 source S1),
  minus entries known to be obsolete (``PSPBFIHH``) or placeholders (``NETBFI99``).
* Invoice reference numbers (``invoices.md`` §4): the Finnish viitenumero is 4 to 20
  digits including a 7-3-1 check digit (Finance Finland, "Kotimaisen viitteen
  rakenneohje"); the RF creditor reference is ISO 11649 (mod 97 = 1).
* VAT rates (``finnish-rules.md`` §3.1): one row per rate and period; the supply date
  decides. Amounts are rounded to cents half-up (away from zero on a tie, so a credit note
  mirrors its invoice cent for cent).
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import attrs

__all__ = [
    "CENT",
    "OPERATORS",
    "VAT_RATES",
    "BusinessId",
    "CustomerNumberProblem",
    "EInvoiceOperator",
    "InvalidBusinessIdError",
    "InvalidReferenceError",
    "OperatorKind",
    "Reference",
    "VatRatePeriod",
    "business_id_check_digit",
    "creditor_reference",
    "customer_number_problem",
    "find_operator",
    "finnish_reference",
    "is_valid_business_id",
    "is_valid_postal_code",
    "is_valid_reference",
    "parse_business_id",
    "parse_reference",
    "reference_check_digit",
    "round_cents",
    "suggest_operator",
    "vat_rate_valid_on",
    "vat_rates_on",
]

# --------------------------------------------------------------------------------------------
# Business ID (Y-tunnus) and its VAT form
# --------------------------------------------------------------------------------------------

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
# Hyphen-minus, and the Unicode dashes a word processor puts in its place.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_YTUNNUS = re.compile(rf"^(\d{{6,7}})[{_DASHES}](\d)$")
_VAT = re.compile(r"^FI(\d{8})$", re.IGNORECASE)


class InvalidBusinessIdError(ValueError):
    """A text is not a valid Finnish business ID; the messages say why, in Finnish and English."""

    def __init__(self, value: str, message_fi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.value = value
        self.message_fi = message_fi
        self.message_en = message_en


def business_id_check_digit(body: str) -> int | None:
    """The check digit for a seven-digit body, or ``None`` when no valid ID has that body."""
    if len(body) != 7 or not body.isdigit():
        raise ValueError(f"a business ID body is seven digits, got {body!r}")
    remainder = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


@attrs.frozen(order=True)
class BusinessId:
    """A validated business ID. ``digits`` is the seven-digit body followed by the check digit."""

    digits: str = attrs.field()

    @digits.validator
    def _check(self, _attribute: attrs.Attribute[str], value: str) -> None:
        if len(value) != 8 or not value.isdigit():
            raise ValueError(f"eight digits expected, got {value!r}")
        if business_id_check_digit(value[:7]) != int(value[7]):
            raise ValueError(f"{value!r} has a wrong check digit")

    @property
    def ytunnus(self) -> str:
        """The Y-tunnus form, ``1234567-8``: what Netvisor stores in ``externalidentifier``."""
        return f"{self.digits[:7]}-{self.digits[7]}"

    @property
    def vat_number(self) -> str:
        """The VAT form, ``FI12345678``: what Severa keeps in ``vatNumber``."""
        return f"FI{self.digits}"

    def __str__(self) -> str:
        return self.ytunnus


def parse_business_id(text: str) -> BusinessId:
    """Read a business ID written as ``1234567-8``, ``FI12345678`` or a legacy ``123456-7``.

    Surrounding and inner spaces are ignored and Unicode dashes are read as hyphens. A body
    of only zeros is refused: it passes the checksum but is always a placeholder.

    Raises:
        InvalidBusinessIdError: with a Finnish and an English reason.
    """
    parsed, reason_fi, reason_en = _parse_business_id(text)
    if parsed is None:
        raise InvalidBusinessIdError(text, reason_fi, reason_en)
    return parsed


# One run parses each record's business ID several times (mapping, matching, comparing):
# measured at ~40 % of planning customers before this cache. Verdicts are pure and small.
@functools.lru_cache(maxsize=32_768)
def _parse_business_id(text: str) -> tuple[BusinessId | None, str, str]:
    compact = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u00a0", "")
    match = _YTUNNUS.match(compact)
    if match:
        body, check = match.group(1).rjust(7, "0"), match.group(2)
    elif vat := _VAT.match(compact):
        body, check = vat.group(1)[:7], vat.group(1)[7]
    else:
        return (
            None,
            f"Y-tunnus {text!r} ei ole muotoa 1234567-8 tai FI12345678",
            f"Business ID {text!r} is not of the form 1234567-8 or FI12345678",
        )
    if body == "0000000":
        return (
            None,
            f"Y-tunnus {text!r} on pelkkiä nollia",
            f"Business ID {text!r} is all zeros",
        )
    expected = business_id_check_digit(body)
    if expected is None or expected != int(check):
        return (
            None,
            f"Y-tunnuksen {text!r} tarkistusmerkki on väärä",
            f"Business ID {text!r} has a wrong check digit",
        )
    return BusinessId(body + check), "", ""


def is_valid_business_id(text: str) -> bool:
    """Whether :func:`parse_business_id` accepts ``text``."""
    try:
        parse_business_id(text)
    except InvalidBusinessIdError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Customer number rule for Severa (article: N → S)
# --------------------------------------------------------------------------------------------


class CustomerNumberProblem(enum.Enum):
    """Why a Netvisor customer code cannot become a Severa customer number."""

    MISSING = "missing"
    NOT_DIGITS = "not_digits"
    LEADING_ZERO = "leading_zero"


def customer_number_problem(code: str | None) -> CustomerNumberProblem | None:
    """``None`` when ``code`` is usable as a Severa customer number, else the reason.

    Only ASCII digits count: ``"１２"`` (full-width) and ``"١٢"`` are not Severa numbers even
    though :meth:`str.isdigit` says they are digits.
    """
    if code is None or code.strip() == "":
        return CustomerNumberProblem.MISSING
    if not (code.isascii() and code.isdigit()):
        return CustomerNumberProblem.NOT_DIGITS
    if code.startswith("0"):
        return CustomerNumberProblem.LEADING_ZERO
    return None


# --------------------------------------------------------------------------------------------
# Postal codes
# --------------------------------------------------------------------------------------------

_FI_POSTAL = re.compile(r"^\d{5}$")


def is_valid_postal_code(code: str, country: str = "FI") -> bool:
    """Five ASCII digits in Finland and Åland (``AX``); elsewhere non-empty and at most 50.

    Fifty characters is Netvisor's limit for ``postnumber``.
    """
    if country.upper() in {"FI", "AX"}:
        return code.isascii() and bool(_FI_POSTAL.match(code))
    return 0 < len(code.strip()) <= 50


# --------------------------------------------------------------------------------------------
# E-invoice operators (finvoiceroutercode / Severa eInvoiceOperator)
# --------------------------------------------------------------------------------------------


class OperatorKind(enum.Enum):
    """An e-invoice operator network, or a bank on the Finvoice bank network (BIC)."""

    OPERATOR = "operator"
    BANK = "bank"


@attrs.frozen
class EInvoiceOperator:
    """One row of the operator list: the identifier exactly as Netvisor writes it."""

    identifier: str
    name: str
    kind: OperatorKind
    sources: str


def _op(identifier: str, name: str, sources: str) -> EInvoiceOperator:
    return EInvoiceOperator(identifier, name, OperatorKind.OPERATOR, sources)


def _bank(identifier: str, name: str, sources: str) -> EInvoiceOperator:
    return EInvoiceOperator(identifier, name, OperatorKind.BANK, sources)


# One row per identifier. Sources as in netvisor-api.md §8 (OCA, SPR) and finnish-rules.md
# §2.4 (S1 = laskuhari 2024-08, S2 = odoo l10n_fi, S3 = OCA, S4 = Sprintit, S5 = lupapiste).
OPERATORS: tuple[EInvoiceOperator, ...] = (
    _op("003723327487", "Apix Messaging Oy", "OCA, SPR, S1-S6"),
    _op("BAWCFI22", "Basware Oyj", "OCA, SPR, S1-S5"),
    _op("003703575029", "CGI Suomi Oy", "OCA, SPR, S2, S4"),
    _op("003714756079", "Telia Finland Oyj", "SPR, S2, S4"),
    _op("CREDIFLOW", "Crediflow AB", "SPR, S1, S2, S4"),
    _op("885790000000418", "HighJump AS", "OCA, S1-S3"),
    _op("INEXCHANGE", "InExchange Factorum AB", "OCA, SPR, S1-S5"),
    _op("EXPSYS", "Kofax / Lexmark Expert Systems AB", "OCA, S1-S3"),
    _op("003708599126", "OpenText Oy (ent. Liaison Technologies)", "OCA, SPR, S1, S2"),
    _op("003721291126", "Maventa (Visma)", "OCA, SPR, S1-S6; Netvisor's own operator"),
    _op("003726044706", "Netbox Finland Oy", "OCA, SPR, S1-S4"),
    _op("003717203971", "Notebeat Oy", "OCA, S3, S5"),
    _op("E204503", "OpusCapita Solutions Oy", "OCA, SPR, S1-S4"),
    _op("003723609900", "Pagero Oy", "OCA, SPR, S1-S4"),
    _op("PAGERO", "Pagero", "OCA, S3, S5, S6"),
    _op("PALETTE", "Palette Software", "OCA, S2, S3, S6"),
    _op("003710948874", "Posti Messaging Oy", "OCA, SPR, S2, S4"),
    _op("FI28768767", "Posti Messaging Oy", "S1 (2023 onwards)"),
    _op("003701150617", "PostNord Strålfors Oy", "OCA, SPR, S1-S5"),
    _op("003714377140", "Ropo Capital Oy", "OCA, SPR, S1-S6"),
    _op("003701011385", "Tieto(EVRY) Oyj", "OCA, SPR, S1-S6"),
    _op("885060259470028", "Tradeshift", "OCA, S1-S3"),
    _op("003722207029", "Åland Post Ab", "SPR, S1, S2, S4"),
    _op("FIYAPSOL", "YAP Solutions Oy", "OCA, S3-S5"),
    _op("UTMOST", "4US Oy", "S1"),
    _op("APPER", "Apper Systems AB", "S1"),
    _op("5909000716438", "Comarch", "S1"),
    _op("ROUTTY", "Dynatos", "S1"),
    _op("981012224", "Logiq AS", "S1"),
    _op("PEPPOL", "PEPPOL-verkko (ulkomaiset vastaanottajat)", "Netvisor 77000525620"),
    _bank("HELSFIHH", "Aktia Pankki Oyj", "OCA, SPR, S1-S6"),
    _bank("AABAFI22", "Ålandsbanken Abp", "OCA, SPR, S1-S6"),
    _bank("DABAFIHH", "Danske Bank", "OCA, SPR, S1-S6"),
    _bank("DNBAFIHX", "DNB Bank ASA", "OCA, S1-S3, S5"),
    _bank("HANDFIHH", "Handelsbanken", "OCA, SPR, S1-S6"),
    _bank("NDEAFIHH", "Nordea", "OCA, SPR, S1-S6"),
    _bank("OKOYFIHH", "OP-ryhmä", "OCA, SPR, S1-S6"),
    _bank("POPFFI22", "POP Pankit", "OCA, SPR, S1-S6"),
    _bank("SBANFIHH", "S-Pankki Oy", "OCA, S1-S6"),
    _bank("TAPIFI22", "S-Pankki (ent. LähiTapiola Pankki)", "OCA, S1-S3"),
    _bank("ITELFIHH", "Säästöpankit / Oma Säästöpankki", "OCA, SPR, S1-S6"),
    _bank("003722319362", "Oma Säästöpankki Oyj", "SPR, S2, S4"),
)

_BY_IDENTIFIER: Mapping[str, EInvoiceOperator] = {op.identifier: op for op in OPERATORS}

# Written forms seen in the wild that mean a listed operator. They are never accepted as
# such (the article demands Netvisor's exact form), only offered as the likely fix.
_ALIASES: Mapping[str, str] = {
    "00885790000000418": "885790000000418",
    "00885060259470028": "885060259470028",
    "NO981012224": "981012224",
    "BWEI": "BAWCFI22",
    "003705925424": "BAWCFI22",
    "MAVENTA": "003721291126",
    "APIX": "003723327487",
}


def find_operator(identifier: str) -> EInvoiceOperator | None:
    """The operator whose identifier is exactly ``identifier``, as Netvisor requires."""
    return _BY_IDENTIFIER.get(identifier)


def _squash(text: str) -> str:
    return re.sub(r"[\s\-_.]", "", unicodedata.normalize("NFKC", text)).upper()


def suggest_operator(written: str) -> EInvoiceOperator | None:
    """The listed operator that a mis-written identifier most likely means, if any.

    Catches the usual slips: case (``ndeafihh``), spaces or hyphens (``0037 2132 7487``),
    known old forms (``00885060259470028``) and an operator's name typed instead of its
    identifier (``Maventa``).
    """
    squashed = _squash(written)
    if not squashed:
        return None
    for op in OPERATORS:
        if _squash(op.identifier) == squashed:
            return op
    if squashed in _ALIASES:
        return _BY_IDENTIFIER[_ALIASES[squashed]]
    matches = _name_matches(squashed, OPERATORS)
    return matches[0] if len(matches) == 1 else None


def _name_matches(squashed: str, operators: Iterable[EInvoiceOperator]) -> list[EInvoiceOperator]:
    if len(squashed) < 4:
        return []
    return [op for op in operators if squashed in _squash(op.name)]


# --------------------------------------------------------------------------------------------
# Invoice reference numbers: Finnish (viitenumero, 7-3-1) and RF (ISO 11649)
# --------------------------------------------------------------------------------------------

# Finance Finland's structure guide: at least 4 and at most 20 digits, the check digit
# included. Validators that accept 3 digits (a 2-digit base) exist, but such a reference is
# outside the guide that banks and Finvoice follow, and Netvisor would print it on an
# invoice that a payer's bank may refuse: it is refused here, with the reason.
REFERENCE_MIN_DIGITS = 4
REFERENCE_MAX_DIGITS = 20
_731 = (7, 3, 1)
_RF = re.compile(r"^RF(\d{2})([0-9A-Z]{1,21})$")


class InvalidReferenceError(ValueError):
    """A text is not a valid reference number; the messages say why, in Finnish and English."""

    def __init__(self, value: str, message_fi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.value = value
        self.message_fi = message_fi
        self.message_en = message_en


def reference_check_digit(base: str) -> int:
    """The 7-3-1 check digit of a Finnish reference's base (its digits without the check).

    The base digits are weighted 7, 3, 1, 7, 3, 1, ... from the right; the check digit is
    what brings the sum up to the next multiple of ten (0 when it already is one).
    """
    if not (base.isascii() and base.isdigit()):
        raise ValueError(f"a reference base is digits only, got {base!r}")
    total = sum(int(digit) * _731[i % 3] for i, digit in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def finnish_reference(base: str) -> str:
    """``base`` followed by its check digit: ``"123"`` becomes ``"1232"``."""
    return base + str(reference_check_digit(base))


def creditor_reference(finnish: str) -> str:
    """The RF form of a Finnish reference: ``"1232"`` becomes ``"RF111232"``.

    ISO 11649: the reference (leading zeros dropped) followed by ``RF00`` as digits
    (R = 27, F = 15), taken mod 97, gives the check as 98 minus the remainder.
    """
    digits = finnish.lstrip("0")
    check = 98 - int(digits + "271500") % 97
    return f"RF{check:02d}{digits}"


def _mod97_text(text: str) -> int:
    """``text`` (digits and capitals) as ISO 7064 reads it, letters as 10-35, mod 97."""
    return int("".join(str(int(char, 36)) for char in text)) % 97


@attrs.frozen
class Reference:
    """A validated reference number as written for the payer, without spaces."""

    text: str
    kind: str  # "finnish" | "rf"

    def __str__(self) -> str:
        return self.text


def parse_reference(text: str) -> Reference:
    """Read a Finnish reference (``1232``, ``12345 67890 7``) or an RF one (``RF11 1232``).

    Spaces (the printed groups of five or four) are dropped; letters of an RF reference are
    read case-insensitively and returned in capitals.

    Raises:
        InvalidReferenceError: with a Finnish and an English reason.
    """
    compact = re.sub(r"[\s\u00a0]", "", unicodedata.normalize("NFKC", text)).upper()
    if compact.startswith("RF"):
        return _parse_rf(text, compact)
    if not (compact.isascii() and compact.isdigit()):
        raise InvalidReferenceError(
            text,
            f"Viitenumero {text!r} ei ole pelkkiä numeroita eikä RF-viite",
            f"Reference number {text!r} is neither digits only nor an RF reference",
        )
    if compact.startswith("0"):
        raise InvalidReferenceError(
            text,
            f"Viitenumero {text!r} alkaa nollalla",
            f"Reference number {text!r} starts with zero",
        )
    if not REFERENCE_MIN_DIGITS <= len(compact) <= REFERENCE_MAX_DIGITS:
        raise InvalidReferenceError(
            text,
            f"Viitenumerossa {text!r} on {len(compact)} numeroa; sallittu on 4–20 "
            "tarkistenumero mukaan lukien",
            f"Reference number {text!r} has {len(compact)} digits; 4 to 20 are allowed, "
            "the check digit included",
        )
    if reference_check_digit(compact[:-1]) != int(compact[-1]):
        raise InvalidReferenceError(
            text,
            f"Viitenumeron {text!r} tarkistenumero on väärä",
            f"Reference number {text!r} has a wrong check digit",
        )
    return Reference(compact, "finnish")


def _parse_rf(text: str, compact: str) -> Reference:
    match = _RF.match(compact)
    if not match or not compact.isascii():
        raise InvalidReferenceError(
            text,
            f"RF-viite {text!r} ei ole muotoa RF + kaksi tarkistenumeroa + 1–21 merkkiä",
            f"RF reference {text!r} is not RF, two check digits and 1 to 21 characters",
        )
    if _mod97_text(compact[4:] + compact[:4]) != 1:
        raise InvalidReferenceError(
            text,
            f"RF-viitteen {text!r} tarkistenumerot ovat väärät",
            f"RF reference {text!r} has wrong check digits",
        )
    return Reference(compact, "rf")


def is_valid_reference(text: str) -> bool:
    """Whether :func:`parse_reference` accepts ``text``."""
    try:
        parse_reference(text)
    except InvalidReferenceError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# VAT rates by date, and rounding
# --------------------------------------------------------------------------------------------


@attrs.frozen
class VatRatePeriod:
    """One VAT rate and the supply dates it applies to (both ends inclusive, ``None`` open).

    The table starts with the rates of 1.1.2013 (24, 14, 10); rates before that (23, 13,
    9 from 1.7.2010) are not listed, so an older supply date finds no standard or reduced
    rate and is refused rather than guessed.
    """

    rate: Decimal
    kind: str  # general | reduced | zero
    valid_from: date | None
    valid_until: date | None
    source: str

    def applies_on(self, day: date) -> bool:
        after_start = self.valid_from is None or day >= self.valid_from
        before_end = self.valid_until is None or day <= self.valid_until
        return after_start and before_end


VAT_RATES: tuple[VatRatePeriod, ...] = (
    VatRatePeriod(Decimal("24"), "general", date(2013, 1, 1), date(2024, 8, 31), "to 31.8.2024"),
    VatRatePeriod(Decimal("25.5"), "general", date(2024, 9, 1), None, "from 1.9.2024"),
    VatRatePeriod(Decimal("14"), "reduced", date(2013, 1, 1), date(2025, 12, 31), "HE 93/2025"),
    VatRatePeriod(Decimal("13.5"), "reduced", date(2026, 1, 1), None, "HE 93/2025, 1.1.2026"),
    # 10 %: since 2025 only newspapers and periodicals (HE 141/2024); still a rate in force.
    VatRatePeriod(Decimal("10"), "reduced", date(2013, 1, 1), None, "HE 141/2024"),
    VatRatePeriod(Decimal("0"), "zero", None, None, "exempt and zero-rated supplies"),
)
"""One row per rate period (``finnish-rules.md`` §3.1, ``invoices.md`` §4)."""


def vat_rates_on(day: date) -> frozenset[Decimal]:
    """Every VAT rate in force on ``day``."""
    return frozenset(row.rate for row in VAT_RATES if row.applies_on(day))


def vat_rate_valid_on(rate: Decimal, day: date) -> bool:
    """Whether ``rate`` (any scale: ``25.5`` and ``25.50`` are the same) applies on ``day``."""
    return any(row.rate == rate and row.applies_on(day) for row in VAT_RATES)


CENT = Decimal("0.01")


def round_cents(value: Decimal) -> Decimal:
    """``value`` rounded to cents, half-up: 0.005 becomes 0.01 and -0.005 becomes -0.01.

    Decimal's ROUND_HALF_UP rounds a tie away from zero, so a credit note's lines round to
    exactly the negatives of its invoice's.
    """
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
