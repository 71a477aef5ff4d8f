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
    ("Admitted to St. Joseph's Hospital overnight.", "St. Joseph's Hospital", "ORGANIZATION"),
    ("Transferred from Memorial Hospital overnight.", "Memorial Hospital", "ORGANIZATION"),
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


@pytest.mark.parametrize("text", [
    "PAIN 8/10, GIVE 1/2 NS BOLUS, CPAP 5/5 40%.",
    "NURSING PROGRESS NOTE 1900-0700. SEE MD NOTES.",
    "VT 800-1000 WHILE SEDATED, SVR 882-1326.",
    "HO AWARE. PT ANXIOUS TO GO TO REHAB.",
    "Given at 2000 per orders. Resp: on cpap 5/5.",
    "3 WAY FOLEY IN PLACE, DRAINING WELL.",
])
def test_clinical_numbers_and_words_are_not_phi(engine, text):
    assert engine.analyze(text) == ()


def test_title_introduces_a_name_but_ms_needs_a_capital(engine):
    text = "DR RIZZO AWARE. Mr. Nicholson resting, ms improving."
    assert {value for value, _ in _detected(engine, text)} == {"DR RIZZO", "Mr. Nicholson"}


@pytest.mark.parametrize("text, name", [
    ("HUSBAND JOHN IN TO VISIT.", "JOHN"),
    ("Spoke with daughter Maria at bedside.", "Maria"),
    ("PT SEEN BY JOHN SMITH TODAY.", "JOHN"),
])
def test_name_list_word_counts_with_name_context(engine, text, name):
    assert any(name in value for value, _ in _detected(engine, text))


@pytest.mark.parametrize("text", [
    "PT WILL MARK AREA. SKIN CARE GIVEN.",
    "Rose to chair with assist.",
    "MS GIVEN 2MG IV.",
])
def test_name_list_word_without_context_is_not_a_name(engine, text):
    assert not any(entity == "NAME" for _, entity in _detected(engine, text))


def test_facility_name_starts_after_the_last_common_word(engine):
    text = "63 YO MALE TRANSFERRED FROM MEMORIAL HOSPITAL WITH CHF."
    assert ("MEMORIAL HOSPITAL", "ORGANIZATION") in _detected(engine, text)


@pytest.mark.parametrize("text, value", [
    ("HOUSE STAFF mary souza AWARE.", "mary souza"),
    ("Marie Munroe RN", "Marie Munroe"),
    ("DENTURES TAKEN HOME BY DAUGHTER LISA ROSSETTI.", "LISA ROSSETTI"),
    ("Dr.King aware and lasix given.", "King"),
    ("Orders signed by Dr. Art White today.", "Art White"),
    ("a 70yo male, Frank L., presented with COPD.", "Frank L"),
])
def test_names_found_by_role_title_or_credential(engine, text, value):
    found = " ".join(value for value, _ in _detected(engine, text))
    assert value in found


@pytest.mark.parametrize("text, value", [
    ("social--pt married, lives in catonsville, husband at home", "catonsville"),
    ("TRANS TO GH 7/23 FOR CATH", "GH"),
    ("seen at NYU Langone on Sep 8th 2022", "NYU Langone"),
    ("treated at St. Joseph Hospital in Chicago on Sept 15th", "in Chicago"),
    ("from Miami, admitted on 5/25/2023", "Miami"),
    ("seen in Dallas, TX on July 20th", "Dallas, TX"),
])
def test_places_found_by_gazetteer_and_context(engine, text, value):
    assert value in {found for found, _ in _detected(engine, text)}


@pytest.mark.parametrize("text", [
    "PT TRANSFERRED TO MICU FROM FLOOR. SENT TO CT.",
    "MS: REMAINS ON PROPOFOL. PA LINE IN PLACE. WIFE CALLED, SON AT BEDSIDE.",
    "Placed in Miami J collar.",
])
def test_context_words_alone_are_not_phi(engine, text):
    assert engine.analyze(text) == ()


@pytest.mark.parametrize("text, value", [
    ("identified as patient ID: 897-65-4321?", "patient ID: 897-65-4321"),
    ("His MRN is 007-654321.", "007-654321"),
    ("noted in pt chart on 17-Feb-2023 at", "17-Feb-2023"),
    ("Hemodialysis 8/9 or 8/10, monitor.", "8/10"),
])
def test_labelled_ids_and_dates(engine, text, value):
    assert value in {found for found, _ in _detected(engine, text)}
