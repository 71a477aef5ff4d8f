"""Clinicians' corrections as training files, so the next fine-tune learns from the hospital's own reports.

- ``note_types.csv`` (columns ``text``, ``label``): the de-identified text of each document reported as
  the wrong type with the right type named; ``manage.py models train --task classify --data note_types.csv
  --text-column text --label-column label`` takes it as it is.
- ``identifiers.jsonl``: the de-identification gold format (``{"id", "patient_id", "text", "phi": [{"start",
  "end", "type"}]}``), one line per document with reported identifiers, spans in its de-identified text:
  the reported ones and the placeholders the engine put in, so every identifier of the note is marked.
  ``manage.py models train --task deid --data identifiers.jsonl`` takes it as it is (it swaps each marked
  span for a surrogate before training, so the tagger learns the note's context, not "[NAME]").

The second file holds, by its nature, the identifiers the engine missed: it is written mode 0600, like
every file here, and belongs where raw notes are kept, not in a shared folder.
"""
import csv
import json
import os
from pathlib import Path

from clinical_ai.audit.services import record
from clinical_ai.quality.models import Report

NOTE_TYPES_FILE = "note_types.csv"
IDENTIFIERS_FILE = "identifiers.jsonl"


def export(folder: Path, *, since=None, by: str = "") -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    reports = Report.objects.select_related("document").order_by("created_at")
    if since is not None:
        reports = reports.filter(created_at__date__gte=since)
    counts = {"note_types": _note_types(folder / NOTE_TYPES_FILE, reports),
              "identifier_documents": _identifiers(folder / IDENTIFIERS_FILE, reports)}
    record(action="export", object_type="training-feedback", component=by or "export-feedback",
           details=counts | {"since": since.isoformat() if since else None})
    return counts


def _note_types(path: Path, reports) -> int:
    corrected = {}
    for report in reports.filter(category=Report.Category.WRONG_TYPE).exclude(corrected_label=""):
        corrected[report.document_id] = (report.document.deidentified_text, report.corrected_label)  # latest wins
    with _private(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(corrected.values())
    return len(corrected)


def _identifiers(path: Path, reports) -> int:
    documents = {}
    for report in reports.filter(category=Report.Category.IDENTIFIER_LEFT):
        document = report.document
        entry = documents.setdefault(document.pk, {"id": str(document.pk),
                                                   "patient_id": document.patient_key or str(document.pk),
                                                   "text": document.deidentified_text,
                                                   "phi": [dict(span) for span in document.phi_spans or []]})
        span = {"start": report.span_start, "end": report.span_end, "type": report.identifier_type or "NAME"}
        if span not in entry["phi"]:
            entry["phi"].append(span)
    with _private(path) as handle:
        for entry in documents.values():
            entry["phi"].sort(key=lambda span: span["start"])
            handle.write(json.dumps(entry) + "\n")
    return len(documents)


def _private(path: Path):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(descriptor, "w", newline="", encoding="utf-8")
