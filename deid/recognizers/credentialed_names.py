"""Names before a credential, in any case: "Marie Munroe RN", "Q. LANDER RRT". One word
must be on a name list, and in caseless text a name-list word or an initial must be
among them ("RIGHT GROIN PA LINE" is no name).
"""
from __future__ import annotations

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import person_names, words
from deid.recognizers.name_tokens import ends_sentence, is_initial, mixed_case, name_word, near, tokens_of

SCORE = 0.8
MAX_WORDS = 3


class CredentialedNameRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="CredentialedNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        tokens, lowered = tokens_of(text)
        mixed = mixed_case(text)
        spans = [span for index in range(1, len(tokens)) if lowered[index] in words("credentials")
                 for span in self._names_before(text, tokens, lowered, index, mixed)]
        return [RecognizerResult(self.supported_entities[0], start, end, SCORE) for start, end in spans]

    @staticmethod
    def _names_before(text, tokens, lowered, index, mixed):
        found = []
        cursor = index - 1
        while cursor >= 0 and len(found) < MAX_WORDS and near(text, tokens, cursor, cursor + 1):
            if ends_sentence(tokens, cursor):
                break  # "ALL IS WELL AT THIS TIME. Q. LANDER RRT"
            if name_word(tokens, lowered, cursor, mixed) or is_initial(tokens, cursor):
                found.insert(0, cursor)
                cursor -= 1
            else:
                break
        if not found or len(found) == 1 and lowered[found[0]] not in person_names():
            return []
        if not mixed and not any(lowered[i] in person_names() or is_initial(tokens, i) for i in found):
            return []  # "RIGHT GROIN PA LINE": caseless words before a credential need a listed name
        return [(tokens[found[0]].start(), tokens[found[-1]].end())]
