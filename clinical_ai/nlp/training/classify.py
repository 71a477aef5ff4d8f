"""Train a note classifier on the sentence encoder, with a TF-IDF baseline on the same split.

Two methods. ``head`` (the default): a linear head over two views of a note, the frozen encoder's
mean-pooled embeddings of every window and the note's TF-IDF word and character n-grams. One
logistic regression per view; their logits are blended, ``blend * embeddings + (1 - blend) *
n-grams``, and divided by a temperature (calibration). Each view's regularization, the blend and
the temperature are chosen by stratified cross-validation on the training part only, so the
held-out part is scored once; the blend may come out all-embeddings or all-n-grams where one view
adds nothing. The result is one linear layer, saved as tensors (see classifier.LinearHead).
``full``: fine-tune encoder and head (every window a training example with its note's label).

The held-out part is scored against TF-IDF + logistic regression trained on the same training
part, with the 95% bootstrap interval of the macro-F1 difference (same notes resampled for both).

The head's regressions weigh every label alike (``class_weight``), as macro-F1 scores them. Chosen by nested
5-fold CV on MTS-Dialog's train.csv (the head chosen inside each outer fold), against each note weighted alike:
accuracy 0.797 against 0.774, difference 0.022 [0.006, 0.038], macro-F1 0.498 against 0.457. Then, with the
command: MTS-Dialog valid.csv accuracy 0.76 against 0.69 (paired +0.07 [0.00, 0.15]), macro-F1 0.505 against
0.389; MTSamples specialties held out macro-F1 0.865 against 0.834, difference to TF-IDF 0.171 [0.082, 0.252];
note types (note_types.py) check macro-F1 0.679 against 0.593. The figures below were measured before, unweighted.

Measured with ``models train`` (seed 13, 2 shared CPU cores; the held-out part scored once):
- MTSamples specialties (833 notes, 15 labels, 666 train / 167 held out): cross-validated on the
  training part, embeddings alone 0.770 macro-F1, n-grams alone 0.746, the blend (0.2) 0.800.
  Held out: 0.834 (accuracy 0.856) against TF-IDF's 0.694 (0.790), difference 0.139, 95%
  bootstrap [0.064, 0.206] (0.823, 0.131 [0.057, 0.200] when measured before). The embeddings-only
  head scored 0.815 on the same part but tied TF-IDF on other held-out notes (0.747 against 0.748):
  its margin here was partly luck.
- MTS-Dialog section headers (1,199 dialogues, 20 labels, 959 / 240): cross-validated 0.388
  embeddings alone, 0.368 n-grams alone, blend (0.3) 0.438. Held out: 0.519 (accuracy 0.788)
  against TF-IDF's 0.415 (0.767), difference 0.104 [0.034, 0.160]; its valid.csv (100): accuracy
  0.69, macro-F1 0.389 (0.71, 0.429 when measured before; the embeddings-only head: 0.72, 0.450).
  Tried and not kept (5-fold CV on all of train.csv, out-of-fold predictions): sentence-level views
  beside the window mean (the mean of the note's sentence embeddings and its opening sentence's) gave
  macro-F1 0.477 against 0.449, difference 0.027, 95% bootstrap [-0.009, 0.065], accuracy 0.778
  against 0.782; the sentence mean or max alone no better. Choosing C, blend and temperature by
  cross-validated accuracy or log-loss instead of macro-F1 (the command's 959 / 240 split, text not
  de-identified, same embeddings and folds): held-out accuracy 0.804 and 0.813 against 0.813,
  differences -0.008 [-0.029, 0.013] and 0.000 [-0.029, 0.029], macro-F1 lower (-0.019 and -0.073).
  ``--method full`` (3 epochs, lr 1e-4, batches of like-length windows) on the same split: held out
  accuracy 0.638, macro-F1 0.206 against TF-IDF's 0.767, 0.415 (difference -0.209 [-0.276, -0.164]);
  its training loss was still ~1.0 at the end. An 8-epoch run (576 steps) was stopped at step 270
  (loss ~0.9, ~23 min in) on shared cores: not measured.
Training costs one encoder pass over the notes plus minutes of regressions for the CV (one
thread each) at these sizes. A full fine-tune ran at ~12 s per 16-window step on long MTSamples notes
(~50 min for three epochs), so it is kept for GPU workers. On MTS-Dialog (median 90 tokens) its windows
are batched by length and cut to each batch's longest: 7.7 s per step against 11.1 padded to 256 (same
process, 8 batches each, median, shared cores); 216 steps took 832 s.
"""
import shutil
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from scipy.special import log_softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from clinical_ai.nlp import metrics, runtime
from clinical_ai.nlp.classifier import (
    LABELS_FILE,
    LinearHead,
    SentenceEncoder,
    SequenceClassifier,
    TfidfFeatures,
    windows,
)
from clinical_ai.nlp.training.common import Progress, autocast, on_device, optimizer_and_schedule, seed_everything

GRID_C = {"embeddings": (1.0, 10.0, 100.0, 1000.0), "ngrams": (10.0, 30.0, 100.0, 300.0)}
BLENDS = tuple(step / 10 for step in range(11))
TEMPERATURES = np.logspace(-1, 1, 41)
MISSING_LOGIT = -30.0  # a label absent from a cross-validation fold's training rows


@dataclass(frozen=True)
class ClassifierSettings:
    seed: int = 13
    method: str = "head"
    window_tokens: int = 256
    head_c: float = 10.0  # inverse L2 strength of the TF-IDF baseline's regression
    folds: int = 5  # head: cross-validation folds on the training part
    min_df: int = 2  # head: an n-gram is kept only if this many training notes have it
    # head: every label weighs alike in its regressions, as macro-F1 scores them (None: every note alike)
    class_weight: str | None = "balanced"
    epochs: int = 3  # full only, like the two below
    learning_rate: float = 1e-4
    batch_size: int = 16
    max_windows_per_note: int = 4  # bounds training time on long notes; inference still reads them all


def train(train_set, validation_set, encoder_folder: Path, target: Path, settings: ClassifierSettings, write) -> dict:
    """Train into ``target`` and return hyperparameters and metrics for the registry."""
    seed_everything(settings.seed)
    labels = sorted({example.target for example in train_set})
    texts = [example.text for example in validation_set]
    chosen = {}
    if settings.method == "head":
        predicted, chosen = _train_head(train_set, texts, labels, encoder_folder, target, settings, write)
    else:
        _fine_tune(train_set, labels, encoder_folder, target, settings, write)
        predicted = [label for label, _ in SequenceClassifier(target, settings.window_tokens).classify(texts)]
    truth = [example.target for example in validation_set]
    write("scoring the TF-IDF baseline on the same split")
    baseline = tfidf_baseline(train_set, texts, settings)
    scores = {"validation": metrics.classification(truth, predicted),
              "tfidf_logreg_baseline": metrics.classification(truth, baseline),
              "macro_f1_difference_vs_tfidf": metrics.bootstrap_difference(truth, predicted, baseline, seed=settings.seed)}
    write(held_out_line(scores))
    return {"hyperparameters": asdict(settings) | {"labels": labels} | chosen, "metrics": scores}


def held_out_line(scores: dict) -> str:
    ours, baseline, difference = (scores[key] for key in ("validation", "tfidf_logreg_baseline",
                                                          "macro_f1_difference_vs_tfidf"))
    return (f"held out ({ours['n']} notes): macro-F1 {ours['macro_f1']} (accuracy {ours['accuracy']}); "
            f"TF-IDF + logistic regression {baseline['macro_f1']} ({baseline['accuracy']}); difference "
            f"{difference['difference']}, 95% bootstrap [{difference['low']}, {difference['high']}]")


def tfidf_baseline(train_set, texts: list[str], settings: ClassifierSettings) -> list[str]:
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2),
                          LogisticRegression(max_iter=2000, C=settings.head_c, random_state=settings.seed))
    model.fit([example.text for example in train_set], [example.target for example in train_set])
    return list(model.predict(texts))


def _train_head(train_set, validation_texts, labels, encoder_folder: Path, target: Path,
                settings: ClassifierSettings, write) -> tuple[list[str], dict]:
    """Choose, fit and save the head beside a copy of the encoder; return its validation predictions and choices."""
    encoder = SentenceEncoder(encoder_folder, settings.window_tokens)
    texts, truth = [example.text for example in train_set], [example.target for example in train_set]
    write(f"embedding {len(train_set)} training notes with the frozen encoder")
    head, chosen = choose_and_fit_head(encoder.embed(texts).numpy(), texts, truth, labels, settings, write)
    shutil.copytree(encoder_folder, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(LABELS_FILE))
    head.save(target)
    write(f"embedding {len(validation_texts)} validation notes")
    logits = head.logits(encoder.embed(validation_texts), validation_texts)
    return [labels[i] for i in logits.argmax(1).tolist()], chosen


