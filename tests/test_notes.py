"""Engine messages in the reader's language: fixed notes by id, and texts of the engine's
own in both languages (an invoice's notices name the invoice, so they are no fixed note)."""

from __future__ import annotations

from silta.notes import BILINGUAL, bilingual, joined, note_words, stored


def test_a_bilingual_text_reads_in_each_language() -> None:
    message = bilingual("odottaa alkuperäistä laskuaan 26001", "waits for its original 26001")
    assert message.startswith(BILINGUAL)
    assert note_words(message, "fi") == "odottaa alkuperäistä laskuaan 26001"
    assert note_words(message, "en") == "waits for its original 26001"


def test_joined_keeps_each_language_with_its_own() -> None:
    message = joined(
        bilingual("otettiin omaksi", "adopted"),
        None,
        stored("dimensions.linked"),
        bilingual("laskulla ei ole viitenumeroa", "no reference number"),
    )
    assert note_words(message, "fi") == (
        "otettiin omaksi; Löytyi Netvisorista nimellä ja yhdistettiin; laskulla ei ole viitenumeroa"
    )
    assert note_words(message, "en") == (
        "adopted; Found in Netvisor by name and linked; no reference number"
    )


def test_one_message_is_kept_as_it_is_and_none_is_none() -> None:
    assert joined(None, None) is None
    assert joined(None, "plain text") == "plain text"
    assert joined(stored("products.exists")) == stored("products.exists")


def test_a_text_that_only_looks_bilingual_is_no_note() -> None:
    assert note_words(BILINGUAL + "{not json", "fi") is None
    assert note_words(BILINGUAL + '["only one"]', "en") is None
    assert note_words(BILINGUAL + "[1, 2]", "en") is None
    assert note_words("waits for its original 26001", "fi") is None  # plain text: as stored
