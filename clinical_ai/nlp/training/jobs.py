"""Training started from the UI: the upload is kept on disk (encrypted), the run is a database row, and the
``inference`` worker trains it by id.

Guarantees: the CSV's content never enters task arguments, logs or the audit trail (its path
under DATA_DIR and a SHA-256 do); a redelivered task finds its run already started and does
nothing; a failure records the error class only, since a message may quote the data; the upload
is deleted when the run ends, however it ends (the trained version keeps the data's fingerprint,
the start event its SHA-256). A run whose worker died (killed, out of memory, machine restarted)
stops beating and is failed by the sweep, since its redelivered task will not train it again; a run
still queued long after its task was sent (a lost message, a broker that was down) is sent again.
"""
import hashlib
import io
import logging
import threading
import traceback
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from clinical_ai.audit.services import record
from clinical_ai.celery import BROKER_ERRORS
from clinical_ai.documents.encryption import decrypt, encrypt
from clinical_ai.nlp import datasets, registry
from clinical_ai.nlp.models import TrainingRun
from clinical_ai.nlp.training import run

logger = logging.getLogger(__name__)

UPLOADS = "training-data"  # under DATA_DIR
WORKER_STOPPED = "worker stopped (no heartbeat)"
# Beats per stale period: a run is failed only after this many heartbeats in a row went missing.
BEATS_PER_STALE_PERIOD = 10


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
    now = timezone.now()
    started = TrainingRun.objects.filter(pk=run_id, status=TrainingRun.Status.QUEUED).update(
        status=TrainingRun.Status.RUNNING, started_at=now, heartbeat_at=now)
    if not started:
        return None
    training = TrainingRun.objects.get(pk=run_id)
    write = write or (lambda line: logger.info("training run %s: %s", run_id, line))
    try:
        with heartbeat(run_id):
            version = _train(training, write)
    except Exception as error:  # noqa: BLE001 - a failed run is recorded, not left "running"
        logger.error("training run %s failed (%s)\n%s", run_id, type(error).__name__,
                     "".join(traceback.format_tb(error.__traceback__)))
        _end(training, status=TrainingRun.Status.FAILED, error=type(error).__name__)
        record(action="model-train", outcome="failure", object_type="training-run", object_id=run_id,
               details={"error": type(error).__name__}, component="inference-worker")
        return TrainingRun.objects.get(pk=run_id)
    _end(training, status=TrainingRun.Status.DONE, result=version)  # registering it was audited
    return TrainingRun.objects.get(pk=run_id)


def fail_stale_runs(older_than: timedelta) -> int:
    """Fail the running runs whose worker has not beaten for ``older_than``; returns how many."""
    failed = 0
    for training in _stale(older_than):
        # Conditional on being stale still, so a run that beat or ended since the query is left alone.
        if not _stale(older_than).filter(pk=training.pk).update(
                status=TrainingRun.Status.FAILED, finished_at=timezone.now(), error=WORKER_STOPPED):
            continue
        _delete_upload(training)
        last_beat = str(training.heartbeat_at or training.started_at)
        logger.warning("training run %s: %s since %s", training.pk, WORKER_STOPPED, last_beat)
        record(action="model-train", outcome="failure", object_type="training-run", object_id=training.pk,
               details={"error": WORKER_STOPPED, "last_heartbeat": last_beat}, component="training-sweeper")
        failed += 1
    return failed


def requeue_waiting_runs(older_than: timedelta) -> int:
    """Send again the task of runs still queued after ``older_than``: its message was lost, or the
    broker was down when the run was created. A run that has started ignores the extra message."""
    cutoff = timezone.now() - older_than
    waiting = list(TrainingRun.objects.filter(status=TrainingRun.Status.QUEUED, enqueued_at__lt=cutoff)
                   .values_list("pk", flat=True))
    for run_id in waiting:
        _enqueue(run_id)
    return len(waiting)


@contextmanager
def heartbeat(run_id: int):
    """Touch the run's ``heartbeat_at`` from a side thread while the block runs.

    A thread, not the training loop's progress lines: loading, embedding and scoring are long and
    silent, but a live process always beats, and a killed one never does.
    """
    stop = threading.Event()
    interval = settings.TRAINING_STALE_AFTER_SECONDS / BEATS_PER_STALE_PERIOD

    def beat():
        try:
            while not stop.wait(interval):
                try:
                    TrainingRun.objects.filter(pk=run_id, status=TrainingRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now())
                except DatabaseError as error:  # a busy database: the next beat tries again
                    logger.warning("training run %s: heartbeat missed (%s)", run_id, type(error).__name__)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"training-run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _train(training: TrainingRun, write):
    columns = training.columns
    rows = io.StringIO(decrypt((settings.DATA_DIR / training.data_path).read_bytes()).decode("utf-8"), newline="")
    examples = datasets.read_examples(rows, columns["text"], columns["target"],
                                      columns.get("exclude_labels", []), columns.get("min_per_class", 0))
    return run.train_version(task=training.task, name=training.name, base=registry.get(training.base_model),
                             examples=examples, options=training.options, trained_by=training.requested_by,
                             write=write, audit_details={"run": training.pk})


def _end(training: TrainingRun, **fields) -> None:
    TrainingRun.objects.filter(pk=training.pk).update(finished_at=timezone.now(), **fields)
    _delete_upload(training)


def _delete_upload(training: TrainingRun) -> None:
    """Raw notes are kept only while a run may still read them."""
    (settings.DATA_DIR / training.data_path).unlink(missing_ok=True)


def _stale(older_than: timedelta):
    cutoff = timezone.now() - older_than
    return TrainingRun.objects.filter(status=TrainingRun.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))  # rows from before beats


def _enqueue(run_id: int) -> None:
    from clinical_ai.nlp.tasks import train_model

    TrainingRun.objects.filter(pk=run_id).update(enqueued_at=timezone.now())
    try:
        train_model.delay(run_id)
    except BROKER_ERRORS as error:  # recorded already: the training sweep sends it once Redis is back
        logger.warning("training run %s: not queued (%s); the sweep will retry", run_id, type(error).__name__)
