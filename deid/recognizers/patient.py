"""Finds every mention of a document's known patient, relatives and clinicians.

Built per document from its PatientContext (an ad hoc recognizer, not a registry
member). Values are matched case-insensitively on word boundaries, names also as
their separate parts, initials and reordered forms, identifiers and phones with
any separators between their characters.
"""
from __future__ import annotations

import functools
import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.context import PatientContext
from deid.recognizers.base import PreparedRecognizer
from deid.recognizers.formats import birth_date_variants

SCORE = 1.0
_EDGE_BEFORE = r"(?<![^\W_])"  # no letter or digit of any script
_EDGE_AFTER = r"(?![^\W_])"
_NAME_PART_SPLIT = re.compile(r"[\s,.;/()\"]+")
# Honorifics and suffixes are part of names in records but identify nobody.
_NOT_IDENTIFYING = {"mr", "mrs", "ms", "miss", "dr", "md", "jr", "sr", "ii", "iii", "iv", "phd", "rn"}
_STATE_OR_COUNTRY = re.compile(r"^(?:[A-Z]{2}|US|USA|United States)$", re.IGNORECASE)
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")


class PatientContextRecognizer(PreparedRecognizer):
    def __init__(self, patient: PatientContext):
        self._patterns = _compile(patient)
        super().__init__(
            supported_entities=sorted({entity for entity, _ in self._patterns}),
            name="PatientContextRecognizer",
        )

    def analyze(self, text, entities=None, nlp_artifacts=None):
        return [
            RecognizerResult(entity, match.start(), match.end(), SCORE)
            for entity, pattern in self._patterns
            for match in pattern.finditer(text)
        ]


@functools.lru_cache(maxsize=256)
def _compile(patient: PatientContext) -> tuple[tuple[str, re.Pattern], ...]:
    alternatives = {
        entities.NAME: _name_alternatives(patient.name_values()),
        entities.DATE: [_flexible(v) for v in birth_date_variants(patient.birth_date)],
        entities.MRN: [_separated(v) for v in patient.identifier_values() if _alnum_len(v) >= 3],
        entities.PHONE: [_phone(v) for v in patient.phones if _digit_len(v) >= 7],
        entities.ORGANIZATION: [_flexible(v) for v in patient.organizations],
    }
    for entity, values in _address_parts(patient.addresses).items():
        alternatives[entity] = [_flexible(v) for v in values]
    return tuple(
        (entity, re.compile(_EDGE_BEFORE + "(?:" + "|".join(sorted(set(alts), key=len, reverse=True)) + ")" + _EDGE_AFTER, re.IGNORECASE))
        for entity, alts in alternatives.items()
        if alts
    )


def _name_alternatives(names: tuple[str, ...]) -> list[str]:
    alternatives = []
    for name in names:
        parts = [p for p in _NAME_PART_SPLIT.split(name) if p and p.lower() not in _NOT_IDENTIFYING]
        alternatives.append(_flexible(name))
        alternatives += [re.escape(p) for p in parts if len(p) >= 2]
        for first, second in _ordered_pairs(parts):
            # "J. Doe", "J Doe", "Jane D.", "Doe, J."
            alternatives.append(rf"{re.escape(first[0])}\.?,?\s+{re.escape(second)}")
            alternatives.append(rf"{re.escape(first)},?\s+{re.escape(second[0])}\.?")
    return alternatives


def _ordered_pairs(parts: list[str]):
    return [(a, b) for a in parts for b in parts if a is not b and len(a) >= 2 and len(b) >= 2]


def _address_parts(addresses: tuple[str, ...]) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = {entities.LOCATION: [], entities.ZIP: []}
    for address in addresses:
        for part in re.split(r"[,\n]+", address):
            part = part.strip()
            if _ZIP.match(part):
                parts[entities.ZIP].append(part)
            elif len(part) >= 3 and not _STATE_OR_COUNTRY.match(part):
                parts[entities.LOCATION].append(part)
    return parts


def _flexible(value: str) -> str:
    """The value with any run of whitespace matching any whitespace."""
    return r"\s+".join(re.escape(word) for word in value.split())


def _separated(value: str) -> str:
    """An identifier with optional separators between its characters."""
    chars = [c for c in value if c.isalnum()]
    return r"[-\s./#]?".join(re.escape(c) for c in chars)


def _phone(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return r"[^\w\n]{0,3}".join(digits)


def _alnum_len(value: str) -> int:
    return sum(c.isalnum() for c in value)


def _digit_len(value: str) -> int:
    return sum(c.isdigit() for c in value)
