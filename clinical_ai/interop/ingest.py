"""Hands parser results to the one intake service: notes are submitted, rejections quarantined.

Every interop route (import commands, MLLP listener, FHIR endpoint) ends here and goes on to
``documents.intake``, as the API and the UI do, so all of them store, deduplicate and
quarantine the same way.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.core.management.base import CommandError

from clinical_ai.documents import intake
from clinical_ai.documents.intake import CREATED, DUPLICATE, REJECTED, Outcome
from clinical_ai.interop.results import InboundNote, Rejection

__all__ = ["CREATED", "DUPLICATE", "REJECTED", "Outcome", "ingest", "ingest_one", "summary", "report"]


def ingest(items: Iterable[InboundNote | Rejection], *, source: str, actor=None, request=None) -> list[Outcome]:
    return [ingest_one(item, source=source, actor=actor, request=request) for item in items]


def ingest_one(item: InboundNote | Rejection, *, source: str, actor=None, request=None) -> Outcome:
    if isinstance(item, Rejection):
        return intake.refuse(payload=item.payload, reason=item.reason, source=source, actor=actor, request=request)
    return intake.submit(
        text=item.text, patient=item.patient, source=item.source,
        sender=item.sender or intake.account_sender(actor), message_id=item.message_id,
        actor=actor, request=request, loinc_code=item.loinc_code, title=item.title,
        details={"charset": item.charset} if item.charset else None,
    )


def summary(outcomes: Iterable[Outcome]) -> str:
    counts = Counter(o.status for o in outcomes)
    return (f"accepted {counts[CREATED] + counts[DUPLICATE]}, rejected {counts[REJECTED]} "
            f"({counts[DUPLICATE]} already stored)")


def report(command, outcomes: list[Outcome]) -> None:
    """An import command's closing words: each rejection's reason, the counts, and exit status 2
    when anything was quarantined (so an interface engine's script notices)."""
    for outcome in outcomes:
        if outcome.status == REJECTED:
            command.stderr.write(f"rejected: {outcome.reason}")
    command.stdout.write(summary(outcomes))
    if any(o.status == REJECTED for o in outcomes):
        raise CommandError("some input was rejected and quarantined", returncode=2)
