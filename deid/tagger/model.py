"""Loading the trained tagger from its folder and running it over many texts at once.

A tagger folder holds ``model/`` (a spaCy pipeline: tokenizer and NER) and ``card.json``
(what trained it, weight hash, metrics). The folder is named by the constructor argument
or DEID_TAGGER_DIR; with neither, or with no card in the folder, the engine runs on its
rules alone. Loading reads local files only.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import spacy

from deid.results import Span
from deid.tagger.labels import ENTITY_TYPES

ENV_VAR = "DEID_TAGGER_DIR"
CARD = "card.json"
MODEL = "model"
SCORE = 0.6
BATCH_SIZE = 64


class PhiTagger:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.card = json.loads((self.folder / CARD).read_text(encoding="utf-8"))
        self.nlp = spacy.load(self.folder / MODEL)

    def __repr__(self) -> str:
        return f"PhiTagger(version={self.card.get('version')!r})"

    def find(self, texts: list[str]) -> list[list[Span]]:
        """PHI spans per text, as engine entity types."""
        return [
            [Span(ent.start_char, ent.end_char, ENTITY_TYPES[ent.label_], SCORE)
             for ent in doc.ents if ent.label_ in ENTITY_TYPES]
            for doc in self.nlp.pipe(texts, batch_size=BATCH_SIZE)
        ]


def load_tagger(folder: str | Path | None = None) -> PhiTagger | None:
    """The tagger in folder (or DEID_TAGGER_DIR); None when none is configured or present."""
    folder = folder or os.environ.get(ENV_VAR)
    if not folder or not (Path(folder) / CARD).is_file():
        return None
    return PhiTagger(folder)


def weight_hash(folder: str | Path) -> str:
    """sha256 over every file of the model folder, in path order."""
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
