"""Token-level evaluation against gold PHI spans (the shared/data deid format).

A token is a run of letters or digits. A gold token counts as removed when any
detected span overlaps it, whatever type we gave it (recall is type-agnostic);
a predicted token is correct when it is a gold token. Miss listings print gold
text, so they are for development corpora only, never for production data.
"""
from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from deid.context import PatientContext
from deid.results import Span

TOKEN = re.compile(r"[A-Za-z0-9]+")


@dataclass
class Tally:
    gold: int = 0
    found: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0


@dataclass
class Scores:
    notes: int = 0
    seconds: float = 0.0
    true_positive: int = 0
    gold: int = 0
    predicted: int = 0
    per_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[dict] = field(default_factory=list)

    def add(self, record: dict, spans: tuple[Span, ...]) -> None:
        text = record["text"]
        tokens = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
        gold = _covered(tokens, record["phi"], key=lambda p: (p["start"], p["end"]))
        predicted = _covered(tokens, spans, key=lambda s: (s.start, s.end))
        self.notes += 1
        self.gold += len(gold)
        self.predicted += len(predicted)
        self.true_positive += len(set(gold) & set(predicted))
        for token, phi in gold.items():
            tally = self.per_type[phi["type"]]
            tally.gold += 1
            if token in predicted:
                tally.found += 1
            else:
                self.misses.append({"id": record["id"], "type": phi["type"],
                                    "text": text[token[0]:token[1]],
                                    "context": text[max(0, token[0] - 40):token[1] + 40]})

    @property
    def recall(self) -> float:
        return self.true_positive / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0

    def summary(self) -> dict:
        return {
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "f2": round(self.f2, 4),
            "notes": self.notes,
            "gold_tokens": self.gold,
            "predicted_tokens": self.predicted,
            "notes_per_second": round(self.notes / self.seconds, 2) if self.seconds else None,
            "per_type": {
                name: {"gold_tokens": t.gold, "recall": round(t.recall, 4)}
                for name, t in sorted(self.per_type.items())
            },
        }


def _covered(tokens, spans, key) -> dict:
    """token -> the span overlapping it, for every token some span overlaps."""
    covered = {}
    for span in spans:
        start, end = key(span)
        for token in tokens:
            if token[0] < end and start < token[1]:
                covered[token] = span
    return covered


def read_gold(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(engine, records: list[dict]) -> Scores:
    scores = Scores()
    started = time.perf_counter()
    results = engine.analyze_batch(
        [r["text"] for r in records],
        [PatientContext(patient_id=r.get("patient_id")) for r in records],
    )
    scores.seconds = time.perf_counter() - started
    for record, spans in zip(records, results):
        scores.add(record, spans)
    return scores
