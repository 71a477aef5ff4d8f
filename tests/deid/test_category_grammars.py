"""Phones and postal addresses are found by their grammar: any separators, country
codes and extensions for phones; street words before, after or inside the street's
name, units, boxes and the lines of an address block. Clinical shorthand stays."""
import pytest

from deid.recognizers.addresses import AddressRecognizer


def _covered(engine, text, value):
    """Whether every character of value (found in text) lies inside a detected span."""
    start = text.index(value)
    spans = engine.analyze(text)
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, start + len(value)))


@pytest.mark.parametrize("text, phone", [
    ("Call 617/555-0101 after discharge.", "617/555-0101"),
    ("Daughter: 617 - 555 - 0101 evenings.", "617 - 555 - 0101"),
    ("Office 617.555.0101 ext. 22 weekdays.", "617.555.0101 ext. 22"),
    ("Reach the clinic on +44 20 7946 0958 x12 today.", "+44 20 7946 0958 x12"),
    ("Her cousin abroad, 001-541-754-3010.", "001-541-754-3010"),
    ("Phone:\n60-56-85-91\n", "60-56-85-91"),
    ("Please call me at 0494 92 82 32 tomorrow.", "0494 92 82 32"),
    ("Tel: (08) 8747 6301", "(08) 8747 6301"),
])
def test_phone_grammar_finds_phone(engine, text, phone):
    assert _covered(engine, text, phone)


@pytest.mark.parametrize("text, address", [
    ("Lives at 6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO\n Uruguay 64677", "6750 Koskikatu 25 Apt. 864\nArtilleros\n, CO"),
    ("Moved to 86036 Rua do Arenque 1634, Goiânia.", "86036 Rua do Arenque 1634, Goiânia"),
    ("Mail goes to PSC 6293, Box 8158\nAPO AP 04336", "PSC 6293, Box 8158\nAPO AP 04336"),
    ("Send it to P.O. Box 287 please.", "P.O. Box 287"),
    ("Home: 4844 Søndergade 52\n Apt. 656\n Brønderslev", "4844 Søndergade 52\n Apt. 656\n Brønderslev"),
    ("Lives at 3911 Fourth Avenue Suite 697 with her son.", "3911 Fourth Avenue Suite 697"),
    ("The company is registered at 221B Baker Street, London.", "221B Baker Street"),
    # house numbers written after the street as much of Europe writes them
    ("She saw a car leave Strada Niță Nr. 69 that night.", "Strada Niță Nr. 69"),
    ("Lives at ulica Rolnicza 67/86 with her son.", "ulica Rolnicza 67/86"),
    ("Our office is at Avenida Ferreira, 278 since May.", "Avenida Ferreira, 278"),
    ("She saw a car leave 47, rue de Charpentier in the night.", "47, rue de Charpentier"),
    ("She saw a car leave aleja Listopada 38 in the night.", "aleja Listopada 38"),
    ("Sent to 0400 Lawson Shoals Apt. 798 last week.", "0400 Lawson Shoals Apt. 798"),
    ("She saw a car leave Calle Ani Ayllón 87 Puerta 1 in the night.", "Calle Ani Ayllón 87 Puerta 1"),
    # a lower-case street of common words after words that announce an address
    ("i live at 45 beacon st apt 3 in somerville, is that ok?", "45 beacon st apt 3"),
    ("my new address is 12 maple ave, springfield", "12 maple ave"),
    # the town after a unit on the same line
    ("Write to 31 rue de la Hulotais Apt. 087 SAINT-PRIEST France", "Apt. 087 SAINT-PRIEST France"),
    ("Home: 88 Kauppakatu 5 Suite 12 Kerava Uusimaa", "Suite 12 Kerava Uusimaa"),
    # a second street line of common words
    ("New address: 9 Marsh Road Ellery Court\n Apt 12\n HIGH STREET\n Bristol", "Apt 12\n HIGH STREET"),
])
def test_address_grammar_finds_address(engine, text, address):
    assert _covered(engine, text, address)


