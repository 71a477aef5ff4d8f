"""The classifier head over embeddings and TF-IDF n-grams: its features, its saved form, and how it is chosen."""
import numpy as np
import pytest
from safetensors import safe_open
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from clinical_ai.nlp.classifier import HEAD_FILE, LinearHead, TfidfFeatures
from clinical_ai.nlp.training import classify

WORDS = {"cardio": "troponin chest pain angina stent", "neuro": "seizure stroke aphasia tremor",
         "ortho": "fracture cast radius knee"}
NOTES = [(f"Seen on day {i}. {words}. Follow up in clinic.", label) for label, words in WORDS.items() for i in range(6)]


def test_tfidf_features_are_scikit_learns_and_keep_only_terms_of_several_notes():
    texts = [text for text, _ in NOTES] + ["A unique-surname appears once."]
    features = TfidfFeatures.fit(texts, min_df=2)
    expected = sparse.hstack([
        TfidfVectorizer(sublinear_tf=True, min_df=2, analyzer="word", ngram_range=(1, 2)).fit(texts).transform(texts),
        TfidfVectorizer(sublinear_tf=True, min_df=2, analyzer="char_wb", ngram_range=(2, 5)).fit(texts).transform(texts),
    ]) / np.sqrt(2)
    assert np.abs(features.transform(texts).toarray() - expected.toarray()).max() < 1e-6
    assert not any("surname" in term for _, terms, _ in features.parts for term in terms)


def test_a_head_with_ngrams_saves_as_tensors_only_and_loads_to_the_same_logits(tmp_path):
    texts = [text for text, _ in NOTES]
    features = TfidfFeatures.fit(texts)
    rng = np.random.default_rng(0)
    head = LinearHead(rng.normal(size=(3, 8)), rng.normal(size=3), list(WORDS), features,
                      rng.normal(size=(3, features.size)))
    head.save(tmp_path)
    with safe_open(tmp_path / HEAD_FILE, framework="pt") as handle:
        assert {"weight", "bias", "tfidf_weight", "tfidf_0_terms", "tfidf_1_idf"} <= set(handle.keys())
    embeddings = classify.torch.as_tensor(rng.normal(size=(4, 8)), dtype=classify.torch.float32)
    loaded = LinearHead.load(tmp_path)
    assert loaded.labels == list(WORDS)
    assert classify.torch.allclose(loaded.logits(embeddings, texts[:4]), head.logits(embeddings, texts[:4]))


def test_an_embeddings_only_head_ignores_the_text():
    head = LinearHead(np.eye(2), np.zeros(2), ["a", "b"])
    logits = head.logits(classify.torch.tensor([[0.0, 1.0]]), ["anything at all"])
    assert head.tfidf is None and logits.argmax(1).item() == 1


def _fit(embeddings, texts, truth):
    labels = sorted(set(truth))
    settings = classify.ClassifierSettings(folds=3)
    chosen = classify.choose_head(embeddings, texts, truth, labels, settings)
    return chosen, classify.fit_head(embeddings, texts, truth, labels, chosen, settings)


def test_cross_validation_leans_on_ngrams_when_the_embeddings_carry_no_signal():
    texts, truth = [text for text, _ in NOTES], [label for _, label in NOTES]
    noise = np.random.default_rng(1).normal(size=(len(texts), 8))
    chosen, head = _fit(noise, texts, truth)
    assert chosen["blend"] < 0.5 and chosen["cv_macro_f1"] == 1.0 > chosen["cv_macro_f1_embeddings_alone"]
    predicted = head.logits(classify.torch.as_tensor(noise, dtype=classify.torch.float32), texts).argmax(1)
    assert [head.labels[i] for i in predicted] == truth


def test_cross_validation_keeps_embeddings_alone_when_the_texts_carry_no_signal():
    truth = [label for _, label in NOTES]
    centers = {label: np.eye(8)[i] * 4 for i, label in enumerate(WORDS)}
    embeddings = np.stack([centers[label] for label in truth]) + np.random.default_rng(2).normal(size=(len(truth), 8))
    texts = [f"Seen on day {i % 6}. Follow up in clinic." for i in range(len(truth))]
    chosen, head = _fit(embeddings, texts, truth)
    assert chosen["blend"] == 1.0 and head.tfidf is None
    assert chosen["cv_macro_f1_embeddings_alone"] == chosen["cv_macro_f1"] > chosen["cv_macro_f1_ngrams_alone"]


def test_a_rare_label_beside_a_common_one_keeps_its_own_region():
    # Labels weigh alike, as macro-F1 scores them: 10 rare notes among 190 common ones, overlapping on one axis.
    # Weighted by note, the regression calls nearly all of them common.
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(0.0, 1.0, (190, 1)), rng.normal(1.5, 1.0, (10, 1))])
    y = np.array([0] * 190 + [1] * 10)
    model = classify._regression(1.0, classify.ClassifierSettings()).fit(x, y)
    assert model.predict(x[190:]).sum() >= 7


@pytest.mark.parametrize("labels", [["no", "yes"], ["a", "b", "c"]])
def test_full_weights_give_one_row_per_label_with_the_models_odds(labels):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(30, 4))
    y = np.arange(30) % len(labels)
    model = classify._regression(1.0, classify.ClassifierSettings()).fit(x, y)
    weight, bias = classify._full_weights(model, len(labels))
    probabilities = classify.torch.softmax(classify.torch.as_tensor(x @ weight.T + bias), dim=1).numpy()
    assert weight.shape == (len(labels), 4) and np.allclose(probabilities, model.predict_proba(x))


def test_embeddings_do_not_depend_on_the_other_notes_in_the_batch():
    # Windows are batched by length and cut to the batch's longest: a short note next to a long one
    # embeds as it does alone.
    from clinical_ai.nlp import defaults
    from clinical_ai.nlp.classifier import SentenceEncoder

    encoder = SentenceEncoder(defaults.encoder_folder(), window_tokens=32, batch_size=2)
    short, long = "Chest pain.", " ".join(text for text, _ in NOTES)
    together = encoder.embed([short, long, short])
    assert classify.torch.allclose(together[0], encoder.embed([short])[0], atol=1e-5)
    assert classify.torch.allclose(together[1], encoder.embed([long])[0], atol=1e-5)
    assert classify.torch.allclose(together[0], together[2], atol=1e-6)


def test_length_batches_cover_every_window_once_and_group_like_lengths():
    lengths = classify.torch.randint(5, 256, (200,), generator=classify.torch.Generator().manual_seed(0))
    batches = classify.length_batches(lengths, 16, classify.torch.Generator().manual_seed(1))
    rows = classify.torch.cat(batches)
    assert sorted(rows.tolist()) == list(range(200)) and max(len(batch) for batch in batches) == 16
    # Padding to each batch's longest: sorted pools pad far less than random batches of the same size.
    padded = sum(int(lengths[batch].max()) * len(batch) for batch in batches)
    shuffled = classify.torch.randperm(200, generator=classify.torch.Generator().manual_seed(1)).split(16)
    assert padded < 0.8 * sum(int(lengths[batch].max()) * len(batch) for batch in shuffled)


def test_length_batches_follow_the_seed_and_change_from_epoch_to_epoch():
    lengths = classify.torch.arange(64) % 7
    first, again = (classify.length_batches(lengths, 4, classify.torch.Generator().manual_seed(5)) for _ in range(2))
    generator = classify.torch.Generator().manual_seed(5)
    epoch_one, epoch_two = classify.length_batches(lengths, 4, generator), classify.length_batches(lengths, 4, generator)
    assert all(classify.torch.equal(a, b) for a, b in zip(first, again))
    assert [batch.tolist() for batch in epoch_one] != [batch.tolist() for batch in epoch_two]
