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
    ("Billed on 15.03.2023 and paid.", "15.03.2023", "DATE"),
    ("Paid on 3.4.2023 in full.", "3.4.2023", "DATE"),
    ("Seen 15.03.23 in Munich.", "15.03.23", "DATE"),
    ("Visit on 15/03/2023 confirmed.", "15/03/2023", "DATE"),
    ("Seen on the twenty-first of June.", "the twenty-first of June", "DATE"),
    ("Signed March the fifth, 2021.", "March the fifth, 2021", "DATE"),
    ("Admitted on Boxing Day, home by Good Friday.", "Good Friday", "DATE"),
    ("Seen at the clinic last Friday.", "last Friday", "DATE"),
    ("Detained between 1 and 3 October 1993.", "1", "DATE"),
    ("He was beaten on the night of 14/15 April 1998.", "14", "DATE"),
    ("On the night of 20 to 21 April 1994 it burned.", "20", "DATE"),
    ("Admitted June 3 to 5 for pneumonia.", "5", "DATE"),
    ("In mid-2003 he lost his job.", "2003", "DATE"),
    ("The school year 1999/2000 was cut short.", "1999/2000", "DATE"),
    ("Seizures began in the 1980s.", "1980s", "DATE"),
    ("Follow up in early January.", "January", "DATE"),
    ("Confirming our meeting on Thursday 9th at the office.", "Thursday 9th", "DATE"),
    ("Call 617-555-0101 after discharge.", "617-555-0101", "PHONE"),
    ("Fax: (617) 555-0199 today.", "(617) 555-0199", "FAX"),
    # a national number after its trunk zero, as outside North America
    ("Call Detective Inspector Hale on 020 7946 0321 please.", "020 7946 0321", "PHONE"),
    ("Her daughter's mobile, 06 12 34 56 78, is best.", "06 12 34 56 78", "PHONE"),
    ("Write to jdoe@example.org please.", "jdoe@example.org", "EMAIL"),
    ("SSN 123-45-6789 on file.", "123-45-6789", "SSN"),
    ("MRN: 88776655 verified.", "88776655", "MRN"),
    ("Member ID: HP-678901 active.", "HP-678901", "HEALTH_PLAN"),
    ("A 93 year old woman.", "93", "AGE"),
    ("Her mother died aged 91 in the spring.", "91", "AGE"),
    ("Age: 94. Sex: F.", "94", "AGE"),
    ("Portal at https://portal.example.org/x today.", "https://portal.example.org/x", "URL"),
    ("Login from 192.168.10.4 noted.", "192.168.10.4", "IP_ADDRESS"),
    ("Transferred from Calvert Hospital overnight.", "Calvert Hospital", "ORGANIZATION"),
    ("Lives at 12 Elm Street with family.", "12 Elm Street", "LOCATION"),
    ("Discussed with Dr. Marder at bedside.", "Marder", "NAME"),
    ("Admitted to St. Joseph's Hospital overnight.", "St. Joseph's Hospital", "ORGANIZATION"),
    ("Transferred from Memorial Hospital overnight.", "Memorial Hospital", "ORGANIZATION"),
    ("Who has Medicare #AB-987654 on file?", "Medicare #AB-987654", "HEALTH_PLAN"),
    # a credential spelt like a state: a signature is a name, a town before its state stays a place
    ("Sincerely,\nJohn Smith, MD\n", "John Smith, MD", "NAME"),
    ("She moved to Baltimore, MD last year.", "Baltimore, MD", "LOCATION"),
])
def test_recognizer_finds_value(engine, text, value, entity_type):
    assert (value, entity_type) in _detected(engine, text)


