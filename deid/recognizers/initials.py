"""Names by an initial. A given name, a middle initial and a surname ("Landerico B Hidalgo", "Lóa F.
Sigmundsdóttir") is a person's name by its shape, when the two words are names: each on
a name list or on no dictionary, clinical or allow list ("Hepatitis B Surface",
"Vitamin D Level" are no names). Capitalisation is the evidence, so upper-case notes
("PT A OX3") are left to the other name rules. In mixed-case text a capitalised word
before an initial with its full stop is a name too ("Frank L.", "Jack R.,").
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER, title_case
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import common_words, name_introducers, never_phi, not_a_name, person_names, unknown_word
from deid.recognizers.name_tokens import is_initial, mixed_case, tokens_of

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


class NameBeforeInitialRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="NameBeforeInitialRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        if not mixed_case(text):
            return []
        tokens, lowered = tokens_of(text)
        return [RecognizerResult(self.supported_entities[0], tokens[i].start(), tokens[i + 1].end(), SCORE)
                for i in range(len(tokens) - 1) if self._before_initial(text, tokens, lowered, i)]

    @staticmethod
    def _before_initial(text, tokens, lowered, index) -> bool:
        if not is_initial(tokens, index + 1) or lowered[index] in name_introducers():
            return False
        token = tokens[index].group()
        return (token[0].isupper() and not token.isupper() and not token.endswith(".")
                and text[tokens[index].end():tokens[index + 1].start()] == " "
                and lowered[index] not in not_a_name() and lowered[index] not in common_words())
