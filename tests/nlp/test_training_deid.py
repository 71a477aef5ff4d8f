"""Both training paths (command and UI task) train on de-identified text and targets only (issue 11)."""
from unittest import mock

import pytest

from clinical_ai.nlp.datasets import Example
from clinical_ai.nlp.models import ModelVersion
from clinical_ai.nlp.training import run

NOTE = "Rosalind Quintero (SSN 123-45-6789, phone 508-555-0142) was seen for cough by Dr. Temitope Oyelaran."
TARGET = "Cough in Rosalind Quintero, call 508-555-0142."
PHI = ("Rosalind", "Quintero", "123-45-6789", "508-555-0142", "Oyelaran")

pytestmark = pytest.mark.django_db  # the run reserves its version number in the registry first


class Stop(Exception):
    """Ends the run once the trainer has seen its data."""


def test_the_trainer_sees_only_de_identified_text_and_targets():
    seen = {}

    def train(train_set, validation_set, *args):
        seen["rows"] = train_set + validation_set
        raise Stop

    examples = [Example(f"{NOTE} Visit {n}.", TARGET) for n in range(5)]
    base = ModelVersion(name="base", version="1", task="summarize", path="base", sha256="0" * 64)
    with mock.patch.object(run, "_trainer", return_value=(mock.Mock(train=train), object())), \
            mock.patch.object(run.registry, "kind_of", return_value="causal-lm"), \
            mock.patch.object(run.lifecycle, "staging_folder"):
        with pytest.raises(Stop):
            run.train_version(task="summarize", name="t", base=base, examples=examples, options={}, trained_by="x",
                              write=lambda *_: None)

    assert len(seen["rows"]) == 5
    for row in seen["rows"]:
        assert "seen for cough" in row.text
        assert not any(value in row.text or value in row.target for value in PHI), row
