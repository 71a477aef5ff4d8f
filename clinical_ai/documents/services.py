"""The document pipeline: intake -> store -> queue -> de-identify -> infer -> store.

Safety properties held here:
- The database is the source of truth: a document is committed before it is queued, and
  queued by id only, so no PHI travels through Redis or appears in task arguments.
- Each step is idempotent: it finishes only if the document is still at that step, so a
  redelivered or re-queued task never writes a result twice.
- Inference is batched across waiting documents; a batch is claimed (one conditional UPDATE)
  before it runs, so two inference workers never run the same document at once. A batch that
  fails for good is run again one document at a time, so one broken note fails only itself.
- Failure reasons name the step and the error class, never the text or patient values.
"""
import logging
import traceback
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, transaction
from django.db.models import F, Q
from django.utils import timezone

import deid
from clinical_ai.audit.services import record
from clinical_ai.celery import BROKER_ERRORS
from clinical_ai.documents.models import Document
from clinical_ai.nlp import phi_tagging

logger = logging.getLogger(__name__)

# Worth another try later: the database or broker was briefly unavailable. Anything else is the document's own.
TRANSIENT_ERRORS = (DatabaseError, InterfaceError, *BROKER_ERRORS)

__all__ = ["enqueue_after_commit", "deidentify_step", "infer_step", "claim_inference_batch", "release_claim",
           "mark_failed", "requeue_stuck", "deidentified_free_text"]


def enqueue_after_commit(document_id) -> None:
    """Queue a stored document by id once its transaction commits (intake calls this)."""
    transaction.on_commit(lambda: _enqueue(document_id))


def deidentified_free_text(document: Document, text: str) -> str:
    """A free-text field about this document (a break-glass reason, a report's comment) scrubbed with its
    patient context."""
    return phi_tagging.deidentify(text, deid.PatientContext.from_json(document.patient_json)).text if text else ""


def deidentify_step(document_id) -> None:
    document = _start(document_id, Document.Stage.DEID)
    if document is None:
        return
    context = deid.PatientContext.from_json(document.patient_json)
    engine, tagger = phi_tagging.engine()
    result = engine.deidentify(document.original_text, context)
    # The title and author came from outside too (a FHIR description, an HL7 OBR-4 text; TXA-9, a FHIR
    # author's name): scrubbed like the note.
    title = engine.deidentify(document.original_title, context).text if document.original_title else ""
    author = engine.deidentify(document.original_author, context).text if document.original_author else ""
    finished = _finish(document_id, Document.Stage.DEID, stage=Document.Stage.INFERENCE, deid_tagger=tagger,
                       deidentified_text=result.text, phi_counts=result.phi_counts,
                       title=title[:Document._meta.get_field("title").max_length],
                       author=author[:Document._meta.get_field("author").max_length],
                       phi_spans=[{"start": s.start, "end": s.end, "type": s.entity_type} for s in result.replacements])
    if finished:
        record(action="de-identify", object_type="document", object_id=document_id,
               patient_key=document.patient_key, component="deid-worker",
               details={"phi_counts": result.phi_counts, "deid_tagger": tagger.ref if tagger else None})


def infer_step(document_id) -> None:
    """Infer for this document and whatever else waits for inference, in one batch (dynamic batching).

    The batch is claimed first, so two inference workers never run the same documents; each
    result is then stored with the same conditional update as every step (once, whoever is first).
    The other documents' own tasks find them finished and do nothing. A transient error propagates
    (the task retries); any other error of the batch is narrowed down to the documents that cause it.
    """
    token, batch = claim_inference_batch(document_id)
    if not batch:
        return
    try:
        _infer_batch(batch)
    finally:
        release_claim(token)  # what was not stored (failed, interrupted) may be taken by another worker at once


def _infer_batch(batch: list[Document]) -> None:
    from clinical_ai.nlp.services import analyze  # the models load in the inference worker only

    try:
        analyses = analyze([document.deidentified_text for document in batch], [document.loinc_code for document in batch])
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        if len(batch) == 1:
            raise  # nothing to narrow down: the task shell marks it failed
        logger.warning("inference batch of %d failed (%s); running its documents one at a time",
                       len(batch), type(error).__name__)
        for document in batch:
            _infer_alone(document)
        return
    for document, analysis in zip(batch, analyses):
        _store_analysis(document, analysis, len(batch))


def _infer_alone(document: Document) -> None:
    from clinical_ai.nlp.services import analyze

    try:
        (analysis,) = analyze([document.deidentified_text], [document.loinc_code])
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - this document's own failure: it alone is marked failed
        mark_failed(document.pk, "infer", error)
        return
    _store_analysis(document, analysis, 1)


def _store_analysis(document: Document, analysis, batch_size: int) -> None:
    finished = _finish(document.pk, Document.Stage.INFERENCE, stage=Document.Stage.FINISHED,
                       status=Document.Status.DONE, summary=analysis.summary, summary_kind=analysis.summary_kind,
                       summary_sentences=list(analysis.summary_sentences), label=analysis.label,
                       label_score=analysis.score, label_source=analysis.label_source, summarizer=analysis.summarizer,
                       classifier=analysis.classifier, claimed_by="", claimed_at=None)
    if finished:
        record(action="infer", object_type="document", object_id=document.pk, patient_key=document.patient_key,
               details={"summarizer": analysis.summarizer.ref, "classifier": analysis.classifier.ref,
                        "label": analysis.label, "batch": batch_size},
               component="inference-worker")


