"""Summary quality on held-out MTSamples notes: the fine-tuned LoRA adapter against the zero-shot base
and the lead sentence, ROUGE-L with 95% bootstrap intervals and the intervals of the adapter's gains.

    python bench/summaries.py --data ../shared/data/nlp/mtsamples_dev.csv \
        --adapter clinical_ai/nlp/data/summarizer_adapter --notes 200 [--json metrics.json --cache drafts.json]

The check part is the validation split ``manage.py models train`` makes with the same seed and fraction
(``datasets.split``, seed 13, fraction 0.25 of the rows with a ``transcription`` and a ``description``),
so the adapter trained with those options never saw these notes; ``--notes`` of them are drawn with
the seed (``datasets.sample``) and de-identified as training de-identified them.

Each model drafts through the same ``Summarizer`` the inference worker uses (greedy, repetition
control, cut after the last full sentence; the adapter merged into its base as the registry serves
it). Sources are cut to ``--max-source-tokens`` (the inference chunk size, 1536: a longer note is one
chunk here where inference would map-reduce it) and drafts to ``--max-new-tokens`` (a description is
one sentence: median 24 tokens). Drafts are then grounded as the product shows them
(``grounding.ground_summaries`` with the default encoder: unsupported sentences dropped, a failing
draft replaced by the extractive summary). ROUGE-L is reported for the drafts and for the summaries
as shown; for the shown ones also loops (a 4-word phrase 3+ times), unfinished last sentences,
extractive fallbacks and the share of their numbers found in the note.

``--cache`` keeps each model's drafts in a folder, so a rerun skips what it already generated;
``--draft-only`` drafts with one model and stops, so the two models can draft in separate processes.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinical_ai.settings")

import numpy as np  # noqa: E402

NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")


def check_notes(data: Path, fraction: float, seed: int, count: int, deidentify: bool = True):
    """The held-out notes: train_version's validation split for this seed and fraction, ``count`` drawn."""
    from clinical_ai.nlp import datasets

    examples = datasets.read_examples(data, "transcription", "description")
    tune, check = datasets.split(examples, fraction, seed, stratify=False)
    check = datasets.sample(check, count, seed)
    if deidentify:
        from clinical_ai.nlp.training.run import deidentified

        check = deidentified(check)
    return datasets.fingerprint(examples), len(tune), check


def rouge_l(references: list[str], predictions: list[str]) -> np.ndarray:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    return np.array([scorer.score(ref, pred)["rougeL"].fmeasure for ref, pred in zip(references, predictions)])


def bootstrap(scores: dict[str, np.ndarray], resamples: int, seed: int) -> np.ndarray:
    """Means of each model's per-note scores over the same resampled notes: (resamples, models)."""
    rng = np.random.default_rng(seed)
    table = np.stack(list(scores.values()), axis=1)
    rows = rng.integers(0, len(table), (resamples, len(table)))
    return table[rows].mean(axis=1)


def interval(values: np.ndarray, point: float) -> dict:
    low, high = np.percentile(values, [2.5, 97.5])
    return {"mean": round(float(point), 4), "low": round(float(low), 4), "high": round(float(high), 4)}


def compare(scores: dict[str, np.ndarray], resamples: int, seed: int) -> dict:
    """Each model's mean with its interval, and the adapter's gain over each other model with its interval."""
    names = list(scores)
    means = bootstrap(scores, resamples, seed)
    result = {name: interval(means[:, i], scores[name].mean()) for i, name in enumerate(names)}
    for i, name in enumerate(names[1:], start=1):
        result[f"gain_over_{name}"] = interval(means[:, 0] - means[:, i], scores[names[0]].mean() - scores[name].mean())
    return result


def shown_quality(sources: list[str], shown: list[str], grounded) -> dict:
    from clinical_ai.nlp import grounding
    from clinical_ai.nlp.summarizer import degenerate

    numbers = [(number, source) for text, source in zip(shown, sources) for number in NUMBER.findall(text)]
    found = sum(not grounding.unsupported_facts(number, source) for number, source in numbers)
    return {"loops": sum(degenerate(text) == "loop" for text in shown),
            "unfinished": sum(degenerate(text) == "unfinished" for text in shown),
            "empty": sum(not text.strip() for text in shown),
            "extractive_fallback": sum(summary.kind == grounding.EXTRACTIVE for summary in grounded) if grounded else 0,
            "numbers_found": found, "numbers": len(numbers),
            "number_support": round(found / len(numbers), 4) if numbers else None}


