"""The clinician's document list at volume: response times of ``/`` with N documents in one unit.

    python bench/document_list.py [--documents 10000 --requests 30]

Builds a fresh SQLite database in a temporary folder (or uses DATABASE_URL if set), fills one unit
with N documents (mixed statuses, types, sources, patients, dates of service), and times full
requests through Django's test client (middleware, session, audit event and template included):
the first page, a deep page, a status filter, a patient filter, a sort by date of service and a
text search. The baseline, in the same run, is the same requests with the list's indexes dropped.
Prints the median and 95th percentile per request in ms; exits 1 if a median is over --budget-ms.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinical_ai.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["CLINICAL_AI_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-document-list-")

LIST_INDEXES = ("document_unit_received", "document_unit_service_date", "document_unit_status")
TYPES = ("discharge summary", "progress note", "consult note", "radiology report", "operative note")


def setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def fill(documents: int):
    """One clinician and ``documents`` notes in their unit; returns the clinician."""
    from django.contrib.auth import get_user_model

    from clinical_ai.accounts.models import Profile
    from clinical_ai.documents.models import Document

    user = get_user_model().objects.create_user("bench-clinician")
    Profile.objects.create(user=user, role="clinician", unit="ward-bench")
    rng, statuses = random.Random(13), [Document.Status.DONE] * 8 + [Document.Status.QUEUED, Document.Status.FAILED]
    batch = [Document(original_text="[bench note]", unit="ward-bench", uploaded_by=user,
                      source=rng.choice(("api", "upload", "hl7", "fhir")), status=rng.choice(statuses),
                      label=rng.choice(TYPES), title=f"{rng.choice(TYPES).title()} {n}",
                      patient_key=f"{rng.randrange(16 ** 8):08x}" + "0" * 24,
                      service_date=date(2024, 1, 1) + timedelta(days=rng.randrange(700)),
                      deidentified_text=f"[NAME] seen for {rng.choice(('chest pain', 'pneumonia', 'fracture'))}.",
                      summary="Seen and treated.") for n in range(documents)]
    Document.objects.bulk_create(batch, batch_size=2000)
    return user


def time_requests(client, query: dict, requests: int) -> tuple[float, float]:
    client.get("/", query)  # warm: templates compiled, caches filled
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get("/", query)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{query} answered {response.status_code}")
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def drop_list_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name in LIST_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--budget-ms", type=float, default=300.0)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(fill(args.documents))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    cases = {"first page": {}, "page 150": {"page": 150}, "status=failed": {"status": "failed"},
             "patient label": {"patient": "P-00"}, "sort by date of service": {"sort": "-service_date"},
             "search 'pneumonia'": {"q": "pneumonia"}}
    indexed = {name: time_requests(client, query, args.requests) for name, query in cases.items()}
    drop_list_indexes()
    baseline = {name: time_requests(client, query, args.requests) for name, query in cases.items()}

    print(f"document list, {args.documents} documents in one unit, {connection.vendor}, "
          f"{args.requests} requests each (ms: median / p95)")
    print(f"{'request':28} {'with indexes':>16} {'without (baseline)':>20}")
    for name in cases:
        (median, p95), (base_median, base_p95) = indexed[name], baseline[name]
        print(f"{name:28} {median:7.1f} / {p95:6.1f} {base_median:10.1f} / {base_p95:6.1f}")
    slowest = max(median for median, _ in indexed.values())
    print(f"slowest median {slowest:.1f} ms; budget {args.budget_ms:.0f} ms: {'ok' if slowest < args.budget_ms else 'OVER'}")
    return 0 if slowest < args.budget_ms else 1


if __name__ == "__main__":
    sys.exit(main())
