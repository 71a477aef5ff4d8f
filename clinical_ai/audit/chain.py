"""The hash chain that makes the audit trail tamper-evident.

Guarantees held here:
- Each event's ``hash`` is the SHA-256 of its canonical form: every recorded field, its id
  and the previous event's hash. Changing, deleting or reordering a row breaks the chain at
  that row or the next one.
- ``hmac`` is HMAC-SHA256 of the hash under ``audit-hmac-key`` from the key store, which the
  database never holds: whoever can write the database but not read the key directory can
  neither append a row nor re-chain the rows after one they changed.
- Ids are dense (each event takes the previous id + 1), so a gap is a deletion.
- Appends are serialized, so web and worker processes writing at once keep one chain:
  SQLite runs every transaction as ``BEGIN IMMEDIATE`` (settings), which takes the write
  lock before the tail is read; PostgreSQL takes a transaction-scoped advisory lock.
"""
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from clinical_ai.audit.models import AuditEvent

GENESIS = "0" * 64
HASHED_FIELDS = (
    "id", "occurred_at", "clock_source", "actor_id", "actor_name", "role", "action", "outcome",
    "object_type", "object_id", "patient_key", "purpose", "source_ip", "user_agent", "request_id",
    "details", "prev_hash",
)
ADVISORY_LOCK_KEY = 0x41554454  # "AUDT": one lock for all appends to the trail


def clock_source() -> str:
    """The clock behind ``occurred_at``, e.g. ``CLOCK_REALTIME/tsc``, noted in each event."""
    kernel = Path("/sys/devices/system/clocksource/clocksource0/current_clocksource")
    implementation = time.get_clock_info("time").implementation.removeprefix("clock_gettime(").rstrip(")")
    return f"{implementation}/{kernel.read_text().strip()}" if kernel.exists() else implementation


CLOCK_SOURCE = clock_source()[:64]


def canonical(row: dict) -> bytes:
    """The bytes hashed for one event: its fields as sorted, compact JSON, time in UTC."""
    values = {field: row[field] for field in HASHED_FIELDS}
    values["occurred_at"] = row["occurred_at"].astimezone(dt_timezone.utc).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(row: dict) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


def sign(event_hash: str, key: bytes) -> str:
    return hmac.new(key, event_hash.encode(), hashlib.sha256).hexdigest()


def hmac_key() -> bytes:
    return settings.KEYS.secret("audit-hmac-key").encode()


def append(fields: dict) -> AuditEvent:
    """Add one event at the tail of the chain. ``fields`` are the model's recorded fields."""
    with transaction.atomic():
        _lock_tail()
        tail = AuditEvent.objects.order_by("-id").values("id", "hash").first()
        row = {**fields, "id": tail["id"] + 1 if tail else 1, "prev_hash": tail["hash"] if tail else GENESIS,
               "occurred_at": timezone.now(), "clock_source": CLOCK_SOURCE}
        row["hash"] = digest(row)
        row["hmac"] = sign(row["hash"], hmac_key())
        return AuditEvent.objects.create(**row)


def _lock_tail() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the database's write lock.


@dataclass(frozen=True)
class ChainReport:
    events: int
    first_broken: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def verify() -> ChainReport:
    """Walk the whole trail in id order; report the first event that does not verify."""
    key, previous, checked = hmac_key(), None, 0
    rows = AuditEvent.objects.order_by("id").values(*HASHED_FIELDS, "hash", "hmac").iterator(chunk_size=5000)
    for row in rows:
        problem = _problem(row, previous, key)
        if problem:
            return ChainReport(events=checked, first_broken=row["id"], problem=problem)
        previous, checked = row, checked + 1
    return ChainReport(events=checked)


def _problem(row: dict, previous: dict | None, key: bytes) -> str:
    if previous is None and row["prev_hash"] != GENESIS:
        return "the first event does not start the chain"
    if previous is not None and row["id"] != previous["id"] + 1:
        return f"events are missing before this one (previous id {previous['id']})"
    if previous is not None and row["prev_hash"] != previous["hash"]:
        return "the link to the previous event is broken"
    if digest(row) != row["hash"]:
        return "the event's content does not match its hash"
    if not hmac.compare_digest(sign(row["hash"], key), row["hmac"]):
        return "the event's HMAC does not verify"
    return ""
