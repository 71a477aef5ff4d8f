"""The quarantine workflow: an administrator views, downloads, releases or discards refused input.

Guarantees held here:
- Every look at a payload (view, download) and every decision is an audit event; a decision's
  typed reason is de-identified before it is stored or audited.
- Nothing is lost by accident: a payload leaves the disk only by a discard (with a reason) or by
  the retention sweep (older than QUARANTINE_RETENTION_DAYS, or the oldest first once the folder
  holds more than QUARANTINE_MAX_BYTES); the row, its reason, size and SHA-256 stay.
- A release runs the payload through the intake of the route it came by (the upload readers for
  notes and files, the HL7 v2 or FHIR parser for interface input), in the sender scope it first
  came in under (so a resend afterwards is a duplicate) and into the batch it came with. Its documents
  belong to the account and unit it came in under, never the administrator's, who is audited as the
  one who released them. Refused
  again, it stays pending with the new reason shown, nothing is stored and nothing new is quarantined.
"""
from dataclasses import dataclass
from datetime import timedelta
from typing import get_args

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinical_ai.audit.services import record
from clinical_ai.documents import intake
from clinical_ai.documents.encryption import decrypt
from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.interop.ingest import ingest, read_payload
from clinical_ai.interop.results import Rejection, Source
from clinical_ai.nlp import phi_tagging

Decision = QuarantinedInput.Decision
FILE_SOURCES = ("upload", "api")  # notes and files, read as an upload is
INTEROP_SOURCES = get_args(Source)  # HL7 v2 and FHIR, read by their own parsers
FILE_SIGNATURES = {b"%PDF": "note.pdf", b"PK\x03\x04": "note.docx"}


class QuarantineError(Exception):
    """A request the item cannot take (already decided, payload gone, not releasable). No PHI in it."""


@dataclass(frozen=True)
class Released:
    document_ids: tuple[str, ...]
    refused_again: str = ""


def payload(item: QuarantinedInput, *, actor, request=None, purpose: str = "view") -> bytes:
    """The refused bytes, decrypted; the look is audited."""
    if not item.payload_path.exists():
        raise QuarantineError("The payload has been removed (discarded or past retention).")
    record(action="read", actor=actor, request=request, object_type="quarantine", object_id=item.pk,
           details={"purpose": purpose, "bytes": item.size})
    return decrypt(item.payload_path.read_bytes())


def as_text(data: bytes) -> str | None:
    """The payload as text for the review page, or None when it is not UTF-8 text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def release(item: QuarantinedInput, *, actor, reason: str, request=None) -> Released:
    """Run the payload through its route's intake again, the person releasing it acting for its sender; its
    documents on success."""
    _check_pending(item)
    if item.source not in (*FILE_SOURCES, *INTEROP_SOURCES):
        raise QuarantineError("Input from this source cannot be released; download it to re-send it.")
    if item.partial:  # its last note most likely ends cut short: released, it would be stored so
        raise QuarantineError("Only the head of this input was kept; ask the sender to send it again in parts.")
    data = payload(item, actor=actor, request=request, purpose="release")
    try:
        with transaction.atomic():
            document_ids = tuple(str(document.pk) for document in _readmit(item, data, actor, request))
            _decide(item, Decision.RELEASED, actor, reason, request, document_ids=list(document_ids))
    except intake.InvalidDocument as error:  # refused again: the reason goes on this item, not on a new one
        item.reason = f"Released again and refused: {error}"[:300]
        item.save(update_fields=["reason"])
        return Released(document_ids=(), refused_again=str(error))
    return Released(document_ids=document_ids)


def _readmit(item: QuarantinedInput, data: bytes, actor, request) -> list[Document]:
    """The payload's documents, stored (or found already stored); InvalidDocument when it is refused.

    What the intake would refuse is found before anything is submitted, so a refusal quarantines
    nothing anew; the few refusals only the database makes are undone with the caller's transaction.
    """
    sent_under = {"submitted_by": item.received_by, "unit": item.unit or intake.unit_of(item.received_by)}
    if item.source in FILE_SOURCES:
        text, content_type = intake.text_from_file(_file_name(data), data)
        outcomes = [intake.submit(text=text, payload=data, source=item.source, actor=actor, request=request,
                                  content_type=content_type, batch=item.batch, **sent_under)]
    else:
        items = read_payload(item.source, data)
        problems = [found.reason for found in items if isinstance(found, Rejection)]
        if problems or not items:
            raise intake.InvalidDocument("; ".join(problems) or "the payload holds no note")
        for note in items:
            intake.check_text(note.text)
        # The sender's own ids scope the notes (MSH-3/4, meta.source); else the account it came in under.
        outcomes = ingest(items, source=item.source, actor=actor, request=request,
                          sender=intake.account_sender(item.received_by), batch=item.batch, **sent_under)
    refused = [outcome.reason for outcome in outcomes if not outcome.stored]
    if refused:
        raise intake.InvalidDocument("; ".join(refused))
    return [outcome.document for outcome in outcomes]


def discard(item: QuarantinedInput, *, actor, reason: str, request=None) -> None:
    """Delete the payload for good, keeping the row (reason, size, SHA-256) and why it was discarded."""
    _check_pending(item)
    with transaction.atomic():
        _decide(item, Decision.DISCARDED, actor, reason, request)
        item.payload_path.unlink(missing_ok=True)


def sweep() -> dict:
    """Remove payloads past QUARANTINE_RETENTION_DAYS, then the oldest until the folder fits
    QUARANTINE_MAX_BYTES. Returns counts; the rows stay."""
    cutoff = timezone.now() - timedelta(days=settings.QUARANTINE_RETENTION_DAYS)
    kept = [item for item in QuarantinedInput.objects.order_by("-received_at") if item.payload_path.exists()]
    expired = [item for item in kept if item.received_at < cutoff]
    total, over_cap = 0, []
    for item in kept:
        if item in expired:
            continue
        total += item.payload_path.stat().st_size
        if total > settings.QUARANTINE_MAX_BYTES:
            over_cap.append(item)
    for item in expired + over_cap:
        item.payload_path.unlink(missing_ok=True)
    counts = {"expired": len(expired), "over_cap": len(over_cap)}
    if expired or over_cap:
        record(action="delete", object_type="quarantine", component="quarantine-sweep", details=counts)
    return counts


def _decide(item, decision, actor, reason: str, request, **details) -> None:
    if len(reason.strip()) < 10:
        raise QuarantineError("Give a reason of at least 10 characters.")
    item.decision, item.decided_by, item.decided_at = decision, actor, timezone.now()
    item.decision_reason = phi_tagging.deidentify(reason.strip()[:500]).text
    item.reviewed = True
    item.save(update_fields=["decision", "decided_by", "decided_at", "decision_reason", "reviewed"])
    record(action="update", actor=actor, request=request, object_type="quarantine", object_id=item.pk,
           details={"decision": decision, "reason": item.decision_reason, **details})


def _check_pending(item) -> None:
    if item.decision != Decision.PENDING:
        raise QuarantineError(f"This item was already {item.decision}.")


def _file_name(data: bytes) -> str:
    """A file name for intake's readers, from the payload's own signature (the sender's name is not kept)."""
    return next((name for signature, name in FILE_SIGNATURES.items() if data.startswith(signature)), "note.txt")
