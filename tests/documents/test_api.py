"""The documents API refuses bad input with a clear 4xx, keeps it for review, and half-writes nothing."""
import io

import docx
import pytest
from django.db import connection
from rest_framework.test import APIClient

from clinical_ai.accounts.services import issue_token
from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents.models import Document, QuarantinedInput
from tests.samples import minimal_pdf

pytestmark = pytest.mark.django_db


def post_file(client, name: str, data: bytes):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/api/v1/documents", {"file": upload}, format="multipart")


def assert_refused_and_kept(response, status_code: int, reason_fragment: str):
    assert response.status_code == status_code, response.content
    assert reason_fragment in response.json()["error"]
    assert Document.objects.count() == 0
    item = QuarantinedInput.objects.get()
    assert item.payload_path.exists()
    assert reason_fragment in item.reason


def test_json_note_is_accepted_and_stored_encrypted(clinician_client):
    response = clinician_client.post("/api/v1/documents", {"text": "Seen by Dr Quill today.",
                                                          "patient": {"id": "P1", "name": "Ada Quill"}},
                                     format="json")

    assert response.status_code == 202
    document = Document.objects.get(pk=response.json()["id"])
    assert response.json() == {"id": str(document.id), "status": "queued"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT original_text, patient_json FROM documents_document")
        stored_text, stored_patient = cursor.fetchone()
    assert "Quill" not in stored_text and "Quill" not in stored_patient
    assert document.original_text == "Seen by Dr Quill today."
    assert document.patient_key and document.patient_key != "P1"
    assert AuditEvent.objects.filter(action="create", object_id=str(document.id)).exists()


def test_docx_upload_is_read(clinician_client):
    word = docx.Document()
    word.add_paragraph("Chest pain resolved after nitroglycerin.")
    buffer = io.BytesIO()
    word.save(buffer)

    response = post_file(clinician_client, "note.docx", buffer.getvalue())

    assert response.status_code == 202
    assert Document.objects.get().original_text.strip() == "Chest pain resolved after nitroglycerin."


def test_pdf_upload_is_read(clinician_client):
    response = post_file(clinician_client, "note.pdf", minimal_pdf("Follow up in two weeks"))

    assert response.status_code == 202
    assert "Follow up in two weeks" in Document.objects.get().original_text


def test_empty_text_is_refused(clinician_client):
    response = clinician_client.post("/api/v1/documents", {"text": "   \n"}, format="json")
    assert_refused_and_kept(response, 400, "empty")


def test_twenty_megabyte_upload_is_refused(clinician_client):
    response = post_file(clinician_client, "big.txt", b"a" * (20 * 1024 * 1024))
    assert_refused_and_kept(response, 413, "larger than the limit")


def test_binary_file_is_refused(clinician_client):
    response = post_file(clinician_client, "scan.txt", bytes(range(256)) * 4)
    assert_refused_and_kept(response, 415, "binary")


def test_non_utf8_text_is_refused(clinician_client):
    response = post_file(clinician_client, "note.txt", "Patient seen in café, señor Müller".encode("latin-1"))
    assert_refused_and_kept(response, 400, "not valid UTF-8")


def test_unknown_file_type_is_refused(clinician_client):
    response = post_file(clinician_client, "image.png", b"\x89PNG\r\n")
    assert_refused_and_kept(response, 415, "Unsupported file type")


def test_invalid_json_is_refused(clinician_client):
    response = clinician_client.post("/api/v1/documents", b"{not json", content_type="application/json")
    assert_refused_and_kept(response, 400, "not valid JSON")


def test_error_messages_quote_nothing_from_the_input(clinician_client):
    response = clinician_client.post("/api/v1/documents", {"text": "Ada Quill", "patient": "Ada Quill"}, format="json")

    assert response.status_code == 400
    assert "Quill" not in response.content.decode()
    assert "Quill" not in QuarantinedInput.objects.get().reason


def test_unknown_document_is_404(clinician_client):
    assert clinician_client.get("/api/v1/documents/6f1c1d4e-9a55-4f53-8d0f-4b1f6f1f0a11").status_code == 404
    assert clinician_client.get("/api/v1/documents/not-a-uuid").status_code == 404


def test_missing_or_wrong_token_is_401():
    client = APIClient()
    assert client.post("/api/v1/documents", {"text": "x"}, format="json").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/documents/6f1c1d4e-9a55-4f53-8d0f-4b1f6f1f0a11").status_code == 401
    assert Document.objects.count() == 0


def test_other_units_documents_are_invisible(clinician_client):
    created = clinician_client.post("/api/v1/documents", {"text": "Stable."}, format="json").json()
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Token {issue_token('dr-elsewhere', 'clinician', unit='icu')}")

    assert stranger.get(f"/api/v1/documents/{created['id']}").status_code == 404


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_roles_without_clinical_duties_cannot_submit_or_read(role):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token('someone-' + role, role)}")
    assert client.post("/api/v1/documents", {"text": "x"}, format="json").status_code == 403
    assert client.get("/api/v1/documents/6f1c1d4e-9a55-4f53-8d0f-4b1f6f1f0a11").status_code == 403


def test_openapi_schema_describes_the_documents_api(clinician_client):
    response = clinician_client.get("/api/v1/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/documents" in response.content.decode()


def test_quarantined_input_is_listed_for_admins_with_its_reason_only(clinician_client, admin_client):
    clinician_client.post("/api/v1/documents", {"text": "  "}, format="json")
    item = QuarantinedInput.objects.get()

    listing = admin_client.get("/admin/documents/quarantinedinput/").content.decode()
    detail = admin_client.get(f"/admin/documents/quarantinedinput/{item.pk}/change/")

    assert "The document is empty." in listing
    assert detail.status_code == 200
    assert admin_client.get(f"/admin/documents/quarantinedinput/{item.pk}/delete/").status_code == 403


def test_a_client_polling_for_its_result_is_one_read_in_the_trail(clinician_client):
    created = clinician_client.post("/api/v1/documents", {"text": "Seen by Dr Quill today."}, format="json")
    for _ in range(5):
        assert clinician_client.get(f"/api/v1/documents/{created.json()['id']}").status_code == 200

    reads = AuditEvent.objects.filter(action="read", object_type="document", object_id=created.json()["id"])
    assert reads.count() == 1
