"""The model lifecycle: import, register a trained version, evaluate, promote behind a gate, retire.

Promotion is the one door to production: a candidate whose validation metric is below the
active model's is refused unless forced with a reason, and both outcomes are audit events.
"""
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction

from clinical_ai.audit.services import record
from clinical_ai.nlp import metrics, registry
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.weights import weights_sha256


class PromotionRefused(Exception):
    """The candidate scores below the active model; promote with force and a reason to override."""


def next_version(name: str) -> str:
    numbers = [int(v) for v in ModelVersion.objects.filter(name=name).values_list("version", flat=True) if v.isdigit()]
    return str(max(numbers, default=0) + 1)


def staging_folder(name: str) -> Path:
    """Where a new version is built before it is registered; moved into place only when complete."""
    folder = settings.MODEL_ROOT / name / ".staging"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def register(*, staged: Path, name: str, task: str, base_model: str = "", trained_by: str = "",
             training_data: dict | None = None, hyperparameters: dict | None = None,
             metrics_: dict | None = None, model_card: str = "") -> ModelVersion:
    """Move a complete model folder into MODEL_ROOT/NAME/VERSION and record it as a candidate."""
    kind = registry.kind_of(staged)
    if kind not in registry.KINDS[task]:
        raise ValueError(f"a {kind} folder cannot serve the {task} task")
    version = next_version(name)
    relative = Path(name) / version
    staged.rename(settings.MODEL_ROOT / relative)
    return ModelVersion.objects.create(
        name=name, version=version, task=task, base_model=base_model, path=str(relative),
        sha256=weights_sha256(settings.MODEL_ROOT / relative), training_data=training_data or {},
        hyperparameters=(hyperparameters or {}) | {"kind": kind}, metrics=metrics_ or {},
        model_card=model_card, trained_by=trained_by,
    )


def import_folder(source: Path, *, name: str, task: str, base_model: str = "", imported_by: str = "",
                  model_card: str = "") -> ModelVersion:
    """Copy any Hugging Face model folder (or a LoRA adapter over a registered base) into the registry."""
    if registry.kind_of(source) == "lora":
        registry.get(base_model)  # an adapter is only usable over a registered base
    staged = staging_folder(name)
    shutil.copytree(source, staged, dirs_exist_ok=True)
    card = model_card or f"# {name}\n\nImported from a local folder by {imported_by or 'unknown'}; not evaluated yet.\n"
    return register(staged=staged, name=name, task=task, base_model=base_model, trained_by=imported_by,
                    model_card=card)


def evaluate(version: ModelVersion, examples) -> dict:
    """The task's metrics for one version on labelled examples (text, target)."""
    texts = [example.text for example in examples]
    truth = [example.target for example in examples]
    model = registry.load(version)
    if version.task == ModelVersion.Task.CLASSIFY:
        return metrics.classification(truth, [label for label, _ in model.classify(texts)])
    return metrics.rouge(truth, model.summarize(texts))


def gate_metric(version: ModelVersion) -> float | None:
    return (version.metrics.get("validation") or {}).get(metrics.GATE_METRIC[version.task])


def promote(version: ModelVersion, *, promoted_by: str, force: bool = False, reason: str = "",
            actor=None, request=None) -> ModelVersion:
    """Make ``version`` the one active model of its task; the previous one is retired."""
    current = ModelVersion.objects.filter(task=version.task, status=ModelVersion.Status.ACTIVE).first()
    details = _gate_details(version, current, force, reason)
    if details["below_active"] and not (force and reason.strip()):
        _audit("model-promote", version, promoted_by, details, outcome="failure", actor=actor, request=request)
        raise PromotionRefused(
            f"{version.ref} scores {details['candidate_metric']} {details['metric']} against the active "
            f"{current.ref}'s {details['active_metric']}; use --force --reason to override")
    with transaction.atomic():
        if current and current.pk != version.pk:
            current.status = ModelVersion.Status.RETIRED
            current.save(update_fields=["status"])
        version.status, version.promoted_by = ModelVersion.Status.ACTIVE, promoted_by
        version.save(update_fields=["status", "promoted_by"])
        _audit("model-promote", version, promoted_by, details, actor=actor, request=request)
    return version


def retire(version: ModelVersion, *, retired_by: str, actor=None, request=None) -> ModelVersion:
    if version.status == ModelVersion.Status.ACTIVE:
        raise ValueError(f"{version.ref} is active: promote another {version.task} model first")
    version.status = ModelVersion.Status.RETIRED
    version.save(update_fields=["status"])
    _audit("model-retire", version, retired_by, {}, actor=actor, request=request)
    return version


def _gate_details(version: ModelVersion, current: ModelVersion | None, force: bool, reason: str) -> dict:
    candidate_score = gate_metric(version)
    active_score = gate_metric(current) if current else None
    below = active_score is not None and (candidate_score is None or candidate_score < active_score)
    return {"metric": metrics.GATE_METRIC[version.task], "candidate_metric": candidate_score,
            "active": current.ref if current else None, "active_metric": active_score,
            "below_active": below, "forced": bool(force and below), "reason": reason[:500]}


def _audit(action: str, version: ModelVersion, actor_name: str, details: dict, outcome: str = "success",
           actor=None, request=None) -> None:
    """By the signed-in user when the UI acts (``actor``/``request``), else by the named person or component."""
    record(action=action, outcome=outcome, actor=actor, request=request, object_type="model",
           object_id=version.ref, details=details | {"sha256": version.sha256}, component=actor_name or "system")
