"""Postal addresses described by their grammar, not by examples.

A street line is a house number and a street name with a street word: the word after
the name ("12 Elm Street", data/street_suffixes.txt), before it ("Rue Gafsa 62",
"ul. Słowicza 10", data/street_prefixes.txt) or as the end of a one-word name
("Koskikatu 25", "Søndergade 52", data/street_word_endings.txt); or a house number,
an unknown word and a number ("20789 Allika 46"). In mixed case a street may also go
without a number: title-case words and a spelled-out street word ("Baker Street",
data/unnumbered_street_suffixes.txt), or a street word that is no English word before
title-case words ("Avenida Paulista"), or any street word, a particle and a title-case
word ("Via della Spiga", "rue de Rivoli"). After words that announce an address ("i live at",
data/address_cues.txt) a street line's common words name a street even in lower case
("45 beacon st"). Unit and box numbers ("Apt. 864",
"Suite 501", "P.O. Box 287", "PSC 0413, Box 8144", "APO AA 42323") are address parts
of their own. From any of these the address continues through the lines or
comma-separated parts that follow (after a unit, a space will do) while each is a short
run of place words, a ZIP or postal code, a state code, another unit or a street line:
"Artilleros\\n, CO\\n Uruguay 64677". A part that holds a common word ("for this card",
"wife at home") ends the address.
"""
from __future__ import annotations

import functools

import regex
from presidio_analyzer import RecognizerResult

from deid import entities
from deid.letters import LETTER, title_case
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.lexicon import alternatives, common_words, never_phi, stop_words, unknown_word, words

_W = rf"{LETTER}(?:{LETTER}|['’-])*"
_NUM = r"\d{1,6}[a-z]?"
_MAX_PARTS = 6


