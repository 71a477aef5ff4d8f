"""A worker SIGKILLed in the middle of a document: after a restart the document completes, once."""
import time

import pytest
import requests

pytestmark = pytest.mark.integration

LONG_NOTE = "Progress note. The patient reports improved breathing and tolerates a regular diet. " * 60


def test_document_completes_once_after_its_worker_is_killed_mid_inference(stack):
    token = stack.token("crash-clinician", "clinician")
    response = requests.post(f"{stack.url}/api/v1/documents", json={"text": LONG_NOTE},
                             headers={"Authorization": f"Token {token}"}, timeout=30)
    document_id = response.json()["id"]

    # De-identified and now being summarized: the inference worker holds the message.
    stack.wait_for(token, document_id, lambda b: b["status"] == "processing" and b["deidentified_text"], timeout=300)
    time.sleep(1)
    stack.kill("inference")
    stack.start_worker("inference")

    body = stack.wait_for(token, document_id, lambda b: b["status"] in ("done", "failed"), timeout=300)

    assert body["status"] == "done", body
    assert body["summary"]
    hex_id = document_id.replace("-", "")
    attempts = stack.query("SELECT attempts FROM documents_document WHERE id = ?", hex_id)[0][0]
    assert attempts >= 3  # one de-identification, the killed inference and the one that finished
    finished = stack.query("SELECT COUNT(*) FROM audit_auditevent WHERE action = 'infer' AND object_id = ?", document_id)
    assert finished == [(1,)]
