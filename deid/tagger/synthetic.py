"""Synthetic clinical notes with every PHI span marked: the tagger's rebuildable training data.

Notes are assembled from clinical sentence templates (data/templates.txt) in every note
style: mixed-case prose, upper-case telegraphic ICU notes, lower-case quick notes,
headers and lists. Slots are filled with Faker surrogates of every Safe Harbor kind,
in many formats and from many locales (non-ASCII and non-Latin names included), and
sentences without PHI (vitals, doses, ranges and times, eponyms, wards, clinics, drugs;
NUM, RANGE, DOSE and TIME slots are filled but not marked) teach what stays. Most
sentences of a real note hold no PHI, so every note has a vitals or exam section. The same seed
gives the same notes. The generator is this project's own code (MIT).
"""
from __future__ import annotations

import functools
import random
import re
from collections.abc import Iterator
from pathlib import Path

from faker import Faker

from deid.tagger.labels import AGE, DATE, EMAIL, ID, LOCATION, NAME, PHONE

DATA = Path(__file__).parent / "data"
LOCALES = ("en_US", "en_US", "en_US", "en_GB", "es_MX", "de_DE", "fr_FR", "it_IT", "pl_PL", "pt_BR",
           "vi_VN", "ru_RU", "hu_HU", "cs_CZ", "tr_TR", "sv_SE", "nl_NL", "ga_IE", "zh_CN", "ja_JP")
SLOT = re.compile(r"\{([A-Z_]+)\}")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_STYLES = ("prose", "prose", "telegraphic", "telegraphic", "lower")
_ALWAYS_ONE_OF = ("vitals", "exam")  # sections without PHI, one in every note
# tagger label -> the slots whose values can stand in for it
_SURROGATE_SLOTS = {NAME: ("NAME", "FIRST", "LAST"), LOCATION: ("CITY", "STREET", "HOSPITAL", "STATE"),
                    DATE: ("DATE", "DATE", "YEAR"), ID: ("ID",), PHONE: ("PHONE",), EMAIL: ("EMAIL",), AGE: ("AGE",)}


