"""A FHIR bundle imported into the running appliance comes out de-identified, as JSON and as FHIR."""
import base64
import json
import uuid

import pytest
import requests

pytestmark = pytest.mark.integration

PATIENT = {
    "resourceType": "Patient", "id": "pat-int-1",
    "identifier": [{"system": "urn:mrn", "value": "MRN-5508213"}],
    "name": [{"family": "Vandermeer", "given": ["Philippa", "Josephine"]}],
    "birthDate": "1953-11-27",
    "telecom": [{"system": "phone", "value": "413-555-0187"}],
    "address": [{"line": ["77 Quarry Hill Road"], "city": "Shelburne Falls", "postalCode": "01370"}],
}
PRACTITIONER = {"resourceType": "Practitioner", "id": "prac-int-1",
                "name": [{"family": "Abernathy-Kwan", "given": ["Lucius"]}]}
NOTE = (
    "HISTORY AND PHYSICAL\n"
    "Philippa Josephine Vandermeer (MRN-5508213), born 1953-11-27, lives at 77 Quarry Hill Road, "
    "Shelburne Falls; phone 413-555-0187.\n"
    "Ms. Vandermeer presents with three days of productive cough and fever. Lungs with right basilar crackles. "
    "Chest film shows right lower lobe consolidation. Started on amoxicillin-clavulanate.\n"
    "Seen by Dr. Lucius Abernathy-Kwan."
)
SECRETS = ("Philippa", "Josephine", "Vandermeer", "Lucius", "Abernathy", "Kwan", "1953-11-27", "Quarry Hill",
           "Shelburne", "413-555-0187", "5508213", "pat-int-1")


def write_bundle(path):
    note = {"resourceType": "DocumentReference", "id": "doc-int-1", "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": "34117-2"}]},
            "subject": {"reference": "Patient/pat-int-1"}, "author": [{"reference": "Practitioner/prac-int-1"}],
            "content": [{"attachment": {"contentType": "text/plain",
                                        "data": base64.b64encode(NOTE.encode()).decode()}}]}
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in (PATIENT, PRACTITIONER, note)]}
    path.write_text(json.dumps(bundle))
    return path


def test_imported_fhir_note_leaves_deidentified_with_no_patient_or_clinician_value(stack, tmp_path):
    assert "accepted 1, rejected 0" in stack.manage("import_fhir", str(write_bundle(tmp_path / "bundle.json")))
    ((stored_id,),) = stack.query("SELECT id FROM documents_document WHERE source = 'fhir' ORDER BY created_at DESC LIMIT 1")
    document_id = str(uuid.UUID(stored_id))  # SQLite keeps UUIDs as 32 hex digits
    token = stack.token("integration-interop", "clinician")

    body = stack.wait_for(token, document_id, lambda b: b["status"] in ("done", "failed"))
    fhir = requests.get(f"{stack.url}/api/v1/documents/{document_id}/fhir",
                        headers={"Authorization": f"Token {token}"}, timeout=30).json()

    assert body["status"] == "done", body.get("error")
    attachments = [base64.b64decode(e["resource"]["content"][0]["attachment"]["data"]).decode()
                   for e in fhir["entry"] if "content" in e["resource"]]
    assert "consolidation" in attachments[0]
    for exposed in (body["deidentified_text"], body["summary"], json.dumps(fhir), *attachments):
        for secret in SECRETS:
            assert secret not in exposed, f"{secret!r} survived"
