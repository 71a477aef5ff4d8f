"""The shipped fine-tuned summarizer: install_models registers it over its base, with its card and weight
hash, activates it only over the untouched base default, and the registry serves summaries through it."""
import io
import json

import numpy as np
import pytest
import torch
from django.core.management import call_command

from clinical_ai.audit.models import AuditEvent
from clinical_ai.nlp import defaults, registry, services
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.weights import weights_sha256
from tests.benches import load_bench

pytestmark = pytest.mark.django_db
ADAPTER = f"{defaults.SUMMARIZER_ADAPTER['name']}@{defaults.SUMMARIZER_ADAPTER['version']}"
BASE = defaults.SUMMARIZER_ADAPTER["base_model"]
MEASURED_GAIN = defaults.adapter_beats_base(defaults.adapter_report())


def _install():
    call_command("install_models", stdout=io.StringIO())
    return registry.get(ADAPTER), registry.get(BASE)


def test_install_models_registers_the_adapter_over_its_base_with_its_card_and_hash(model_root):
    adapter, base = _install()

    assert adapter.task == "summarize" and adapter.base_model == BASE == "smollm2-135m-instruct@1"
    assert registry.kind_of(adapter.folder) == "lora" and registry.base_of(adapter) == base
    assert adapter.sha256 == weights_sha256(defaults.SUMMARIZER_ADAPTER_FILES) == weights_sha256(adapter.folder)
    assert adapter.model_card == (defaults.SUMMARIZER_ADAPTER_FILES / "card.md").read_text()
    assert adapter.sha256 in adapter.model_card and "mtsamples" in adapter.model_card.lower()
    report = defaults.adapter_report()
    assert adapter.training_data == report["data"]["mtsamples"]
    assert adapter.metrics["mtsamples_check"]["adapter"] == report["rougeL_drafts"]["adapter"]
    # On a fresh install the base default was active: the adapter replaces it only if its gain is measured.
    expected = (ModelVersion.Status.ACTIVE, ModelVersion.Status.RETIRED) if MEASURED_GAIN else (
        ModelVersion.Status.CANDIDATE, ModelVersion.Status.ACTIVE)
    assert (adapter.status, base.status) == expected
    if MEASURED_GAIN:
        assert adapter.promoted_by == "install_models"
        assert AuditEvent.objects.filter(action="model-promote", object_id=ADAPTER).exists()


def test_a_hospitals_choice_of_summarizer_is_left_alone(model_root):
    defaults.install_defaults()
    ModelVersion.objects.filter(name=defaults.SUMMARIZER["name"]).update(promoted_by="olga-owner")  # re-chosen

    adapter, base = _install()

    assert (adapter.status, base.status) == (ModelVersion.Status.CANDIDATE, ModelVersion.Status.ACTIVE)


def test_an_install_whose_active_summarizer_is_the_earlier_shipped_adapter_moves_on_to_this_one(model_root):
    earlier, _ = _install()
    if not MEASURED_GAIN:  # the shipped figures do not let the adapter replace anything
        assert earlier.status == ModelVersion.Status.CANDIDATE
        return
    ModelVersion.objects.filter(pk=earlier.pk).update(version="0")  # as the release before left it: its adapter active

    adapter, _ = _install()

    earlier.refresh_from_db()
    assert (adapter.status, earlier.status) == (ModelVersion.Status.ACTIVE, ModelVersion.Status.RETIRED)
    event = AuditEvent.objects.filter(action="model-promote", object_id=ADAPTER).latest("pk")
    assert event.details["from"] == earlier.ref


def test_running_install_models_again_changes_nothing(model_root):
    first, _ = _install()
    if first.status == ModelVersion.Status.ACTIVE:  # someone goes back to the base; a re-run must not undo it
        from clinical_ai.nlp import lifecycle

        lifecycle.rollback("summarize", rolled_back_by="olga-owner", reason="test")

    states = {v.ref: v.status for v in ModelVersion.objects.all()}
    adapter, _ = _install()

    assert {v.ref: v.status for v in ModelVersion.objects.all()} == states and adapter.pk == first.pk


def test_a_summary_comes_through_the_adapter_merged_into_its_base(model_root):
    adapter, base = _install()
    ModelVersion.objects.filter(task="summarize").exclude(pk=adapter.pk).update(status=ModelVersion.Status.RETIRED)
    ModelVersion.objects.filter(pk=adapter.pk).update(status=ModelVersion.Status.ACTIVE)
    served = registry.load(adapter)
    served.max_new_tokens = 24  # CI time: one short sentence
    tuned_weight = served.model.model.layers[0].self_attn.q_proj.weight
    base_weight = registry.load(base).model.model.layers[0].self_attn.q_proj.weight
    assert not hasattr(served.model, "peft_config") and not torch.allclose(tuned_weight, base_weight)

    note = ("HISTORY: A 54-year-old man with chest pain radiating to the left arm for two hours. "
            "ECG shows ST elevation. PLAN: Cardiac catheterization today.")
    (analysis,) = services.analyze([note])

    assert analysis.summarizer == adapter and analysis.summary.strip()


def test_the_gate_needs_the_gain_over_the_base_above_zero_for_drafts_and_shown_summaries():
    gains = {f"gain_over_{b}": {"mean": 0.1, "low": 0.05, "high": 0.15} for b in ("zero_shot_base", "lead")}
    report = {"data": {"check_rows": 200}, "rougeL_drafts": dict(gains), "rougeL_shown": dict(gains)}
    assert defaults.adapter_beats_base(report)
    assert not defaults.adapter_beats_base(report | {"data": {"check_rows": 199}})  # too few notes measured
    within_noise = {"mean": 0.02, "low": -0.01, "high": 0.05}
    assert defaults.adapter_beats_base(report | {"rougeL_shown": dict(gains, gain_over_lead=within_noise)})
    assert not defaults.adapter_beats_base(report | {"rougeL_shown": dict(gains, gain_over_zero_shot_base=within_noise)})
    assert not defaults.adapter_beats_base(report | {"rougeL_drafts": dict(gains, gain_over_zero_shot_base=within_noise)})


def test_bench_intervals_pair_the_notes_and_the_gain_is_the_difference():
    bench = load_bench("summaries")
    rng = np.random.default_rng(0)
    base = rng.uniform(0.1, 0.3, 300)
    result = bench.compare({"adapter": base + 0.1, "zero_shot_base": base, "lead": base[::-1]}, 500, 13)

    assert result["gain_over_zero_shot_base"] == {"mean": 0.1, "low": 0.1, "high": 0.1}  # same notes resampled
    assert result["adapter"]["low"] < result["adapter"]["mean"] < result["adapter"]["high"]
    assert result["gain_over_lead"]["low"] > 0
    assert json.loads(json.dumps(result)) == result
