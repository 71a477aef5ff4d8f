"""The compliance officer's reports: who touched a patient, what a user did, and what looks wrong."""
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from clinical_ai.audit.models import AuditEvent

CONTENT_ACTIONS = ("read", "export", "break-glass")


@dataclass(frozen=True)
class Flag:
    kind: str
    who: str
    when: object
    count: int
    event_id: int | None


def action_counts(events) -> dict[str, int]:
    """How many of these events there are of each action, most frequent first."""
    return dict(Counter(events.values_list("action", flat=True)).most_common())


def flags(days: int = 30) -> list[Flag]:
    """Events to review: break-glass use, after-hours bulk access, bursts of failed logins."""
    since = timezone.now() - timedelta(days=days)
    recent = AuditEvent.objects.filter(occurred_at__gte=since)
    found = _break_glass(recent) + _after_hours_bulk(recent) + _failed_login_bursts(recent)
    return sorted(found, key=lambda flag: flag.when, reverse=True)


def _break_glass(events) -> list[Flag]:
    return [Flag("break-glass", e.actor_name, e.occurred_at, 1, e.id)
            for e in events.filter(action="break-glass")]


def _after_hours_bulk(events) -> list[Flag]:
    """A user reading or exporting many patients' documents within one hour outside working hours."""
    start, end = settings.AUDIT_WORKING_HOURS
    hours = (events.filter(action__in=CONTENT_ACTIONS, outcome="success").exclude(patient_key="")
             .annotate(hour=TruncHour("occurred_at")).values("actor_name", "hour")
             .annotate(count=Count("patient_key", distinct=True)))
    return [Flag("after-hours bulk access", row["actor_name"], row["hour"], row["count"], None)
            for row in hours if row["count"] >= settings.AUDIT_BULK_PATIENTS and not start <= row["hour"].hour < end]


def _failed_login_bursts(events) -> list[Flag]:
    """Many failed logins from one address within ten minutes."""
    failures = (events.filter(action="login-failed")
                .values("source_ip", "occurred_at", "id").order_by("source_ip", "occurred_at"))
    by_address: dict[str, list] = {}
    for row in failures:
        by_address.setdefault(row["source_ip"] or "unknown", []).append(row)
    return [flag for address, rows in by_address.items() if (flag := _burst(address, rows))]


def _burst(address: str, rows: list) -> Flag | None:
    window, limit = timedelta(minutes=10), settings.AUDIT_FAILED_LOGIN_BURST
    for index in range(len(rows) - limit + 1):
        first, last = rows[index], rows[index + limit - 1]
        if last["occurred_at"] - first["occurred_at"] <= window:
            return Flag("failed-login burst", address, last["occurred_at"], limit, last["id"])
    return None
