"""The recipe of the default note-type classifier shipped in data/note_type_head/: the head of
``models train --task classify`` (classify.choose_and_fit_head: frozen all-MiniLM-L6-v2 embeddings blended
with TF-IDF n-grams), trained on MTSamples' note-type buckets and on coded notes (below).

- Labels: data/mtsamples_note_type_buckets.json maps each note-type bucket to a product note type;
  the mixed "Consult - History and Phy." bucket is split by sample name (a consult, an ER visit,
  else a history and physical). A text filed under two different note types is dropped.
- Split: stratified, ``CHECK_FRACTION`` of the notes held out as the check part, seed 13. Each view's
  regularization, the blend and the softmax temperature (calibration) are chosen by 5-fold
  cross-validation on the tune part only; the check part is scored once, at the end.
- Reported on the check part: macro-F1 and accuracy against TF-IDF + logistic regression trained
  on the same rows, the 95% bootstrap interval of the macro-F1 difference, and the expected
  calibration error.
- Coded notes (``--synthea``, a FHIR export whose notes carry LOINC types) are labelled data too, as a hospital's
  own coded notes would be: split by patient with the repository's fixed seed (deid.evaluate.split_part), the tune
  patients' notes join the training rows and the check patients' notes are scored with their type hidden, de-identified
  as the product sees them, against the same recipe trained on MTSamples alone (paired bootstrap of the accuracy
  difference). On the Synthea sample export nothing but the type itself tells its two types apart
  (bench/note_type_signal.py), so there the best any classifier can do is the share of its most common type.
"""
import hashlib
import json
import re
from pathlib import Path

import numpy as np
from scipy.special import softmax

from clinical_ai.nlp import datasets, metrics
from clinical_ai.nlp.classifier import HEAD_FILE, LinearHead, SentenceEncoder
from clinical_ai.nlp.training.classify import ClassifierSettings, choose_and_fit_head, tfidf_baseline

DATA = Path(__file__).resolve().parent.parent / "data"
HEAD_FOLDER = DATA / "note_type_head"
BUCKETS = json.loads((DATA / "mtsamples_note_type_buckets.json").read_text())
MIXED_BUCKET = "Consult - History and Phy."
SEED, CHECK_FRACTION, FOLDS = 13, 0.25, 5
REBUILD = ("python manage.py train_note_types --mtsamples ../shared/data/nlp/mtsamples_dev.csv "
           "--synthea ../shared/data/fhir/synthea_dev")


def mixed_bucket_type(sample_name: str) -> str:
    name = sample_name.lower()
    if re.search(r"\bcon?s[ou]lt|\bconsultation", name):
        return "consultation_note"
    if re.search(r"\ber\b|emergency", name):
        return "emergency_department_note"
    return "history_and_physical"


def mtsamples_examples(path: Path) -> list[datasets.Example]:
    """One example per distinct transcription in a note-type bucket; texts with two types dropped."""
    import csv

    types: dict[str, set] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            bucket, text = row["medical_specialty"].strip(), " ".join(row["transcription"].split())
            label = mixed_bucket_type(row["sample_name"]) if bucket == MIXED_BUCKET else BUCKETS.get(bucket)
            if label and text:
                types.setdefault(text, set()).add(label)
    return [datasets.Example(text, labels.pop()) for text, labels in types.items() if len(labels) == 1]


def coded_examples(folder: Path, loinc_note_types: dict) -> dict[str, list[datasets.Example]]:
    """Notes of a FHIR NDJSON export read as the product reads them (interop's parser, with each note's
    patient and clinician context), de-identified, labelled by their LOINC type (which the classifier never
    sees), in the tune and check parts of the repository's fixed split by patient."""
    from clinical_ai.interop.fhir_r4 import parse_ndjson_folder
    from clinical_ai.interop.results import InboundNote
    from clinical_ai.nlp import phi_tagging
    from deid.evaluate import split_part

    parts = {"tune": [], "check": []}
    for note in parse_ndjson_folder(folder):
        if isinstance(note, InboundNote) and note.loinc_code in loinc_note_types:
            part = split_part({"patient_id": note.patient.patient_id if note.patient else None, "id": note.message_id})
            parts[part].append(datasets.Example(phi_tagging.deidentify(note.text, note.patient).text,
                                                loinc_note_types[note.loinc_code]))
    return parts


