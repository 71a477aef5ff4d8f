"""Read access to parsed HL7 v2 segments, and HL7 escape decoding.

python-hl7 splits segments and fields with the message's own separators; this module
splits a field into repetitions and components the same way every time (python-hl7's
nesting depends on which separators a field happens to contain) and decodes escapes
without logging field values, which python-hl7's own unescape does.
"""
from __future__ import annotations

import re

import hl7

# Formatting escapes of FT (2.10.6) and highlighting (2.10.3), as plain text.
_FORMATTING = {".br": "\n", ".ce": "\n", ".fi": "", ".nf": "", "H": "", "N": ""}


class Fields:
    """One segment, addressed by HL7 field number (MSH-3 is field 3, OBX-5 is field 5)."""

    def __init__(self, segment: hl7.Segment, message: hl7.Message, charset: str = ""):
        """``charset``: the Python codec the message was decoded with."""
        self.segment = segment
        self.message = message
        self.charset = charset
        self.segment_id = str(segment[0])

    def text(self, number: int) -> str:
        """The raw field as sent, separators and escapes included."""
        return str(self.segment[number]) if number < len(self.segment) else ""

    def repetitions(self, number: int) -> list[list[str]]:
        """Each repetition as its raw components (subcomponents still joined)."""
        separators = self.message.separators
        raw = self.text(number)
        if not raw:
            return []
        return [rep.split(separators[3]) for rep in raw.split(separators[2])]

    def component(self, number: int, component: int, repetition: int = 1) -> str:
        """One decoded component (1-based), "" when absent."""
        reps = self.repetitions(number)
        if len(reps) < repetition or len(reps[repetition - 1]) < component:
            return ""
        return self.decode(reps[repetition - 1][component - 1]).strip()

    def text_repetitions(self, number: int) -> list[str]:
        """A text field (TX/FT/ST) decoded, one line per repetition."""
        raw = self.text(number)
        return [self.decode(rep) for rep in raw.split(self.message.separators[2])] if raw else []

    def decode(self, value: str) -> str:
        return unescape(value, self.message, self.charset)

    def subcomponents(self, value: str) -> list[str]:
        return [self.decode(part).strip() for part in value.split(self.message.separators[4])]


def unescape(value: str, message: hl7.Message, charset: str = "") -> str:
    """Decode \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ \\Xhh..\\ and FT formatting; drop charset switches."""
    escape = message.esc
    if escape not in value:
        return value
    _, field_sep, repetition, component, subcomponent = message.separators
    delimiters = {"F": field_sep, "S": component, "T": subcomponent, "R": repetition, "E": escape}
    pattern = re.compile(re.escape(escape) + r"([^" + re.escape(escape) + r"\r]{1,512}?)" + re.escape(escape))

    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code in delimiters:
            return delimiters[code]
        if code in _FORMATTING:
            return _FORMATTING[code]
        if code.startswith(".sp"):
            return "\n" * _count(code[3:])
        if code[:3] in (".in", ".ti", ".sk"):
            return " "
        if code.startswith("X"):
            return _hex_text(code[1:], charset)
        if code[0] in "ZCM":
            return ""  # application-defined and character-set switches carry no text
        return match.group(0)

    return pattern.sub(replace, value)


def _count(digits: str) -> int:
    return int(digits) if digits.isdigit() and int(digits) < 100 else 1


def _hex_text(digits: str, charset: str) -> str:
    """``charset`` is the Python codec the message was read with ("latin-1", "cp1252 (declared ascii)")."""
    try:
        data = bytes.fromhex(digits)
    except ValueError:
        return ""
    try:
        return data.decode(charset.split(" ")[0] if charset else "utf-8")
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1")
