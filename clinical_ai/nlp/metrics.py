"""The metrics the registry records and the promotion gate compares."""
import re

from rouge_score import rouge_scorer
from sklearn.metrics import accuracy_score, f1_score

# The one number per task that promotion compares, higher is better.
GATE_METRIC = {"classify": "macro_f1", "summarize": "rougeL"}


def classification(true_labels: list[str], predicted: list[str]) -> dict:
    labels = sorted(set(true_labels))
    per_class = f1_score(true_labels, predicted, labels=labels, average=None, zero_division=0)
    return {
        "macro_f1": round(float(f1_score(true_labels, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(true_labels, predicted)), 4),
        "per_class": {label: round(float(score), 4) for label, score in zip(labels, per_class)},
        "n": len(true_labels),
    }


def rouge(references: list[str], predictions: list[str]) -> dict:
    """Mean ROUGE-1/2/L F-measure (stemmed), as fractions."""
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores = [scorer.score(reference, prediction) for reference, prediction in zip(references, predictions)]
    return {key: round(sum(score[key].fmeasure for score in scores) / len(scores), 4)
            for key in ("rouge1", "rouge2", "rougeL")} | {"n": len(scores)}


def lead_sentences(text: str, count: int = 1) -> str:
    """The lead baseline: the first sentences of the source."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return " ".join(sentences[:count])