@pytest.mark.parametrize("text", [
    "CV: HR 70-72 AV paced. BP 84/40 at 2000.",
    "pt given 8u reg insulin SQ. glucose 140",
    "had episode 9 beat run vt @ 13:45",
    "LABS: WBC 15.5, HCT 31.8, PLAT CT 152K.",
    "f/u apt 3/12 with dr",
    "ABG 7.35/45/90 on 40%",
    "BP 120/80 HR 88 RR 18 vt 500 - 600",
    # a lab value's decimals are no house number, "dr" after words no drive
    "K 3.9 KCL NOT GIVEN DR AWARE.",
    "a size #7 trach was  place without complication",
    "he lives at home with 2 dogs; sent to 5 west for tele",
    "Feeds via PEG, 250 ml q4h. Via NG tube, 2 tabs crushed.",
    "s/p 2 mechanical falls, 3 beat run of VT, 3 vessel bypass, 1+ trace edema.",
])
def test_clinical_numbers_are_no_address_or_phone(engine, text):
    kinds = {s.entity_type for s in engine.analyze(text)}
    assert not kinds & {"LOCATION", "PHONE"}


def test_an_address_that_ends_its_sentence_leaves_the_full_stop(engine):
    assert engine.deidentify("She lives at 14 Acacia Avenue. Her son visits.").text == "She lives at [LOCATION]. Her son visits."


def test_words_before_a_one_word_street_are_capitalised_ones(engine):
    text = "She saw a blue car leave Elonbulevardi 7 in the night."
    assert [text[s.start:s.end] for s in engine.analyze(text) if s.entity_type == "LOCATION"] == ["Elonbulevardi 7"]


def test_address_stops_before_a_sentence():
    text = "update the billing address with 27534 Þorsteinsgata 63\nMOSS\n, nan\n 51971 for this card"
    found = [text[r.start:r.end] for r in AddressRecognizer().analyze(text)]
    assert found and all("card" not in value for value in found)


@pytest.mark.parametrize("text, value, entity_type", [
    ("My zip code is 2371", "2371", "ZIP"),
    ("Mill Village\n    NS\n    B0J 2H0", "B0J 2H0", "ZIP"),
    ("Lives at 14 Acacia Avenue, Harrogate HG1 2AB with her son.", "HG1 2AB", "ZIP"),
    ("Seen at the Paddington W2 1NY clinic.", "W2 1NY", "ZIP"),
])
def test_postal_codes_in_context(engine, text, value, entity_type):
    assert _covered(engine, text, value)


def test_oxygen_via_cannula_is_no_street(engine):
    text = "PULM=O2 VIA CN 50% W SATS UPPER 90S"
    assert "LOCATION" not in {s.entity_type for s in engine.analyze(text)}


def test_military_address_is_found(engine):
    text = "Send it to Unit 7349 Box 6067\nDPO AE 99081. Thanks"
    assert _covered(engine, text, "Unit 7349 Box 6067\nDPO AE 99081")


def test_no_recognizer_relies_on_presidio_context_words():
    """The engine skips Presidio's context-word enhancer; that is only safe while no
    recognizer declares context words."""
    from deid.recognizers import build_registry

    assert not [r.name for r in build_registry().recognizers if getattr(r, "context", None)]


def test_hinted_street_form_is_found_far_into_a_text(engine):
    text = "Notes. " * 40 + "Home: 4844 Søndergade 52, Brønderslev."
    assert _covered(engine, text, "4844 Søndergade 52")


@pytest.mark.parametrize("text, name", [
    ('Koppány: "Who are you?"\nElizabeth:"I\'m here".', "Koppány"),
    ("Éva: What a wife.\nMegan: Remember me.", "Éva"),
])
def test_speaker_of_a_turn_is_a_name(engine, text, name):
    assert (name, "NAME") in {(text[s.start:s.end], s.entity_type) for s in engine.analyze(text)}


@pytest.mark.parametrize("text", [
    "C-V: HR low 100's, no ectopy.",
    "Integ: duoderm replaced.",
    "Neuro: alert and oriented.",
    "Dispo: full code.",
])
def test_section_header_is_no_speaker(engine, text):
    assert "NAME" not in {s.entity_type for s in engine.analyze(text)}


