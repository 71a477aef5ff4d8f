import hashlib
import json

import pytest

from clinical_ai.nlp import defaults, metrics, registry
from clinical_ai.nlp.classifier import HEAD_FILE, EmbeddingHeadClassifier
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.training import note_types
from tests.interop.interop_samples import PATIENT, b64, document_reference
from tests.nlp.conftest import write_csv

HEADER = ["note_id", "description", "medical_specialty", "sample_name", "transcription", "keywords"]
NOTES = {
    "Radiology": "CT of the abdomen with contrast. Findings: no free fluid, liver normal. Impression: normal study {}.",
    "Surgery": "Preoperative diagnosis: appendicitis. Procedure: laparoscopic appendectomy. Estimated blood loss {} mL.",
    "Discharge Summary": "Hospital course: treated for pneumonia with antibiotics. Discharged home on day {} in good condition.",
}


@pytest.mark.parametrize(("sample_name", "note_type"), [
    ("Vertigo Consult", "consultation_note"), ("TIA - Cosult", "consultation_note"),
    ("Syncope - ER Visit - 1", "emergency_department_note"), ("Tinea Pedis - H&P", "history_and_physical"),
])
def test_the_mixed_consult_and_h_and_p_bucket_is_split_by_sample_name(sample_name, note_type):
    assert note_types.mixed_bucket_type(sample_name) == note_type


def test_mtsamples_rows_map_to_note_types_and_a_text_filed_under_two_types_is_dropped(tmp_path):
    rows = [["1", "", "Radiology", "CT", "Same text.", ""], ["2", "", "Surgery", "Op", "Same text.", ""],
            ["3", "", "Letters", "Letter", "Dear doctor.", ""], ["4", "", "Orthopedic", "X", "A specialty.", ""],
            ["5", "", "Letters", "Letter", "Dear   doctor.", ""]]
    examples = note_types.mtsamples_examples(write_csv(tmp_path / "m.csv", HEADER, rows))
    assert [(e.text, e.target) for e in examples] == [("Dear doctor.", "letter")]


def write_coded_export(folder, notes_per_patient: int):
    """A FHIR NDJSON export of pat-1 (the check part of the fixed split by patient) and pat-2 (the tune part)."""
    folder.mkdir()
    patients = [PATIENT, {**PATIENT, "id": "pat-2", "name": [{"family": "Okonkwo", "given": ["Adaeze"]}]}]
    (folder / "Patient.000.ndjson").write_text("\n".join(json.dumps(p) for p in patients) + "\n")
    documents = []
    for patient, name in (("pat-1", "Rosalind Quintero"), ("pat-2", "Adaeze Okonkwo")):
        for n in range(notes_per_patient):
            text = f"History of present illness: {name} presents with cough, day {n}. Exam: lungs clear. Plan: rest."
            documents.append({**document_reference(f"{patient}-doc-{n}", {"contentType": "text/plain",
                                                                          "data": b64(text.encode())}),
                              "subject": {"reference": f"Patient/{patient}"}})
    (folder / "DocumentReference.000.ndjson").write_text("\n".join(map(json.dumps, documents)) + "\n")
    return folder


@pytest.mark.django_db
def test_coded_notes_are_split_by_patient_de_identified_and_labelled_by_their_loinc_type(tmp_path):
    parts = note_types.coded_examples(write_coded_export(tmp_path / "export", 2), {"34117-2": "history_and_physical"})
    assert [len(parts["tune"]), len(parts["check"])] == [2, 2]
    assert all(e.target == "history_and_physical" for e in parts["tune"] + parts["check"])
    assert all("Okonkwo" not in e.text and "Adaeze" not in e.text for e in parts["tune"])
    assert all("Quintero" not in e.text and "Rosalind" not in e.text for e in parts["check"])


def test_build_writes_a_calibrated_head_with_its_card_figures_and_weight_hash(tmp_path):
    rows = [[str(i), "", bucket, bucket, text.format(i), ""] for bucket, text in NOTES.items() for i in range(16)]
    out = tmp_path / "head"
    report = note_types.build(write_csv(tmp_path / "m.csv", HEADER, rows), defaults.encoder_folder(), out,
                              lambda line: None)
    assert report["data"]["tune"] + report["data"]["check"] == 48
    # The recipe of models train --task classify: each view's C, the blend and the temperature by cross-validation.
    assert {"c_embeddings", "c_ngrams", "blend", "temperature", "cv_macro_f1"} <= set(report["hyperparameters"])
    assert report["check"]["accuracy"] == 1.0 and 0 <= report["check"]["ece"] <= 1
    assert set(report["check"]["macro_f1_difference_vs_tfidf"]) == {"difference", "low", "high", "resamples"}
    assert report["weights_sha256"] == hashlib.sha256((out / HEAD_FILE).read_bytes()).hexdigest()
    card = (out / "card.md").read_text()
    assert report["data"]["mtsamples"]["sha256"] in card and report["weights_sha256"] in card and "Rebuild" in card


