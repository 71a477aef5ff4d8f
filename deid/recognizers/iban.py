"""International bank account numbers (IBAN), by their grammar and their checksum.

An IBAN is a country code, two check digits and up to thirty letters or digits, often
written in groups of four ("GB82 WEST 1234 5698 7654 32", "de89370400440532013000").
The check digits make the number, read as digits (A=10 ... Z=35) with its first four
characters moved to the end, leave 1 when divided by 97 (ISO 13616), so a code-like
string that fails the check (a lot number, a serial) is not taken.
"""
from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from deid import entities
from deid.recognizers.base import PreparedRecognizer

SCORE = 0.95
MIN_LENGTH, MAX_LENGTH = 15, 34
_IBAN = re.compile(r"(?<![\w-])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,3})?(?![\w-])")


def valid_iban(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if not MIN_LENGTH <= len(compact) <= MAX_LENGTH or not compact[:2].isalpha():
        return False
    digits = "".join(str(int(char, 36)) for char in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


class BankAccountRecognizer(PreparedRecognizer):
    """Named apart from Presidio's IbanRecognizer: Presidio's registry loader finds
    recognizer classes by name, and plain Presidio must keep getting its own."""

    def __init__(self):
        super().__init__(supported_entities=[entities.ACCOUNT], name="BankAccountRecognizer")

    def analyze(self, text, entities=None, nlp_artifacts=None):
        return [RecognizerResult(self.supported_entities[0], m.start(), m.end(), SCORE)
                for m in _IBAN.finditer(text) if valid_iban(m.group())]
