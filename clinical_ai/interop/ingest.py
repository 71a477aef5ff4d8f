"""Hands parser results to the document pipeline: notes are submitted, rejections quarantined.

Every inbound route (import commands, MLLP listener, FHIR endpoint) ends here, so all of
them store, deduplicate and quarantine the same way.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.management.base import CommandError

from clinical_ai.documents.models import Document
from clinical_ai.documents.services import InvalidDocument, quarantine, submit_document
from clinical_ai.interop.results import InboundNote, Rejection

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"
_MAX_SOURCE_REF = 255  # Document.source_ref


@dataclass(frozen=True)
class Outcome:
    status: str
    source_ref: str = ""
    document: Document | None = None
    reason: str = ""


def ingest(items: Iterable[InboundNote | Rejection], *, source: str, actor=None, request=None) -> list[Outcome]:
    return [ingest_one(item, source=source, actor=actor, request=request) for item in items]


def ingest_one(item: InboundNote | Rejection, *, source: str, actor=None, request=None) -> Outcome:
    if isinstance(item, Rejection):
        return _quarantine(item, source, actor, request)
    try:
        document, created = submit_document(
            text=item.text, patient=item.patient, source=item.source, source_ref=bounded_ref(item.source_ref),
            actor=actor, request=request, loinc_code=item.loinc_code, title=item.title,
        )
    except InvalidDocument as problem:
        rejection = Rejection(f"{item.source_ref}: {problem}", item.text.encode("utf-8"), item.source_ref)
        return _quarantine(rejection, source, actor, request)
    return Outcome(CREATED if created else DUPLICATE, item.source_ref, document)


def summary(outcomes: Iterable[Outcome]) -> str:
    counts = Counter(o.status for o in outcomes)
    return (f"accepted {counts[CREATED] + counts[DUPLICATE]}, rejected {counts[REJECTED]} "
            f"({counts[DUPLICATE]} already stored)")


def bounded_ref(source_ref: str) -> str:
    """Long sender ids keep their identity as a digest within the column's limit."""
    if len(source_ref) <= _MAX_SOURCE_REF:
        return source_ref
    return "sha256:" + hashlib.sha256(source_ref.encode("utf-8")).hexdigest()


def _quarantine(rejection: Rejection, source: str, actor, request) -> Outcome:
    quarantine(payload=rejection.payload, reason=rejection.reason, source=source, actor=actor, request=request)
    return Outcome(REJECTED, rejection.source_ref, reason=rejection.reason)


def report(command, outcomes: list[Outcome]) -> None:
    """An import command's closing words: each rejection's reason, the counts, and exit status 2
    when anything was quarantined (so an interface engine's script notices)."""
    for outcome in outcomes:
        if outcome.status == REJECTED:
            command.stderr.write(f"rejected: {outcome.reason}")
    command.stdout.write(summary(outcomes))
    if any(o.status == REJECTED for o in outcomes):
        raise CommandError("some input was rejected and quarantined", returncode=2)

