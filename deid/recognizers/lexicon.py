"""Word lists kept as data files beside the recognizers."""
from __future__ import annotations

import functools
import re
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

DATA = Path(__file__).parent / "data"


@functools.cache
def words(name: str) -> frozenset[str]:
    """Lower-cased entries of data/<name>.txt, skipping comments and blanks; a line "@other"
    takes in data/other.txt, so a list kept once can be part of another ("@payers")."""
    lines = (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    entries = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    included = [words(entry[1:]) for entry in entries if entry.startswith("@")]
    return frozenset(entry.lower() for entry in entries if not entry.startswith("@")).union(*included)


@functools.cache
def alternatives(name: str) -> str:
    """The words of data/<name>.txt as one regex alternation, longest first, so a word is never
    cut short by another it starts with ("st" before "street")."""
    return "|".join(re.escape(word) for word in sorted(words(name), key=lambda word: (-len(word), word)))


@functools.cache
def never_phi() -> frozenset[str]:
    """Single words that alone are never PHI: the allow list plus English stop words."""
    return words("allow_words") | words("common_name_words") | frozenset(STOP_WORDS)


@functools.cache
def not_a_name() -> frozenset[str]:
    """Words that are no name even right after a title or role word ("DR AWARE").

    Narrower than never_phi: common words that are also names ("Dr. Art White",
    "wife, rose,") are names there.
    """
    return words("allow_words") | words("not_names") | stop_words()


@functools.cache
def drug_names() -> frozenset[str]:
    """Drug names (data/drug_names.txt) and the clinical short forms in allow_words."""
    return words("drug_names") | words("allow_words")


@functools.cache
def name_introducers() -> frozenset[str]:
    return words("name_introducers") | words("family_roles")


@functools.cache
def stop_words() -> frozenset[str]:
    return frozenset(STOP_WORDS) | words("stop_words_extra")


@functools.cache
def common_words() -> frozenset[str]:
    """Dictionary words that are on no person-name list: where case says nothing, such
    a word after a role word is a word ("SON REPORTS"), while "wife rose" stays a name."""
    return words("english_words") - words("first_names") - words("last_names")


@functools.cache
def person_names() -> frozenset[str]:
    return (words("first_names") | words("last_names")) - never_phi()


@functools.cache
def listed_names() -> frozenset[str]:
    """Every word of the name lists, the allow-listed ones too, and the eponyms ("baker", "foley", "babinski"):
    the words that in title case are a name where the context says a name comes ("Dr. Babinski", "named Frank")."""
    return words("common_name_words") | words("eponyms") | words("first_names") | words("last_names")


@functools.cache
def clinical_word_endings() -> tuple[str, ...]:
    """data/clinical_word_endings.txt as a tuple, for str.endswith."""
    return tuple(words("clinical_word_endings"))


@functools.cache
def known_words() -> frozenset[str]:
    """Every word a dictionary, clinical, drug or allow list knows, and the titles and ranks ("Mrs", "Sgt"):
    alone they name nobody."""
    return common_words() | never_phi() | drug_names() | words("honorifics")


def word_forms(word: str) -> set[str]:
    """A lower-case word and its forms without a plural or possessive s ("MD'S", "MDs")."""
    return {word, word.removesuffix("'s").removesuffix("’s"), word.removesuffix("s")}


def unknown_word(word: str) -> bool:
    """A word no dictionary, clinical, drug or allow list knows, or one on a name list."""
    word = word.lower()
    if word in person_names():
        return True
    return len(word) > 1 and known_words().isdisjoint(word_forms(word))


@functools.cache
def _device_after() -> re.Pattern:
    return re.compile(rf"\s*(?:{alternatives('named_devices')})\b", re.IGNORECASE)


def names_device(text: str, end: int) -> bool:
    """Whether the words from end name a device ("Miami J collar"): the place or name before
    them is part of the device's name, no PHI."""
    return bool(_device_after().match(text, end))
