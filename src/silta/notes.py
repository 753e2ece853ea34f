"""What the engine says about a record besides a refusal, stored as an id, shown in words.

A skipped product ("the product exists in the target already: existing products are never
updated"), Netvisor's TEMP record, a dimension item found by name: the engine stores
``note:<id>`` as the record's message (:func:`stored`), and a page, the CSV or the API
reads it in the reader's language (:func:`note_words`). Runs recorded before notes were
ids stored an English sentence (some with the Finnish after it); ``_LEGACY`` maps each of
those texts to its note, so the history they wrote reads the same.

A record's *failure* message is Silta's own diagnostic text (``NetvisorConnectError:
customer.nv: cannot connect (...)``, or the engine's ``not attempted: 5 failures in a row
(...)``); :func:`note_words` gives no words for it: the pages say the failure's category
in words and show the text as the technical detail.
"""

from __future__ import annotations

import json
from typing import Final

import attrs

__all__ = [
    "NOTES",
    "NOT_ATTEMPTED",
    "Note",
    "bilingual",
    "joined",
    "note_id",
    "note_words",
    "stored",
]

PREFIX: Final = "note:"
# A message with words of its own in both languages (an invoice's notices name the invoice,
# its rows and codes, so they are no fixed note): the two texts as a JSON pair after this.
BILINGUAL: Final = "text:"
# the engine's text for a record left unwritten after the service failed again and again
NOT_ATTEMPTED: Final = "not attempted: "


@attrs.frozen
class Note:
    id: str
    fi: str
    en: str


_ROWS: Final = (
    Note("products.exists",
         "Tuote on jo kohdejärjestelmässä: olemassa olevia tuotteita ei päivitetä",
         "The product exists in the target already: existing products are never updated"),
    Note("customers.temp_skipped",
         "Netvisorin tilapäisasiakasta (sääntö 7) ei siirretä Severaan",
         "Netvisor's temporary customer (rule 7) is not transferred to Severa"),
    Note("products.temp_skipped",
         "Netvisorin tilapäistuotetta (sääntö 12) ei siirretä Severaan",
         "Netvisor's temporary product (rule 12) is not transferred to Severa"),
    Note("customers.temp_found",
         "Asiakkaita ei siirretä; tilapäisasiakas TEMP on Netvisorissa",
         "Customers are not transferred; the temporary customer TEMP exists in Netvisor"),
    Note("products.temp_found",
         "Tuotteita ei siirretä; tilapäistuote TEMP on Netvisorissa",
         "Products are not transferred; the temporary product TEMP exists in Netvisor"),
    Note("dimensions.linked",
         "Löytyi Netvisorista nimellä ja yhdistettiin",
         "Found in Netvisor by name and linked"),
    Note("dimensions.made_interrupted",
         "Keskeytynyt ajo loi tämän vanhalla nimellä",
         "Made by an interrupted run under its old name"),
    Note("not_attempted",
         "Ei yritetty: palvelu epäonnistui liian monta kertaa peräkkäin",
         "Not attempted: the service failed too many times in a row"),
)  # fmt: skip

NOTES: Final[dict[str, Note]] = {note.id: note for note in _ROWS}

# the texts runs stored before notes were ids
_LEGACY: Final[dict[str, str]] = {
    "exists in the target; products are never updated (Tuote on jo kohdejärjestelmässä: "
    "olemassa olevia tuotteita ei päivitetä)": "products.exists",
    "Netvisor's temporary customer (rule 7) is not transferred to Severa / "
    "Tilapäisasiakasta ei siirretä Severaan": "customers.temp_skipped",
    "Netvisor's temporary product (rule 12) is not transferred to Severa / "
    "Tilapäistuotetta ei siirretä Severaan": "products.temp_skipped",
    "customers are not transferred; the TEMP customer exists in Netvisor": "customers.temp_found",
    "products are not transferred; the TEMP product exists in Netvisor": "products.temp_found",
    "found in Netvisor by name and linked": "dimensions.linked",
    "made by an interrupted run under its old name": "dimensions.made_interrupted",
}


def stored(note: str) -> str:
    """The message the engine stores for note ``note`` (an id of :data:`NOTES`)."""
    if note not in NOTES:
        raise KeyError(note)
    return PREFIX + note


def bilingual(fi: str, en: str) -> str:
    """The message to store for a text of the engine's own in Finnish and English."""
    return BILINGUAL + json.dumps([fi, en], ensure_ascii=False)


def joined(*messages: str | None) -> str | None:
    """Stored messages (notes, bilingual texts, or plain text) as one, ``"; "`` between
    their parts, each language kept with its own; ``None`` when there is none."""
    present = [message for message in messages if message]
    if len(present) <= 1:
        return present[0] if present else None
    parts = [_pair(message) for message in present]
    return bilingual("; ".join(fi for fi, _ in parts), "; ".join(en for _, en in parts))


def _pair(message: str) -> tuple[str, str]:
    words = _bilingual_words(message)
    if words is not None:
        return words
    found = note_id(message)
    if found is not None:
        return NOTES[found].fi, NOTES[found].en
    return message, message


def _bilingual_words(message: str) -> tuple[str, str] | None:
    if not message.startswith(BILINGUAL):
        return None
    try:
        fi, en = json.loads(message.removeprefix(BILINGUAL))
    except (ValueError, TypeError):  # not a pair this module wrote: shown as it is
        return None
    if not isinstance(fi, str) or not isinstance(en, str):
        return None
    return fi, en


def note_id(message: str | None) -> str | None:
    """The note a stored message is, new or old; ``None`` for any other text."""
    if not message:
        return None
    if message.startswith(PREFIX):
        return message.removeprefix(PREFIX) if message.removeprefix(PREFIX) in NOTES else None
    if message.startswith(NOT_ATTEMPTED):
        return "not_attempted"
    return _LEGACY.get(message)


def note_words(message: str | None, lang: str = "fi") -> str | None:
    """The note in ``lang`` (``fi`` or ``en``); ``None`` when the message is no note."""
    words = _bilingual_words(message) if message else None
    if words is not None:
        return words[1] if lang == "en" else words[0]
    found = note_id(message)
    if found is None:
        return None
    note = NOTES[found]
    return note.en if lang == "en" else note.fi
