"""The engine's fast paths find exactly what the plain paths find."""
from pathlib import Path

import blis.py
import pytest
import spacy
from presidio_analyzer import AnalyzerEngine, PatternRecognizer
from presidio_analyzer.nlp_engine import NlpArtifacts

import deid.tagger
from deid.nlp import load_pipeline
from deid.recognizers.patterns import load_pattern_recognizers
from deid.tagger.synthetic import NoteGenerator
from deid.tagger.vectors import attach

TAGGER_MODEL = Path(deid.tagger.__file__).parent / "default" / "model"
NOTES = [
    "Pt seen by Dr. Oskentry Varnelle at Mercy Hospital on 3/4/2021, call 617-555-0101.",
    "Wife Maria Hernández-García visited; f/u with Dr. Lee in 2 weeks at 12 Elm Street, Boston.",
]


def _entities(nlp) -> list[list[tuple[int, int, str]]]:
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(NOTES)]


def _with_vectors(nlp):
    attach(nlp, None)  # the tagger reads the installed model's vectors
    return nlp


def test_loaded_pipelines_multiply_on_numpy_blas_not_blis_and_tag_the_same(monkeypatch):
    expected = _entities(_with_vectors(spacy.load(TAGGER_MODEL)))
    nlp = _with_vectors(load_pipeline(TAGGER_MODEL))

    def no_blis(*args, **kwargs):
        raise AssertionError("BLIS gemm called")

    monkeypatch.setattr(blis.py, "gemm", no_blis)
    assert _entities(nlp) == expected
    with pytest.raises(AssertionError, match="BLIS"):
        _entities(_with_vectors(spacy.load(TAGGER_MODEL)))


def _found(results) -> list[tuple[str, int, int, float]]:
    return sorted((r.entity_type, r.start, r.end, r.score) for r in results)


def test_pattern_recognizers_find_what_presidios_pattern_loop_finds():
    notes = [note["text"] for note in NoteGenerator(0).generate(300)] + NOTES
    recognizers = load_pattern_recognizers()
    found = {_found(r.matches(text, r.global_regex_flags)) == _found(PatternRecognizer.analyze(r, text, None))
             for r in recognizers for text in notes}
    assert found == {True}
    assert sum(len(r.matches(text, r.global_regex_flags)) for r in recognizers for text in notes) > 300


def test_no_pattern_opens_with_a_lookbehind_tried_at_every_character():
    assert [f"{r.name}/{p.name}" for r in load_pattern_recognizers() for p in r.patterns if p.regex.startswith("(?<=")] == []


def test_a_context_written_before_its_value_finds_what_its_lookbehind_found(engine):
    # \K consumes the context, so a context that is the value before stays a lookbehind: "3/6" for "3/8"
    text = "Abx given 3/4-3/6-3/8, MRN: 4471236, SSN 123-45-6789, pager 40123, age 93, seen 5/2-5/9."
    values = ["3/6", "3/8", "4471236", "123-45-6789", "40123", "93", "5/9"]
    assert all(any(s.start <= text.index(v) and text.index(v) + len(v) <= s.end for s in engine.analyze(text))
               for v in values)


def test_the_analyzer_without_context_step_or_keywords_finds_what_presidios_finds(engine):
    """No deid recognizer declares context words, so Presidio's context step and the keywords
    it reads change nothing."""
    presidio = AnalyzerEngine(registry=engine.analyzer.registry, nlp_engine=engine.nlp_engine,
                              supported_languages=["en"], default_score_threshold=0.3)
    notes = [note["text"] for note in NoteGenerator(1).generate(150)] + NOTES
    for text, ours in engine.nlp_engine.process_batch(notes, "en"):
        stock = NlpArtifacts(ours.entities, ours.tokens, ours.tokens_indices, ours.lemmas,
                             engine.nlp_engine, "en", ours.scores)
        assert _found(engine.analyzer.analyze(text, "en", nlp_artifacts=ours)) == \
            _found(presidio.analyze(text, "en", nlp_artifacts=stock))


def test_misspelt_words_are_those_one_edit_from_a_word_unknown_word_knows():
    """The tagger's set arithmetic over edits agrees with asking unknown_word of each edit."""
    import re

    from deid.recognizers.lexicon import unknown_word
    from deid.tagger.model import _misspelt

    def by_definition(word):
        splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
        alphabet = "abcdefghijklmnopqrstuvwxyz"
        edits = {a + b[1:] for a, b in splits if b} | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in alphabet} | {a + c + b for a, b in splits for c in alphabet}
        return len(word) >= 8 and any(not unknown_word(edit) for edit in edits - {word})

    text = " ".join(note["text"] for note in NoteGenerator(2).generate(300))
    words = {w.lower() for w in re.findall(r"[^\W\d_]{8,}", text)} | {"initailly", "hospitol", "catheters", "doctor's"}
    verdicts = {word: _misspelt(word) for word in words}
    assert verdicts == {word: by_definition(word) for word in words}
    assert verdicts["initailly"] and True in verdicts.values() and False in verdicts.values()


class _BlasThreadsSeen:
    """Stands in for the tagger and notes how many threads numpy's BLAS may use while it runs."""

    def find(self, texts):
        from threadpoolctl import threadpool_info

        self.threads = {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}
        return [[] for _ in texts]


def test_the_engine_runs_its_models_with_blas_on_one_thread():
    from threadpoolctl import threadpool_limits

    from deid import DeidEngine

    engine = DeidEngine(key=bytes(range(32)))
    engine.tagger = _BlasThreadsSeen()
    with threadpool_limits(limits=2, user_api="blas"):
        engine.analyze(NOTES[0])
    assert engine.tagger.threads == {1}


def test_the_tagger_finds_the_same_spans_in_batches_of_characters_as_note_by_note(monkeypatch):
    from deid.tagger import model
    from deid.tagger.model import PhiTagger, batches_of_characters

    notes = [note["text"] for note in NoteGenerator(3).generate(60)] + NOTES
    assert batches_of_characters(["ab", "cde", "f", "ghijk"], 4) == [["ab"], ["cde", "f"], ["ghijk"]]
    tagger = PhiTagger(TAGGER_MODEL.parent)
    monkeypatch.setattr(model, "BATCH_CHARS", 2_000)
    batched = tagger.find(notes)
    assert batched == [tagger.find([note])[0] for note in notes]
    assert sum(map(len, batched)) > 60


def test_a_batch_of_notes_gets_the_spans_each_note_gets_alone(engine):
    notes = [note["text"] for note in NoteGenerator(4).generate(80)] + NOTES
    batched = engine.analyze_batch(notes)
    assert batched == [engine.analyze(note) for note in notes]
    assert sum(map(len, batched)) > 80


def test_an_engine_is_ready_when_built_its_patterns_compiled_and_place_lists_read():
    """In a fresh process, so that no earlier text has filled the caches."""
    import subprocess
    import sys

    program = ("from deid import DeidEngine; from deid.recognizers.patterns import _compiled, load_pattern_recognizers; "
               "from deid.recognizers.places import countries; DeidEngine(key=bytes(32)); "
               "print(_compiled.cache_info().currsize >= sum(len(r.patterns) for r in load_pattern_recognizers()), "
               "countries.cache_info().currsize)")
    assert subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                          cwd=Path(deid.tagger.__file__).parents[2]).stdout.split() == ["True", "1"]
