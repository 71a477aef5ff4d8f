"""The notes under samples/ go in through the same doors a user would use, and are accepted."""
from pathlib import Path

import pytest
from django.core.management import call_command

from clinical_ai.documents import intake
from clinical_ai.documents.models import Document, QuarantinedInput

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(autouse=True)
def quarantine_in_tmp(settings, tmp_path):
    settings.QUARANTINE_DIR = tmp_path / "quarantine"


@pytest.mark.parametrize("name, expected", [("discharge_summary.txt", "pneumonia"),
                                            ("radiology_report.pdf", "no acute cardiopulmonary"),
                                            ("progress_note.docx", "metformin")])
def test_each_sample_file_is_read_by_the_upload_readers(name, expected):
    text, _ = intake.text_from_file(name, (SAMPLES / name).read_bytes())

    assert expected in text


@pytest.mark.parametrize("command, name", [("import_hl7", "discharge_mdm_t02.hl7"),
                                           ("import_fhir", "clinic_note_bundle.json")])
def test_the_hl7_and_fhir_samples_import(db, command, name):
    call_command(command, str(SAMPLES / name))

    assert Document.objects.count() == 1 and not QuarantinedInput.objects.exists()
    assert Document.objects.get().patient_key
