"""Dynamic batching on the inference queue: one task runs every waiting document it can claim,
claims keep two workers off the same documents, each result is written once, and a broken note
fails only itself."""
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents import services
from clinical_ai.documents.models import Document
from clinical_ai.documents.tasks import infer_document
from clinical_ai.nlp import registry
from clinical_ai.nlp.services import analyze

pytestmark = pytest.mark.django_db

NOTES = [
    "Chest pain for two days. Troponin raised. Plan: cardiology review.",
    "Cough and fever. Chest x-ray shows right lower lobe pneumonia. Plan: oral antibiotics.",
    "Fall at home with wrist pain. X-ray shows a distal radius fracture. Plan: cast.",
]


def waiting(*texts):
    """Documents already de-identified and waiting for inference, oldest first."""
    start = timezone.now() - timedelta(minutes=10)
    documents = []
    for minute, text in enumerate(texts):
        document = Document.objects.create(original_text=text, deidentified_text=text, stage=Document.Stage.INFERENCE)
        Document.objects.filter(pk=document.pk).update(created_at=start + timedelta(minutes=minute))
        documents.append(document)
    return documents


def test_waiting_documents_are_summarized_in_one_analyze_call_and_written_once(default_models):
    documents = waiting(*NOTES)
    registry.load(default_models["summarize"]).max_new_tokens = 16  # the real model, shorter summaries: CI time

    with mock.patch("clinical_ai.nlp.services.analyze", wraps=analyze) as spy:
        services.infer_step(documents[1].pk)  # one task runs; the others' tasks come later
        for document in documents:
            services.infer_step(document.pk)

    assert spy.call_count == 1 and len(spy.call_args.args[0]) == 3
    for document in documents:
        document.refresh_from_db()
        assert document.stage == Document.Stage.FINISHED and document.status == Document.Status.DONE
        assert document.summary and document.label
        assert document.summarizer == default_models["summarize"]
        assert document.attempts == 1 and document.claimed_by == "" and document.claimed_at is None
        assert AuditEvent.objects.filter(action="infer", object_id=str(document.pk)).count() == 1


def test_the_task_s_own_document_comes_first_then_the_oldest(default_models):
    oldest, middle, newest = waiting(*NOTES)

    _, batch = services.claim_inference_batch(newest.pk)

    assert [document.pk for document in batch] == [newest.pk, oldest.pk, middle.pk]


def test_a_claimed_document_is_not_taken_by_a_second_claimer(default_models):
    first, second = waiting(*NOTES[:2])

    token, batch = services.claim_inference_batch(first.pk)

    assert token and {document.pk for document in batch} == {first.pk, second.pk}
    assert services.claim_inference_batch(second.pk) == ("", [])
    assert services.claim_inference_batch(first.pk) == ("", [])
    assert set(Document.objects.values_list("claimed_by", flat=True)) == {token}


def test_a_stale_claim_is_taken_over(default_models, settings):
    (document,) = waiting(NOTES[0])
    dead_worker, _ = services.claim_inference_batch(document.pk)
    Document.objects.filter(pk=document.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.STUCK_AFTER_SECONDS + 1))

    token, batch = services.claim_inference_batch(document.pk)

    assert token and token != dead_worker and [d.pk for d in batch] == [document.pk]
    assert Document.objects.get(pk=document.pk).claimed_by == token


def test_the_token_budget_bounds_the_batch_but_never_refuses_the_own_document(default_models):
    documents = waiting(*NOTES)

    _, batch = services.claim_inference_batch(documents[2].pk, max_tokens=1)
    assert [document.pk for document in batch] == [documents[2].pk]

    _, batch = services.claim_inference_batch(documents[0].pk, max_documents=1)
    assert [document.pk for document in batch] == [documents[0].pk]


def test_a_transient_error_gives_the_batch_back_and_propagates(default_models):
    first, second = waiting(*NOTES[:2])

    with mock.patch("clinical_ai.nlp.services.analyze", side_effect=OperationalError("database is locked")):
        with pytest.raises(OperationalError):
            services.infer_step(first.pk)

    assert not Document.objects.exclude(claimed_by="").exists()
    assert not Document.objects.filter(status=Document.Status.FAILED).exists()  # not narrowed down, not failed
    _, batch = services.claim_inference_batch(second.pk)  # another task may take them at once
    assert {document.pk for document in batch} == {first.pk, second.pk}


def test_the_task_retries_a_transient_error_with_the_whole_batch(default_models):
    documents = waiting(*NOTES)
    registry.load(default_models["summarize"]).max_new_tokens = 16
    calls = []

    def locked_once(texts, loinc_codes):
        calls.append(len(texts))
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return analyze(texts, loinc_codes)

    with mock.patch("clinical_ai.nlp.services.analyze", side_effect=locked_once):
        infer_document.apply(args=[str(documents[0].pk)])  # eagerly, retries included

    assert calls == [3, 3]  # retried as a batch, never split one by one
    assert set(Document.objects.values_list("status", flat=True)) == {Document.Status.DONE}


def test_a_note_that_breaks_the_model_fails_alone_and_the_rest_of_its_batch_is_stored(default_models, caplog):
    broken = "Patient Theodora Vance, seen for a note the summarizer cannot take."
    documents = waiting(NOTES[0], broken, NOTES[1])
    summarizer = registry.load(default_models["summarize"])
    summarizer.max_new_tokens = 16
    real = summarizer.summarize

    def summarize(texts):  # model code failing on one note, its message quoting the note (the worst case)
        if broken in texts:
            raise ValueError(f"cannot summarize {texts!r}")
        return real(texts)

    with mock.patch.object(summarizer, "summarize", side_effect=summarize):
        services.infer_step(documents[0].pk)
        for document in documents:  # their own tasks: nothing left to do
            services.infer_step(document.pk)

    for document in documents:
        document.refresh_from_db()
        assert document.claimed_by == "" and document.attempts == 1
    done, failed = [documents[0], documents[2]], documents[1]
    for document in done:
        assert document.status == Document.Status.DONE and document.summary and document.label
        assert AuditEvent.objects.filter(action="infer", object_id=str(document.pk)).count() == 1
    assert failed.status == Document.Status.FAILED and failed.stage == Document.Stage.INFERENCE
    assert failed.error == "infer failed (ValueError); the document is kept and can be retried."
    assert not failed.summary
    event = AuditEvent.objects.get(action="infer", object_id=str(failed.pk))
    assert event.outcome == "failure" and event.details == {"error": "ValueError"}
    assert "Vance" not in caplog.text and "summarizer cannot take" not in caplog.text