def drafts_for(label: str, load, sources: list[str], cache: Path | None, write) -> list[str]:
    """``label``'s drafts of ``sources``, those in ``cache/label.json`` (keyed by source) reused."""
    keys = [hashlib.sha256(source.encode()).hexdigest()[:16] for source in sources]
    path = cache / f"{label}.json" if cache else None
    done = json.loads(path.read_text()) if path and path.exists() else {}
    todo = [i for i, key in enumerate(keys) if key not in done]
    if todo:
        summarizer = load()
        started = time.perf_counter()
        step = summarizer.batch_size
        for start in range(0, len(todo), step):  # a batch at a time, so an interrupted run keeps what it made
            rows = todo[start:start + step]
            for i, draft in zip(rows, summarizer.summarize([sources[i] for i in rows])):
                done[keys[i]] = draft
            if path:
                path.write_text(json.dumps(done))
            write(f"  {label}: {min(start + step, len(todo))}/{len(todo)} drafted, {time.perf_counter() - started:.0f} s")
    return [done[key] for key in keys]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="MTSamples CSV (transcription, description)")
    parser.add_argument("--adapter", type=Path, required=True, help="LoRA adapter folder")
    parser.add_argument("--base", type=Path, default=ROOT / "var/models/smollm2-135m-instruct/1")
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--validation-fraction", type=float, default=0.25)
    parser.add_argument("--max-source-tokens", type=int, default=1536)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--cache", type=Path, help="folder of drafts kept between runs (one JSON file per model; "
                        "the settings above must not change between runs sharing it)")
    parser.add_argument("--draft-only", choices=["adapter", "zero_shot_base"],
                        help="draft with this model into --cache and stop (two processes can draft in parallel)")
    parser.add_argument("--cached-only", action="store_true", help="score only the notes already drafted in --cache")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    import django

    django.setup()
    import torch

    from clinical_ai.nlp import defaults, grounding, metrics
    from clinical_ai.nlp.classifier import SentenceEncoder
    from clinical_ai.nlp.datasets import Example
    from clinical_ai.nlp.summarizer import Summarizer, load_tokenizer

    def write(line):
        print(line, flush=True)

    started = time.perf_counter()
    kept = args.cache / f"check-{args.seed}-{args.validation_fraction}-{args.notes}.json" if args.cache else None
    if kept and kept.exists():  # the de-identified check notes of an earlier run with the same split
        saved = json.loads(kept.read_text())
        data, tune_rows, check = saved["data"], saved["tune_rows"], [Example(*pair) for pair in saved["check"]]
    else:
        data, tune_rows, check = check_notes(args.data, args.validation_fraction, args.seed, args.notes)
        if kept:
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_text(json.dumps({"data": data, "tune_rows": tune_rows,
                                        "check": [[e.text, e.target] for e in check]}))
    tokenizer = load_tokenizer(args.base)
    sources = [tokenizer.decode(ids[:args.max_source_tokens]) for ids in
               tokenizer([e.text for e in check], add_special_tokens=False)["input_ids"]]
    references = [e.target for e in check]
    write(f"{len(check)} check notes of {data['rows']} (tune part {tune_rows} rows, seed {args.seed}, fraction "
          f"{args.validation_fraction}), de-identified in {time.perf_counter() - started:.0f} s; torch threads "
          f"{torch.get_num_threads()}")
    # A cut source re-tokenizes to about max_source_tokens; the margin keeps it one chunk.
    options = {"max_new_tokens": args.max_new_tokens, "chunk_tokens": max(args.max_source_tokens + 64, 4 * args.max_new_tokens),
               "batch_size": args.batch_size}
    models = {"adapter": lambda: Summarizer.with_adapter(args.adapter, args.base, **options),
              "zero_shot_base": lambda: Summarizer.from_folder(args.base, **options)}
    if args.draft_only:
        drafts_for(args.draft_only, models[args.draft_only], sources, args.cache, write)
        return
    if args.cached_only:  # score the notes every model has drafted so far, generating nothing
        ready = [json.loads((args.cache / f"{name}.json").read_text()) for name in models]
        keep = [i for i, source in enumerate(sources)
                if all(hashlib.sha256(source.encode()).hexdigest()[:16] in done for done in ready)]
        write(f"--cached-only: {len(keep)} of {len(sources)} notes drafted by every model")
        sources, references, check = [sources[i] for i in keep], [references[i] for i in keep], [check[i] for i in keep]
    drafts = {name: drafts_for(name, load, sources, args.cache, write) for name, load in models.items()}
    drafts["lead"] = [metrics.lead_sentences(source) for source in sources]
    encoder = SentenceEncoder(defaults.encoder_folder())
    grounded = {name: grounding.ground_summaries(sources, texts, encoder.embed) for name, texts in drafts.items()
                if name != "lead"}
    shown = {name: [summary.text for summary in grounded[name]] for name in grounded} | {"lead": drafts["lead"]}
    report = {
        "data": {"mtsamples": data, "tune_rows": tune_rows, "check_rows": len(check), "seed": args.seed,
                 "validation_fraction": args.validation_fraction},
        "settings": {"max_source_tokens": args.max_source_tokens, "max_new_tokens": args.max_new_tokens,
                     "resamples": args.resamples},
        "rougeL_drafts": compare({name: rouge_l(references, texts) for name, texts in drafts.items()},
                                 args.resamples, args.seed),
        "rougeL_shown": compare({name: rouge_l(references, texts) for name, texts in shown.items()},
                                args.resamples, args.seed),
        "shown": {name: shown_quality(sources, texts, grounded.get(name)) for name, texts in shown.items()},
        "seconds": round(time.perf_counter() - started),
    }
    for kind in ("rougeL_drafts", "rougeL_shown"):
        write(f"{kind} on {len(check)} notes (95% bootstrap, {args.resamples} resamples):")
        for name, figure in report[kind].items():
            write(f"  {name:>27}: {figure['mean']:.4f} [{figure['low']:.4f}, {figure['high']:.4f}]")
    for name, quality in report["shown"].items():
        write(f"shown {name}: loops {quality['loops']}, unfinished {quality['unfinished']}, empty {quality['empty']}, "
              f"extractive fallback {quality['extractive_fallback']}, numbers found in the note "
              f"{quality['numbers_found']}/{quality['numbers']}")
    write(f"{report['seconds']} s in all")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
