"""Places and facilities found by context and by a place-name gazetteer.

A gazetteer place (data/us_places.txt, data/world_places.txt, data/countries.txt) counts when the text gives
it place-like context: after "in", "from", "to", "at", "near" or before ", ST", and in
mixed-case text also when it is capitalised away from a sentence start (a country
anywhere). A facility nobody can
list ("transferred to GH", "seen at NYU Langone", "lives at Keeley House") is the
run of uncommon words after a care verb and its preposition, continued through
facility words. "Hospital in Detroit", "Hospital of Philadelphia": the place after a
facility word is taken with its preposition, as gold standards mark it.
"""
from __future__ import annotations

import functools
import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import APOSTROPHES, LETTER, title_case
from deid.nlp import mostly_upper
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import (
    DATA,
    clinical_word_endings,
    common_words,
    names_device,
    never_phi,
    person_names,
    stop_words,
    unknown_word,
    words,
)

_TOKEN = re.compile(rf"{LETTER}(?:{LETTER}|[{APOSTROPHES}]|-(?={LETTER}))*|@")  # "CALVERT-" is "CALVERT"
_APOSTROPHE = re.compile(f"[{APOSTROPHES}]")
_POSSESSIVE = re.compile(f"[{APOSTROPHES}]s$", re.IGNORECASE)
_WORD_START = re.compile(rf"\b{LETTER}{{2,}}")
CASELESS_CAPITAL_SHARE = 0.08
_UNITS_AFTER = frozenset({"er", "ew", "ed", "cath", "ccu", "icu", "micu", "sicu", "or", "hosp", "campus"})
_PREPOSITIONS = frozenset({"to", "at", "from", "into", "in", "on", "@"})
_PLACE_BEFORE = frozenset({"in", "from", "to", "at", "near", "@", "of"})
_MIN_UNKNOWN_PLACE = 4
_STATE = re.compile(r",\s*(?-i:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)\b")  # noqa: E501 - the list of state codes
# a floor after a building (" 2"), not a dose (" 2 mg", " 2L")
_WARD_NUMBER = re.compile(r" \d\b(?![.,/:]?\d)(?!\s*(?:mg|mcg|gm?|l|ml|cc|u|units?|kg|mm|cm|hrs?|h|x|%))", re.IGNORECASE)
_SPACE_ONLY = re.compile(r"\s*")
_GAP = re.compile(r"[ \t]{1,3}|[ \t]?[-.'&][ \t]?|'s[ \t]|")


def _place_word(token: str) -> str:
    """A token as the gazetteer keys it: lower case, without apostrophes ("O'Fallon", "D’Alene")
    but a possessive's ("Daniel's" is not Daniels)."""
    return _APOSTROPHE.sub("", token.lower()) if not _POSSESSIVE.search(token) else token.lower()


