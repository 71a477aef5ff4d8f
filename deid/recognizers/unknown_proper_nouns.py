"""Capitalised words that no dictionary knows, inside a sentence of mixed-case prose:
"Why is Natasja so impulsive?", "Unlike the Ruoho novel". Where writers capitalise only
names and sentence starts, a capitalised word inside a sentence that is on no English,
clinical, drug or allow list and that spaCy takes for an entity of any proper-noun kind
(data/proper_noun_labels.txt: it often calls a foreign given name an organisation) is a
proper noun, and in a note most proper nouns are names.
Clinical words by their endings ("Lobectomy", data/clinical_word_endings.txt), short
words ("Hct"), words glued to a digit ("80Mcg") and upper-case abbreviations stay. A
hyphenated word counts when each part is in title case and one is unknown ("the mayor of
Frýdek-Místek"); "Resp-LS" and "Non-Hodgkin" stay, and an eponym before its head word
("Guillain-Barré syndrome") is clinical (deid.clinical_phrases).
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import LETTER, title_case
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import clinical_word_endings, names_device, person_names, unknown_word, words
from deid.recognizers.name_tokens import bare, sentence_initial
from deid.recognizers.places import case_carries_meaning

SCORE = 0.6
MIN_LENGTH = 4
_PART = rf"{LETTER}(?:{LETTER}|['’](?={LETTER}))+"
_WORD = re.compile(rf"(?<![\w'’/-]){_PART}(?:-{_PART})*(?![\w/-])")


class UnknownProperNounRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="UnknownProperNounRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        if nlp_artifacts is None or not case_carries_meaning(text):
            return []
        labels = {label.lower() for label in words("proper_noun_labels")}
        confirmed = [(e.start_char, e.end_char) for e in nlp_artifacts.tokens.ents if e.label_.lower() in labels]
        return [RecognizerResult(self.supported_entities[0], m.start(), m.start() + len(bare(m.group())), SCORE)
                for m in _WORD.finditer(text)
                if any(s <= m.start() and m.end() <= e for s, e in confirmed) and self._proper_noun(text, m)]

    @staticmethod
    def _proper_noun(text, match) -> bool:
        word = match.group()
        if len(word) < MIN_LENGTH or not title_case(word) or word.lower() in person_names():
            return False  # listed names are the name-list rules' to judge
        if names_device(text, match.end()) or word.lower().endswith(clinical_word_endings()):
            return False  # "Miami J collar", "Lobectomy", "Enterococcus"
        parts = word.split("-")
        if len(parts) > 1 and any(part.lower() in person_names() for part in parts):
            return False  # "Jean-Pierre", "Stevens-Johnson": the name-list rules judge listed names
        return any(unknown_word(part) for part in parts) and not sentence_initial(text, match.start())
