"""The safety net: in a name-bearing position an unknown capitalised word is a name;
known clinical words there stay; a deployment can switch it off."""
import pytest

from deid.recognizers import build_registry
from deid.recognizers.unknown_words import UnknownWordRecognizer
from deid.tagger.model import confirmed


def _found(text):
    return [text[r.start:r.end] for r in UnknownWordRecognizer().analyze(text)]


@pytest.mark.parametrize("text, name", [
    ("E. KOWALCZYK aware of plan.", "KOWALCZYK"),
    ("Spoke with Zbigniewa about discharge.", "Zbigniewa"),
    ("DR. QUILLIAMS PAGED.", "QUILLIAMS"),
    ("Wife Xiomara at bedside.", "Xiomara"),
    ("Pt seen, Vuković aware.", "Vuković"),
    ("PT SEEN BY HARUTO OKAFOR FROM PT.", "HARUTO"),  # "by" after a verb of care names who did it
    ("PT SEEN BY HARUTO OKAFOR FROM PT.", "OKAFOR"),  # and an unknown word after a found one goes on the name
    ("Thanks Oluwaseun! See you Monday.", "Oluwaseun"),  # a greeting addresses a person
])
def test_unknown_word_in_a_name_position_is_a_name(text, name):
    assert name in _found(text)


@pytest.mark.parametrize("text", [
    "R IJ triple lumen in place.",
    "HR 70'S. BP DROPPED TO 80'S.",
    "Spoke with MDs about plan; MD'S AWARE.",
    "Placed R IJ PA LINE this am.",
    "CT done. HO aware.",
    "SEEN BY RENAL AND CARDIOLOGY. EVALUATED BY PT/OT. SEEN BY MICU TEAM. SEEN BY EPS FELLOW.",
])
def test_clinical_words_in_name_positions_stay(text):
    assert _found(text) == []


def test_the_net_can_be_switched_off(monkeypatch):
    names = lambda: {r.name for r in build_registry().recognizers}  # noqa: E731
    monkeypatch.setenv("DEID_UNKNOWN_WORD_NET", "0")
    assert "UnknownWordRecognizer" not in names()
    monkeypatch.delenv("DEID_UNKNOWN_WORD_NET")
    assert "UnknownWordRecognizer" in names()


@pytest.mark.parametrize("value, entity_type, expected", [
    ("Kowalczyk", "NAME", True), ("NEAR FUTURE", "LOCATION", False), ("start rehab", "LOCATION", False),
    ("617-555-0101", "PHONE", True), ("98-100", "PHONE", False), ("3/14", "DATE", True),
    ("100cc", "DATE", False), ("2-3", "DATE", False), ("92", "AGE", True), ("58", "AGE", False),
    ("MRN88776655", "ID", True), ("100cc", "ID", False),
    ("6750 Koskikatu 25 Apt. 864", "LOCATION", True), ("12 Elm Street", "LOCATION", True),
    ("64677", "LOCATION", True), ("100 units", "LOCATION", False),
    ("15/5", "DATE", False), ("PS 10/5", "DATE", False), ("81/59/7.31/31", "DATE", False),
    ("2021-03-04", "DATE", True), ("CVVHDF", "LOCATION", False), ("KOWALCZYK", "NAME", True),
])
def test_tagger_spans_need_the_vocabulary_and_the_categorys_shape(value, entity_type, expected):
    assert confirmed(value, entity_type) is expected


@pytest.mark.parametrize("text", [
    "Paediatrician aware.",
    "Oedema noted in both ankles. Haematology reviewed the film.",
    "Colour and behaviour normal; anaesthetist notified.",
])
def test_british_spellings_are_words_not_names(engine, text):
    assert engine.analyze(text) == ()
