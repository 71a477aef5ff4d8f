"""How much of a FHIR export's LOINC note type can be known from anything but the type itself.

    python bench/note_type_signal.py ../shared/data/fhir/synthea_dev

The ceiling for "note type with the LOINC type hidden": a TF-IDF + logistic regression trained
on the export's own notes, leave-one-patient-out (each patient's notes scored by a model trained
on the other patients), against always answering the most common type; and the cross-table of
LOINC type against the class of the Encounter each note documents (AMB, EMER, IMP). When neither
beats the most common type, the type is not in the note or its setting, and no classifier can
reach it. Notes are read with the product's FHIR reader; prints one JSON object of counts and
accuracies, never a note or an identifier.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.deid_fhir_leaks import resources  # noqa: E402
from clinical_ai.interop.fhir_r4 import parse_ndjson_folder  # noqa: E402
from clinical_ai.interop.results import InboundNote  # noqa: E402


def notes(folder: Path) -> list[dict]:
    """(text, LOINC code, patient, encounter class) of each note with a LOINC type, as the product reads them."""
    classes = {f"Encounter/{e['id']}": (e.get("class") or {}).get("code", "") for e in resources(folder, "Encounter")}
    references = {f"DocumentReference/{r.get('id')}": r for r in resources(folder, "DocumentReference")}
    found = []
    for note in parse_ndjson_folder(folder):
        reference = references.get(note.message_id) if isinstance(note, InboundNote) and note.loinc_code else None
        if reference:
            encounters = (reference.get("context") or {}).get("encounter") or [{}]
            found.append({"text": note.text, "code": note.loinc_code,
                          "patient": (reference.get("subject") or {}).get("reference", ""),
                          "encounter_class": classes.get(encounters[0].get("reference", ""), "")})
    return found


def leave_one_patient_out(found: list[dict], seed: int) -> float:
    texts, codes = [n["text"] for n in found], np.array([n["code"] for n in found])
    patients = np.array([n["patient"] for n in found])
    correct = 0
    for patient in sorted(set(patients)):
        held = patients == patient
        if len(set(codes[~held])) < 2:
            correct += int((codes[held] == codes[~held][0]).sum())
            continue
        model = make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2),
                              LogisticRegression(max_iter=2000, C=10.0, random_state=seed))
        model.fit([t for t, h in zip(texts, held) if not h], codes[~held])
        correct += int((model.predict([t for t, h in zip(texts, held) if h]) == codes[held]).sum())
    return correct / len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a FHIR bulk export (NDJSON files)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    found = notes(args.folder)
    codes = Counter(n["code"] for n in found)
    table = Counter((n["code"], n["encounter_class"] or "none") for n in found)
    print(json.dumps({
        "notes": len(found), "patients": len({n["patient"] for n in found}), "types": dict(codes),
        "most_common_type_accuracy": round(codes.most_common(1)[0][1] / len(found), 3),
        "text_leave_one_patient_out_accuracy": round(leave_one_patient_out(found, args.seed), 3),
        "type_by_encounter_class": {f"{code} {klass}": count for (code, klass), count in sorted(table.items())},
    }, indent=2))


if __name__ == "__main__":
    main()
