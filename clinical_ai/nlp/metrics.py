"""The metrics the registry records and the promotion gate compares."""

import numpy as np
from rouge_score import rouge_scorer
from sklearn.metrics import accuracy_score, f1_score

# The one number per task that promotion compares, higher is better.
GATE_METRIC = {"classify": "macro_f1", "summarize": "rougeL", "deid": "recall"}


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
    """The lead baseline: the first sentences of the source, its lines joined (the splitter summaries are
    cut with, so "Mr. [NAME] was seen." is one sentence, not "Mr.")."""
    from clinical_ai.nlp.sentences import sentence_spans  # spaCy, and with it torch: not in the web process

    joined = " ".join(text.split())
    return " ".join(joined[start:end] for start, end in sentence_spans(joined)[:count])


def bootstrap_difference(true_labels: list[str], ours: list[str], baseline: list[str], metric: str = "macro_f1",
                         resamples: int = 1000, seed: int = 13) -> dict:
    """The 95% bootstrap interval of ``metric``(ours) - ``metric``(baseline), resampling the same notes for both."""
    rng = np.random.default_rng(seed)
    truth, a, b = np.array(true_labels), np.array(ours), np.array(baseline)
    differences = []
    for _ in range(resamples):
        rows = rng.integers(0, len(truth), len(truth))
        differences.append(classification(list(truth[rows]), list(a[rows]))[metric]
                           - classification(list(truth[rows]), list(b[rows]))[metric])
    low, high = np.percentile(differences, [2.5, 97.5])
    return {"difference": round(classification(true_labels, ours)[metric] - classification(true_labels, baseline)[metric], 4),
            "low": round(float(low), 4), "high": round(float(high), 4), "resamples": resamples}


def expected_calibration_error(confidences: list[float], correct: list[bool], bins: int = 10) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by how many fall in each."""
    confidence, hit = np.asarray(confidences, dtype=float), np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    error = sum(abs(hit[index == b].mean() - confidence[index == b].mean()) * (index == b).sum()
                for b in range(bins) if (index == b).any())
    return round(float(error / len(confidence)), 4)
