"""Each role's screens as its users meet them, in headless Chromium."""
import json
import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from clinical_ai.accounts.models import Profile
from clinical_ai.audit.services import record
from clinical_ai.documents.encryption import pseudonym
from clinical_ai.documents.intake import refuse
from clinical_ai.documents.models import Document

PASSWORD = "correct horse battery staple"
TYPES = ("discharge summary", "progress note", "radiology report")


def person(username: str, role: str):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    Profile.objects.create(user=user, role=role, unit="ward-a")
    return user


def log_in(page, url: str, username: str, path: str = "/"):
    page.goto(f"{url}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def status_of(n: int) -> str:
    return Document.Status.QUEUED if n % 7 == 0 else Document.Status.FAILED if n % 11 == 0 else Document.Status.DONE


@pytest.fixture
def ward(server):
    """A clinician, 60 notes of their unit (one theirs, Jane Doe's), a colleague who read Jane's."""
    clinician, colleague = person("dr-grey", "clinician"), person("dr-yang", "clinician")
    jane = pseudonym("884412")
    for n in range(60):
        Document.objects.create(
            original_text=f"Note {n} about Jane Doe.", unit="ward-a", uploaded_by=clinician if n == 59 else colleague,
            patient_key=jane if n % 2 else pseudonym(f"p{n}"), title=f"{TYPES[n % 3].title()} [DATE]",
            patient_json=json.dumps({"patient_id": "884412", "names": ["Jane Doe"]}) if n % 2 else "",
            label=TYPES[n % 3], service_date=date(2024, 1 + n % 12, 1 + n % 28),
            status=status_of(n),
            stage=Document.Stage.FINISHED, deidentified_text=f"[NAME] seen for {'pneumonia' if n % 5 == 0 else 'a cough'}.",
            summary="Seen and treated.")
    record(action="break-glass", actor=colleague, object_type="document", patient_key=jane, purpose="BTG",
           details={"reason": "Emergency: confirming the allergy history", "flagged": True})
    record(action="read", actor=colleague, object_type="document", patient_key=jane, purpose="TREAT")
    return {"clinician": clinician, "newest": Document.objects.filter(uploaded_by=clinician).get(),
            "colleagues": Document.objects.filter(uploaded_by=colleague).first()}


@pytest.fixture
def officer(server):
    return person("officer", "compliance")


@pytest.fixture
def refused(server):
    person("ops", "admin")
    return refuse(payload=b"Refused note: Jane Doe, MRN 884412.", reason="Too large", source="upload").quarantined


@pytest.fixture
def service_account(server):
    return person("interface-engine", "service")


def test_a_clinician_finds_notes_reads_one_and_opens_their_own_original(server, ward, page, shot):
    log_in(page, server.url, "dr-grey")

    expect(page.locator("h1")).to_have_text("Documents")
    expect(page.locator("#document-rows tr")).to_have_count(50)
    expect(page.locator(".pager")).to_contain_text("Page 1 of 2 (60 documents)")
    shot("list")
    page.fill("#id_q", "pneumonia")
    page.select_option("#id_status", "done")
    page.click("#document-filters button[type=submit]")
    expect(page.locator("#document-rows tr").first).to_contain_text("done")
    for row in page.locator("#document-rows tr").all():
        expect(row).to_contain_text("done")
    page.click("th >> text=Date of service")
    expect(page).to_have_url(re.compile(r"sort=-service_date"))
    shot("filtered")

    page.goto(f"{server.url}/documents/{ward['newest'].pk}")
    expect(page.locator("#document-heading")).to_contain_text("Radiology Report [DATE]")
    expect(page.locator("#document-heading")).to_contain_text("Date of service 2024-")
    shot("document")
    page.click("#break-glass-link")
    expect(page.locator("#original-access")).to_contain_text("You submitted this note")
    expect(page.locator("#original-text")).to_contain_text("Note 59")
    shot("own-original")

    page.click("text=New note")
    expect(page.locator("#patient-context")).to_contain_text("MRN")
    shot("upload")


def test_break_glass_for_a_colleagues_note_is_asked_once_and_survives_a_reload(server, ward, page, shot):
    other = ward["colleagues"]
    log_in(page, server.url, "dr-grey")
    page.wait_for_url(f"{server.url}/")

    page.goto(f"{server.url}/documents/{other.pk}/original")
    expect(page.locator("#break-glass")).to_be_visible()
    shot("break-glass-form")
    page.fill("#id_reason", "Emergency: confirming the allergy history for treatment")
    page.click("#break-glass button[type=submit]")
    expect(page.locator("#original-text")).to_contain_text("Jane Doe")
    page.reload()  # a GET: no "resubmit the form?" and no second break-glass
    expect(page.locator("#original-access")).to_contain_text("Break-glass access")
    shot("original-after-reload")


def test_the_live_list_stops_cleanly_when_the_session_ends(server, ward, page, shot, settings):
    settings.SESSION_COOKIE_AGE = 4
    log_in(page, server.url, "dr-grey")
    page.wait_for_url(f"{server.url}/")

    expect(page.locator("#session-ended")).to_be_visible(timeout=15_000)
    expect(page.locator("#document-live form")).to_have_count(0)
    expect(page.locator("#document-rows tr")).to_have_count(50)
    shot("session-ended")


def test_a_compliance_officer_asks_who_looked_at_jane_doe_and_why(server, ward, officer, page, shot):
    log_in(page, server.url, "officer")
    page.wait_for_url(f"{server.url}/audit/")

    page.click("text=Patient report")
    page.fill("#mrn_or_name", "Jane Doe")
    page.click("#patient-search button[type=submit]")
    expect(page.locator("#patient-key")).to_be_visible()
    expect(page).not_to_have_url(re.compile("Jane|Doe"))
    expect(page.locator("tr.event").first).to_be_visible()
    expect(page.locator("table.audit-events")).to_contain_text("dr-yang")
    expect(page.locator("table.audit-events")).to_contain_text("Emergency: confirming the allergy history")
    shot("patient-report")
    with page.expect_download() as download:
        page.click("#export-csv")
    assert "dr-yang" in download.value.path().read_text()

    page.click("text=Flags")
    page.click("a.flag-event >> nth=0")
    expect(page.locator("tr.event")).to_have_count(1)
    shot("flag-event")


def test_an_admin_lands_on_the_admin_site_views_the_site_and_works_the_quarantine(server, refused, page, shot):
    item = refused
    log_in(page, server.url, "ops")
    page.wait_for_url(f"{server.url}/admin/")
    shot("admin-index")

    page.click("text=View site")
    expect(page.locator("h1")).not_to_have_text("Not allowed")
    shot("view-site")

    page.goto(f"{server.url}/admin/documents/quarantinedinput/{item.pk}/change/")
    page.click("#view-payload")
    expect(page.locator("#payload-text")).to_contain_text("Refused note")
    shot("quarantine-payload")
    page.go_back()
    page.fill("#decision-reason", "Released after the size limit was raised")
    page.click("#release")
    expect(page.locator(".messagelist")).to_contain_text("Released as document")
    shot("quarantine-released")


def test_a_service_account_cannot_log_into_the_web_ui(server, service_account, page, shot):
    log_in(page, server.url, "interface-engine", "/login")

    expect(page.locator("p.error")).to_contain_text("Service accounts use the API")
    shot("service-refused")
