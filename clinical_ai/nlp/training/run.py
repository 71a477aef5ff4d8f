"""One training run end to end: split, de-identify, train into a staging folder, register the candidate
with its data fingerprint, hyperparameters, metrics and model card. Plain function: the command and the
Celery task both call it, so both train on de-identified text and targets only: a model never sees PHI."""
from dataclasses import fields, replace

from clinical_ai.nlp import cards, datasets, defaults, lifecycle, registry
from clinical_ai.nlp.models import ModelVersion

# What a run starts from and is called when the caller names neither.
DEFAULT_BASE = {"classify": f"{defaults.CLASSIFIER['name']}@{defaults.CLASSIFIER['version']}",
                "summarize": f"{defaults.SUMMARIZER['name']}@{defaults.SUMMARIZER['version']}"}
DEFAULT_NAME = {"classify": "classifier-minilm-ft", "summarize": "summarizer-smollm2-lora", "deid": "phi-tagger-ft"}


def train_version(*, task: str, name: str, base: ModelVersion, examples, options: dict, trained_by: str,
                  write=print, audit_details: dict | None = None) -> ModelVersion:
    """Train, register and score a candidate. Its version number is reserved before training, where both the
    registry and MODEL_ROOT have it free; the active model is scored on the same validation split."""
    if task == ModelVersion.Task.SUMMARIZE and registry.kind_of(base.folder) != "causal-lm":
        raise ValueError(f"LoRA training needs a causal LM base; {base.ref} is not one")
    version = lifecycle.next_version(name)
    seed = options.get("seed", 13)
    classify = task == ModelVersion.Task.CLASSIFY
    train_set, validation_set = datasets.split(examples, options.get("validation_fraction", 0.2), seed,
                                               stratify=classify)
    if not classify:
        train_set = datasets.sample(train_set, options.get("max_train"), seed)
    validation_set = datasets.sample(validation_set, options.get("max_validation"), seed)
    train_set, validation_set = deidentified(train_set), deidentified(validation_set)
    write(f"{task}: {len(train_set)} training rows, {len(validation_set)} validation rows, base {base.ref}, "
          f"new version {name}@{version}")
    staged = lifecycle.staging_folder(name)
    trainer, settings = _trainer(task, options | {"seed": seed})
    result = trainer.train(train_set, validation_set, base.folder, staged, settings, write)
    data = datasets.fingerprint(examples)
    card = cards.training_card(ref=f"{name}@{version}", task=task, base=base.ref, data=data, result=result,
                               trained_by=trained_by, split={"train": len(train_set), "validation": len(validation_set)})
    candidate = lifecycle.register(
        staged=staged, name=name, task=task, action="model-train", version=version, base_model=base.ref,
        trained_by=trained_by, training_data=data,
        hyperparameters=result["hyperparameters"] | {"validation_fraction": options.get("validation_fraction", 0.2),
                                                     "validation_set": datasets.fingerprint(validation_set)["sha256"]},
        metrics_=result["metrics"], model_card=card,
        audit_details=(audit_details or {}) | {"metrics": _headline(result["metrics"])})
    _score_on_validation_set(candidate, base, validation_set, result["metrics"], trained_by)
    return candidate


def _score_on_validation_set(candidate: ModelVersion, base: ModelVersion, validation_set, scores: dict,
                             trained_by: str) -> None:
    """Record the candidate's and the active model's scores on this validation split, for the promotion gate.
    A summarizer's zero-shot base score is the base's own; other actives are scored here (classifiers are cheap)."""
    split = datasets.fingerprint(validation_set)
    shape = datasets.profile(validation_set, candidate.task == ModelVersion.Task.CLASSIFY)
    lifecycle.record_evaluation(candidate, split, scores["validation"], shape)
    if "zero_shot_base" in scores:
        lifecycle.record_evaluation(base, split, scores["zero_shot_base"], shape)
    active = ModelVersion.objects.filter(task=candidate.task, status=ModelVersion.Status.ACTIVE).first()
    if active is not None and split["sha256"] not in ModelVersion.objects.get(pk=active.pk).evaluations \
            and candidate.task == ModelVersion.Task.CLASSIFY:
        lifecycle.evaluate(active, validation_set, evaluated_by=trained_by)


def _headline(scores: dict) -> dict:
    return {key: value for key, value in (scores.get("validation") or {}).items() if key != "per_class"}


def deidentified(examples: list) -> list:
    """Examples with text and target de-identified, before any tokenizer sees them. A training CSV has no
    patient context, so the engine's own recognizers do the work; each distinct target is scrubbed once."""
    if not examples:
        return examples
    from clinical_ai.nlp import phi_tagging

    engine, _ = phi_tagging.engine()
    texts = [result.text for result in engine.deidentify_batch([e.text for e in examples])]
    targets = sorted({e.target for e in examples})
    scrubbed = dict(zip(targets, (result.text for result in engine.deidentify_batch(targets))))
    return [replace(e, text=text, target=scrubbed[e.target]) for e, text in zip(examples, texts)]


def _trainer(task: str, options: dict):
    if task == ModelVersion.Task.CLASSIFY:
        from clinical_ai.nlp.training import classify as trainer

        settings_class = trainer.ClassifierSettings
    else:
        from clinical_ai.nlp.training import summarize as trainer

        settings_class = trainer.SummarizerSettings
    known = {field.name for field in fields(settings_class)}
    return trainer, settings_class(**{key: value for key, value in options.items() if key in known})
