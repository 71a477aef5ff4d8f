"""The Celery application: queues ``deid`` (CPU) and ``inference`` (GPU when present)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinical_ai.settings")

app = Celery("clinical_ai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
