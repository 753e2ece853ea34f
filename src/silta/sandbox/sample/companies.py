"""Believable Finnish companies and people, drawn from one seed.

A :class:`Company` is a customer as the world knows it, before either system has written it
down: the customer writers render the same company into Netvisor's elements and Severa's
fields, so that a customer present in both systems is recognisably the same company.

Why not Faker's own ``company()`` and ``phone_number()``: the ``fi_FI`` company provider also
makes housing companies (``As Oy``) and associations (``ry``), which are not an invoicing
company's customers, and its phone formats include impossible numbers such as
``(+358) 070...``. Faker still gives the names of people, street-name stems, postal codes and
municipalities. Its business IDs never start with zero, so the IDs are drawn here with
:func:`silta.registers.finnish.business_id_check_digit`, some from the old ``0xxxxxx`` range.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, TypeVar

import attrs
from faker import Faker

from silta.registers.finnish import OPERATORS, BusinessId, OperatorKind, business_id_check_digit

from . import words

__all__ = ["Company", "Draw", "Person", "identity_code"]

T = TypeVar("T")

#: The first digits of a Finnish bank's account numbers (BBAN), by the bank's BIC: an
#: e-invoice sent over the bank network is addressed to the receiver's IBAN.
_BANK_ACCOUNT_PREFIXES: Final = {
    "NDEAFIHH": "1",
    "OKOYFIHH": "5",
    "DABAFIHH": "8",
    "HANDFIHH": "31",
    "HELSFIHH": "405",
    "SBANFIHH": "39",
    "POPFFI22": "47",
    "AABAFI22": "6",
}
#: E-invoice operators that address invoices by OVT (``0037`` + business ID digits).
_OVT_OPERATORS: Final = tuple(
    op.identifier
    for op in OPERATORS
    if op.kind is OperatorKind.OPERATOR and op.identifier != "PEPPOL"
)
#: Check characters of a personal identity code, by the remainder modulo 31.
_HETU_CHECK: Final = "0123456789ABCDEFHJKLMNPRSTUVWXY"
#: Century signs of people born in the 1900s (the 2023 reform added Y, X, W, V, U).
_HETU_1900S: Final = "-YXWVU"
_ASCII: Final = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u"})


@attrs.frozen
class Company:
    """A customer company as it is in the world, in neither system's form yet.

    Attributes:
        name: the registered name with its legal form (``Virtanen Rakennus Oy``).
        business_id: its business ID.
        street, postal_code, city: the head-office address (always in Finland).
        phone: the switchboard number; fax: a fax number, for the few that keep one.
        email: the general e-mail address; website: the home page, as the company writes it.
        language: ``fi``, ``sv`` or ``en``: the language it is invoiced in.
        einvoice_address, einvoice_operator: where e-invoices go (OVT or IBAN, and the
            operator or bank identifier exactly as Netvisor lists it), or ``None``.
        notes: what the accountant wrote on the customer card, or ``None``.
    """

    name: str
    business_id: BusinessId
    street: str
    postal_code: str
    city: str
    phone: str
    fax: str | None
    email: str
    website: str
    language: str
    einvoice_address: str | None
    einvoice_operator: str | None
    notes: str | None


@attrs.frozen
class Person:
    """A consumer customer: a name, a fictitious personal identity code and an address."""

    first_name: str
    last_name: str
    identity_code: str
    street: str
    postal_code: str
    city: str
    phone: str
    email: str

    @property
    def name(self) -> str:
        """First name first, as a consumer is written on an invoice."""
        return f"{self.first_name} {self.last_name}"


def _weighted(rng: random.Random, table: Sequence[tuple[T, int]]) -> T:
    values = [value for value, _ in table]
    weights = [weight for _, weight in table]
    return rng.choices(values, weights)[0]


def _slug(text: str) -> str:
    folded = text.lower().translate(_ASCII)
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def identity_code(rng: random.Random) -> str:
    """A personal identity code from the 900-999 range, which DVV keeps for test persons.

    Born in 1950-1999 with one of the 1900s century signs; the check character is the
    nine digits modulo 31, as for every identity code.
    """
    year = rng.randrange(1950, 2000)
    day, month = rng.randrange(1, 29), rng.randrange(1, 13)
    individual = rng.randrange(900, 1000)
    digits = f"{day:02d}{month:02d}{year % 100:02d}{individual:03d}"
    sign = rng.choice(_HETU_1900S)
    return f"{digits[:6]}{sign}{digits[6:]}{_HETU_CHECK[int(digits) % 31]}"


def _iban(rng: random.Random, bank_prefix: str) -> str:
    """A Finnish IBAN (``FIkk`` + 14 digits) of the bank with ``bank_prefix``."""
    bban = bank_prefix + "".join(str(rng.randrange(10)) for _ in range(14 - len(bank_prefix)))
    # ISO 13616: the country code and 00 moved to the end, letters as numbers (F=15, I=18).
    check = 98 - int(f"{bban}151800") % 97
    return f"FI{check:02d}{bban}"


def _at_least_one(count: int, share: float) -> int:
    return max(1, round(count * share))


class Draw:
    """Every random choice of one sample: a seeded :class:`random.Random` and Faker.

    Names, business IDs and web domains are kept unique within the sample, as they are in
    one company's register.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("fi_FI")
        self.fake.seed_instance(seed)
        self._business_ids: set[str] = set()
        self._names: set[str] = set()
        self._domains: set[str] = set()
        self._companies = 0

    def deck(self, count: int, shares: Mapping[T, float], rest: T) -> Iterator[T]:
        """``count`` values in a shuffled order: each key of ``shares`` that share of them
        but at least once, the others ``rest``. Unlike a draw per record, a deck makes sure
        that even a small sample has a few of each kind."""
        cards = [
            value for value, share in shares.items() for _ in range(_at_least_one(count, share))
        ]
        cards = cards[:count] + [rest] * (count - len(cards))
        self.rng.shuffle(cards)
        return iter(cards)

    # -- identifiers -----------------------------------------------------------------------

    def business_id(self, *, leading_zero: bool = False) -> BusinessId:
        """A fresh valid business ID; ``leading_zero`` draws from the old ``0xxxxxx`` range
        (IDs carried over from the old LY numbers, still in use)."""
        low, high = (100_000, 1_000_000) if leading_zero else (1_000_000, 3_500_000)
        while True:
            body = f"{self.rng.randrange(low, high):07d}"
            check = business_id_check_digit(body)
            if check is not None and body + str(check) not in self._business_ids:
                self._business_ids.add(body + str(check))
                return BusinessId(body + str(check))

    def einvoicing(self, business_id: BusinessId) -> tuple[str, str]:
        """An e-invoice address and the operator (or bank) identifier that carries it."""
        if self.rng.random() < 0.35:
            bank = self.rng.choice(sorted(_BANK_ACCOUNT_PREFIXES))
            return self.bank_account(bank), bank
        return f"0037{business_id.digits}", self.rng.choice(_OVT_OPERATORS)

    def bank_account(self, bic: str) -> str:
        """An IBAN at the bank with ``bic`` (one of the banks of the e-invoice network)."""
        return _iban(self.rng, _BANK_ACCOUNT_PREFIXES[bic])

    # -- contact details -------------------------------------------------------------------

    def street(self) -> str:
        """A street address: a Faker street stem, a common suffix, a number, maybe a door."""
        stem = self.fake.street_prefix()
        suffix = _weighted(self.rng, words.STREET_SUFFIXES)
        name = f"{stem}{suffix}"  # a stem may end in a space: "Adolf Lindforsin tie"
        number = str(self.rng.randrange(1, 80))
        roll = self.rng.random()
        if roll < 0.15:
            number += f" {self.rng.choice('ABC')} {self.rng.randrange(1, 30)}"
        elif roll < 0.25:
            number += self.rng.choice("ABCD")
        return f"{name} {number}"

    def place(self) -> tuple[str, str]:
        """A postal code (five digits) and a municipality."""
        return self.fake.postcode(), self.fake.city()

    def phone(self) -> str:
        """A Finnish phone number, written nationally or internationally."""
        area = self.rng.choice(words.PHONE_AREAS)
        digits = f"{self.rng.randrange(100_0000, 999_9999)}"
        if self.rng.random() < 0.4:
            return f"+358 {area} {digits}"
        return f"0{area} {digits[:3]} {digits[3:]}"

    # -- companies and people --------------------------------------------------------------

    def company_name(self) -> tuple[str, str]:
        """A unique company name and the language it is invoiced in."""
        while True:
            name, language = self._name_and_language()
            if name not in self._names:
                self._names.add(name)
                return name, language

    def _name_and_language(self) -> tuple[str, str]:
        rng, fake = self.rng, self.fake
        form = _weighted(rng, words.FORMS)
        roll = rng.random()
        if roll < 0.28:
            name = f"{fake.last_name()} {rng.choice(words.TRADES)} {form}"
        elif roll < 0.50:
            name = f"{rng.choice(words.TRADE_PREFIXES)} {fake.last_name()} {form}"
        elif roll < 0.60:
            first, second = fake.last_name(), fake.last_name()
            name = f"{first} & {second} {rng.choice(('Ky', 'Oy'))}"
        elif roll < 0.78:
            name = f"{rng.choice(words.STEMS)}{rng.choice(words.STEM_SUFFIXES)} {form}"
        elif roll < 0.88:
            name = f"{rng.choice(words.REGIONS)} {rng.choice(words.TRADES)} {form}"
        elif roll < 0.95:
            name = f"Tmi {fake.first_name()} {fake.last_name()}"
        else:
            name = f"{fake.last_name()} {rng.choice(words.TRADES)} Ab"
        if name.endswith("Ab"):
            return name, "sv"
        return name, "en" if rng.random() < 0.05 else "fi"

    def domain(self, name: str) -> str:
        """A unique ``.fi`` domain made of the name without its legal form."""
        parts = [p for p in _slug(name).split("-") if p and p not in words.FORM_WORDS]
        base = "-".join(parts) or "yritys"
        candidate, n = f"{base}.fi", 1
        while candidate in self._domains:
            n += 1
            candidate = f"{base}{n}.fi"
        self._domains.add(candidate)
        return candidate

    def company(self) -> Company:
        """A new company. The second company drawn, and every eleventh after it, has a
        business ID from the old ``0xxxxxx`` range, so any sample has some."""
        self._companies += 1
        rng = self.rng
        name, language = self.company_name()
        business_id = self.business_id(leading_zero=self._companies % 11 == 2)
        domain = self.domain(name)
        postal_code, city = self.place()
        if name.startswith("Tmi "):
            first, last = name.split()[1:3]
            email = f"{_slug(first)}.{_slug(last)}@{domain}"
        else:
            email = f"{rng.choice(words.MAILBOXES)}@{domain}"
        website = f"https://www.{domain}" if rng.random() < 0.6 else f"www.{domain}"
        einvoice = self.einvoicing(business_id) if rng.random() < 0.4 else None
        return Company(
            name=name,
            business_id=business_id,
            street=self.street(),
            postal_code=postal_code,
            city=city,
            phone=self.phone(),
            fax=self.phone() if rng.random() < 0.1 else None,
            email=email,
            website=website,
            language=language,
            einvoice_address=einvoice[0] if einvoice else None,
            einvoice_operator=einvoice[1] if einvoice else None,
            notes=rng.choice(words.NOTES) if rng.random() < 0.15 else None,
        )

    def person(self) -> Person:
        """A consumer with a fictitious identity code (never a real person's)."""
        first, last = self.fake.first_name(), self.fake.last_name()
        postal_code, city = self.place()
        return Person(
            first_name=first,
            last_name=last,
            identity_code=identity_code(self.rng),
            street=self.street(),
            postal_code=postal_code,
            city=city,
            phone=self.phone(),
            email=f"{_slug(first)}.{_slug(last)}@example.fi",
        )

    # -- money -----------------------------------------------------------------------------

    def price(self, low: Decimal, high: Decimal) -> Decimal:
        """A price between ``low`` and ``high``, rounded the way a price list is."""
        value = low + (high - low) * Decimal(self.rng.randrange(0, 1001)) / 1000
        step = Decimal(5) if value >= 100 else Decimal("0.5") if value >= 10 else Decimal("0.01")
        rounded = (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
        return max(rounded, low).quantize(Decimal("0.01"))
