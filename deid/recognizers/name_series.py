"""Names in a series: "They had 6: Gaetane, Hannah, Anthony, Derek and Andre", "visitors
were sara, mikkel & jonas". A series of three or more items (one or two words each)
joined by commas, "and" or "&" is a series of names when at least one item starts with
a name-list word and every word of every item is a name-list word or a word no
dictionary, clinical or drug list knows; in mixed-case text each word is capitalised.
Then the items nobody lists are names too (the first of a sentence, foreign names).
"Lasix, Coumadin and Heparin" or "alert, oriented and calm" are no series of names.
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import LETTER
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import person_names, unknown_word, words
from deid.recognizers.places import case_carries_meaning

SCORE = 0.7
MIN_ITEMS, MIN_LISTED = 3, 1
_WORD = re.compile(rf"{LETTER}+(?:[-'’]{LETTER}+)*")
_IN_ITEM = re.compile(r"[ \t]")
_SEPARATOR = re.compile(r"[ \t]*(?:,[ \t]*(?:(?:and|&)[ \t]+)?|[ \t]+(?:and|&)[ \t]+|[ \t]*&[ \t]*)", re.IGNORECASE)


def _items(text):
    """Runs of items: lists of (start, end, words) split at series separators."""
    series, current, previous = [], [], None
    for word in _WORD.finditer(text):
        if word.group().lower() in ("and",):
            continue
        gap = text[previous.end():word.start()] if previous else None
        if current and gap is not None and _IN_ITEM.fullmatch(gap) and len(current[-1][2]) < 2:
            start, _, found = current[-1]
            current[-1] = (start, word.end(), found + [word.group()])
        elif current and gap is not None and _SEPARATOR.fullmatch(gap):
            current.append((word.start(), word.end(), [word.group()]))
        else:
            if len(current) >= MIN_ITEMS:
                series.append(current)
            current = [(word.start(), word.end(), [word.group()])]
        previous = word
    if len(current) >= MIN_ITEMS:
        series.append(current)
    return series


def _name_like(word: str, mixed: bool) -> bool:
    if mixed and not (word[0].isupper() and (len(word) == 1 or not word[1:].isupper())):
        return False
    return len(word) > 1 and word.lower() not in words("family_roles") and unknown_word(word)


class NameSeriesRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="NameSeriesRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        mixed = case_carries_meaning(text)
        results = []
        for series in _items(text):
            for run in self._name_runs(series, mixed):
                results += [RecognizerResult(self.supported_entities[0], start, end, SCORE) for start, end, _ in run]
        return results

    @staticmethod
    def _name_runs(series, mixed):
        """The longest stretches of a series whose items are all name-like, with enough listed names."""
        runs, current = [], []
        for item in series + [None]:
            if item is not None and _name_like(item[2][0], mixed):
                start, end, found = item
                if not all(_name_like(w, mixed) for w in found):
                    end = start + len(found[0])  # "& Jonas today": the name without the prose after it
                current.append((start, end, found))
                continue
            listed = sum(item_[2][0].lower() in person_names() for item_ in current)
            if len(current) >= MIN_ITEMS and listed >= MIN_LISTED:
                runs.append(current)
            current = []
        return runs