def claim_inference_batch(document_id, *, max_tokens: int | None = None,
                          max_documents: int | None = None) -> tuple[str, list[Document]]:
    """Claim ``document_id`` and the oldest other documents waiting for inference, up to a token budget.

    Returns (claim token, claimed documents, this one first); nothing if this document is finished,
    failed, or freshly claimed by another worker. A claim is one conditional UPDATE, so of two
    concurrent claimers each document goes to exactly one; a claim older than STUCK_AFTER_SECONDS
    (its worker presumed dead) may be taken over. The first document is always taken, however long:
    the summarizer chunks it, never truncates it.
    """
    from clinical_ai.nlp.services import note_tokens

    document_id = uuid.UUID(str(document_id))
    max_tokens = max_tokens or settings.INFERENCE_BATCH_TOKENS
    max_documents = max_documents or settings.INFERENCE_BATCH_SIZE
    waiting = _claimable()
    if not waiting.filter(pk=document_id).exists():
        return "", []
    others = list(waiting.exclude(pk=document_id).order_by("created_at").values_list("pk", flat=True)
                  [:max_documents - 1])
    candidates = [document_id, *others]
    texts = dict(Document.objects.filter(pk__in=candidates).values_list("pk", "deidentified_text"))
    chosen, total = [], 0
    for pk, tokens in zip(candidates, note_tokens([texts.get(pk, "") for pk in candidates])):
        if chosen and total + tokens > max_tokens:
            continue  # a shorter note further down may still fit
        chosen.append(pk)
        total += tokens
    token, now = uuid.uuid4().hex, timezone.now()
    _claimable().filter(pk__in=chosen).update(claimed_by=token, claimed_at=now, status=Document.Status.PROCESSING,
                                              attempts=F("attempts") + 1, updated_at=now)
    claimed = {document.pk: document for document in Document.objects.filter(claimed_by=token)}
    ordered = [claimed[pk] for pk in chosen if pk in claimed]
    if not ordered or ordered[0].pk != document_id:  # this document was lost to another worker
        release_claim(token)
        return "", []
    return token, ordered


def release_claim(token: str) -> None:
    """Give back the documents of a batch that was not finished, so another worker may take them."""
    Document.objects.filter(claimed_by=token, stage=Document.Stage.INFERENCE).update(
        claimed_by="", claimed_at=None, updated_at=timezone.now())


def _claimable():
    stale = timezone.now() - timedelta(seconds=settings.STUCK_AFTER_SECONDS)
    return Document.objects.filter(stage=Document.Stage.INFERENCE).exclude(status=Document.Status.FAILED).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))


def mark_failed(document_id, step: str, error: BaseException) -> None:
    reason = f"{step} failed ({type(error).__name__}); the document is kept and can be retried."
    updated = Document.objects.filter(pk=document_id).exclude(status=Document.Status.DONE).update(
        status=Document.Status.FAILED, error=reason, updated_at=timezone.now())
    if updated:
        # Where it failed (files, lines, functions) but not the message, which may quote the text.
        where = "".join(traceback.format_tb(error.__traceback__))
        logger.error("document %s: %s\n%s", document_id, reason, where)
        record(action=step, outcome="failure", object_type="document", object_id=document_id,
               details={"error": type(error).__name__})


def requeue_stuck(older_than: timedelta) -> int:
    """Queue again the documents left queued or processing (a lost message, a killed worker)."""
    cutoff = timezone.now() - older_than
    stuck = list(Document.objects.filter(
        status__in=[Document.Status.QUEUED, Document.Status.PROCESSING], updated_at__lt=cutoff,
    ).values_list("pk", flat=True))
    for document_id in stuck:
        Document.objects.filter(pk=document_id).update(updated_at=timezone.now())
        _enqueue(document_id)
        record(action="update", object_type="document", object_id=document_id,
               details={"requeued": True}, component="sweeper")
    return len(stuck)


def _start(document_id, stage: str) -> Document | None:
    """Mark the document processing if it is at ``stage``; None if that step is already done."""
    claimed = Document.objects.filter(pk=document_id, stage=stage).exclude(status=Document.Status.FAILED).update(
        status=Document.Status.PROCESSING, attempts=F("attempts") + 1, updated_at=timezone.now())
    return Document.objects.get(pk=document_id) if claimed else None


def _finish(document_id, from_stage: str, **fields) -> bool:
    """Store a step's result unless another run of the same step stored it first."""
    fields.setdefault("status", Document.Status.PROCESSING)
    return bool(Document.objects.filter(pk=document_id, stage=from_stage).update(updated_at=timezone.now(), **fields))


def _enqueue(document_id) -> None:
    from clinical_ai.documents.tasks import enqueue

    try:
        enqueue(document_id)
    except BROKER_ERRORS as error:  # stored already: the stuck-document sweep queues it once Redis is back
        logger.warning("document %s: not queued (%s); the sweep will retry", document_id, type(error).__name__)
