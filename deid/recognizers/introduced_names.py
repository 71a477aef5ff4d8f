"""Names in sentences that introduce a person: a note that opens with the patient's name
("lorrie morales is a 70 yr old female") and "per" with an initial before a listed name
("per d ross").
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import not_a_name, person_names
from deid.recognizers.name_tokens import WORD

SCORE = 0.8
_INTRODUCED_PATIENT = re.compile(
    r"(?:^|\n)\s*([A-Za-z][a-z'-]+(?:\s+[A-Za-z][a-z'-]+){0,2})(?=\s+is\s+an?\s+\d{1,3}\s*(?:-\s*)?(?:y|yo|yr|year))")
_PER_INITIAL = re.compile(rf"\bper\s+({LETTER}\.?\s?({LETTER}(?:{LETTER}|[{APOSTROPHES}-])+))\b", re.IGNORECASE)


class IntroducedNameRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="IntroducedNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        spans = [m.span(1) for m in _INTRODUCED_PATIENT.finditer(text)
                 if not any(w.lower() in not_a_name() for w in WORD.findall(m.group(1)))]
        spans += [m.span(1) for m in _PER_INITIAL.finditer(text) if m.group(2).lower() in person_names()]
        return [RecognizerResult(self.supported_entities[0], start, end, SCORE) for start, end in spans]
