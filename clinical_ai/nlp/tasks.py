"""Celery tasks of the model lifecycle: thin shells that take ids (see training/jobs.py)."""
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from clinical_ai.nlp.training import jobs


@shared_task(acks_late=True)
def train_model(run_id: int) -> int:
    """Routed to the ``inference`` worker (CELERY_TASK_ROUTES), where the GPU is. A redelivered message
    finds its run started and returns."""
    jobs.run_training(run_id)
    return run_id


@shared_task(acks_late=True)
def sweep_training_runs() -> dict:
    """Scheduled (CELERY_BEAT_SCHEDULE) on the ``deid`` worker: the inference worker may be the one that died,
    or be busy with the very training it would check."""
    return {"failed": jobs.fail_stale_runs(timedelta(seconds=settings.TRAINING_STALE_AFTER_SECONDS)),
            "requeued": jobs.requeue_waiting_runs(timedelta(seconds=settings.STUCK_AFTER_SECONDS))}
