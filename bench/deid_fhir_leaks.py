"""Identifiers left after de-identification of a FHIR bulk export, with its Patient and
Practitioner resources as the context (the path `manage.py import_fhir` takes).

    python bench/deid_fhir_leaks.py ../shared/data/fhir/synthea_dev

Notes and their context come from the product's own FHIR reader; the values checked are
read independently from the raw Patient and Practitioner resources: every name part,
birth date, address line, city, postal code, phone and identifier of the note's patient
and of every practitioner in the export. A value is "left" when it still appears, as a
whole word and in any case, in the de-identified text. Prints one JSON object; the
values themselves are never printed (they are PHI in a real export).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinical_ai.interop.fhir_r4 import parse_ndjson_folder  # noqa: E402
from clinical_ai.interop.results import InboundNote  # noqa: E402
from deid import DeidEngine  # noqa: E402

TITLES = {"mr.", "mrs.", "ms.", "dr.", "miss"}


def resources(folder: Path, kind: str) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob(f"{kind}*.ndjson"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def person_values(person: dict) -> list[tuple[str, str]]:
    """(kind, value) for everything that identifies this Patient or Practitioner."""
    values = [("name", part) for name in person.get("name", []) for part in [*name.get("given", []), name.get("family")]
              if part and part.lower() not in TITLES]
    values += [("birth_date", person["birthDate"])] if person.get("birthDate") else []
    for address in person.get("address", []):
        values += [("address_line", line) for line in address.get("line", [])]
        values += [(kind, address[key]) for kind, key in (("city", "city"), ("postal_code", "postalCode")) if address.get(key)]
    values += [("phone", telecom["value"]) for telecom in person.get("telecom", []) if telecom.get("system") == "phone"]
    values += [("identifier", identifier["value"]) for identifier in person.get("identifier", []) if identifier.get("value")]
    return values


def occurs(value: str, text: str) -> bool:
    return re.search(r"(?<![A-Za-z0-9])" + re.escape(value) + r"(?![A-Za-z0-9])", text, re.IGNORECASE) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    patients = {patient["id"]: patient for patient in resources(args.folder, "Patient")}
    clinician_values = [value for person in resources(args.folder, "Practitioner") for value in person_values(person)]
    notes = [note for note in parse_ndjson_folder(args.folder) if isinstance(note, InboundNote)]
    engine = DeidEngine()
    started = time.perf_counter()
    results = engine.deidentify_batch([note.text for note in notes], [note.patient for note in notes])
    seconds = time.perf_counter() - started
    checked, present, left = Counter(), Counter(), Counter()
    for note, result in zip(notes, results):
        patient = patients.get(note.patient.patient_id if note.patient else "")
        for kind, value in (person_values(patient) if patient else []) + clinician_values:
            checked[kind] += 1
            if occurs(value, note.text):
                present[kind] += 1
                left[kind] += occurs(value, result.text)
    print(json.dumps({
        "notes": len(notes),
        "values_checked": sum(checked.values()),
        "values_in_notes": sum(present.values()),
        "values_left": sum(left.values()),
        "per_kind": {kind: {"checked": checked[kind], "in_notes": present[kind], "left": left[kind]}
                     for kind in sorted(checked)},
        "notes_per_second": round(len(notes) / seconds, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
