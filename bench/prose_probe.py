"""Out-of-domain probes: sentences of news, legal and letter prose (not clinical notes, not
the tagger's synthetic note styles) filled with Faker values of many locales, written as a
gold JSONL that bench/deid_throughput.py scores against plain Presidio in the same run.

    python bench/prose_probe.py OUT.jsonl [--sentences 1500] [--seed 7] [--latin-only]
    PYTHONHASHSEED=0 python bench/prose_probe.py OUT.jsonl --records --half tune|check [--sentences 600] [--seed 11]
    python bench/deid_throughput.py OUT.jsonl --workers

Names (the default): person names only, in TEMPLATES. --latin-only leaves out the locales
whose names Faker writes in another script (Arabic, Devanagari, Cyrillic, Greek).
--records: court, police, obituary, minutes and letter sentences (RECORD_TEMPLATES) with
names, towns, street addresses, dates in eight written forms and case or claim numbers
(PYTHONHASHSEED fixes the file: some of Faker's locales draw towns from sets).
Their templates are cut in two halves by a fixed seed: rules may change from misses of the
tune half only, and the check half, whose wording they never saw, is what to report.

A probe, not gold: the templates are ours, so a figure on it says which kinds of context
the engine reads, not what acceptance will measure; and first_names.txt holds Faker's first
names, so the names here are listed ones (the contexts, not the names, are what is probed).
"""
from __future__ import annotations

import argparse
import json
import random
import re

from faker import Faker

LATIN_LOCALES = ("en_US", "en_GB", "es_ES", "es_MX", "fr_FR", "de_DE", "it_IT", "pl_PL", "tr_TR", "pt_BR", "nl_NL",
                 "sv_SE", "cs_CZ", "hu_HU", "ro_RO", "vi_VN", "fi_FI", "da_DK", "ga_IE", "en_IN", "zu_ZA")
OTHER_SCRIPT_LOCALES = ("ar_AA", "hi_IN", "ru_RU", "uk_UA", "el_GR")
TEMPLATES = (
    "{F} {L} said the decision was unfair.", "According to {L}, the meeting ended early.",
    "{F} told the court that she had been threatened.", "The applicant, {F} {L}, was born in 1970.",
    "Witnesses included {F} {L} and {F2} {L2}.", "{L} was arrested on the same day.",
    "I spoke with {F} yesterday about the claim.", "Thanks, {F}", "Best regards,\n{F} {L}",
    "Dear {F},\nThank you for your letter.", "{F} and her brother {F2} arrived in the evening.",
    "The lawyer for {L} declined to comment.", "{F} {L}, 34, was charged with theft.",
    "In a statement, {L} denied the allegations.", "The complaint was lodged by {F} {L} on behalf of his son.",
    "Ask {F} to call me back.", "{F} {L} (the applicant's mother) gave evidence.", "Judge {L} adjourned the hearing.",
    "The report was written by {F} {L}.", "She lives with her partner, {F2} {L2}.", "My name is {F} {L} and I need help.",
    "He was replaced by {F} {L} in 2004.", "Signed: {F} {L}", "cc: {F} {L}; {F2} {L2}", "{L}'s car was found abandoned.",
    "Mrs {L} and her husband {F2} were interviewed.", "The victim, {F}, had been living alone.",
    "Professor {F} {L} supervised the study.", "Sources close to {L} said he was ill.", "Interview with {F} {L}, head nurse.",
)
_SLOT = re.compile(r"\{(\w+)\}")


def sentences(count: int, seed: int, locales: tuple[str, ...]):
    fakers = {}
    for index, locale in enumerate(locales):
        fakers[locale] = Faker(locale)
        fakers[locale].seed_instance(seed * 1000 + index)
    rng = random.Random(seed)
    for index in range(count):
        faker = fakers[rng.choice(locales)]
        values = {"F": faker.first_name(), "L": faker.last_name(), "F2": faker.first_name(), "L2": faker.last_name()}
        yield _filled(f"probe-{index}", rng.choice(TEMPLATES), values)


