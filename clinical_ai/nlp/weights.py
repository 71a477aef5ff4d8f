import hashlib
from pathlib import Path

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".gguf")
SPACY_WEIGHTS = "model"  # a spaCy pipeline keeps each component's weights in a file of this name


def _is_weights(path: Path) -> bool:
    return path.is_file() and (path.name.endswith(WEIGHT_SUFFIXES) or path.name == SPACY_WEIGHTS)


def weights_sha256(folder: Path) -> str:
    """One SHA-256 over every weight file in the folder, in name order, names included."""
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if _is_weights(p))
    if not files:
        raise FileNotFoundError("no weight files in the model folder")
    for path in files:
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
