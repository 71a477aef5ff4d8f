"""A name that opens a sentence, known by what follows it: a verb said of a person ("Irenka
is very reliable", "Mourik began writing", "Tómas had given"), a relative of theirs ("Ekiya
and her brother", "Kaj with his wife", "Kata's mother") or, after a comma, the words that
address the person spoken to ("Danuta, can I ask you something?"). In mixed-case prose
only, for one to three capitalised words, each on a name list or on no dictionary, clinical
or drug list: "Lungs are clear", "Hct was 29", "Resp-LS clear" stay. The verbs and the
addressing words are data (person_verbs.txt, vocative_followers.txt).
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import title_case
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import not_a_name, person_names, unknown_word, words
from deid.recognizers.name_tokens import bare, sentence_initial, tokens_of
from deid.recognizers.places import case_carries_meaning

SCORE = 0.7
MAX_WORDS = 3
MIN_UNLISTED_LENGTH = 4
_NUMBER_AFTER = re.compile(r"\s*(?:a\s+|an\s+)?[<>~]?\d")
_POSSESSIVES = frozenset({"his", "her", "their"})


def _with_own_relative(lowered, index) -> bool:
    """'and her brother', 'with his wife': a relative of the words before, so they name a person."""
    return lowered[index] in ("and", "with") and index + 2 < len(lowered) \
        and lowered[index + 1] in _POSSESSIVES and lowered[index + 2] in words("family_roles")


def _name_like(token: str) -> bool:
    word = bare(token)
    lowered = word.lower()
    if not title_case(word) or lowered in not_a_name() or token.endswith("."):
        return False
    return lowered in person_names() or len(lowered) >= MIN_UNLISTED_LENGTH and unknown_word(lowered)


class SubjectNameRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="SubjectNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        if not case_carries_meaning(text):
            return []
        tokens, lowered = tokens_of(text)
        spans = []
        for index, token in enumerate(tokens):
            if sentence_initial(text, token.start()) and (end := self._name_end(text, tokens, lowered, index)):
                spans.append((token.start(), end))
        return [RecognizerResult(self.supported_entities[0], start, end, SCORE) for start, end in spans]

    @staticmethod
    def _name_end(text, tokens, lowered, first) -> int | None:
        last = first
        while True:
            if not _name_like(tokens[last].group()):
                return None
            gap = text[tokens[last].end():tokens[last + 1].start()] if last + 1 < len(tokens) else ""
            if last + 1 >= len(tokens) or gap not in (" ", ", "):
                return None
            following = lowered[last + 1]
            name_end = tokens[last].start() + len(bare(tokens[last].group()))
            if gap == " " and following in words("person_verbs") \
                    and not _NUMBER_AFTER.match(text, tokens[last + 1].end()):
                return name_end  # "Irenka is very reliable", not "Pcwp was 27"
            if gap == ", " and following in words("vocative_followers"):
                return name_end
            if gap == " " and _with_own_relative(lowered, last + 1):
                return name_end  # "Ekiya and her brother Megha arrived"
            if gap == " " and bare(tokens[last].group()) != tokens[last].group() \
                    and following in words("family_roles"):
                return name_end  # "Kata's mother, Domagoj Vidović, had moved"
            if gap != " " or last - first + 1 >= MAX_WORDS:
                return None
            last += 1
