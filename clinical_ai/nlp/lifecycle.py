"""The model lifecycle: import, register a trained version, evaluate, assign, promote behind a gate, retire,
roll back, and check that the registry and MODEL_ROOT agree.

Guarantees:
- Every change to the registry is an audit event written here, whoever calls (command line, UI, worker).
- A version number is taken only where both the registry and MODEL_ROOT have it free, and is chosen
  before any training starts, so a run never ends on a folder it cannot move into place.
- Promotion is the one door to production: it refuses a version without an owner and a clinical
  validator, and compares the candidate with the active model on an evaluation set both were scored
  on. Scoring lower, or no shared set at all, is refused unless forced with a reason. Rollback
  re-activates the previously active version, with a reason and the incidents that motivated it.
"""
import json
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinical_ai.audit.services import record
from clinical_ai.nlp import datasets, metrics, registry
from clinical_ai.nlp.folders import HEAD_LABELS_FILE, LABELS_FILE
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.weights import weights_sha256

STAGING = ".staging"


class PromotionRefused(Exception):
    """The candidate lacks an owner or validator, or does not beat the active model on a shared set."""


def next_version(name: str) -> str:
    """One more than any version of ``name`` in the registry or on disk under MODEL_ROOT/NAME."""
    registered = ModelVersion.objects.filter(name=name).values_list("version", flat=True)
    folder = settings.MODEL_ROOT / name
    on_disk = [child.name for child in folder.iterdir()] if folder.is_dir() else []
    numbers = [int(v) for v in [*registered, *on_disk] if v.isdigit()]
    return str(max(numbers, default=0) + 1)


def staging_folder(name: str) -> Path:
    """Where a new version is built before it is registered; moved into place only when complete."""
    folder = settings.MODEL_ROOT / name / STAGING
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def register(*, staged: Path, name: str, task: str, action: str, version: str = "", base_model: str = "",
             trained_by: str = "", training_data: dict | None = None, hyperparameters: dict | None = None,
             metrics_: dict | None = None, model_card: str = "", audit_details: dict | None = None,
             sha256: str = "") -> ModelVersion:
    """Move a complete model folder into MODEL_ROOT/NAME/VERSION and record it as a candidate.

    ``version`` is the number reserved before training; ``action`` names the audit event (import, train);
    ``sha256`` is the staged folder's weight hash where the caller has computed it already (for its card).
    """
    kind = registry.kind_of(staged)
    if kind not in registry.KINDS[task]:
        raise ValueError(f"a {kind} folder cannot serve the {task} task")
    version = version or next_version(name)
    relative = Path(name) / version
    if (settings.MODEL_ROOT / relative).exists() or ModelVersion.objects.filter(name=name, version=version).exists():
        raise ValueError(f"{name}@{version} was taken while this version was being built")
    staged.rename(settings.MODEL_ROOT / relative)
    registered = ModelVersion.objects.create(
        name=name, version=version, task=task, base_model=base_model, path=str(relative),
        sha256=sha256 or weights_sha256(settings.MODEL_ROOT / relative), training_data=training_data or {},
        hyperparameters=(hyperparameters or {}) | {"kind": kind}, metrics=metrics_ or {},
        model_card=model_card, trained_by=trained_by,
    )
    _audit(action, registered, trained_by, {"kind": kind, "base_model": base_model,
                                            "training_data": training_data or {}} | (audit_details or {}))
    return registered


def import_folder(source: Path, *, name: str, task: str, base_model: str = "", imported_by: str = "",
                  model_card: str = "") -> ModelVersion:
    """Copy any Hugging Face model folder (or a LoRA adapter over a registered base) into the registry."""
    if registry.kind_of(source) == "lora":
        registry.get(base_model)  # an adapter is only usable over a registered base
    staged = staging_folder(name)
    shutil.copytree(source, staged, dirs_exist_ok=True)
    card = model_card or f"# {name}\n\nImported from a local folder by {imported_by or 'unknown'}; not evaluated yet.\n"
    return register(staged=staged, name=name, task=task, action="model-import", base_model=base_model,
                    trained_by=imported_by, model_card=card)