def _filled(record_id: str, template: str, values: dict, kinds: dict | None = None) -> dict:
    """The template with its slots filled; each slot is gold of kinds[slot] (NAME by default), a slot
    of kind None (a title) is no PHI."""
    text, phi, position = "", [], 0
    for slot in _SLOT.finditer(template):
        text += template[position:slot.start()]
        kind = (kinds or {}).get(slot.group(1), "NAME")
        if kind:
            phi.append({"start": len(text), "end": len(text) + len(values[slot.group(1)]), "type": kind})
        text += values[slot.group(1)]
        position = slot.end()
    return {"id": record_id, "text": text + template[position:], "phi": phi}


RECORD_TEMPLATES = (
    "The case originated in an application (no. {CASE}) lodged by {NAME}, a national of that State, on {DATE}.",
    "The applicant, {NAME}, was born in {YEAR} and lives in {CITY}.",
    "On {DATE} the {CITY} Regional Court convicted the applicant of fraud.",
    "The applicant was represented by {TITLE} {NAME}, a lawyer practising in {CITY}.",
    "On {DATE} {NAME} lodged an appeal with the Court of Appeal, which dismissed it on {DATE2}.",
    "The hearing of {DATE} was adjourned because the witness, {TITLE} {NAME}, did not appear.",
    "Police officers arrested {FIRST} {LAST} at his home in {CITY} on the night of {DATE}.",
    "{NAME}, the applicant's brother, stated that he had visited him in prison in {CITY}.",
    "According to {LAST}, the documents were sent to {CITY} in {MONTH}.",
    "In a letter of {DATE}, {TITLE} {LAST} informed the prosecutor that the file (ref. {CASE}) was incomplete.",
    "{FIRST} {LAST}, 52, of {CITY}, died peacefully at home on {DATE}.",
    "She is survived by her husband {FIRST2} and her daughter {FIRST}, both of {CITY}.",
    "Dear {TITLE} {LAST},\nThank you for your letter of {DATE} regarding claim {CASE}.",
    "Kind regards,\n{NAME}\n{CITY} Office",
    "Present: {NAME} (chair), {NAME2}, {FIRST3} {LAST3}. Apologies: {NAME4}.",
    "{FIRST} joined the company in {CITY} in {YEAR} and was promoted to manager on {DATE}.",
    "The complaint against {NAME} was registered under case number {CASE} on {DATE}.",
    "Witness {NAME} told officers she saw a blue car leave {STREET} in {CITY} shortly after midnight.",
    "Mayor {NAME} of {CITY} announced the closure on {DATE}.",
    "The contract was signed in {CITY} on {DATE} by {NAME} on behalf of the tenant.",
    "My name is {FIRST} {LAST}; I lived at {STREET}, {CITY}, until {MONTH}.",
    "{LAST} was transferred to the remand centre in {CITY} on {DATE}, where {LAST} shared a cell with {NAME2}.",
    "The Supreme Court, sitting in {CITY}, quashed the judgment on {DATE} (file no. {CASE}).",
    "Interview with {FIRST} {LAST}, head of the {CITY} branch, recorded on {DATE}.",
    "From: {NAME}\nTo: {NAME2}\nDate: {DATE}\nSubject: hearing in {CITY}",
    "{TITLE} {LAST} and {TITLE2} {LAST2} were questioned as witnesses on {DATE}.",
    "The investigator, Captain {LAST}, refused to open criminal proceedings on {DATE}.",
    "{FIRST}'s mother, {NAME2}, had moved from {CITY} to {CITY2} in {YEAR}.",
    "The inquiry found that {NAME} had been employed in {CITY} between {YEAR} and {YEAR2}.",
    "Judge {LAST} adjourned case {CASE} until {DATE}.",
    "The fine was paid on {DATE}, according to receipt {CASE} issued in {CITY}.",
    "{NAME} (born {DATE}) is a citizen residing in {CITY}.",
    "He met {FIRST} in {CITY} on {DATE}; they married the following year.",
    "The Government submitted that {TITLE} {LAST} had never been detained in {CITY}.",
    "I, {NAME}, of {STREET}, {CITY}, make this statement on {DATE}.",
    "{NAME} was appointed guardian of the child by the {CITY} District Court on {DATE}.",
    "In {MONTH} the family of {FIRST} {LAST} reported her missing to the {CITY} police.",
    "The payment order no. {CASE} was served on {NAME} on {DATE}.",
    "Ms {LAST} said she had lived in {CITY} since {YEAR}.",
    "The report, drafted by {NAME} and dated {DATE}, was sent to the {CITY} prosecutor.",
)
RECORD_LOCALES = ("en_US", "en_GB", "es_ES", "fr_FR", "de_DE", "it_IT", "pl_PL", "tr_TR", "pt_BR", "nl_NL", "cs_CZ",
                  "hu_HU", "ro_RO", "sv_SE", "fi_FI", "da_DK", "ga_IE", "en_IN", "hr_HR", "sk_SK", "lt_LT", "no_NO")
