import pytest

from clinical_ai.nlp import lifecycle, services
from tests.nlp import tiny_models

pytestmark = pytest.mark.django_db


class RecordingClassifier:
    def __init__(self):
        self.seen = []

    def classify(self, texts):
        self.seen.extend(texts)
        return [("progress_note", 0.7) for _ in texts]


def test_a_note_with_a_coded_type_keeps_it_and_only_uncoded_notes_reach_the_classifier():
    classifier = RecordingClassifier()
    labels = services.note_types(classifier, ["H and P text.", "Free text.", "ED text."], ["34117-2", "", "34111-5"])
    assert labels == [("history_and_physical", 1.0, "coded"), ("progress_note", 0.7, "model"),
                      ("emergency_department_note", 1.0, "coded")]
    assert classifier.seen == ["Free text."]


def test_an_unknown_code_is_left_to_the_classifier():
    classifier = RecordingClassifier()
    assert services.note_types(classifier, ["Text."], ["99999-9"]) == [("progress_note", 0.7, "model")]


def test_analyze_returns_grounded_sentences_and_where_each_label_came_from(default_models, tmp_path):
    summarizer = lifecycle.import_folder(tiny_models.causal_lm(tmp_path / "lm", default_models["summarize"].folder),
                                         name="tiny-lm", task="summarize")
    lifecycle.promote(tiny_models.accountable(summarizer), promoted_by="alice", force=True,
                      reason="random-weight stand-in")
    note = "Patient seen in the emergency room for a sprained ankle after a fall. An x-ray showed no fracture."
    coded, uncoded = services.analyze([note, note], ["34111-5", ""])
    assert (coded.label, coded.label_source, uncoded.label_source) == ("emergency_department_note", "coded", "model")
    for analysis in (coded, uncoded):
        # a random-weight model writes nothing the note supports: the note's own sentences stand in
        assert analysis.summary_kind == "extractive"
        assert analysis.summary and all(s["supported"] for s in analysis.summary_sentences)
        for sentence in analysis.summary_sentences:
            (span,) = sentence["evidence"]
            assert note[span["start"]:span["end"]] == sentence["text"]
