"""Token-level evaluation against gold PHI spans, on a split nobody tunes on.

A token is a run of letters or digits of any script. A gold token counts as removed
when any detected span overlaps it, whatever type we gave it (recall is type-agnostic);
a predicted token is correct when it is a gold token. Gold spans of types that are no
PHI under Safe Harbor (presidio-research's ORGANIZATION, TITLE, ...) are neither gold
nor false positives: their tokens are left out of both counts.

Each corpus is split by patient (a presidio-research template stands for a patient:
its sentences share wording) into a tune part and a check part by a hash of the
patient id and SPLIT_SEED, so the split is fixed by the repository and stable as files
grow. Rules change only from misses on the tune part; the check part is reported, with
95% bootstrap intervals over notes, so a change within noise is not called a gain.
Miss listings print gold text, so they are for development corpora only, and never
for the check part.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from deid.context import PatientContext
from deid.results import Span

TOKEN = re.compile(r"[^\W_]+")
SPLIT_SEED = "deid-split-2026-12"
CHECK_SHARE = 0.5
BOOTSTRAP_ROUNDS = 1000
BOOTSTRAP_SEED = 20261201
# presidio-research's labels that are Safe Harbor identifiers (names, addresses and
# places smaller than a state, phones, emails, account and licence numbers, dates, IPs)
PRESIDIO_SAFE_HARBOR = frozenset({
    "PERSON", "STREET_ADDRESS", "GPE", "ZIP_CODE", "PHONE_NUMBER", "EMAIL_ADDRESS",
    "US_SSN", "US_DRIVER_LICENSE", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "DATE_TIME",
})


@dataclass
class Tally:
    gold: int = 0
    found: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0


@dataclass
class NoteCounts:
    """One note's counts, kept so that notes can be resampled."""
    true_positive: int
    gold: int
    predicted: int
    per_type: dict[str, Tally]


@dataclass
class Scores:
    notes: int = 0
    seconds: float = 0.0
    true_positive: int = 0
    gold: int = 0
    predicted: int = 0
    per_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_note: list[NoteCounts] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    def add(self, record: dict, spans: tuple[Span, ...]) -> None:
        text = record["text"]
        ignored = _covered(_tokens(text), record.get("ignore", ()), key=lambda p: (p["start"], p["end"]))
        tokens = [token for token in _tokens(text) if token not in ignored]
        gold = _covered(tokens, record["phi"], key=lambda p: (p["start"], p["end"]))
        predicted = _covered(tokens, spans, key=lambda s: (s.start, s.end))
        note = NoteCounts(len(set(gold) & set(predicted)), len(gold), len(predicted), defaultdict(Tally))
        for token, phi in gold.items():
            note.per_type[phi["type"]].gold += 1
            if token in predicted:
                note.per_type[phi["type"]].found += 1
            else:
                self.misses.append({"id": record["id"], "type": phi["type"],
                                    "text": text[token[0]:token[1]],
                                    "context": text[max(0, token[0] - 40):token[1] + 40]})
        self.notes += 1
        self.true_positive += note.true_positive
        self.gold += note.gold
        self.predicted += note.predicted
        for name, tally in note.per_type.items():
            self.per_type[name].gold += tally.gold
            self.per_type[name].found += tally.found
        self.per_note.append(note)

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

    def intervals(self, rounds: int = BOOTSTRAP_ROUNDS, seed: int = BOOTSTRAP_SEED) -> dict:
        """95% percentile bootstrap intervals, resampling notes with replacement."""
        if not self.per_note:
            return {}
        types = sorted(self.per_type)
        totals = _resampled_totals([self.note_counts(types)], rounds, seed)[0]
        return {name: _interval(_ratios(totals, name, types)) for name in ("recall", "precision", *types)}

    def note_counts(self, types: list[str]) -> np.ndarray:
        """One row per note: true positives, gold, predicted, then found and gold tokens of each type."""
        return np.array([[n.true_positive, n.gold, n.predicted]
                         + [n.per_type[t].found if t in n.per_type else 0 for t in types]
                         + [n.per_type[t].gold if t in n.per_type else 0 for t in types]
                         for n in self.per_note], dtype=np.int64).reshape(-1, 3 + 2 * len(types))

    def summary(self) -> dict:
        ci = self.intervals()
        return {
            "recall": round(self.recall, 4),
            "recall_ci95": ci.get("recall"),
            "precision": round(self.precision, 4),
            "precision_ci95": ci.get("precision"),
            "f2": round(self.f2, 4),
            "notes": self.notes,
            "gold_tokens": self.gold,
            "predicted_tokens": self.predicted,
            "notes_per_second": round(self.notes / self.seconds, 2) if self.seconds else None,
            "per_type": {
                name: {"gold_tokens": t.gold, "recall": round(t.recall, 4), "recall_ci95": ci.get(name)}
                for name, t in sorted(self.per_type.items())
            },
        }


