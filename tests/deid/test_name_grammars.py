"""Person names by grammar, without a title: after phrases that introduce a person,
in series of names, and unknown capitalised words where names stand."""
import pytest

from deid.name_edges import with_name_edges
from deid.results import Span


def _covered(engine, text, value):
    start = text.index(value)
    spans = engine.analyze(text)
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, start + len(value)))


def _untouched(engine, text, value):
    start = text.index(value)
    return not any(s.start < start + len(value) and start < s.end for s in engine.analyze(text))


@pytest.mark.parametrize("text, name", [
    ("hi, my name is karin lindqvist and I need a refill", "karin lindqvist"),
    ("Wife says: I'm Zbigniewa, his wife of forty years.", "Zbigniewa"),
    ("i'm roberto's sister, calling about the results", "roberto"),
    ("They named her Ingrid after her grandmother.", "Ingrid"),
    ("please follow up with marguerite okonkwo next week", "marguerite okonkwo"),
    ("Everyone calls me Tadeusz at work.", "Tadeusz"),
    ("He wants to speak to Hallgrímur before signing.", "Hallgrímur"),
    ("my name is dragoslav petrović and i need my results", "dragoslav petrović"),
    ("Discharge summary dictated by:  Ingunn Sæther", "Ingunn Sæther"),
    # after a phrase that names, a listed name that is a common word too
    ("A man named Frank Baker came to the desk.", "Frank Baker"),
    ("We call her Hope; her brother goes by Grant.", "Hope"),
    ("We call her Hope; her brother goes by Grant.", "Grant"),
])
def test_name_after_a_phrase_that_introduces_a_person(engine, text, name):
    assert _covered(engine, text, name)


@pytest.mark.parametrize("text, word", [
    ("my name is on the consent form", "consent"),
    ("I'm tired and short of breath.", "tired"),
    ("Please follow up with cardiology in two weeks.", "cardiology"),
    ("this is metoprolol 25 mg twice daily", "metoprolol"),
    ("i'm gonna need help with my inhaler", "gonna"),
    ("I am Frank with you about the risks.", "Frank"),
    ("a condition known as frank hematuria", "frank"),
])
def test_prose_after_introducing_phrases_stays(engine, text, word):
    assert _untouched(engine, text, word)


@pytest.mark.parametrize("text, names", [
    ("Visitors today: Oksana, Bartholomew, Linnea and Piet.", ["Oksana", "Bartholomew", "Linnea", "Piet"]),
    ("grandchildren are sofia, mateo, ximena & thiago", ["sofia", "mateo", "ximena", "thiago"]),
    ("Zdravko, Helen and Margaret came by with flowers.", ["Zdravko", "Helen", "Margaret"]),
])
def test_series_of_names(engine, text, names):
    assert all(_covered(engine, text, name) for name in names)


@pytest.mark.parametrize("text, word", [
    ("Meds: Lasix, Coumadin and Heparin restarted.", "Coumadin"),
    ("Alert, oriented, and cooperative with care.", "oriented"),
    ("Sodium, Potassium, Chloride and Bicarbonate within limits.", "Potassium"),
])
def test_series_of_words_or_drugs_stay(engine, text, word):
    assert _untouched(engine, text, word)


@pytest.mark.parametrize("text, name", [
    ("Irenka is very reliable. She never misses a dose.", "Irenka"),
    ("Wojtaszek began physical therapy on the ward.", "Wojtaszek"),
    ("Hallvard Strømsnes said the pain was better.", "Hallvard Strømsnes"),
    ("Danuta, can you tell me where it hurts?", "Danuta"),
    ("Patient comfortable. Brigitte called at noon.", "Brigitte"),
    ("Ekiya and her brother Megha arrived in the evening.", "Ekiya"),
    ("Ingegerd with her son visited today.", "Ingegerd"),
    ("Kata's mother, Domagoj Vidović, had moved.", "Kata"),
])
def test_name_opening_a_sentence_before_a_verb_of_a_person(engine, text, name):
    assert _covered(engine, text, name)


@pytest.mark.parametrize("text, word", [
    ("Lungs are clear. Pcwp was 27 after the bolus.", "Pcwp"),
    ("Heme stable. Loxenox started this evening.", "Loxenox"),
    ("Dopa was weaned to off overnight.", "Dopa"),
    ("Abdomen is soft, nontender.", "Abdomen"),
    ("Patient and her husband agree with the plan.", "Patient"),
])
def test_clinical_word_opening_a_sentence_stays(engine, text, word):
    assert _untouched(engine, text, word)


