"""Training started from the UI: the upload is kept on disk (encrypted), the run is a database row, and the
``inference`` worker trains it by id.

Guarantees: the CSV's content never enters task arguments, logs or the audit trail (its path
under DATA_DIR and a SHA-256 do); a redelivered task finds its run already started and does
nothing; a failure records the error class only, since a message may quote the data.
"""
import hashlib
import io
import logging
import traceback
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinical_ai.audit.services import record
from clinical_ai.documents.encryption import decrypt, encrypt
from clinical_ai.nlp import datasets, registry
from clinical_ai.nlp.models import TrainingRun
from clinical_ai.nlp.training import run

logger = logging.getLogger(__name__)

UPLOADS = "training-data"  # under DATA_DIR


def start_training(*, upload, task: str, columns: dict, options: dict, requested_by: str, name: str = "",
                   base: str = "", actor=None, request=None) -> TrainingRun:
    """Keep the uploaded CSV under DATA_DIR, record the run, and queue it once the row is committed."""
    base = base or run.DEFAULT_BASE[task]
    registry.get(base)  # an unknown base fails here, in the request, not later in the worker
    relative = Path(UPLOADS) / f"{uuid.uuid4().hex}.csv.fernet"
    path = settings.DATA_DIR / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(upload.chunks())
    digest = hashlib.sha256(data)
    path.write_bytes(encrypt(data))  # raw notes: encrypted at rest like documents
    with transaction.atomic():
        training = TrainingRun.objects.create(task=task, name=name or run.DEFAULT_NAME[task], base_model=base,
                                              data_path=str(relative), columns=columns, options=options,
                                              requested_by=requested_by)
        record(action="model-train", actor=actor, request=request, object_type="training-run",
               object_id=training.pk, details={"task": task, "base": base, "data_sha256": digest.hexdigest(),
                                               "bytes": path.stat().st_size, "options": options, "queued": True})
        transaction.on_commit(lambda: _enqueue(training.pk))
    return training


def run_training(run_id: int, write=None) -> TrainingRun | None:
    """Train one queued run to a registered candidate. None if the run was already started (a redelivery)."""
    started = TrainingRun.objects.filter(pk=run_id, status=TrainingRun.Status.QUEUED).update(
        status=TrainingRun.Status.RUNNING, started_at=timezone.now())
    if not started:
        return None
    training = TrainingRun.objects.get(pk=run_id)
    write = write or (lambda line: logger.info("training run %s: %s", run_id, line))
    try:
        columns = training.columns
        rows = io.StringIO(decrypt((settings.DATA_DIR / training.data_path).read_bytes()).decode("utf-8"), newline="")
        examples = datasets.read_examples(rows, columns["text"], columns["target"],
                                          columns.get("exclude_labels", []), columns.get("min_per_class", 0))
        version = run.train_version(task=training.task, name=training.name, base=registry.get(training.base_model),
                                    examples=examples, options=training.options, trained_by=training.requested_by,
                                    write=write)
    except Exception as error:  # noqa: BLE001 - a failed run is recorded, not left "running"
        logger.error("training run %s failed (%s)\n%s", run_id, type(error).__name__,
                     "".join(traceback.format_tb(error.__traceback__)))
        TrainingRun.objects.filter(pk=run_id).update(status=TrainingRun.Status.FAILED, finished_at=timezone.now(),
                                                     error=f"{type(error).__name__}")
        record(action="model-train", outcome="failure", object_type="training-run", object_id=run_id,
               details={"error": type(error).__name__}, component="inference-worker")
        return TrainingRun.objects.get(pk=run_id)
    TrainingRun.objects.filter(pk=run_id).update(status=TrainingRun.Status.DONE, finished_at=timezone.now(),
                                                 result=version)
    record(action="model-train", object_type="model", object_id=version.ref, component="inference-worker",
           details={"run": run_id, "sha256": version.sha256, "training_data": version.training_data,
                    "metrics": {key: value for key, value in (version.metrics.get("validation") or {}).items()
                                if key != "per_class"}})
    return TrainingRun.objects.get(pk=run_id)


def _enqueue(run_id: int) -> None:
    from clinical_ai.nlp.tasks import train_model

    train_model.delay(run_id)
