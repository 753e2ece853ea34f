"""What the accountant should know about an invoice that still goes (or waits), as data.

Notices are not refusals: the invoice is transferred (or waits for something that will
come), and the run history shows why it looks as it does. One row per notice, in the form
of :mod:`.rules`, both languages, naming the invoice.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from silta.registers.rules import Rule, fill

__all__ = ["NOTICES", "Notice", "notice"]

# -- the notices ------------------------

_NOTICES = (
    Rule(
        "invoices.several_codes",
        "code",
        "invoices.md §5.6",
        "Laskun {invoice} rivillä {row} on useita koodeja ({codes}): rivi siirtyy "
        "tuotteelle {product} Severan kuvauksella",
        "Row {row} of invoice {invoice} bills several codes ({codes}); it goes to product "
        "{product} with Severa's description",
    ),
    Rule(
        "invoices.dimension_majority",
        "dimension",
        "invoices.md §5.7",
        "Laskun {invoice} rivi {row} kohdistuu usealle projektille tai vaiheelle, joiden osuudet "
        "eivät täsmää riviin: koko rivi kirjataan suurimmalle ({item})",
        "Row {row} of invoice {invoice} spans several projects or phases whose parts do not add "
        "up to the row; the whole row is booked to the largest ({item})",
    ),
    Rule(
        "invoices.dimension_unknown",
        "dimension",
        "invoices.md §5.7",
        "Laskun {invoice} rivin {row} projektia ei voitu päätellä: rivi siirtyy ilman "
        "projektin laskentakohdetta",
        "The project of row {row} of invoice {invoice} could not be told; the row goes "
        "without a project dimension",
    ),
    Rule(
        "invoices.reference_missing",
        "referenceNumber",
        "invoices.md §5.3",
        "Laskulla {invoice} ei ole viitenumeroa: Netvisor antaa oman, jolloin maksut eivät "
        "kohdistu Severaan viitteellä",
        "Invoice {invoice} has no reference number; Netvisor makes its own, and payments "
        "cannot be matched back to Severa by reference",
    ),
    Rule(
        "invoices.vat_rounded_per_rate",
        "totalTax",
        "invoices.md §5.8",
        "Laskun {invoice} ALV on pyöristetty verokannoittain kuten Severassa: rivin {row} "
        "ALV-summaa on tarkennettu {difference}",
        "The VAT of invoice {invoice} is rounded per rate as Severa rounds it; the VAT sum of "
        "row {row} is adjusted by {difference}",
    ),
    Rule(
        "invoices.not_numbered",
        "number",
        "invoices.md §5.1",
        "Laskulla {invoice} ei ole vielä numeroa: valmis-tilan pitää antaa laskunumero, "
        "lasku odottaa",
        "Invoice {invoice} has no number yet; the ready status must give invoice numbers, "
        "the invoice waits",
    ),
    Rule(
        "invoices.not_dated",
        "date",
        "invoices.md §2.1",
        "Laskulla {invoice} ei ole päivämäärää: Netvisor ei ota vastaan päiväämätöntä laskua",
        "Invoice {invoice} has no date; Netvisor takes no invoice without one",
    ),
    Rule(
        "invoices.no_rows",
        "rows",
        "invoices.md §2.1",
        "Laskulla {invoice} ei ole rivejä: Netvisor ei ota vastaan rivitöntä laskua",
        "Invoice {invoice} has no rows; Netvisor takes no invoice without lines",
    ),
    Rule(
        "invoices.changed_after_transfer",
        "lastUpdatedDateTime",
        "invoices.md §5.11",
        "Laskua {invoice} on muutettu Severassa siirron jälkeen: Netvisorin laskua ei "
        "muuteta, tee korjaus Netvisorissa tai hyvitä lasku",
        "Invoice {invoice} was changed in Severa after its transfer; the Netvisor invoice is "
        "not edited, correct it in Netvisor or credit it",
    ),
    Rule(
        "invoices.credit_match_failed",
        "reimburseInvoice",
        "invoices.md §5.10",
        "Hyvityslaskua {invoice} ei voitu kohdistaa laskulle {original} Netvisorissa "
        "({reason}): kohdista se Netvisorissa käsin",
        "Credit note {invoice} could not be matched to invoice {original} in Netvisor "
        "({reason}); match it by hand in Netvisor",
    ),
)
NOTICES: Mapping[str, Rule] = {rule.id: rule for rule in _NOTICES}


@attrs.frozen
class Notice:
    """Something the accountant should know about an invoice that is not a refusal."""

    rule: str
    message_fi: str
    message_en: str

    def message(self, language: str = "fi") -> str:
        return self.message_en if language == "en" else self.message_fi


def notice(rule_id: str, **values: object) -> Notice:
    """The :class:`Notice` of ``rule_id`` with its texts filled from ``values``."""
    message_fi, message_en = fill(NOTICES[rule_id], **values)
    return Notice(rule=rule_id, message_fi=message_fi, message_en=message_en)
