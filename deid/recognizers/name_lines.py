"""A person's name standing alone as a field: a line, a cell or a block part between wide
gaps or markers ("Hafþór Smárason", "Dyan van Gijn  864 Piazzetta ...", ">Oline
Mikaelsen >"), as letters, address blocks and signatures write it. The field is two to
four words, each a name-list word or a word no dictionary, clinical or drug list knows,
with name particles between them (data/name_particles.txt); the first word opens the
name; in mixed-case text each word is capitalised (upper case only when on a name list),
and in caseless text one word is on a name list. "Skin Intact", "Vanco Zosyn", "FS WNL",
"RESP CARE" are no names.
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import LETTER, title_case
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import person_names, unknown_word, words
from deid.recognizers.places import case_carries_meaning

SCORE = 0.65
MIN_WORDS, MAX_WORDS = 2, 4
_NAME_WORD = rf"{LETTER}+(?:[-'’]{LETTER}+)*\.?"
# a field: between a line start, a wide gap or a marker (>, |, ???, tab) and the next one
_FIELD = re.compile(rf"(?:^|(?<=[\n\t>|?])|(?<=  ))[ \t]*({_NAME_WORD}(?:[ ]{_NAME_WORD}){{1,{MAX_WORDS - 1}}})"
                    rf"[ \t]*(?=$|\n|\t|  |[ \t]*[>|]|[ \t]*\?\?)", re.MULTILINE)


def _name_field(value: str, mixed: bool) -> bool:
    found = value.split(" ")
    core = [w.rstrip(".") for w in found if w.lower() not in words("name_particles")]
    if not MIN_WORDS <= len(found) <= MAX_WORDS or len(core) < MIN_WORDS or found[0] != core[0]:
        return False
    initials = [w for w in core if len(w) == 1]
    names = [w for w in core if len(w) > 1]
    if mixed and not all(w[0].isupper() for w in initials) or mixed and not all(
            title_case(w) or w.isupper() and w.lower() in person_names() for w in names):
        return False  # "FS WNL": upper-case abbreviations in mixed-case text
    if len(names) < MIN_WORDS - len(initials) or not all(unknown_word(w) for w in names):
        return False
    return mixed or any(w.lower() in person_names() for w in names)


class NameLineRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="NameLineRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        mixed = case_carries_meaning(text)
        return [RecognizerResult(self.supported_entities[0], m.start(1), m.end(1), SCORE)
                for m in _FIELD.finditer(text) if _name_field(m.group(1), mixed)]
