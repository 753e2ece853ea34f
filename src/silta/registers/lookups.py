"""Severa's reference data the mappings need: countries and languages by code and GUID.

Netvisor writes countries as ISO 3166 alpha-2 codes and invoice languages as ``FI``, ``EN``
and ``SE`` (Swedish is ``SE`` in Netvisor, not ISO 639 ``sv``); Severa refers to both by
GUID. The tables are read once per run from Severa and held here.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from silta.severa import Country, Language

__all__ = ["NETVISOR_LANGUAGES", "Lookups"]

# Netvisor invoice language <-> ISO 639-1 code of Severa's language
NETVISOR_LANGUAGES: dict[str, str] = {"FI": "fi", "SE": "sv", "EN": "en"}
_FROM_ISO = {iso: netvisor for netvisor, iso in NETVISOR_LANGUAGES.items()}


@attrs.frozen
class Lookups:
    """Countries and languages of one Severa organisation, indexed both ways.

    The indexes are built once: a linear search per record (hundreds of countries, dozens
    of languages) was the largest single cost of mapping Severa customers.
    """

    countries: tuple[Country, ...] = ()
    languages: tuple[Language, ...] = ()
    _code_of_country: dict[str, str | None] = attrs.field(init=False, repr=False, eq=False)
    _guid_of_code: dict[str, str] = attrs.field(init=False, repr=False, eq=False)
    _code_of_language: dict[str, str | None] = attrs.field(init=False, repr=False, eq=False)
    _guid_of_iso: dict[str, str] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        code_of_country: dict[str, str | None] = {}
        guid_of_code: dict[str, str] = {}
        for country in self.countries:  # the first of a duplicate wins, as a search would
            code2 = country.code2.upper() if country.code2 else None
            code_of_country.setdefault(country.guid, code2)
            if code2:
                guid_of_code.setdefault(code2, country.guid)
        code_of_language: dict[str, str | None] = {}
        guid_of_iso: dict[str, str] = {}
        for language in self.languages:
            code_of_language.setdefault(language.guid, language.code)
            if language.code:
                guid_of_iso.setdefault(language.code.lower()[:2], language.guid)
        object.__setattr__(self, "_code_of_country", code_of_country)
        object.__setattr__(self, "_guid_of_code", guid_of_code)
        object.__setattr__(self, "_code_of_language", code_of_language)
        object.__setattr__(self, "_guid_of_iso", guid_of_iso)

    @classmethod
    def of(cls, countries: Iterable[Country], languages: Iterable[Language]) -> Lookups:
        return cls(tuple(countries), tuple(languages))

    def country_code(self, guid: str | None) -> str | None:
        """ISO alpha-2 code of a Severa country GUID."""
        return None if guid is None else self._code_of_country.get(guid)

    def country_guid(self, code: str | None) -> str | None:
        """Severa GUID of an ISO alpha-2 country code."""
        return self._guid_of_code.get(code.upper()) if code else None

    def netvisor_language(self, guid: str | None, code: str | None) -> str | None:
        """Netvisor's ``FI``/``EN``/``SE`` for a Severa language (by code, else by GUID)."""
        if code is None and guid is not None:
            code = self._code_of_language.get(guid)
        if code is None:
            return None
        return _FROM_ISO.get(code.lower()[:2])

    def severa_language(self, netvisor_language: str | None) -> str | None:
        """Severa's language GUID for Netvisor's ``FI``/``EN``/``SE``."""
        if not netvisor_language:
            return None
        iso = NETVISOR_LANGUAGES.get(netvisor_language.upper())
        return self._guid_of_iso.get(iso) if iso else None
