"""The safety net for unknown words (the approach behind Philter's recall).

In a position where names are written, a capitalised or upper-case word that no
dictionary, clinical, drug or allow list knows is taken as a name, even when no name
list has it: "E. KOWALCZYK aware", "spoke with Zbigniewa", "DR. QUILLIAMS", "Szabina
Gelencsér RN". Name-bearing positions: right after a title, clinical or family role
word, an initial, a first name, a verb or greeting that addresses a person in mixed-case prose
("Ask Tomasz to", "told Ippazio", "Thanks Oluwaseun"; data/addressing_verbs.txt, data/greetings.txt; in upper case "CONTACT
PRAUUATIONS" is a typo), a verb of speaking or notifying (with "with", "to"), or "by" after
a verb of care ("SEEN BY HARUTO OKAFOR"; data/agent_verbs.txt); right
before a credential or a notification word ("aware", "notified"). On by default;
DEID_UNKNOWN_WORD_NET=0 switches it off for a deployment.
"""
from __future__ import annotations

import os
import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import name_introducers, person_names, unknown_word, words
from deid.recognizers.name_tokens import TOKEN, ends_sentence
from deid.recognizers.places import case_carries_meaning

ENV_VAR = "DEID_UNKNOWN_WORD_NET"
SCORE = 0.5
_NEAR = re.compile(r"[ \t]{1,2}|[ \t]?,[ \t]?|\.[ \t]?")
_SPEAKING_LINKS = frozenset({"with", "to", "by", "per", "from"})
# credentials that are also clinical abbreviations ("IJ PA LINE", "2L NP", "DO NOT")
_AMBIGUOUS_CREDENTIALS = frozenset({"pa", "np", "do"})
# after "seen by" a word of three letters is a service more often than a name ("SEEN BY EPS FELLOW")
_AGENT_ABBREVIATION = 3


def enabled() -> bool:
    return os.environ.get(ENV_VAR, "1").strip().lower() not in ("0", "false", "no", "off")


def _capitalised(token: str) -> bool:
    return token[0].isupper()


class UnknownWordRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="UnknownWordRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        tokens = list(TOKEN.finditer(text))
        bare = [t.group().rstrip(".") for t in tokens]
        lowered = [word.lower() for word in bare]
        addressing = words("addressing_verbs") | words("greetings") if case_carries_meaning(text) else frozenset()
        results, found = [], set()
        for index, token in enumerate(tokens):
            word = bare[index]
            if len(word) < 3 and word.lower() not in person_names() or not _capitalised(word) \
                    or not unknown_word(word):
                continue  # "IJ", "EP", "HO": two letters are an abbreviation unless a listed name
            # an unknown plain word right after one found goes on the same name: "SEEN BY HARUTO OKAFOR"
            # (not "DR. KNIGHT AWARE-ORDER")
            after_found = index - 1 in found and word.isalpha() and self._near(text, tokens, index - 1, index) \
                and not ends_sentence(tokens, index - 1)
            if after_found or self._after_cue(text, tokens, lowered, index, addressing) \
                    or self._before_cue(text, tokens, lowered, index):
                found.add(index)
                results.append(RecognizerResult(self.supported_entities[0], token.start(),
                                                token.start() + len(word), SCORE))
        return results

    @staticmethod
    def _near(text, tokens, first, second) -> bool:
        return bool(_NEAR.fullmatch(text[tokens[first].end():tokens[second].start()]))

    def _after_cue(self, text, tokens, lowered, index, addressing) -> bool:
        if index == 0 or not self._near(text, tokens, index - 1, index):
            return False
        before = lowered[index - 1]
        if before in name_introducers() or before in addressing or before in words("first_names") \
                and _capitalised(tokens[index - 1].group()) and not ends_sentence(tokens, index - 1):
            return True  # not "Dr. Martyn. Thermodilution CO"
        initial = tokens[index - 1]
        if len(before) == 1 and initial.group()[0].isupper() and initial.group().endswith(".") \
                and not (initial.start() and (text[initial.start() - 1].isalnum() or text[initial.start() - 1] in APOSTROPHES)):
            return True  # an initial with its full stop: "E. KOWALCZYK" (not "R IJ", "90'S. BP", "150K.")
        if index < 2 or before not in _SPEAKING_LINKS:
            return False
        verb = lowered[index - 2]
        return verb in words("conversation_verbs") or verb in words("name_after_words") \
            or before == "by" and verb in words("agent_verbs") and len(lowered[index]) > _AGENT_ABBREVIATION

    def _before_cue(self, text, tokens, lowered, index) -> bool:
        after = index + 1
        return after < len(tokens) and self._near(text, tokens, index, after) and (
            lowered[after] in words("credentials") and lowered[after] not in _AMBIGUOUS_CREDENTIALS
            or lowered[after] in words("name_after_words"))
