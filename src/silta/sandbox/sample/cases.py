"""The planted cases and showcases as data: one row per kind of case, in both languages.

A row names the rule the engine will report (or, for a showcase, what the demo shows), the
register and system of the record, and a description template filled with the record's own
values when it is planted. Two rows may share a rule: the two ways of writing an e-invoice
operator wrongly, the two phases that share a code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import attrs

from .model import PlantedCase

__all__ = ["CASES", "Case", "Cases"]


@attrs.frozen
class Case:
    """One kind of planted case. ``refused`` separates refusals from showcases."""

    rule: str
    register: str
    system: str
    refused: bool
    fi: str
    en: str


def _refusal(rule: str, fi: str, en: str) -> Case:
    register, system = rule.split(".")[:2]
    if register == "dimensions":
        system = "severa"
    return Case(rule, register, system, True, fi, en)


def _showcase(rule: str, fi: str, en: str) -> Case:
    register, system = rule.split(".")[:2]
    return Case(rule, register, system, False, fi, en)


CASES: Final[Mapping[str, Case]] = {
    # -- customers, Severa -> Netvisor (scenario a) ----------------------------------------
    "severa_business_id_missing": _refusal(
        "customers.severa.business_id_missing",
        "Yritysasiakkaalla {name} ({number}) ei ole Y-tunnusta; henkilöasiakasasetus on pois "
        "päältä, joten asiakasta ei siirretä.",
        "Company customer {name} ({number}) has no business ID; the person-customer setting "
        "is off, so it is not transferred.",
    ),
    "severa_business_id_invalid": _refusal(
        "customers.severa.business_id_invalid",
        "Asiakkaan {name} ({number}) Y-tunnuksen {value} tarkistusnumero on väärä.",
        "The business ID {value} of customer {name} ({number}) has a wrong check digit.",
    ),
    "severa_head_office_missing": _refusal(
        "customers.severa.head_office_missing",
        "Asiakkaalla {name} ({number}) on osoite, mutta sitä ei ole valittu pääkonttoriksi.",
        "Customer {name} ({number}) has an address, but it is not chosen as the head office.",
    ),
    "severa_number_in_use": _refusal(
        "customers.severa.number_in_use",
        "Asiakasnumero {number} on Netvisorissa jo asiakkaalla {other} (Y-tunnus {other_id}), "
        "joka on eri yritys kuin {name} ({business_id}).",
        "Customer number {number} is already held in Netvisor by {other} (business ID "
        "{other_id}), a different company from {name} ({business_id}).",
    ),
    "severa_operator_case": _refusal(
        "customers.severa.operator_unsupported",
        "Asiakkaan {name} ({number}) verkkolaskuoperaattori on kirjoitettu muodossa {value}; "
        "Netvisorin muoto on {expected}.",
        "The e-invoice operator of customer {name} ({number}) is written {value}; Netvisor "
        "writes it {expected}.",
    ),
    "severa_operator_unknown": _refusal(
        "customers.severa.operator_unsupported",
        "Asiakkaan {name} ({number}) verkkolaskuoperaattoria {value} ei ole Netvisorin "
        "operaattorilistalla.",
        "The e-invoice operator {value} of customer {name} ({number}) is not on Netvisor's "
        "operator list.",
    ),
    "severa_number_missing": _refusal(
        "customers.severa.number_missing",
        "Severan asiakkaalla {name} ei ole asiakasnumeroa, joten sitä ei voi yhdistää "
        "Netvisorin asiakaskoodiin.",
        "Severa customer {name} has no customer number, so it cannot be matched to a "
        "Netvisor customer code.",
    ),
    "severa_adopted": _showcase(
        "customers.severa.adopted",
        "Asiakasnumero {number} ja Y-tunnus {business_id} löytyvät jo Netvisorista: asiakas "
        "yhdistetään ja sen muuttuneet tiedot ({changed_fi}) päivitetään ensimmäisellä ajolla.",
        "Customer number {number} and business ID {business_id} are already in Netvisor: the "
        "customer is adopted and its changed fields ({changed_en}) are updated on the first "
        "run.",
    ),
    "severa_inactive": _showcase(
        "customers.severa.inactive",
        "Passiivinen asiakas {name} ({number}) siirretään Netvisoriin passiivisena.",
        "Inactive customer {name} ({number}) is transferred to Netvisor as inactive.",
    ),
    # -- customers, Netvisor -> Severa (scenario b) ----------------------------------------
    "netvisor_code_missing": _refusal(
        "customers.netvisor.code_missing",
        "Netvisorin asiakkaalla {name} ei ole asiakaskoodia; Severa vaatii asiakasnumeron.",
        "Netvisor customer {name} has no customer code; Severa requires a customer number.",
    ),
    "netvisor_code_not_digits": _refusal(
        "customers.netvisor.code_not_digits",
        "Asiakkaan {name} asiakaskoodi {code} sisältää muitakin merkkejä kuin numeroita.",
        "The customer code {code} of {name} contains characters other than digits.",
    ),
    "netvisor_temp_customer": _showcase(
        "customers.netvisor.temp_skipped",
        "Tilapäisasiakasta {code} ei siirretä Severaan: se on Netvisorissa Severasta "
        "tuotavia laskuja varten (sääntö 7).",
        "The temporary customer {code} is not transferred to Severa; it exists in Netvisor "
        "for invoices coming from Severa (rule 7).",
    ),
    "netvisor_code_leading_zero": _refusal(
        "customers.netvisor.code_leading_zero",
        "Asiakkaan {name} asiakaskoodi {code} alkaa nollalla.",
        "The customer code {code} of {name} starts with zero.",
    ),
    "netvisor_updated": _showcase(
        "customers.netvisor.updated",
        "Asiakas {code} on jo Severassa; sen muuttuneet tiedot ({changed_fi}) päivitetään.",
        "Customer {code} is already in Severa; its changed fields ({changed_en}) are updated.",
    ),
    "netvisor_delivery_differs": _showcase(
        "customers.netvisor.delivery_address_differs",
        "Asiakkaan {name} ({code}) toimitusosoite ({delivery}) on eri kuin laskutusosoite; "
        "Severaan tulee pääkonttorin laskutusosoite ja erillinen postiosoite.",
        "The delivery address ({delivery}) of {name} ({code}) differs from its billing "
        "address; Severa gets a head-office billing address and a separate postal address.",
    ),
    "netvisor_inactive": _showcase(
        "customers.netvisor.inactive",
        "Passiivinen asiakas {name} ({code}) siirretään Severaan passiivisena.",
        "Inactive customer {name} ({code}) is transferred to Severa as inactive.",
    ),
    "netvisor_private": _showcase(
        "customers.netvisor.private",
        "Yksityisasiakas {name} ({code}); henkilötunnus on keksitty (yksilönumero 900-999) "
        "eikä sitä siirretä Severaan.",
        "Private customer {name} ({code}); the personal identity code is fictitious "
        "(individual number 900-999) and is not transferred to Severa.",
    ),
    # -- products, Netvisor -> Severa (scenario a) -----------------------------------------
    "netvisor_product_code_missing": _refusal(
        "products.netvisor.code_missing",
        "Netvisorin tuotteella {name} ei ole tuotekoodia.",
        "Netvisor product {name} has no product code.",
    ),
    "netvisor_product_name_too_long": _refusal(
        "products.netvisor.name_too_long",
        "Tuotteen {code} nimike on {length} merkkiä; Severaan voi siirtää enintään 100.",
        "The name of product {code} is {length} characters; at most 100 can be transferred.",
    ),
    "netvisor_gross_price": _showcase(
        "products.netvisor.gross_price",
        "Tuotteen {code} hinta on syötetty bruttona {gross} € (ALV {vat} %); Severaan "
        "siirtyy nettohinta {net} €.",
        "The price of product {code} was entered gross, {gross} € (VAT {vat} %); Severa gets "
        "the net price {net} €.",
    ),
    "netvisor_product_exists": _showcase(
        "products.netvisor.exists_in_target",
        "Tuote {code} on jo Severassa eri hinnalla ({other_price} €, Netvisorissa {price} €); "
        "tuotteita ei päivitetä, joten se ohitetaan.",
        "Product {code} already exists in Severa with another price ({other_price} €, "
        "{price} € in Netvisor); products are never updated, so it is skipped.",
    ),
    # -- products, Severa -> Netvisor (scenario b) -----------------------------------------
    "severa_product_code_missing": _refusal(
        "products.severa.code_missing",
        "Severan tuotteella {name} ei ole koodia.",
        "Severa product {name} has no code.",
    ),
    "severa_product_name_too_long": _refusal(
        "products.severa.name_too_long",
        "Tuotteen {code} nimi on {length} merkkiä; Netvisor hyväksyy enintään 200.",
        "The name of product {code} is {length} characters; Netvisor takes at most 200.",
    ),
    "severa_product_no_price": _showcase(
        "products.severa.no_price",
        "Tuotteella {code} ei ole yksikköhintaa, kulua eikä ALV:tä; Netvisoriin ne tulevat "
        "nollina.",
        "Product {code} has no unit price, cost or VAT; Netvisor gets zeros.",
    ),
    "severa_product_exists": _showcase(
        "products.severa.exists_in_target",
        "Tuote {code} on jo Netvisorissa eri hinnalla ({other_price} €, Severassa {price} €); "
        "tuotteita ei päivitetä, joten se ohitetaan.",
        "Product {code} already exists in Netvisor with another price ({other_price} €, "
        "{price} € in Severa); products are never updated, so it is skipped.",
    ),
    # -- phases (both scenarios) -----------------------------------------------------------
    "phase_code_missing": _refusal(
        "dimensions.phase.code_missing",
        "Projektin {project} vaiheella {name} ei ole koodia.",
        "Phase {name} of project {project} has no code.",
    ),
    "phase_code_not_unique": _refusal(
        "dimensions.phase.code_not_unique",
        "Projektin {project} vaiheilla {name} ja {other} on sama koodi {code}.",
        "Phases {name} and {other} of project {project} share the code {code}.",
    ),
}


class Cases:
    """Collects the cases of one sample, in the order they are planted."""

    def __init__(self) -> None:
        self.planted: list[PlantedCase] = []
        self.showcases: list[PlantedCase] = []

    def add(self, label: str, key: str | int, name: str, **values: object) -> None:
        """Record case ``label`` for the record ``key`` called ``name``; ``values`` fill the
        description (``name`` is there already)."""
        case = CASES[label]
        shown = {"name": name, **values}
        planted = PlantedCase(
            rule=case.rule,
            register=case.register,
            system=case.system,
            key=str(key),
            name=name,
            description_fi=case.fi.format_map(shown),
            description_en=case.en.format_map(shown),
        )
        (self.planted if case.refused else self.showcases).append(planted)
