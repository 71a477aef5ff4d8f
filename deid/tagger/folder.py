"""What a tagger folder holds, readable without loading spaCy: ``model/`` (a spaCy pipeline,
tokenizer and NER) and ``card.json`` (what trained it, weight hash, metrics)."""
from __future__ import annotations

import hashlib
from pathlib import Path

CARD = "card.json"
MODEL = "model"


def is_tagger_folder(folder: str | Path) -> bool:
    return (Path(folder) / CARD).is_file() and (Path(folder) / MODEL / "meta.json").is_file()


def weight_hash(folder: str | Path) -> str:
    """sha256 over every file of the model folder, in path order."""
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
