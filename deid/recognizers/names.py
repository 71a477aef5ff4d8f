"""Person names found without context: name-list words and statistical NER."""
from __future__ import annotations

import re

from presidio_analyzer import LocalRecognizer, RecognizerResult

from deid import entities
from deid.recognizers.lexicon import never_phi, person_names

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
UPPER_CASE_SHARE = 0.6


class NameListRecognizer(LocalRecognizer):
    """Words on the first/last name lists, minus the allow list. Weak alone."""

    SCORE = 0.4

    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="NameListRecognizer")

    def load(self) -> None:
        pass

    def analyze(self, text, entities=None, nlp_artifacts=None):
        names = person_names()
        return [
            RecognizerResult(self.supported_entities[0], m.start(), m.end(), self.SCORE)
            for m in _WORD.finditer(text)
            if m.group().lower() in names
        ]


class CaseAwareNerRecognizer(LocalRecognizer):
    """spaCy NER entities, used only where capitalisation still carries meaning.

    In mostly upper-case text (telegraphic nursing notes) spaCy tags
    abbreviations as people and organisations, so its entities are ignored there.
    """

    def __init__(self, labels: dict[str, str], score: float = 0.6):
        self.labels = labels
        self.score = score
        super().__init__(supported_entities=sorted(set(labels.values())), name="CaseAwareNerRecognizer")

    def load(self) -> None:
        pass

    def analyze(self, text, entities=None, nlp_artifacts=None):
        if nlp_artifacts is None or _mostly_upper(text):
            return []
        return [
            RecognizerResult(self.labels[ent.label_], ent.start_char, ent.end_char, self.score)
            for ent in nlp_artifacts.tokens.ents
            if ent.label_ in self.labels and _looks_like_proper_noun(ent.text)
        ]


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > UPPER_CASE_SHARE


def _looks_like_proper_noun(value: str) -> bool:
    """Title-case words, not all allow-listed: rules out 'abd', 'GTT', 'Lasix'."""
    words = _WORD.findall(value)
    return (
        bool(words)
        and all(w[0].isupper() and not w.isupper() for w in words)
        and not all(w.lower() in never_phi() for w in words)
    )