@pytest.mark.parametrize("text", [
    "Foley catheter draining clear yellow urine.",
    "History of Parkinson disease, GCS 15.",
    "Lasix 40 mg IV given, BP 120/80, HR 88.",
    "Lungs clear, abd soft, good urine output.",
    "Patient currently has Medicaid. Insured by Aetna, formerly Humana.",
    "The second of three doses. First of all, the fifth of the series.",
    "Take 1 to 2 tablets; pain 3 to 4 may worsen. Walks 2 to 3 miles.",
    "They will march in the parade. BP 120/80, then 1500/2000 mL in and out.",
    "Gestational age 95 days. Age 45. Aged 9 months. Bone age 92 months.",
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
    "Present settings 20/10/40%. Vent 14/5/50. Version 2.4.1, pH 7.35.",
    "3 WAY FOLEY IN PLACE, DRAINING WELL.",
])
def test_clinical_numbers_and_words_are_not_phi(engine, text):
    assert engine.analyze(text) == ()


def test_title_introduces_a_name_but_ms_needs_a_capital(engine):
    text = "DR RIZZO AWARE. Mr. Nicholson resting, ms improving."
    assert {value for value, _ in _detected(engine, text)} == {"RIZZO", "Nicholson"}


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


@pytest.mark.parametrize("text, value", [
    ("The appeal was docketed as Case No. 2:19-cv-01234 in the District Court.", "2:19-cv-01234"),
    ("See State v. Alvarez, No. 18-1450 (9th Cir.).", "18-1450"),
    ("The judge ruled on docket 2018-CV-4471.", "2018-CV-4471"),
    ("Invoice INV-2021-00457 was sent.", "INV-2021-00457"),
    ("Lab accession number S22-004417 was resulted.", "S22-004417"),
    ("Order no. 55123 placed; File #A-2291-77.", "A-2291-77"),
    ("The estate was probated under cause number 2019-PR-00312.", "2019-PR-00312"),
])
def test_a_number_after_the_noun_of_its_record_is_an_identifier(engine, text, value):
    assert (value, "ID") in _detected(engine, text)


@pytest.mark.parametrize("text", [
    "Order 2 units PRBC. No. 2 pencil. Case 3 of 5.",
    "Give 1000 ml NS per order 1000. No 1234 reasons.",
])
def test_small_or_unlabelled_numbers_after_record_nouns_stay(engine, text):
    assert engine.analyze(text) == ()


@pytest.mark.parametrize("text, name", [
    ("Dr. Vasquez aware of plan.", "Vasquez"),
    ("Dr.King aware.", "King"),
    ("SPOKE W/ DR. MCDONALD ABOUT PLAN.", "MCDONALD"),
    ("Telephone update to Mrs Nicholson x2 overnight.", "Nicholson"),
])
def test_title_stays_visible_before_the_name(engine, text, name):
    found = {value for value, _ in _detected(engine, text)}
    assert name in found
    assert engine.deidentify(text).text.lower().startswith(text[:text.lower().find(name.lower())].lower())


@pytest.mark.parametrize("text, name", [
    ("Consult confirmation from Dr. Vasquez. Await PT eval.", "Vasquez"),
    ("ORDERED. BILATERAL EXPIRATORY WHEEZES. JON DEVAUX RRT", "JON DEVAUX"),
    ("let dr vasquez know her decision", "vasquez"),
])
def test_name_stops_at_the_end_of_its_sentence(engine, text, name):
    assert {value for value, _ in _detected(engine, text)} == {name}


@pytest.mark.parametrize("text", [
    "Given Mesalamine supp, Calcium Gluconate infusing, changed Atenolol to 100mg.",
    "Remains on Amio, Levo, Neo, Vasopressin. Dantrolene given.",
    "RESP: 4L NP CRACKLES 1/2 UP BILATERALLY.",
    "GIVEN ATIVAN IV X1 PER HO. SLEPT WELL AFTER LINE CHANGE.",
    "ACCESS: RIGHT GROIN PA LINE IN PLACE.",
    "HR 90'S ST. REMAINS ON IABP 1:1.",
])
def test_drugs_and_clinical_words_are_not_names_or_places(engine, text):
    assert engine.analyze(text) == ()


