"""The one intake: office files read with limits, database refusals kept, context serialized once (issue 11)."""
import io
import json
import zipfile
from unittest import mock

import docx
import pytest
from django.contrib.auth import get_user_model
from django.db import DataError, OperationalError
from django.test import Client

from clinical_ai.accounts.models import Profile
from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents import intake, readers, services
from clinical_ai.documents.models import Document, QuarantinedInput
from deid import PatientContext

pytestmark = pytest.mark.django_db


def word_file(text: str = "Chest pain resolved.") -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(text)
    document.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A valid .docx plus one part of 105 MB of zeros: a few hundred KB on the wire."""
    buffer = io.BytesIO(word_file())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", bytes(105 * 1024 * 1024))
    return buffer.getvalue()


def post_file(client, name: str, data: bytes):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/api/v1/documents", {"file": upload}, format="multipart")


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated_and_kept(clinician_client):
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024

    with mock.patch("docx.Document", side_effect=AssertionError("parsed")):
        response = post_file(clinician_client, "note.docx", bomb)

    assert response.status_code == 413 and "zip bomb" in response.json()["error"]
    item = QuarantinedInput.objects.get()
    assert item.size == len(bomb) and Document.objects.count() == 0


def test_a_docx_with_too_many_parts_is_refused():
    buffer = io.BytesIO(word_file())
    with zipfile.ZipFile(buffer, "a") as archive:
        for number in range(readers.DOCX_MAX_MEMBERS):
            archive.writestr(f"customXml/extra{number}.xml", b"<a/>")
    with pytest.raises(intake.DocumentTooLarge, match="more than"):
        intake.text_from_file("note.docx", buffer.getvalue())


def test_a_database_refusing_the_insert_quarantines_the_note_and_answers_once(clinician_client):
    with mock.patch.object(Document.objects, "create", side_effect=DataError("value too long for varchar(16)")):
        response = clinician_client.post("/api/v1/documents", {"text": "Seen by Dr Quill."}, format="json")

    assert response.status_code == 422
    assert "DataError" in response.json()["error"] and "varchar" not in response.json()["error"]
    item = QuarantinedInput.objects.get()
    assert "DataError" in item.reason and item.payload_path.exists()
    assert Document.objects.count() == 0


def test_an_unreachable_database_is_not_quarantined_but_raised_for_a_resend():
    with mock.patch.object(Document.objects, "create", side_effect=OperationalError("could not connect")):
        with pytest.raises(OperationalError):
            intake.submit(text="Stable.", source="hl7v2", sender="LAB|GEN", message_id="1")
    assert QuarantinedInput.objects.count() == 0


def test_over_long_fields_are_cut_to_the_model_s_own_limits():
    outcome = intake.submit(text="Stable.", source="a-source-name-longer-than-sixteen", loinc_code="1" * 40,
                            content_type="text/" + "x" * 300, title="T" * 5000)

    document = Document.objects.get(pk=outcome.document.pk)
    assert len(document.source) == 16 and document.loinc_code == "" and len(document.content_type) == 100
    assert document.original_title == "T" * 5000


def test_no_message_id_means_no_deduplication():
    first = intake.submit(text="Stable.", source="fhir", sender="urn:ehr")
    second = intake.submit(text="Stable.", source="fhir", sender="urn:ehr")
    assert first.document.pk != second.document.pk and {first.status, second.status} == {intake.CREATED}


def test_the_same_account_resending_a_paste_creates_two_documents(clinician_client):
    ids = {clinician_client.post("/api/v1/documents", {"text": "Stable."}, format="json").json()["id"]
           for _ in range(2)}
    assert len(ids) == 2


def test_patient_context_round_trips_through_its_one_serialization():
    context = PatientContext.from_dict({"id": "MRN-1", "name": ["Ada Quill"], "telecom": ["555-010-2020", "ada@x.org"],
                                        "address": "1 Elm St, Springfield", "dob": "1950-07-04"})
    assert context.emails == ("ada@x.org",) and context.phones == ("555-010-2020",)
    assert PatientContext.from_dict(context.to_dict()) == context
    assert PatientContext.from_json(context.to_json()) == context
    outcome = intake.submit(text="Stable.", source="api", patient=context)
    assert Document.objects.get(pk=outcome.document.pk).patient_json == context.to_json()


def test_the_break_glass_reason_is_scrubbed_with_the_document_s_patient_context():
    """'Vandersloot' is no dictionary name: only the document's own patient context can find it."""
    user = get_user_model().objects.create_user("bg-user", password="x-Secret-123456")
    Profile.objects.create(user=user, role="clinician", unit="ward-a")
    context = PatientContext(patient_id="MRN-77", names=("Quenby Vandersloot",))
    document = intake.submit(text="Quenby Vandersloot seen.", source="api", patient=context, actor=user).document
    client = Client()
    client.force_login(user)

    client.post(f"/documents/{document.pk}/original", {"reason": "vandersloot family asked for the allergy list"})

    reason = AuditEvent.objects.get(action="break-glass").details["reason"]
    assert "allergy list" in reason and "vandersloot" not in reason.lower()
    assert services.deidentified_free_text(document, "") == ""


def test_a_quarantine_reason_never_quotes_the_file_name(clinician_client):
    post_file(clinician_client, "Quintero_Rosalind_MRN4711.png", b"\x89PNG")
    assert "Quintero" not in QuarantinedInput.objects.get().reason
    assert "Quintero" not in json.dumps(list(AuditEvent.objects.values_list("details", flat=True)))


def test_the_upload_form_s_patient_fields_become_the_note_s_context():
    user = get_user_model().objects.create_user("ui-user", password="x-Secret-123456")
    Profile.objects.create(user=user, role="clinician", unit="ward-a")
    client = Client()
    client.force_login(user)

    client.post("/documents/new", {"text": "Seen in Quillsbury.", "patient_mrn": "MRN-9", "patient_name": "Ada Quill",
                                   "patient_birth_date": "1950-07-04", "patient_address": "1 Elm St, Quillsbury",
                                   "patient_phone": ""})

    context = PatientContext.from_json(Document.objects.get().patient_json)
    assert (context.patient_id, context.names, context.birth_date) == ("MRN-9", ("Ada Quill",), "1950-07-04")
    assert context.addresses == ("1 Elm St, Quillsbury",) and context.phones == ()