@pytest.mark.parametrize("text, word", [
    ("Her neighbour Aukje visits daily.", "Aukje"),
    ("The patient and Ruoho discussed the plan together.", "Ruoho"),
    ("Mr Pavel Horák, the mayor of Frýdek-Místek, testified.", "Frýdek-Místek"),  # hyphenated, every part capitalised
])
def test_unknown_capitalised_word_inside_a_sentence_that_ner_confirms(engine, text, word):
    assert _covered(engine, text, word)


@pytest.mark.parametrize("text, word", [
    ("Scheduled for a right Lobectomy tomorrow.", "Lobectomy"),
    ("Blood cultures grew Enterococcus overnight.", "Enterococcus"),
    ("A 60-year-old Hispanic male with chest pain.", "Hispanic"),
    ("Trach is planned for Monday if stable.", "Monday"),
    ("He was treated for Non-Hodgkin lymphoma at the clinic.", "Non-Hodgkin"),
    ("History of Guillain-Barré syndrome, improving.", "Guillain-Barré"),
])
def test_clinical_words_demonyms_and_weekdays_inside_a_sentence_stay(engine, text, word):
    start = text.index(word)
    assert not any(s.start <= start < s.end and s.entity_type == "NAME" for s in engine.analyze(text))


@pytest.mark.parametrize("text, name", [
    ("Sincerely,\nGuðrún Þórisdóttir\nWard 4 coordinator", "Guðrún Þórisdóttir"),
    ("Ana dos Santos  1420 Rua Augusta  Lisboa", "Ana dos Santos"),
    (">Krzysztof Wiśniewski >Acme Ltd >", "Krzysztof Wiśniewski"),
    ("attending:\nmargaret okafor\n", "margaret okafor"),
])
def test_name_standing_alone_as_a_field(engine, text, name):
    assert _covered(engine, text, name)


@pytest.mark.parametrize("text, word", [
    ("Skin Intact\nFS WNL\nplan: continue", "WNL"),
    ("Meds:\nVanco Zosyn\n", "Zosyn"),
    ("RESP CARE\nLS CLEAR\n", "CARE"),
])
def test_field_of_clinical_words_stays(engine, text, word):
    assert _untouched(engine, text, word)


@pytest.mark.parametrize("text, name", [
    ("Ask Tomasz to call me back.", "Tomasz"),
    ("I told Ippazio about the results.", "Ippazio"),
])
def test_unknown_word_after_a_verb_that_addresses_a_person(engine, text, name):
    assert _covered(engine, text, name)


def test_upper_case_word_after_such_a_verb_stays_in_telegraphic_notes(engine):
    text = "MRSA IN SPUTUM. ON CONTACT PRAUUATIONS. DAUGHTER CALL AM-UPDATE GIVEN."
    assert _untouched(engine, text, "PRAUUATIONS") and _untouched(engine, text, "AM-UPDATE")


@pytest.mark.parametrize("text, first, name", [
    ("Best regards,\nDonald Brown", "Donald", "Donald Brown"),
    ("Signed by Francis Kent on the ward.", "Francis", "Francis Kent"),
    ("Judge van Heusden adjourned the hearing.", "Heusden", "van Heusden"),
    ("Seen by Dr. van de Noort today.", "Noort", "van de Noort"),
    ("Pieter van der Berg was questioned.", "Pieter", "Pieter van der Berg"),  # particles and surname after
    ("Abdul-Rahman al-Rashid and his cousin", "Abdul-Rahman", "Abdul-Rahman al-Rashid"),
    ("On 4 April 1997 Cäcilia Junk lodged an appeal.", "Cäcilia", "Cäcilia Junk"),  # mixed case: any title-case word
])
def test_a_name_span_takes_in_its_surname_and_particles(text, first, name):
    start = text.index(first)
    widened = with_name_edges(text, [Span(start, start + len(first), "NAME", 0.7)])
    assert [text[s.start:s.end] for s in widened] == [name]


