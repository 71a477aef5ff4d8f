import json

import pytest
from interop_samples import PATIENT, PRACTITIONER, RELATED, b64, bundle, document_reference, minimal_pdf

from clinical_ai.interop.fhir_r4 import parse_json, parse_ndjson_folder
from clinical_ai.interop.results import InboundNote, Rejection


def notes_and_rejections(items):
    return [i for i in items if isinstance(i, InboundNote)], [i for i in items if isinstance(i, Rejection)]


@pytest.mark.parametrize("kind", ["collection", "transaction", "batch", "searchset"])
def test_bundle_document_reference_becomes_a_note_with_its_patient_context(kind):
    doc = document_reference("doc-1", {"contentType": "text/plain", "data": b64(b"Rosalind is doing well.")})
    data = json.dumps(bundle(PATIENT, PRACTITIONER, RELATED, doc, kind=kind)).encode()
    (note,) = parse_json(data)
    assert (note.text, note.message_id, note.loinc_code) == (
        "Rosalind is doing well.", "DocumentReference/doc-1", "34117-2")
    assert note.patient.names == ("Rosalind Quintero",)
    assert note.patient.birth_date == "1961-09-15"
    assert note.patient.relatives == ("Bartholomew Quintero",)
    assert note.patient.clinicians[0] == "Temitope Oyelaran"
    assert "42 Larkspur Lane, Fairhaven, 02719" in note.patient.addresses


def test_attachment_url_to_a_binary_html_and_pdf_are_read():
    binary = {"resourceType": "Binary", "id": "bin-1", "contentType": "text/html",
              "data": b64(b"<html><body><p>Seen today.</p><script>x()</script></body></html>")}
    html_doc = document_reference("doc-2", {"contentType": "text/html", "url": "Binary/bin-1"})
    pdf_report = {"resourceType": "DiagnosticReport", "id": "rep-1", "status": "final", "code": {"text": "Path"},
                  "subject": {"reference": "Patient/pat-1"},
                  "presentedForm": [{"contentType": "application/pdf", "data": b64(minimal_pdf("Benign tissue"))}]}
    composition = {"resourceType": "Composition", "id": "comp-1", "status": "final", "type": {"text": "Note"},
                   "date": "2024-01-02", "title": "Visit", "author": [{"reference": "Practitioner/prac-1"}],
                   "subject": {"reference": "Patient/pat-1"},
                   "section": [{"title": "Plan", "text": {"status": "generated",
                                                          "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">Rest.</div>"}}]}
    items = parse_json(json.dumps(bundle(PATIENT, PRACTITIONER, binary, html_doc, pdf_report, composition)).encode())
    notes, rejections = notes_and_rejections(items)
    assert rejections == []
    assert [n.text for n in notes] == ["Seen today.", "Benign tissue", "Plan\nRest."]


def test_single_resource_without_patient_in_input_has_no_context():
    doc = document_reference("doc-3", {"contentType": "text/plain", "data": b64(b"Hello")})
    (note,) = parse_json(json.dumps(doc).encode())
    assert note.patient is None


def test_bulk_ndjson_folder_links_notes_to_patients_across_files(tmp_path):
    (tmp_path / "Patient.000.ndjson").write_text(json.dumps(PATIENT) + "\n")
    docs = [document_reference(f"doc-{n}", {"contentType": "text/plain; charset=utf-8", "data": b64(b"Note")})
            for n in range(3)]
    (tmp_path / "DocumentReference.000.ndjson").write_text("\n".join(map(json.dumps, docs)) + "\n{broken\n")
    notes, rejections = notes_and_rejections(parse_ndjson_folder(tmp_path))
    assert len(notes) == 3 and all(n.patient.patient_id == "pat-1" for n in notes)
    assert [r.reason for r in rejections] == [
        "DocumentReference.000.ndjson line 4 is not valid JSON (line 1, column 2)"]


@pytest.mark.parametrize("payload, reason", [
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe\x00binary", "is not UTF-8"),
    (b"[1, 2]", "not a FHIR resource"),
    (json.dumps({"resourceType": "Quintero"}).encode(), "not a FHIR R4 resource type"),
    (json.dumps(document_reference("bad-1", {"contentType": "text/plain", "data": "@@not base64@@"})).encode(),
     "at content.0.attachment.data"),
    (json.dumps(document_reference("bad-2", {"contentType": "application/msword", "data": b64(b"x")})).encode(),
     "content type is not"),
    (json.dumps(document_reference("bad-3", {"contentType": "text/plain", "url": "Binary/missing"})).encode(),
     "names no Binary"),
    (json.dumps({**document_reference("bad-4", {}), "status": 12}).encode(), "is not valid FHIR R4 at"),
])
def test_bad_fhir_input_is_rejected_with_a_phi_free_reason(payload, reason):
    (rejection,) = parse_json(payload, "body")
    assert isinstance(rejection, Rejection)
    assert reason in rejection.reason
    assert "Quintero" not in rejection.reason and "Rosalind" not in rejection.reason


def test_one_bad_resource_does_not_stop_the_rest_of_the_bundle():
    good = document_reference("doc-ok", {"contentType": "text/plain", "data": b64(b"Fine")})
    bad = document_reference("doc-bad", {"contentType": "text/plain", "data": "***"})
    notes, rejections = notes_and_rejections(parse_json(json.dumps(bundle(PATIENT, bad, good)).encode()))
    assert [n.message_id for n in notes] == ["DocumentReference/doc-ok"]
    assert [r.reason for r in rejections] == ["input entry 2 (DocumentReference): attachment data is not valid base64"]
