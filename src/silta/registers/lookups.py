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
    """Countries and languages of one Severa organisation."""

    countries: tuple[Country, ...] = ()
    languages: tuple[Language, ...] = ()

    @classmethod
    def of(cls, countries: Iterable[Country], languages: Iterable[Language]) -> Lookups:
        return cls(tuple(countries), tuple(languages))

    def country_code(self, guid: str | None) -> str | None:
        """ISO alpha-2 code of a Severa country GUID."""
        for country in self.countries:
            if guid is not None and country.guid == guid:
                return country.code2.upper() if country.code2 else None
        return None

    def country_guid(self, code: str | None) -> str | None:
        """Severa GUID of an ISO alpha-2 country code."""
        if not code:
            return None
        for country in self.countries:
            if country.code2 and country.code2.upper() == code.upper():
                return country.guid
        return None

    def netvisor_language(self, guid: str | None, code: str | None) -> str | None:
        """Netvisor's ``FI``/``EN``/``SE`` for a Severa language (by code, else by GUID)."""
        if code is None and guid is not None:
            code = next((lang.code for lang in self.languages if lang.guid == guid), None)
        if code is None:
            return None
        return _FROM_ISO.get(code.lower()[:2])

    def severa_language(self, netvisor_language: str | None) -> str | None:
        """Severa's language GUID for Netvisor's ``FI``/``EN``/``SE``."""
        if not netvisor_language:
            return None
        iso = NETVISOR_LANGUAGES.get(netvisor_language.upper())
        for language in self.languages:
            if iso and language.code and language.code.lower()[:2] == iso:
                return language.guid
        return None
