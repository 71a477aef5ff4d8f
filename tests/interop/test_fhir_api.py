"""POST /api/v1/fhir (a Bundle in, a batch-response out) and GET /api/v1/documents/{id}/fhir."""
import base64
import json

import pytest
from interop_samples import PATIENT, PRACTITIONER, b64, bundle, document_reference

from clinical_ai.documents import services
from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.interop import fhir_r4
from clinical_ai.interop.ingest import ingest
from clinical_ai.nlp.models import ModelVersion

pytestmark = pytest.mark.django_db

FHIR_URL = "/api/v1/fhir"
NOTE = (b"Rosalind Quintero (MRN4711), born 1961-09-15, of 42 Larkspur Lane, Fairhaven, phone 508-555-0142, "
        b"seen by Dr Oyelaran for chest pain.")
SOURCE_PHI = ("Rosalind", "Quintero", "MRN4711", "1961-09-15", "Larkspur", "Fairhaven", "555-0142", "Oyelaran",
              "pat-1", "doc-1")


def post_bundle(client, body: bytes):
    return client.post(FHIR_URL, data=body, content_type="application/fhir+json")


def note_bundle(*doc_ids: str) -> bytes:
    notes = [document_reference(d, {"contentType": "text/plain", "data": b64(NOTE)}) for d in doc_ids]
    return json.dumps(bundle(PATIENT, PRACTITIONER, *notes, kind="batch")).encode()


@pytest.mark.parametrize("role", ["clinician", "service"])
def test_post_bundle_returns_a_batch_response_with_an_entry_per_note(api_client, role):
    response = post_bundle(api_client(role), note_bundle("doc-1", "doc-2"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    assert (body["resourceType"], body["type"]) == ("Bundle", "batch-response")
    statuses = [e["response"]["status"] for e in body["entry"]]
    assert statuses == ["201 Created", "201 Created"]
    locations = {e["response"]["location"] for e in body["entry"]}
    assert locations == {f"DocumentReference/{d.id}" for d in Document.objects.all()}


def test_resending_the_bundle_answers_200_and_stores_nothing_new(api_client):
    client = api_client("service")
    post_bundle(client, note_bundle("doc-1"))

    body = post_bundle(client, note_bundle("doc-1")).json()

    assert [e["response"]["status"] for e in body["entry"]] == ["200 OK"]
    assert Document.objects.count() == 1


def test_a_bad_note_gets_an_operation_outcome_entry_and_the_rest_are_stored(api_client):
    bad = document_reference("bad-1", {"contentType": "text/plain", "data": "@@not base64@@"})
    good = document_reference("doc-1", {"contentType": "text/plain", "data": b64(NOTE)})
    body = post_bundle(api_client("clinician"), json.dumps(bundle(PATIENT, bad, good)).encode()).json()

    entries = {e["response"]["status"]: e["response"] for e in body["entry"]}
    assert set(entries) == {"400 Bad Request", "201 Created"}
    outcome = entries["400 Bad Request"]["outcome"]
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["severity"] == "error"
    assert Document.objects.count() == 1 and QuarantinedInput.objects.count() == 1


@pytest.mark.parametrize("body, diagnostic", [
    (b"{not json", "not valid JSON"),
    (json.dumps({"resourceType": "Quintero"}).encode(), "not a FHIR R4 resource type"),
])
def test_an_unreadable_body_is_a_400_operation_outcome_and_quarantined(api_client, body, diagnostic):
    response = post_bundle(api_client("service"), body)

    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert diagnostic in outcome["issue"][0]["diagnostics"]
    assert "Quintero" not in json.dumps(outcome)
    assert QuarantinedInput.objects.get().reason == outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_other_roles_may_not_post(api_client, role):
    assert post_bundle(api_client(role), note_bundle("doc-1")).status_code == 403
    assert Document.objects.count() == 0


def model_version(name: str, task: str) -> ModelVersion:
    return ModelVersion.objects.create(name=name, version="3", task=task, path=name, sha256=task[0] * 64)


@pytest.fixture
def finished_document():
    """A FHIR note taken through the real parser and de-identification step, then given AI results directly."""
    (outcome,) = ingest(fhir_r4.parse_json(note_bundle("doc-1")), source="fhir")
    document = outcome.document
    services.deidentify_step(document.pk)
    Document.objects.filter(pk=document.pk).update(
        summary="[NAME] was seen for chest pain.", label="History and physical", label_score=0.87,
        status=Document.Status.DONE, stage=Document.Stage.FINISHED,
        summarizer=model_version("summarizer-test", "summarize"),
        classifier=model_version("classifier-test", "classify"))
    return Document.objects.get(pk=document.pk)


def get_document_bundle(api_client, document) -> dict:
    response = api_client("clinician").get(f"/api/v1/documents/{document.id}/fhir")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    return response.json()


def resources_of(bundle_body: dict) -> dict[str, dict]:
    return {r["id"]: r for r in (e["resource"] for e in bundle_body["entry"])}


def attachment_text(resource: dict) -> str:
    return base64.b64decode(resource["content"][0]["attachment"]["data"]).decode()


def is_ai_asserted(resource: dict) -> bool:
    return any(s["code"] == "AIAST" for s in resource["meta"]["security"])


def test_document_bundle_carries_note_summary_classification_and_provenance(api_client, finished_document):
    body = get_document_bundle(api_client, finished_document)
    doc_id = str(finished_document.id)
    resources = resources_of(body)

    note = resources[doc_id]
    assert note["type"]["coding"][0]["code"] == "34117-2"
    assert attachment_text(note) == finished_document.deidentified_text
    assert not is_ai_asserted(note)
    summary = resources[f"{doc_id}-summary"]
    assert is_ai_asserted(summary) and attachment_text(summary) == "[NAME] was seen for chest pain."
    observation = resources[f"{doc_id}-classification"]
    assert is_ai_asserted(observation)
    assert observation["valueCodeableConcept"]["text"] == "History and physical"
    provenance = resources[f"{doc_id}-provenance"]
    assert {a["who"]["display"] for a in provenance["agent"]} == {"summarizer-test@3", "classifier-test@3"}
    assert {t["reference"] for t in provenance["target"]} == {f"DocumentReference/{doc_id}-summary",
                                                             f"Observation/{doc_id}-classification"}


def test_document_bundle_holds_pseudonyms_only_never_source_values(api_client, finished_document):
    text = json.dumps(get_document_bundle(api_client, finished_document))
    decoded = " ".join(attachment_text(r) for r in resources_of(json.loads(text)).values() if "content" in r)

    assert finished_document.patient_key in text
    for value in SOURCE_PHI:
        assert value not in text and value not in decoded, value
    assert "chest pain" in decoded


def test_unknown_or_other_units_document_is_404(api_client, finished_document):
    Document.objects.filter(pk=finished_document.pk).update(unit="other-ward")
    response = api_client("clinician").get(f"/api/v1/documents/{finished_document.id}/fhir")
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_service_accounts_may_not_read_documents(api_client, finished_document):
    assert api_client("service").get(f"/api/v1/documents/{finished_document.id}/fhir").status_code == 403