def evaluate(version: ModelVersion, examples, *, evaluated_by: str = "", actor=None, request=None) -> dict:
    """The task's metrics for one version on labelled examples, kept per evaluation set: (text, target) rows,
    or for the deid task gold notes with their marked spans."""
    examples = list(examples)
    if version.task == ModelVersion.Task.DEID:
        from clinical_ai.nlp import phi_tagging

        result, data, shape = (phi_tagging.score(version.folder, examples), phi_tagging.fingerprint(examples),
                               phi_tagging.profile(examples))
    else:
        result, data, shape = (_scores(version, examples), datasets.fingerprint(examples),
                               datasets.profile(examples, version.task == ModelVersion.Task.CLASSIFY))
    record_evaluation(version, data, result, shape)
    _audit("model-evaluate", version, evaluated_by, {"data": data, "metrics": _without_per_class(result)},
           actor=actor, request=request)
    return result


def _scores(version: ModelVersion, examples: list) -> dict:
    texts = [example.text for example in examples]
    truth = [example.target for example in examples]
    model = registry.load(version)
    if version.task == ModelVersion.Task.CLASSIFY:
        return metrics.classification(truth, [label for label, _ in model.classify(texts)])
    return metrics.rouge(truth, model.summarize(texts))


def record_evaluation(version: ModelVersion, data: dict, result: dict, profile: dict | None = None) -> None:
    """Keep a version's metrics on one evaluation set (by its fingerprint), so promotion compares like with like;
    the set's profile (lengths, label counts) is what the drift monitor compares production with."""
    version.evaluations = version.evaluations | {data["sha256"]: {"rows": data["rows"], "metrics": result,
                                                                   "profile": profile or {},
                                                                   "at": timezone.now().isoformat()}}
    version.save(update_fields=["evaluations"])


def reference_profile(version: ModelVersion) -> dict:
    """The profile of the data a version was validated on: its own validation split, else its largest
    evaluation set; empty when it was never evaluated (the monitor then has nothing to compare with)."""
    profiled = [entry for entry in version.evaluations.values() if entry.get("profile")]
    own = version.hyperparameters.get("validation_set")
    if own in version.evaluations and version.evaluations[own].get("profile"):
        return version.evaluations[own]["profile"]
    return max(profiled, key=lambda entry: entry["rows"])["profile"] if profiled else {}


def gate_metric(version: ModelVersion) -> float | None:
    return (version.metrics.get("validation") or {}).get(metrics.GATE_METRIC[version.task])


def assign(version: ModelVersion, *, owner, clinical_validator, assigned_by: str, actor=None,
           request=None) -> ModelVersion:
    """Name the user accountable for a version and the clinician who validated it."""
    version.owner, version.clinical_validator = owner, clinical_validator
    version.save(update_fields=["owner", "clinical_validator"])
    _audit("model-assign", version, assigned_by, {"owner": owner.get_username(),
                                                  "clinical_validator": clinical_validator.get_username()},
           actor=actor, request=request)
    return version


def assign_missing(versions, *, owner=None, clinical_validator=None, assigned_by: str) -> list[ModelVersion]:
    """Name the owner and clinical validator of the versions that have none (install_models' defaults), each
    change audited; an owner or validator named since is never replaced (see check_accountable)."""
    check_accountable(owner, clinical_validator)
    changed = []
    for version in versions:
        filled = {field: user for field, user in (("owner", owner), ("clinical_validator", clinical_validator))
                  if user is not None and getattr(version, f"{field}_id") is None}
        if filled:
            for field, user in filled.items():
                setattr(version, field, user)
            version.save(update_fields=list(filled))
            _audit("model-assign", version, assigned_by, {field: user.get_username() for field, user in filled.items()}
                   | {"filled_in": sorted(filled)})
            changed.append(version)
    return changed


def check_accountable(owner=None, clinical_validator=None) -> None:
    """ValueError unless the owner is an administrator and the validator a clinician, as the models page
    offers them (either may be None: not named)."""
    from clinical_ai.accounts.models import Role

    for user, role, what in ((owner, Role.ADMIN, "owner must be an administrator"),
                             (clinical_validator, Role.CLINICIAN, "clinical validator must be a clinician")):
        if user is not None and getattr(getattr(user, "profile", None), "role", None) != role:
            raise ValueError(f"the {what}; {user.get_username()} is not")


