"""Reference data every organisation is born with: languages, countries, VAT rates, users...

Severa organisations come with settings the registers point at: a language list, countries,
VAT rates, currencies, users, and UI-managed lists (product categories, sales accounts, invoice
templates, status types ...). The sandbox seeds a small fixed set of each, with GUIDs drawn
from the organisation's own id source, so the same seed gives the same GUIDs.

Only languages, countries and VAT rates have routes here (``/v1/localization/languages``,
``/v1/localization/countries``, ``/v1/vatrates``); the rest exist so that reference fields of
the input models (``owner``, ``productCategory``, ``invoiceTemplate`` ...) can be set and
checked. A reference to a list the sandbox keeps empty (contacts, country regions) can only be
``null``: any GUID there names nothing and is a 400.

Names are Finnish where Severa shows the organisation's language (the demo organisation is
Finnish): language ``suomi``/``englanti``/``ruotsi``, country ``Suomi``... ``englishName``
carries the English name, as in the document's models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from .render import shaped
from .times import format_datetime

__all__ = [
    "Country",
    "Currency",
    "Language",
    "ReferenceData",
    "ReferenceItem",
    "User",
    "VatRate",
    "seed_reference_data",
]


@attrs.frozen
class Language:
    """A ``LanguageModel``."""

    guid: str
    code: str
    name: str
    english_name: str
    is_invoice_language: bool = True

    def as_json(self) -> dict[str, Any]:
        """The ``LanguageModel`` JSON."""
        return {
            "guid": self.guid,
            "name": self.name,
            "englishName": self.english_name,
            "code": self.code,
            "isInvoiceLanguage": self.is_invoice_language,
        }


@attrs.frozen
class Currency:
    """A currency (``CurrencyBaseModel`` and its relatives)."""

    guid: str
    code: str
    name: str
    symbol: str

    def as_json(self) -> dict[str, Any]:
        """``{guid, code, name, symbol}`` - the members every currency sub-model has."""
        return {"guid": self.guid, "code": self.code, "name": self.name, "symbol": self.symbol}


@attrs.frozen
class Country:
    """A ``CountryModel``."""

    guid: str
    code2: str
    code3: str
    name: str
    english_name: str
    is_in_eu: bool
    currency: Currency
    default_language: Language | None
    default_culture: str
    timezone: ReferenceItem
    is_registration_country: bool = False


@attrs.frozen
class VatRate:
    """A ``VatRateOutputModel``."""

    guid: str
    percentage: float
    code: str
    country_guid: str
    is_active: bool = True
    is_default: bool = False


@attrs.frozen
class User:
    """A user, as the ``UserWithFirstNameLastNameAndPhotoFileModel`` sub-model shows one."""

    guid: str
    first_name: str
    last_name: str
    code: str
    email: str | None = None

    @property
    def name(self) -> str:
        """``First Last``."""
        return f"{self.first_name} {self.last_name}"

    def as_json(self) -> dict[str, Any]:
        """The user sub-model JSON."""
        return {
            "guid": self.guid,
            "name": self.name,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "code": self.code,
        }


@attrs.frozen
class ReferenceItem:
    """An entry of a UI-managed list (industry, sales account, invoice template ...).

    ``code`` is the list's extra identifier where it has one: a sales account's ``number``, a
    cost centre's ``identifier``.
    """

    target: str
    guid: str
    name: str
    code: str | None = None


_LANGUAGES: Final = (("fi", "suomi", "Finnish"), ("en", "englanti", "English"),
                     ("sv", "ruotsi", "Swedish"))  # fmt: skip
_CURRENCIES: Final = (("EUR", "Euro", "€"), ("SEK", "Swedish krona", "kr"),
                      ("NOK", "Norwegian krone", "kr"), ("DKK", "Danish krone", "kr"),
                      ("GBP", "Pound sterling", "£"), ("USD", "US dollar", "$"))  # fmt: skip
_TIMEZONES: Final = (
    ("FLE Standard Time", "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius"),
    ("W. Europe Standard Time", "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"),
    ("GMT Standard Time", "(UTC+00:00) Dublin, Edinburgh, Lisbon, London"),
    ("Eastern Standard Time", "(UTC-05:00) Eastern Time (US & Canada)"),
)
# code2, code3, name (fi), English name, in EU, currency, language, culture, time zone
_COUNTRIES: Final = (
    ("FI", "FIN", "Suomi", "Finland", True, "EUR", "fi", "fi-FI", "FLE Standard Time"),
    ("SE", "SWE", "Ruotsi", "Sweden", True, "SEK", "sv", "sv-SE", "W. Europe Standard Time"),
    ("EE", "EST", "Viro", "Estonia", True, "EUR", None, "et-EE", "FLE Standard Time"),
    ("DE", "DEU", "Saksa", "Germany", True, "EUR", None, "de-DE", "W. Europe Standard Time"),
    ("NO", "NOR", "Norja", "Norway", False, "NOK", None, "nb-NO", "W. Europe Standard Time"),
    ("DK", "DNK", "Tanska", "Denmark", True, "DKK", None, "da-DK", "W. Europe Standard Time"),
    ("GB", "GBR", "Iso-Britannia", "United Kingdom", False, "GBP", "en", "en-GB",
     "GMT Standard Time"),
    ("US", "USA", "Yhdysvallat", "United States", False, "USD", "en", "en-US",
     "Eastern Standard Time"),
)  # fmt: skip
# Finland's rates since 1 Sep 2024 (24 % kept, inactive, as an organisation would), Sweden's.
_VAT_RATES: Final = (
    ("FI", 25.5, "25,5", True, True), ("FI", 14.0, "14", True, False),
    ("FI", 13.5, "13,5", True, False), ("FI", 10.0, "10", True, False),
    ("FI", 0.0, "0", True, False), ("FI", 24.0, "24", False, False),
    ("SE", 25.0, "25", True, True), ("SE", 12.0, "12", True, False),
    ("SE", 6.0, "6", True, False), ("SE", 0.0, "0", True, False),
)  # fmt: skip
_USERS: Final = (("Matti", "Virtanen", "MV"), ("Aino", "Korhonen", "AK"))
# target → (name, code) entries; an empty tuple keeps the list empty.
_ITEMS: Final[dict[str, tuple[tuple[str, str | None], ...]]] = {
    "industry": (("Rakentaminen", None), ("Ohjelmistot ja IT", None), ("Konsultointi", None)),
    "pricelist": (("Oletushinnasto", None),),
    "invoiceTemplate": (("Verkkolasku", None), ("Paperilasku", None), ("Sähköpostilasku", None)),
    "productCategory": (("Palvelut", None), ("Tarvikkeet", None), ("Lisenssit", None)),
    "salesAccount": (("Myynti 25,5 %", "3000"), ("Myynti 14 %", "3010"),
                     ("Myynti, veroton", "3300")),
    "costCenter": (("Helsinki", "100"), ("Tampere", "200")),
    "salesStatusType": (("Tarjous", None), ("Voitettu", None), ("Hävitty", None)),
    "projectStatusType": (("Käynnissä", None), ("Valmis", None), ("Tauolla", None)),
    "phaseStatusType": (("Käynnissä", None), ("Valmis", None)),
    "workType": (("Suunnittelu", None), ("Asennus", None)),
    "leadSource": (("Verkkosivut", None), ("Suositus", None)),
    "contact": (),
    "countryRegion": (),
}  # fmt: skip


@attrs.frozen
class ReferenceData:
    """Everything of :mod:`.reference` one organisation holds."""

    languages: tuple[Language, ...]
    currencies: tuple[Currency, ...]
    countries: tuple[Country, ...]
    vat_rates: tuple[VatRate, ...]
    users: tuple[User, ...]
    items: Mapping[str, Mapping[str, ReferenceItem]]
    created_at: datetime

    def language(self, guid: str | None) -> Language | None:
        """The language with ``guid``."""
        return next((x for x in self.languages if x.guid == guid), None)

    def currency(self, guid: str | None) -> Currency | None:
        """The currency with ``guid``."""
        return next((x for x in self.currencies if x.guid == guid), None)

    def currency_by_code(self, code: str) -> Currency | None:
        """The currency with ISO code ``code``."""
        return next((x for x in self.currencies if x.code == code), None)

    def country(self, guid: str | None) -> Country | None:
        """The country with ``guid``."""
        return next((x for x in self.countries if x.guid == guid), None)

    def vat_rate(self, guid: str | None) -> VatRate | None:
        """The VAT rate with ``guid``."""
        return next((x for x in self.vat_rates if x.guid == guid), None)

    def user(self, guid: str | None) -> User | None:
        """The user with ``guid``."""
        return next((x for x in self.users if x.guid == guid), None)

    def item(self, target: str, guid: str | None) -> ReferenceItem | None:
        """The entry ``guid`` of the list ``target``."""
        return None if guid is None else self.items.get(target, {}).get(guid)

    def exists(self, target: str, guid: str) -> bool:
        """Whether ``guid`` names an entry of ``target`` (a list above, or a kind of data)."""
        finders: dict[str, Callable[[str], object]] = {
            "language": self.language,
            "currency": self.currency,
            "country": self.country,
            "vatRate": self.vat_rate,
            "user": self.user,
        }
        finder = finders.get(target)
        if finder is not None:
            return finder(guid) is not None
        return self.item(target, guid) is not None

    # -- JSON of the reference routes ------------------------------------------------------

    def country_json(self, country: Country) -> dict[str, Any]:
        """The ``CountryModel`` JSON."""
        language = country.default_language
        return shaped(
            "CountryModel",
            {
                "guid": country.guid,
                "name": country.name,
                "englishName": country.english_name,
                "code2": country.code2,
                "code3": country.code3,
                "isInEU": country.is_in_eu,
                "isRegistrationCountry": country.is_registration_country,
                "hasRegions": "NoRegion",
                "currency": country.currency.as_json(),
                "defaultLanguage": None
                if language is None
                else {"guid": language.guid, "name": language.name},
                "defaultCulture": country.default_culture,
                "companyRegisterUrl": None,
                "timezone": {"guid": country.timezone.guid, "name": country.timezone.name},
            },
        )

    def vat_rate_json(self, rate: VatRate) -> dict[str, Any]:
        """The ``VatRateOutputModel`` JSON."""
        stamp = format_datetime(self.created_at)
        return shaped(
            "VatRateOutputModel",
            {
                "guid": rate.guid,
                "percentage": rate.percentage,
                "code": rate.code,
                "isActive": rate.is_active,
                "isDefault": rate.is_default,
                "countryGuid": rate.country_guid,
                "createdDateTime": stamp,
                "createdBy": None,
                "lastUpdatedDateTime": stamp,
                "lastUpdatedBy": None,
            },
        )


def seed_reference_data(
    new_guid: Callable[[], str], now: datetime, home_country: str = "FI"
) -> ReferenceData:
    """The fixed reference data, GUIDs drawn from ``new_guid`` in a fixed order."""
    languages = tuple(
        Language(new_guid(), code, name, english) for code, name, english in _LANGUAGES
    )
    by_language = {language.code: language for language in languages}
    currencies = tuple(
        Currency(new_guid(), code, name, symbol) for code, name, symbol in _CURRENCIES
    )
    by_currency = {currency.code: currency for currency in currencies}
    timezones = {key: ReferenceItem("timezone", new_guid(), name) for key, name in _TIMEZONES}
    countries = tuple(
        Country(
            guid=new_guid(),
            code2=code2,
            code3=code3,
            name=name,
            english_name=english,
            is_in_eu=in_eu,
            currency=by_currency[currency],
            default_language=None if language is None else by_language[language],
            default_culture=culture,
            timezone=timezones[zone],
            is_registration_country=code2 == home_country,
        )
        for code2, code3, name, english, in_eu, currency, language, culture, zone in _COUNTRIES
    )
    by_country = {country.code2: country for country in countries}
    vat_rates = tuple(
        VatRate(new_guid(), percentage, code, by_country[country].guid, active, default)
        for country, percentage, code, active, default in _VAT_RATES
    )
    users = tuple(
        User(new_guid(), first, last, code, f"{code.lower()}@demo.example")
        for first, last, code in _USERS
    )
    items: dict[str, dict[str, ReferenceItem]] = {
        "timezone": {item.guid: item for item in timezones.values()}
    }
    for target, entries in _ITEMS.items():
        made = [ReferenceItem(target, new_guid(), name, code) for name, code in entries]
        items[target] = {item.guid: item for item in made}
    return ReferenceData(
        languages=languages,
        currencies=currencies,
        countries=countries,
        vat_rates=vat_rates,
        users=users,
        items=items,
        created_at=now,
    )
