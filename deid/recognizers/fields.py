"""Names in labelled fields: the value of "Patient name:", "Guarantor:", "Name:" and of a
table column headed by such a label is a person's name, whatever its letters.

A form field says what its value is, so no name list, dictionary or capitalisation is
asked: "Patient name: Luis Hernández-García" and "Name: Rose White" are names. The value
runs over name words (letters of any script, hyphens, apostrophes, initials, "Doe, Jane")
and stops at the line's end, a cell or field separator, a digit or the next label.
The labels are data (data/name_field_labels.txt).
"""
from __future__ import annotations

import functools
import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER, title_case
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import common_words, person_names, unknown_word, words
from deid.recognizers.name_tokens import word_ends_sentence

SCORE = 0.95
MAX_WORDS = 4
_NAME_WORD = re.compile(rf"{LETTER}(?:{LETTER}|[{APOSTROPHES}-])*\.?")
_BETWEEN_WORDS = re.compile(r" ?, ?| ")
_CELL = re.compile(r"\t|\s*\|\s*")
_RULE = re.compile(r"^[\s|:+-]*$")  # a markdown table's header rule "|---|:--|"


@functools.cache
def _label_pattern() -> re.Pattern:
    labels = sorted(words("name_field_labels"), key=len, reverse=True)
    alternatives = "|".join(re.escape(label).replace(r"\ ", r"\s+").replace("'", f"[{APOSTROPHES}]")
                            for label in labels)
    # a field starts a line, a cell, a clause or a sentence: "Procedure name:" is no name field
    return re.compile(rf"(?:^|(?<=[\t|;,(.])|(?<=  ))[ \t]*(?:{alternatives})\s*:[ \t]*",
                      re.IGNORECASE | re.MULTILINE)


def _is_label(cell: str) -> bool:
    return " ".join(cell.lower().rstrip(":").split()) in words("name_field_labels")


def name_value(text: str, start: int, end: int | None = None) -> tuple[int, int] | None:
    """The span of the name words that begin at start, or None when there are none."""
    end = len(text) if end is None else end
    cursor, last = start, None
    for _ in range(MAX_WORDS):
        word = _NAME_WORD.match(text, cursor, end)
        if not word or text.startswith(":", word.end()) or _is_label(word.group()) \
                or word.group().rstrip(".").lower() in words("credentials"):
            break  # "Jane Doe DOB:", "J. Smith, MD": the next label or a credential ends the name
        last = word.end()
        if word_ends_sentence(word.group()):
            break  # "Patient name: Luis Hernández-García. Seen 03/14": the sentence ends with the name
        gap = _BETWEEN_WORDS.match(text, last, end)
        if not gap or gap.end() == last:
            break
        cursor = gap.end()
    if last is None or all(_clinical_word(w) for w in text[start:last].split()):
        return None  # "Attending: Cardiology": a clinical word, not a name
    if text[last - 1] == "." and len(text[start:last].split()[-1]) > 2:
        last -= 1  # a full stop after the name, not an initial's
    return start, last


def _clinical_word(word: str) -> bool:
    """A clinical or dictionary word that is on no name list ("Cardiology", "Unknown")."""
    word = word.lower().strip(".,")
    return word in words("allow_words") or word in common_words()


class LabelledNameRecognizer(PreparedRecognizer):
    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="LabelledNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        spans = [span for label in _label_pattern().finditer(text)
                 if (span := name_value(text, label.end()))]
        spans += self._table_cells(text)
        return [RecognizerResult(self.supported_entities[0], start, end, SCORE) for start, end in spans]

    @staticmethod
    def _table_cells(text: str) -> list[tuple[int, int]]:
        """Cells under a name header, in tables with | or tab between cells, until a blank line."""
        spans: list[tuple[int, int]] = []
        columns: list[int] = []
        offset = 0
        for line in text.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            if not body.strip():
                columns = []
            elif _CELL.search(body) and not _RULE.match(body):
                cells = _cells(body)
                if any(_is_label(cell) for _, cell in cells):
                    columns = [i for i, (_, cell) in enumerate(cells) if _is_label(cell)]
                else:
                    for index in columns:
                        if index < len(cells) and (found := name_value(body, cells[index][0])):
                            spans.append((offset + found[0], offset + found[1]))
            offset += len(line)
        return spans


def _cells(line: str) -> list[tuple[int, str]]:
    """(start, text) of each cell of a table row; the | that opens or closes a row opens no cell."""
    lead = re.match(r"\s*\|\s*", line)
    start = lead.end() if lead else 0
    cells = []
    for separator in _CELL.finditer(line, start):
        cells.append((start, line[start:separator.start()]))
        start = separator.end()
    if line[start:].strip():
        cells.append((start, line[start:]))
    return cells


# a speaker's turn: one or two words at a line's start, a colon, then what was said
_SPEAKER = re.compile(rf"^[ \t>]*(?P<name>{LETTER}(?:{LETTER}|[{APOSTROPHES}-])*(?:[ \t]{LETTER}(?:{LETTER}|[{APOSTROPHES}-])*)?)"
                      r"[ \t]*:[ \t]*(?=[\"“'‘]|[^\W\d_])", re.MULTILINE)


class SpeakerNameRecognizer(PreparedRecognizer):
    """The speaker of a transcript's turn ("Koppány: "Who are you?"", "Éva: What a wife.")
    is a name when each of its words is one: on a name list, or capitalised and on no
    dictionary, clinical or allow list. A section header is no speaker: "Neuro:", "Plan:"
    and "Integ:" are known words, and "CV:", "NEURO:" or "dispo:" say nothing by their case."""

    def __init__(self):
        super().__init__(supported_entities=[entities.NAME], name="SpeakerNameRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        return [RecognizerResult(self.supported_entities[0], m.start("name"), m.end("name"), SCORE)
                for m in _SPEAKER.finditer(text) if all(_speaker_word(w) for w in m.group("name").split())]


def _speaker_word(word: str) -> bool:
    if word.lower() in person_names():
        return True
    parts = re.split(rf"[{APOSTROPHES}-]", word)
    return all(len(part) > 1 for part in parts) and title_case(word) and unknown_word(word) \
        and not _is_label(word)  # "C-V:" is cardiovascular
