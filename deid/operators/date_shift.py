"""date_shift: every date of a patient moves by the same keyed number of days.

The offset is derived from the key and the patient scope, so intervals between
one patient's dates are kept exactly, and the written format is kept. A date we
cannot read safely (a bare year, a holiday) becomes [DATE] rather than leak.
"""
from __future__ import annotations

import datetime as dt
import re

from deid.keys import derive, require_key
from deid.operators.base import Operator

MAX_SHIFT_DAYS = 365
_YEARLESS = 2000  # a leap year, so Feb 29 without a year still parses

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_NUMERIC = re.compile(r"^(?P<m>\d{1,2})(?P<sep>[/-])(?P<d>\d{1,2})(?:(?P=sep)(?P<y>\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?P<rest>.*)$")
_MONTH_FIRST = re.compile(r"^(?P<mon>[A-Za-z]+)(?P<dot>\.?)\s+(?P<d>\d{1,2})(?P<suf>st|nd|rd|th)?(?:(?P<comma>,?)\s+(?P<y>\d{4}))?$", re.I)


def shift_days(key: bytes, scope: str) -> int:
    """The patient's offset, in [-365, 365] and never 0."""
    raw = int.from_bytes(derive(key, "date_shift", scope)[:4], "big")
    return raw % MAX_SHIFT_DAYS + 1 if raw & 1 << 31 else -(raw % MAX_SHIFT_DAYS + 1)


class DateShiftOperator(Operator):
    name = "date_shift"

    def __init__(self, key=None):
        super().__init__(require_key(key, self.name))

    def replace(self, value, entity_type, scope):
        return shift_date(value.strip(), shift_days(self.key, scope)) or f"[{entity_type}]"


def shift_date(value: str, days: int) -> str | None:
    for parser in (_shift_numeric, _shift_iso, _shift_month_first):
        try:
            shifted = parser(value, dt.timedelta(days=days))
        except ValueError:
            return None
        if shifted:
            return shifted
    return None


def _shift_numeric(value, delta):
    match = _NUMERIC.match(value)
    if not match:
        return None
    year = match["y"]
    full_year = _YEARLESS if year is None else int(year) + (0 if len(year) == 4 else 1900 if int(year) > 30 else 2000)
    date = dt.date(full_year, int(match["m"]), int(match["d"])) + delta
    sep, pad = match["sep"], len(match["m"]) == 2
    text = f"{date.month:02d}{sep}{date.day:02d}" if pad else f"{date.month}{sep}{date.day}"
    if year is not None:
        text += sep + (str(date.year) if len(year) == 4 else f"{date.year % 100:02d}")
    return text


def _shift_iso(value, delta):
    match = _ISO.match(value)
    if not match:
        return None
    date = dt.date(int(match["y"]), int(match["m"]), int(match["d"])) + delta
    sep = match["sep"]
    return f"{date.year}{sep}{date.month:02d}{sep}{date.day:02d}{match['rest']}"


def _shift_month_first(value, delta):
    match = _MONTH_FIRST.match(value)
    if not match or match["mon"][:3].lower() not in _MONTHS:
        return None
    month = _MONTHS.index(match["mon"][:3].lower()) + 1
    year = int(match["y"]) if match["y"] else _YEARLESS
    date = dt.date(year, month, int(match["d"])) + delta
    name = dt.date(2000, date.month, 1).strftime("%B" if len(match["mon"]) > 3 else "%b")
    name = name.upper() if match["mon"].isupper() else name
    text = f"{name}{match['dot']} {date.day}{_suffix(date.day) if match['suf'] else ''}"
    return text + (f"{match['comma']} {date.year}" if match["y"] else "")


def _suffix(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