def unowned(versions) -> list[ModelVersion]:
    """The versions still without an owner or a clinical validator (promotion refuses them)."""
    return [version for version in versions if version.owner_id is None or version.clinical_validator_id is None]


def promote(version: ModelVersion, *, promoted_by: str, force: bool = False, reason: str = "",
            actor=None, request=None) -> tuple[ModelVersion, list[str]]:
    """Make ``version`` the one active model of its task; the previous one is retired. Returns the warnings."""
    current = ModelVersion.objects.filter(task=version.task, status=ModelVersion.Status.ACTIVE).first()
    details = _gate_details(version, current, force, reason)
    refusal = _refusal(version, current, details, force, reason)
    if refusal:
        _audit("model-promote", version, promoted_by, details, outcome="failure", actor=actor, request=request)
        raise PromotionRefused(refusal)
    _activate(version, current, promoted_by)
    _audit("model-promote", version, promoted_by, details, actor=actor, request=request)
    return version, details["warnings"]


def retire(version: ModelVersion, *, retired_by: str, actor=None, request=None) -> ModelVersion:
    if version.status == ModelVersion.Status.ACTIVE:
        raise ValueError(f"{version.ref} is active: promote another {version.task} model first")
    version.status = ModelVersion.Status.RETIRED
    version.save(update_fields=["status"])
    _audit("model-retire", version, retired_by, {}, actor=actor, request=request)
    return version


def previously_active(task: str) -> ModelVersion | None:
    """The version that was active before the current one: the retired one activated last."""
    return (ModelVersion.objects.filter(task=task, status=ModelVersion.Status.RETIRED, activated_at__isnull=False)
            .order_by("-activated_at").first())


def rollback(task: str, *, rolled_back_by: str, reason: str, incidents=(), actor=None,
             request=None) -> ModelVersion:
    """Re-activate the previously active version of ``task`` (it passed the gate when it went live)."""
    if not reason.strip():
        raise ValueError("a rollback needs a reason")
    current = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).first()
    previous = previously_active(task)
    if current is None or previous is None:
        raise ValueError(f"no previously active {task} model to roll back to")
    _activate(previous, current, rolled_back_by)
    _audit("model-rollback", previous, rolled_back_by,
           {"from": current.ref, "reason": reason[:500], "incidents": [int(pk) for pk in incidents]},
           actor=actor, request=request)
    return previous


def check_files() -> list[dict]:
    """Where the registry and MODEL_ROOT disagree: versions without files, folders without versions,
    weight hashes that no longer match."""
    problems, registered = [], set()
    for version in ModelVersion.objects.order_by("name", "version"):
        registered.add(Path(version.path))
        if not version.folder.is_dir():
            problems.append({"problem": "missing files", "model": version.ref, "path": version.path})
            continue
        try:
            actual = weights_sha256(version.folder)
        except FileNotFoundError:
            actual = ""
        if actual != version.sha256:
            problems.append({"problem": "hash mismatch", "model": version.ref, "path": version.path})
    root = settings.MODEL_ROOT
    for folder in sorted(root.glob("*/*")) if root.is_dir() else []:
        relative = folder.relative_to(root)
        if folder.is_dir() and folder.name.isdigit() and relative not in registered:
            problems.append({"problem": "unregistered folder", "model": "", "path": str(relative)})
    return problems


def activate_default(version: ModelVersion, current: ModelVersion | None, *, by: str, reason: str) -> None:
    """install_models putting a shipped default in place of the untouched default before it, audited as a
    promotion; the one it replaces is retired with its activation time, so a rollback goes back to it."""
    _activate(version, current, by)
    _audit("model-promote", version, by, {"from": current.ref if current else None, "reason": reason})