@pytest.mark.parametrize("text, name", [
    ("Landerico B Hidalgo\n\nLaboratory animal technician", "Landerico B Hidalgo"),
    ("Seen with Lóa F. Sigmundsdóttir today.", "Lóa F. Sigmundsdóttir"),
])
def test_given_name_initial_surname_is_a_name(engine, text, name):
    assert _covered(engine, text, name)


@pytest.mark.parametrize("text", [
    "Hepatitis B Surface antigen negative.",
    "Vitamin D Level pending.",
    "PT A OX3, MAE.",
])
def test_clinical_word_initial_word_is_no_name(engine, text):
    assert "NAME" not in {s.entity_type for s in engine.analyze(text)}


@pytest.mark.parametrize("text, corner", [
    ("She lives at the corner of Hauptstraße 14 and Lindenweg.", "corner of Hauptstraße 14 and Lindenweg"),
    ("Found at the corner of 52nd Street and Park Avenue by EMS.", "corner of 52nd Street and Park Avenue"),
    ("Home: the corner of ul. Kwiatowa 3 and Polna, flat 2", "corner of ul. Kwiatowa 3 and Polna"),
])
def test_intersection_of_two_streets_is_an_address(engine, text, corner):
    assert _covered(engine, text, corner)


@pytest.mark.parametrize("text", [
    "Small ulcer at the corner of the mouth and lips, 2 mm.",
    "Bruise at the corner of the left eye and cheek.",
])
def test_corner_of_a_body_part_stays(engine, text):
    assert not any(s.entity_type == "LOCATION" for s in engine.analyze(text))


@pytest.mark.parametrize("text, dose", [
    ("pt. given 8u reg insulin SQ at 0600.", "8u reg insulin SQ"),
    ("PT GIVEN 2U REG INSULIN SQ AT 0600.", "2U REG INSULIN SQ"),  # a house number's letter comes before a title-case street
])
def test_a_dose_in_units_is_no_house_number(engine, text, dose):
    assert dose in engine.deidentify(text).text


@pytest.mark.parametrize("text, street", [
    ("They walked down Baker Street to the station.", "Baker Street"),
    ("Yesterday Baker Street was closed.", "Baker Street"),
    ("The accident occurred at the corner of Main Street and Oak Avenue.", "Main Street"),
    ("Residents of Via della Spiga complained about the noise.", "Via della Spiga"),
    ("She lives on rue de Rivoli, Paris, with her son.", "rue de Rivoli, Paris"),
    ("They met on Avenida Paulista last year.", "Avenida Paulista"),
])
def test_street_without_a_house_number_is_found_in_mixed_case(engine, text, street):
    assert _covered(engine, text, street)


@pytest.mark.parametrize("text, address", [
    ("She lives on Baker Street in Reading.", "Baker Street in Reading"),  # a town that is also a common word
    ("Sold 12 Elm Street in Spring Valley, Ohio, last year.", "12 Elm Street in Spring Valley, Ohio"),
])
def test_the_town_after_a_street_is_part_of_the_address(engine, text, address):
    assert _covered(engine, text, address)


def test_a_street_keeps_no_lower_case_words_after_in():
    text = "The accident on Main Street in the morning was reported."
    assert [text[r.start:r.end] for r in AddressRecognizer().analyze(text)] == ["Main Street"]


def test_number_less_street_starts_after_a_word_that_opens_the_sentence():
    text = "Yesterday Baker Street was closed."
    assert [text[r.start:r.end] for r in AddressRecognizer().analyze(text)] == ["Baker Street"]


@pytest.mark.parametrize("text", [
    "Via Email: please send the report.",
    "Sent results via Epic to the team.",
    "Place Foley catheter. Avenue of approach discussed.",
    "Follow the Road to Recovery program.",
])
def test_street_words_without_a_named_street_stay(text):
    assert AddressRecognizer().analyze(text) == []
