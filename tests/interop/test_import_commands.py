"""import_hl7 and import_fhir against the database: documents, quarantine, summary, exit status."""
import json
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from interop_samples import ADT_A01, MDM_T02, ORU_TWO_REPORTS, PATIENT, PRACTITIONER, b64, bundle, document_reference

from clinical_ai.documents.intake import idempotency_key
from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.interop.results import QUARANTINE_HEAD_BYTES

pytestmark = pytest.mark.django_db

PHI = ("Quintero", "Rosalind", "MRN4711", "1961", "Larkspur", "chest pain")


def run(command, *paths, capsys):
    """(exit status, stdout, stderr) of a management command, as the shell would see them."""
    try:
        call_command(command, *map(str, paths))
        status = 0
    except CommandError as error:
        status = error.returncode
    out, err = capsys.readouterr()
    return status, out, err


def assert_quarantine_is_phi_free():
    for reason in QuarantinedInput.objects.values_list("reason", flat=True):
        assert not any(value in reason for value in PHI), reason


def test_import_hl7_stores_every_note_and_exits_zero(tmp_path, capsys):
    (tmp_path / "batch.hl7").write_text("FHS|^~\\&\rBHS|^~\\&\r" + MDM_T02 + ADT_A01 + "BTS|2\rFTS|1\r")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "oru.txt").write_bytes(ORU_TWO_REPORTS.replace("\r", "\r\n").encode())

    status, out, _ = run("import_hl7", tmp_path, capsys=capsys)

    assert status == 0
    assert "accepted 3, rejected 0" in out
    assert sorted(Document.objects.values_list("source_ref", flat=True)) == sorted([
        idempotency_key("hl7v2", "DICTATE|MERCY", "CTRL-1"), idempotency_key("hl7v2", "RIS|MERCY", "CTRL-2#1"),
        idempotency_key("hl7v2", "RIS|MERCY", "CTRL-2#2")])
    document = Document.objects.get(source_ref=idempotency_key("hl7v2", "DICTATE|MERCY", "CTRL-1"))
    assert (document.source, document.loinc_code, document.patient["patient_id"]) == ("hl7v2", "18842-5", "MRN4711")


def test_import_hl7_quarantines_bad_messages_and_goes_on(tmp_path, capsys):
    broken = MDM_T02.replace("CTRL-1", "CTRL-9").replace("\rPV1|", "\rP@1|")
    no_msh = "PID|1||MRN4711||Quintero^Rosalind\r"
    (tmp_path / "mixed.hl7").write_text(no_msh + broken + ORU_TWO_REPORTS)

    status, out, err = run("import_hl7", tmp_path / "mixed.hl7", capsys=capsys)

    assert status == 2
    assert "accepted 2, rejected 2" in out
    assert Document.objects.count() == 2
    reasons = sorted(QuarantinedInput.objects.values_list("reason", flat=True))
    assert len(reasons) == 2 and any("missing MSH" in r for r in reasons) and any("broken" in r for r in reasons)
    assert all(q.source == "hl7v2" and q.payload_path.exists() for q in QuarantinedInput.objects.all())
    assert_quarantine_is_phi_free()
    assert not any(value in err for value in PHI)


def test_import_hl7_twice_creates_no_second_document(tmp_path, capsys):
    (tmp_path / "mdm.hl7").write_text(MDM_T02)
    run("import_hl7", tmp_path, capsys=capsys)

    status, out, _ = run("import_hl7", tmp_path, capsys=capsys)

    assert status == 0
    assert "accepted 1, rejected 0 (1 already stored)" in out
    assert Document.objects.count() == 1


def write_bundle(path, *resources):
    path.write_text(json.dumps(bundle(*resources)))
    return path


def test_import_fhir_bundle_and_ndjson_folder(tmp_path, capsys):
    note = document_reference("doc-1", {"contentType": "text/plain", "data": b64(b"Rosalind is doing well.")})
    write_bundle(tmp_path / "bundle.json", PATIENT, PRACTITIONER, note)
    export = tmp_path / "export"
    export.mkdir()
    (export / "Patient.000.ndjson").write_text(json.dumps(PATIENT) + "\n")
    (export / "DocumentReference.000.ndjson").write_text(json.dumps(
        document_reference("doc-2", {"contentType": "text/plain", "data": b64(b"Seen again.")})) + "\n")

    status, out, _ = run("import_fhir", tmp_path / "bundle.json", export, capsys=capsys)

    assert status == 0
    assert "accepted 2, rejected 0" in out
    documents = Document.objects.order_by("created_at")
    assert [d.source_ref for d in documents] == [idempotency_key("fhir", "", "DocumentReference/doc-1"),
                                                 idempotency_key("fhir", "", "DocumentReference/doc-2")]
    assert all(d.source == "fhir" and d.loinc_code == "34117-2" and d.patient_key for d in documents)
    assert documents[0].patient_key == documents[1].patient_key != "pat-1"


@pytest.mark.parametrize("name, content, reason", [
    ("invalid.json", b"{not json", "is not valid JSON"),
    ("unknown.json", json.dumps({"resourceType": "Quintero"}).encode(), "not a FHIR R4 resource type"),
    ("undecodable.json", json.dumps(document_reference("bad", {"contentType": "text/plain", "data": "@@@"})).encode(),
     "attachment"),
    ("note.xml", b"<Bundle xmlns='http://hl7.org/fhir'/>", "is XML"),
])
def test_import_fhir_quarantines_bad_files_and_keeps_the_good(tmp_path, capsys, name, content, reason):
    (tmp_path / name).write_bytes(content)
    good = write_bundle(tmp_path / "good.json", PATIENT,
                        document_reference("ok", {"contentType": "text/plain", "data": b64(b"Fine.")}))

    status, out, err = run("import_fhir", tmp_path / name, good, capsys=capsys)

    assert status == 2
    assert "accepted 1, rejected 1" in out
    (quarantined,) = QuarantinedInput.objects.all()
    assert reason in quarantined.reason and quarantined.source == "fhir"
    assert reason in err
    assert_quarantine_is_phi_free()


def test_import_fhir_100_mb_file_is_quarantined_keeping_only_its_head(tmp_path, capsys):
    huge = tmp_path / "huge.json"
    huge.write_bytes(b"{")
    os.truncate(huge, 100 * 1024 * 1024)  # sparse: costs no disk and no time to write

    status, out, _ = run("import_fhir", huge, capsys=capsys)

    assert status == 2 and "accepted 0, rejected 1" in out
    (quarantined,) = QuarantinedInput.objects.all()
    assert "over the" in quarantined.reason and "byte limit" in quarantined.reason
    assert quarantined.size == QUARANTINE_HEAD_BYTES


def test_import_fhir_resend_creates_no_second_document(tmp_path, capsys):
    path = write_bundle(tmp_path / "b.json", PATIENT,
                        document_reference("doc-1", {"contentType": "text/plain", "data": b64(b"Once.")}))
    run("import_fhir", path, capsys=capsys)

    status, out, _ = run("import_fhir", path, capsys=capsys)

    assert status == 0 and "(1 already stored)" in out
    assert Document.objects.count() == 1
