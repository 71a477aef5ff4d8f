"""Grounded summaries: every summary sentence linked to the note sentences that support it.

What this module guarantees: a summary sentence counts as fact (``supported``) only when
- every number, dose and date in it occurs in the de-identified note,
- every drug name or diagnosis in it (a word with an ending from data/clinical_term_endings.txt)
  occurs in the note, and
- at least one note sentence is close to it: word overlap and encoder similarity together
  reach ``SUPPORT_THRESHOLD``; those note sentences are its evidence, as character offsets, and
- it is a finished sentence (a draft line without its full stop is not).
An unsupported sentence is kept only as a marked sentence, never in the summary text. A draft
that degenerated (empty, looping, unfinished, a single word) or has no supported sentence is replaced by the
extractive summary: the note's own most central sentences by the same encoder, labelled so.

Plain functions over text and an ``embed`` callable (texts -> L2-normalized rows); no Django,
no model loading.
"""
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from clinical_ai.nlp.sentences import sentence_spans
from clinical_ai.nlp.summarizer import degenerate

SUPPORT_THRESHOLD = 0.5  # of 0.5 x cosine + 0.5 x share of the sentence's content words found
EVIDENCE_PER_SENTENCE = 2
EXTRACTIVE_SENTENCES = 3
MIN_EXTRACTIVE_WORDS = 5  # shorter lines are headers and list stubs, not informative sentences
MIN_DRAFT_WORDS = 2  # "Cardiology." for a referral letter: one word states no problem, finding or plan
REDUNDANT_SIMILARITY = 0.9  # cosine above which a note sentence restates one the extractive summary holds
EMBED_BATCH = 64
ABSTRACTIVE, EXTRACTIVE = "abstractive", "extractive"

