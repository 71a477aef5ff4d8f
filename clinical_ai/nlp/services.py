"""Summarize and classify de-identified text with the active models, naming the versions used."""
from dataclasses import dataclass

from clinical_ai.nlp import registry
from clinical_ai.nlp.models import ModelVersion


@dataclass(frozen=True)
class Analysis:
    summary: str
    label: str
    score: float
    summarizer: ModelVersion
    classifier: ModelVersion


def analyze(deidentified_texts: list[str]) -> list[Analysis]:
    """Only ever called with de-identified text: the models never see PHI."""
    summarizer = registry.active_version(ModelVersion.Task.SUMMARIZE)
    classifier = registry.active_version(ModelVersion.Task.CLASSIFY)
    summaries = registry.load(summarizer).summarize(deidentified_texts)
    labels = registry.load(classifier).classify(deidentified_texts)
    return [
        Analysis(summary, label, score, summarizer, classifier)
        for summary, (label, score) in zip(summaries, labels)
    ]


def note_tokens(deidentified_texts: list[str]) -> list[int]:
    """How many tokens each note is to the active summarizer: what a batch's token budget counts."""
    tokenizer = registry.tokenizer(registry.active_version(ModelVersion.Task.SUMMARIZE))
    return [len(ids) for ids in tokenizer(deidentified_texts, add_special_tokens=False)["input_ids"]]