HALVES_SEED = 2026  # which record templates are the tune half: fixed, so the check half stays unread
DATE_FORMATS = ("%d %B %Y", "%B %d, %Y", "%d/%m/%Y", "%Y-%m-%d", "%-d %B %Y", "%d.%m.%Y", "%B %-d, %Y", "%-d %b %Y")
_KINDS = {"NAME": "NAME", "FIRST": "NAME", "LAST": "NAME", "CITY": "LOCATION", "STREET": "LOCATION", "DATE": "DATE",
          "YEAR": "DATE", "MONTH": "DATE", "CASE": "ID", "TITLE": None}


def record_half(half: str) -> tuple[str, ...]:
    order = list(range(len(RECORD_TEMPLATES)))
    random.Random(HALVES_SEED).shuffle(order)
    chosen = order[:len(order) // 2] if half == "tune" else order[len(order) // 2:]
    return tuple(RECORD_TEMPLATES[index] for index in chosen)


def records(count: int, seed: int, half: str):
    fakers = [Faker(locale) for locale in RECORD_LOCALES]
    for index, faker in enumerate(fakers):
        faker.seed_instance(seed * 100 + index)
    rng = random.Random(seed)
    templates = record_half(half)
    for index in range(count):
        faker, template = rng.choice(fakers), rng.choice(templates)
        slots = list(dict.fromkeys(slot.group(1) for slot in _SLOT.finditer(template)))
        values = {slot: _record_value(slot.rstrip("0123456789"), faker, rng) for slot in slots}
        kinds = {slot: _KINDS[slot.rstrip("0123456789")] for slot in slots}
        yield _filled(f"{half}-{index}", template, values, kinds)


def _record_value(kind: str, faker: Faker, rng: random.Random) -> str:
    if kind == "TITLE":
        return rng.choice(("Mr", "Mrs", "Ms", "Dr", "Mr.", "Ms."))
    if kind in ("DATE", "MONTH"):
        day = faker.date_between("-40y", "today")
        return day.strftime(rng.choice(DATE_FORMATS) if kind == "DATE" else "%B %Y")
    if kind == "YEAR":
        return str(rng.randint(1940, 2024))
    if kind == "CASE":
        return _case_number(rng)
    return {"NAME": lambda: f"{faker.first_name()} {faker.last_name()}", "FIRST": faker.first_name,
            "LAST": faker.last_name, "CITY": faker.city, "STREET": faker.street_address}[kind]()


def _case_number(rng: random.Random) -> str:
    def digits(count):
        return "".join(rng.choice("0123456789") for _ in range(count))
    register = rng.choice(("AZ", "KP", "II AKa", "III K"))
    return rng.choice((f"{digits(5)}/{digits(2)}", f"{rng.randint(1, 9)}:{digits(2)}-cv-{digits(5)}",
                       f"{digits(4)}-CV-{digits(4)}", f"{register} {digits(3)}/{digits(2)}", f"{digits(4)}/{digits(5)}",
                       f"{digits(2)}-{digits(4)}", f"C-{digits(3)}/{digits(2)}", digits(6)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--sentences", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latin-only", action="store_true")
    parser.add_argument("--records", action="store_true", help="names, places, dates and case numbers")
    parser.add_argument("--half", choices=("tune", "check"), default="tune", help="with --records")
    args = parser.parse_args()
    locales = LATIN_LOCALES + (() if args.latin_only else OTHER_SCRIPT_LOCALES)
    found = records(args.sentences, args.seed, args.half) if args.records else sentences(args.sentences, args.seed, locales)
    with open(args.out, "w", encoding="utf-8") as handle:
        for record in found:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
