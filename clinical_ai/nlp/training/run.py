"""One training run end to end: split, de-identify, train into a staging folder, register the candidate
with its data fingerprint, hyperparameters, metrics and model card. Plain function: the command and the
Celery task both call it, so both train on de-identified text and targets only: a model never sees PHI."""
from dataclasses import fields, replace

from clinical_ai.nlp import cards, datasets, defaults, lifecycle, registry
from clinical_ai.nlp.models import ModelVersion

# What a run starts from and is called when the caller names neither.
DEFAULT_BASE = {"classify": f"{defaults.CLASSIFIER['name']}@{defaults.CLASSIFIER['version']}",
                "summarize": f"{defaults.SUMMARIZER['name']}@{defaults.SUMMARIZER['version']}"}
DEFAULT_NAME = {"classify": "classifier-minilm-ft", "summarize": "summarizer-smollm2-lora"}


def train_version(*, task: str, name: str, base: ModelVersion, examples, options: dict, trained_by: str,
                  write=print) -> ModelVersion:
    if task == ModelVersion.Task.SUMMARIZE and registry.kind_of(base.folder) != "causal-lm":
        raise ValueError(f"LoRA training needs a causal LM base; {base.ref} is not one")
    seed = options.get("seed", 13)
    classify = task == ModelVersion.Task.CLASSIFY
    train_set, validation_set = datasets.split(examples, options.get("validation_fraction", 0.2), seed,
                                               stratify=classify)
    if not classify:
        train_set = datasets.sample(train_set, options.get("max_train"), seed)
    validation_set = datasets.sample(validation_set, options.get("max_validation"), seed)
    train_set, validation_set = deidentified(train_set), deidentified(validation_set)
    write(f"{task}: {len(train_set)} training rows, {len(validation_set)} validation rows, base {base.ref}")
    staged = lifecycle.staging_folder(name)
    trainer, settings = _trainer(task, options | {"seed": seed})
    result = trainer.train(train_set, validation_set, base.folder, staged, settings, write)
    data = datasets.fingerprint(examples)
    ref = f"{name}@{lifecycle.next_version(name)}"
    card = cards.training_card(ref=ref, task=task, base=base.ref, data=data, result=result, trained_by=trained_by,
                               split={"train": len(train_set), "validation": len(validation_set)})
    return lifecycle.register(
        staged=staged, name=name, task=task, base_model=base.ref, trained_by=trained_by, training_data=data,
        hyperparameters=result["hyperparameters"] | {"validation_fraction": options.get("validation_fraction", 0.2)},
        metrics_=result["metrics"], model_card=card)


def deidentified(examples: list) -> list:
    """Examples with text and target de-identified, before any tokenizer sees them. A training CSV has no
    patient context, so the engine's own recognizers do the work; each distinct target is scrubbed once."""
    if not examples:
        return examples
    from deid.engine import default_engine

    engine = default_engine()
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
