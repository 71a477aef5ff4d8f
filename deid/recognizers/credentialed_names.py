"""Names before a credential, in any case: "Marie Munroe RN", "Q. LANDER RRT". One word
must be on a name list, and in caseless text a name-list word or an initial must be
among them ("RIGHT GROIN PA LINE" is no name).
"""
from __future__ import annotations

from deid.recognizers.lexicon import person_names, words
from deid.recognizers.name_tokens import CueWordNameRecognizer, ends_sentence, is_initial, name_word, near

MAX_WORDS = 3


class CredentialedNameRecognizer(CueWordNameRecognizer):
    # above a "city, state" reading of the same words, so the merged span is a NAME: "John Smith, MD"
    SCORE = 0.85

    def is_cue(self, lowered, index) -> bool:
        return lowered[index] in words("credentials")

    def names_at(self, text, tokens, lowered, index, mixed):
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
