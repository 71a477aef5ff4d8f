"""FHIR fields around the note are PHI too, and no note is taken for another one (issue 11)."""
import json

import pytest
from interop_samples import PATIENT, PRACTITIONER, b64, bundle, document_reference

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents import services
from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.interop import fhir_r4
from clinical_ai.interop.fhir_out import document_bundle
from clinical_ai.interop.ingest import CREATED, ingest

pytestmark = pytest.mark.django_db


def note(rid: str | None, text: bytes = b"Seen for cough.", **fields) -> dict:
    resource = {**document_reference(rid or "x", {"contentType": "text/plain", "data": b64(text)}), **fields}
    if rid is None:
        del resource["id"]
    return resource


def transaction_bundle(*notes: dict, source: str = "") -> bytes:
    body = bundle(PATIENT, PRACTITIONER, kind="transaction")
    body["entry"] += [{"fullUrl": f"urn:uuid:note-{n}", "resource": r} for n, r in enumerate(notes)]
    if source:
        body["meta"] = {"source": source}
    return json.dumps(body).encode()


def test_two_notes_without_id_are_two_documents(api_client):
    response = api_client("service").post("/api/v1/fhir", data=transaction_bundle(note(None, b"First."),
                                                                                note(None, b"Second.")),
                                          content_type="application/fhir+json")

    assert [e["response"]["status"] for e in response.json()["entry"]] == ["201 Created", "201 Created"]
    assert sorted(d.original_text for d in Document.objects.all()) == ["First.", "Second."]


def test_the_same_id_from_two_senders_is_two_documents_and_a_resend_is_one():
    first = ingest(fhir_r4.parse_json(transaction_bundle(note("doc-1"), source="urn:ehr-a")), source="fhir")
    other = ingest(fhir_r4.parse_json(transaction_bundle(note("doc-1"), source="urn:ehr-b")), source="fhir")
    again = ingest(fhir_r4.parse_json(transaction_bundle(note("doc-1"), source="urn:ehr-a")), source="fhir")

    assert [o.status for o in (*first, *other)] == [CREATED, CREATED]
    assert again[0].document.pk == first[0].document.pk and Document.objects.count() == 2


def test_the_sender_s_id_is_stored_only_as_a_keyed_digest():
    ingest(fhir_r4.parse_json(transaction_bundle(note("MRN4711-note"))), source="fhir")

    (source_ref,) = Document.objects.values_list("source_ref", flat=True)
    assert "MRN4711" not in source_ref and len(source_ref) == 32


def test_rejection_reasons_name_positions_never_resource_ids():
    bad = note("MRN4711-bad", **{"status": 12})
    broken = {**note("MRN4711-broken"), "content": [{"attachment": {"contentType": "text/plain", "data": "***"}}]}
    outcomes = ingest(fhir_r4.parse_json(transaction_bundle(bad, broken), "request body"), source="fhir")

    reasons = [o.reason for o in outcomes]
    assert reasons == ["request body entry 3 (DocumentReference) is not valid FHIR R4 at status",
                       "request body entry 4 (DocumentReference): attachment data is not valid base64"]
    trail = json.dumps(list(AuditEvent.objects.values_list("details", flat=True)))
    stored = " ".join(QuarantinedInput.objects.values_list("reason", flat=True))
    assert "MRN4711" not in trail + stored


def test_description_and_attachment_title_are_stored_encrypted_and_exported_de_identified():
    described = note("doc-1", description="Discharge summary for Rosalind Quintero MRN4711")
    titled = note("doc-2")
    titled["content"][0]["attachment"]["title"] = "Quintero_Rosalind_H&P.pdf"
    outcomes = ingest(fhir_r4.parse_json(transaction_bundle(described, titled)), source="fhir")

    for outcome in outcomes:
        document = Document.objects.get(pk=outcome.document.pk)
        assert document.title == "" and "Quintero" in document.original_title
        services.deidentify_step(document.pk)
        document.refresh_from_db()
        exported = json.dumps(document_bundle(document))
        attachment_titles = [e["resource"]["content"][0]["attachment"].get("title", "")
                             for e in document_bundle(document)["entry"] if "content" in e["resource"]]
        for value in ("Rosalind", "Quintero", "MRN4711"):
            assert value not in document.title and value not in exported and value not in " ".join(attachment_titles)
    assert Document.objects.get(pk=outcomes[0].document.pk).title.startswith("Discharge summary for")


def test_patient_emails_are_emails_and_phones_phones():
    patient = {**PATIENT, "telecom": [{"system": "phone", "value": "508-555-0142"},
                                      {"system": "email", "value": "rosalind@example.org"}]}
    body = json.dumps(bundle(patient, note("doc-1"))).encode()
    (parsed,) = fhir_r4.parse_json(body)

    assert parsed.patient.emails == ("rosalind@example.org",)
    assert parsed.patient.phones == ("508-555-0142",)
    assert "rosalind@example.org" not in parsed.patient.identifiers

