"""Celery tasks of the quality app: thin shells over monitor.py."""
from celery import shared_task

from clinical_ai.quality import monitor


@shared_task(acks_late=True)
def monitor_models() -> int:
    """Scheduled (CELERY_BEAT_SCHEDULE) on the ``deid`` worker; recomputing a day is idempotent."""
    return len(monitor.run())