def build(mtsamples: Path, encoder_folder: Path, out: Path, write, synthea: Path | None = None,
          loinc_note_types: dict | None = None) -> dict:
    """Train the head on the tune part, save it into ``out`` with its card, and return the report."""
    examples = mtsamples_examples(mtsamples)
    tune, check = datasets.split(examples, CHECK_FRACTION, SEED, stratify=True)
    labels = sorted({example.target for example in tune})
    write(f"MTSamples note types: {len(examples)} notes, {len(labels)} types; tune {len(tune)}, check {len(check)}")
    coded = {"tune": [], "check": []}
    if synthea:
        write("de-identifying the Synthea notes")
        coded = coded_examples(synthea, loinc_note_types)
        write(f"Synthea notes by patient: tune {len(coded['tune'])}, check {len(coded['check'])}")
    encoder = SentenceEncoder(encoder_folder)
    write("embedding the notes with the frozen encoder")
    training = tune + coded["tune"]
    embeddings = encoder.embed([e.text for e in training]).numpy()
    settings = ClassifierSettings(seed=SEED, folds=FOLDS)
    head, choice = _fit(embeddings, training, labels, settings, write)
    check_texts, check_y = [e.text for e in check], [e.target for e in check]
    report = {"data": {"mtsamples": datasets.fingerprint(examples), "tune": len(tune), "check": len(check),
                       "synthea_tune": datasets.fingerprint(coded["tune"]), "training": datasets.fingerprint(training),
                       "seed": SEED, "labels": labels},
              "hyperparameters": choice | {"class_weight": settings.class_weight,
                                           "encoder": "sentence-transformers/all-MiniLM-L6-v2 (frozen)"},
              "check": _scores(check_y, _probabilities(head, encoder.embed(check_texts), check_texts), labels)}
    baseline = tfidf_baseline(training, check_texts, settings)
    report["check"]["tfidf_logreg_baseline"] = metrics.classification(check_y, baseline)
    report["check"]["macro_f1_difference_vs_tfidf"] = metrics.bootstrap_difference(
        check_y, report["check"]["predicted"], baseline)
    if coded["check"]:
        report["synthea_loinc_hidden"] = _coded_report(head, encoder, embeddings[:len(tune)], tune, coded, labels,
                                                       settings, write)
    for part in ("check", "synthea_loinc_hidden"):
        report.get(part, {}).pop("predicted", None)
    out.mkdir(parents=True, exist_ok=True)
    head.save(out)
    report["weights_sha256"] = hashlib.sha256((out / HEAD_FILE).read_bytes()).hexdigest()
    report["rebuild"] = REBUILD
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "card.md").write_text(card(report))
    return report


