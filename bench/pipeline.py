"""Documents per second through the running appliance vs the same work done directly in one process.

    python bench/pipeline.py NOTES_DIR_OR_JSONL [--limit N]

Starts the whole stack (Redis, Celery workers per queue, beat, web) in a temporary folder,
submits the notes through the REST API and waits for every result; then runs the same
de-identification and model calls in this process on the same notes. Prints both rates and
the overhead queueing adds per document.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stack import Stack  # noqa: E402


def read_notes(source: Path, limit: int) -> list[str]:
    if source.is_dir():
        notes = [path.read_text() for path in sorted(source.glob("*.txt"))]
    else:
        notes = [json.loads(line)["text"] for line in source.read_text().splitlines() if line.strip()]
    return notes[:limit]


def through_pipeline(stack: Stack, notes: list[str]) -> float:
    token = stack.token("bench-clinician", "clinician")
    headers = {"Authorization": f"Token {token}"}
    started = time.perf_counter()
    ids = [requests.post(f"{stack.url}/api/v1/documents", json={"text": note}, headers=headers, timeout=60).json()["id"]
           for note in notes]
    pending = set(ids)
    while pending:
        for document_id in list(pending):
            body = requests.get(f"{stack.url}/api/v1/documents/{document_id}", headers=headers, timeout=60).json()
            if body["status"] == "failed":
                raise SystemExit(f"document {document_id} failed: {body['error']}")
            if body["status"] == "done":
                pending.discard(document_id)
        time.sleep(0.05)  # polling granularity bounds the measured latency
    return time.perf_counter() - started


def in_process(stack: Stack, notes: list[str]) -> float:
    os.environ.update(stack.env)
    import django

    django.setup()
    import deid
    from clinical_ai.nlp.services import analyze

    analyze([deid.deidentify(notes[0]).text])  # load every model before timing, as the workers have
    seconds = []
    for note in notes:
        started = time.perf_counter()
        analyze([deid.deidentify(note).text])
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notes", type=Path, help="a folder of .txt notes or a JSONL file with a 'text' field")
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    notes = read_notes(args.notes, args.limit)

    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-pipeline-")), fast_recovery=False).start()
    try:
        through_pipeline(stack, notes[-1:])  # warm the workers: their models load on first use
        single_seconds = through_pipeline(stack, notes[:1])
        pipeline_seconds = through_pipeline(stack, notes)
    finally:
        stack.stop()
    direct_each = in_process(stack, notes)  # after the stack stopped: the same cores, undisturbed
    direct_seconds = sum(direct_each)

    count = len(notes)
    overhead = (pipeline_seconds - direct_seconds) / count
    print(f"notes: {count}")
    print(f"one document, API in to result out: {single_seconds:.2f} s; the same calls directly: {direct_each[0]:.2f} s "
          f"(queueing adds {single_seconds - direct_each[0]:+.2f} s)")
    print(f"pipeline (API -> Redis -> workers -> result): {count / pipeline_seconds:.3f} docs/s, "
          f"{pipeline_seconds / count:.2f} s/doc")
    print(f"direct (same calls, one process):            {count / direct_seconds:.3f} docs/s, "
          f"{direct_seconds / count:.2f} s/doc")
    print(f"all {count} at once: {overhead:+.2f} s/doc ({overhead / (direct_seconds / count):+.1%}); the inference "
          "worker batches waiting documents and overlaps with de-identification, so this can be negative")


if __name__ == "__main__":
    main()
