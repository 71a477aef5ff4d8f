"""``manage.py export_feedback OUT_DIR [--since DATE]``: corrected note types and reported identifiers as
training files (see clinical_ai/quality/feedback.py)."""
import getpass
import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand

from clinical_ai.quality import feedback


class Command(BaseCommand):
    help = "Export clinicians' corrections as a classifier CSV and de-identification gold JSONL."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--since", type=date.fromisoformat, help="reports filed on or after YYYY-MM-DD")
        parser.add_argument("--by", default=getpass.getuser(), help="who is exporting (recorded)")

    def handle(self, *args, folder, since, by, **options):
        self.stdout.write(json.dumps(feedback.export(folder, since=since, by=by)))
