"""The compliance officer's pages: filtered, sorted, paged trail; reports; flags; audited exports."""
import csv
import io
import json
from datetime import datetime, timedelta, timezone

from clinical_ai.audit import chain
from clinical_ai.audit.models import AuditEvent
from clinical_ai.audit.services import record
from tests.audit.conftest import patient_key


def shown_ids(response) -> list[int]:
    return [event.id for event in response.context["page"].object_list]


def test_the_trail_filters_by_patient_action_and_outcome(events, officer_client):
    record(action="read", outcome="denied", patient_key=patient_key(2), object_type="document")

    response = officer_client.get("/audit/", {"patient": patient_key(2), "action": "read", "outcome": "success"})

    assert response.status_code == 200
    assert shown_ids(response) == [events[2].id]
    search = AuditEvent.objects.filter(object_type="audit-trail").last()
    assert search.details == {"patient": patient_key(2), "action": "read", "outcome": "success"}


def test_the_trail_is_sorted_and_paged(events, officer_client):
    for n in range(60):
        record(action="query", object_type="document", component=f"worker-{n:02d}")

    first = officer_client.get("/audit/", {"sort": "actor_name", "action": "query"})
    second = officer_client.get("/audit/", {"sort": "actor_name", "action": "query", "page": 2})

    names = [e.actor_name for e in first.context["page"].object_list]
    assert names == sorted(names) and len(names) == 50
    assert second.context["page"].number == 2


def test_the_trail_is_bounded_in_time(events, officer_client, monkeypatch):
    at(monkeypatch, datetime(2020, 1, 15, 12, tzinfo=timezone.utc))
    old = record(action="read", object_type="document")
    monkeypatch.undo()

    response = officer_client.get("/audit/", {"since": "2020-01-15", "until": "2020-01-15"})

    assert shown_ids(response) == [old.id]


def test_the_patient_report_shows_who_looked_and_why(events, officer_client):
    response = officer_client.get("/audit/patient", {"patient": patient_key(3)})

    assert [e.id for e in response.context["page"].object_list] == [events[3].id]
    assert AuditEvent.objects.filter(object_type="audit-patient-report", patient_key=patient_key(3)).exists()


def test_the_user_report_counts_actions(events, officer_client):
    response = officer_client.get("/audit/user", {"user": "system"})

    assert response.context["counts"]["read"] == 5


def test_exports_are_complete_and_audited(events, officer_client):
    as_csv = officer_client.get("/audit/export.csv", {"action": "read"})
    as_fhir = officer_client.get("/audit/export.ndjson", {"action": "read"})

    rows = list(csv.DictReader(io.StringIO(b"".join(as_csv.streaming_content).decode())))
    resources = [json.loads(line) for line in b"".join(as_fhir.streaming_content).decode().splitlines()]
    assert len(rows) == 5 and rows[0]["hash"] and json.loads(rows[0]["details"])
    assert len(resources) == 5
    assert {r["resourceType"] for r in resources} == {"AuditEvent"}
    assert resources[0]["action"] == "R" and resources[0]["outcome"] == "0"
    assert {r["entity"][0]["what"]["identifier"]["value"] for r in resources} == {patient_key(n) for n in range(5)}
    exports = AuditEvent.objects.filter(action="export", object_type="audit-trail")
    assert sorted(e.details["format"] for e in exports) == ["csv", "ndjson"]
    assert all(e.details["events"] == 5 for e in exports)


def test_flags_show_break_glass_after_hours_bulk_and_failed_login_bursts(db, officer_client, monkeypatch, settings):
    record(action="break-glass", object_type="document", patient_key="pk-1", purpose="BTG", component="dr-night")
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    at(monkeypatch, yesterday.replace(hour=3, minute=15))  # after hours
    for n in range(settings.AUDIT_BULK_PATIENTS):
        record(action="read", object_type="document", patient_key=f"pk-{n}", component="dr-night")
    monkeypatch.undo()
    for _ in range(settings.AUDIT_FAILED_LOGIN_BURST):
        record(action="login-failed", outcome="failure", object_type="user", component="web")

    response = officer_client.get("/audit/flags")

    flagged = {(flag.kind, flag.who) for flag in response.context["flags"]}
    assert flagged == {("break-glass", "dr-night"), ("after-hours bulk access", "dr-night"),
                       ("failed-login burst", "unknown")}


def test_verify_now_shows_the_chain_status(events, officer_client):
    response = officer_client.post("/audit/verify", follow=True)

    assert b"verified" in response.content
    assert response.context["verification"].outcome == "success"


def at(monkeypatch, moment: datetime) -> None:
    """Make the chain stamp events at ``moment``."""
    monkeypatch.setattr(chain.timezone, "now", lambda: moment)
