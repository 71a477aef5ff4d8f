"""Labelled CSV files for training and evaluation, and the fingerprint the registry keeps of them.

The registry never stores training text: only a SHA-256 over the rows used and their count.
"""
import csv
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sklearn.model_selection import train_test_split

csv.field_size_limit(1 << 24)  # clinical notes can be long


@dataclass(frozen=True)
class Example:
    text: str
    target: str  # a label for classifiers, a reference summary for summarizers


def read_examples(source: Path | TextIO, text_column: str, target_column: str, exclude_targets=(),
                  min_per_target: int = 0) -> list[Example]:
    """Rows with both columns filled, minus excluded targets, each text kept once, rare targets dropped.

    ``source`` is a CSV path or an open text stream (an upload decrypted in memory).
    Dropping repeated texts keeps one note from landing on both sides of a split.
    """
    if isinstance(source, (str, Path)):
        with open(source, newline="", encoding="utf-8") as handle:
            return read_examples(handle, text_column, target_column, exclude_targets, min_per_target)
    excluded = {value.strip() for value in exclude_targets}
    examples, seen = [], set()
    for row in csv.DictReader(source):
        text, target = (row.get(text_column) or "").strip(), (row.get(target_column) or "").strip()
        if text and target and target not in excluded and text not in seen:
            seen.add(text)
            examples.append(Example(text, target))
    if min_per_target:
        counts = _counts(example.target for example in examples)
        examples = [example for example in examples if counts[example.target] >= min_per_target]
    if not examples:
        raise ValueError(f"no usable rows for columns {text_column!r} and {target_column!r}")
    return examples


def fingerprint(examples: list[Example]) -> dict:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(example.text.encode() + b"\0" + example.target.encode() + b"\n")
    return {"sha256": digest.hexdigest(), "rows": len(examples)}


def profile(examples: list[Example], with_labels: bool) -> dict:
    """What the drift monitor compares production against: note length and (classifiers) label counts."""
    shown = length_profile([example.text for example in examples])
    return shown | ({"label_counts": _counts(example.target for example in examples)} if with_labels else {})


def length_profile(texts: list[str]) -> dict:
    """How many notes and how long: the mean and (population) standard deviation of their lengths."""
    lengths = [len(text) for text in texts]
    mean = sum(lengths) / len(lengths)
    spread = (sum((length - mean) ** 2 for length in lengths) / len(lengths)) ** 0.5
    return {"rows": len(lengths), "length_mean": round(mean, 1), "length_sd": round(spread, 1)}


def split(examples: list[Example], validation_fraction: float, seed: int, stratify: bool):
    """Train and validation lists; stratified by label for classifiers."""
    labels = [example.target for example in examples] if stratify else None
    return train_test_split(examples, test_size=validation_fraction, random_state=seed, stratify=labels)


def sample(examples: list[Example], limit: int | None, seed: int) -> list[Example]:
    if not limit or len(examples) <= limit:
        return examples
    return random.Random(seed).sample(examples, limit)


def _counts(values) -> dict:
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts
