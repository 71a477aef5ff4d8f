"""python manage.py export_fhir OUT_DIR [--since DATE]: processed documents as bulk NDJSON."""
import json
from collections import defaultdict
from datetime import date, datetime, time, timezone
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinical_ai.audit.services import record
from clinical_ai.documents.models import Document
from clinical_ai.interop.fhir_out import document_resources


class Command(BaseCommand):
    help = "Write de-identified documents, AI summaries, classifications and provenance as FHIR NDJSON."

    def add_arguments(self, parser):
        parser.add_argument("out_dir")
        parser.add_argument("--since", help="only documents created on or after this date (YYYY-MM-DD)")

    def handle(self, *args, out_dir, since=None, **options):
        documents = Document.objects.filter(status=Document.Status.DONE).select_related("summarizer", "classifier")
        if since:
            documents = documents.filter(created_at__gte=_start_of(since))
        by_type = defaultdict(dict)
        count = 0
        for document in documents.iterator():
            count += 1
            for resource in document_resources(document):
                by_type[resource["resourceType"]][resource["id"]] = resource  # Devices are shared
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for kind, resources in sorted(by_type.items()):
            lines = (json.dumps(r, separators=(",", ":")) + "\n" for r in resources.values())
            (out / f"{kind}.000.ndjson").write_text("".join(lines), encoding="utf-8")
        record(action="export", actor=None, object_type="document", object_id="bulk",
               details={"format": "fhir-ndjson", "documents": count})
        self.stdout.write(f"exported {count} documents: "
                          + ", ".join(f"{kind} {len(r)}" for kind, r in sorted(by_type.items())))


def _start_of(value: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(value), time.min, tzinfo=timezone.utc)
    except ValueError:
        raise CommandError("--since must be a date, YYYY-MM-DD") from None