@pytest.mark.parametrize("text", [
    "Pulm: On weaning trial 5/5, VTs 400s. PS - 5/5 PEEP, on 5/5, 40% FiO2.",
    "SIMV/PS, 500X10, 40%, & 5/8. IMV 700x10, 50% 8/5. CO/CI 5/3.",
    "Decrease in CP to 3/10. Pt had 3/10 incisional pain.",
    "Placed on 1st step bed; 3rd spacing; bleed into the 4th ventricle.",
    "Awake from 2000 to 2400. Neo @2000. PTT due 2030.",
    "I/O (-) 1300CC AS OF 10PM. NEG BY 1800CC. DIALYSATE 1000ML/HR.",
    "CPK peak 13000+ down. CPKs 11058. FB for LOS 12883.",
    "Glucose @ 2400-323, 0600-281. SVR 1131-734. pa# 63-70/27-30.",
])
def test_vent_settings_scores_times_and_amounts_are_not_phi(engine, text):
    assert engine.analyze(text) == ()


def _covered(engine, text, value):
    start = text.index(value)
    spans = engine.analyze(text)
    return all(any(s.start < start + m.end() and start + m.start() < s.end for s in spans)
               for m in __import__("re").finditer(r"[A-Za-z0-9]+", value))


@pytest.mark.parametrize("text, value", [
    # places: a trailing hyphen, a caseless note with a stray capital, any preposition
    # before a name ending in a facility word or followed by a unit
    ("7/23 AT CALVERT- 2 FFP GIVEN", "CALVERT"),
    ("seen by Dr. x today. dispo: full code. poss transfer to quartermain 2/3. plan picc or hickman placement", "quartermain"),
    ("plan for pt to go this afternoon, to sacred heart hospital. awaiting ambulance", "sacred heart hospital"),
    ("arrived via amb from kernan ew for further eval", "kernan"),
    # names: before a credential that also introduces, lower-case initials,
    # before a notification word, opening a note, after "per" with an initial
    ("titrate gtt as needed.    Marie Munroe RN", "Marie Munroe"),
    ("all verified.     barbara j. parrilli bsn/rn", "barbara j. parrilli"),
    ("difficult to doppler. grace dudak aware. cap refill brisk", "grace dudak"),
    ("lorrie morales is a 70 yr old female adm 9/7", "lorrie morales"),
    ("weaned for systolic bp 120 to 135 per d ross.pacing wires", "d ross"),
    # dates: the end of a range, glued to a word, a two-digit year after a comma
    ("culture reports from 10/15-10/16. reculture", "10/16"),
    ("am labs on10/14/82> to hct", "10/14/82"),
    ("Nursing Progress Note  28 Oct, 88 0700-1245", "28 Oct, 88"),
    # two-digit years beside a cardiac event, only in a history
    ("PMH: CAD, MI 94, CABG X3. NIDDM.", "94"),
    ("PMH: NIDDM. 11 PTCA TO LAD. 14 STENT TO RCA.", "11"),
    ("PMH: NIDDM. 11 PTCA TO LAD. 14 STENT TO RCA.", "14"),
    # facilities: medical-center initials, a unit before "at", a building and its floor,
    # a campus, a lower-case name after a care verb, a lower-case facility word
    ("SEEN BY UBMC TEAM FOR TRANSPLANT WORKUP", "UBMC"),
    ("PT SENT TO ER AT JH. VSS ON RETURN", "JH"),
    ("RESP: INTUBATED ON BLALOCK 5 FOR HYPOXIA", "BLALOCK"),
    ("awaiting bed on hackerman campus, remains in micu", "hackerman"),
    ("Pt calm. Transfer to zayed today if stable.", "zayed"),
    ("The liaison from Mercy Ridge memorial called today.", "Mercy Ridge memorial"),
    ("OUTPUT IMPROVED AFTER DIURESIS-8/14 LASIX", "8/14"),
    # names: after talking with, an initial after a title, a contact person, before a reporting verb, a signature,
    # a surname no dictionary knows after a first name, a misspelt family role
    ("spoke with denise from social work about placement", "denise"),
    ("MRS. B RESTING COMFORTABLY, SEEN BY MR. K", "B"),
    ("LIMIT CALLS TO ONE CONTACT PERSON (MARTY) PER FAMILY", "MARTY"),
    ("ROBERT STATES HIS WIFE WILL VISIT TOMORROW", "ROBERT"),
    ("no change overnight, lasix given.\nKAREN", "KAREN"),
    ("pt alert. mary beth wojtowicz from speech in today.", "wojtowicz"),
    ("Family: proxy is grandaughter: Lena Ostrowski, cell on chart", "Lena Ostrowski"),
    # an organisation after work words; a facility's name in parentheses after its kind
    ("He worries about his business Vantorix while he is here.", "Vantorix"),
    ("I want to add Edvard Petrussen as a beneficiary to my account", "Edvard Petrussen"),
    ("Pt to go to rehab(sacred heart Memorial) when a bed opens.", "sacred heart Memorial"),
    ("DC PLAN: NURSING HOME (KEELEY HOUSE) ON MONDAY", "KEELEY HOUSE"),
])
def test_context_rules_find_value(engine, text, value):
    assert _covered(engine, text, value)


