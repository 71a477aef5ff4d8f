"""python manage.py import_fhir PATH...: Bundles, single resources, bulk NDJSON folders; each argument is one batch."""
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand

from clinical_ai.interop import fhir_r4
from clinical_ai.interop.ingest import ingest, report
from clinical_ai.interop.inputs import read_limited
from clinical_ai.interop.results import Rejection


class Command(BaseCommand):
    help = "Import FHIR R4 JSON (Bundles, resources) and bulk-export NDJSON folders as documents."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="*.json / *.ndjson files, or folders of them")

    def handle(self, *args, paths, **options):
        outcomes = []
        for number, name in enumerate(paths, start=1):
            batch = uuid.uuid4()
            outcomes += ingest(_items(Path(name), f"argument {number}"), source="fhir", batch=batch)
            self.stdout.write(f"argument {number}: batch {batch}")
        report(self, outcomes)


def _items(path: Path, label: str):
    """A folder is one bulk export (NDJSON read together) plus its own JSON files.

    Reasons call files by position (``label``), never by name: a file name may name the patient."""
    if path.is_dir():
        yield from fhir_r4.parse_ndjson_folder(path, label)
        for number, json_path in enumerate(sorted(path.glob("*.json")), start=1):
            yield from _items(json_path, f"{label} JSON file {number}")
    elif path.suffix.lower() == ".ndjson":
        yield from fhir_r4.parse_ndjson_file(path, label)
    else:
        data = read_limited(path, label)
        if isinstance(data, Rejection):
            yield data
        elif data.lstrip()[:1] == b"<":
            yield Rejection(f"{label} is XML; send FHIR JSON", data[:1024 * 1024])
        else:
            yield from fhir_r4.parse_json(data, label)
