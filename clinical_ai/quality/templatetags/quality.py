"""What the report controls on a document page need: the summary cut into sentences with their offsets."""
import re

from django import template

from clinical_ai.quality import monitoring
from clinical_ai.quality.models import Report
from clinical_ai.quality.reports import CATEGORIES

register = template.Library()
# Summaries made before grounding are cut here, in the web process, which must not load spaCy (importing it
# imports torch through thinc): not nlp.sentences, but a full stop before a space, unless after a title or initial.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|vs|approx|e\.g|i\.e)|\b[A-Z])\.$")


@register.simple_tag
def summary_sentences(document) -> list[dict]:
    """(start, end, text) of each summary sentence; the grounded sentences when the summary keeps them."""
    summary = document.summary or ""
    # Documents summarized before grounding kept no sentences: their summary is cut here instead.
    texts = [sentence["text"] for sentence in document.summary_sentences] if document.summary_sentences else None
    sentences, cursor = [], 0
    for text in texts if texts is not None else _sentences(summary):
        text = text.strip()
        start = summary.find(text, cursor) if text else -1
        if start < 0:
            continue
        sentences.append({"start": start, "end": start + len(text), "text": text})
        cursor = start + len(text)
    return sentences


def _sentences(summary: str) -> list[str]:
    sentences = []
    for piece in SENTENCE_END.split(summary.strip()):
        if sentences and ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return sentences


@register.simple_tag
def report_categories(target: str) -> list[tuple[str, str]]:
    labels = dict(Report.Category.choices)
    return [(category, labels[category]) for category in CATEGORIES[target]]


@register.simple_tag
def identifier_types() -> list[tuple[str, str]]:
    return Report._meta.get_field("identifier_type").choices


@register.inclusion_tag("quality/model_monitor.html")
def model_monitor(version, days: int = 30):
    """The monitor's series for one version as charts, and its flagged days."""
    return {"version": version, **monitoring.charts_for(version, days)}
