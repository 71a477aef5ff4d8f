"""The date of service, from every way in: HL7 TXA-4 / OBR-7, FHIR context.period.start / date /
effective, the API and the upload form. The date as sent is PHI: it is kept encrypted, and only its
month is stored in the clear, shown in the list and used to sort and filter it."""
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from clinical_ai.accounts.models import Profile
from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.interop import fhir_r4, hl7v2
from clinical_ai.interop.ingest import ingest
from tests.interop.interop_samples import MDM_T02, ORU_TWO_REPORTS, PATIENT, b64, bundle, document_reference

pytestmark = pytest.mark.django_db


def stored(document: Document) -> tuple[date | None, str]:
    document.refresh_from_db()
    return document.service_date, document.original_service_date


def hl7_documents(message: str) -> list[Document]:
    return [o.document for o in ingest(hl7v2.file_items(message.encode()), source="hl7v2")]


def test_an_mdm_document_is_dated_by_txa_4_kept_encrypted_with_its_month_in_the_clear():
    [document] = hl7_documents(MDM_T02.replace("TXA|1|DS|TX|20240102|", "TXA|1|DS|TX|202403041230|"))

    assert stored(document) == (date(2024, 3, 1), "2024-03-04")
    with connection.cursor() as cursor:
        cursor.execute("SELECT original_service_date FROM documents_document")
        assert "2024-03-04" not in str(cursor.fetchone()[0])


def test_each_oru_report_is_dated_by_its_own_obr_7():
    message = ORU_TWO_REPORTS.replace("OBR|1||ACC1|18748-4^Diagnostic imaging study^LN",
                                      "OBR|1||ACC1|18748-4^Diagnostic imaging study^LN|||20240105")
    imaging, pathology = hl7_documents(message)

    assert stored(imaging) == (date(2024, 1, 1), "2024-01-05")
    assert stored(pathology) == (None, "")  # no OBR-7: the message's own time (MSH-7) is not a date of service


@pytest.mark.parametrize(("fields", "expected"), [
    ({"date": "2024-06-30T10:00:00Z", "context": {"period": {"start": "2024-05-17T08:00:00+02:00"}}}, "2024-05-17"),
    ({"date": "2024-06-30T10:00:00Z"}, "2024-06-30"),
    ({}, ""),
])
def test_a_fhir_document_reference_is_dated_by_its_period_of_service_then_its_date(fields, expected):
    note = {**document_reference("doc-1", {"contentType": "text/plain", "data": b64(b"Stable.")}), **fields}
    [outcome] = ingest(fhir_r4.parse_json(json.dumps(bundle(PATIENT, note)).encode()), source="fhir")

    assert stored(outcome.document)[1] == expected


def test_a_fhir_diagnostic_report_is_dated_by_its_effective_time():
    report = {"resourceType": "DiagnosticReport", "id": "dr-1", "status": "final", "code": {"text": "Report"},
              "subject": {"reference": "Patient/pat-1"}, "effectiveDateTime": "2023-11-02",
              "presentedForm": [{"contentType": "text/plain", "data": b64(b"Benign.")}]}
    [outcome] = ingest(fhir_r4.parse_json(json.dumps(bundle(PATIENT, report)).encode()), source="fhir")

    assert stored(outcome.document) == (date(2023, 11, 1), "2023-11-02")


def test_the_api_takes_an_optional_service_date_and_refuses_a_wrong_one(clinician_client):
    dated = clinician_client.post("/api/v1/documents", {"text": "Seen today.", "service_date": "2024-02-29"},
                                  format="json")
    wrong = clinician_client.post("/api/v1/documents", {"text": "Seen today.", "service_date": "29/02/2024"},
                                  format="json")

    assert stored(Document.objects.get(pk=dated.json()["id"])) == (date(2024, 2, 1), "2024-02-29")
    assert wrong.status_code == 400 and "'service_date'" in wrong.json()["error"]
    assert "29/02" not in wrong.json()["error"] and "29/02" not in QuarantinedInput.objects.get().reason


@pytest.fixture
def clinician(db):
    user = get_user_model().objects.create_user("dr-dated")
    Profile.objects.create(user=user, role="clinician", unit="ward-a")
    client = Client()
    client.force_login(user)
    return client


def test_the_upload_form_takes_a_date_of_service_and_the_list_shows_only_its_month(clinician):
    clinician.post("/documents/new", {"text": "Seen today.", "service_date": "2024-07-09"})

    rows = clinician.get("/", {"fragment": "rows"}, HTTP_X_LIVE_REFRESH="1").content.decode()

    assert stored(Document.objects.get()) == (date(2024, 7, 1), "2024-07-09")
    assert "2024-07" in rows and "2024-07-09" not in rows


def test_the_date_filter_takes_a_month_of_service_that_overlaps_the_range(clinician):
    clinician.post("/documents/new", {"text": "Seen today.", "service_date": "2024-07-20"})

    def listed(**query):
        return len(clinician.get("/", {"fragment": "rows", **query}, HTTP_X_LIVE_REFRESH="1").context["page"])

    assert listed(since="2024-07-25") == 1 and listed(until="2024-07-02") == 1  # the day itself is not kept
    assert listed(since="2024-08-01") == 0 and listed(until="2024-06-30") == 0


def test_the_upload_page_asks_for_the_date_of_service(clinician):
    assert 'name="service_date"' in clinician.get("/documents/new").content.decode()


def test_the_full_date_of_service_is_shown_with_the_original_text_only(clinician):
    clinician.post("/documents/new", {"text": "Seen today.", "service_date": "2024-07-09"})
    document = Document.objects.get()

    detail = clinician.get(f"/documents/{document.pk}").content.decode()
    original = clinician.get(f"/documents/{document.pk}/original").content.decode()  # its author, just now

    assert "Date of service 2024-07" in detail and "2024-07-09" not in detail
    assert 'id="original-service-date">Date of service 2024-07-09' in original
