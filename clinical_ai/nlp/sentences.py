"""Sentences of notes and summaries, for grounding and for cutting a draft after its last finished sentence.

spaCy's rule-based sentencizer over its English tokenizer, line by line (a line of a note is a
sentence of its own: headers, list items). The tokenizer's exceptions keep the period of a title
or abbreviation inside its token ("Mr.", "Dr.", "Mrs."), so "Mr. [NAME] was seen" stays one sentence:
a regex on [.!?] split it and showed "Mr." as a summary sentence of its own. No model is loaded.
"""
import functools
import re

import spacy
from spacy.symbols import ORTH

_LINE = re.compile(r"[^\n]+")
_FULL_STOPS = frozenset(".!?")
# abbreviations of clinical text that spaCy's English exceptions lack ("BP approx. 120/80")
_ABBREVIATIONS = ("approx.", "Approx.")


@functools.cache
def _segmenter():
    nlp = spacy.blank("en")
    for abbreviation in _ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    nlp.add_pipe("sentencizer")
    return nlp


def _sentences(text: str):
    """(start offset of the line, spaCy sentence span) for each sentence of each line."""
    for line in _LINE.finditer(text):
        for sentence in _segmenter()(line.group()).sents:
            yield line.start(), sentence


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or line of ``text`` that holds a letter or digit, spaces excluded."""
    spans = []
    for offset, sentence in _sentences(text):
        indent = len(sentence.text) - len(sentence.text.lstrip())  # spaCy keeps leading spaces as a token
        if any(character.isalnum() for character in sentence.text):
            spans.append((offset + sentence.start_char + indent, offset + sentence.end_char))
    return spans


def complete_sentences(text: str) -> str:
    """The text up to the end of its last finished sentence (one whose last token, closing quotes and
    brackets aside, is a full stop, "!" or "?"; "Dr." is no such token); "" if no sentence was finished."""
    end = 0
    for offset, sentence in _sentences(text):
        tokens = [token for token in sentence if not (token.is_quote or token.is_bracket)]
        if tokens and tokens[-1].text in _FULL_STOPS:
            end = offset + sentence.end_char
    return text[:end].strip()
