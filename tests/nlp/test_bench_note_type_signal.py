"""bench/note_type_signal.py on a small export written here: where the note's words carry its type,
leave-one-patient-out beats always answering the most common type; the encounter table counts each note."""
import base64
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "note_type_signal.py"
ED, HP = "34111-5", "34117-2"
WORDS = {ED: "Triage in the emergency department, trauma bay, paged the on-call surgeon.",
         HP: "Annual physical examination, immunizations reviewed, well visit screening."}


def _note(number: int, patient: str, code: str, encounter: str) -> dict:
    text = f"Visit {number}. {WORDS[code]}"
    return {"resourceType": "DocumentReference", "id": f"n{number}", "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": f"Patient/{patient}"},
            "context": {"encounter": [{"reference": f"Encounter/{encounter}"}]},
            "content": [{"attachment": {"contentType": "text/plain", "data": base64.b64encode(text.encode()).decode()}}]}


def test_text_signal_beats_the_most_common_type_and_the_encounter_classes_are_counted(tmp_path):
    codes = [ED, HP, HP, HP] * 3  # three patients, each with one ED note and three H&P notes
    notes = [_note(i, f"p{i // 4}", code, f"e{i}") for i, code in enumerate(codes)]
    encounters = [{"resourceType": "Encounter", "id": f"e{i}", "status": "finished",
                   "class": {"code": "EMER" if code == ED else "AMB"}} for i, code in enumerate(codes)]
    (tmp_path / "DocumentReference.000.ndjson").write_text("".join(json.dumps(n) + "\n" for n in notes))
    (tmp_path / "Encounter.000.ndjson").write_text("".join(json.dumps(e) + "\n" for e in encounters))

    run = subprocess.run([sys.executable, str(BENCH), str(tmp_path)], capture_output=True, text=True, check=True)

    report = json.loads(run.stdout)
    assert (report["notes"], report["patients"]) == (12, 3)
    assert report["most_common_type_accuracy"] == 0.75
    assert report["text_leave_one_patient_out_accuracy"] == 1.0
    assert report["type_by_encounter_class"] == {f"{ED} EMER": 3, f"{HP} AMB": 9}
