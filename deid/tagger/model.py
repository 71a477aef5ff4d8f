"""Loading the trained tagger from its folder and running it over many texts at once.

The tagger proposes and the vocabulary confirms: a name or place it marks counts only
when one of its words is on no dictionary, clinical, drug or allow list (or on a name
list), and a date, number or age only when it holds a digit or a month's name. On notes
unlike its training data a statistical tagger marks ordinary words ("NEAR FUTURE",
"start rehab"); no such span survives, while unknown words it marks stay PHI.

A tagger folder (deid.tagger.folder) is named by the constructor argument or
DEID_TAGGER_DIR; with neither, or with no card in the folder, the engine runs on its
rules alone. Loading reads local files only.
"""
from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from deid import entities
from deid.letters import LETTER
from deid.nlp import mostly_upper
from deid.recognizers.lexicon import clinical_word_endings, known_words, person_names, unknown_word, word_forms, words
from deid.recognizers.ner_names import strip_titles
from deid.results import Span, trimmed
from deid.tagger.folder import CARD, MODEL, is_tagger_folder
from deid.tagger.labels import ENTITY_TYPES
from deid.tagger.vectors import load_with_vectors

ENV_VAR = "DEID_TAGGER_DIR"
SCORE = 0.6
# texts per model batch, up to this many characters: short texts ran fastest 256 to a batch,
# ICU notes 32 to a batch, both about this many characters
BATCH_CHARS = 25_000


class PhiTagger:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.card = json.loads((self.folder / CARD).read_text(encoding="utf-8"))
        self.nlp = load_with_vectors(self.folder / MODEL, self.card)
        clinical_word_endings(), _lower_case_name_words()  # read now, not on the first word that needs them

    def __repr__(self) -> str:
        return f"PhiTagger(version={self.card.get('version')!r})"

    def find(self, texts: list[str]) -> list[list[Span]]:
        """PHI spans per text, as engine entity types, each confirmed by the vocabulary."""
        # Mostly upper-case text is left to the rules, and never run through the model.
        tagged = [index for index, text in enumerate(texts) if not mostly_upper(text)]
        found: list[list[Span]] = [[] for _ in texts]
        for index, doc in zip(tagged, self._tag([texts[i] for i in tagged])):
            spans = [Span(ent.start_char, ent.end_char, ENTITY_TYPES[ent.label_], SCORE) for ent in doc.ents
                     if ent.label_ in ENTITY_TYPES and confirmed(ent.text, ENTITY_TYPES[ent.label_])]
            found[index] = [span for span in (without_edge_function_words(texts[index], span) for span in spans)
                            if span.start < span.end]
        return found

    def _tag(self, texts: list[str]):
        for batch in batches_of_characters(texts, BATCH_CHARS):
            yield from self.nlp.pipe(batch, batch_size=len(batch))


def batches_of_characters(texts: list[str], most: int) -> list[list[str]]:
    """texts in order, in consecutive batches of at most `most` characters (or one longer text)."""
    batches: list[list[str]] = []
    size = most
    for text in texts:
        if size + len(text) > most:
            batches.append([])
            size = 0
        batches[-1].append(text)
        size += len(text)
    return batches


_WORDS = re.compile(rf"{LETTER}+")
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_PROPER_NOUN_KINDS = frozenset({entities.NAME, entities.LOCATION})
_MOST_WORDS = {entities.NAME: 5, entities.LOCATION: 8}  # "Mary Ann de la Cruz", "University of ... Medical Center"

_SEPARATORS = frozenset(" \t\n,;:")
_LEADING_WORD = re.compile(rf"({LETTER}+)[\s,;:]+")
_TRAILING_WORD = re.compile(rf"[\s,;:]+({LETTER}+)$")


def without_edge_function_words(text: str, span: Span) -> Span:
    """A name or place without lower-case function words or separators at its edges, and a name without
    the credentials after it: the tagger may run a place on into the clause after it ("County Antrim,
    was"), start a name at the comma before it ("wife, Eva Nováková": replaced, "wife[NAME]") or take in
    a credential ("Marie Munroe, PhD"), a greeting ("Hi Priyanka") or a rank or office before it ("Judge
    Whitaker", "Sergeant Okonkwo-Bello": it stays readable), while "University of Michigan" keeps its "of". A personal title
    stays in the span: ASQ-PHI's gold, which trained the tagger, counts "Dr." as part of the name."""
    if span.entity_type not in _PROPER_NOUN_KINDS:
        return span
    start, end = trimmed(text, span.start, span.end, _not_separator)
    if span.entity_type == entities.NAME:
        start, end = strip_titles(text, *strip_titles(text, start, end, "greetings"), "ranks")
    while (lead := _LEADING_WORD.match(text, start, end)) and lead.group(1) in STOP_WORDS:
        start = lead.end()
    while (trail := _TRAILING_WORD.search(text, start, end)) and (
            trail.group(1) in STOP_WORDS or span.entity_type == entities.NAME and trail.group(1).lower() in words("credentials")):
        end = trail.start()
    return span if (start, end) == (span.start, span.end) else Span(start, end, span.entity_type, span.score)


def _not_separator(character: str) -> bool:
    return character not in _SEPARATORS


