"""The compliance officer's questions, one screen each: who looked at patient X (found by MRN or
name, never kept as typed) between dates and why; what did user Y do; flags linked to events."""
import csv
import io
import json
import logging
from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from clinical_ai.accounts.models import Profile
from clinical_ai.audit import chain
from clinical_ai.audit.models import AuditEvent
from clinical_ai.audit.services import record
from clinical_ai.documents.encryption import pseudonym
from clinical_ai.documents.models import Document

MRN, NAME = "MRN-884412", "Jane Doe"


@pytest.fixture
def janes_note(db):
    return Document.objects.create(original_text="Jane Doe, chest pain.", unit="ward-a",
                                   patient_key=pseudonym("884412"),
                                   patient_json=json.dumps({"patient_id": "884412", "names": [NAME],
                                                            "identifiers": [MRN]}))


@pytest.fixture
def other_patients(db):
    """Notes of patients without a stored context, which a name search skips."""
    return Document.objects.create(original_text="x", unit="ward-a", patient_key=pseudonym("1"))


@pytest.fixture
def clinician(db):
    user = get_user_model().objects.create_user("dr-reader")
    Profile.objects.create(user=user, role="clinician", unit="ward-a")
    return user


def everything_stored() -> str:
    return " ".join(json.dumps({f.name: str(getattr(e, f.name)) for f in AuditEvent._meta.fields})
                    for e in AuditEvent.objects.all())


@pytest.mark.parametrize("typed", ["884412", MRN, "jane  doe", NAME])
def test_the_patient_is_found_by_mrn_or_name_and_the_typed_value_is_never_kept(
        janes_note, other_patients, officer_client, clinician, typed, caplog):
    reader = Client()
    reader.force_login(clinician)
    reader.get(f"/documents/{janes_note.pk}")

    with caplog.at_level(logging.DEBUG):
        found = officer_client.post("/audit/patient", {"mrn_or_name": typed})
        report = officer_client.get(found["Location"])

    assert found.status_code == 302 and found["Location"] == f"/audit/patient?patient={janes_note.patient_key}"
    readers = [e.actor_name for e in report.context["page"].object_list if e.action == "read"]
    assert readers == ["dr-reader"]
    assert typed not in everything_stored() and typed.lower() not in everything_stored().lower()
    assert typed not in caplog.text and typed not in report.content.decode()


def test_an_unknown_patient_finds_nothing_and_says_so(janes_note, officer_client):
    response = officer_client.post("/audit/patient", {"mrn_or_name": "Nobody Atall"})

    assert response.status_code == 200 and 'id="no-patient"' in response.content.decode()
    assert "Nobody" not in everything_stored()


def test_the_patient_report_has_a_date_range_working_sorts_paging_and_an_export(janes_note, officer_client,
                                                                               monkeypatch):
    key = janes_note.patient_key
    monkeypatch.setattr(chain.timezone, "now", lambda: datetime(2024, 1, 10, 12, tzinfo=timezone.utc))
    old = record(action="read", object_type="document", patient_key=key, component="dr-old")
    monkeypatch.undo()
    for n in range(60):
        record(action="read", object_type="document", patient_key=key, component=f"dr-{n:02d}")

    in_january = officer_client.get("/audit/patient", {"patient": key, "since": "2024-01-01", "until": "2024-01-31"})
    by_name = officer_client.get("/audit/patient", {"patient": key, "sort": "actor_name"})
    second_page = officer_client.get("/audit/patient", {"patient": key, "page": 2})
    exported = officer_client.get("/audit/export.csv", {"patient": key})

    assert [e.id for e in in_january.context["page"].object_list] == [old.id]
    names = [e.actor_name for e in by_name.context["page"].object_list]
    assert names == sorted(names) and len(names) == 50
    # The officer's own looks at this patient are in the report too.
    assert second_page.context["page"].number == 2
    assert len(second_page.context["page"].object_list) == second_page.context["page"].paginator.count - 50 > 10
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert len([row for row in rows if row["action"] == "read"]) == 61 and {row["patient_key"] for row in rows} == {key}


def test_a_typed_mrn_is_not_accepted_as_a_patient_key(events, officer_client):
    response = officer_client.get("/audit/", {"patient": "884412"})

    assert response.status_code == 400 and list(response.context["page"].object_list) == []
    assert not AuditEvent.objects.filter(patient_key="884412").exists()


def test_the_break_glass_reason_and_purpose_are_shown(events, officer_client):
    record(action="break-glass", object_type="document", patient_key=events[1].patient_key, purpose="BTG",
           details={"reason": "Emergency: allergy history for [NAME]", "flagged": True}, component="dr-night")

    page = officer_client.get("/audit/patient", {"patient": events[1].patient_key}).content.decode()

    assert "BTG" in page and "Emergency: allergy history for [NAME]" in page


def test_what_did_user_y_do_between_dates_with_an_export(events, officer_client):
    record(action="break-glass", object_type="document", component="dr-night")

    report = officer_client.get("/audit/user", {"user": "dr-night", "since": "2000-01-01"})
    exported = officer_client.get("/audit/export.csv", {"user": "dr-night"})

    assert report.context["counts"] == {"break-glass": 1}
    assert [e.actor_name for e in report.context["page"].object_list] == ["dr-night"]
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [row["action"] for row in rows] == ["break-glass"]


def test_flags_link_to_their_events(db, officer_client):
    flagged = record(action="break-glass", object_type="document", purpose="BTG", component="dr-night")

    page = officer_client.get("/audit/flags").content.decode()
    linked = officer_client.get("/audit/", {"event": flagged.id})

    assert f'href="/audit/?event={flagged.id}"' in page
    assert [e.id for e in linked.context["page"].object_list] == [flagged.id]


def test_a_document_page_reloaded_or_polled_is_one_read(janes_note, clinician):
    reader = Client()
    reader.force_login(clinician)

    for _ in range(5):
        assert reader.get(f"/documents/{janes_note.pk}").status_code == 200

    assert AuditEvent.objects.filter(action="read", object_id=str(janes_note.pk)).count() == 1
