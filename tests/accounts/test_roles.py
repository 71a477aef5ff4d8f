"""What each role may see: clinicians the de-identified view and break-glass, nobody else any content."""
import pytest
from django.test import Client

from clinical_ai.accounts.services import issue_token
from clinical_ai.audit.models import AuditEvent


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clinician_sees_the_original_only_after_typing_a_reason(users, ward_document):
    client = logged_in(users["clinician"])
    url = f"/documents/{ward_document.pk}/original"

    form = client.get(url)
    too_short = client.post(url, {"reason": "need it"})
    shown = client.post(url, {"reason": "Emergency: confirming the allergy history for treatment"}, follow=True)

    assert "Ada Quill" not in form.content.decode() and "Ada Quill" not in too_short.content.decode()
    assert "Ada Quill" in shown.content.decode()
    event = AuditEvent.objects.get(action="break-glass")
    assert event.details["flagged"] is True and "allergy history" in event.details["reason"]
    assert event.patient_key == "pk-ada" and event.purpose == "BTG" and event.actor == users["clinician"]


def test_the_break_glass_reason_enters_the_trail_without_names(users, ward_document):
    logged_in(users["clinician"]).post(f"/documents/{ward_document.pk}/original",
                                       {"reason": "Dr Gregory House asked me to check Ada Quill's chart"})

    reason = AuditEvent.objects.get(action="break-glass").details["reason"]
    assert "Quill" not in reason and "House" not in reason


def test_a_clinician_of_another_unit_gets_no_document(users, ward_document):
    users["clinician"].profile.unit = "ward-b"
    users["clinician"].profile.save()

    response = logged_in(users["clinician"]).get(f"/documents/{ward_document.pk}")

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["compliance", "admin", "service"])
def test_other_roles_are_refused_document_content_and_the_refusal_is_audited(role, users, ward_document):
    response = logged_in(users[role]).get(f"/documents/{ward_document.pk}")

    assert response.status_code == 403
    denied = AuditEvent.objects.get(outcome="denied")
    assert denied.actor == users[role] and denied.object_id == "documents:detail"


def test_a_service_token_may_import_but_not_read(db, ward_document):
    token = issue_token("interface-engine", "service")
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    client = Client()

    imported = client.post("/api/v1/documents", {"text": "Stable, discharge tomorrow."},
                           content_type="application/json", **headers)
    read = client.get(f"/api/v1/documents/{ward_document.pk}", **headers)
    schema = client.get("/api/v1/schema", **headers)

    assert imported.status_code == 202
    assert read.status_code == 403 and schema.status_code == 403


def test_the_admin_role_opens_the_admin_site_and_its_changes_are_audited(users):
    client = logged_in(users["admin"])
    clinician = users["clinician"]

    response = client.post(f"/admin/accounts/profile/{clinician.profile.pk}/change/",
                           {"user": clinician.pk, "role": "compliance", "unit": "ward-a"})

    assert response.status_code == 302
    change = AuditEvent.objects.get(action="config-change", details__via="admin")
    assert change.actor == users["admin"] and change.object_type == "profile"
    assert change.object_id == str(clinician.profile.pk)
    clinician.refresh_from_db()
    assert clinician.profile.role == "compliance" and not clinician.is_staff


def test_each_role_lands_on_its_own_page(users):
    landing = {role: logged_in(users[role]).get("/home")["Location"] for role in ("clinician", "compliance", "admin")}

    assert landing == {"clinician": "/", "compliance": "/audit/", "admin": "/admin/"}
