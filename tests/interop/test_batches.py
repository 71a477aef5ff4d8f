"""A batch (one FHIR Bundle posted, one HL7 file, one FHIR import argument) has an id; its submitter
sees how much of it was received, is waiting, processing, done, failed or quarantined."""
import json

import pytest
from django.core.management import call_command
from django.test import Client
from interop_samples import MDM_T02, ORU_TWO_REPORTS, PATIENT, PRACTITIONER, b64, bundle, document_reference

from clinical_ai.accounts.models import Profile
from clinical_ai.documents import quarantine
from clinical_ai.documents.encryption import encrypt
from clinical_ai.documents.models import Document, QuarantinedInput

pytestmark = pytest.mark.django_db


def posted(client, *attachments) -> dict:
    notes = [document_reference(f"doc-{n}", attachment) for n, attachment in enumerate(attachments)]
    body = json.dumps(bundle(PATIENT, PRACTITIONER, *notes, kind="batch")).encode()
    return client.post("/api/v1/fhir", data=body, content_type="application/fhir+json")


GOOD = {"contentType": "text/plain", "data": b64(b"Rosalind Quintero is stable.")}
BAD = {"contentType": "image/png", "data": b64(b"\x89PNG")}


def test_a_posted_bundle_is_one_batch_whose_progress_its_submitter_can_follow(api_client):
    client = api_client("service")
    response = posted(client, GOOD, GOOD, BAD)
    batch = response.json()["identifier"]["value"]

    first = client.get(response["Content-Location"]).json()
    Document.objects.filter(pk=Document.objects.first().pk).update(status=Document.Status.DONE)
    later = client.get(f"/api/v1/batches/{batch}").json()

    assert response["Content-Location"] == f"/api/v1/batches/{batch}"
    assert set(Document.objects.values_list("batch", flat=True)) == {QuarantinedInput.objects.get().batch}
    assert str(QuarantinedInput.objects.get().batch) == batch
    assert first == {"id": batch, "received": 3, "waiting": 2, "processing": 0, "done": 0, "failed": 0,
                     "quarantined": 1}
    assert (later["waiting"], later["done"]) == (1, 1)


def test_a_batch_is_shown_to_its_submitter_only(api_client):
    batch = posted(api_client("service", "engine-a"), GOOD).json()["identifier"]["value"]

    assert api_client("service", "engine-b").get(f"/api/v1/batches/{batch}").status_code == 404
    assert api_client("service", "engine-a").get("/api/v1/batches/not-a-batch").status_code == 404


def test_an_hl7_file_is_one_batch_and_the_import_names_it(tmp_path, capsys):
    (tmp_path / "two.hl7").write_text(MDM_T02 + ORU_TWO_REPORTS)

    call_command("import_hl7", str(tmp_path))

    batches = set(Document.objects.values_list("batch", flat=True))
    assert Document.objects.count() == 3 and len(batches) == 1 and None not in batches
    assert f"batch {batches.pop()}" in capsys.readouterr().out


def test_a_released_item_joins_its_batch(api_client, django_user_model):
    batch = posted(api_client("service"), GOOD, BAD).json()["identifier"]["value"]
    admin = django_user_model.objects.create_user("batch-admin")
    Profile.objects.create(user=admin, role="admin", unit="ward-a")
    item = QuarantinedInput.objects.get()
    item.payload_path.write_bytes(encrypt(json.dumps(bundle(PATIENT, document_reference("doc-9", GOOD))).encode()))

    quarantine.release(item, actor=admin, reason="The sender fixed the attachment")

    assert set(Document.objects.values_list("batch", flat=True)) == {item.batch} and str(item.batch) == batch


def test_the_list_filters_by_batch_and_shows_its_progress(api_client, django_user_model):
    batch = posted(api_client("clinician", "dr-batch"), GOOD, BAD).json()["identifier"]["value"]
    posted(api_client("clinician", "dr-batch"), GOOD)  # another batch, not shown
    client = Client()
    client.force_login(django_user_model.objects.get(username="dr-batch"))

    page = client.get("/", {"batch": batch})

    assert len(page.context["page"].object_list) == 1
    assert 'id="batch-progress"' in page.content.decode()
    assert "<strong>2</strong> received" in page.content.decode()
    assert "<strong>1</strong> quarantined" in page.content.decode()


def test_a_document_page_links_to_the_list_of_its_batch(api_client, django_user_model):
    batch = posted(api_client("clinician", "dr-batch-link"), GOOD).json()["identifier"]["value"]
    client = Client()
    client.force_login(django_user_model.objects.get(username="dr-batch-link"))

    page = client.get(f"/documents/{Document.objects.get().pk}").content.decode()

    assert f'href="/?batch={batch}"' in page
