"""The note's author, as its source names it (HL7 TXA-9, TXA-22, OBR-32, OBR-16; FHIR author, authenticator,
resultsInterpreter), kept apart from the account that sent it. A clinician's name is outside data: kept
encrypted as sent, written de-identified by the deid step, shown as sent only with the original text."""
import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from clinical_ai.accounts.models import Profile
from clinical_ai.documents import services
from clinical_ai.documents.models import Document
from clinical_ai.interop import fhir_r4, hl7v2
from clinical_ai.interop.ingest import ingest
from tests.interop.interop_samples import MDM_T02, ORU_TWO_REPORTS, PATIENT, PRACTITIONER, b64, bundle, document_reference

pytestmark = pytest.mark.django_db
TXA_AUTHORED = "TXA|1|DS|TX|20240102|||||1234^Oyelaran^Temitope^^^Dr|||DOC-9|||||AU\r"  # TXA-9


def hl7_authors(message: str) -> list[str]:
    return [note.author for note in hl7v2.parse_message(message.encode()).notes]


def fhir_authors(*resources: dict) -> list[str]:
    return [item.author for item in fhir_r4.parse_json(json.dumps(bundle(PATIENT, *resources)).encode())]


def test_an_mdm_note_is_authored_by_its_originator_txa_9_else_its_authenticator_txa_22():
    originator = MDM_T02.replace("TXA|1|DS|TX|20240102||||||||DOC-9|||||AU\r", TXA_AUTHORED)
    authenticated = MDM_T02.replace("TXA|1|DS|TX|20240102||||||||DOC-9|||||AU\r",
                                    "TXA|1|DS|TX|20240102||||||||DOC-9|||||AU|||||77^Nakamura^Ines\r")  # TXA-22

    assert hl7_authors(originator) == ["Temitope Oyelaran"]
    assert hl7_authors(authenticated) == ["Ines Nakamura"]
    assert hl7_authors(MDM_T02) == [""]  # PV1's attending is not the note's author


def test_each_oru_report_is_authored_by_its_principal_interpreter_obr_32_else_its_ordering_provider_obr_16():
    message = (ORU_TWO_REPORTS
               .replace("OBR|1||ACC1|18748-4^Diagnostic imaging study^LN",
                        "OBR|1||ACC1|18748-4^Diagnostic imaging study^LN" + "|" * 28 + "55&Abernathy&Colm")
               .replace("OBR|3||ACC3|11526-1^Pathology study^LN",
                        "OBR|3||ACC3|11526-1^Pathology study^LN" + "|" * 12 + "66^Varga^Edit"))

    assert hl7_authors(message) == ["Colm Abernathy", "Edit Varga"]


def test_a_fhir_note_is_authored_by_its_author_then_its_authenticator():
    attachment = {"contentType": "text/plain", "data": b64(b"Stable.")}
    referenced = document_reference("doc-1", attachment)  # author: Practitioner/prac-1
    displayed = {**document_reference("doc-2", attachment), "author": [{"display": "Dr. Ines Nakamura"}]}
    authenticated = {**document_reference("doc-3", attachment), "author": [],
                     "authenticator": {"reference": "Practitioner/prac-1"}}
    report = {"resourceType": "DiagnosticReport", "id": "rep-1", "status": "final", "code": {"text": "CT"},
              "subject": {"reference": "Patient/pat-1"}, "resultsInterpreter": [{"display": "Colm Abernathy"}],
              "presentedForm": [attachment]}

    assert fhir_authors(PRACTITIONER, referenced, displayed, authenticated, report) == [
        "Temitope Oyelaran", "Dr. Ines Nakamura", "Temitope Oyelaran", "Colm Abernathy"]


def test_the_author_is_kept_encrypted_and_written_de_identified_apart_from_the_sending_account():
    message = MDM_T02.replace("TXA|1|DS|TX|20240102||||||||DOC-9|||||AU\r", TXA_AUTHORED)
    [outcome] = ingest(hl7v2.file_items(message.encode()), source="hl7v2")

    services.deidentify_step(outcome.document.pk)

    document = Document.objects.get()
    assert document.original_author == "Temitope Oyelaran" and document.uploaded_by is None
    assert "Oyelaran" not in document.author and document.author  # a placeholder, never the name
    with connection.cursor() as cursor:
        cursor.execute("SELECT original_author, author FROM documents_document")
        assert "Oyelaran" not in str(cursor.fetchone())


@pytest.fixture
def clinician(db):
    user = get_user_model().objects.create_user("dr-author")
    Profile.objects.create(user=user, role="clinician", unit="default")
    client = Client()
    client.force_login(user)
    return user, client


def test_the_list_and_page_show_the_de_identified_author_and_the_sender_the_original_shows_the_name(clinician):
    user, client = clinician
    note = {**document_reference("doc-1", {"contentType": "text/plain", "data": b64(b"Stable.")}),
            "author": [{"display": "Ines Nakamura"}]}
    [outcome] = ingest(fhir_r4.parse_json(json.dumps(bundle(PATIENT, note)).encode()), source="fhir", actor=user)
    services.deidentify_step(outcome.document.pk)
    document = Document.objects.get()

    rows = client.get("/", {"fragment": "rows"}, HTTP_X_LIVE_REFRESH="1").content.decode()
    detail = client.get(f"/documents/{document.pk}").content.decode()
    api = client.get(f"/api/v1/documents/{document.pk}").json()
    original = client.get(f"/documents/{document.pk}/original").content.decode()  # its sender, just now

    assert "Nakamura" not in rows and "Nakamura" not in detail and "Nakamura" not in json.dumps(api)
    assert f'<td class="author">{document.author}<br><small>sent by dr-author</small>' in rows
    assert 'id="document-author"' in detail and api["author"] == document.author
    assert 'id="original-author">Author Ines Nakamura' in original
