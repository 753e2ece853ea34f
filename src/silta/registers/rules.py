"""Every reason a record is not transferred, as data: one row per rule, in both languages.

Each rule has a stable id that reports, filters and links rely on, the field it concerns,
the article's rule number it comes from, and message templates in Finnish and English that
name the record and tell the user what to fix. :func:`refuse` fills a template.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from silta.domain import Refusal

__all__ = ["RULES", "Rule", "refuse"]


@attrs.frozen
class Rule:
    """One refusal rule. ``source`` is the article's rule (MISSION.md) or settled point."""

    id: str
    field: str | None
    source: str
    fi: str
    en: str


_RULES = (
    # -- customers, Severa -> Netvisor (rule 5; settled points) ------------------------------
    Rule(
        "customers.severa.number_missing",
        "number",
        "rule 1",
        "Severan asiakkaalla {name} ei ole asiakasnumeroa: lisää numero, jotta asiakas "
        "voidaan yhdistää Netvisorin asiakaskoodiin",
        "Severa customer {name} has no customer number; add one so that it can be matched "
        "to a Netvisor customer code",
    ),
    Rule(
        "customers.severa.name_missing",
        "name",
        "rule 5",
        "Severan asiakkaalta {number} puuttuu nimi: nimi on pakollinen Netvisoriin siirrossa",
        "Severa customer {number} has no name; a name is required to transfer it to Netvisor",
    ),
    Rule(
        "customers.severa.business_id_missing",
        "vatNumber",
        "rule 5",
        "Asiakkaalta {name} ({number}) puuttuu Y-tunnus: lisää Y-tunnus Severaan tai, jos "
        "kyseessä on henkilöasiakas, ota asetus 'Y-tunnuksettomat asiakkaat ovat "
        "henkilöasiakkaita' käyttöön",
        "Customer {name} ({number}) has no business ID; add it in Severa or, if this is a "
        "person customer, turn on the setting 'Severa customers without a business ID are "
        "person customers'",
    ),
    Rule(
        "customers.severa.business_id_invalid",
        "vatNumber",
        "settled: business ID forms",
        "Asiakkaan {name} ({number}) Y-tunnus {value} ei kelpaa: {reason_fi}",
        "The business ID {value} of customer {name} ({number}) is not valid: {reason_en}",
    ),
    Rule(
        "customers.severa.head_office_missing",
        "headquarterAddress",
        "rule 5",
        "Asiakkaalla {name} ({number}) ei ole pääkonttorin osoitetta: valitse Severassa "
        "asiakkaan osoite pääkonttoriksi",
        "Customer {name} ({number}) has no head-office address; choose one of its addresses "
        "as the head office in Severa",
    ),
    Rule(
        "customers.severa.number_in_use",
        "number",
        "rule 5; settled: number must not exist",
        "Asiakasnumero {number} on Netvisorissa jo toisen asiakkaan käytössä ({other}, "
        "Y-tunnus {other_business_id}): muuta numero Severassa tai tarkista asiakkaat",
        "Customer number {number} is already used in Netvisor by another customer ({other}, "
        "business ID {other_business_id}); change the number in Severa or check the customers",
    ),
    Rule(
        "customers.severa.operator_unsupported",
        "eInvoiceOperator",
        "rule 5",
        "Asiakkaan {name} ({number}) verkkolaskuoperaattori {value} ei ole Netvisorin "
        "tukema tai se on kirjoitettu eri muodossa{hint_fi}",
        "The e-invoice operator {value} of customer {name} ({number}) is not supported by "
        "Netvisor or is not written in Netvisor's form{hint_en}",
    ),
    # -- customers, Netvisor -> Severa (rule 6) ---------------------------------------------
    Rule(
        "customers.netvisor.code_missing",
        "internalidentifier",
        "rule 6",
        "Netvisorin asiakkaalla {name} ei ole asiakaskoodia: asiakasnumero on Severassa pakollinen",
        "Netvisor customer {name} has no customer code; Severa requires the customer number",
    ),
    Rule(
        "customers.netvisor.code_not_digits",
        "internalidentifier",
        "rule 6",
        "Asiakaskoodi {code} ({name}) sisältää muita merkkejä kuin numeroita: Severa "
        "hyväksyy vain numerot",
        "Customer code {code} ({name}) contains characters other than digits; Severa accepts "
        "digits only",
    ),
    Rule(
        "customers.netvisor.code_leading_zero",
        "internalidentifier",
        "rule 6",
        "Asiakasnumero {code} alkaa nollalla: Severa ei hyväksy sitä",
        "Customer code {code} starts with zero; Severa does not accept it",
    ),
    Rule(
        "customers.netvisor.key_missing",
        "netvisorkey",
        "reading Netvisor's answers",
        "Netvisorin vastaus asiakkaasta {name} (asiakaskoodi {code}) ei sisältänyt sen "
        "tunnistetta (NetvisorKey), joten asiakasta ei voitu yhdistää eikä sitä kirjoitettu "
        "tällä ajolla. Silta lukee sen uudelleen viimeistään yön täydessä ajossa; jos tämä "
        "toistuu, ota yhteys Netvisorin tukeen",
        "Netvisor's answer about customer {name} (code {code}) carried no identifier "
        "(NetvisorKey), so the customer could not be matched and nothing was written for it "
        "in this run. Silta reads it again in the nightly full run at the latest; if this "
        "repeats, contact Netvisor's support",
    ),
    Rule(
        "customers.temp_missing",
        "internalidentifier",
        "rule 7",
        "Netvisorissa ei ole tilapäisasiakasta, jonka asiakaskoodi on TEMP: perusta se, "
        "jotta Severasta tuotavat laskut voidaan kohdistaa sille",
        "Netvisor has no temporary customer with the code TEMP; create it so that invoices "
        "coming from Severa can be assigned to it",
    ),
    # -- products (rules 8-12) ----------------------------------------------------------------
    Rule(
        "products.netvisor.code_missing",
        "productcode",
        "rule 9",
        "Netvisorin tuotteella {name} ei ole tuotekoodia: vain koodilliset tuotteet siirtyvät "
        "Severaan",
        "Netvisor product {name} has no product code; only products with a code are "
        "transferred to Severa",
    ),
    Rule(
        "products.netvisor.name_too_long",
        "name",
        "rule 10",
        "Tuotteen {code} nimike on {length} merkkiä: Severaan voidaan siirtää enintään 100 "
        "merkkiä, lyhennä nimikettä Netvisorissa",
        "The name of product {code} is {length} characters; at most 100 can be transferred "
        "to Severa, shorten it in Netvisor",
    ),
    Rule(
        "products.severa.code_missing",
        "code",
        "rule 8",
        "Severan tuotteella {name} ei ole koodia: tuotteet yhdistetään koodilla",
        "Severa product {name} has no code; products are matched by their code",
    ),
    Rule(
        "products.severa.name_too_long",
        "name",
        "Netvisor's limit",
        "Tuotteen {code} nimi on {length} merkkiä: Netvisor hyväksyy enintään 200",
        "The name of product {code} is {length} characters; Netvisor takes at most 200",
    ),
    Rule(
        "products.netvisor.key_missing",
        "netvisorkey",
        "reading Netvisor's answers",
        "Netvisorin vastaus tuotteesta {name} (tuotekoodi {code}) ei sisältänyt sen "
        "tunnistetta (NetvisorKey), joten tuotetta ei voitu yhdistää eikä sitä kirjoitettu "
        "tällä ajolla. Silta lukee sen uudelleen viimeistään yön täydessä ajossa; jos tämä "
        "toistuu, ota yhteys Netvisorin tukeen",
        "Netvisor's answer about product {name} (code {code}) carried no identifier "
        "(NetvisorKey), so the product could not be matched and nothing was written for it "
        "in this run. Silta reads it again in the nightly full run at the latest; if this "
        "repeats, contact Netvisor's support",
    ),
    Rule(
        "products.temp_missing",
        "productcode",
        "rule 12",
        "Netvisorissa ei ole tilapäistuotetta, jonka tuotekoodi on TEMP: perusta se, jotta "
        "laskurivit voidaan kohdistaa sille",
        "Netvisor has no temporary product with the code TEMP; create it so that invoice rows "
        "can be assigned to it",
    ),
    # -- dimensions (rules 13-16; settled: phase numbering) -----------------------------------
    Rule(
        "dimensions.header_missing",
        "header",
        "rule 13",
        "Laskentakohdeotsikkoa {header} ei ole Netvisorissa: perusta otsikko Netvisoriin tai "
        "valitse asetuksista toinen",
        "The dimension header {header} does not exist in Netvisor; create it in Netvisor or "
        "choose another in the settings",
    ),
    Rule(
        "dimensions.phase.code_missing",
        "code",
        "rule 15",
        "Projektin {project} vaiheella {name} ei ole koodia: vaiheet on numeroitava "
        "yksilöllisesti, jotta ne voidaan siirtää",
        "Phase {name} of project {project} has no code; phases must be numbered uniquely to "
        "be transferred",
    ),
    Rule(
        "dimensions.phase.code_not_unique",
        "code",
        "rule 15",
        "Projektin {project} vaiheen {name} koodi {code} on käytössä myös toisella saman "
        "projektin vaiheella: numeroi vaiheet yksilöllisesti",
        "The code {code} of phase {name} is used by another phase of project {project}; "
        "number the phases uniquely",
    ),
    Rule(
        "dimensions.name_too_long",
        "name",
        "Netvisor's limit",
        "Laskentakohteen nimi {name} on {length} merkkiä: Netvisor hyväksyy enintään 200",
        "The dimension item name {name} is {length} characters; Netvisor takes at most 200",
    ),
)

RULES: Mapping[str, Rule] = {rule.id: rule for rule in _RULES}


class _Blank(dict[str, object]):
    """Format values for templates; a missing value reads as a dash, never a KeyError."""

    def __missing__(self, key: str) -> str:
        return "–"


def refuse(rule_id: str, **values: object) -> Refusal:
    """The :class:`Refusal` of ``rule_id`` with its messages filled from ``values``."""
    rule = RULES[rule_id]
    shown = _Blank({k: ("–" if v is None else v) for k, v in values.items()})
    return Refusal(
        rule=rule.id,
        field=rule.field,
        message_fi=rule.fi.format_map(shown),
        message_en=rule.en.format_map(shown),
    )
