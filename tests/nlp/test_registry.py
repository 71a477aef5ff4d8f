import pytest

from clinical_ai.nlp import lifecycle, registry, services
from clinical_ai.nlp.classifier import SequenceClassifier
from clinical_ai.nlp.summarizer import Summarizer
from tests.nlp import tiny_models

pytestmark = pytest.mark.django_db


def test_import_registers_each_kind_of_folder_as_a_candidate_with_its_weight_hash(default_models, tmp_path):
    tokenizers = {task: version.folder for task, version in default_models.items()}
    seq2seq = lifecycle.import_folder(tiny_models.seq2seq(tmp_path / "s2s", tokenizers["summarize"]),
                                      name="tiny-s2s", task="summarize", imported_by="alice")
    classifier = lifecycle.import_folder(
        tiny_models.sequence_classifier(tmp_path / "cls", tokenizers["classify"], ["A", "B"]),
        name="tiny-cls", task="classify")
    assert (seq2seq.ref, seq2seq.status, len(seq2seq.sha256)) == ("tiny-s2s@1", "candidate", 64)
    assert seq2seq.hyperparameters["kind"] == "seq2seq" and seq2seq.trained_by == "alice"
    assert registry.kind_of(classifier.folder) == "sequence-classifier"
    assert isinstance(registry.load(seq2seq), Summarizer) and isinstance(registry.load(classifier), SequenceClassifier)
    assert len(registry.load(seq2seq).summarize(["Short note.", "Another note."])) == 2


def test_a_summarizer_is_served_with_the_answer_budget_it_was_trained_with(default_models, tmp_path):
    folder = tiny_models.causal_lm(tmp_path / "lm", default_models["summarize"].folder)
    imported = lifecycle.import_folder(folder, name="tiny-lm", task="summarize")
    assert registry.load(imported).max_new_tokens == 96  # recorded nowhere: the Summarizer's default
    imported.hyperparameters = imported.hyperparameters | {"max_new_tokens": 160}
    imported.save(update_fields=["hyperparameters"])
    assert registry.load(imported).max_new_tokens == 160


def test_import_refuses_a_folder_that_cannot_serve_the_task(default_models, tmp_path):
    folder = tiny_models.sequence_classifier(tmp_path / "cls", default_models["classify"].folder, ["A", "B"])
    with pytest.raises(ValueError, match="cannot serve the summarize task"):
        lifecycle.import_folder(folder, name="wrong", task="summarize")


def test_analyze_labels_every_text_with_the_versions_used(default_models, tmp_path):
    tokenizer = default_models["classify"].folder
    classifier = lifecycle.import_folder(tiny_models.sequence_classifier(tmp_path / "c", tokenizer, ["A", "B"]),
                                         name="tiny-cls", task="classify")
    summarizer = lifecycle.import_folder(tiny_models.causal_lm(tmp_path / "lm", default_models["summarize"].folder),
                                         name="tiny-lm", task="summarize")
    for stand_in in (classifier, summarizer):  # random weights: never scored, so forced in
        lifecycle.promote(tiny_models.accountable(stand_in), promoted_by="alice", force=True, reason="stand-in")
    results = services.analyze(["First note.", "Second, longer note about a patient."])
    assert [r.label in ("A", "B") for r in results] == [True, True]
    assert {(r.summarizer.ref, r.classifier.ref) for r in results} == {("tiny-lm@1", "tiny-cls@1")}


def test_batched_generation_matches_one_at_a_time_and_long_notes_are_chunked(default_models, tmp_path):
    folder = tiny_models.causal_lm(tmp_path / "lm", default_models["summarize"].folder)
    summarizer = Summarizer.from_folder(folder, max_new_tokens=4, chunk_tokens=16, batch_size=4)
    texts = ["Cough for three days.", "Chest pain on exertion, relieved by rest; ECG normal; plan stress test.",
             " ".join(["Long note sentence."] * 20)]
    assert len(summarizer._chunks(texts[2])) > 1
    assert summarizer.summarize(texts) == [summarizer.summarize([text])[0] for text in texts]
