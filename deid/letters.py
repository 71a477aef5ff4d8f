"""Letters of any script, for every pattern that finds words.

Names are written in every script and with diacritics ("Hernández-García", "Nguyễn",
"Олег", "O’Brien"), so no pattern in deid spells a letter as [A-Za-z]: a word cut at
its first accented letter leaves the rest of the name in clear.
"""
from __future__ import annotations

import re

LETTER = r"[^\W\d_]"
NOT_AFTER_LETTER = r"(?<![^\W\d_])"
NOT_BEFORE_LETTER = r"(?![^\W\d_])"
APOSTROPHES = "'’ʼ"
# a word with inner or trailing apostrophes and hyphens ("O'Brien", "Hernández-García")
WORD = rf"{LETTER}(?:{LETTER}|[{APOSTROPHES}-])*"
_PART_BREAK = re.compile(rf"[{APOSTROPHES}-]")


def title_case(word: str) -> bool:
    """'Hernández', "O'Brien", 'Żółć-Nowak': each part a capital, then lower-case letters."""
    parts = [part for part in _PART_BREAK.split(word) if part]
    return len(word) > 1 and bool(parts) and parts[0][0].isupper() and all(
        part.isalpha() and (len(part) == 1 or part[1:].islower()) for part in parts)
