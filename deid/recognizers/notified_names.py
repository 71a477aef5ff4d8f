"""Names before a notification or reporting word: "grace dudak aware", "Helen notified",
"ROBERT STATES". One or two name words, the first on the first-name list, right before a
word of data/name_after_words.txt.
"""
from __future__ import annotations

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import never_phi, words
from deid.recognizers.name_tokens import ends_sentence, mixed_case, name_word, near, tokens_of

SCORE = 0.8


class NotifiedNameRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="NotifiedNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        tokens, lowered = tokens_of(text)
        mixed = mixed_case(text)
        spans = [span for index in range(1, len(tokens)) if lowered[index] in words("name_after_words")
                 for span in self._first_name_before(text, tokens, lowered, index, mixed)]
        return [RecognizerResult(self.supported_entities[0], start, end, SCORE) for start, end in spans]

    @staticmethod
    def _first_name_before(text, tokens, lowered, index, mixed):
        for size in (2, 1):
            first = index - size
            if first < 0 or not all(near(text, tokens, i, i + 1) for i in range(first, index)):
                continue
            if any(ends_sentence(tokens, i) for i in range(first, index - 1)):
                continue
            if lowered[first] in words("first_names") and lowered[first] not in never_phi() and all(
                    name_word(tokens, lowered, i, mixed) for i in range(first, index)):
                return [(tokens[first].start(), tokens[index - 1].end())]
        return []