@functools.cache
def _grammar() -> dict[str, regex.Pattern]:
    suffix, prefix, ending = alternatives("street_suffixes"), alternatives("street_prefixes"), \
        alternatives("street_word_endings")
    unit = alternatives("unit_designators")
    head = rf"(?:{_NUM}[ \t]+){{0,2}}"
    # the house number after the street: "Rua do Arenque 1634", "Strada Niță Nr. 69", "ulica Rolnicza 67/86"
    # (house and flat), "Avenida Ferreira, 278" (a comma after a title-case word: not "via NG tube, 2 tabs")
    house = r"(?:[ \t]+(?:nr\.?[ \t]*)?|(?<=(?<!\p{L})(?-i:\p{Lu}\p{Ll}+)),[ \t]*)\d{1,5}[a-z]?(?:/\d{1,4})?\b(?!\s*%)"
    flags = regex.IGNORECASE | regex.VERSION1

    def compiled(pattern: str) -> regex.Pattern:
        # simple case folding: version 1's full folding ("ß" as "ss") made the scans three to ten times
        # slower, and the word lists spell both ("strasse", "straße")
        return regex.compile("(?-f)" + pattern, flags)

    prefix_hint = compiled(rf"(?<!\w)(?:{prefix})(?!\w)")
    return {
        # each street form is looked for only around its street word: tried at every digit
        # of a long note with many numbers, the whole forms took 4 ms a note
        "suffix hint": compiled(rf"(?<!\w)(?:{suffix}|u\.|utca|str\.)(?!\w)"),
        "prefix hint": prefix_hint,
        # "3911 Fourth Avenue", "221B Baker Street" (a house letter before title case: not "8u reg insulin"),
        # "224 4966 Bond Street", "159 Eleftheriou Venizelou str", "Király u. 15."
        "suffix": compiled(
            rf"(?<![\w-])\d{{1,6}}(?:[a-z]\b(?=[ \t]+(?-i:\p{{Lu}}\p{{Ll}})))?[ \t]+{head}"
            rf"(?P<words>(?:{_W}[ \t]+){{0,3}}(?:{_W}|\d{{1,3}}(?:st|nd|rd|th)))"
            rf"[ \t]+(?P<street>{suffix})\b\.?(?:[ \t]+\d{{1,5}}[a-z]?\b\.?)?"
            rf"|(?-i:\p{{Lu}}){_W}(?:[ \t]+{_W}){{0,2}}[ \t]+(?:u\.|utca|str\.)[ \t]+\d{{1,5}}[a-z]?\b\.?"),
        # "6750 Koskikatu 25", "Brucker Bundesstrasse 31" (words before it capitalised: not "car leave
        # Elonbulevardi 7"); the word's ending before a number
        # is looked for first (scanning for the whole form at every letter is slow)
        "ending hint": compiled(rf"(?:{ending})[ \t]+\d"),
        "ending": compiled(
            rf"(?<![\w-]){head}(?:(?-i:\p{{Lu}}){_W}[ \t]+){{0,2}}{LETTER}*(?:{ending}){house}"),
        # "Rua do Arenque 1634", "62 Rue Gafsa", "47, rue de Charpentier", "ul. Słowicza 10"
        "prefix": compiled(
            rf"(?<![\w-])(?:{head}(?:{prefix})\.?[ \t]+(?P<words>(?:{_W}[ \t]+){{0,3}}{_W}){house}"
            rf"|\d{{1,6}},?[ \t]+{head}(?:{prefix})\.?[ \t]+(?P<words>(?:{_W}[ \t]+){{0,3}}(?-i:\p{{Lu}}){_W}))"),
        # "20789 Allika 46": a number, words of which one is unknown, a number
        "numbered": compiled(
            rf"(?<![\w./-])\d{{3,6}}[ \t]+(?P<words>(?-i:\p{{Lu}}){_W}(?:[ \t]+{_W}){{0,2}})[ \t]+\d{{1,5}}\b(?![.,/:]\d)"),
        # "lives on Baker Street", "Via della Spiga", "Avenida Paulista": title case is the evidence, so
        # these are case-sensitive and find nothing in upper-case notes
        "unnumbered suffix hint": compiled(rf"(?<!\w)(?=(?-i:\p{{Lu}}))(?:{alternatives('unnumbered_street_suffixes')})(?!\w)"),
        "unnumbered suffix": compiled(
            rf"(?<![\w-])(?P<words>(?:(?-i:\p{{Lu}}\p{{Ll}}+)[ \t]+){{1,3}})(?=(?-i:\p{{Lu}}))"
            rf"(?:{alternatives('unnumbered_street_suffixes')})(?!\w)"),
        "unnumbered prefix hint": prefix_hint,
        "unnumbered prefix": compiled(
            rf"(?<![\w-])(?P<street>{prefix})(?P<particles>(?:[ \t]+(?:{alternatives('place_particles')})){{0,2}})"
            rf"(?P<words>(?:[ \t]+(?-i:\p{{Lu}}\p{{Ll}}+)){{1,3}})(?!\w)"),
        "unit": compiled(rf"(?<![\w-])(?:{unit})\.?[ \t]*#?[ \t]*\d{{1,5}}[a-z]?\b(?![/:.]\d)"),
        "box": compiled(
            r"(?<![\w-])(?:p\.?[ \t]?o\.?[ \t]?box|post[ \t]?office[ \t]box|post[ \t]?box"
            r"|(?:psc|cmr|unit)[ \t]+\d{3,5},?[ \t]+box)[ \t]*#?[ \t]*\d{1,6}\b"
            r"|(?<![\w-])(?:usns|usnv|uss|usc?gc)[ \t]+(?-i:\p{Lu})\p{L}+(?=[ \t]*\n[ \t]*(?:apo|fpo|dpo)\b)"
            r"|(?<![\w-])(?:apo|fpo|dpo)[ \t]+(?:aa|ae|ap)\b(?:[ \t]+\d{5})?"),
    }


@functools.cache
def _unit_after() -> regex.Pattern:
    """A unit right after a street line, where "unit" itself is one too ("12 Elm St unit 4", "87 Puerta 1")."""
    return regex.compile(rf"[ \t,]+(?:{alternatives('unit_designators')}|unit)\.?[ \t]*#?[ \t]*\d{{1,5}}[a-z]?\b(?![/:.]\d)",
                         regex.IGNORECASE)


