"""export_fhir: finished documents as bulk NDJSON, one file per resource type, --since by creation date."""
import json
from datetime import datetime, timezone

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinical_ai.documents.models import Document
from clinical_ai.nlp.models import ModelVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def summarizer():
    return ModelVersion.objects.create(name="summarizer-test", version="1", task="summarize", path="s", sha256="a" * 64)


def stored(created: str, status=Document.Status.DONE, **fields) -> Document:
    document = Document.objects.create(original_text="Rosalind Quintero MRN4711", patient_key="pseudo-1",
                                       deidentified_text="[NAME] [MRN]", status=status, source_ref=created, **fields)
    Document.objects.filter(pk=document.pk).update(created_at=datetime.fromisoformat(created).replace(tzinfo=timezone.utc))
    return document


def read_ndjson(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_export_writes_one_ndjson_file_per_resource_type(tmp_path, capsys, summarizer):
    done = stored("2024-03-01", summary="[NAME] is well.", summarizer=summarizer, label="Progress note")
    stored("2024-03-02", status=Document.Status.QUEUED)

    call_command("export_fhir", str(tmp_path))

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Device.000.ndjson", "DocumentReference.000.ndjson", "Observation.000.ndjson", "Provenance.000.ndjson"]
    notes = read_ndjson(tmp_path / "DocumentReference.000.ndjson")
    assert {n["id"] for n in notes} == {str(done.id), f"{done.id}-summary"}
    assert "exported 1 documents" in capsys.readouterr().out
    exported = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "Rosalind" not in exported and "MRN4711" not in exported and "pseudo-1" in exported


def test_since_exports_only_documents_created_on_or_after_the_date(tmp_path, capsys):
    stored("2024-02-28")
    later = stored("2024-03-01")

    call_command("export_fhir", str(tmp_path), "--since", "2024-03-01")

    assert [n["id"] for n in read_ndjson(tmp_path / "DocumentReference.000.ndjson")] == [str(later.id)]


def test_since_must_be_a_date(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export_fhir", str(tmp_path), "--since", "yesterday")
