"""Corrections exported as training files: the note-type CSV trains a classifier with `models train`, the
identifier reports are de-identification gold that `python -m deid evaluate` reads."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from clinical_ai.documents.models import Document
from clinical_ai.quality import reports
from deid.evaluate import read_gold
from tests.nlp.conftest import CARDIO, NEURO, default_models, model_root  # noqa: F401 - fixtures
from tests.quality.conftest import person

pytestmark = pytest.mark.django_db


def corrected(version, text, label, reporter):
    document = Document.objects.create(original_text="raw", deidentified_text=text, status=Document.Status.DONE,
                                       label="letter", label_score=0.4, classifier=version)
    reports.file_report(document=document, target="note-type", category="wrong-type", corrected_label=label,
                        reporter=reporter)
    return document


def test_corrected_note_types_train_a_classifier_and_identifier_reports_are_gold(default_models, tmp_path):  # noqa: F811
    clinician = person("cora", "clinician")
    for i in range(6):
        corrected(default_models["classify"], f"{CARDIO} Visit {i}.", "Cardiology", clinician)
        corrected(default_models["classify"], f"{NEURO} Visit {i}.", "Neurology", clinician)
    text = "Seen by [NAME]; call Okonkwo on 555-0101."
    placeholder = {"start": 8, "end": 14, "type": "NAME"}  # the engine's own replacement, marked in phi_spans
    leaky = Document.objects.create(original_text="raw", deidentified_text=text, status=Document.Status.DONE,
                                    phi_spans=[placeholder])
    name, phone = (text.index("Okonkwo"), text.index("Okonkwo") + 7), (text.index("555"), text.index("555") + 8)
    for (start, end), kind in ((name, "NAME"), (phone, "PHONE"), (name, "NAME")):  # a repeat counts once
        reports.file_report(document=leaky, target="deidentified-text", category="identifier-left", span=(start, end),
                            identifier_type=kind, reporter=clinician)

    out = StringIO()
    call_command("export_feedback", tmp_path / "feedback", stdout=out)
    assert json.loads(out.getvalue()) == {"note_types": 12, "identifier_documents": 1}
    assert oct((tmp_path / "feedback" / "identifiers.jsonl").stat().st_mode & 0o777) == "0o600"

    [gold] = read_gold(str(tmp_path / "feedback" / "identifiers.jsonl"))
    assert gold["text"] == text
    assert gold["phi"] == [placeholder, {"start": name[0], "end": name[1], "type": "NAME"},
                           {"start": phone[0], "end": phone[1], "type": "PHONE"}]

    trained = StringIO()
    call_command("models", "train", "--task", "classify", "--data", tmp_path / "feedback" / "note_types.csv",
                 "--text-column", "text", "--label-column", "label", "--validation-fraction", "0.34", "--json",
                 stdout=trained, stderr=StringIO())
    result = json.loads(trained.getvalue())
    assert result["training_data"]["rows"] == 12
    assert set(result["metrics"]["validation"]["per_class"]) == {"Cardiology", "Neurology"}


def test_exported_identifier_reports_train_a_phi_tagger_candidate(default_models, tmp_path):  # noqa: F811
    clinician = person("cora", "clinician")
    for i in range(8):
        text = f"Seen by [NAME] on [DATE]; family friend Okonkwo{i} visited."
        leaky = Document.objects.create(original_text="raw", deidentified_text=text, status=Document.Status.DONE,
                                        patient_key=f"patient-{i}", phi_spans=[{"start": 8, "end": 14, "type": "NAME"},
                                                                              {"start": 18, "end": 24, "type": "DATE"}])
        start = text.index("Okonkwo")
        reports.file_report(document=leaky, target="deidentified-text", category="identifier-left",
                            span=(start, start + 8), identifier_type="NAME", reporter=clinician)
    call_command("export_feedback", tmp_path / "feedback", stdout=StringIO())

    trained = StringIO()
    call_command("models", "train", "--task", "deid", "--data", tmp_path / "feedback" / "identifiers.jsonl",
                 "--epochs", "1", "--synthetic-notes", "10", "--json", stdout=trained, stderr=StringIO())
    result = json.loads(trained.getvalue())
    assert result["status"] == "candidate" and result["training_data"]["rows"] == 8
    assert 0 <= result["metrics"]["validation"]["recall"] <= 1
