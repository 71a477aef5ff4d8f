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


def test_repetition_control_forbids_repeating_its_own_phrase_but_not_quoting_the_prompt():
    import torch

    from clinical_ai.nlp.summarizer import OwnRepetitionControl

    control = OwnRepetitionControl(prompt_length=4, ngram=3, penalty=2.0)
    # prompt 5 6 7 8, then generated 1 2 3 1 2: "1 2" -> 3 would repeat "1 2 3"; the prompt's "7 8" is free
    input_ids = torch.tensor([[5, 6, 7, 8, 1, 2, 3, 1, 2]])
    scores = control(input_ids, torch.full((1, 10), 4.0))
    assert scores[0, 3] == -float("inf")
    assert scores[0, 1] == scores[0, 2] == 2.0  # its own tokens penalized
    assert scores[0, 5] == scores[0, 9] == 4.0  # prompt tokens untouched