@pytest.mark.parametrize("text", [
    "Pt is a 70 yo man admitted with CHF.",
    "Pt sent to the cath lab at noon.",
    "Her pain began last summer.",  # a lower-case first name ending mixed-case prose signs nothing
    "MD aware. Family updated.",
    # a dictionary word after a family role is a word
    "SON REPORTS PT SLEPT WELL. DAUGHTER PRESENT AT BEDSIDE.",
    # organisations from spaCy that name no facility and are no foreign name: lab values, services, settings
    "Mg 1.8, K 4.1, repleted. Surg will decide on the tube.",
    "Pt remains on Assist Control 700x10 PEEP 10 40%.",
    # dictionary words after a care verb, "on" without a facility word or a floor
    "PT ANXIOUS TO LEAVE MICU. BOTH WORKED TO SEDATE PT.",
    "SPECIMENS SENT FROM THE BILE DUCT.",
    # a time between the preposition and the word: "at 2100. Prior to", "AT 0130 ALER AND ORIENTED"
    "Extubated at 1500. Maintaing good PaO2. Propofol restarted at 2100. Prior to sedation, pt opening eyes.",
    "PT ARRIVED TO MICU AT 0130 ALER AND ORIENTED X3.",
    "Pt goes on HD tomorrow, on NRB overnight, dopamine at 5mcg/kg/min.",
    # a number after a vital sign in a history is no year
    "PMH: CAD s/p MI, HR 92 on arrival.",
    # clinical words in parentheses after a facility word
    "Plan: rehab (PT/OT) daily, then home.",
])
def test_context_rules_leave_clinical_text(engine, text):
    assert not engine.analyze(text)


def test_keyword_gated_recognizer_skips_text_without_its_context_word():
    from deid.recognizers.patterns import load_pattern_recognizers

    gated = {r.name: r for r in load_pattern_recognizers() if r.requires is not None}
    assert {"MrnRecognizer", "FaxRecognizer", "HealthPlanRecognizer"} <= set(gated)
    mrn = gated["MrnRecognizer"]
    assert mrn.analyze("Record # 88776655 on file.", ["MRN"])
    assert mrn.analyze("Value 88776655 on file.", ["MRN"]) == []


@pytest.mark.parametrize("text, value, entity_type", [
    ("Serial number: SN-4471829 implanted.", "SN-4471829", "DEVICE"),
    ("Account # 99887766 billed.", "99887766", "ACCOUNT"),
    ("Thank you for your letter regarding your account ending in 4471.", "4471", "ACCOUNT"),
    ("The card ending with 0042 was declined.", "0042", "ACCOUNT"),
    ("Fingerprint ID: BIO-12345 stored.", "BIO-12345", "BIOMETRIC"),
])
def test_gated_recognizers_still_find_their_values(engine, text, value, entity_type):
    assert (value, entity_type) in _detected(engine, text)