_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_WORD = re.compile(r"[a-z][a-z'-]*")
_TERM_ENDINGS = tuple(
    line.strip() for line in (Path(__file__).parent / "data" / "clinical_term_endings.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)

Embed = Callable[[list[str]], torch.Tensor]


@dataclass(frozen=True)
class SummarySentence:
    text: str
    supported: bool
    evidence: tuple[tuple[int, int], ...]  # (start, end) offsets into the de-identified note

    def as_json(self) -> dict:
        return {"text": self.text, "supported": self.supported,
                "evidence": [{"start": start, "end": end} for start, end in self.evidence]}


@dataclass(frozen=True)
class GroundedSummary:
    kind: str  # ABSTRACTIVE or EXTRACTIVE
    sentences: tuple[SummarySentence, ...]
    fallback_reason: str = ""  # why the model's draft was replaced: empty, loop, unfinished, too short, unsupported

    @property
    def text(self) -> str:
        """What may be shown as the summary: the supported sentences only."""
        return " ".join(sentence.text for sentence in self.sentences if sentence.supported)


def ground_summaries(sources: list[str], drafts: list[str], embed: Embed) -> list[GroundedSummary]:
    """Each draft grounded in its source, or the source's extractive summary where the draft fails."""
    source_spans = [sentence_spans(source) for source in sources]
    draft_sentences = [[draft[start:end] for start, end in sentence_spans(draft)] for draft in drafts]
    source_texts = [[source[start:end] for start, end in spans] for source, spans in zip(sources, source_spans)]
    vectors = iter(embed_sorted(embed, [text for texts in source_texts + draft_sentences for text in texts]))
    source_vectors = [_take(vectors, len(texts)) for texts in source_texts]
    draft_vectors = [_take(vectors, len(texts)) for texts in draft_sentences]
    return [
        _ground_one(source, spans, texts, vectors_s, draft, sentences, vectors_d)
        for source, spans, texts, vectors_s, draft, sentences, vectors_d
        in zip(sources, source_spans, source_texts, source_vectors, drafts, draft_sentences, draft_vectors)
    ]


def extractive(spans: list[tuple[int, int]], texts: list[str], vectors: torch.Tensor,
               count: int = EXTRACTIVE_SENTENCES) -> tuple[SummarySentence, ...]:
    """Up to ``count`` of the note's most central sentences (nearest its centroid embedding), in note order;
    each its own evidence.

    Candidates are the note's distinct sentences of ``MIN_EXTRACTIVE_WORDS`` or more that pass the degeneration
    check; failing those, its shorter ones that pass it ("Recurrent bladder tumor."). A note with none (only
    "CHIEF COMPLAINT: ,") has no extractive summary, rather than a header shown as one.
    Taken by centrality, a candidate is skipped when it restates one already taken (``REDUNDANT_SIMILARITY``)
    or when the summary with it would fail the degeneration check: central sentences resemble each other
    ("Cervical stenosis, C3-c4 and C4-C5." twice; three sentences each ending "on MM/DD/YYYY"), so three of
    them, each fine alone, could loop together. The most central candidate is always taken.
    """
    first = {}
    for i, text in enumerate(texts):
        first.setdefault(" ".join(text.lower().split()), i)  # "C3-c4" restates "C3-C4"
    finished = [i for i in first.values() if not degenerate(texts[i])]
    eligible = [i for i in finished if _word_count(texts[i]) >= MIN_EXTRACTIVE_WORDS] or finished
    if not eligible:
        return ()
    chosen = vectors[eligible]
    centrality = chosen @ torch.nn.functional.normalize(chosen.mean(0), dim=0)
    taken: list[int] = []
    for rank in centrality.argsort(descending=True).tolist():
        candidate = eligible[rank]
        trial = sorted([*taken, candidate])
        if taken and (max(float(vectors[candidate] @ vectors[i]) for i in taken) > REDUNDANT_SIMILARITY
                      or degenerate(" ".join(texts[i] for i in trial))):
            continue
        taken = trial
        if len(taken) == count:
            break
    return tuple(SummarySentence(texts[i], True, (spans[i],)) for i in taken)


def unsupported_facts(sentence: str, source: str) -> list[str]:
    """Numbers, doses, dates, drug names and diagnoses of ``sentence`` that ``source`` does not contain."""
    lowered = source.lower()
    source_numbers = set(_NUMBER.findall(source))
    source_numbers |= {part for number in source_numbers for part in re.split(r"[.,:/-]", number)}
    missing = [number for number in _NUMBER.findall(sentence) if number not in source_numbers]
    terms = [word for word in _WORD.findall(sentence.lower()) if word.endswith(_TERM_ENDINGS)]
    return missing + [term for term in terms if term.removesuffix("s") not in lowered]


def embed_sorted(embed: Embed, texts: list[str]) -> torch.Tensor:
    """``embed`` over texts in batches of similar length (little padding), rows in the input order."""
    if not texts:
        return torch.zeros(0, 0)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    parts = [embed([texts[i] for i in order[start:start + EMBED_BATCH]]) for start in range(0, len(order), EMBED_BATCH)]
    rows = torch.cat(parts)
    result = torch.empty_like(rows)
    result[torch.tensor(order)] = rows
    return result


def draft_failure(draft: str) -> str:
    """Why a whole draft is replaced by the extractive summary before grounding ("empty", "loop", "unfinished",
    "too short"), or "" if it is not: the summarizer's degeneration check, and a draft of one word."""
    return degenerate(draft) or ("too short" if _word_count(draft) < MIN_DRAFT_WORDS else "")


def _ground_one(source, spans, texts, source_vectors, draft, sentences, draft_vectors) -> GroundedSummary:
    reason = draft_failure(draft)
    if not reason:
        source_words = [_content_words(text) for text in texts]
        grounded = tuple(
            _ground_sentence(sentence, vector, source, spans, source_words, source_vectors)
            for sentence, vector in zip(sentences, draft_vectors)
        )
        if any(sentence.supported for sentence in grounded):
            return GroundedSummary(ABSTRACTIVE, grounded)
        reason = "unsupported"
    return GroundedSummary(EXTRACTIVE, extractive(spans, texts, source_vectors), reason)


def _ground_sentence(sentence, vector, source, spans, source_words, source_vectors) -> SummarySentence:
    if not spans:
        return SummarySentence(sentence, False, ())
    words = _content_words(sentence)
    overlap = torch.tensor([len(words & other) / max(len(words), 1) for other in source_words])
    scores = 0.5 * (source_vectors @ vector) + 0.5 * overlap
    ranked = [int(i) for i in scores.argsort(descending=True)[:EVIDENCE_PER_SENTENCE]]
    evidence = tuple(sorted(spans[i] for i in ranked if scores[i] >= SUPPORT_THRESHOLD))
    finished = not degenerate(sentence)  # a line of the draft without its full stop is not shown as a sentence
    return SummarySentence(sentence, finished and bool(evidence) and not unsupported_facts(sentence, source), evidence)


def _word_count(text: str) -> int:
    return len(_WORD.findall(text.lower()))


def _content_words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if len(word) > 2 and word not in ENGLISH_STOP_WORDS}


def _take(rows, count: int) -> torch.Tensor:
    taken = [next(rows) for _ in range(count)]
    return torch.stack(taken) if taken else torch.zeros(0, 0)
