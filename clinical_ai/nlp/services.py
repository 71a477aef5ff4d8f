"""Summarize and classify de-identified text with the active models, naming the versions used.

A note that arrived with a coded document type (a LOINC code mapped in data/loinc_note_types.json)
keeps that type; the classifier labels only the others. Summaries are grounded in the note
(see grounding.py) by the same sentence encoder the note-type classifier uses.
"""
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from clinical_ai.nlp import defaults, grounding, registry
from clinical_ai.nlp.classifier import SentenceEncoder
from clinical_ai.nlp.models import ModelVersion

LOINC_NOTE_TYPES = json.loads((Path(__file__).parent / "data" / "loinc_note_types.json").read_text())
CODED, MODEL = "coded", "model"


@dataclass(frozen=True)
class Analysis:
    summary: str
    label: str
    score: float
    summarizer: ModelVersion
    classifier: ModelVersion
    summary_kind: str = grounding.ABSTRACTIVE
    summary_sentences: tuple = ()  # SummarySentence.as_json() of each sentence, supported or marked
    label_source: str = MODEL


def analyze(deidentified_texts: list[str], loinc_codes: list[str] | None = None) -> list[Analysis]:
    """Only ever called with de-identified text: the models never see PHI."""
    summarizer = registry.active_version(ModelVersion.Task.SUMMARIZE)
    classifier = registry.active_version(ModelVersion.Task.CLASSIFY)
    classifier_model = registry.load(classifier)
    drafts = registry.load(summarizer).summarize(deidentified_texts)
    summaries = grounding.ground_summaries(deidentified_texts, drafts, encoder(classifier_model).embed)
    labels = note_types(classifier_model, deidentified_texts, loinc_codes or [""] * len(deidentified_texts))
    return [
        Analysis(summary.text, label, score, summarizer, classifier, summary.kind,
                 tuple(sentence.as_json() for sentence in summary.sentences), source)
        for summary, (label, score, source) in zip(summaries, labels)
    ]


def note_types(classifier_model, texts: list[str], loinc_codes: list[str]) -> list[tuple[str, float, str]]:
    """(label, score, label_source) per note: the coded type where there is one, else the classifier's."""
    coded = [LOINC_NOTE_TYPES.get((code or "").strip(), "") for code in loinc_codes]
    uncoded = [text for text, label in zip(texts, coded) if not label]
    predicted = iter(classifier_model.classify(uncoded) if uncoded else [])
    return [(label, 1.0, CODED) if label else (*next(predicted), MODEL) for label in coded]


def encoder(classifier_model) -> SentenceEncoder:
    """The classifier's own sentence encoder when it has one, else the default encoder (loaded once)."""
    return getattr(classifier_model, "encoder", None) or _default_encoder(str(defaults.encoder_folder()))


@functools.lru_cache(maxsize=1)
def _default_encoder(folder: str) -> SentenceEncoder:
    return SentenceEncoder(Path(folder))


def note_tokens(deidentified_texts: list[str]) -> list[int]:
    """How many tokens each note is to the active summarizer: what a batch's token budget counts."""
    tokenizer = registry.tokenizer(registry.active_version(ModelVersion.Task.SUMMARIZE))
    return [len(ids) for ids in tokenizer(deidentified_texts, add_special_tokens=False)["input_ids"]]
