"""Upload -> Redis/Celery -> de-identify -> summarize and classify -> read back, all real processes."""
import json

import pytest
import requests

pytestmark = pytest.mark.integration

PATIENT = {"id": "MRN-778812", "name": "Margaret Okonkwo-Hale", "birth_date": "1948-03-14"}
NOTE = (
    "DISCHARGE SUMMARY\n"
    "Patient: Margaret Okonkwo-Hale, MRN-778812, DOB 03/14/1948.\n"
    "Mrs. Okonkwo-Hale was admitted on 02/02/2024 with community-acquired pneumonia. She was treated with "
    "ceftriaxone and azithromycin, improved, and was discharged home on oral amoxicillin. "
    "Follow up with her primary care physician in one week. Call 617-555-0142 with questions."
)
NOTE_TYPES = json.loads(open("clinical_ai/nlp/data/note_types.json").read())


def is_finished(body):
    return body["status"] in ("done", "failed")


def submit(stack, token, **kwargs):
    response = requests.post(f"{stack.url}/api/v1/documents", headers={"Authorization": f"Token {token}"},
                             timeout=30, **kwargs)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    return response.json()["id"]


def test_uploaded_note_comes_back_deidentified_summarized_and_classified(stack):
    token = stack.token("integration-clinician", "clinician")
    document_id = submit(stack, token, json={"text": NOTE, "patient": PATIENT})

    body = stack.wait_for(token, document_id, is_finished)

    assert body["status"] == "done", body
    for value in ("Margaret", "Okonkwo", "Hale", "778812", "03/14/1948", "617-555-0142"):
        assert value not in body["deidentified_text"]
        assert value not in body["summary"]
    assert "pneumonia" in body["deidentified_text"]
    assert body["phi_counts"].get("NAME", 0) >= 2
    assert body["summary"].strip()
    assert body["summary_kind"] in ("abstractive", "extractive") and body["summary_sentences"]
    for sentence in body["summary_sentences"]:  # each shown sentence is supported, with its evidence, or marked
        assert sentence["evidence"] or not sentence["supported"]
        for span in sentence["evidence"]:
            assert 0 <= span["start"] < span["end"] <= len(body["deidentified_text"])
    assert body["classification"]["label"] in NOTE_TYPES and body["classification"]["label_source"] == "model"
    assert 0 < body["classification"]["score"] <= 1
    assert body["models"] == {"deid_tagger": "phi-tagger-spacy@3", "summarizer": "smollm2-135m-mtsamples-lora@2",
                              "classifier": "note-type-minilm-head@4"}


def test_bearer_token_and_file_upload_go_through_the_same_pipeline(stack):
    token = stack.token("integration-uploader", "clinician")
    files = {"file": ("note.txt", NOTE.encode())}
    data = {"patient": json.dumps(PATIENT)}
    response = requests.post(f"{stack.url}/api/v1/documents", headers={"Authorization": f"Bearer {token}"},
                             files=files, data=data, timeout=30)
    assert response.status_code == 202, response.text

    body = stack.wait_for(token, response.json()["id"], is_finished)

    assert body["status"] == "done"
    assert "Okonkwo" not in body["deidentified_text"]


def test_health_reports_every_part_up(stack):
    assert requests.get(f"{stack.url}/healthz", timeout=10).json() == {"status": "ok"}  # strangers: status only
    report = stack.web_session("integration-ops", "admin").get(f"{stack.url}/healthz", timeout=10).json()

    assert report["status"] == "ok"
    assert report["database"]["ok"] and report["redis"]["ok"]
    assert report["workers"]["queues"]["deid"] and report["workers"]["queues"]["inference"]
    assert report["models"]["active"]["summarize"]["model"] == "smollm2-135m-mtsamples-lora@2"


def test_no_phi_reaches_worker_logs_or_task_arguments(stack):
    token = stack.token("integration-logs", "clinician")
    document_id = submit(stack, token, json={"text": NOTE, "patient": PATIENT})
    stack.wait_for(token, document_id, is_finished)

    logs = stack.logs()
    assert document_id in logs  # tasks are visible in the logs, by id
    for value in ("Okonkwo", "Margaret", "778812", "pneumonia"):
        assert value not in logs
