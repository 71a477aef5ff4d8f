"""``GET /healthz``: is every part of the appliance up? 200 only when all of them are.

Anyone (a load balancer, a container health check) gets the bare status; the parts, worker
host names and model versions only staff (the admin role) see.
"""
import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from clinical_ai.celery import app as celery_app
from clinical_ai.nlp import registry
from clinical_ai.nlp.models import ModelVersion

QUEUES = ("deid", "inference")


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True, "engine": connection.vendor}


def check_redis() -> dict:
    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    return {"ok": True}


def check_workers() -> dict:
    replies = celery_app.control.inspect(timeout=1.0).active_queues() or {}
    serving = {queue: sorted(worker for worker, queues in replies.items() if any(q["name"] == queue for q in queues))
               for queue in QUEUES}
    return {"ok": all(serving.values()), "queues": serving}


OPTIONAL_TASKS = {ModelVersion.Task.DEID}  # with no tagger active the rules de-identify alone


def check_models() -> dict:
    active = {version.task: version for version in ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE)}
    models = {task: {"model": active[task].ref, "present": _serves(active[task])} if task in active else None
              for task in ModelVersion.Task.values}
    return {"ok": all(m["present"] if m else task in OPTIONAL_TASKS for task, m in models.items()), "active": models}


def _serves(version: ModelVersion) -> bool:
    """Its folder holds a model of a kind that serves its task (a LoRA adapter or a tagger has no config.json)."""
    try:
        return registry.kind_of(version.folder) in registry.KINDS[version.task]
    except (OSError, ValueError):
        return False


CHECKS = {"database": check_database, "redis": check_redis, "workers": check_workers, "models": check_models}


def healthz(request):
    report = {}
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as error:  # noqa: BLE001 - a health check reports failures, it does not raise them
            report[name] = {"ok": False, "error": type(error).__name__}
    healthy = all(part["ok"] for part in report.values())
    detail = report if request.user.is_authenticated and request.user.is_staff else {}
    return JsonResponse({"status": "ok" if healthy else "degraded", **detail}, status=200 if healthy else 503)
