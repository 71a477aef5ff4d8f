from clinical_ai.nlp import datasets, metrics


def test_reading_drops_excluded_labels_then_repeated_texts_then_rare_labels(specialty_csv):
    examples = datasets.read_examples(specialty_csv, "note", "specialty", ["Surgery"], min_per_target=3)
    assert {e.target for e in examples} == {"Cardiology", "Neurology", "Orthopedic"}
    assert len(examples) == 24 and len({e.text for e in examples}) == 24


def test_the_fingerprint_names_the_rows_not_their_text(specialty_csv):
    examples = datasets.read_examples(specialty_csv, "note", "specialty")
    fingerprint = datasets.fingerprint(examples)
    assert fingerprint["rows"] == 25 and len(fingerprint["sha256"]) == 64 and set(fingerprint) == {"sha256", "rows"}


def test_the_validation_split_is_stratified_and_fixed_by_the_seed(specialty_csv):
    examples = datasets.read_examples(specialty_csv, "note", "specialty", ["Surgery"], min_per_target=3)
    train, validation = datasets.split(examples, 0.25, seed=1, stratify=True)
    assert sorted(e.target for e in validation) == ["Cardiology"] * 2 + ["Neurology"] * 2 + ["Orthopedic"] * 2
    assert validation == datasets.split(examples, 0.25, seed=1, stratify=True)[1]


def test_metrics_report_macro_f1_accuracy_per_class_and_rouge():
    scores = metrics.classification(["a", "a", "b"], ["a", "b", "b"])
    assert (scores["accuracy"], scores["per_class"]) == (0.6667, {"a": 0.6667, "b": 0.6667})
    assert metrics.rouge(["chest pain"], ["chest pain"])["rougeL"] == 1.0
    assert metrics.lead_sentences("First one. Second one.") == "First one."
    assert metrics.lead_sentences("Mr. [NAME] was seen\non [DATE]. He is well.") == "Mr. [NAME] was seen on [DATE]."
