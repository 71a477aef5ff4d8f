from clinical_ai.nlp.sentences import complete_sentences, sentence_spans


def _texts(text):
    return [text[start:end] for start, end in sentence_spans(text)]


def test_a_title_or_abbreviation_does_not_end_a_sentence():
    text = "Nursing note. Mr. [NAME] was seen on [DATE] by Dr. [NAME]. Plan: rest!"
    assert _texts(text) == ["Nursing note.", "Mr. [NAME] was seen on [DATE] by Dr. [NAME].", "Plan: rest!"]
    assert _texts("BP approx. 120/80 today. Seen by J. Smith.") == ["BP approx. 120/80 today.", "Seen by J. Smith."]


def test_each_line_is_a_sentence_and_empty_lines_are_none():
    assert _texts("HPI:\n\n  Chest pain since [DATE]\n- aspirin 325 mg.") == ["HPI:", "Chest pain since [DATE]",
                                                                          "- aspirin 325 mg."]


def test_a_draft_ending_on_a_title_or_a_number_is_unfinished():
    assert complete_sentences("Seen by Mrs. [NAME]. Referred to Dr.") == "Seen by Mrs. [NAME]."
    assert complete_sentences("He said \"it hurts.\" Then") == "He said \"it hurts.\""
    assert complete_sentences("BMI 31.5 noted") == ""
