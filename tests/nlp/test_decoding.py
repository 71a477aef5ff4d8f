import pytest

from clinical_ai.nlp.summarizer import Summarizer, complete_sentences, degenerate
from tests.nlp import tiny_models


def test_complete_sentences_cuts_after_the_last_finished_sentence():
    assert complete_sentences("Chest pain resolved. Started 100 mg of metform") == "Chest pain resolved."
    assert complete_sentences("Seen for cough (viral). Plan: rest!") == "Seen for cough (viral). Plan: rest!"
    assert complete_sentences("BMI 31.5 noted") == ""  # a decimal point is not a sentence end


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"),
    ("  ...  ", "empty"),
    ("Stress (finding), stress (finding), stress (finding), stress (finding), stress (finding).", "loop"),
    ("Patient admitted with pneumonia. Started 100 mg of metform", "unfinished"),
    ("Patient admitted with pneumonia. Treated with antibiotics and discharged home.", ""),
])
def test_degenerate_names_what_is_wrong_with_a_summary(text, reason):
    assert degenerate(text) == reason


@pytest.mark.django_db
def test_generated_summaries_end_with_a_complete_sentence_or_are_empty(default_models, tmp_path):
    folder = tiny_models.causal_lm(tmp_path / "lm", default_models["summarize"].folder)
    summarizer = Summarizer.from_folder(folder, max_new_tokens=24, chunk_tokens=96, batch_size=2)
    outputs = summarizer.summarize(["Cough for three days. No fever.", "Chest pain on exertion. ECG normal."])
    assert len(outputs) == 2
    assert all(complete_sentences(output) == output for output in outputs)