def _place_names(name: str) -> list[tuple[str, ...]]:
    """The place names of data/<name>.txt as word tuples, tokenized as text is ("Saint-Étienne")."""
    lines = (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    names = (tuple(map(_place_word, _TOKEN.findall(line))) for line in lines if line.strip() and not line.startswith("#"))
    return [parts for parts in names if parts and not all(p in never_phi() for p in parts)]


@functools.cache
def gazetteer() -> dict[str, tuple[tuple[str, ...], ...]]:
    """first word -> place names (towns, cities, countries) as word tuples, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for parts in _place_names("us_places") + _place_names("world_places") + _place_names("countries"):
        index.setdefault(parts[0], []).append(parts)
    return {k: tuple(sorted(set(v), key=len, reverse=True)) for k, v in index.items()}


@functools.cache
def world_towns() -> frozenset[tuple[str, ...]]:
    """Towns of data/world_places.txt only: many are surnames or given names too (Izumi,
    Assen), so a capital letter alone is no place-like context for them."""
    return frozenset(_place_names("world_places")) - frozenset(_place_names("us_places") + _place_names("countries"))


@functools.cache
def countries() -> frozenset[tuple[str, ...]]:
    """Countries whose name is no English word or given name: places wherever they stand."""
    return frozenset(parts for parts in _place_names("countries")
                     if not (len(parts) == 1 and (parts[0] in common_words() or parts[0] in person_names())))


@functools.cache
def _not_places() -> frozenset[str]:
    return words("allow_words") | words("not_places") | words("drug_names") | stop_words()


def case_carries_meaning(text: str) -> bool:
    """Mixed-case prose: not mostly upper case, and enough words capitalised that a
    lower-case word is evidence ("to quartermain" in a lower-case note with a
    stray "Dr." is still caseless)."""
    if mostly_upper(text):
        return False
    found = _WORD_START.findall(text)
    return bool(found) and sum(w[0].isupper() for w in found) / len(found) >= CASELESS_CAPITAL_SHARE


def _last_token(tokens, first, span) -> int:
    return next(i for i in range(first, len(tokens)) if tokens[i].end() == span[1])


def _unknown_place_word(token: str, word: str) -> bool:
    """A capitalised word no list knows, no person's name, no possessive and no clinical word by its ending."""
    return title_case(token) and len(word) >= _MIN_UNKNOWN_PLACE and word not in person_names() \
        and not word.endswith(("'s", "’s")) and unknown_word(word) and not word.endswith(clinical_word_endings())


def _ends_in_facility_word(lowered, first, last) -> bool:
    """A name of two words or more ending in a facility word ("sacred heart hospital", "UNION HOSP")."""
    return last > first and lowered[last] in words("facility_suffixes")


class PlaceRecognizer(PreparedRecognizer):
    SCORE = 0.7

    def __init__(self):
        super().__init__(supported_entities=[entities.LOCATION], name="PlaceRecognizer")
        countries(), world_towns()  # read now, not on the first text with a capitalised place

    def analyze(self, text, entities=None, nlp_artifacts=None):
        tokens = list(_TOKEN.finditer(text))
        lowered = [t.group().lower() for t in tokens]
        mixed = case_carries_meaning(text)
        spans = self._gazetteer_places(text, tokens, lowered, mixed)
        spans += self._facilities_after_verbs(text, tokens, lowered, mixed)
        spans += self._places_after_facilities(text, tokens, lowered, mixed)
        spans += self._facilities_in_parentheses(text, tokens, lowered, mixed)
        spans += self._towns_before_institutions(text, tokens, lowered) if mixed else []
        return [RecognizerResult(self.supported_entities[0], s, e, self.SCORE) for s, e in spans]

    @staticmethod
    def _joined(text, tokens, first, second) -> bool:
        return bool(_GAP.fullmatch(text[tokens[first].end():tokens[second].start()]))

    def _gazetteer_places(self, text, tokens, lowered, mixed):
        places = gazetteer()
        spans = []
        for index, word in enumerate(lowered):
            for parts in places.get(_place_word(word), ()):
                end = index + len(parts)
                if end > len(tokens) or tuple(map(_place_word, lowered[index:end])) != parts:
                    continue
                if not all(self._joined(text, tokens, i, i + 1) for i in range(index, end - 1)):
                    continue
                if self._place_context(text, tokens, lowered, index, end, mixed):
                    spans.append((tokens[index].start(), tokens[end - 1].end()))
                break
        return spans

    @staticmethod
    def _place_context(text, tokens, lowered, start, end, mixed) -> bool:
        after = text[tokens[end - 1].end():]
        if names_device(text, tokens[end - 1].end()):
            return False  # "Miami J collar"
        if _STATE.match(after):
            return True
        capitalised = all(t.group()[0].isupper() for t in tokens[start:end])
        if mixed and not capitalised:
            return False
        if mixed and tuple(lowered[start:end]) in countries():
            return True  # "Estonia was fun to visit"
        if start and lowered[start - 1] in _PLACE_BEFORE:
            return True
        if mixed and tuple(lowered[start:end]) not in world_towns():
            before = text[max(0, tokens[start].start() - 3):tokens[start].start()]
            return not re.search(r"(?:^|[.!?:\n])\s*$", before) and start > 0
        return False

    def _facilities_after_verbs(self, text, tokens, lowered, mixed):
        spans = []
        verbs = words("place_verbs")
        for index, word in enumerate(lowered):
            if word not in _PREPOSITIONS or index + 1 >= len(tokens):
                continue
            verb = self._verb_before(lowered, index)
            first = index + 1
            if lowered[first] == "the" and first + 1 < len(tokens):
                first += 1
            if not all(_SPACE_ONLY.fullmatch(text[tokens[i].end():tokens[i + 1].start()]) for i in range(index, first)):
                continue  # "at 2100. Prior to sedation", "AT 0130 ALER AND ORIENTED": a time came between
            # "on" names a place only with a facility word or a floor: "goes on HD", "on NRB"
            after_verb = verb in verbs and word != "on"
            span = self._facility_name(text, tokens, lowered, first, mixed, after_verb)
            if not span or not (mixed or self._uncommon_or_facility(tokens, lowered, first, span)):
                continue
            if self._named_facility(text, tokens, lowered, first, span) or after_verb:
                spans.append(span)
            elif mixed and word in ("at", "from") and len(text[span[0]:span[1]]) >= 3:
                spans.append(span)  # not a bare "at MN", "from BB": too short to tell
        return spans

    @staticmethod
    def _uncommon_or_facility(tokens, lowered, first, span) -> bool:
        """Where case says nothing, a run of dictionary words is prose ("TO LEAVE MICU", "WORKED
        TO SEDATE", "SENT FROM THE BILE DUCT") unless a facility word ends it ("UNION HOSP")."""
        last = _last_token(tokens, first, span)
        return _ends_in_facility_word(lowered, first, last) or any(
            lowered[i] not in common_words() for i in range(first, last + 1))

    @staticmethod
    def _verb_before(lowered, preposition) -> str:
        """The word that governs the preposition, looking past a particle ("transfer back to
        Holy Cross", "grew up in Tromsø") and a unit ("sent to ED at GH")."""
        index = preposition - 1
        if index > 0 and lowered[index] in words("verb_particles"):
            index -= 1
        elif index > 1 and lowered[index] in _UNITS_AFTER and lowered[index - 1] in _PREPOSITIONS:
            index -= 2
        return lowered[index] if index >= 0 else ""

    @staticmethod
    def _named_facility(text, tokens, lowered, first, span) -> bool:
        """Any preposition will do before a name that ends in a facility word ("to
        sacred heart hospital") or is followed by a unit ("from kernan ew", "to GH
        cath lab")."""
        last = _last_token(tokens, first, span)
        if _ends_in_facility_word(lowered, first, last):
            return True
        if last == first and lowered[last] not in common_words() and len(lowered[last]) > 3 \
                and _WARD_NUMBER.match(text, span[1]):
            return True  # "intubated on QUARTERMAIN 2": a building and its floor
        return last + 1 < len(tokens) and lowered[last + 1] in _UNITS_AFTER

    def _facility_name(self, text, tokens, lowered, first, mixed, after_verb=False):
        if tokens[first].start() and text[tokens[first].start() - 1].isdigit():
            return None  # "returned to 80MCG": a unit after its number
        last = None
        cursor = first
        suffixes = words("facility_suffixes")
        while cursor < len(tokens) and cursor - first < 5:
            if cursor > first and not self._joined(text, tokens, cursor - 1, cursor):
                break
            if cursor > first and len(tokens[cursor - 1].group()) > 3 \
                    and text[tokens[cursor - 1].end():tokens[cursor].start()].startswith("."):
                break  # "to sacred heart hospital. awaiting": the sentence ended
            token, word = tokens[cursor].group(), lowered[cursor].removesuffix("'s")
            if word in suffixes and last is not None:
                last = cursor  # "from Sacred Heart memorial"
            elif mixed and not token[0].isupper() and not (after_verb and word not in common_words()):
                break  # "to floor", but "transfer to quartermain": a name written in lower case
            elif word in _not_places() or word in _UNITS_AFTER or len(word) < 2:
                break
            else:
                last = cursor
            cursor += 1
        if last is None:
            return None
        return tokens[first].start(), tokens[last].end()

    def _towns_before_institutions(self, text, tokens, lowered):
        """In mixed case, one or two capitalised words no list knows right before a town's institution,
        past a level word: "the Brunssum police", "Nyköping Office", "the Gdańsk Regional Court"."""
        spans = []
        for index, word in enumerate(lowered):
            if word not in words("institution_words"):
                continue
            last = index - 1
            while last >= 0 and lowered[last] in words("institution_levels") and tokens[last].group()[0].isupper():
                last -= 1
            first = last
            while first >= 0 and last - first < 2 and _unknown_place_word(tokens[first].group(), lowered[first]) \
                    and self._joined(text, tokens, first, first + 1):
                first -= 1
            if first < last:
                spans.append((tokens[first + 1].start(), tokens[last].end()))
        return spans

    def _facilities_in_parentheses(self, text, tokens, lowered, mixed):
        """'rehab (Sacred Heart Memorial)', 'nursing home(keeley house)': a facility's name in
        parentheses after the kind of facility."""
        kinds = words("facility_words") | words("facility_suffixes")
        spans = []
        for index, word in enumerate(lowered[:-1]):
            if word not in kinds or not re.fullmatch(r"\s?\(\s?", text[tokens[index].end():tokens[index + 1].start()]):
                continue
            last = index + 1
            while last + 1 < len(tokens) and last - index < 5 and self._joined(text, tokens, last, last + 1):
                last += 1
            if not re.match(r"\s?\)", text[tokens[last].end():]):
                continue
            inside = tokens[index + 1].start(), tokens[last].end()
            if all(w in never_phi() for w in lowered[index + 1:last + 1]):
                continue  # "rehab (PT/OT)"
            if mixed and all(t.group()[0].isupper() for t in tokens[index + 1:last + 1]) \
                    or self._uncommon_or_facility(tokens, lowered, index + 1, inside):
                spans.append(inside)
        return spans

    def _places_after_facilities(self, text, tokens, lowered, mixed):
        """'Hospital in Detroit', 'Hospital of Philadelphia', 'Hospital, Boston'."""
        if not mixed:
            return []
        spans = []
        suffixes = words("facility_suffixes") | words("facility_words")
        for index, word in enumerate(lowered[:-2]):
            if word not in suffixes or not tokens[index].group()[0].isupper():
                continue
            link = lowered[index + 1]
            if link not in ("in", "of") or not self._joined(text, tokens, index, index + 1):
                continue
            place = tokens[index + 2]
            if place.group()[0].isupper() and lowered[index + 2] not in never_phi():
                end = index + 2
                while end + 1 < len(tokens) and tokens[end + 1].group()[0].isupper() \
                        and self._joined(text, tokens, end, end + 1) and lowered[end + 1] not in never_phi():
                    end += 1
                spans.append((tokens[index + 1].start(), tokens[end].end()))
        return spans
