"""Quarantine an admin can work: view and download (audited), release for reprocessing or discard
with a reason (post-redirect-get), and a retention sweep with a size cap that keeps the rows."""
import pytest
from django.test import Client

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents import quarantine as review
from clinical_ai.documents.intake import refuse
from clinical_ai.documents.models import Document, QuarantinedInput


def admin_client(users) -> Client:
    client = Client()
    client.force_login(users["admin"])
    return client


def url(item, action=""):
    return f"/admin/documents/quarantinedinput/{item.pk}/{action}"


@pytest.fixture
def refused(users):
    return refuse(payload="Ada Quill: allergic to penicillin.".encode(), reason="Too large", source="upload",
                  actor=users["clinician"]).quarantined


def test_an_admin_views_and_downloads_a_payload_and_each_look_is_audited(users, refused):
    client = admin_client(users)

    change = client.get(url(refused, "change/")).content.decode()
    shown = client.get(url(refused, "payload/")).content.decode()
    downloaded = client.get(url(refused, "download/"))

    assert 'id="view-payload"' in change and 'id="release"' in change and 'id="discard"' in change
    assert "allergic to penicillin" in shown
    assert downloaded.content == b"Ada Quill: allergic to penicillin." and "attachment" in downloaded["Content-Disposition"]
    looks = AuditEvent.objects.filter(action="read", object_type="quarantine", object_id=str(refused.pk))
    assert sorted(e.details["purpose"] for e in looks) == ["download", "view"]
    assert all(e.actor == users["admin"] for e in looks)


def test_release_reprocesses_the_payload_as_a_new_document(users, refused):
    response = admin_client(users).post(url(refused, "decide/"), {"decision": "release",
                                                                  "reason": "Limit raised; run it again"})

    assert response.status_code == 302 and response["Location"] == url(refused, "change/")
    refused.refresh_from_db()
    assert refused.decision == "released" and refused.decided_by == users["admin"]
    document = Document.objects.get()
    assert document.original_text == "Ada Quill: allergic to penicillin."
    # The clinician's note, in the clinician's unit: the administrator only released it.
    assert document.uploaded_by == users["clinician"] and document.unit == users["clinician"].profile.unit
    decision = AuditEvent.objects.get(action="update", object_type="quarantine")
    assert decision.details["document_ids"] == [str(document.pk)]


def test_a_release_refused_again_stays_pending_with_the_new_reason(users):
    binary = refuse(payload=b"\x00\x01\x02 not a note", reason="Binary", source="upload", actor=users["clinician"]).quarantined

    admin_client(users).post(url(binary, "decide/"), {"decision": "release", "reason": "Try it once more please"})

    binary.refresh_from_db()
    assert binary.decision == "pending" and binary.reason.startswith("Released again and refused")
    assert not Document.objects.exists()


def test_discard_needs_a_reason_removes_the_payload_and_keeps_the_row_without_names(users, refused):
    client = admin_client(users)

    client.post(url(refused, "decide/"), {"decision": "discard", "reason": "short"})
    refused.refresh_from_db()
    still_pending = refused.decision
    client.post(url(refused, "decide/"), {"decision": "discard", "reason": "Duplicate of Ada Quill's resent note"})

    refused.refresh_from_db()
    assert still_pending == "pending" and refused.decision == "discarded"
    assert not refused.payload_path.exists() and QuarantinedInput.objects.filter(pk=refused.pk).exists()
    assert "Quill" not in refused.decision_reason
    assert "Quill" not in str(AuditEvent.objects.get(action="update", object_type="quarantine").details)


def test_the_sweep_removes_payloads_past_retention_and_over_the_cap(users, settings):
    items = [refuse(payload=bytes([65]) * 1000, reason="r", source="api").quarantined for _ in range(3)]
    old = items[0]
    QuarantinedInput.objects.filter(pk=old.pk).update(received_at=old.received_at.replace(year=2020))
    settings.QUARANTINE_RETENTION_DAYS, settings.QUARANTINE_MAX_BYTES = 30, 1500

    counts = review.sweep()

    assert counts == {"expired": 1, "over_cap": 1}
    assert [item.payload_path.exists() for item in items] == [False, False, True]
    assert QuarantinedInput.objects.count() == 3
