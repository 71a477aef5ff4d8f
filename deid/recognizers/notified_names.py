"""Names before a notification or reporting word: "grace dudak aware", "Helen notified",
"ROBERT STATES". One or two name words, the first on the first-name list, right before a
word of data/name_after_words.txt.
"""
from __future__ import annotations

from deid.recognizers.lexicon import never_phi, words
from deid.recognizers.name_tokens import CueWordNameRecognizer, ends_sentence, name_word, near


class NotifiedNameRecognizer(CueWordNameRecognizer):
    def is_cue(self, lowered, index) -> bool:
        return lowered[index] in words("name_after_words")

    def names_at(self, text, tokens, lowered, index, mixed):
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
