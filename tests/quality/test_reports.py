"""Reports on AI output: two clicks from the document page, comments de-identified, identifier reports to
compliance with the document marked for review, and the incident workflow for model owners."""
import pytest

from clinical_ai.audit.models import AuditEvent
from clinical_ai.quality import reports
from clinical_ai.quality.models import Report, ReviewMark
from clinical_ai.quality.templatetags.quality import summary_sentences
from tests.quality.conftest import PATIENT, SUMMARY, client_for

pytestmark = pytest.mark.django_db


def post_report(client, document, **fields):
    return client.post(f"/quality/documents/{document.pk}/report", fields)


def test_the_document_page_offers_a_report_under_each_summary_sentence(people, document):
    page = client_for(people["clinician"]).get(f"/documents/{document.pk}").content.decode()
    assert page.count('value="summary-sentence"') == 3
    assert 'name="span_start" value="25"' in page  # "Troponin was normal." starts at 25
    assert "Report identifier left" in page and 'value="wrong-type"' in page


def test_a_summary_report_is_linked_to_span_and_version_with_its_comment_deidentified(people, document):
    start = SUMMARY.index("Troponin")
    response = post_report(client_for(people["clinician"]), document, target="summary-sentence",
                           category="wrong-fact", span_start=start, span_end=start + 20,
                           comment=f"{PATIENT['name']} (MRN {PATIENT['id']}) had a raised troponin")
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.span_start, report.span_end, report.model_version) == (start, start + 20,
                                                                          document.summarizer)
    assert "Okonkwo" not in report.comment and PATIENT["id"] not in report.comment
    assert "raised troponin" in report.comment
    event = AuditEvent.objects.get(action="ai-report")
    assert event.details["model"] == "summarize-model@1" and event.details["category"] == "wrong-fact"
    assert "Okonkwo" not in str(event.details) and "troponin" not in str(event.details)


def test_an_identifier_report_marks_the_document_and_reaches_compliance_only(people, document):
    clinician = client_for(people["clinician"])
    start = document.deidentified_text.index("Okonkwo")
    post_report(clinician, document, target="deidentified-text", category="identifier-left",
                span_start=start, span_end=start + 7)
    post_report(clinician, document, target="note-type", category="wrong-type", corrected_label="neurology")
    identifier = Report.objects.get(category="identifier-left")
    assert ReviewMark.objects.get().document_id == document.pk and identifier.model_version is None
    assert AuditEvent.objects.filter(action="flag", object_id=str(document.pk)).exists()

    compliance_page = client_for(people["compliance"]).get("/quality/incidents").content.decode()
    assert f'id="incident-{identifier.pk}"' in compliance_page and "marked for review" in compliance_page
    assert "should be neurology" not in compliance_page
    owner_page = client_for(people["admin"]).get("/quality/incidents").content.decode()
    assert "should be neurology" in owner_page and f'id="incident-{identifier.pk}"' in owner_page


def test_a_report_outside_its_text_or_with_a_foreign_category_is_not_filed(people, document):
    clinician = client_for(people["clinician"])
    post_report(clinician, document, target="summary-sentence", category="wrong-fact", span_start=0,
                span_end=len(SUMMARY) + 1)
    post_report(clinician, document, target="note-type", category="identifier-left")
    assert not Report.objects.exists() and not AuditEvent.objects.filter(action="ai-report").exists()


def test_incidents_move_open_triaged_resolved_with_a_note_and_are_audited(people, document):
    report = reports.file_report(document=document, target="note-type", category="wrong-type",
                                 reporter=people["clinician"])
    owner = client_for(people["admin"])
    owner.post(f"/quality/incidents/{report.pk}", {"status": "resolved"})  # no note: refused
    assert Report.objects.get().status == "open"
    owner.post(f"/quality/incidents/{report.pk}", {"status": "triaged"})
    owner.post(f"/quality/incidents/{report.pk}", {"status": "resolved",
                                                   "note": f"retrained; told {PATIENT['name']}'s team"})
    report.refresh_from_db()
    assert report.status == "resolved" and report.handled_by == people["admin"]
    assert "Okonkwo" not in report.resolution_note and "retrained" in report.resolution_note
    updates = AuditEvent.objects.filter(action="update", object_type="incident").values_list("details", flat=True)
    assert [details["status"] for details in updates] == ["triaged", "resolved"]
    # compliance cannot reach a report that is not about an identifier
    response = client_for(people["compliance"]).post(f"/quality/incidents/{report.pk}", {"status": "triaged"})
    assert response.status_code == 404


def test_incidents_filter_by_version_and_category_and_count_per_version_per_week(people, document, versions):
    for category in ("wrong-fact", "omission"):
        reports.file_report(document=document, target="summary-sentence", category=category, span=(0, 5),
                            reporter=people["clinician"])
    reports.file_report(document=document, target="note-type", category="wrong-type", reporter=people["clinician"])
    owner = client_for(people["admin"])
    by_version = owner.get("/quality/incidents", {"model": versions["classify"].pk}).context
    assert [incident.category for incident in by_version["incidents"]] == ["wrong-type"]
    by_category = owner.get("/quality/incidents", {"category": "omission"}).context
    assert [incident.category for incident in by_category["incidents"]] == ["omission"]
    weekly = owner.get("/quality/incidents").context["weekly"]
    assert sorted((row["model_version__name"], row["reports"]) for row in weekly) == [
        ("classify-model", 1), ("summarize-model", 2)]


def test_summary_sentences_do_not_end_at_a_title(document):
    document.summary = "Mr. [NAME] was seen on [DATE]. Dr. [NAME] started aspirin! Follow up in 2 weeks."
    starts = [sentence["start"] for sentence in summary_sentences(document)]
    assert [document.summary[start:start + 3] for start in starts] == ["Mr.", "Dr.", "Fol"]


def test_an_owner_can_narrow_the_incidents_to_the_versions_they_own(people, document, versions):
    versions["classify"].owner = people["admin"]
    versions["classify"].save()
    for target, category, span in (("note-type", "wrong-type", None), ("summary-sentence", "omission", (0, 5))):
        reports.file_report(document=document, target=target, category=category, span=span,
                            reporter=people["clinician"])
    owner = client_for(people["admin"])
    assert len(owner.get("/quality/incidents").context["incidents"]) == 2
    mine = owner.get("/quality/incidents", {"mine": "on"}).context["incidents"]
    assert [incident.category for incident in mine] == ["wrong-type"]
