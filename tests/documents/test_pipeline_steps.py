"""The pipeline steps called directly (as the Celery tasks call them): idempotent, PHI-free failures."""
from datetime import timedelta
from unittest import mock

import pytest

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents import intake, services
from clinical_ai.documents.models import Document

pytestmark = pytest.mark.django_db

PATIENT = {"id": "MRN-4411", "name": "Theodora Vance", "birth_date": "1950-07-04"}


def submitted(text="Theodora Vance (MRN-4411) reports chest pain since 07/01/2024.", patient=PATIENT):
    outcome = intake.submit(text=text, patient=patient, source="api")
    assert outcome.status == intake.CREATED
    return outcome.document


def test_deidentify_step_removes_the_patients_name_and_moves_to_inference():
    document = submitted()

    services.deidentify_step(document.pk)

    document.refresh_from_db()
    assert document.stage == Document.Stage.INFERENCE
    assert "Vance" not in document.deidentified_text and "Theodora" not in document.deidentified_text
    assert "4411" not in document.deidentified_text  # the patient id given as context
    assert "chest pain" in document.deidentified_text
    assert document.phi_counts["NAME"] >= 1
    span = document.phi_spans[0]
    assert document.deidentified_text[span["start"]:span["end"]].startswith("[")


def test_a_step_run_twice_stores_its_result_once():
    document = submitted()

    services.deidentify_step(document.pk)
    services.deidentify_step(document.pk)  # a redelivered message

    assert AuditEvent.objects.filter(action="de-identify", object_id=str(document.pk)).count() == 1
    assert Document.objects.get(pk=document.pk).attempts == 1


def test_resend_with_the_same_sender_and_id_creates_nothing_new():
    first = intake.submit(text="Stable.", source="hl7v2", sender="LAB|GEN", message_id="MSG1")
    again = intake.submit(text="Stable.", source="hl7v2", sender="LAB|GEN", message_id="MSG1")

    assert (first.status, again.status) == (intake.CREATED, intake.DUPLICATE)
    assert first.document.pk == again.document.pk and Document.objects.count() == 1


def test_a_failing_step_marks_the_document_failed_without_quoting_it(caplog):
    document = submitted()
    with mock.patch("deid.DeidEngine.deidentify", side_effect=ValueError("Theodora Vance")):
        with pytest.raises(ValueError):
            services.deidentify_step(document.pk)
    # The task shell (tasks.run_step) turns the exception into this call:
    services.mark_failed(document.pk, "de-identify", ValueError("Theodora Vance"))

    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert document.error == "de-identify failed (ValueError); the document is kept and can be retried."
    assert "Vance" not in caplog.text


def test_sweep_requeues_documents_stuck_in_processing():
    document = submitted()
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING)
    Document.objects.filter(pk=document.pk).update(updated_at=document.updated_at - timedelta(hours=1))

    with mock.patch("clinical_ai.documents.tasks.enqueue") as enqueue:
        assert services.requeue_stuck(timedelta(minutes=15)) == 1
        assert services.requeue_stuck(timedelta(minutes=15)) == 0  # its clock was reset

    enqueue.assert_called_once_with(document.pk)
