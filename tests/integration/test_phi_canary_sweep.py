"""PHI canary sweep: a unique value of every kind in every field of every way in, then a search of every
place data rests or leaves. It passes only with no canary outside encrypted storage (issue 11).

Ways in: API JSON and multipart (note, patient context, file name, error bodies), the web UI's upload,
a break-glass reason, HL7 v2 from a file and over MLLP (PID, NK1, PV1, OBR, TXA, NTE, OBX), FHIR from a
file and POST /api/v1/fhir (Patient, RelatedPerson, Practitioner, DocumentReference description,
attachment title, text.div, resource ids), a training CSV, and the compliance officer's patient search.

Searched: every column of every table (Fernet tokens excepted: that is the encrypted storage), every
file of the stack's data folder as raw bytes (the SQLite file itself, logs, beat schedule, quarantine),
every Redis key and value (Celery message bodies decoded), the FHIR export and per-document FHIR (every
string, attachments decoded), API and MLLP answers, command output, and the trained model's folder.
"""
import base64
import json
import shutil
import socket
import sqlite3
import subprocess
import time
import uuid

import pytest
import redis
import requests

from tests.stack import BIN, REPO, csrf, free_port

pytestmark = pytest.mark.integration

# One unique value of every kind; each is searched for case-insensitively, names also by their parts.
PATIENT_GIVEN, PATIENT_FAMILY = "Zebulon", "Quackenbush"
RELATIVE_GIVEN, RELATIVE_FAMILY = "Ottoline", "Featherstonehaugh"
CLINICIAN_GIVEN, CLINICIAN_FAMILY = "Barnaby", "Wigglesworth"
MRN, SSN, PHONE, EMAIL = "7731904", "512-83-4096", "617-555-0199", "zquack@example.org"
STREET, CITY = "1289 Juniper Hollow Road", "Quillsbury"
BIRTH_DATE, BIRTH_DATE_US, BIRTH_DATE_HL7 = "1947-03-19", "03/19/1947", "19470319"
CANARIES = (PATIENT_GIVEN, PATIENT_FAMILY, RELATIVE_GIVEN, RELATIVE_FAMILY, CLINICIAN_GIVEN, CLINICIAN_FAMILY,
            MRN, SSN, PHONE, EMAIL, "Juniper Hollow", CITY, BIRTH_DATE, BIRTH_DATE_US, BIRTH_DATE_HL7)

NOTE = (f"Mr. {PATIENT_GIVEN} {PATIENT_FAMILY} (MRN {MRN}, SSN {SSN}, phone {PHONE}, {EMAIL}) of {STREET}, {CITY}, "
        f"born {BIRTH_DATE_US}, was seen by Dr. {CLINICIAN_GIVEN} {CLINICIAN_FAMILY} for chest pain. His daughter "
        f"{RELATIVE_GIVEN} {RELATIVE_FAMILY} was present. Troponin normal; discharged on aspirin.")
PATIENT_JSON = {"id": MRN, "name": f"{PATIENT_GIVEN} {PATIENT_FAMILY}", "birth_date": BIRTH_DATE,
                "identifiers": [SSN], "address": f"{STREET}, {CITY}", "phone": PHONE, "email": EMAIL,
                "relatives": [f"{RELATIVE_GIVEN} {RELATIVE_FAMILY}"],
                "clinicians": [f"{CLINICIAN_GIVEN} {CLINICIAN_FAMILY}"]}
TITLE = f"Discharge summary for {PATIENT_GIVEN} {PATIENT_FAMILY} MRN {MRN}"
FILE_NAME = f"{PATIENT_FAMILY}_{PATIENT_GIVEN}_{MRN}.txt"
REASON = f"Mr. {PATIENT_FAMILY}'s daughter {RELATIVE_GIVEN} called from {PHONE} about the allergy list"
PASSWORD = "Canary-sweep-Passw0rd!"
MODEL_NAME = "canary-sweep-classifier"


def hl7_message(control_id: str, kind: str) -> bytes:
    pid = (f"PID|1||{MRN}^^^HOSP^MR||{PATIENT_FAMILY}^{PATIENT_GIVEN}||{BIRTH_DATE_HL7}|M|||"
           f"{STREET}^^{CITY}^MA^01999||{PHONE}~^NET^Internet^{EMAIL}||||||{SSN}")
    segments = [f"MSH|^~\\&|CANARYAPP|CANARYFAC|APPLIANCE|HOSP|20240102||{kind}|{control_id}|P|2.5", pid,
                f"NK1|1|{RELATIVE_FAMILY}^{RELATIVE_GIVEN}|DAU||{PHONE}",
                f"PV1|1|I|W1^101^A|||||1234^{CLINICIAN_FAMILY}^{CLINICIAN_GIVEN}"]
    if kind.startswith("MDM"):
        segments.append(f"TXA|1|DS|TX|20240102|1234^{CLINICIAN_FAMILY}^{CLINICIAN_GIVEN}|||||||{MRN}-DOC")
    segments += [f"OBR|1||{MRN}-ACC|18842-5^{TITLE}^LN|||||||||||||5678^{CLINICIAN_FAMILY}^{CLINICIAN_GIVEN}",
                 f"NTE|1||{PATIENT_FAMILY} asked for a call back on {PHONE}",
                 f"OBX|1|TX|18842-5^{TITLE}^LN||{NOTE}||||||F"]
    return ("\r".join(segments) + "\r").encode()