# one further part of an address: after a line break, a comma, or a quoted-mail ">"
_SEPARATOR = regex.compile(r"[ \t]*(?:,|\n|>|\?{2,})[\s,>?]*")
_SPACE = regex.compile(r"[ \t]+")
_PART = regex.compile(
    rf"(?P<words>{_W}\.?(?:[ \t]+{_W}\.?){{0,3}})?(?:[ \t]*\([^()\n]{{1,25}}\))?"
    rf"(?:[ \t]*(?P<code>\d{{2,6}}(?:-\d{{3,4}})?|[a-z]\d[a-z][ \t]?\d[a-z]\d))?(?=[ \t]*(?:$|\n|,|\.(?:\s|$)))",
    regex.IGNORECASE)


class AddressRecognizer(PreparedRecognizer):
    SCORE = 0.85

    def __init__(self):
        super().__init__(supported_entities=[entities.LOCATION], name="AddressRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        spans = []
        grammar = _grammar()
        hinted: dict[regex.Pattern, list[tuple[int, int]]] = {}  # a hint two forms share is scanned once
        for kind, pattern in grammar.items():
            if kind.endswith(" hint"):
                continue
            hint = grammar.get(f"{kind} hint")
            if hint is not None and hint not in hinted:
                hinted[hint] = [found.span() for found in hint.finditer(text)]
            for match in _matches(text, pattern, hinted.get(hint)):
                if kind in ("suffix", "prefix", "numbered") and not _named(match, kind) \
                        and not _after_address_cue(text, match.start()):
                    continue
                start = _unnumbered_street_start(text, match, kind) if kind.startswith("unnumbered") else match.start()
                if start is None:
                    continue
                if kind in ("suffix", "prefix", "numbered", "ending") and _has_common_link(match.group()):
                    match = _before_common_link(text, pattern, match, kind) if kind in ("suffix", "prefix") else None
                    if match is None:
                        continue  # "f/u in 12 with dr": no street
                end = _continued(text, match.end(), after_unit=kind in ("unit", "box"))
                # a street line that ends the address and its sentence leaves the full stop out: "14 Acacia
                # Avenue." is "[LOCATION]." (the "St." of a continued address keeps its dot)
                spans.append((start, end - 1 if end == match.end() and text[end - 1] == "." else end))
        return [RecognizerResult(self.supported_entities[0], s, e, self.SCORE) for s, e in spans]


_HINT_REACH = 80  # characters before and after a hint where its form may lie


def _matches(text: str, pattern: regex.Pattern, hints: list[tuple[int, int]] | None):
    """pattern's matches in text; with the spans of its hint's matches, only in windows around them."""
    if hints is None:
        yield from pattern.finditer(text)
        return
    seen = set()
    for hint_start, hint_end in hints:
        for match in pattern.finditer(text, max(0, hint_start - _HINT_REACH), min(len(text), hint_end + _HINT_REACH)):
            if match.span() not in seen and match.start() <= hint_start < match.end():
                seen.add(match.span())
                yield match


# the town after a street in running prose: "lives on Baker Street in Reading" (a town whose name is also a
# common word is no gazetteer place: there the street is the context that makes it one)
_TOWN_AFTER_STREET = regex.compile(r"[ \t]+in[ \t]+(?P<words>\p{Lu}\p{Ll}+(?:[ \t-]\p{Lu}\p{Ll}+){0,2})(?![\w-])")


def _continued(text: str, end: int, after_unit: bool = False) -> int:
    """The end of the address whose first line ends at end: the town after it, then later parts while they
    are places. After a unit the next part may follow a space alone: "Apt. 087 SAINT-PRIEST France"."""
    town = _TOWN_AFTER_STREET.match(text, end)
    if town and not any(w.lower() in never_phi() for w in regex.findall(_W, town["words"])):
        end = town.end()
    for _ in range(_MAX_PARTS):
        unit = _unit_after().match(text, end)
        if unit:
            end, after_unit = unit.end(), True
            continue
        separator = _SEPARATOR.match(text, end) or (after_unit and _SPACE.match(text, end))
        if not separator:
            return end
        start, after_unit = separator.end(), False
        unit = _grammar()["unit"].match(text, start) or _grammar()["box"].match(text, start)
        if unit:
            end, after_unit = unit.end(), True
            continue
        part = _PART.match(text, start)
        if not part or part.end() == start or not _place_words(part["words"]):
            return end
        end = part.end()
    return end


def _place_words(found: str | None) -> bool:
    """Words that can name a place: none a common word, unless all are a state code or a particle, or
    they end in a spelled-out street word."""
    if found is None:
        return True
    if len(found) == 2 and found.isupper():
        return True  # "CO", "ON", "QC": a state or province code
    tokens = [w.lower() for w in regex.findall(_W, found)]
    particles = words("place_particles")
    names = [w for w in tokens if w not in particles]
    if not names:
        return False
    if any(w in stop_words() and w not in particles for w in tokens):
        return False
    # a second street line, common words and all: "Suite 445\n LOW STREET"
    street_line = len(names) > 1 and names[-1] in words("unnumbered_street_suffixes")
    return street_line or not all(w in never_phi() or w in common_words() for w in names)


def _named(match, kind: str) -> bool:
    """The street's name is a name: a word no list knows, or (but for "20789 Allika 46")
    capitalised words, or (after a house number) a street word spelt in full ("3911
    fourth avenue"). "9 beat run", "8u reg insulin SQ", "AV paced 70" name nothing."""
    named = match.captures("words")
    if not named:
        return True  # "Király u. 15."
    found = [w for part in named for w in regex.findall(_W, part)]
    if any(unknown_word(w) for w in found):
        return True
    if kind == "numbered":
        return False
    if all(title_case(w) or w.lower() in words("place_particles") for w in found):
        return True
    return kind == "suffix" and len(match["street"] or "") >= 5


@functools.cache
def _address_cue() -> regex.Pattern:
    return regex.compile(rf"(?<!\w)(?:{alternatives('address_cues')})[ \t]*[:,-]?[ \t]*$", regex.IGNORECASE)


def _after_address_cue(text: str, start: int) -> bool:
    """Whether words that announce an address come right before start: "i live at 45 beacon st", where
    the street's common words in lower case would not name a street alone."""
    return bool(_address_cue().search(text, max(0, start - 40), start))


def _common_links(found: str) -> list:
    """The words of the street line that are common link words ("to", "with", "and") no place name holds."""
    allowed = words("place_particles") | words("street_prefixes") | words("street_suffixes")
    return [w for w in regex.finditer(_W, found) if w.group().lower() in stop_words() and w.group().lower() not in allowed]


def _has_common_link(found: str) -> bool:
    return bool(_common_links(found))


def _before_common_link(text: str, pattern: regex.Pattern, match, kind: str):
    """A street cut before the first link word that its words ran on into: "47, rue de Charpentier in Lyon"
    is "47, rue de Charpentier", "12 Elm Street in Spring Valley" is "12 Elm Street"; None when what is
    left is no street."""
    end = match.start() + _common_links(match.group())[0].start()
    shorter = pattern.match(text, match.start(), len(text[:end].rstrip()))
    return shorter if shorter and not _has_common_link(shorter.group()) and _named(shorter, kind) else None


def _unnumbered_street_start(text: str, match, kind: str) -> int | None:
    """Where the street a number-less form names starts, or None. Before a street word the name
    starts after stop words and after a common word that opens its sentence ("Yesterday Baker
    Street"), while a street named by common words alone stays one ("Main Street"). A street word
    that is an English word too ("Via", "Place", "Avenue") names a street before title-case words
    only with a particle between ("Via della Spiga", not "Via Email"); the others not where they
    open a sentence."""
    if kind == "unnumbered suffix":
        names = list(regex.finditer(_W, match["words"]))
        first = 0
        while first < len(names) and names[first].group().lower() in stop_words():
            first += 1
        if first < len(names) - 1 and names[first].group().lower() in common_words() and _opens_sentence(
                text, match.start() + names[first].start()):
            first += 1
        return match.start() + names[first].start() if first < len(names) else None
    street = match["street"].lower()
    if any(w.lower() in stop_words() or w.lower() in never_phi() for w in regex.findall(_W, match["words"])):
        return None
    if not match["particles"] and (street in common_words() or street in never_phi()
                                   or not match["street"][0].isupper() or _opens_sentence(text, match.start())):
        return None
    return match.start()


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in ".!?:\n"
