"""Names after phrases that introduce a person, in any case: "my name is lena andersson",
"I'm Roberto's daughter", "named her Ingrid", "follow up with patricia desrosiers". The
phrases are data (data/name_cue_phrases.txt). The first word after the phrase must be on
a name list or on no dictionary, clinical or drug list, and in mixed-case text
capitalised ("I'm Zbigniewa", "my name is borna jerković"); "I'm tired", "follow up with
cardiology" stay. After a phrase that names (data/naming_phrases.txt: "named", "known as"), in mixed
case, a title-case word on a name list is the name even where it is a common word too ("a man named
Frank").
"""
from __future__ import annotations

import functools
import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, NOT_AFTER_LETTER, title_case
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import listed_names, person_names, unknown_word, words
from deid.recognizers.name_tokens import TOKEN, bare
from deid.recognizers.places import case_carries_meaning

SCORE = 0.7
MAX_WORDS = 3


@functools.cache
def _cue() -> re.Pattern:
    phrases = sorted(words("name_cue_phrases"), key=len, reverse=True)
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+").replace("'", f"[{APOSTROPHES}]") for p in phrases)
    return re.compile(rf"{NOT_AFTER_LETTER}(?P<phrase>{alternatives})[ \t]*[:,]?[ \t]+(?=\S)", re.IGNORECASE)


def _naming(phrase: str) -> bool:
    return " ".join(phrase.lower().split()) in words("naming_phrases")


def _listed_in_title_case(word: str, mixed: bool, naming: bool) -> bool:
    """After a phrase that names, in mixed case, a title-case word on a name list: "named Frank"."""
    return naming and mixed and title_case(word) and word.lower() in listed_names()


def _starts_name(word: str, mixed: bool, naming: bool = False) -> bool:
    lowered = bare(word).lower()
    if lowered in person_names():
        return not mixed or word[0].isupper()
    if _listed_in_title_case(bare(word), mixed, naming):
        return True
    return (not mixed or title_case(bare(word))) and len(lowered) > 2 and unknown_word(lowered)


def _continues_name(word: str, mixed: bool, naming: bool = False) -> bool:
    core = bare(word)
    if len(core) == 1:
        return core.isalpha() and (not mixed or core.isupper())  # a middle initial
    return (not mixed or core[0].isupper()) and unknown_word(core) or _listed_in_title_case(core, mixed, naming)


class CuedNameRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="CuedNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        mixed = case_carries_meaning(text)
        spans = [span for cue in _cue().finditer(text)
                 if (span := self._name_after(text, cue.end(), mixed, _naming(cue["phrase"])))]
        return [RecognizerResult(self.supported_entities[0], start, end, SCORE) for start, end in spans]

    @staticmethod
    def _name_after(text, start, mixed, naming):
        first = TOKEN.match(text, start)
        if not first or not _starts_name(first.group(), mixed, naming):
            return None
        end = first.start() + len(bare(first.group()))
        cursor = first
        for _ in range(MAX_WORDS - 1):
            if bare(cursor.group()) != cursor.group().rstrip(".") or not re.match(r"[ \t]", text[cursor.end():]):
                break  # a possessive ends the name ("Roberto's daughter"), so does punctuation
            following = TOKEN.match(text, cursor.end() + 1)
            if not following or not _continues_name(following.group(), mixed, naming):
                break
            cursor = following
            end = following.start() + len(bare(following.group()))
        return first.start(), end