def fhir_bundle(suffix: str, source: str = "") -> dict:
    patient = {"resourceType": "Patient", "id": f"{MRN}{suffix}",
               "identifier": [{"system": "urn:mrn", "value": MRN}, {"system": "http://hl7.org/fhir/sid/us-ssn",
                                                                      "value": SSN}],
               "name": [{"family": PATIENT_FAMILY, "given": [PATIENT_GIVEN]}], "birthDate": BIRTH_DATE,
               "telecom": [{"system": "phone", "value": PHONE}, {"system": "email", "value": EMAIL}],
               "address": [{"line": [STREET], "city": CITY}]}
    related = {"resourceType": "RelatedPerson", "id": f"rel{suffix}", "patient": {"reference": f"Patient/{MRN}{suffix}"},
               "name": [{"family": RELATIVE_FAMILY, "given": [RELATIVE_GIVEN]}]}
    practitioner = {"resourceType": "Practitioner", "id": f"prac{suffix}",
                    "name": [{"family": CLINICIAN_FAMILY, "given": [CLINICIAN_GIVEN]}]}
    note = {"resourceType": "DocumentReference", "id": f"note-{MRN}{suffix}", "status": "current",
            "description": TITLE, "subject": {"reference": f"Patient/{MRN}{suffix}"},
            "text": {"status": "generated", "div": f"<div xmlns=\"http://www.w3.org/1999/xhtml\">{NOTE}</div>"},
            "author": [{"reference": f"Practitioner/prac{suffix}"}],
            "content": [{"attachment": {"contentType": "text/plain", "title": FILE_NAME,
                                        "data": base64.b64encode(NOTE.encode()).decode()}}]}
    bad = {**note, "id": f"bad-{MRN}{suffix}", "status": 12}
    body = {"resourceType": "Bundle", "type": "batch",
            "entry": [{"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": r} for r in (patient, related, practitioner,
                                                                                      note, bad)]}
    if source:
        body["meta"] = {"source": source}
    return body


class Sweep:
    """What came back from the ways in (answers, command output), to be searched with the rest."""

    def __init__(self, stack):
        self.stack = stack
        self.answers: list[tuple[str, str]] = []

    def keep(self, channel: str, text: str) -> str:
        self.answers.append((channel, text))
        return text

    def manage(self, channel: str, *args: str, allowed=(0,)) -> str:
        result = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=REPO, env=self.stack.env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode in allowed, result.stderr[-2000:]
        return self.keep(channel, result.stdout + result.stderr)


def send_mllp(port: int, message: bytes) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=60)
            break
        except OSError:
            assert time.monotonic() < deadline, "MLLP listener did not start"
            time.sleep(0.2)
    with connection:
        connection.sendall(b"\x0b" + message + b"\x1c\r")
        received = b""
        while b"\x1c\r" not in received:
            chunk = connection.recv(65536)
            assert chunk, "listener closed the connection"
            received += chunk
    return received.decode(errors="replace")