def choose_and_fit_head(embeddings: np.ndarray, texts: list[str], truth: list[str], labels: list[str],
                        settings: ClassifierSettings, write) -> tuple[LinearHead, dict]:
    """The head chosen by cross-validation on these rows and fitted on all of them, with its choices."""
    write(f"choosing the head by {settings.folds}-fold cross-validation on the training part")
    # One thread per regression: on shared cores, OpenMP's spinning threads made each fit ~4x slower.
    with threadpool_limits(limits=1):
        chosen = choose_head(embeddings, texts, truth, labels, settings)
        write(f"chosen: {chosen}")
        head = fit_head(embeddings, texts, truth, labels, chosen, settings)
    return head, chosen | {"ngram_terms": head.tfidf.size if head.tfidf is not None else 0}


def choose_head(embeddings: np.ndarray, texts: list[str], truth: list[str], labels: list[str],
                settings: ClassifierSettings) -> dict:
    """Each view's C, the blend and the temperature that score best on out-of-fold predictions of the training part:
    macro-F1 first, log-loss among equals."""
    y = np.array([labels.index(label) for label in truth])
    folds = _folds(y, settings)
    views = {"embeddings": {c: np.zeros((len(y), len(labels))) for c in GRID_C["embeddings"]},
             "ngrams": {c: np.zeros((len(y), len(labels))) for c in GRID_C["ngrams"]}}
    for train_rows, test_rows in folds:
        fold_texts = [texts[i] for i in train_rows]
        features = TfidfFeatures.fit(fold_texts, min_df=settings.min_df)
        inputs = {"embeddings": (embeddings[train_rows], embeddings[test_rows]),
                  "ngrams": (features.transform(fold_texts), features.transform([texts[i] for i in test_rows]))}
        for view, (fit_x, score_x) in inputs.items():
            model = _regression(None, settings, warm_start=True)  # each C starts from the last C's solution
            for c in sorted(views[view]):
                model.set_params(C=c).fit(fit_x, y[train_rows])
                views[view][c][test_rows] = _full_logits(model, score_x, len(labels))
    best, alone = None, {1.0: 0.0, 0.0: 0.0}
    for c_embeddings, embedding_logits in views["embeddings"].items():
        for c_ngrams, ngram_logits in views["ngrams"].items():
            for blend in BLENDS:
                logits = blend * embedding_logits + (1 - blend) * ngram_logits
                predicted = [labels[i] for i in logits.argmax(1)]
                score = metrics.classification(truth, predicted)["macro_f1"]
                loss = -log_softmax(logits, axis=1)[np.arange(len(y)), y].mean()
                if blend in alone:
                    alone[blend] = max(alone[blend], score)
                if best is None or (score, -loss) > best[:2]:
                    best = (score, -loss, {"c_embeddings": c_embeddings, "c_ngrams": c_ngrams, "blend": blend}, logits)
    score, _, chosen, logits = best
    losses = [-log_softmax(logits / t, axis=1)[np.arange(len(y)), y].mean() for t in TEMPERATURES]
    return chosen | {"temperature": round(float(TEMPERATURES[int(np.argmin(losses))]), 4), "cv_folds": len(folds),
                     "cv_macro_f1": score, "cv_macro_f1_embeddings_alone": alone[1.0],
                     "cv_macro_f1_ngrams_alone": alone[0.0]}


def fit_head(embeddings: np.ndarray, texts: list[str], truth: list[str], labels: list[str], chosen: dict,
             settings: ClassifierSettings) -> LinearHead:
    """Both views' regressions on all training rows, folded into one linear layer: blend and temperature included."""
    y = np.array([labels.index(label) for label in truth])
    blend, temperature = chosen["blend"], chosen["temperature"]
    weight, bias = np.zeros((len(labels), embeddings.shape[1])), np.zeros(len(labels))
    if blend > 0:
        model = _regression(chosen["c_embeddings"], settings).fit(embeddings, y)
        rows, intercept = _full_weights(model, len(labels))
        weight, bias = blend * rows, blend * intercept
    if blend == 1:
        return LinearHead(weight / temperature, bias / temperature, labels)
    features = TfidfFeatures.fit(texts, min_df=settings.min_df)
    model = _regression(chosen["c_ngrams"], settings).fit(features.transform(texts), y)
    rows, intercept = _full_weights(model, len(labels))
    return LinearHead(weight / temperature, (bias + (1 - blend) * intercept) / temperature, labels, features,
                      (1 - blend) * rows / temperature)


