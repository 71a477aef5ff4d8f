"""The engine's fast paths find exactly what the plain paths find."""
from pathlib import Path

import blis.py
import pytest
import spacy

import deid.tagger
from deid.nlp import load_pipeline

TAGGER_MODEL = Path(deid.tagger.__file__).parent / "default" / "model"
NOTES = [
    "Pt seen by Dr. Oskentry Varnelle at Mercy Hospital on 3/4/2021, call 617-555-0101.",
    "Wife Maria Hernández-García visited; f/u with Dr. Lee in 2 weeks at 12 Elm Street, Boston.",
]


def _entities(nlp) -> list[list[tuple[int, int, str]]]:
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(NOTES)]


def test_loaded_pipelines_multiply_on_numpy_blas_not_blis_and_tag_the_same(monkeypatch):
    expected = _entities(spacy.load(TAGGER_MODEL))
    nlp = load_pipeline(TAGGER_MODEL)

    def no_blis(*args, **kwargs):
        raise AssertionError("BLIS gemm called")

    monkeypatch.setattr(blis.py, "gemm", no_blis)
    assert _entities(nlp) == expected
    with pytest.raises(AssertionError, match="BLIS"):
        _entities(spacy.load(TAGGER_MODEL))
