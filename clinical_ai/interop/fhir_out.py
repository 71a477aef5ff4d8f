"""A processed document as FHIR R4: what leaves the appliance.

Safety: only de-identified text, the pseudonymous ``patient_key`` and PHI-free model facts
are written; the original text, patient context and source identifiers never are. AI
output (summary, classification) is tagged AIAST as in the HL7 AI Transparency on FHIR
guide, and a Provenance names the model versions (as Devices) that produced it.
"""
from __future__ import annotations

import base64

from clinical_ai.documents.models import Document

AI_ASSERTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "AIAST",
               "display": "Artificial Intelligence asserted"}
DEIDENTIFIED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "PSEUDED",
                "display": "pseudonymized"}
PATIENT_PSEUDONYM_SYSTEM = "urn:clinical-ai:patient-pseudonym"
MODEL_SHA256_SYSTEM = "urn:clinical-ai:model-sha256"
_LOINC = "http://loinc.org"
_SUMMARY_TYPE = {"system": _LOINC, "code": "34133-9", "display": "Summary of episode note"}


def document_bundle(document: Document) -> dict:
    """A collection Bundle: note, AI summary, AI classification, model Devices, Provenance."""
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{document.id}-{r['resourceType']}-{r['id']}", "resource": r}
                      for r in document_resources(document)]}


def document_resources(document: Document) -> list[dict]:
    note = _deidentified_note(document)
    ai_outputs = [r for r in (_summary(document), _classification(document)) if r]
    devices = [_device(model) for model in (document.summarizer, document.classifier) if model]
    provenance = [_provenance(document, ai_outputs, devices)] if ai_outputs else []
    return [note, *ai_outputs, *devices, *provenance]


def _deidentified_note(document: Document) -> dict:
    resource = {
        "resourceType": "DocumentReference", "id": str(document.id),
        "meta": {"security": [DEIDENTIFIED]},
        "status": "current",
        "date": document.created_at.isoformat(),
        "content": [_text_attachment(document.deidentified_text, document.title)],
    }
    if document.loinc_code:
        resource["type"] = {"coding": [{"system": _LOINC, "code": document.loinc_code}]}
    return {**resource, **_subject(document)}


def _summary(document: Document) -> dict | None:
    if not document.summary:
        return None
    return {
        "resourceType": "DocumentReference", "id": f"{document.id}-summary",
        "meta": {"security": [AI_ASSERTED, DEIDENTIFIED]},
        "status": "current", "type": {"coding": [_SUMMARY_TYPE]},
        "description": "AI-generated summary",
        "relatesTo": [{"code": "transforms", "target": {"reference": f"DocumentReference/{document.id}"}}],
        "content": [_text_attachment(document.summary, "AI-generated summary")],
        **_subject(document),
    }


def _classification(document: Document) -> dict | None:
    if not document.label:
        return None
    resource = {
        "resourceType": "Observation", "id": f"{document.id}-classification",
        "meta": {"security": [AI_ASSERTED]},
        "status": "final",
        "code": {"text": "Clinical note type (AI classification)"},
        "valueCodeableConcept": {"text": document.label},
        "derivedFrom": [{"reference": f"DocumentReference/{document.id}"}],
        **_subject(document),
    }
    if document.label_score is not None:
        resource["component"] = [{"code": {"text": "classifier score"},
                                  "valueQuantity": {"value": round(float(document.label_score), 4)}}]
    return resource


def _device(model) -> dict:
    return {
        "resourceType": "Device", "id": f"model-{model.pk}",
        "identifier": [{"system": MODEL_SHA256_SYSTEM, "value": model.sha256}],
        "deviceName": [{"name": model.ref, "type": "model-name"}],
        "version": [{"value": model.version}],
    }


def _provenance(document: Document, targets: list[dict], devices: list[dict]) -> dict:
    return {
        "resourceType": "Provenance", "id": f"{document.id}-provenance",
        "target": [{"reference": f"{t['resourceType']}/{t['id']}"} for t in targets],
        "recorded": document.updated_at.isoformat(),
        "agent": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                                        "code": "performer"}]},
                   "who": {"reference": f"Device/{d['id']}", "display": d["deviceName"][0]["name"]}}
                  for d in devices] or [{"who": {"display": "clinical-ai appliance"}}],
        "entity": [{"role": "source", "what": {"reference": f"DocumentReference/{document.id}"}}],
    }


def _subject(document: Document) -> dict:
    """The pseudonym as a logical reference, or nothing when the note had no patient."""
    if not document.patient_key:
        return {}
    return {"subject": {"identifier": {"system": PATIENT_PSEUDONYM_SYSTEM, "value": document.patient_key}}}


def _text_attachment(text: str, title: str) -> dict:
    attachment = {"contentType": "text/plain; charset=utf-8", "data": base64.b64encode(text.encode("utf-8")).decode()}
    return {"attachment": {**attachment, **({"title": title} if title else {})}}
