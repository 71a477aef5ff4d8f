"""python manage.py import_hl7 PATH...: files or folders of HL7 v2 messages; each file is one batch."""
import uuid

from django.core.management.base import BaseCommand

from clinical_ai.interop import hl7v2
from clinical_ai.interop.ingest import ingest, report
from clinical_ai.interop.inputs import files_under, read_limited
from clinical_ai.interop.results import Rejection

HL7_SUFFIXES = (".hl7", ".txt", ".msg", ".dat")


class Command(BaseCommand):
    help = "Import HL7 v2 messages (ORU^R01, MDM^T01/T02; batches and files) as documents."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, or folders searched for *.hl7/*.txt/*.msg/*.dat")

    def handle(self, *args, paths, **options):
        outcomes = []
        for number, path in enumerate(files_under(paths, HL7_SUFFIXES), start=1):
            data, batch = read_limited(path, f"file {number}"), uuid.uuid4()
            outcomes += ingest([data] if isinstance(data, Rejection) else hl7v2.file_items(data), source="hl7v2",
                               batch=batch)
            self.stdout.write(f"file {number}: batch {batch}")
        report(self, outcomes)
