"""The words at a name's edges that a name span leaves out although they belong to the name.

- A listed surname right after a listed first name, on the same line: "Best regards,\nDonald
  Brown", "Maria Sophia Pinto". A word that is both a surname and a common word ("Brown",
  "Kent", "White") is no name alone, but after a first name it is the surname. In mixed-case
  prose any title-case word there is ("Cäcilia Junk lodged", "Geir Lie, head of"), unless
  a list says it is no name ("Anna Is", "Maria Hospital").
- A lower-case particle right before the name (data/name_particles.txt): "Judge van
  Heusden", "de Wit was arrested", "Ana dos Santos"; not after a determiner ("the van").
- A surname after particles right after the name: "Pieter van der Berg", "Abdul-Rahman
  al-Rashid", "Ana María de la Cruz".
Both only widen NAME spans, and only over whole words.
"""
from __future__ import annotations

import functools
import re

from deid import entities
from deid.letters import NOT_AFTER_LETTER, WORD, title_case
from deid.recognizers.lexicon import alternatives, not_a_name, words
from deid.recognizers.name_tokens import mixed_case
from deid.results import Span

_NEXT_WORD = re.compile(rf"[ ]({WORD})")
_LAST_WORD = re.compile(rf"({WORD})$")
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|his|her|their|my|our|your|this|that)\s+$", re.IGNORECASE)


@functools.cache
def _particle_surname() -> re.Pattern:
    particle = alternatives("name_particles")
    return re.compile(rf"[ ](?:(?:{particle}) )*(?:{particle})[ -](?P<surname>{WORD})")


@functools.cache
def _particle_before() -> re.Pattern:
    return re.compile(rf"{NOT_AFTER_LETTER}(?:{alternatives('name_particles')}) $")


def with_name_edges(text: str, spans: list[Span]) -> list[Span]:
    mixed = mixed_case(text)
    return [_widened(text, span, mixed) if span.entity_type == entities.NAME else span for span in spans]


def _widened(text: str, span: Span, mixed: bool) -> Span:
    start, end = span.start, span.end
    while (last := _LAST_WORD.search(text, 0, end)) and last.group().lower() in words("first_names") \
            and (following := _NEXT_WORD.match(text, end)) and _surname(following.group(1), mixed):
        end = following.end()
    while (following := _particle_surname().match(text, end)) and title_case(following.group("surname")):
        end = following.end()
    while (before := _particle_start(text, start)) is not None:
        start = before
    return span if (start, end) == (span.start, span.end) else Span(start, end, span.entity_type, span.score)


def _particle_start(text: str, start: int) -> int | None:
    """Where a particle right before start begins, unless a determiner comes before it."""
    particle = _particle_before().search(text[max(0, start - 8):start])
    if particle is None:
        return None
    begin = start - len(particle.group())
    return None if _DETERMINER_BEFORE.search(text[max(0, begin - 8):begin]) else begin


def _surname(word: str, mixed: bool) -> bool:
    lowered = word.lower()
    return title_case(word) and (mixed or lowered in words("last_names")) and lowered not in not_a_name() \
        and lowered not in words("facility_words")
