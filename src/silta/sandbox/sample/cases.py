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


def _invoice(rule: str, refused: bool, fi: str, en: str) -> Case:
    """An invoice case: the record is a Severa invoice (its GUID is the key)."""
    return Case(rule, "invoices", "severa", refused, fi, en)


def _purchase(rule: str, refused: bool, fi: str, en: str) -> Case:
    """A purchase-line case: the record is a Netvisor purchase invoice or one of its lines."""
    return Case(rule, "purchase_lines", "netvisor", refused, fi, en)


def _travel(rule: str, refused: bool, fi: str, en: str) -> Case:
    """A travel case: the record is a Severa travel reimbursement (its GUID is the key)."""
    return Case(rule, "travel", "severa", refused, fi, en)


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
    # -- invoices, Severa -> Netvisor (every scenario) -------------------------------------
    "invoice_customer_not_synchronised": _invoice(
        "invoices.customer_not_synchronised",
        True,
        "Lasku {number} laskutetaan asiakkaalta {customer}, jota ei ole siirretty "
        "Netvisoriin{why_fi}.",
        "Invoice {number} is billed to {customer}, which has not been transferred to "
        "Netvisor{why_en}.",
    ),
    "invoice_product_not_synchronised": _invoice(
        "invoices.product_not_synchronised",
        True,
        "Laskun {number} rivin {row} koodi {code} on tuote {product}, jota ei ole "
        "Netvisorissa{why_fi}.",
        "The code {code} of row {row} of invoice {number} is product {product}, which is not "
        "in Netvisor{why_en}.",
    ),
    "invoice_temp_missing": _invoice(
        "invoices.temp_missing",
        True,
        "Laskun {number} rivin {row} koodia {code} ei ole Netvisorin tuoterekisterissä, eikä "
        "Netvisorissa ole tilapäistuotetta TEMP, jolle rivi kohdistettaisiin.",
        "The code {code} of row {row} of invoice {number} is not in Netvisor's product "
        "register, and Netvisor has no temporary product TEMP for the row.",
    ),
    "invoice_dimension_item_missing": _invoice(
        "invoices.dimension_item_missing",
        True,
        "Laskun {number} rivin {row} tunnit on kirjattu projektin {project} vaiheelle "
        "{phase}, jolla ei ole koodia: vaihetta ei siirretä laskentakohteeksi, joten sitä ei "
        "ole Netvisorissa.",
        "The hours of row {row} of invoice {number} are on phase {phase} of project "
        "{project}, which has no code: the phase is not transferred as a dimension item, so "
        "Netvisor does not have it.",
    ),
    "invoice_total_mismatch": _invoice(
        "invoices.total_mismatch",
        True,
        "Laskun {number} verollinen summa Severassa on {severa_total} €, mutta sen rivit "
        "antavat {rows_total} €.",
        "The total of invoice {number} in Severa is {severa_total} €, but its rows give "
        "{rows_total} €.",
    ),
    "invoice_reference_invalid": _invoice(
        "invoices.reference_invalid",
        True,
        "Laskun {number} viitenumeron {reference} tarkiste on väärä (oikea viite olisi "
        "{expected}).",
        "The reference number {reference} of invoice {number} has a wrong check digit (the "
        "right one would be {expected}).",
    ),
    "invoice_currency_not_company": _invoice(
        "invoices.currency_not_company",
        True,
        "Lasku {number} on valuutassa {currency}; yrityksen valuutta on EUR.",
        "Invoice {number} is in {currency}; the company's currency is EUR.",
    ),
    "invoice_vat_rate_not_valid": _invoice(
        "invoices.vat_rate_not_valid",
        True,
        "Laskun {number} ({date}) rivillä {row} on ALV {rate} %, joka ei ole voimassa laskun "
        "päivänä (yleinen verokanta on 25,5 % 1.9.2024 alkaen).",
        "Row {row} of invoice {number} ({date}) has VAT {rate} %, which is not valid on the "
        "invoice date (the general rate is 25.5 % since 1 September 2024).",
    ),
    "invoice_reverse_charge_vat_id_missing": _invoice(
        "invoices.reverse_charge_vat_id_missing",
        True,
        "Lasku {number} on käännetyn verovelvollisuuden lasku, mutta ostajan ALV-tunnus on "
        "poistettu laskulta.",
        "Invoice {number} is reverse-charged, but the buyer's VAT id was removed from it.",
    ),
    "invoice_zero_vat_unmapped": _invoice(
        "invoices.zero_vat_unmapped",
        True,
        "Laskun {number} rivit ovat 0 %:n verokannassa, mutta laskua ei ole merkitty "
        "käännetyksi verovelvollisuudeksi eikä asiakkaan {customer} maa-asetuksissa ole "
        "nollaverokannan perustetta.",
        "The rows of invoice {number} are at 0 %, but the invoice is not reverse-charged and "
        "the country settings of customer {customer} give no ground for zero VAT.",
    ),
    "invoice_number_in_use": _invoice(
        "invoices.number_in_use",
        True,
        "Laskunumero {number} on Netvisorissa jo laskulla asiakkaalle {other} ({other_total} "
        "€); Severan laskun asiakas on {customer} ja summa {total} €.",
        "Invoice number {number} is already held in Netvisor by an invoice to {other} "
        "({other_total} €); the Severa invoice is to {customer} for {total} €.",
    ),
    "invoice_credit_note_before_original": _invoice(
        "invoices.credit_note_before_original",
        True,
        "Hyvityslasku {number} hyvittää laskua {original}, jota ei ole vielä siirretty "
        "Netvisoriin (sen viitenumero on virheellinen).",
        "Credit note {number} credits invoice {original}, which has not been transferred to "
        "Netvisor yet (its reference number is wrong).",
    ),
    "invoice_multi_project": _invoice(
        "invoices.multi_project",
        False,
        "Laskulla {number} on projektien {projects} tunteja eri vaiheilta; laskentakohteet "
        "tulevat riveittäin projekteilta, vaiheilta ja projektien liiketoimintayksiköiltä.",
        "Invoice {number} bills hours of projects {projects} on different phases; each line "
        "takes its dimensions from its project, phase and the project's business unit.",
    ),
    "invoice_several_codes": _invoice(
        "invoices.several_codes",
        False,
        "Laskun {number} rivi {row} yhdistää työlajien {codes} tunnit; rivi siirtyy KH:n "
        "valitsemalle varatuotteelle Severan kuvauksella ja varoituksella.",
        "Row {row} of invoice {number} groups hours of work types {codes}; it goes to the "
        "fallback product chosen by the KH, with Severa's description and a warning.",
    ),
    "invoice_reverse_charge": _invoice(
        "invoices.reverse_charge",
        False,
        "Lasku {number} on rakennuspalvelun käännetyn verovelvollisuuden lasku (0 %, ostajan "
        "ALV-tunnus {vat_id}).",
        "Invoice {number} is a reverse-charged construction service (0 %, the buyer's VAT id "
        "{vat_id}).",
    ),
    "invoice_old_vat_rate": _invoice(
        "invoices.old_vat_rate",
        False,
        "Lasku {number} on päivätty {date}; sen verokannat ({rates} %) olivat voimassa silloin.",
        "Invoice {number} is dated {date}; its VAT rates ({rates} %) were valid then.",
    ),
    "invoice_credit_note": _invoice(
        "invoices.credit_note",
        False,
        "Hyvityslasku {number} hyvittää laskun {original} kokonaan alkuperäisen "
        "verokannoin; se siirretään alkuperäisen jälkeen ja kohdistetaan siihen.",
        "Credit note {number} credits invoice {original} in full at the original's VAT "
        "rates; it goes after the original and is matched to it.",
    ),
    "invoice_adopted": _invoice(
        "invoices.adopted",
        False,
        "Lasku {number} on jo Netvisorissa samalla asiakkaalla ja summalla {total} € (aiempi "
        "siirto, jonka vastaus katosi): se yhdistetään eikä sitä lähetetä uudelleen.",
        "Invoice {number} is already in Netvisor with the same customer and total {total} € "
        "(an earlier transfer whose answer was lost): it is adopted, not sent again.",
    ),
    "invoice_transferred": _invoice(
        "invoices.already_transferred",
        False,
        "Lasku {number} on jo siirretty (tila {status}); sitä ei siirretä uudelleen.",
        "Invoice {number} was transferred already (status {status}); it is not sent again.",
    ),
    "invoice_not_ready": _invoice(
        "invoices.not_ready",
        False,
        "Lasku {number} on tilassa {status}; vain tilan {ready} laskut siirretään.",
        "Invoice {number} is in status {status}; only invoices in {ready} are transferred.",
    ),
    "invoice_temp_customer": _invoice(
        "invoices.temp_customer",
        False,
        "Lasku {number} siirtyy tilapäisasiakkaalle TEMP asiakkaan {customer} nimellä ja "
        "osoitteella.",
        "Invoice {number} goes to the temporary customer TEMP with the name and address of "
        "{customer}.",
    ),
    # -- purchase-invoice lines, Netvisor -> Severa ----------------------------------------
    "purchase_item_not_silta": _purchase(
        "purchase_lines.item_not_silta",
        True,
        "Ostolaskun {number} ({vendor}) rivillä {line} on laskentakohde {item} otsikon "
        "{header} alla, mutta Silta ei luonut sitä: riviä ei viedä Severaan.",
        "Line {line} of purchase invoice {number} ({vendor}) carries the dimension item {item} "
        "under {header}, which Silta did not create: the line is not transferred to Severa.",
    ),
    "purchase_product_missing": _purchase(
        "purchase_lines.product_missing",
        True,
        "Ostolaskun {number} ({vendor}) rivin {line} tilille {account} ei ole määritetty "
        "Severan kulutuotetta, eikä oletustuotetta ole asetettu.",
        "No Severa cost product is mapped to the account {account} of line {line} of "
        "purchase invoice {number} ({vendor}), and no default product is set.",
    ),
    "purchase_phase_not_in_project": _purchase(
        "purchase_lines.phase_not_in_project",
        True,
        "Ostolaskun {number} ({vendor}) rivi {line} on jaettu projektin {project} ja toisen "
        "projektin ({other}) vaiheen {phase} laskentakohteille: yhdellä kululla on yksi "
        "projekti.",
        "Line {line} of purchase invoice {number} ({vendor}) is split over the item of project "
        "{project} and the item of the phase {phase} of another project ({other}): one fee "
        "has one project.",
    ),
    "purchase_project_line": _purchase(
        "purchase_lines.project_cost",
        False,
        "Ostolaskun {number} ({vendor}) rivi {line} ({text}) on projektin {project} kulu: "
        "vähennyskelpoinen hankinta (KOOS), joten Severaan viedään veroton {net} €.",
        "Line {line} ({text}) of purchase invoice {number} ({vendor}) is a cost of project "
        "{project}: a deductible purchase (KOOS), so the net {net} € goes to Severa.",
    ),
    "purchase_phase_line": _purchase(
        "purchase_lines.phase_cost",
        False,
        "Ostolaskun {number} ({vendor}) rivi {line} ({text}) on projektin {project} vaiheen "
        "{phase} kulu.",
        "Line {line} ({text}) of purchase invoice {number} ({vendor}) is a cost of the phase "
        "{phase} of project {project}.",
    ),
    "purchase_no_vat_line": _purchase(
        "purchase_lines.gross_without_vat_handling",
        False,
        "Ostolaskun {number} ({vendor}) rivin {line} ALV-koodi on – (ei ALV-käsittelyä), "
        "joten Severaan viedään verollinen {gross} €.",
        "Line {line} of purchase invoice {number} ({vendor}) has the VAT code – (no VAT "
        "handling), so the gross {gross} € goes to Severa.",
    ),
    "purchase_skipped": _purchase(
        "purchase_lines.not_a_project_cost",
        False,
        "Ostolaskun {number} ({vendor}) rivillä {line} ({text}) ei ole projektin "
        "laskentakohdetta: riviä ei viedä eikä siitä ilmoiteta.",
        "Line {line} ({text}) of purchase invoice {number} ({vendor}) has no project item: it "
        "is not transferred and not reported.",
    ),
    "purchase_not_accepted": _purchase(
        "purchase_lines.not_accepted",
        False,
        "Ostolasku {number} ({vendor}) on tilassa {status_fi}: sen rivit viedään vasta, kun "
        "lasku on hyväksytty.",
        "Purchase invoice {number} ({vendor}) is {status_en}: its lines go once it is accepted.",
    ),
    "purchase_changed": _purchase(
        "purchase_lines.changed_after_transfer",
        False,
        "Ostolaskun {number} ({vendor}) riviä muutetaan siirron jälkeen: muutos ilmoitetaan "
        "ajossa, Severan kulua ei muuteta.",
        "A line of purchase invoice {number} ({vendor}) is changed after the transfer: the "
        "run reports it; the Severa cost is not changed.",
    ),
    "purchase_deleted": _purchase(
        "purchase_lines.deleted_after_transfer",
        False,
        "Ostolasku {number} ({vendor}) poistetaan siirron jälkeen: poisto ilmoitetaan ajossa, "
        "Severan kuluja ei poisteta.",
        "Purchase invoice {number} ({vendor}) is deleted after the transfer: the run reports "
        "it; the Severa costs are not deleted.",
    ),
    # -- travel invoices, Severa -> Netvisor --------------------------------------------------
    "travel_employee_not_matched": _travel(
        "travel.employee_not_matched",
        True,
        "Matkalaskun {number} ({title}) tekijällä {person} on Severassa henkilönumero {code}, "
        "mutta Netvisorissa ei ole työntekijää tällä numerolla: korjaa numero Severan "
        "käyttäjälle tai lisää työntekijä Netvisoriin.",
        "The traveller {person} of travel reimbursement {number} ({title}) has the employee "
        "number {code} in Severa, but Netvisor has no employee with that number: fix the "
        "Severa user's code or add the employee in Netvisor.",
    ),
    "travel_expense_type_unmapped": _travel(
        "travel.expense_type_unmapped",
        True,
        "Matkalaskun {number} ({title}) kululajille {type} ({code}) ei ole määritetty "
        "Netvisorin kululajia.",
        "No Netvisor expense type is mapped to the travel expense type {type} ({code}) of "
        "travel reimbursement {number} ({title}).",
    ),
    "travel_attachments_too_large": _travel(
        "travel.attachments_too_large",
        True,
        "Matkalaskun {number} ({title}) liitteet ovat yhteensä {size} Mt; Netvisor ottaa "
        "enintään 4 Mt.",
        "The attachments of travel reimbursement {number} ({title}) are {size} MB in all; "
        "Netvisor takes at most 4 MB.",
    ),
    "travel_attachment_name_too_long": _travel(
        "travel.attachment_name_too_long",
        True,
        "Matkalaskun {number} ({title}) liitteen nimessä on {length} merkkiä; Netvisor sallii "
        "enintään 100.",
        "An attachment of travel reimbursement {number} ({title}) has a name of {length} "
        "characters; Netvisor allows at most 100.",
    ),
    "travel_dimension_item_missing": _travel(
        "travel.dimension_item_missing",
        True,
        "Matkalaskun {number} ({title}) kulu on projektin {project} vaiheella {phase}, jolla "
        "ei ole koodia: laskentakohderekisteri hylkää vaiheen, joten sille ei ole "
        "laskentakohdetta Netvisorissa.",
        "An expense of travel reimbursement {number} ({title}) is on the phase {phase} of "
        "project {project}, which has no code: the dimension register refuses the phase, so "
        "Netvisor has no item for it.",
    ),
    "travel_mileage": _travel(
        "travel.mileage",
        False,
        "Matkalasku {number} ({title}, {person}): kilometrikorvaus viedään "
        "kilometrikorvausriviksi.",
        "Travel reimbursement {number} ({title}, {person}): the kilometre allowance goes as a "
        "travel line.",
    ),
    "travel_daily": _travel(
        "travel.daily_allowance",
        False,
        "Matkalasku {number} ({title}, {person}): koko- ja osapäivärahat viedään "
        "päivärahariveiksi.",
        "Travel reimbursement {number} ({title}, {person}): the full and part day allowances "
        "go as daily allowance lines.",
    ),
    "travel_other": _travel(
        "travel.other_expenses",
        False,
        "Matkalasku {number} ({title}, {person}): taksi, hotelli ja juna kuitteineen "
        "({size} Mt, Netvisorin rajoissa) viedään muiksi kuluiksi.",
        "Travel reimbursement {number} ({title}, {person}): taxi, hotel and train with their "
        "receipts ({size} MB, within Netvisor's limits) go as other expenses.",
    ),
    "travel_company_card": _travel(
        "travel.not_reimbursable_paid",
        False,
        "Matkalaskun {number} ({title}) yrityskortilla maksettu hotelli viedään maksettuna "
        "(PAID); taksi korvataan.",
        "The hotel of travel reimbursement {number} ({title}), paid with the company card, "
        "goes as paid (PAID); the taxi is reimbursed.",
    ),
    "travel_all_company_card": _travel(
        "travel.all_not_reimbursable",
        False,
        "Matkalaskun {number} ({title}) kaikki kulut on maksettu yrityskortilla: sitä ei siirretä.",
        "Every expense of travel reimbursement {number} ({title}) was paid with the company "
        "card: it is not transferred.",
    ),
    "travel_zero": _travel(
        "travel.zero_sum",
        False,
        "Matkalaskun {number} ({title}) summa on nolla: sitä ei siirretä.",
        "Travel reimbursement {number} ({title}) comes to zero: it is not transferred.",
    ),
    "travel_not_approved": _travel(
        "travel.not_approved",
        False,
        "Matkalasku {number} ({title}) on tilassa {status_fi}: vain hyväksytyt siirretään.",
        "Travel reimbursement {number} ({title}) is in status {status_en}: only approved "
        "ones are transferred.",
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