def test_a_number_ending_a_measurement_is_no_account(engine):
    assert _detected(engine, "Cardiac output trending down, ending in 4.2 L/min.") == set()


def test_nlp_artifacts_match_presidio_token_columns(engine):
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    doc = engine.nlp_engine.nlp["en"]("Seen by Dr. Marder at Calvert Hospital on 3/4.")
    ours = engine.nlp_engine._doc_to_nlp_artifact(doc, "en")
    theirs = SpacyNlpEngine._doc_to_nlp_artifact(engine.nlp_engine, doc, "en")
    assert ours.tokens_indices == theirs.tokens_indices
    assert ours.lemmas == theirs.lemmas
    assert [e.text for e in ours.entities] == [e.text for e in theirs.entities]


def test_letter_counts_fast_path_matches_per_character_count():
    from deid.nlp import letter_counts

    for text in ["PT SEEN BY DR. X", "mixed Case 12", "Café Élan", ""]:
        letters = [c for c in text if c.isalpha()]
        assert letter_counts(text) == (len(letters), sum(c.isupper() for c in letters))


def test_surname_after_a_first_name_stops_at_a_notification_word(engine):
    found = {value for value, _ in _detected(engine, "CVP 13. DR. KNIGHT AWARE-ORDER FOR LOPRESSOR")}
    assert found == {"KNIGHT"}


def test_ner_reads_only_sentences_that_may_hold_a_name():
    from deid.recognizers.ner_names import ner_segments

    text = "Lungs clear. Seen by Dr. Marder today.\nAbd soft. Zagaria called. Jane A. Doe, seen at St. Luke's."
    read = [text[start:end].strip() for start, end in ner_segments(text)]
    assert read == ["Seen by Dr. Marder today.", "Zagaria called.", "Jane A. Doe, seen at St. Luke's."]


def test_ner_leaves_out_a_sentence_whose_every_candidate_name_is_already_marked():
    from deid.recognizers.ner_names import ner_segments

    text = "Seen by Dr. Marder today. Zagaria called Ellery."
    marder, zagaria = text.index("Marder"), text.index("Zagaria")
    marked = [(marder, marder + len("Marder")), (zagaria, zagaria + len("Zagaria"))]
    read = [text[start:end].strip() for start, end in ner_segments(text, marked)]
    assert read == ["Zagaria called Ellery."]  # "Ellery" is marked by nobody yet


def test_ner_entities_land_on_the_whole_text(engine):
    text = "Abd soft, bowel sounds present. Pt was seen by Jonathan Whitcombe at bedside."
    ((_, artifacts),) = engine.nlp_engine.process_batch([text], "en")
    assert [(e.text, e.label_) for e in artifacts.tokens.ents] == [("Jonathan Whitcombe", "PERSON")]
    assert len(artifacts.tokens) == len(engine.nlp_engine.nlp["en"].make_doc(text))


def test_an_ner_entity_ending_in_a_line_break_is_replaced_without_it(engine):
    """Synthea's notes break the line after the patient's name; NER took the break into the name."""
    text = "\n2021-03-22\n\n# History of Present Illness\nYvone889 Janina163\n is a 57 year-old nonhispanic white female."
    result = engine.deidentify(text)
    assert "\n[NAME]\n is a 57 year-old" in result.text
    assert all(text[s.start:s.end] == text[s.start:s.end].strip() for s in result.spans)


def test_a_word_list_is_kept_once_and_read_where_it_is_needed():
    from deid.recognizers.lexicon import never_phi, words
    from deid.recognizers.patterns import with_word_lists

    assert "aetna" in words("payers") and "aetna" in never_phi()  # allow_words.txt takes in @payers
    assert not any(word.startswith("@") for word in words("allow_words"))
    assert with_word_lists(r"\b(?:{payers})\s*#\d{4,}") == r"\b(?:" + "|".join(
        sorted(words("payers"), key=lambda w: (-len(w), w))) + r")\s*#\d{4,}"
