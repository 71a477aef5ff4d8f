"""The quality and drift monitor: per active model version and day, the input and output figures that can
move, compared with the data the version was validated on, and flags where they cross a threshold.

Figures (only ids, counts and numbers; never text):
- ``note_length_mean`` and ``note_length_shift`` (the day's mean length, in validation standard deviations
  from the validation mean): the input moving;
- classifiers: ``label_psi`` (population stability index of the day's label mix against the validation
  label counts), ``mean_score``, and calibration. Where the day has labelled notes, ``calibration_ece``:
  the expected calibration error of the classifier's probability over them (``calibration_labelled``).
  The labels are the notes that came with a coded type (``calibration_coded``: the classifier does not
  type them in production, so the monitor scores them here) and the notes a clinician reported as the
  wrong type (``calibration_corrected``: wrong, unless the corrected type is the model's own). Only on a
  day without any, ``calibration_gap`` stands in: a proxy (mean score minus the share not reported as
  the wrong type), named so in ``calibration_source``;
- summarizers: ``summary_words_mean``, ``unsupported_rate`` (shown sentences the note does not support) and
  ``fallback_rate`` (summaries replaced by the extractive fallback);
- the PHI tagger (task deid): ``identifiers_per_1000_chars`` of de-identified text, overall and
  ``_by_type``, and against the version's own last BASELINE_DAYS days (it has no validation profile of
  identifiers): ``identifier_density_shift`` (relative change of the density) and ``identifier_mix_psi``
  (population stability index of the type mix). Which spans came from the tagger and which from the
  rules is not recorded per document (a span keeps only its type), so that share is not monitored;
- every version: ``report_rate`` (reports on that day's documents per document; for the tagger these are
  the "identifier left" reports).

A day crossing a threshold (settings ``MONITOR_THRESHOLDS``) stores the flag; a flag new to that day is an
audit event. Recomputing a day replaces its row, so the task can run as often as beat likes.
"""
import logging
import math
from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinical_ai.audit.services import record
from clinical_ai.documents.models import Document
from clinical_ai.nlp import metrics, registry
from clinical_ai.nlp.lifecycle import reference_profile
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.quality.models import DailyStatistics, Report

logger = logging.getLogger(__name__)
PSI_FLOOR = 1e-4  # a label absent on one side counts as this share, so the index stays finite
TWO_SIDED = {"note_length_shift", "identifier_density_shift"}
FIELD_OF_TASK = {ModelVersion.Task.CLASSIFY: "classifier", ModelVersion.Task.SUMMARIZE: "summarizer",
                 ModelVersion.Task.DEID: "deid_tagger"}
# A figure measured on a sample of its own is flagged only when that sample is big enough too.
SAMPLE_OF = {"calibration_ece": "calibration_labelled"}
BASELINE_DAYS = 14  # the tagger's own recent days its identifier figures are compared with
CODED_SAMPLE = 200  # at most this many of a day's coded notes are scored for calibration (the newest)


def run(days: int = 2, today: date | None = None) -> list[DailyStatistics]:
    """Compute the last ``days`` days (today included) for every active version the monitor knows."""
    today = today or timezone.localdate()
    active = ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE, task__in=FIELD_OF_TASK)
    # Oldest first: a day's figures may compare with the days before it (the tagger's baseline).
    return [row for version in active for offset in reversed(range(days))
            if (row := compute_day(version, today - timedelta(days=offset))) is not None]


def compute_day(version: ModelVersion, day: date) -> DailyStatistics | None:
    documents = list(_documents(version, day))
    if not documents:
        return None
    figures = _figures(version, day, documents)
    flags = sorted(name for name, limit in settings.MONITOR_THRESHOLDS.items()
                   if figures.get(name) is not None and _beyond(name, figures[name], limit)
                   and len(documents) >= settings.MONITOR_MIN_DOCUMENTS
                   and figures.get(SAMPLE_OF.get(name), len(documents)) >= settings.MONITOR_MIN_DOCUMENTS)
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
    documents = Document.objects.filter(**{FIELD_OF_TASK[version.task]: version}, created_at__date=day)
    if version.task == ModelVersion.Task.DEID:  # de-identified, whatever inference has made of it since
        documents = documents.exclude(deidentified_text="")
    else:
        documents = documents.filter(status=Document.Status.DONE)
    if version.task == ModelVersion.Task.CLASSIFY:  # a note's coded type is the sender's, not the model's output
        documents = documents.exclude(label_source="coded")
    return documents.only("id", "deidentified_text", "summary", "summary_kind", "summary_sentences", "label",
                          "label_score", "phi_counts")


def _figures(version: ModelVersion, day: date, documents: list[Document]) -> dict:
    reference = reference_profile(version)
    lengths = [len(document.deidentified_text) for document in documents]
    mean_length = sum(lengths) / len(lengths)
    reports = Report.objects.filter(document__in=[d.pk for d in documents], model_version=version)
    figures = {"note_length_mean": round(mean_length, 1),
               "note_length_shift": _shift(mean_length, reference),
               "report_rate": round(reports.count() / len(documents), 4)}
    if version.task == ModelVersion.Task.CLASSIFY:
        mean_score = _mean_score(documents)
        figures |= _classifier_figures(documents, reference, mean_score)
        figures |= _calibration(version, day, documents, reports, mean_score)
    elif version.task == ModelVersion.Task.DEID:
        figures |= _tagger_figures(version, day, documents)
    else:
        figures |= _summarizer_figures(documents)
    return figures