def paired_difference(first: Scores, second: Scores, rounds: int = BOOTSTRAP_ROUNDS,
                      seed: int = BOOTSTRAP_SEED) -> dict:
    """second minus first, for recall, precision and each type's recall, with a 95% bootstrap interval.

    Both engines scored the same notes in the same order, and each resample draws the same notes for both,
    so the interval is that of the difference itself: a change whose interval holds 0 is within noise.
    """
    if len(first.per_note) != len(second.per_note):
        raise ValueError("the two scores are not of the same notes")
    types = sorted(set(first.per_type) | set(second.per_type))
    if not first.per_note:
        return {}
    counts = [scores.note_counts(types) for scores in (first, second)]
    resampled = _resampled_totals(counts, rounds, seed)
    whole = [c.sum(axis=0, keepdims=True) for c in counts]
    result = {}
    for name in ("recall", "precision", *types):
        point = _ratios(whole[1], name, types)[0] - _ratios(whole[0], name, types)[0]
        result[name] = {"difference": round(float(point), 4),
                        "ci95": _interval(_ratios(resampled[1], name, types) - _ratios(resampled[0], name, types))}
    return result


def _resampled_totals(counts: list[np.ndarray], rounds: int, seed: int) -> list[np.ndarray]:
    """Column totals of `rounds` resamples of the notes (rows), the same rows drawn for each array."""
    samples = np.random.default_rng(seed).integers(0, len(counts[0]), size=(rounds, len(counts[0])))
    return [c[samples].sum(axis=1) for c in counts]


def _ratios(totals: np.ndarray, name: str, types: list[str]) -> np.ndarray:
    """recall, precision or one type's recall from rows of note_counts totals (1.0 where nothing to count)."""
    if name == "recall":
        found, total = totals[:, 0], totals[:, 1]
    elif name == "precision":
        found, total = totals[:, 0], totals[:, 2]
    else:
        offset = types.index(name)
        found, total = totals[:, 3 + offset], totals[:, 3 + len(types) + offset]
    return np.where(total > 0, found / np.maximum(total, 1), 1.0)


def _interval(values: np.ndarray) -> list[float]:
    low, high = np.percentile(values, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


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
    """Records in the shared/data deid JSONL format, or presidio-research's JSON list."""
    with open(path, encoding="utf-8") as handle:
        content = handle.read()
    if content.lstrip().startswith("["):
        return [_from_presidio(index, item) for index, item in enumerate(json.loads(content))]
    return [json.loads(line) for line in content.splitlines() if line.strip()]


def _from_presidio(index: int, item: dict) -> dict:
    spans = [{"start": s["start_position"], "end": s["end_position"], "type": s["entity_type"]}
             for s in item["spans"]]
    template = item.get("template_id")
    return {
        "id": f"presidio-{index}",
        "patient_id": f"template-{template}" if template is not None else f"presidio-{index}",
        "text": item["full_text"],
        "phi": [s for s in spans if s["type"] in PRESIDIO_SAFE_HARBOR],
        "ignore": [s for s in spans if s["type"] not in PRESIDIO_SAFE_HARBOR],
    }


def split_part(record: dict) -> str:
    """'tune' or 'check', from a hash of the record's patient (or its own id) and SPLIT_SEED."""
    group = str(record.get("patient_id") or record["id"])
    digest = hashlib.sha256(f"{SPLIT_SEED}:{group}".encode()).digest()
    return "check" if int.from_bytes(digest[:8], "big") / 2**64 < CHECK_SHARE else "tune"


def select(records: list[dict], part: str | None) -> list[dict]:
    """The records of one split part ('tune' or 'check'); all of them for None."""
    return records if part is None else [r for r in records if split_part(r) == part]


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