@pytest.mark.django_db
def test_build_trains_on_the_tune_patients_coded_notes_and_scores_the_check_patients_against_mtsamples_alone(tmp_path):
    rows = [[str(i), "", bucket, bucket, text.format(i), ""] for bucket, text in NOTES.items() for i in range(16)]
    rows += [[str(100 + i), "", "Consult - History and Phy.", "Cough - H&P",
              f"Chief complaint: chest pain {i}. History: smoker. Exam: normal. Assessment: angina.", ""] for i in range(16)]
    export = write_coded_export(tmp_path / "export", 6)
    report = note_types.build(write_csv(tmp_path / "m.csv", HEADER, rows), defaults.encoder_folder(), tmp_path / "head",
                              lambda line: None, export, {"34117-2": "history_and_physical"})
    assert report["data"]["synthea_tune"]["rows"] == 6
    assert report["data"]["training"]["rows"] == report["data"]["tune"] + 6
    coded = report["synthea_loinc_hidden"]
    assert coded["n"] == 6 and coded["mtsamples_only"]["n"] == 6
    assert coded["tune_most_common_type"] == {"type": "history_and_physical", "accuracy": 1.0}
    assert set(coded["accuracy_difference_vs_mtsamples_only"]) == {"difference", "low", "high", "resamples"}
    assert "check patients" in (tmp_path / "head" / "card.md").read_text()


def test_the_shipped_head_matches_its_card_and_labels_only_product_note_types():
    report = json.loads((defaults.NOTE_TYPE_HEAD / "metrics.json").read_text())
    product_types = json.loads((defaults.NOTE_TYPE_HEAD.parent / "note_types.json").read_text())
    assert report["weights_sha256"] == hashlib.sha256((defaults.NOTE_TYPE_HEAD / HEAD_FILE).read_bytes()).hexdigest()
    assert set(report["data"]["labels"]) <= set(product_types)
    assert report["weights_sha256"] in (defaults.NOTE_TYPE_HEAD / "card.md").read_text()


@pytest.mark.django_db
def test_the_default_classifier_is_the_trained_head_with_its_figures_in_the_registry(default_models):
    version = default_models["classify"]
    assert version.ref == "note-type-minilm-head@4" and version.status == ModelVersion.Status.ACTIVE
    assert registry.kind_of(version.folder) == "embedding-head"
    assert {"mtsamples_note_types_check", "tfidf_logreg_baseline"} <= set(version.metrics) and version.training_data["rows"] > 0
    model = registry.load(version)
    assert isinstance(model, EmbeddingHeadClassifier)
    ((label, score),) = model.classify(["Preoperative diagnosis: appendicitis. Procedure: laparoscopic appendectomy. "
                                        "Anesthesia: general. Estimated blood loss: minimal. Specimen to pathology."])
    assert label == "operative_note" and 0 < score <= 1


@pytest.mark.django_db
def test_on_an_install_where_the_earlier_head_is_active_the_new_one_is_a_candidate(model_root):
    earlier = ModelVersion.objects.create(name="note-type-minilm-head", version="1", task=ModelVersion.Task.CLASSIFY,
                                          path="note-type-minilm-head/1", sha256="0" * 64,
                                          status=ModelVersion.Status.ACTIVE)
    classifier = next(version for version in defaults.install_defaults() if version.task == ModelVersion.Task.CLASSIFY)
    assert classifier.ref == "note-type-minilm-head@4" and classifier.status == ModelVersion.Status.CANDIDATE
    earlier.refresh_from_db()
    assert earlier.status == ModelVersion.Status.ACTIVE


def test_expected_calibration_error_is_zero_when_confidence_matches_accuracy():
    assert metrics.expected_calibration_error([0.75] * 4, [True, True, True, False]) == 0.0
    assert metrics.expected_calibration_error([1.0, 1.0], [False, False]) == 1.0


def test_bootstrap_difference_brackets_a_clear_win():
    truth = ["a", "b"] * 20
    result = metrics.bootstrap_difference(truth, truth, ["a"] * 40, resamples=200)
    assert result["difference"] > 0 and 0 < result["low"] <= result["difference"] <= result["high"]
