"""Clinical phrases that look like proper names but identify nobody, kept in clear.

Guarantee: only the characters of these phrases are taken out of detected spans, so a
span that also covers a real identifier keeps that part. The phrases:
- an eponym before its head word ("Hasson technique", "Murphy's sign"; data/eponym_heads.txt), but
  not a name after a title or a first name: "Mr. Kowalczyk's disease progressed", "Lucy Barrett's
  tumor" are a patient's;
- a compass word naming a ward after a floor number ("4 West", "11 EAST", "4B West");
- specialty words before a unit word ("Cardiology clinic", "Oncology Department";
  data/specialties.txt, data/unit_words.txt), unless a proper noun comes first: "Mayo
  Clinic" and "Denver Neurology Clinic" are facilities and stay PHI.
"""
from __future__ import annotations

import functools
import re

from deid.letters import APOSTROPHES, LETTER, title_case
from deid.recognizers.lexicon import alternatives, stop_words, unknown_word, words
from deid.recognizers.name_tokens import sentence_initial
from deid.results import Span, trimmed

_WARD = re.compile(r"(?:(?<=\b\d\s)|(?<=\b\d\d\s)|(?<=\b\d[a-z]\s)|(?<=\b\d\d[a-z]\s))(?:north|south|east|west)\b",
                   re.IGNORECASE)


@functools.cache
def _eponym() -> re.Pattern:
    return re.compile(rf"(?<![\w-]){LETTER}(?:{LETTER}|-)*(?:[{APOSTROPHES}]s)?(?=\s+(?:{alternatives('eponym_heads')})\b)",
                      re.IGNORECASE)


@functools.cache
def _department() -> re.Pattern:
    return re.compile(rf"\b(?:(?:{alternatives('specialties')})\s+)+(?:{alternatives('unit_words')})\b",
                      re.IGNORECASE)


def protected_ranges(text: str) -> list[tuple[int, int]]:
    found = [m.span() for m in _eponym().finditer(text) if m.group()[0].isupper() and not _person_before(text, m.start())]
    found += [m.span() for m in _WARD.finditer(text)]
    found += [m.span() for m in _department().finditer(text) if not _named_before(text, m.start())]
    return found


_WORD_BEFORE = re.compile(rf"({LETTER}(?:{LETTER}|[{APOSTROPHES}.-])*)[ \t]+$")
_LETTERS = re.compile(rf"{LETTER}+")


def _word_before(text: str, start: int) -> str:
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    return before.group(1) if before else ""


def _person_before(text: str, start: int) -> bool:
    """A title ("Mr.", "Dr") or a listed first name in title case ("Lucy", the "Ann" of "Mary-Ann") right
    before the word."""
    word = (_LETTERS.findall(_word_before(text, start)) or [""])[-1]
    return word.lower() in words("honorifics") or title_case(word) and word.lower() in words("first_names")


def _named_before(text: str, start: int) -> bool:
    """'Denver Neurology Clinic', 'City Health Clinic': a capitalised word that is no stop
    word before the specialty makes the phrase a facility's proper name."""
    before = _word_before(text, start)
    return bool(before) and before[0].isupper() and before.lower() not in stop_words()


def without_clinical_phrases(text: str, spans: list[Span]) -> list[Span]:
    """spans less the characters of clinical phrases; pieces left without a letter or digit go, and so does
    a dictionary word that opens a sentence, cut from the phrase after it: NER's "Known Guillain-Barré"
    leaves "Known", "Recurrent Bell's palsy" leaves "Recurrent". A facility of dictionary words stays PHI:
    "go to Sacred Heart Vital signs stable" leaves "Sacred Heart"."""
    protected = protected_ranges(text)
    if not protected:
        return spans
    kept = []
    for span in spans:
        pieces = [(span.start, span.end)]
        for start, end in protected:
            pieces = [part for piece in pieces for part in _subtract(piece, start, end)]
        if pieces == [(span.start, span.end)]:
            kept.append(span)  # untouched, as detected: "(206) 555-0143" keeps its bracket
            continue
        kept += [Span(s, e, span.entity_type, span.score) for s, e in (trimmed(text, *p, str.isalnum) for p in pieces)
                 if s < e and not _known_sentence_opener(text, s, e)]
    return kept


def _known_sentence_opener(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    return (not start or sentence_initial(text, start)) and word.isalpha() and not unknown_word(word)


def _subtract(piece: tuple[int, int], start: int, end: int) -> list[tuple[int, int]]:
    if end <= piece[0] or piece[1] <= start:
        return [piece]
    return [part for part in ((piece[0], start), (end, piece[1])) if part[0] < part[1]]

