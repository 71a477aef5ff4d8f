"""Celery tasks of the model lifecycle: thin shells that take ids (see training/jobs.py)."""
from celery import shared_task

from clinical_ai.nlp.training import jobs


@shared_task(acks_late=True)
def train_model(run_id: int) -> int:
    """Routed to the ``inference`` worker (CELERY_TASK_ROUTES), where the GPU is. A redelivered message
    finds its run started and returns."""
    jobs.run_training(run_id)
    return run_id