def card(report: dict) -> str:
    check, baseline = report["check"], report["check"]["tfidf_logreg_baseline"]
    difference = check["macro_f1_difference_vs_tfidf"]
    lines = [
        "# note-type-minilm-head", "",
        "Default note-type classifier: one linear layer over frozen all-MiniLM-L6-v2 embeddings (mean-pooled, "
        "256-token windows averaged) and the note's TF-IDF word and character n-grams, each view's logistic "
        "regression (every note type weighted alike, as macro-F1 scores them) blended as cross-validation chose, "
        "softmax temperature fitted for calibration.", "",
        "## Training data", "",
        f"MTSamples note-type buckets (mtsamples_dev.csv), fingerprint SHA-256 `{report['data']['mtsamples']['sha256']}`, "
        f"{report['data']['mtsamples']['rows']} notes; tune {report['data']['tune']}, check {report['data']['check']} "
        f"(stratified, seed {report['data']['seed']}). Labels: {', '.join(report['data']['labels'])}.", "",
        f"Coded FHIR notes of the tune patients (Synthea, CC0; LOINC type as label, de-identified): "
        f"{report['data']['synthea_tune']['rows']} notes, fingerprint `{report['data']['synthea_tune']['sha256']}`. "
        f"All training rows: fingerprint `{report['data']['training']['sha256']}`, {report['data']['training']['rows']} notes.", "",
        "## Hyperparameters (chosen by cross-validation on the tune part only)", "",
        f"```json\n{json.dumps(report['hyperparameters'], indent=2)}\n```", "",
        "## Check-part metrics", "",
        "| model | macro-F1 | accuracy | ECE |", "| --- | --- | --- | --- |",
        f"| this head | {check['macro_f1']} | {check['accuracy']} | {check['ece']} |",
        f"| TF-IDF + logistic regression | {baseline['macro_f1']} | {baseline['accuracy']} | |", "",
        f"Macro-F1 difference {difference['difference']}, 95% bootstrap interval "
        f"[{difference['low']}, {difference['high']}] ({difference['resamples']} resamples).", "",
    ]
    if "synthea_loinc_hidden" in report:
        synthea = report["synthea_loinc_hidden"]
        difference = synthea["accuracy_difference_vs_mtsamples_only"]
        lines += ["## Synthea FHIR notes of the check patients, LOINC type hidden", "",
                  f"Accuracy {synthea['accuracy']} on {synthea['n']} de-identified notes (macro-F1 {synthea['macro_f1']}, "
                  f"ECE {synthea['ece']}); per type: `{json.dumps(synthea['per_class'])}`. The same recipe on MTSamples "
                  f"alone: accuracy {synthea['mtsamples_only']['accuracy']}; difference {difference['difference']}, "
                  f"95% bootstrap interval [{difference['low']}, {difference['high']}]. Always answering the tune "
                  f"patients' most common type: {synthea.get('tune_most_common_type', {}).get('accuracy')}.", ""]
    lines += [f"Weights: `{HEAD_FILE}` SHA-256 `{report['weights_sha256']}`.", "",
              f"Rebuild: `{report['rebuild']}`.", "",
              "Intended use: de-identified notes that arrive without a coded document type.", ""]
    return "\n".join(lines)


def _fit(embeddings: np.ndarray, rows: list[datasets.Example], labels: list[str], settings: ClassifierSettings,
         write) -> tuple[LinearHead, dict]:
    texts = [e.text for e in rows]
    return choose_and_fit_head(embeddings, texts, [e.target for e in rows], labels, settings, write)


def _coded_report(head: LinearHead, encoder: SentenceEncoder, tune_embeddings: np.ndarray, tune: list,
                  coded: dict, labels: list[str], settings: ClassifierSettings, write) -> dict:
    """The check patients' coded notes, type hidden: this head against the recipe on MTSamples alone."""
    write("classifying the check patients' Synthea notes, LOINC type hidden, against the head of MTSamples alone")
    texts, truth = [e.text for e in coded["check"]], [e.target for e in coded["check"]]
    embedded = encoder.embed(texts)  # once, for both heads
    scores = _scores(truth, _probabilities(head, embedded, texts), labels)
    mtsamples_only, _ = _fit(tune_embeddings, tune, labels, settings, write)
    alone = [labels[i] for i in _probabilities(mtsamples_only, embedded, texts).argmax(1)]
    scores["mtsamples_only"] = metrics.classification(truth, alone)
    scores["accuracy_difference_vs_mtsamples_only"] = metrics.bootstrap_difference(
        truth, scores["predicted"], alone, metric="accuracy")
    if coded["tune"]:  # what always answering the tune patients' most common type scores
        most_common = max(labels, key=[e.target for e in coded["tune"]].count)
        scores["tune_most_common_type"] = {"type": most_common, "accuracy": round(truth.count(most_common) / len(truth), 4)}
    scores["data"] = datasets.fingerprint(coded["check"])
    return scores


def _probabilities(head: LinearHead, embeddings, texts: list[str]) -> np.ndarray:
    return softmax(head.logits(embeddings, texts).numpy(), axis=1)  # what EmbeddingHeadClassifier computes


def _scores(truth: list[str], probabilities: np.ndarray, labels: list[str]) -> dict:
    predicted = [labels[i] for i in probabilities.argmax(1)]
    confidence = probabilities.max(1)
    scores = metrics.classification(truth, predicted)
    scores["ece"] = metrics.expected_calibration_error(list(confidence), [a == b for a, b in zip(truth, predicted)])
    scores["predicted"] = predicted
    return scores

