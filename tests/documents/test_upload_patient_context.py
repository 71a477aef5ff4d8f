"""The upload form carries the patient: the engine gets their identifiers, and the note is found
under their key by the compliance officer's patient report."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from clinical_ai.accounts.models import Profile
from clinical_ai.audit.patients import patient_keys
from clinical_ai.documents.encryption import pseudonym
from clinical_ai.documents.models import Document


@pytest.fixture(autouse=True)
def quarantine_in_tmp(settings, tmp_path):
    settings.QUARANTINE_DIR = tmp_path / "quarantine"


@pytest.fixture
def client(db):
    user = get_user_model().objects.create_user("dr-upload")
    Profile.objects.create(user=user, role="clinician", unit="ward-a")
    client = Client()
    client.force_login(user)
    return client


def test_a_note_uploaded_with_its_patient_is_keyed_to_them(client):
    response = client.post("/documents/new", {"text": "Tobias Wrenfield seen for pneumonia.", "patient_mrn": "7734120",
                                              "patient_name": "Tobias Wrenfield", "patient_birth_date": "1958-03-14"})

    document = Document.objects.get()
    assert response.status_code == 302
    assert document.patient_key == pseudonym("7734120")
    assert document.patient == {**document.patient, "patient_id": "7734120", "names": ["Tobias Wrenfield"],
                                "birth_date": "1958-03-14"}
    assert patient_keys("Tobias Wrenfield") == patient_keys("7734120") == [document.patient_key]


def test_a_name_without_an_mrn_is_a_form_error(client):
    response = client.post("/documents/new", {"text": "A note.", "patient_name": "Tobias Wrenfield"})

    assert response.status_code == 200 and not Document.objects.exists()
    assert "MRN" in response.content.decode()


def test_a_note_without_a_patient_is_still_accepted(client):
    client.post("/documents/new", {"text": "A note without a patient."})

    assert Document.objects.get().patient_key == ""


def test_a_pasted_note_is_kept_with_the_line_breaks_the_page_shows(client):
    """A browser posts a textarea with CRLF; the page (and every offset counted on it) has LF."""
    client.post("/documents/new", {"text": "Seen today.\r\nPlan: rest.\r\n"})

    assert Document.objects.get().original_text == "Seen today.\nPlan: rest.\n"
