"""The admin's models page: list versions, start training as a Celery task (by id, data on disk), promote
behind the gate, retire. Who may reach it is in tests/accounts/test_authorization_matrix.py."""
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from clinical_ai.accounts.models import Profile, Role
from clinical_ai.audit.models import AuditEvent
from clinical_ai.documents.encryption import decrypt, encrypt
from clinical_ai.nlp.models import ModelVersion, TrainingRun
from clinical_ai.nlp.training import jobs
from tests.nlp import tiny_models

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_user("ada-admin", password="x")
    Profile.objects.create(user=user, role=Role.ADMIN, unit="it")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def test_the_page_lists_each_version_with_status_and_weight_hash(admin_client, default_models):
    page = admin_client.get("/models/").content.decode()
    for version in default_models.values():
        assert version.ref in page and version.sha256[:12] in page
    assert "Start training" in page


def test_starting_training_keeps_the_csv_encrypted_on_disk_and_queues_the_run_id_only(admin_client, default_models, data_dir,
                                                                            specialty_csv,
                                                                            django_capture_on_commit_callbacks):
    with mock.patch("clinical_ai.nlp.tasks.train_model.delay") as delay, \
            django_capture_on_commit_callbacks(execute=True):
        with open(specialty_csv, "rb") as upload:
            response = admin_client.post("/models/train", {
                "task": "classify", "data": upload, "text_column": "note", "target_column": "specialty",
                "exclude_labels": "Surgery", "min_per_class": 3})

    assert response.status_code == 302
    run = TrainingRun.objects.get()
    delay.assert_called_once_with(run.pk)
    stored = (data_dir / run.data_path).read_bytes()
    assert b"Cardiology" not in stored  # raw notes are encrypted at rest
    assert decrypt(stored) == specialty_csv.read_bytes()
    assert run.columns == {"text": "note", "target": "specialty", "exclude_labels": ["Surgery"], "min_per_class": 3}
    event = AuditEvent.objects.get(action="model-train")
    assert event.actor_name == "ada-admin" and "Cardiology" not in str(event.details)


def test_a_csv_without_the_named_columns_is_refused(admin_client, default_models, data_dir, specialty_csv):
    with open(specialty_csv, "rb") as upload:
        response = admin_client.post("/models/train", {"task": "classify", "data": upload, "text_column": "text",
                                                       "target_column": "specialty"})
    assert response.status_code == 400 and b"no column" in response.content
    assert not TrainingRun.objects.exists()


def test_the_training_task_registers_a_candidate_once(default_models, data_dir, specialty_csv):
    (data_dir / "training-data").mkdir(parents=True)
    (data_dir / "training-data" / "s.csv.fernet").write_bytes(encrypt(specialty_csv.read_bytes()))
    run = TrainingRun.objects.create(
        task="classify", name="classifier-minilm-ft", base_model=default_models["classify"].ref,
        data_path="training-data/s.csv.fernet", requested_by="ada-admin", options={"validation_fraction": 0.25},
        columns={"text": "note", "target": "specialty", "exclude_labels": ["Surgery"], "min_per_class": 3})

    from clinical_ai.nlp.tasks import train_model

    train_model(run.pk)  # the task body, as the worker runs it
    assert jobs.run_training(run.pk) is None  # a redelivered message does nothing

    run.refresh_from_db()
    assert run.status == TrainingRun.Status.DONE and run.result.status == ModelVersion.Status.CANDIDATE
    assert run.result.trained_by == "ada-admin" and "tfidf_logreg_baseline" in run.result.metrics
    assert ModelVersion.objects.filter(name="classifier-minilm-ft").count() == 1


def test_a_failed_training_run_records_the_error_class_only(default_models, data_dir):
    run = TrainingRun.objects.create(task="classify", name="x", base_model=default_models["classify"].ref,
                                     data_path="training-data/missing.csv", requested_by="ada-admin",
                                     columns={"text": "note", "target": "specialty"})
    jobs.run_training(run.pk)
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.FAILED and run.error == "FileNotFoundError"


def test_promote_refuses_a_worse_candidate_unless_forced_with_a_reason(admin_client, default_models, tmp_path):
    good = tiny_models.registered_candidate(default_models, tmp_path, "good", 0.8)
    admin_client.post(f"/models/{good.pk}/promote")
    worse = tiny_models.registered_candidate(default_models, tmp_path, "worse", 0.5)

    admin_client.post(f"/models/{worse.pk}/promote", {"force": "on"})  # forced, but no reason
    assert ModelVersion.objects.get(pk=worse.pk).status == ModelVersion.Status.CANDIDATE
    admin_client.post(f"/models/{worse.pk}/promote", {"force": "on", "reason": "better on our cardiology notes"})
    assert ModelVersion.objects.get(pk=worse.pk).status == ModelVersion.Status.ACTIVE

    outcomes = list(AuditEvent.objects.filter(action="model-promote").order_by("occurred_at")
                    .values_list("outcome", "actor_name"))
    assert outcomes == [("success", "ada-admin"), ("failure", "ada-admin"), ("success", "ada-admin")]


def test_retire_takes_a_candidate_out_but_not_the_active_model(admin_client, default_models, tmp_path):
    candidate = tiny_models.registered_candidate(default_models, tmp_path, "spare", 0.5)
    admin_client.post(f"/models/{candidate.pk}/retire")
    admin_client.post(f"/models/{default_models['classify'].pk}/retire")
    assert ModelVersion.objects.get(pk=candidate.pk).status == ModelVersion.Status.RETIRED
    assert ModelVersion.objects.get(pk=default_models["classify"].pk).status == ModelVersion.Status.ACTIVE
