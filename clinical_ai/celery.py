"""The Celery application: queues ``deid`` (CPU) and ``inference`` (GPU when present)."""
import os

from celery import Celery
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinical_ai.settings")

app = Celery("clinical_ai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Sending a task failed because the broker is unreachable: the work is stored, and a sweep sends it later.
BROKER_ERRORS = (BrokerOperationalError, ConnectionError, TimeoutError)
