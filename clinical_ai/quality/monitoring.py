"""What the models page shows of the monitor: each figure of a version as a chart over the last days."""
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from clinical_ai.quality.charts import line_chart
from clinical_ai.quality.models import DailyStatistics
from clinical_ai.quality.monitor import TWO_SIDED

# Figures drawn, in this order, with their captions.
CHARTS = {
    "note_length_mean": "Note length (characters)",
    "note_length_shift": "Length shift (validation SDs)",
    "label_psi": "Label PSI vs validation",
    "mean_score": "Mean score",
    "calibration_ece": "Calibration error (ECE, labelled notes)",
    "calibration_gap": "Calibration gap (proxy: days without labelled notes)",
    "summary_words_mean": "Summary length (words)",
    "unsupported_rate": "Unsupported sentences",
    "fallback_rate": "Fallback summaries",
    "identifiers_per_1000_chars": "Identifiers per 1,000 characters",
    "identifier_density_shift": "Identifier density vs last 14 days",
    "identifier_mix_psi": "Identifier type PSI vs last 14 days",
    "report_rate": "Reports per document",
}
# Figures held per kind (name -> {kind: value}), drawn as one chart per kind.
CHARTS_BY_KIND = {"identifiers_per_1000_chars_by_type": "{} per 1,000 characters"}


def charts_for(version, days: int) -> dict:
    since = timezone.localdate() - timedelta(days=days)
    rows = list(DailyStatistics.objects.filter(model_version=version, day__gte=since).order_by("day"))
    charts = []
    for name, title in CHARTS.items():
        points = [(row.day.isoformat(), row.figures[name]) for row in rows if row.figures.get(name) is not None]
        if points:
            charts.append(line_chart(title, points, settings.MONITOR_THRESHOLDS.get(name), two_sided=name in TWO_SIDED))
    for name, title in CHARTS_BY_KIND.items():
        kinds = sorted({kind for row in rows for kind in row.figures.get(name) or {}})
        for kind in kinds:
            points = [(row.day.isoformat(), (row.figures.get(name) or {}).get(kind, 0)) for row in rows
                      if row.figures.get(name) is not None]
            charts.append(line_chart(title.format(kind), points))
    flagged = [row for row in rows if row.flags]
    return {"charts": charts, "flagged": flagged, "days": len(rows)}
