"""An administrator releases quarantined HL7 v2 and FHIR input: the payload goes back through its
own route's parser and the intake, in the sender scope it came with; refused again, it stays pending."""
import json
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import DataError

from clinical_ai.accounts.models import Profile, Role
from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents import intake, quarantine
from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.interop import fhir_r4, hl7v2
from clinical_ai.interop.ingest import ingest
from clinical_ai.interop.results import Rejection, oversized
from tests.interop.interop_samples import MDM_T02, PATIENT, b64, bundle, document_reference

REASON = "The database is back up; retry it"


@pytest.fixture
def people(db):
    made = {}
    for role in (Role.ADMIN, Role.CLINICIAN):
        user = get_user_model().objects.create_user(f"release-{role}")
        Profile.objects.create(user=user, role=role, unit="ward-a")
        made[role] = user
    return made


def quarantined(payload: bytes, source: str, actor=None) -> QuarantinedInput:
    return ingest([Rejection("message could not be stored (OperationalError); kept for review", payload)],
                  source=source, actor=actor)[0].quarantined


def test_a_released_hl7_message_becomes_its_documents_under_its_own_sender(people):
    item = quarantined(MDM_T02.encode(), "hl7v2")

    released = quarantine.release(item, actor=people[Role.ADMIN], reason=REASON)

    document = Document.objects.get()
    assert released.document_ids == (str(document.pk),) and not released.refused_again
    assert document.source == "hl7v2" and document.loinc_code == "18842-5"
    assert document.source_ref == intake.idempotency_key("hl7v2", "DICTATE|MERCY", "CTRL-1")
    assert "Quintero" in document.patient_json  # the message's own patient context came with it
    item.refresh_from_db()
    assert item.decision == "released" and item.decided_by == people[Role.ADMIN]
    decision = AuditEvent.objects.get(action="update", object_type="quarantine")
    assert decision.details["document_ids"] == [str(document.pk)]


def test_a_note_the_database_refused_is_kept_as_its_message_and_released_after_the_fix(people):
    with mock.patch("clinical_ai.documents.intake._store", side_effect=DataError("value too long")):
        [outcome] = ingest(hl7v2.parse_message(MDM_T02.encode()).notes, source="hl7v2")

    released = quarantine.release(outcome.quarantined, actor=people[Role.ADMIN], reason=REASON)

    assert released.document_ids == (str(Document.objects.get().pk),)


def test_an_hl7_message_refused_again_stays_pending_with_the_new_reason(people):
    no_txa = "\r".join(s for s in MDM_T02.split("\r") if not s.startswith("TXA"))
    item = quarantined(no_txa.encode(), "hl7v2")

    released = quarantine.release(item, actor=people[Role.ADMIN], reason=REASON)

    item.refresh_from_db()
    assert released.refused_again == "MDM message has no TXA segment"
    assert item.decision == "pending" and item.reason == "Released again and refused: MDM message has no TXA segment"
    assert not Document.objects.exists() and QuarantinedInput.objects.count() == 1


def fhir_bundle(data: str) -> bytes:
    note = document_reference("doc-7", {"contentType": "text/plain", "data": data})
    return json.dumps(bundle(PATIENT, note)).encode()


def test_a_released_fhir_bundle_keeps_the_submitting_account_as_its_sender(people):
    clinician = people[Role.CLINICIAN]
    item = quarantined(fhir_bundle(b64(b"Rosalind Quintero: stable, home tomorrow.")), "fhir", actor=clinician)

    released = quarantine.release(item, actor=people[Role.ADMIN], reason=REASON)

    document = Document.objects.get()
    assert released.document_ids == (str(document.pk),)
    assert document.source == "fhir" and document.uploaded_by == clinician
    # Scoped to the account it came from, not the administrator's: a resend by that account is a duplicate.
    assert document.source_ref == intake.idempotency_key("fhir", intake.account_sender(clinician),
                                                         "DocumentReference/doc-7")


def test_a_fhir_bundle_refused_again_stays_pending_with_the_new_reason(people):
    item = quarantined(fhir_bundle("not base64 at all!"), "fhir")

    released = quarantine.release(item, actor=people[Role.ADMIN], reason=REASON)

    item.refresh_from_db()
    assert released.refused_again.endswith("(DocumentReference) is not valid FHIR R4 at content.0.attachment.data")
    assert item.decision == "pending" and item.reason.startswith("Released again and refused: ")
    assert not Document.objects.exists() and QuarantinedInput.objects.count() == 1


def test_a_fhir_note_the_database_refused_is_kept_with_its_patient_and_sender_and_released_after_the_fix(people):
    note = document_reference("doc-8", {"contentType": "text/plain", "data": b64(b"Rosalind Quintero is stable.")})
    sent = {**bundle(PATIENT, note), "meta": {"source": "urn:mercy:ehr"}}
    with mock.patch("clinical_ai.documents.intake._store", side_effect=DataError("value too long")):
        [outcome] = ingest(fhir_r4.parse_json(json.dumps(sent).encode()), source="fhir")

    quarantine.release(outcome.quarantined, actor=people[Role.ADMIN], reason=REASON)

    document = Document.objects.get()
    assert document.source_ref == intake.idempotency_key("fhir", "urn:mercy:ehr", "DocumentReference/doc-8")
    assert "Quintero" in document.patient_json  # read again with the Patient it was sent with


def test_only_the_head_of_an_over_large_input_is_never_released(people):
    # The head here is a whole message; most heads end inside one, which a release would store cut short.
    [outcome] = ingest([oversized(30 * 1024 * 1024, MDM_T02.encode())], source="hl7v2")

    with pytest.raises(quarantine.QuarantineError, match="Only the head"):
        quarantine.release(outcome.quarantined, actor=people[Role.ADMIN], reason=REASON)

    item = QuarantinedInput.objects.get()
    assert item.partial and item.decision == "pending" and not Document.objects.exists()


def test_a_released_note_belongs_to_the_unit_it_came_in_under_not_the_administrators(people):
    clinician = get_user_model().objects.create_user("release-ward-b")
    Profile.objects.create(user=clinician, role=Role.CLINICIAN, unit="ward-b")
    item = quarantined(fhir_bundle(b64(b"Rosalind Quintero: stable.")), "fhir", actor=clinician)
    Profile.objects.filter(user=clinician).update(unit="ward-c")  # moved since: the note stays where it came in

    quarantine.release(item, actor=people[Role.ADMIN], reason=REASON)

    document = Document.objects.get()
    assert (document.unit, document.uploaded_by) == ("ward-b", clinician)
    created = AuditEvent.objects.get(action="create", object_type="document")
    assert created.actor == people[Role.ADMIN] and created.details["submitted_by"] == clinician.pk


def test_a_released_interface_message_without_an_account_stays_in_the_default_unit(people):
    item = quarantined(MDM_T02.encode(), "hl7v2")  # as MLLP and import_hl7 send it: no account

    quarantine.release(item, actor=people[Role.ADMIN], reason=REASON)

    document = Document.objects.get()
    assert (document.unit, document.uploaded_by) == ("default", None)
