"""The model registry: which version is active for each task, what kind of model a folder holds,
and loading it once per process."""
import functools
import json
from pathlib import Path

from clinical_ai.nlp.folders import HEAD_FILE, LABELS_FILE
from clinical_ai.nlp.models import ModelVersion
from deid.tagger.folder import is_tagger_folder

# Which kinds of model folder can serve each task.
KINDS = {
    ModelVersion.Task.SUMMARIZE: ("causal-lm", "seq2seq", "lora"),
    ModelVersion.Task.CLASSIFY: ("embedding-head", "sequence-classifier", "zero-shot"),
    ModelVersion.Task.DEID: ("phi-tagger",),
}


class NoActiveModel(Exception):
    """No model version is active for a task: run ``manage.py install_models``."""


def active_version(task: str) -> ModelVersion:
    version = ModelVersion.objects.filter(task=task, status=ModelVersion.Status.ACTIVE).first()
    if version is None:
        raise NoActiveModel(f"no active {task} model; run 'python manage.py install_models'")
    return version


def kind_of(folder: Path) -> str:
    """What a Hugging Face model folder holds, from its files alone."""
    if (folder / "adapter_config.json").exists():
        return "lora"
    if is_tagger_folder(folder):
        return "phi-tagger"
    if (folder / LABELS_FILE).exists():
        return "zero-shot"
    if (folder / HEAD_FILE).exists():
        return "embedding-head"
    config = json.loads((folder / "config.json").read_text())
    architectures = " ".join(config.get("architectures") or [])
    if "ForSequenceClassification" in architectures:
        return "sequence-classifier"
    if config.get("is_encoder_decoder"):
        return "seq2seq"
    if "ForCausalLM" in architectures:
        return "causal-lm"
    raise ValueError(f"{folder} is not a causal LM, seq2seq, sequence classifier, LoRA adapter or PHI tagger folder")


def parse_ref(ref: str) -> tuple[str, str]:
    name, _, version = ref.partition("@")
    if not name or not version:
        raise ValueError(f"expected NAME@VERSION, got {ref!r}")
    return name, version


def get(ref: str) -> ModelVersion:
    name, version = parse_ref(ref)
    return ModelVersion.objects.get(name=name, version=version)


def base_of(version: ModelVersion) -> ModelVersion:
    """The registered model a LoRA adapter applies to (its ``base_model`` is a NAME@VERSION)."""
    return get(version.base_model)


def load(version: ModelVersion):
    folder = version.folder
    kind = kind_of(folder)
    base_folder = str(base_of(version).folder) if kind == "lora" else ""
    return _load(kind, str(folder), version.sha256, base_folder, _answer_budget(version))


def _answer_budget(version: ModelVersion) -> int | None:
    """The new tokens a summarizer trained here answers in, as it was trained and scored; None: the default."""
    budget = version.hyperparameters.get("max_new_tokens") if version.task == ModelVersion.Task.SUMMARIZE else None
    return int(budget) if budget else None


def tokenizer(version: ModelVersion):
    """The tokenizer of a summarizer version (its base's, for a LoRA adapter), without its weights."""
    folder = base_of(version).folder if kind_of(version.folder) == "lora" else version.folder
    return _tokenizer(str(folder))


@functools.lru_cache(maxsize=4)
def _tokenizer(folder: str):
    from clinical_ai.nlp.summarizer import load_tokenizer

    return load_tokenizer(Path(folder))


@functools.lru_cache(maxsize=4)
def _load(kind: str, folder: str, sha256: str, base_folder: str, max_new_tokens: int | None):
    # Keyed by the weight hash too: a re-imported folder is loaded afresh. The model classes (and torch)
    # are imported here, on first load, so the web process can read the registry without them.
    from clinical_ai.nlp.classifier import EmbeddingHeadClassifier, SequenceClassifier, ZeroShotEmbeddingClassifier
    from clinical_ai.nlp.summarizer import Summarizer

    budget = {"max_new_tokens": max_new_tokens} if max_new_tokens else {}
    if kind == "lora":
        return Summarizer.with_adapter(Path(folder), Path(base_folder), **budget)
    if kind in ("causal-lm", "seq2seq"):
        return Summarizer.from_folder(Path(folder), **budget)
    if kind == "sequence-classifier":
        return SequenceClassifier(Path(folder))
    if kind == "embedding-head":
        return EmbeddingHeadClassifier(Path(folder))
    return ZeroShotEmbeddingClassifier(Path(folder))