@functools.cache
def templates() -> dict[str, tuple[str, ...]]:
    """Section name -> its sentence templates, from data/templates.txt ('[section]' headers)."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in (DATA / "templates.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        else:
            current.append(line.strip())
    return {name: tuple(lines) for name, lines in sections.items()}


class NoteGenerator:
    """generate(n) -> notes as {"id", "text", "phi": [{"start", "end", "type"}]}, deterministic per seed."""

    def __init__(self, seed: int = 0):
        self.random = random.Random(seed)
        self.fakers = {}
        for index, locale in enumerate(dict.fromkeys(LOCALES)):
            faker = Faker(locale)
            faker.seed_instance(seed * 1000 + index)
            _in_stable_order(faker)
            self.fakers[locale] = faker

    def generate(self, count: int) -> Iterator[dict]:
        for index in range(count):
            yield self.note(f"synthetic-{index}")

    def note(self, note_id: str) -> dict:
        style = self.random.choice(_STYLES)
        pieces: list[tuple[str, str | None]] = []
        sections = templates()
        chosen = self.random.sample(sorted(set(sections) - set(_ALWAYS_ONE_OF)), k=self.random.randint(1, 4))
        chosen.insert(self.random.randint(0, len(chosen)), self.random.choice(_ALWAYS_ONE_OF))
        for section in chosen:
            header = section.upper() + ":" if style != "lower" else section + ":"
            if self.random.random() < 0.7:
                pieces.append((header + self.random.choice(("\n", " ", "\n  ")), None))
            bullet = self.random.choice(("", "", "- ", "* ", "1. "))
            for _ in range(self.random.randint(1, 4)):
                template = self.random.choice(sections[section])
                pieces.append((bullet, None))
                pieces += self._fill(template)
                pieces.append((self.random.choice(("\n", " ", "  ", ". ")) if not template.endswith(".")
                               else self.random.choice(("\n", " ")), None))
        return _assemble(note_id, pieces, style)

    def _fill(self, template: str) -> list[tuple[str, str | None]]:
        pieces, cursor = [], 0
        for slot in SLOT.finditer(template):
            pieces.append((template[cursor:slot.start()], None))
            value, label = self.value(slot.group(1))
            pieces.append((value, label))
            cursor = slot.end()
        pieces.append((template[cursor:], None))
        return pieces

    def _faker(self) -> Faker:
        return self.fakers[self.random.choice(LOCALES)]

    def surrogate(self, label: str, original: str) -> str:
        """A made-up value of a label's kind, in the original's case, to stand in for a gold span."""
        slot = self.random.choice(_SURROGATE_SLOTS[label])
        value, _ = self.value(slot)
        return value.upper() if original.isupper() else value.lower() if original.islower() else value

    def with_surrogates(self, record: dict) -> dict:
        """A gold record with every marked span replaced by a surrogate and the offsets moved to match:
        the tagger learns from the context of the hospital's notes, and no patient's value reaches
        its vocabulary (a spaCy pipeline keeps every string it saw in training)."""
        text, phi, cursor, shift = [], [], 0, 0
        for span in sorted(record["phi"], key=lambda p: (p["start"], -p["end"])):
            if span["start"] < cursor:
                continue  # nested in the span before, which is replaced already
            value = self.surrogate(span["type"], record["text"][span["start"]:span["end"]])
            text += [record["text"][cursor:span["start"]], value]
            start = span["start"] + shift
            phi.append(dict(span, start=start, end=start + len(value)))
            shift += len(value) - (span["end"] - span["start"])
            cursor = span["end"]
        text.append(record["text"][cursor:])
        return dict(record, text="".join(text), phi=phi)

    def value(self, slot: str) -> tuple[str, str | None]:
        """A surrogate for a slot and its label (None for no PHI); a slot's name says what kind it is."""
        maker = getattr(self, "_" + slot.lower())
        return maker()

    # no PHI: the numbers of a clinical note ------------------------------------------
    def _num(self) -> tuple[str, None]:
        return self.random.choice((str(self.random.randint(1, 200)), f"{self.random.uniform(0, 10):.1f}",
                                   f"{self.random.randint(1, 20) * 50}")), None

    def _range(self) -> tuple[str, None]:
        low = self.random.randint(1, 150)
        return self.random.choice((f"{low}-{low + self.random.randint(1, 10)}", f"{low}/{self.random.randint(30, 90)}",
                                   f"{low}'s", f"{low}-{low + 5}'s")), None

    def _dose(self) -> tuple[str, None]:
        unit = self.random.choice(("mg", "mcg", "cc", "ml", "L", "units", "mcg/kg/min", "cc/hr", "meq", "%"))
        gap = self.random.choice(("", " "))
        return f"{self.random.choice((self.random.randint(1, 500), self.random.randint(1, 10)))}{gap}{unit}", None

    def _time(self) -> tuple[str, None]:
        hour, minute = self.random.randint(0, 23), self.random.choice((0, 0, 15, 30, 45))
        return self.random.choice((f"{hour:02d}{minute:02d}", f"{hour % 12 + 1}:{minute:02d} pm",
                                   f"{hour % 12 + 1}am", f"{hour:02d}:{minute:02d}")), None

    # names -------------------------------------------------------------------------
    def _first(self) -> tuple[str, str]:
        return self._faker().first_name(), NAME

    def _last(self) -> tuple[str, str]:
        return self._faker().last_name(), NAME

    def _name(self) -> tuple[str, str]:
        faker, choice = self._faker(), self.random.random()
        first, last = faker.first_name(), faker.last_name()
        if choice < 0.35:
            return f"{first} {last}", NAME
        if choice < 0.5:
            return f"{first[0]}. {last}", NAME
        if choice < 0.6:
            return f"{last}, {first}", NAME
        if choice < 0.7:
            return f"{first} {self.random.choice('ABCDEFGHJKLMNPRSTW')}. {last}", NAME
        if choice < 0.8:
            return f"{first} {faker.last_name()}-{last}", NAME
        if choice < 0.9:
            return first, NAME
        return last, NAME

    # dates -------------------------------------------------------------------------
    def _date(self) -> tuple[str, str]:
        year = self.random.randint(1930, 2030)
        month, day = self.random.randint(1, 12), self.random.randint(1, 28)
        name = _MONTHS[month - 1]
        forms = (
            f"{month}/{day}/{year}", f"{month:02d}/{day:02d}/{year}", f"{month}/{day}/{year % 100:02d}",
            f"{month}/{day}", f"{month}-{day}-{year}", f"{year}-{month:02d}-{day:02d}",
            f"{name} {day}, {year}", f"{name[:3]} {day}", f"{name[:3]}. {day}, {year}",
            f"{day} {name} {year}", f"{day}-{name[:3]}-{year % 100:02d}", f"{name} {year}",
            f"{name[:3]} '{year % 100:02d}", f"{day}.{month}.{year}", f"{name} {day}th",
            f"{month}/{year % 100:02d}", f"{month}.{day}.{year % 100:02d}",
        )
        return self.random.choice(forms), DATE

    def _year(self) -> tuple[str, str]:
        year = self.random.randint(1940, 2030)
        return self.random.choice((str(year), f"'{year % 100:02d}", str(year))), DATE

    def _age(self) -> tuple[str, str]:
        return str(self.random.randint(90, 104)), AGE

    # contact -----------------------------------------------------------------------
    def _phone(self) -> tuple[str, str]:
        area, exchange, line = (self.random.randint(201, 989), self.random.randint(200, 999),
                                self.random.randint(0, 9999))
        forms = (
            f"({area}) {exchange}-{line:04d}", f"{area}-{exchange}-{line:04d}", f"{area}.{exchange}.{line:04d}",
            f"{area}/{exchange}-{line:04d}", f"{area} - {exchange} - {line:04d}", f"{area} {exchange} {line:04d}",
            f"{exchange}-{line:04d}", f"+1 {area} {exchange} {line:04d}", f"1-{area}-{exchange}-{line:04d}",
            f"{area}-{exchange}-{line:04d} ext. {self.random.randint(10, 9999)}",
            f"({area}){exchange}-{line:04d} x{self.random.randint(10, 999)}",
        )
        if self.random.random() < 0.3:
            return self._faker().phone_number(), PHONE
        return self.random.choice(forms), PHONE

    def _email(self) -> tuple[str, str]:
        return self.fakers["en_US"].email(), EMAIL

    def _id(self) -> tuple[str, str]:
        digits = "".join(str(self.random.randint(0, 9)) for _ in range(self.random.randint(5, 10)))
        letters = "".join(self.random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(self.random.randint(1, 3)))
        forms = (digits, f"{letters}{digits}", f"{letters}-{digits}", f"{digits[:3]}-{digits[3:5]}-{digits[5:]}",
                 self.fakers["en_US"].ssn(), f"{digits}{letters}")
        return self.random.choice(forms), ID

    # places ------------------------------------------------------------------------
    def _city(self) -> tuple[str, str]:
        return self._faker().city(), LOCATION

    def _address(self) -> tuple[str, str]:
        faker = self.fakers[self.random.choice(("en_US", "en_US", "en_GB", "de_DE", "es_MX", "fr_FR"))]
        address = faker.address()
        return (address.replace("\n", ", ") if self.random.random() < 0.6 else address), LOCATION

    def _street(self) -> tuple[str, str]:
        return self.fakers["en_US"].street_address(), LOCATION

    def _state(self) -> tuple[str, str]:
        faker = self.fakers["en_US"]
        return self.random.choice((faker.state(), f"{faker.city()}, {faker.state_abbr()}")), LOCATION

    def _hospital(self) -> tuple[str, str]:
        faker = self._faker()
        word = self.random.choice((faker.last_name(), faker.city(), "St. " + faker.first_name(),
                                   self.fakers["en_US"].state()))
        form = self.random.choice((
            "{} Hospital", "{} Medical Center", "University of {} Medical Center", "{} General Hospital",
            "{} Rehab", "{} Nursing Home", "{} Memorial", "{} Clinic", "{} Health Center"))
        return form.format(word), LOCATION


def _in_stable_order(faker: Faker) -> None:
    """Sort the value lists Faker builds from sets (it_IT's cities), which come in hash order and would
    make the same seed give other notes in another process."""
    for provider in faker.providers:
        for name, value in vars(type(provider)).items():
            if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
                setattr(provider, name, sorted(value))


def _assemble(note_id: str, pieces: list[tuple[str, str | None]], style: str) -> dict:
    text, phi = [], []
    offset = 0
    for value, label in pieces:
        value = _styled(value, style)
        if label is not None and value:
            phi.append({"start": offset, "end": offset + len(value), "type": label})
        text.append(value)
        offset += len(value)
    return {"id": note_id, "patient_id": note_id, "text": "".join(text), "phi": phi}


def _styled(value: str, style: str) -> str:
    """Upper or lower case for the note's style, where that keeps the length (offsets stay)."""
    changed = value.upper() if style == "telegraphic" else value.lower() if style == "lower" else value
    return changed if len(changed) == len(value) else value
