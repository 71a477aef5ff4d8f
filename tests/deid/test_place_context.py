"""Places after verbs of motion and residence, and countries wherever they stand."""
import pytest


def _covered(engine, text, value):
    start = text.index(value)
    spans = engine.analyze(text)
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, start + len(value)))


@pytest.mark.parametrize("text, place", [
    ("Her brother flew to TROMSØ last week.", "TROMSØ"),
    ("The family moved to Kristiansand in the spring.", "Kristiansand"),
    ("He grew up in Wadowice and still visits.", "Wadowice"),
    ("She was born in Vilnius.", "Vilnius"),
    ("Patient relocated back to Szeged after retiring.", "Szeged"),
    ("They travelled to Oaxaca for the holidays.", "Oaxaca"),
])
def test_place_after_motion_or_residence_verb(engine, text, place):
    assert _covered(engine, text, place)


@pytest.mark.parametrize("text, place", [
    ("A lawyer practising in Kraków represented her.", "Kraków"),  # towns of the world gazetteer,
    ("The victim, 27, of Peckham, was found at dawn.", "Peckham"),  # named as places, not people
    ("Born in Krakow, schooled in Lodz.", "Krakow"),  # written without its diacritics
])
def test_world_town_after_a_place_preposition_is_a_place(engine, text, place):
    start = text.index(place)
    assert any(s.start <= start and s.end >= start + len(place) and s.entity_type == "LOCATION"
               for s in engine.analyze(text))


@pytest.mark.parametrize("text, word, entity_type", [
    ("OB consult today; SS and OTA reviewed at the meeting.", "OB", None),  # clinical abbreviations, not towns
    ("OB consult today; SS and OTA reviewed at the meeting.", "OTA", None),
    ('"Moving in that direction," says Izumi.', "Izumi", "NAME"),  # a world town alone is no place
    ("I'm Daniel's daughter.", "Daniel's", None),  # no county Daniels
])
def test_world_towns_need_a_place_word_before_them(engine, text, word, entity_type):
    start = text.index(word)
    found = {s.entity_type for s in engine.analyze(text) if s.start <= start < s.end}
    assert "LOCATION" not in found and (entity_type is None or entity_type in found)


@pytest.mark.parametrize("text, place", [
    ("Estonia was lovely in June.", "Estonia"),
    ("Recent travel: Portugal and Morocco.", "Portugal"),
    ("Originally from New Zealand, now local.", "New Zealand"),
    ("Uruguay is where her parents live.", "Uruguay"),
])
def test_country_is_a_place_anywhere_in_mixed_case_text(engine, text, place):
    assert _covered(engine, text, place)


@pytest.mark.parametrize("text, word", [
    ("Moved to chair with assist of two.", "chair"),
    ("Returned to baseline mental status after lunch.", "baseline"),
    ("Pressor weaned, then returned to 80mcg overnight.", "mcg"),
    ("Ate turkey sandwich for lunch.", "turkey"),
    ("Chad called about his mother.", "Chad"),
])
def test_prose_after_motion_verbs_and_word_countries_stay(engine, text, word):
    start = text.index(word)
    assert not any(s.start <= start < s.end and s.entity_type == "LOCATION" for s in engine.analyze(text))



@pytest.mark.parametrize("text, place", [
    ("The family reported her missing to the Brunssum police.", "Brunssum"),
    ("On 12 January 1996 the Gdańsk Regional Court convicted him.", "Gdańsk"),
    ("Kind regards,\nAnna Lundberg\nTrollhättan Office", "Trollhättan"),
])
def test_a_capitalised_word_no_list_knows_before_a_town_institution_is_the_town(engine, text, place):
    assert _covered(engine, text, place)


def test_an_artery_branch_and_a_common_office_stay(engine):
    text = "Phasic branch pulmonary artery pressures were normal. Call the Home Office or the Ethics office."
    assert not any(s.entity_type == "LOCATION" for s in engine.analyze(text))


@pytest.mark.parametrize("text, place", [
    ("A letter from the Governor of Strangeways Prison was produced.", "Strangeways Prison"),
    ("He was held in Sofia Central Prison until 1999.", "Sofia Central Prison"),
    ("Recently released from Rikers jail, presents with withdrawal.", "Rikers jail"),
])
def test_a_named_prison_is_a_place_like_a_named_hospital(engine, text, place):
    assert _covered(engine, text, place)


def test_prison_as_a_common_noun_stays(engine):
    text = "PT WAS IN PRISON FOR 5 YRS. HX OF JAIL TIME. He has been in prison since 2019."
    assert engine.analyze(text) == ()