def feed_every_way_in(sweep: Sweep, tmp_path) -> None:
    stack = sweep.stack
    token = stack.token("canary-clinician", "clinician")
    service = stack.token("canary-interface", "service")
    api = {"Authorization": f"Token {token}"}

    # REST API: JSON with patient context, a multipart file with a PHI file name, refusals' error bodies.
    created = requests.post(f"{stack.url}/api/v1/documents", json={"text": NOTE, "patient": PATIENT_JSON},
                            headers=api, timeout=60)
    sweep.keep("API answer", created.text)
    sweep.keep("API answer", requests.post(f"{stack.url}/api/v1/documents", headers=api, timeout=60,
                                           files={"file": (FILE_NAME, NOTE.encode())},
                                           data={"patient": json.dumps(PATIENT_JSON)}).text)
    sweep.keep("API error body", requests.post(f"{stack.url}/api/v1/documents", headers=api, timeout=60,
                                               files={"file": (FILE_NAME.replace(".txt", ".png"), b"\x89PNG")}).text)
    sweep.keep("API error body", requests.post(f"{stack.url}/api/v1/documents", headers=api, timeout=60,
                                               json={"text": " ", "patient": PATIENT_JSON}).text)

    # Web UI: an upload with a PHI file name, then break-glass on the API's document with a typed reason.
    ui = stack.web_session("canary-clinician", "clinician", PASSWORD)
    form = ui.get(f"{stack.url}/documents/new", timeout=30).text
    ui.post(f"{stack.url}/documents/new", timeout=60, headers={"Referer": f"{stack.url}/documents/new"},
            data={"csrfmiddlewaretoken": csrf(form), "text": "", "patient_mrn": MRN, "patient_birth_date": BIRTH_DATE,
                  "patient_name": f"{PATIENT_GIVEN} {PATIENT_FAMILY}", "patient_address": f"{STREET}, {CITY}", "patient_phone": PHONE},
            files={"file": (FILE_NAME, NOTE.encode())})
    document_url = f"{stack.url}/documents/{created.json()['id']}/original"
    glass = ui.get(document_url, timeout=30).text
    shown = ui.post(document_url, timeout=60, headers={"Referer": document_url},
                    data={"csrfmiddlewaretoken": csrf(glass), "reason": REASON})
    assert shown.ok and PATIENT_FAMILY in shown.text  # break-glass shows the original: that is its purpose

    # HL7 v2: a file with a PHI file name, and an ORU over MLLP.
    (tmp_path / f"{PATIENT_FAMILY}_{MRN}.hl7").write_bytes(hl7_message(f"{MRN}-1", "MDM^T02"))
    sweep.manage("import_hl7 output", "import_hl7", str(tmp_path / f"{PATIENT_FAMILY}_{MRN}.hl7"))
    port = free_port()
    stack.spawn("mllp", [str(BIN / "python"), "manage.py", "mllp_listen", "--host", "127.0.0.1", "--port", str(port)])
    # MSA-2 echoes MSH-10 to its sender by protocol: this control id is a counter, as interface engines send.
    sweep.keep("MLLP ACK", send_mllp(port, hl7_message("CANARY-ORU-2", "ORU^R01")))

    # FHIR: a file (with a bad resource: exit 2 and a rejection reason), and POST /api/v1/fhir.
    (tmp_path / f"{PATIENT_FAMILY}.json").write_text(json.dumps(fhir_bundle("a")))
    sweep.manage("import_fhir output", "import_fhir", str(tmp_path / f"{PATIENT_FAMILY}.json"), allowed=(0, 2))
    sweep.keep("FHIR API answer", requests.post(
        f"{stack.url}/api/v1/fhir", data=json.dumps(fhir_bundle("b", source=f"urn:{PATIENT_FAMILY}-ehr")), timeout=60,
        headers={"Authorization": f"Token {service}", "Content-Type": "application/fhir+json"}).text)

    # A training CSV with PHI in its text and its labels, through the command both training paths share.
    rows = [{"text": f"{NOTE} Visit {n}.", "label": f"{'Cardiology' if n % 2 else 'Neurology'} for Mr. {PATIENT_FAMILY}"}
            for n in range(10)]
    (tmp_path / "train.csv").write_text("text,label\n" + "".join(f"\"{r['text']}\",{r['label']}\n" for r in rows))
    sweep.manage("models train output", "models", "--by", "canary", "train", "--task", "classify", "--method", "head",
                 "--name", MODEL_NAME, "--data", str(tmp_path / "train.csv"), "--text-column", "text",
                 "--label-column", "label")

    # The compliance officer's patient search: by MRN and by name as typed (turned into the patient's key),
    # and a typed value put straight into the report's key filter (refused, never recorded).
    officer = stack.web_session("canary-officer", "compliance", PASSWORD)
    search = f"{stack.url}/audit/patient"
    for typed in (MRN, f"{PATIENT_GIVEN} {PATIENT_FAMILY}"):
        form = officer.get(search, timeout=30).text
        assert officer.post(search, timeout=30, headers={"Referer": search},
                            data={"csrfmiddlewaretoken": csrf(form), "mrn_or_name": typed}).ok
    assert officer.get(search, params={"patient": MRN}, timeout=30).status_code == 400


