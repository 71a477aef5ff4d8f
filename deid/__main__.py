"""python -m deid evaluate GOLD [--split tune|check] [--tagger DIR] [--against DIR|rules] [--json] [--misses N]
| train --out DIR [--gold FILE...] [--base DIR] [--seed N] | redact FILE|-"""
from __future__ import annotations

import argparse
import json
import sys

from deid.engine import DeidEngine
from deid.evaluate import evaluate, paired_difference, read_gold, select
from deid.tagger.model import load_tagger
from deid.tagger.train import EPOCHS, SYNTHETIC_NOTES, gold_sources, train


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deid", description=__doc__)
    commands = parser.add_subparsers(required=True)
    ev = commands.add_parser("evaluate", help="token-level recall/precision/F2 on a gold JSONL")
    ev.add_argument("gold", help="deid JSONL, or presidio-research's JSON list")
    ev.add_argument("--split", choices=("tune", "check"), help="score one part of the fixed split by patient")
    ev.add_argument("--tagger", metavar="DIR", help="a trained tagger's folder (default: DEID_TAGGER_DIR)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--misses", type=int, default=0, metavar="N", help="print N missed gold tokens")
    ev.add_argument("--against", metavar="DIR", help="also score the same notes with this tagger folder ('rules': "
                    "the rules alone) and print the difference with a paired 95%% bootstrap interval")
    ev.set_defaults(run=_evaluate)
    tr = commands.add_parser("train", help="train the PHI tagger on synthetic notes and gold tune splits")
    tr.add_argument("--out", required=True, metavar="DIR")
    tr.add_argument("--gold", nargs="*", action="extend", default=[], metavar="FILE",
                    help="gold files (after one --gold or each after its own); only their tune split is read")
    tr.add_argument("--keep-gold-values", action="store_true", help="train on the gold PHI values as written "
                    "(only for corpora whose values are surrogates already) instead of fresh surrogates")
    tr.add_argument("--base", metavar="DIR", help="a trained tagger's folder to train on from")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--notes", type=int, default=SYNTHETIC_NOTES, help="synthetic notes")
    tr.add_argument("--epochs", type=int, default=EPOCHS)
    tr.set_defaults(run=_train)
    redact = commands.add_parser("redact", help="print the de-identified text of FILE (- for stdin)")
    redact.add_argument("file")
    redact.set_defaults(run=_redact)
    return parser


def _evaluate(args) -> int:
    if args.split == "check" and args.misses:
        print("the check split's misses stay closed: list misses of --split tune", file=sys.stderr)
        return 2
    engine = DeidEngine(tagger_dir=args.tagger) if args.tagger else DeidEngine()
    records = select(read_gold(args.gold), args.split)
    scores = evaluate(engine, records)
    summary = scores.summary()
    if args.against:
        engine.tagger = None if args.against == "rules" else load_tagger(args.against)  # the same rules, loaded once
        if engine.tagger is None and args.against != "rules":
            print(f"--against: {args.against} is no tagger folder (a card.json and model/), nor 'rules'", file=sys.stderr)
            return 2
        summary["against"] = {"engine": args.against,
                              "difference": paired_difference(evaluate(engine, records), scores)}
    if args.json:
        summary["misses"] = scores.misses[: args.misses]
        print(json.dumps(summary, indent=2))
        return 0
    print(f"notes {summary['notes']}  recall {summary['recall']:.4f} {_ci(summary['recall_ci95'])}  precision "
          f"{summary['precision']:.4f} {_ci(summary['precision_ci95'])}  F2 {summary['f2']:.4f}  "
          f"notes/s {summary['notes_per_second']}")
    for name, tally in summary["per_type"].items():
        print(f"  {name:32s} tokens {tally['gold_tokens']:5d}  recall {tally['recall']:.4f} "
              f"{_ci(tally['recall_ci95'])}")
    if args.against:
        print(f"this engine minus {args.against}, the same notes resampled together:")
        for name, change in summary["against"]["difference"].items():
            print(f"  {name:32s} {change['difference']:+.4f} {_ci(change['ci95'])}")
    for miss in scores.misses[: args.misses]:
        context = miss["context"].replace("\n", " ")
        print(f"MISS {miss['id']} {miss['type']}: {miss['text']!r} in ...{context}...")
    return 0


def _train(args) -> int:
    card = train(args.out, gold_sources(args.gold, args.keep_gold_values), seed=args.seed, synthetic_notes=args.notes, epochs=args.epochs,
                 base=args.base)
    print(json.dumps({key: card[key] for key in ("weight_hash", "data_fingerprint", "metrics", "corpora")}, indent=2))
    return 0


def _ci(interval) -> str:
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""


def _redact(args) -> int:
    text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
    sys.stdout.write(DeidEngine().deidentify(text).text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
