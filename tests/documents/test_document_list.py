"""The clinician's list: paged on the server, searched over de-identified text only, filtered,
sorted, honest about waiting vs processing, and a background refresh that neither keeps an idle
session alive nor shows a login form in the table."""
import time
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from clinical_ai.accounts.models import Profile
from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents.models import Document

LIVE = {"HTTP_X_LIVE_REFRESH": "1"}


@pytest.fixture
def clinician(db):
    user = get_user_model().objects.create_user("dr-list", password="correct horse battery staple")
    Profile.objects.create(user=user, role="clinician", unit="ward-a")
    return user


@pytest.fixture
def client(clinician):
    client = Client()
    client.force_login(clinician)
    return client


def note(**fields) -> Document:
    fields = {"original_text": "Ada Quill, chest pain.", "unit": "ward-a", "status": Document.Status.DONE,
              "stage": Document.Stage.FINISHED, "deidentified_text": "[NAME], chest pain.", **fields}
    return Document.objects.create(**fields)


def shown(response) -> list[Document]:
    return list(response.context["page"].object_list)


def test_the_list_is_paged_on_the_server(client):
    made = [note(title=f"note {n:03d}") for n in range(120)]

    first, third = client.get("/"), client.get("/", {"page": 3})

    assert len(shown(first)) == 50 and len(shown(third)) == 20
    assert {d.pk for d in shown(first)}.isdisjoint({d.pk for d in shown(third)})
    assert first.context["page"].paginator.count == len(made)


def test_search_covers_deidentified_text_summary_and_title_never_the_original(client):
    in_text = note(deidentified_text="[NAME] has pneumonia.")
    in_summary = note(summary="Pneumonia, improving.")
    in_title = note(title="Pneumonia follow-up")
    note(original_text="Pneumonia Smith", deidentified_text="[NAME] is well.")

    found = {d.pk for d in shown(client.get("/", {"q": "pneumonia"}))}
    by_name = shown(client.get("/", {"q": "Quill"}))

    assert found == {in_text.pk, in_summary.pk, in_title.pk}
    assert by_name == []
    query = AuditEvent.objects.filter(action="query", object_type="document").last()
    assert "pneumonia" not in str(query.details).lower() and query.details["filters"] == ["q"]


def test_filters_by_status_type_source_patient_and_date(client):
    waiting = note(status=Document.Status.PROCESSING, stage=Document.Stage.INFERENCE, label="discharge")
    working = note(status=Document.Status.PROCESSING, stage=Document.Stage.INFERENCE, claimed_by="w1")
    queued = note(status=Document.Status.QUEUED, stage=Document.Stage.DEID, source="hl7")
    patient = note(patient_key="abc123def456", service_date=date(2024, 3, 4), label="Discharge")

    def ids(**query):
        return {d.pk for d in shown(client.get("/", query))}

    assert ids(status="waiting") == {waiting.pk, queued.pk}
    assert ids(status="processing") == {working.pk}
    assert ids(type="discharge") == {waiting.pk, patient.pk}
    assert ids(source="hl7") == {queued.pk}
    assert ids(patient="P-ABC123") == {patient.pk}
    assert ids(since="2024-03-01", until="2024-03-31") == {patient.pk}


@pytest.mark.parametrize("query", [{"status": "everything"}, {"since": "not-a-date"}, {"sort": "original_text"},
                                   {"patient": "Ada Quill"}])
def test_an_invalid_filter_is_an_error_not_everything(client, query):
    note()

    response = client.get("/", query)

    assert response.status_code == 400 and shown(response) == []
    assert 'id="filter-errors"' in response.content.decode()


def test_sorting_by_date_of_service(client):
    later, earlier = note(service_date=date(2024, 5, 1)), note(service_date=date(2024, 1, 1))

    ascending = shown(client.get("/", {"sort": "service_date"}))
    descending = shown(client.get("/", {"sort": "-service_date"}))

    assert ascending == [earlier, later] and descending == [later, earlier]


def test_rows_show_service_date_type_title_author_patient_label_and_split_status(client, clinician):
    note(service_date=date(2024, 3, 4), label="discharge", title="Discharge summary [DATE]",
         patient_key="abc123def456", uploaded_by=clinician)
    note(status=Document.Status.PROCESSING, stage=Document.Stage.INFERENCE)

    rows = client.get("/", {"fragment": "rows"}, **LIVE).content.decode()

    for shown_value in ("2024-03", "discharge", "Discharge summary [DATE]", "dr-list", "P-ABC123", ">waiting<"):
        assert shown_value in rows
    assert 'id="progress"' in rows and "<strong>1</strong> waiting" in rows


def test_the_live_refresh_does_not_keep_an_idle_session_alive(client, settings):
    settings.SESSION_COOKIE_AGE = 2
    client.get("/")  # opening the page is activity: the session now lasts 2 s

    time.sleep(1.2)
    still_open = client.get("/", {"fragment": "rows"}, **LIVE)  # had it counted, the session would last to 3.2 s
    time.sleep(1.2)
    ended = client.get("/", {"fragment": "rows"}, **LIVE)

    assert still_open.status_code == 200
    assert ended.status_code == 401 and "<form" not in ended.content.decode()


def test_the_list_of_a_page_without_a_session_sends_people_to_log_in(db):
    assert Client().get("/")["Location"].startswith("/login")
