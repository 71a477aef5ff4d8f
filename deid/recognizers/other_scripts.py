"""Words in a script other than Latin, inside a note written in English: "The applicant,
बलदेव सिंह, was born in 1970", "She lives with her partner, ناعم النجار". No English, clinical
or name list can judge such a word, and in an English note it is almost always a person's
or a place's name written in its own script (or quoted text about the patient): it is PHI.
A script without letter case (Arabic, Hebrew, Devanagari, Chinese, Thai, ...) gives no
capital to go by, so every word counts; in a cased one (Cyrillic, Greek, Armenian) a word
counts when it opens with a capital. A word needs two letters, so "μg", "Δ" and the lone
letters of mis-decoded punctuation ("withdrawn ג€“ quite") stay.
Neighbouring words joined by spaces or a hyphen make one span, so a full name is one
replacement.
"""
from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult

from deid import entities
from deid.recognizers.base import PreparedRecognizer

SCORE = 0.35  # the least that is kept: a span of a kind (a LOCATION) that covers the same words keeps its kind
_OTHER_LETTER = r"[^\P{L}\p{Latin}]"
_WORD = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}\d])(?:{_OTHER_LETTER}|\p{{M}})+(?:['’-](?:{_OTHER_LETTER}|\p{{M}})+)*(?![\p{{L}}\p{{M}}\d])"
)
_JOINT = regex.compile(r"[ \t-]{1,2}")


def _names_a_word(word: str) -> bool:
    letters = [letter for letter in word if letter.isalpha()]
    cased = any(letter.lower() != letter.upper() for letter in letters)
    return len(letters) >= 2 and (not cased or word[0].isupper())


class OtherScriptRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="OtherScriptRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        spans = []
        for match in _WORD.finditer(text):
            if not _names_a_word(match.group()):
                continue
            if spans and _JOINT.fullmatch(text[spans[-1][1]:match.start()]):
                spans[-1][1] = match.end()
            else:
                spans.append([match.start(), match.end()])
        return [RecognizerResult(self.supported_entities[0], start, end, SCORE) for start, end in spans]
