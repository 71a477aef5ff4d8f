"""A finished document shows its summary sentence by sentence, each with its evidence in the note."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from clinical_ai.accounts.models import Profile
from clinical_ai.documents.models import Document

pytestmark = pytest.mark.django_db

NOTE = "[NAME] seen for a sprained ankle. An x-ray showed no fracture."
SENTENCES = [
    {"text": "Sprained ankle, no fracture on x-ray.", "supported": True,
     "evidence": [{"start": 0, "end": 33}, {"start": 34, "end": 62}]},
    {"text": "Started on 40 mg of prednisone.", "supported": False, "evidence": []},
]


@pytest.fixture
def finished(clinician_client):
    unit = get_user_model().objects.get(username="dr-test").profile.unit
    return Document.objects.create(
        original_text="Ada Quill seen for a sprained ankle.", unit=unit, deidentified_text=NOTE,
        status=Document.Status.DONE, summary=SENTENCES[0]["text"], summary_kind="abstractive",
        summary_sentences=SENTENCES, label="emergency_department_note", label_score=1.0, label_source="coded")


def test_the_api_returns_each_summary_sentence_with_support_and_evidence_offsets(clinician_client, finished):
    body = clinician_client.get(f"/api/v1/documents/{finished.pk}").json()
    assert body["summary_sentences"] == SENTENCES and body["summary_kind"] == "abstractive"
    assert body["summary"] == "Sprained ankle, no fracture on x-ray."  # the unsupported sentence is not the summary
    assert body["classification"] == {"label": "emergency_department_note", "score": 1.0, "label_source": "coded"}


def _page(document) -> str:
    """The document's page as a clinician of its unit sees it."""
    user = get_user_model().objects.create_user("dr-page", password="x-long-password-1")
    Profile.objects.create(user=user, role="clinician", unit=document.unit)
    client = Client()
    client.force_login(user)
    return client.get(f"/documents/{document.pk}").content.decode()


def test_the_page_marks_unsupported_sentences_and_carries_evidence_for_the_highlight_script(finished):
    page = _page(finished)
    assert 'data-evidence="0-33 34-62"' in page
    assert 'class="summary-sentence unsupported"' in page and "not supported by the note" in page
    assert "documents/evidence.js" in page and "coded type" in page
    # stored without model versions (as by a release that did not record them): no empty names
    assert "were not recorded" in page and "<code></code>" not in page


def test_a_note_with_no_sentence_to_summarize_says_so_instead_of_an_empty_summary(finished):
    finished.summary, finished.summary_kind, finished.summary_sentences = "", "extractive", []
    finished.save()
    assert "No summary: the note holds no complete sentence to summarize." in _page(finished)


def test_a_note_that_starts_with_a_line_break_keeps_it_on_the_page(finished):
    """HTML drops one line break right after <pre>; without a second one, every evidence offset into an
    imported note that starts with a line break (as Synthea's do) would highlight one character late."""
    finished.deidentified_text = "\n" + NOTE
    finished.save()
    assert '<pre id="deidentified-text">\n\n[NAME] seen for a sprained ankle.' in _page(finished)
