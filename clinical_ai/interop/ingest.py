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
from clinical_ai.interop import fhir_r4, hl7v2
from clinical_ai.interop.results import InboundNote, Rejection

__all__ = ["CREATED", "DUPLICATE", "REJECTED", "Outcome", "ingest", "ingest_one", "read_payload", "summary",
           "report"]


def ingest(items: Iterable[InboundNote | Rejection], *, source: str, actor=None, request=None,
           sender: str | None = None, batch=None, **sent_under) -> list[Outcome]:
    """``sender`` scopes the notes that name no sender of their own: by default the actor's account;
    a release names the account the input first came in under, as the administrator acts for it, and
    ``sent_under`` (``submitted_by``, ``unit``; see intake.submit) that account and its unit.
    ``batch`` is the id of the input they all came in with (Document.batch)."""
    return [ingest_one(item, source=source, actor=actor, request=request, sender=sender, batch=batch, **sent_under)
            for item in items]


def ingest_one(item: InboundNote | Rejection, *, source: str, actor=None, request=None,
               sender: str | None = None, batch=None, **sent_under) -> Outcome:
    if isinstance(item, Rejection):
        return intake.refuse(payload=item.payload, reason=item.reason, source=source, actor=actor, request=request,
                             batch=batch, partial=item.partial)
    return intake.submit(
        text=item.text, payload=item.payload or None, patient=item.patient, source=item.source,
        sender=item.sender or (intake.account_sender(actor) if sender is None else sender),
        message_id=item.message_id, actor=actor, request=request, loinc_code=item.loinc_code, title=item.title,
        service_date=item.service_date, author=item.author, batch=batch,
        details={"charset": item.charset} if item.charset else None, **sent_under,
    )


def read_payload(source: str, data: bytes) -> list[InboundNote | Rejection]:
    """Input as its route reads it (HL7 v2 messages; FHIR JSON), for a quarantined payload's release."""
    if source == "hl7v2":
        return list(hl7v2.file_items(data))
    return fhir_r4.parse_json(data, "the released payload")


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
