"""Regex recognizers declared in patterns.yaml, filtered by the allow list.

Each YAML entry becomes one ClinicalPatternRecognizer (one entity type each). A
match made only of allow-listed words (drugs, eponyms, abbreviations, common
words) is dropped, so broad context patterns do not cost precision.
"""
from __future__ import annotations

import re

import yaml
from presidio_analyzer import PatternRecognizer

from deid.recognizers.lexicon import DATA, never_phi

_WORD = re.compile(r"[A-Za-z]+")


class ClinicalPatternRecognizer(PatternRecognizer):
    def invalidate_result(self, pattern_text: str) -> bool | None:
        if any(c.isdigit() for c in pattern_text):
            return None
        found = _WORD.findall(pattern_text)
        return bool(found) and all(word.lower() in never_phi() for word in found) or None


def load_pattern_recognizers(filename: str = "patterns.yaml") -> list[ClinicalPatternRecognizer]:
    with open(DATA / filename, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)["recognizers"]
    return [ClinicalPatternRecognizer.from_dict(entry) for entry in entries if entry.get("enabled", True)]