def _folds(y: np.ndarray, settings: ClassifierSettings) -> list:
    count = max(2, min(settings.folds, int(np.bincount(y).max())))
    with warnings.catch_warnings():  # labels rarer than the folds: they are scored where they fall
        warnings.simplefilter("ignore", UserWarning)
        return list(StratifiedKFold(count, shuffle=True, random_state=settings.seed).split(np.zeros(len(y)), y))


def _regression(c: float | None, settings: ClassifierSettings, warm_start: bool = False) -> LogisticRegression:
    return LogisticRegression(max_iter=3000, C=c or 1.0, class_weight=settings.class_weight, random_state=settings.seed,
                              warm_start=warm_start)


def _full_weights(model: LogisticRegression, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights and intercepts with one row per label (0..count-1), whichever labels the model saw."""
    coef, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # one row for two labels; softmax over (-w/2, w/2) gives the same odds
        coef, intercept = np.vstack([-coef, coef]) / 2, np.concatenate([-intercept, intercept]) / 2
    weight, bias = np.zeros((count, coef.shape[1])), np.full(count, MISSING_LOGIT)
    weight[model.classes_], bias[model.classes_] = coef, intercept
    return weight, bias


def _full_logits(model: LogisticRegression, features, count: int) -> np.ndarray:
    weight, bias = _full_weights(model, count)
    return np.asarray(features @ weight.T) + bias


def _fine_tune(train_set, labels, encoder_folder: Path, target: Path, settings: ClassifierSettings, write) -> None:
    tokenizer = AutoTokenizer.from_pretrained(encoder_folder)
    model = AutoModelForSequenceClassification.from_pretrained(
        encoder_folder, num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)}).to(runtime.device())
    inputs, window_labels = _training_windows(tokenizer, train_set, labels, settings)
    steps_per_epoch = -(-len(window_labels) // settings.batch_size)
    total = steps_per_epoch * settings.epochs
    write(f"fine-tuning on {len(train_set)} notes ({len(window_labels)} windows), {len(labels)} labels, "
          f"{total} steps")
    optimizer, schedule = optimizer_and_schedule(model.parameters(), settings.learning_rate, total)
    progress, generator = Progress(write, total), torch.Generator().manual_seed(settings.seed)
    lengths = inputs["attention_mask"].sum(1)
    model.train()
    for epoch in range(settings.epochs):
        for step, rows in enumerate(length_batches(lengths, settings.batch_size, generator)):
            width = int(lengths[rows].max())  # windows are right-padded: the columns past the longest are padding
            batch = on_device({key: value[rows, :width] for key, value in inputs.items()}
                              | {"labels": window_labels[rows]})
            with autocast():
                loss = model(**batch).loss
            loss.backward()
            optimizer.step(), schedule.step(), optimizer.zero_grad()
            progress.step(epoch * steps_per_epoch + step + 1, loss.item())
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)


def length_batches(lengths: torch.Tensor, batch_size: int, generator: torch.Generator,
                   pool_batches: int = 8) -> list[torch.Tensor]:
    """One epoch's batches of row indices, each of windows of like length, in random order.

    Rows are shuffled, cut into pools of ``pool_batches`` batches, sorted by length within each pool and cut
    into batches: a batch padded only to its longest window does little work on padding (short dialogues
    cost a fraction of a full window), and the pools keep which rows meet in a batch random from epoch to epoch."""
    shuffled = torch.randperm(len(lengths), generator=generator)
    batches = []
    for pool in shuffled.split(batch_size * pool_batches):
        batches += list(pool[torch.argsort(lengths[pool], stable=True)].split(batch_size))
    return [batches[i] for i in torch.randperm(len(batches), generator=generator)]


def _training_windows(tokenizer, train_set, labels, settings: ClassifierSettings):
    inputs, owners = windows(tokenizer, [example.text for example in train_set], settings.window_tokens)
    # Keep each note's first windows only: position of each window within its note.
    starts = torch.cat([torch.tensor([0]), (owners[1:] != owners[:-1]).nonzero().flatten() + 1])
    position = torch.arange(len(owners)) - starts[torch.bucketize(torch.arange(len(owners)), starts, right=True) - 1]
    keep = position < settings.max_windows_per_note
    label_ids = torch.tensor([labels.index(example.target) for example in train_set])
    return {key: value[keep] for key, value in inputs.items()}, label_ids[owners[keep]]