def _shift(mean_length: float, reference: dict) -> float | None:
    if not reference.get("length_sd"):
        return None
    return round((mean_length - reference["length_mean"]) / reference["length_sd"], 3)


def _mean_score(documents) -> float | None:
    """The mean of the classifier's scores over the day's notes (None when none has one), unrounded."""
    scores = [document.label_score for document in documents if document.label_score is not None]
    return sum(scores) / len(scores) if scores else None


def _classifier_figures(documents, reference: dict, mean_score: float | None) -> dict:
    mix = Counter(document.label for document in documents)
    return {"label_mix": dict(mix),
            "label_psi": population_stability_index(reference["label_counts"], mix)
            if reference.get("label_counts") else None,
            "mean_score": round(mean_score, 4) if mean_score is not None else None}


def _calibration(version: ModelVersion, day: date, documents, reports, mean_score: float | None) -> dict:
    """The expected calibration error over the day's labelled notes; the proxy only when there are none."""
    corrected = _corrected(documents, reports)
    coded = _coded(version, day)
    confidences, correct = [c for c, _ in corrected + coded], [hit for _, hit in corrected + coded]
    if confidences:
        return {"calibration_ece": metrics.expected_calibration_error(confidences, correct),
                "calibration_labelled": len(confidences), "calibration_coded": len(coded),
                "calibration_corrected": len(corrected), "calibration_source": "labels"}
    wrong = reports.filter(category=Report.Category.WRONG_TYPE).values("document").distinct().count()
    gap = round(mean_score - (1 - wrong / len(documents)), 4) if mean_score is not None else None
    return {"calibration_ece": None, "calibration_labelled": 0, "calibration_gap": gap,
            "calibration_source": "proxy: no labelled notes"}


def _corrected(documents, reports) -> list[tuple[float, bool]]:
    """(the model's score, whether its type was right) of each note a clinician reported as the wrong type:
    right only where the type they name is the model's own (the latest report of a note counts)."""
    named = {report.document_id: report.corrected_label for report in
             reports.filter(category=Report.Category.WRONG_TYPE).order_by("created_at")}
    return [(document.label_score, named[document.pk] == document.label) for document in documents
            if document.pk in named and document.label_score is not None]


def _coded(version: ModelVersion, day: date) -> list[tuple[float, bool]]:
    """(the classifier's score, whether it found the coded type) for the day's notes that came with a coded
    type it knows: production never asks the classifier about them, so they are scored here."""
    notes = list(Document.objects.filter(classifier=version, status=Document.Status.DONE, label_source="coded",
                                         created_at__date=day).exclude(label="").order_by("-created_at")
                 .values_list("deidentified_text", "label")[:CODED_SAMPLE])
    if not notes:
        return []
    try:
        model = registry.load(version)
    except Exception as error:  # noqa: BLE001 - missing or changed files: no coded labels today, not a failed monitor
        logger.warning("monitor: %s not loaded for calibration (%s)", version.ref, type(error).__name__)
        return []
    known = set(getattr(model, "labels", None) or [])
    notes = [(text, label) for text, label in notes if not known or label in known]
    predictions = model.classify([text for text, _ in notes]) if notes else []
    return [(score, predicted == label) for (predicted, score), (_, label) in zip(predictions, notes)]


def _tagger_figures(version: ModelVersion, day: date, documents) -> dict:
    """Identifiers found per 1,000 characters of de-identified text, overall and by type, against the
    version's own last BASELINE_DAYS days."""
    characters = sum(len(document.deidentified_text) for document in documents)
    counts = Counter()
    for document in documents:
        counts.update(document.phi_counts or {})
    density = _per_thousand(sum(counts.values()), characters)
    figures = {"characters": characters, "identifier_counts": dict(sorted(counts.items())),
               "identifiers_per_1000_chars": density,
               "identifiers_per_1000_chars_by_type": {kind: _per_thousand(n, characters)
                                                      for kind, n in sorted(counts.items())},
               "identifier_density_shift": None, "identifier_mix_psi": None}
    earlier = DailyStatistics.objects.filter(model_version=version, day__lt=day,
                                             day__gte=day - timedelta(days=BASELINE_DAYS))
    baseline_counts, baseline_characters, baseline_documents = Counter(), 0, 0
    for row in earlier:
        baseline_counts.update(row.figures.get("identifier_counts") or {})
        baseline_characters += row.figures.get("characters") or 0
        baseline_documents += row.documents
    baseline_density = _per_thousand(sum(baseline_counts.values()), baseline_characters)
    if baseline_documents >= settings.MONITOR_MIN_DOCUMENTS and baseline_density:
        figures["identifier_density_shift"] = round((density - baseline_density) / baseline_density, 4)
        figures["identifier_mix_psi"] = population_stability_index(baseline_counts, counts)
    return figures


def _per_thousand(count: int, characters: int) -> float:
    return round(1000 * count / characters, 3) if characters else 0.0


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
