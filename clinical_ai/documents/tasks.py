"""Celery tasks: thin shells over the pipeline steps in services.py. They take ids, never text."""
import logging
from datetime import timedelta

from celery import chain, shared_task
from django.conf import settings

from clinical_ai.documents import quarantine, services
from clinical_ai.documents.models import Document

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


class TransientError(Exception):
    """What a retry carries instead of the original exception, whose message might hold PHI."""


def run_step(task, step, step_name: str, document_id: str) -> None:
    try:
        step(document_id)
    except services.TRANSIENT_ERRORS as error:
        if task.request.retries >= MAX_RETRIES:
            services.mark_failed(document_id, step_name, error)
            return
        logger.warning("document %s: %s retry after %s", document_id, step_name, type(error).__name__)
        raise task.retry(exc=TransientError(type(error).__name__), countdown=2 ** task.request.retries)
    except Exception as error:  # noqa: BLE001 - a permanent failure must mark the document, not kill the worker
        services.mark_failed(document_id, step_name, error)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deidentify_document(self, document_id: str) -> str:
    run_step(self, services.deidentify_step, "de-identify", document_id)
    return document_id


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def infer_document(self, document_id: str) -> str:
    """Infers for this document and the others waiting (dynamic batching); finds nothing to do when an
    earlier task's batch already took this document."""
    run_step(self, services.infer_step, "infer", document_id)
    return document_id


@shared_task(acks_late=True)
def requeue_stuck_documents() -> int:
    return services.requeue_stuck(timedelta(seconds=settings.STUCK_AFTER_SECONDS))


def enqueue(document_id) -> None:
    """Queue the remaining steps of a document: de-identify then infer, each on its own queue."""
    document_id = str(document_id)
    stage = Document.objects.filter(pk=document_id).values_list("stage", flat=True).first()
    if stage == Document.Stage.DEID:
        chain(deidentify_document.si(document_id), infer_document.si(document_id)).apply_async()
    elif stage == Document.Stage.INFERENCE:
        infer_document.delay(document_id)


@shared_task
def sweep_quarantine() -> dict:
    """Scheduled: quarantined payloads past retention or over the size cap are removed (rows stay)."""
    return quarantine.sweep()
