"""python -m deid evaluate GOLD [--split tune|check] [--json] [--misses N] | redact FILE|-"""
from __future__ import annotations

import argparse
import json
import sys

from deid.engine import DeidEngine
from deid.evaluate import evaluate, read_gold, select


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deid", description=__doc__)
    commands = parser.add_subparsers(required=True)
    ev = commands.add_parser("evaluate", help="token-level recall/precision/F2 on a gold JSONL")
    ev.add_argument("gold", help="deid JSONL, or presidio-research's JSON list")
    ev.add_argument("--split", choices=("tune", "check"), help="score one part of the fixed split by patient")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--misses", type=int, default=0, metavar="N", help="print N missed gold tokens")
    ev.set_defaults(run=_evaluate)
    redact = commands.add_parser("redact", help="print the de-identified text of FILE (- for stdin)")
    redact.add_argument("file")
    redact.set_defaults(run=_redact)
    return parser


def _evaluate(args) -> int:
    if args.split == "check" and args.misses:
        print("the check split's misses stay closed: list misses of --split tune", file=sys.stderr)
        return 2
    scores = evaluate(DeidEngine(), select(read_gold(args.gold), args.split))
    summary = scores.summary()
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
    for miss in scores.misses[: args.misses]:
        context = miss["context"].replace("\n", " ")
        print(f"MISS {miss['id']} {miss['type']}: {miss['text']!r} in ...{context}...")
    return 0


def _ci(interval) -> str:
    return f"[{interval[0]:.3f}, {interval[1]:.3f}]" if interval else ""


def _redact(args) -> int:
    text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
    sys.stdout.write(DeidEngine().deidentify(text).text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