def confirmed(value: str, entity_type: str) -> bool:
    """Whether the vocabulary and the category's shape let a tagged value stand: a name or
    place needs an unknown word, a number the shape of its kind ("98-100" is no phone,
    "100cc" no date, "58" no age over 89)."""
    if entity_type in _PROPER_NOUN_KINDS:
        found = _WORDS.findall(value)
        if len(found) > _MOST_WORDS[entity_type]:
            return False  # a clause, not a name: "90 BPM, BUT WHEN WAKING, INCREASED HR TO 120'S"
        if entity_type == entities.LOCATION and _address(value):
            return True  # "6750 Koskikatu 25", "12 Elm Street", "64677"
        if value == value.lower():
            # Lower case says nothing about a word no list knows ("iabp", "adjust epidural"): only a listed name
            return any(word in person_names() for word in found)
        if any(word[0].islower() and word.lower() not in _lower_case_name_words() for word in found):
            return False  # in mixed case a proper noun's words are capitalised: "bilat nare insertion of NG"
        return any(_name_like(word) for word in found)
    digits = sum(char.isdigit() for char in value)
    if entity_type == entities.DATE:  # a month's name alone ("DEC") names no day
        return digits > 0 and (bool(_MONTH.search(value)) or _numeric_date(value.strip()))
    if entity_type == entities.PHONE:
        return digits >= 7 and bool(_PHONE_SHAPE.fullmatch(value.strip()))
    if entity_type == entities.AGE:
        return value.strip().isdigit() and int(value) >= 90
    if entity_type == entities.EMAIL:
        return "@" in value
    # an identifier is one token of five digits or more: "130-156/ 80's" is a range, "2200" a time
    return digits >= 5 and not _MEASUREMENT.search(value) and not re.search(r"\s|'", value.strip())


@functools.cache
def _lower_case_name_words() -> frozenset[str]:
    """The words a proper noun may hold in lower case: particles and function words ("Ludwig van
    Beethoven", "University of Michigan Hospital", "Stratford upon Avon")."""
    return words("name_particles") | words("place_particles") | frozenset(STOP_WORDS)


def _name_like(word: str) -> bool:
    """An unknown word that is no upper-case abbreviation ("CVVHDF", "NESH") and no misspelt
    dictionary word ("HEPARINZED", "Initailly"), or a listed name."""
    if word.lower() in person_names():
        return True
    lower = word.lower()
    return (unknown_word(word) and (not word.isupper() or len(word) > 6) and not _clinical_form(lower)
            and not _misspelt(lower))


_CLINICAL_FORM_FROM = 7  # "Clive", "Nigel": short words with these endings are names too


def _clinical_form(word: str) -> bool:
    """A word built the way clinical words are ("diaphoresis", "tachycardia", "hypertensive")."""
    return len(word) >= _CLINICAL_FORM_FROM and word.endswith(clinical_word_endings())


_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_MISSPELT_FROM = 8  # shorter words are one edit away from too many names ("Marder", "harder")


def _misspelt(word: str) -> bool:
    """A long word one edit (drop, swap, change or add a letter) away from a known word."""
    if len(word) < _MISSPELT_FROM:
        return False
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    edits |= {a + c + b for a, b in splits for c in _ALPHABET}
    # a known edit: one on no name list whose word or form without an s is on a list (unknown_word)
    candidates = edits - {word} - person_names()
    return not candidates.isdisjoint(known_words()) or any(
        not known_words().isdisjoint(word_forms(edit)) for edit in candidates if edit.endswith("s"))


def _numeric_date(value: str) -> bool:
    """The whole value is m/d, m/d/y, m-d-y, y-m-d with a real month and day, a year 1900-2099 or '99
    (not "15/5", "PS 10/5", "81/59/7.31", "2-3")."""
    if _YEAR.fullmatch(value):
        return True
    match = _MONTH_DAY.fullmatch(value) or _MONTH_DAY_YEAR.fullmatch(value) or _ISO.fullmatch(value)
    return bool(match) and 1 <= int(match.group("m")) <= 12 and 1 <= int(match.group("d")) <= 31


_YEAR = re.compile(r"(?:19|20)\d{2}|'\d{2}")
_MONTH_DAY = re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?:\d{2}|\d{4}))?")
_MONTH_DAY_YEAR = re.compile(r"(?P<m>\d{1,2})-(?P<d>\d{1,2})-(?:\d{2}|\d{4})")  # "2-3" is a range
_ISO = re.compile(r"\d{4}-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
# digit groups joined by spaces, dots, dashes or parentheses, a slash only after the first group
# ("617/555-1234"), an optional country code and extension: "130-140/70-80" is a range and
# "+10 TV 700 40%" ventilator settings
_PHONE_SHAPE = re.compile(r"\+?\(?\d+\)?(?:\s?/\s?)?[\d\s().-]*\d(?:\s*(?:x|ext\.?)\s*\d{1,5})?", re.IGNORECASE)
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
_STREET_NUMBER = re.compile(rf"^\d{{1,6}}\s+{LETTER}")
_STREET_WORDS = frozenset({"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "drive", "dr", "lane",
                           "ln", "way", "court", "ct", "place", "pl", "terrace", "circle", "parkway", "highway", "apt"})


def _address(value: str) -> bool:
    """A ZIP code, or a street number before a street word or a word no list knows."""
    if _ZIP.match(value):
        return True
    found = [word.lower() for word in _WORDS.findall(value)]
    return bool(_STREET_NUMBER.match(value)) and any(w in _STREET_WORDS or unknown_word(w) for w in found)
_MEASUREMENT = re.compile(r"\d\s*(?:cc|ml|mg|mcg|kg|l|units?|u|mmhg|%)\b", re.IGNORECASE)


def load_tagger(folder: str | Path | None = None) -> PhiTagger | None:
    """The tagger in folder (or DEID_TAGGER_DIR); None when none is configured or present."""
    folder = folder or os.environ.get(ENV_VAR)
    if not folder or not is_tagger_folder(folder):
        return None
    return PhiTagger(folder)
