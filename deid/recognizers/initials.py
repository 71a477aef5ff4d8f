"""A given name, a middle initial and a surname ("Landerico B Hidalgo", "Lóa F.
Sigmundsdóttir") is a person's name by its shape, when the two words are names: each on
a name list or on no dictionary, clinical or allow list ("Hepatitis B Surface",
"Vitamin D Level" are no names). Capitalisation is the evidence, so upper-case notes
("PT A OX3") are left to the other name rules.
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER, title_case
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import never_phi, person_names, unknown_word

SCORE = 0.8
_WORD = rf"{LETTER}(?:{LETTER}|[{APOSTROPHES}-])+"
_NAME_WITH_INITIAL = re.compile(rf"(?<![\w.])(?P<given>{_WORD})[ \t]+(?P<initial>[^\W\d_a-z])\.?[ \t]+(?P<surname>{_WORD})(?![\w])")


def _name_word(word: str) -> bool:
    lowered = word.lower()
    return title_case(word) and lowered not in never_phi() and (lowered in person_names() or unknown_word(word))


class InitialNameRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="InitialNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        return [RecognizerResult(self.supported_entities[0], m.start(), m.end(), SCORE)
                for m in _NAME_WITH_INITIAL.finditer(text)
                if m["initial"].isupper() and _name_word(m["given"]) and _name_word(m["surname"])]