def wait_until_settled(stack, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while stack.query("SELECT count(*) FROM documents_document WHERE status IN ('queued', 'processing')")[0][0]:
        assert time.monotonic() < deadline, stack.logs()
        time.sleep(1)


def read_back_every_way_out(sweep: Sweep, tmp_path) -> None:
    stack = sweep.stack
    token = stack.token("canary-clinician", "clinician")
    for (document_id,) in stack.query("SELECT id FROM documents_document"):
        document_id = str(uuid.UUID(document_id))
        for path in (f"/api/v1/documents/{document_id}", f"/api/v1/documents/{document_id}/fhir"):
            sweep.keep("API answer", requests.get(f"{stack.url}{path}", headers={"Authorization": f"Token {token}"},
                                                  timeout=60).text)
    export = tmp_path / "export"
    sweep.manage("export_fhir output", "export_fhir", str(export))
    for path in sorted(export.glob("*.ndjson")):
        for line in path.read_text().splitlines():
            for text in _strings(json.loads(line)):
                sweep.keep("FHIR export", text)


def _strings(value):
    """Every string of a JSON value, attachments' base64 data decoded as well."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "data" and isinstance(item, str):
                yield base64.b64decode(item).decode(errors="replace")
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def found_in(text: str) -> set[str]:
    lowered = text.lower()
    return {canary for canary in CANARIES if canary.lower() in lowered}


def scan_database(stack) -> dict[str, set[str]]:
    """Every column of every table; Fernet tokens (the encrypted columns) are the only values passed over."""
    findings: dict[str, set[str]] = {}
    with sqlite3.connect(stack.database, timeout=30) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            columns = [c[0] for c in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row):
                    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                    if text.startswith("gAAAAA"):
                        continue
                    if hits := found_in(text):
                        findings.setdefault(f"table {table}.{column}", set()).update(hits)
    return findings


def scan_files(root, label: str) -> dict[str, set[str]]:
    findings: dict[str, set[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if hits := found_in(path.read_bytes().decode("utf-8", errors="replace")):
            findings.setdefault(f"{label} {path.relative_to(root)}", set()).update(hits)
    return findings


def scan_redis(stack) -> tuple[int, dict[str, set[str]]]:
    client = redis.Redis(port=stack.redis_port)
    findings: dict[str, set[str]] = {}
    keys = list(client.scan_iter(count=1000))
    for key in keys:
        kind = client.type(key).decode()
        values = {"string": lambda: [client.get(key)], "list": lambda: client.lrange(key, 0, -1),
                  "set": lambda: list(client.smembers(key)), "zset": lambda: client.zrange(key, 0, -1),
                  "hash": lambda: [*client.hkeys(key), *client.hvals(key)]}.get(kind, lambda: [])()
        for raw in [key, *values]:
            text = raw.decode(errors="replace")
            if hits := found_in(text) | found_in(_celery_body(text)):
                findings.setdefault(f"redis {key.decode(errors='replace')}", set()).update(hits)
    return len(keys), findings


def _celery_body(text: str) -> str:
    try:
        message = json.loads(text)
        return base64.b64decode(message["body"]).decode(errors="replace")
    except (ValueError, KeyError, TypeError):
        return ""


def test_no_canary_rests_or_leaves_outside_encrypted_storage(stack, tmp_path):
    sweep = Sweep(stack)
    model_folder = REPO / "var" / "models" / MODEL_NAME
    started = time.perf_counter()
    try:
        feed_every_way_in(sweep, tmp_path)
        fed = time.perf_counter()
        wait_until_settled(stack)
        settled = time.perf_counter()
        read_back_every_way_out(sweep, tmp_path)
        assert any(model_folder.rglob("config.json")), "the training run left no model folder"
        answers: dict[str, set[str]] = {}
        for channel, text in sweep.answers:
            answers.setdefault(channel, set()).update(found_in(text))
        redis_keys, redis_findings = scan_redis(stack)
        scanned = {**{f"{channel} ({sum(c == channel for c, _ in sweep.answers)})": hits
                      for channel, hits in answers.items()},
                   "database: every column of every table": scan_database(stack),
                   "data folder files: SQLite file, logs, quarantine, beat": scan_files(stack.root, "file"),
                   f"Redis: {redis_keys} keys and their values": redis_findings,
                   "trained model folder and card": scan_files(model_folder, "model")}
        documents = dict(stack.query("SELECT status, count(*) FROM documents_document GROUP BY status"))
        quarantined = stack.query("SELECT count(*) FROM documents_quarantinedinput")[0][0]
        print(f"\nfeeding {fed - started:.0f} s (training included), pipeline {settled - fed:.0f} s, "
              f"reading back and scanning {time.perf_counter() - settled:.0f} s")
    finally:
        shutil.rmtree(model_folder, ignore_errors=True)

    print(f"\nPHI canary sweep: documents {documents}, quarantined {quarantined}")
    print(f"{'channel scanned':<62} canaries found")
    for channel, hits in scanned.items():
        places = hits if isinstance(hits, dict) else {channel: hits}
        print(f"{channel:<62} {sum(len(v) for v in places.values())}")
        for place, values in sorted(places.items()):
            if values and place != channel:
                print(f"    {place:<58} {', '.join(sorted(values))}")
            elif values:
                print(f"    {'':<58} {', '.join(sorted(values))}")
    assert documents.get("done", 0) >= 7 and quarantined >= 4, (documents, quarantined)
    leaks = {channel: hits for channel, hits in scanned.items() if (any(hits.values()) if isinstance(hits, dict) else hits)}
    assert not leaks, leaks
