"""Precision where it costs clinicians: eponyms and techniques, units and wards, clinic and
department names that are no facility's proper name stay; real identifiers around them go."""
import pytest

from deid.clinical_phrases import without_clinical_phrases
from deid.results import Span


@pytest.mark.parametrize("text", [
    "The port was placed using the Hasson technique.",
    "Murphy's sign positive, Babinski reflex absent.",
    "Whipple procedure in 2019 was uneventful.",   # the year goes, the eponym stays
    "NISSEN FUNDOPLICATION, SWAN-GANZ CATHETER IN PLACE.",
    "Dissection was carried down to Scarpa's fascia and Berry's ligament; an Indiana pouch was formed.",
])
def test_eponyms_and_techniques_stay(engine, text):
    for word in ("Hasson", "Murphy", "Babinski", "Whipple", "NISSEN", "SWAN-GANZ", "Scarpa", "Berry", "Indiana"):
        if word in text:
            assert word in engine.deidentify(text).text


@pytest.mark.parametrize("text", [
    "Known Guillain-Barré syndrome, improving.",
    "Recurrent Bell's palsy. Known Barrett esophagus. Stage II Burkitt lymphoma.",
])
def test_an_eponym_phrase_is_kept_whole_with_the_words_before_it(engine, text):
    assert engine.deidentify(text).text == text


@pytest.mark.parametrize("text, name", [
    ("Mr. Kowalczyk's disease progressed despite treatment.", "Kowalczyk"),
    ("Lucy Barrett's tumor was removed.", "Barrett"),
])
def test_a_name_after_a_title_or_first_name_is_no_eponym(engine, text, name):
    assert name not in engine.deidentify(text).text


@pytest.mark.parametrize("text, eponym", [
    ("Romberg negative, Kernig negative, no McBurney point tenderness.", "Romberg"),
    ("Romberg negative, Kernig negative, no McBurney point tenderness.", "Kernig"),
    ("Romberg negative, Kernig negative, no McBurney point tenderness.", "McBurney"),
    ("EKG showed Wenckebach; Mobitz II ruled out.", "Wenckebach"),
])
def test_eponyms_without_a_head_word_stay(engine, text, eponym):
    assert eponym in engine.deidentify(text).text


@pytest.mark.parametrize("text, name", [
    ("Seen by Dr. Babinski this morning.", "Babinski"),
    ("Mr. Parkinson has Parkinson disease.", "Mr. Parkinson"),
    ("Discussed with Dr. Romberg.", "Romberg"),
])
def test_an_eponym_in_title_case_after_a_title_is_a_name(engine, text, name):
    assert name not in engine.deidentify(text).text


@pytest.mark.parametrize("text, ward", [
    ("Transferred to 4 West.", "4 West"),
    ("Moved to room 4B West overnight.", "West"),
    ("Back to 7 North, then 11 East.", "11 East"),
    ("TRANSFERRED TO 4 WEST OVERNIGHT.", "4 WEST"),
])
def test_units_and_wards_stay(engine, text, ward):
    assert ward in engine.deidentify(text).text


@pytest.mark.parametrize("text, phrase", [
    ("Follow up in Cardiology clinic in 2 weeks.", "Cardiology clinic"),
    ("Referred to Neurology Clinic and the Physical Therapy department.", "Neurology Clinic"),
    ("Seen by the Infectious Disease service.", "Infectious Disease service"),
    ("Admitted to the Oncology Department.", "Oncology Department"),
])
def test_clinic_and_department_names_stay(engine, text, phrase):
    assert phrase in engine.deidentify(text).text


@pytest.mark.parametrize("text, gone", [
    ("Seen at Mayo Clinic by Dr. Hasson.", ("Mayo", "Hasson")),
    ("Transferred to 4 West at Calvert Hospital.", ("Calvert",)),
    ("Cardiology clinic with Dr. Marder on 3/14/2021.", ("Marder", "3/14/2021")),
])
def test_identifiers_beside_clinical_phrases_still_go(engine, text, gone):
    result = engine.deidentify(text).text
    assert not any(value in result for value in gone)


def test_only_the_phrase_is_taken_out_of_a_span():
    text = "Marder Hasson technique"
    assert without_clinical_phrases(text, [Span(0, 13, "NAME")]) == [Span(0, 6, "NAME")]


def test_a_span_no_phrase_cuts_keeps_its_edges():
    """A phrase elsewhere in the note left "(206) 555-0143" as "([PHONE]" in a pasted consult."""
    text = "Follow up in Neurology clinic on 4 West. Contact sister at (206) 555-0143."
    phone = Span(text.index("("), len(text) - 1, "PHONE")
    assert without_clinical_phrases(text, [phone]) == [phone]


@pytest.mark.parametrize("text, gone", [
    ("Followed at Denver Neurology Clinic since May.", "Denver Neurology Clinic"),
    ("Seen at City Health Clinic last week.", "City Health Clinic"),
])
def test_a_facility_named_with_specialty_words_still_goes(engine, text, gone):
    assert gone not in engine.deidentify(text).text
