"""Audit trail throughput: P processes each append E chained events at once; the chain must verify.

    python bench/audit_throughput.py [--processes 4 --events 500]

Uses the database DJANGO_SETTINGS_MODULE (default clinical_ai.settings) and DATABASE_URL
name, migrated first. Prints sustained events/s over the whole run, then verifies the whole
chain and exits non-zero if it does not verify, so it doubles as a concurrency check.
"""
import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinical_ai.settings")


def setup_django() -> None:
    import django

    django.setup()


def write_events(worker: int, events: int, start) -> None:
    """One writer process: wait for the common start, then append ``events`` events."""
    setup_django()
    from django.db import connection

    from clinical_ai.audit.services import record

    connection.ensure_connection()  # connecting is not part of the measured rate
    start.wait()
    for number in range(events):
        record(action="read", object_type="document", object_id=f"bench-{worker}-{number}",
               patient_key=f"pk-{number % 97}", purpose="TREAT", details={"writer": worker, "n": number},
               component=f"bench-{worker}")


def run(processes: int, events: int) -> float:
    """Events/s with ``processes`` concurrent writers, timed from the common start to the last commit."""
    context = multiprocessing.get_context("spawn")  # fresh interpreters, no inherited DB connections
    start = context.Barrier(processes + 1)
    writers = [context.Process(target=write_events, args=(n, events, start)) for n in range(processes)]
    for writer in writers:
        writer.start()
    start.wait()
    began = time.perf_counter()
    for writer in writers:
        writer.join()
    elapsed = time.perf_counter() - began
    if any(writer.exitcode for writer in writers):
        raise SystemExit("a writer process failed")
    return processes * events / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--events", type=int, default=500, help="events per process")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from clinical_ai.audit import chain

    call_command("migrate", verbosity=0, skip_checks=True)  # the checks would import every view
    connection.close()
    rate = run(args.processes, args.events)
    report = chain.verify()
    print(f"{connection.vendor}: {args.processes} processes x {args.events} events: {rate:.0f} events/s; "
          f"chain {'verified' if report.ok else 'BROKEN at ' + str(report.first_broken)} ({report.events} events)")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
