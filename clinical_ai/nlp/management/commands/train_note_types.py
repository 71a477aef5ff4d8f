import json
from pathlib import Path

from django.core.management.base import BaseCommand

from clinical_ai.nlp import defaults
from clinical_ai.nlp.services import LOINC_NOTE_TYPES
from clinical_ai.nlp.training import note_types


class Command(BaseCommand):
    help = ("Rebuild the default note-type classifier head (clinical_ai/nlp/data/note_type_head) from MTSamples' "
            "note-type buckets, and print its check-part metrics against TF-IDF and, with --synthea, its accuracy "
            "on FHIR notes with their LOINC type hidden.")

    def add_arguments(self, parser):
        parser.add_argument("--mtsamples", type=Path, required=True, help="mtsamples CSV (note-type buckets)")
        parser.add_argument("--synthea", type=Path, help="a FHIR NDJSON folder whose notes carry LOINC types")
        parser.add_argument("--encoder", type=Path, help="all-MiniLM-L6-v2 folder (default: the installed one)")
        parser.add_argument("--out", type=Path, default=note_types.HEAD_FOLDER)

    def handle(self, **options):
        report = note_types.build(options["mtsamples"], options["encoder"] or defaults.encoder_folder(),
                                  options["out"], self.stdout.write, options["synthea"], LOINC_NOTE_TYPES)
        self.stdout.write(json.dumps(report, indent=2))
