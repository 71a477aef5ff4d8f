"""bench/deid_fhir_leaks.py on a small export written here: it finds the values in the note,
reports none left after de-identification, and never prints them."""
import base64
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "deid_fhir_leaks.py"
NOTE = "Rosalind Quenneville (DOB 1961-04-09) seen by Dr. Tobias Marchetti; lives at 41 Larkspur Lane, Ashgrove."


def _write(folder: Path, kind: str, resource: dict) -> None:
    (folder / f"{kind}.000.ndjson").write_text(json.dumps({"resourceType": kind, **resource}) + "\n")


def test_the_leak_bench_finds_the_values_and_reports_none_left(tmp_path):
    _write(tmp_path, "Patient", {"id": "p1", "name": [{"given": ["Rosalind"], "family": "Quenneville"}],
                                 "birthDate": "1961-04-09",
                                 "address": [{"line": ["41 Larkspur Lane"], "city": "Ashgrove"}]})
    _write(tmp_path, "Practitioner", {"id": "d1", "name": [{"given": ["Tobias"], "family": "Marchetti",
                                                            "prefix": ["Dr."]}]})
    _write(tmp_path, "DocumentReference", {
        "id": "n1", "status": "current", "subject": {"reference": "Patient/p1"},
        "author": [{"reference": "Practitioner/d1"}],
        "content": [{"attachment": {"contentType": "text/plain", "data": base64.b64encode(NOTE.encode()).decode()}}]})

    run = subprocess.run([sys.executable, str(BENCH), str(tmp_path)], capture_output=True, text=True, check=True)

    report = json.loads(run.stdout)
    assert report["notes"] == 1
    assert report["values_in_notes"] == 7  # 4 name parts, birth date, address line, city
    assert report["values_left"] == 0
    for value in ("Rosalind", "Quenneville", "Marchetti", "Larkspur", "Ashgrove", "1961"):
        assert value not in run.stdout + run.stderr
