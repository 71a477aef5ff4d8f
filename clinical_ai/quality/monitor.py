"""The quality and drift monitor: per active model version and day, the input and output figures that can
move, compared with the data the version was validated on, and flags where they cross a threshold.

Figures (only ids, counts and numbers; never text):
- ``note_length_mean`` and ``note_length_shift`` (the day's mean length, in validation standard deviations
  from the validation mean): the input moving;
- classifiers: ``label_psi`` (population stability index of the day's label mix against the validation
  label counts), ``mean_score`` and ``calibration_gap`` (mean score minus the share not reported as the
  wrong type);
- summarizers: ``summary_words_mean``, ``unsupported_rate`` (shown sentences the note does not support) and
  ``fallback_rate`` (summaries replaced by the extractive fallback);
- every version: ``report_rate`` (reports on that day's documents per document).

A day crossing a threshold (settings ``MONITOR_THRESHOLDS``) stores the flag; a flag new to that day is an
audit event. Recomputing a day replaces its row, so the task can run as often as beat likes.
"""
import math
from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinical_ai.audit.services import record
from clinical_ai.documents.models import Document
from clinical_ai.nlp.lifecycle import reference_profile
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.quality.models import DailyStatistics, Report

PSI_FLOOR = 1e-4  # a label absent on one side counts as this share, so the index stays finite
TWO_SIDED = {"note_length_shift"}
FIELD_OF_TASK = {ModelVersion.Task.CLASSIFY: "classifier", ModelVersion.Task.SUMMARIZE: "summarizer"}


def run(days: int = 2, today: date | None = None) -> list[DailyStatistics]:
    """Compute the last ``days`` days (today included) for every active version the monitor knows."""
    today = today or timezone.localdate()
    active = ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE, task__in=FIELD_OF_TASK)
    return [row for version in active for offset in range(days)
            if (row := compute_day(version, today - timedelta(days=offset))) is not None]


def compute_day(version: ModelVersion, day: date) -> DailyStatistics | None:
    documents = list(_documents(version, day))
    if not documents:
        return None
    figures = _figures(version, documents)
    flags = sorted(name for name, limit in settings.MONITOR_THRESHOLDS.items()
                   if figures.get(name) is not None and _beyond(name, figures[name], limit)
                   and len(documents) >= settings.MONITOR_MIN_DOCUMENTS)
    with transaction.atomic():
        previous = DailyStatistics.objects.filter(model_version=version, day=day).first()
        row, _ = DailyStatistics.objects.update_or_create(
            model_version=version, day=day, defaults={"documents": len(documents), "figures": figures,
                                                      "flags": flags})
        new = sorted(set(flags) - set(previous.flags if previous else []))
        if new:
            record(action="monitor-flag", object_type="model", object_id=version.ref, component="quality-monitor",
                   details={"day": day.isoformat(), "flags": new, "documents": len(documents),
                            "figures": {name: figures[name] for name in new}})
    return row


def _beyond(name: str, value: float, limit: float) -> bool:
    # Length may move either way; the others matter in one direction (more drift, overconfidence, reports).
    return abs(value) > limit if name in TWO_SIDED else value > limit


def population_stability_index(expected: dict, actual: dict) -> float:
    labels = set(expected) | set(actual)
    expected_total, actual_total = sum(expected.values()) or 1, sum(actual.values()) or 1
    index = 0.0
    for label in labels:
        e = max(expected.get(label, 0) / expected_total, PSI_FLOOR)
        a = max(actual.get(label, 0) / actual_total, PSI_FLOOR)
        index += (a - e) * math.log(a / e)
    return round(index, 4)


def flagged_versions(days: int = 7) -> dict[int, list[DailyStatistics]]:
    """Version id -> its flagged days in the last ``days`` days, for the models page."""
    since = timezone.localdate() - timedelta(days=days)
    flagged = {}
    for row in DailyStatistics.objects.filter(day__gte=since).exclude(flags=[]).order_by("day"):
        flagged.setdefault(row.model_version_id, []).append(row)
    return flagged


def _documents(version: ModelVersion, day: date):
    documents = Document.objects.filter(**{FIELD_OF_TASK[version.task]: version}, status=Document.Status.DONE,
                                        created_at__date=day)
    if version.task == ModelVersion.Task.CLASSIFY:  # a note's coded type is the sender's, not the model's output
        documents = documents.exclude(label_source="coded")
    return documents.only("id", "deidentified_text", "summary", "summary_kind", "summary_sentences", "label",
                          "label_score")


def _figures(version: ModelVersion, documents: list[Document]) -> dict:
    reference = reference_profile(version)
    lengths = [len(document.deidentified_text) for document in documents]
    mean_length = sum(lengths) / len(lengths)
    reports = Report.objects.filter(document__in=[d.pk for d in documents], model_version=version)
    figures = {"note_length_mean": round(mean_length, 1),
               "note_length_shift": _shift(mean_length, reference),
               "report_rate": round(reports.count() / len(documents), 4)}
    if version.task == ModelVersion.Task.CLASSIFY:
        figures |= _classifier_figures(documents, reference, reports)
    else:
        figures |= _summarizer_figures(documents)
    return figures


def _shift(mean_length: float, reference: dict) -> float | None:
    if not reference.get("length_sd"):
        return None
    return round((mean_length - reference["length_mean"]) / reference["length_sd"], 3)


def _classifier_figures(documents, reference: dict, reports) -> dict:
    mix = Counter(document.label for document in documents)
    scores = [document.label_score for document in documents if document.label_score is not None]
    mean_score = sum(scores) / len(scores) if scores else None
    wrong = reports.filter(category=Report.Category.WRONG_TYPE).values("document").distinct().count()
    return {"label_mix": dict(mix),
            "label_psi": population_stability_index(reference["label_counts"], mix)
            if reference.get("label_counts") else None,
            "mean_score": round(mean_score, 4) if mean_score is not None else None,
            "calibration_gap": round(mean_score - (1 - wrong / len(documents)), 4) if mean_score is not None else None}


def _summarizer_figures(documents) -> dict:
    words = [len(document.summary.split()) for document in documents]
    figures = {"summary_words_mean": round(sum(words) / len(words), 1)}
    sentences = [sentence for document in documents for sentence in document.summary_sentences or []]
    if sentences:
        unsupported = sum(1 for sentence in sentences if not sentence.get("supported"))
        figures["unsupported_rate"] = round(unsupported / len(sentences), 4)
    # An extractive summary is the fallback that replaced a degenerate or unsupported draft.
    figures["fallback_rate"] = round(sum(1 for d in documents if d.summary_kind == "extractive") / len(documents), 4)
    return figures
