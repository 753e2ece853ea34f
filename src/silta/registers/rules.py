"""Every reason a record is not transferred, as data: one row per rule, in both languages.

Each rule has a stable id that reports, filters and links rely on, the field it concerns,
the article's rule number it comes from, and message templates in Finnish and English that
name the record and tell the user what to fix. :func:`refuse` fills a template.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from silta.domain import Refusal

__all__ = ["RULES", "Rule", "fill", "refuse"]


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
    # -- sales invoices, Severa -> Netvisor (reference/invoices.md §4, §5) -------------------
    # {invoice} is "<number> (<billing customer>)"; every text says what to fix and where.
    Rule(
        "invoices.customer_not_synchronised",
        "billingCustomer",
        "invoices.md §5.5; rules 5-7",
        "Laskun {invoice} laskutusasiakasta {customer} ei ole siirretty Netvisoriin{reason_fi}: "
        "korjaa asiakas asiakasrekisterin synkronoinnissa, niin lasku siirtyy seuraavalla ajolla",
        "The billing customer {customer} of invoice {invoice} has not been synchronised to "
        "Netvisor{reason_en}; fix the customer in the customer register sync and the invoice "
        "moves on the next run",
    ),
    Rule(
        "invoices.product_not_synchronised",
        "code",
        "invoices.md §5.6; rules 8-12",
        "Laskun {invoice} rivin {row} tuotetta {code} ei löydy Netvisorista: {fix_fi}",
        "The product {code} of row {row} of invoice {invoice} is not in Netvisor; {fix_en}",
    ),
    Rule(
        "invoices.temp_missing",
        "identifier",
        "rules 7 and 12; invoices.md §5.5-5.6",
        "Netvisorissa ei ole {card_fi}, jonka koodi on TEMP, joten laskua {invoice} ei voi "
        "kohdistaa sille: perusta TEMP-kortti Netvisoriin",
        "Netvisor has no {card_en} with the code TEMP, so invoice {invoice} cannot be assigned "
        "to it; create the TEMP card in Netvisor",
    ),
    Rule(
        "invoices.dimension_item_missing",
        "dimension",
        "rule 16; invoices.md §5.7",
        "Laskun {invoice} rivin {row} laskentakohdetta {item} (otsikko {header}) ei ole "
        "Netvisorissa, eikä puuttuvia laskentakohteita luoda: aja laskentakohteiden "
        "synkronointi tai salli puuttuvien kohteiden luonti laskujen siirtoasetuksissa",
        "The dimension item {item} (header {header}) of row {row} of invoice {invoice} is not "
        "in Netvisor and missing items are not created; run the dimension sync or allow "
        "creating missing items in the invoice transfer settings",
    ),
    Rule(
        "invoices.total_mismatch",
        "totalIncludingTax",
        "invoices.md §5.8",
        "Laskun {invoice} rivien summa {lines_total} ei täsmää Severan loppusummaan "
        "{severa_total}: tarkista rivien määrät, hinnat ja verokannat Severassa",
        "The lines of invoice {invoice} add up to {lines_total}, not to Severa's total "
        "{severa_total}; check the rows' quantities, prices and VAT rates in Severa",
    ),
    Rule(
        "invoices.reference_invalid",
        "referenceNumber",
        "invoices.md §4 (7-3-1, ISO 11649)",
        "Laskun {invoice} viitenumero {reference} ei kelpaa ({reason_fi}): korjaa viitenumero "
        "Severassa",
        "The reference number {reference} of invoice {invoice} is not valid ({reason_en}); "
        "correct it in Severa",
    ),
    Rule(
        "invoices.currency_not_company",
        "currency",
        "invoices.md §1.1",
        "Laskun {invoice} valuutta on {currency}, mutta yrityksen valuutta on "
        "{company_currency}: siirretään vain yrityksen valuutan laskuja",
        "Invoice {invoice} is in {currency} but the company's currency is {company_currency}; "
        "only invoices in the company's currency are transferred",
    ),
    Rule(
        "invoices.vat_rate_not_valid",
        "vatRate",
        "invoices.md §4, §5.9; finnish-rules.md §3.1",
        "Laskun {invoice} rivin {row} ALV-kanta {rate} % ei ole voimassa {day}: korjaa rivin "
        "verokanta Severassa",
        "The VAT rate {rate} % of row {row} of invoice {invoice} is not in force on {day}; "
        "correct the row's VAT rate in Severa",
    ),
    Rule(
        "invoices.reverse_charge_vat_id_missing",
        "receiverVatNumber",
        "invoices.md §4, §5.9 (AVL 209 e §)",
        "Laskulta {invoice} puuttuu ostajan ALV-tunniste, joka on pakollinen käännetyssä "
        "verovelvollisuudessa ja EU-myynnissä: lisää asiakkaan ALV-numero laskulle Severassa",
        "Invoice {invoice} has no buyer VAT ID, which reverse charge and intra-EU sales "
        "require; add the customer's VAT number to the invoice in Severa",
    ),
    Rule(
        "invoices.zero_vat_unmapped",
        "vatRate",
        "invoices.md §5.9",
        "Laskun {invoice} rivin {row} ALV on 0 % ({case_fi}), eikä sille ole valittu "
        "Netvisorin ALV-koodia: valitse koodi laskujen siirtoasetuksista",
        "Row {row} of invoice {invoice} has 0 % VAT ({case_en}) and no Netvisor VAT code is "
        "chosen for it; choose one in the invoice transfer settings",
    ),
    Rule(
        "invoices.number_in_use",
        "number",
        "invoices.md §5.3",
        "Laskunumero {number} on Netvisorissa jo toisen laskun käytössä (asiakas "
        "{other_customer}, summa {other_total}): tarkista laskut ja laskunumerosarjat",
        "Invoice number {number} is already used in Netvisor by another invoice (customer "
        "{other_customer}, total {other_total}); check the invoices and number series",
    ),
    Rule(
        "invoices.credit_note_before_original",
        "reimburseInvoice",
        "invoices.md §5.10",
        "Hyvityslaskun {invoice} hyvittämää laskua {original} ei ole vielä siirretty "
        "Netvisoriin: hyvityslasku siirtyy, kun alkuperäinen lasku on siirretty",
        "The invoice {original} that credit note {invoice} credits has not been transferred "
        "to Netvisor yet; the credit note moves once the original has",
    ),
)

# -- purchase-invoice lines, Netvisor -> Severa project fees (invoices.md §1.4, §5.12) -------
# {invoice} is "<number> (<vendor>)", {line} "<position> (<line text>)".
_PURCHASE_LINE_RULES = (
    Rule(
        "purchase_lines.item_not_silta",
        "dimension",
        "invoices.md §1.4, §5.12",
        "Ostolaskun {invoice} rivillä {line} on projektien laskentakohdeotsikon {header} alla "
        "kohde {item}, jota Silta ei ole luonut Severan projektista tai vaiheesta: valitse "
        "riville projektin laskentakohde, jonka Silta on tuonut Severasta, tai poista kohde, "
        "jos rivi ei ole projektin kulu",
        "Line {line} of purchase invoice {invoice} carries the item {item} under the project "
        "header {header}, which Silta did not create from a Severa project or phase; choose "
        "the project's item that Silta brought from Severa, or remove the item if the line "
        "is not a project cost",
    ),
    Rule(
        "purchase_lines.product_missing",
        "product",
        "invoices.md §1.4, §5.12",
        "Ostolaskun {invoice} rivin {line} kululle ei ole valittu Severan tuotetta{account_fi}: "
        "valitse kulutuote (tai tilikohtainen tuote) ostolaskurivien siirtoasetuksista",
        "No Severa product is chosen for the cost of line {line} of purchase invoice "
        "{invoice}{account_en}; choose the cost product (or a product for the account) in "
        "the purchase-line transfer settings",
    ),
    Rule(
        "purchase_lines.phase_not_in_project",
        "dimension",
        "invoices.md §5.12",
        "Ostolaskun {invoice} rivin {line} laskentakohde {item} ei kuulu rivin projektiin "
        "{project}: valitse riville saman projektin vaihe tai pelkkä projekti",
        "The item {item} on line {line} of purchase invoice {invoice} does not belong to the "
        "line's project {project}; choose a phase of that project, or the project alone",
    ),
    Rule(
        "purchase_lines.project_closed",
        "project",
        "invoices.md §5.12; Severa refuses fees on a closed project",
        "Ostolaskun {invoice} rivin {line} projekti {project} on suljettu Severassa, eikä "
        "suljettuun projektiin voi lisätä kuluja: avaa projekti Severassa tai valitse riville "
        "avoimen projektin laskentakohde",
        "The project {project} of line {line} of purchase invoice {invoice} is closed in "
        "Severa, and a closed project takes no costs; reopen the project in Severa or give "
        "the line an open project's item",
    ),
    Rule(
        "purchase_lines.netvisor.key_missing",
        "netvisorkey",
        "reading Netvisor's answers",
        "Netvisorin vastaus ostolaskusta {code} ({name}) ei sisältänyt laskun tai sen rivin "
        "tunnistetta (NetvisorKey), joten sen rivejä ei voitu siirtää tällä ajolla. Silta lukee "
        "laskun uudelleen, kun sitä muutetaan; jos tämä toistuu, ota yhteys Netvisorin tukeen",
        "Netvisor's answer about purchase invoice {code} ({name}) carried no identifier "
        "(NetvisorKey) for the invoice or one of its lines, so its lines could not be "
        "transferred in this run. Silta reads the invoice again when it changes; if this "
        "repeats, contact Netvisor's support",
    ),
)

# -- travel invoices, Severa -> Netvisor tripexpense.nv (invoices.md §1.3, §5.13) -----------
# {report} is "<number> <title> (<person>)".
_TRAVEL_RULES = (
    Rule(
        "travel.employee_not_matched",
        "user.code",
        "invoices.md §1.3, §5.13",
        "Matkalaskun {report} henkilöä {person} ei voitu yhdistää Netvisorin palkansaajaan "
        "({reason_fi}): kirjaa Severassa käyttäjän koodiksi hänen Netvisorin "
        "palkansaajanumeronsa, tai perusta Netvisoriin palkansaaja samalla numerolla",
        "The person {person} of travel report {report} could not be matched to a Netvisor "
        "employee ({reason_en}); set the user's code in Severa to their Netvisor employee "
        "number, or create the employee in Netvisor with that number",
    ),
    Rule(
        "travel.expense_type_unmapped",
        "travelExpense",
        "invoices.md §1.3, §5.13",
        "Matkalaskun {report} kululajia {type} ei ole yhdistetty Netvisorin {target_fi}: "
        "valitse sille vastine matkalaskujen siirtoasetuksista",
        "The expense type {type} of travel report {report} is not mapped to a Netvisor "
        "{target_en}; choose one in the travel transfer settings",
    ),
    Rule(
        "travel.attachments_too_large",
        "attachments",
        "invoices.md §1.3 (N-TE)",
        "Matkalaskun {report} liitteet ovat yhteensä {size}, mutta Netvisor ottaa vastaan "
        "enintään {limit}: pienennä liitteitä tai jaa matkalasku Severassa pienempiin",
        "The attachments of travel report {report} come to {size}, but Netvisor takes at most "
        "{limit}; make the attachments smaller or split the report in Severa",
    ),
    Rule(
        "travel.attachment_name_too_long",
        "attachments",
        "invoices.md §1.3 (N-TE)",
        "Matkalaskun {report} liitteen {name} nimi on {length} merkkiä, mutta Netvisor "
        "hyväksyy enintään {limit}: lyhennä liitteen nimeä Severassa",
        "The name of attachment {name} of travel report {report} is {length} characters, but "
        "Netvisor takes at most {limit}; shorten the attachment's name in Severa",
    ),
    Rule(
        "travel.dimension_item_missing",
        "dimension",
        "invoices.md §1.3, §5.13; rule 16",
        "Matkalaskun {report} laskentakohdetta {item} (otsikko {header}) ei ole Netvisorissa, "
        "eikä puuttuvia laskentakohteita luoda: aja laskentakohteiden synkronointi tai salli "
        "puuttuvien kohteiden luonti matkalaskujen siirtoasetuksissa",
        "The dimension item {item} (header {header}) of travel report {report} is not in "
        "Netvisor and missing items are not created; run the dimension sync or allow "
        "creating missing items in the travel transfer settings",
    ),
)

RULES: Mapping[str, Rule] = {
    rule.id: rule for rule in (*_RULES, *_PURCHASE_LINE_RULES, *_TRAVEL_RULES)
}


class _Blank(dict[str, object]):
    """Format values for templates; a missing value reads as a dash, never a KeyError."""

    def __missing__(self, key: str) -> str:
        return "–"


def fill(rule: Rule, **values: object) -> tuple[str, str]:
    """``rule``'s Finnish and English templates filled from ``values`` (missing: a dash)."""
    shown = _Blank({k: ("–" if v is None else v) for k, v in values.items()})
    return rule.fi.format_map(shown), rule.en.format_map(shown)


def refuse(rule_id: str, **values: object) -> Refusal:
    """The :class:`Refusal` of ``rule_id`` with its messages filled from ``values``."""
    rule = RULES[rule_id]
    message_fi, message_en = fill(rule, **values)
    return Refusal(rule=rule.id, field=rule.field, message_fi=message_fi, message_en=message_en)
