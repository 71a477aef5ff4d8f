"""Registry governance: every change audited by the service that makes it, registry and MODEL_ROOT in
agreement, owners and clinical validators, a gate that compares like with like, and rollback."""
import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinical_ai.audit.models import AuditEvent
from clinical_ai.nlp import lifecycle, registry
from clinical_ai.nlp.models import ModelVersion
from tests.nlp import tiny_models

pytestmark = pytest.mark.django_db

CLASSIFY = ["--task", "classify", "--text-column", "note", "--label-column", "specialty", "--exclude-labels",
            "Surgery", "--min-per-class", "3", "--validation-fraction", "0.25"]


def models(*args):
    out = StringIO()
    call_command("models", *map(str, args), stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_cli_import_train_and_evaluate_are_audited_with_json_after_the_subcommand(default_models, specialty_csv,
                                                                                 tmp_path):
    folder = tiny_models.sequence_classifier(tmp_path / "c", default_models["classify"].folder, ["A", "B"])
    imported = models("import", folder, "--name", "imported", "--task", "classify", "--json", "--by", "carol")
    trained = models("train", "--data", specialty_csv, *CLASSIFY, "--json")
    models("evaluate", trained["model"], "--data", specialty_csv, *CLASSIFY[2:-2], "--json")

    events = {(event.action, event.object_id): event for event in AuditEvent.objects.all()}
    assert events[("model-import", imported["model"])].actor_name == "carol"
    train_event = events[("model-train", trained["model"])]
    assert train_event.details["metrics"]["macro_f1"] == trained["metric"]
    assert train_event.details["training_data"]["rows"] == 24
    assert ("model-evaluate", trained["model"]) in events
    # the active default was scored on the candidate's validation split, so the two compare on the same set
    assert ("model-evaluate", default_models["classify"].ref) in events


def test_a_version_is_numbered_past_leftover_folders_before_training(default_models, specialty_csv, model_root):
    leftover = model_root / "classifier-minilm-ft" / "1"
    leftover.mkdir(parents=True)
    (leftover / "config.json").write_text("{}")
    trained = models("train", "--data", specialty_csv, *CLASSIFY, "--json")
    assert trained["model"] == "classifier-minilm-ft@2"
    assert (leftover / "config.json").read_text() == "{}"  # the leftover is left alone, not overwritten
    assert not (model_root / "classifier-minilm-ft" / ".staging").exists()


def test_register_refuses_a_number_taken_while_building(default_models, tmp_path, model_root):
    folder = tiny_models.sequence_classifier(tmp_path / "c", default_models["classify"].folder, ["A"])
    staged = lifecycle.staging_folder("late")
    shutil.copytree(folder, staged, dirs_exist_ok=True)
    (model_root / "late" / "1").mkdir()
    with pytest.raises(ValueError, match="was taken"):
        lifecycle.register(staged=staged, name="late", task="classify", action="model-import", version="1")


def test_check_reports_missing_files_unregistered_folders_and_changed_weights(default_models, tmp_path, model_root):
    assert models("check", "--json") == []
    changed = tiny_models.registered_candidate(default_models, tmp_path, "changed", 0.5)
    gone = tiny_models.registered_candidate(default_models, tmp_path, "gone", 0.5)
    next(changed.folder.glob("*.safetensors")).write_bytes(b"tampered")
    shutil.rmtree(gone.folder)
    (model_root / "orphan" / "3").mkdir(parents=True)

    out = StringIO()
    with pytest.raises(CommandError, match="3 disagreements"):
        call_command("models", "check", "--json", stdout=out)
    problems = {(row["problem"], row["model"] or row["path"]) for row in json.loads(out.getvalue())}
    assert problems == {("hash mismatch", "changed@1"), ("missing files", "gone@1"),
                        ("unregistered folder", "orphan/3")}


def test_promotion_needs_an_owner_and_a_validator_and_records_both(default_models, tmp_path):
    candidate = tiny_models.registered_candidate(default_models, tmp_path, "owned", 0.7)
    candidate.owner = None
    candidate.save()
    with pytest.raises(lifecycle.PromotionRefused, match="owner"):
        lifecycle.promote(candidate, promoted_by="ada", force=True, reason="urgent")  # force does not skip it
    owner, validator = tiny_models.accountable_users()
    lifecycle.assign(candidate, owner=owner, clinical_validator=validator, assigned_by="ada")
    lifecycle.promote(candidate, promoted_by="ada")
    event = AuditEvent.objects.filter(action="model-promote", outcome="success").get()
    assert (event.details["owner"], event.details["clinical_validator"]) == ("olga-owner", "vic-validator")
    assert AuditEvent.objects.filter(action="model-assign", object_id="owned@1").count() == 2


def test_the_gate_refuses_when_the_active_model_was_never_scored_on_the_candidates_set(default_models, tmp_path):
    candidate = tiny_models.registered_candidate(default_models, tmp_path, "unshared", 0.9)
    candidate.evaluations = {"another-set": {"rows": 500, "metrics": {"macro_f1": 0.9}}}
    candidate.save()
    with pytest.raises(lifecycle.PromotionRefused, match="never scored on the same evaluation set"):
        lifecycle.promote(candidate, promoted_by="ada")
    lifecycle.promote(candidate, promoted_by="ada", force=True, reason="validated by the clinical team")
    event = AuditEvent.objects.filter(action="model-promote", outcome="success").get()
    assert event.details["forced"] and event.details["evaluation_set"] is None


def test_the_gate_warns_on_tiny_sets_and_missing_labels(default_models, tmp_path):
    candidate = tiny_models.registered_candidate(default_models, tmp_path, "tiny", 0.9)
    lifecycle.record_evaluation(ModelVersion.objects.get(pk=default_models["classify"].pk),
                                {"sha256": "small", "rows": 10}, {"macro_f1": 0.2})
    lifecycle.record_evaluation(candidate, {"sha256": "small", "rows": 10},
                                {"macro_f1": 0.9, "per_class": {"Cardiology": 0.9}})
    candidate.evaluations.pop(tiny_models.SHARED_SET["sha256"])
    candidate.save()
    _, warnings = lifecycle.promote(candidate, promoted_by="ada")
    assert any("only 10 evaluation rows" in warning for warning in warnings)
    assert any("labels of the active model never appear" in warning for warning in warnings)


def test_rollback_reactivates_the_previous_version_citing_incidents(default_models, tmp_path):
    first = tiny_models.registered_candidate(default_models, tmp_path, "first", 0.6)
    lifecycle.promote(first, promoted_by="ada")
    second = tiny_models.registered_candidate(default_models, tmp_path, "second", 0.7)
    lifecycle.promote(second, promoted_by="ada")
    with pytest.raises(CommandError, match="reason"):
        call_command("models", "rollback", "--task", "classify", "--reason", " ")

    rolled = models("rollback", "--task", "classify", "--reason", "wrong types on cardiology notes",
                    "--incident", "4", "--incident", "9", "--json", "--by", "olga")
    assert rolled["model"] == "first@1" and rolled["status"] == "active"
    assert ModelVersion.objects.get(pk=second.pk).status == ModelVersion.Status.RETIRED
    event = AuditEvent.objects.get(action="model-rollback")
    assert (event.object_id, event.actor_name, event.details["from"]) == ("first@1", "olga", "second@1")
    assert event.details["incidents"] == [4, 9] and event.details["reason"] == "wrong types on cardiology notes"

    models("rollback", "--task", "classify", "--reason", "back again", "--json")
    assert ModelVersion.objects.get(status="active", task="classify").ref == "second@1"


def test_a_trained_classifier_is_promotable_over_the_installed_default(default_models, specialty_csv):
    trained = models("train", "--data", specialty_csv, *CLASSIFY, "--json")
    tiny_models.accountable_users()
    models("assign", trained["model"], "--owner", "olga-owner", "--validator", "vic-validator")
    promoted = models("promote", trained["model"], "--json")
    event = AuditEvent.objects.get(action="model-promote")
    assert promoted["status"] == "active" and event.details["evaluation_set"] is not None
    assert event.details["active"] == default_models["classify"].ref and not event.details["forced"]
    assert event.details["active_metric"] is not None
    # what the drift monitor compares production with: the candidate's own validation split
    profile = lifecycle.reference_profile(registry.get(trained["model"]))
    assert set(profile["label_counts"]) == {"Cardiology", "Neurology", "Orthopedic"} and profile["length_mean"] > 0
