"""Each recognizer finds its kind on a small text, and clinical words stay."""
import pytest


def _detected(engine, text):
    return {(text[s.start:s.end], s.entity_type) for s in engine.analyze(text)}


@pytest.mark.parametrize("text, value, entity_type", [
    ("Seen on 3/14/2021 in clinic.", "3/14/2021", "DATE"),
    ("Follow up 7/22.", "7/22", "DATE"),
    ("Admitted March 5th, 2021 with pain.", "March 5th, 2021", "DATE"),
    ("Plan reviewed on 3rd of July.", "3rd of July", "DATE"),
    ("Started 2021-03-04 per protocol.", "2021-03-04", "DATE"),
    ("Call 617-555-0101 after discharge.", "617-555-0101", "PHONE"),
    ("Fax: (617) 555-0199 today.", "(617) 555-0199", "FAX"),
    ("Write to jdoe@example.org please.", "jdoe@example.org", "EMAIL"),
    ("SSN 123-45-6789 on file.", "123-45-6789", "SSN"),
    ("MRN: 88776655 verified.", "88776655", "MRN"),
    ("Member ID: HP-678901 active.", "HP-678901", "HEALTH_PLAN"),
    ("A 93 year old woman.", "93", "AGE"),
    ("Portal at https://portal.example.org/x today.", "https://portal.example.org/x", "URL"),
    ("Login from 192.168.10.4 noted.", "192.168.10.4", "IP_ADDRESS"),
    ("Transferred from Calvert Hospital overnight.", "Calvert Hospital", "ORGANIZATION"),
    ("Lives at 12 Elm Street with family.", "12 Elm Street", "LOCATION"),
    ("Discussed with Dr. Marder at bedside.", "Dr. Marder", "NAME"),
])
def test_recognizer_finds_value(engine, text, value, entity_type):
    assert (value, entity_type) in _detected(engine, text)


@pytest.mark.parametrize("text", [
    "Foley catheter draining clear yellow urine.",
    "History of Parkinson disease, GCS 15.",
    "Lasix 40 mg IV given, BP 120/80, HR 88.",
    "Lungs clear, abd soft, good urine output.",
])
def test_clinical_vocabulary_is_not_phi(engine, text):
    assert engine.analyze(text) == ()


def test_all_caps_nursing_note_names_found_by_context(engine):
    text = "PLAN: DR RIZZO IN TO TALK WITH HUSBAND. V. FINN, RRT"
    found = {value for value, _ in _detected(engine, text)}
    assert any("RIZZO" in value for value in found)
    assert any("FINN" in value for value in found)
