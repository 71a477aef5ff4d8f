"""The quarantine workflow: an administrator views, downloads, releases or discards refused input.

Guarantees held here:
- Every look at a payload (view, download) and every decision is an audit event; a decision's
  typed reason is de-identified before it is stored or audited.
- Nothing is lost by accident: a payload leaves the disk only by a discard (with a reason) or by
  the retention sweep (older than QUARANTINE_RETENTION_DAYS, or the oldest first once the folder
  holds more than QUARANTINE_MAX_BYTES); the row, its reason, size and SHA-256 stay.
- A release runs the payload through the same intake as an upload; if it is refused again the
  item stays pending with the new reason shown, and nothing else changes.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinical_ai.audit.services import record
from clinical_ai.documents import intake
from clinical_ai.documents.encryption import decrypt
from clinical_ai.documents.models import QuarantinedInput
from clinical_ai.nlp import phi_tagging

Decision = QuarantinedInput.Decision
RELEASABLE_SOURCES = ("upload", "api")  # notes and files; HL7 and FHIR are re-sent through their interface
FILE_SIGNATURES = {b"%PDF": "note.pdf", b"PK\x03\x04": "note.docx"}


class QuarantineError(Exception):
    """A request the item cannot take (already decided, payload gone, not releasable). No PHI in it."""


@dataclass(frozen=True)
class Released:
    document_id: str | None
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
    """Run the payload through intake again, as the person releasing it; a document on success."""
    _check_pending(item)
    if item.source not in RELEASABLE_SOURCES:
        raise QuarantineError("Re-send this message through its interface (HL7 or FHIR); download it to do so.")
    data = payload(item, actor=actor, request=request, purpose="release")
    try:
        text, content_type = intake.text_from_file(_file_name(data), data)
        intake.check_text(text)  # refused again: the reason goes on this item, not on a new one
        with transaction.atomic():
            outcome = intake.submit(text=text, payload=data, source=item.source, actor=actor, request=request,
                                    content_type=content_type)
            if not outcome.stored:
                raise intake.InvalidDocument(outcome.reason)
            document = outcome.document
            _decide(item, Decision.RELEASED, actor, reason, request, document_id=str(document.pk))
    except intake.InvalidDocument as error:
        item.reason = f"Released again and refused: {error}"[:300]
        item.save(update_fields=["reason"])
        return Released(document_id=None, refused_again=str(error))
    return Released(document_id=str(document.pk))


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
