"""The `models` command end to end on tiny CSVs and few steps: train, list, evaluate, promote."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinical_ai.audit.models import AuditEvent
from clinical_ai.nlp.models import ModelVersion
from tests.nlp import tiny_models

pytestmark = pytest.mark.django_db


def models(*args) -> dict | list:
    out, err = StringIO(), StringIO()
    call_command("models", "--json", *map(str, args), stdout=out, stderr=err)
    return json.loads(out.getvalue())


def test_train_classify_records_head_and_tfidf_metrics_and_is_deterministic(default_models, specialty_csv):
    arguments = ["train", "--task", "classify", "--data", specialty_csv, "--text-column", "note",
                 "--label-column", "specialty", "--exclude-labels", "Surgery", "--min-per-class", "3",
                 "--validation-fraction", "0.25"]
    out, progress = StringIO(), StringIO()
    call_command("models", "--json", *map(str, arguments), stdout=out, stderr=progress)
    first, second = json.loads(out.getvalue()), models(*arguments)
    assert "held out (6 notes): macro-F1" in progress.getvalue() and "95% bootstrap [" in progress.getvalue()
    assert first["model"] == "classifier-minilm-ft@1" and first["status"] == "candidate"
    assert set(first["metrics"]) == {"validation", "tfidf_logreg_baseline", "macro_f1_difference_vs_tfidf"}
    assert set(first["metrics"]["validation"]["per_class"]) == {"Cardiology", "Neurology", "Orthopedic"}
    assert first["training_data"]["rows"] == 24
    assert first["sha256"] == second["sha256"]  # same seed, same weights
    version = ModelVersion.objects.get(name="classifier-minilm-ft", version="1")
    assert "tfidf_logreg_baseline" in version.model_card and version.hyperparameters["kind"] == "embedding-head"
    assert "macro-f1 difference against the TF-IDF baseline" in version.model_card
    assert {"blend", "c_embeddings", "c_ngrams", "temperature", "cv_macro_f1"} <= set(version.hyperparameters)

    evaluated = models("evaluate", "classifier-minilm-ft@1", "--data", specialty_csv, "--text-column", "note",
                       "--label-column", "specialty", "--exclude-labels", "Surgery", "--min-per-class", "3")
    assert {"macro_f1", "accuracy", "per_class"} <= set(evaluated)


def test_train_classify_full_fine_tune_saves_a_sequence_classifier(default_models, specialty_csv):
    result = models("train", "--task", "classify", "--method", "full", "--epochs", "1", "--data", specialty_csv,
                    "--text-column", "note", "--label-column", "specialty", "--exclude-labels", "Surgery",
                    "--min-per-class", "3", "--validation-fraction", "0.25")
    assert ModelVersion.objects.get(name="classifier-minilm-ft").hyperparameters["kind"] == "sequence-classifier"
    assert 0 <= result["metric"] <= 1


def test_train_summarize_saves_a_lora_adapter_scored_against_zero_shot_and_lead(default_models, summary_csv,
                                                                                tmp_path):
    # A tiny causal LM with SmolLM2's tokenizer stands in for the base: same code path, seconds not minutes.
    models("import", tiny_models.causal_lm(tmp_path / "lm", default_models["summarize"].folder),
           "--name", "tiny-lm", "--task", "summarize")
    result = models("train", "--task", "summarize", "--base", "tiny-lm@1", "--data", summary_csv,
                    "--source-column", "transcription", "--target-column", "description", "--steps", "2",
                    "--max-validation", "2", "--validation-fraction", "0.25")
    assert result["model"] == "summarizer-smollm2-lora@1" and result["base_model"] == "tiny-lm@1"
    assert set(result["metrics"]) == {"validation", "zero_shot_base", "lead_baseline"}
    assert {"rouge1", "rouge2", "rougeL"} <= set(result["metrics"]["validation"])
    version = ModelVersion.objects.get(name="summarizer-smollm2-lora")
    assert (version.folder / "adapter_config.json").exists()


def test_promote_refusal_is_an_error_and_an_audit_event(default_models, tmp_path):
    active = default_models["classify"]
    active.metrics = {"validation": {"macro_f1": 0.9}}
    active.save()
    folder = tiny_models.sequence_classifier(tmp_path / "c", default_models["classify"].folder, ["A"])
    models("import", folder, "--name", "weak", "--task", "classify")
    with pytest.raises(CommandError, match="needs an owner and a clinical validator"):
        models("promote", "weak@1")
    tiny_models.accountable_users()
    models("assign", "weak@1", "--owner", "olga-owner", "--validator", "vic-validator")
    with pytest.raises(CommandError, match="never scored on the same evaluation set.*--force --reason"):
        models("promote", "weak@1")
    assert AuditEvent.objects.filter(action="model-promote", outcome="failure").count() == 2
    listed = models("list", "--task", "classify")
    assert [row["status"] for row in listed] == ["active", "candidate"]
