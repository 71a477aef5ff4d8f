"""The trail as CSV, and as FHIR R4 AuditEvent resources (IHE BALP style) one per line (NDJSON).

Exports hold what the trail holds: ids, roles, pseudonymous patient keys, never PHI.
"""
import csv
import io
import json

from clinical_ai.audit.models import AuditEvent

CSV_COLUMNS = ("id", "occurred_at", "clock_source", "actor_name", "role", "action", "outcome", "object_type",
               "object_id", "patient_key", "purpose", "source_ip", "user_agent", "request_id", "details",
               "prev_hash", "hash", "hmac")

# FHIR AuditEvent.action: C(reate), R(ead), U(pdate), D(elete), E(xecute).
FHIR_ACTIONS = {"create": "C", "read": "R", "export": "R", "break-glass": "R", "query": "E",
                "update": "U", "config-change": "U", "model-promote": "U", "delete": "D"}
FHIR_OUTCOMES = {"success": "0", "denied": "4", "failure": "8"}
PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
BALP_ENTITY_TYPE = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_lines(events):
    """CSV text in chunks, header first, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        writer.writerow([_csv_value(getattr(event, column)) for column in CSV_COLUMNS])
        yield _drain(buffer)
    yield _drain(buffer)


def ndjson_lines(events):
    for event in events.iterator(chunk_size=2000):
        yield json.dumps(fhir_audit_event(event), separators=(",", ":")) + "\n"


def fhir_audit_event(event: AuditEvent) -> dict:
    resource = {
        "resourceType": "AuditEvent",
        "id": str(event.id),
        "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"},
        "subtype": [{"system": "urn:clinical-ai:audit-action", "code": event.action}],
        "action": FHIR_ACTIONS.get(event.action, "E"),
        "recorded": event.occurred_at.isoformat(),
        "outcome": FHIR_OUTCOMES.get(event.outcome, "8"),
        "agent": [_agent(event)],
        "source": {"observer": {"display": "clinical-ai-appliance"},
                   "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4"}]},
        "entity": _entities(event),
    }
    if event.purpose:
        resource["purposeOfEvent"] = [{"coding": [{"system": PURPOSE_SYSTEM, "code": event.purpose}]}]
    return resource


def _agent(event: AuditEvent) -> dict:
    agent = {"who": {"identifier": {"value": event.actor_name}}, "requestor": True}
    if event.role:
        agent["role"] = [{"text": event.role}]
    if event.source_ip:
        agent["network"] = {"address": event.source_ip, "type": "2"}
    return agent


def _entities(event: AuditEvent) -> list[dict]:
    entities = []
    if event.patient_key:
        entities.append({"what": {"identifier": {"value": event.patient_key}},
                         "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1"},
                         "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1"}})
    if event.object_id:
        entities.append({"what": {"identifier": {"value": event.object_id}},
                         "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2"},
                         "description": event.object_type})
    if event.request_id:
        entities.append({"what": {"identifier": {"value": event.request_id}},
                         "type": {"system": BALP_ENTITY_TYPE, "code": "XrequestId"}})
    return entities


def _csv_value(value):
    if isinstance(value, dict):
        value = json.dumps(value, sort_keys=True)
    if value is None:
        return ""
    return neutralized(value) if isinstance(value, str) else value


def neutralized(cell: str) -> str:
    """A text cell a spreadsheet shows as text: a leading quote before anything it would run."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