@pytest.mark.parametrize("text, first", [
    ("Dr. Patel White count is normal.", "Patel"),  # a surname, not a first name, before "White"
    ("We drove the van Monday.", "Monday"),
    ("Call Donald\nBrown stool noted.", "Donald"),  # not across a line break
    ("Met Maria Hospital staff at noon.", "Maria"),  # a facility word
    ("DONALD BROWN STOOL NOTED.", "DONALD"),  # upper case: only a listed surname
])
def test_words_beside_a_name_stay_where_they_are_no_part_of_it(text, first):
    start = text.index(first)
    assert with_name_edges(text, [Span(start, start + len(first), "NAME", 0.7)]) == [
        Span(start, start + len(first), "NAME", 0.7)]


@pytest.mark.parametrize("text, name", [
    ("Ms Baker said she had lived there since 1993.", "Baker"),
    ("Mrs. Hope White was seen in clinic.", "Hope White"),
])
def test_a_common_word_that_is_a_name_after_a_title_in_title_case(engine, text, name):
    assert _covered(engine, text, name)


@pytest.mark.parametrize("text, kept", [
    ("Subject: Referral for Mrs Halvorsen\nDear colleague, please see her.", "Dear"),
    ("cc: Patient; Dr S. Osei\nHi team - pt back from clinic.", "Hi"),
])
def test_a_name_after_a_title_ends_at_its_line(engine, text, kept):
    assert _untouched(engine, text, kept)


@pytest.mark.parametrize("text, name, credential", [
    ("Dr Jonathan Reyes MRCP, Consultant Physician.", "Reyes", "MRCP"),
    ("Signed: Amara Obi MBBS FRCS", "Obi", "FRCS"),
])
def test_british_credentials_after_a_name_stay_and_the_name_goes(engine, text, name, credential):
    assert _covered(engine, text, name) and _untouched(engine, text, credential)


def test_a_common_word_after_a_title_in_upper_case_stays(engine):
    assert _untouched(engine, "DR WILL SEE PT IN AM. BP STABLE.", "WILL")


@pytest.mark.parametrize("text, names", [
    ("Officers K.M. and P.S. arrived at the scene.", ["K.M.", "P.S."]),
    ("Seen with resident A.B. and attending C.D. today.", ["A.B.", "C.D."]),
    ("Patient's daughter M.L. called.", ["M.L."]),
    ("Probation officer Kowalski called.", ["Kowalski"]),
    ("On 3 April 1998 Judge M.K. of the Regional Court ordered his detention.", ["M.K."]),
])
def test_people_named_by_joined_initials_after_a_role(engine, text, names):
    assert all(_covered(engine, text, name) for name in names)


@pytest.mark.parametrize("text, name", [
    ("The investigator, Captain S., questioned the witnesses.", "S."),
    ("Nurse V. aware of the plan.", "V."),
    ("Sergeant Okonkwo-Bello took the statement.", "Okonkwo-Bello"),
])
def test_a_person_named_after_a_rank_or_by_one_initial_after_a_role(engine, text, name):
    assert _covered(engine, text, name)


@pytest.mark.parametrize("text, rank, name", [
    ("Brought in by Sergeant Okonkwo-Bello at noon.", "Sergeant", "Okonkwo-Bello"),
    ("The hearing was adjourned before Judge Whitaker at Southwark.", "Judge", "Whitaker"),
    # abbreviated, after a label, and written alone as the tagger reads it: "Sgt." names nobody
    ("Contact: Sgt. Mariana Quispe, Badge #2231", "Sgt.", "Quispe"),
    ("Capt. Inés Solano and Cpl. Tyrese Gooden responded.", "Capt.", "Solano"),
    ("Capt. Inés Solano and Cpl. Tyrese Gooden responded.", "Cpl.", "Gooden"),
])
def test_a_rank_or_office_before_a_name_stays_readable(engine, text, rank, name):
    result = engine.deidentify(text).text
    assert f"{rank} " in result and name not in result


@pytest.mark.parametrize("text, kept", [
    ("Difficult to judge volume status today.", "volume"),
    ("Judge the response by MAP.", "response"),
    ("Pt is a retired police sergeant with COPD.", "COPD"),
    ("Captain of the football team, injured knee.", "football"),
])
def test_rank_and_office_words_without_a_name_stay(engine, text, kept):
    assert _untouched(engine, text, kept)


@pytest.mark.parametrize("text, kept", [
    ("Resident M.D. note reviewed.", "M.D."),
    ("Take 1 tab p.o. b.i.d. and call at 5 P.M.", "P.M."),
    ("The officer at bedside left.", "bedside"),
])
def test_credentials_times_and_words_after_a_role_stay(engine, text, kept):
    assert _untouched(engine, text, kept)
