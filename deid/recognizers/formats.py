"""How one known date is commonly written, for matching a patient's birth date."""
from __future__ import annotations

import datetime as dt


def parse_iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


def birth_date_variants(value: str | None) -> list[str]:
    date = parse_iso_date(value)
    if date is None:
        return [value] if value else []
    month, day, year = date.month, date.day, date.year
    long_month, short_month = date.strftime("%B"), date.strftime("%b")
    return [
        date.isoformat(),
        f"{month}/{day}/{year}", f"{month:02d}/{day:02d}/{year}",
        f"{month}/{day}/{year % 100:02d}", f"{month:02d}/{day:02d}/{year % 100:02d}",
        f"{month}-{day}-{year}", f"{month:02d}-{day:02d}-{year}",
        f"{long_month} {day}, {year}", f"{short_month} {day}, {year}", f"{short_month}. {day}, {year}",
        f"{day} {long_month} {year}", f"{day} {short_month} {year}",
        f"{long_month} {day} {year}", f"{short_month} {day} {year}",
    ]
