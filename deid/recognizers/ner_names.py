"""spaCy NER entities, used only where capitalisation still carries meaning.

In mostly upper-case text (telegraphic nursing notes) spaCy tags abbreviations as
people and organisations, so its entities are ignored there. Entities must look like
proper nouns that are not clinical vocabulary; organisations count only when they name
a facility; single-word entities at a sentence start only when the word is on a name
list. ``ner_segments`` picks the sentences NER reads at all.
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER, NOT_AFTER_LETTER, title_case
from deid.nlp import mostly_upper
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import common_words, drug_names, names_device, never_phi, person_names, stop_words, words
from deid.recognizers.name_tokens import WORD, sentence_initial

_NAME = entities.NAME


class CaseAwareNerRecognizer(PreparedRecognizer):
    def __init__(self, labels: dict[str, str], score: float = 0.6):
        self.labels = labels
        self.score = score
        super().__init__(supported_entities=sorted(set(labels.values())), name="CaseAwareNerRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        if nlp_artifacts is None or mostly_upper(text):
            return []
        results = []
        for ent in nlp_artifacts.tokens.ents:
            if ent.label_ not in self.labels or not self._plausible(text, ent):
                continue
            kind = self.labels[ent.label_]
            start, end = (strip_titles(text, ent.start_char, ent.end_char) if kind == _NAME
                          else (ent.start_char, ent.end_char))
            if start < end:
                results.append(RecognizerResult(kind, start, end, self.score))
        return results

    def _plausible(self, text, ent) -> bool:
        if names_device(text, ent.end_char):
            return False  # "Miami J collar", "Philadelphia collar"
        found = WORD.findall(ent.text)
        if not _looks_like_proper_noun(ent.text):
            return False
        kind = self.labels[ent.label_]
        lowered = [w.lower() for w in found]
        if set(lowered) & drug_names() and not set(lowered) & person_names():
            return False  # "Mesalamine", "Calcium Gluconate", "Amio"
        if kind == entities.ORGANIZATION:
            # on ICU notes other organisations were lab values and units ("Mg 1.8", "Surg") 47 times in 48,
            # so an organisation counts when it names a facility or follows work words ("his business Acme")
            return bool(set(lowered) & words("facility_words")) or _after_employer_word(text, ent.start_char) \
                or _person_like(ent.text)
        if any(w in person_names() for w in lowered):
            return True
        if len(found) == 1 and sentence_initial(text, ent.start_char):
            return False
        return not any(w in never_phi() for w in lowered if w not in stop_words())


# a sentence ends at a line break or a full stop, but not after an initial or a title ("Jane A. Doe", "St. Luke's")
_SENTENCE_BREAK = re.compile(r"\n|(?<![A-Z])(?<!\b(?:St|Dr|Mr|Ms|Mt|Jr|Sr))(?<!\bMrs)[.!?]+(?=\s)")
_WORD_START = re.compile(rf"(?<![{APOSTROPHES}]){NOT_AFTER_LETTER}{LETTER}(?:{LETTER}|[{APOSTROPHES}-])+")


def ner_segments(text: str, marked: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The sentences spaCy NER needs to read: those with a capitalised word that could be a
    name, that is no clinical, stop or drug word and, first in its sentence, no dictionary
    word either ("Lungs clear." is skipped, "Seen by Dr. Marder." and "Zagaria called." are read).
    On a mixed-case nursing corpus that is about a tenth of the text, and NER is most of the cost.
    A word inside a span already ``marked`` (by the learned tagger) needs no reading: it is replaced
    whatever NER would say of it, and NER keeps only entities of such words (_plausible)."""
    segments, start = [], 0
    for end in [m.end() for m in _SENTENCE_BREAK.finditer(text)] + [len(text)]:
        if start < end and _may_name(text, start, end, marked):
            segments.append((start, end))
        start = end
    return segments


def _may_name(text: str, start: int, end: int, marked) -> bool:
    capitalised = (m for m in _WORD_START.finditer(text, start, end) if m.group()[0].isupper() and m.group()[1].islower())
    for position, word in enumerate(capitalised):
        lowered = word.group().lower()
        if lowered in never_phi() or lowered in drug_names():
            continue
        opens_sentence = position == 0 and not text[start:word.start()].strip(" \t\n\"'(-*#>:")
        if opens_sentence and lowered in common_words():
            continue
        if not any(s <= word.start() and word.end() <= e for s, e in marked):
            return True
    return False


_LINK_WORDS = re.compile(r"(?:\s+(?:at|for|by|with|as|is|was|his|her|their|own|the|a|an|of))*\s+$", re.IGNORECASE)
_WORD_BEFORE = re.compile(rf"({LETTER}+)$")


def _after_employer_word(text: str, start: int) -> bool:
    """'his business Acme', 'works at Acme': a work word, then only linking words."""
    links = _LINK_WORDS.search(text, 0, start)
    before = _WORD_BEFORE.search(text, 0, links.start() if links else start)
    return bool(links and before and before.group(1).lower() in words("employer_words"))


def _person_like(value: str) -> bool:
    """Two or three capitalised words, none a clinical or drug word and not all dictionary words:
    spaCy often calls a foreign name ("Hedvig Arvidsson") an organisation, but not "Assist Control"."""
    found = value.split()
    return 2 <= len(found) <= 3 and any(w.lower() not in common_words() for w in found) and all(
        title_case(w) and w.lower() not in never_phi() and w.lower() not in drug_names()
        for w in found)


_LEADING_TITLE = re.compile(rf"({LETTER}+)(?:\.\s*|\s+)")
_TRAILING_COUNT = re.compile(r"\s+x\d+$", re.IGNORECASE)


def strip_titles(text: str, start: int, end: int, titles: str = "honorifics") -> tuple[int, int]:
    """A person span without a leading title ("Mrs Nicholson" -> "Nicholson"; the words of
    data/<titles>.txt) or a trailing count ("x2"): a title identifies nobody and stays readable."""
    while (match := _LEADING_TITLE.match(text, start, end)) and match.group(1).lower() in words(titles):
        start = match.end()
    if trailing := _TRAILING_COUNT.search(text[start:end]):
        end = start + trailing.start()
    return start, end


def _looks_like_proper_noun(value: str) -> bool:
    """Title-case words, not all allow-listed: rules out 'abd', 'GTT', 'Lasix'."""
    found = WORD.findall(value)
    return (
        bool(found)
        and all(w[0].isupper() and not w.isupper() for w in found)
        and not all(w.lower() in never_phi() for w in found)
    )
