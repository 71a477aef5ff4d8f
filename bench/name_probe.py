"""An out-of-domain probe for person names: sentences of news, legal and letter prose
(not clinical notes, not the tagger's synthetic note styles) filled with Faker names of
many locales, written as a gold JSONL that bench/deid_throughput.py scores against plain
Presidio in the same run:

    python bench/name_probe.py OUT.jsonl [--sentences 1500] [--seed 7] [--latin-only]
    python bench/deid_throughput.py OUT.jsonl --workers

A probe, not gold: the templates are ours, so a figure on it says which kinds of context
the engine reads (a name opening a sentence, after "Ask", in a sign-off, in its own
script), not what acceptance will measure. --latin-only leaves out the locales whose
names Faker writes in another script (Arabic, Devanagari, Cyrillic, Greek).
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


def _filled(record_id: str, template: str, values: dict) -> dict:
    text, phi, position = "", [], 0
    for slot in _SLOT.finditer(template):
        text += template[position:slot.start()]
        phi.append({"start": len(text), "end": len(text) + len(values[slot.group(1)]), "type": "NAME"})
        text += values[slot.group(1)]
        position = slot.end()
    return {"id": record_id, "text": text + template[position:], "phi": phi}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--sentences", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latin-only", action="store_true")
    args = parser.parse_args()
    locales = LATIN_LOCALES + (() if args.latin_only else OTHER_SCRIPT_LOCALES)
    with open(args.out, "w", encoding="utf-8") as handle:
        for record in sentences(args.sentences, args.seed, locales):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
