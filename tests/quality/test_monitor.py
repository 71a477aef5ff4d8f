"""The quality and drift monitor with the real default classifier: a day of notes like the validation set
raises no flag; a day of another kind of note raises one, on the models page and in the audit trail."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents.models import Document
from clinical_ai.nlp import lifecycle, registry
from clinical_ai.nlp.datasets import Example
from clinical_ai.quality import monitor
from clinical_ai.quality.models import DailyStatistics, Report
from clinical_ai.quality.tasks import monitor_models
from tests.nlp.conftest import default_models, model_root  # noqa: F401 - fixtures
from tests.quality.conftest import client_for

pytestmark = pytest.mark.django_db

CT = "CT of the chest with contrast. Findings: no pulmonary embolism, lungs clear, {} mm nodule stable. Impression: " \
     "no acute cardiopulmonary process."
XRAY = "X-ray of the left wrist, two views. Findings: no fracture or dislocation; soft tissues normal. Impression: " \
       "normal study {}."
OPERATIVE = ("Operative note. Procedure: laparoscopic cholecystectomy. Trocars placed, cystic duct and artery clipped "
             "and divided, gallbladder removed; estimated blood loss {} mL; extubated, to recovery stable. ")
NURSING = ("Nursing note: resting comfortably, vital signs stable, pain 2/10, ambulated twice, tolerating diet, IV "
           "site clean; will continue to monitor overnight, shift {}. ")


def radiology(count, offset=0):
    return [(CT if i % 2 else XRAY).format(i + offset) for i in range(count)]


@pytest.fixture
def classifier(default_models):  # noqa: F811 - the fixture imported above
    """The installed zero-shot classifier, evaluated on radiology reports: its validation profile."""
    version = default_models["classify"]
    lifecycle.evaluate(version, [Example(text, "radiology_report") for text in radiology(12)])
    return version


def processed_day(version, texts, day):
    """Documents of one day, typed by the real model as the inference worker would."""
    predictions = registry.load(version).classify(texts)
    documents = [Document.objects.create(original_text="raw", deidentified_text=text, status=Document.Status.DONE,
                                         label=label, label_score=score, classifier=version)
                 for text, (label, score) in zip(texts, predictions)]
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(
        created_at=timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) +
        timedelta(hours=12))
    return documents


def test_notes_like_the_validation_set_raise_no_flag(classifier):
    today = timezone.localdate()
    processed_day(classifier, radiology(12, offset=40), today)
    [row] = monitor.run(days=1, today=today)
    assert row.documents == 12 and row.flags == []
    assert row.figures["label_psi"] < 0.1 and abs(row.figures["note_length_shift"]) < 1
    assert not AuditEvent.objects.filter(action="monitor-flag").exists()


def test_a_day_of_another_kind_of_note_raises_the_flag_once(classifier, people):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    processed_day(classifier, radiology(12, offset=40), yesterday)
    others = processed_day(classifier, [(OPERATIVE if i % 2 else NURSING).format(i) * 3 for i in range(12)], today)
    Report.objects.create(document=others[0], target="note-type", category="wrong-type",
                          model_version=classifier, reported_by=people["clinician"])

    assert monitor_models() == 2  # the beat task body: today and yesterday
    monitor_models()  # recomputed: same rows, no second audit event
    flagged = DailyStatistics.objects.get(day=today)
    assert {"label_psi", "note_length_shift"} <= set(flagged.flags)
    assert DailyStatistics.objects.get(day=yesterday).flags == []
    event = AuditEvent.objects.get(action="monitor-flag")
    assert event.object_id == classifier.ref and "label_psi" in event.details["flags"]
    assert flagged.figures["report_rate"] == round(1 / 12, 4)

    page = client_for(people["admin"]).get("/models/").content.decode()
    assert "drift-flag" in page and "label_psi" in page
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) >= 4 and "Label PSI vs validation" in page
    assert not any("href" in chart or "<script" in chart for chart in charts)  # self-contained drawings


def test_population_stability_index_is_zero_for_the_same_mix_and_grows_with_the_shift():
    assert monitor.population_stability_index({"a": 5, "b": 5}, {"a": 50, "b": 50}) == 0
    small = monitor.population_stability_index({"a": 5, "b": 5}, {"a": 6, "b": 4})
    large = monitor.population_stability_index({"a": 5, "b": 5}, {"c": 10})
    assert 0 < small < 0.25 < large


def test_summaries_replaced_by_the_fallback_and_unsupported_sentences_are_counted():
    grounded = Document(summary="Stable. On aspirin.", summary_kind="abstractive",
                        summary_sentences=[{"text": "Stable.", "supported": True, "evidence": []},
                                           {"text": "On aspirin.", "supported": False, "evidence": []}])
    fallback = Document(summary="Lungs clear.", summary_kind="extractive",
                        summary_sentences=[{"text": "Lungs clear.", "supported": True, "evidence": []}])

    figures = monitor._summarizer_figures([grounded, fallback])

    assert figures["fallback_rate"] == 0.5
    assert figures["unsupported_rate"] == round(1 / 3, 4)
