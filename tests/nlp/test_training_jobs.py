"""Training runs end cleanly: the encrypted upload is deleted however a run ends, a run whose worker died
is found by its missing heartbeat and failed by the sweep, not left "running" forever, and a run whose task
never reached a worker is sent again."""
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents.encryption import encrypt
from clinical_ai.nlp import datasets
from clinical_ai.nlp.models import TrainingRun
from clinical_ai.nlp.tasks import sweep_training_runs
from clinical_ai.nlp.training import jobs
from tests.nlp import tiny_models

COLUMNS = {"text": "note", "target": "specialty", "exclude_labels": ["Surgery"], "min_per_class": 3}


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    (settings.DATA_DIR / jobs.UPLOADS).mkdir(parents=True)
    return settings.DATA_DIR


def uploaded(data_dir, csv_path, name="upload.csv.fernet") -> str:
    """An upload as the /models/ page stores it; returns its path relative to DATA_DIR."""
    relative = f"{jobs.UPLOADS}/{name}"
    (data_dir / relative).write_bytes(encrypt(csv_path.read_bytes()))
    return relative


def training_run(data_path, base="none@1", **fields) -> TrainingRun:
    return TrainingRun.objects.create(**{"task": "classify", "name": "classifier-ft", "base_model": base,
                                         "data_path": data_path, "columns": COLUMNS, "requested_by": "ada-admin",
                                         "options": {"validation_fraction": 0.25}} | fields)


@pytest.mark.django_db
def test_a_successful_run_deletes_its_upload_and_keeps_the_data_fingerprint(default_models, data_dir, specialty_csv,
                                                                            tmp_path):
    base = tiny_models.registered_candidate(default_models, tmp_path, "tiny-encoder", 0.5)
    training = training_run(uploaded(data_dir, specialty_csv), base=base.ref)

    training = jobs.run_training(training.pk, write=lambda line: None)

    assert training.status == TrainingRun.Status.DONE and training.finished_at
    assert not (data_dir / training.data_path).exists()
    with open(specialty_csv, newline="") as rows:
        examples = datasets.read_examples(rows, "note", "specialty", ["Surgery"], 3)
    assert training.result.training_data == datasets.fingerprint(examples) and training.result.training_data["rows"]


@pytest.mark.django_db
def test_a_failed_run_deletes_its_upload(default_models, data_dir, specialty_csv):
    training = training_run(uploaded(data_dir, specialty_csv), base=default_models["classify"].ref,
                            columns={"text": "no such column", "target": "specialty"})

    training = jobs.run_training(training.pk, write=lambda line: None)

    assert training.status == TrainingRun.Status.FAILED and training.error
    assert not (data_dir / training.data_path).exists()


@pytest.mark.django_db
def test_the_sweep_fails_a_run_whose_worker_stopped_and_leaves_a_live_one_alone(data_dir, specialty_csv, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.TRAINING_STALE_AFTER_SECONDS + 60)
    dead = training_run(uploaded(data_dir, specialty_csv, "dead.csv.fernet"), status=TrainingRun.Status.RUNNING,
                        started_at=long_ago, heartbeat_at=long_ago)
    from_before_heartbeats = training_run(uploaded(data_dir, specialty_csv, "old.csv.fernet"),
                                          status=TrainingRun.Status.RUNNING, started_at=long_ago)
    live = training_run(uploaded(data_dir, specialty_csv, "live.csv.fernet"), status=TrainingRun.Status.RUNNING,
                        started_at=long_ago, heartbeat_at=timezone.now())
    queued = training_run(uploaded(data_dir, specialty_csv, "queued.csv.fernet"))

    # the task body, as the deid worker runs it on beat's schedule
    assert sweep_training_runs() == {"failed": 2, "requeued": 0}
    assert sweep_training_runs() == {"failed": 0, "requeued": 0}

    for training in (dead, from_before_heartbeats):
        training.refresh_from_db()
        assert training.status == TrainingRun.Status.FAILED and training.error == jobs.WORKER_STOPPED
        assert training.finished_at and not (data_dir / training.data_path).exists()
        event = AuditEvent.objects.get(action="model-train", object_id=str(training.pk))
        assert (event.outcome, event.actor_name, event.details["error"]) == ("failure", "training-sweeper",
                                                                             jobs.WORKER_STOPPED)
    for training, status in ((live, TrainingRun.Status.RUNNING), (queued, TrainingRun.Status.QUEUED)):
        training.refresh_from_db()
        assert training.status == status and not training.error and (data_dir / training.data_path).exists()
    assert AuditEvent.objects.filter(action="model-train").count() == 2


def test_a_training_worker_beats_while_it_runs_and_its_run_goes_stale_once_it_stops(committed_db, data_dir,
                                                                                    specialty_csv, settings):
    settings.TRAINING_STALE_AFTER_SECONDS = 1.0  # a beat every 0.1 s
    stale_after = timedelta(seconds=settings.TRAINING_STALE_AFTER_SECONDS)
    long_ago = timezone.now() - timedelta(hours=1)
    training = training_run(uploaded(data_dir, specialty_csv), status=TrainingRun.Status.RUNNING,
                            started_at=long_ago, heartbeat_at=long_ago)

    with jobs.heartbeat(training.pk):
        time.sleep(0.5)  # the training's main thread, busy
    assert jobs.fail_stale_runs(stale_after) == 0
    assert TrainingRun.objects.get(pk=training.pk).heartbeat_at > long_ago

    time.sleep(1.2)  # no more beats: the worker is gone
    assert jobs.fail_stale_runs(stale_after) == 1
    assert TrainingRun.objects.get(pk=training.pk).status == TrainingRun.Status.FAILED


@pytest.mark.django_db
def test_the_sweep_sends_again_a_run_still_queued_long_after_its_task_was_sent(data_dir, specialty_csv, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.STUCK_AFTER_SECONDS + 60)
    lost = training_run(uploaded(data_dir, specialty_csv, "lost.csv.fernet"), enqueued_at=long_ago)
    just_sent = training_run(uploaded(data_dir, specialty_csv, "sent.csv.fernet"))
    started = training_run(uploaded(data_dir, specialty_csv, "started.csv.fernet"), enqueued_at=long_ago,
                           status=TrainingRun.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now())

    with mock.patch("clinical_ai.nlp.tasks.train_model.delay") as delay:
        assert sweep_training_runs() == {"failed": 0, "requeued": 1}
        assert sweep_training_runs() == {"failed": 0, "requeued": 0}  # sent again once per period, not every sweep

    delay.assert_called_once_with(lost.pk)
    lost.refresh_from_db()
    assert lost.enqueued_at > long_ago and lost.status == TrainingRun.Status.QUEUED
    assert {just_sent.pk, started.pk}.isdisjoint(call.args[0] for call in delay.call_args_list)


@pytest.mark.django_db
def test_a_run_created_while_the_broker_is_down_stays_queued_for_the_sweep(data_dir, specialty_csv, caplog):
    training = training_run(uploaded(data_dir, specialty_csv))

    with mock.patch("clinical_ai.nlp.tasks.train_model.delay", side_effect=ConnectionError("refused")):
        jobs._enqueue(training.pk)

    training.refresh_from_db()
    assert training.status == TrainingRun.Status.QUEUED
    assert "the sweep will retry" in caplog.text