def _activate(version: ModelVersion, current: ModelVersion | None, by: str) -> None:
    with transaction.atomic():
        if current and current.pk != version.pk:
            current.status = ModelVersion.Status.RETIRED
            current.save(update_fields=["status"])
        version.status, version.promoted_by, version.activated_at = ModelVersion.Status.ACTIVE, by, timezone.now()
        version.save(update_fields=["status", "promoted_by", "activated_at"])


def _refusal(version, current, details, force: bool, reason: str) -> str:
    if version.owner_id is None or version.clinical_validator_id is None:
        return f"{version.ref} needs an owner and a clinical validator before promotion (models assign)"
    overridden = force and reason.strip()
    if current is None or current.pk == version.pk or overridden:
        return ""
    if details["evaluation_set"] is None:
        return (f"{version.ref} and the active {current.ref} were never scored on the same evaluation set: "
                f"run 'models evaluate' on both with the same data, or use --force --reason to override")
    if details["below_active"]:
        return (f"{version.ref} scores {details['candidate_metric']} {details['metric']} against the active "
                f"{current.ref}'s {details['active_metric']} on the same set; use --force --reason to override")
    return ""


def _gate_details(version: ModelVersion, current: ModelVersion | None, force: bool, reason: str) -> dict:
    metric = metrics.GATE_METRIC[version.task]
    shared = _shared_evaluation(version, current)
    candidate = version.evaluations[shared]["metrics"] if shared else {}
    active = current.evaluations[shared]["metrics"] if shared else {}
    below = bool(shared) and (candidate.get(metric) is None or candidate.get(metric) < (active.get(metric) or 0))
    refusable = current is not None and current.pk != version.pk and (below or not shared)
    return {"metric": metric, "evaluation_set": shared, "candidate_metric": candidate.get(metric),
            "active": current.ref if current else None, "active_metric": active.get(metric),
            "below_active": below, "forced": bool(force and reason.strip() and refusable), "reason": reason[:500],
            "owner": version.owner.get_username() if version.owner else None,
            "clinical_validator": version.clinical_validator.get_username() if version.clinical_validator else None,
            "warnings": _warnings(version, current, shared)}


def _shared_evaluation(version: ModelVersion, current: ModelVersion | None) -> str | None:
    """The largest evaluation set both versions were scored on."""
    if current is None:
        return None
    shared = set(version.evaluations) & set(current.evaluations)
    return max(shared, key=lambda key: version.evaluations[key]["rows"], default=None)


def _warnings(version: ModelVersion, current: ModelVersion | None, shared: str | None) -> list[str]:
    evaluation = version.evaluations.get(shared) if shared else None
    rows = evaluation["rows"] if evaluation else (version.metrics.get("validation") or {}).get("n")
    warnings = []
    if rows is not None and rows < settings.PROMOTION_MIN_EVALUATION_ROWS:
        warnings.append(f"only {rows} evaluation rows (fewer than {settings.PROMOTION_MIN_EVALUATION_ROWS})")
    if version.task == ModelVersion.Task.CLASSIFY and current is not None:
        seen = set(((evaluation or {}).get("metrics") or version.metrics.get("validation") or {}).get("per_class", {}))
        missing = sorted(labels_of(current) - seen) if seen else []
        if missing:
            warnings.append(f"{len(missing)} labels of the active model never appear in the evaluation set: "
                            + ", ".join(missing[:10]))
    return warnings


def labels_of(version: ModelVersion) -> set[str]:
    """The labels a classifier folder can emit, from its files alone (no weights loaded)."""
    folder = version.folder
    for name in (LABELS_FILE, HEAD_LABELS_FILE):
        if (folder / name).exists():
            return set(json.loads((folder / name).read_text()))
    config = folder / "config.json"
    return set((json.loads(config.read_text()).get("id2label") or {}).values()) if config.exists() else set()


def _without_per_class(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "per_class"}


def _audit(action: str, version: ModelVersion, actor_name: str, details: dict, outcome: str = "success",
           actor=None, request=None) -> None:
    """By the signed-in user when the UI acts (``actor``/``request``), else by the named person or component."""
    record(action=action, outcome=outcome, actor=actor, request=request, object_type="model",
           object_id=version.ref, details=details | {"sha256": version.sha256}, component=actor_name or "system")
