"""Word lists kept as data files beside the recognizers."""
from __future__ import annotations

import functools
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

DATA = Path(__file__).parent / "data"


@functools.cache
def words(name: str) -> frozenset[str]:
    """Lower-cased entries of data/<name>.txt, skipping comments and blanks."""
    lines = (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def never_phi() -> frozenset[str]:
    """Single words that alone are never PHI: the allow list plus English stop words."""
    return words("allow_words") | frozenset(STOP_WORDS)


@functools.cache
def stop_words() -> frozenset[str]:
    return frozenset(STOP_WORDS) | words("stop_words_extra")


@functools.cache
def person_names() -> frozenset[str]:
    return (words("first_names") | words("last_names")) - never_phi()
