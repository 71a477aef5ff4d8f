"""Regex recognizers declared in patterns.yaml, filtered by the allow list.

Each YAML entry becomes one ClinicalPatternRecognizer (one entity type each). A
match made only of allow-listed words (drugs, eponyms, abbreviations, common
words) is dropped, so broad context patterns do not cost precision. Matches of
proper-noun kinds (names, places, organisations) are also trimmed: leading and
trailing allow-listed words are cut off, and a facility name starts after the
last common word before it ("transferred from Memorial Hospital" keeps
"Memorial Hospital").

Patterns run without Presidio's per-pattern regex timeout and explanation objects,
which cost a quarter of their matching time: like every other deid rule they are
ours, written against backtracking and tested.
"""
from __future__ import annotations

import functools
import re

import regex
import yaml
from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER, title_case
from deid.recognizers.lexicon import DATA, alternatives, listed_names, never_phi, stop_words

_WORD = re.compile(rf"{LETTER}+")
_TOKEN = re.compile(rf"[^\W_](?:[^\W_]|[{APOSTROPHES}-])*")
PROPER_NOUN_KINDS = {entities.NAME, entities.ORGANIZATION, entities.LOCATION}


class ClinicalPatternRecognizer(PatternRecognizer):
    """A YAML pattern recognizer. An optional `requires` list (regexes, matched
    case-insensitively at a word start) gates the whole recognizer: when none
    occurs in the text, its patterns are not run at all. Every pattern of a gated
    recognizer must need one of those words (as its context lookbehind does), so
    the gate saves time and never changes what is found."""

    requires: re.Pattern | None = None
    # Names read after a title or a relative: there a common word or an eponym that is also a name
    # (common_name_words.txt, the name lists) is the name when written in title case ("Ms Baker said",
    # "Mrs. Hope", "Dr. Babinski"), not in upper case ("DR WILL SEE")
    title_case_names: bool = False

    def allowed(self, word: str) -> bool:
        """Whether the word as written is one that alone is never PHI here."""
        lowered = word.lower()
        if self.title_case_names and title_case(word) and lowered in listed_names():
            return False
        return lowered in never_phi()

    def invalidate_result(self, pattern_text: str) -> bool | None:
        # a date is told by its grammar, not by unknown words: "the twenty-first of June", "Good Friday"
        if any(c.isdigit() for c in pattern_text) or self.supported_entities[0] == entities.DATE:
            return None
        found = _WORD.findall(pattern_text)
        return bool(found) and all(self.allowed(word) for word in found) or None

    def analyze(self, text, entities=None, nlp_artifacts=None, regex_flags=None):
        if self.requires is not None and not self.requires.search(text):
            return []
        results = self.matches(text, regex_flags or self.global_regex_flags)
        if self.supported_entities[0] not in PROPER_NOUN_KINDS:
            return results
        return [trimmed for result in results if (trimmed := trim_proper_noun(text, result, self.allowed))]

    def matches(self, text: str, flags: int) -> list[RecognizerResult]:
        """What PatternRecognizer.analyze finds: each pattern's non-empty matches at its
        score, less those invalidate_result rejects, without duplicates."""
        entity_type = self.supported_entities[0]
        return EntityRecognizer.remove_duplicates([
            RecognizerResult(entity_type, match.start(), match.end(), pattern.score)
            for pattern in self.patterns if pattern.score > EntityRecognizer.MIN_SCORE
            for match in _compiled(pattern.regex, flags).finditer(text)
            if match.end() > match.start() and not self.invalidate_result(match.group())
        ])


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str, flags: int) -> regex.Pattern:
    return regex.compile(pattern, flags)


def trim_proper_noun(text: str, result: RecognizerResult, allowed) -> RecognizerResult | None:
    """The result without the words allowed(word) keeps (the recognizer's never-PHI words) at its edges; None
    when nothing is left."""
    tokens = [(m.start(), m.end(), m.group().lower().strip("'-"), allowed(m.group().strip("'-")))
              for m in _TOKEN.finditer(text, result.start, result.end)]
    if result.entity_type == entities.ORGANIZATION:
        # "FROM MEMORIAL HOSPITAL": the name starts after the last common word.
        last_stop = max((i for i, (_, _, w, _) in enumerate(tokens[:-1]) if w in stop_words()), default=-1)
        tokens = tokens[last_stop + 1:]
    while tokens and tokens[0][3] and not _keeps_title(text, tokens):
        tokens.pop(0)
    # a location keeps its tail: "12 Elm St", "Dallas, TX"
    while tokens and tokens[-1][3] and not tokens[-1][2].isdigit() and result.entity_type != entities.LOCATION:
        tokens.pop()
    if not tokens or all(kept or w in _FACILITY_WORDS for _, _, w, kept in tokens):
        return None
    start, end = tokens[0][0], tokens[-1][1]
    if end < result.end and text[end:end + 1] == "." and len(tokens[-1][2]) == 1:
        end += 1  # keep an initial's dot
    result.start, result.end = start, end
    return result


def _keeps_title(text: str, tokens) -> bool:
    """A leading "St." or "Mt." is part of a place's name ("St. Mary's"); a personal
    title ("Dr.", "Mrs.") is not PHI and stays visible before the replaced name."""
    start, end, word, _ = tokens[0]
    return len(tokens) > 1 and word in _PLACE_TITLES and text[end:end + 1] in (".", " ")


_PLACE_TITLES = frozenset({"st", "saint", "mt", "mount"})

_FACILITY_WORDS = frozenset({
    "hospital", "hosp", "medical", "center", "med", "ctr", "health", "clinic", "system",
    "healthcare", "infirmary", "rehab", "rehabilitation", "nursing", "home", "group",
    "urgent", "care", "hospice", "agency", "prison", "jail", "penitentiary", "st", "saint", "mt", "mount",
})


def load_pattern_recognizers(filename: str = "patterns.yaml") -> list[ClinicalPatternRecognizer]:
    with open(DATA / filename, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)["recognizers"]
    return [_from_entry(entry) for entry in entries if entry.get("enabled", True)]


_LIST = re.compile(r"\{([a-z_]+)\}")


def with_word_lists(pattern: str) -> str:
    """The pattern with each {name} replaced by the words of data/name.txt as alternatives,
    longest first, so a list such as the payers is kept in one file."""
    return _LIST.sub(lambda m: alternatives(m.group(1)), pattern)


def _from_entry(entry: dict) -> ClinicalPatternRecognizer:
    entry = dict(entry, patterns=[dict(p, regex=with_word_lists(p["regex"])) for p in entry.get("patterns", [])])
    requires = [with_word_lists(word) for word in entry.pop("requires", None) or []]
    title_case_names = entry.pop("title_case_names", False)
    recognizer = ClinicalPatternRecognizer.from_dict(entry)
    recognizer.title_case_names = title_case_names
    if requires:
        recognizer.requires = re.compile(r"\b(?:" + "|".join(requires) + ")", re.IGNORECASE)
    for pattern in recognizer.patterns:  # compiled now, not on the first text that passes the gate
        _compiled(pattern.regex, recognizer.global_regex_flags)
    return recognizer
