"""The drift monitor watches the PHI tagger (task deid) too: identifiers found per 1,000 characters, overall
and by type, against the version's own last days, and the rate of "identifier left" reports. And the
classifier's calibration is measured where labels exist (notes that carry their coded type, scored by the
classifier beside it; clinicians' type corrections) as an expected calibration error; the old proxy stays
only for days with no labelled note, and says so."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents.models import Document
from clinical_ai.nlp import metrics, registry
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.quality import monitor
from clinical_ai.quality.models import DailyStatistics, Report
from tests.nlp.conftest import default_models, model_root  # noqa: F401 - fixtures
from tests.quality.conftest import client_for

pytestmark = pytest.mark.django_db
NOTE = "Seen by [NAME] on [DATE] for follow-up of hypertension; blood pressure controlled, continue lisinopril. " * 2


def on_day(documents, day):
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(
        created_at=timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        + timedelta(hours=12))
    return documents


@pytest.fixture
def tagger(db):
    return ModelVersion.objects.create(name="phi-tagger-spacy", version="1", task=ModelVersion.Task.DEID,
                                       path="phi-tagger-spacy/1", sha256="0" * 64, status=ModelVersion.Status.ACTIVE)


def deidentified_day(tagger, day, phi_counts, count=12, text=NOTE):
    return on_day([Document.objects.create(original_text="raw", deidentified_text=text, phi_counts=phi_counts,
                                           status=Document.Status.DONE, deid_tagger=tagger) for _ in range(count)], day)


def test_the_tagger_is_monitored_per_day_by_identifiers_per_1000_characters_and_type(tagger, people):
    today = timezone.localdate()
    for back in (3, 2, 1):
        deidentified_day(tagger, today - timedelta(days=back), {"NAME": 2, "DATE": 1})
    documents = deidentified_day(tagger, today, {"NAME": 2, "DATE": 1})
    Report.objects.create(document=documents[0], target="deidentified-text", category="identifier-left",
                          span_start=0, span_end=4, model_version=tagger, reported_by=people["clinician"])

    rows = monitor.run(days=4, today=today)

    row = DailyStatistics.objects.get(model_version=tagger, day=today)
    assert len(rows) == 4 and row.documents == 12
    per_thousand = round(1000 * 3 / len(NOTE), 3)
    assert row.figures["identifiers_per_1000_chars"] == per_thousand
    assert row.figures["identifiers_per_1000_chars_by_type"] == {"DATE": round(1000 / len(NOTE), 3),
                                                                 "NAME": round(2000 / len(NOTE), 3)}
    assert row.figures["identifier_density_shift"] == 0 and row.figures["identifier_mix_psi"] == 0
    assert row.figures["report_rate"] == round(1 / 12, 4)  # "identifier left" reports on the day's notes
    assert "report_rate" in row.flags and "identifier_mix_psi" not in row.flags


def test_a_day_when_the_tagger_finds_other_identifiers_raises_the_flag_on_the_models_page(tagger, people):
    today = timezone.localdate()
    for back in (3, 2, 1):
        deidentified_day(tagger, today - timedelta(days=back), {"NAME": 2, "DATE": 1})
    deidentified_day(tagger, today, {"ID": 1}, text=NOTE.replace("[NAME]", "Okonkwo"))

    monitor.run(days=4, today=today)

    row = DailyStatistics.objects.get(model_version=tagger, day=today)
    assert {"identifier_mix_psi", "identifier_density_shift"} <= set(row.flags)
    assert row.figures["identifier_density_shift"] < -0.5
    event = AuditEvent.objects.get(action="monitor-flag")
    assert event.object_id == tagger.ref and "identifier_mix_psi" in event.details["flags"]
    page = client_for(people["admin"]).get("/models/").content.decode()
    monitor_section = page[page.index(f'id="monitor-{tagger.pk}"'):]
    assert "Identifiers per 1,000 characters" in monitor_section and "drift-flag" in monitor_section
    assert "NAME per 1,000 characters" in monitor_section
    assert "Okonkwo" not in str(row.figures) and "Okonkwo" not in str(event.details)


def test_the_tagger_without_earlier_days_has_no_baseline_yet(tagger):
    today = timezone.localdate()
    deidentified_day(tagger, today, {"NAME": 2})

    [row] = monitor.run(days=1, today=today)

    assert row.figures["identifier_density_shift"] is None and row.figures["identifier_mix_psi"] is None
    assert row.flags == []


def typed_day(version, day, labels_and_scores, **fields):
    return on_day([Document.objects.create(original_text="raw", deidentified_text=NOTE, status=Document.Status.DONE,
                                           label=label, label_score=score, label_source="model",
                                           classifier=version, **fields)
                   for label, score in labels_and_scores], day)


def test_without_labels_the_calibration_figure_is_the_proxy_and_says_so(versions):
    today = timezone.localdate()
    typed_day(versions["classify"], today, [("progress_note", 0.9)] * 10)

    [row] = [r for r in monitor.run(days=1, today=today) if r.model_version == versions["classify"]]

    assert row.figures["calibration_source"] == "proxy: no labelled notes"
    assert row.figures["calibration_gap"] == round(0.9 - 1, 4) and row.figures["calibration_ece"] is None


def test_clinicians_type_corrections_are_labels_for_the_expected_calibration_error(versions, people):
    today = timezone.localdate()
    wrong, right, *_ = typed_day(versions["classify"], today, [("progress_note", 0.9)] * 10)
    Report.objects.create(document=wrong, target="note-type", category="wrong-type", corrected_label="letter",
                          model_version=versions["classify"], reported_by=people["clinician"])
    Report.objects.create(document=right, target="note-type", category="wrong-type", corrected_label="progress_note",
                          model_version=versions["classify"], reported_by=people["clinician"])

    [row] = [r for r in monitor.run(days=1, today=today) if r.model_version == versions["classify"]]

    assert row.figures["calibration_source"] == "labels"
    assert (row.figures["calibration_labelled"], row.figures["calibration_corrected"]) == (2, 2)
    assert row.figures["calibration_ece"] == metrics.expected_calibration_error([0.9, 0.9], [False, True])
    assert "calibration_gap" not in row.figures
    assert "calibration_ece" not in row.flags  # two labels are too few to raise a flag on


def test_notes_that_carry_their_coded_type_are_scored_by_the_classifier_for_its_calibration(default_models, people):  # noqa: F811
    classifier = default_models["classify"]
    today = timezone.localdate()
    texts = ["CT of the chest: no pulmonary embolism. Impression: normal study.",
             "Discharge summary: admitted for pneumonia, treated with antibiotics, discharged home stable.",
             "Operative note: laparoscopic cholecystectomy, no complications, estimated blood loss 20 mL."] * 4
    truths = ["radiology_report", "discharge_summary", "operative_note"] * 4
    on_day([Document.objects.create(original_text="raw", deidentified_text=text, status=Document.Status.DONE,
                                    label=truth, label_score=1.0, label_source="coded", classifier=classifier)
            for text, truth in zip(texts, truths)], today)
    typed_day(classifier, today, [("progress_note", 0.7)] * 10)

    row = monitor.compute_day(classifier, today)

    predictions = registry.load(classifier).classify(texts)
    expected = metrics.expected_calibration_error([score for _, score in predictions],
                                                  [label == truth for (label, _), truth in zip(predictions, truths)])
    assert row.documents == 10  # the day's notes typed by the model; the coded ones are its labels
    assert (row.figures["calibration_labelled"], row.figures["calibration_coded"]) == (12, 12)
    assert row.figures["calibration_ece"] == expected and row.figures["calibration_source"] == "labels"
    page = client_for(people["admin"]).get("/models/").content.decode()
    assert re.search(r"Calibration error \(ECE", page)
