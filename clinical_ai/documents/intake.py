"""The one way in: every route (API JSON and multipart, UI paste and upload, HL7 files, MLLP, FHIR
files, POST /api/v1/fhir) hands what it received here, and it is stored and queued, or quarantined.

Guarantees held here:
- Nothing is dropped. A note is stored, or its bytes are kept encrypted in the quarantine with a
  reason; a database refusing the insert (DataError, IntegrityError, ...) quarantines it too. Only a
  transient error (database or broker unreachable) propagates, so the caller asks for a resend.
- Every reason (shown, quarantined, audited) names the rule broken and error classes, never a
  value from the input, and quotes no file name.
- Idempotency is scoped by sender: the key is a keyed digest of (source, sender, message id), so
  the same id from two senders is two documents and the id itself is not stored. A note without
  an id is never deduplicated.
- A document belongs to the account and unit it was sent under (``submitted_by``), which is the actor
  except for a release from the quarantine: there the administrator acts (and is audited as the actor)
  for the account and unit the input first came in under, so the note lands where it was sent.
- Columns are filled within the model's own ``max_length``s. Free text from outside other than the
  note (its title, its author) is stored encrypted; the de-identification step writes its de-identified form.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction

import deid
from clinical_ai.audit.services import record
from clinical_ai.celery import BROKER_ERRORS
from clinical_ai.documents.encryption import encrypt, pseudonym
from clinical_ai.documents.models import Document, QuarantinedInput
from clinical_ai.documents.readers import (  # noqa: F401 - the intake's readers, for its callers
    DocumentTooLarge,
    InvalidDocument,
    UnsupportedDocument,
    check_size,
    check_text,
    text_from_file,
)

logger = logging.getLogger(__name__)

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"
# The database or broker was unreachable: the input is not stored and the sender should send it again.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)
TRANSIENT_ERRORS = (*TRANSIENT_DATABASE_ERRORS, *BROKER_ERRORS)
Payload = bytes | Callable[[], bytes]  # what is quarantined, or a function that makes it
AS_ACTOR = object()  # submitted_by's default: the document is sent by whoever acts


@dataclass(frozen=True)
class Outcome:
    status: str
    document: Document | None = None
    reason: str = ""
    quarantined: QuarantinedInput | None = None
    status_code: int = 200  # what an HTTP route answers a refusal with

    @property
    def stored(self) -> bool:
        return self.status in (CREATED, DUPLICATE)


def patient_context(patient) -> deid.PatientContext | None:
    """The patient context a caller sent (a PatientContext, or API JSON), or None."""
    if patient is None or isinstance(patient, deid.PatientContext):
        return patient
    if not isinstance(patient, dict):
        raise InvalidDocument("'patient' must be an object.")
    try:
        return deid.PatientContext.from_dict(patient)
    except ValueError as exc:
        raise InvalidDocument(f"'patient' is not valid: {exc}") from None


def service_date_of(value) -> date | None:
    """The date of service a caller sent (a date, or API JSON's "YYYY-MM-DD"), or None."""
    if value is None or value == "" or isinstance(value, date):
        return value or None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidDocument("'service_date' must be a date, YYYY-MM-DD.")


def idempotency_key(source: str, sender: str, message_id: str | None) -> str | None:
    """The deduplication key of a message: scoped by sender, keyed, so the id itself is never stored."""
    if not message_id:
        return None
    return pseudonym(f"source-ref\x00{source}\x00{sender}\x00{message_id}")


def account_sender(actor) -> str:
    """An authenticated account as a sender, for the routes without a sender field of their own."""
    return f"account:{actor.pk}" if actor is not None and getattr(actor, "pk", None) else ""


# -- storing -------------------------------------------------------------------------------------

def submit(*, text: str, payload: Payload | None = None, patient=None, source: str, sender: str = "",
           message_id: str | None = None, actor=None, request=None, content_type: str = "text/plain",
           loinc_code: str = "", title: str = "", service_date=None, batch=None,
           details: dict | None = None, submitted_by=AS_ACTOR, unit: str = "", author: str = "") -> Outcome:
    """Store a note and queue it, or quarantine it with the reason; a resend is answered DUPLICATE
    (and stays in the batch it first came with).

    ``submitted_by`` is the account the document is recorded as sent by (None: a route without one, as
    MLLP), and ``unit`` the unit it belongs to (by default that account's); both default to the actor's.

    ``payload`` is what is quarantined if the note is refused (the note's text by default), or a
    function that makes it, called only then (a FHIR note's Bundle: too costly to build for every note).
    ``author`` is the clinician the source names as the note's author (outside text, kept encrypted).
    ``details`` are PHI-free facts for the audit event (the character set a message was read in).
    """
    if payload is None:
        payload = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else b""
    try:
        check_text(text)
        context = patient_context(patient)
        service_date = service_date_of(service_date)
    except InvalidDocument as problem:
        return refuse(payload=payload, reason=str(problem), source=source, actor=actor, request=request,
                      status_code=problem.status_code, batch=batch)
    submitter = _account(actor if submitted_by is AS_ACTOR else submitted_by)
    unit = unit or unit_of(submitter)
    source_ref = idempotency_key(source, sender, message_id)
    if source_ref:
        existing = Document.objects.filter(source=source, source_ref=source_ref).first()
        if existing:
            return Outcome(DUPLICATE, existing)
    try:
        document = _store(text, context, source, source_ref, actor, request, content_type, loinc_code, title,
                          service_date, batch, details or {}, submitter, unit, author)
    except TRANSIENT_DATABASE_ERRORS:
        raise
    except IntegrityError as error:
        existing = Document.objects.filter(source=source, source_ref=source_ref).first() if source_ref else None
        if existing:  # a concurrent resend with the same key won the race
            return Outcome(DUPLICATE, existing)
        return _refused_by_database(error, payload, source, actor, request, batch)
    except DatabaseError as error:  # DataError and the like: this input's own problem, not a reason to resend
        return _refused_by_database(error, payload, source, actor, request, batch)
    return Outcome(CREATED, document)


def refuse(*, payload: Payload, reason: str, source: str, actor=None, request=None, status_code: int = 400,
           batch=None, partial: bool = False) -> Outcome:
    """Keep refused input, encrypted, with its reason, for a person to review; ``partial`` when
    ``payload`` is only the head of an over-large input."""
    payload = payload() if callable(payload) else payload
    item = QuarantinedInput(
        received_by=_account(actor), unit=unit_of(actor),
        source=capped(QuarantinedInput, "source", source), reason=capped(QuarantinedInput, "reason", reason),
        batch=batch, partial=partial,
        size=len(payload), sha256=hashlib.sha256(payload).hexdigest(),
    )
    settings.QUARANTINE_DIR.mkdir(parents=True, exist_ok=True)
    item.payload_path.write_bytes(encrypt(payload))
    item.save()
    record(action="create", outcome="failure", actor=actor, request=request, object_type="quarantine",
           object_id=item.pk, details={"source": item.source, "reason": item.reason, "bytes": item.size})
    return Outcome(REJECTED, reason=item.reason, quarantined=item, status_code=status_code)


def capped(model, field_name: str, value: str) -> str:
    """A value cut to the column's own max_length, so no database refuses it for its length."""
    return value[:model._meta.get_field(field_name).max_length]


def _store(text, context, source, source_ref, actor, request, content_type, loinc_code, title, service_date,
           batch, details, submitter, unit, author) -> Document:
    from clinical_ai.documents.services import enqueue_after_commit

    with transaction.atomic():
        document = Document.objects.create(
            original_text=text,
            original_title=title, original_author=author,
            # The date as sent, encrypted; in the clear only its month (see Document.service_date).
            original_service_date=service_date.isoformat() if service_date else "",
            service_date=service_date.replace(day=1) if service_date else None,
            patient_json=context.to_json() if context else "",
            patient_key=pseudonym(context.patient_id) if context and context.patient_id else "",
            uploaded_by=submitter, unit=unit,
            source=capped(Document, "source", source), source_ref=source_ref, batch=batch,
            content_type=capped(Document, "content_type", content_type),
            # An over-long code is no code: cutting it would make a different one.
            loinc_code=loinc_code if len(loinc_code) <= Document._meta.get_field("loinc_code").max_length else "",
        )
        if submitter != _account(actor):  # a release, for the sender
            details = {**details, "submitted_by": submitter.pk if submitter else None, "unit": unit}
        record(action="create", actor=actor, request=request, object_type="document", object_id=document.pk,
               patient_key=document.patient_key, details={"source": source, "chars": len(text), **details})
        enqueue_after_commit(document.pk)
    return document


def _refused_by_database(error: Exception, payload: Payload, source: str, actor, request, batch) -> Outcome:
    logger.error("%s input not stored: the database refused it (%s); quarantined", source, type(error).__name__)
    return refuse(payload=payload, reason=f"the database refused the document ({type(error).__name__}); "
                  "kept for review", source=source, actor=actor, request=request, status_code=422, batch=batch)


def _account(user):
    """The user as a stored account, or None (no user, or an anonymous one)."""
    return user if user is not None and user.pk else None


def unit_of(actor) -> str:
    """The unit an account sends into; "default" for a route without an account (MLLP, import commands)."""
    profile = getattr(actor, "profile", None) if actor is not None else None
    return profile.unit if profile else "default"
